"""Afsluiting, reopening, the inzage for a resident, corrections and the PGA-monitor."""

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
    text,
    text_input,
    title,
)

JA_NEE: list[Option] = [("ja", "Ja"), ("nee", "Nee")]
FOUTEN = "Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."


def afsluit_form(
    code: str,
    casus_id: int,
    redenen: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    open_acties: int = 0,
) -> Card:
    form = forms.AFSLUITEN
    body: list[Element] = [
        title(f"Casus {code} afsluiten"),
        text(
            "Afsluiten is een besluit. Alle koppelingen behalve die van de PGA-expert stoppen; "
            "de gekoppelden krijgen een bericht met alleen de code.",
            subtle=True,
        ),
    ]
    if open_acties:
        acties = "1 actie" if open_acties == 1 else f"{open_acties} acties"
        body.append(
            text(
                f"Er staan nog {acties} open. Bij het afsluiten vervallen ze met jouw reden en "
                "stoppen hun herinneringen. Schrijf in de toelichting waarom ze niet meer nodig "
                "zijn.",
                weight="Bolder",
            )
        )
    if errors:
        body.append(error(FOUTEN))
    body += [
        *choice_input(form["reden"], "Waarom sluit je af?", redenen, values, errors, required=True),
        *text_input(
            form["toelichting"],
            "Toelichting (verplicht bij gestopt en bij open acties)",
            values,
            errors,
            multiline=True,
        ),
        heading("Warme overdracht"),
        text("Verplicht bij afschalen en opschalen.", subtle=True, spacing="None"),
        *text_input(form["overdracht_aan"], "Aan wie (organisatie, team)", values, errors),
        *text_input(form["overdracht_wat"], "Wat is overgedragen", values, errors, multiline=True),
        *date_input(form["overdracht_op"], "Wanneer", values, errors),
        heading("Eindgesprek met de bewoner"),
        *choice_input(
            form["eindgesprek"],
            "Is het eindgesprek gehouden?",
            JA_NEE,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *date_input(form["eindgesprek_op"], "Datum van het eindgesprek", values, errors),
        *text_input(
            form["feedback_bewoner"],
            "Wat zegt de bewoner zelf? (in eigen woorden)",
            values,
            errors,
            multiline=True,
        ),
        *text_input(form["goed_ging"], "Wat ging goed?", values, errors, multiline=True),
        *text_input(form["beter_kan"], "Wat kan beter?", values, errors, multiline=True),
    ]
    return card(
        body,
        [
            execute("Casus afsluiten", form, {"casus": casus_id}, style="destructive"),
            execute("Terug", forms.CASUS_OPEN, {"casus": casus_id}, inputs=False),
        ],
    )


def afgesloten_melding(code: str, reden: str) -> Card:
    """1:1 to a professional whose link ended at closing: the code, never the resident."""
    return card(
        [
            title(f"Casus {code} is afgesloten"),
            facts([("Reden", reden)]),
            text(
                "Je koppeling aan deze casus is gestopt: je ziet hem niet meer. Vragen? Neem "
                "contact op met de PGA-expert."
            ),
        ]
    )


def heropen_form(
    code: str, casus_id: int, dagen: int, values: Mapping[str, Any], errors: Mapping[str, str]
) -> Card:
    body: list[Element] = [
        title(f"Casus {code} heropenen"),
        text(
            f"Heropenen is een besluit en kan tot {dagen} dagen na het afsluiten. Daarna is een "
            "nieuwe aanmelding nodig. Koppel daarna opnieuw wie meedoet.",
            subtle=True,
        ),
    ]
    if errors:
        body.append(error(FOUTEN))
    body += text_input(
        forms.HEROPENEN["reden"],
        "Waarom heropen je?",
        values,
        errors,
        required=True,
        multiline=True,
    )
    return card(
        body,
        [
            execute("Heropenen", forms.HEROPENEN, {"casus": casus_id}, style="positive"),
            execute("Terug", forms.CASUS_OPEN, {"casus": casus_id}, inputs=False),
        ],
    )


def inzage_form(
    code: str, casus_id: int, values: Mapping[str, Any], errors: Mapping[str, str]
) -> Card:
    body: list[Element] = [
        title(f"Inzage voor de bewoner van {code}"),
        text(
            "Vraagt de bewoner wat de PGA over hem of haar vastlegt? Dit maakt een Word-document "
            "met alles wat is vastgelegd, met welk doel en welke grondslag per partner, en wie "
            "de gegevens wanneer heeft bekeken. Kies over welke periode.",
            subtle=True,
        ),
    ]
    if errors:
        body.append(error(FOUTEN))
    body += [
        *date_input(forms.INZAGE["van"], "Van", values, errors, required=True),
        *date_input(forms.INZAGE["tot"], "Tot en met", values, errors, required=True),
    ]
    return card(
        body,
        [
            execute("Inzage maken", forms.INZAGE, {"casus": casus_id}, style="positive"),
            execute("Terug", forms.CASUS_OPEN, {"casus": casus_id}, inputs=False),
        ],
    )


def document_klaar(titel: str, knop: str, url: str, minutes: int, casus_id: int | None) -> Card:
    """A personal download: one link, once, a few minutes."""
    actions = [execute("Casus bekijken", forms.CASUS_OPEN, {"casus": casus_id})] if casus_id else []
    return card(
        [
            title(titel),
            text(
                f"De link werkt één keer, {minutes} minuten lang. Deel hem met niemand. Sla het "
                "document op in het dossier, niet in een gedeelde map of kanaal."
            ),
            action_set([open_url(knop, url)]),
        ],
        actions,
    )


def corrigeer_form(
    code: str,
    casus_id: int,
    velden: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
    form_id: str = "",
) -> Card:
    body: list[Element] = [title(f"Gegevens verbeteren van {code}")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    body.append(
        text(
            "Klopt iets niet wat is vastgelegd? Verbeter het en geef de reden. Het oude blijft "
            "bewaard, alleen zichtbaar voor wie aan de casus is gekoppeld.",
            subtle=True,
        )
    )
    if errors:
        body.append(error(FOUTEN))
    form = forms.CORRIGEREN
    body += [
        *choice_input(form["veld"], "Wat verbeter je?", velden, values, errors, required=True),
        *text_input(form["nieuw"], "Juiste waarde", values, errors, required=True, multiline=True),
        *text_input(form["reden"], "Reden", values, errors, required=True, multiline=True),
    ]
    return card(
        body,
        [
            execute(
                "Verbeteren",
                form,
                {"casus": casus_id, **({"_form": form_id} if form_id else {})},
                style="positive",
            ),
            execute("Terug", forms.CASUS_OPEN, {"casus": casus_id}, inputs=False),
        ],
    )


@dataclass(frozen=True)
class MonitorKaart:
    periode: str
    gemeenten: str
    caseload: Sequence[tuple[str, str]]
    doorlooptijden: Sequence[tuple[str, str]]
    uitkomsten: Sequence[tuple[str, str]]
    codes: Sequence[tuple[str, str]]  # (code, status): codes only
    van: str
    tot: str
    acties: Sequence[tuple[str, str]] = ()
    scores: Sequence[tuple[str, str]] = ()  # (leefgebied, "start → afsluiting (n casussen)")


def monitor_kaart(
    view: MonitorKaart, errors: Mapping[str, str], download: str | None = None
) -> Card:
    values = {"van": view.van, "tot": view.tot}
    body: list[Element] = [
        title("PGA-monitor"),
        facts([("Periode", view.periode), ("Gemeente", view.gemeenten)]),
    ]
    if errors:
        body.append(error(FOUTEN))
    body += [
        heading("Caseload"),
        facts(view.caseload),
        heading("Doorlooptijden (mediaan, dagen)"),
        facts(view.doorlooptijden),
        heading("Uitkomsten van afsluiting"),
        facts(view.uitkomsten),
    ]
    if view.acties:
        body += [heading("Acties met een deadline in de periode"), facts(view.acties)]
    if view.scores:
        body += [
            heading("Leefgebieden van afgesloten casussen"),
            text("Gemiddelde score bij de start → bij de afsluiting (1–5).", subtle=True),
            facts(view.scores),
        ]
    if view.codes:
        body += [heading("Casussen"), facts(view.codes)]
    body += [
        text("Alleen codes en aantallen: geen namen van bewoners.", subtle=True),
        *date_input(forms.MONITOR["van"], "Van", values, errors),
        *date_input(forms.MONITOR["tot"], "Tot en met", values, errors),
    ]
    if download:
        body.append(action_set([open_url("Monitor downloaden (Excel)", download)]))
    return card(
        body,
        [
            execute("Periode tonen", forms.MONITOR),
            execute("Excel maken", forms.MONITOR_EXCEL),
        ],
    )


def verwijderd_wegens_bewaartermijn() -> Card:
    """What a sent card with identity becomes once retention removed the data (#13)."""
    return card(
        [
            title("Verwijderd wegens bewaartermijn"),
            text(
                "De bewaartermijn van deze casus is voorbij. De gegevens zijn verwijderd, ook "
                "uit dit bericht.",
                subtle=True,
            ),
        ]
    )
