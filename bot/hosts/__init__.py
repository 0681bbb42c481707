"""The hosts behind /api/messages: the Bot Framework SDK (botbuilder, retired) and the
Microsoft 365 Agents SDK. BOT_HOST picks one; everything above bot/ (Incoming, Outcome, the
router, the outbox table) is the same for both.

A host module is loaded by name, so the process imports the libraries of its own host only
(with BOT_HOST=agents, neither botbuilder nor msrest is imported)."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

HOSTS = ("botbuilder", "agents")


@dataclass(frozen=True)
class Host:
    """What a host adds to the web app: the /api/messages handler, and a cleanup context that
    makes (and closes) its adapter, its token checks and the outbox sender (app[SENDER])."""

    name: str
    messages: Callable[[web.Request], Awaitable[web.StreamResponse]]
    lifecycle: Callable[[web.Application], AsyncIterator[None]]


def host_named(name: str) -> Host:
    if name not in HOSTS:
        raise ValueError(name)
    host = importlib.import_module(f"bot.hosts.{name}").HOST
    assert isinstance(host, Host)
    return host
