"""One installation for a region (#26): gemeenten and their beheerders, a PGA-expert of a
second gemeente, and which gemeente a channel is for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Element,
    Option,
    action_set,
    card,
    choice_input,
    execute,
    facts,
    heading,
    text,
    text_input,
    title,
)
from cards.beheer import _back, _notice

F = forms.BEHEER_ORGANISATIE


def gemeenten_card(
    gemeenten: Sequence[tuple[str, str]],
    gemeente_keuzes: Sequence[Option],
    professional_keuzes: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    """For the beheerder of the installation: (name with short code, its beheerders)."""
    body: list[Element] = [
        title("Gemeenten"),
        *_notice(notice, errors),
        facts(gemeenten) if gemeenten else text("Nog geen gemeenten."),
        heading("Gemeente toevoegen"),
        text(
            "De afkorting staat in de casuscodes zodra er meer dan één gemeente is, zoals "
            "PGA-ZDS-2026-001. Twee tot vijf letters; kies hem goed, hij verandert niet meer.",
            subtle=True,
        ),
        *text_input(F["gem_naam"], "Naam van de gemeente", values, errors, required=True),
        *text_input(F["gem_afkorting"], "Afkorting (zoals ZDS)", values, errors, required=True),
        action_set([execute("Gemeente toevoegen", forms.BEHEER_GEMEENTE, style="positive")]),
        heading("Beheerder van een gemeente aanwijzen"),
        text(
            "Een beheerder van een gemeente wijst de PGA-experts van die gemeente aan, schakelt "
            "mensen uit die alleen daar werken en ziet de monitor van die gemeente.",
            subtle=True,
        ),
        *choice_input(F["beh_professional"], "Professional", professional_keuzes, values, errors),
        *choice_input(F["beh_gemeente"], "Gemeente", gemeente_keuzes, values, errors),
        action_set([execute("Beheerder aanwijzen", forms.BEHEER_BEHEERDER, style="positive")]),
    ]
    return card(body, [_back()])


def pga_expert_card(
    gemeente_keuzes: Sequence[Option],
    professional_keuzes: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    """Appoint a registered professional PGA-expert of a gemeente you administer (also one
    who is PGA-expert of another gemeente already)."""
    body: list[Element] = [
        title("PGA-expert aanwijzen"),
        *_notice(notice, errors),
        text(
            "Een PGA-expert ziet wie de bewoners van die gemeente zijn. Wijs alleen aan wie "
            "daarvoor is aangesteld.",
            subtle=True,
        ),
        *choice_input(F["exp_professional"], "Professional", professional_keuzes, values, errors),
        *choice_input(F["exp_gemeente"], "Gemeente", gemeente_keuzes, values, errors),
        action_set([execute("PGA-expert aanwijzen", forms.BEHEER_PGA_EXPERT, style="positive")]),
    ]
    return card(body, [_back()])


def kanaal_keuze_card(keuzes: Sequence[tuple[int, str, bool]]) -> Card:
    """`kanaal` where the team does not say which gemeente: (id, name, has a channel)."""
    body: list[Element] = [
        title("Voor welke gemeente is dit kanaal?"),
        text(
            "Je bent PGA-expert van meer dan één gemeente. Kies de gemeente die in dit kanaal "
            "meldingen van nieuwe aanmeldingen krijgt (alleen met de casuscode)."
        ),
    ]
    moved = [naam for _, naam, has_channel in keuzes if has_channel]
    if moved:
        body.append(
            text(
                f"Let op: {', '.join(moved)} heeft al een kanaal. Kies je die gemeente, dan "
                "gaan de meldingen voortaan naar dit kanaal en niet meer naar het oude.",
            )
        )
    buttons = [
        execute(naam, forms.KANAAL_KOPPELEN, {"gemeente": gemeente_id}, inputs=False)
        for gemeente_id, naam, _ in keuzes
    ]
    return card(body, [*buttons])
