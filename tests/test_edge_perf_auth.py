"""A new channel token is checked in one decode against keys parsed once (bot/auth.py), with
every check of the SDK's channel path: what the SDK refuses is refused, what it accepts is
accepted with the same claims, audience and caller id — and the SDK is not asked."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import bot.auth
from bot.auth import CachingAuthentication, channel_token_rules
from bot.hosts.botbuilder import _auth_activity
from bot.settings import Settings
from tests.e2e import settings_for
from tests.standin import NEGATIVE_TOKEN_KINDS, StandIn

SERVICE_URL_KEYS = ("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER")


def settings(standin: StandIn, **overrides: str) -> Settings:
    return settings_for(standin, "sqlite+aiosqlite:///:memory:", 9, **overrides)


def public_cloud(standin: StandIn) -> Settings:
    """Settings without any TO_* key: the SDK's public-cloud authentication."""
    return dataclasses.replace(settings(standin), sdk={})


def sdk_only(settings: Settings) -> CachingAuthentication:
    """Authentication as before the fast path: the SDK's own validation, then our checks."""
    auth = CachingAuthentication(settings)
    auth._rules = auth._keys = None
    return auth


@pytest.fixture
def auth(standin: StandIn) -> Iterator[CachingAuthentication]:
    """Our authentication, the SDK's validation unusable; the fetched signing keys (shared by
    every test of the session) as they were afterwards."""
    auth = fast_only(CachingAuthentication(settings(standin)))
    assert auth._keys is not None
    metadata = auth._keys._metadata
    keys, fetched = metadata.keys, metadata.last_updated
    try:
        yield auth
    finally:
        metadata.keys, metadata.last_updated = keys, fetched


def fast_only(auth: CachingAuthentication) -> CachingAuthentication:
    async def never(*args: Any) -> Any:
        raise AssertionError("the SDK's validation was used")

    auth._inner.authenticate_request = never  # type: ignore[method-assign]
    return auth


def body(standin: StandIn, **changes: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channelId": "msteams",
        "serviceUrl": standin.service_url,
        "recipient": {"id": f"28:{standin.app_id}"},
        **changes,
    }


def token(standin: StandIn, **claims: Any) -> str:
    extra = {"jti": uuid.uuid4().hex, **claims.pop("extra_claims", {})}
    return str(standin.mint_channel_token(extra_claims=extra, **claims))


def signed(standin: StandIn, header: dict[str, Any]) -> str:
    """A channel token with this header, signed with the channel's key (PyJWT would not write
    every header)."""
    claims = jwt.decode(token(standin), options={"verify_signature": False})
    parts = [
        base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
        for value in (header, claims)
    ]
    signature = standin._channel_key.sign(
        ".".join(parts).encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return ".".join([*parts, base64.urlsafe_b64encode(signature).decode().rstrip("=")])


async def outcome(auth: CachingAuthentication, header: str, activity: dict[str, Any]) -> Any:
    """('ok', claims, audience, caller id) or ('refused', exception type)."""
    try:
        result = await auth.authenticate_request(_auth_activity(activity), header)
    except Exception as error:
        return ("refused", type(error).__name__)
    return ("ok", result.claims_identity.claims, result.audience, result.caller_id)


def cases(standin: StandIn) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, Authorization header, activity) — good and bad, as Teams or an attacker sends."""
    now = int(time.time())
    good = body(standin)
    result = [
        (kind, f"Bearer {standin.mint_bad_channel_token(kind)}", good)
        for kind in NEGATIVE_TOKEN_KINDS
    ]
    result += [
        ("valid", f"Bearer {token(standin)}", good),
        ("expired within the leeway", f"Bearer {token(standin, expires_in=-120)}", good),
        ("expired beyond the leeway", f"Bearer {token(standin, expires_in=-400)}", good),
        ("nbf within the leeway", f"Bearer {token(standin, not_before=now + 120)}", good),
        ("nbf beyond the leeway", f"Bearer {token(standin, not_before=now + 400)}", good),
        ("iat in the future", f"Bearer {token(standin, extra_claims={'iat': now + 900})}", good),
        ("no serviceurl claim", f"Bearer {token(standin, omit_claims=['serviceurl'])}", good),
        ("no aud", f"Bearer {token(standin, omit_claims=['aud'])}", good),
        ("aud as a list", f"Bearer {token(standin, audience=[standin.app_id])}", good),
        ("no exp", f"Bearer {token(standin, omit_claims=['exp'])}", good),
        ("RS384", f"Bearer {token(standin, alg='RS384')}", good),
        ("empty kid", f"Bearer {token(standin, kid='')}", good),
        ("kid not a string", f"Bearer {signed(standin, {'alg': 'RS256', 'kid': 7})}", good),
        (
            "skill token with the channel's issuer",
            f"Bearer {token(standin, extra_claims={'ver': '1.0', 'appid': 'ander-app'})}",
            good,
        ),
        ("lower-case scheme", f"bearer {token(standin)}", good),
        ("two spaces", f"Bearer  {token(standin)}", good),
        ("trailing part", f"Bearer {token(standin)} x", good),
    ]
    webchat, skype = body(standin, channelId="webchat"), body(standin, channelId="skype")
    unendorsed = f"Bearer {standin.mint_bad_channel_token('unendorsed')}"
    elsewhere = body(standin, serviceUrl=standin.alias_service_url)
    result += [
        ("webchat channel (key endorsed for it)", f"Bearer {token(standin)}", webchat),
        ("unendorsed key, webchat", unendorsed, webchat),
        ("channel the key is not endorsed for", f"Bearer {token(standin)}", skype),
        ("other serviceUrl", f"Bearer {token(standin)}", elsewhere),
    ]
    return result


ACCEPTED = {
    "valid",
    "no exp",  # as the SDK (PyJWT does not require it); not remembered as validated
    "expired within the leeway",
    "nbf within the leeway",
    "webchat channel (key endorsed for it)",
    "unendorsed key, webchat",
}


async def test_the_fast_path_refuses_and_accepts_what_the_sdk_does(
    standin: StandIn, auth: CachingAuthentication
) -> None:
    reference = sdk_only(settings(standin))
    for name, header, activity in cases(standin):
        fast, sdk = (
            await outcome(auth, header, activity),
            await outcome(reference, header, activity),
        )
        assert fast[0] == sdk[0], (name, fast[:2], sdk[:2])
        assert (fast[0] == "ok") == (name in ACCEPTED), name
        if fast[0] == "ok":
            assert fast == sdk, name  # claims, audience, caller id


async def test_public_cloud_rules_are_the_sdks(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK's public-cloud path, pointed at the stand-in's keys by its own class attribute.
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", standin.openid_metadata_url)
    fast = fast_only(CachingAuthentication(public_cloud(standin)))
    reference = sdk_only(public_cloud(standin))
    for name, header, activity in cases(standin):
        ours, sdk = (
            await outcome(fast, header, activity),
            await outcome(reference, header, activity),
        )
        assert ours == sdk if ours[0] == "ok" else ours[0] == sdk[0], name
    ok = await outcome(fast, f"Bearer {token(standin)}", body(standin))
    assert ok[0] == "ok" and ok[3] == "urn:botframework:azure"


def test_rules_follow_the_sdks_choice_of_cloud(standin: StandIn) -> None:
    parameterized = channel_token_rules(settings(standin))
    assert parameterized is not None
    assert parameterized.metadata_url == standin.openid_metadata_url
    assert parameterized.issuer == "https://api.botframework.com"
    assert parameterized.caller_id is None

    public = channel_token_rules(public_cloud(standin))
    assert public is not None and public.issuer == "https://api.botframework.com"
    assert public.metadata_url.startswith("https://login.botframework.com/")

    gov_settings = dataclasses.replace(
        public_cloud(standin), sdk={"CHANNEL_SERVICE": "https://botframework.azure.us"}
    )
    gov = channel_token_rules(gov_settings)
    assert gov is not None and gov.issuer == "https://api.botframework.us"
    assert gov.metadata_url.startswith("https://login.botframework.azure.us/")
    for configured in (gov_settings, public_cloud(standin), settings(standin)):
        sdk_auth = CachingAuthentication(configured)._inner._inner  # type: ignore[attr-defined]
        assert channel_token_rules(configured).caller_id == sdk_auth._caller_id  # type: ignore[union-attr]

    # Parameterized without a key URL or issuer: the SDK's own path judges (and refuses).
    for key in SERVICE_URL_KEYS:
        partial = dict(settings(standin).sdk)
        del partial[key]
        assert channel_token_rules(dataclasses.replace(settings(standin), sdk=partial)) is None
    local = Settings.from_env({"LOCAL_MODE": "1"})
    assert channel_token_rules(local) is None


async def test_signing_keys_are_parsed_once_and_fetched_as_the_sdk_would(
    standin: StandIn, auth: CachingAuthentication, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Any] = []
    original = bot.auth.RSAAlgorithm.from_jwk

    def counting(jwk: Any) -> Any:
        parsed.append(jwk)
        return original(jwk)

    monkeypatch.setattr(bot.auth.RSAAlgorithm, "from_jwk", staticmethod(counting))
    assert auth._keys is not None
    metadata = auth._keys._metadata
    await bot.auth.warm_signing_keys(settings(standin))
    fetched = metadata.last_updated
    for _ in range(3):
        assert (await outcome(auth, f"Bearer {token(standin)}", body(standin)))[0] == "ok"
    assert len(parsed) == 1 and metadata.last_updated == fetched

    # An unknown key id: the keys are fetched again at most once an hour, then refused.
    unknown = f"Bearer {standin.mint_bad_channel_token('unknown_kid')}"
    assert (await outcome(auth, unknown, body(standin)))[0] == "refused"
    assert metadata.last_updated == fetched
    metadata.last_updated = dt.datetime.now() - dt.timedelta(hours=2)
    assert (await outcome(auth, unknown, body(standin)))[0] == "refused"
    assert metadata.last_updated > fetched
    refetched = metadata.last_updated
    assert (await outcome(auth, unknown, body(standin)))[0] == "refused"
    assert metadata.last_updated == refetched

    # A key no longer in the fetched set is no longer accepted, however often it was used.
    metadata.keys = [k for k in metadata.keys if not k["kid"].startswith("standin-channel-")]
    assert (await outcome(auth, f"Bearer {token(standin)}", body(standin)))[0] == "refused"


async def test_keys_older_than_a_day_are_fetched_again(
    standin: StandIn, auth: CachingAuthentication
) -> None:
    assert auth._keys is not None
    metadata = auth._keys._metadata
    metadata.keys, metadata.last_updated = [], dt.datetime.now() - dt.timedelta(days=2)
    assert (await outcome(auth, f"Bearer {token(standin)}", body(standin)))[0] == "ok"
    assert metadata.keys and metadata.last_updated > dt.datetime.now() - dt.timedelta(minutes=1)
