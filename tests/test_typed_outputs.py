"""Typed outputs (issue #7): a button that acts in a channel may update the card there for
everyone only with a shared-safe card; anything else goes to the presser's 1:1 chat, and a
'shared' card that names the resident is refused. Proven with a route made for the test,
as the overleg's discussion card will use it."""

from __future__ import annotations

from typing import Any

import pytest

from cards.forms import Form
from dialogs import router
from dialogs.core import Context, Outcome
from store.access import Need
from tests.conftest import incoming
from tests.helpers import RESIDENT_NAME, card_text, casus_id, submit_aanmelding

SHARED_FORM = Form("test.gedeeld", ids=("casus",))


def card_with(text: str) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": text}]}


async def shared_step(context: Context, data: dict[str, Any]) -> Outcome:
    casus = await context.uow.casussen.open(data["casus"], context.actor.requester, Need.OVERZICHT)
    shared = await casus.shared()
    note = data.get("_note", "")
    if note == "private":
        return Outcome.private(card_with(f"{RESIDENT_NAME} (privé)"), about=casus.id)
    text = f"{shared.code}: besluit genomen" + (f" over {RESIDENT_NAME}" if note == "leak" else "")
    return Outcome.shared(card_with(text), shared)


@pytest.fixture
def shared_route(monkeypatch):
    def route(note: str) -> router.Route:
        async def step(context: Context, data: dict[str, Any]) -> Outcome:
            return await shared_step(context, {**data, "_note": note})

        return router.Route(SHARED_FORM, step, shared=True)

    def install(note: str = "") -> None:
        monkeypatch.setitem(router.ROUTES, SHARED_FORM.verb, route(note))

    return install


async def press_in_channel(db, config, cid: int):
    return await router.handle_action(
        db, config, incoming("a2", "channel", "19:kanaal"), SHARED_FORM.verb, {"casus": cid}
    )


async def test_a_shared_safe_card_updates_in_the_channel(demo_db, config, shared_route):
    code = await submit_aanmelding(demo_db, config)
    shared_route()
    outcome = await press_in_channel(demo_db, config, await casus_id(demo_db, code))
    assert outcome.card is not None and f"{code}: besluit genomen" in card_text(outcome.card)


async def test_a_private_card_from_a_shared_route_goes_to_the_1_1_chat(
    demo_db, config, shared_route
):
    code = await submit_aanmelding(demo_db, config)
    shared_route("private")
    outcome = await press_in_channel(demo_db, config, await casus_id(demo_db, code))
    assert outcome.card is None and "privéchat" in (outcome.text or "")


async def test_a_shared_card_that_names_the_resident_is_refused(demo_db, config, shared_route):
    code = await submit_aanmelding(demo_db, config)
    shared_route("leak")
    outcome = await press_in_channel(demo_db, config, await casus_id(demo_db, code))
    assert outcome.card is None and "niet in een kanaal" in (outcome.text or "")
    assert RESIDENT_NAME not in (outcome.text or "")
