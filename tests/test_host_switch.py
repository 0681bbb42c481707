"""Switching an installation from one host to the other needs no data change (#27): what the
first host stored (conversation references, sent activity ids, the outbox, scheduled work)
is used as it is by the second, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from store.models import Bericht, ConversationRef, Taak
from tests.e2e import Bot, outbox_until, running_bot
from tests.hosts import running_host
from tests.standin import StandIn

pytestmark = pytest.mark.e2e
CHANNEL = "19:kanaal-zuiderstad@thread.tacv2"


async def stored(bot: Bot) -> dict[str, Any]:
    async with bot.db.unit_of_work() as uow:
        references = {
            row.conversation_id: row.reference
            for row in (await uow.session.scalars(select(ConversationRef))).all()
        }
        taken = sorted(
            (row.soort, row.sleutel, row.due_at)
            for row in (await uow.session.scalars(select(Taak))).all()
        )
    return {"references": references, "taken": taken}


def ours(rows: Any) -> list[Bericht]:
    return [r for r in rows if r.conversation_id in (CHANNEL, "a:personal-a1")]


def all_sent(rows: Any) -> bool:
    return all(r.verzonden_at for r in ours(rows))


async def queue(bot: Bot, conversation: str, tekst: str, plek: str | None = None) -> None:
    async with bot.db.unit_of_work() as uow:
        uow.session.add(Bericht(conversation_id=conversation, tekst=tekst, plek=plek))
        await uow.commit()


@pytest.mark.parametrize("first,second", [("botbuilder", "agents"), ("agents", "botbuilder")])
async def test_an_installation_switches_host_and_carries_on(
    standin: StandIn, database_url: str, first: str, second: str
) -> None:
    async with running_bot(
        standin, database_url, BOT_HOST=first, OUTBOX_INTERVAL_SECONDS="60"
    ) as bot:
        assert bot.app is not None and running_host(bot.app) == first
        status, _ = await bot.post(bot.activity("a1", text="help"))
        assert status == 200
        await bot.sent("Casusoverleg", conversation="a:personal-a1")
        status, _ = await bot.post(bot.activity("a1", text="help", conversation_type="channel"))
        assert status == 200
        await queue(bot, CHANNEL, "agenda versie 1", plek="agenda:9")
        await outbox_until(bot.app, all_sent)
        # Queued on the first host, delivered by the second.
        await queue(bot, "a:personal-a1", "Je hebt een nieuwe taak.")
        await queue(bot, CHANNEL, "agenda versie 2", plek="agenda:9")
        before = await stored(bot)
    assert set(before["references"]) == {"a:personal-a1", CHANNEL}
    standin.clear()

    async with running_bot(
        standin, database_url, BOT_HOST=second, OUTBOX_INTERVAL_SECONDS="60"
    ) as bot:
        assert bot.app is not None and running_host(bot.app) == second
        rows = ours(await outbox_until(bot.app, all_sent))
        calls = {(c.method, c.conversation_id, c.text) for c in standin.recorded}
        assert ("POST", "a:personal-a1", "Je hebt een nieuwe taak.") in calls
        # The card the first host posted is changed in place by the second: same activity.
        first_post, _task, update = rows
        assert ("PUT", CHANNEL, "agenda versie 2") in calls
        put = next(c for c in standin.recorded if c.method == "PUT")
        assert put.path.endswith(f"/activities/{first_post.activity_id}")
        assert update.activity_id == first_post.activity_id
        # A turn on the second host stores the very reference the first one stored.
        status, _ = await bot.post(bot.activity("a1", text="help"))
        assert status == 200
        await bot.sent("Casusoverleg", conversation="a:personal-a1")
        assert await stored(bot) == before
