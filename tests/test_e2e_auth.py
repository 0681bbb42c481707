"""End to end with authentication on: the real app, the SDK's JWT validation and MSAL client
credentials, against the local Entra ID / Bot Connector stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.e2e import Bot, running_bot
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.standin import NEGATIVE_TOKEN_KINDS

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bot(standin, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(standin, f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}") as running:
        yield running


async def rows(bot: Bot, table: str) -> int:
    async with bot.db.engine.connect() as connection:
        return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


async def test_valid_token_gets_help_card_at_connector(bot: Bot) -> None:
    status, _ = await bot.post(bot.activity("a1", text="help"))
    assert status == 200
    call = await bot.sent("Casusoverleg")
    assert call.authorized, call.auth_error
    attachment = call.body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "Casusoverleg" in str(attachment["content"])
    assert any(r.ok for r in bot.standin.token_requests)


@pytest.mark.parametrize("kind", [*NEGATIVE_TOKEN_KINDS, "missing", "garbage", "empty_bearer"])
async def test_bad_tokens_get_401_and_run_no_bot_code(bot: Bot, kind: str) -> None:
    before = await rows(bot, "conversation_ref")
    token = {"missing": None, "garbage": "abc.def.ghi", "empty_bearer": ""}.get(kind)
    if kind not in ("missing", "garbage", "empty_bearer"):
        token = bot.standin.mint_bad_channel_token(kind)
    status, body = await bot.post(bot.activity("a1", text="help"), token=token)
    assert status == 401, body
    assert await rows(bot, "conversation_ref") == before
    assert bot.standin.recorded == []


async def test_disallowed_tenant_gets_refusal_and_no_data(bot: Bot) -> None:
    other = "99999999-9999-4999-8999-999999999999"
    status, body = await bot.post(bot.invoke("a1", "triage.lijst", {}, tenant=other))
    assert status == 200
    assert "niet beschikbaar voor jouw organisatie" in body["value"]
    assert await rows(bot, "conversation_ref") == 0
    async with bot.db.engine.connect() as connection:
        events = (await connection.execute(text("SELECT event, outcome FROM audit_event"))).all()
    assert ("toegang.tenant", "denied") in [tuple(e) for e in events]


async def test_unregistered_professional_is_told_what_to_do(bot: Bot) -> None:
    status, body = await bot.post(bot.invoke("ff", "triage.lijst", {}))
    assert status == 200 and "Vraag de PGA-expert" in body["value"]


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"text": "geen type"}', "application/json", 400),
        (b'{"type": "message", "timestamp": "gisteren", "from": "x"}', "application/json", 400),
        (b'{"type": "message"}', "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
        (b'{"type": "message", "text": "' + b"x" * 300_000 + b'"}', "application/json", 413),
    ],
)
async def test_bad_requests_get_4xx(bot: Bot, raw: bytes, content_type: str, expected: int) -> None:
    status, body = await bot.post(None, raw=raw, content_type=content_type)
    assert status == expected, body
    assert "error" in body


async def test_unknown_activity_type_and_malformed_invoke_are_harmless(bot: Bot) -> None:
    status, _ = await bot.post(bot.activity("a1", kind="somethingNew"))
    assert status == 200
    malformed = bot.activity("a1", kind="invoke", name="adaptiveCard/action", value={"x": 1})
    status, body = await bot.post(malformed)
    assert status == 200 and "werkt niet" in body["value"]
    wrong_types = bot.invoke("a1", "triage.open", {"casus": "DROP TABLE"})
    status, body = await bot.post(wrong_types)
    assert status == 200 and "formulier klopt niet" in body["value"]


async def test_control_characters_in_text_are_harmless(bot: Bot) -> None:
    status, _ = await bot.post(bot.activity("a1", text="\x00\x1b[31mhelp\u202e"))
    assert status == 200
    await bot.sent("Casusoverleg")


async def test_health_checks_the_database(bot: Bot) -> None:
    async with bot.http.get(f"{bot.url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_rate_limited_notice_is_retried_and_not_lost(bot: Bot) -> None:
    from tests.helpers import aanmelding_values

    await bot.post(bot.activity("a1", text="help"))
    await bot.sent("Casusoverleg", conversation="a:personal-a1")
    bot.standin.clear()
    bot.standin.fail_next(2, status=429, retry_after=1, operation="send_to_conversation")
    status, _ = await bot.post(
        bot.invoke("a2", "aanmelding.indienen", await aanmelding_values(bot.db))
    )
    assert status == 200
    await bot.standin.wait_for(
        lambda c: c.conversation_id == "a:personal-a1" and c.status == 201, timeout=15
    )
    to_fatima = [c.status for c in bot.standin.recorded if c.conversation_id == "a:personal-a1"]
    assert to_fatima == [429, 429, 201]
    for _ in range(50):  # the sender marks the row sent right after the connector answered
        if await rows(bot, "bericht WHERE verzonden_at IS NULL") == 0:
            break
        await asyncio.sleep(0.05)
    assert await rows(bot, "bericht WHERE verzonden_at IS NULL") == 0


async def test_notice_waits_until_recipient_has_a_chat(bot: Bot) -> None:
    from tests.helpers import aanmelding_values

    status, _ = await bot.post(
        bot.invoke("a2", "aanmelding.indienen", await aanmelding_values(bot.db))
    )
    assert status == 200
    assert await rows(bot, "bericht WHERE verzonden_at IS NULL") == 1
    await bot.post(bot.activity("a1", text="hallo"))  # Fatima opens her chat with the bot
    await bot.sent("Nieuwe aanmelding", conversation="a:personal-a1")


async def test_installation_stores_where_to_reach_the_professional(bot: Bot) -> None:
    status, _ = await bot.post(bot.activity("a1", kind="installationUpdate", action="add"))
    assert status == 200
    assert await rows(bot, "conversation_ref WHERE conversation_type = 'personal'") == 1
    assert bot.standin.recorded == []


async def test_a_reused_token_is_bound_to_its_service_url(bot: Bot) -> None:
    token = bot.standin.mint_channel_token()
    for _ in range(2):
        status, _ = await bot.post(bot.activity("a1", text="help"), token=token)
        assert status == 200
    elsewhere = bot.activity("a1", text="help", serviceUrl="https://evil.example.test/teams/")
    status, _ = await bot.post(elsewhere, token=token)
    assert status == 401
    expired = bot.standin.mint_bad_channel_token("expired")
    for _ in range(2):
        status, _ = await bot.post(bot.activity("a1", text="help"), token=expired)
        assert status == 401


async def test_deeply_nested_json_is_a_400(bot: Bot) -> None:
    status, body = await bot.post(None, raw=b"[" * 100_000)
    assert status == 400 and "error" in body


async def test_other_channels_than_teams_are_refused(bot: Bot) -> None:
    webchat = bot.activity("a1", text="help", channelId="webchat")
    status, body = await bot.post(webchat)
    assert status == 403 and "Teams" in body["error"]
    assert bot.standin.recorded == []


async def test_disagreeing_tenant_fields_are_refused(bot: Bot) -> None:
    """Fields that disagree get the answer another tenant gets (#26.12), on either host."""
    activity = bot.invoke("a1", "triage.lijst", {})
    activity["conversation"]["tenantId"] = "99999999-9999-4999-8999-999999999999"
    status, body = await bot.post(activity)
    assert status == 200 and "niet beschikbaar voor jouw organisatie" in body["value"]
