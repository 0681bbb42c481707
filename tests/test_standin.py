"""The stand-in works with the real botbuilder auth stack (authentication ON, loopback only)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import jwt
import msal
import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticateRequestResult
from botframework.connector.models import ErrorResponseException

from tests.standin import (
    NEGATIVE_TOKEN_KINDS,
    InstanceDiscoveryOffCredentialFactory,
    StandIn,
    activity_json,
    teams_message_activity,
)
from tests.standin.activities import TEAMS_CONVERSATION_ID
from tests.standin.fixtures import *  # noqa: F403

BF_SCOPE = "https://api.botframework.com"


def _activity(standin: StandIn, **kwargs: Any) -> Activity:
    return teams_message_activity(
        standin.service_url, app_id=standin.app_id, tenant_id=standin.tenant_id, **kwargs
    )


async def _authenticate(
    auth: ConfigurationBotFrameworkAuthentication, standin: StandIn
) -> AuthenticateRequestResult:
    return await auth.authenticate_request(
        _activity(standin), "Bearer " + standin.mint_channel_token()
    )


async def _connector(
    auth: ConfigurationBotFrameworkAuthentication, standin: StandIn
) -> ConnectorClient:
    result = await _authenticate(auth, standin)
    return await result.connector_factory.create(standin.service_url, result.audience)


# ------------------------------------------------------------------ channel -> bot


async def test_valid_channel_token_is_accepted(standin, standin_auth) -> None:
    activity = _activity(standin)
    token = standin.mint_channel_token(service_url=activity.service_url)

    result = await standin_auth.authenticate_request(activity, "Bearer " + token)

    identity = result.claims_identity
    assert identity.is_authenticated
    assert identity.get_claim_value("aud") == standin.app_id
    assert identity.get_claim_value("iss") == "https://api.botframework.com"
    assert identity.get_claim_value("serviceurl") == standin.service_url
    assert result.audience == BF_SCOPE
    assert result.caller_id is None
    assert result.connector_factory is not None


# Exact exception types raised by the SDK (botframework-connector 4.17.1, parameterized auth);
# CloudAdapter.process only turns PermissionError into 401, everything else escapes.
NEGATIVE_EXPECTED: dict[str, type[BaseException]] = {
    "expired": jwt.ExpiredSignatureError,
    "not_yet_valid": jwt.ImmatureSignatureError,
    "wrong_audience": PermissionError,
    "wrong_issuer": PermissionError,
    "wrong_service_url": PermissionError,
    "unknown_kid": IndexError,
    "alg_none": Exception,  # bare Exception("Token signing algorithm not in allowed list")
    "hs256": Exception,  # same
    "unendorsed": Exception,  # bare Exception("Could not validate endorsement key")
    "tampered": jwt.InvalidSignatureError,
}


def test_every_negative_kind_is_covered() -> None:
    assert set(NEGATIVE_EXPECTED) == set(NEGATIVE_TOKEN_KINDS)


@pytest.mark.parametrize("kind", NEGATIVE_TOKEN_KINDS)
async def test_bad_channel_token_is_rejected(standin, standin_auth, kind: str) -> None:
    token = standin.mint_bad_channel_token(kind)
    with pytest.raises(Exception) as exc_info:
        await standin_auth.authenticate_request(_activity(standin), "Bearer " + token)
    assert exc_info.type is NEGATIVE_EXPECTED[kind], repr(exc_info.value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, PermissionError),
        # CloudAdapter passes "" when the Authorization header is absent: with parameterized
        # (TO_* keys) auth that crashes with AttributeError instead of PermissionError.
        ("", AttributeError),
        ("Bearer", AttributeError),
        ("Basic dXNlcjpwdw==", PermissionError),
    ],
)
async def test_missing_or_malformed_header_is_rejected(
    standin, standin_auth, header: str | None, expected: type[BaseException]
) -> None:
    with pytest.raises(Exception) as exc_info:
        await standin_auth.authenticate_request(_activity(standin), header)
    assert exc_info.type is expected, repr(exc_info.value)


async def test_token_only_valid_for_endorsed_channel(standin, standin_auth) -> None:
    activity = _activity(standin)
    activity.channel_id = "slack"  # not among the key's endorsements
    with pytest.raises(Exception, match="endorsement") as exc_info:
        await standin_auth.authenticate_request(activity, "Bearer " + standin.mint_channel_token())
    assert exc_info.type is Exception


EMULATOR_V1_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
EMULATOR_V2_ISSUER = "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"


@pytest.mark.parametrize(
    ("issuer", "claims", "expected"),
    [
        # Emulator issuer -> validated against TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL, whose
        # key set is empty: _OpenIdMetadata._find() returns None -> AttributeError.
        (EMULATOR_V1_ISSUER, {"ver": "1.0", "appid": "x"}, AttributeError),
        # Skill-shaped (ver + azp != aud) with a Microsoft issuer: same metadata, same crash.
        (EMULATOR_V2_ISSUER, {"ver": "2.0", "azp": "other-app"}, AttributeError),
        # Skill-shaped with the channel issuer: not an allowed skill issuer -> PermissionError.
        (None, {"ver": "2.0", "azp": "other-app"}, PermissionError),
    ],
)
async def test_emulator_and_skill_shaped_tokens_are_rejected(
    standin, standin_auth, issuer: str | None, claims: dict, expected: type[BaseException]
) -> None:
    token = standin.mint_channel_token(issuer=issuer, extra_claims=claims)
    with pytest.raises(Exception) as exc_info:
        await standin_auth.authenticate_request(_activity(standin), "Bearer " + token)
    assert exc_info.type is expected, repr(exc_info.value)


# ------------------------------------------------------------------ bot -> connector


async def test_send_to_conversation_reaches_standin_authorized(standin, standin_auth) -> None:
    connector = await _connector(standin_auth, standin)

    response = await connector.conversations.send_to_conversation(
        TEAMS_CONVERSATION_ID, Activity(type="message", text="hoi")
    )

    call = await standin.wait_for(operation="send_to_conversation")
    assert call.authorized, call.auth_error
    assert call.status == 201
    assert call.conversation_id == TEAMS_CONVERSATION_ID  # ':', '@', ';' survive quoting
    assert call.path.startswith("/teams/v3/conversations/")
    assert call.text == "hoi"
    assert response.id == call.response_id
    assert call.token_claims is not None and call.token_claims["aud"] == BF_SCOPE

    [token_request] = standin.token_requests
    assert token_request.ok
    assert token_request.client_id == standin.app_id
    assert token_request.scope == BF_SCOPE + "/.default"
    assert token_request.tenant == standin.tenant_id


async def test_reply_update_delete_create_and_members(standin, standin_auth) -> None:
    connector = await _connector(standin_auth, standin)
    conversations = connector.conversations

    reply = await conversations.reply_to_activity(
        TEAMS_CONVERSATION_ID, "1700000000000", Activity(type="message", text="antwoord")
    )
    updated = await conversations.update_activity(
        TEAMS_CONVERSATION_ID, reply.id, Activity(type="message", id=reply.id, text="bijgewerkt")
    )
    await conversations.delete_activity(TEAMS_CONVERSATION_ID, reply.id)
    created = await conversations.create_conversation(
        ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=f"28:{standin.app_id}"),
            members=[ChannelAccount(id="29:standin-user")],
            tenant_id=standin.tenant_id,
            activity=Activity(type="message", text="proactief"),
        )
    )
    members = await conversations.get_conversation_members(TEAMS_CONVERSATION_ID)
    member = await conversations.get_conversation_member(TEAMS_CONVERSATION_ID, "29:standin-user")

    ops = [(c.operation, c.authorized, c.status) for c in standin.recorded]
    assert ops == [
        ("reply_to_activity", True, 201),
        ("update_activity", True, 200),
        ("delete_activity", True, 200),
        ("create_conversation", True, 201),
        ("get_conversation_members", True, 200),
        ("get_conversation_member", True, 200),
    ]
    reply_call, update_call, delete_call, create_call = standin.recorded[:4]
    assert reply_call.activity_id == "1700000000000" and reply_call.text == "antwoord"
    assert update_call.activity_id == reply.id and updated.id == reply.id
    assert delete_call.method == "DELETE" and delete_call.activity_id == reply.id
    assert created.id == create_call.response_id and created.activity_id
    assert created.service_url == standin.service_url
    assert create_call.activity is not None and create_call.activity["text"] == "proactief"
    assert [m.id for m in members] == ["29:standin-user"]
    assert member.id == "29:standin-user"
    # One MSAL app per factory -> one token for all six calls.
    assert len(standin.token_requests) == 1


async def test_token_is_cached_across_connector_clients(standin, standin_auth) -> None:
    for text in ("een", "twee"):
        connector = await _connector(standin_auth, standin)
        await connector.conversations.send_to_conversation(
            TEAMS_CONVERSATION_ID, Activity(type="message", text=text)
        )
    assert [c.text for c in standin.calls("send_to_conversation", authorized=True)] == [
        "een",
        "twee",
    ]
    assert len(standin.token_requests) == 1


async def test_wrong_app_password_fails_outgoing_with_permission_error(standin) -> None:
    config = standin.config_object()
    config.APP_PASSWORD = "verkeerd"
    factory = InstanceDiscoveryOffCredentialFactory.from_configuration(config)
    auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory)
    connector = await _connector(auth, standin)  # inbound validation doesn't use the secret

    with pytest.raises(PermissionError, match="invalid_client"):
        await connector.conversations.send_to_conversation(
            TEAMS_CONVERSATION_ID, Activity(type="message", text="hoi")
        )
    assert [(t.ok, t.status, t.error) for t in standin.token_requests] == [
        (False, 401, "invalid_client")
    ]
    assert standin.recorded == []


async def test_throttling_knob_answers_429_with_retry_after(standin, standin_auth) -> None:
    connector = await _connector(standin_auth, standin)
    standin.fail_next(1, status=429, retry_after=2)

    with pytest.raises(ErrorResponseException) as exc_info:
        await connector.conversations.send_to_conversation(
            TEAMS_CONVERSATION_ID, Activity(type="message", text="te snel")
        )
    # msrest does not retry 429 itself: the bot has to back off using Retry-After.
    assert exc_info.value.response.status_code == 429
    assert exc_info.value.response.headers["Retry-After"] == "2"

    ok = await connector.conversations.send_to_conversation(
        TEAMS_CONVERSATION_ID, Activity(type="message", text="nu wel")
    )
    assert ok.id
    assert [(c.status, c.text) for c in standin.recorded] == [(429, "te snel"), (201, "nu wel")]


def test_connector_rejects_calls_without_valid_bot_token(standin) -> None:
    url = f"{standin.service_url}v3/conversations/abc/activities"
    no_token = requests.post(url, json={"type": "message"}, timeout=5)
    channel_token = requests.post(
        url,
        json={"type": "message"},
        headers={"Authorization": "Bearer " + standin.mint_channel_token()},
        timeout=5,
    )
    good = requests.post(
        url,
        json={"type": "message", "text": "direct"},
        headers={"Authorization": "Bearer " + standin.mint_bot_token()},
        timeout=5,
    )
    assert (no_token.status_code, channel_token.status_code, good.status_code) == (401, 401, 201)
    assert [c.authorized for c in standin.recorded] == [False, False, True]
    assert standin.recorded[0].auth_error == "missing Authorization header"


async def test_wait_for_sees_calls_made_concurrently(standin, standin_auth) -> None:
    connector = await _connector(standin_auth, standin)
    standin.connector_delay = 0.05

    async def later() -> None:
        await asyncio.sleep(0.05)
        await connector.conversations.send_to_conversation(
            TEAMS_CONVERSATION_ID, Activity(type="message", text="straks")
        )

    task = asyncio.create_task(later())
    call = await standin.wait_for(lambda c: c.text == "straks", timeout=5)
    await task
    assert call.authorized
    with pytest.raises(TimeoutError):
        await standin.wait_for(operation="delete_activity", timeout=0.1)


# ------------------------------------------------------------------ through CloudAdapter


class _EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


async def _bot_client(auth: ConfigurationBotFrameworkAuthentication) -> TestClient:
    adapter = CloudAdapter(auth)
    bot = _EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.mark.e2e
async def test_cloud_adapter_end_to_end(standin, standin_auth) -> None:
    client = await _bot_client(standin_auth)
    try:
        activity = _activity(standin, text="hallo")
        response = await client.post(
            "/api/messages",
            json=activity_json(activity),
            headers={"Authorization": "Bearer " + standin.mint_channel_token()},
        )
        assert response.status in (200, 201)
        call = await standin.wait_for(operation="reply_to_activity")
    finally:
        await client.close()
    assert call.authorized, call.auth_error
    assert call.text == "echo: hallo"
    assert call.conversation_id == activity.conversation.id
    assert call.activity_id == activity.id
    assert call.body["replyToId"] == activity.id


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("wrong_audience", 401),  # PermissionError -> HTTPUnauthorized
        ("expired", 500),  # jwt.ExpiredSignatureError escapes CloudAdapter.process
        ("no_header", 500),  # CloudAdapter passes "" -> AttributeError escapes
    ],
)
async def test_cloud_adapter_rejections_as_the_sdk_answers_them(
    standin, standin_auth, kind: str, status: int
) -> None:
    """Documents raw SDK behaviour: only PermissionError becomes 401. The bot's handler must
    map every authentication exception to 401 itself."""
    headers = (
        {}
        if kind == "no_header"
        else {"Authorization": "Bearer " + standin.mint_bad_channel_token(kind)}
    )
    client = await _bot_client(standin_auth)
    try:
        response = await client.post(
            "/api/messages", json=activity_json(_activity(standin)), headers=headers
        )
    finally:
        await client.close()
    assert response.status == status
    assert standin.recorded == []


# ------------------------------------------------------------------ token authority / MSAL


def test_msal_against_authority_with_instance_discovery_off(standin) -> None:
    app = msal.ConfidentialClientApplication(
        standin.app_id,
        client_credential=standin.app_password,
        authority=standin.authority,
        instance_discovery=False,
    )
    ok = app.acquire_token_for_client(scopes=[BF_SCOPE + "/.default"])
    assert "access_token" in ok, ok
    assert standin.check_bot_token("Bearer " + ok["access_token"])[0]

    wrong_scope = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    no_default = app.acquire_token_for_client(scopes=[BF_SCOPE])
    assert wrong_scope["error"] == "invalid_resource"
    assert no_default["error"] == "invalid_scope"

    with pytest.raises(ValueError):
        msal.ConfidentialClientApplication(
            standin.app_id,
            client_credential=standin.app_password,
            authority=f"{standin.https_base}/onbekende-tenant",
            instance_discovery=False,
        )


async def test_sdk_stock_factory_would_call_instance_discovery(
    standin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the custom factory exists: the SDK's MSAL app asks login.microsoftonline.com first,
    even with VALIDATE_AUTHORITY=False (the SDK never passes it on to MSAL)."""
    calls: list[str] = []

    class InstanceDiscoveryAttempted(Exception):
        pass

    def fake_instance_discovery(url: str, http_client: Any, endpoint: str, **kw: Any) -> dict:
        calls.append(endpoint)
        raise InstanceDiscoveryAttempted(endpoint)

    monkeypatch.setattr(msal.authority, "_instance_discovery", fake_instance_discovery)
    config = standin.config_object()
    config.VALIDATE_AUTHORITY = False
    stock = ConfigurationServiceClientCredentialFactory(config)
    auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=stock)
    connector = await _connector(auth, standin)

    with pytest.raises(InstanceDiscoveryAttempted):
        await connector.conversations.send_to_conversation(
            TEAMS_CONVERSATION_ID, Activity(type="message", text="hoi")
        )
    assert calls == ["https://login.microsoftonline.com/common/discovery/instance"]
    assert standin.token_requests == []


def test_credentials_factory_authority_mapping() -> None:
    factory = InstanceDiscoveryOffCredentialFactory("app", "pw", "tenant-x")
    assert factory.authority_for("https://127.0.0.1:1234/t1") == "https://127.0.0.1:1234/t1"
    assert (
        factory.authority_for("https://127.0.0.1:1234/t1/oauth2/v2.0/token")
        == "https://127.0.0.1:1234/t1"
    )
    assert (
        factory.authority_for(
            "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
        )
        == "https://login.microsoftonline.com/tenant-x"
    )
    assert (
        InstanceDiscoveryOffCredentialFactory("app", "pw").authority_for(None)
        == "https://login.microsoftonline.com/botframework.com"
    )
    for bad in ("http://127.0.0.1:1234/t1", "https://127.0.0.1:1234"):
        with pytest.raises(ValueError):
            factory.authority_for(bad)


# ------------------------------------------------------------------ lifecycle


async def test_second_instance_has_its_own_keys_and_urls(
    standin, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = StandIn(app_id="22222222-0000-4000-8000-000000000000", tenant_id="t-ander")
    try:
        other.start()
        other.start()  # idempotent
        assert other.https_base != standin.https_base
        assert other.openid_metadata_url != standin.openid_metadata_url
        config = SimpleNamespace(**other.settings())
        auth = ConfigurationBotFrameworkAuthentication(
            config,
            credentials_factory=InstanceDiscoveryOffCredentialFactory.from_configuration(config),
        )
        activity = teams_message_activity(
            other.service_url, app_id=other.app_id, tenant_id=other.tenant_id
        )
        # REQUESTS_CA_BUNDLE points at the first instance's CA; this one has its own.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", other.ca_bundle_path)
        result = await auth.authenticate_request(activity, "Bearer " + other.mint_channel_token())
        assert result.claims_identity.is_authenticated
        # ... and the first instance's key is unknown to the second (kid lookup fails).
        with pytest.raises(IndexError):
            await auth.authenticate_request(
                activity,
                "Bearer "
                + standin.mint_channel_token(service_url=other.service_url, audience=other.app_id),
            )
    finally:
        other.stop()
        other.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = other.https_base
