"""Criteria a gemeente adds to the handreiking's three (configuration, #9).

They show as extra choices in the aanmelding for that gemeente and are recorded on it as the
labels of that moment, marked as the gemeente's own; they never count towards the
handreiking's minimum of two.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import AccessDenied, Conflict, NotFound, PeopleNeed, Requester
from store.audit import AuditLog
from store.models import Gemeente, GemeenteCriterium
from store.people import PeopleRepository

#: A gemeente keeps its own list short: the form is long enough.
MAX_PER_GEMEENTE = 8


@dataclass(frozen=True)
class EigenCriterium:
    id: int
    gemeente_id: int
    label: str
    toelichting: str | None


class CriteriaRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog, people: PeopleRepository) -> None:
        self._session = session
        self._audit = audit
        self._people = people

    async def active(self) -> list[EigenCriterium]:
        """Every gemeente's own criteria in use (configuration, shown to every aanmelder)."""
        rows = await self._session.scalars(
            select(GemeenteCriterium)
            .where(GemeenteCriterium.actief)
            .order_by(GemeenteCriterium.gemeente_id, GemeenteCriterium.id)
        )
        return [EigenCriterium(r.id, r.gemeente_id, r.label, r.toelichting) for r in rows.all()]

    async def editable(self, requester: Requester) -> list[tuple[int, str]]:
        """(id, name) of the gemeenten whose criteria the requester may change: all for a
        beheerder, their own for a PGA-expert."""
        await self._people.authorise(requester, PeopleNeed.EIGEN_CRITERIA)
        mine = await self._people.gemeenten_for(requester, PeopleNeed.EIGEN_CRITERIA)
        rows = await self._session.execute(
            select(Gemeente.id, Gemeente.naam).order_by(Gemeente.naam)
        )
        return [(r.id, r.naam) for r in rows.all() if r.id in mine]

    async def add(
        self, requester: Requester, gemeente_id: int, label: str, toelichting: str | None
    ) -> None:
        if gemeente_id not in dict(await self.editable(requester)):
            raise AccessDenied(str(PeopleNeed.EIGEN_CRITERIA))
        # A write first: two presses at once (two processes too) take turns here — the row
        # lock on PostgreSQL, the write lock on SQLite — so the second sees the first's row.
        await self._session.execute(
            update(Gemeente).where(Gemeente.id == gemeente_id).values(naam=Gemeente.naam)
        )
        current = [c for c in await self.active() if c.gemeente_id == gemeente_id]
        if any(c.label.lower() == label.lower() for c in current):
            raise Conflict("bestaat")
        if len(current) >= MAX_PER_GEMEENTE:
            raise Conflict("vol")
        self._session.add(
            GemeenteCriterium(
                gemeente_id=gemeente_id,
                label=label,
                toelichting=toelichting or None,
                actief=True,
                door_id=requester.professional_id,
            )
        )
        self._audit.record(
            str(PeopleNeed.EIGEN_CRITERIA), "C", requester, details=f"gemeente={gemeente_id}"
        )
        await self._session.flush()

    async def switch_off(self, requester: Requester, criterium_id: int) -> str:
        """Stop offering a criterion; aanmeldingen that recorded it keep its label."""
        editable = dict(await self.editable(requester))
        row = await self._session.get(GemeenteCriterium, criterium_id)
        if row is None or not row.actief or row.gemeente_id not in editable:
            raise NotFound("criterium")
        row.actief = False
        self._audit.record(
            str(PeopleNeed.EIGEN_CRITERIA), "U", requester, details=f"criterium={criterium_id} uit"
        )
        await self._session.flush()
        return row.label

    async def count(self, gemeente_id: int) -> int:
        return (
            await self._session.scalar(
                select(func.count(GemeenteCriterium.id)).where(
                    GemeenteCriterium.gemeente_id == gemeente_id, GemeenteCriterium.actief
                )
            )
            or 0
        )
