"""Sends activities to the Bot Connector over one shared aiohttp session.

The SDK's connector client serialises every card through msrest and posts with `requests`
in a worker thread; together that was a tenth of a turn. Here the reply is written as JSON
directly (bot/wire.py) with the card as it is, the token comes from the same MSAL credentials
and is reused until shortly before it expires, and failures keep their status (429 with
Retry-After) for the outbox's back-off.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from typing import Any
from urllib.parse import quote

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse

from bot.delivery import ConnectorError
from bot.service_urls import ServiceUrlPolicy
from bot.wire import activity_json

#: A token is reused until this many seconds before it expires; MSAL renews it from then on.
TOKEN_RENEWAL_MARGIN = 300


def wire_json(activity: Activity) -> dict[str, Any]:
    """The activity as JSON, with attachment contents (cards) copied in as they are: written
    directly (bot/wire.py), or by msrest when the activity carries more than a reply does."""
    direct = activity_json(activity)
    if direct is not None:
        return direct
    attachments = activity.attachments or []
    contents = [attachment.content for attachment in attachments]
    try:
        for attachment in attachments:
            attachment.content = None
        body: dict[str, Any] = activity.serialize()
    finally:
        for attachment, content in zip(attachments, contents, strict=True):
            attachment.content = content
    for item, content in zip(body.get("attachments", []), contents, strict=False):
        item["content"] = content
    return body


class FastCloudAdapter(CloudAdapter):
    """CloudAdapter whose outgoing activities go over one aiohttp session, and only to
    service URLs the policy allows."""

    def __init__(self, *args: Any, service_urls: ServiceUrlPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http: aiohttp.ClientSession | None = None
        self._service_urls = service_urls
        # id(credentials) -> (credentials, "Bearer <token>", reuse until this time.time())
        self._bearers: dict[int, tuple[Any, str, float]] = {}

    async def open(self) -> None:
        # The trust store is read now, so SSL_CERT_FILE set before start-up applies.
        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(), limit=100)
        self._http = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        if self._http is None or any(_special(a) for a in activities):
            return await super().send_activities(context, activities)
        credentials = _credentials(context, self.BOT_CONNECTOR_CLIENT_KEY)
        responses = []
        for activity in activities:
            activity.id = None
            responses.append(await self._post(activity, credentials))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        """Replace a sent activity (a card changed in place for everyone)."""
        if self._http is None:
            return await super().update_activity(context, activity)
        credentials = _credentials(context, self.BOT_CONNECTOR_CLIENT_KEY)
        return await self._call("PUT", activity, credentials, activity.id)

    async def _post(self, activity: Activity, credentials: Any) -> ResourceResponse:
        return await self._call("POST", activity, credentials, activity.reply_to_id)

    async def _call(
        self, method: str, activity: Activity, credentials: Any, activity_id: str | None
    ) -> ResourceResponse:
        assert self._http is not None
        self._service_urls.check(activity.service_url)  # before a token goes anywhere
        url = (
            f"{activity.service_url.rstrip('/')}/v3/conversations/"
            f"{quote(activity.conversation.id, safe='')}/activities"
        )
        if activity_id:
            url += f"/{quote(activity_id, safe='')}"
        # As the SDK's connector client does; the Bot Connector routes on it.
        headers = {"x-ms-conversation-id": activity.conversation.id}
        if credentials is not None and getattr(credentials, "microsoft_app_id", None):
            headers["Authorization"] = self._authorization(credentials)
        body = wire_json(activity)
        async with self._http.request(method, url, json=body, headers=headers) as response:
            if response.status >= 400:
                raise ConnectorError(response.status, response.headers.get("Retry-After"))
            body = await response.json(content_type=None) if response.content_length else {}
        return ResourceResponse(id=(body or {}).get("id", ""))

    async def get_json(self, context: TurnContext, service_url: str, path: str) -> Any:
        """GET `path` (below /v3/) from the Bot Connector at `service_url`, with the turn's
        credentials; only an allowed service URL is called. ConnectorError on >= 400."""
        if self._http is None:
            raise ConnectorError(503, None)
        self._service_urls.check(service_url)  # before a token goes anywhere
        url = f"{service_url.rstrip('/')}/v3/{path}"
        headers = {}
        credentials = _credentials(context, self.BOT_CONNECTOR_CLIENT_KEY)
        if credentials is not None and getattr(credentials, "microsoft_app_id", None):
            headers["Authorization"] = self._authorization(credentials)
        async with self._http.get(url, headers=headers) as response:
            if response.status >= 400:
                raise ConnectorError(response.status, response.headers.get("Retry-After"))
            return await response.json(content_type=None)

    def _authorization(self, credentials: Any) -> str:
        """'Bearer <token>' for these credentials, kept until shortly before the token expires
        (when MSAL itself would stop handing it out): asking MSAL for it on every reply, a
        search of its token cache, was a sixth of sending the reply."""
        now = time.time()
        cached = self._bearers.get(id(credentials))
        if cached is not None and cached[0] is credentials and now < cached[2]:
            return cached[1]
        token = credentials.get_access_token()
        header = f"Bearer {token}"
        expires = _token_expiry(token)
        if expires is not None and now < expires - TOKEN_RENEWAL_MARGIN:
            self._bearers[id(credentials)] = (credentials, header, expires - TOKEN_RENEWAL_MARGIN)
        return header


def _token_expiry(token: str) -> float | None:
    """`exp` of an access token (a JWT from Entra ID), read without verifying it: it is only
    the bot's own token, to know how long to reuse it. None when it is not a readable JWT."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:  # malformed in any way: not cached
        return None
    value = claims.get("exp") if isinstance(claims, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _special(activity: Activity) -> bool:
    return activity.type in (ActivityTypes.invoke_response, ActivityTypes.trace, "delay")


def _credentials(context: TurnContext, key: str) -> Any:
    client = context.turn_state.get(key)
    return client.config.credentials if client is not None else None
