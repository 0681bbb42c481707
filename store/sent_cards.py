"""Messages in Teams that name a casus with identity, kept by activity id (DESIGN §3.8).

Three ways put identity in a chat: a reply in the turn, an invoke answer that replaces the
pressed card in its message, and a private message from the outbox. Each is kept here with its
conversation, activity id and the casus it names, so retention can replace every one of them
with its stub. Ids only: what a card showed is never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Casus, SentCard, utcnow
from store.sql import dialect_insert

BATCH = 500


def naming_the_latest(statement: Any) -> Any:
    """An INSERT into sent_card that, for an activity kept before, names the casus it shows
    now (a card replaced in place)."""
    return statement.on_conflict_do_update(
        index_elements=[SentCard.conversation_id, SentCard.activity_id],
        set_={"casus_id": statement.excluded.casus_id},
    )


@dataclass(frozen=True)
class CardInTeams:
    id: int
    conversation_id: str
    activity_id: str
    casus_id: int


class SentCardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def keep(self, conversation_id: str, activity_ids: Sequence[str], casus_id: int) -> None:
        """Note that these activities show `casus_id`: one INSERT for all of them. A card
        replaced in place names the casus it shows now."""
        rows = [
            {
                "conversation_id": conversation_id[:300],
                "activity_id": activity_id[:200],
                "casus_id": casus_id,
                "created_at": utcnow(),
            }
            for activity_id in dict.fromkeys(activity_ids)
            if activity_id
        ]
        if not rows or not conversation_id:
            return
        await self._session.execute(
            naming_the_latest(dialect_insert(self._session)(SentCard).values(rows))
        )

    async def of_anonymised(self, limit: int = BATCH) -> list[CardInTeams]:
        """Messages still in Teams about a casus whose data retention removed."""
        rows = await self._session.execute(
            select(SentCard.id, SentCard.conversation_id, SentCard.activity_id, SentCard.casus_id)
            .join(Casus, Casus.id == SentCard.casus_id)
            .where(Casus.geanonimiseerd_at.is_not(None))
            .order_by(SentCard.id)
            .limit(limit)
        )
        return [CardInTeams(*row) for row in rows.all()]

    async def forget(self, cards: Sequence[CardInTeams]) -> None:
        """Replaced: nothing is left to replace there."""
        if not cards:
            return
        await self._session.execute(
            delete(SentCard)
            .where(SentCard.id.in_([card.id for card in cards]))
            .execution_options(synchronize_session=False)
        )
