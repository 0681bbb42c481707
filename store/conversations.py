"""Where the bot can reach people and channels: stored conversation references."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ConversationRef, Professional, utcnow
from store.sql import dialect_insert


class ConversationRepository:
    def __init__(self, session: AsyncSession, known: ReferenceCache) -> None:
        self._session = session
        self._known = known

    async def get(self, conversation_id: str) -> ConversationRef | None:
        return await self._session.scalar(
            select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
        )

    async def remember(
        self,
        conversation_id: str,
        conversation_type: str,
        tenant_id: str | None,
        professional_id: int | None,
        reference: dict[str, Any],
        aad_object_id: str | None = None,
        team_id: str | None = None,
    ) -> None:
        """Insert or update in one statement: Teams sends installationUpdate and
        conversationUpdate at the same moment, and both turns store the reference."""
        team_id = team_id or None
        fingerprint = (professional_id, json.dumps([reference, team_id], sort_keys=True))
        if self._known.get(conversation_id) == fingerprint:
            return  # stored before by this process: the common case, no query at all
        current = await self.get(conversation_id)
        if (
            current is not None
            and current.professional_id == professional_id
            and current.reference == reference
            and current.team_id == team_id
        ):
            self._known.put(conversation_id, fingerprint)
            return
        values = {
            "conversation_id": conversation_id,
            "conversation_type": conversation_type,
            "tenant_id": tenant_id,
            "professional_id": professional_id,
            "aad_object_id": aad_object_id.lower() if aad_object_id else None,
            "reference": reference,
            "team_id": team_id or None,
            "updated_at": utcnow(),
        }
        statement = dialect_insert(self._session)(ConversationRef).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[ConversationRef.conversation_id],
            set_={key: statement.excluded[key] for key in values if key != "conversation_id"},
        )
        await self._session.execute(statement)
        # Remembered only once committed, or a rolled-back turn would hide the reference.
        self._session.info.setdefault("after_commit", []).append(
            lambda: self._known.put(conversation_id, fingerprint)
        )

    async def personal_for(self, professional_id: int) -> ConversationRef | None:
        """The 1:1 chat of an active professional, also one opened before registration."""
        return await self._session.scalar(
            select(ConversationRef)
            .join(Professional, reaches(Professional.id))
            .where(Professional.id == professional_id, Professional.actief)
            .order_by(ConversationRef.updated_at.desc())
            .limit(1)
        )


def reaches(professional_id: Any) -> Any:
    """The personal chat of a professional: stored for them, or stored for their Entra
    object before they were registered (the app installed by policy)."""
    return and_(
        ConversationRef.conversation_type == "personal",
        Professional.id == professional_id,
        or_(
            ConversationRef.professional_id == Professional.id,
            and_(
                ConversationRef.professional_id.is_(None),
                ConversationRef.aad_object_id == Professional.aad_object_id,
                ConversationRef.tenant_id == Professional.tenant_id,
            ),
        ),
    )


class ReferenceCache:
    """Which conversation references this process has already stored (bounded).

    Only an optimisation: the database stays the truth, a miss just costs one query.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[int | None, str]] = OrderedDict()

    def get(self, key: str) -> tuple[int | None, str] | None:
        return self._entries.get(key)

    def put(self, key: str, value: tuple[int | None, str]) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
