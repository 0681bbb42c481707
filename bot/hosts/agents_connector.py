"""Calls to the Bot Connector for the Agents SDK host: replies, proactive posts, cards
updated in place, the Teams roster and member look-up, all through the SDK's
`ConnectorClient` (microsoft_agents.hosting.core), with the app's token from MSAL.

Around the SDK's client, as on the botbuilder host (bot/connector.py): only allow-listed
service URLs are called (checked before a token goes anywhere), one client (one aiohttp
session) per service URL lives as long as the app instead of one per turn, and the bearer
token is reused until shortly before it expires. A refusal keeps its status and Retry-After
(ConnectorError) for the outbox's back-off.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import time
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core.connector.client import ConnectorClient
from msal import ConfidentialClientApplication

from bot.delivery import ConnectorError
from bot.members import member_from_json
from bot.service_urls import ServiceUrlPolicy
from bot.settings import GOVERNMENT_CHANNEL_SERVICE, Settings
from store.roster import TeamMember

TOKEN_RENEWAL_MARGIN = 300
PUBLIC_SCOPE = "https://api.botframework.com"
GOVERNMENT_SCOPE = "https://api.botframework.us"
PUBLIC_LOGIN = "https://login.microsoftonline.com"
GOVERNMENT_LOGIN = "https://login.microsoftonline.us"
PAGE_SIZE = 500
MAX_PAGES = 10  # 5,000 members: more than any PGA team


def authority(settings: Settings) -> str:
    """The MSAL authority, as botbuilder chooses it from the same settings: the configured
    login URL, else the app's own tenant (SingleTenant) or botframework.com (MultiTenant)."""
    configured = settings.sdk.get("TO_CHANNEL_FROM_BOT_LOGIN_URL")
    if configured:
        return configured
    government = settings.sdk.get("CHANNEL_SERVICE") == GOVERNMENT_CHANNEL_SERVICE
    login = GOVERNMENT_LOGIN if government else PUBLIC_LOGIN
    if settings.app_type == "SingleTenant" and settings.app_tenant_id:
        return f"{login}/{settings.app_tenant_id}"
    return (
        f"{login}/MicrosoftServices.onmicrosoft.com" if government else f"{login}/botframework.com"
    )


def scope(settings: Settings) -> str:
    configured = settings.sdk.get("TO_CHANNEL_FROM_BOT_OAUTH_SCOPE")
    if not configured:
        government = settings.sdk.get("CHANNEL_SERVICE") == GOVERNMENT_CHANNEL_SERVICE
        configured = GOVERNMENT_SCOPE if government else PUBLIC_SCOPE
    return configured if configured.endswith("/.default") else f"{configured.rstrip('/')}/.default"


class AgentsConnector:
    def __init__(self, settings: Settings, service_urls: ServiceUrlPolicy) -> None:
        self._settings = settings
        self.service_urls = service_urls
        self._msal: ConfidentialClientApplication | None = None
        self._bearer: tuple[str, float] | None = None  # (token, reuse until time.time())
        self._clients: dict[str, tuple[ConnectorClient, str]] = {}  # url -> (client, token)
        self._token_lock = asyncio.Lock()

    async def close(self) -> None:
        for client, _token in self._clients.values():
            await client.client.close()
        self._clients.clear()

    async def post(self, activity: Activity, reply_to: str | None = None) -> str | None:
        """Send `activity` (a reply to `reply_to`, or a new message); the id Teams gives it."""
        client = await self._client(activity.service_url)
        conversation_id = activity.conversation.id
        try:
            if reply_to:
                response = await client.conversations.reply_to_activity(
                    conversation_id, reply_to, activity
                )
            else:
                response = await client.conversations.send_to_conversation(
                    conversation_id, activity
                )
        except aiohttp.ClientResponseError as error:
            raise _failed(error) from None
        return response.id or None

    async def update(self, activity: Activity, activity_id: str) -> None:
        """Replace a sent activity (a card changed in place for everyone)."""
        client = await self._client(activity.service_url)
        activity.id = activity_id
        try:
            await client.conversations.update_activity(
                activity.conversation.id, activity_id, activity
            )
        except aiohttp.ClientResponseError as error:
            raise _failed(error) from None

    async def team_members(self, service_url: str, team_id: str) -> list[TeamMember]:
        """Every member of a team, all pages (GET .../pagedmembers)."""
        client = await self._client(service_url)
        members: list[TeamMember] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = await client.conversations.get_conversation_paged_members(
                team_id, PAGE_SIZE, token
            )
            for account in page.members or []:
                found = member_from_json(account.model_dump(by_alias=True, exclude_none=True))
                if found is not None:
                    members.append(found)
            token = page.continuation_token
            if not token:
                break
        return members

    async def member(
        self, service_url: str, conversation_id: str, user_id: str
    ) -> TeamMember | None:
        client = await self._client(service_url)
        account = await client.conversations.get_conversation_member(conversation_id, user_id)
        return member_from_json(account.model_dump(by_alias=True, exclude_none=True))

    async def _client(self, service_url: str) -> ConnectorClient:
        self.service_urls.check(service_url)  # before a token goes anywhere
        token = await self._token()
        cached = self._clients.get(service_url)
        if cached is not None and cached[1] == token:
            return cached[0]
        if cached is not None:
            await cached[0].client.close()
        # The trust store is read now, so SSL_CERT_FILE set before start-up applies.
        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(), limit=100)
        endpoint = service_url if service_url.endswith("/") else f"{service_url}/"
        session = aiohttp.ClientSession(
            base_url=endpoint, connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        )
        client = ConnectorClient(endpoint, token, session=session)
        self._clients[service_url] = (client, token)
        return client

    async def _token(self) -> str:
        """The app's token for the Bot Connector ('' without an app id: local mode), from
        MSAL (in a thread: it may call Entra ID), reused until shortly before it expires."""
        if not self._settings.app_id:
            return ""
        now = time.time()
        if self._bearer is not None and now < self._bearer[1]:
            return self._bearer[0]
        async with self._token_lock:
            if self._bearer is not None and time.time() < self._bearer[1]:
                return self._bearer[0]
            result = await asyncio.to_thread(self._acquire)
            token = result.get("access_token") if isinstance(result, dict) else None
            if not isinstance(token, str):
                raise PermissionError("no token from Entra ID for the Bot Connector")
            expires = _token_expiry(token) or (time.time() + 600)
            self._bearer = (token, expires - TOKEN_RENEWAL_MARGIN)
            return token

    def _acquire(self) -> Any:
        if self._msal is None:
            self._msal = ConfidentialClientApplication(
                client_id=self._settings.app_id,
                client_credential=self._settings.app_password,
                authority=authority(self._settings),
                instance_discovery=self._settings.msal_instance_discovery,
            )
        return self._msal.acquire_token_for_client(scopes=[scope(self._settings)])


def _failed(error: aiohttp.ClientResponseError) -> ConnectorError:
    retry_after = error.headers.get("Retry-After") if error.headers else None
    return ConnectorError(error.status, retry_after)


def _token_expiry(token: str) -> float | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:  # malformed in any way: renew after the default
        return None
    value = claims.get("exp") if isinstance(claims, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
