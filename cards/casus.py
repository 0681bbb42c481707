"""Casus overview, the letter to the resident and the startgesprek."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Element,
    Option,
    action_set,
    card,
    choice_input,
    date_input,
    error,
    execute,
    facts,
    heading,
    open_url,
    refreshing,
    text,
    text_input,
    time_input,
    title,
)


@dataclass(frozen=True)
class CasusView:
    casus_id: int
    code: str
    status: str
    kenmerken: Sequence[tuple[str, str]]
    bewoner: Sequence[tuple[str, str]] | None = None
    besluiten: Sequence[str] = ()
    betrokkenen: Sequence[tuple[str, str]] = ()
    kan_brief: bool = False
    kan_startgesprek: bool = False
    kan_koppelen: bool = False
    note: str | None = None
    # Afsluiting and the resident's rights (#13).
    afsluiting: Sequence[tuple[str, str]] = ()
    correcties: Sequence[str] = ()
    kan_afsluiten: bool = False
    kan_heropenen: bool = False
    kan_inzage: bool = False
    kan_corrigeren: bool = False


def casus_overzicht(view: CasusView) -> Card:
    body: list[Element] = [title(f"Casus {view.code}"), facts([("Status", view.status)])]
    body.append(facts(view.kenmerken))
    if view.bewoner is not None:
        body += [heading("Bewoner"), facts(view.bewoner)]
    if view.betrokkenen:
        body += [heading("Betrokken"), facts(view.betrokkenen)]
    if view.besluiten:
        body += [heading("Besluiten"), *(text(f"• {b}") for b in view.besluiten)]
    if view.afsluiting:
        body += [heading("Afsluiting"), facts(view.afsluiting)]
    if view.correcties:
        body += [heading("Verbeteringen"), *(text(f"• {c}") for c in view.correcties)]
    if view.note:
        body.append(text(view.note, subtle=True))
    actions = []
    if view.kan_brief:
        actions.append(
            execute("Brief aan bewoner maken", forms.BRIEF_OPEN, {"casus": view.casus_id})
        )
    if view.kan_startgesprek:
        actions.append(
            execute("Startgesprek vastleggen", forms.STARTGESPREK_OPEN, {"casus": view.casus_id})
        )
    if view.kan_koppelen:
        actions.append(
            execute("Professionals koppelen", forms.KOPPELEN_OPEN, {"casus": view.casus_id})
        )
    actions += _rights_actions(view)
    if view.besluiten:  # the besluitenlijst, each besluit with its overleg (#12)
        actions.append(execute("Alle besluiten", forms.BESLUITEN_OPEN, {"casus": view.casus_id}))
    actions.append(execute("Tijdlijn", forms.TIJDLIJN_OPEN, {"casus": view.casus_id}))
    return refreshing(card(body, actions), forms.CASUS_OPEN, {"casus": view.casus_id})


def _rights_actions(view: CasusView) -> list[Element]:
    """Afsluiting, reopening, inzage and correction: the PGA-expert's buttons (#13)."""
    buttons = [
        (view.kan_afsluiten, "Casus afsluiten", forms.AFSLUITEN_OPEN),
        (view.kan_heropenen, "Heropenen", forms.HEROPENEN_OPEN),
        (view.kan_inzage, "Inzage voor bewoner", forms.INZAGE_OPEN),
        (view.kan_corrigeren, "Gegevens verbeteren", forms.CORRIGEREN_OPEN),
    ]
    return [
        execute(label, form, {"casus": view.casus_id}) for shown, label, form in buttons if shown
    ]


def brief_form(
    code: str, casus_id: int, values: Mapping[str, Any], errors: Mapping[str, str]
) -> Card:
    body = [
        title(f"Brief aan bewoner {code}"),
        text(
            "De brief van de burgemeester vertelt de bewoner over de PGA, wat er met de gegevens "
            "gebeurt en nodigt uit voor het startgesprek. Het adres wordt alleen voor deze brief "
            "bewaard.",
            subtle=True,
        ),
    ]
    if errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    body += [
        heading("Adres"),
        *text_input(
            forms.BRIEF_MAKEN["adres"], "Straat en huisnummer", values, errors, required=True
        ),
        *text_input(forms.BRIEF_MAKEN["postcode"], "Postcode", values, errors, required=True),
        *text_input(forms.BRIEF_MAKEN["woonplaats"], "Woonplaats", values, errors, required=True),
        heading("Startgesprek"),
        *date_input(
            forms.BRIEF_MAKEN["startgesprek_datum"], "Datum", values, errors, required=True
        ),
        *time_input(forms.BRIEF_MAKEN["startgesprek_tijd"], "Tijd", values, errors),
        *text_input(
            forms.BRIEF_MAKEN["startgesprek_locatie"], "Plaats", values, errors, required=True
        ),
    ]
    return card(
        body, [execute("Brief maken", forms.BRIEF_MAKEN, {"casus": casus_id}, style="positive")]
    )


def brief_klaar(code: str, casus_id: int, url: str, minutes: int) -> Card:
    return card(
        [
            title(f"Brief {code} is klaar"),
            text(
                f"De link werkt één keer, {minutes} minuten lang. Deel hem met niemand. Sla de "
                "brief op in het dossier, niet in een gedeelde map of kanaal."
            ),
            action_set([open_url("Brief downloaden (Word)", url)]),
        ],
        [
            execute("Startgesprek vastleggen", forms.STARTGESPREK_OPEN, {"casus": casus_id}),
            execute("Casus bekijken", forms.CASUS_OPEN, {"casus": casus_id}),
        ],
    )


STARTGESPREK_UITKOMSTEN: list[Option] = [
    ("gehouden", "Gehouden"),
    ("niet_gehouden", "Niet gehouden, ondanks herhaalde uitnodiging"),
]


def startgesprek_form(
    code: str,
    casus_id: int,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    recorded: str | None = None,
    form_id: str = "",
    notice: str | None = None,
) -> Card:
    """Record the startgesprek; once `recorded` (a summary), only a correction with a reason.
    `form_id`: new each time the card is drawn, so a second press is known as the same."""
    body = [title(f"Startgesprek {code}")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if recorded:
        body.append(
            text(
                f"Al vastgelegd: {recorded}. Wil je dit verbeteren? Geef dan de reden; het "
                "oude blijft bewaard.",
                weight="Bolder",
            )
        )
    if errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    body += [
        *choice_input(
            forms.STARTGESPREK_VASTLEGGEN["uitkomst"],
            "Is het startgesprek gehouden?",
            STARTGESPREK_UITKOMSTEN,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *date_input(forms.STARTGESPREK_VASTLEGGEN["datum"], "Datum", values, errors, required=True),
        *time_input(forms.STARTGESPREK_VASTLEGGEN["tijd"], "Tijd", values, errors),
        *text_input(
            forms.STARTGESPREK_VASTLEGGEN["visie_bewoner"],
            "Wat vindt de bewoner zelf?",
            values,
            errors,
            multiline=True,
        ),
        text(
            "Niet gehouden na herhaalde uitnodiging? Dan gaat de aanpak verder, met nadruk op "
            "handhaving.",
            subtle=True,
        ),
    ]
    if recorded:
        body += text_input(
            forms.STARTGESPREK_VASTLEGGEN["correctie_reden"],
            "Reden van de verbetering",
            values,
            errors,
            required=True,
            multiline=True,
        )
    return card(
        body,
        [
            execute(
                "Vastleggen",
                forms.STARTGESPREK_VASTLEGGEN,
                {"casus": casus_id, **({"_form": form_id} if form_id else {})},
                style="positive",
            )
        ],
    )
