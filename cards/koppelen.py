"""Partners on a casus: linking with the sharing checklist, and ending a link."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cards import forms
from cards.base import (
    Card,
    Element,
    Option,
    action_set,
    card,
    choice_input,
    container,
    error,
    execute,
    facts,
    heading,
    refreshing,
    text,
    text_input,
    title,
)

FORM = forms.KOPPELEN
JA_NEE: list[Option] = [("ja", "Ja"), ("nee", "Nee")]


@dataclass(frozen=True)
class KoppelView:
    casus_id: int
    code: str
    gekoppeld: Sequence[tuple[str, str]]  # (name and organisation, role)
    professionals: Sequence[Option]  # proposals first
    opnieuw: Sequence[tuple[int, str, str, str]] = ()  # (id, name, rol, rol label)


@dataclass(frozen=True)
class ChecklistOptions:
    rollen: Sequence[Option]
    grondslagen: Sequence[Option]
    uitzonderingen: Sequence[Option]
    beroepsgeheim: Sequence[Option]
    toestemming_waarschuwing: str


class LegalBasisOptions(Protocol):
    @property
    def grondslagen(self) -> Sequence[Option]: ...
    @property
    def uitzonderingen(self) -> Sequence[Option]: ...
    @property
    def beroepsgeheim(self) -> Sequence[Option]: ...
    @property
    def toestemming_waarschuwing(self) -> str: ...


def legal_basis_inputs(
    form: forms.Form,
    options: LegalBasisOptions,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    beroepsgeheim_label: str,
) -> list[Element]:
    """The legal part of the sharing checklist, the same on every form that links someone:
    AVG art. 6 (with the warning on consent), art. 9/10, and beroepsgeheim."""
    return [
        *choice_input(
            form["grondslag"],
            "Grondslag (AVG art. 6)",
            options.grondslagen,
            values,
            errors,
            required=True,
        ),
        text(options.toestemming_waarschuwing, subtle=True, spacing="None"),
        *choice_input(
            form["uitzondering"],
            "Bijzondere of strafrechtelijke gegevens (AVG art. 9 of 10)",
            options.uitzonderingen,
            values,
            errors,
            required=True,
        ),
        *choice_input(
            form["beroepsgeheim"],
            beroepsgeheim_label,
            options.beroepsgeheim,
            values,
            errors,
            required=True,
        ),
    ]


def koppel_form(
    view: KoppelView,
    options: ChecklistOptions,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    body: list[Element] = [title(f"Professionals bij {view.code}")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    body += [heading("Nu gekoppeld"), facts(view.gekoppeld)]
    if view.opnieuw:
        body += [heading("Opnieuw koppelen, met dezelfde afspraken"), *_again(view)]
    body += [
        heading("Iemand koppelen"),
        text(
            "Koppel alleen wie de gegevens echt nodig heeft. Vul het lijstje voor delen in: "
            "het wordt bij de koppeling bewaard.",
            subtle=True,
        ),
        *choice_input(
            FORM["professional"], "Professional", view.professionals, values, errors, required=True
        ),
        *choice_input(
            FORM["rol"], "Rol", options.rollen, values, errors, required=True, expanded=True
        ),
        *text_input(
            FORM["doel"],
            "Doel: waarvoor deelt de PGA met deze persoon?",
            values,
            errors,
            required=True,
        ),
        *legal_basis_inputs(FORM, options, values, errors, "Beroepsgeheim van deze professional"),
        *text_input(
            FORM["noodzaak"],
            "Noodzaak: waarom is dit nodig, en kan het niet met minder gegevens?",
            values,
            errors,
            required=True,
            multiline=True,
        ),
        *choice_input(
            FORM["geinformeerd"],
            "Weet de bewoner dat deze organisatie meedoet?",
            JA_NEE,
            values,
            errors,
            required=True,
            expanded=True,
        ),
        *text_input(
            FORM["reden_niet_geinformeerd"],
            "Zo nee: waarom niet?",
            values,
            errors,
            multiline=True,
        ),
    ]
    actions = [
        execute("Koppelen", FORM, {"casus": view.casus_id}, style="positive"),
        execute(
            "Iemand ontkoppelen", forms.ONTKOPPELEN_OPEN, {"casus": view.casus_id}, inputs=False
        ),
    ]
    return refreshing(card(body, actions), forms.KOPPELEN_OPEN, {"casus": view.casus_id})


def _again(view: KoppelView) -> list[Element]:
    return [
        container(
            [
                text(f"{name}: {rol_label}", spacing="Small"),
                action_set(
                    [
                        execute(
                            f"Koppel {name} opnieuw",
                            forms.KOPPELEN_OPNIEUW,
                            {"casus": view.casus_id, "professional": professional_id, "rol": rol},
                            inputs=False,
                        )
                    ]
                ),
            ]
        )
        for professional_id, name, rol, rol_label in view.opnieuw
    ]


def ontkoppel_form(
    casus_id: int,
    code: str,
    koppelingen: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
) -> Card:
    """Ending a link is apart from adding one: a destructive step on its own card."""
    body: list[Element] = [
        title(f"Ontkoppelen van {code}"),
        text(
            "Wie je ontkoppelt, ziet de casus vanaf het volgende bericht niet meer. Berichten "
            "die nog klaarstaan, krijgt die persoon niet.",
            subtle=True,
        ),
    ]
    if errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    body += [
        *choice_input(
            forms.ONTKOPPELEN["koppeling"], "Wie", koppelingen, values, errors, required=True
        ),
        *text_input(
            forms.ONTKOPPELEN["reden"], "Reden", values, errors, required=True, multiline=True
        ),
    ]
    return card(
        body,
        [
            execute("Ontkoppelen", forms.ONTKOPPELEN, {"casus": casus_id}, style="destructive"),
            execute("Terug", forms.KOPPELEN_OPEN, {"casus": casus_id}, inputs=False),
        ],
    )


def gekoppeld(code: str, casus_id: int, rol: str, doel: str, adviserend: bool) -> Card:
    """1:1 to the professional who was linked: the code, never the resident."""
    body = [
        title(f"Je bent gekoppeld aan {code}"),
        facts([("Rol", rol), ("Doel", doel)]),
        text(
            "Je ziet de casus zonder wie het is: je adviseert."
            if adviserend
            else "Bekijk de casus hier, in je privéchat. Deel namen nooit in een kanaal.",
            subtle=True,
        ),
    ]
    return card(body, [execute("Casus bekijken", forms.CASUS_OPEN, {"casus": casus_id})])


def ontkoppeld(code: str, rol: str) -> Card:
    return card(
        [
            title(f"Je bent ontkoppeld van {code}"),
            text(
                f"Je rol was: {rol}. Je ziet deze casus niet meer. Vragen? Neem contact op "
                "met de PGA-expert."
            ),
        ]
    )
