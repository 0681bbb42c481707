"""Bot Framework authentication, with connector clients reused and MSAL made configurable.

Stock botbuilder builds a new ConnectorClient (and MSAL app, so a new token request) per
activity; two thirds of a turn went there (DESIGN §8). Here one client per service URL and
audience, and one credential per app and scope, live as long as the app.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ChannelValidation,
    ClaimsIdentity,
    ConnectorFactory,
    GovernmentChannelValidation,
    GovernmentConstants,
    ServiceClientCredentialsFactory,
    SkillValidation,
    UserTokenClient,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from botframework.connector.skills import BotFrameworkClient
from jwt.algorithms import RSAAlgorithm
from msal import ConfidentialClientApplication
from msrest.authentication import Authentication

from bot.service_urls import ServiceUrlPolicy
from bot.settings import Settings

log = logging.getLogger(__name__)
VALIDATION_TTL = 300  # seconds; a rotated signing key is noticed within this time
VALIDATION_CACHE_SIZE = 10_000
# The SDK's rules for channel tokens (botframework-connector 4.17, JwtTokenExtractor): only RS256
# verifies, 5 minutes of clock leeway, the audience compared by hand; keys refetched after a
# day, and for an unknown key id at most once an hour.
CHANNEL_TOKEN_ALGORITHMS = ["RS256"]
CLOCK_LEEWAY = 5 * 60
KEYS_MAX_AGE = dt.timedelta(days=1)
UNKNOWN_KEY_REFRESH = dt.timedelta(hours=1)
# Any of these makes the SDK authenticate parameterized (BotFrameworkAuthenticationFactory).
PARAMETERIZED_KEYS = (
    "TO_CHANNEL_FROM_BOT_LOGIN_URL",
    "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
    "OAUTH_URL",
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
    "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL",
    "CALLER_ID",
)


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


@dataclass(frozen=True)
class ChannelTokenRules:
    """Where the SDK takes the channel's signing keys from, the `iss` it accepts, and the
    caller id it puts on an activity from the channel."""

    metadata_url: str
    issuer: str
    caller_id: str | None


def channel_token_rules(settings: Settings) -> ChannelTokenRules | None:
    """The rules the SDK applies to channel tokens under these settings, chosen as
    BotFrameworkAuthenticationFactory chooses; None in local mode (no authentication), and
    for a configuration only the SDK's own path should judge (parameterized without a key URL
    or issuer)."""
    if settings.local_mode:
        return None
    sdk = settings.sdk
    if any(sdk.get(key) for key in PARAMETERIZED_KEYS):
        url = sdk.get("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL")
        issuer = sdk.get("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER")
        if not url or not issuer:
            return None
        return ChannelTokenRules(url, issuer, sdk.get("CALLER_ID"))
    channel_service = sdk.get("CHANNEL_SERVICE")
    if not channel_service:
        return ChannelTokenRules(
            ChannelValidation.open_id_metadata_endpoint
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            CallerIdConstants.public_azure_channel,
        )
    if channel_service == GovernmentConstants.CHANNEL_SERVICE:
        return ChannelTokenRules(
            GovernmentChannelValidation.OPEN_ID_METADATA_ENDPOINT
            or GovernmentConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            GovernmentConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            CallerIdConstants.us_gov_channel,
        )
    return None


@dataclass(frozen=True)
class SigningKey:
    public_key: Any
    endorsements: Any  # as the JWKS has it: a list of channel ids


class ChannelSigningKeys:
    """The channel's signing keys by key id, each parsed once.

    They come from the SDK's own OpenID metadata object (so warm_signing_keys fills them) and
    are refetched when the SDK would refetch them — after a day, or for an unknown key id at
    most once an hour — but in a worker thread, not in the event loop.
    """

    def __init__(self, metadata_url: str) -> None:
        self._metadata = JwtTokenExtractor.get_open_id_metadata(metadata_url)
        self._parsed: dict[str, SigningKey] = {}
        self._parsed_from: Any = None  # the metadata's key list that _parsed was made from
        self._refreshing = asyncio.Lock()

    async def get(self, kid: str) -> SigningKey:
        now = dt.datetime.now()  # the SDK keeps last_updated in local time
        if self._metadata.last_updated < now - KEYS_MAX_AGE:
            await self._refresh(now - KEYS_MAX_AGE)
        key = self._find(kid)
        if key is None and self._metadata.last_updated < now - UNKNOWN_KEY_REFRESH:
            await self._refresh(now - UNKNOWN_KEY_REFRESH)
            key = self._find(kid)
        if key is None:
            raise PermissionError("token signed with an unknown key")
        return key

    async def _refresh(self, older_than: dt.datetime) -> None:
        async with self._refreshing:
            if self._metadata.last_updated < older_than:  # not done by a turn that waited
                await asyncio.to_thread(asyncio.run, self._metadata._refresh())

    def _find(self, kid: str) -> SigningKey | None:
        keys = self._metadata.keys
        if self._parsed_from is not keys:
            self._parsed, self._parsed_from = {}, keys
        found = self._parsed.get(kid)
        if found is None:
            jwk = next((k for k in keys or () if isinstance(k, dict) and k.get("kid") == kid), None)
            if jwk is None:
                return None
            public_key = RSAAlgorithm.from_jwk(jwk)
            found = self._parsed[kid] = SigningKey(public_key, jwk.get("endorsements", []))
        return found


class CachingAuthentication(BotFrameworkAuthentication):
    """Delegates to ConfigurationBotFrameworkAuthentication; keeps the clients it hands out,
    and checks a channel token itself, as the SDK does but in one decode (see
    `_authenticate_channel_token`)."""

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
        self._rules = channel_token_rules(settings)
        self._keys = ChannelSigningKeys(self._rules.metadata_url) if self._rules else None

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        # Teams sends the same channel token for up to an hour; a token checked once for this
        # service URL and channel need not be decoded again on every activity.
        key = (auth_header, activity.service_url, activity.channel_id)
        cached = self._validated.get(key)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        if not self.from_channel_issuer(auth_header):
            # The SDK sends tokens of other issuers (the emulator's, skills') down paths that
            # never compare the token's serviceurl with the activity's.
            raise PermissionError("token not issued by the channel")
        if self._rules is not None and self._keys is not None:
            result = await self._authenticate_channel_token(
                activity, auth_header, self._rules, self._keys
            )
        else:
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

    async def _authenticate_channel_token(
        self,
        activity: Activity,
        auth_header: str,
        rules: ChannelTokenRules,
        keys: ChannelSigningKeys,
    ) -> AuthenticateRequestResult:
        """Every check of the SDK's channel path, with the token decoded once (the SDK decodes
        it four times and parses the signing key anew for each token): Bearer scheme, a known
        signing key endorsed for the activity's channel, RS256 signature, exp/nbf with the
        SDK's leeway, the channel's `iss`, no skill token, `aud` = our app id. The serviceurl
        binding is checked by the caller (_check_bound), as on the SDK's path."""
        parts = auth_header.split(" ")
        if len(parts) != 2 or parts[0] != "Bearer" or not parts[1]:
            raise PermissionError("no Bearer token")
        token = parts[1]
        kid = _unverified_kid(token)
        if not kid:
            raise PermissionError("token names no signing key")
        key = await keys.get(kid)
        # As EndorsementsValidator: a key with endorsements must be endorsed for the channel.
        if key.endorsements and activity.channel_id and activity.channel_id not in key.endorsements:
            raise PermissionError("signing key not endorsed for this channel")
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=CHANNEL_TOKEN_ALGORITHMS,
            leeway=CLOCK_LEEWAY,
            options={"verify_aud": False, "verify_exp": True},
        )
        if claims.get("iss") != rules.issuer:
            raise PermissionError("token not issued by the channel")
        if SkillValidation.is_skill_claim(claims):
            raise PermissionError("skill tokens are not accepted")
        audience = claims.get("aud")
        if not audience or not await self.credentials.is_valid_app_id(audience):
            raise PermissionError("token not meant for this bot")
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self._inner.get_originating_audience()
        result.caller_id = rules.caller_id
        result.connector_factory = self._inner.create_connector_factory(identity)
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


def _unverified_kid(token: str) -> str | None:
    """`kid` of a JWT's header, read only to choose the key that must then verify the token
    (jwt.decode reads and checks the header again; PyJWT's own reader costs ten times more)."""
    header = token.split(".", 1)[0]
    try:
        values = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except Exception:  # malformed in any way: no key, so refused
        return None
    kid = values.get("kid") if isinstance(values, dict) else None
    return kid if isinstance(kid, str) else None


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
    rules = channel_token_rules(settings)
    if rules is None:
        return
    metadata = JwtTokenExtractor.get_open_id_metadata(rules.metadata_url)
    try:
        await asyncio.to_thread(asyncio.run, metadata._refresh())
    except Exception as error:  # the bot still works; the first request will fetch them
        log.warning("could not prefetch signing keys: %s", type(error).__name__)
