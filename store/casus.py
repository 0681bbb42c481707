"""The casus aggregate and its access gate (DESIGN §3.6).

Every read and write of a casus goes through `CasusRepository.open(ref, requester, need)`: it
finds the casus, works out the requester's roles once, checks them against `NEEDS`, logs the
access, and returns a `CasusAccess` whose methods each name the need they serve. Dialogs get
views (store/views.py), never ORM rows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store import herkenning, region
from store.access import (
    GEMEENTE_EXPERT,
    NEEDS,
    RUNNING,
    VOORZITTER,
    AccessDenied,
    AlreadyDone,
    CasusState,
    Conflict,
    Need,
    NotAllowed,
    NotFound,
    PersonalSpaceRequired,
    Requester,
    StateRefused,
    casus_state,
    state_allows,
)
from store.afsluiting import AfsluitingMethods
from store.afsluiting import retention_statements as afsluiting_retention_statements
from store.audit import AuditLog
from store.lifecycle import hold_state, link_ended_with_casus
from store.models import (
    Aanmelding,
    Actie,
    Afspraak,
    Agendapunt,
    Bericht,
    Besluit,
    Betrokkene,
    Casus,
    CasusVolgnummer,
    Concept,
    Correctie,
    DocumentGrant,
    Doel,
    EenmaligeSleutel,
    Gemeente,
    Herkenning,
    Leefgebied,
    Organisatie,
    Overleg,
    Persoonsgegevens,
    PgaExpert,
    Professional,
    Signaal,
    Startgesprek,
    VerslagDocument,
    utcnow,
)
from store.privacy import identifiers_of, name_key, redact
from store.sql import dialect_insert
from store.tijdlijn import gebeurtenissen
from store.views import (
    AanmeldingItem,
    AanmeldingView,
    AfspraakView,
    AgendapuntView,
    BesluitRegel,
    BesluitView,
    BesprekingView,
    BetrokkeneView,
    BriefhoofdView,
    CasusView,
    Checklist,
    Eigenaar,
    GedeeldBesluit,
    GedeeldDoel,
    GedeeldeActie,
    GedeeldeAfspraak,
    IdentiteitView,
    OverlegView,
    SharedCasusView,
    SignaalKeuze,
    StartgesprekView,
    TijdlijnView,
    Vastgelegd,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CLOSED_STATUSES = ("afgewezen", "doorverwezen", "al_besproken", "afgesloten")
ROLE_ORDER = (
    "pga_expert",
    "casusregisseur",
    "betrokken",
    "adviserend",
    GEMEENTE_EXPERT,
    VOORZITTER,
)
# Who can own an afspraak: those who work on the casus (an adviser does not).
EIGENAAR_ROLLEN = ("pga_expert", "casusregisseur", "betrokken")
REMOVED = "(verwijderd na bewaartermijn)"
# Who reports signals: the link roles that work on the casus (not an adviser).
SIGNAAL_ROLLEN = sorted(NEEDS[Need.SIGNAAL].roles - {GEMEENTE_EXPERT})


class CasusClosed(Exception):
    """The casus is closed: it takes no new signal."""


class CasusRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    # --- the gate ----------------------------------------------------------------------

    async def open(self, ref: int | str, requester: Requester, need: Need) -> CasusAccess:
        """The casus `ref` (id or code) for `requester`, if their roles allow `need`.

        An unknown casus and one without a role get the same refusal, so codes that exist
        are not revealed.
        """
        casus = await self._find(ref, requester)
        if casus is None:
            raise self._unknown(requester, need)
        access = CasusAccess(
            self._session, self._audit, casus, requester, await self._roles(casus, requester)
        )
        ended = not access.roles and access.state not in RUNNING
        if ended and await link_ended_with_casus(self._session, casus, requester.professional_id):
            raise access.refuse_state(need, former_link=True)
        access.require(need)
        return access

    async def open_in_overleg(
        self, casus_id: int, requester: Requester, need: Need, overleg_id: int
    ) -> CasusAccess:
        """The casus `casus_id`, on the agenda of overleg `overleg_id`, for `need`.

        Besides the roles on the casus itself, the chair of that overleg holds `voorzitter`
        for it while the overleg runs: derived here from the store, like every role, so a
        card can never claim it. What the role allows is in `NEEDS`.
        """
        casus = await self._session.get(Casus, casus_id)
        if casus is None:
            raise self._unknown(requester, need)
        roles = await self._roles(casus, requester) | await chair_on(
            self._session, casus, overleg_id, requester.professional_id
        )
        access = CasusAccess(self._session, self._audit, casus, requester, roles)
        access.require(need)
        return access

    async def shared_on_agenda(self, casus_id: int, requester: Requester) -> SharedCasusView:
        """The shared-safe view (code and counts, never identity) of a casus on the agenda of
        an overleg the requester holds a role on (store/overleg.py checks that): what a post
        to the overleg's channel is filed under and checked against."""
        casus = await self._session.get(Casus, casus_id)
        if casus is None:
            raise self._unknown(requester, Need.OVERZICHT)
        return await CasusAccess(
            self._session, self._audit, casus, requester, frozenset()
        )._shared_view()

    def _unknown(self, requester: Requester, need: Need) -> AccessDenied:
        """The same refusal as for a casus without a role, so codes are not revealed."""
        self._audit.record(str(need), "R", requester, outcome="denied", details="onbekende casus")
        return AccessDenied(str(need))

    async def former_link(self, casus_id: int, requester: Requester) -> tuple[str, str] | None:
        """(code, status) of a casus the requester was linked to once, for an old card they
        may no longer see (#26); None otherwise, also for a casus that does not exist."""
        row = (
            await self._session.execute(
                select(Casus.code, Casus.status)
                .join(Betrokkene, Betrokkene.casus_id == Casus.id)
                .where(
                    Casus.id == casus_id,
                    Betrokkene.professional_id == requester.professional_id,
                    Betrokkene.tot.is_not(None),
                )
                .limit(1)
            )
        ).first()
        return None if row is None else (row.code, row.status)

    async def _find(self, ref: int | str, requester: Requester) -> Casus | None:
        if isinstance(ref, int):
            return await self._session.get(Casus, ref)
        # A code is unique in the installation (#26, index uq_casus_code).
        return await self._session.scalar(select(Casus).where(Casus.code == ref.strip().upper()))

    async def _roles(self, casus: Casus, requester: Requester) -> frozenset[str]:
        return await roles_on(self._session, casus, requester.professional_id)

    # --- referrals -----------------------------------------------------------------------

    async def create(
        self,
        *,
        gemeente_id: int,
        doelgroep: str,
        urgentie: str,
        persoon: dict[str, Any],
        aanmelding: dict[str, Any],
        aanmelder: Requester,
        link: Checklist,
        unique_resident: bool = False,
    ) -> CasusView:
        """A new casus from a referral; any registered professional may refer. With
        `unique_resident` it holds the running-casus key of its gemeente and resident, so a
        second one at the same moment fails with ConcurrentInsert (its retry then finds this
        one with `exists_for`); off when the aanmelder confirmed it is the same resident."""
        now = utcnow()
        casus = Casus(
            # The year as the Dutch count it: a referral at 00:30 on 1 January is the new year.
            code=await self._next_code(gemeente_id, now.astimezone(AMSTERDAM).year),
            gemeente_id=gemeente_id,
            status="aangemeld",
            doelgroep=doelgroep,
            urgentie=urgentie,
            created_at=now,
            lopend_sleutel=herkenning.running_key(
                gemeente_id, persoon["naam"], persoon["geboortedatum"]
            )
            if unique_resident
            else None,
        )
        self._session.add(casus)
        await self._session.flush()
        persoonsgegevens = Persoonsgegevens(
            casus_id=casus.id,
            naam=persoon["naam"],
            naam_sleutel=name_key(persoon["naam"]),
            geboortedatum=persoon["geboortedatum"],
            woonplaats=persoon["woonplaats"],
        )
        self._session.add(persoonsgegevens)
        await herkenning.index(self._session, casus.id, persoonsgegevens)
        self._session.add(
            Aanmelding(casus_id=casus.id, aanmelder_id=aanmelder.professional_id, **aanmelding)
        )
        await _link(
            self._session,
            self._audit,
            casus,
            aanmelder.professional_id,
            "betrokken",
            link,
            by=aanmelder,
        )
        self._audit.record("aanmelding.indienen", "C", aanmelder, casus=casus, role="betrokken")
        await self._session.refresh(casus)
        return _view(casus, frozenset({"betrokken"}))

    async def exists_for(self, gemeente_id: int, naam: str, geboortedatum: dt.date) -> bool:
        """An active or recent casus in the municipality for this name and birth date.

        Only yes or no: a referrer must not learn which casus, or whether one they are not
        part of exists beyond that (DESIGN §3.2)."""
        since = utcnow() - dt.timedelta(days=365)
        found = await self._session.scalar(
            select(Casus.id)
            .join(Persoonsgegevens, Persoonsgegevens.casus_id == Casus.id)
            .where(
                Casus.gemeente_id == gemeente_id,
                Persoonsgegevens.naam_sleutel == name_key(naam),
                Persoonsgegevens.geboortedatum == geboortedatum,
                (Casus.afgesloten_at.is_(None)) | (Casus.afgesloten_at >= since),
            )
            .limit(1)
        )
        return found is not None

    async def open_aanmeldingen(self, requester: Requester) -> list[AanmeldingItem]:
        """Referrals waiting for triage in the municipalities where the requester is
        PGA-expert (codes and counts only)."""
        gemeenten = select(PgaExpert.gemeente_id).where(
            PgaExpert.professional_id == requester.professional_id
        )
        rows = await self._session.execute(
            select(Casus, Aanmelding)
            .join(Aanmelding, Aanmelding.casus_id == Casus.id)
            .where(Casus.status == "aangemeld", Casus.gemeente_id.in_(gemeenten))
            .order_by(Aanmelding.ingediend_at)
        )
        return [
            AanmeldingItem(
                casus_id=casus.id,
                code=casus.code,
                doelgroep=casus.doelgroep,
                urgentie=casus.urgentie,
                criteria_met=_criteria_met(aanmelding.criteria),
                ingediend_at=aanmelding.ingediend_at,
                voor_advies=aanmelding.voor_advies,
            )
            for casus, aanmelding in rows.all()
        ]

    async def _next_code(self, gemeente_id: int, year: int) -> str:
        await self._session.execute(
            dialect_insert(self._session)(CasusVolgnummer)
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
        return f"{await region.code_prefix(self._session, gemeente_id)}{year}-{number:03d}"

    # --- shared output -------------------------------------------------------------------

    async def identifiers(self, casus_id: int) -> list[str]:
        """What must never reach a shared space for this casus (used by the outbox check)."""
        persoon = await self._session.get(Persoonsgegevens, casus_id)
        if persoon is None:
            return []
        # A corrected name or birth date still identifies the resident (#13).
        return [*identifiers_of(persoon), *await corrected_identifiers(self._session, persoon)]

    async def identifiers_by_casus(self, casus_ids: Sequence[int]) -> dict[int, list[str]]:
        """`identifiers` of several casussen in one query; a casus without any is left out."""
        rows = await self._session.scalars(
            select(Persoonsgegevens).where(Persoonsgegevens.casus_id.in_(list(casus_ids)))
        )
        return {persoon.casus_id: identifiers_of(persoon) for persoon in rows.all()}

    # --- signalen and channel messages (issue #10) ----------------------------------------

    async def signaal_keuzes(self, requester: Requester) -> list[SignaalKeuze]:
        """The open casussen the requester may report a signal about: their own active
        links in a role that works on the casus (codes only)."""
        rows = await self._session.execute(
            select(Casus.id, Casus.code)
            .join(Betrokkene, Betrokkene.casus_id == Casus.id)
            .join(Professional, Professional.id == Betrokkene.professional_id)
            .where(
                Betrokkene.professional_id == requester.professional_id,
                Betrokkene.tot.is_(None),
                Betrokkene.rol.in_(SIGNAAL_ROLLEN),
                Professional.actief,
                Casus.status.not_in(CLOSED_STATUSES),
            )
            .distinct()
            .order_by(Casus.code, Casus.id)
        )
        return [SignaalKeuze(*row) for row in rows.all()]

    async def names_a_resident(self, requester: Requester, text: str) -> bool:
        """Whether `text` holds an identifier of a resident of any casus of the requester's
        tenant. Only yes or no: never which casus."""
        return await herkenning.names_a_resident(self._session, requester.tenant_id, text)

    async def screen_channel_message(self, requester: Requester, text: str) -> bool:
        """`names_a_resident` for a message typed in a shared conversation; a hit is audited
        with who and where, never the text or the casus (that would say whom it named).

        A channel of a gemeente's team is checked against the inwoners of that gemeente (or
        gemeenten) only (#26); a conversation of no gemeente's team against the tenant's."""
        gemeenten = await region.team_gemeenten(self._session, requester.conversation_id)
        if gemeenten:
            found = await herkenning.names_an_inwoner_of(self._session, gemeenten, text)
        else:
            found = await self.names_a_resident(requester, text)
        if found:
            self._audit.record("kanaalbericht.herkend", "E", requester, outcome="geweigerd")
        return found

    # --- single-use keys -----------------------------------------------------------------

    async def use_once(self, key: str, result: str | None = None) -> bool:
        """Record a single-use key; False when it was used before (also concurrently)."""
        statement = (
            dialect_insert(self._session)(EenmaligeSleutel)
            .values(sleutel=key, resultaat=result, gebruikt_at=utcnow())
            .on_conflict_do_nothing(index_elements=[EenmaligeSleutel.sleutel])
        )
        outcome = await self._session.execute(statement)
        return bool(outcome.rowcount)  # type: ignore[attr-defined]

    async def settle_once(self, key: str, result: str) -> None:
        """What the first use of a key produced (claimed before the work, see dialogs/once)."""
        await self._session.execute(
            update(EenmaligeSleutel).where(EenmaligeSleutel.sleutel == key).values(resultaat=result)
        )

    async def was_used(self, key: str) -> bool:
        return bool(
            await self._session.scalar(
                select(EenmaligeSleutel.sleutel).where(EenmaligeSleutel.sleutel == key)
            )
        )

    async def result_of(self, key: str) -> str | None:
        return await self._session.scalar(
            select(EenmaligeSleutel.resultaat).where(EenmaligeSleutel.sleutel == key)
        )

    # --- retention -----------------------------------------------------------------------

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
            if await self._anonymise(casus):
                anonymised += 1
        await self._session.flush()
        return anonymised

    async def _anonymise(self, casus: Casus) -> bool:
        claimed = await self._session.execute(
            update(Casus)
            .where(Casus.id == casus.id, Casus.geanonimiseerd_at.is_(None))
            .values(geanonimiseerd_at=utcnow(), lopend_sleutel=None)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return False  # another worker did this one
        identifiers = await self.identifiers(casus.id)
        await self._drop_drafts_naming(identifiers)
        for statement in _retention_statements(casus.id):
            await self._session.execute(statement)
        self._audit.record("retentie.anonimiseren", "D", casus=casus, details="bewaartermijn")
        return True

    async def _drop_drafts_naming(self, identifiers: list[str]) -> None:
        """Another professional's draft about the same resident goes with the casus."""
        if not identifiers:
            return
        for concept in (await self._session.scalars(select(Concept))).all():
            text = " ".join(str(value) for value in concept.data.values())
            if redact(text, identifiers) != text:
                await self._session.delete(concept)


async def corrected_identifiers(session: AsyncSession, persoon: Persoonsgegevens) -> list[str]:
    """The identifiers a name or birth date had before a correction."""
    rows = (
        await session.execute(
            select(Correctie.veld, Correctie.oud).where(
                Correctie.casus_id == persoon.casus_id,
                Correctie.veld.in_(("naam", "geboortedatum")),
            )
        )
    ).all()
    found: list[str] = []
    for veld, oud in rows:
        if not oud:
            continue
        earlier = _Known(
            naam=oud if veld == "naam" else persoon.naam,
            geboortedatum=dt.date.fromisoformat(oud)
            if veld == "geboortedatum"
            else persoon.geboortedatum,
        )
        found += identifiers_of(earlier)
    return found


@dataclass
class _Known:
    naam: str
    geboortedatum: dt.date
    adres: str | None = None
    postcode: str | None = None


def _retention_statements(casus_id: int) -> list[Any]:
    from store.plan import retention_statements as plan_statements  # store.plan imports this

    return [
        *plan_statements(casus_id, REMOVED),
        update(Betrokkene)
        .where(Betrokkene.casus_id == casus_id)
        .values(
            doel="(verwijderd na bewaartermijn)",
            noodzaak=None,
            reden_niet_geinformeerd=None,
            tot_reden=None,
        ),
        delete(Bericht).where(Bericht.casus_id == casus_id, Bericht.verzonden_at.is_(None)),
        delete(Persoonsgegevens).where(Persoonsgegevens.casus_id == casus_id),
        update(Aanmelding)
        .where(Aanmelding.casus_id == casus_id)
        .values(reden="", reden_niet_geinformeerd=None, criteria={}),
        update(Besluit).where(Besluit.casus_id == casus_id).values(toelichting=None, details={}),
        update(Startgesprek)
        .where(Startgesprek.casus_id == casus_id)
        .values(visie_bewoner=None, locatie=None, deelnemers=None, correcties=[]),
        # The casusoverleg: besluiten's shared text too (redaction catches known identifiers
        # only), afspraken, and the place of an overleg about this casus alone.
        update(Besluit).where(Besluit.casus_id == casus_id).values(toelichting_gedeeld=None),
        update(Afspraak)
        .where(Afspraak.casus_id == casus_id)
        .values(beschrijving=REMOVED, beschrijving_gedeeld=REMOVED),
        # The stored minutes of every overleg that discussed the casus (#12): the full ones
        # hold its identity, the anonymised ones its free text. `verslag` makes them again
        # from what remains. Their download grants go first.
        delete(DocumentGrant).where(
            DocumentGrant.verslag_document_id.in_(
                select(VerslagDocument.id).where(
                    VerslagDocument.overleg_id.in_(_overleggen_of(casus_id))
                )
            )
        ),
        delete(VerslagDocument).where(VerslagDocument.overleg_id.in_(_overleggen_of(casus_id))),
        update(Overleg)
        .where(
            Overleg.soort == "incidenteel",
            Overleg.id.in_(select(Agendapunt.overleg_id).where(Agendapunt.casus_id == casus_id)),
        )
        .values(plaats=REMOVED)
        .execution_options(synchronize_session=False),
        # Which of the gemeente's own criteria held (#9): casus data like the others.
        update(Aanmelding).where(Aanmelding.casus_id == casus_id).values(eigen_criteria=None),
        # Afsluiting (#13): its free text and the corrections' history.
        *afsluiting_retention_statements(casus_id),
        # Signalen keep that one was reported, when and by whom; not what it said.
        update(Signaal)
        .where(Signaal.casus_id == casus_id)
        .values(tekst=REMOVED, tekst_gedeeld=None),
        delete(Herkenning).where(Herkenning.casus_id == casus_id),
    ]


def _overleggen_of(casus_id: int) -> Any:
    return select(Agendapunt.overleg_id).where(Agendapunt.casus_id == casus_id)


class CasusAccess(AfsluitingMethods):
    """One casus, opened for one requester with the roles they hold on it.

    Each method names the need it serves and is checked against the same roles; nothing
    is cached beyond this unit of work.
    """

    def __init__(
        self,
        session: AsyncSession,
        audit: AuditLog,
        casus: Casus,
        requester: Requester,
        roles: frozenset[str],
    ) -> None:
        self._session = session
        self._audit = audit
        self._casus = casus
        self.requester = requester
        self.roles = roles

    @property
    def view(self) -> CasusView:
        return _view(self._casus, self.roles)

    @property
    def id(self) -> int:
        return self._casus.id

    @property
    def code(self) -> str:
        return self._casus.code

    @property
    def state(self) -> CasusState:
        return casus_state(self._casus.status, self._casus.geanonimiseerd_at is not None)

    def allows(self, need: Need) -> bool:
        rule = NEEDS[need]
        return (
            bool(self.roles & rule.roles)
            and (self.requester.in_personal_space or not rule.personal)
            and state_allows(self.state, need)
        )

    def require(self, need: Need) -> None:
        """Refuse, and log the refusal, unless the roles allow `need` here and the casus's
        state allows it (`STATE_NEEDS`). What is handed out is logged by the method that
        hands it out."""
        rule = NEEDS[need]
        if not self.roles & rule.roles:
            # Someone who works on the casus may hear what is needed; others learn nothing.
            if self.roles:
                raise self._refuse(need, "andere rol", NotAllowed)
            raise self._refuse(need, "geen koppeling", AccessDenied)
        if rule.personal and not self.requester.in_personal_space:
            raise self._refuse(need, "geen privéruimte", PersonalSpaceRequired)
        if not state_allows(self.state, need):
            raise self.refuse_state(need)

    async def _moved_on(self, need: Need) -> Exception:
        """The casus changed state since it was opened (a close, or a triage pressed twice at
        once): the gate answers for the state it is in now, so the second press hears that it
        was decided, not that someone else changed it."""
        await self._session.refresh(self._casus, ["status", "geanonimiseerd_at"])
        if not state_allows(self.state, need):
            return self.refuse_state(need)
        return Conflict(self.code)

    def refuse_state(self, need: Need, *, former_link: bool = False) -> StateRefused:
        reason = "koppeling beëindigd" if former_link else "toestand"
        self._refuse(need, f"{reason}: casus {self.state}", AccessDenied)
        return StateRefused(need, self.state, self.code, former_link)

    def _refuse(self, need: Need, reason: str, error: type[Exception]) -> Exception:
        self._audit.record(
            str(need),
            NEEDS[need].action,
            self.requester,
            outcome="denied",
            casus=self._casus,
            details=reason,
        )
        return error(str(need))

    def _log(
        self, event: str, action: str, purpose: str | None = None, details: str | None = None
    ) -> None:
        self._audit.record(
            event,
            action,
            self.requester,
            casus=self._casus,
            role=self.main_role,
            purpose=purpose,
            details=details,
        )

    @property
    def main_role(self) -> str | None:
        return next((role for role in ROLE_ORDER if role in self.roles), None)

    # --- reads ---------------------------------------------------------------------------

    async def shared(self) -> SharedCasusView:
        self.require(Need.OVERZICHT)
        return await self._shared_view()

    async def _shared_view(self) -> SharedCasusView:
        aanmelding = await self._aanmelding_row()
        identifiers = await CasusRepository(self._session, self._audit).identifiers(self.id)
        return SharedCasusView(
            id=self.id,
            code=self.code,
            status=self._casus.status,
            doelgroep=self._casus.doelgroep,
            criteria_met=_criteria_met(aanmelding.criteria) if aanmelding else 0,
            leefgebieden=len(aanmelding.leefgebieden) if aanmelding else 0,
            redact=lambda text: redact(text, identifiers),
        )

    async def eigen_criteria(self) -> list[str]:
        """Labels of the gemeente's own criteria the aanmelding recorded (#9). Shown beside
        the identity in the casus view, whose view of identity is already logged."""
        self.require(Need.IDENTITEIT)
        row = await self._aanmelding_row()
        return [str(item.get("label", "?")) for item in (row.eigen_criteria or [])] if row else []

    async def identiteit(self, purpose: str) -> IdentiteitView:
        self.require(Need.IDENTITEIT)
        persoon = await self._persoon()
        self._log(str(Need.IDENTITEIT), "R", purpose=purpose)
        return IdentiteitView(
            naam=persoon.naam,
            geboortedatum=persoon.geboortedatum,
            woonplaats=persoon.woonplaats,
            adres=persoon.adres,
            postcode=persoon.postcode,
        )

    async def aanmelding(self) -> AanmeldingView:
        """The referral including its free text, which may name the resident."""
        self.require(Need.DOSSIER)
        row = await self._aanmelding_row()
        if row is None:
            raise NotFound("aanmelding")
        self._log("aanmelding.bekijken", "R")
        return AanmeldingView(
            aanmelder_id=row.aanmelder_id,
            ingediend_at=row.ingediend_at,
            criteria=dict(row.criteria),
            leefgebieden=list(row.leefgebieden),
            partner_ids=list(row.partner_ids),
            reden=row.reden,
            bewoner_geinformeerd=row.bewoner_geinformeerd,
            reden_niet_geinformeerd=row.reden_niet_geinformeerd,
            voor_advies=row.voor_advies,
            eigen_criteria=list(row.eigen_criteria or []),
        )

    async def aanmelder_id(self) -> int | None:
        """Who referred (no free text): enough to tell them the outcome."""
        self.require(Need.OVERZICHT)
        row = await self._aanmelding_row()
        return row.aanmelder_id if row else None

    async def besluiten(self) -> list[BesluitView]:
        self.require(Need.DOSSIER)
        rows = await self._session.scalars(
            select(Besluit).where(Besluit.casus_id == self.id).order_by(Besluit.id)
        )
        return [
            BesluitView(
                id=b.id,
                soort=b.soort,
                uitkomst=b.uitkomst,
                toelichting=b.toelichting,
                details=dict(b.details or {}),
                genomen_door_id=b.genomen_door_id,
                genomen_at=b.genomen_at,
            )
            for b in rows.all()
        ]

    async def besluitenlijst(self) -> list[BesluitRegel]:
        """Every besluit on the casus, oldest first, naming the overleg it was taken in. The
        typed text where the dossier may be read here; otherwise only the redacted text of
        an overleg's besluit (none for triage or the startgesprek)."""
        self.require(Need.OVERZICHT)
        volledig = self.allows(Need.DOSSIER)
        rows = await self._session.execute(
            select(Besluit, Overleg.soort, Overleg.gepland_op)
            .outerjoin(Overleg, Overleg.id == Besluit.overleg_id)
            .where(Besluit.casus_id == self.id)
            .order_by(Besluit.genomen_at, Besluit.id)
        )
        if volledig:
            self._log("besluiten.bekijken", "R", purpose="besluitenlijst")
        return [
            BesluitRegel(
                genomen_at=b.genomen_at,
                soort=b.soort,
                uitkomst=b.uitkomst,
                tekst=b.toelichting if volledig else b.toelichting_gedeeld,
                overleg_id=b.overleg_id,
                overleg_soort=soort,
                overleg_op=op,
            )
            for b, soort, op in rows.all()
        ]

    async def betrokkenen(self) -> list[BetrokkeneView]:
        """Who works on the casus (professionals' names, not the resident's)."""
        self.require(Need.OVERZICHT)
        rows = await self._session.scalars(
            select(Betrokkene)
            .where(Betrokkene.casus_id == self.id, Betrokkene.tot.is_(None))
            .order_by(Betrokkene.id)
        )
        return [
            BetrokkeneView(
                professional_id=b.professional_id,
                professional_naam=b.professional.naam,
                organisatie_naam=b.professional.organisatie.naam
                if b.professional.organisatie
                else None,
                rol=b.rol,
                grondslag=b.grondslag,
                sinds=b.sinds,
                # The checklist is for who decides on links (it may hold typed text).
                checklist=_checklist(b) if self.allows(Need.KOPPELEN) else None,
            )
            for b in rows.all()
        ]

    async def startgesprek(self) -> StartgesprekView | None:
        self.require(Need.DOSSIER)
        gesprek = await self._session.get(Startgesprek, self.id)
        if gesprek is None:
            return None
        return StartgesprekView(
            gepland_op=gesprek.gepland_op,
            locatie=gesprek.locatie,
            deelnemers=gesprek.deelnemers,
            status=gesprek.status,
            visie_bewoner=gesprek.visie_bewoner,
            vastgelegd_at=gesprek.vastgelegd_at,
            correcties=list(gesprek.correcties or []),
        )

    async def possible_duplicates(self, recent_days: int = 365) -> list[tuple[str | None, str]]:
        """Other active or recent cases in the municipality with the same name and birth date.

        Returns (code, status) per match; the code is None where the requester has no role
        on it, so nobody learns which other casus it is without being part of it.
        """
        self.require(Need.TRIAGE)
        persoon = await self._persoon()
        since = utcnow() - dt.timedelta(days=recent_days)
        rows = await self._session.scalars(
            select(Casus)
            .join(Persoonsgegevens, Persoonsgegevens.casus_id == Casus.id)
            .where(
                Casus.id != self.id,
                Casus.gemeente_id == self._casus.gemeente_id,
                Persoonsgegevens.naam_sleutel == persoon.naam_sleutel,
                Persoonsgegevens.geboortedatum == persoon.geboortedatum,
                (Casus.afgesloten_at.is_(None)) | (Casus.afgesloten_at >= since),
            )
        )
        matches: list[tuple[str | None, str]] = []
        for other in rows.all():
            roles = await roles_on(self._session, other, self.requester.professional_id)
            matches.append((other.code if roles else None, other.status))
        return matches

    # --- writes --------------------------------------------------------------------------

    async def link(
        self, professional_id: int, rol: str, checklist: Checklist, need: Need = Need.KOPPELEN
    ) -> bool:
        """Link a professional with the sharing checklist (DESIGN §3.4). False when they
        already hold this role."""
        self.require(need)
        if not await hold_state(self._session, self._casus):
            raise await self._moved_on(need)
        linked = await _link(
            self._session,
            self._audit,
            self._casus,
            professional_id,
            rol,
            checklist,
            by=self.requester,
        )
        self.roles = await roles_on(self._session, self._casus, self.requester.professional_id)
        return linked

    async def unlink(self, professional_id: int, rol: str, reden: str) -> bool:
        """End a link: access ends from the next message on. False when there was none."""
        self.require(Need.ONTKOPPELEN)
        link = await self._session.scalar(
            select(Betrokkene).where(
                Betrokkene.casus_id == self.id,
                Betrokkene.professional_id == professional_id,
                Betrokkene.rol == rol,
                Betrokkene.tot.is_(None),
            )
        )
        if link is None:
            return False
        link.tot = utcnow()
        link.tot_reden = reden
        link.beeindigd_door_id = self.requester.professional_id
        await self._session.flush()
        self._log(
            "betrokkene.ontkoppelen", "U", details=f"professional={professional_id} rol={rol}"
        )
        self.roles = await roles_on(self._session, self._casus, self.requester.professional_id)
        return True

    async def earlier_checklist(self, professional_id: int, rol: str) -> Checklist | None:
        """The checklist of this professional's most recent link in this role (also an
        ended one), so linking again needs no retyping when nothing changed."""
        self.require(Need.KOPPELEN)
        link = await self._session.scalar(
            select(Betrokkene)
            .where(
                Betrokkene.casus_id == self.id,
                Betrokkene.professional_id == professional_id,
                Betrokkene.rol == rol,
            )
            .order_by(Betrokkene.id.desc())
            .limit(1)
        )
        return _checklist(link) if link else None

    async def record_besluit(
        self,
        need: Need,
        *,
        soort: str,
        uitkomst: str,
        toelichting: str | None,
        details: dict[str, Any] | None = None,
    ) -> BesluitView:
        self.require(need)
        besluit = Besluit(
            casus_id=self.id,
            soort=soort,
            uitkomst=uitkomst,
            toelichting=toelichting,
            details=details or {},
            genomen_door_id=self.requester.professional_id,
            genomen_at=utcnow(),
        )
        self._session.add(besluit)
        await self._session.flush()
        self._log(f"{soort}.besluit", "U", details=uitkomst)
        return BesluitView(
            id=besluit.id,
            soort=soort,
            uitkomst=uitkomst,
            toelichting=toelichting,
            details=dict(besluit.details),
            genomen_door_id=besluit.genomen_door_id,
            genomen_at=besluit.genomen_at,
        )

    async def decide_triage(self, status: str) -> None:
        """Move from 'aangemeld' to the triage outcome; a concurrent decision raises Conflict."""
        self.require(Need.TRIAGE)
        await self._set_status(status, expected="aangemeld")
        await self._session.execute(
            update(Aanmelding).where(Aanmelding.casus_id == self.id).values(status="afgehandeld")
        )

    async def _set_status(self, status: str, *, expected: str) -> None:
        result = await self._session.execute(
            update(Casus)
            .where(Casus.id == self.id, Casus.status == expected)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            now = await self._session.scalar(select(Casus.status).where(Casus.id == self.id))
            raise (AlreadyDone if now == status else Conflict)(self.code)
        self._casus.status = status
        if status in CLOSED_STATUSES:
            self._casus.afgesloten_at = utcnow()
            self._casus.lopend_sleutel = None  # an identifier digest: only while it runs
        await self._session.flush()

    async def letterhead(self) -> BriefhoofdView:
        """The municipality's letterhead and the letter's own reference (made once)."""
        self.require(Need.BRIEF)
        if self._casus.brief_kenmerk is None:
            year = self._casus.created_at.astimezone(AMSTERDAM).year
            self._casus.brief_kenmerk = f"BR-{year}-{secrets.token_hex(3).upper()}"
            await self._session.flush()
        row = (
            await self._session.execute(
                select(Gemeente.naam, Gemeente.adres, Gemeente.burgemeester, Gemeente.logo).where(
                    Gemeente.id == self._casus.gemeente_id
                )
            )
        ).one()
        return BriefhoofdView(*row)

    @property
    def brief_kenmerk(self) -> str | None:
        return self._casus.brief_kenmerk

    async def update_adres(self, *, adres: str, postcode: str, woonplaats: str) -> None:
        """The address, asked only for the letter to the resident (its stated purpose)."""
        self.require(Need.BRIEF)
        persoon = await self._persoon()
        persoon.adres, persoon.postcode, persoon.woonplaats = adres, postcode, woonplaats
        await herkenning.index(self._session, self.id, persoon)
        self._log("identiteit.adres", "U", purpose="brief")
        await self._session.flush()

    async def plan_startgesprek(
        self,
        need: Need,
        *,
        gepland_op: dt.datetime | None,
        locatie: str | None = None,
        deelnemers: str | None = None,
    ) -> None:
        """Plan (or move) the startgesprek; a recorded one stays as recorded."""
        self.require(need)
        gesprek = await self._gesprek_row()
        if gesprek.status != "gepland":
            return
        gesprek.gepland_op = gepland_op
        if locatie is not None:
            gesprek.locatie = locatie
        if deelnemers is not None:
            gesprek.deelnemers = deelnemers
        await self._session.flush()

    async def record_startgesprek(
        self,
        *,
        status: str,
        gehouden_op: dt.datetime,
        visie_bewoner: str | None,
        correctie_reden: str | None = None,
    ) -> bool:
        """Record how the startgesprek went. Once recorded it is final; a correction needs a
        reason and keeps the original beside it. Returns False when refused as a repeat."""
        self.require(Need.STARTGESPREK)
        gesprek = await self._gesprek_row()
        if gesprek.vastgelegd_at is not None:
            if not correctie_reden:
                return False
            gesprek.correcties = [
                *(gesprek.correcties or []),
                {
                    "status": gesprek.status,
                    "gepland_op": gesprek.gepland_op.isoformat() if gesprek.gepland_op else None,
                    "visie_bewoner": gesprek.visie_bewoner,
                    "vastgelegd_at": gesprek.vastgelegd_at.isoformat(),
                    "vastgelegd_door_id": gesprek.vastgelegd_door_id,
                    "reden": correctie_reden,
                    "gecorrigeerd_door_id": self.requester.professional_id,
                },
            ]
        gesprek.status = status
        gesprek.gepland_op = gehouden_op
        gesprek.visie_bewoner = visie_bewoner
        gesprek.vastgelegd_door_id = self.requester.professional_id
        gesprek.vastgelegd_at = utcnow()
        await self._session.flush()
        return True

    async def _gesprek_row(self) -> Startgesprek:
        gesprek = await self._session.get(Startgesprek, self.id)
        if gesprek is None:
            gesprek = Startgesprek(casus_id=self.id, status="gepland", correcties=[])
            self._session.add(gesprek)
        return gesprek

    async def _persoon(self) -> Persoonsgegevens:
        persoon = await self._session.get(Persoonsgegevens, self.id)
        if persoon is None:
            raise NotFound("persoonsgegevens")
        return persoon

    async def _aanmelding_row(self) -> Aanmelding | None:
        return await self._session.scalar(select(Aanmelding).where(Aanmelding.casus_id == self.id))

    # --- the casusoverleg ------------------------------------------------------------------

    async def bespreking(
        self,
        overleg: OverlegView,
        punt: AgendapuntView,
        positie: int,
        aantal: int,
        andere: Sequence[str] = (),
    ) -> BesprekingView:
        """What the discussion card of this casus in `overleg` shows: the shared-safe view,
        the last besluiten with their redacted text, the afspraken of this overleg, and who
        can own an afspraak. `andere`: identifiers of the other residents on the agenda."""
        self.require(Need.BESPREKEN)
        identifiers = await CasusRepository(self._session, self._audit).identifiers(self.id)
        in_overleg = Besluit.overleg_id == overleg.id
        besluiten = await self._session.scalars(
            select(Besluit).where(Besluit.casus_id == self.id, in_overleg).order_by(Besluit.id)
        )
        eerdere = await self._session.scalars(
            select(Besluit)
            .where(
                Besluit.casus_id == self.id,
                (Besluit.overleg_id.is_(None)) | (Besluit.overleg_id != overleg.id),
            )
            .order_by(Besluit.genomen_at.desc(), Besluit.id.desc())
            .limit(3)
        )
        afspraken = await self._session.execute(
            select(
                Afspraak.beschrijving_gedeeld,
                Professional.naam,
                Organisatie.naam,
                Afspraak.deadline,
            )
            .join(Agendapunt, Agendapunt.id == Afspraak.agendapunt_id)
            .join(Professional, Professional.id == Afspraak.eigenaar_id)
            .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
            .where(Afspraak.casus_id == self.id, Agendapunt.overleg_id == overleg.id)
            .order_by(Afspraak.id)
        )

        def redactor(text: str) -> str:
            return redact(text, [*identifiers, *andere])

        return BesprekingView(
            overleg=overleg,
            punt=punt,
            positie=positie,
            aantal=aantal,
            casus=await self._shared_view(),
            besluiten=[_gedeeld(b) for b in besluiten.all()],
            eerdere_besluiten=[_gedeeld(b) for b in reversed(eerdere.all())],
            afspraken=[GedeeldeAfspraak(*row) for row in afspraken.all()],
            eigenaren=await self._eigenaren(),
            redact=redactor,
            doelen=await self._gedeelde_doelen(redactor),
            open_acties=await self._gedeelde_acties(overleg.id, redactor),
        )

    async def _gedeelde_doelen(self, redactor: Callable[[str], str]) -> list[GedeeldDoel]:
        """The plan's goals for the discussion card: their text redacted."""
        rows = await self._session.execute(
            select(Leefgebied.naam, Doel.omschrijving, Doel.status)
            .outerjoin(Leefgebied, Leefgebied.id == Doel.leefgebied_id)
            .where(Doel.casus_id == self.id)
            .order_by(Doel.id)
        )
        return [GedeeldDoel(naam, redactor(tekst), status) for naam, tekst, status in rows.all()]

    async def _gedeelde_acties(
        self, overleg_id: int, redactor: Callable[[str], str]
    ) -> list[GedeeldeActie]:
        """The plan's open actions for the discussion card, oldest deadline first; those made
        from an afspraak of this overleg are already on the card as afspraken."""
        from store.plan import OPEN_STATUSES  # store.plan imports this module

        in_dit_overleg = (
            select(Afspraak.id)
            .join(Agendapunt, Agendapunt.id == Afspraak.agendapunt_id)
            .where(Agendapunt.overleg_id == overleg_id)
        )
        van_persoon = aliased(Organisatie)
        rows = await self._session.execute(
            select(Actie, Professional.naam, van_persoon.naam, Organisatie.naam)
            .outerjoin(Professional, Professional.id == Actie.eigenaar_professional_id)
            .outerjoin(van_persoon, van_persoon.id == Professional.organisatie_id)
            .outerjoin(Organisatie, Organisatie.id == Actie.eigenaar_organisatie_id)
            .where(
                Actie.casus_id == self.id,
                Actie.status.in_(OPEN_STATUSES),
                Actie.afspraak_id.is_(None) | Actie.afspraak_id.not_in(in_dit_overleg),
            )
            .order_by(Actie.deadline, Actie.id)
        )
        acties = []
        for actie, persoon, persoon_organisatie, organisatie in rows.all():
            if actie.eigenaar_soort == "professional" and persoon:
                naam, van = persoon, persoon_organisatie
            elif actie.eigenaar_soort == "organisatie" and organisatie:
                naam, van = organisatie, None
            else:
                naam, van = "De bewoner", None
            acties.append(
                GedeeldeActie(redactor(actie.beschrijving), naam, van, actie.deadline, actie.status)
            )
        return acties

    async def _eigenaren(self) -> list[Eigenaar]:
        rows = await self._session.execute(
            select(Professional.id, Professional.naam, Organisatie.naam)
            .join(Betrokkene, Betrokkene.professional_id == Professional.id)
            .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
            .where(
                Betrokkene.casus_id == self.id,
                Betrokkene.tot.is_(None),
                Betrokkene.rol.in_(EIGENAAR_ROLLEN),
                Professional.actief,
            )
            .distinct()
            .order_by(Professional.naam)
        )
        return [Eigenaar(*row) for row in rows.all()]

    async def record_overleg_besluit(
        self,
        *,
        overleg_id: int,
        agendapunt_id: int,
        uitkomst: str,
        toelichting: str,
        andere: Sequence[str] = (),
    ) -> Vastgelegd:
        """A besluit taken in an overleg. The typed text is kept in full for the linked and
        redacted for the channel and the anonymised minutes (DESIGN §3.3), also for the
        identifiers of the other residents on the agenda (`andere`)."""
        self.require(Need.BESPREKEN)
        gedeeld = await self._redacted(toelichting, andere) if toelichting else None
        besluit = Besluit(
            casus_id=self.id,
            soort="overleg",
            uitkomst=uitkomst,
            toelichting=toelichting or None,
            toelichting_gedeeld=gedeeld,
            details={},
            overleg_id=overleg_id,
            agendapunt_id=agendapunt_id,
            genomen_door_id=self.requester.professional_id,
            genomen_at=utcnow(),
        )
        self._session.add(besluit)
        await self._session.flush()
        # Codes only: typed text may name the resident, and the audit log is never cleaned.
        self._log("overleg.besluit", "C", details=f"overleg={overleg_id} uitkomst={uitkomst}")
        return Vastgelegd(besluit.id, geredigeerd=gedeeld != (toelichting or None))

    async def record_afspraak(
        self,
        *,
        agendapunt_id: int,
        beschrijving: str,
        eigenaar_id: int,
        deadline: dt.date,
        andere: Sequence[str] = (),
    ) -> Vastgelegd:
        """An afspraak owned by a professional who works on the casus; its text redacted
        like a besluit's."""
        self.require(Need.BESPREKEN)
        if eigenaar_id not in {e.professional_id for e in await self._eigenaren()}:
            raise NotFound("eigenaar")
        gedeeld = await self._redacted(beschrijving, andere)
        afspraak = Afspraak(
            casus_id=self.id,
            agendapunt_id=agendapunt_id,
            beschrijving=beschrijving,
            beschrijving_gedeeld=gedeeld,
            eigenaar_id=eigenaar_id,
            deadline=deadline,
            vastgelegd_door_id=self.requester.professional_id,
            vastgelegd_at=utcnow(),
        )
        self._session.add(afspraak)
        await self._session.flush()
        from store.plan import afspraak_to_actie  # store.plan imports this module

        await afspraak_to_actie(self._session, self._audit, afspraak)  # the plan tracks it (#11)
        self._log(
            "overleg.afspraak",
            "C",
            details=f"agendapunt={agendapunt_id} eigenaar={eigenaar_id} deadline={deadline}",
        )
        return Vastgelegd(afspraak.id, geredigeerd=gedeeld != beschrijving)

    async def afspraken(self) -> list[AfspraakView]:
        """The afspraken in full (they may name the resident)."""
        self.require(Need.DOSSIER)
        rows = await self._session.execute(
            select(
                Afspraak.id,
                Afspraak.beschrijving,
                Professional.naam,
                Afspraak.deadline,
                Afspraak.vastgelegd_at,
            )
            .join(Professional, Professional.id == Afspraak.eigenaar_id)
            .where(Afspraak.casus_id == self.id)
            .order_by(Afspraak.id)
        )
        return [AfspraakView(*row) for row in rows.all()]

    async def _redacted(self, text: str, andere: Sequence[str]) -> str:
        identifiers = await CasusRepository(self._session, self._audit).identifiers(self.id)
        return redact(text, [*identifiers, *andere])

    # --- signalen and the timeline ---------------------------------------------------------

    async def record_signaal(self, tekst: str, *, delen: bool) -> Vastgelegd:
        """A signal between overleggen: kept as typed for the linked, and redacted for the
        channel line and the shared timeline. A closed casus takes none."""
        self.require(Need.SIGNAAL)
        if self._casus.status in CLOSED_STATUSES:
            raise CasusClosed(self.code)
        gedeeld = await self._redacted(tekst, ())
        signaal = Signaal(
            casus_id=self.id,
            auteur_id=self.requester.professional_id,
            tekst=tekst,
            tekst_gedeeld=gedeeld,
            gedeeld=delen,
            gemeld_at=utcnow(),
        )
        self._session.add(signaal)
        await self._session.flush()
        # Never the text: it may name the resident, and the audit log is never cleaned.
        self._log("signaal.melden", "C", details=f"signaal={signaal.id} gedeeld={delen}")
        return Vastgelegd(signaal.id, geredigeerd=gedeeld != tekst)

    async def tijdlijn(self) -> TijdlijnView:
        """The timeline: in full with identity for whoever may see the dossier (in private),
        shared-safe for everyone else with a role and in a channel."""
        self.require(Need.TIJDLIJN)
        volledig = self.allows(Need.DOSSIER)
        identifiers = await CasusRepository(self._session, self._audit).identifiers(self.id)
        bewoner = await self.identiteit("tijdlijn") if volledig else None
        found = await gebeurtenissen(
            self._session,
            self.id,
            volledig=volledig,
            redact=lambda text: redact(text, identifiers),
        )
        self._log(str(Need.TIJDLIJN), "R", details="volledig" if volledig else "gedeeld")
        return TijdlijnView(self.id, self.code, volledig, found, bewoner)


async def roles_on(session: AsyncSession, casus: Casus, professional_id: int) -> frozenset[str]:
    """The roles a professional holds on a casus now: active links, and PGA-expert of its
    municipality; none once switched off. One query."""
    linked = (
        select(Betrokkene.rol)
        .join(Professional, Professional.id == Betrokkene.professional_id)
        .where(
            Betrokkene.casus_id == casus.id,
            Betrokkene.professional_id == professional_id,
            Betrokkene.tot.is_(None),
            Professional.actief,
        )
    )
    expert = (
        select(literal(GEMEENTE_EXPERT, String()))
        .select_from(PgaExpert)
        .join(Professional, Professional.id == PgaExpert.professional_id)
        .where(
            PgaExpert.professional_id == professional_id,
            PgaExpert.gemeente_id == casus.gemeente_id,
            Professional.actief,
        )
    )
    rows = await session.scalars(linked.union_all(expert))
    return frozenset(rows.all())


async def chair_on(
    session: AsyncSession, casus: Casus, overleg_id: int, professional_id: int
) -> frozenset[str]:
    """`voorzitter` when the professional (active) chairs overleg `overleg_id`, which is
    running, is of the casus's gemeente and has the casus on its agenda."""
    found = await session.scalar(
        select(Overleg.id)
        .join(Agendapunt, Agendapunt.overleg_id == Overleg.id)
        .join(Professional, Professional.id == Overleg.voorzitter_id)
        .where(
            Overleg.id == overleg_id,
            Overleg.voorzitter_id == professional_id,
            Overleg.status == "lopend",
            Overleg.gemeente_id == casus.gemeente_id,
            Agendapunt.casus_id == casus.id,
            Professional.actief,
        )
    )
    return frozenset({VOORZITTER}) if found else frozenset()


async def _link(
    session: AsyncSession,
    audit: AuditLog,
    casus: Casus,
    professional_id: int,
    rol: str,
    checklist: Checklist,
    *,
    by: Requester,
) -> bool:
    existing = await session.scalar(
        select(Betrokkene.id).where(
            Betrokkene.casus_id == casus.id,
            Betrokkene.professional_id == professional_id,
            Betrokkene.rol == rol,
            Betrokkene.tot.is_(None),
        )
    )
    if existing:
        return False
    session.add(
        Betrokkene(
            casus_id=casus.id,
            professional_id=professional_id,
            rol=rol,
            doel=checklist.doel,
            grondslag=checklist.grondslag,
            uitzondering=checklist.uitzondering,
            beroepsgeheim=checklist.beroepsgeheim,
            noodzaak=checklist.noodzaak,
            bewoner_geinformeerd=checklist.bewoner_geinformeerd,
            reden_niet_geinformeerd=checklist.reden_niet_geinformeerd,
            toegevoegd_door_id=by.professional_id,
            sinds=utcnow(),
        )
    )
    await session.flush()
    audit.record(
        "betrokkene.koppelen",
        "C",
        by,
        casus=casus,
        # Codes, not the typed purpose: free text may name the resident, and the audit log
        # can never be cleaned.
        purpose=f"koppeling {rol}",
        details=(
            f"professional={professional_id} rol={rol} grondslag={checklist.grondslag} "
            f"uitzondering={checklist.uitzondering or '-'} "
            f"beroepsgeheim={checklist.beroepsgeheim or '-'} "
            f"geinformeerd={checklist.bewoner_geinformeerd}"
        ),
    )
    return True


def _gedeeld(besluit: Besluit) -> GedeeldBesluit:
    """A besluit for a shared space: its redacted text only (none for besluiten that have
    no shared text, such as triage)."""
    return GedeeldBesluit(
        besluit.genomen_at, besluit.soort, besluit.uitkomst, besluit.toelichting_gedeeld
    )


def _checklist(link: Betrokkene) -> Checklist:
    return Checklist(
        doel=link.doel,
        grondslag=link.grondslag,
        uitzondering=link.uitzondering,
        beroepsgeheim=link.beroepsgeheim,
        noodzaak=link.noodzaak,
        bewoner_geinformeerd=link.bewoner_geinformeerd,
        reden_niet_geinformeerd=link.reden_niet_geinformeerd,
    )


def _view(casus: Casus, roles: frozenset[str]) -> CasusView:
    gemeente: Gemeente = casus.gemeente
    return CasusView(
        id=casus.id,
        code=casus.code,
        status=casus.status,
        doelgroep=casus.doelgroep,
        urgentie=casus.urgentie,
        gemeente_id=casus.gemeente_id,
        gemeente_naam=gemeente.naam,
        kanaal_conversation_id=gemeente.kanaal_conversation_id,
        created_at=casus.created_at,
        roles=roles,
    )


def _criteria_met(criteria: dict[str, Any]) -> int:
    return sum(1 for value in criteria.values() if value.get("voldaan"))
