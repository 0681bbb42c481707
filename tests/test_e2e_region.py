"""One installation for a region over the Teams protocol (#26): the real aiohttp app with
authentication on, against the Bot Connector stand-in, on SQLite and PostgreSQL. `kanaal`
links the gemeente of the channel's team (or asks); the channel screen answers a hit like a
miss and recognises only the inwoners of the channel's gemeente; an activity whose tenant
fields disagree is answered as another tenant's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dialogs.identity import NOT_ALLOWED
from dialogs.signalen import CHANNEL_POINTER, REMOVE_PLEASE
from tests.e2e import Bot, running_bot
from tests.helpers import aanmelding_values
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.region_world import (
    CHANNEL_N,
    CHANNEL_X,
    CHANNEL_Z,
    TEAM_N,
    TEAM_X,
    TEAM_Z,
    build_region,
    kanalen,
)
from tests.test_e2e_voortraject import card_of

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


def in_channel(bot: Bot, who: str, text: str, channel: str, team: str) -> dict[str, Any]:
    mention = {
        "type": "mention",
        "text": "<at>Casusoverleg</at>",
        "mentioned": {"id": f"28:{bot.standin.app_id}", "name": "Casusoverleg"},
    }
    activity = bot.activity(
        who, text=f"<at>Casusoverleg</at> {text}", conversation_type="channel", entities=[mention]
    )
    activity["conversation"]["id"] = channel
    activity["channelData"]["team"] = {"id": team}
    return activity


async def said_in_channel(bot: Bot, who: str, text: str, where: tuple[str, str]) -> Any:
    """What the channel got back for this message: the reply's text and cards."""
    before = len(bot.standin.recorded)
    status, _ = await bot.post(in_channel(bot, who, text, *where))
    assert status == 200
    replies = [
        call.body
        for call in bot.standin.recorded[before:]
        if call.conversation_id == where[0]
        and call.operation in ("send_to_conversation", "reply_to_activity")
    ]
    assert len(replies) == 1, replies
    return replies[0].get("text"), replies[0].get("attachments")


async def test_kanaal_links_the_gemeente_of_the_team_or_asks(bot: Bot) -> None:
    region = await build_region(bot.db, bot.standin.tenant_id)
    await said_in_channel(bot, "a1", "kanaal", (CHANNEL_Z, TEAM_Z))
    await said_in_channel(bot, "b1", "kanaal", (CHANNEL_N, TEAM_N))
    text, _ = await said_in_channel(bot, "d1", "kanaal", (CHANNEL_N, TEAM_N))
    assert "Noorderveld" in text
    assert await kanalen(bot.db) == {"Noorderveld": CHANNEL_N, "Zuiderstad": CHANNEL_Z}
    # Bram in Zuiderstad's team: refused, nothing moves.
    text, _ = await said_in_channel(bot, "b1", "kanaal", (CHANNEL_Z, TEAM_Z))
    assert "team van een andere gemeente" in text
    # Dewi in a team of neither: a card with a choice, nothing moves until she picks.
    _, cards = await said_in_channel(bot, "d1", "kanaal", (CHANNEL_X, TEAM_X))
    card = cards[0]["content"]
    assert [a["title"] for a in card["actions"]] == ["Noorderveld", "Zuiderstad"]
    assert await kanalen(bot.db) == {"Noorderveld": CHANNEL_N, "Zuiderstad": CHANNEL_Z}
    press = bot.invoke("d1", "kanaal.koppelen", {"gemeente": region.noorderveld})
    press["conversation"] = {**press["conversation"], "id": CHANNEL_X}
    press["conversation"]["conversationType"] = "channel"
    press["channelData"]["team"] = {"id": TEAM_X}
    status, body = await bot.post(press)
    assert status == 200, body
    assert await kanalen(bot.db) == {"Noorderveld": CHANNEL_X, "Zuiderstad": CHANNEL_Z}


async def test_the_channel_screen_answers_a_hit_like_a_miss(bot: Bot) -> None:
    region = await build_region(bot.db, bot.standin.tenant_id)
    await said_in_channel(bot, "a1", "kanaal", (CHANNEL_Z, TEAM_Z))
    await said_in_channel(bot, "b1", "kanaal", (CHANNEL_N, TEAM_N))
    values = await aanmelding_values(bot.db, gemeente=str(region.zuiderstad))
    assert (await bot.post(bot.activity("a2", text="aanmelden")))[0] == 200
    assert "Aanmelding verstuurd" in await card_of(bot, "a2", "aanmelding.indienen", values)
    await bot.sent("Nieuwe aanmelding", conversation=CHANNEL_Z)

    for where in ((CHANNEL_Z, TEAM_Z), (CHANNEL_N, TEAM_N)):
        hit = await said_in_channel(bot, "a2", "is OUDEMAN weer gezien?", where)
        miss = await said_in_channel(bot, "a2", "is Jansen weer gezien?", where)
        assert hit == miss
        shown = json.dumps(hit, ensure_ascii=False)
        assert CHANNEL_POINTER not in shown and "oudeman" not in shown.lower()
    # Only Zuiderstad's channel knows the name: one warning, in Jeroen's 1:1 chat.
    await bot.sent(REMOVE_PLEASE[:40], conversation="a:personal-a2")
    warnings = [t for t in bot.sent_texts() if REMOVE_PLEASE[:40] in t]
    assert len(warnings) == 1
    assert "oudeman" not in "\n".join(bot.sent_texts()).lower()


async def test_contradicting_tenant_fields_get_the_answer_of_another_tenant(bot: Bot) -> None:
    activity = bot.activity("a2", text="help")
    activity["channelData"]["tenant"] = {"id": "99999999-0000-0000-0000-000000000099"}
    status, _ = await bot.post(activity)
    assert status == 200
    await bot.sent(NOT_ALLOWED[:40], conversation="a:personal-a2")
    assert not any("nog niet in Casusoverleg" in t for t in bot.sent_texts())
