"""Triage by the PGA-expert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards.base import (
    Card,
    Option,
    action_set,
    card,
    choice_input,
    container,
    date_input,
    error,
    execute,
    facts,
    heading,
    text,
    text_input,
    time_input,
    title,
)


@dataclass(frozen=True)
class TriageItem:
    casus_id: int
    code: str
    doelgroep: str
    criteria_met: int
    wachtdagen: int
    urgentie: str


def triage_lijst(items: Sequence[TriageItem]) -> Card:
    if not items:
        return card([title("Triage"), text("Er zijn geen open aanmeldingen. Goed werk!")])
    rows = [
        container(
            [
                text(f"**{item.code}**: {item.doelgroep}, urgentie {item.urgentie.lower()}"),
                text(
                    f"{item.criteria_met} van 3 criteria, wacht {item.wachtdagen} dag(en)",
                    subtle=True,
                    spacing="None",
                ),
                action_set([execute("Beoordelen", "triage.open", {"casus": item.casus_id})]),
            ],
            separator=True,
        )
        for item in items
    ]
    return card([title("Open aanmeldingen"), *rows])


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
            text(f"{label}  \n_{explanation or 'geen toelichting'}_")
            for label, explanation in view.criteria
        ),
        heading("Besluit"),
        *choice_input(
            "besluit", "Besluit", options.besluiten, values, errors, required=True, expanded=True
        ),
        *text_input(
            "toelichting", "Toelichting of reden", values, errors, multiline=True, max_length=2000
        ),
        *choice_input(
            "doorverwijzing", "Bij doorverwijzen: naar", options.doorverwijzingen, values, errors
        ),
        *text_input(
            "ander_overleg",
            "Bij ander overleg of al besproken: welk overleg?",
            values,
            errors,
            max_length=200,
        ),
        *choice_input(
            "deelnemers",
            "Wie deden mee aan de triage?",
            options.professionals,
            values,
            errors,
            multi=True,
        ),
        heading("Bij opnemen"),
        *choice_input("casusregisseur", "Casusregisseur", options.professionals, values, errors),
        *date_input("startgesprek_datum", "Startgesprek: datum", values, errors),
        *time_input("startgesprek_tijd", "Startgesprek: tijd", values, errors),
        *text_input(
            "startgesprek_wie", "Startgesprek: wie gaan er?", values, errors, max_length=300
        ),
    ]
    actions = [
        execute("Besluit vastleggen", "triage.besluit", {"casus": view.casus_id}, style="positive")
    ]
    return card(body, actions)


def triage_vastgelegd(
    code: str, besluit: str, casus_id: int, *, opgenomen: bool, details: Sequence[tuple[str, str]]
) -> Card:
    body = [title(f"Besluit {code}: {besluit}"), facts(details)]
    actions = []
    if opgenomen:
        body.append(text("Volgende stap: stuur de bewoner de brief van de burgemeester."))
        actions = [
            execute("Brief aan bewoner maken", "brief.open", {"casus": casus_id}),
            execute("Startgesprek vastleggen", "startgesprek.open", {"casus": casus_id}),
        ]
    actions.append(execute("Terug naar triage", "triage.lijst"))
    return card(body, actions)


def uitkomst_aanmelding(
    code: str,
    casus_id: int,
    besluit: str,
    toelichting: str | None,
    startgesprek: str | None = None,
) -> Card:
    body = [title(f"Uitkomst aanmelding {code}"), text(f"Besluit: **{besluit}**")]
    if toelichting:
        body.append(text(toelichting))
    if startgesprek:
        body.append(text(f"Startgesprek: {startgesprek}"))
    return card(body, [execute("Casus bekijken", "casus.open", {"casus": casus_id})])


def casusregisseur_benoemd(code: str, casus_id: int, startgesprek: str | None = None) -> Card:
    body = [
        title(f"Je bent casusregisseur van {code}"),
        text(
            "Jij houdt het plan van aanpak in beweging. Je krijgt hier herinneringen over acties."
        ),
    ]
    if startgesprek:
        body.append(text(f"Startgesprek: {startgesprek}"))
    return card(
        body,
        [execute("Casus bekijken", "casus.open", {"casus": casus_id})],
    )
