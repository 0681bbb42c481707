"""The aiohttp application: `create_app(settings)`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from sqlalchemy import text

from bot.downloads import DownloadLimiter, agent_family, bucket_key
from bot.hosts import host_named
from bot.settings import Settings
from bot.web import DATABASE, MAX_BODY, MAX_LIST_ITEMS, SENDER, SETTINGS
from dialogs import casus as casus_dialog
from dialogs import downloads as downloads_dialog
from dialogs import jobs
from dialogs import verslag as verslag_dialog
from store.db import Database

log = logging.getLogger(__name__)
__all__ = ["DATABASE", "MAX_BODY", "MAX_LIST_ITEMS", "SENDER", "SETTINGS", "create_app"]
# Local mode answers only requests addressed to this machine by name (DNS rebinding: a web
# page on another name that resolves to 127.0.0.1 must not reach the bot without a login).
LOCAL_HOST_HEADER = re.compile(r"(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?", re.IGNORECASE)

LIMITER = web.AppKey("download_limiter", DownloadLimiter)

# Loggers that write SQL parameters (so residents' names) at DEBUG: never more than WARNING.
DATA_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool")


def create_app(settings: Settings) -> web.Application:
    for name in DATA_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    middlewares = [_local_host_only] if settings.local_mode else []
    # aiohttp refuses a body (also a chunked one) once it reaches client_max_size bytes.
    app = web.Application(client_max_size=MAX_BODY + 1, middlewares=[*middlewares, _errors_as_json])
    app[SETTINGS] = settings
    app[LIMITER] = DownloadLimiter(settings.download_attempts_per_minute)
    host = host_named(settings.bot_host)  # botbuilder or the Agents SDK (bot/hosts/)
    app.cleanup_ctx.extend([_database, host.lifecycle, _background])
    app.router.add_post("/api/messages", host.messages)
    app.router.add_get("/healthz", health)
    # GET shows a button, POST downloads: link scanners and previews fetch with GET, and
    # must not use up a link that works once.
    # Anyone may send these (no login): each passes the rate limit and the token's shape
    # before the database is asked (_guarded).
    app.router.add_get("/brieven/{token}", _guarded(letter_page), allow_head=False)
    app.router.add_post("/brieven/{token}", _guarded(download_brief))
    # Other personal documents (inzage, monitor): the same single-use grants (#13).
    app.router.add_get("/documenten/{token}", _guarded(document_page), allow_head=False)
    app.router.add_post("/documenten/{token}", _guarded(download_brief))
    app.router.add_get("/verslagen/{token}", _guarded(verslag_page), allow_head=False)
    app.router.add_post("/verslagen/{token}", _guarded(download_verslag))
    app.router.add_get("/", about)
    app.router.add_get("/privacy", about)
    app.router.add_get("/gebruiksvoorwaarden", about)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    if app[SETTINGS].migrate_on_start:
        await app[SETTINGS].migrate()
    database = Database.from_url(app[SETTINGS].database_url)
    app[DATABASE] = database
    yield
    await database.dispose()


async def _background(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    tasks = [
        asyncio.create_task(app[SENDER].run_forever(settings.outbox_interval_seconds)),
        asyncio.create_task(_jobs_loop(app)),
    ]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _jobs_loop(app: web.Application) -> None:
    """Scheduled work lives in the database (dialogs/jobs.py); this only keeps time."""
    settings, database = app[SETTINGS], app[DATABASE]
    worker = f"{socket.gethostname()}:{os.getpid()}"
    config = settings.dialog_config()
    try:
        await jobs.ensure_scheduled(database, config=config)
    except Exception as error:
        log.error("scheduling jobs failed type=%s", type(error).__name__)
    while True:
        try:
            await jobs.run_due(database, config, worker)
        except Exception as error:
            log.error("job round failed type=%s", type(error).__name__)
        await asyncio.sleep(settings.jobs_interval_seconds)


class PrivacyAccessLogger(AbstractAccessLogger):
    """Access log without query strings and without the download tokens in /brieven/… and
    /verslagen/…: a token in a log line would let its reader fetch the document."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        if path.startswith("/brieven/"):
            path = "/brieven/…"
        elif path.startswith("/documenten/"):
            path = "/documenten/…"
        elif path.startswith("/verslagen/"):
            path = "/verslagen/…"
        self.logger.info("%s %s %s %.1f ms", request.method, path, response.status, time * 1000)


@web.middleware
async def _local_host_only(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if LOCAL_HOST_HEADER.fullmatch(request.headers.get("Host", "")):
        return await handler(request)
    log.info("request refused: local mode answers only to localhost")
    port = request.app[SETTINGS].port
    return _error(
        421,
        "De lokale bot werkt alleen via dit apparaat. Open hem via "
        f"http://localhost:{port} of http://127.0.0.1:{port}.",
    )


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
    413: "Het bericht is te groot (maximaal 256 kB). Stuur een kleiner bericht.",
    415: "Stuur JSON (Content-Type: application/json).",
}


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


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
<meta name="robots" content="noindex"><title>{heading}</title></head>
<body style="font-family:sans-serif;max-width:32em;margin:3em auto">
<h1>{heading}</h1><p>{message}</p>{form}</body></html>"""
FORM = """<form method="post" onsubmit="document.getElementById('status').textContent =
'Gedownload. Deze link werkt nu niet meer.'"><button type="submit">Brief downloaden (Word)
</button></form><p id="status">De link werkt één keer. Sla de brief op in het dossier.</p>"""


def _page(
    message: str, form: str = "", status: int = 200, heading: str = "Brief aan bewoner"
) -> web.Response:
    return web.Response(
        status=status,
        text=PAGE.format(message=message, form=form, heading=heading),
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _client_address(request: web.Request) -> str:
    """A valid IP address or "onbekend": from TRUSTED_PROXY_HEADER when set, else the peer."""
    proxy = request.app[SETTINGS].trusted_proxy
    values = request.headers.getall(proxy.header, []) if proxy.header else []
    return proxy.client_address(values, request.remote)


def _client(request: web.Request) -> str:
    """Where a download attempt came from, for the audit log only (not the access log): fixed
    words, never the request's own text (a User-Agent can carry a name, or markup)."""
    agent = agent_family(request.headers.get("User-Agent"))
    return f"ip={_client_address(request)} ua={agent}"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LINK_MALFORMED = (
    "Deze link klopt niet. Kopieer de hele link uit Teams en probeer het opnieuw, of vraag "
    "het document opnieuw aan in Teams."
)


def _guarded(handler: Handler) -> Handler:
    """A token that was never issued in this shape: 404, no database work and no audit event
    (it costs no more than any unknown path). Too many attempts from one address: 429, audited
    once per run of them."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        if not downloads_dialog.well_formed(request.match_info["token"]):
            return _page(LINK_MALFORMED, status=404, heading="Downloadlink")
        verdict = request.app[LIMITER].take(bucket_key(_client_address(request)))
        if not verdict.allowed:
            if verdict.first_refusal:
                await downloads_dialog.record_flood(request.app[DATABASE], _client(request))
            return _too_many(verdict.retry_after)
        return await handler(request)

    return guarded


def _too_many(retry_after: int) -> web.Response:
    response = _page(
        f"Te veel pogingen vanaf dit adres. Wacht {retry_after} seconden en open de link dan "
        "opnieuw.",
        status=429,
        heading="Downloadlink",
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


@dataclass(frozen=True)
class Landing:
    """The page a one-time download link opens: a button that posts to download."""

    ready: str
    form: str
    gone: str
    heading: str


LETTER = Landing("Je brief staat klaar.", FORM, LINK_GONE, "Brief aan bewoner")


async def _landing(request: web.Request, landing: Landing) -> web.Response:
    """Looking does not use the link up (a link preview must not spend it)."""
    usable = await casus_dialog.link_usable(
        request.app[DATABASE],
        request.app[SETTINGS].dialog_config(),
        request.match_info["token"],
        _client(request),
    )
    if not usable:
        return _page(landing.gone, status=403, heading=landing.heading)
    return _page(landing.ready, landing.form, heading=landing.heading)


async def letter_page(request: web.Request) -> web.Response:
    return await _landing(request, LETTER)


DOCUMENT_GONE = (
    "Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag het document opnieuw "
    "aan in Teams."
)
DOCUMENT_FORM = """<form method="post" onsubmit="document.getElementById('status').textContent =
'Gedownload. Deze link werkt nu niet meer.'"><button type="submit">Document downloaden
</button></form><p id="status">De link werkt één keer. Sla het document op in het dossier.</p>"""
DOCUMENT = Landing("Je document staat klaar.", DOCUMENT_FORM, DOCUMENT_GONE, "Document")


async def document_page(request: web.Request) -> web.Response:
    return await _landing(request, DOCUMENT)


async def download_brief(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    download = await casus_dialog.download_brief(
        request.app[DATABASE],
        settings.dialog_config(),
        request.match_info["token"],
        _client(request),
    )
    if download is None:
        return _page(LINK_GONE, status=403)
    return _word(download.filename, download.content, download.content_type)


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _word(filename: str, content: bytes, content_type: str = WORD) -> web.Response:
    return web.Response(
        body=content,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


VERSLAG_GONE = (
    "Deze link werkt niet meer: hij is al gebruikt of verlopen. Druk in Teams opnieuw op "
    "Verslag ophalen (Word) voor een nieuwe link."
)
VERSLAG_FORM = FORM.replace("Brief downloaden", "Verslag downloaden").replace(
    "Sla de brief op in het dossier.", "Deel het verslag niet verder."
)


VERSLAG = Landing("Je verslag staat klaar.", VERSLAG_FORM, VERSLAG_GONE, "Verslag casusoverleg")


async def verslag_page(request: web.Request) -> web.Response:
    return await _landing(request, VERSLAG)


async def download_verslag(request: web.Request) -> web.Response:
    download = await verslag_dialog.download_verslag(
        request.app[DATABASE],
        request.app[SETTINGS].dialog_config(),
        request.match_info["token"],
        _client(request),
    )
    if download is None:
        return _page(VERSLAG_GONE, status=403, heading="Verslag casusoverleg")
    return _word(download.filename, download.content)


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
