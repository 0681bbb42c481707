"""Organisations, professionals, municipalities and PGA-experts; drafts of forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import NotFound
from store.audit import AuditLog
from store.models import ActAs, Concept, Gemeente, Organisatie, PgaExpert, Professional, utcnow


@dataclass(frozen=True)
class ProfessionalInfo:
    """The acting professional as the workflows need it on every turn."""

    id: int
    naam: str
    is_beheerder: bool
    actief: bool
    organisatie_naam: str | None
    pga_gemeente_ids: frozenset[int]


class PeopleRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    async def by_identity(self, tenant_id: str, aad_object_id: str) -> Professional | None:
        return await self._session.scalar(
            select(Professional).where(
                Professional.tenant_id == tenant_id,
                Professional.aad_object_id == aad_object_id.lower(),
            )
        )

    async def identity(self, tenant_id: str, aad_object_id: str) -> ProfessionalInfo | None:
        """Who is acting, with organisation and PGA municipalities, in one query of plain
        columns: this runs on every activity."""
        return await self._identity(
            (Professional.tenant_id == tenant_id)
            & (Professional.aad_object_id == aad_object_id.lower())
        )

    async def identity_by_id(self, professional_id: int) -> ProfessionalInfo | None:
        return await self._identity(Professional.id == professional_id)

    async def _identity(self, condition: Any) -> ProfessionalInfo | None:
        rows = (
            await self._session.execute(
                select(
                    Professional.id,
                    Professional.naam,
                    Professional.is_beheerder,
                    Professional.actief,
                    Organisatie.naam,
                    PgaExpert.gemeente_id,
                )
                .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
                .outerjoin(PgaExpert, PgaExpert.professional_id == Professional.id)
                .where(condition)
            )
        ).all()
        if not rows:
            return None
        first = rows[0]
        return ProfessionalInfo(
            id=first[0],
            naam=first[1],
            is_beheerder=first[2],
            actief=first[3],
            organisatie_naam=first[4],
            pga_gemeente_ids=frozenset(row[5] for row in rows if row[5] is not None),
        )

    async def get(self, professional_id: int) -> Professional:
        professional = await self._session.get(Professional, professional_id)
        if professional is None:
            raise NotFound("professional")
        return professional

    async def active(self) -> Sequence[Professional]:
        return (
            await self._session.scalars(
                select(Professional).where(Professional.actief).order_by(Professional.naam)
            )
        ).all()

    async def switched_off(self) -> Sequence[Professional]:
        return (
            await self._session.scalars(
                select(Professional).where(~Professional.actief).order_by(Professional.naam)
            )
        ).all()

    async def count(self) -> int:
        return await self._session.scalar(select(func.count(Professional.id))) or 0

    async def add_professional(
        self,
        *,
        tenant_id: str,
        aad_object_id: str,
        naam: str,
        organisatie_id: int | None = None,
        email: str | None = None,
        functie: str | None = None,
        is_beheerder: bool = False,
    ) -> Professional:
        professional = Professional(
            tenant_id=tenant_id,
            aad_object_id=aad_object_id.lower(),
            naam=naam,
            organisatie_id=organisatie_id,
            email=email,
            functie=functie,
            is_beheerder=is_beheerder,
            actief=True,
        )
        self._session.add(professional)
        await self._session.flush()
        return professional

    async def organisaties(self) -> Sequence[Organisatie]:
        return (await self._session.scalars(select(Organisatie).order_by(Organisatie.naam))).all()

    async def organisatie(self, organisatie_id: int) -> Organisatie | None:
        return await self._session.get(Organisatie, organisatie_id)

    async def organisatie_by_name(self, naam: str) -> Organisatie | None:
        return await self._session.scalar(
            select(Organisatie).where(func.lower(Organisatie.naam) == naam.lower())
        )

    async def add_organisatie(self, naam: str, soort: str) -> Organisatie:
        organisatie = Organisatie(naam=naam, soort=soort)
        self._session.add(organisatie)
        await self._session.flush()
        return organisatie

    async def gemeenten(self) -> Sequence[Gemeente]:
        return (await self._session.scalars(select(Gemeente).order_by(Gemeente.naam))).all()

    async def gemeente(self, gemeente_id: int) -> Gemeente | None:
        return await self._session.get(Gemeente, gemeente_id)

    async def ensure_gemeente(self, naam: str) -> Gemeente:
        gemeente = await self._session.scalar(select(Gemeente).where(Gemeente.naam == naam))
        if gemeente is None:
            gemeente = Gemeente(naam=naam)
            self._session.add(gemeente)
            await self._session.flush()
        return gemeente

    async def pga_gemeente_ids(self, professional_id: int) -> set[int]:
        rows = await self._session.scalars(
            select(PgaExpert.gemeente_id).where(PgaExpert.professional_id == professional_id)
        )
        return set(rows.all())

    async def make_pga_expert(self, professional_id: int, gemeente_id: int) -> None:
        if gemeente_id not in await self.pga_gemeente_ids(professional_id):
            self._session.add(PgaExpert(professional_id=professional_id, gemeente_id=gemeente_id))
            await self._session.flush()

    async def pga_experts_of(self, gemeente_id: int) -> Sequence[Professional]:
        return (
            await self._session.scalars(
                select(Professional)
                .join(PgaExpert, PgaExpert.professional_id == Professional.id)
                .where(PgaExpert.gemeente_id == gemeente_id, Professional.actief)
            )
        ).all()

    async def acting_as(self, tenant_id: str, aad_object_id: str) -> int | None:
        row = await self._session.get(ActAs, (tenant_id, aad_object_id.lower()))
        return row.professional_id if row else None

    async def act_as(self, tenant_id: str, aad_object_id: str, professional_id: int) -> None:
        row = await self._session.get(ActAs, (tenant_id, aad_object_id.lower()))
        if row is None:
            self._session.add(
                ActAs(
                    tenant_id=tenant_id,
                    aad_object_id=aad_object_id.lower(),
                    professional_id=professional_id,
                )
            )
        else:
            row.professional_id = professional_id
        await self._session.flush()

    async def concept(self, professional_id: int, soort: str) -> dict[str, Any]:
        row = await self._concept_row(professional_id, soort)
        return dict(row.data) if row else {}

    async def save_concept(self, professional_id: int, soort: str, data: dict[str, Any]) -> None:
        row = await self._concept_row(professional_id, soort)
        if row is None:
            self._session.add(Concept(professional_id=professional_id, soort=soort, data=data))
        else:
            row.data = data
            row.updated_at = utcnow()
        await self._session.flush()

    async def drop_concept(self, professional_id: int, soort: str) -> None:
        await self._session.execute(
            delete(Concept).where(
                Concept.professional_id == professional_id, Concept.soort == soort
            )
        )

    async def drop_concepts_before(self, moment: dt.datetime) -> int:
        """Drafts are private to their author but hold a resident's data: they expire."""
        result = await self._session.execute(delete(Concept).where(Concept.updated_at < moment))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def _concept_row(self, professional_id: int, soort: str) -> Concept | None:
        return await self._session.scalar(
            select(Concept).where(
                Concept.professional_id == professional_id, Concept.soort == soort
            )
        )
