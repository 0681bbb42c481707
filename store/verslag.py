"""The minutes of an overleg (#12): one view-model, two renderers (templates/verslag.py).

`VerslagRepository.verslag` is the one query path. The anonymised minutes are made by who
leads the overleg (its chair or the PGA-expert of its gemeente: `Need.VERSLAG`) from what a
channel may see: codes, labels, professionals and the redacted text, redacted once more here
for the identifiers of every resident on the agenda. The full minutes (`Need.VERSLAG_VOLLEDIG`)
add, per item, the identity block and the typed text, each casus opened through the gate
(`Need.IDENTITEIT`, audited) for the PGA-expert in a personal space.

The plan van aanpak (#11) plugs in through one function, `PLAN_VAN_AANPAK`: per casus on the
agenda its actions (open ones, and those agreed in this overleg whatever became of them) and
its leefgebied scores as they stood at the overleg, with the score before.

Rendered documents are stored (`verslag_document`) with their SHA-256 and a version per
overleg and variant; the same content is the same version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.access import (
    Need,
    NotFound,
    Requester,
)
from store.db import UnitOfWork
from store.documents import DocumentGrants
from store.models import (
    Aanmelding,
    Aanwezige,
    Afspraak,
    Agendapunt,
    Besluit,
    Betrokkene,
    Casus,
    Gemeente,
    Leefgebied,
    Organisatie,
    Overleg,
    Persoonsgegevens,
    PgaExpert,
    PlanScore,
    Professional,
    VerslagDocument,
    utcnow,
)
from store.models import Actie as PlanActie
from store.overleg import REDENEN, SOORTEN, UITKOMSTEN, OverlegRefused, OverlegRepository
from store.plan import OPEN_STATUSES as PLAN_OPEN
from store.privacy import identifiers_of, redactor
from store.views import SharedCasusView

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GEANONIMISEERD = "geanonimiseerd"
VOLLEDIG = "volledig"
# Which need makes, and which need reads, each variant.
MAKEN = {GEANONIMISEERD: Need.VERSLAG, VOLLEDIG: Need.VERSLAG_VOLLEDIG}
LEZEN = {GEANONIMISEERD: Need.VERSLAG_LEZEN, VOLLEDIG: Need.VERSLAG_VOLLEDIG}
ROLLEN = {
    "pga_expert": "PGA-expert",
    "casusregisseur": "casusregisseur",
    "betrokken": "betrokken",
    "adviserend": "adviserend",
}
VERVOLG = {
    "afsluiten": "De casus wordt afgesloten: eindgesprek met de bewoner en afsluiting.",
    "afschalen": "Afschalen naar het wijkteam of de reguliere zorg, met een warme overdracht.",
    "opschalen_zvh": "Opschalen naar het Zorg- en Veiligheidshuis.",
}


# --- the view-model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Persoon:
    """A professional as the minutes name them, with their role on an item where known."""

    label: str
    rol: str | None = None


@dataclass(frozen=True)
class Identiteit:
    """Who the casus is about: only in the full minutes."""

    naam: str
    geboortedatum: dt.date
    woonplaats: str


@dataclass(frozen=True)
class VerslagBesluit:
    code: str
    overleg: str  # where it was taken, e.g. "Structureel overleg Zuiderstad, 24-11-2026"
    uitkomst: str  # the label people read
    tekst: str | None  # redacted: safe for every reader
    genomen_at: dt.datetime
    tekst_volledig: str | None = None  # as typed: the full minutes only


@dataclass(frozen=True)
class Actie:
    code: str
    beschrijving: str  # redacted
    eigenaar: str  # the professional's name
    eigenaar_organisatie: str | None
    deadline: dt.date
    open: bool = True
    beschrijving_volledig: str | None = None  # as typed: the full minutes only
    status: str = "open"  # the label people read: open, bezig, afgerond, vervallen


@dataclass(frozen=True)
class LeefgebiedScore:
    leefgebied: str  # the label, e.g. "Huisvesting"
    score: int  # 1–5 (Zelfredzaamheid-Matrix)
    vorige: int | None = None


@dataclass(frozen=True)
class PlanVanAanpak:
    """What the plan van aanpak adds to an item of the minutes."""

    acties: Sequence[Actie] = ()
    scores: Sequence[LeefgebiedScore] = ()


@dataclass(frozen=True)
class Punt:
    positie: int
    code: str
    reden: str
    minuten: int
    besproken: bool
    samenvatting: str
    rollen: Sequence[Persoon]
    besluiten: Sequence[VerslagBesluit]
    acties: Sequence[Actie]
    scores: Sequence[LeefgebiedScore]
    vervolg: str
    identiteit: Identiteit | None = None  # the full minutes only


@dataclass(frozen=True)
class Verslag:
    overleg_id: int
    gemeente: str
    soort: str  # "Structureel overleg"
    begin: dt.datetime  # Amsterdam time
    eind: dt.datetime
    plaats: str
    voorzitter: str
    genodigden: Sequence[Persoon]
    afwezig_met_bericht: Sequence[Persoon]
    aanwezigheid_bijgehouden: bool  # False: the list is who was invited
    punten: Sequence[Punt]
    volgend_overleg: dt.datetime | None
    volledig: bool
    # Hides every identifier of every resident on the agenda (the identifiers themselves
    # are never handed out).
    redact: Callable[[str], str] = field(repr=False, compare=False)

    @property
    def besluitenlijst(self) -> list[VerslagBesluit]:
        return [b for punt in self.punten for b in punt.besluiten]

    @property
    def open_acties(self) -> list[Actie]:
        return [a for punt in self.punten for a in punt.acties if a.open]

    def geanonimiseerd(self) -> Verslag:
        """The same minutes without identity and typed text: what every attendee may read."""
        return replace(
            self,
            volledig=False,
            punten=[
                replace(
                    p,
                    identiteit=None,
                    besluiten=[replace(b, tekst_volledig=None) for b in p.besluiten],
                    acties=[replace(a, beschrijving_volledig=None) for a in p.acties],
                )
                for p in self.punten
            ],
        )


# (session, overleg id, the casus ids on its agenda) -> per casus id, its plan's part of the
# minutes. One call for the whole agenda, so a long agenda costs one query, not one per item.
PlanBron = Callable[[AsyncSession, int, Sequence[int]], Awaitable[dict[int, PlanVanAanpak]]]


async def plan_van_aanpak(
    session: AsyncSession, overleg_id: int, casus_ids: Sequence[int]
) -> dict[int, PlanVanAanpak]:
    """The plan's part of each item: the actions still open plus those agreed in this overleg
    (done or lapsed since: `open` False), and per leefgebied the score at the overleg with the
    one before it (the movement). The text goes in as typed: `verslag` redacts it for every
    resident on the agenda and keeps it whole for the full minutes only."""
    overleg = await session.get(Overleg, overleg_id)
    if overleg is None:
        raise NotFound("overleg")
    acties = await _plan_acties(session, overleg_id, casus_ids)
    scores = await _plan_scores(session, overleg, casus_ids)
    return {
        casus_id: PlanVanAanpak(acties=acties.get(casus_id, []), scores=scores.get(casus_id, []))
        for casus_id in casus_ids
    }


async def _plan_acties(
    session: AsyncSession, overleg_id: int, casus_ids: Sequence[int]
) -> dict[int, list[Actie]]:
    in_dit_overleg = (
        select(Afspraak.id)
        .join(Agendapunt, Agendapunt.id == Afspraak.agendapunt_id)
        .where(Agendapunt.overleg_id == overleg_id)
    )
    persoon_org = aliased(Organisatie)
    rows = await session.execute(
        select(PlanActie, Casus.code, Professional.naam, persoon_org.naam, Organisatie.naam)
        .join(Casus, Casus.id == PlanActie.casus_id)
        .outerjoin(Professional, Professional.id == PlanActie.eigenaar_professional_id)
        .outerjoin(persoon_org, persoon_org.id == Professional.organisatie_id)
        .outerjoin(Organisatie, Organisatie.id == PlanActie.eigenaar_organisatie_id)
        .where(
            PlanActie.casus_id.in_(list(casus_ids)),
            or_(
                PlanActie.status.in_(PLAN_OPEN),
                PlanActie.afspraak_id.in_(in_dit_overleg),
            ),
        )
        .order_by(PlanActie.deadline, PlanActie.id)
    )
    found: dict[int, list[Actie]] = defaultdict(list)
    for actie, code, persoon, persoon_organisatie, organisatie in rows.all():
        eigenaar, van = _eigenaar(actie.eigenaar_soort, persoon, persoon_organisatie, organisatie)
        found[actie.casus_id].append(
            Actie(
                code,
                actie.beschrijving,
                eigenaar,
                van,
                actie.deadline,
                actie.status in PLAN_OPEN,
                actie.beschrijving,
                status=actie.status,
            )
        )
    return found


def _eigenaar(
    soort: str, persoon: str | None, persoon_organisatie: str | None, organisatie: str | None
) -> tuple[str, str | None]:
    """(who, of which organisation) owns an action: a professional, an organisation, or the
    resident (never named: the role says enough)."""
    if soort == "professional" and persoon:
        return persoon, persoon_organisatie
    if soort == "organisatie" and organisatie:
        return organisatie, None
    return "De bewoner", None


async def _plan_scores(
    session: AsyncSession, overleg: Overleg, casus_ids: Sequence[int]
) -> dict[int, list[LeefgebiedScore]]:
    """Per casus and leefgebied the scores given up to the day of the overleg (or in it),
    oldest first: the last is the score, the one before it the movement."""
    dag = _local(overleg.gepland_op).date()
    rows = await session.execute(
        select(PlanScore.casus_id, Leefgebied.id, Leefgebied.naam, PlanScore.score)
        .join(Leefgebied, Leefgebied.id == PlanScore.leefgebied_id)
        .where(
            PlanScore.casus_id.in_(list(casus_ids)),
            or_(PlanScore.datum <= dag, PlanScore.overleg_id == overleg.id),
        )
        .order_by(PlanScore.casus_id, Leefgebied.volgorde, PlanScore.datum, PlanScore.id)
    )
    reeksen: dict[int, dict[tuple[int, str], list[int]]] = defaultdict(dict)
    for casus_id, leefgebied_id, naam, score in rows.all():
        reeksen[casus_id].setdefault((leefgebied_id, naam), []).append(score)
    return {
        casus_id: [
            LeefgebiedScore(naam, reeks[-1], reeks[-2] if len(reeks) > 1 else None)
            for (_, naam), reeks in per_gebied.items()
        ]
        for casus_id, per_gebied in reeksen.items()
    }


# One function for the whole agenda: actions (`beschrijving` redacted by `verslag`,
# `beschrijving_volledig` the typed text) and leefgebied scores per casus.
PLAN_VAN_AANPAK: PlanBron = plan_van_aanpak


@dataclass(frozen=True)
class Versie:
    """A stored document of the minutes (its content is read only through `download`)."""

    document_id: int
    overleg_id: int
    variant: str
    versie: int
    sha256: str
    nieuw: bool = False  # made by this call
    eerdere: bool = False  # a new version of minutes that existed before


@dataclass(frozen=True)
class OverlegKeuze:
    overleg_id: int
    gepland_op: dt.datetime
    soort: str
    gemeente: str
    status: str
    versie: int | None  # the latest anonymised version, if made


@dataclass(frozen=True)
class OverlegKop:
    soort: str
    gemeente: str
    gepland_op: dt.datetime  # Amsterdam time


@dataclass(frozen=True)
class Verspreiding:
    kanaal_conversation_id: str
    casussen: Sequence[SharedCasusView]
    pga_experts: Sequence[int]
    soort: str
    gemeente: str
    gepland_op: dt.datetime  # Amsterdam time


def verslagen(uow: UnitOfWork) -> VerslagRepository:
    return VerslagRepository(uow)


class VerslagRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._audit = uow.audit
        self._casussen = uow.casussen

    # --- the check -------------------------------------------------------------------------

    async def _open(self, overleg_id: int, requester: Requester, need: Need) -> Overleg:
        """The overleg, if the requester's roles on it allow `need` here: the overleg's own
        check (store/overleg.py), refusals logged, an unknown overleg refused the same way."""
        return await OverlegRepository(self._session, self._audit, self._casussen).checked(
            overleg_id, requester, need
        )

    # --- the view-model ----------------------------------------------------------------------

    async def verslag(
        self,
        requester: Requester,
        overleg_id: int,
        *,
        volledig: bool = False,
        plan: PlanBron | None = None,
    ) -> Verslag:
        """The minutes of a held overleg; `volledig` adds identity and typed text."""
        overleg = await self._open(
            overleg_id, requester, MAKEN[VOLLEDIG if volledig else GEANONIMISEERD]
        )
        if overleg.status in ("gepland", "gepubliceerd"):
            raise OverlegRefused("niet_gestart")
        if overleg.status == "lopend":
            raise OverlegRefused("loopt_nog")
        # Whole Casus rows: the gate finds them in the session instead of asking again.
        punten = (
            await self._session.execute(
                select(Agendapunt, Casus)
                .join(Casus, Casus.id == Agendapunt.casus_id)
                .where(Agendapunt.overleg_id == overleg.id)
                .order_by(Agendapunt.volgorde, Agendapunt.id)
            )
        ).all()
        casus_ids = [punt.casus_id for punt, _ in punten]
        redact = redactor(await self._identifiers(casus_ids))
        waar = self._overleg_label(overleg, await self._gemeente(overleg))
        besluiten = await self._besluiten(overleg, waar, redact, volledig)
        plannen = await (plan or PLAN_VAN_AANPAK)(self._session, overleg.id, casus_ids)
        rollen = await self._rollen(casus_ids, overleg, redact)
        volgend = await self._volgend(overleg)
        items = []
        for positie, (punt, casus) in enumerate(punten, 1):
            identiteit = await self._identiteit(punt.casus_id, requester) if volledig else None
            plan_punt = plannen.get(punt.casus_id, PlanVanAanpak())
            items.append(
                _punt(
                    positie,
                    punt,
                    casus.code,
                    besluiten.get(punt.casus_id, []),
                    [_veilige_actie(a, redact, volledig) for a in plan_punt.acties],
                    plan_punt.scores,
                    rollen.get(punt.casus_id, []),
                    identiteit,
                )
            )
        self._audit.record(
            "verslag.maken",
            "R",
            requester,
            details=f"overleg={overleg.id} variant={VOLLEDIG if volledig else GEANONIMISEERD}",
        )
        return await self._model(overleg, items, volgend, redact, volledig)

    async def _model(
        self,
        overleg: Overleg,
        punten: list[Punt],
        volgend: dt.datetime | None,
        redact: Callable[[str], str],
        volledig: bool,
    ) -> Verslag:
        begin = _local(overleg.gepland_op)
        minuten = sum(p.minuten for p in punten)
        voorzitter = await self._persoon(overleg.voorzitter_id, redact)
        genodigden, afwezig, bijgehouden = await self._genodigden(overleg, redact)
        return Verslag(
            overleg_id=overleg.id,
            gemeente=await self._gemeente(overleg),
            soort=_soort(overleg.soort),
            begin=begin,
            eind=begin + dt.timedelta(minutes=minuten),
            plaats=redact(overleg.plaats),
            voorzitter=voorzitter,
            genodigden=genodigden,
            afwezig_met_bericht=afwezig,
            aanwezigheid_bijgehouden=bijgehouden,
            punten=punten,
            volgend_overleg=_local(volgend) if volgend else None,
            volledig=volledig,
            redact=redact,
        )

    async def _gemeente(self, overleg: Overleg) -> str:
        return (
            await self._session.scalar(
                select(Gemeente.naam).where(Gemeente.id == overleg.gemeente_id)
            )
            or ""
        )

    @staticmethod
    def _overleg_label(overleg: Overleg, gemeente: str) -> str:
        return f"{_soort(overleg.soort)} {gemeente}, {_local(overleg.gepland_op):%d-%m-%Y}"

    async def _besluiten(
        self, overleg: Overleg, waar: str, redact: Callable[[str], str], volledig: bool
    ) -> dict[int, list[VerslagBesluit]]:
        rows = await self._session.execute(
            select(Besluit, Casus.code)
            .join(Casus, Casus.id == Besluit.casus_id)
            .where(Besluit.overleg_id == overleg.id)
            .order_by(Besluit.id)
        )
        found: dict[int, list[VerslagBesluit]] = defaultdict(list)
        for besluit, code in rows.all():
            found[besluit.casus_id].append(
                VerslagBesluit(
                    code=code,
                    overleg=waar,
                    uitkomst=dict(UITKOMSTEN).get(besluit.uitkomst, besluit.uitkomst),
                    # The shared text once more through every resident's identifiers.
                    tekst=redact(besluit.toelichting_gedeeld)
                    if besluit.toelichting_gedeeld
                    else None,
                    genomen_at=besluit.genomen_at,
                    tekst_volledig=besluit.toelichting if volledig else None,
                )
            )
        return found

    async def _identiteit(self, casus_id: int, requester: Requester) -> Identiteit:
        casus = await self._casussen.open(casus_id, requester, Need.IDENTITEIT)
        persoon = await casus.identiteit("verslag casusoverleg (volledig)")
        return Identiteit(persoon.naam, persoon.geboortedatum, persoon.woonplaats)

    async def _identifiers(self, casus_ids: Sequence[int]) -> list[str]:
        """Every resident's identifiers, only to redact (never handed out)."""
        rows = await self._session.scalars(
            select(Persoonsgegevens).where(Persoonsgegevens.casus_id.in_(list(casus_ids)))
        )
        return [i for persoon in rows.all() for i in identifiers_of(persoon)]

    async def _rollen(
        self, casus_ids: Sequence[int], overleg: Overleg, redact: Callable[[str], str]
    ) -> dict[int, list[Persoon]]:
        """Who worked on each casus when the overleg was held, with their role."""
        moment = overleg.gestart_at or overleg.gepland_op
        rows = await self._session.execute(
            select(Betrokkene.casus_id, Professional.naam, Organisatie.naam, Betrokkene.rol)
            .join(Professional, Professional.id == Betrokkene.professional_id)
            .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
            .where(
                Betrokkene.casus_id.in_(list(casus_ids)),
                Betrokkene.sinds <= moment,
                Betrokkene.tot.is_(None) | (Betrokkene.tot >= moment),
            )
            .order_by(Betrokkene.rol, Professional.naam)
        )
        found: dict[int, list[Persoon]] = defaultdict(list)
        for casus_id, naam, organisatie, rol in rows.all():
            found[casus_id].append(Persoon(_label(naam, organisatie, redact), ROLLEN.get(rol, rol)))
        return found

    async def _genodigden(
        self, overleg: Overleg, redact: Callable[[str], str]
    ) -> tuple[list[Persoon], list[Persoon], bool]:
        rows = (
            await self._session.execute(
                select(Professional.naam, Organisatie.naam, Aanwezige.aanwezig)
                .join(Professional, Professional.id == Aanwezige.professional_id)
                .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
                .where(Aanwezige.overleg_id == overleg.id)
                .order_by(Professional.naam)
            )
        ).all()
        # Attendance per person is not recorded yet (#10): then the list is the invitees.
        bijgehouden = any(aanwezig for _, _, aanwezig in rows)
        people = [
            Persoon(_label(naam, organisatie, redact))
            for naam, organisatie, aanwezig in rows
            if aanwezig or not bijgehouden
        ]
        return people, [], bijgehouden

    async def _persoon(self, professional_id: int, redact: Callable[[str], str]) -> str:
        row = (
            await self._session.execute(
                select(Professional.naam, Organisatie.naam)
                .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
                .where(Professional.id == professional_id)
            )
        ).one()
        return _label(row[0], row[1], redact)

    async def _volgend(self, overleg: Overleg) -> dt.datetime | None:
        return await self._session.scalar(
            select(func.min(Overleg.gepland_op)).where(
                Overleg.gemeente_id == overleg.gemeente_id,
                Overleg.gepland_op > overleg.gepland_op,
                Overleg.status != "afgerond",
            )
        )

    # --- stored documents ----------------------------------------------------------------

    async def bewaar(
        self, requester: Requester, overleg_id: int, variant: str, inhoud: bytes
    ) -> Versie:
        """Store a rendering; a new version only when its content differs from the latest."""
        overleg = await self._open(overleg_id, requester, MAKEN[variant])
        latest = await self._latest(overleg.id, variant)
        digest = hashlib.sha256(inhoud).hexdigest()
        if latest is not None and latest.sha256 == digest:
            return _versie(latest)
        row = VerslagDocument(
            overleg_id=overleg.id,
            variant=variant,
            versie=latest.versie + 1 if latest else 1,
            sha256=digest,
            inhoud=inhoud,
            gemaakt_door_id=requester.professional_id,
            created_at=utcnow(),
        )
        self._session.add(row)
        await self._session.flush()
        self._audit.record(
            "verslag.bewaren",
            "C",
            requester,
            details=f"overleg={overleg.id} variant={variant} versie={row.versie}",
        )
        return replace(_versie(row), nieuw=True, eerdere=latest is not None)

    async def laatste(self, requester: Requester, overleg_id: int, variant: str) -> Versie | None:
        overleg = await self._open(overleg_id, requester, LEZEN[variant])
        latest = await self._latest(overleg.id, variant)
        return _versie(latest) if latest else None

    async def grant(
        self, requester: Requester, versie: Versie, grants: DocumentGrants, minutes: int
    ) -> str:
        """A one-time download link of a stored version for the requester."""
        await self._open(versie.overleg_id, requester, LEZEN[versie.variant])
        return await grants.issue_for_document(
            versie.document_id, requester.professional_id, minutes
        )

    async def download(self, requester: Requester, document_id: int) -> tuple[Versie, bytes]:
        """The stored document, if the requester may still read it."""
        row = await self._session.get(VerslagDocument, document_id)
        if row is None:
            raise NotFound("verslag")
        await self._open(row.overleg_id, requester, LEZEN[row.variant])
        inhoud = await self._session.scalar(
            select(VerslagDocument.inhoud).where(VerslagDocument.id == row.id)
        )
        return _versie(row), inhoud or b""

    async def overleggen(self, requester: Requester) -> list[OverlegKeuze]:
        """Held overleggen of the gemeenten where the requester is PGA-expert, newest first."""
        mine = select(PgaExpert.gemeente_id).where(
            PgaExpert.professional_id == requester.professional_id
        )
        newest = (
            select(func.max(VerslagDocument.versie))
            .where(
                VerslagDocument.overleg_id == Overleg.id,
                VerslagDocument.variant == GEANONIMISEERD,
            )
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(Overleg, Gemeente.naam, newest)
            .join(Gemeente, Gemeente.id == Overleg.gemeente_id)
            .where(Overleg.gemeente_id.in_(mine), Overleg.status.in_(("lopend", "afgerond")))
            .order_by(Overleg.gepland_op.desc())
            .limit(10)
        )
        return [
            OverlegKeuze(o.id, o.gepland_op, _soort(o.soort), naam, o.status, versie)
            for o, naam, versie in rows.all()
        ]

    async def verspreiding(self, requester: Requester, overleg_id: int) -> Verspreiding:
        """Where the minutes go: the overleg's channel (a post filed under, and checked
        against, each casus on the agenda) and the PGA-experts of its gemeente."""
        overleg = await self._open(overleg_id, requester, Need.VERSLAG)
        rows = await self._session.execute(
            select(Casus, Aanmelding)
            .join(Agendapunt, Agendapunt.casus_id == Casus.id)
            .outerjoin(Aanmelding, Aanmelding.casus_id == Casus.id)
            .where(Agendapunt.overleg_id == overleg.id)
            .order_by(Agendapunt.volgorde, Agendapunt.id)
        )
        casussen = []
        for casus, aanmelding in rows.all():
            redact = redactor(await self._casussen.identifiers(casus.id))
            casussen.append(
                SharedCasusView(
                    id=casus.id,
                    code=casus.code,
                    status=casus.status,
                    doelgroep=casus.doelgroep,
                    criteria_met=_criteria_met(aanmelding.criteria) if aanmelding else 0,
                    leefgebieden=len(aanmelding.leefgebieden) if aanmelding else 0,
                    redact=redact,
                )
            )
        experts = await self._session.scalars(
            select(PgaExpert.professional_id)
            .join(Professional, Professional.id == PgaExpert.professional_id)
            .where(PgaExpert.gemeente_id == overleg.gemeente_id, Professional.actief)
            .order_by(PgaExpert.professional_id)
        )
        return Verspreiding(
            kanaal_conversation_id=overleg.kanaal_conversation_id,
            casussen=casussen,
            pga_experts=list(experts.all()),
            soort=_soort(overleg.soort),
            gemeente=await self._gemeente(overleg),
            gepland_op=_local(overleg.gepland_op),
        )

    async def kop(self, requester: Requester, versie: Versie) -> OverlegKop:
        """What names the overleg of a stored version, for who may read that version."""
        overleg = await self._open(versie.overleg_id, requester, LEZEN[versie.variant])
        return OverlegKop(
            _soort(overleg.soort), await self._gemeente(overleg), _local(overleg.gepland_op)
        )

    async def _latest(self, overleg_id: int, variant: str) -> VerslagDocument | None:
        return await self._session.scalar(
            select(VerslagDocument)
            .where(VerslagDocument.overleg_id == overleg_id, VerslagDocument.variant == variant)
            .order_by(VerslagDocument.versie.desc())
            .limit(1)
        )


# --- helpers -------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    """A stored moment (naive from SQLite means UTC) in Amsterdam time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(AMSTERDAM)


def _criteria_met(criteria: dict[str, Any]) -> int:
    return sum(1 for value in criteria.values() if value.get("voldaan"))


def _soort(soort: str) -> str:
    label = dict(SOORTEN).get(soort, soort).split(":")[0]
    return f"{label} overleg"


def _label(naam: str, organisatie: str | None, redact: Callable[[str], str]) -> str:
    """A professional as the minutes name them; only the organisation when the name shares
    a part with a resident on the agenda (it must not hint at the resident's name)."""
    label = f"{naam} ({organisatie})" if organisatie else naam
    return label if redact(label) == label else organisatie or "een collega"


def _veilige_actie(actie: Actie, redact: Callable[[str], str], volledig: bool) -> Actie:
    """An action as every reader may see it: its text redacted, its owner named as `_label`
    does; the typed text only in the full minutes."""
    collides = redact(actie.eigenaar) != actie.eigenaar
    return replace(
        actie,
        beschrijving=redact(actie.beschrijving),
        eigenaar=(actie.eigenaar_organisatie or "een collega") if collides else actie.eigenaar,
        eigenaar_organisatie=None if collides else actie.eigenaar_organisatie,
        beschrijving_volledig=actie.beschrijving_volledig if volledig else None,
    )


def _punt(
    positie: int,
    punt: Agendapunt,
    code: str,
    besluiten: list[VerslagBesluit],
    acties: list[Actie],
    scores: Sequence[LeefgebiedScore],
    rollen: list[Persoon],
    identiteit: Identiteit | None,
) -> Punt:
    return Punt(
        positie=positie,
        code=code,
        reden=dict(REDENEN).get(punt.reden, punt.reden).split(":")[0],
        minuten=punt.minuten,
        besproken=punt.besproken,
        samenvatting=_samenvatting(punt.besproken, len(besluiten), len(acties)),
        rollen=rollen,
        besluiten=besluiten,
        acties=acties,
        scores=scores,
        vervolg=_vervolg(punt.besproken, besluiten),
        identiteit=identiteit,
    )


def _samenvatting(besproken: bool, besluiten: int, acties: int) -> str:
    if not besproken:
        return "Niet besproken."
    b = "1 besluit" if besluiten == 1 else f"{besluiten} besluiten"
    a = "1 actie" if acties == 1 else f"{acties} acties"
    return f"Besproken: {b}, {a}."


def _vervolg(besproken: bool, besluiten: Sequence[VerslagBesluit]) -> str:
    # No date here: the next overleg's agenda is not made yet, so its date (in the closing
    # list) promises nothing about this casus.
    if not besproken:
        return "Niet besproken: voorstel om het op de agenda van een volgend overleg te zetten."
    for label, text in VERVOLG.items():
        if besluiten and besluiten[-1].uitkomst == dict(UITKOMSTEN)[label]:
            return text
    return "Voortgang in een volgend overleg."


def _versie(row: VerslagDocument) -> Versie:
    return Versie(row.id, row.overleg_id, row.variant, row.versie, row.sha256)
