"""The plan van aanpak (#11): problems and scores per leefgebied, goals, actions, and the
reminders of actions as scheduled work (`taak` rows, store/jobs.py).

Every change is one goal, one action or one leefgebied at a time, checked against the gate
(`Need.DOEL`, `Need.ACTIE`, `Need.LEEFGEBIED`, `Need.REGIE`) and written to the history
(`plan_wijziging`). Two people editing the same goal or action: the second gets `Conflict`
(each carries a `versie`), never a silent overwrite of the whole plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import CASUSREGISSEUR, Conflict, Need, NotFound, Requester
from store.audit import AuditLog
from store.casus import CLOSED_STATUSES, EIGENAAR_ROLLEN, CasusAccess, CasusRepository
from store.models import (
    Actie,
    Afspraak,
    Besluit,
    Betrokkene,
    Casus,
    Doel,
    Leefgebied,
    Organisatie,
    PgaExpert,
    PlanProbleem,
    PlanScore,
    PlanWijziging,
    Professional,
    Taak,
    utcnow,
)
from store.outbox import unsent_under
from store.privacy import redact

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OPEN_STATUSES = ("open", "bezig")
ACTIE_STATUSES = ("open", "bezig", "afgerond", "vervallen")
DOEL_STATUSES = ("open", "behaald", "vervallen")
HERINNERING = "actie.herinnering"
# Kinds of reminder of one action, in the order they fall due.
VOOR, DAG, TE_LAAT, ESCALATIE = "voor", "dag", "te_laat", "escalatie"
SOORTEN = (VOOR, DAG, TE_LAAT, ESCALATIE)
LATEST_DEADLINE = dt.timedelta(days=2 * 365)


class PlanRefused(Exception):
    """Bad input for the plan that the gate does not cover (a deadline in the past, an owner
    not linked, a closed casus, a second completion, not your action …). `reason` is a key
    of the Dutch messages in dialogs/plan.py."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Herinneringsregels:
    """When the reminders of an action fall due (settings, README Configuration)."""

    dagen_voor: int = 3
    escalatie_na: int = 7
    tijd: dt.time = dt.time(9, 0)


def reminder_times(deadline: dt.date, regels: Herinneringsregels) -> dict[str, dt.datetime]:
    """The moments (UTC) of an action's reminders: N days before, on the day, the day after
    (overdue: owner and casusregisseur) and M days overdue (the PGA-expert). Wall-clock
    time in Amsterdam, so 09:00 stays 09:00 across a change to or from summer time."""

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, regels.tijd, tzinfo=AMSTERDAM).astimezone(dt.UTC)

    return {
        VOOR: at(deadline - dt.timedelta(days=regels.dagen_voor)),
        DAG: at(deadline),
        TE_LAAT: at(deadline + dt.timedelta(days=1)),
        ESCALATIE: at(deadline + dt.timedelta(days=regels.escalatie_na + 1)),
    }


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeefgebiedView:
    id: int
    sleutel: str
    naam: str


@dataclass(frozen=True)
class ScoreRegel:
    sleutel: str
    leefgebied: str
    probleem: str | None
    start: int | None
    nu: int | None
    scores: int  # how many times it was scored


@dataclass(frozen=True)
class DoelView:
    id: int
    leefgebied: str | None
    omschrijving: str
    goed_genoeg_als: str
    status: str
    versie: int


@dataclass(frozen=True)
class ActieView:
    id: int
    casus_id: int
    code: str
    beschrijving: str
    eigenaar: str
    eigenaar_waarde: str  # p:<id>, o:<id> or bewoner (the owner choice on a form)
    deadline: dt.date
    status: str
    reden: str | None
    doel_id: int | None
    interventie: str | None
    uitstel_tot: dt.date | None
    versie: int
    mag_afronden: bool  # the requester owns it (or is its casusregisseur)
    is_regisseur: bool


@dataclass(frozen=True)
class PlanView:
    casus_id: int
    code: str
    status: str
    doelgroep: str
    leefgebieden: list[ScoreRegel]
    doelen: list[DoelView]
    acties: list[ActieView]
    met_teksten: bool  # False for an adviser: scores only, no typed text
    kan_doel: bool
    kan_leefgebied: bool
    kan_actie: bool
    kan_regie: bool
    # For an adviser, who does not see them: how many goals and actions there are.
    verborgen_doelen: int = 0
    verborgen_acties: int = 0


@dataclass(frozen=True)
class EigenaarKeuze:
    waarde: str
    label: str


@dataclass(frozen=True)
class HerinneringView:
    """What a reminder needs: codes and dates, no typed text (DESIGN §3.1)."""

    actie_id: int
    casus_id: int
    code: str
    deadline: dt.date
    soort: str
    ontvangers: list[int]


@dataclass(frozen=True)
class OverzichtRegel:
    code: str
    open: int
    vandaag_of_binnenkort: int
    te_laat: int
    recente_besluiten: int


def plannen(uow: Any) -> PlanRepository:
    return PlanRepository(uow.session, uow.audit, uow.casussen)


class PlanRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog, casussen: CasusRepository) -> None:
        self._session = session
        self._audit = audit
        self._casussen = casussen

    async def open(self, ref: int | str, requester: Requester, need: Need) -> PlanAccess:
        return PlanAccess(
            self._session, self._audit, await self._casussen.open(ref, requester, need)
        )

    async def open_in_overleg(
        self, casus_id: int, requester: Requester, need: Need, overleg_id: int
    ) -> PlanAccess:
        """For the overleg (#10): the chair of a running overleg sets goals and scores of a
        casus on its agenda (`voorzitter`, derived in the store like every role)."""
        casus = await self._casussen.open_in_overleg(casus_id, requester, need, overleg_id)
        return PlanAccess(self._session, self._audit, casus, overleg_id=overleg_id)

    async def open_actie(self, actie_id: int, requester: Requester, need: Need) -> PlanAccess:
        """The plan of the casus an action belongs to (a button carries the action's id)."""
        casus_id = await self._session.scalar(select(Actie.casus_id).where(Actie.id == actie_id))
        if casus_id is None:
            raise NotFound("actie")
        return await self.open(casus_id, requester, need)

    async def mijn_acties(self, requester: Requester) -> list[ActieView]:
        """Open actions of the requester across casussen (theirs, their organisation's, the
        resident's where they are casusregisseur) and every open action of the casussen they
        are casusregisseur of; each casus checked through the gate."""
        me = requester.professional_id
        linked = select(Betrokkene.casus_id).where(
            Betrokkene.professional_id == me,
            Betrokkene.tot.is_(None),
            Betrokkene.rol.in_(EIGENAAR_ROLLEN),
        )
        regie = linked.where(Betrokkene.rol == CASUSREGISSEUR)
        organisatie = select(Professional.organisatie_id).where(Professional.id == me)
        casus_ids = (
            await self._session.scalars(
                select(Actie.casus_id)
                .where(
                    Actie.status.in_(OPEN_STATUSES),
                    Actie.casus_id.in_(linked),
                    or_(
                        Actie.eigenaar_professional_id == me,
                        Actie.eigenaar_organisatie_id.in_(organisatie),
                        Actie.casus_id.in_(regie),
                    ),
                )
                .distinct()
            )
        ).all()
        found: list[ActieView] = []
        for casus_id in casus_ids:
            plan = await self.open(casus_id, requester, Need.OVERZICHT)
            if plan.casus.allows(Need.ACTIE):
                identifiers = await plan.identifiers()
                found += [
                    replace(a, beschrijving=redact(a.beschrijving, identifiers))
                    for a in await plan._acties(only_open=True)
                    if _mine_or_regie(a)
                ]
        return sorted(found, key=lambda a: (a.deadline, a.code, a.id))

    async def casussen_van(self, requester: Requester) -> list[int]:
        """The casussen the requester works on (linked, or PGA-expert of the gemeente)."""
        linked = select(Betrokkene.casus_id).where(
            Betrokkene.professional_id == requester.professional_id, Betrokkene.tot.is_(None)
        )
        gemeenten = select(PgaExpert.gemeente_id).where(
            PgaExpert.professional_id == requester.professional_id
        )
        rows = await self._session.scalars(
            select(Casus.id).where(or_(Casus.id.in_(linked), Casus.gemeente_id.in_(gemeenten)))
        )
        return list(rows.all())

    async def demo_due_now(
        self,
        requester: Requester,
        now: dt.datetime,
        regels: Herinneringsregels,
        periodic: Sequence[str] = (),
    ) -> int:
        """Local mode only (the dialog checks): a reminder of each open action of the
        requester's casussen due now, and the `periodic` jobs (the weekly digest) too."""
        await self._session.execute(update(Taak).where(Taak.soort.in_(periodic)).values(due_at=now))
        casus_ids = await self.casussen_van(requester)
        return await reminders_due_now(self._session, casus_ids, now, regels)

    # --- reminders and digests (scheduled work; no requester: the system sends) ----------

    async def herinneringen(self, wanted: Sequence[tuple[int, str]]) -> list[HerinneringView]:
        """Who gets each reminder (action id, kind) now, for a batch in three queries:
        nobody for an action done or lapsed or a closed casus; only professionals who still
        work on the casus (or are its gemeente's PGA-expert) and are not switched off — an
        ontkoppelde professional gets nothing (the outbox checks once more at delivery)."""
        acties = {
            row.id: row
            for row in (
                await self._session.execute(
                    select(
                        Actie.id,
                        Actie.casus_id,
                        Actie.deadline,
                        Actie.status,
                        Actie.eigenaar_soort,
                        Actie.eigenaar_professional_id,
                        Actie.eigenaar_organisatie_id,
                        Casus.code,
                        Casus.status.label("casus_status"),
                        Casus.gemeente_id,
                    )
                    .join(Casus, Casus.id == Actie.casus_id)
                    .where(Actie.id.in_({actie_id for actie_id, _ in wanted}))
                )
            ).all()
        }
        linked = await self._linked_by_casus({a.casus_id for a in acties.values()})
        experts = await self._experts_by_gemeente({a.gemeente_id for a in acties.values()})
        views = []
        for actie_id, soort in wanted:
            actie = acties.get(actie_id)
            if actie is None or actie.status not in OPEN_STATUSES:
                continue
            if actie.casus_status in CLOSED_STATUSES:
                continue
            werkt = linked.get(actie.casus_id, {})
            deskundigen = experts.get(actie.gemeente_id, set())
            views.append(
                HerinneringView(
                    actie.id,
                    actie.casus_id,
                    actie.code,
                    actie.deadline,
                    soort,
                    sorted(_ontvangers(actie, soort, werkt, deskundigen)),
                )
            )
        return views

    async def _linked_by_casus(
        self, casus_ids: set[int]
    ) -> dict[int, dict[int, tuple[str, int | None]]]:
        """Per casus: who works on it now (role, organisation), active professionals only."""
        rows = await self._session.execute(
            select(
                Betrokkene.casus_id,
                Betrokkene.professional_id,
                Betrokkene.rol,
                Professional.organisatie_id,
            )
            .join(Professional, Professional.id == Betrokkene.professional_id)
            .where(
                Betrokkene.casus_id.in_(casus_ids),
                Betrokkene.tot.is_(None),
                Betrokkene.rol.in_(EIGENAAR_ROLLEN),
                Professional.actief,
            )
        )
        result: dict[int, dict[int, tuple[str, int | None]]] = {}
        for casus_id, professional_id, rol, organisatie_id in rows.all():
            people = result.setdefault(casus_id, {})
            if rol == CASUSREGISSEUR or professional_id not in people:
                people[professional_id] = (rol, organisatie_id)
        return result

    async def _experts_by_gemeente(self, gemeente_ids: set[int]) -> dict[int, set[int]]:
        rows = await self._session.execute(
            select(PgaExpert.gemeente_id, PgaExpert.professional_id)
            .join(Professional, Professional.id == PgaExpert.professional_id)
            .where(PgaExpert.gemeente_id.in_(gemeente_ids), Professional.actief)
        )
        result: dict[int, set[int]] = {}
        for gemeente_id, professional_id in rows.all():
            result.setdefault(gemeente_id, set()).add(professional_id)
        return result

    async def regisseurs_met_casussen(self) -> dict[int, list[int]]:
        """Active casusregisseurs and the casussen (not closed) they hold the regie of."""
        rows = await self._session.execute(
            select(Betrokkene.professional_id, Betrokkene.casus_id)
            .join(Casus, Casus.id == Betrokkene.casus_id)
            .join(Professional, Professional.id == Betrokkene.professional_id)
            .where(
                Betrokkene.rol == CASUSREGISSEUR,
                Betrokkene.tot.is_(None),
                Professional.actief,
                Casus.status.not_in(CLOSED_STATUSES),
            )
            .order_by(Betrokkene.professional_id, Betrokkene.casus_id)
        )
        result: dict[int, list[int]] = {}
        for professional_id, casus_id in rows.all():
            result.setdefault(professional_id, []).append(casus_id)
        return result

    async def overzicht(self, casus_id: int, vandaag: dt.date) -> OverzichtRegel:
        """One casus in the weekly digest: counts only."""
        casus = await self._session.get(Casus, casus_id)
        if casus is None:
            raise NotFound("casus")
        deadlines = (
            await self._session.scalars(
                select(Actie.deadline).where(
                    Actie.casus_id == casus_id, Actie.status.in_(OPEN_STATUSES)
                )
            )
        ).all()
        week_ago = utcnow() - dt.timedelta(days=7)
        besluiten = (
            await self._session.scalars(
                select(Besluit.id).where(
                    Besluit.casus_id == casus_id, Besluit.genomen_at >= week_ago
                )
            )
        ).all()
        soon = vandaag + dt.timedelta(days=7)
        return OverzichtRegel(
            code=casus.code,
            open=len(deadlines),
            vandaag_of_binnenkort=sum(1 for d in deadlines if vandaag <= d <= soon),
            te_laat=sum(1 for d in deadlines if d < vandaag),
            recente_besluiten=len(besluiten),
        )


def _ontvangers(
    actie: Any, soort: str, werkt: dict[int, tuple[str, int | None]], experts: set[int]
) -> set[int]:
    """The recipients of one reminder, from who works on the casus now."""
    if soort == ESCALATIE:
        return set(experts)
    regie = {pid for pid, (rol, _) in werkt.items() if rol == CASUSREGISSEUR}
    if actie.eigenaar_soort == "professional":
        owners = {actie.eigenaar_professional_id} & (set(werkt) | experts)
    elif actie.eigenaar_soort == "organisatie":
        owners = {pid for pid, (_, org) in werkt.items() if org == actie.eigenaar_organisatie_id}
    else:
        owners = set()
    if soort == TE_LAAT or actie.eigenaar_soort == "bewoner":
        owners |= regie
    return owners


def _mine_or_regie(actie: ActieView) -> bool:
    return actie.mag_afronden or actie.is_regisseur


async def _regisseurs(session: AsyncSession, casus_id: int) -> list[int]:
    rows = await session.scalars(
        select(Betrokkene.professional_id)
        .join(Professional, Professional.id == Betrokkene.professional_id)
        .where(
            Betrokkene.casus_id == casus_id,
            Betrokkene.rol == CASUSREGISSEUR,
            Betrokkene.tot.is_(None),
            Professional.actief,
        )
    )
    return list(rows.all())


async def _linked_of_organisatie(
    session: AsyncSession, casus_id: int, organisatie_id: int
) -> list[int]:
    """The professionals of an organisation who work on the casus now."""
    rows = await session.scalars(
        select(Betrokkene.professional_id)
        .join(Professional, Professional.id == Betrokkene.professional_id)
        .where(
            Betrokkene.casus_id == casus_id,
            Betrokkene.tot.is_(None),
            Betrokkene.rol.in_(EIGENAAR_ROLLEN),
            Professional.organisatie_id == organisatie_id,
            Professional.actief,
        )
        .distinct()
    )
    return list(rows.all())


class PlanAccess:
    """The plan of one casus, opened through the gate for one requester."""

    def __init__(
        self,
        session: AsyncSession,
        audit: AuditLog,
        casus: CasusAccess,
        overleg_id: int | None = None,
    ) -> None:
        self._session = session
        self._audit = audit
        self.casus = casus
        self._overleg_id = overleg_id

    @property
    def id(self) -> int:
        return self.casus.id

    @property
    def code(self) -> str:
        return self.casus.code

    @property
    def _me(self) -> int:
        return self.casus.requester.professional_id

    # --- reading ---------------------------------------------------------------------------

    async def view(self) -> PlanView:
        """The plan: in full for the linked (Need.PLAN, personal), scores and counts only for
        an adviser."""
        self.casus.require(Need.OVERZICHT)
        met_teksten = self.casus.allows(Need.PLAN)
        if met_teksten:
            self.casus.require(Need.PLAN)
        await self._log("plan.bekijken", "R", "met teksten" if met_teksten else "scores")
        acties = await self._acties(only_open=False) if met_teksten else []
        return PlanView(
            casus_id=self.id,
            code=self.code,
            status=self.casus.view.status,
            doelgroep=self.casus.view.doelgroep,
            leefgebieden=await self._scores(met_teksten),
            doelen=await self._doelen() if met_teksten else [],
            acties=acties,
            met_teksten=met_teksten,
            kan_doel=self.casus.allows(Need.DOEL),
            kan_leefgebied=self.casus.allows(Need.LEEFGEBIED),
            kan_actie=self.casus.allows(Need.ACTIE),
            kan_regie=self.casus.allows(Need.REGIE),
            **({} if met_teksten else await self._verborgen()),
        )

    async def _verborgen(self) -> dict[str, int]:
        """How many goals and actions an adviser does not see (lapsed ones not counted)."""
        stand = (await plan_stand(self._session, [self.id], dt.date.today()))[self.id]
        return {"verborgen_doelen": stand.doelen, "verborgen_acties": stand.acties}

    async def actie(self, actie_id: int) -> ActieView:
        self.casus.require(Need.PLAN)
        for actie in await self._acties(only_open=False, actie_id=actie_id):
            await self._log("actie.bekijken", "R", f"actie={actie_id}")
            return actie
        raise NotFound("actie")

    async def doel(self, doel_id: int) -> DoelView:
        self.casus.require(Need.PLAN)
        for doel in await self._doelen(doel_id):
            return doel
        raise NotFound("doel")

    async def eigenaren(self) -> list[EigenaarKeuze]:
        """Who can own an action: a professional who works on the casus, their organisation,
        or the resident."""
        rows = await self._session.execute(
            select(Professional.id, Professional.naam, Organisatie.id, Organisatie.naam)
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
        people, organisations = [], {}
        for pid, naam, oid, onaam in rows.all():
            people.append(EigenaarKeuze(f"p:{pid}", f"{naam} ({onaam})" if onaam else naam))
            if oid is not None:
                organisations[oid] = EigenaarKeuze(f"o:{oid}", f"Organisatie: {onaam}")
        return [*people, *organisations.values(), EigenaarKeuze("bewoner", "De bewoner zelf")]

    async def leefgebieden(self) -> list[LeefgebiedView]:
        rows = await self._session.scalars(
            select(Leefgebied).where(Leefgebied.actief).order_by(Leefgebied.volgorde)
        )
        return [LeefgebiedView(r.id, r.sleutel, r.naam) for r in rows.all()]

    async def eigenaar_ids(self, actie_id: int) -> list[int]:
        """Who owns an action now (a person, or the linked of an organisation)."""
        self.casus.require(Need.OVERZICHT)
        actie = await self._row(Actie, actie_id)
        if actie.eigenaar_soort == "professional" and actie.eigenaar_professional_id:
            return [actie.eigenaar_professional_id]
        if actie.eigenaar_soort == "organisatie" and actie.eigenaar_organisatie_id:
            return await _linked_of_organisatie(
                self._session, self.id, actie.eigenaar_organisatie_id
            )
        return []

    async def regisseurs(self) -> list[int]:
        self.casus.require(Need.OVERZICHT)
        return await _regisseurs(self._session, self.id)

    async def identifiers(self) -> list[str]:
        return await CasusRepository(self._session, self._audit).identifiers(self.id)

    # --- leefgebieden ------------------------------------------------------------------------

    async def set_leefgebied(
        self, leefgebied_id: int, probleem: str | None, score: int | None, vandaag: dt.date
    ) -> None:
        """The problem and/or today's score (or this overleg's) on one leefgebied."""
        self.casus.require(Need.LEEFGEBIED)
        self._open_casus()
        if await self._session.get(Leefgebied, leefgebied_id) is None:
            raise PlanRefused("leefgebied")
        if probleem is not None:
            await self._set_probleem(leefgebied_id, probleem)
        if score is not None:
            await self._set_score(leefgebied_id, score, vandaag)
        await self._session.flush()

    async def _set_probleem(self, leefgebied_id: int, probleem: str) -> None:
        row = await self._session.scalar(
            select(PlanProbleem).where(
                PlanProbleem.casus_id == self.id, PlanProbleem.leefgebied_id == leefgebied_id
            )
        )
        oud = row.probleem if row else None
        if oud == probleem:
            return
        if row is None:
            row = PlanProbleem(casus_id=self.id, leefgebied_id=leefgebied_id)
            self._session.add(row)
        row.probleem, row.gewijzigd_door_id, row.gewijzigd_at = probleem, self._me, utcnow()
        self._history("probleem", leefgebied_id, "probleem", oud, probleem)
        await self._log("plan.probleem", "U", f"leefgebied={leefgebied_id}")

    async def _set_score(self, leefgebied_id: int, score: int, vandaag: dt.date) -> None:
        if not 1 <= score <= 5:
            raise PlanRefused("score")
        moment = f"overleg:{self._overleg_id}" if self._overleg_id else f"datum:{vandaag}"
        row = await self._session.scalar(
            select(PlanScore).where(
                PlanScore.casus_id == self.id,
                PlanScore.leefgebied_id == leefgebied_id,
                PlanScore.moment == moment,
            )
        )
        oud = str(row.score) if row else None
        if row is None:
            row = PlanScore(
                casus_id=self.id,
                leefgebied_id=leefgebied_id,
                moment=moment,
                overleg_id=self._overleg_id,
                datum=vandaag,
            )
            self._session.add(row)
        row.score, row.gegeven_door_id, row.gegeven_at = score, self._me, utcnow()
        self._history("score", leefgebied_id, moment, oud, str(score))
        await self._log("plan.score", "U", f"leefgebied={leefgebied_id} score={score}")

    # --- goals -------------------------------------------------------------------------------

    async def add_doel(
        self, leefgebied_id: int | None, omschrijving: str, goed_genoeg_als: str
    ) -> int:
        """A new goal: a besluit (of the PGA-expert, or taken in an overleg)."""
        self.casus.require(Need.DOEL)
        self._open_casus()
        if leefgebied_id is not None and await self._session.get(Leefgebied, leefgebied_id) is None:
            raise PlanRefused("leefgebied")
        besluit = await self._besluit("doel_vastgesteld")
        doel = Doel(
            casus_id=self.id,
            leefgebied_id=leefgebied_id,
            omschrijving=omschrijving,
            goed_genoeg_als=goed_genoeg_als,
            status="open",
            besluit_id=besluit.id,
            versie=1,
            aangemaakt_door_id=self._me,
            aangemaakt_at=utcnow(),
        )
        self._session.add(doel)
        await self._session.flush()
        self._history("doel", doel.id, "toegevoegd", None, omschrijving)
        await self._log("plan.doel", "C", f"doel={doel.id} besluit={besluit.id}")
        return doel.id

    async def change_doel(
        self, doel_id: int, versie: int, *, omschrijving: str, goed_genoeg_als: str, status: str
    ) -> None:
        self.casus.require(Need.DOEL)
        self._open_casus()
        if status not in DOEL_STATUSES:
            raise PlanRefused("status")
        doel = await self._row(Doel, doel_id)
        if doel.versie != versie:
            raise Conflict("doel")
        changes = {
            "omschrijving": (doel.omschrijving, omschrijving),
            "goed_genoeg_als": (doel.goed_genoeg_als, goed_genoeg_als),
            "status": (doel.status, status),
        }
        changed = {k: v for k, v in changes.items() if v[0] != v[1]}
        if not changed:
            return
        await self._bump(Doel, doel_id, versie, {k: v[1] for k, v in changed.items()})
        besluit = await self._besluit("doel_gewijzigd")
        for wat, (oud, nieuw) in changed.items():
            self._history("doel", doel_id, wat, oud, nieuw)
        await self._log("plan.doel", "U", f"doel={doel_id} besluit={besluit.id}")

    # --- actions -------------------------------------------------------------------------------

    async def add_actie(
        self,
        *,
        beschrijving: str,
        eigenaar: str,
        deadline: dt.date,
        doel_id: int | None,
        vandaag: dt.date,
        regels: Herinneringsregels,
        afspraak_id: int | None = None,
        interventie: str | None = None,
    ) -> int:
        self.casus.require(Need.ACTIE)
        self._open_casus()
        self._check_deadline(deadline, vandaag)
        soort, professional_id, organisatie_id = await self._eigenaar(eigenaar)
        if doel_id is not None:
            await self._row(Doel, doel_id)
        actie = Actie(
            casus_id=self.id,
            doel_id=doel_id,
            beschrijving=beschrijving,
            eigenaar_soort=soort,
            eigenaar_professional_id=professional_id,
            eigenaar_organisatie_id=organisatie_id,
            deadline=deadline,
            status="open",
            afspraak_id=afspraak_id,
            interventie=interventie,
            versie=1,
            aangemaakt_door_id=self._me,
            aangemaakt_at=utcnow(),
        )
        self._session.add(actie)
        await self._session.flush()
        self._history("actie", actie.id, "toegevoegd", None, f"{eigenaar} {deadline}")
        await self._log(
            "plan.actie", "C", f"actie={actie.id} eigenaar={eigenaar} deadline={deadline}"
        )
        await schedule_reminders(self._session, actie.id, deadline, regels, utcnow())
        return actie.id

    async def change_actie(
        self,
        actie_id: int,
        versie: int,
        *,
        beschrijving: str,
        eigenaar: str,
        deadline: dt.date,
        status: str,
        reden: str | None,
        vandaag: dt.date,
        regels: Herinneringsregels,
        interventie: str | None = None,
    ) -> None:
        self.casus.require(Need.ACTIE)
        self._open_casus()
        actie = await self._row(Actie, actie_id)
        if actie.versie != versie:
            raise Conflict("actie")
        if status not in ACTIE_STATUSES:
            raise PlanRefused("status")
        if status == "vervallen" and not reden:
            raise PlanRefused("reden")
        if actie.status in ("afgerond", "vervallen") and status == actie.status:
            raise PlanRefused("al_" + actie.status)
        if deadline != actie.deadline:
            self._check_deadline(deadline, vandaag)
        soort, professional_id, organisatie_id = await self._eigenaar(eigenaar)
        values: dict[str, Any] = {
            "beschrijving": beschrijving,
            "eigenaar_soort": soort,
            "eigenaar_professional_id": professional_id,
            "eigenaar_organisatie_id": organisatie_id,
            "deadline": deadline,
            "status": status,
            "reden": reden if status == "vervallen" else None,
            "interventie": interventie,
        }
        if status == "afgerond":
            values["afgerond_at"] = utcnow()
        old = {key: getattr(actie, key) for key in values}
        changed = {k: v for k, v in values.items() if old[k] != v and k != "afgerond_at"}
        if not changed:
            return
        await self._bump(Actie, actie_id, versie, values)
        for wat, nieuw in changed.items():
            self._history("actie", actie_id, wat, _str(old[wat]), _str(nieuw))
        await self._log("plan.actie", "U", f"actie={actie_id} velden={','.join(sorted(changed))}")
        if status not in OPEN_STATUSES:
            await cancel_reminders(self._session, actie_id)
        elif "deadline" in changed or "status" in changed:
            await cancel_reminders(self._session, actie_id)
            await schedule_reminders(self._session, actie_id, deadline, regels, utcnow())

    async def complete(self, actie_id: int) -> ActieView:
        """Done, by its owner or the casusregisseur; pending reminders go."""
        self.casus.require(Need.ACTIE)
        self._open_casus()
        actie = await self._row(Actie, actie_id)
        await self._check_owner(actie)
        if actie.status not in OPEN_STATUSES:
            raise PlanRefused("al_" + actie.status)
        done = await self._session.execute(
            update(Actie)
            .where(Actie.id == actie_id, Actie.status.in_(OPEN_STATUSES))
            .values(status="afgerond", afgerond_at=utcnow(), versie=Actie.versie + 1)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise PlanRefused("al_afgerond")  # pressed twice at once: the other one won
        self._history("actie", actie_id, "status", actie.status, "afgerond")
        await self._log("plan.actie.afgerond", "U", f"actie={actie_id}")
        await cancel_reminders(self._session, actie_id)
        await self._session.refresh(actie)
        return await self.actie(actie_id)

    async def ask_uitstel(self, actie_id: int, tot: dt.date, reden: str, vandaag: dt.date) -> None:
        self.casus.require(Need.ACTIE)
        self._open_casus()
        actie = await self._row(Actie, actie_id)
        await self._check_owner(actie)
        if actie.status not in OPEN_STATUSES:
            raise PlanRefused("al_" + actie.status)
        if actie.uitstel_tot is not None:
            raise PlanRefused("uitstel_al_gevraagd")  # pressed again: the first one asked
        if tot <= actie.deadline or tot > vandaag + LATEST_DEADLINE:
            raise PlanRefused("uitstel_datum")
        asked = await self._session.execute(
            update(Actie)
            .where(Actie.id == actie_id, Actie.uitstel_tot.is_(None))
            .values(uitstel_tot=tot, uitstel_reden=reden, versie=Actie.versie + 1)
            .execution_options(synchronize_session=False)
        )
        if asked.rowcount != 1:  # type: ignore[attr-defined]
            raise PlanRefused("uitstel_al_gevraagd")  # at the same moment, in another turn
        await self._session.refresh(actie)
        self._history("actie", actie_id, "uitstel_gevraagd", str(actie.deadline), str(tot))
        await self._log("plan.uitstel.vragen", "U", f"actie={actie_id} tot={tot}")

    async def decide_uitstel(
        self, actie_id: int, akkoord: bool, regels: Herinneringsregels
    ) -> None:
        """Only the casusregisseur approves or refuses uitstel."""
        self.casus.require(Need.REGIE)
        self._open_casus()
        actie = await self._row(Actie, actie_id)
        if actie.uitstel_tot is None:
            raise PlanRefused("geen_uitstel")
        tot = actie.uitstel_tot
        decided = await self._session.execute(
            update(Actie)
            .where(Actie.id == actie_id, Actie.uitstel_tot == tot)
            .values(
                uitstel_tot=None,
                uitstel_reden=None,
                deadline=tot if akkoord else actie.deadline,
                versie=Actie.versie + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if decided.rowcount != 1:  # type: ignore[attr-defined]
            raise PlanRefused("geen_uitstel")  # decided at the same moment, in another turn
        if akkoord:
            self._history("actie", actie_id, "deadline", str(actie.deadline), str(tot))
        self._history("actie", actie_id, "uitstel", str(tot), "akkoord" if akkoord else "geweigerd")
        await self._session.refresh(actie)
        await self._log("plan.uitstel.besluit", "U", f"actie={actie_id} akkoord={akkoord}")
        if akkoord and actie.status in OPEN_STATUSES:
            await cancel_reminders(self._session, actie_id)
            await schedule_reminders(self._session, actie_id, tot, regels, utcnow())

    async def escalate(self) -> list[int]:
        """The casusregisseur calls in the procesregisseur: the PGA-experts of the gemeente
        (they help; the casusregie stays where it is)."""
        self.casus.require(Need.REGIE)
        self._open_casus()
        casus = await self._session.get(Casus, self.id)
        assert casus is not None
        self._history("casus", self.id, "procesregisseur_ingeschakeld", None, None)
        await self._log("plan.escalatie", "E", "procesregisseur inschakelen")
        rows = await self._session.scalars(
            select(PgaExpert.professional_id)
            .join(Professional, Professional.id == PgaExpert.professional_id)
            .where(PgaExpert.gemeente_id == casus.gemeente_id, Professional.actief)
        )
        return list(rows.all())

    async def uitstel_reden(self, actie_id: int) -> tuple[dt.date | None, str | None]:
        self.casus.require(Need.PLAN)
        actie = await self._row(Actie, actie_id)
        return actie.uitstel_tot, actie.uitstel_reden

    # --- helpers -----------------------------------------------------------------------------

    def _open_casus(self) -> None:
        if self.casus.view.status in CLOSED_STATUSES:
            raise PlanRefused("gesloten")

    @staticmethod
    def _check_deadline(deadline: dt.date, vandaag: dt.date) -> None:
        if deadline < vandaag:
            raise PlanRefused("deadline_voorbij")
        if deadline > vandaag + LATEST_DEADLINE:
            raise PlanRefused("deadline_ver")

    async def _eigenaar(self, waarde: str) -> tuple[str, int | None, int | None]:
        """(soort, professional, organisatie) of an owner choice, if it may own an action
        on this casus now."""
        allowed = {keuze.waarde for keuze in await self.eigenaren()}
        if waarde not in allowed:
            raise PlanRefused("eigenaar")
        if waarde == "bewoner":
            return "bewoner", None, None
        kind, _, number = waarde.partition(":")
        return (
            ("professional", int(number), None)
            if kind == "p"
            else ("organisatie", None, int(number))
        )

    async def _check_owner(self, actie: Actie) -> None:
        """A card forwarded to or pressed by someone else changes nothing."""
        if not await self._owns(actie) and CASUSREGISSEUR not in self.casus.roles:
            raise PlanRefused("niet_eigenaar")

    async def _owns(self, actie: Actie) -> bool:
        if actie.eigenaar_soort == "professional":
            return actie.eigenaar_professional_id == self._me
        if actie.eigenaar_soort == "organisatie" and actie.eigenaar_organisatie_id:
            linked = await _linked_of_organisatie(
                self._session, self.id, actie.eigenaar_organisatie_id
            )
            return self._me in linked
        return False  # the resident's: the casusregisseur acts for it

    async def _row(self, model: Any, row_id: int) -> Any:
        row = await self._session.get(model, row_id, populate_existing=True)
        if row is None or row.casus_id != self.id:
            raise NotFound(model.__tablename__)
        return row

    async def _bump(self, model: Any, row_id: int, versie: int, values: dict[str, Any]) -> None:
        """Write one row only if nobody changed it since it was read (`versie`)."""
        result = await self._session.execute(
            update(model)
            .where(model.id == row_id, model.versie == versie)
            .values(**values, versie=versie + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(model.__tablename__)

    async def _besluit(self, uitkomst: str) -> Besluit:
        besluit = Besluit(
            casus_id=self.id,
            soort="plan",
            uitkomst=uitkomst,
            details={},
            overleg_id=self._overleg_id,
            genomen_door_id=self._me,
            genomen_at=utcnow(),
        )
        self._session.add(besluit)
        await self._session.flush()
        return besluit

    def _history(
        self, onderwerp: str, onderwerp_id: int | None, wat: str, oud: str | None, nieuw: str | None
    ) -> None:
        self._session.add(
            PlanWijziging(
                casus_id=self.id,
                onderwerp=onderwerp,
                onderwerp_id=onderwerp_id,
                wat=wat,
                oud=oud,
                nieuw=nieuw,
                door_id=self._me,
                at=utcnow(),
            )
        )

    async def _log(self, event: str, action: str, details: str) -> None:
        casus = await self._session.get(Casus, self.id)
        self._audit.record(
            event,
            action,
            self.casus.requester,
            casus=casus,
            role=self.casus.main_role,
            details=details,
        )

    async def history(self) -> list[tuple[dt.datetime, str, str, str]]:
        """(when, who, subject, what) — no old or new text: the card shows who did what."""
        self.casus.require(Need.PLAN)
        rows = await self._session.execute(
            select(PlanWijziging.at, Professional.naam, PlanWijziging.onderwerp, PlanWijziging.wat)
            .outerjoin(Professional, Professional.id == PlanWijziging.door_id)
            .where(PlanWijziging.casus_id == self.id)
            .order_by(PlanWijziging.id.desc())
            .limit(20)
        )
        return [(at, naam or "", onderwerp, wat) for at, naam, onderwerp, wat in rows.all()]

    async def _scores(self, met_teksten: bool) -> list[ScoreRegel]:
        gebieden = await self._session.execute(
            select(Leefgebied.id, Leefgebied.sleutel, Leefgebied.naam).order_by(Leefgebied.volgorde)
        )
        problemen = dict(
            (
                await self._session.execute(
                    select(PlanProbleem.leefgebied_id, PlanProbleem.probleem).where(
                        PlanProbleem.casus_id == self.id
                    )
                )
            ).all()
        )
        scores: dict[int, list[int]] = {}
        for leefgebied_id, score in (
            await self._session.execute(
                select(PlanScore.leefgebied_id, PlanScore.score)
                .where(PlanScore.casus_id == self.id)
                .order_by(PlanScore.datum, PlanScore.id)
            )
        ).all():
            scores.setdefault(leefgebied_id, []).append(score)
        return [
            ScoreRegel(
                sleutel=sleutel,
                leefgebied=naam,
                probleem=problemen.get(lid) if met_teksten else None,
                start=scores[lid][0] if lid in scores else None,
                nu=scores[lid][-1] if lid in scores else None,
                scores=len(scores.get(lid, [])),
            )
            for lid, sleutel, naam in gebieden.all()
            if lid in problemen or lid in scores
        ]

    async def _doelen(self, doel_id: int | None = None) -> list[DoelView]:
        query = (
            select(Doel, Leefgebied.naam)
            .outerjoin(Leefgebied, Leefgebied.id == Doel.leefgebied_id)
            .where(Doel.casus_id == self.id)
            .order_by(Doel.id)
        )
        if doel_id is not None:
            query = query.where(Doel.id == doel_id)
        rows = await self._session.execute(query.execution_options(populate_existing=True))
        return [
            DoelView(d.id, naam, d.omschrijving, d.goed_genoeg_als, d.status, d.versie)
            for d, naam in rows.all()
        ]

    async def _acties(self, *, only_open: bool, actie_id: int | None = None) -> list[ActieView]:
        query = (
            select(Actie, Professional.naam, Organisatie.naam)
            .outerjoin(Professional, Professional.id == Actie.eigenaar_professional_id)
            .outerjoin(Organisatie, Organisatie.id == Actie.eigenaar_organisatie_id)
            .where(Actie.casus_id == self.id)
            .order_by(Actie.deadline, Actie.id)
        )
        if only_open:
            query = query.where(Actie.status.in_(OPEN_STATUSES))
        if actie_id is not None:
            query = query.where(Actie.id == actie_id)
        rows = (await self._session.execute(query.execution_options(populate_existing=True))).all()
        regisseur = CASUSREGISSEUR in self.casus.roles
        result = []
        for actie, persoon, organisatie in rows:
            owns = await self._owns(actie)
            result.append(
                ActieView(
                    id=actie.id,
                    casus_id=self.id,
                    code=self.code,
                    beschrijving=actie.beschrijving,
                    eigenaar=persoon or organisatie or "De bewoner",
                    eigenaar_waarde=_eigenaar_waarde(actie),
                    deadline=actie.deadline,
                    status=actie.status,
                    reden=actie.reden,
                    doel_id=actie.doel_id,
                    interventie=actie.interventie,
                    uitstel_tot=actie.uitstel_tot,
                    versie=actie.versie,
                    mag_afronden=owns or regisseur,
                    is_regisseur=regisseur,
                )
            )
        return result


def _eigenaar_waarde(actie: Actie) -> str:
    if actie.eigenaar_soort == "professional":
        return f"p:{actie.eigenaar_professional_id}"
    if actie.eigenaar_soort == "organisatie":
        return f"o:{actie.eigenaar_organisatie_id}"
    return "bewoner"


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


# --- reminders as scheduled work ---------------------------------------------------------------


def _keys(actie_id: int) -> list[str]:
    return [f"{actie_id}:{soort}" for soort in SOORTEN]


async def schedule_reminders(
    session: AsyncSession,
    actie_id: int,
    deadline: dt.date,
    regels: Herinneringsregels,
    now: dt.datetime,
) -> None:
    """One `taak` row per reminder still ahead; one already past is not sent late (the
    'on the day' reminder of an action due today still goes, as does everything after it)."""
    from store.jobs import JobRepository

    jobs = JobRepository(session)
    times = reminder_times(deadline, regels)
    for soort, due in times.items():
        if soort == VOOR and due <= now:
            continue
        await jobs.schedule(
            HERINNERING,
            max(due, now),
            sleutel=f"{actie_id}:{soort}",
            data={"actie": actie_id, "soort": soort},
        )


def reminder_plek(actie_id: int, soort: str) -> str:
    """The outbox key of a reminder message, so one still unsent can be withdrawn."""
    return f"{reminder_plek_prefix(actie_id)}{soort}"


def reminder_plek_prefix(actie_id: int) -> str:
    return f"actie:{actie_id}:"


async def cancel_reminders(session: AsyncSession, actie_id: int) -> None:
    """Pending reminders of an action go (done, lapsed, moved), also those already written
    to the outbox but not yet sent: a reminder must not arrive after the action is done.
    One being sent right now is re-checked by its job (the action is no longer open)."""
    await session.execute(
        delete(Taak).where(Taak.soort == HERINNERING, Taak.sleutel.in_(_keys(actie_id)))
    )
    await session.execute(unsent_under(reminder_plek_prefix(actie_id)))


@dataclass(frozen=True)
class PlanStand:
    """Where the plan of a casus stands, for the agenda's suggestions: counts only."""

    doelen: int
    acties: int
    te_laat: int  # open actions past their deadline

    @property
    def ontbreekt(self) -> str | None:
        """What the plan lacks: "plan" (neither goals nor actions), "doelen" or "acties"."""
        if not self.doelen and not self.acties:
            return "plan"
        if not self.doelen:
            return "doelen"
        return None if self.acties else "acties"


async def plan_stand(
    session: AsyncSession, casus_ids: Sequence[int], vandaag: dt.date
) -> dict[int, PlanStand]:
    """Per casus: how many goals and actions (lapsed ones not counted) and how many open
    actions are past their deadline; two grouped queries for a whole agenda."""
    doelen = dict(
        (
            await session.execute(
                select(Doel.casus_id, func.count())
                .where(Doel.casus_id.in_(list(casus_ids)), Doel.status != "vervallen")
                .group_by(Doel.casus_id)
            )
        ).all()
    )
    te_laat = case((Actie.status.in_(OPEN_STATUSES) & (Actie.deadline < vandaag), 1), else_=0)
    acties = {
        casus_id: (int(aantal), int(laat or 0))
        for casus_id, aantal, laat in (
            await session.execute(
                select(Actie.casus_id, func.count(), func.sum(te_laat))
                .where(Actie.casus_id.in_(list(casus_ids)), Actie.status != "vervallen")
                .group_by(Actie.casus_id)
            )
        ).all()
    }
    return {
        casus_id: PlanStand(doelen.get(casus_id, 0), *acties.get(casus_id, (0, 0)))
        for casus_id in casus_ids
    }


async def plan_voor_inzage(
    session: AsyncSession, audit: AuditLog, casus: CasusAccess
) -> tuple[list[ScoreRegel], list[DoelView], list[ActieView]]:
    """The whole plan as typed, for the resident's inzage (the caller passed
    `Need.INZAGE`): leefgebieden with problem and scores, goals, every action."""
    plan = PlanAccess(session, audit, casus)
    return (
        await plan._scores(met_teksten=True),
        await plan._doelen(),
        await plan._acties(only_open=False),
    )


async def count_open_actions(session: AsyncSession, casus_id: int) -> int:
    """How many actions of a casus are still open or in progress (the afsluit card)."""
    found = await session.scalars(
        select(Actie.id).where(Actie.casus_id == casus_id, Actie.status.in_(OPEN_STATUSES))
    )
    return len(found.all())


async def lapse_open_actions(
    session: AsyncSession, casus_id: int, reden: str, door_id: int
) -> list[int]:
    """At closing (#13): every open action of the casus lapses with `reden`, in the plan's
    history like any change, and its pending reminders go. The gate was passed by the
    caller (`Need.AFSLUITEN`); the plan's own methods refuse a closed casus, hence a
    function here rather than `PlanAccess.change_actie`."""
    acties = (
        await session.scalars(
            select(Actie).where(Actie.casus_id == casus_id, Actie.status.in_(OPEN_STATUSES))
        )
    ).all()
    now = utcnow()
    for actie in acties:
        session.add(
            PlanWijziging(
                casus_id=casus_id,
                onderwerp="actie",
                onderwerp_id=actie.id,
                wat="status",
                oud=actie.status,
                nieuw="vervallen",
                door_id=door_id,
                at=now,
            )
        )
        actie.status, actie.reden = "vervallen", reden
        actie.uitstel_tot, actie.uitstel_reden = None, None
        actie.versie += 1
        await cancel_reminders(session, actie.id)
    await session.flush()
    return [actie.id for actie in acties]


async def reminders_due_now(
    session: AsyncSession,
    casus_ids: Sequence[int],
    now: dt.datetime,
    regels: Herinneringsregels,
) -> int:
    """Local mode: one reminder per open action of these casussen due now, of the kind whose
    words are true today (not every pending one: "vandaag is de deadline" for an action due
    in two days would be false). Its later reminders keep their own moments."""
    from store.jobs import JobRepository

    vandaag = now.astimezone(AMSTERDAM).date()
    acties = (
        await session.execute(
            select(Actie.id, Actie.deadline).where(
                Actie.casus_id.in_(casus_ids), Actie.status.in_(OPEN_STATUSES)
            )
        )
    ).all()
    jobs = JobRepository(session)
    for actie_id, deadline in acties:
        soort = stage_true_on(vandaag, deadline, regels)
        sleutel = f"{actie_id}:{soort}"
        await jobs.schedule(
            HERINNERING, now, sleutel=sleutel, data={"actie": actie_id, "soort": soort}
        )
        await session.execute(
            update(Taak)
            .where(Taak.soort == HERINNERING, Taak.sleutel == sleutel)
            .values(due_at=now, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
    return len(acties)


def stage_true_on(vandaag: dt.date, deadline: dt.date, regels: Herinneringsregels) -> str:
    """The reminder whose words fit `vandaag`: before, on the day, overdue or escalated."""
    if deadline > vandaag:
        return VOOR
    if deadline == vandaag:
        return DAG
    return ESCALATIE if (vandaag - deadline).days > regels.escalatie_na else TE_LAAT


async def afspraak_to_actie(
    session: AsyncSession,
    audit: AuditLog,
    afspraak: Afspraak,
    regels: Herinneringsregels | None = None,
) -> int:
    """An afspraak recorded in an overleg becomes an action of the plan (once), owned by the
    professional it names, with its deadline and reminders. Called inside the transaction
    that records the afspraak, by the store method that was already allowed to record it."""
    existing = await session.scalar(select(Actie.id).where(Actie.afspraak_id == afspraak.id))
    if existing is not None:
        return existing
    actie = Actie(
        casus_id=afspraak.casus_id,
        beschrijving=afspraak.beschrijving,
        eigenaar_soort="professional",
        eigenaar_professional_id=afspraak.eigenaar_id,
        deadline=afspraak.deadline,
        status="open",
        afspraak_id=afspraak.id,
        versie=1,
        aangemaakt_door_id=afspraak.vastgelegd_door_id,
        aangemaakt_at=utcnow(),
    )
    session.add(actie)
    await session.flush()
    session.add(
        PlanWijziging(
            casus_id=afspraak.casus_id,
            onderwerp="actie",
            onderwerp_id=actie.id,
            wat="uit_afspraak",
            nieuw=f"afspraak={afspraak.id}",
            door_id=afspraak.vastgelegd_door_id,
            at=utcnow(),
        )
    )
    await schedule_reminders(
        session, actie.id, afspraak.deadline, regels or Herinneringsregels(), utcnow()
    )
    return actie.id


def retention_statements(casus_id: int, removed: str) -> list[Any]:
    """What retention does to the plan of a closed casus (store/casus.py calls this)."""
    acties = select(Actie.id).where(Actie.casus_id == casus_id)
    return [
        update(PlanProbleem).where(PlanProbleem.casus_id == casus_id).values(probleem=None),
        update(Doel)
        .where(Doel.casus_id == casus_id)
        .values(omschrijving=removed, goed_genoeg_als=removed),
        update(Actie)
        .where(Actie.casus_id == casus_id)
        .values(beschrijving=removed, reden=None, uitstel_reden=None),
        update(PlanWijziging)
        .where(PlanWijziging.casus_id == casus_id)
        .values(oud=None, nieuw=None),
        delete(Taak)
        .where(
            Taak.soort == HERINNERING,
            Taak.data["actie"].as_integer().in_(acties),
        )
        .execution_options(synchronize_session=False),
    ]
