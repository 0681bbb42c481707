"""The PGA-monitor's figures per period (#13): caseload, lead times, actions done on time,
movement of leefgebied scores between start and close, and outcomes of afsluiting, by code
only. Everything it reads survives retention (codes, statuses, dates, scores)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import PeopleNeed, Requester
from store.audit import AuditLog
from store.models import (
    Actie,
    Afsluiting,
    Besluit,
    Casus,
    Doel,
    Gemeente,
    Leefgebied,
    PlanScore,
    Startgesprek,
    utcnow,
)
from store.people import PeopleRepository

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class MonitorRegel:
    """One casus in the period: its code, dates and outcome, nothing identifying."""

    code: str
    gemeente: str
    aangemeld: dt.date
    status: str
    triage: str | None
    dagen_tot_triage: int | None
    dagen_tot_startgesprek: int | None
    dagen_tot_plan: int | None
    dagen_tot_afsluiting: int | None
    afsluit_reden: str | None
    eindgesprek_gehouden: bool | None
    acties_op_tijd: int = 0  # done by their deadline, of those due in the period
    acties_verwacht: int = 0


@dataclass(frozen=True)
class ScoreBeweging:
    """One leefgebied over the casussen closed in the period: the mean first score and the
    mean last one before closing, of the casussen scored at least twice on it."""

    leefgebied: str
    casussen: int
    start: float
    afsluiting: float


@dataclass(frozen=True)
class MonitorView:
    van: dt.date
    tot: dt.date  # inclusive
    gemeenten: Sequence[str]
    caseload: dict[str, int]  # aanmeldingen, opgenomen, afgewezen, doorverwezen, lopend, afgesloten
    doorlooptijden: dict[str, float | None]  # median days: triage, startgesprek, plan, afsluiting
    uitkomsten: dict[str, int]  # per afsluit reden
    eindgesprekken: tuple[int, int]  # held, of closed in the period
    regels: Sequence[MonitorRegel]
    # Actions with a deadline in the period (that passed, or done): done by it, of all.
    acties_op_tijd: tuple[int, int] = (0, 0)
    scores: Sequence[ScoreBeweging] = ()


class MonitorRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog, people: PeopleRepository) -> None:
        self._session = session
        self._audit = audit
        self._people = people

    async def figures(self, requester: Requester, van: dt.date, tot: dt.date) -> MonitorView:
        """The figures of the gemeenten the requester may see: a beheerder all, a PGA-expert
        their own. Refused (and logged) for anyone else."""
        await self._people.authorise(requester, PeopleNeed.MONITOR)
        gemeenten = await self._gemeenten(requester)
        start, end = _utc(van), _utc(tot + dt.timedelta(days=1))
        regels = await self._regels(gemeenten, end)
        self._audit.record(
            str(PeopleNeed.MONITOR), "R", requester, details=f"{van}..{tot} codes en aantallen"
        )
        view = _view(van, tot, sorted(gemeenten.values()), regels, start, end)
        op_tijd = await self._acties_op_tijd([c.casus.id for c in regels], van, tot)
        per_code = {c.casus.code: op_tijd.get(c.casus.id, (0, 0)) for c in regels}
        closed: dict[int, dt.datetime] = {}
        for c in regels:
            gesloten = c.gesloten
            if gesloten is not None and start <= gesloten < end:
                closed[c.casus.id] = gesloten
        return replace(
            view,
            regels=[
                replace(r, acties_op_tijd=per_code[r.code][0], acties_verwacht=per_code[r.code][1])
                for r in view.regels
            ],
            acties_op_tijd=(
                sum(done for done, _ in op_tijd.values()),
                sum(due for _, due in op_tijd.values()),
            ),
            scores=await self._score_bewegingen(closed),
        )

    async def _acties_op_tijd(
        self, casus_ids: Sequence[int], van: dt.date, tot: dt.date
    ) -> dict[int, tuple[int, int]]:
        """Per casus: (done by the deadline, due) of its actions with a deadline in the
        period that is past or done. A lapsed action counts for neither: it was not due."""
        vandaag = utcnow().astimezone(AMSTERDAM).date()
        rows = await self._session.execute(
            select(Actie.casus_id, Actie.deadline, Actie.status, Actie.afgerond_at).where(
                Actie.casus_id.in_(list(casus_ids)),
                Actie.deadline >= van,
                Actie.deadline <= tot,
                Actie.status != "vervallen",
            )
        )
        result: dict[int, tuple[int, int]] = {}
        for casus_id, deadline, status, afgerond_at in rows.all():
            done = afgerond_at if status == "afgerond" else None
            if done is None and deadline >= vandaag:
                continue  # not yet due
            on_time = done is not None and _aware(done).astimezone(AMSTERDAM).date() <= deadline
            ok, due = result.get(casus_id, (0, 0))
            result[casus_id] = (ok + int(on_time), due + 1)
        return result

    async def _score_bewegingen(self, closed: dict[int, dt.datetime]) -> list[ScoreBeweging]:
        """The first and last score per leefgebied of each casus closed in the period (up to
        its closing day), averaged per leefgebied over the casussen scored twice or more."""
        rows = await self._session.execute(
            select(PlanScore.casus_id, Leefgebied.naam, PlanScore.score, PlanScore.datum)
            .join(Leefgebied, Leefgebied.id == PlanScore.leefgebied_id)
            .where(PlanScore.casus_id.in_(list(closed)))
            .order_by(Leefgebied.volgorde, PlanScore.casus_id, PlanScore.datum, PlanScore.id)
        )
        reeksen: dict[str, dict[int, list[int]]] = {}
        for casus_id, naam, score, datum in rows.all():
            if datum <= closed[casus_id].astimezone(AMSTERDAM).date():
                reeksen.setdefault(naam, {}).setdefault(casus_id, []).append(score)
        result = []
        for naam, per_casus in reeksen.items():
            paren = [(r[0], r[-1]) for r in per_casus.values() if len(r) > 1]
            if paren:
                result.append(
                    ScoreBeweging(
                        naam,
                        len(paren),
                        statistics.mean(start for start, _ in paren),
                        statistics.mean(eind for _, eind in paren),
                    )
                )
        return result

    async def _gemeenten(self, requester: Requester) -> dict[int, str]:
        """The installation beheerder sees every gemeente; a gemeente beheerder or PGA-expert
        only their own (#26)."""
        ids = await self._people.gemeenten_for(requester, PeopleNeed.MONITOR)
        query = select(Gemeente.id, Gemeente.naam).where(Gemeente.id.in_(ids))
        return {gid: naam for gid, naam in (await self._session.execute(query)).all()}

    async def _regels(self, gemeenten: dict[int, str], end: dt.datetime) -> list[_Casus]:
        cases = (
            await self._session.scalars(
                select(Casus)
                .where(Casus.gemeente_id.in_(gemeenten), Casus.created_at < end)
                .order_by(Casus.created_at, Casus.id)
            )
        ).all()
        ids = [c.id for c in cases]
        triage: dict[int, Besluit] = {}
        for besluit in await self._session.scalars(
            select(Besluit)
            .where(Besluit.casus_id.in_(ids), Besluit.soort == "triage")
            .order_by(Besluit.id)
        ):
            triage.setdefault(besluit.casus_id, besluit)
        gesprekken = {
            g.casus_id: g
            for g in await self._session.scalars(
                select(Startgesprek).where(Startgesprek.casus_id.in_(ids))
            )
        }
        plannen = await self.plan_dates(ids)
        afsluitingen = {
            a.casus_id: a
            for a in await self._session.scalars(
                select(Afsluiting)
                .where(Afsluiting.casus_id.in_(ids), Afsluiting.heropend_at.is_(None))
                .order_by(Afsluiting.id)
            )
        }
        return [
            _Casus(
                c,
                gemeenten[c.gemeente_id],
                triage.get(c.id),
                gesprekken.get(c.id),
                afsluitingen.get(c.id),
                plannen.get(c.id),
            )
            for c in cases
        ]

    async def plan_dates(self, casus_ids: Sequence[int]) -> dict[int, dt.datetime]:
        """When each casus got its plan van aanpak: its first goal (a besluit, store/plan.py
        `add_doel`). Goals outlive retention (their text goes, the row stays)."""
        rows = await self._session.execute(
            select(Doel.casus_id, func.min(Doel.aangemaakt_at))
            .where(Doel.casus_id.in_(list(casus_ids)))
            .group_by(Doel.casus_id)
        )
        return {casus_id: first for casus_id, first in rows.all() if first is not None}


@dataclass(frozen=True)
class _Casus:
    casus: Casus
    gemeente: str
    triage: Besluit | None
    gesprek: Startgesprek | None
    afsluiting: Afsluiting | None
    plan_at: dt.datetime | None = None

    @property
    def aangemeld(self) -> dt.datetime:
        return _aware(self.casus.created_at)

    @property
    def triaged(self) -> dt.datetime | None:
        return _aware(self.triage.genomen_at) if self.triage else None

    @property
    def gesprek_op(self) -> dt.datetime | None:
        held = self.gesprek and self.gesprek.status == "gehouden" and self.gesprek.gepland_op
        return _aware(self.gesprek.gepland_op) if held and self.gesprek else None  # type: ignore[arg-type]

    @property
    def plan(self) -> dt.datetime | None:
        return _aware(self.plan_at) if self.plan_at else None

    @property
    def gesloten(self) -> dt.datetime | None:
        return _aware(self.afsluiting.afgesloten_at) if self.afsluiting else None

    def regel(self) -> MonitorRegel:
        return MonitorRegel(
            code=self.casus.code,
            gemeente=self.gemeente,
            aangemeld=self.aangemeld.date(),
            status=self.casus.status,
            triage=self.triage.uitkomst if self.triage else None,
            dagen_tot_triage=_days(self.aangemeld, self.triaged),
            dagen_tot_startgesprek=_days(self.aangemeld, self.gesprek_op),
            dagen_tot_plan=_days(self.aangemeld, self.plan),
            dagen_tot_afsluiting=_days(self.aangemeld, self.gesloten),
            afsluit_reden=self.afsluiting.reden if self.afsluiting else None,
            eindgesprek_gehouden=self.afsluiting.eindgesprek_gehouden if self.afsluiting else None,
        )


def _view(
    van: dt.date,
    tot: dt.date,
    gemeenten: list[str],
    cases: list[_Casus],
    start: dt.datetime,
    end: dt.datetime,
) -> MonitorView:
    def within(moment: dt.datetime | None) -> bool:
        return moment is not None and start <= moment < end

    triaged = [c for c in cases if within(c.triaged)]
    uitkomst = Counter(c.triage.uitkomst for c in triaged if c.triage)
    closed = [c for c in cases if within(c.gesloten)]
    lopend = [
        c
        for c in cases
        if c.triage
        and c.triage.uitkomst == "opnemen"
        and (c.triaged or end) < end
        and (c.gesloten is None or c.gesloten >= end)
    ]
    in_period = [c for c in cases if within(c.aangemeld) or within(c.triaged) or within(c.gesloten)]
    return MonitorView(
        van=van,
        tot=tot,
        gemeenten=gemeenten,
        caseload={
            "aanmeldingen": sum(1 for c in cases if within(c.aangemeld)),
            "opgenomen": uitkomst["opnemen"],
            "afgewezen": uitkomst["afwijzen"],
            "doorverwezen": uitkomst["doorverwijzen"] + uitkomst["al_besproken"],
            "lopend": len(lopend),
            "afgesloten": len(closed),
        },
        doorlooptijden={
            "triage": _median([_days(c.aangemeld, c.triaged) for c in triaged]),
            "startgesprek": _median(
                [_days(c.aangemeld, c.gesprek_op) for c in cases if within(c.gesprek_op)]
            ),
            "plan": _median([_days(c.aangemeld, c.plan) for c in cases if within(c.plan)]),
            "afsluiting": _median([_days(c.aangemeld, c.gesloten) for c in closed]),
        },
        uitkomsten=dict(Counter(c.afsluiting.reden for c in closed if c.afsluiting)),
        eindgesprekken=(
            sum(1 for c in closed if c.afsluiting and c.afsluiting.eindgesprek_gehouden),
            len(closed),
        ),
        regels=[c.regel() for c in in_period],
    )


def _days(start: dt.datetime, end: dt.datetime | None) -> int | None:
    return (end - start).days if end is not None else None


def _median(values: list[int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _utc(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(), ZoneInfo("Europe/Amsterdam")).astimezone(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
