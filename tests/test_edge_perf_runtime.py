"""The rest of the hot path: the connector token is reused until shortly before it expires, and
what start-up loaded is kept out of the garbage collector's full collections."""

from __future__ import annotations

import base64
import gc
import json
import time
from pathlib import Path
from typing import Any

import pytest

import bot.connector
from bot.auth import CachingAuthentication
from bot.connector import TOKEN_RENEWAL_MARGIN, FastCloudAdapter
from tests.e2e import running_bot, settings_for
from tests.standin import StandIn


def jwt_like(**claims: Any) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


class Credentials:
    microsoft_app_id = "app"

    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.calls = 0

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.calls += 1
        return self.tokens[min(self.calls, len(self.tokens)) - 1]


@pytest.fixture
def adapter(standin: StandIn) -> FastCloudAdapter:
    settings = settings_for(standin, "sqlite+aiosqlite:///:memory:", 9)
    auth = CachingAuthentication(settings)
    return FastCloudAdapter(auth, service_urls=auth.service_urls)


def test_the_connector_token_is_reused_until_shortly_before_it_expires(
    adapter: FastCloudAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    first, second = jwt_like(exp=now + 3600), jwt_like(exp=now + 7200)
    credentials = Credentials(first, second)
    for _ in range(3):
        assert adapter._authorization(credentials) == f"Bearer {first}"
    assert credentials.calls == 1
    other = Credentials(second)  # other credentials (app, scope): their own token
    assert adapter._authorization(other) == f"Bearer {second}" and other.calls == 1

    later = now + 3600 - TOKEN_RENEWAL_MARGIN + 1  # MSAL renews from here on: so do we
    monkeypatch.setattr(bot.connector.time, "time", lambda: later)
    assert adapter._authorization(credentials) == f"Bearer {second}"
    assert adapter._authorization(credentials) == f"Bearer {second}"
    assert credentials.calls == 2


@pytest.mark.parametrize(
    "token",
    [
        "opaque-token",
        jwt_like(exp=time.time() + TOKEN_RENEWAL_MARGIN - 10),  # MSAL would renew it
        jwt_like(sub="no exp"),
        jwt_like(exp="morgen"),
        "a.!!!.c",
    ],
)
def test_a_token_without_a_usable_expiry_is_asked_for_each_time(
    adapter: FastCloudAdapter, token: str
) -> None:
    credentials = Credentials(token)
    for _ in range(2):
        assert adapter._authorization(credentials) == f"Bearer {token}"
    assert credentials.calls == 2


async def test_replies_carry_the_connector_token(standin: StandIn, tmp_path: Path) -> None:
    async with running_bot(standin, f"sqlite+aiosqlite:///{tmp_path / 'perf.sqlite3'}") as bot:
        for who in ("a1", "a2", "a1"):
            status, _ = await bot.post(bot.activity(who, text="help"))
            assert status == 200
        for who in ("a1", "a2"):
            call = await bot.sent("Casusoverleg", conversation=f"a:personal-{who}")
            assert call.authorized, call.auth_error
        replies = [c for c in standin.recorded if c.operation == "reply_to_activity"]
        assert len(replies) == 3 and all(c.authorized for c in replies)
        assert len(standin.token_requests) == 1


async def test_start_up_is_kept_out_of_full_collections(standin: StandIn, tmp_path: Path) -> None:
    assert gc.get_freeze_count() == 0
    async with running_bot(standin, f"sqlite+aiosqlite:///{tmp_path / 'gc.sqlite3'}") as bot:
        assert gc.get_freeze_count() > 10_000  # the modules, the SDK, the app
        status, _ = await bot.post(bot.activity("a1", text="help"))
        assert status == 200
    assert gc.get_freeze_count() == 0  # left to the collector again when the app stops
