"""The referral form and what follows from it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Option,
    card,
    choice_input,
    date_input,
    error,
    esc,
    execute,
    facts,
    heading,
    text,
    text_input,
    title,
    toggle_input,
)
from cards.koppelen import legal_basis_inputs

FORM = forms.AANMELDING_INDIENEN
JA_NEE: list[Option] = [("ja", "Ja"), ("nee", "Nee")]


@dataclass(frozen=True)
class AanmeldingOptions:
    gemeenten: Sequence[Option]
    organisaties: Sequence[Option]
    doelgroepen: Sequence[Option]
    leefgebieden: Sequence[Option]
    urgenties: Sequence[Option]
    grondslagen: Sequence[Option]
    uitzonderingen: Sequence[Option]
    beroepsgeheim: Sequence[Option]
    toestemming_waarschuwing: str
    criteria: Sequence[Option]
    # The gemeenten's own criteria: (id, gemeente id, title shown, label recorded).
    eigen_criteria: Sequence[tuple[str, str, str, str]] = ()


def aanmelding_form(
    options: AanmeldingOptions,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    form_id: str,
    notice: str | None = None,
) -> Card:
    body = [title("Aanmelding PGA")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors:
        body.append(error("Het formulier is nog niet compleet. Kijk bij de rode meldingen."))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    if errors.get("toch_versturen"):
        body += toggle_input(
            FORM["toch_versturen"], "Ik weet het en verstuur deze aanmelding toch", values, errors
        )
    body += [
        text(
            "Vul dit formulier alleen hier in, in je privéchat met de bot. "
            "Geen BSN invullen: naam, geboortedatum en woonplaats zijn genoeg.",
            subtle=True,
        ),
        heading("Bewoner"),
        *text_input(FORM["naam"], "Naam", values, errors, required=True),
        *date_input(FORM["geboortedatum"], "Geboortedatum", values, errors, required=True),
        *text_input(FORM["woonplaats"], "Woonplaats", values, errors, required=True),
        *choice_input(
            FORM["doelgroep"], "Doelgroep", options.doelgroepen, values, errors, required=True
        ),
        heading("PGA-tafel"),
        *choice_input(
            FORM["gemeente"], "Gemeente", options.gemeenten, values, errors, required=True
        ),
        *choice_input(
            FORM["urgentie"], "Urgentie", options.urgenties, values, errors, required=True
        ),
        *text_input(
            FORM["reden"],
            "Waarom meld je aan?",
            values,
            errors,
            required=True,
            multiline=True,
        ),
        heading("Criteria (minstens 2 van de 3)"),
    ]
    if errors.get("criteria"):
        body.append(error(errors["criteria"]))
    for number, (key, label) in enumerate(options.criteria, start=1):
        body += toggle_input(FORM[f"crit_{key}"], label, values, errors)
        body += text_input(
            FORM[f"crit_{key}_toelichting"], f"Toelichting bij criterium {number}", values, errors
        )
    if options.eigen_criteria:
        body += [
            heading("Eigen criteria van de gemeente"),
            text(
                "Deze criteria heeft de gemeente zelf toegevoegd. Ze tellen niet mee voor de 2 "
                "van de handreiking.",
                subtle=True,
            ),
            *choice_input(
                FORM["eigen_criteria"],
                "Welke gelden ook?",
                [(cid, title) for cid, _, title, _ in options.eigen_criteria],
                values,
                errors,
                multi=True,
                expanded=True,
            ),
        ]
    body += toggle_input(
        FORM["voor_advies"],
        "Minder dan 2 criteria? Verstuur het dan voor advies: de PGA-expert kijkt mee.",
        values,
        errors,
    )
    body += [
        heading("Situatie"),
        *choice_input(
            FORM["leefgebieden"],
            "Leefgebieden met problemen",
            options.leefgebieden,
            values,
            errors,
            multi=True,
        ),
        *choice_input(
            FORM["partners"],
            "Welke organisaties zijn betrokken?",
            options.organisaties,
            values,
            errors,
            multi=True,
        ),
        *choice_input(
            FORM["geinformeerd"],
            "Weet de bewoner van deze aanmelding?",
            JA_NEE,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *text_input(
            FORM["reden_niet_geinformeerd"], "Zo nee: waarom niet?", values, errors, multiline=True
        ),
        heading("Jouw rol en grondslag"),
        *text_input(FORM["doel"], "Doel van het delen", values, errors, required=True),
        *legal_basis_inputs(
            FORM, options, values, errors, "Heb je beroepsgeheim? Zo ja: waarom mag je delen?"
        ),
    ]
    # The form id makes a second press of "versturen" (or a retry) a no-op.
    actions = [
        execute(
            "Aanmelding versturen", forms.AANMELDING_INDIENEN, {"_form": form_id}, style="positive"
        ),
        execute("Concept bewaren", forms.AANMELDING_BEWAREN, {"_form": form_id}),
    ]
    return card(body, actions)


def aanmelding_ontvangen(code: str, gemeente: str, acuut_hulp: str | None = None) -> Card:
    urgent = [text(acuut_hulp, color="Attention", weight="Bolder")] if acuut_hulp else []
    return card(
        [
            title("Aanmelding verstuurd"),
            *urgent,
            text(
                f"Je aanmelding staat geregistreerd als **{esc(code)}** bij de PGA-tafel "
                f"{esc(gemeente)}.",
                markdown=True,
            ),
            text(
                "De PGA-expert beoordeelt de aanmelding. Je krijgt hier bericht over de uitkomst. "
                f"Gebruik in gedeelde kanalen alleen de code {code}, nooit de naam.",
            ),
        ],
        [execute("Nieuwe aanmelding", forms.AANMELDING_OPEN)],
    )


def kanaal_melding(code: str, doelgroep: str, leefgebieden: int) -> Card:
    """For a shared channel: the pseudonym only (DESIGN §3.1)."""
    return card(
        [
            text(
                f"Nieuwe aanmelding {code}, {doelgroep}, {leefgebieden} "
                f"{'leefgebied' if leefgebieden == 1 else 'leefgebieden'}.",
                weight="Bolder",
            ),
        ]
    )


def ter_triage(code: str, summary: Sequence[tuple[str, str]], casus_id: int) -> Card:
    """1:1 to the PGA-expert: no identity until the triage card is opened in private."""
    return card(
        [title(f"Nieuwe aanmelding {code}"), facts(summary)],
        [execute("Beoordelen", forms.TRIAGE_OPEN, {"casus": casus_id}, style="positive")],
    )
