"""The outbox of proactive messages (DESIGN §4): claimed in the database, sent once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.conversations import reaches
from store.models import Bericht, ConversationRef, Professional, utcnow


class BerichtRepository:
    """The outbox of proactive messages."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.added = 0

    def to_professional(
        self,
        professional_id: int,
        *,
        kaart: dict[str, Any] | None = None,
        tekst: str | None = None,
        casus_id: int | None = None,
    ) -> None:
        self._session.add(
            Bericht(professional_id=professional_id, kaart=kaart, tekst=tekst, casus_id=casus_id)
        )
        self.added += 1

    def to_conversation(
        self,
        conversation_id: str,
        *,
        kaart: dict[str, Any] | None = None,
        tekst: str | None = None,
        casus_id: int | None = None,
    ) -> None:
        self._session.add(
            Bericht(conversation_id=conversation_id, kaart=kaart, tekst=tekst, casus_id=casus_id)
        )
        self.added += 1

    async def claim(self, worker: str, limit: int, lease: dt.timedelta) -> Sequence[Bericht]:
        now = utcnow()
        claimable = or_(Bericht.claimed_at.is_(None), Bericht.claimed_at < now - lease)
        has_personal_chat = (
            select(ConversationRef.id)
            .join(Professional, reaches(Bericht.professional_id))
            .where(Professional.actief)
            .exists()
        )
        candidates = (
            await self._session.scalars(
                select(Bericht.id)
                .where(
                    Bericht.verzonden_at.is_(None),
                    Bericht.volgende_poging_at <= now,
                    claimable,
                    or_(Bericht.conversation_id.is_not(None), has_personal_chat),
                )
                .order_by(Bericht.id)
                .limit(limit)
            )
        ).all()
        if not candidates:
            return []
        await self._session.execute(
            update(Bericht)
            .where(Bericht.id.in_(candidates), claimable)
            .values(claimed_by=worker, claimed_at=now)
        )
        await self._session.commit()
        return (
            await self._session.scalars(
                select(Bericht)
                .where(Bericht.claimed_by == worker, Bericht.claimed_at == now)
                .order_by(Bericht.id)
            )
        ).all()

    async def drop_unsent(self, professional_id: int) -> None:
        await self._session.execute(
            delete(Bericht).where(
                Bericht.professional_id == professional_id, Bericht.verzonden_at.is_(None)
            )
        )

    async def drop_unsent_without_casus(self, before: dt.datetime) -> None:
        """Undelivered messages not tied to a casus (e.g. a form with a draft) expire."""
        await self._session.execute(
            delete(Bericht).where(
                Bericht.casus_id.is_(None),
                Bericht.verzonden_at.is_(None),
                Bericht.created_at < before,
            )
        )

    async def still_mine(self, bericht_id: int, worker: str) -> bool:
        """Renew the claim just before sending; False if another sender took it over."""
        result = await self._session.execute(
            update(Bericht)
            .where(Bericht.id == bericht_id, Bericht.claimed_by == worker)
            .values(claimed_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_sent(self, bericht_id: int) -> None:
        # Content is dropped once delivered: the outbox is no second dossier.
        await self._session.execute(
            update(Bericht)
            .where(Bericht.id == bericht_id)
            .values(verzonden_at=utcnow(), kaart=None, tekst=None)
        )

    async def retry_later(self, bericht_id: int, delay: dt.timedelta) -> None:
        await self._session.execute(
            update(Bericht)
            .where(Bericht.id == bericht_id)
            .values(
                claimed_by=None,
                claimed_at=None,
                pogingen=Bericht.pogingen + 1,
                volgende_poging_at=utcnow() + delay,
            )
        )

    async def pending(self, professional_id: int | None = None) -> Sequence[Bericht]:
        query = select(Bericht).where(Bericht.verzonden_at.is_(None)).order_by(Bericht.id)
        if professional_id is not None:
            query = query.where(Bericht.professional_id == professional_id)
        return (await self._session.scalars(query)).all()
