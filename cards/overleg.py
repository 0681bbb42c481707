"""The casusoverleg: planning, the agenda, the discussion card and the summary.

Cards for the channel (the agenda post, the discussion card, the summary) are built only
from shared-safe data: codes, counts, labels, professionals' names and redacted text.
"""

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
    toggle_input,
)

PLAN = forms.OVERLEG_PLANNEN
AGENDA = forms.AGENDA_TOEVOEGEN
BESPREKING = forms.BESPREKING_BESLUIT
ALLEEN_CODE = "Gebruik alleen de casuscode, nooit de naam of andere gegevens van de bewoner."


# --- the overleggen and planning -------------------------------------------------------------


@dataclass(frozen=True)
class OverlegRegel:
    overleg_id: int
    wanneer: str
    soort: str
    status: str
    voorzitter: str
    agendapunten: int
    kan_agenda: bool


def overleggen_lijst(
    regels: Sequence[OverlegRegel], kan_plannen: bool, notice: str | None = None
) -> Card:
    body: list[Element] = [title("Casusoverleggen")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if not regels:
        body.append(text("Er is nog geen overleg gepland."))
    for regel in regels:
        items = [
            text(f"**{esc(regel.wanneer)}**: {esc(regel.soort)}", markdown=True),
            text(
                f"{regel.status} · voorzitter {regel.voorzitter} · "
                f"{regel.agendapunten} agendapunt(en)",
                subtle=True,
                spacing="None",
            ),
        ]
        if regel.kan_agenda:
            items.append(
                action_set([execute("Agenda", forms.AGENDA_OPEN, {"overleg": regel.overleg_id})])
            )
        body.append(container(items, separator=True))
    actions = [execute("Overleg plannen", forms.OVERLEG_PLANNEN_OPEN)] if kan_plannen else []
    return refreshing(card(body, actions), forms.OVERLEG_LIJST)


@dataclass(frozen=True)
class PlanOptions:
    gemeenten: Sequence[Option]  # asked only when there is more than one
    soorten: Sequence[Option]
    voorzitters: Sequence[Option]


def plan_form(
    options: PlanOptions, values: Mapping[str, Any], errors: Mapping[str, str], form_id: str
) -> Card:
    body: list[Element] = [
        title("Overleg plannen"),
        text(
            "Het overleg is in het Teams-kanaal van de gemeente. Daar komen de agenda en per "
            "casus een bespreekkaart, alleen met de casuscode.",
            subtle=True,
        ),
    ]
    if errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    if len(options.gemeenten) > 1:
        body += choice_input(
            PLAN["gemeente"], "Gemeente", options.gemeenten, values, errors, required=True
        )
    body += [
        *choice_input(
            PLAN["soort"],
            "Soort overleg",
            options.soorten,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *date_input(PLAN["datum"], "Datum", values, errors, required=True),
        *time_input(PLAN["tijd"], "Begintijd (verplicht)", values, errors),
        *text_input(
            PLAN["plaats"],
            "Plaats of link naar de vergadering",
            values,
            errors,
            required=True,
            placeholder="Bijvoorbeeld: Stadhuis, zaal 3",
        ),
        *choice_input(
            PLAN["voorzitter"], "Voorzitter", options.voorzitters, values, errors, required=True
        ),
        *toggle_input(
            PLAN["bewoner"],
            "De bewoner schuift aan (alleen bij een incidenteel overleg)",
            values,
            errors,
        ),
    ]
    return card(
        body,
        [
            execute("Overleg plannen", PLAN, {"_form": form_id}, style="positive"),
            execute("Terug", forms.OVERLEG_LIJST, inputs=False),
        ],
    )


# --- the agenda (PGA-expert, 1:1) ------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRegel:
    agendapunt_id: int
    code: str
    tijd: str  # e.g. 14:00–14:20
    reden: str  # label


@dataclass(frozen=True)
class VoorstelRegel:
    casus_id: int
    code: str
    reden: str  # the value the button adds it with
    waarom: str


@dataclass(frozen=True)
class AgendaKaart:
    overleg_id: int
    kop: str
    status: str
    gegevens: Sequence[tuple[str, str]]
    punten: Sequence[AgendaRegel]
    voorstellen: Sequence[VoorstelRegel]
    casussen: Sequence[Option]
    redenen: Sequence[Option]
    minuten: Sequence[Option]
    kan_wijzigen: bool
    kan_publiceren: bool
    kan_starten: bool
    kan_afronden: bool


def agenda_kaart(
    view: AgendaKaart,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    body: list[Element] = [title(view.kop), facts([("Status", view.status), *view.gegevens])]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    body.append(heading("Agenda"))
    if not view.punten:
        body.append(text("Nog geen agendapunten. Kies hieronder een voorstel of een casus."))
    for number, punt in enumerate(view.punten, 1):
        row: list[Element] = [
            text(
                f"{number}. **{esc(punt.code)}** · {esc(punt.tijd)} · {esc(punt.reden)}",
                markdown=True,
            )
        ]
        if view.kan_wijzigen:
            buttons = [
                execute(
                    "Verwijderen",
                    forms.AGENDA_VERWIJDEREN,
                    {"agendapunt": punt.agendapunt_id},
                    inputs=False,
                )
            ]
            if number > 1:
                buttons.append(
                    execute(
                        "Omhoog",
                        forms.AGENDA_OMHOOG,
                        {"agendapunt": punt.agendapunt_id},
                        inputs=False,
                    )
                )
            row.append(action_set(buttons))
        body.append(container(row, separator=True))
    if view.kan_wijzigen:
        body += _suggestions(view)
        body += _add_form(view, values, errors)
    actions = []
    if view.kan_publiceren:
        actions.append(
            execute(
                # Published before: changes reach the channel as an update.
                "Bijgewerkte agenda publiceren"
                if view.kan_starten
                else "Agenda publiceren in het kanaal",
                forms.AGENDA_PUBLICEREN,
                {"overleg": view.overleg_id},
                inputs=False,
                style="positive",
            )
        )
    if view.kan_starten:
        actions.append(
            execute(
                "Overleg starten", forms.OVERLEG_STARTEN, {"overleg": view.overleg_id}, inputs=False
            )
        )
    if view.kan_afronden:
        actions.append(
            execute(
                "Overleg afronden",
                forms.OVERLEG_AFRONDEN,
                {"overleg": view.overleg_id},
                inputs=False,
                style="destructive",
            )
        )
    actions.append(execute("Alle overleggen", forms.OVERLEG_LIJST, inputs=False))
    return refreshing(card(body, actions), forms.AGENDA_OPEN, {"overleg": view.overleg_id})


def _suggestions(view: AgendaKaart) -> list[Element]:
    if not view.voorstellen:
        return []
    return [
        heading("Voorstellen"),
        *(
            container(
                [
                    text(f"**{esc(v.code)}**: {esc(v.waarom)}", markdown=True),
                    action_set(
                        [
                            execute(
                                f"{v.code} op de agenda",
                                forms.AGENDA_VOORSTEL,
                                {"overleg": view.overleg_id, "casus": v.casus_id, "reden": v.reden},
                                inputs=False,
                            )
                        ]
                    ),
                ],
                separator=True,
            )
            for v in view.voorstellen
        ),
    ]


def _add_form(
    view: AgendaKaart, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Element]:
    return [
        heading("Casus toevoegen of wijzigen"),
        text("Staat de casus al op de agenda? Dan pas je de reden en de tijd aan.", subtle=True),
        *choice_input(AGENDA["casus"], "Casus", view.casussen, values, errors, required=True),
        *choice_input(AGENDA["reden"], "Reden", view.redenen, values, errors, required=True),
        *choice_input(AGENDA["minuten"], "Minuten", view.minuten, values, errors, required=True),
        action_set([execute("Toevoegen", AGENDA, {"overleg": view.overleg_id}, style="positive")]),
    ]


# --- the agenda in the channel, and the invitation (1:1) -------------------------------------


@dataclass(frozen=True)
class AgendaBericht:
    overleg_id: int
    kop: str
    gegevens: Sequence[tuple[str, str]]
    punten: Sequence[tuple[str, str, str]]  # (time, code, reason)
    genodigden: Sequence[str]  # name (organisation)
    bijgewerkt: bool


def agenda_bericht(view: AgendaBericht) -> Card:
    """The agenda for the channel: codes, reasons and times; who is invited by name and
    organisation (not per casus); nothing about residents."""
    body: list[Element] = [
        title(f"{view.kop} (bijgewerkt)" if view.bijgewerkt else view.kop),
        facts(view.gegevens),
        heading("Agenda"),
        *(
            text(f"{esc(tijd)} · **{esc(code)}** · {esc(reden)}", markdown=True, spacing="Small")
            for tijd, code, reden in view.punten
        ),
        heading("Uitgenodigd"),
        text(", ".join(view.genodigden)),
        text(
            "Genodigden krijgen een bericht in hun privéchat met Casusoverleg. " + ALLEEN_CODE,
            subtle=True,
        ),
    ]
    return card(
        body, [execute("Overleg starten", forms.OVERLEG_STARTEN, {"overleg": view.overleg_id})]
    )


@dataclass(frozen=True)
class Uitnodiging:
    kop: str
    gegevens: Sequence[tuple[str, str]]
    punten: Sequence[tuple[int, str, str]]  # (agendapunt id, code, time and reason)
    voorzitter: bool
    overleg_id: int = 0


def uitnodiging(view: Uitnodiging) -> Card:
    """1:1 to an invitee: the items they work on, each with a button to pull the details
    (shown only while they are linked)."""
    body: list[Element] = [
        title("Uitnodiging casusoverleg"),
        text(view.kop, weight="Bolder"),
        facts(view.gegevens),
    ]
    if view.voorzitter:
        body.append(
            text(
                "Jij bent voorzitter. Start het overleg in het kanaal met '@Casusoverleg overleg "
                "starten' en rond het af met '@Casusoverleg overleg afronden'."
            )
        )
    if view.punten:
        body += [
            heading("Jouw casussen op de agenda"),
            text(
                "Met Details zie je hier, in je privéchat, wie het is. Alleen als je aan de "
                "casus gekoppeld bent.",
                subtle=True,
            ),
        ]
        for agendapunt_id, code, wanneer in view.punten:
            body.append(
                container(
                    [
                        text(f"**{esc(code)}** · {esc(wanneer)}", markdown=True),
                        action_set(
                            [
                                execute(
                                    f"Details {code}",
                                    forms.OVERLEG_DETAILS,
                                    {"agendapunt": agendapunt_id},
                                )
                            ]
                        ),
                    ],
                    separator=True,
                )
            )
    if not view.overleg_id:
        return card(body)
    afmelden = execute(
        "Ik kan niet komen",
        forms.PRESENTIE_MELDEN,
        {"overleg": view.overleg_id, "antwoord": "afgemeld"},
    )
    return card(body, [afmelden])


# --- attendance (channel) --------------------------------------------------------------------


@dataclass(frozen=True)
class PresentieKaart:
    overleg_id: int
    kop: str
    aanwezig: Sequence[str]  # name (organisation), "luistert mee" marked
    afgemeld: Sequence[str]
    nog_niet: Sequence[str]  # invited, not (yet) there
    bewoner: str | None  # None: the resident was not invited
    mensen: Sequence[Option]  # whom the chair can record: invitees and colleagues
    statussen: Sequence[Option]
    lopend: bool


def presentie_kaart(
    view: PresentieKaart, errors: Mapping[str, str], notice: str | None = None
) -> Card:
    """Who is there, in the channel: professionals by name and organisation; the resident
    only as present or not. Updated in place for everyone."""
    body: list[Element] = [title("Presentie"), text(view.kop, subtle=True, spacing="None")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    body += [
        facts(
            [
                ("Aanwezig", ", ".join(view.aanwezig)),
                ("Afwezig met bericht", ", ".join(view.afgemeld)),
                ("Nog niet gemeld", ", ".join(view.nog_niet)),
                *([("Bewoner", view.bewoner)] if view.bewoner is not None else []),
            ]
        ),
        text(
            "Ben je uitgenodigd? Meld je aan met 'Ik ben er'. Je rol per casus komt uit de "
            "koppelingen, niet uit deze kaart. Alleen wie aanwezig is, kan knoppen gebruiken.",
            subtle=True,
        ),
    ]
    melden = {"overleg": view.overleg_id}
    actions = _answers(
        forms.PRESENTIE_MELDEN,
        melden,
        [("Ik ben er", "aanwezig"), ("Ik kan niet", "afgemeld")],
    )
    if not view.lopend:
        return card(body, actions)
    body += [
        heading("Voorzitter: presentie vastleggen"),
        *choice_input(forms.PRESENTIE_VASTLEGGEN["wie"], "Wie", view.mensen, {}, errors),
        *choice_input(forms.PRESENTIE_VASTLEGGEN["status"], "Status", view.statussen, {}, errors),
        action_set([execute("Presentie vastleggen", forms.PRESENTIE_VASTLEGGEN, melden)]),
    ]
    if view.bewoner is not None:
        bewoner = [("Bewoner is aanwezig", "ja"), ("Bewoner is er niet", "nee")]
        body.append(action_set(_answers(forms.PRESENTIE_BEWONER, melden, bewoner)))
    return card(body, actions)
    body += [
        heading("Voorzitter: presentie vastleggen"),
        *choice_input(forms.PRESENTIE_VASTLEGGEN["wie"], "Wie", view.mensen, {}, errors),
        *choice_input(forms.PRESENTIE_VASTLEGGEN["status"], "Status", view.statussen, {}, errors),
        action_set([execute("Presentie vastleggen", forms.PRESENTIE_VASTLEGGEN, melden)]),
    ]
    if view.bewoner is not None:
        body.append(
            action_set(
                [
                    execute(
                        "Bewoner is aanwezig",
                        forms.PRESENTIE_BEWONER,
                        {**melden, "antwoord": "ja"},
                        inputs=False,
                    ),
                    execute(
                        "Bewoner is er niet",
                        forms.PRESENTIE_BEWONER,
                        {**melden, "antwoord": "nee"},
                        inputs=False,
                    ),
                ]
            )
        )
    return card(body, actions)


def _answers(
    form: forms.Form, data: Mapping[str, Any], answers: Sequence[tuple[str, str]]
) -> list[Element]:
    """One button per answer; each sends only its own data, not the card's inputs."""
    return [
        execute(label, form, {**data, "antwoord": answer}, inputs=False)
        for label, answer in answers
    ]


# --- the discussion card (channel) -----------------------------------------------------------


@dataclass(frozen=True)
class BesprekingKaart:
    agendapunt_id: int
    code: str
    kop: str  # e.g. Agendapunt 1 van 2 · Nieuw · 20 minuten
    kenmerken: Sequence[tuple[str, str]]
    aan_tafel: Sequence[str]  # name (organisation) · role on this casus, from the store
    besluiten: Sequence[str]
    afspraken: Sequence[str]
    uitkomsten: Sequence[Option]
    eigenaren: Sequence[Option]
    form_id: str
    doelen: Sequence[str] = ()  # the plan van aanpak: redacted text, codes
    acties: Sequence[str] = ()  # its open actions, with owner and deadline


def bespreekkaart(
    view: BesprekingKaart,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    """Shared-safe for everyone in the channel; updated in place after each press."""
    body: list[Element] = [
        title(f"Bespreking {view.code}"),
        text(view.kop, subtle=True, spacing="None"),
        facts(view.kenmerken),
    ]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    body += [
        heading("Aan tafel"),
        *(
            [text(f"• {a}", spacing="Small") for a in view.aan_tafel]
            or [text("Nog niemand aangemeld.", subtle=True)]
        ),
        heading("Plan van aanpak: doelen"),
        *(
            [text(f"• {d}", spacing="Small") for d in view.doelen]
            or [text("Nog geen doelen.", subtle=True)]
        ),
        heading("Open acties"),
        *(
            [text(f"• {a}", spacing="Small") for a in view.acties]
            or [text("Geen open acties.", subtle=True)]
        ),
        heading("Besluiten"),
        *(
            [text(f"• {b}", spacing="Small") for b in view.besluiten]
            or [text("Nog geen besluiten.", subtle=True)]
        ),
        heading("Afspraken in dit overleg"),
        *(
            [text(f"• {a}", spacing="Small") for a in view.afspraken]
            or [text("Nog geen afspraken.", subtle=True)]
        ),
        text(ALLEEN_CODE + " Alleen de voorzitter of de PGA-expert legt vast.", subtle=True),
        heading("Besluit vastleggen"),
        *choice_input(BESPREKING["uitkomst"], "Besluit", view.uitkomsten, values, errors),
        *text_input(BESPREKING["toelichting"], "Toelichting", values, errors, multiline=True),
        action_set(
            [
                execute(
                    "Besluit vastleggen",
                    BESPREKING,
                    {"agendapunt": view.agendapunt_id, "_form": view.form_id},
                    style="positive",
                )
            ]
        ),
        heading("Afspraak vastleggen"),
        *text_input(BESPREKING["afspraak"], "Wat is de afspraak?", values, errors, multiline=True),
        *choice_input(BESPREKING["eigenaar"], "Wie doet het?", view.eigenaren, values, errors),
        *date_input(BESPREKING["deadline"], "Uiterlijk op", values, errors),
        action_set(
            [
                execute(
                    "Afspraak vastleggen",
                    forms.BESPREKING_AFSPRAAK,
                    {"agendapunt": view.agendapunt_id, "_form": view.form_id},
                    style="positive",
                )
            ]
        ),
    ]
    details = execute(
        "Details (in je privéchat)",
        forms.OVERLEG_DETAILS,
        {"agendapunt": view.agendapunt_id},
        inputs=False,
    )
    return card(body, [details])


# --- details (1:1) and the summary (channel) -------------------------------------------------


@dataclass(frozen=True)
class DetailsKaart:
    code: str
    bewoner: Sequence[tuple[str, str]]
    besluiten: Sequence[str]
    afspraken: Sequence[str]
    agendapunt_id: int | None = None  # rebuilds it (refresh)


def details_kaart(view: DetailsKaart) -> Card:
    """Identity and the full text, in the 1:1 chat of a professional linked to the casus."""
    body: list[Element] = [
        title(f"Details {view.code}"),
        text("Alleen zichtbaar voor jou. Deel dit niet in het kanaal.", subtle=True),
        heading("Bewoner"),
        facts(view.bewoner),
    ]
    if view.besluiten:
        body += [heading("Besluiten"), *(text(f"• {b}", spacing="Small") for b in view.besluiten)]
    if view.afspraken:
        body += [heading("Afspraken"), *(text(f"• {a}", spacing="Small") for a in view.afspraken)]
    if view.agendapunt_id is None:
        return card(body)
    return refreshing(card(body), forms.OVERLEG_DETAILS, {"agendapunt": view.agendapunt_id})


@dataclass(frozen=True)
class SamenvattingPunt:
    code: str
    besproken: bool
    besluiten: Sequence[str]
    afspraken: Sequence[str]


def samenvatting(kop: str, punten: Sequence[SamenvattingPunt]) -> Card:
    """The closed overleg in the channel: per code what was decided and agreed (redacted)."""
    body: list[Element] = [title("Overleg afgerond"), text(kop, subtle=True, spacing="None")]
    for punt in punten:
        items: list[Element] = [
            text(
                f"**{esc(punt.code)}**" + ("" if punt.besproken else " · niet besproken"),
                markdown=True,
            )
        ]
        items += [text(f"Besluit: {b}", spacing="Small") for b in punt.besluiten]
        items += [text(f"Afspraak: {a}", spacing="Small") for a in punt.afspraken]
        body.append(container(items, separator=True))
    body.append(text(ALLEEN_CODE, subtle=True))
    return card(body)
