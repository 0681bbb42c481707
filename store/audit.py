"""The access log after NEN 7513 (DESIGN §3.5): who saw or changed what, when, from where."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import Requester
from store.models import AuditEvent, Casus, utcnow


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
        columns = [c.key for c in AuditEvent.__table__.columns if c.key != "id"]
        self._refusals = []
        for entry in entries:
            self._session.add(AuditEvent(**{key: getattr(entry, key) for key in columns}))

    async def events(self, casus_id: int | None = None) -> Sequence[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if casus_id is not None:
            query = query.where(AuditEvent.casus_id == casus_id)
        return (await self._session.scalars(query)).all()


def _details(details: str | None, requester: Requester | None) -> str | None:
    if requester is not None and requester.delivered_privately:
        details = f"{details}; getoond in privéchat" if details else "getoond in privéchat"
    return details[:500] if details else None
