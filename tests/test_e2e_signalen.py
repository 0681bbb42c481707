"""A channel message that names a resident, through the real HTTP stack with authentication on
(issue #10): the channel gets a neutral pointer, the author a 1:1 request to remove it, and no
log line, stored row or sent activity carries what was typed. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from dialogs.signalen import CHANNEL_POINTER, REMOVE_PLEASE
from tests.e2e import Bot, running_bot
from tests.helpers import aanmelding_values
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.test_e2e_voortraject import CHANNEL, card_of
from tests.test_hardening import dump_all_tables

pytestmark = pytest.mark.e2e
MARKER = "zwavelgeel"  # appears nowhere else: if kept or logged, it is found


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


def in_channel(bot: Bot, who: str, text: str) -> dict:
    mention = {
        "type": "mention",
        "text": "<at>Casusoverleg</at>",
        "mentioned": {"id": f"28:{bot.standin.app_id}", "name": "Casusoverleg"},
    }
    return bot.activity(
        who, text=f"<at>Casusoverleg</at> {text}", conversation_type="channel", entities=[mention]
    )


async def test_a_name_typed_in_a_channel_is_answered_in_private_only(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await bot.post(bot.activity("a2", text="aanmelden")))[0] == 200
    await bot.sent("Aanmelding PGA", conversation="a:personal-a2")
    await card_of(bot, "a2", "aanmelding.indienen", await aanmelding_values(bot.db))
    caplog.clear()
    caplog.set_level(logging.DEBUG)

    status, _ = await bot.post(in_channel(bot, "a2", f"is OUDEMAN {MARKER} weer gezien?"))
    assert status == 200
    # Since #26 the channel gets what any text gets (the help card), not a pointer.
    await bot.sent("Casusoverleg", conversation=CHANNEL)
    await bot.sent(REMOVE_PLEASE[:40], conversation="a:personal-a2")
    assert not any(CHANNEL_POINTER in t for t in bot.sent_texts())

    sent = "\n".join(bot.sent_texts()).lower()
    assert MARKER not in sent and "oudeman" not in sent
    logs = "\n".join(record.getMessage() for record in caplog.records).lower()
    assert MARKER not in logs and "oudeman" not in logs
    assert await dump_all_tables(bot.db, (MARKER,)) == []
