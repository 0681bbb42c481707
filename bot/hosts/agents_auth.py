"""Channel-token checks for the Agents SDK host, with the same rules and refusals as the
botbuilder host (bot/auth.py; README, Security).

Written here, not taken from the SDK: its `JwtTokenValidator` (1.9) does not compare the
token's `serviceurl` claim with the activity's, does not check a signing key's endorsements
for the channel, accepts any issuer unless VALIDATE_ISSUER is set (an Entra ID token of any
tenant passes its default path), and fetches keys with blocking `PyJWKClient` calls in a
thread for every token. Here: one decode per token, keys fetched over aiohttp, results cached
per (token, serviceUrl, channel) for at most 5 minutes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

from bot.settings import GOVERNMENT_CHANNEL_SERVICE, Settings

log = logging.getLogger(__name__)
VALIDATION_TTL = 300  # seconds; a rotated signing key is noticed within this time
VALIDATION_CACHE_SIZE = 10_000
CHANNEL_TOKEN_ALGORITHMS = ["RS256"]
CLOCK_LEEWAY = 5 * 60
KEYS_MAX_AGE = 24 * 3600
UNKNOWN_KEY_REFRESH = 3600
PUBLIC_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
GOVERNMENT_METADATA_URL = "https://login.botframework.azure.us/v1/.well-known/openidconfiguration"
# A skill's token has these; the channel's has neither (SkillValidation in botframework).
VERSION_CLAIM = "ver"
ANONYMOUS_SKILL_APP_ID = "AnonymousSkill"


class TokenRefused(PermissionError):
    """The channel token does not pass; the request gets a 401 and no bot code runs."""


@dataclass(frozen=True)
class SigningKey:
    public_key: Any
    endorsements: tuple[str, ...]


class ChannelSigningKeys:
    """The channel's signing keys by key id (from its OpenID metadata), each parsed once;
    refetched after a day, or for an unknown key id at most once an hour."""

    def __init__(self, metadata_url: str) -> None:
        self._metadata_url = metadata_url
        self._keys: dict[str, SigningKey] = {}
        self._fetched = 0.0
        self._refreshing = asyncio.Lock()

    async def get(self, kid: str) -> SigningKey:
        now = time.monotonic()
        if not self._fetched or now - self._fetched > KEYS_MAX_AGE:
            await self._refresh(KEYS_MAX_AGE)
        key = self._keys.get(kid)
        if key is None and now - self._fetched > UNKNOWN_KEY_REFRESH:
            await self._refresh(UNKNOWN_KEY_REFRESH)
            key = self._keys.get(kid)
        if key is None:
            raise TokenRefused("token signed with an unknown key")
        return key

    async def _refresh(self, older_than: float) -> None:
        async with self._refreshing:
            if self._fetched and time.monotonic() - self._fetched <= older_than:
                return  # done by a turn that waited
            self._keys = await self._fetch()
            self._fetched = time.monotonic()

    async def _fetch(self) -> dict[str, SigningKey]:
        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context())
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            async with http.get(self._metadata_url) as response:
                response.raise_for_status()
                metadata = await response.json(content_type=None)
            async with http.get(metadata["jwks_uri"]) as response:
                response.raise_for_status()
                jwks = await response.json(content_type=None)
        keys: dict[str, SigningKey] = {}
        for jwk in jwks.get("keys", []):
            if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str):
                try:
                    public_key = jwt.PyJWK(jwk, algorithm="RS256").key
                except jwt.PyJWTError:
                    continue  # not an RSA key: cannot sign a channel token
                endorsements = jwk.get("endorsements") or ()
                keys[jwk["kid"]] = SigningKey(public_key, tuple(map(str, endorsements)))
        return keys

    async def warm(self) -> None:
        try:
            await self._refresh(KEYS_MAX_AGE)
        except Exception as error:  # the bot still works; the first request will fetch them
            log.warning("could not prefetch signing keys: %s", type(error).__name__)


def metadata_url(settings: Settings) -> str:
    configured = settings.sdk.get("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL")
    if configured:
        return configured
    if settings.sdk.get("CHANNEL_SERVICE") == GOVERNMENT_CHANNEL_SERVICE:
        return GOVERNMENT_METADATA_URL
    return PUBLIC_METADATA_URL


class ChannelTokens:
    """Checks the token on an activity from the channel: Bearer scheme, the channel's `iss`
    (before the body is read, and again once verified), a known signing key endorsed for the
    activity's channel, RS256 signature, exp/nbf with 5 minutes' leeway, no skill token,
    `aud` = our app id, `serviceurl` = the activity's serviceUrl. Local mode checks nothing."""

    def __init__(self, settings: Settings) -> None:
        self._local = settings.local_mode
        self._app_id = settings.app_id
        self._issuer = settings.channel_token_issuer
        self.keys = ChannelSigningKeys(metadata_url(settings))
        self._validated: dict[tuple[str, str, str], tuple[dict[str, Any], float]] = {}

    def from_channel_issuer(self, auth_header: str) -> bool:
        return self._local or _unverified(auth_header, 1).get("iss") == self._issuer

    async def authenticate(
        self, auth_header: str, service_url: str, channel_id: str
    ) -> dict[str, Any]:
        """The verified claims ({} in local mode); TokenRefused or a jwt error if refused."""
        if self._local:
            return {}
        key = (auth_header, service_url, channel_id)
        cached = self._validated.get(key)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        claims = await self._verify(auth_header, service_url, channel_id)
        expires = claims.get("exp")
        if isinstance(expires, int | float):
            self._validated[key] = (claims, min(float(expires), time.time() + VALIDATION_TTL))
            while len(self._validated) > VALIDATION_CACHE_SIZE:
                self._validated.pop(next(iter(self._validated)))
        return claims

    async def _verify(self, auth_header: str, service_url: str, channel_id: str) -> dict[str, Any]:
        parts = auth_header.split(" ")
        if len(parts) != 2 or parts[0] != "Bearer" or not parts[1]:
            raise TokenRefused("no Bearer token")
        token = parts[1]
        kid = _unverified(auth_header, 0).get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRefused("token names no signing key")
        signing_key = await self.keys.get(kid)
        if signing_key.endorsements and channel_id not in signing_key.endorsements:
            raise TokenRefused("signing key not endorsed for this channel")
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key.public_key,
            algorithms=CHANNEL_TOKEN_ALGORITHMS,
            leeway=CLOCK_LEEWAY,
            options={"verify_aud": False, "verify_exp": True},
        )
        if claims.get("iss") != self._issuer:
            raise TokenRefused("token not issued by the channel")
        if _is_skill_claim(claims):
            raise TokenRefused("skill tokens are not accepted")
        if not self._app_id or claims.get("aud") != self._app_id:
            raise TokenRefused("token not meant for this bot")
        if not service_url or claims.get("serviceurl") != service_url:
            raise TokenRefused("token not bound to this service URL")
        return claims


def _unverified(auth_header: str, part: int) -> dict[str, Any]:
    """Header (0) or payload (1) of a 'Bearer <JWT>' header, signature not checked: only to
    refuse early and to choose the key that must then verify the token."""
    scheme, _, token = (auth_header or "").partition(" ")
    parts = token.split(".")
    if scheme != "Bearer" or len(parts) != 3:
        return {}
    segment = parts[part]
    try:
        values = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except Exception:  # malformed in any way (binascii, UnicodeDecode, JSON, RecursionError)
        return {}
    return values if isinstance(values, dict) else {}


def _is_skill_claim(claims: dict[str, Any]) -> bool:
    if VERSION_CLAIM not in claims:
        return False
    if claims.get("appid") == ANONYMOUS_SKILL_APP_ID:
        return True
    audience = claims.get("aud")
    if not audience or audience == "https://api.botframework.com":
        return False
    app_id = claims.get("appid") if claims.get(VERSION_CLAIM) == "1.0" else claims.get("azp")
    return bool(app_id) and app_id != audience
