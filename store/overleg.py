"""The casusoverleg (DESIGN §2.2): planning, the agenda, leading it, and what it decides.

Every method takes the requesting professional and checks the `NEEDS` table: for the overleg
itself against the roles held on it (the PGA-expert of its gemeente, its chair), audited like
the casus gate; for a casus on it through `CasusRepository.open` / `open_in_overleg`. Dialogs
get views (store/views.py), never rows.

States of an overleg: gepland → gepubliceerd (the agenda is in the channel; republishing
posts an update) → lopend → afgerond. The agenda changes only before the overleg starts;
besluiten and afspraken are recorded only while it runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import (
    GEMEENTE_EXPERT,
    GENODIGDE,
    NEEDS,
    VOORZITTER,
    AccessDenied,
    Need,
    PersonalSpaceRequired,
    Requester,
)
from store.audit import AuditLog
from store.casus import CLOSED_STATUSES, CasusAccess, CasusRepository
from store.db import UnitOfWork
from store.models import (
    Aanwezige,
    Agendapunt,
    Besluit,
    Betrokkene,
    Casus,
    Gemeente,
    Organisatie,
    Overleg,
    PgaExpert,
    Professional,
    utcnow,
)
from store.plan import AMSTERDAM, plan_stand
from store.privacy import redact
from store.views import (
    AanTafel,
    Aanwezigheid,
    AgendapuntView,
    AgendaView,
    AgendaVoorstel,
    BesprekingView,
    Genodigde,
    OverlegView,
    PresentieView,
    PublicatieView,
    SharedCasusView,
    Vastgelegd,
)

Option = tuple[str, str]

# The values the store accepts, with the labels people read.
SOORTEN: list[Option] = [
    ("structureel", "Structureel: alle actieve casussen kort, vaste partners"),
    ("incidenteel", "Incidenteel: één casus diepgaand, met de betrokken partners"),
]
REDENEN: list[Option] = [
    ("nieuw", "Nieuw: eerste bespreking, het plan van aanpak vaststellen"),
    ("voortgang", "Voortgang"),
    ("knelpunt", "Knelpunt"),
    ("afsluiten", "Afsluiten"),
]
UITKOMSTEN: list[Option] = [
    ("plan_vastgesteld", "Plan vastgesteld"),
    ("plan_bijgesteld", "Plan bijgesteld"),
    ("interventie", "Interventie inzetten"),
    ("opschalen_zvh", "Opschalen naar het Zorg- en Veiligheidshuis"),
    ("afschalen", "Afschalen"),
    ("afsluiten", "Afsluiten"),
    ("overig", "Overig"),
]
STATUSSEN = {
    "gepland": "Gepland",
    "gepubliceerd": "Agenda gepubliceerd",
    "lopend": "Loopt nu",
    "afgerond": "Afgerond",
}
MINUTEN = (5, 10, 15, 20, 30, 45, 60)
# A casus not discussed for this long is suggested for the agenda.
NIET_BESPROKEN = dt.timedelta(weeks=6)
EDITABLE = ("gepland", "gepubliceerd")
# What the chair may record for a person on the attendance list.
PRESENTIES: list[Option] = [
    ("aanwezig", "Aanwezig"),
    ("luisteraar", "Luistert mee (reageert niet)"),
    ("afgemeld", "Afwezig met bericht"),
    ("afwezig", "Afwezig"),
]


class OverlegRefused(Exception):
    """The overleg (or the casus) is not in a state that allows this; nothing was changed.
    `reason` is a code the workflow turns into a Dutch message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def overleggen(uow: UnitOfWork) -> OverlegRepository:
    """The overleg repository of a unit of work."""
    return OverlegRepository(uow.session, uow.audit, uow.casussen)


class OverlegRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog, casussen: CasusRepository) -> None:
        self._session = session
        self._audit = audit
        self._casussen = casussen

    # --- the check ---------------------------------------------------------------------------

    async def _roles(
        self,
        gemeente_id: int,
        voorzitter_id: int | None,
        requester: Requester,
        overleg_id: int | None = None,
    ) -> frozenset[str]:
        """The roles the requester holds on an overleg of `gemeente_id` chaired by
        `voorzitter_id` (and, given its id, whether they are on its attendance list): none
        once switched off."""
        row = (
            await self._session.execute(
                select(Professional.actief, PgaExpert.gemeente_id)
                .outerjoin(
                    PgaExpert,
                    (PgaExpert.professional_id == Professional.id)
                    & (PgaExpert.gemeente_id == gemeente_id),
                )
                .where(Professional.id == requester.professional_id)
            )
        ).first()
        if row is None or not row.actief:
            return frozenset()
        roles = {GEMEENTE_EXPERT} if row.gemeente_id is not None else set()
        if voorzitter_id == requester.professional_id:
            roles.add(VOORZITTER)
        if overleg_id is not None and await self._attendee(overleg_id, requester.professional_id):
            roles.add(GENODIGDE)
        return frozenset(roles)

    async def _require(
        self,
        gemeente_id: int,
        voorzitter_id: int | None,
        requester: Requester,
        need: Need,
        where: str,
        casus: Casus | None = None,
        overleg_id: int | None = None,
    ) -> frozenset[str]:
        """Refuse (and log the refusal, with the casus it was about) unless the roles on the
        overleg allow `need` here."""
        rule = NEEDS[need]
        roles = await self._roles(gemeente_id, voorzitter_id, requester, overleg_id)
        error: Exception | None = None
        if not roles & rule.roles:
            refusal, error = "geen rol", AccessDenied(str(need))
        elif rule.personal and not requester.in_personal_space:
            refusal, error = "geen privéruimte", PersonalSpaceRequired(str(need))
        if error is not None:
            self._audit.record(
                str(need),
                rule.action,
                requester,
                outcome="denied",
                casus=casus,
                details=f"{where} {refusal}",
            )
            raise error
        return roles

    async def _open(
        self, overleg_id: int, requester: Requester, need: Need, casus: Casus | None = None
    ) -> Overleg:
        overleg = await self._session.get(Overleg, overleg_id)
        if overleg is None:
            # Like an unknown casus: the same refusal as one without a role.
            self._audit.record(
                str(need),
                NEEDS[need].action,
                requester,
                outcome="denied",
                details=f"overleg={overleg_id} onbekend",
            )
            raise AccessDenied(str(need))
        await self._require(
            overleg.gemeente_id,
            overleg.voorzitter_id,
            requester,
            need,
            f"overleg={overleg.id}",
            casus,
            overleg.id,
        )
        return overleg

    async def checked(self, overleg_id: int, requester: Requester, need: Need) -> Overleg:
        """The overleg row after the check, for store modules that work on it (the minutes)."""
        return await self._open(overleg_id, requester, need)

    def _log(
        self, event: str, action: str, requester: Requester, overleg: Overleg, details: str = ""
    ) -> None:
        self._audit.record(
            event, action, requester, details=f"overleg={overleg.id} {details}".strip()
        )

    # --- planning ----------------------------------------------------------------------------

    async def planbare_gemeenten(self, requester: Requester) -> list[tuple[int, str, bool]]:
        """(id, name, has a channel) of the gemeenten where the requester may plan."""
        rows = await self._session.execute(
            select(Gemeente.id, Gemeente.naam, Gemeente.kanaal_conversation_id)
            .join(PgaExpert, PgaExpert.gemeente_id == Gemeente.id)
            .join(Professional, Professional.id == PgaExpert.professional_id)
            .where(PgaExpert.professional_id == requester.professional_id, Professional.actief)
            .order_by(Gemeente.naam)
        )
        return [(gid, naam, bool(kanaal)) for gid, naam, kanaal in rows.all()]

    async def plan(
        self,
        requester: Requester,
        *,
        gemeente_id: int,
        soort: str,
        gepland_op: dt.datetime,
        plaats: str,
        voorzitter_id: int,
        bewoner_uitgenodigd: bool = False,
    ) -> OverlegView:
        """Plan an overleg in the gemeente's channel. The caller checked the values; the
        resident is at the table only in an incidenteel overleg."""
        _known(soort, SOORTEN)
        if bewoner_uitgenodigd and soort != "incidenteel":
            raise OverlegRefused("bewoner_structureel")
        await self._require(
            gemeente_id, None, requester, Need.OVERLEG_PLANNEN, f"gemeente={gemeente_id}"
        )
        gemeente = await self._session.get(Gemeente, gemeente_id)
        if gemeente is None or not gemeente.kanaal_conversation_id:
            raise OverlegRefused("geen_kanaal")
        if gepland_op <= utcnow():
            raise OverlegRefused("verleden")
        voorzitter = await self._session.get(Professional, voorzitter_id)
        if (
            voorzitter is None
            or not voorzitter.actief
            or voorzitter.tenant_id != requester.tenant_id
        ):
            raise OverlegRefused("voorzitter")
        overleg = Overleg(
            gemeente_id=gemeente_id,
            soort=soort,
            gepland_op=gepland_op,
            plaats=plaats,
            kanaal_conversation_id=gemeente.kanaal_conversation_id,
            voorzitter_id=voorzitter_id,
            status="gepland",
            bewoner_uitgenodigd=bewoner_uitgenodigd,
            gepland_door_id=requester.professional_id,
            created_at=utcnow(),
        )
        self._session.add(overleg)
        await self._session.flush()
        self._log(
            "overleg.plannen", "C", requester, overleg, f"soort={soort} voorzitter={voorzitter_id}"
        )
        return await self._view(overleg, frozenset({GEMEENTE_EXPERT}))

    async def lijst(self, requester: Requester) -> list[OverlegView]:
        """The overleggen of the gemeenten where the requester is PGA-expert, and those they
        chair: upcoming first, then the last held ones."""
        mine = select(PgaExpert.gemeente_id).where(
            PgaExpert.professional_id == requester.professional_id
        )
        rows = (
            await self._session.scalars(
                select(Overleg)
                .where(
                    Overleg.gemeente_id.in_(mine)
                    | (Overleg.voorzitter_id == requester.professional_id)
                )
                .order_by(Overleg.gepland_op.desc())
                .limit(40)
            )
        ).all()
        views = []
        for overleg in rows:
            roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
            if roles:
                views.append(await self._view(overleg, roles))
        open_ = sorted((v for v in views if v.status != "afgerond"), key=lambda v: v.gepland_op)
        return open_ + [v for v in views if v.status == "afgerond"][:5]

    async def volgende(
        self, requester: Requester, statuses: Sequence[str], need: Need
    ) -> OverlegView | None:
        """The earliest overleg in one of `statuses` the requester may do `need` on."""
        mine = select(PgaExpert.gemeente_id).where(
            PgaExpert.professional_id == requester.professional_id
        )
        candidates = (
            await self._session.scalars(
                select(Overleg)
                .where(
                    Overleg.status.in_(list(statuses)),
                    Overleg.gemeente_id.in_(mine)
                    | (Overleg.voorzitter_id == requester.professional_id),
                )
                .order_by(Overleg.gepland_op, Overleg.id)
            )
        ).all()
        for overleg in candidates:
            roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
            if roles & NEEDS[need].roles:
                return await self.get(requester, overleg.id, need)
        return None

    async def get(self, requester: Requester, overleg_id: int, need: Need) -> OverlegView:
        overleg = await self._open(overleg_id, requester, need)
        roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
        return await self._view(overleg, roles)

    # --- the agenda --------------------------------------------------------------------------

    async def agenda(self, requester: Requester, overleg_id: int) -> AgendaView:
        """The agenda, with suggestions: casussen taken in but never discussed (the first
        overleg sets the plan), flagged by the last overleg's besluit, with open actions past
        their deadline, without a plan van aanpak (goals, actions), and those not discussed
        for six weeks or more."""
        view = await self.get(requester, overleg_id, Need.OVERLEG_PLANNEN)
        punten = await self._punten(overleg_id)
        on_agenda = {p.casus_id for p in punten}
        last = (
            select(Agendapunt.casus_id, func.max(Overleg.gepland_op).label("laatst"))
            .join(Overleg, Overleg.id == Agendapunt.overleg_id)
            .where(Agendapunt.besproken)
            .group_by(Agendapunt.casus_id)
            .subquery()
        )
        rows = await self._session.execute(
            select(Casus.id, Casus.code, last.c.laatst)
            .outerjoin(last, last.c.casus_id == Casus.id)
            .where(Casus.gemeente_id == view.gemeente_id, Casus.status == "opgenomen")
            .order_by(Casus.code)
        )
        flagged = await self._flagged(view.gemeente_id)
        now = utcnow()
        casussen = rows.all()
        plannen = await plan_stand(
            self._session,
            [casus_id for casus_id, _, _ in casussen],
            now.astimezone(AMSTERDAM).date(),
        )
        beschikbaar, voorstellen = [], []
        for casus_id, code, laatst in casussen:
            if casus_id in on_agenda:
                continue
            beschikbaar.append((casus_id, code))
            if laatst is None:
                voorstellen.append(AgendaVoorstel(casus_id, code, "nieuw", None))
                continue
            weeks = (now - (laatst if laatst.tzinfo else laatst.replace(tzinfo=dt.UTC))).days // 7
            plan = plannen[casus_id]
            if casus_id in flagged:
                reden = "afsluiten" if flagged[casus_id] != "opschalen_zvh" else "knelpunt"
                voorstellen.append(
                    AgendaVoorstel(casus_id, code, reden, weeks, gemarkeerd=flagged[casus_id])
                )
            elif plan.te_laat:
                voorstellen.append(
                    AgendaVoorstel(casus_id, code, "knelpunt", weeks, acties_te_laat=plan.te_laat)
                )
            elif plan.ontbreekt:
                voorstellen.append(
                    AgendaVoorstel(
                        casus_id, code, "voortgang", weeks, plan_ontbreekt=plan.ontbreekt
                    )
                )
            elif weeks * 7 >= NIET_BESPROKEN.days:
                voorstellen.append(AgendaVoorstel(casus_id, code, "voortgang", weeks))
        voorstellen.sort(
            key=lambda v: (
                v.gemarkeerd is None,
                v.acties_te_laat == 0,
                v.weken_niet_besproken is not None,
                -(v.weken_niet_besproken or 0),
                v.code,
            )
        )
        return AgendaView(view, punten, voorstellen, beschikbaar)

    async def _flagged(self, gemeente_id: int) -> dict[int, str]:
        """Casussen whose latest overleg besluit was to close, scale down or scale up: the
        next agenda should take that further."""
        latest = (
            select(Besluit.casus_id, func.max(Besluit.id).label("laatste"))
            .where(Besluit.soort == "overleg")
            .group_by(Besluit.casus_id)
            .subquery()
        )
        rows = await self._session.execute(
            select(Besluit.casus_id, Besluit.uitkomst)
            .join(latest, latest.c.laatste == Besluit.id)
            .join(Casus, Casus.id == Besluit.casus_id)
            .where(
                Casus.gemeente_id == gemeente_id,
                Besluit.uitkomst.in_(["afsluiten", "afschalen", "opschalen_zvh"]),
            )
        )
        return {casus_id: uitkomst for casus_id, uitkomst in rows.all()}

    async def add_item(
        self, requester: Requester, overleg_id: int, casus_id: int, reden: str, minuten: int
    ) -> AgendapuntView:
        """Put a casus on the agenda, or change its reason and time when it is on it."""
        _known(reden, REDENEN)
        if minuten not in MINUTEN:
            raise ValueError(f"minuten {minuten}")
        overleg = _editable(await self._open(overleg_id, requester, Need.OVERLEG_PLANNEN))
        casus = await self._casussen.open(casus_id, requester, Need.OVERLEG_PLANNEN)
        if casus.view.gemeente_id != overleg.gemeente_id:
            raise OverlegRefused("andere_gemeente")
        if casus.view.status in CLOSED_STATUSES:
            raise OverlegRefused("casus_gesloten")
        if casus.view.status != "opgenomen":
            raise OverlegRefused("casus_niet_opgenomen")
        punt = await self._session.scalar(
            select(Agendapunt).where(
                Agendapunt.overleg_id == overleg.id, Agendapunt.casus_id == casus.id
            )
        )
        if punt is None:
            count = await self._count(overleg.id)
            if overleg.soort == "incidenteel" and count >= 1:
                raise OverlegRefused("incidenteel")
            punt = Agendapunt(
                overleg_id=overleg.id,
                casus_id=casus.id,
                volgorde=await self._next_place(overleg.id),
                reden=reden,
                minuten=minuten,
                besproken=False,
            )
            self._session.add(punt)
        else:
            punt.reden, punt.minuten = reden, minuten
        await self._session.flush()
        self._log(
            "overleg.agenda",
            "U",
            requester,
            overleg,
            f"casus={casus.id} reden={reden} minuten={minuten}",
        )
        return _punt_view(punt, casus.code)

    async def remove_item(self, requester: Requester, agendapunt_id: int) -> int:
        """Take an item off the agenda; returns the overleg's id."""
        punt, overleg = await self._item(agendapunt_id, requester, Need.OVERLEG_PLANNEN)
        _editable(overleg)
        if overleg.status == "gepubliceerd" and await self._count(overleg.id) == 1:
            raise OverlegRefused("laatste_punt")  # the posted agenda would be empty
        await self._session.delete(punt)
        await self._session.flush()
        self._log("overleg.agenda", "U", requester, overleg, f"casus={punt.casus_id} verwijderd")
        return overleg.id

    async def move_up(self, requester: Requester, agendapunt_id: int) -> int:
        """Move an item one place up; returns the overleg's id."""
        punt, overleg = await self._item(agendapunt_id, requester, Need.OVERLEG_PLANNEN)
        _editable(overleg)
        above = await self._session.scalar(
            select(Agendapunt)
            .where(Agendapunt.overleg_id == overleg.id, Agendapunt.volgorde < punt.volgorde)
            .order_by(Agendapunt.volgorde.desc())
            .limit(1)
        )
        if above is not None:
            above.volgorde, punt.volgorde = punt.volgorde, above.volgorde
            await self._session.flush()
        return overleg.id

    async def agenda_changed(self, overleg_id: int, inhoud: str) -> bool:
        """Whether `inhoud` (a digest of the agenda card) differs from what was published
        last, keeping it. A conditional UPDATE: of two presses at once, one sees a change."""
        changed = await self._session.execute(
            update(Overleg)
            .where(Overleg.id == overleg_id)
            .where((Overleg.agenda_inhoud.is_(None)) | (Overleg.agenda_inhoud != inhoud))
            .values(agenda_inhoud=inhoud)
            .execution_options(synchronize_session=False)
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    async def publish(self, requester: Requester, overleg_id: int) -> PublicatieView:
        """The agenda goes to the channel: the shared-safe view of each casus on it, and the
        invitees (the professionals working on its casussen, and the chair). Status
        gepubliceerd; publishing again is an update, inviting only who is new."""
        overleg = _editable(await self._open(overleg_id, requester, Need.OVERLEG_PLANNEN))
        punten = await self._punten(overleg.id)
        if not punten:
            raise OverlegRefused("leeg")
        casussen: dict[int, SharedCasusView] = {}
        invited: dict[int, tuple[str, str | None, list[int]]] = {}
        for punt in punten:
            casus = await self._casussen.open(punt.casus_id, requester, Need.OVERZICHT)
            casussen[punt.id] = await casus.shared()
            for link in await casus.betrokkenen():
                entry = invited.setdefault(
                    link.professional_id, (link.professional_naam, link.organisatie_naam, [])
                )
                if punt.id not in entry[2]:
                    entry[2].append(punt.id)
        chair = await self._person(overleg.voorzitter_id)
        invited.setdefault(overleg.voorzitter_id, (chair[0], chair[1], []))
        active = set(
            (
                await self._session.scalars(
                    select(Professional.id).where(
                        Professional.id.in_(list(invited)), Professional.actief
                    )
                )
            ).all()
        )
        invited = {pid: entry for pid, entry in invited.items() if pid in active}
        before = set(
            (
                await self._session.scalars(
                    select(Aanwezige.professional_id).where(Aanwezige.overleg_id == overleg.id)
                )
            ).all()
        )
        genodigden = []
        for professional_id, (naam, organisatie, items) in sorted(
            invited.items(), key=lambda item: item[1][0]
        ):
            if professional_id not in before:
                self._session.add(
                    Aanwezige(
                        overleg_id=overleg.id,
                        professional_id=professional_id,
                        aanwezig=False,
                        luisteraar=False,
                        afgemeld=False,
                        uitgenodigd=True,
                    )
                )
            genodigden.append(
                Genodigde(
                    professional_id, naam, organisatie, tuple(items), professional_id not in before
                )
            )
        earlier = overleg.status == "gepubliceerd"
        published = await self._session.execute(
            update(Overleg)
            .where(Overleg.id == overleg.id, Overleg.status.in_(EDITABLE))
            .values(status="gepubliceerd", gepubliceerd_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if published.rowcount != 1:  # type: ignore[attr-defined]
            raise OverlegRefused("gestart")  # started at the same moment
        await self._session.refresh(overleg)
        self._log(
            "overleg.publiceren",
            "U",
            requester,
            overleg,
            f"agendapunten={len(punten)} genodigden={len(genodigden)}",
        )
        roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
        return PublicatieView(
            await self._view(overleg, roles), punten, casussen, genodigden, earlier
        )

    # --- during the overleg ------------------------------------------------------------------

    async def start(self, requester: Requester, overleg_id: int) -> list[BesprekingView]:
        """Open the overleg: status lopend; returns the discussion of each item."""
        overleg = await self._open(overleg_id, requester, Need.BESPREKEN)
        if overleg.status != "gepubliceerd":
            raise OverlegRefused(
                {"gepland": "niet_gepubliceerd", "lopend": "loopt_al"}.get(
                    overleg.status, "afgerond"
                )
            )
        started = await self._session.execute(
            update(Overleg)
            .where(Overleg.id == overleg.id, Overleg.status == "gepubliceerd")
            .values(status="lopend", gestart_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if started.rowcount != 1:  # type: ignore[attr-defined]
            raise OverlegRefused("loopt_al")  # someone else started it at the same moment
        await self._session.refresh(overleg)
        # Who opens it, and the chair, are there: they lead it.
        for professional_id in {overleg.voorzitter_id, requester.professional_id}:
            row = await self._on_list(overleg.id, professional_id)
            row.aanwezig, row.afgemeld, row.luisteraar = True, False, False
        await self._session.flush()
        self._log("overleg.starten", "U", requester, overleg)
        return await self._besprekingen(overleg, requester)

    async def bespreking(self, requester: Requester, agendapunt_id: int) -> BesprekingView:
        """The discussion of one item of a running overleg."""
        punt, overleg = await self._item(agendapunt_id, requester, Need.BESPREKEN)
        return await self._bespreking(_running(overleg), punt, requester)

    async def record_besluit(
        self, requester: Requester, agendapunt_id: int, uitkomst: str, toelichting: str
    ) -> Vastgelegd:
        """Store a besluit at once (nothing is lost if the meeting ends abruptly); the item
        counts as discussed from then on."""
        _known(uitkomst, UITKOMSTEN)
        punt, overleg = await self._item(agendapunt_id, requester, Need.BESPREKEN)
        await self._require_speaking(_running(overleg), requester)
        casus = await self._casus_in(overleg, punt, requester)
        stored = await casus.record_overleg_besluit(
            overleg_id=overleg.id,
            agendapunt_id=punt.id,
            uitkomst=uitkomst,
            toelichting=toelichting,
            andere=await self._other_identifiers(overleg.id, punt.casus_id),
        )
        punt.besproken = True
        await self._session.flush()
        return stored

    async def record_afspraak(
        self,
        requester: Requester,
        agendapunt_id: int,
        beschrijving: str,
        eigenaar_id: int,
        deadline: dt.date,
    ) -> Vastgelegd:
        punt, overleg = await self._item(agendapunt_id, requester, Need.BESPREKEN)
        await self._require_speaking(_running(overleg), requester)
        casus = await self._casus_in(overleg, punt, requester)
        return await casus.record_afspraak(
            agendapunt_id=punt.id,
            beschrijving=beschrijving,
            eigenaar_id=eigenaar_id,
            deadline=deadline,
            andere=await self._other_identifiers(overleg.id, punt.casus_id),
        )

    async def close(
        self, requester: Requester, overleg_id: int
    ) -> tuple[OverlegView, list[BesprekingView]]:
        """Close the overleg: status afgerond; returns what each item came to."""
        overleg = await self._open(overleg_id, requester, Need.BESPREKEN)
        if overleg.status != "lopend":
            raise OverlegRefused("afgerond" if overleg.status == "afgerond" else "niet_gestart")
        besprekingen = await self._besprekingen(overleg, requester)
        closed = await self._session.execute(
            update(Overleg)
            .where(Overleg.id == overleg.id, Overleg.status == "lopend")
            .values(status="afgerond", afgerond_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            raise OverlegRefused("afgerond")
        await self._session.refresh(overleg)
        self._log("overleg.afronden", "U", requester, overleg)
        roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
        return await self._view(overleg, roles), besprekingen

    async def open_casus(self, requester: Requester, agendapunt_id: int, need: Need) -> CasusAccess:
        """The casus of an agenda item, through the casus gate (e.g. details, in private).
        An unknown item is refused like a casus without a role."""
        row = (
            await self._session.execute(
                select(Agendapunt.casus_id, Overleg.id, Overleg.status)
                .join(Overleg, Overleg.id == Agendapunt.overleg_id)
                .where(Agendapunt.id == agendapunt_id)
            )
        ).first()
        if row is None:
            self._audit.record(
                str(need),
                NEEDS[need].action,
                requester,
                outcome="denied",
                details=f"agendapunt={agendapunt_id} onbekend",
            )
            raise AccessDenied(str(need))
        casus = await self._casussen.open(row.casus_id, requester, need)
        if row.status == "lopend":
            # During the overleg a button works only for who is there.
            attendee = await self._attendee(row.id, requester.professional_id)
            if attendee is None or not attendee.aanwezig:
                raise OverlegRefused("niet_aanwezig")
        return casus

    # --- attendance --------------------------------------------------------------------------

    async def presentie(self, requester: Requester, overleg_id: int) -> PresentieView:
        overleg = await self._open(overleg_id, requester, Need.AANWEZIG)
        return await self._presentie(overleg, requester)

    async def meld(self, requester: Requester, overleg_id: int, aanwezig: bool) -> PresentieView:
        """An invitee says they are there (only while it runs) or that they cannot come."""
        overleg = await self._open(overleg_id, requester, Need.AANWEZIG)
        if overleg.status == "afgerond":
            raise OverlegRefused("afgerond")
        if aanwezig and overleg.status != "lopend":
            raise OverlegRefused("niet_gestart")
        row = await self._on_list(overleg.id, requester.professional_id)
        row.aanwezig, row.afgemeld = aanwezig, not aanwezig
        await self._session.flush()
        self._log(
            "overleg.presentie",
            "U",
            requester,
            overleg,
            f"professional={requester.professional_id} {'aanwezig' if aanwezig else 'afgemeld'}",
        )
        return await self._presentie(overleg, requester)

    async def set_presentie(
        self, requester: Requester, overleg_id: int, professional_id: int, status: str
    ) -> PresentieView:
        """The chair (or PGA-expert) records someone's attendance; someone not invited is
        added (e.g. a listener). Nobody gets a role on a casus from this."""
        _known(status, PRESENTIES)
        overleg = await self._open(overleg_id, requester, Need.BESPREKEN)
        if overleg.status == "afgerond":
            raise OverlegRefused("afgerond")
        person = await self._session.get(Professional, professional_id)
        if person is None or not person.actief or person.tenant_id != requester.tenant_id:
            raise OverlegRefused("onbekende_persoon")
        row = await self._on_list(overleg.id, professional_id)
        row.aanwezig = status in ("aanwezig", "luisteraar")
        row.luisteraar = status == "luisteraar"
        row.afgemeld = status == "afgemeld"
        await self._session.flush()
        self._log(
            "overleg.presentie", "U", requester, overleg, f"professional={professional_id} {status}"
        )
        return await self._presentie(overleg, requester)

    async def set_bewoner(
        self, requester: Requester, overleg_id: int, aanwezig: bool
    ) -> PresentieView:
        """Whether the resident came to an incidenteel overleg they were invited to."""
        overleg = await self._open(overleg_id, requester, Need.BESPREKEN)
        if not overleg.bewoner_uitgenodigd:
            raise OverlegRefused("geen_bewoner")
        if overleg.status != "lopend":
            raise OverlegRefused("afgerond" if overleg.status == "afgerond" else "niet_gestart")
        overleg.bewoner_aanwezig = aanwezig
        await self._session.flush()
        self._log("overleg.presentie", "U", requester, overleg, f"bewoner aanwezig={aanwezig}")
        return await self._presentie(overleg, requester)

    async def _presentie(self, overleg: Overleg, requester: Requester) -> PresentieView:
        rows = await self._session.execute(
            select(Aanwezige, Professional.naam, Organisatie.naam)
            .join(Professional, Professional.id == Aanwezige.professional_id)
            .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
            .where(Aanwezige.overleg_id == overleg.id)
            .order_by(Professional.naam, Aanwezige.id)
        )
        roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
        return PresentieView(
            overleg=await self._view(overleg, roles),
            mensen=[
                Aanwezigheid(
                    professional_id=row.professional_id,
                    naam=naam,
                    organisatie_naam=organisatie,
                    uitgenodigd=row.uitgenodigd,
                    aanwezig=row.aanwezig,
                    afgemeld=row.afgemeld,
                    luisteraar=row.luisteraar,
                )
                for row, naam, organisatie in rows.all()
            ],
            bewoner_uitgenodigd=overleg.bewoner_uitgenodigd,
            bewoner_aanwezig=overleg.bewoner_aanwezig,
            redact=await self._redactor(overleg.id),
        )

    async def shared_casussen(self, requester: Requester, overleg_id: int) -> list[SharedCasusView]:
        """The shared-safe views of the casussen on the agenda, for someone with a role on
        the overleg: to file a post to its channel under, and to check it against."""
        overleg = await self._open(overleg_id, requester, Need.AANWEZIG)
        ids = await self._session.scalars(
            select(Agendapunt.casus_id)
            .where(Agendapunt.overleg_id == overleg.id)
            .order_by(Agendapunt.volgorde)
        )
        return [
            await self._casussen.shared_on_agenda(casus_id, requester) for casus_id in ids.all()
        ]

    async def _require_speaking(self, overleg: Overleg, requester: Requester) -> None:
        """Recording needs someone at the table: present, and not only listening."""
        row = await self._attendee(overleg.id, requester.professional_id)
        if row is None or not row.aanwezig:
            raise OverlegRefused("niet_aanwezig")
        if row.luisteraar:
            raise OverlegRefused("luisteraar")

    async def _attendee(self, overleg_id: int, professional_id: int) -> Aanwezige | None:
        return await self._session.scalar(
            select(Aanwezige).where(
                Aanwezige.overleg_id == overleg_id, Aanwezige.professional_id == professional_id
            )
        )

    async def _on_list(self, overleg_id: int, professional_id: int) -> Aanwezige:
        """Their row on the attendance list; someone not invited is added as such."""
        row = await self._attendee(overleg_id, professional_id)
        if row is None:
            row = Aanwezige(
                overleg_id=overleg_id,
                professional_id=professional_id,
                aanwezig=False,
                luisteraar=False,
                afgemeld=False,
                uitgenodigd=False,
            )
            self._session.add(row)
        return row

    async def _aan_tafel(self, overleg: Overleg, casus: CasusAccess) -> list[AanTafel]:
        """Who is present, each with the role the store gives them on this casus."""
        # Roles from the links themselves: the chair may lead without a link to the casus.
        link_rows = await self._session.execute(
            select(Betrokkene.professional_id, Betrokkene.rol).where(
                Betrokkene.casus_id == casus.id, Betrokkene.tot.is_(None)
            )
        )
        links = {professional_id: rol for professional_id, rol in link_rows.all()}
        experts = set(
            (
                await self._session.scalars(
                    select(PgaExpert.professional_id).where(
                        PgaExpert.gemeente_id == overleg.gemeente_id
                    )
                )
            ).all()
        )
        present = await self._session.execute(
            select(Aanwezige.professional_id, Aanwezige.luisteraar, Professional.naam)
            .add_columns(Organisatie.naam)
            .join(Professional, Professional.id == Aanwezige.professional_id)
            .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
            .where(Aanwezige.overleg_id == overleg.id, Aanwezige.aanwezig)
            .order_by(Professional.naam)
        )
        tafel = []
        for professional_id, luisteraar, naam, organisatie in present.all():
            if luisteraar:
                rol = "luisteraar"
            elif professional_id in links:
                rol = links[professional_id]
            elif professional_id in experts:
                rol = "pga_expert"
            elif professional_id == overleg.voorzitter_id:
                rol = "voorzitter"
            else:
                rol = "geen"
            tafel.append(AanTafel(naam, organisatie, rol))
        return tafel

    # --- helpers -----------------------------------------------------------------------------

    async def _item(
        self, agendapunt_id: int, requester: Requester, need: Need
    ) -> tuple[Agendapunt, Overleg]:
        """An agenda item and its overleg, if the roles on the overleg allow `need`. A refusal
        is logged with the casus it was about; an item taken off the agenda (or never on it)
        is refused as such."""
        punt = await self._session.get(Agendapunt, agendapunt_id)
        if punt is None:
            raise OverlegRefused("niet_op_agenda")
        casus = await self._session.get(Casus, punt.casus_id)
        return punt, await self._open(punt.overleg_id, requester, need, casus)

    async def _casus_in(
        self, overleg: Overleg, punt: Agendapunt, requester: Requester
    ) -> CasusAccess:
        return await self._casussen.open_in_overleg(
            punt.casus_id, requester, Need.BESPREKEN, overleg.id
        )

    async def _besprekingen(self, overleg: Overleg, requester: Requester) -> list[BesprekingView]:
        return [
            await self._bespreking(overleg, punt, requester)
            for punt in await self._session.scalars(
                select(Agendapunt)
                .where(Agendapunt.overleg_id == overleg.id)
                .order_by(Agendapunt.volgorde)
            )
        ]

    async def _bespreking(
        self, overleg: Overleg, punt: Agendapunt, requester: Requester
    ) -> BesprekingView:
        casus = await self._casus_in(overleg, punt, requester)
        punten = await self._punten(overleg.id)
        positie = next(i for i, p in enumerate(punten, 1) if p.id == punt.id)
        roles = await self._roles(overleg.gemeente_id, overleg.voorzitter_id, requester)
        view = await casus.bespreking(
            await self._view(overleg, roles),
            punten[positie - 1],
            positie,
            len(punten),
            await self._other_identifiers(overleg.id, punt.casus_id),
        )
        return replace(view, aan_tafel=await self._aan_tafel(overleg, casus))

    async def _redactor(self, overleg_id: int) -> Callable[[str], str]:
        """Redacts the identifiers of every resident on the agenda (never handed out)."""
        identifiers = await self._other_identifiers(overleg_id, 0)
        return lambda text: redact(text, identifiers)

    async def _other_identifiers(self, overleg_id: int, casus_id: int) -> list[str]:
        """The identifiers of the other residents on the agenda (never handed out: used
        only to redact)."""
        others = await self._session.scalars(
            select(Agendapunt.casus_id).where(
                Agendapunt.overleg_id == overleg_id, Agendapunt.casus_id != casus_id
            )
        )
        return [i for other in others.all() for i in await self._casussen.identifiers(other)]

    async def _punten(self, overleg_id: int) -> list[AgendapuntView]:
        rows = await self._session.execute(
            select(Agendapunt, Casus.code)
            .join(Casus, Casus.id == Agendapunt.casus_id)
            .where(Agendapunt.overleg_id == overleg_id)
            .order_by(Agendapunt.volgorde, Agendapunt.id)
        )
        return [_punt_view(punt, code) for punt, code in rows.all()]

    async def _count(self, overleg_id: int) -> int:
        return (
            await self._session.scalar(
                select(func.count(Agendapunt.id)).where(Agendapunt.overleg_id == overleg_id)
            )
            or 0
        )

    async def _next_place(self, overleg_id: int) -> int:
        highest = await self._session.scalar(
            select(func.max(Agendapunt.volgorde)).where(Agendapunt.overleg_id == overleg_id)
        )
        return (highest or 0) + 1

    async def _person(self, professional_id: int) -> tuple[str, str | None]:
        row = (
            await self._session.execute(
                select(Professional.naam, Organisatie.naam)
                .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
                .where(Professional.id == professional_id)
            )
        ).one()
        return row[0], row[1]

    async def _view(self, overleg: Overleg, roles: frozenset[str]) -> OverlegView:
        gemeente = await self._session.get(Gemeente, overleg.gemeente_id)
        naam, organisatie = await self._person(overleg.voorzitter_id)
        return OverlegView(
            id=overleg.id,
            gemeente_id=overleg.gemeente_id,
            gemeente_naam=gemeente.naam if gemeente else "",
            soort=overleg.soort,
            gepland_op=overleg.gepland_op,
            plaats=overleg.plaats,
            kanaal_conversation_id=overleg.kanaal_conversation_id,
            voorzitter_id=overleg.voorzitter_id,
            voorzitter_naam=naam,
            voorzitter_organisatie=organisatie,
            status=overleg.status,
            agendapunten=await self._count(overleg.id),
            roles=roles,
            bewoner_uitgenodigd=overleg.bewoner_uitgenodigd,
        )


def _known(value: str, options: Sequence[Option]) -> None:
    """The store takes only its own values (the workflows check them first, with a message)."""
    if value not in dict(options):
        raise ValueError(value)


def _editable(overleg: Overleg) -> Overleg:
    """The agenda changes only before the overleg starts."""
    if overleg.status not in EDITABLE:
        raise OverlegRefused("gestart" if overleg.status == "lopend" else "afgerond")
    return overleg


def _running(overleg: Overleg) -> Overleg:
    """Besluiten and afspraken only while the overleg runs: a card of an earlier (or a not
    yet started) overleg changes nothing."""
    if overleg.status != "lopend":
        raise OverlegRefused("afgerond" if overleg.status == "afgerond" else "niet_gestart")
    return overleg


def _punt_view(punt: Agendapunt, code: str) -> AgendapuntView:
    return AgendapuntView(
        id=punt.id,
        overleg_id=punt.overleg_id,
        casus_id=punt.casus_id,
        code=code,
        volgorde=punt.volgorde,
        reden=punt.reden,
        minuten=punt.minuten,
        besproken=punt.besproken,
    )
