"""Engine, sessions and the unit of work."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError as ConcurrentInsert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from store.audit import has_pending
from store.sent_cards import SentCardRepository

if TYPE_CHECKING:
    from store.conversations import ReferenceCache
    from store.criteria import CriteriaRepository
    from store.documents import DocumentGrants
    from store.jobs import JobRepository
    from store.monitor import MonitorRepository
    from store.roster import RosterRepository


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    # hide_parameters: a failing statement must not carry a resident's name into a log line.
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if url.get_backend_name() == "sqlite":
        # Closing a session already rolls back: no second rollback when the pool takes the
        # connection back (a thread hop per turn). A fixed pool: no connections (each with
        # its own thread and pragmas) opened and dropped under load.
        kwargs.update(
            connect_args={"timeout": 30}, pool_reset_on_return=None, pool_size=8, max_overflow=0
        )
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Two turns inserted the same row at once (e.g. two first contacts): the workflows retry.
__all__ = ["ConcurrentInsert", "Database", "UnitOfWork", "create_engine"]
WROTE = "wrote"


def _note_writes(session: Any, *_args: Any) -> None:
    session.info[WROTE] = True


def _note_statement(state: Any) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


class TrackedSession(Session):
    """A session that notes whether the turn wrote anything (see UnitOfWork.commit)."""


event.listen(TrackedSession, "after_flush", _note_writes)
event.listen(TrackedSession, "do_orm_execute", _note_statement)


class Database:
    """The engine plus a factory for units of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        from store.conversations import ReferenceCache

        self.engine = engine
        self._sessions = async_sessionmaker(
            engine, expire_on_commit=False, sync_session_class=TrackedSession
        )
        self.known_references = ReferenceCache()

    @classmethod
    def from_url(cls, database_url: str) -> Database:
        return cls(create_engine(database_url))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(), self.known_references)

    async def dispose(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """One transaction: commit on `commit()`, roll back whatever was not committed."""

    def __init__(self, session: AsyncSession, known_references: ReferenceCache) -> None:
        from store.audit import AuditLog
        from store.casus import CasusRepository
        from store.conversations import ConversationRepository
        from store.outbox import BerichtRepository
        from store.people import PeopleRepository

        self.session = session
        self.audit = AuditLog(session)
        self.people = PeopleRepository(session, self.audit)
        self.casussen = CasusRepository(session, self.audit)
        self.berichten = BerichtRepository(session, self.casussen)
        self.conversations = ConversationRepository(session, known_references)
        self.sent_cards = SentCardRepository(session)

    @property
    def roster(self) -> RosterRepository:
        from store.roster import RosterRepository

        return RosterRepository(self.session, self.audit, self.people)

    @property
    def criteria(self) -> CriteriaRepository:
        from store.criteria import CriteriaRepository

        return CriteriaRepository(self.session, self.audit, self.people)

    @property
    def jobs(self) -> JobRepository:
        from store.jobs import JobRepository

        return JobRepository(self.session)

    @property
    def monitor(self) -> MonitorRepository:
        from store.monitor import MonitorRepository

        return MonitorRepository(self.session, self.audit, self.people)

    def documents(self, key: bytes) -> DocumentGrants:
        from store.documents import DocumentGrants

        return DocumentGrants(self.session, key)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() ends any open transaction without expiring loaded objects.
        await self.session.close()

    async def commit(self) -> None:
        """Commit what the turn changed. A turn that changed nothing writes nothing: no
        COMMIT round trip (the close at the end rolls back the read)."""
        session = self.session
        wrote = session.new or session.dirty or session.deleted or session.info.get(WROTE)
        if wrote or has_pending(session.sync_session):
            await session.commit()
            session.info.pop(WROTE, None)
        for callback in session.info.pop("after_commit", []):
            callback()

    async def rollback(self) -> None:
        await self.session.rollback()
        self.session.info.pop("after_commit", None)

    async def commit_refusals_only(self) -> None:
        """Undo the turn's changes but keep its audit entries of refusals (DESIGN §3.5)."""
        refusals = self.audit.refusals()
        await self.rollback()
        self.audit.add_copies(refusals)
        await self.session.commit()
