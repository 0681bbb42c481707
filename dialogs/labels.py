"""Besluiten in words: one table of what each kind and outcome is called, for every card,
message, timeline and inzage that shows a besluit (never the stored code)."""

from __future__ import annotations

from cards.casus import STARTGESPREK_UITKOMSTEN
from store import reference as ref
from store.overleg import UITKOMSTEN as OVERLEG_UITKOMSTEN

BESLUIT_SOORTEN = {
    "triage": "Triage",
    "startgesprek": "Startgesprek",
    "overleg": "Overleg",
    "afsluiting": "Afsluiting",
    "plan": "Plan van aanpak",
}
# Per kind: the same code may mean another thing in another kind ("afsluiten").
BESLUIT_UITKOMSTEN: dict[str, dict[str, str]] = {
    "triage": dict(ref.TRIAGE_BESLUITEN),
    "startgesprek": dict(STARTGESPREK_UITKOMSTEN),
    "overleg": dict(OVERLEG_UITKOMSTEN),
    "afsluiting": {**dict(ref.AFSLUIT_REDEN_LABELS), "heropend": "Heropend"},
    "plan": {"doel_vastgesteld": "Doel vastgesteld", "doel_gewijzigd": "Doel gewijzigd"},
}


def uitkomst_label(soort: str, uitkomst: str) -> str:
    """The outcome in words; an unknown code shows as words too, not with underscores."""
    return BESLUIT_UITKOMSTEN.get(soort, {}).get(uitkomst) or uitkomst.replace("_", " ")


def soort_label(soort: str) -> str:
    return BESLUIT_SOORTEN.get(soort) or soort.replace("_", " ").capitalize()


def besluit_label(soort: str, uitkomst: str) -> str:
    """'Plan van aanpak: Doel vastgesteld'."""
    return f"{soort_label(soort)}: {uitkomst_label(soort, uitkomst)}"
