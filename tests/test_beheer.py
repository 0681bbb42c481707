"""Beheer as a PGA team uses it (issue #9): people by name, short cards, the letterhead."""

from __future__ import annotations

from dialogs import router
from dialogs.core import Incoming
from store.demo import DEMO_TENANT
from tests.helpers import act, card_text, say

NEWCOMER = "99999999-0000-4000-8000-000000000001"


def newcomer(name: str = "Nadia Bos", tenant: str = DEMO_TENANT) -> Incoming:
    return Incoming(
        tenant_id=tenant,
        aad_object_id=NEWCOMER,
        user_name=name,
        conversation_id="personal-newcomer",
        conversation_type="personal",
        reference={
            "user": {"id": "29:nadia", "name": name, "aadObjectId": NEWCOMER},
            "conversation": {"id": "personal-newcomer", "conversationType": "personal"},
            "serviceUrl": "http://127.0.0.1:9/",
            "channelId": "msteams",
        },
    )


async def test_someone_who_opened_the_bot_is_added_by_name(demo_db, config) -> None:
    refused = await router.handle_text(demo_db, config, newcomer(), "hallo")
    assert "nog niet in Casusoverleg" in (refused.text or "")
    menu = await say(demo_db, config, "a1", "beheer")
    text = card_text(menu.card)
    assert "Wachten op toegang (1)" in text and "Nadia Bos toevoegen" in text
    waiting_id = next(
        a["data"]["aanvraag"]
        for item in menu.card["body"]
        if item.get("type") == "Container"
        for part in item["items"]
        if part.get("type") == "ActionSet"
        for a in part["actions"]
    )
    form = await act(demo_db, config, "a1", "beheer.aanvraag.open", {"aanvraag": waiting_id})
    assert "Nadia Bos opende Casusoverleg" in card_text(form.card)
    assert "prof_object_id" not in card_text(form.card)  # no object id to type
    added = await act(
        demo_db,
        config,
        "a1",
        "beheer.aanvraag",
        {"aanvraag": waiting_id, "prof_rol": "professional", "prof_functie": "Wijkagent"},
    )
    assert "Nadia Bos is toegevoegd" in card_text(added.card)
    welcome = await router.handle_text(demo_db, config, newcomer(), "help")
    assert welcome.card is not None and "Nadia Bos" in card_text(welcome.card)
    again = await act(
        demo_db, config, "a1", "beheer.aanvraag", {"aanvraag": waiting_id, "prof_rol": "x"}
    )
    assert "staat er niet meer" in (again.text or "")


async def test_only_administrators_see_who_is_waiting(demo_db, config) -> None:
    await router.handle_text(demo_db, config, newcomer(), "hallo")
    for verb in ("beheer.aanvraag.open", "beheer.aanvraag"):
        refused = await act(demo_db, config, "a3", verb, {"aanvraag": 1})
        assert refused.card is None and "Alleen een PGA-expert" in (refused.text or "")


async def test_the_menu_keeps_switching_off_apart(demo_db, config) -> None:
    menu = await say(demo_db, config, "a1", "beheer")
    verbs = {a["verb"] for a in menu.card["actions"]}
    assert "beheer.uitschakelen" not in verbs and "beheer.toegang" in verbs
    toegang = await act(demo_db, config, "a1", "beheer.toegang")
    assert "destructive" in card_text(toegang.card)


async def test_the_letterhead_is_set_by_the_gemeente(demo_db, config) -> None:
    opened = await act(demo_db, config, "a1", "beheer.briefhoofd.open")
    choice = next(item for item in opened.card["body"] if item.get("id") == "gem_gemeente")
    saved = await act(
        demo_db,
        config,
        "a1",
        "beheer.briefhoofd",
        {
            "gem_gemeente": choice["choices"][0]["value"],
            "gem_adres": "Markt 1\n1234 ZZ Zuiderstad",
            "gem_burgemeester": "A. Jansen",
        },
    )
    assert "briefhoofd is bewaard" in card_text(saved.card)
    refused = await act(demo_db, config, "a3", "beheer.briefhoofd", {"gem_gemeente": "1"})
    assert refused.card is None and "Alleen een PGA-expert" in (refused.text or "")
