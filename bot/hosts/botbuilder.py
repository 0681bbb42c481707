"""The botbuilder host (Bot Framework SDK 4.17, retired): CloudAdapter with our cached token
checks (bot/auth.py), the shared-session connector (bot/connector.py), the wire JSON
(bot/wire.py) and the activity handler (bot/handler.py)."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.schema import Activity, ChannelAccount
from msrest.serialization import Model

from bot import sender as outbox
from bot.auth import CachingAuthentication, warm_signing_keys
from bot.connector import FastCloudAdapter
from bot.handler import CasusoverlegBot, on_turn_error
from bot.hosts import Host
from bot.web import (
    DATABASE,
    SENDER,
    SETTINGS,
    TEAMS_ONLY,
    UNAUTHORIZED,
    error_response,
    host_for_log,
    precheck,
    read_json,
    service_url_refusal,
)
from bot.wire import activity_from_json

log = logging.getLogger(__name__)

AUTH = web.AppKey("auth", CachingAuthentication)
ADAPTER = web.AppKey("adapter", FastCloudAdapter)
BOT = web.AppKey("bot", CasusoverlegBot)


async def lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    auth = CachingAuthentication(settings)
    adapter = FastCloudAdapter(auth, service_urls=auth.service_urls)
    adapter.on_turn_error = on_turn_error
    await adapter.open()
    sender = outbox.sender_for(adapter, app[DATABASE], settings.app_id, auth.service_urls)
    app[AUTH], app[ADAPTER], app[SENDER] = auth, adapter, sender
    app[BOT] = CasusoverlegBot(app[DATABASE], settings.dialog_config(), sender.trigger)
    await warm_signing_keys(settings)
    # What start-up made lives as long as the process: out of the collector's sight, a full
    # collection no longer walks it (that stalled every turn in flight for ~100 ms). No
    # gc.collect() first: it took 0.15–0.5 s here (and per app start in the tests) to free ~7,500
    # objects of the migrations' table metadata, which now stay (1–2 MB).
    gc.freeze()
    yield
    gc.unfreeze()  # what the app leaves behind may be collected again (tests start many)
    await sender.close()
    await adapter.close()
    await auth.close()


async def messages(request: web.Request) -> web.StreamResponse:
    """Cheap checks first, the token before msrest: an unauthenticated request costs one JSON
    parse at most, and no bot code runs (nor is a reference stored) for a refused one."""
    settings = request.app[SETTINGS]
    refused = precheck(request)
    if refused is not None:
        return refused
    auth = request.app[AUTH]
    header = request.headers.get("Authorization", "")
    if not auth.from_channel_issuer(header):
        log.info("authentication refused: no token from the channel")
        return error_response(401, UNAUTHORIZED)
    read = await read_json(request)
    if isinstance(read, web.Response):
        return read
    body, size = read
    try:
        authenticated = await auth.authenticate_request(_auth_activity(body), header)
    except Exception as error:
        # The SDK signals failures with PermissionError, AttributeError, IndexError, jwt
        # errors and bare Exceptions; each is a 401, and no bot code runs.
        log.info("authentication refused type=%s", type(error).__name__)
        return error_response(401, UNAUTHORIZED)
    if not settings.local_mode and body["channelId"] != "msteams":
        # Web Chat or Direct Line clients can claim any tenant or user: Teams only.
        log.info("channel refused channel=%r", body["channelId"][:20])
        return error_response(403, TEAMS_ONLY)
    service_urls = auth.service_urls
    if not service_urls.allows(body["serviceUrl"]):
        log.warning("service URL refused host=%r", host_for_log(body["serviceUrl"]))
        return error_response(403, service_url_refusal(settings.local_mode))
    activity = _deserialize(body, size)
    if isinstance(activity, web.Response):
        return activity
    response = await request.app[ADAPTER].process_activity(
        authenticated, activity, request.app[BOT].on_turn
    )
    if response is None:
        return web.Response(status=200)
    response_body = response.body
    if isinstance(response_body, Model):
        response_body = serializer_helper(response_body)
    return web.json_response(response_body, status=response.status)


def _auth_activity(body: dict[str, Any]) -> Activity:
    """The few fields the SDK's authentication reads, without msrest deserialisation."""
    recipient = body.get("recipient")
    role = recipient.get("role") if isinstance(recipient, dict) else None
    return Activity(
        type=body["type"],
        channel_id=body["channelId"],
        service_url=body["serviceUrl"],
        recipient=ChannelAccount(role=role if isinstance(role, str) else None),
    )


def _deserialize(body: dict[str, Any], size: int) -> Activity | web.Response:
    """The Activity, built directly for messages and invokes of the usual shape (bot/wire.py),
    by msrest for anything else."""
    activity = activity_from_json(body, size)
    if activity is None:
        try:
            activity = Activity().deserialize(body)
        except Exception:
            return error_response(400, "Deze activity heeft velden van het verkeerde type.")
    if activity.type in ("message", "invoke", "conversationUpdate", "installationUpdate") and not (
        activity.conversation
        and isinstance(activity.conversation.id, str)
        and activity.from_property
        and isinstance(activity.service_url, str)
    ):
        return error_response(400, "De activity mist conversation, from of serviceUrl.")
    return activity


HOST = Host("botbuilder", messages, lifecycle)
