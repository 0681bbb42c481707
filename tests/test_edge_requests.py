"""Authenticate before parsing (DESIGN §4): an unauthenticated request costs one JSON parse at
most; bodies and lists are capped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity
from microsoft_agents.activity import Activity as AgentsActivity
from sqlalchemy import text

from bot.app import MAX_BODY, MAX_LIST_ITEMS
from tests.e2e import Bot, running_bot
from tests.hosts import bot_host, host_env  # noqa: F401  (every test here runs on both hosts)
from tests.standin import StandIn

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bot(standin: StandIn, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(standin, f"sqlite+aiosqlite:///{tmp_path / 'edge.sqlite3'}") as running:
        yield running


@pytest.fixture
def deserialised(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records every msrest Activity deserialisation (botbuilder host), or every parse into
    the Agents SDK's Activity (agents host)."""
    calls: list[Any] = []
    if host_env()["BOT_HOST"] == "agents":
        validate = AgentsActivity.model_validate.__func__  # type: ignore[attr-defined]

        def parse(cls: type[AgentsActivity], data: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(type(data))
            return validate(cls, data, *args, **kwargs)

        monkeypatch.setattr(AgentsActivity, "model_validate", classmethod(parse))
        return calls
    original = Activity.deserialize.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Activity], data: Any, content_type: str | None = None) -> Any:
        calls.append(type(data))
        return original(cls, data, content_type)

    monkeypatch.setattr(Activity, "deserialize", classmethod(spy))
    return calls


@pytest.mark.parametrize("kind", ["missing", "garbage", "emulator", "unknown_kid", "expired"])
async def test_unauthenticated_large_body_is_refused_before_deserialisation(
    bot: Bot, standin: StandIn, deserialised: list[Any], kind: str
) -> None:
    tokens = {"missing": None, "garbage": "abc.def.ghi", "emulator": standin.mint_emulator_token()}
    token = tokens[kind] if kind in tokens else standin.mint_bad_channel_token(kind)
    activity = bot.activity("a1", text="x" * (250 * 1024))
    assert 250 * 1024 < len(json.dumps(activity)) < MAX_BODY
    status, body = await bot.post(activity, token=token)
    assert status == 401, body
    assert deserialised == []
    assert standin.recorded == []
    # The same body with a valid token is parsed and answered.
    status, _ = await bot.post(activity)
    assert status == 200 and deserialised


async def test_oversize_bodies_get_413_also_when_chunked(bot: Bot, deserialised: list[Any]) -> None:
    big = json.dumps(bot.activity("a1", text="x" * (300 * 1024))).encode()
    status, body = await bot.post(None, raw=big)
    assert status == 413 and "256 kB" in body["error"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        for start in range(0, len(big), 16 * 1024):
            yield big[start : start + 16 * 1024]

    status, body = await bot.post(None, raw=chunks())
    assert status == 413 and "256 kB" in body["error"]
    status, body = await bot.post(None, raw=big, token=None)
    assert status == 413
    assert deserialised == []


@pytest.mark.parametrize("field", ["entities", "attachments", "membersAdded"])
async def test_long_lists_are_refused(bot: Bot, field: str) -> None:
    too_many = [{"type": "mention", "id": f"29:{n}"} for n in range(MAX_LIST_ITEMS + 1)]
    status, body = await bot.post(bot.activity("a1", text="help", **{field: too_many}))
    assert status == 400 and field in body["error"]
    assert bot.standin.recorded == []
    async with bot.db.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM conversation_ref")) == 0
    status, _ = await bot.post(bot.activity("a1", text="help", entities=too_many[:MAX_LIST_ITEMS]))
    assert status == 200


async def test_missing_service_url_or_channel_is_a_400(bot: Bot) -> None:
    for missing in ("serviceUrl", "channelId"):
        activity = bot.activity("a1", kind="installationUpdate", action="add")
        del activity[missing]
        status, body = await bot.post(activity)
        assert status == 400 and missing in body["error"]
