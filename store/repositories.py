"""Repositories. Authorisation lives here (DESIGN §3.6): every query that returns identifying
data takes the requesting professional and refuses without a link to the casus."""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import AccessDenied, Conflict, NotFound, PersonalSpaceRequired, Requester
from store.models import (
    Aanmelding,
    ActAs,
    AuditEvent,
    Bericht,
    Besluit,
    Betrokkene,
    Casus,
    CasusVolgnummer,
    Concept,
    ConversationRef,
    EenmaligeSleutel,
    Gemeente,
    Organisatie,
    Persoonsgegevens,
    PgaExpert,
    Professional,
    Startgesprek,
    utcnow,
)
from store.privacy import name_key, redact
from store.reference import ROLLEN_MET_IDENTITEIT

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CLOSED_STATUSES = ("afgewezen", "doorverwezen", "al_besproken", "afgesloten")


@dataclass(frozen=True)
class ProfessionalInfo:
    """The acting professional as the workflows need it on every turn."""

    id: int
    naam: str
    is_beheerder: bool
    actief: bool
    organisatie_naam: str | None
    pga_gemeente_ids: frozenset[int]


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


class CasusRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    # --- non-identifying -------------------------------------------------------------

    async def get(self, casus_id: int) -> Casus:
        casus = await self._session.get(Casus, casus_id)
        if casus is None:
            raise NotFound("casus")
        return casus

    async def by_code(self, code: str) -> Sequence[Casus]:
        return (await self._session.scalars(select(Casus).where(Casus.code == code.upper()))).all()

    async def open_aanmeldingen(self, gemeente_ids: set[int]) -> Sequence[tuple[Casus, Aanmelding]]:
        rows = await self._session.execute(
            select(Casus, Aanmelding)
            .join(Aanmelding, Aanmelding.casus_id == Casus.id)
            .where(Casus.status == "aangemeld", Casus.gemeente_id.in_(gemeente_ids))
            .order_by(Aanmelding.ingediend_at)
        )
        return [(casus, aanmelding) for casus, aanmelding in rows.all()]

    async def criteria_summary(self, casus_id: int) -> tuple[int, int]:
        """(criteria met, leefgebieden count): safe to show without a link."""
        return summary_of(await self._aanmelding_row(casus_id))

    async def roles_of(self, casus_id: int, professional_id: int) -> set[str]:
        rows = await self._session.scalars(
            select(Betrokkene.rol).where(
                Betrokkene.casus_id == casus_id,
                Betrokkene.professional_id == professional_id,
                Betrokkene.tot.is_(None),
            )
        )
        return set(rows.all())

    async def is_pga_expert_for(self, casus: Casus, professional_id: int) -> bool:
        return bool(
            await self._session.scalar(
                select(
                    exists().where(
                        PgaExpert.professional_id == professional_id,
                        PgaExpert.gemeente_id == casus.gemeente_id,
                    )
                )
            )
        )

    async def betrokkenen(self, casus_id: int) -> Sequence[Betrokkene]:
        return (
            await self._session.scalars(
                select(Betrokkene)
                .where(Betrokkene.casus_id == casus_id, Betrokkene.tot.is_(None))
                .order_by(Betrokkene.id)
            )
        ).all()

    async def besluiten(self, casus_id: int) -> Sequence[Besluit]:
        return (
            await self._session.scalars(
                select(Besluit).where(Besluit.casus_id == casus_id).order_by(Besluit.id)
            )
        ).all()

    async def startgesprek(self, casus_id: int) -> Startgesprek | None:
        return await self._session.get(Startgesprek, casus_id)

    # --- authorisation ---------------------------------------------------------------

    async def require_link(
        self,
        casus: Casus,
        requester: Requester,
        event: str,
        roles: Sequence[str] = ROLLEN_MET_IDENTITEIT,
    ) -> set[str]:
        held = await self.roles_of(casus.id, requester.professional_id)
        if not held & set(roles):
            self._audit.record(
                event, "R", requester, outcome="denied", casus=casus, details="geen koppeling"
            )
            raise AccessDenied(event)
        return held

    async def require_pga_expert(self, casus: Casus, requester: Requester, event: str) -> None:
        if not await self.is_pga_expert_for(casus, requester.professional_id):
            self._audit.record(
                event, "E", requester, outcome="denied", casus=casus, details="geen PGA-expert"
            )
            raise AccessDenied(event)

    def require_personal_space(self, casus: Casus, requester: Requester, event: str) -> None:
        if not requester.in_personal_space:
            self._audit.record(
                event, "R", requester, outcome="denied", casus=casus, details="geen privéruimte"
            )
            raise PersonalSpaceRequired(event)

    async def identiteit(
        self, casus: Casus, requester: Requester, purpose: str
    ) -> Persoonsgegevens:
        """The resident's identifying data, for a linked professional in a personal space."""
        self.require_personal_space(casus, requester, "identiteit.bekijken")
        roles = await self.require_link(casus, requester, "identiteit.bekijken")
        persoon = await self._session.get(Persoonsgegevens, casus.id)
        if persoon is None:
            raise NotFound("persoonsgegevens")
        self._audit.record(
            "identiteit.bekijken",
            "R",
            requester,
            casus=casus,
            role=_main_role(roles),
            purpose=purpose,
        )
        return persoon

    async def aanmelding(self, casus: Casus, requester: Requester) -> Aanmelding:
        """The referral including its free text, which may name the resident."""
        self.require_personal_space(casus, requester, "aanmelding.bekijken")
        await self.require_link(casus, requester, "aanmelding.bekijken")
        return await self._aanmelding_row(casus.id)

    async def redactor(self, casus: Casus) -> Callable[[str], str]:
        """A function that removes this resident's identifiers from free text (DESIGN §3.3)."""
        persoon = await self._session.get(Persoonsgegevens, casus.id)
        identifiers = _identifiers(persoon) if persoon else []
        return lambda text: redact(text, identifiers)

    # --- changes ---------------------------------------------------------------------

    async def next_code(self, gemeente_id: int, year: int) -> str:
        await self._session.execute(
            self._insert(CasusVolgnummer)
            .values(gemeente_id=gemeente_id, jaar=year, laatste=0)
            .on_conflict_do_nothing(
                index_elements=[CasusVolgnummer.gemeente_id, CasusVolgnummer.jaar]
            )
        )
        number = await self._session.scalar(
            update(CasusVolgnummer)
            .where(CasusVolgnummer.gemeente_id == gemeente_id, CasusVolgnummer.jaar == year)
            .values(laatste=CasusVolgnummer.laatste + 1)
            .returning(CasusVolgnummer.laatste)
        )
        return f"PGA-{year}-{number:03d}"

    async def create(
        self,
        *,
        gemeente_id: int,
        doelgroep: str,
        urgentie: str,
        persoon: dict[str, Any],
        aanmelding: dict[str, Any],
        aanmelder: Requester,
        link: dict[str, str | None],
    ) -> Casus:
        now = utcnow()
        casus = Casus(
            # The year as the Dutch count it: a referral at 00:30 on 1 January is the new year.
            code=await self.next_code(gemeente_id, now.astimezone(AMSTERDAM).year),
            gemeente_id=gemeente_id,
            status="aangemeld",
            doelgroep=doelgroep,
            urgentie=urgentie,
            created_at=now,
        )
        self._session.add(casus)
        await self._session.flush()
        self._session.add(
            Persoonsgegevens(
                casus_id=casus.id,
                naam=persoon["naam"],
                naam_sleutel=name_key(persoon["naam"]),
                geboortedatum=persoon["geboortedatum"],
                woonplaats=persoon["woonplaats"],
            )
        )
        self._session.add(
            Aanmelding(casus_id=casus.id, aanmelder_id=aanmelder.professional_id, **aanmelding)
        )
        await self.link(
            casus,
            aanmelder.professional_id,
            "betrokken",
            doel=str(link["doel"]),
            grondslag=str(link["grondslag"]),
            uitzondering=link.get("uitzondering"),
            by=aanmelder,
        )
        self._audit.record("aanmelding.indienen", "C", aanmelder, casus=casus, role="betrokken")
        await self._session.refresh(casus)
        return casus

    async def link(
        self,
        casus: Casus,
        professional_id: int,
        rol: str,
        *,
        doel: str,
        grondslag: str,
        uitzondering: str | None,
        by: Requester,
    ) -> Betrokkene:
        """Link a professional, recording purpose and legal basis (DESIGN §3.4)."""
        existing = await self._session.scalar(
            select(Betrokkene).where(
                Betrokkene.casus_id == casus.id,
                Betrokkene.professional_id == professional_id,
                Betrokkene.rol == rol,
                Betrokkene.tot.is_(None),
            )
        )
        if existing:
            return existing
        betrokkene = Betrokkene(
            casus_id=casus.id,
            professional_id=professional_id,
            rol=rol,
            doel=doel,
            grondslag=grondslag,
            uitzondering=uitzondering,
            toegevoegd_door_id=by.professional_id,
        )
        self._session.add(betrokkene)
        await self._session.flush()
        self._audit.record(
            "betrokkene.koppelen",
            "C",
            by,
            casus=casus,
            # A code, not the typed purpose: free text may name the resident, and the
            # audit log can never be cleaned.
            purpose=f"koppeling {rol}",
            details=f"professional={professional_id} rol={rol} grondslag={grondslag}",
        )
        return betrokkene

    async def record_besluit(
        self,
        casus: Casus,
        requester: Requester,
        *,
        soort: str,
        uitkomst: str,
        toelichting: str | None,
        details: dict[str, Any] | None = None,
    ) -> Besluit:
        besluit = Besluit(
            casus_id=casus.id,
            soort=soort,
            uitkomst=uitkomst,
            toelichting=toelichting,
            details=details or {},
            genomen_door_id=requester.professional_id,
        )
        self._session.add(besluit)
        await self._session.flush()
        self._audit.record(f"{soort}.besluit", "U", requester, casus=casus, details=uitkomst)
        return besluit

    async def set_status(self, casus: Casus, status: str, *, expected: str) -> None:
        """Move to `status` only from `expected`; a concurrent change raises Conflict."""
        result = await self._session.execute(
            update(Casus)
            .where(Casus.id == casus.id, Casus.status == expected)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(casus.code)
        casus.status = status
        if status in CLOSED_STATUSES:
            casus.afgesloten_at = utcnow()
        if expected == "aangemeld":  # triage decided: the referral itself is dealt with
            await self._session.execute(
                update(Aanmelding)
                .where(Aanmelding.casus_id == casus.id)
                .values(status="afgehandeld")
            )
        await self._session.flush()

    async def update_adres(
        self, casus: Casus, requester: Requester, *, adres: str, postcode: str, woonplaats: str
    ) -> None:
        persoon = await self.identiteit(casus, requester, "brief aan bewoner")
        persoon.adres, persoon.postcode, persoon.woonplaats = adres, postcode, woonplaats
        self._audit.record("identiteit.adres", "U", requester, casus=casus, purpose="brief")
        await self._session.flush()

    async def save_startgesprek(self, casus: Casus, **values: Any) -> Startgesprek:
        gesprek = await self._session.get(Startgesprek, casus.id)
        if gesprek is None:
            gesprek = Startgesprek(casus_id=casus.id)
            self._session.add(gesprek)
        for key, value in values.items():
            setattr(gesprek, key, value)
        await self._session.flush()
        return gesprek

    async def possible_duplicates(
        self, casus: Casus, requester: Requester, recent_days: int = 365
    ) -> list[tuple[str | None, str]]:
        """Other active or recent cases in the region with the same name and birth date.

        Returns (code, status) per match; the code is None where the requester has no link,
        so nobody learns which other casus it is without being part of it.
        """
        persoon = await self._session.get(Persoonsgegevens, casus.id)
        if persoon is None:
            return []
        since = utcnow() - dt.timedelta(days=recent_days)
        rows = await self._session.execute(
            select(Casus)
            .join(Persoonsgegevens, Persoonsgegevens.casus_id == Casus.id)
            .where(
                Casus.id != casus.id,
                Casus.gemeente_id == casus.gemeente_id,
                Persoonsgegevens.naam_sleutel == persoon.naam_sleutel,
                Persoonsgegevens.geboortedatum == persoon.geboortedatum,
                or_(Casus.afgesloten_at.is_(None), Casus.afgesloten_at >= since),
            )
        )
        matches: list[tuple[str | None, str]] = []
        for (other,) in rows.all():
            linked = bool(await self.roles_of(other.id, requester.professional_id))
            matches.append((other.code if linked else None, other.status))
        return matches

    async def anonymise_closed(self, closed_before: dt.datetime) -> int:
        """Retention (DESIGN §3.8): strip identifying data of cases closed before a date."""
        cases = (
            await self._session.scalars(
                select(Casus).where(
                    Casus.afgesloten_at.is_not(None),
                    Casus.afgesloten_at < closed_before,
                    Casus.geanonimiseerd_at.is_(None),
                )
            )
        ).all()
        anonymised = 0
        for casus in cases:
            claimed = await self._session.execute(
                update(Casus)
                .where(Casus.id == casus.id, Casus.geanonimiseerd_at.is_(None))
                .values(geanonimiseerd_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                continue  # another worker did this one
            anonymised += 1
            await self._session.execute(
                update(Betrokkene)
                .where(Betrokkene.casus_id == casus.id)
                .values(doel="(verwijderd na bewaartermijn)")
            )
            await self._session.execute(
                delete(Bericht).where(Bericht.casus_id == casus.id, Bericht.verzonden_at.is_(None))
            )
            await self._session.execute(
                delete(Persoonsgegevens).where(Persoonsgegevens.casus_id == casus.id)
            )
            await self._session.execute(
                update(Aanmelding)
                .where(Aanmelding.casus_id == casus.id)
                .values(reden="", reden_niet_geinformeerd=None, criteria={})
            )
            await self._session.execute(
                update(Besluit)
                .where(Besluit.casus_id == casus.id)
                .values(toelichting=None, details={})
            )
            await self._session.execute(
                update(Startgesprek)
                .where(Startgesprek.casus_id == casus.id)
                .values(visie_bewoner=None, locatie=None, deelnemers=None)
            )
            self._audit.record("retentie.anonimiseren", "D", casus=casus, details="bewaartermijn")
        await self._session.flush()
        return anonymised

    async def use_once(self, key: str, result: str | None = None) -> bool:
        """Record a single-use key; False when it was used before (also concurrently)."""
        statement = (
            self._insert(EenmaligeSleutel)
            .values(sleutel=key, resultaat=result, gebruikt_at=utcnow())
            .on_conflict_do_nothing(index_elements=[EenmaligeSleutel.sleutel])
        )
        outcome = await self._session.execute(statement)
        return bool(outcome.rowcount)  # type: ignore[attr-defined]

    async def was_used(self, key: str) -> bool:
        return bool(
            await self._session.scalar(select(exists().where(EenmaligeSleutel.sleutel == key)))
        )

    async def result_of(self, key: str) -> str | None:
        return await self._session.scalar(
            select(EenmaligeSleutel.resultaat).where(EenmaligeSleutel.sleutel == key)
        )

    def _insert(self, model: Any) -> Any:
        return dialect_insert(self._session)(model)

    async def _aanmelding_row(self, casus_id: int) -> Aanmelding:
        aanmelding = await self._session.scalar(
            select(Aanmelding).where(Aanmelding.casus_id == casus_id)
        )
        if aanmelding is None:
            raise NotFound("aanmelding")
        return aanmelding


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
    ) -> None:
        """Insert or update in one statement: Teams sends installationUpdate and
        conversationUpdate at the same moment, and both turns store the reference."""
        fingerprint = (professional_id, json.dumps(reference, sort_keys=True))
        if self._known.get(conversation_id) == fingerprint:
            return  # stored before by this process: the common case, no query at all
        current = await self.get(conversation_id)
        if (
            current is not None
            and current.professional_id == professional_id
            and current.reference == reference
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


def dialect_insert(session: AsyncSession) -> Any:
    """INSERT with ON CONFLICT for the engine in use (SQLite or PostgreSQL)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def summary_of(aanmelding: Aanmelding) -> tuple[int, int]:
    met = sum(1 for value in aanmelding.criteria.values() if value.get("voldaan"))
    return met, len(aanmelding.leefgebieden)


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


def _details(details: str | None, requester: Requester | None) -> str | None:
    if requester is not None and requester.delivered_privately:
        details = f"{details}; getoond in privéchat" if details else "getoond in privéchat"
    return details[:500] if details else None


def _main_role(roles: set[str]) -> str | None:
    for role in ROLLEN_MET_IDENTITEIT:
        if role in roles:
            return role
    return None


def _identifiers(persoon: Persoonsgegevens) -> list[str]:
    born = persoon.geboortedatum
    months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ]
    dates = [
        born.isoformat(),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d/%m/%Y"),
        f"{born.day}-{born.month}-{born.year}",
        f"{born.day} {months[born.month - 1]} {born.year}",
    ]
    return [persoon.naam, *(v for v in (persoon.adres, persoon.postcode) if v), *dates]
