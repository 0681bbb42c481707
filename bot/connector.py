"""Sends activities to the Bot Connector over one shared aiohttp session.

The SDK's connector client serialises every card through msrest and posts with `requests`
in a worker thread; together that was a tenth of a turn. Here the card is passed through as
JSON, the token comes from the same cached MSAL credentials, and failures keep their status
(429 with Retry-After) for the outbox's back-off.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import quote

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse

from bot.service_urls import ServiceUrlPolicy


class ConnectorError(Exception):
    def __init__(self, status: int, retry_after: str | None) -> None:
        super().__init__(f"connector answered {status}")
        self.status = status
        self.retry_after = retry_after


def wire_json(activity: Activity) -> dict[str, Any]:
    """The activity as JSON, with attachment contents (cards) copied in as they are."""
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

    async def _post(self, activity: Activity, credentials: Any) -> ResourceResponse:
        assert self._http is not None
        self._service_urls.check(activity.service_url)  # before a token goes anywhere
        url = (
            f"{activity.service_url.rstrip('/')}/v3/conversations/"
            f"{quote(activity.conversation.id, safe='')}/activities"
        )
        if activity.reply_to_id:
            url += f"/{quote(activity.reply_to_id, safe='')}"
        # As the SDK's connector client does; the Bot Connector routes on it.
        headers = {"x-ms-conversation-id": activity.conversation.id}
        if credentials is not None and getattr(credentials, "microsoft_app_id", None):
            headers["Authorization"] = f"Bearer {credentials.get_access_token()}"
        async with self._http.post(url, json=wire_json(activity), headers=headers) as response:
            if response.status >= 400:
                raise ConnectorError(response.status, response.headers.get("Retry-After"))
            body = await response.json(content_type=None) if response.content_length else {}
        return ResourceResponse(id=(body or {}).get("id", ""))


def _special(activity: Activity) -> bool:
    return activity.type in (ActivityTypes.invoke_response, ActivityTypes.trace, "delay")


def _credentials(context: TurnContext, key: str) -> Any:
    client = context.turn_state.get(key)
    return client.config.credentials if client is not None else None
