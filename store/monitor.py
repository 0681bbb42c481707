"""The PGA-monitor's figures per period (#13): caseload, lead times and outcomes of
afsluiting, by code only. Everything it reads survives retention (codes, statuses, dates)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import BEHEERDER, PeopleNeed, Requester
from store.audit import AuditLog
from store.models import Afsluiting, Besluit, Casus, Gemeente, Startgesprek
from store.people import PeopleRepository


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


class MonitorRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog, people: PeopleRepository) -> None:
        self._session = session
        self._audit = audit
        self._people = people

    async def figures(self, requester: Requester, van: dt.date, tot: dt.date) -> MonitorView:
        """The figures of the gemeenten the requester may see: a beheerder all, a PGA-expert
        their own. Refused (and logged) for anyone else."""
        roles = await self._people.authorise(requester, PeopleNeed.MONITOR)
        gemeenten = await self._gemeenten(requester, BEHEERDER in roles)
        start, end = _utc(van), _utc(tot + dt.timedelta(days=1))
        regels = await self._regels(gemeenten, end)
        self._audit.record(
            str(PeopleNeed.MONITOR), "R", requester, details=f"{van}..{tot} codes en aantallen"
        )
        return _view(van, tot, sorted(gemeenten.values()), regels, start, end)

    async def _gemeenten(self, requester: Requester, all_of_them: bool) -> dict[int, str]:
        query = select(Gemeente.id, Gemeente.naam)
        if not all_of_them:
            ids = await self._people.pga_gemeente_ids(requester.professional_id)
            query = query.where(Gemeente.id.in_(ids))
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
        """When each casus got its first plan van aanpak. A hook for the lead to extend at
        merge with #11 (e.g. the first besluit 'plan vastgesteld'); none until then."""
        del casus_ids
        return {}


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
