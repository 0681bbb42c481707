"""Triage by the PGA-expert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Option,
    action_set,
    card,
    choice_input,
    container,
    date_input,
    error,
    esc,
    execute,
    facts,
    heading,
    refreshing,
    text,
    text_input,
    time_input,
    title,
)

FORM = forms.TRIAGE_BESLUIT


@dataclass(frozen=True)
class TriageItem:
    casus_id: int
    code: str
    doelgroep: str
    criteria_met: int
    wachtdagen: int
    urgentie: str
    voor_advies: bool = False


def triage_lijst(items: Sequence[TriageItem]) -> Card:
    if not items:
        empty = card([title("Triage"), text("Er zijn geen open aanmeldingen. Goed werk!")])
        return refreshing(empty, forms.TRIAGE_LIJST)
    rows = [
        container(
            [
                text(
                    f"**{esc(item.code)}**: {esc(item.doelgroep)}, "
                    f"urgentie {esc(item.urgentie.lower())}",
                    markdown=True,
                ),
                text(
                    f"{item.criteria_met} van 3 criteria"
                    + (", voor advies" if item.voor_advies else "")
                    + f", wacht {item.wachtdagen} dag(en)",
                    subtle=True,
                    spacing="None",
                ),
                action_set([execute("Beoordelen", forms.TRIAGE_OPEN, {"casus": item.casus_id})]),
            ],
            separator=True,
        )
        for item in items
    ]
    return refreshing(card([title("Open aanmeldingen"), *rows]), forms.TRIAGE_LIJST)


@dataclass(frozen=True)
class TriageView:
    casus_id: int
    code: str
    bewoner: Sequence[tuple[str, str]]
    aanmelding: Sequence[tuple[str, str]]
    criteria: Sequence[tuple[str, str]]
    reden: str
    duplicates: Sequence[str]


@dataclass(frozen=True)
class TriageOptions:
    besluiten: Sequence[Option]
    doorverwijzingen: Sequence[Option]
    professionals: Sequence[Option]
    grondslagen: Sequence[Option] = ()
    uitzonderingen: Sequence[Option] = ()
    beroepsgeheim: Sequence[Option] = ()
    toestemming_waarschuwing: str = ""


def triage_kaart(
    view: TriageView,
    options: TriageOptions,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
) -> Card:
    body = [title(f"Triage {view.code}")]
    if errors:
        body.append(error("Het besluit is nog niet compleet. Kijk bij de rode meldingen."))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    for warning in view.duplicates:
        body.append(error(warning))
    body += [
        text("Alleen zichtbaar voor jou. Deel dit niet in een kanaal.", subtle=True),
        heading("Bewoner"),
        facts(view.bewoner),
        heading("Aanmelding"),
        facts(view.aanmelding),
        text(view.reden),
        heading("Criteria"),
        *(
            text(f"{esc(label)}  \n_{esc(explanation or 'geen toelichting')}_", markdown=True)
            for label, explanation in view.criteria
        ),
        heading("Besluit"),
        *choice_input(
            FORM["besluit"],
            "Besluit",
            options.besluiten,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *text_input(FORM["toelichting"], "Toelichting of reden", values, errors, multiline=True),
        *choice_input(
            FORM["doorverwijzing"],
            "Bij doorverwijzen: naar",
            options.doorverwijzingen,
            values,
            errors,
        ),
        *text_input(
            FORM["ander_overleg"],
            "Bij ander overleg of al besproken: welk overleg?",
            values,
            errors,
        ),
        *choice_input(
            FORM["deelnemers"],
            "Wie deden mee aan de triage?",
            options.professionals,
            values,
            errors,
            multi=True,
        ),
        heading("Bij opnemen"),
        *choice_input(
            FORM["casusregisseur"], "Casusregisseur", options.professionals, values, errors
        ),
        *date_input(FORM["startgesprek_datum"], "Startgesprek: datum", values, errors),
        *time_input(FORM["startgesprek_tijd"], "Startgesprek: tijd", values, errors),
        *text_input(FORM["startgesprek_wie"], "Startgesprek: wie gaan er?", values, errors),
        text(
            "Nog geen casusregisseur? Dat kan later, met 'koppelen' op de casus.",
            subtle=True,
        ),
        *choice_input(
            FORM["regisseur_grondslag"],
            "Casusregisseur: grondslag (AVG art. 6)",
            options.grondslagen,
            values,
            errors,
        ),
        *choice_input(
            FORM["regisseur_uitzondering"],
            "Casusregisseur: bijzondere of strafrechtelijke gegevens",
            options.uitzonderingen,
            values,
            errors,
        ),
        *choice_input(
            FORM["regisseur_beroepsgeheim"],
            "Casusregisseur: beroepsgeheim",
            options.beroepsgeheim,
            values,
            errors,
        ),
        heading("Jouw grondslag als procesregisseur"),
        *choice_input(
            FORM["eigen_grondslag"],
            "Grondslag (AVG art. 6)",
            options.grondslagen,
            values,
            errors,
            required=True,
        ),
        text(options.toestemming_waarschuwing, subtle=True, spacing="None"),
    ]
    actions = [
        execute(
            "Besluit vastleggen", forms.TRIAGE_BESLUIT, {"casus": view.casus_id}, style="positive"
        )
    ]
    return refreshing(card(body, actions), forms.TRIAGE_OPEN, {"casus": view.casus_id})


def triage_vastgelegd(
    code: str, besluit: str, casus_id: int, *, opgenomen: bool, details: Sequence[tuple[str, str]]
) -> Card:
    body = [title(f"Besluit {code}: {besluit}"), facts(details)]
    actions = []
    if opgenomen:
        body.append(text("Volgende stap: stuur de bewoner de brief van de burgemeester."))
        actions = [
            execute("Brief aan bewoner maken", forms.BRIEF_OPEN, {"casus": casus_id}),
            execute("Startgesprek vastleggen", forms.STARTGESPREK_OPEN, {"casus": casus_id}),
        ]
    actions.append(execute("Terug naar triage", forms.TRIAGE_LIJST))
    return card(body, actions)


def uitkomst_aanmelding(
    code: str,
    casus_id: int,
    besluit: str,
    toelichting: str | None,
    startgesprek: str | None = None,
    casusregisseur: str | None = None,
) -> Card:
    body = [
        title(f"Uitkomst aanmelding {code}"),
        text(f"Besluit: **{esc(besluit)}**", markdown=True),
    ]
    if toelichting:
        body.append(text(toelichting))
    if casusregisseur:
        body.append(
            text(f"Casusregisseur: {casusregisseur}. Overleg met hem of haar over de aanpak.")
        )
    if startgesprek:
        body.append(text(f"Startgesprek: {startgesprek}"))
    return card(body, [execute("Casus bekijken", forms.CASUS_OPEN, {"casus": casus_id})])


def casusregisseur_benoemd(code: str, casus_id: int, startgesprek: str | None = None) -> Card:
    body = [
        title(f"Je bent casusregisseur van {code}"),
        text(
            "Jij houdt het plan van aanpak in beweging, samen met de betrokken professionals. "
            "Leg na het startgesprek vast hoe het ging."
        ),
    ]
    if startgesprek:
        body.append(text(f"Startgesprek: {startgesprek}"))
    return card(
        body,
        [
            execute("Startgesprek vastleggen", forms.STARTGESPREK_OPEN, {"casus": casus_id}),
            execute("Casus bekijken", forms.CASUS_OPEN, {"casus": casus_id}),
        ],
    )
