"""Echo bot on the Microsoft 365 Agents SDK, for `activity_roundtrip.py --compare-agents-sdk`.

Runs with the benchmark's own virtualenv (var/agents-sdk-venv, made on first use by
`activity_roundtrip.py --compare-agents-sdk`), never with the project's: the SDK is not a
project dependency. Started as a child process by the benchmark:

    var/agents-sdk-venv/bin/python bench/agents_echo.py --port N

The echo is the SDK quickstart as shipped (`AgentApplication` + `MemoryStorage`, `CloudAdapter`,
`jwt_authorization_middleware`, `MsalConnectionManager`): on every message it answers
"Echo: <text>" with `context.send_activity`, i.e. a POST to the activity's serviceUrl.

Configuration comes from the environment, as in the SDK samples
(`CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID` and so on), pointed at the local Entra ID /
Bot Connector stand-in by the benchmark. Authentication is on: every request's channel token
is validated, every reply carries an MSAL token. Two redirections only, both needed to run
offline and both what our bot does too (bot/auth.py):

* the channel-token signing keys: the SDK hard-codes login.botframework.com for the
  `https://api.botframework.com` issuer; here the stand-in's JWKS URL (`BENCH_CHANNEL_JWKS_URL`)
  is put in its place. Validation itself (signature, audience, issuer, per request) is the SDK's.
* MSAL instance discovery off (as MSAL_DISABLE_INSTANCE_DISCOVERY in our bot), or MSAL asks
  login.microsoftonline.com about the stand-in authority.

Prints "READY <port>" on stdout when it listens; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from aiohttp import web


def _redirect_for_standin() -> None:
    from microsoft_agents.authentication.msal import msal_auth
    from microsoft_agents.hosting.core.authorization import _entra_issuers
    from msal import ConfidentialClientApplication

    jwks = os.environ.get("BENCH_CHANNEL_JWKS_URL")
    if jwks:
        for issuer in list(_entra_issuers.BOTFRAMEWORK_JWKS_URIS):
            _entra_issuers.BOTFRAMEWORK_JWKS_URIS[issuer] = jwks

    class _NoDiscovery(ConfidentialClientApplication):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs.setdefault("instance_discovery", False)
            super().__init__(*args, **kwargs)

    msal_auth.ConfidentialClientApplication = _NoDiscovery


def build_app() -> web.Application:
    from microsoft_agents.activity import load_configuration_from_env
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import (
        CloudAdapter,
        jwt_authorization_middleware,
        start_agent_process,
    )
    from microsoft_agents.hosting.core import (
        AgentApplication,
        Authorization,
        MemoryStorage,
        TurnContext,
        TurnState,
    )

    config = load_configuration_from_env(os.environ)
    storage = MemoryStorage()
    connections = MsalConnectionManager(**config)
    adapter = CloudAdapter(connection_manager=connections)
    authorization = Authorization(storage, connections, **config)
    agent = AgentApplication[TurnState](
        storage=storage, adapter=adapter, authorization=authorization, **config
    )

    @agent.activity("message")
    async def on_message(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(f"Echo: {context.activity.text}")

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent, adapter)
        return response if response is not None else web.Response(status=202)

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app.router.add_post("/api/messages", messages)
    app["agent_configuration"] = connections.get_default_connection_configuration()
    app["agent_app"] = agent
    app["adapter"] = adapter
    return app


async def serve(port: int) -> None:
    _redirect_for_standin()
    runner = web.AppRunner(build_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    # Nobody reads our stdout after this line; the SDK prints turn errors there.
    sys.stdout = sys.stderr
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve(args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
