"""With BOT_HOST=agents the running bot imports neither botbuilder nor msrest (#27): a fresh
process starts the app, answers an invoke over HTTP, and lists what it imported."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RETIRED = ("botbuilder", "botframework", "msrest")
SCRIPT = textwrap.dedent(
    """
    import asyncio, json, socket, sys
    import aiohttp
    from aiohttp import web
    from bot.app import create_app
    from bot.settings import Settings

    def free_port():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    async def main(host, database):
        port = free_port()
        settings = Settings.from_env({"LOCAL_MODE": "1", "BOT_HOST": host, "PORT": str(port),
                                      "DATABASE_URL": database})
        runner = web.AppRunner(create_app(settings))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        activity = {"type": "invoke", "name": "adaptiveCard/action", "id": "1",
                    "channelId": "msteams", "serviceUrl": f"http://127.0.0.1:{port}/",
                    "from": {"id": "u1", "aadObjectId": "a1"}, "recipient": {"id": "bot"},
                    "conversation": {"id": "c1", "conversationType": "personal"},
                    "value": {"action": {"type": "Action.Execute"}}}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as r:
                answer = [r.status, await r.json()]
        await runner.cleanup()
        retired = sorted({m.split(".")[0] for m in sys.modules
                          if m.split(".")[0] in ("botbuilder", "botframework", "msrest")})
        print(json.dumps({"answer": answer, "retired": retired}))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


def run_bot(host: str, tmp_path: Path) -> dict[str, object]:
    database = f"sqlite+aiosqlite:///{tmp_path / f'{host}.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, host, database],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("host", ["agents", "botbuilder"])
def test_only_the_chosen_hosts_libraries_are_imported(host: str, tmp_path: Path) -> None:
    result = run_bot(host, tmp_path)
    status, body = result["answer"]  # type: ignore[misc]
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "werkt niet" in body["value"]
    if host == "agents":
        assert result["retired"] == []
    else:  # the control: the same process on botbuilder does import them
        assert set(result["retired"]) == set(RETIRED)  # type: ignore[arg-type]
