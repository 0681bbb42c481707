"""Runs a test module on both hosts (#27): import `bot_host` into it.

    from tests.hosts import bot_host  # noqa: F401  (every test there runs on both hosts)

The fixture is autouse and parametrised; tests/e2e.py's settings_for reads BOT_HOST."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from aiohttp import web

from bot.hosts import HOSTS
from bot.hosts.agents_outbox import AgentsTransport
from bot.web import SENDER


@pytest.fixture(params=HOSTS, autouse=True)
def bot_host(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("BOT_HOST", request.param)
    yield request.param


def host_env() -> dict[str, str]:
    """BOT_HOST as `bot_host` set it, for a test that builds Settings from its own dict."""
    return {"BOT_HOST": os.environ.get("BOT_HOST", HOSTS[0])}


def running_host(app: web.Application) -> str:
    """Which host this app runs on, from the sender it made (not from the setting)."""
    transport = getattr(app[SENDER], "transport", None)
    return "agents" if isinstance(transport, AgentsTransport) else "botbuilder"
