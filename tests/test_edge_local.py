"""Local mode has no authentication, so it talks to this machine only: requests must name
localhost (no DNS rebinding from the developer's browser), and serviceUrls must be loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text

from bot.app import DATABASE, create_app
from bot.settings import Settings
from store.db import Database
from store.models import Bericht, ConversationRef
from tests.e2e import free_port, outbox_until
from tests.hosts import bot_host, host_env  # noqa: F401  (both hosts)

pytestmark = pytest.mark.e2e


@dataclass
class LocalBot:
    url: str
    port: int
    http: aiohttp.ClientSession
    app: web.Application

    @property
    def db(self) -> Database:
        return self.app[DATABASE]

    async def count(self, table: str) -> int:
        async with self.db.engine.connect() as connection:
            return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


@pytest.fixture
async def local_bot(tmp_path: Path) -> AsyncIterator[LocalBot]:
    port = free_port()
    settings = Settings.from_env(
        {
            "LOCAL_MODE": "1",
            **host_env(),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'local.sqlite3'}",
            "PORT": str(port),
            "OUTBOX_INTERVAL_SECONDS": "60",
        }
    )
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield LocalBot(f"http://127.0.0.1:{port}", port, http, app)
    finally:
        await runner.cleanup()


def installation(service_url: str) -> dict[str, Any]:
    return {
        "type": "installationUpdate",
        "action": "add",
        "id": "1",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:u", "aadObjectId": "00000000-0000-0000-0000-0000000000a1"},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": "a:personal-u", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "00000000-0000-0000-0000-0000000000aa"}},
    }


@pytest.mark.parametrize(
    "host", ["casusoverleg.example.test", "evil.example.test:3978", "127.0.0.2", "localhost.evil"]
)
async def test_local_mode_answers_only_requests_for_localhost(
    local_bot: LocalBot, host: str
) -> None:
    headers = {"Host": host}
    async with local_bot.http.get(f"{local_bot.url}/healthz", headers=headers) as response:
        assert response.status == 421
        assert "localhost" in (await response.json())["error"]
    activity = installation("http://localhost:56150/_connector")
    url = f"{local_bot.url}/api/messages"
    async with local_bot.http.post(url, json=activity, headers=headers) as response:
        assert response.status == 421
    assert await local_bot.count("conversation_ref") == 0


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:{port}", "127.0.0.1:{port}", "[::1]:{port}"]
)
async def test_local_mode_answers_localhost_by_any_of_its_names(
    local_bot: LocalBot, host: str
) -> None:
    headers = {"Host": host.format(port=local_bot.port)}
    async with local_bot.http.get(f"{local_bot.url}/healthz", headers=headers) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    "service_url",
    [
        "http://192.168.1.10:56150/_connector",
        "https://smba.trafficmanager.net/emea/",
        "http://0.0.0.0:56150/_connector",
        "http://localhost.example.test/_connector",
    ],
)
async def test_local_mode_refuses_a_service_url_off_this_machine(
    local_bot: LocalBot, service_url: str
) -> None:
    async with local_bot.http.post(
        f"{local_bot.url}/api/messages", json=installation(service_url)
    ) as response:
        assert response.status == 403
        assert "localhost" in (await response.json())["error"]
    assert await local_bot.count("conversation_ref") == 0
    async with local_bot.http.post(
        f"{local_bot.url}/api/messages", json=installation("http://127.0.0.1:56150/_connector")
    ) as response:
        assert response.status == 200
    assert await local_bot.count("conversation_ref") == 1


async def test_local_mode_outbox_calls_only_this_machine(local_bot: LocalBot) -> None:
    seen: list[str] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"id": "activity-1"}, status=201)

    listener = web.Application()
    listener.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(listener)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        # 0.0.0.0 reaches this machine's listener, but it is not a loopback address: refused.
        for conversation, host in (("a:via-any", "0.0.0.0"), ("a:via-loopback", "127.0.0.1")):
            async with local_bot.db.unit_of_work() as uow:
                reference = {
                    "bot": {"id": "28:bot"},
                    "conversation": {"id": conversation, "conversationType": "personal"},
                    "channelId": "msteams",
                    "serviceUrl": f"http://{host}:{port}/_connector",
                }
                uow.session.add(
                    ConversationRef(
                        conversation_id=conversation,
                        conversation_type="personal",
                        reference=reference,
                    )
                )
                uow.session.add(Bericht(conversation_id=conversation, tekst="Hallo"))
                await uow.commit()
        await outbox_until(local_bot.app, lambda rows: rows[1].verzonden_at is not None)
        await outbox_until(local_bot.app, lambda rows: rows[0].pogingen > 0)
    finally:
        await runner.cleanup()
    assert seen == ["/_connector/v3/conversations/a:via-loopback/activities"]
