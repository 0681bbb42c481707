"""Casus overview, the letter to the resident and the startgesprek."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    note: str | None = None


def casus_overzicht(view: CasusView) -> Card:
    body: list[Element] = [title(f"Casus {view.code}"), facts([("Status", view.status)])]
    body.append(facts(view.kenmerken))
    if view.bewoner is not None:
        body += [heading("Bewoner"), facts(view.bewoner)]
    if view.betrokkenen:
        body += [heading("Betrokken"), facts(view.betrokkenen)]
    if view.besluiten:
        body += [heading("Besluiten"), *(text(f"• {b}") for b in view.besluiten)]
    if view.note:
        body.append(text(view.note, subtle=True))
    actions = []
    if view.kan_brief:
        actions.append(execute("Brief aan bewoner maken", "brief.open", {"casus": view.casus_id}))
    if view.kan_startgesprek:
        actions.append(
            execute("Startgesprek vastleggen", "startgesprek.open", {"casus": view.casus_id})
        )
    return card(body, actions)


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
        *text_input("adres", "Straat en huisnummer", values, errors, required=True, max_length=200),
        *text_input("postcode", "Postcode", values, errors, required=True, max_length=10),
        *text_input("woonplaats", "Woonplaats", values, errors, required=True, max_length=100),
        heading("Startgesprek"),
        *date_input("startgesprek_datum", "Datum", values, errors, required=True),
        *time_input("startgesprek_tijd", "Tijd", values, errors),
        *text_input(
            "startgesprek_locatie", "Plaats", values, errors, required=True, max_length=200
        ),
    ]
    return card(
        body, [execute("Brief maken", "brief.maken", {"casus": casus_id}, style="positive")]
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
            execute("Startgesprek vastleggen", "startgesprek.open", {"casus": casus_id}),
            execute("Casus bekijken", "casus.open", {"casus": casus_id}),
        ],
    )


STARTGESPREK_UITKOMSTEN: list[Option] = [
    ("gehouden", "Gehouden"),
    ("niet_gehouden", "Niet gehouden, ondanks herhaalde uitnodiging"),
]


def startgesprek_form(
    code: str, casus_id: int, values: Mapping[str, Any], errors: Mapping[str, str]
) -> Card:
    body = [title(f"Startgesprek {code}")]
    if errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    body += [
        *choice_input(
            "uitkomst",
            "Is het startgesprek gehouden?",
            STARTGESPREK_UITKOMSTEN,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *date_input("datum", "Datum", values, errors, required=True),
        *time_input("tijd", "Tijd", values, errors),
        *text_input(
            "visie_bewoner",
            "Wat vindt de bewoner zelf?",
            values,
            errors,
            multiline=True,
            max_length=3000,
        ),
        text(
            "Niet gehouden na herhaalde uitnodiging? Dan gaat de aanpak verder, met nadruk op "
            "handhaving.",
            subtle=True,
        ),
    ]
    return card(
        body,
        [execute("Vastleggen", "startgesprek.vastleggen", {"casus": casus_id}, style="positive")],
    )
