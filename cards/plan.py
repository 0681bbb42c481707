"""The plan van aanpak and acties (#11): the plan, one goal, one action, the user's actions,
and the proactive cards (reminders, uitstel requests, the weekly digest, escalations).

Proactive cards name codes and dates only; what an action is about is behind **Details**,
which checks the link when pressed (DESIGN §3.1–3.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    execute,
    facts,
    heading,
    refreshing,
    text,
    text_input,
    title,
)

SCORES: list[Option] = [
    ("1", "1 · acute problematiek"),
    ("2", "2 · niet zelfredzaam"),
    ("3", "3 · beperkt zelfredzaam"),
    ("4", "4 · voldoende zelfredzaam"),
    ("5", "5 · volledig zelfredzaam"),
]
ACTIE_STATUSES: list[Option] = [
    ("open", "Open"),
    ("bezig", "Bezig"),
    ("afgerond", "Afgerond"),
    ("vervallen", "Vervallen (met reden)"),
]
DOEL_STATUSES: list[Option] = [
    ("open", "Open"),
    ("behaald", "Behaald: goed genoeg"),
    ("vervallen", "Vervallen"),
]
STATUS_LABELS = {**dict(ACTIE_STATUSES), "vervallen": "Vervallen"}
ALLEEN_CODE = "Gebruik alleen de casuscode, nooit de naam of andere gegevens van de bewoner."


@dataclass(frozen=True)
class ActieRegel:
    actie_id: int
    code: str
    tekst: str  # description (the plan card, 1:1) or the redacted one (acties list)
    eigenaar: str
    deadline: str
    status: str
    te_laat: bool = False
    uitstel: str | None = None  # "uitstel gevraagd tot …"
    kan_afronden: bool = False
    kan_uitstel: bool = False


@dataclass(frozen=True)
class PlanKaart:
    casus_id: int
    code: str
    status: str
    leefgebieden: Sequence[tuple[str, str]]  # (leefgebied, problem and score movement)
    doelen: Sequence[tuple[str, str, str]]  # (doel token, title, text)
    acties: Sequence[ActieRegel]
    geschiedenis: Sequence[str] = ()
    bewoner: Sequence[tuple[str, str]] = ()  # only for the linked, only in the 1:1 chat
    note: str | None = None
    notice: str | None = None
    leefgebied_opties: Sequence[Option] = ()
    eigenaar_opties: Sequence[Option] = ()
    doel_opties: Sequence[Option] = ()
    interventie_opties: Sequence[Option] = ()
    # Suggested interventions for this casus: (name, leefgebied, description and source).
    suggesties: Sequence[tuple[str, str, str]] = ()
    kan_doel: bool = False
    kan_leefgebied: bool = False
    kan_actie: bool = False
    kan_regie: bool = False
    # An adviser's view: (goals, actions) that exist but whose text they do not see.
    verborgen: tuple[int, int] | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    # New each time the card is drawn: its add buttons carry it, so a second press of the
    # same button (a double-click, a retry) is known as the same press.
    form_id: str = ""


def _press(view: PlanKaart) -> dict[str, str]:
    return {"_form": view.form_id} if view.form_id else {}


def plan_kaart(view: PlanKaart) -> Card:
    body: list[Element] = [title(f"Plan van aanpak {view.code}"), text(view.status, subtle=True)]
    if view.notice:
        body.append(text(view.notice, color="Good", weight="Bolder"))
    if view.errors.get("_form"):
        body.append(error(view.errors["_form"]))
    if view.note:
        body.append(text(view.note, subtle=True))
    if view.bewoner:
        body.append(facts(view.bewoner))
    body.append(heading("Leefgebieden"))
    body.append(
        facts(view.leefgebieden)
        if view.leefgebieden
        else text("Nog geen problemen of scores vastgelegd.", subtle=True)
    )
    body += _doelen(view)
    body.append(heading("Acties"))
    if view.verborgen and view.verborgen[1]:
        body.append(text(_verborgen(view.verborgen[1], "actie", "acties"), subtle=True))
    elif not view.acties:
        body.append(text("Nog geen acties.", subtle=True))
    for regel in view.acties:
        body.append(_actie_regel(regel, with_code=False, kaart="plan"))
    if view.kan_leefgebied:
        body += _leefgebied_form(view)
    if view.kan_doel:
        body += _doel_form(view, _press(view), view.values, view.errors, nieuw=True)
    if view.kan_actie:
        body += _actie_form(view, view.values, view.errors, _press(view))
    if view.geschiedenis:
        body.append(heading("Laatste wijzigingen"))
        body += [text(line, subtle=True, spacing="None") for line in view.geschiedenis]
    actions = []
    if view.kan_regie:
        actions.append(
            execute(
                "Procesregisseur inschakelen",
                forms.PLAN_ESCALEREN,
                {"casus": view.casus_id, **_press(view)},
                inputs=False,
            )
        )
    actions.append(execute("Mijn acties", forms.ACTIES, inputs=False))
    return refreshing(card(body, actions), forms.PLAN_OPEN, {"casus": view.casus_id})


def _doelen(view: PlanKaart) -> list[Element]:
    body: list[Element] = [heading("Doelen")]
    if view.verborgen and view.verborgen[0]:
        body.append(text(_verborgen(view.verborgen[0], "doel", "doelen"), subtle=True))
    elif not view.doelen:
        body.append(text("Nog geen doelen.", subtle=True))
    for token, kop, omschrijving in view.doelen:
        items = [text(kop, weight="Bolder"), text(omschrijving, spacing="None")]
        if view.kan_doel:
            items.append(
                action_set(
                    [
                        execute(
                            "Doel wijzigen",
                            forms.DOEL_OPEN,
                            {"casus": view.casus_id, "doel": token},
                            inputs=False,
                        )
                    ]
                )
            )
        body.append(container(items, separator=True))
    return body


def _verborgen(aantal: int, een: str, meer: str) -> str:
    wat = f"is 1 {een}" if aantal == 1 else f"zijn {aantal} {meer}"
    return f"Er {wat}. Als adviseur zie je niet wat erin staat."


def _actie_regel(regel: ActieRegel, *, with_code: bool, kaart: str) -> Element:
    kop = f"{regel.code} · " if with_code else ""
    status = STATUS_LABELS.get(regel.status, regel.status)
    line = f"{kop}{regel.eigenaar} · uiterlijk {regel.deadline} · {status}"
    items: list[Element] = [
        text(line, weight="Bolder", color="Attention" if regel.te_laat else None),
        text(regel.tekst, spacing="None"),
    ]
    if regel.uitstel:
        items.append(text(regel.uitstel, subtle=True, spacing="None"))
    buttons = [execute("Details", forms.ACTIE_OPEN, {"actie": regel.actie_id}, inputs=False)]
    if regel.kan_afronden:
        buttons.append(
            execute(
                "Afgerond",
                forms.ACTIE_AFGEROND,
                {"actie": regel.actie_id, "kaart": kaart},
                inputs=False,
            )
        )
    if regel.kan_uitstel:
        buttons.append(
            execute(
                "Uitstel vragen",
                forms.ACTIE_UITSTEL_OPEN,
                {"actie": regel.actie_id, "kaart": kaart},
                inputs=False,
            )
        )
    items.append(action_set(buttons))
    return container(items, separator=True)


def _leefgebied_form(view: PlanKaart) -> list[Element]:
    form = forms.PLAN_LEEFGEBIED
    values, errors = view.values, view.errors
    return [
        heading("Leefgebied bijwerken"),
        *choice_input(
            form["leefgebied"], "Leefgebied", view.leefgebied_opties, values, errors, required=True
        ),
        *text_input(form["probleem"], "Probleem", values, errors, multiline=True),
        *choice_input(form["score"], "Score vandaag", SCORES, values, errors),
        text(ALLEEN_CODE, subtle=True),
        action_set([execute("Leefgebied opslaan", form, {"casus": view.casus_id})]),
    ]


def _doel_form(
    view: PlanKaart,
    data: Mapping[str, Any],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    nieuw: bool,
) -> list[Element]:
    form = forms.PLAN_DOEL
    body = [
        heading("Doel toevoegen" if nieuw else "Doel wijzigen"),
        *choice_input(
            form["doel_leefgebied"], "Leefgebied", view.leefgebied_opties, values, errors
        ),
        *text_input(form["omschrijving"], "Doel", values, errors, required=True, multiline=True),
        *text_input(
            form["goed_genoeg_als"],
            "Goed genoeg om af te sluiten als …",
            values,
            errors,
            required=True,
            multiline=True,
        ),
    ]
    if not nieuw:
        body += choice_input(form["doel_status"], "Status", DOEL_STATUSES, values, errors)
    body.append(text("Een doel vastleggen of wijzigen is een besluit.", subtle=True))
    label = "Doel vastleggen" if nieuw else "Wijziging vastleggen"
    body.append(action_set([execute(label, form, {"casus": view.casus_id, **data})]))
    return body


def _actie_form(
    view: PlanKaart,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    data: Mapping[str, Any] | None = None,
    *,
    with_status: bool = False,
) -> list[Element]:
    form = forms.PLAN_ACTIE
    body = [
        heading("Actie wijzigen" if with_status else "Actie toevoegen"),
        *text_input(form["beschrijving"], "Wat moet er gebeuren?", values, errors, required=True),
        *choice_input(
            form["eigenaar"], "Wie doet het?", view.eigenaar_opties, values, errors, required=True
        ),
        *date_input(form["deadline"], "Uiterlijk op", values, errors, required=True),
        *choice_input(form["actie_doel"], "Hoort bij doel", view.doel_opties, values, errors),
        *choice_input(
            form["interventie"], "Interventie (optioneel)", view.interventie_opties, values, errors
        ),
    ]
    if view.suggesties and not with_status:
        body.append(text("Suggesties bij de leefgebieden van deze casus:", subtle=True))
        body += [
            text(f"{naam} ({gebied}): {uitleg}", subtle=True, spacing="None")
            for naam, gebied, uitleg in view.suggesties
        ]
    if with_status:
        body += choice_input(form["actie_status"], "Status", ACTIE_STATUSES, values, errors)
        body += text_input(form["reden"], "Reden (bij vervallen)", values, errors)
    label = "Wijziging opslaan" if with_status else "Actie toevoegen"
    body.append(action_set([execute(label, form, {"casus": view.casus_id, **(data or {})})]))
    return body


@dataclass(frozen=True)
class DoelKaart:
    plan: PlanKaart
    doel: str  # token
    versie: str


def doel_kaart(view: DoelKaart) -> Card:
    plan = view.plan
    body: list[Element] = [title(f"Doel van {plan.code}")]
    if plan.errors.get("_form"):
        body.append(error(plan.errors["_form"]))
    body += _doel_form(
        plan, {"doel": view.doel, "versie": view.versie}, plan.values, plan.errors, nieuw=False
    )
    actions = [
        execute("Terug naar het plan", forms.PLAN_OPEN, {"casus": plan.casus_id}, inputs=False)
    ]
    return refreshing(
        card(body, actions), forms.DOEL_OPEN, {"casus": plan.casus_id, "doel": view.doel}
    )


@dataclass(frozen=True)
class ActieKaart:
    plan: PlanKaart  # options for the edit form, values of the action
    regel: ActieRegel
    feiten: Sequence[tuple[str, str]]
    versie: str
    kan_wijzigen: bool
    uitstel_vragen: bool = False  # show the uitstel form
    uitstel_besluit: bool = False  # the casusregisseur decides on a request


def actie_kaart(view: ActieKaart) -> Card:
    plan, regel = view.plan, view.regel
    body: list[Element] = [title(f"Actie voor {regel.code}")]
    if plan.notice:
        body.append(text(plan.notice, color="Good", weight="Bolder"))
    if plan.errors.get("_form"):
        body.append(error(plan.errors["_form"]))
    body += [text(regel.tekst), facts(view.feiten)]
    if view.uitstel_vragen:
        form = forms.ACTIE_UITSTEL
        body += [
            heading("Uitstel vragen"),
            *date_input(form["tot"], "Nieuwe datum", plan.values, plan.errors, required=True),
            *text_input(form["uitstel_reden"], "Waarom?", plan.values, plan.errors, required=True),
            text("De casusregisseur beslist over het uitstel.", subtle=True),
            action_set([execute("Uitstel vragen", form, {"actie": regel.actie_id})]),
        ]
    elif view.kan_wijzigen:
        body += _actie_form(
            plan,
            plan.values,
            plan.errors,
            {"actie": str(regel.actie_id), "versie": view.versie},
            with_status=True,
        )
    actions = _actie_buttons(regel, view.uitstel_besluit)
    actions.append(execute("Het plan", forms.PLAN_OPEN, {"casus": plan.casus_id}, inputs=False))
    return refreshing(card(body, actions), forms.ACTIE_OPEN, {"actie": regel.actie_id})


def _actie_buttons(regel: ActieRegel, uitstel_besluit: bool) -> list[Element]:
    data = {"actie": regel.actie_id}
    buttons = []
    if regel.kan_afronden:
        buttons.append(
            execute("Afgerond", forms.ACTIE_AFGEROND, {**data, "kaart": "actie"}, inputs=False)
        )
    if regel.kan_uitstel:
        buttons.append(
            execute(
                "Uitstel vragen", forms.ACTIE_UITSTEL_OPEN, {**data, "kaart": "actie"}, inputs=False
            )
        )
    if uitstel_besluit:
        buttons += _uitstel_knoppen(regel.actie_id)
    return buttons


def _uitstel_knoppen(actie_id: int) -> list[Element]:
    return [
        execute(
            "Uitstel goedkeuren",
            forms.UITSTEL_BESLUIT,
            {"actie": actie_id, "akkoord": "ja"},
            inputs=False,
        ),
        execute(
            "Uitstel weigeren",
            forms.UITSTEL_BESLUIT,
            {"actie": actie_id, "akkoord": "nee"},
            inputs=False,
        ),
    ]


def acties_kaart(regels: Sequence[ActieRegel], notice: str | None = None) -> Card:
    body: list[Element] = [title("Mijn acties")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if not regels:
        body.append(text("Je hebt geen open acties.", subtle=True))
    body += [_actie_regel(regel, with_code=True, kaart="acties") for regel in regels]
    return refreshing(card(body), forms.ACTIES)


# --- proactive cards: codes and dates only ----------------------------------------------------

HERINNERING_TEKST = {
    "voor": "Herinnering: een actie voor {code} moet uiterlijk {deadline} klaar zijn.",
    "dag": "Vandaag is de deadline van een actie voor {code} ({deadline}).",
    "te_laat": "Een actie voor {code} is te laat: de deadline was {deadline}.",
    "escalatie": (
        "Escalatie: een actie voor {code} is al meer dan een week te laat (deadline {deadline}). "
        "Help de casusregisseur; de casusregie blijft waar hij is."
    ),
}


def herinnering_kaart(
    soort: str, code: str, actie_id: int, deadline: str, notice: str | None = None
) -> Card:
    body: list[Element] = [
        title("Escalatie" if soort == "escalatie" else "Herinnering actie"),
        text(HERINNERING_TEKST[soort].format(code=code, deadline=deadline)),
    ]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    data = {"actie": actie_id}
    actions = [execute("Details", forms.ACTIE_OPEN, data)]
    if soort != "escalatie" and notice is None:
        actions.append(execute("Afgerond", forms.ACTIE_AFGEROND, {**data, "kaart": "herinnering"}))
        actions.append(
            execute("Uitstel vragen", forms.ACTIE_UITSTEL_OPEN, {**data, "kaart": "herinnering"})
        )
    return card(body, actions)


def uitstel_verzoek_kaart(code: str, actie_id: int, deadline: str, tot: str, door: str) -> Card:
    body = [
        title("Uitstel gevraagd"),
        text(f"{door} vraagt uitstel voor een actie van {code}: van {deadline} naar {tot}."),
        text("De reden staat bij Details.", subtle=True),
    ]
    return card(
        body,
        [execute("Details", forms.ACTIE_OPEN, {"actie": actie_id}), *_uitstel_knoppen(actie_id)],
    )


@dataclass(frozen=True)
class OverzichtRegel:
    casus_id: int
    code: str
    regel: str


def weekoverzicht_kaart(regels: Sequence[OverzichtRegel]) -> Card:
    body: list[Element] = [
        title("Weekoverzicht van je casussen"),
        text("Open, binnenkort, te laat, besluiten van de afgelopen week.", subtle=True),
    ]
    for regel in regels:
        body.append(
            container(
                [
                    text(f"{regel.code} · {regel.regel}", weight="Bolder"),
                    action_set(
                        [
                            execute(
                                f"Plan {regel.code}",
                                forms.PLAN_OPEN,
                                {"casus": regel.casus_id},
                                inputs=False,
                            )
                        ]
                    ),
                ],
                separator=True,
            )
        )
    return card(body, [execute("Mijn acties", forms.ACTIES, inputs=False)])


def escalatie_kaart(code: str, casus_id: int, door: str) -> Card:
    body = [
        title("Procesregisseur ingeschakeld"),
        text(
            f"{door} vraagt je hulp bij {code}. Jij helpt; de casusregie blijft bij de "
            "casusregisseur."
        ),
    ]
    return card(body, [execute("Plan bekijken", forms.PLAN_OPEN, {"casus": casus_id})])


def afgerond_kaart(code: str, actie_id: int, notice: str) -> Card:
    """A reminder card after **Afgerond**: no more buttons that change anything."""
    return card(
        [title(f"Actie voor {code}"), text(notice, color="Good", weight="Bolder")],
        [execute("Details", forms.ACTIE_OPEN, {"actie": actie_id})],
    )
