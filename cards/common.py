"""The help card and the local "act as" picker."""

from __future__ import annotations

from collections.abc import Sequence

from cards import forms
from cards.base import Card, action_set, card, container, esc, execute, facts, text, title


def help_card(
    name: str | None, commands: Sequence[tuple[str, str]], note: str | None = None
) -> Card:
    greeting = f"Hallo {name}! " if name else "Hallo! "
    body = [
        title("Casusoverleg"),
        text(
            greeting
            + "Ik help bij de PGA: aanmelden, triage en casusoverleg. "
            + "Typ een opdracht of kies een knop."
        ),
        facts(commands),
        text(
            "Gegevens van bewoners zie je alleen in je privéchat met mij, "
            "en alleen als je bij de casus betrokken bent.",
            subtle=True,
        ),
    ]
    if note:
        body.append(text(note, subtle=True))
    buttons = [execute(label, form) for label, form in _HELP_BUTTONS if _listed(form, commands)]
    return card(body, buttons)


_HELP_BUTTONS = (
    ("Aanmelden", forms.AANMELDING_OPEN),
    ("Triage", forms.TRIAGE_LIJST),
    ("Beheer", forms.BEHEER_OPEN),
)


def _listed(form: forms.Form, commands: Sequence[tuple[str, str]]) -> bool:
    command = {"aanmelding.open": "aanmelden", "triage.lijst": "triage", "beheer.open": "beheer"}
    return any(name == command[form.verb] for name, _ in commands)


def act_as_card(people: Sequence[tuple[int, str, str]], current_id: int | None) -> Card:
    """Local mode only: pick the demo professional to act as."""
    rows = []
    for professional_id, name, role in people:
        marker = " (nu)" if professional_id == current_id else ""
        rows.append(
            container(
                [
                    text(f"**{esc(name)}**{marker}", spacing="Small", markdown=True),
                    text(role, subtle=True, spacing="None"),
                    action_set(
                        [
                            execute(
                                f"Handel als {name}",
                                forms.DEMO_ALS,
                                {"professional": professional_id},
                            )
                        ]
                    ),
                ],
                separator=True,
            )
        )
    return card(
        [
            title("Handel als…"),
            text(
                "Alleen in de lokale proefomgeving. Kies wie je bent; berichten voor die persoon "
                "verschijnen dan in deze chat."
            ),
            *rows,
        ]
    )


def verlopen_kaart(message: str) -> Card:
    """What an old card shows when it is refreshed for someone who may no longer see what was
    on it: no identity, no casus data, no refresh (it is not asked for again)."""
    return card(
        [
            title("Deze kaart is niet meer actueel"),
            text(message),
            text(
                "Wat hier eerst stond, is weggehaald. Typ 'help' voor wat je nu kunt doen.",
                subtle=True,
            ),
        ]
    )
