"""Local mode against activities captured from Microsoft 365 Agents Playground 0.2.28
(deployment/local/captured): the same path `./dev run` takes, without authentication."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from store.db import Database
from store.demo import seed
from tests.e2e import free_port
from tests.hosts import bot_host, host_env  # noqa: F401  (both hosts)

pytestmark = pytest.mark.e2e
CAPTURED = Path(__file__).parents[1] / "deployment" / "local" / "captured"
PERSONAL = "a:demo-personal-casusoverleg"


def captured(name: str, standin: Any, **changes: Any) -> dict[str, Any]:
    activity = copy.deepcopy(json.loads((CAPTURED / f"{name}.json").read_text()))
    activity["serviceUrl"] = standin.service_url
    activity.update(changes)
    return activity


@pytest.fixture
async def local_bot(standin, tmp_path: Path) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    standin.enforce_connector_auth = False  # local mode sends without a token, as to the playground
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'local.sqlite3'}"
    settings = Settings.from_env(
        {
            "LOCAL_MODE": "1",
            **host_env(),
            "DATABASE_URL": url,
            "PORT": str(port),
            "OUTBOX_INTERVAL_SECONDS": "0.2",
        }
    )
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    database = Database.from_url(url)
    await seed(database)
    await database.dispose()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            yield f"http://127.0.0.1:{port}", http
    finally:
        await runner.cleanup()


async def post(http: aiohttp.ClientSession, activity: dict[str, Any]) -> tuple[int, Any]:
    async with http.post("/api/messages", json=activity) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else None


def sent_to(standin: Any, conversation: str, contains: str) -> Any:
    def matches(call: Any) -> bool:
        return call.conversation_id == conversation and contains in json.dumps(
            call.body, ensure_ascii=False
        )

    return matches


async def test_install_events_arriving_together_greet_once(standin, local_bot) -> None:
    _, http = local_bot
    results = await asyncio.gather(
        post(http, captured("conversationUpdate_personal", standin)),
        post(http, captured("installationUpdate_personal", standin)),
    )
    assert [status for status, _ in results] == [200, 200]
    await standin.wait_for(sent_to(standin, PERSONAL, "Hallo Fatima el Amrani"))
    greetings = [c for c in standin.recorded if "Hallo Fatima" in json.dumps(c.body)]
    assert len(greetings) == 1
    assert not any("Er ging iets mis" in json.dumps(c.body) for c in standin.recorded)


async def test_act_as_and_refer_from_the_playground(standin, local_bot) -> None:
    _, http = local_bot
    await post(http, captured("message_personal", standin, text="als"))
    await standin.wait_for(sent_to(standin, PERSONAL, "Handel als Jeroen de Vries"))
    status, body = await post(
        http,
        captured(
            "invoke_adaptiveCard_action_personal",
            standin,
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "demo.als",
                    "data": {"professional": 2},
                }
            },
        ),
    )
    assert status == 200 and "Jeroen de Vries" in json.dumps(body, ensure_ascii=False)

    # In the channel, @mention + aanmelden: the form goes to the personal chat.
    status, _ = await post(
        http,
        captured(
            "message_channel_new_post_mention", standin, text="<at>Casusoverleg</at> aanmelden"
        ),
    )
    assert status == 200
    await standin.wait_for(sent_to(standin, PERSONAL, "Aanmelding PGA"))
    channel = [c for c in standin.recorded if (c.conversation_id or "").startswith("19:")]
    assert channel and all("privéchat" in json.dumps(c.body, ensure_ascii=False) for c in channel)


async def test_added_to_the_playgrounds_team_the_roster_is_asked_without_a_500(
    standin, local_bot
) -> None:
    """The playground answers pagedmembers (checked against 0.2.28); when a connector does
    not, the install still answers 200 and beheer keeps working."""
    _, http = local_bot
    status, _ = await post(http, captured("conversationUpdate_channel", standin))
    assert status == 200
    calls = await standin.wait_for(lambda call: call.operation == "get_paged_members", timeout=10)
    assert calls.conversation_id == "19:demo-team-pga-zuiderstad@thread.tacv2"
    standin.fail_next(1, status=404, retry_after=None, operation="get_paged_members")
    status, _ = await post(http, captured("conversationUpdate_channel", standin))
    assert status == 200
    status, body = await post(
        http,
        captured(
            "invoke_adaptiveCard_action_personal",
            standin,
            value={"action": {"type": "Action.Execute", "verb": "beheer.teamleden", "data": {}}},
        ),
    )
    assert status == 200 and "teamleden opgehaald" in json.dumps(body, ensure_ascii=False)
