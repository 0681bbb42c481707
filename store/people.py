"""Organisations, professionals, municipalities and PGA-experts; drafts of forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import region
from store.access import (
    ANY_PGA_EXPERT,
    BEHEERDER,
    GEMEENTE_BEHEERDER,
    GEMEENTE_NEEDS,
    PEOPLE_NEEDS,
    AccessDenied,
    Conflict,
    NotFound,
    PeopleNeed,
    PersonalSpaceRequired,
    Requester,
    issue,
)
from store.audit import AuditLog
from store.models import (
    ActAs,
    Concept,
    ConversationRef,
    Gemeente,
    GemeenteBeheerder,
    Organisatie,
    PgaExpert,
    Professional,
    utcnow,
)
from store.outbox import unsent_to
from store.region import RegionAdministration
from store.views import PersonView


@dataclass(frozen=True)
class ProfessionalInfo:
    """The acting professional as the workflows need it on every turn."""

    id: int
    naam: str
    is_beheerder: bool
    actief: bool
    organisatie_naam: str | None
    pga_gemeente_ids: frozenset[int]
    # Beheerder of one or more gemeenten (not of the installation), #26.
    beheert_gemeente: bool = False


_IDENTITY = (
    select(
        Professional.id,
        Professional.naam,
        Professional.is_beheerder,
        Professional.actief,
        Organisatie.naam,
        PgaExpert.gemeente_id,
        select(GemeenteBeheerder.gemeente_id)
        .where(GemeenteBeheerder.professional_id == Professional.id)
        .exists()
        .label("beheert_gemeente"),
    )
    .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
    .outerjoin(PgaExpert, PgaExpert.professional_id == Professional.id)
)
IDENTITY_BY_OBJECT = _IDENTITY.where(
    Professional.tenant_id == bindparam("tenant"),
    Professional.aad_object_id == bindparam("object_id"),
)
IDENTITY_BY_ID = _IDENTITY.where(Professional.id == bindparam("professional_id"))


def _teams_name(reference: dict[str, Any]) -> str:
    user = reference.get("user") if isinstance(reference, dict) else None
    name = user.get("name") if isinstance(user, dict) else None
    return str(name)[:150] if name else "Onbekende naam"


def _professional_info(rows: Sequence[Any]) -> ProfessionalInfo | None:
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
        beheert_gemeente=bool(first[6]),
    )


class PeopleRepository(RegionAdministration):
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
        columns: this runs on every activity, so the statement is built once."""
        rows = await self._session.execute(
            IDENTITY_BY_OBJECT, {"tenant": tenant_id, "object_id": aad_object_id.lower()}
        )
        return _professional_info(rows.all())

    async def identity_by_id(self, professional_id: int) -> ProfessionalInfo | None:
        rows = await self._session.execute(IDENTITY_BY_ID, {"professional_id": professional_id})
        return _professional_info(rows.all())

    async def get(self, professional_id: int) -> PersonView:
        found = await self._people(Professional.id == professional_id)
        if not found:
            raise NotFound("professional")
        return found[0]

    async def active(self) -> list[PersonView]:
        return await self._people(Professional.actief)

    async def switched_off(self) -> list[PersonView]:
        return await self._people(~Professional.actief)

    async def _people(self, condition: Any) -> list[PersonView]:
        rows = await self._session.scalars(
            select(Professional).where(condition).order_by(Professional.naam)
        )
        experts: dict[int, set[int]] = {}
        for professional_id, gemeente_id in (
            await self._session.execute(select(PgaExpert.professional_id, PgaExpert.gemeente_id))
        ).all():
            experts.setdefault(professional_id, set()).add(gemeente_id)
        return [
            PersonView(
                id=p.id,
                naam=p.naam,
                functie=p.functie,
                organisatie_id=p.organisatie_id,
                organisatie_naam=p.organisatie.naam if p.organisatie else None,
                email=p.email,
                actief=p.actief,
                pga_gemeente_ids=frozenset(experts.get(p.id, ())),
                tenant_id=p.tenant_id,
            )
            for p in rows.all()
        ]

    # --- the directory gate ----------------------------------------------------------------

    async def roles_of(
        self, requester: Requester, gemeente_id: int | None = None
    ) -> frozenset[str]:
        """Roles that do not depend on a casus: beheerder of the installation, gemeente
        beheerder, PGA-expert — of any gemeente, or (with `gemeente_id`) of that one."""
        row = (
            await self._session.execute(
                select(Professional.is_beheerder, Professional.actief).where(
                    Professional.id == requester.professional_id
                )
            )
        ).first()
        if row is None or not row.actief:
            return frozenset()
        roles = {BEHEERDER} if row.is_beheerder else set()
        experts = await self.pga_gemeente_ids(requester.professional_id)
        beheerders = await region.beheerder_gemeenten(self._session, requester.professional_id)
        if gemeente_id is not None:
            experts, beheerders = experts & {gemeente_id}, beheerders & {gemeente_id}
        if experts:
            roles.add(ANY_PGA_EXPERT)
        if beheerders:
            roles.add(GEMEENTE_BEHEERDER)
        return frozenset(roles)

    async def authorise(
        self, requester: Requester, need: PeopleNeed, gemeente_id: int | None = None
    ) -> frozenset[str]:
        """Refuse (and log) unless the requester's roles allow `need` here; a need about one
        gemeente (`GEMEENTE_NEEDS`) counts only the roles held in `gemeente_id`."""
        rule = PEOPLE_NEEDS[need]
        # Without a gemeente, a need of GEMEENTE_NEEDS only asks "anywhere?" (to open a card);
        # what it then acts on is checked again with its gemeente.
        assert gemeente_id is None or need in GEMEENTE_NEEDS
        roles = await self.roles_of(requester, gemeente_id)
        if not roles & rule.roles:
            self._audit.record(
                str(need),
                rule.action,
                requester,
                outcome="denied",
                details="geen rol" if gemeente_id is None else f"geen rol gemeente={gemeente_id}",
            )
            raise AccessDenied(str(need))
        if rule.personal and not requester.in_personal_space:
            self._audit.record(
                str(need), rule.action, requester, outcome="denied", details="geen privéruimte"
            )
            raise PersonalSpaceRequired(str(need))
        return roles

    def requester(
        self,
        professional_id: int,
        tenant_id: str,
        aad_object_id: str,
        conversation_id: str,
        conversation_type: str,
        client: str | None = None,
    ) -> Requester:
        """The requester for a professional the platform identified (and only for them)."""
        return issue(
            professional_id, tenant_id, aad_object_id, conversation_id, conversation_type, client
        )

    async def download_requester(
        self, professional_id: int, client: str | None
    ) -> Requester | None:
        """The requester behind a signed download link: the professional it was issued to,
        while still active."""
        professional = await self._session.get(Professional, professional_id)
        if professional is None or not professional.actief:
            return None
        return issue(
            professional.id,
            professional.tenant_id,
            professional.aad_object_id,
            "download",
            "download",
            client,
        )

    async def switch(self, requester: Requester, professional_id: int, *, on: bool) -> PersonView:
        """Switch a professional off (refused from the next activity on, unsent messages
        dropped) or back on."""
        need = PeopleNeed.INSCHAKELEN if on else PeopleNeed.UITSCHAKELEN
        await self.authorise(requester, need)
        if professional_id == requester.professional_id and not on:
            raise Conflict("zelf")
        professional = await self._session.get(Professional, professional_id)
        if professional is None or professional.actief == on:
            raise NotFound("professional")
        if professional_id not in await self.switchable_ids(requester, need, [professional_id]):
            self._audit.record(
                str(need), "U", requester, outcome="denied", details="buiten de gemeente"
            )
            raise AccessDenied(str(need))
        professional.actief = on
        if not on:
            await self._session.execute(unsent_to(professional_id))
        self._audit.record(str(need), "U", requester, details=f"professional={professional_id}")
        await self._session.flush()
        return await self.get(professional_id)

    async def waiting(self, requester: Requester) -> list[tuple[int, str]]:
        """People who opened the bot in Teams but are not registered: (id, name as Teams
        gave it). So a PGA-expert adds people by name, not by object id."""
        await self.authorise(requester, PeopleNeed.BEHEER_BEKIJKEN)
        registered = select(Professional.id).where(
            Professional.tenant_id == ConversationRef.tenant_id,
            Professional.aad_object_id == ConversationRef.aad_object_id,
        )
        rows = await self._session.scalars(
            select(ConversationRef)
            .where(
                ConversationRef.conversation_type == "personal",
                ConversationRef.professional_id.is_(None),
                ConversationRef.aad_object_id.is_not(None),
                ConversationRef.tenant_id == requester.tenant_id,
                ~registered.exists(),
            )
            .order_by(ConversationRef.updated_at.desc())
            .limit(25)
        )
        return [(ref.id, _teams_name(ref.reference)) for ref in rows.all()]

    async def register_waiting(
        self,
        requester: Requester,
        waiting_id: int,
        *,
        pga_gemeente_id: int | None = None,
        **fields: Any,
    ) -> PersonView:
        """Register someone who is waiting: tenant, object id and name come from Teams (the
        stored chat), not from the card."""
        found = dict(await self.waiting(requester)).get(waiting_id)
        ref = await self._session.get(ConversationRef, waiting_id) if found else None
        if ref is None or ref.aad_object_id is None or ref.tenant_id is None:
            raise NotFound("aanvraag")
        return await self.register(
            requester,
            pga_gemeente_id=pga_gemeente_id,
            tenant_id=ref.tenant_id,
            aad_object_id=ref.aad_object_id,
            naam=found,
            **fields,
        )

    async def letterheads(self, requester: Requester) -> list[tuple[int, str, str, str]]:
        """(id, name, address, burgemeester) of the municipalities the requester may edit."""
        await self.authorise(requester, PeopleNeed.BRIEFHOOFD)
        mine = await self.gemeenten_for(requester, PeopleNeed.BRIEFHOOFD)
        rows = await self._session.execute(
            select(Gemeente.id, Gemeente.naam, Gemeente.adres, Gemeente.burgemeester).order_by(
                Gemeente.naam
            )
        )
        return [
            (row.id, row.naam, row.adres or "", row.burgemeester or "")
            for row in rows.all()
            if row.id in mine
        ]

    async def set_letterhead(
        self, requester: Requester, gemeente_id: int, *, adres: str, burgemeester: str
    ) -> None:
        if gemeente_id not in {row[0] for row in await self.letterheads(requester)}:
            raise AccessDenied(str(PeopleNeed.BRIEFHOOFD))
        gemeente = await self._session.get(Gemeente, gemeente_id)
        assert gemeente is not None
        gemeente.adres, gemeente.burgemeester = adres or None, burgemeester or None
        self._audit.record(
            str(PeopleNeed.BRIEFHOOFD), "U", requester, details=f"gemeente={gemeente_id}"
        )
        await self._session.flush()

    async def link_channel(self, requester: Requester, gemeente_id: int) -> None:
        """This channel gets the pseudonymous notices of the municipality: never a channel
        of another gemeente's team (that would move its notices silently)."""
        await self.authorise(requester, PeopleNeed.KANAAL_KOPPELEN, gemeente_id)
        team = await self.team_gemeenten(requester.conversation_id)
        if team and gemeente_id not in team:
            self._audit.record(
                str(PeopleNeed.KANAAL_KOPPELEN),
                "U",
                requester,
                outcome="denied",
                details=f"team van een andere gemeente gemeente={gemeente_id}",
            )
            raise Conflict("team")
        gemeente = await self._session.get(Gemeente, gemeente_id)
        assert gemeente is not None
        gemeente.kanaal_conversation_id = requester.conversation_id
        self._audit.record(
            str(PeopleNeed.KANAAL_KOPPELEN), "U", requester, details=f"gemeente={gemeente_id}"
        )
        await self._session.flush()

    async def count(self) -> int:
        return await self._session.scalar(select(func.count(Professional.id))) or 0

    async def register(
        self,
        requester: Requester,
        *,
        pga_gemeente_id: int | None = None,
        **fields: Any,
    ) -> PersonView:
        """A beheerder or PGA-expert adds a professional; only a beheerder of that gemeente
        (or of the installation) appoints a PGA-expert."""
        await self.authorise(requester, PeopleNeed.PROFESSIONAL_TOEVOEGEN)
        if pga_gemeente_id is not None:
            await self.authorise(requester, PeopleNeed.PGA_EXPERT_AANWIJZEN, pga_gemeente_id)
        professional = await self.add_professional(**fields)
        if pga_gemeente_id is not None:
            await self.make_pga_expert(professional.id, pga_gemeente_id)
        self._audit.record(
            str(PeopleNeed.PROFESSIONAL_TOEVOEGEN),
            "C",
            requester,
            details=f"professional={professional.id} "
            f"rol={'pga_expert' if pga_gemeente_id else 'professional'}",
        )
        return await self.get(professional.id)

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

    async def register_organisatie(self, requester: Requester, naam: str, soort: str) -> None:
        await self.authorise(requester, PeopleNeed.ORGANISATIE_TOEVOEGEN)
        await self.add_organisatie(naam, soort)
        self._audit.record(str(PeopleNeed.ORGANISATIE_TOEVOEGEN), "C", requester, details=naam)

    async def add_organisatie(self, naam: str, soort: str) -> Organisatie:
        """Seeding and tests; a person adds one through `register_organisatie`."""
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

    async def bootstrap_admin(self, professional_id: int, gemeente_naam: str) -> None:
        """Only for the configured administrators (ADMIN_OBJECT_IDS) and local mode."""
        professional = await self._session.get(Professional, professional_id)
        if professional is None:
            raise NotFound("professional")
        professional.is_beheerder = True
        gemeente = await self.ensure_gemeente(gemeente_naam)
        await self.make_pga_expert(professional_id, gemeente.id)

    async def make_pga_expert(self, professional_id: int, gemeente_id: int) -> None:
        if gemeente_id not in await self.pga_gemeente_ids(professional_id):
            self._session.add(PgaExpert(professional_id=professional_id, gemeente_id=gemeente_id))
            await self._session.flush()

    async def pga_experts_of(self, gemeente_id: int) -> list[int]:
        return list(
            (
                await self._session.scalars(
                    select(Professional.id)
                    .join(PgaExpert, PgaExpert.professional_id == Professional.id)
                    .where(PgaExpert.gemeente_id == gemeente_id, Professional.actief)
                )
            ).all()
        )

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
