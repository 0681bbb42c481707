"""Bot Framework authentication, with connector clients reused and MSAL made configurable.

Stock botbuilder builds a new ConnectorClient (and MSAL app, so a new token request) per
activity; two thirds of a turn went there (DESIGN §8). Here one client per service URL and
audience, and one credential per app and scope, live as long as the app.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from typing import Any

from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from botframework.connector.skills import BotFrameworkClient
from msal import ConfidentialClientApplication
from msrest.authentication import Authentication

from bot.service_urls import ServiceUrlPolicy
from bot.settings import Settings

log = logging.getLogger(__name__)
VALIDATION_TTL = 300  # seconds; a rotated signing key is noticed within this time
VALIDATION_CACHE_SIZE = 10_000
PUBLIC_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"


class CredentialFactory(ServiceClientCredentialsFactory):
    """The SDK's own factory, with credentials kept per (app, scope, authority).

    MSAL keeps its token cache on the credential, so keeping it avoids a token request per
    activity. With instance discovery switched off (MSAL_DISABLE_INSTANCE_DISCOVERY), MSAL
    does not ask login.microsoftonline.com about an authority it does not know — needed for
    private clouds and the offline tests.
    """

    def __init__(self, settings: Settings) -> None:
        self._inner = ConfigurationServiceClientCredentialFactory(settings.sdk_configuration())
        self._password = settings.app_password
        self._instance_discovery = settings.msal_instance_discovery
        self._credentials: dict[tuple[str, str, str], Authentication] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        key = (app_id or "", oauth_scope or "", login_endpoint or "")
        if key not in self._credentials:
            credentials = await self._inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            if not self._instance_discovery and getattr(credentials, "microsoft_app_id", None):
                # The SDK's credentials use `self.app` when set instead of building their own.
                credentials.app = ConfidentialClientApplication(
                    client_id=app_id,
                    client_credential=self._password,
                    authority=credentials.oauth_endpoint,
                    instance_discovery=False,
                )
            self._credentials[key] = credentials
        return self._credentials[key]


class _CachingConnectorFactory(ConnectorFactory):
    """One connector client per (app, service URL, audience), made only for allowed hosts.

    Every SDK call to the Bot Connector (replies through msrest, continue_conversation,
    create_conversation, update and delete) gets its client here.
    """

    def __init__(
        self,
        inner: ConnectorFactory,
        cache: dict[tuple[str, str, str], ConnectorClient],
        app_id: str,
        service_urls: ServiceUrlPolicy,
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._app_id = app_id
        self._service_urls = service_urls

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience or "")
        client = self._cache.get(key)
        if client is None:
            self._service_urls.check(service_url)  # cached clients were checked when made
            client = await self._inner.create(service_url, audience)
            self._cache[key] = client
        return client


class CachingAuthentication(BotFrameworkAuthentication):
    """Delegates to ConfigurationBotFrameworkAuthentication; keeps the clients it hands out."""

    def __init__(self, settings: Settings) -> None:
        self.credentials = CredentialFactory(settings)
        self._inner = ConfigurationBotFrameworkAuthentication(
            settings.sdk_configuration(), credentials_factory=self.credentials
        )
        self._local = settings.local_mode
        self._issuer = settings.channel_token_issuer
        self.service_urls = settings.service_url_policy()
        self._connectors: dict[tuple[str, str, str], ConnectorClient] = {}
        self._validated: dict[tuple[str, str, str], tuple[AuthenticateRequestResult, float]] = {}
        self._user_token_clients: dict[str, UserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        # Teams sends the same channel token for up to an hour; a token checked once for this
        # service URL and channel need not be decoded four times again on every activity.
        key = (auth_header, activity.service_url, activity.channel_id)
        cached = self._validated.get(key)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        if not self.from_channel_issuer(auth_header):
            # The SDK sends tokens of other issuers (the emulator's, skills') down paths that
            # never compare the token's serviceurl with the activity's.
            raise PermissionError("token not issued by the channel")
        result = await self._inner.authenticate_request(activity, auth_header)
        if not self._local:
            _check_bound(result.claims_identity, self._issuer, activity.service_url)
        result.connector_factory = self._wrap(result.connector_factory, result.claims_identity)
        expires = _expiry(result.claims_identity)
        if auth_header and expires:
            self._validated[key] = (result, min(expires, time.time() + VALIDATION_TTL))
            while len(self._validated) > VALIDATION_CACHE_SIZE:
                self._validated.pop(next(iter(self._validated)))
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._wrap(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        if app_id not in self._user_token_clients:
            self._user_token_clients[app_id] = await self._inner.create_user_token_client(
                claims_identity
            )
        return self._user_token_clients[app_id]

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    def from_channel_issuer(self, auth_header: str) -> bool:
        """Outside local mode: is this a Bearer JWT whose (not yet verified) `iss` is the
        channel's? One base64 + JSON decode, cheap enough to run before the body is read."""
        return self._local or _unverified_issuer(auth_header) == self._issuer

    def _wrap(self, inner: ConnectorFactory, claims: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(inner, self._connectors, _app_id(claims), self.service_urls)

    async def close(self) -> None:
        self._connectors.clear()


def _unverified_issuer(auth_header: str) -> Any:
    """`iss` of a 'Bearer <JWT>' header, signature not checked (the SDK does that next)."""
    scheme, _, token = (auth_header or "").partition(" ")
    parts = token.split(".")
    if scheme != "Bearer" or len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:  # malformed in any way (binascii, UnicodeDecode, JSON, RecursionError)
        return None
    return claims.get("iss") if isinstance(claims, dict) else None


def _check_bound(claims: ClaimsIdentity, issuer: str, service_url: str | None) -> None:
    """What the SDK's channel path checked, checked again whatever path it took."""
    values = claims.claims or {}
    if values.get("iss") != issuer:
        raise PermissionError("token not issued by the channel")
    if not service_url or values.get("serviceurl") != service_url:
        raise PermissionError("token not bound to this service URL")


def _expiry(claims: ClaimsIdentity) -> float | None:
    value = (claims.claims or {}).get("exp")
    return float(value) if isinstance(value, int | float) else None


def _app_id(claims: ClaimsIdentity) -> str:
    claims_map = claims.claims or {}
    return str(claims_map.get("aud") or claims_map.get("appid") or "")


async def warm_signing_keys(settings: Settings) -> None:
    """Fetch the channel's signing keys before the first user pays for it.

    The SDK refreshes them with blocking `requests` inside the event loop; here that
    happens once, in a worker thread, at start-up.
    """
    if settings.local_mode:
        return
    url = settings.sdk.get("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", PUBLIC_OPENID_METADATA)
    metadata = JwtTokenExtractor.get_open_id_metadata(url)
    try:
        await asyncio.to_thread(asyncio.run, metadata._refresh())
    except Exception as error:  # the bot still works; the first request will fetch them
        log.warning("could not prefetch signing keys: %s", type(error).__name__)
