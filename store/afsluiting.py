"""Afsluiting and the resident's rights, as methods of an opened casus (CasusAccess).

Closing ends every link but the PGA-expert's, reopening is a besluit within a term, a
correction keeps the original beside it, and the inzage gathers what is recorded and who saw
it. Each method names the need it serves; `CasusAccess` (store/casus.py) inherits them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.orm import aliased

from store.access import PGA_EXPERT, Need, NotFound
from store.models import (
    Aanmelding,
    Afsluiting,
    AuditEvent,
    Besluit,
    Betrokkene,
    Casus,
    Correctie,
    Organisatie,
    Persoonsgegevens,
    Professional,
    utcnow,
)
from store.privacy import name_key
from store.reference import AFSLUIT_REDENEN

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from store.access import Requester
    from store.audit import AuditLog
    from store.casus import CasusAccess
    from store.plan import ActieView, DoelView, ScoreRegel
    from store.views import BesluitView

# What the PGA-expert may correct, and how a typed value is stored.
CORRIGEERBAAR = ("naam", "geboortedatum", "woonplaats", "aanmelding_reden")
LINK_ENDED_AT_CLOSING = "Casus afgesloten"


@dataclass(frozen=True)
class AfsluitGegevens:
    reden: str  # doelen_behaald, afschalen, opschalen, gestopt
    toelichting: str | None
    overdracht_aan: str | None
    overdracht_wat: str | None
    overdracht_op: dt.date | None
    eindgesprek_gehouden: bool
    eindgesprek_op: dt.date | None
    feedback_bewoner: str | None
    goed_ging: str | None
    beter_kan: str | None


@dataclass(frozen=True)
class AfsluitingView:
    reden: str
    afgesloten_at: dt.datetime
    heropend_at: dt.datetime | None
    gegevens: AfsluitGegevens


@dataclass(frozen=True)
class CorrectieView:
    veld: str
    oud: str | None
    nieuw: str | None
    reden: str
    door: str
    at: dt.datetime


@dataclass(frozen=True)
class KoppelingRegel:
    """A link as the inzage shows it: who, for what, on which basis, from when to when."""

    professional: str
    organisatie: str | None
    rol: str
    doel: str
    grondslag: str
    uitzondering: str | None
    beroepsgeheim: str | None
    sinds: dt.datetime
    tot: dt.datetime | None


@dataclass(frozen=True)
class ToegangRegel:
    """One entry of the access log (NEN 7513: who, organisation, what, when)."""

    at: dt.datetime
    professional: str
    organisatie: str | None
    rol: str | None
    event: str
    action: str


@dataclass(frozen=True)
class InzageView:
    code: str
    naam: str
    geboortedatum: dt.date
    woonplaats: str
    adres: str | None
    postcode: str | None
    aangemeld_at: dt.datetime
    aanmelding_reden: str
    leefgebieden: Sequence[str]
    criteria: Sequence[str]
    besluiten: Sequence[tuple[dt.datetime, str, str, str | None]]
    koppelingen: Sequence[KoppelingRegel]
    brief_kenmerk: str | None
    afsluitingen: Sequence[AfsluitingView]
    correcties: Sequence[CorrectieView]
    toegang: Sequence[ToegangRegel]
    # The plan van aanpak (#11) as typed: the resident's own data.
    leefgebied_scores: Sequence[ScoreRegel] = ()
    doelen: Sequence[DoelView] = ()
    acties: Sequence[ActieView] = ()


class AfsluitingMethods:
    """Mixed into CasusAccess: the attributes and helpers below are CasusAccess's."""

    if TYPE_CHECKING:
        _session: AsyncSession
        _audit: AuditLog
        _casus: Casus
        requester: Requester
        roles: frozenset[str]

        @property
        def id(self) -> int: ...
        @property
        def code(self) -> str: ...
        def require(self, need: Need) -> None: ...
        def _log(
            self,
            event: str,
            action: str,
            purpose: str | None = None,
            details: str | None = None,
        ) -> None: ...
        async def _set_status(self, status: str, *, expected: str) -> None: ...
        async def record_besluit(
            self,
            need: Need,
            *,
            soort: str,
            uitkomst: str,
            toelichting: str | None,
            details: dict[str, Any] | None = None,
        ) -> BesluitView: ...

    async def _refresh_roles(self) -> None:
        from store.casus import roles_on  # store/casus.py imports this module

        self.roles = await roles_on(self._session, self._casus, self.requester.professional_id)

    # --- afsluiting ------------------------------------------------------------------------

    async def afsluiten(self, gegevens: AfsluitGegevens) -> list[int]:
        """Close a casus that is taken in: a besluit, every link but the PGA-expert's ends.
        Returns the professionals whose link ended (to tell them). A concurrent close or a
        casus that is not taken in raises Conflict."""
        self.require(Need.AFSLUITEN)
        await self._set_status("afgesloten", expected="opgenomen")
        self._session.add(
            Afsluiting(
                casus_id=self.id,
                afgesloten_door_id=self.requester.professional_id,
                afgesloten_at=self._casus.afgesloten_at or utcnow(),
                **vars(gegevens),
            )
        )
        ended = await self._end_links_at_closing()
        steps = await self.close_open_work(_lapse_reason(gegevens))
        await self.record_besluit(
            Need.AFSLUITEN,
            soort="afsluiting",
            uitkomst=gegevens.reden,
            toelichting=gegevens.toelichting,
        )
        # Codes only: the audit log outlives the data and must hold no typed text.
        self._log(
            "casus.afsluiten",
            "U",
            details=f"reden={gegevens.reden} eindgesprek={gegevens.eindgesprek_gehouden} "
            f"ontkoppeld={len(ended)} stappen={len(steps)}",
        )
        await self._refresh_roles()
        return ended

    async def close_open_work(self, reason: str) -> list[str]:
        """What else ends when this casus closes: its open actions lapse with `reason` (in
        the plan's history) and their pending reminders go; the minutes (#12) have nothing
        to close. Returns the names of the steps taken, counted in the audit details."""
        from store.plan import lapse_open_actions  # store/plan.py imports store/casus.py

        lapsed = await lapse_open_actions(
            self._session, self.id, reason, self.requester.professional_id
        )
        return [f"actie {actie_id} vervallen" for actie_id in lapsed]

    async def open_actions(self) -> int:
        """How many actions are still open: closing lets them lapse, with a reason."""
        from store.plan import count_open_actions

        self.require(Need.AFSLUITEN)
        return await count_open_actions(self._session, self.id)

    async def _end_links_at_closing(self) -> list[int]:
        links = (
            await self._session.scalars(
                select(Betrokkene).where(
                    Betrokkene.casus_id == self.id,
                    Betrokkene.tot.is_(None),
                    Betrokkene.rol != PGA_EXPERT,
                )
            )
        ).all()
        now = utcnow()
        for link in links:
            link.tot = now
            link.tot_reden = LINK_ENDED_AT_CLOSING
            link.beeindigd_door_id = self.requester.professional_id
        await self._session.flush()
        return sorted({link.professional_id for link in links})

    async def laatste_afsluiting(self) -> AfsluitingView | None:
        """The most recent closing (codes, dates and the typed text: for the linked)."""
        self.require(Need.DOSSIER)
        row = await self._session.scalar(
            select(Afsluiting)
            .where(Afsluiting.casus_id == self.id)
            .order_by(Afsluiting.id.desc())
            .limit(1)
        )
        return _afsluiting_view(row) if row else None

    async def heropenen(self, reden: str, closed_since: dt.datetime) -> bool:
        """Reopen by a besluit, when the casus closed at or after `closed_since` (the term).
        False when it closed before: a new aanmelding is needed then."""
        self.require(Need.AFSLUITEN)
        row = await self._session.scalar(
            select(Afsluiting)
            .where(Afsluiting.casus_id == self.id, Afsluiting.heropend_at.is_(None))
            .order_by(Afsluiting.id.desc())
            .limit(1)
        )
        closed_at = self._casus.afgesloten_at
        if row is None or closed_at is None or _aware(closed_at) < closed_since:
            return False
        await self._set_status("opgenomen", expected="afgesloten")
        await self._session.execute(
            update(Casus)
            .where(Casus.id == self.id)
            .values(afgesloten_at=None)
            .execution_options(synchronize_session=False)
        )
        self._casus.afgesloten_at = None
        row.heropend_at = utcnow()
        row.heropend_door_id = self.requester.professional_id
        row.heropen_reden = reden
        await self.record_besluit(
            Need.AFSLUITEN, soort="afsluiting", uitkomst="heropend", toelichting=reden
        )
        self._log("casus.heropenen", "U", details=f"afsluiting={row.id}")
        return True

    # --- corrections -----------------------------------------------------------------------

    async def corrigeer(self, veld: str, nieuw: str, reden: str) -> None:
        """Correct a recorded fact; the original stays in the history with the reason."""
        self.require(Need.CORRIGEREN)
        if veld not in CORRIGEERBAAR:
            raise NotFound(veld)
        oud = await self._set_field(veld, nieuw)
        self._session.add(
            Correctie(
                casus_id=self.id,
                veld=veld,
                oud=oud,
                nieuw=nieuw,
                reden=reden,
                door_id=self.requester.professional_id,
                at=utcnow(),
            )
        )
        await self._session.flush()
        self._log("casus.corrigeren", "U", details=f"veld={veld}")

    async def _set_field(self, veld: str, nieuw: str) -> str:
        if veld == "aanmelding_reden":
            aanmelding = await self._session.scalar(
                select(Aanmelding).where(Aanmelding.casus_id == self.id)
            )
            if aanmelding is None:
                raise NotFound("aanmelding")
            oud, aanmelding.reden = aanmelding.reden, nieuw
            return oud
        persoon = await self._session.get(Persoonsgegevens, self.id)
        if persoon is None:
            raise NotFound("persoonsgegevens")
        if veld in ("geboortedatum", "naam"):
            # The running-casus key was of the old identity; a new one could collide.
            self._casus.lopend_sleutel = None
        if veld == "geboortedatum":
            oud = persoon.geboortedatum.isoformat()
            persoon.geboortedatum = dt.date.fromisoformat(nieuw)
        elif veld == "naam":
            oud, persoon.naam, persoon.naam_sleutel = persoon.naam, nieuw, name_key(nieuw)
        else:
            oud, persoon.woonplaats = persoon.woonplaats, nieuw
        return oud

    async def correcties(self) -> list[CorrectieView]:
        """The history of corrections: the original values, for the linked only."""
        self.require(Need.DOSSIER)
        rows = await self._session.execute(
            select(Correctie, Professional.naam)
            .join(Professional, Professional.id == Correctie.door_id)
            .where(Correctie.casus_id == self.id)
            .order_by(Correctie.id)
        )
        found = [
            CorrectieView(c.veld, c.oud, c.nieuw, c.reden, naam, c.at) for c, naam in rows.all()
        ]
        if found:
            self._log("correcties.bekijken", "R")
        return found

    # --- inzage (AVG art. 15) ----------------------------------------------------------------

    async def inzage(self, van: dt.datetime, tot: dt.datetime) -> InzageView:
        """Everything recorded about the resident, and who saw it between `van` and `tot`.
        Its making is logged."""
        self.require(Need.INZAGE)
        persoon = await self._session.get(Persoonsgegevens, self.id)
        aanmelding = await self._session.scalar(
            select(Aanmelding).where(Aanmelding.casus_id == self.id)
        )
        if persoon is None or aanmelding is None:
            raise NotFound("persoonsgegevens")
        besluiten = (
            await self._session.scalars(
                select(Besluit).where(Besluit.casus_id == self.id).order_by(Besluit.id)
            )
        ).all()
        afsluitingen = (
            await self._session.scalars(
                select(Afsluiting).where(Afsluiting.casus_id == self.id).order_by(Afsluiting.id)
            )
        ).all()
        from store.plan import plan_voor_inzage  # store/plan.py imports store/casus.py

        this = cast("CasusAccess", self)  # the mixin is only ever part of a CasusAccess
        scores, doelen, acties = await plan_voor_inzage(self._session, self._audit, this)
        view = InzageView(
            code=self.code,
            naam=persoon.naam,
            geboortedatum=persoon.geboortedatum,
            woonplaats=persoon.woonplaats,
            adres=persoon.adres,
            postcode=persoon.postcode,
            aangemeld_at=aanmelding.ingediend_at,
            aanmelding_reden=aanmelding.reden,
            leefgebieden=list(aanmelding.leefgebieden),
            criteria=[k for k, v in aanmelding.criteria.items() if v.get("voldaan")],
            besluiten=[(b.genomen_at, b.soort, b.uitkomst, b.toelichting) for b in besluiten],
            koppelingen=await self._koppelingen(),
            brief_kenmerk=self._casus.brief_kenmerk,
            afsluitingen=[_afsluiting_view(a) for a in afsluitingen],
            correcties=await self.correcties(),
            toegang=await self._toegang(van, tot),
            leefgebied_scores=scores,
            doelen=doelen,
            acties=acties,
        )
        period = f"{van.isoformat(timespec='minutes')}..{tot.isoformat(timespec='minutes')}"
        self._log("casus.inzage", "R", purpose="inzageverzoek bewoner", details=period)
        return view

    async def _koppelingen(self) -> list[KoppelingRegel]:
        rows = await self._session.execute(
            select(Betrokkene, Professional.naam, Organisatie.naam)
            .join(Professional, Professional.id == Betrokkene.professional_id)
            .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
            .where(Betrokkene.casus_id == self.id)
            .order_by(Betrokkene.id)
        )
        return [
            KoppelingRegel(
                naam,
                organisatie,
                b.rol,
                b.doel,
                b.grondslag,
                b.uitzondering,
                b.beroepsgeheim,
                b.sinds,
                b.tot,
            )
            for b, naam, organisatie in rows.all()
        ]

    async def _toegang(self, van: dt.datetime, tot: dt.datetime) -> list[ToegangRegel]:
        actor = aliased(Professional)
        rows = await self._session.execute(
            select(
                AuditEvent.at,
                actor.naam,
                Organisatie.naam,
                AuditEvent.actor_role,
                AuditEvent.event,
                AuditEvent.action,
            )
            .join(actor, actor.id == AuditEvent.actor_professional_id)
            .outerjoin(Organisatie, Organisatie.id == actor.organisatie_id)
            .where(
                AuditEvent.casus_id == self.id,
                AuditEvent.outcome == "success",
                AuditEvent.at >= van,
                AuditEvent.at < tot,
            )
            .order_by(AuditEvent.id)
        )
        return [ToegangRegel(*row) for row in rows.all()]


def _lapse_reason(gegevens: AfsluitGegevens) -> str:
    """Why an open action lapsed at closing: the closing reason and the PGA-expert's words
    (Dutch: the plan shows it to the linked)."""
    label = dict(AFSLUIT_REDENEN).get(gegevens.reden, gegevens.reden).split(" (")[0]
    reden = f"Casus afgesloten ({label.lower()})"
    return f"{reden}: {gegevens.toelichting}" if gegevens.toelichting else reden


def _afsluiting_view(row: Afsluiting) -> AfsluitingView:
    return AfsluitingView(
        reden=row.reden,
        afgesloten_at=row.afgesloten_at,
        heropend_at=row.heropend_at,
        gegevens=AfsluitGegevens(
            reden=row.reden,
            toelichting=row.toelichting,
            overdracht_aan=row.overdracht_aan,
            overdracht_wat=row.overdracht_wat,
            overdracht_op=row.overdracht_op,
            eindgesprek_gehouden=row.eindgesprek_gehouden,
            eindgesprek_op=row.eindgesprek_op,
            feedback_bewoner=row.feedback_bewoner,
            goed_ging=row.goed_ging,
            beter_kan=row.beter_kan,
        ),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def stored_documents_retention_statements(casus_id: int) -> list[Any]:
    """A hook for the lead to extend at merge: the stored Word minutes (#12) of this casus
    and the free text of its plan and actions (#11) go at retention too."""
    del casus_id
    return []


def retention_statements(casus_id: int) -> list[Any]:
    """The free text of the afsluiting and the corrections' history go at retention; the
    reason codes and dates stay for the monitor."""
    return [
        *stored_documents_retention_statements(casus_id),
        update(Afsluiting)
        .where(Afsluiting.casus_id == casus_id)
        .values(
            toelichting=None,
            overdracht_aan=None,
            overdracht_wat=None,
            feedback_bewoner=None,
            goed_ging=None,
            beter_kan=None,
            heropen_reden=None,
        ),
        delete(Correctie).where(Correctie.casus_id == casus_id),
    ]
