"""Forms as contracts (issue #7): every verb a card can emit has a route, and everything
the button sends (its data and the card's inputs) is defined by the form the route reads."""

from __future__ import annotations

from typing import Any

import pytest

from cards import forms
from dialogs import router
from store import reference as ref
from tests.test_cards import CARDS


def executes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if node.get("type") == "Action.Execute" else []
        return own + [a for value in node.values() for a in executes(value)]
    if isinstance(node, list):
        return [a for item in node for a in executes(item)]
    return []


def input_ids(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["id"]} if str(node.get("type", "")).startswith("Input.") else set()
        return own.union(*(input_ids(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(input_ids(item) for item in node))
    return set()


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_button_has_a_route_that_reads_what_it_sends(name: str) -> None:
    card = CARDS[name]
    for action in executes(card):
        route = router.ROUTES.get(action["verb"])
        assert route is not None, f"{name}: no route for {action['verb']}"
        sent = set(action.get("data", {}))
        if action.get("associatedInputs") != "none":
            sent |= input_ids(card)
        assert sent <= route.form.keys, f"{name}/{action['verb']}: {sorted(sent - route.form.keys)}"


def test_every_route_is_reachable_from_a_card_or_a_command() -> None:
    """No dead verbs: each route is emitted by some card."""
    emitted = {action["verb"] for card in CARDS.values() for action in executes(card)}
    unreachable = set(router.ROUTES) - emitted - {"help"}
    assert not unreachable, sorted(unreachable)


def test_every_form_is_routed_and_every_route_uses_its_form() -> None:
    for form in forms.ALL:
        assert router.ROUTES[form.verb].form is form, form.verb


def test_criteria_inputs_match_the_reference_list() -> None:
    assert tuple(key for key, _ in ref.CRITERIA) == forms.CRITERIA_KEYS


async def test_a_submit_with_an_input_the_form_does_not_define_is_refused(demo_db, config):
    from tests.conftest import incoming

    outcome = await router.handle_action(
        demo_db, config, incoming("a1"), "triage.besluit", {"casus": 1, "reden": "x"}
    )
    assert outcome.card is None and "verouderd" in (outcome.text or "")


async def test_a_float_id_is_refused(demo_db, config):
    """1.0 passed as an integer; ids are integers or refused (issue #8, point 4)."""
    from tests.conftest import incoming

    outcome = await router.handle_action(
        demo_db, config, incoming("a1"), "triage.open", {"casus": 1.0}
    )
    assert outcome.card is None and "verouderd" in (outcome.text or "")
