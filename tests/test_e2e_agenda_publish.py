"""An agenda published over HTTP while the Bot Connector answers 429 (issue #10, Performance):
the invoke answers with the agenda, and every notice arrives exactly once after the back-off.
The full-size scenario (40 casussen, 15 invitees) is `./dev bench overleg`."""

from __future__ import annotations

import json

import pytest

from bot.app import SETTINGS
from tests.agenda_load import delivered_within, newest_bericht, received, seed_agenda
from tests.e2e import running_bot
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.standin import StandIn

pytestmark = pytest.mark.e2e


async def test_a_published_agenda_reaches_everyone_once_despite_429(
    standin: StandIn, database_url: str
) -> None:
    async with running_bot(standin, database_url) as bot:
        assert bot.app is not None
        config = bot.app[SETTINGS].dialog_config()
        agenda = await seed_agenda(bot.db, config, standin, casussen=5, invitees=6)
        assert await delivered_within(bot.db, 10) is not None  # what the seeding sent
        standin.clear()
        before = await newest_bericht(bot.db)
        overleg = agenda.overleg_ids[0]
        # The agenda post and the first three invitations are throttled (Retry-After: 1).
        standin.fail_next(4, retry_after=1)

        status, answer = await bot.post(bot.invoke("a1", "agenda.publiceren", {"overleg": overleg}))

        assert status == 200, answer
        assert "De agenda staat in het kanaal. 6 nieuwe genodigde(n)" in json.dumps(
            answer, ensure_ascii=False
        )
        assert await delivered_within(bot.db, 8, after=before) is not None
        got = received(standin.recorded, agenda.invitees, overleg)
        assert got.problems == []
        assert got.throttled == 4
        assert got.delivered == 1 + 6
