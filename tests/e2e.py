"""Runs the real aiohttp app on a loopback port with authentication on, against the stand-in."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.app import DATABASE, SENDER, PrivacyAccessLogger, create_app
from bot.settings import Settings
from store.db import Database
from store.demo import seed
from store.models import Bericht
from tests.standin import StandIn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Bot:
    url: str
    standin: StandIn
    http: aiohttp.ClientSession
    db: Database
    app: web.Application | None = None

    def activity(
        self,
        who: str,
        *,
        text: str | None = None,
        kind: str = "message",
        conversation_type: str = "personal",
        tenant: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        tenant = tenant or self.standin.tenant_id
        conversation = (
            f"a:personal-{who}"
            if conversation_type == "personal"
            else "19:kanaal-zuiderstad@thread.tacv2"
        )
        activity: dict[str, Any] = {
            "type": kind,
            "id": uuid.uuid4().hex,
            "channelId": "msteams",
            "serviceUrl": self.standin.service_url,
            "from": {
                "id": f"29:{who}",
                "name": who,
                "aadObjectId": f"00000000-0000-0000-0000-0000000000{who}",
            },
            "recipient": {"id": f"28:{self.standin.app_id}", "name": "Casusoverleg"},
            "conversation": {
                "id": conversation,
                "conversationType": conversation_type,
                "tenantId": tenant,
            },
            "channelData": {"tenant": {"id": tenant}},
            "locale": "nl-NL",
        }
        if text is not None:
            activity["text"] = text
        activity.update(extra)
        return activity

    async def sent(self, contains: str = "", conversation: str | None = None) -> Any:
        """Wait for an activity the bot sent (reply or new message) containing `contains`."""

        def matches(call: Any) -> bool:
            return (
                call.operation in ("send_to_conversation", "reply_to_activity")
                and contains in json.dumps(call.body, ensure_ascii=False)
                and (conversation is None or call.conversation_id == conversation)
            )

        return await self.standin.wait_for(matches, timeout=10)

    def sent_texts(self) -> list[str]:
        return [json.dumps(call.body, ensure_ascii=False) for call in self.standin.recorded]

    def invoke(self, who: str, verb: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        value = {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        }
        return self.activity(who, kind="invoke", name="adaptiveCard/action", value=value, **kw)

    async def post(
        self,
        activity: Any,
        *,
        token: str | None = "valid",
        raw: Any = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        """POST to /api/messages; `raw`: bytes, or an async iterator (sent chunked)."""
        headers = {"Content-Type": content_type}
        if token == "valid":
            service_url = activity.get("serviceUrl") if isinstance(activity, dict) else None
            token = self.standin.mint_channel_token(service_url=service_url)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = raw if raw is not None else json.dumps(activity).encode()
        async with self.http.post(f"{self.url}/api/messages", data=body, headers=headers) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text) if text else None
            except ValueError:
                return resp.status, text


async def outbox_until(
    app: web.Application, done: Callable[[Sequence[Bericht]], bool], timeout: float = 10
) -> Sequence[Bericht]:
    """Deliver the outbox until `done(rows)` holds; the rows then. (A round of the app's own
    loop may be running: then `flush()` returns at once, and we look again.)"""
    deadline = time.monotonic() + timeout
    while True:
        await app[SENDER].flush()
        async with app[DATABASE].unit_of_work() as uow:
            rows = (await uow.session.scalars(select(Bericht).order_by(Bericht.id))).all()
        if done(rows):
            return rows
        if time.monotonic() > deadline:
            raise TimeoutError(f"outbox not as expected within {timeout}s")
        await asyncio.sleep(0.02)


def settings_for(standin: StandIn, database_url: str, port: int, **overrides: str) -> Settings:
    env = {
        **standin.settings(),
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DOWNLOAD_SIGNING_KEY": "s" * 40,
        "MSAL_DISABLE_INSTANCE_DISCOVERY": "1",
        "OUTBOX_INTERVAL_SECONDS": "0.2",
        "LOG_LEVEL": "DEBUG",
        # tests/hosts.py runs a test module on both hosts by setting BOT_HOST.
        "BOT_HOST": os.environ.get("BOT_HOST", "botbuilder"),
        **overrides,
    }
    return Settings.from_env(env)


@asynccontextmanager
async def running_bot(standin: StandIn, database_url: str, **overrides: str) -> AsyncIterator[Bot]:
    """The app on a loopback port; `overrides`: environment variables on top of the stand-in's."""
    port = free_port()
    settings = settings_for(standin, database_url, port, **overrides)
    database = Database.from_url(database_url)
    app = create_app(settings)
    runner = web.AppRunner(app, access_log_class=PrivacyAccessLogger)
    await runner.setup()  # runs migrations
    await seed(database, tenant_id=standin.tenant_id)
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Bot(f"http://127.0.0.1:{port}", standin, http, database, app)
    finally:
        await runner.cleanup()
        await database.dispose()
