"""What the web app and every host behind /api/messages share: the app keys, JSON error
responses, and the checks on a request that need no Bot Framework library (so a host can run
them before its SDK parses anything)."""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import Settings
from store.db import Database

MAX_BODY = 256 * 1024
MAX_LIST_ITEMS = 50  # entities, attachments, membersAdded, ...: Teams sends a handful
UNAUTHORIZED = "Niet geautoriseerd: dit adres neemt alleen berichten van Microsoft Teams aan."
TOO_LARGE = "Het bericht is te groot (maximaal 256 kB). Stuur een kleiner bericht."
NOT_JSON = "Stuur JSON (Content-Type: application/json)."
TEAMS_ONLY = "Alleen Microsoft Teams wordt ondersteund."


class OutboxDelivery(Protocol):
    """The proactive sender (bot/delivery.py) with either host's transport."""

    def trigger(self) -> None: ...

    async def flush(self) -> int: ...

    async def run_forever(self, interval: float) -> None: ...

    async def close(self) -> None: ...


SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
SENDER = web.AppKey("sender", OutboxDelivery)


def error_response(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def precheck(request: web.Request) -> web.Response | None:
    """The refusals that cost nothing: not JSON, or announced too large."""
    if request.content_type != "application/json":
        return error_response(415, NOT_JSON)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error_response(413, TOO_LARGE)
    return None


async def read_json(request: web.Request) -> tuple[dict[str, Any], int] | web.Response:
    """The body as a dict with what authentication needs, and its size; nothing deserialised
    yet."""
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return error_response(400, "Ongeldige JSON.")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return error_response(400, "Dit is geen activity: het veld 'type' ontbreekt.")
    if not isinstance(body.get("serviceUrl"), str) or not isinstance(body.get("channelId"), str):
        return error_response(400, "De activity mist serviceUrl of channelId.")
    for key, value in body.items():
        if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
            return error_response(
                400, f"Het veld '{key[:40]}' heeft te veel items (maximaal {MAX_LIST_ITEMS})."
            )
    return body, len(raw)


def service_url_refusal(local_mode: bool) -> str:
    if local_mode:
        return (
            "De lokale bot antwoordt alleen op dit apparaat. Gebruik een serviceUrl op "
            "localhost of 127.0.0.1."
        )
    return (
        "Dit serviceUrl-adres is niet toegestaan. Klopt het adres? Vraag de beheerder om de "
        "host toe te voegen aan ALLOWED_SERVICE_URL_HOSTS."
    )


def host_for_log(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "")[:80]
    except ValueError:
        return ""
