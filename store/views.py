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
