"""Every message in Teams that showed a casus with identity is replaced at retention (#20.3),
through the real HTTP stack with authentication on, on SQLite and PostgreSQL.

Each way identity reaches a chat is sent: a reply to a typed command (`casus`, `plan`,
`tijdlijn`, `besluiten`, `afsluiten`), a card replaced in place by the answer to a press (in
the message the press came from: the invoke's replyToId), and proactive messages from the
outbox. After the term the stand-in Bot Connector must receive an update with the stub for
every one of them, and for nothing else (a help card, a channel post)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic import command as alembic_command
from sqlalchemy import event, select, text

from bot.app import DATABASE
from dialogs.retention import apply_retention
from store.db import create_engine
from store.migrate import alembic_config
from store.models import Bericht
from tests.e2e import Bot, outbox_until, running_bot
from tests.helpers import RESIDENT_NAME, aanmelding_values, professional_id
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.test_hardening import dump_all_tables

pytestmark = pytest.mark.e2e
STUB = "Verwijderd wegens bewaartermijn"
TERM = 365  # the default RETENTION_DAYS


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


def chat(who: str) -> str:
    return f"a:personal-{who}"


async def typed(bot: Bot, who: str, text: str) -> tuple[str, str]:
    """Type `text` in the 1:1 chat: (the id of the bot's reply, what it showed)."""
    activity = bot.activity(who, text=text)
    assert (await bot.post(activity))[0] == 200
    (reply,) = bot.standin.calls("reply_to_activity", activity_id=activity["id"])
    assert reply.response_id
    return reply.response_id, json.dumps(reply.body, ensure_ascii=False)


async def pressed(bot: Bot, who: str, verb: str, data: dict[str, Any], in_message: str) -> str:
    """Press a button on the card in message `in_message`; the card that replaces it."""
    status, body = await bot.post(bot.invoke(who, verb, data, replyToId=in_message))
    assert status == 200 and body["statusCode"] == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return json.dumps(body["value"], ensure_ascii=False)


def proactive_to_people(bot: Bot) -> set[tuple[str, str]]:
    return {
        (call.conversation_id, call.response_id)
        for call in bot.standin.calls("send_to_conversation")
        if call.conversation_id.startswith("a:personal-") and call.response_id
    }


async def filed_under_a_casus(bot: Bot) -> set[tuple[str, str]]:
    """The outbox's private messages about a casus, as delivered (where, and the id)."""
    async with bot.db.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(Bericht))).all()
    return {
        (row.sent_conversation_id, row.activity_id)
        for row in rows
        if row.casus_id is not None and row.soort == "privé" and row.activity_id
    }


def showing_the_resident(bot: Bot) -> set[tuple[str, str]]:
    """Every message the bot put in a 1:1 chat whose content names the resident."""
    return {
        (call.conversation_id, call.response_id)
        for call in bot.standin.recorded
        if call.operation in ("send_to_conversation", "reply_to_activity")
        and call.conversation_id.startswith("a:personal-")
        and call.response_id
        and RESIDENT_NAME in json.dumps(call.body, ensure_ascii=False)
    }


def replacements(bot: Bot) -> list[tuple[str, str]]:
    updates = bot.standin.calls("update_activity")
    for update in updates:
        assert update.authorized and STUB in json.dumps(update.body, ensure_ascii=False)
    return [(update.conversation_id, update.activity_id) for update in updates]


@contextmanager
def inserts_into_sent_card(bot: Bot) -> Iterator[list[str]]:
    """The INSERTs a turn makes into sent_card (not the outbox's INSERT … SELECT, which runs
    in the background as each message is delivered)."""
    assert bot.app is not None
    engine = bot.app[DATABASE].engine.sync_engine
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        turn = re.match(r"\s*INSERT INTO sent_card\b", statement) and " SELECT " not in statement
        if turn:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


async def test_every_identity_card_in_teams_is_replaced_at_retention(bot: Bot) -> None:
    assert bot.app is not None
    for who in ("a1", "a3"):
        await typed(bot, who, "help")  # the 1:1 chats exist (as after installing the app)
    # Jeroen refers the resident: the filled-in form is answered in place.
    formulier, _ = await typed(bot, "a2", "aanmelden")
    verstuurd = await pressed(
        bot, "a2", "aanmelding.indienen", await aanmelding_values(bot.db), formulier
    )
    code = re.search(r"PGA-\d{4}-\d{3}", verstuurd).group(0)  # type: ignore[union-attr]
    # Fatima's triage list (codes only) becomes the triage card of the casus when pressed.
    lijst, shown = await typed(bot, "a1", "triage")
    assert RESIDENT_NAME not in shown
    sanne = await professional_id(bot.db, "a3", bot.standin.tenant_id)
    assert RESIDENT_NAME in await pressed(bot, "a1", "triage.open", {"casus": 1}, lijst)
    besluit = {
        "casus": 1, "besluit": "opnemen", "eigen_grondslag": "art6_1e",
        "casusregisseur": str(sanne),
    }  # fmt: skip
    await pressed(bot, "a1", "triage.besluit", besluit, lijst)
    # Sanne, now casusregisseur, types the commands that show the resident.
    replies = {}
    for command in ("casus", "plan", "tijdlijn", "besluiten"):
        with inserts_into_sent_card(bot) as inserts:
            replies[command], shown = await typed(bot, "a3", f"{command} {code}")
        assert len(inserts) == 1, command  # one INSERT per identity-carrying reply
        assert code in shown, command
        assert command == "besluiten" or RESIDENT_NAME in shown, command
    with inserts_into_sent_card(bot) as inserts:
        help_reply, _ = await typed(bot, "a3", "help")
    assert inserts == []  # a card without identity costs nothing
    # Fatima closes the casus from the afsluiten form.
    afsluiten, _ = await typed(bot, "a1", f"afsluiten {code}")
    today = dt.date.today().isoformat()
    closing = {
        "casus": 1, "reden": "doelen_behaald", "eindgesprek": "ja", "eindgesprek_op": today,
        "feedback_bewoner": "Fijn dat er naar me geluisterd werd.",
    }  # fmt: skip
    assert "Casus afgesloten" in await pressed(bot, "a1", "afsluiten.opslaan", closing, afsluiten)
    await outbox_until(bot.app, lambda rows: all(row.verzonden_at for row in rows))
    proactive = await filed_under_a_casus(bot)
    assert proactive and proactive <= proactive_to_people(bot)  # the triage's notices
    # "Casus … is afgesloten" to whom the closing unlinked names the code only, no casus.
    code_only = proactive_to_people(bot) - proactive
    assert code_only
    expected = {
        (chat("a2"), formulier),
        (chat("a1"), lijst),
        (chat("a1"), afsluiten),
        *((chat("a3"), reply) for reply in replies.values()),
        *proactive,
    }
    assert showing_the_resident(bot) <= expected  # nothing with the name is left out
    before = len(bot.standin.recorded)

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=TERM + 1)
    assert await apply_retention(bot.db, TERM, now=later) == 1
    await outbox_until(bot.app, lambda rows: all(row.verzonden_at for row in rows))

    replaced = replacements(bot)
    assert sorted(replaced) == sorted(expected)  # each once, and nothing else
    assert (chat("a3"), help_reply) not in replaced
    assert not code_only & set(replaced)
    assert all(c.operation == "update_activity" for c in bot.standin.recorded[before:])
    # Retention runs every hour: nothing is replaced twice.
    await apply_retention(bot.db, TERM, now=later + dt.timedelta(hours=1))
    await outbox_until(bot.app, lambda rows: all(row.verzonden_at for row in rows))
    assert sorted(replacements(bot)) == sorted(expected)
    assert await dump_all_tables(bot.db, (RESIDENT_NAME, "Oudeman")) == []


async def test_the_upgrade_keeps_what_the_outbox_sent_before_it(database_url: str) -> None:
    """Cards delivered before migration 0016 are replaced at retention too: the outbox's
    sent private messages about a casus are copied into sent_card; shared posts, retention's
    stubs and messages without a casus are not."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0015")
            for statement in SEED_0015.split(";"):
                await connection.execute(text(statement))
            await connection.run_sync(_upgrade_to, "head")
            kept = (
                await connection.execute(
                    text("SELECT conversation_id, activity_id, casus_id FROM sent_card")
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in kept] == [("a:personal-a3", "act-1", 1)]


def _upgrade_to(connection: Any, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    alembic_command.upgrade(config, revision)


SEED_0015 = """
INSERT INTO gemeente (id, naam) VALUES (1, 'Zuiderstad');
INSERT INTO casus (id, code, gemeente_id, status, doelgroep, urgentie, created_at)
VALUES (1, 'PGA-2026-001', 1, 'afgesloten', 'jeugd', 'hoog', CURRENT_TIMESTAMP);
INSERT INTO bericht (conversation_id, casus_id, soort, activity_id, sent_conversation_id,
                     verzonden_at, vervangt_activity_id, created_at, volgende_poging_at, pogingen)
VALUES (NULL, 1, 'privé', 'act-1', 'a:personal-a3', CURRENT_TIMESTAMP, NULL,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0),
       ('19:kanaal', 1, 'gedeeld', 'act-2', '19:kanaal', CURRENT_TIMESTAMP, NULL,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0),
       ('a:personal-a4', 1, 'privé', 'act-3', 'a:personal-a4', CURRENT_TIMESTAMP, 'act-3',
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0),
       (NULL, NULL, 'privé', 'act-4', 'a:personal-a3', CURRENT_TIMESTAMP, NULL,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0),
       (NULL, 1, 'privé', NULL, NULL, NULL, NULL,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)
"""
