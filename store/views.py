"""Read-only views the store hands out. Dialogs never receive ORM rows (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CasusView:
    """What anyone with a role on the casus may see: nothing identifying."""

    id: int
    code: str
    status: str
    doelgroep: str
    urgentie: str
    gemeente_id: int
    gemeente_naam: str
    kanaal_conversation_id: str | None
    created_at: dt.datetime
    roles: frozenset[str]


@dataclass(frozen=True)
class SharedCasusView:
    """The shared-safe view of a casus: what a channel may see (DESIGN §3.9).

    Free text goes through `redact` before it is put on a shared post.
    """

    id: int
    code: str
    status: str
    doelgroep: str
    criteria_met: int
    leefgebieden: int
    redact: Callable[[str], str] = field(repr=False, compare=False)


@dataclass(frozen=True)
class IdentiteitView:
    naam: str
    geboortedatum: dt.date
    woonplaats: str
    adres: str | None
    postcode: str | None


@dataclass(frozen=True)
class AanmeldingView:
    aanmelder_id: int
    ingediend_at: dt.datetime
    criteria: Mapping[str, Any]
    leefgebieden: Sequence[str]
    partner_ids: Sequence[int]
    reden: str
    bewoner_geinformeerd: bool
    reden_niet_geinformeerd: str | None
    voor_advies: bool = False
    # The gemeente's own criteria that hold ({"id", "label"}); never counted in criteria_met.
    eigen_criteria: Sequence[Mapping[str, str]] = ()

    @property
    def criteria_met(self) -> int:
        return sum(1 for value in self.criteria.values() if value.get("voldaan"))


@dataclass(frozen=True)
class BesluitView:
    id: int
    soort: str
    uitkomst: str
    toelichting: str | None
    details: Mapping[str, Any]
    genomen_door_id: int
    genomen_at: dt.datetime


@dataclass(frozen=True)
class Checklist:
    """The handreiking's checklist for sharing, recorded on every link (DESIGN §3.4)."""

    doel: str
    grondslag: str  # AVG art. 6 lid 1, a to f
    uitzondering: str | None = None  # art. 9 exception or art. 10 AVG / UAVG
    beroepsgeheim: str | None = None  # the ground for a professional with beroepsgeheim
    noodzaak: str | None = None  # proportionaliteit and subsidiariteit, in a sentence
    bewoner_geinformeerd: bool | None = None
    reden_niet_geinformeerd: str | None = None


@dataclass(frozen=True)
class BetrokkeneView:
    professional_id: int
    professional_naam: str
    organisatie_naam: str | None
    rol: str
    grondslag: str
    sinds: dt.datetime
    checklist: Checklist | None = None
    tot: dt.datetime | None = None


@dataclass(frozen=True)
class StartgesprekView:
    gepland_op: dt.datetime | None
    locatie: str | None
    deelnemers: str | None
    status: str
    visie_bewoner: str | None
    vastgelegd_at: dt.datetime | None
    correcties: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class AanmeldingItem:
    """One open referral in the triage list (codes and counts only)."""

    casus_id: int
    code: str
    doelgroep: str
    urgentie: str
    criteria_met: int
    ingediend_at: dt.datetime
    voor_advies: bool = False


@dataclass(frozen=True)
class PersonView:
    """A professional as the directory shows them."""

    id: int
    naam: str
    functie: str | None
    organisatie_id: int | None
    organisatie_naam: str | None
    email: str | None
    actief: bool
    pga_gemeente_ids: frozenset[int] = frozenset()
    tenant_id: str = ""

    @property
    def label(self) -> str:
        return f"{self.naam} ({self.organisatie_naam})" if self.organisatie_naam else self.naam


@dataclass(frozen=True)
class BriefhoofdView:
    """A municipality's letterhead for letters to residents."""

    gemeente: str
    adres: str | None
    burgemeester: str | None
    logo: bytes | None = field(default=None, repr=False)


# --- the casusoverleg -------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlegView:
    """An overleg as its PGA-expert and chair see it: nothing about residents."""

    id: int
    gemeente_id: int
    gemeente_naam: str
    soort: str
    gepland_op: dt.datetime
    plaats: str
    kanaal_conversation_id: str
    voorzitter_id: int
    voorzitter_naam: str
    voorzitter_organisatie: str | None
    status: str
    agendapunten: int
    roles: frozenset[str]
    bewoner_uitgenodigd: bool = False


@dataclass(frozen=True)
class AgendapuntView:
    id: int
    overleg_id: int
    casus_id: int
    code: str
    volgorde: int
    reden: str
    minuten: int
    besproken: bool


@dataclass(frozen=True)
class AgendaVoorstel:
    """A casus the agenda should perhaps hold, and why."""

    casus_id: int
    code: str
    reden: str  # the suggested reason: nieuw, voortgang, knelpunt, afsluiten
    weken_niet_besproken: int | None  # None: never discussed
    # The last overleg's besluit flagged it: afsluiten, afschalen or opschalen_zvh.
    gemarkeerd: str | None = None
    # The plan van aanpak (#11): open actions past their deadline, and what the plan lacks
    # ("plan": neither goals nor actions, "doelen" or "acties"), if anything.
    acties_te_laat: int = 0
    plan_ontbreekt: str | None = None


@dataclass(frozen=True)
class AgendaView:
    overleg: OverlegView
    punten: Sequence[AgendapuntView]
    voorstellen: Sequence[AgendaVoorstel]
    # Casussen of the gemeente that may go on the agenda (taken in, not on it yet): (id, code).
    beschikbaar: Sequence[tuple[int, str]]


@dataclass(frozen=True)
class Genodigde:
    """A professional invited to an overleg: the betrokkenen of its items and the chair."""

    professional_id: int
    naam: str
    organisatie_naam: str | None
    agendapunt_ids: tuple[int, ...]  # the items they are linked to (empty for the chair alone)
    nieuw: bool  # not invited before (a republished agenda invites only the new ones)


@dataclass(frozen=True)
class Aanwezigheid:
    """One person on an overleg's attendance list."""

    professional_id: int
    naam: str
    organisatie_naam: str | None
    uitgenodigd: bool  # False: added during the overleg (e.g. a listener)
    aanwezig: bool
    afgemeld: bool  # absent with notice
    luisteraar: bool  # may listen, not respond


@dataclass(frozen=True)
class PresentieView:
    """The attendance list of an overleg: professionals only; the resident (incidenteel) as
    present or not, never by name."""

    overleg: OverlegView
    mensen: Sequence[Aanwezigheid]
    bewoner_uitgenodigd: bool
    bewoner_aanwezig: bool | None
    # Redacts every resident on the agenda: a colleague named like one is shown by organisation.
    redact: Callable[[str], str] = field(repr=False, compare=False)


@dataclass(frozen=True)
class AanTafel:
    """Someone present at an agenda item, with the role the store gives them on its casus."""

    naam: str
    organisatie_naam: str | None
    rol: str  # betrokken, adviserend, casusregisseur, pga_expert, voorzitter, luisteraar, geen


@dataclass(frozen=True)
class PublicatieView:
    """A published agenda: what the channel post and the invitations are built from."""

    overleg: OverlegView
    punten: Sequence[AgendapuntView]
    casussen: Mapping[int, SharedCasusView]  # per agendapunt id
    genodigden: Sequence[Genodigde]
    eerder_gepubliceerd: bool


@dataclass(frozen=True)
class GedeeldBesluit:
    """A besluit as a shared space may show it: the redacted text only (None for besluiten
    without one, e.g. triage)."""

    genomen_at: dt.datetime
    soort: str
    uitkomst: str
    tekst: str | None


@dataclass(frozen=True)
class GedeeldeAfspraak:
    tekst: str  # redacted
    eigenaar_naam: str
    eigenaar_organisatie: str | None
    deadline: dt.date


@dataclass(frozen=True)
class GedeeldDoel:
    """A goal of the plan as the channel may see it."""

    leefgebied: str | None
    tekst: str  # redacted
    status: str  # open, behaald, vervallen


@dataclass(frozen=True)
class GedeeldeActie:
    """An open action of the plan as the channel may see it; the owner by name and
    organisation, an organisation alone, or the resident (never named)."""

    tekst: str  # redacted
    eigenaar_naam: str
    eigenaar_organisatie: str | None
    deadline: dt.date
    status: str  # open, bezig


@dataclass(frozen=True)
class Eigenaar:
    """A professional linked to the casus who can own an afspraak."""

    professional_id: int
    naam: str
    organisatie: str | None


@dataclass(frozen=True)
class BesprekingView:
    """What the discussion card of one agendapunt is built from: shared-safe only."""

    overleg: OverlegView
    punt: AgendapuntView
    positie: int  # 1-based place on the agenda
    aantal: int
    casus: SharedCasusView
    besluiten: Sequence[GedeeldBesluit]  # taken in this overleg, oldest first
    eerdere_besluiten: Sequence[GedeeldBesluit]  # the last ones before it, oldest first
    afspraken: Sequence[GedeeldeAfspraak]  # made in this overleg
    eigenaren: Sequence[Eigenaar]
    # Redacts the identifiers of every resident on this overleg's agenda: what is typed on one
    # casus's card may name another.
    redact: Callable[[str], str] = field(repr=False, compare=False)
    aan_tafel: Sequence[AanTafel] = ()
    # The plan van aanpak (#11): its goals, and its open actions not made in this overleg
    # (those are the afspraken above).
    doelen: Sequence[GedeeldDoel] = ()
    open_acties: Sequence[GedeeldeActie] = ()


@dataclass(frozen=True)
class Vastgelegd:
    """A besluit or afspraak just stored; `geredigeerd` when the typed text named the
    resident (the author is told to use the code)."""

    id: int
    geredigeerd: bool


@dataclass(frozen=True)
class AfspraakView:
    """An afspraak in full (may name the resident): for the linked, in private."""

    id: int
    beschrijving: str
    eigenaar_naam: str
    deadline: dt.date
    vastgelegd_at: dt.datetime


@dataclass(frozen=True)
class BesluitRegel:
    """One line of the besluitenlijst of a casus (`besluiten CODE`, #12): each besluit with
    the overleg it was taken in. `tekst` is the typed text for who may read the dossier in a
    personal space, the redacted text otherwise."""

    genomen_at: dt.datetime
    soort: str
    uitkomst: str
    tekst: str | None
    overleg_id: int | None
    overleg_soort: str | None
    overleg_op: dt.datetime | None


# --- signalen and the timeline (issue #10) ---------------------------------------------------


@dataclass(frozen=True)
class SignaalKeuze:
    """A casus a professional may report a signal about (codes only)."""

    casus_id: int
    code: str


@dataclass(frozen=True)
class Gebeurtenis:
    """One entry of a casus's timeline. `soort`: aanmelding, besluit, startgesprek,
    koppeling, ontkoppeling, overleg, afspraak, signaal; `wat`: a code the card labels (a
    besluit's soort:uitkomst, a role, an overleg's soort:reden). `tekst` is as typed in the
    full timeline and redacted in the shared one (None where nothing may be shown); `wie`
    names professionals, in the full timeline only."""

    at: dt.datetime
    soort: str
    wat: str
    tekst: str | None = None
    wie: str | None = None


@dataclass(frozen=True)
class TijdlijnView:
    casus_id: int
    code: str
    volledig: bool  # as typed, with identity (the linked, in private) or shared-safe
    gebeurtenissen: Sequence[Gebeurtenis]  # oldest first
    bewoner: IdentiteitView | None = None
