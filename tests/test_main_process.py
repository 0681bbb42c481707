"""`python -m bot` as an operator runs it: production mode, several worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from store.db import Database
from store.demo import seed
from tests.e2e import free_port

pytestmark = pytest.mark.e2e


async def _wait_healthy(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(100):
        try:
            async with http.get(f"{url}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("bot did not become healthy")


async def test_two_workers_serve_authenticated_turns(standin, tmp_path: Path) -> None:
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'workers.sqlite3'}"
    env = {
        **os.environ,
        **standin.settings(),
        **standin.ca_env(),
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "DOWNLOAD_SIGNING_KEY": "w" * 40,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MSAL_DISABLE_INSTANCE_DISCOVERY": "1",
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("LOCAL_MODE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], env=env, cwd=Path(__file__).parents[1]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await _wait_healthy(http, url)
            database = Database.from_url(database_url)
            await seed(database, tenant_id=standin.tenant_id)
            await database.dispose()

            async def help_from(index: int) -> int:
                activity = {
                    "type": "message",
                    "id": f"m{index}",
                    "channelId": "msteams",
                    "text": "help",
                    "serviceUrl": standin.service_url,
                    "from": {"id": "29:a1", "aadObjectId": "00000000-0000-0000-0000-0000000000a1"},
                    "recipient": {"id": f"28:{standin.app_id}"},
                    "conversation": {"id": f"a:w{index}", "conversationType": "personal"},
                    "channelData": {"tenant": {"id": standin.tenant_id}},
                }
                headers = {"Authorization": f"Bearer {standin.mint_channel_token()}"}
                async with http.post(
                    f"{url}/api/messages",
                    data=json.dumps(activity),
                    headers={**headers, "Content-Type": "application/json"},
                ) as r:
                    return r.status

            statuses = await asyncio.gather(*(help_from(i) for i in range(20)))
        assert statuses == [200] * 20
        replies = [c for c in standin.recorded if "Casusoverleg" in json.dumps(c.body)]
        assert len(replies) == 20 and all(c.authorized for c in replies)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
