"""The aiohttp application: `create_app(settings)`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from botbuilder.core import serializer_helper
from botbuilder.schema import Activity
from msrest.serialization import Model
from sqlalchemy import text

from bot.auth import CachingAuthentication, warm_signing_keys
from bot.connector import FastCloudAdapter
from bot.handler import CasusoverlegBot, on_turn_error
from bot.sender import OutboxSender
from bot.settings import Settings
from dialogs import casus as casus_dialog
from dialogs.retention import apply_retention
from store.db import Database
from store.migrate import upgrade

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
AUTH = web.AppKey("auth", CachingAuthentication)
ADAPTER = web.AppKey("adapter", FastCloudAdapter)
BOT = web.AppKey("bot", CasusoverlegBot)
SENDER = web.AppKey("sender", OutboxSender)


# Loggers that write SQL parameters (so residents' names) at DEBUG: never more than WARNING.
DATA_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool")


def create_app(settings: Settings) -> web.Application:
    for name in DATA_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    app = web.Application(client_max_size=MAX_BODY, middlewares=[_errors_as_json])
    app[SETTINGS] = settings
    app.cleanup_ctx.extend([_database, _bot, _background])
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    # GET shows a button, POST downloads: link scanners and previews fetch with GET, and
    # must not use up a link that works once.
    app.router.add_get("/brieven/{token}", letter_page, allow_head=False)
    app.router.add_post("/brieven/{token}", download_brief)
    app.router.add_get("/", about)
    app.router.add_get("/privacy", about)
    app.router.add_get("/gebruiksvoorwaarden", about)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    database = Database.from_url(app[SETTINGS].database_url)
    if app[SETTINGS].migrate_on_start:
        await upgrade(database.engine)
    app[DATABASE] = database
    yield
    await database.dispose()


async def _bot(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    auth = CachingAuthentication(settings)
    adapter = FastCloudAdapter(auth)
    adapter.on_turn_error = on_turn_error
    await adapter.open()
    sender = OutboxSender(adapter, app[DATABASE], settings.app_id)
    app[AUTH], app[ADAPTER], app[SENDER] = auth, adapter, sender
    app[BOT] = CasusoverlegBot(app[DATABASE], settings.dialog_config(), sender.trigger)
    await warm_signing_keys(settings)
    yield
    await sender.close()
    await adapter.close()
    await auth.close()


async def _background(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    tasks = [
        asyncio.create_task(app[SENDER].run_forever(settings.outbox_interval_seconds)),
        asyncio.create_task(_retention_loop(app)),
    ]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _retention_loop(app: web.Application) -> None:
    while True:
        try:
            await apply_retention(app[DATABASE], app[SETTINGS].retention_days)
        except Exception as error:
            log.error("retention round failed type=%s", type(error).__name__)
        await asyncio.sleep(dt.timedelta(hours=1).total_seconds())


class PrivacyAccessLogger(AbstractAccessLogger):
    """Access log without query strings and without the download tokens in /brieven/…:
    a token in a log line would let its reader fetch the letter."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        if path.startswith("/brieven/"):
            path = "/brieven/…"
        self.logger.info("%s %s %s %.1f ms", request.method, path, response.status, time * 1000)


@web.middleware
async def _errors_as_json(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as http_error:
        if http_error.status >= 400:
            return _error(http_error.status, HTTP_ERRORS.get(http_error.status, "Fout."))
        raise
    except Exception as error:
        error_id = uuid.uuid4().hex[:8]
        log.error("request failed id=%s type=%s", error_id, type(error).__name__)
        return _error(500, f"Interne fout (foutcode {error_id}).")


HTTP_ERRORS = {
    400: "Ongeldig verzoek.",
    404: "Niet gevonden.",
    405: "Deze methode is hier niet toegestaan.",
    413: "Het bericht is te groot (maximaal 256 kB).",
    415: "Stuur JSON (Content-Type: application/json).",
}


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.StreamResponse:
    if request.content_type != "application/json":
        return _error(415, "Stuur JSON (Content-Type: application/json).")
    activity = await _read_activity(request)
    if isinstance(activity, web.Response):
        return activity
    auth = request.app[AUTH]
    try:
        authenticated = await auth.authenticate_request(
            activity, request.headers.get("Authorization", "")
        )
    except Exception as error:
        # The SDK signals failures with PermissionError, AttributeError, IndexError, jwt
        # errors and bare Exceptions; each is a 401, and no bot code runs.
        log.info("authentication refused type=%s", type(error).__name__)
        return _error(401, "Niet geautoriseerd.")
    if not request.app[SETTINGS].local_mode and activity.channel_id != "msteams":
        # Web Chat or Direct Line clients can claim any tenant or user: Teams only.
        log.info("channel refused channel=%s", str(activity.channel_id)[:20])
        return _error(403, "Alleen Microsoft Teams wordt ondersteund.")
    response = await request.app[ADAPTER].process_activity(
        authenticated, activity, request.app[BOT].on_turn
    )
    if response is None:
        return web.Response(status=200)
    body = response.body
    if isinstance(body, Model):
        body = serializer_helper(body)
    return web.json_response(body, status=response.status)


async def _read_activity(request: web.Request) -> Activity | web.Response:
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _error(400, "Ongeldige JSON.")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return _error(400, "Dit is geen activity: het veld 'type' ontbreekt.")
    try:
        activity = Activity().deserialize(body)
    except Exception:
        return _error(400, "Deze activity heeft velden van het verkeerde type.")
    if activity.type in ("message", "invoke", "conversationUpdate", "installationUpdate") and not (
        activity.conversation
        and isinstance(activity.conversation.id, str)
        and activity.from_property
        and isinstance(activity.service_url, str)
    ):
        return _error(400, "De activity mist conversation, from of serviceUrl.")
    return activity


async def health(request: web.Request) -> web.Response:
    try:
        async with request.app[DATABASE].engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        log.error("health check failed type=%s", type(error).__name__)
        return web.json_response({"status": "fout", "database": "onbereikbaar"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


LINK_GONE = (
    "Deze link werkt niet meer: hij is al gebruikt of verlopen. Maak de brief opnieuw in "
    "Teams, met de knop Brief aan bewoner maken."
)
PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="robots" content="noindex"><title>Brief aan bewoner</title></head>
<body style="font-family:sans-serif;max-width:32em;margin:3em auto">
<h1>Brief aan bewoner</h1><p>{message}</p>{form}</body></html>"""
FORM = """<form method="post" onsubmit="document.getElementById('status').textContent =
'Gedownload. Deze link werkt nu niet meer.'"><button type="submit">Brief downloaden (Word)
</button></form><p id="status">De link werkt één keer. Sla de brief op in het dossier.</p>"""


def _page(message: str, form: str = "", status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=PAGE.format(message=message, form=form),
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


async def letter_page(request: web.Request) -> web.Response:
    usable = await casus_dialog.link_usable(
        request.app[DATABASE], request.app[SETTINGS].dialog_config(), request.match_info["token"]
    )
    if not usable:
        return _page(LINK_GONE, status=403)
    return _page("Je brief staat klaar.", FORM)


async def download_brief(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    download = await casus_dialog.download_brief(
        request.app[DATABASE], settings.dialog_config(), request.match_info["token"]
    )
    if download is None:
        return _page(LINK_GONE, status=403)
    return web.Response(
        body=download.content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def about(request: web.Request) -> web.Response:
    return web.Response(
        text=(
            "Casusoverleg: de Teams-bot voor het PGA-casusoverleg van de gemeente.\n"
            "Privacy: gegevens van bewoners zie je alleen als je betrokken bent, in je privéchat "
            "met de bot. Elke inzage wordt vastgelegd. Vragen? Neem contact op met de "
            "functionaris gegevensbescherming van je gemeente.\n"
        ),
        content_type="text/plain",
    )
