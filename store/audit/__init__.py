"""The access log after NEN 7513 (DESIGN §3.5): who saw or changed what, when, from where.

The log is tamper-evident: every event carries `prev_hash`, the `hash` of the event before it
(or `GENESIS`), and `hash`, a SHA-256 over its own fields and `prev_hash` (not over `id`: the id
only orders the chain). Events are chained when their transaction commits, not when they are
recorded: a session event takes them out of every flush, and `before_commit` appends them under
a lock (`pg_advisory_xact_lock` on PostgreSQL, SQLite's write lock), reading the head of the
chain in the same statement (PostgreSQL: the function audit_append(), SQLite: INSERT ... SELECT),
so a turn costs no extra round trip. The lock is held from that statement to the commit, so the
chain order is the commit order and ids follow it.

`python -m store.audit verify` walks the chain and names the first broken link; `anchor` writes
the chain's head outside the database, and `verify --anchor FILE` proves no event after an
anchor was removed (store/audit_anchor.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Insert, String, bindparam, func, insert, inspect, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from store.access import Requester
from store.audit_anchor import (
    Anchor,
    AnchorBreak,
    Pruned,
    anchor_breaks,
)
from store.models import AuditAnker, AuditEvent, Casus, utcnow

GENESIS = "0" * 64
HASH_FORMAT = "casusoverleg-audit-v1"
# The fields an event's hash covers, in this order. A new column of AuditEvent is covered only
# once it is added here (with a new HASH_FORMAT); tests/test_audit_chain.py keeps the list whole.
HASHED_FIELDS: tuple[str, ...] = (
    "at",
    "event",
    "action",
    "outcome",
    "actor_professional_id",
    "actor_object_id",
    "actor_tenant_id",
    "actor_role",
    "purpose",
    "casus_id",
    "object_ref",
    "origin_conversation_id",
    "origin_conversation_type",
    "details",
)
_INT_FIELDS = frozenset({"actor_professional_id", "casus_id"})
# Serialises chain appends on PostgreSQL (migrations use 7402311); taken in audit_append().
CHAIN_LOCK = 7402312

_PENDING = "audit_unchained"


class AuditLog:
    """Writes NEN 7513-style events. Refusals survive a rolled-back transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._refusals: list[AuditEvent] = []

    def record(
        self,
        event: str,
        action: str,
        requester: Requester | None = None,
        *,
        outcome: str = "success",
        casus: Casus | None = None,
        role: str | None = None,
        purpose: str | None = None,
        details: str | None = None,
        actor_object_id: str | None = None,
        actor_tenant_id: str | None = None,
    ) -> AuditEvent:
        """Add an event to the transaction; it is chained and written when that commits."""
        entry = AuditEvent(
            at=utcnow(),
            event=event,
            action=action,
            outcome=outcome,
            actor_professional_id=requester.professional_id if requester else None,
            actor_object_id=requester.aad_object_id if requester else actor_object_id,
            actor_tenant_id=requester.tenant_id if requester else actor_tenant_id,
            actor_role=role,
            purpose=purpose,
            casus_id=casus.id if casus else None,
            object_ref=casus.code if casus else None,
            origin_conversation_id=requester.conversation_id if requester else None,
            origin_conversation_type=requester.conversation_type if requester else None,
            details=_details(details, requester),
        )
        self._session.add(entry)
        if outcome != "success":
            self._refusals.append(entry)
        return entry

    def refusals(self) -> list[AuditEvent]:
        return list(self._refusals)

    def add_copies(self, entries: list[AuditEvent]) -> None:
        # The copies are new links: they are chained at the next commit.
        unchained = {"id", "prev_hash", "hash"}
        columns = [c.key for c in AuditEvent.__table__.columns if c.key not in unchained]
        self._refusals = []
        for entry in entries:
            self._session.add(AuditEvent(**{key: getattr(entry, key) for key in columns}))

    async def events(self, casus_id: int | None = None) -> Sequence[AuditEvent]:
        """Committed events (those of the open transaction are written at its commit)."""
        query = select(AuditEvent).order_by(AuditEvent.id)
        if casus_id is not None:
            query = query.where(AuditEvent.casus_id == casus_id)
        return (await self._session.scalars(query)).all()


def _details(details: str | None, requester: Requester | None) -> str | None:
    if requester is not None and requester.delivered_privately:
        details = f"{details}; getoond in privéchat" if details else "getoond in privéchat"
    return details[:500] if details else None


# --- the chain ---------------------------------------------------------------------------


def event_hash(fields: Mapping[Any, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of the previous hash followed by the event's canonical payload.

    PostgreSQL computes the same in audit_append() from the payload this module sends.
    """
    return _sha256_hex(prev_hash + payload(fields))


def payload(fields: Mapping[Any, Any]) -> str:
    """The canonical serialisation: JSON of the format tag and the hashed fields, in order."""
    values = [_canonical(name, fields.get(name)) for name in HASHED_FIELDS]
    return json.dumps([HASH_FORMAT, *values], ensure_ascii=False, separators=(",", ":"))


def _canonical(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "at":
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name in _INT_FIELDS:
        return int(value)
    return str(value)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns timestamps without a zone: they were written in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _normalise(entry: AuditEvent) -> None:
    """Store exactly what is hashed: UTC time, integer ids, text."""
    entry.at = as_utc(entry.at or utcnow())
    for name in HASHED_FIELDS[1:]:
        value = getattr(entry, name)
        if value is not None:
            setattr(entry, name, int(value) if name in _INT_FIELDS else str(value))


def _fields(entry: AuditEvent) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def _append_on_sqlite(connection: Connection, entries: list[AuditEvent]) -> None:
    # The first event is inserted by one INSERT ... SELECT that reads the head itself: the
    # statement holds SQLite's write lock (kept to the commit), so no other connection appends
    # between reading the head and inserting after it, and a turn costs no extra statement.
    _register_sha256(connection)
    first = _fields(entries[0])
    row = connection.execute(_sqlite_append(), {**first, "payload": payload(first)}).one()
    entries[0].prev_hash, entries[0].hash = row.prev_hash, row.hash
    rows = []
    for before, entry in itertools.pairwise(entries):
        entry.prev_hash = before.hash
        entry.hash = event_hash(_fields(entry), str(before.hash))
        rows.append({**_fields(entry), "prev_hash": entry.prev_hash, "hash": entry.hash})
    if rows:  # one executemany in chain order: ids are handed out in that order
        connection.execute(insert(AuditEvent), rows)


@functools.cache
def _sqlite_append() -> Insert:
    table = AuditEvent.__table__
    newest = select(table.c.hash).order_by(table.c.id.desc()).limit(1).scalar_subquery()
    previous = func.coalesce(newest, GENESIS)
    values = [bindparam(name, type_=table.c[name].type) for name in HASHED_FIELDS]
    digest = func.audit_sha256(previous.concat(bindparam("payload", type_=String())))
    source = select(*values, previous, digest)
    statement = insert(AuditEvent).from_select([*HASHED_FIELDS, "prev_hash", "hash"], source)
    return statement.returning(table.c.prev_hash, table.c.hash)


def _register_sha256(connection: Connection) -> None:
    """audit_sha256(text) on this SQLite connection: the hash event_hash() computes."""
    pooled = connection.connection
    if not pooled.info.get("audit_sha256"):
        pooled.dbapi_connection.create_function(  # type: ignore[union-attr]
            "audit_sha256", 1, _sha256_hex, deterministic=True
        )
        pooled.info["audit_sha256"] = True


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _append_on_postgresql(connection: Connection, entries: list[AuditEvent]) -> None:
    # One round trip: audit_append() (migration 0003) takes the chain lock, reads the head and
    # inserts the events in order, hashing each payload after the hash before it.
    events = [
        {
            **{name: _canonical(name, value) for name, value in _fields(entry).items()},
            "payload": payload(_fields(entry)),
        }
        for entry in entries
    ]
    hashes = connection.scalar(
        text("SELECT audit_append(:events)"), {"events": json.dumps(events, ensure_ascii=False)}
    )
    # The chain from the head it found: [head, hash of the first event, ...].
    for entry, prev_hash, digest in zip(entries, hashes[:-1], hashes[1:], strict=True):
        entry.prev_hash, entry.hash = prev_hash, digest


def has_pending(session: Session) -> bool:
    """Events recorded in this transaction wait here until the commit chains them."""
    return bool(session.info.get(_PENDING))


def _defer_unchained(session: Session, _context: Any, _instances: Any) -> None:
    """before_flush: unchained events wait for the commit, so the lock is held only there."""
    waiting = [o for o in session.new if isinstance(o, AuditEvent) and o.hash is None]
    if not waiting:
        return
    waiting.sort(key=lambda entry: inspect(entry).insert_order or 0)
    pending = session.info.setdefault(_PENDING, [])
    savepoint = session.get_nested_transaction()
    for entry in waiting:
        session.expunge(entry)
        pending.append((entry, savepoint))


def _chain_on_commit(session: Session) -> None:
    """before_commit: append this transaction's events to the chain, in recorded order."""
    if session.in_nested_transaction():
        return  # a savepoint is released; the events wait for the outer commit
    session.flush()  # everything else first (and any unflushed events into the pending list)
    entries = [entry for entry, _ in session.info.pop(_PENDING, [])]
    if not entries:
        return
    for entry in entries:
        _normalise(entry)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _append_on_postgresql(connection, entries)
    else:
        _append_on_sqlite(connection, entries)


def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """after_soft_rollback: events recorded in a rolled-back savepoint are dropped."""
    pending = session.info.get(_PENDING)
    if pending and previous.parent is not None:
        session.info[_PENDING] = [
            (entry, savepoint) for entry, savepoint in pending if not _within(savepoint, previous)
        ]


def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """after_transaction_end: a transaction that ended unless by commit (rollback, close)
    takes its unwritten events with it; a commit has taken them already."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _within(savepoint: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is ended:
            return True
        savepoint = savepoint.parent
    return False


for _name, _listener in (
    ("before_flush", _defer_unchained),
    ("before_commit", _chain_on_commit),
    ("after_soft_rollback", _forget_rolled_back),
    ("after_transaction_end", _forget_uncommitted),
):
    if not sa_event.contains(Session, _name, _listener):
        sa_event.listen(Session, _name, _listener)


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain. `broken_id` is the first event that does not fit;
    `anchor_breaks` the external anchors the log no longer holds."""

    count: int  # events that verified
    head: str  # hash of the last event that verified
    broken_id: int | None = None
    problem: str | None = None  # "hash", "link" or "unchained"
    previous_id: int | None = None
    # Where the chain ends now (for an anchor); derived, so not part of a report's equality.
    last_id: int | None = field(default=None, compare=False)
    last_at: dt.datetime | None = field(default=None, compare=False)
    anchor_breaks: tuple[AnchorBreak, ...] = ()

    @property
    def intact(self) -> bool:
        return self.broken_id is None and not self.anchor_breaks

    def anchor(self) -> Anchor | None:
        """The head as an anchor to keep outside the database (None for an empty log)."""
        if self.last_id is None or self.last_at is None or not self.intact:
            return None
        return Anchor(self.last_id, self.head, as_utc(self.last_at), self.count, utcnow())

    def message(self) -> str:
        if self.anchor_breaks:
            return "\n".join(b.message() for b in self.anchor_breaks)
        if self.broken_id is None:
            noun = "gebeurtenis" if self.count == 1 else "gebeurtenissen"
            return f"Auditlog intact: {self.count} {noun}."
        if self.problem == "unchained":
            why = "de gebeurtenis heeft geen hash (buiten de keten geschreven)"
        elif self.problem == "link" and self.previous_id is None:
            why = "prev_hash is niet het begin van de keten: er ontbreken eerdere gebeurtenissen"
        elif self.problem == "link":
            why = (
                f"prev_hash past niet bij de vorige gebeurtenis ({self.previous_id}): er "
                "ontbreekt een gebeurtenis of er is er een tussengevoegd"
            )
        else:
            why = "de hash klopt niet met de inhoud (de gebeurtenis is gewijzigd)"
        return f"Auditlog verbroken bij gebeurtenis {self.broken_id}: {why}."


async def verify_chain(
    engine: AsyncEngine,
    anchors: Sequence[Anchor] = (),
    term_start: dt.datetime | None = None,
) -> ChainReport:
    """Walk the log in id order; report the first event whose link or hash does not hold.
    After events past the audit term were removed (`prune`), the chain starts at the hash of
    the newest removed event, kept in `audit_anker`. With `anchors` (heads kept outside the
    database), also report each anchored event that is gone or differs; one that a prune
    removed is excused only when it is older than `term_start` (now − the audit term)."""
    table = AuditEvent.__table__
    columns = [table.c[name] for name in ("id", *HASHED_FIELDS, "prev_hash")]
    query = select(*columns, table.c.hash).order_by(table.c.id)
    anchored = {anchor.last_id for anchor in anchors}
    found: dict[int, str] = {}
    count, head, previous_id, last_at = 0, GENESIS, None, None
    async with engine.connect() as connection:
        head = await _chain_start(connection)
        pruned = await _prunes(connection) if anchors else []
        result = await connection.stream(query.execution_options(yield_per=1000))
        async for row in result.mappings():
            problem = None
            if row["hash"] is None or row["prev_hash"] is None:
                problem = "unchained"
            elif row["prev_hash"] != head:
                problem = "link"
            elif event_hash(row, row["prev_hash"]) != row["hash"]:
                problem = "hash"
            if problem:
                return ChainReport(count, head, row["id"], problem, previous_id, previous_id)
            count, head, previous_id, last_at = count + 1, row["hash"], row["id"], row["at"]
            if row["id"] in anchored:
                found[row["id"]] = row["hash"]
    breaks = anchor_breaks(anchors, found, pruned, term_start or utcnow())
    return ChainReport(
        count, head, last_id=previous_id, last_at=last_at, anchor_breaks=tuple(breaks)
    )


async def _prunes(connection: Any) -> list[Pruned]:
    has_anchors = await connection.run_sync(lambda sync: inspect(sync).has_table("audit_anker"))
    if not has_anchors:
        return []
    rows = await connection.execute(select(AuditAnker.laatste_id, AuditAnker.ouder_dan))
    return [Pruned(last_id, as_utc(older_than)) for last_id, older_than in rows.all()]


async def _chain_start(connection: Any) -> str:
    """GENESIS, or the anchor the last prune left (a database from before 0012 has none)."""
    has_anchors = await connection.run_sync(lambda sync: inspect(sync).has_table("audit_anker"))
    if not has_anchors:
        return GENESIS
    anchor = await connection.scalar(
        select(AuditAnker.hash).order_by(AuditAnker.id.desc()).limit(1)
    )
    return anchor or GENESIS


@dataclass(frozen=True)
class PruneReport:
    removed: int
    anchor: str | None  # the hash the remaining chain starts from

    def message(self, older_than: dt.datetime) -> str:
        day = f"{older_than:%d-%m-%Y}"
        if not self.removed:
            return f"Geen gebeurtenissen van voor {day}: niets verwijderd."
        return (
            f"{self.removed} gebeurtenissen van voor {day} verwijderd. De keten begint nu bij "
            f"{self.anchor}; bewaar deze hash buiten de database."
        )


async def prune(engine: AsyncEngine, older_than: dt.datetime) -> PruneReport:
    """Remove the events older than the audit term (AUDIT_RETENTION_DAYS), as the owner role:
    the oldest part of the chain, up to the first event from `older_than` on. The newest
    removed event's hash becomes the anchor `verify` starts from, so the rest stays proven."""
    table = AuditEvent.__table__
    async with engine.begin() as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:  # no event is appended meanwhile
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
        first_kept = await connection.scalar(
            select(func.min(table.c.id)).where(table.c.at >= older_than)
        )
        newest = select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)
        if first_kept is not None:
            newest = newest.where(table.c.id < first_kept)
        last = (await connection.execute(newest)).first()
        if last is None:
            return PruneReport(0, None)
        removed = await connection.scalar(
            select(func.count()).select_from(table).where(table.c.id <= last.id)
        )
        delete = text("DELETE FROM audit_event WHERE id <= :last")
        if postgresql:
            await connection.execute(
                text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
            )
            await connection.execute(delete, {"last": last.id})
            await connection.execute(
                text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
            )
        else:
            await connection.execute(text("DROP TRIGGER audit_event_no_delete"))
            await connection.execute(delete, {"last": last.id})
            await connection.execute(text(SQLITE_NO_DELETE))
        await connection.execute(
            insert(AuditAnker).values(
                pruned_at=utcnow(),
                ouder_dan=older_than,
                verwijderd=removed,
                laatste_id=last.id,
                hash=last.hash,
            )
        )
    return PruneReport(int(removed or 0), last.hash)


SQLITE_NO_DELETE = (
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
)
