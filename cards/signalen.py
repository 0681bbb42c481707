"""Signalen between overleggen and the timeline of a casus (issue #10)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Element,
    Option,
    card,
    choice_input,
    error,
    execute,
    facts,
    heading,
    refreshing,
    text,
    text_input,
    title,
    toggle_input,
)

FORM = forms.SIGNAAL_VASTLEGGEN


def signaal_form(
    casussen: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    form_id: str,
) -> Card:
    """The signal form, filled in the 1:1 chat: a casus of the author's own links, the text,
    and whether a redacted line goes to the channel."""
    body: list[Element] = [
        title("Signaal melden"),
        text(
            "Zag of hoorde je iets over een casus tussen twee overleggen? Leg het hier vast. "
            "Het komt in de tijdlijn van de casus. Je tekst zoals je hem typt, lezen alleen "
            "de professionals die bij de casus betrokken zijn."
        ),
    ]
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    body += choice_input(
        FORM["casus"], "Over welke casus?", casussen, values, errors, required=True
    )
    body += text_input(
        FORM["tekst"],
        "Wat is er gebeurd?",
        values,
        errors,
        required=True,
        multiline=True,
        placeholder="Bijvoorbeeld: gisteren opnieuw overlast gemeld door buren.",
    )
    body += toggle_input(
        FORM["delen"],
        "Deel een regel in het kanaal (alleen de code en je tekst, zonder namen)",
        values,
        errors,
    )
    body.append(text("Gebruik de code, niet de naam van de bewoner.", subtle=True))
    return card(body, [execute("Signaal vastleggen", FORM, {"_form": form_id}, style="positive")])


def signaal_vastgelegd(casus_id: int, code: str, notice: str) -> Card:
    return card(
        [title(f"Signaal vastgelegd bij {code}"), text(notice)],
        [
            execute("Tijdlijn bekijken", forms.TIJDLIJN_OPEN, {"casus": casus_id}),
            execute("Nog een signaal melden", forms.SIGNAAL_OPEN),
        ],
    )


def signaal_kanaal(code: str, tekst: str, gemeld: Sequence[tuple[str, str]]) -> Card:
    """The line in the channel: the code and the redacted text only."""
    return card([title(f"Signaal {code}"), text(tekst), facts(gemeld)])


@dataclass(frozen=True)
class TijdlijnKaart:
    casus_id: int
    code: str
    regels: Sequence[tuple[str, str, str | None]]  # date, what happened, the text
    bewoner: Sequence[tuple[str, str]] | None = None
    note: str | None = None
    weggelaten: int = 0  # older entries left off the card
    kan_signaal: bool = False


def tijdlijn_kaart(view: TijdlijnKaart) -> Card:
    body: list[Element] = [title(f"Tijdlijn {view.code}")]
    if view.bewoner is not None:
        body += [heading("Bewoner"), facts(view.bewoner)]
    if view.weggelaten:
        body.append(
            text(
                f"De oudste {view.weggelaten} gebeurtenissen staan niet op deze kaart.", subtle=True
            )
        )
    if not view.regels:
        body.append(text("Nog niets vastgelegd."))
    for datum, wat, tekst in view.regels:
        body.append(facts([(datum, wat)]))
        if tekst:
            body.append(text(tekst, spacing="None", isSubtle=True))
    if view.note:
        body.append(text(view.note, subtle=True))
    actions = [execute("Signaal melden", forms.SIGNAAL_OPEN)] if view.kan_signaal else []
    return refreshing(card(body, actions), forms.TIJDLIJN_OPEN, {"casus": view.casus_id})
