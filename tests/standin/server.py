"""The stand-in server: Entra ID token authority + Bot Framework channel keys + Bot Connector v3.

See the package docstring (``tests/standin/__init__.py``) for how to wire a bot to it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import secrets
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import jwt
import trustme
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

#: What real Teams puts in ``iss`` of the tokens it sends to a bot (and what the SDK expects).
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
#: Resource/audience of the bot->connector token; the bot asks for ``<this>/.default``.
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com"
#: Endorsements on the channel signing key. The SDK demands that the activity's channelId is
#: one of them (``EndorsementsValidator``), so ``msteams`` must be there for Teams activities.
DEFAULT_ENDORSEMENTS: tuple[str, ...] = ("msteams", "emulator", "webchat", "directline")
#: Tenant that the SDK uses for multi-tenant bots; accepted besides the configured tenant.
DEFAULT_CHANNEL_AUTH_TENANT = "botframework.com"
#: Issuers the SDK routes down its *emulator* path (v1 and v2 tokens of the Bot Framework's
#: Entra tenant), which never compares the token with the activity's serviceUrl.
EMULATOR_V1_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
EMULATOR_V2_ISSUER = "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"

#: ``kind`` values accepted by :meth:`StandIn.mint_bad_channel_token`.
NEGATIVE_TOKEN_KINDS: tuple[str, ...] = (
    "expired",
    "not_yet_valid",
    "wrong_audience",
    "wrong_issuer",
    "wrong_service_url",
    "unknown_kid",
    "alg_none",
    "hs256",
    "unendorsed",
    "tampered",
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str, **extra: Any) -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    assert isinstance(jwk, dict)
    jwk.pop("key_ops", None)
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256", **extra})
    return jwk


@dataclass(frozen=True)
class RecordedCall:
    """One HTTP call that reached the stand-in's Bot Connector (``/teams/v3/...``)."""

    seq: int
    method: str
    path: str
    #: create_conversation | send_to_conversation | reply_to_activity | update_activity |
    #: delete_activity | get_conversation_members | get_paged_members |
    #: get_conversation_member | unknown
    operation: str
    conversation_id: str | None
    activity_id: str | None
    #: Parsed JSON body (``None`` for an empty body; the raw text if it was not JSON).
    body: Any
    #: True iff the Authorization header carried a bot token issued by the stand-in's token
    #: endpoint (signature, issuer, ``aud`` == the Bot Framework scope, ``appid``, not expired).
    authorized: bool
    #: Why ``authorized`` is False (``None`` when authorized).
    auth_error: str | None
    #: HTTP status the stand-in answered with.
    status: int
    #: Id the stand-in returned (new activity / conversation id), if any.
    response_id: str | None
    headers: Mapping[str, str] = field(repr=False)
    token_claims: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def text(self) -> str | None:
        """``body["text"]`` for activity calls (``None`` otherwise)."""
        if isinstance(self.body, dict):
            value = self.body.get("text")
            return value if isinstance(value, str) else None
        return None

    @property
    def activity(self) -> dict[str, Any] | None:
        """The activity sent (the body, or ``body["activity"]`` for create_conversation)."""
        if not isinstance(self.body, dict):
            return None
        if self.operation == "create_conversation":
            inner = self.body.get("activity")
            return inner if isinstance(inner, dict) else None
        return self.body


@dataclass(frozen=True)
class TokenRequest:
    """One request to ``/{tenant}/oauth2/v2.0/token``."""

    tenant: str
    grant_type: str | None
    client_id: str | None
    scope: str | None
    ok: bool
    status: int
    #: Entra-style error code (``invalid_client``, ``invalid_scope`` ...) when not ok.
    error: str | None


@dataclass
class _Failure:
    remaining: int
    status: int
    retry_after: float | None
    operation: str | None


class StandIn:
    """Loopback stand-in for Entra ID + Bot Framework channel auth + Bot Connector.

    Runs an aiohttp app over TLS (trustme CA) on ``127.0.0.1`` in a background thread with its
    own event loop, because the SDK and MSAL make *blocking* ``requests`` calls from the bot's
    event loop. All public methods are safe to call from any thread.
    """

    CONNECTOR_PREFIX = "/teams"

    def __init__(
        self,
        app_id: str = "00000000-0000-4000-8000-00000000b07a",
        app_password: str = "standin-secret",
        tenant_id: str = "00000000-0000-4000-8000-0000000000aa",
        *,
        channel_issuer: str = BOT_FRAMEWORK_ISSUER,
        oauth_scope: str = BOT_FRAMEWORK_SCOPE,
        endorsements: Iterable[str] = DEFAULT_ENDORSEMENTS,
        enforce_connector_auth: bool = True,
        bot_token_lifetime: int = 3599,
    ) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.tenant_id = tenant_id
        self.channel_issuer = channel_issuer
        self.oauth_scope = oauth_scope.rstrip("/")
        self.endorsements = list(endorsements)
        #: Answer 401 (like the real Connector) to calls without a valid bot token.
        self.enforce_connector_auth = enforce_connector_auth
        #: Seconds to sleep before answering each connector call (simulate a slow service).
        self.connector_delay = 0.0
        self.bot_token_lifetime = bot_token_lifetime
        #: Resources (``<resource>/.default``) the token endpoint will issue tokens for.
        self.allowed_resources: set[str] = {self.oauth_scope}
        #: Roster returned by GET .../members (Teams ``TeamsChannelAccount``-shaped dicts).
        self.members: list[dict[str, Any]] = [
            {
                "id": "29:standin-user",
                "name": "Stand-in Gebruiker",
                "aadObjectId": "00000000-0000-4000-8000-00000000a5e1",
                "email": "gebruiker@example.test",
                "userPrincipalName": "gebruiker@example.test",
                "tenantId": tenant_id,
                "userRole": "user",
            }
        ]

        # Unique per instance: the SDK caches OpenID metadata per URL in a class-level dict
        # (JwtTokenExtractor.metadataCache) for a day, so a later StandIn that happens to get
        # the same port must not share the URL.
        self._nonce = secrets.token_hex(6)

        self._channel_kid = f"standin-channel-{self._nonce}"
        self._unendorsed_kid = f"standin-unendorsed-{self._nonce}"
        self._unknown_kid = f"standin-unknown-{self._nonce}"
        self._authority_kid = f"standin-authority-{self._nonce}"
        self._emulator_kid = f"standin-emulator-{self._nonce}"
        self._channel_key = _new_rsa_key()
        self._unendorsed_key = _new_rsa_key()
        self._unknown_key = _new_rsa_key()
        self._authority_key = _new_rsa_key()
        self._emulator_key = _new_rsa_key()

        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []
        self._token_requests: list[TokenRequest] = []
        self._issued_jtis: set[str] = set()
        self._failures: list[_Failure] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)

        self._ca = trustme.CA(organization_name="Casusoverleg stand-in test CA")
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._ca_cert_path: str | None = None
        self._ca_bundle_path: str | None = None

        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> StandIn:
        """Start serving (idempotent). Returns ``self``."""
        if self._thread is not None:
            return self
        self._write_ca_files()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.setblocking(False)
        self._port = sock.getsockname()[1]

        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ctx)

        loop = asyncio.new_event_loop()
        started = threading.Event()
        errors: list[BaseException] = []

        async def _startup() -> None:
            runner = web.AppRunner(self._build_app(), access_log=None, handle_signals=False)
            await runner.setup()
            await web.SockSite(runner, sock, ssl_context=server_ctx).start()
            self._runner = runner

        def _run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(_startup())
            except BaseException as exc:  # pragma: no cover - surfaced in start()
                errors.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=_run, name=f"standin-{self._port}", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("stand-in did not start within 10 s")
        if errors:
            self._thread.join(1)
            self._thread = None
            raise RuntimeError("stand-in failed to start") from errors[0]
        return self

    def stop(self) -> None:
        """Stop serving and remove the CA files (idempotent)."""
        thread, loop, runner = self._thread, self._loop, self._runner
        if thread is not None and loop is not None:
            if runner is not None:
                fut = asyncio.run_coroutine_threadsafe(runner.cleanup(), loop)
                with contextlib.suppress(Exception):
                    fut.result(5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            if not thread.is_alive():
                loop.close()
        self._thread = self._loop = self._runner = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
            self._ca_cert_path = self._ca_bundle_path = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def clear(self) -> None:
        """Forget recorded connector calls and token requests."""
        with self._lock:
            self._calls.clear()
            self._token_requests.clear()

    def reset(self) -> None:
        """``clear()`` plus undo every knob (failures, delay, enforcement, resources)."""
        with self._lock:
            self._calls.clear()
            self._token_requests.clear()
            self._failures.clear()
        self.connector_delay = 0.0
        self.enforce_connector_auth = True
        self.allowed_resources = {self.oauth_scope}

    # ------------------------------------------------------------------ addresses & config

    def _require_started(self) -> int:
        if self._port is None or self._thread is None:
            raise RuntimeError("StandIn is not started; call start() first")
        return self._port

    @property
    def port(self) -> int:
        return self._require_started()

    @property
    def https_base(self) -> str:
        """``https://127.0.0.1:PORT`` (certificate from the stand-in's test CA)."""
        return f"https://127.0.0.1:{self._require_started()}"

    @property
    def service_url(self) -> str:
        """The Bot Connector ``serviceUrl`` (HTTPS, with path and trailing slash like Teams)."""
        return f"{self.https_base}{self.CONNECTOR_PREFIX}/"

    @property
    def openid_metadata_url(self) -> str:
        """Value for ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL``."""
        return f"{self.https_base}/{self._nonce}/botframework/v1/.well-known/openidconfiguration"

    @property
    def emulator_openid_metadata_url(self) -> str:
        """Value for ``TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL`` (an empty key set)."""
        return f"{self.https_base}/{self._nonce}/emulator/v2.0/.well-known/openid-configuration"

    @property
    def emulator_keys_openid_metadata_url(self) -> str:
        """An emulator metadata URL whose key set signs :meth:`mint_emulator_token` tokens.

        Configure it as ``TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL`` to have the SDK's emulator
        path *accept* such tokens, as it would accept real ones against Microsoft's keys.
        (A separate URL: the SDK caches metadata per URL for a day, and the default emulator
        URL must keep serving an empty key set.)"""
        return (
            f"{self.https_base}/{self._nonce}/emulator-keys/v2.0/.well-known/openid-configuration"
        )

    @property
    def alias_service_url(self) -> str:
        """The same Bot Connector under the host name ``localhost`` (also in the certificate):
        a serviceUrl off the tests' allow-list whose calls are still recorded."""
        return f"https://localhost:{self._require_started()}{self.CONNECTOR_PREFIX}/"

    @property
    def jwks_url(self) -> str:
        return f"{self.https_base}/{self._nonce}/botframework/v1/.well-known/keys"

    @property
    def authority(self) -> str:
        """MSAL authority / value for ``TO_CHANNEL_FROM_BOT_LOGIN_URL``: ``https_base/tenant``."""
        return f"{self.https_base}/{self.tenant_id}"

    @property
    def token_endpoint(self) -> str:
        return f"{self.authority}/oauth2/v2.0/token"

    def authority_issuer(self, tenant: str | None = None) -> str:
        return f"{self.https_base}/{tenant or self.tenant_id}/v2.0"

    @property
    def ca_cert_path(self) -> str:
        """PEM with only the stand-in's test CA."""
        self._write_ca_files()
        assert self._ca_cert_path is not None
        return self._ca_cert_path

    @property
    def ca_bundle_path(self) -> str:
        """PEM with the test CA *plus* the system/certifi roots.

        Point ``REQUESTS_CA_BUNDLE`` (and ``SSL_CERT_FILE``) here. Including the usual roots
        keeps other HTTPS code in the same process working.
        """
        self._write_ca_files()
        assert self._ca_bundle_path is not None
        return self._ca_bundle_path

    def client_ssl_context(self) -> ssl.SSLContext:
        """An ``ssl.SSLContext`` trusting the test CA (for aiohttp/httpx clients)."""
        ctx = ssl.create_default_context()
        self._ca.configure_trust(ctx)
        return ctx

    def settings(self) -> dict[str, str]:
        """Bot configuration pointing at the stand-in.

        Keys are the env-var/appsettings names (``MicrosoftAppId``...) and the SDK attribute
        names (``APP_ID``... read by ``ConfigurationServiceClientCredentialFactory``) plus the
        ``TO_*`` keys read by ``ConfigurationBotFrameworkAuthentication``.
        """
        return {
            "MicrosoftAppId": self.app_id,
            "MicrosoftAppPassword": self.app_password,
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppTenantId": self.tenant_id,
            "APP_ID": self.app_id,
            "APP_PASSWORD": self.app_password,
            "APP_TYPE": "SingleTenant",
            "APP_TENANTID": self.tenant_id,
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": self.openid_metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": self.channel_issuer,
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": self.emulator_openid_metadata_url,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": self.authority,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": self.oauth_scope,
            # The bot calls and accepts only allow-listed serviceUrl hosts: the stand-in's.
            "ALLOWED_SERVICE_URL_HOSTS": "127.0.0.1",
        }

    def config_object(self) -> SimpleNamespace:
        """``settings()`` as attributes: the object ``ConfigurationBotFrameworkAuthentication``
        and ``ConfigurationServiceClientCredentialFactory`` read with ``getattr``."""
        return SimpleNamespace(**self.settings())

    def ca_env(self) -> dict[str, str]:
        """Env vars the bot/test *process* needs to trust the stand-in."""
        return {"REQUESTS_CA_BUNDLE": self.ca_bundle_path, "SSL_CERT_FILE": self.ca_bundle_path}

    def _write_ca_files(self) -> None:
        if self._tmpdir is not None:
            return
        self._tmpdir = tempfile.TemporaryDirectory(prefix="standin-ca-")
        ca_pem = self._ca.cert_pem.bytes()
        self._ca_cert_path = os.path.join(self._tmpdir.name, "standin-ca.pem")
        with open(self._ca_cert_path, "wb") as fh:
            fh.write(ca_pem)
        roots = b""
        for candidate in _system_root_bundles():
            with contextlib.suppress(OSError), open(candidate, "rb") as fh:
                roots = fh.read()
                break
        self._ca_bundle_path = os.path.join(self._tmpdir.name, "standin-ca-bundle.pem")
        with open(self._ca_bundle_path, "wb") as fh:
            fh.write(ca_pem + b"\n" + roots)

    # ------------------------------------------------------------------ recorded data

    @property
    def recorded(self) -> list[RecordedCall]:
        """Snapshot (a new list) of the connector calls so far, oldest first."""
        with self._lock:
            return list(self._calls)

    @property
    def token_requests(self) -> list[TokenRequest]:
        """Snapshot of the client-credential requests so far, oldest first."""
        with self._lock:
            return list(self._token_requests)

    def calls(self, operation: str | None = None, **match: Any) -> list[RecordedCall]:
        """Recorded calls filtered by ``operation`` and exact field values."""
        return [c for c in self.recorded if _matches(c, operation, match)]

    async def wait_for(
        self,
        predicate: Callable[[RecordedCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        operation: str | None = None,
        **match: Any,
    ) -> RecordedCall:
        """Wait (without blocking the loop) for the first recorded call that matches."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(predicate, operation, match)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            await asyncio.sleep(0.01)

    def wait_for_sync(
        self,
        predicate: Callable[[RecordedCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        operation: str | None = None,
        **match: Any,
    ) -> RecordedCall:
        """Blocking variant of :meth:`wait_for` (don't call it on the bot's event loop)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(predicate, operation, match)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            time.sleep(0.01)

    def _find(
        self,
        predicate: Callable[[RecordedCall], bool] | None,
        operation: str | None,
        match: dict[str, Any],
    ) -> RecordedCall | None:
        for call in self.recorded:
            if _matches(call, operation, match) and (predicate is None or predicate(call)):
                return call
        return None

    def _timeout_message(self, timeout: float) -> str:
        seen = "; ".join(
            f"{c.method} {c.path} op={c.operation} authorized={c.authorized} status={c.status}"
            for c in self.recorded
        )
        return f"no matching connector call within {timeout}s; recorded: [{seen}]"

    # ------------------------------------------------------------------ knobs

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 429,
        retry_after: float | None = 1,
        operation: str | None = None,
    ) -> None:
        """Answer the next ``count`` connector calls (optionally only of ``operation``) with
        ``status`` (default 429 Too Many Requests) and a ``Retry-After`` header."""
        with self._lock:
            self._failures.append(_Failure(count, status, retry_after, operation))

    def _take_failure(self, operation: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.remaining > 0 and failure.operation in (None, operation):
                    failure.remaining -= 1
                    return failure
            return None

    # ------------------------------------------------------------------ minting

    def mint_channel_token(
        self,
        *,
        service_url: str | None = None,
        audience: str | None = None,
        issuer: str | None = None,
        expires_in: int = 3600,
        not_before: int | None = None,
        kid: str | None = None,
        alg: str = "RS256",
        sign_with_unknown_key: bool = False,
        sign_with_unendorsed_key: bool = False,
        extra_claims: Mapping[str, Any] | None = None,
        omit_claims: Iterable[str] = (),
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """The JWT that the channel (Teams) sends to the bot as ``Authorization: Bearer ...``.

        Claims mirror real Bot Framework channel tokens: ``serviceurl``, ``nbf``, ``exp``,
        ``iss`` (:attr:`channel_issuer`), ``aud`` (the bot's app id). Note: no ``ver``/``appid``
        claims — their presence makes the SDK treat the token as a *skill* token.

        ``alg``: ``RS256`` (default; the only one the SDK really verifies), ``RS384``/``RS512``,
        ``HS256`` (signed with a random secret) or ``none`` (unsigned).
        ``kid``: override the key id in the header (default: the id of the signing key).
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "serviceurl": self.service_url if service_url is None else service_url,
            "nbf": now - 5 if not_before is None else not_before,
            "exp": now + expires_in,
            "iss": self.channel_issuer if issuer is None else issuer,
            "aud": self.app_id if audience is None else audience,
        }
        claims.update(extra_claims or {})
        for name in omit_claims:
            claims.pop(name, None)

        if sign_with_unknown_key:
            key, key_kid = self._unknown_key, self._unknown_kid
        elif sign_with_unendorsed_key:
            key, key_kid = self._unendorsed_key, self._unendorsed_kid
        else:
            key, key_kid = self._channel_key, self._channel_kid
        header: dict[str, Any] = {"kid": key_kid if kid is None else kid}
        header.update(headers or {})

        if alg.lower() == "none":
            head = {"alg": "none", "typ": "JWT", **header}
            return (
                _b64url(json.dumps(head, separators=(",", ":")).encode())
                + "."
                + _b64url(json.dumps(claims, separators=(",", ":")).encode())
                + "."
            )
        if alg.upper().startswith("HS"):
            return jwt.encode(claims, secrets.token_bytes(32), algorithm=alg, headers=header)
        return jwt.encode(claims, key, algorithm=alg, headers=header)

    def mint_bad_channel_token(self, kind: str, *, service_url: str | None = None) -> str:
        """A channel token that the SDK must reject; ``kind`` in :data:`NEGATIVE_TOKEN_KINDS`.

        expired (exp 1 h ago — beyond the SDK's 5 min leeway), not_yet_valid (nbf in 1 h),
        wrong_audience, wrong_issuer (``https://evil.example.test``), wrong_service_url,
        unknown_kid (signed by a key not in the JWKS), alg_none (unsigned, known kid),
        hs256 (HMAC with a random secret, known kid), unendorsed (signed by a JWKS key whose
        endorsements lack ``msteams``), tampered (valid signature over other claims).
        """
        url = self.service_url if service_url is None else service_url
        if kind == "expired":
            return self.mint_channel_token(
                service_url=url, expires_in=-3600, not_before=int(time.time()) - 7200
            )
        if kind == "not_yet_valid":
            return self.mint_channel_token(
                service_url=url, not_before=int(time.time()) + 3600, expires_in=7200
            )
        if kind == "wrong_audience":
            return self.mint_channel_token(
                service_url=url, audience="11111111-2222-4333-8444-555555555555"
            )
        if kind == "wrong_issuer":
            return self.mint_channel_token(service_url=url, issuer="https://evil.example.test")
        if kind == "wrong_service_url":
            return self.mint_channel_token(service_url="https://evil.example.test/teams/")
        if kind == "unknown_kid":
            return self.mint_channel_token(service_url=url, sign_with_unknown_key=True)
        if kind == "alg_none":
            return self.mint_channel_token(service_url=url, alg="none")
        if kind == "hs256":
            return self.mint_channel_token(service_url=url, alg="HS256")
        if kind == "unendorsed":
            return self.mint_channel_token(service_url=url, sign_with_unendorsed_key=True)
        if kind == "tampered":
            good = self.mint_channel_token(service_url=url)
            head, _payload, sig = good.split(".")
            evil = self.mint_channel_token(
                service_url=url, audience=self.app_id, extra_claims={"tampered": True}
            )
            return ".".join((head, evil.split(".")[1], sig))
        raise ValueError(f"unknown kind {kind!r}; expected one of {NEGATIVE_TOKEN_KINDS}")

    def mint_emulator_token(
        self,
        *,
        version: str = "1.0",
        issuer: str | None = None,
        service_url: str | None = None,
        expires_in: int = 3600,
    ) -> str:
        """A token as the Bot Framework Emulator (or an Entra app of the Bot Framework tenant)
        sends: an emulator ``iss``, ``ver``, and the bot's app id in ``appid`` (1.0) or
        ``azp`` (2.0) — so no skill token. Signed with the key served at
        :attr:`emulator_keys_openid_metadata_url`. ``service_url``: a ``serviceurl`` claim
        (the emulator path ignores it)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or (EMULATOR_V2_ISSUER if version == "2.0" else EMULATOR_V1_ISSUER),
            "aud": self.app_id,
            "ver": version,
            "appid" if version == "1.0" else "azp": self.app_id,
            "nbf": now - 5,
            "exp": now + expires_in,
        }
        if service_url is not None:
            claims["serviceurl"] = service_url
        return jwt.encode(
            claims, self._emulator_key, algorithm="RS256", headers={"kid": self._emulator_kid}
        )

    def mint_bot_token(
        self,
        *,
        client_id: str | None = None,
        resource: str | None = None,
        tenant: str | None = None,
        expires_in: int | None = None,
    ) -> str:
        """A bot->connector access token as the token endpoint would issue it."""
        token, _ = self._issue_bot_token(
            client_id or self.app_id,
            resource or self.oauth_scope,
            tenant or self.tenant_id,
            self.bot_token_lifetime if expires_in is None else expires_in,
        )
        return token

    def _issue_bot_token(
        self, client_id: str, resource: str, tenant: str, lifetime: int
    ) -> tuple[str, dict[str, Any]]:
        now = int(time.time())
        jti = uuid.uuid4().hex
        claims = {
            "aud": resource,
            "iss": self.authority_issuer(tenant),
            "iat": now,
            "nbf": now - 5,
            "exp": now + lifetime,
            "appid": client_id,
            "azp": client_id,
            "appidacr": "1",
            "idtyp": "app",
            "tid": self.tenant_id if tenant == DEFAULT_CHANNEL_AUTH_TENANT else tenant,
            "sub": client_id,
            "ver": "2.0",
            "jti": jti,
        }
        token = jwt.encode(
            claims, self._authority_key, algorithm="RS256", headers={"kid": self._authority_kid}
        )
        with self._lock:
            self._issued_jtis.add(jti)
        return token, claims

    def check_bot_token(self, authorization: str | None) -> tuple[bool, str | None, dict | None]:
        """Validate an ``Authorization`` header as the Connector would.

        Returns ``(ok, error, claims)``.
        """
        if not authorization:
            return False, "missing Authorization header", None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False, "not a Bearer token", None
        try:
            claims = jwt.decode(
                token,
                self._authority_key.public_key(),
                algorithms=["RS256"],
                audience=self.oauth_scope,
                options={"require": ["exp", "iss", "aud", "appid", "jti"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            return False, f"{type(exc).__name__}: {exc}", None
        valid_issuers = {
            self.authority_issuer(self.tenant_id),
            self.authority_issuer(DEFAULT_CHANNEL_AUTH_TENANT),
        }
        if claims.get("iss") not in valid_issuers:
            return False, f"unexpected issuer {claims.get('iss')!r}", claims
        if claims.get("appid") != self.app_id:
            return False, f"token is for app {claims.get('appid')!r}", claims
        with self._lock:
            issued = claims.get("jti") in self._issued_jtis
        if not issued:
            return False, "token was not issued by this stand-in", claims
        return True, None, claims

    # ------------------------------------------------------------------ the aiohttp app

    def _build_app(self) -> web.Application:
        app = web.Application()
        r = app.router
        n = self._nonce
        r.add_get(f"/{n}/botframework/v1/.well-known/openidconfiguration", self._h_channel_oidc)
        r.add_get(f"/{n}/botframework/v1/.well-known/keys", self._h_channel_jwks)
        r.add_get(f"/{n}/emulator/v2.0/.well-known/openid-configuration", self._h_emulator_oidc)
        r.add_get(f"/{n}/emulator/discovery/v2.0/keys", self._h_empty_jwks)
        keys = f"/{n}/emulator-keys"
        r.add_get(f"{keys}/v2.0/.well-known/openid-configuration", self._h_emulator_keys_oidc)
        r.add_get(f"{keys}/discovery/v2.0/keys", self._h_emulator_jwks)

        p = self.CONNECTOR_PREFIX
        conv = p + "/v3/conversations/{conversation_id}"
        r.add_post(p + "/v3/conversations", self._h_connector)
        r.add_get(conv + "/members", self._h_connector)
        r.add_get(conv + "/members/{member_id}", self._h_connector)
        r.add_get(conv + "/pagedmembers", self._h_connector)
        r.add_post(conv + "/activities", self._h_connector)
        r.add_post(conv + "/activities/{activity_id}", self._h_connector)
        r.add_put(conv + "/activities/{activity_id}", self._h_connector)
        r.add_delete(conv + "/activities/{activity_id}", self._h_connector)
        r.add_route("*", p + "/{tail:.*}", self._h_connector)

        r.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._h_tenant_oidc)
        r.add_get("/{tenant}/discovery/v2.0/keys", self._h_authority_jwks)
        r.add_post("/{tenant}/oauth2/v2.0/token", self._h_token)
        r.add_route("*", "/{tail:.*}", self._h_not_found)
        return app

    # -- channel -> bot keys

    async def _h_channel_oidc(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.channel_issuer,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _h_channel_jwks(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "keys": [
                    _jwk(self._channel_key, self._channel_kid, endorsements=self.endorsements),
                    _jwk(self._unendorsed_key, self._unendorsed_kid, endorsements=["webchat"]),
                ]
            }
        )

    async def _h_emulator_oidc(self, request: web.Request) -> web.Response:
        base = f"{self.https_base}/{self._nonce}/emulator"
        return web.json_response(
            {"issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys"}
        )

    async def _h_emulator_keys_oidc(self, request: web.Request) -> web.Response:
        base = f"{self.https_base}/{self._nonce}/emulator-keys"
        return web.json_response(
            {"issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys"}
        )

    async def _h_emulator_jwks(self, request: web.Request) -> web.Response:
        # Like Entra ID's keys: no endorsements.
        return web.json_response({"keys": [_jwk(self._emulator_key, self._emulator_kid)]})

    async def _h_empty_jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": []})

    # -- Entra ID authority

    def _known_tenant(self, tenant: str) -> bool:
        return tenant in (self.tenant_id, DEFAULT_CHANNEL_AUTH_TENANT)

    async def _h_tenant_oidc(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if not self._known_tenant(tenant):
            return _entra_error(
                400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.", tenant
            )
        base = f"{self.https_base}/{tenant}"
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": self.authority_issuer(tenant),
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{base}/openid/userinfo",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "azp"],
                "tenant_region_scope": "EU",
            }
        )

    async def _h_authority_jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [_jwk(self._authority_key, self._authority_kid)]})

    async def _h_token(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        form = await request.post()
        grant_type = _form_str(form, "grant_type")
        client_id = _form_str(form, "client_id")
        client_secret = _form_str(form, "client_secret")
        scope = _form_str(form, "scope")
        basic = request.headers.get("Authorization", "")
        if basic.lower().startswith("basic "):
            with contextlib.suppress(ValueError):
                user, _, pw = base64.b64decode(basic[6:]).decode().partition(":")
                client_id, client_secret = client_id or user, client_secret or pw

        def record(ok: bool, status: int, error: str | None) -> None:
            with self._lock:
                self._token_requests.append(
                    TokenRequest(tenant, grant_type, client_id, scope, ok, status, error)
                )

        def fail(status: int, error: str, code: int, message: str) -> web.Response:
            record(False, status, error)
            return _entra_error(status, error, code, message, tenant)

        if not self._known_tenant(tenant):
            return fail(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if grant_type != "client_credentials":
            return fail(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
        if client_id != self.app_id:
            return fail(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory.",
            )
        if not client_secret or not secrets.compare_digest(client_secret, self.app_password):
            return fail(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request "
                f"is the client secret value, not the client secret ID, for a secret added to "
                f"app '{client_id}'.",
            )
        scopes = (scope or "").split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return fail(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).",
            )
        resource = scopes[0][: -len("/.default")]
        if resource not in self.allowed_resources:
            return fail(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{tenant}.",
            )
        token, _ = self._issue_bot_token(client_id, resource, tenant, self.bot_token_lifetime)
        record(True, 200, None)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": self.bot_token_lifetime,
                "ext_expires_in": self.bot_token_lifetime,
                "access_token": token,
            }
        )

    # -- Bot Connector v3

    async def _h_connector(self, request: web.Request) -> web.Response:
        mi = request.match_info
        conversation_id = mi.get("conversation_id")
        activity_id = mi.get("activity_id")
        operation = _operation(request.method, request.path, conversation_id, activity_id)
        raw = await request.text()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        authorized, auth_error, claims = self.check_bot_token(request.headers.get("Authorization"))
        if self.connector_delay:
            await asyncio.sleep(self.connector_delay)

        status = 200
        response_id: str | None = None
        extra_headers: dict[str, str] = {}
        payload: Any
        rejected = not authorized and self.enforce_connector_auth
        failure = None if rejected else self._take_failure(operation)
        if rejected:
            status = 401
            payload = {"message": "Authorization has been denied for this request."}
        elif failure is not None:
            status = failure.status
            if failure.retry_after is not None:
                ra = failure.retry_after
                extra_headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
            payload = {
                "error": {
                    "code": "Throttled" if status == 429 else "ServiceError",
                    "message": "Too many requests" if status == 429 else "Stand-in failure",
                }
            }
        elif operation == "create_conversation":
            response_id = f"a:standin-conv-{next(self._ids)}"
            payload = {"id": response_id, "serviceUrl": self.service_url}
            if isinstance(body, dict) and body.get("activity"):
                payload["activityId"] = f"1{int(time.time() * 1000)}{next(self._ids)}"
            status = 201
        elif operation in ("send_to_conversation", "reply_to_activity"):
            response_id = f"1{int(time.time() * 1000)}{next(self._ids)}"
            payload = {"id": response_id}
            status = 201
        elif operation == "update_activity":
            response_id = activity_id
            payload = {"id": activity_id}
        elif operation == "delete_activity":
            payload = None
        elif operation == "get_conversation_members":
            payload = list(self.members)
        elif operation == "get_paged_members":
            # As Teams: pageSize members from continuationToken on (here: an offset).
            size = int(request.query.get("pageSize") or 200)
            start = int(request.query.get("continuationToken") or 0)
            page = self.members[start : start + max(1, size)]
            payload = {"members": page}
            if start + size < len(self.members):
                payload["continuationToken"] = str(start + size)
        elif operation == "get_conversation_member":
            wanted = mi.get("member_id")
            member = next(
                (m for m in self.members if wanted in (m.get("id"), m.get("aadObjectId"))), None
            )
            if member is None:
                status = 404
                payload = {
                    "error": {
                        "code": "MemberNotFoundInConversation",
                        "message": "The specified user was not found",
                    }
                }
            else:
                payload = member
        else:
            status = 404
            payload = {"error": {"code": "NotFound", "message": f"{request.method} {request.path}"}}

        call = RecordedCall(
            seq=next(self._seq),
            method=request.method,
            path=request.path,
            operation=operation,
            conversation_id=conversation_id,
            activity_id=activity_id,
            body=body,
            authorized=authorized,
            auth_error=auth_error,
            status=status,
            response_id=response_id,
            headers=dict(request.headers),
            token_claims=claims,
        )
        with self._lock:
            self._calls.append(call)
        if payload is None:
            return web.Response(status=status, headers=extra_headers)
        return web.json_response(payload, status=status, headers=extra_headers)

    async def _h_not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"error": "not_found", "error_description": f"{request.method} {request.path}"},
            status=404,
        )


# ---------------------------------------------------------------------- helpers


def _system_root_bundles() -> list[str]:
    candidates = [
        os.environ.get("REQUESTS_CA_BUNDLE", ""),
        os.environ.get("SSL_CERT_FILE", ""),
        ssl.get_default_verify_paths().cafile or "",
    ]
    with contextlib.suppress(ImportError):
        import certifi

        candidates.append(certifi.where())
    return [c for c in candidates if c and os.path.isfile(c) and "standin-ca" not in c]


def _matches(call: RecordedCall, operation: str | None, match: Mapping[str, Any]) -> bool:
    if operation is not None and call.operation != operation:
        return False
    return all(getattr(call, name) == value for name, value in match.items())


def _form_str(form: Mapping[str, Any], name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _operation(method: str, path: str, conversation_id: str | None, activity_id: str | None) -> str:
    tail = path.rstrip("/")
    if method == "POST" and tail.endswith("/v3/conversations"):
        return "create_conversation"
    if conversation_id is not None:
        if tail.endswith("/activities") and method == "POST":
            return "send_to_conversation"
        if activity_id is not None:
            return {
                "POST": "reply_to_activity",
                "PUT": "update_activity",
                "DELETE": "delete_activity",
            }.get(method, "unknown")
        if tail.endswith("/members") and method == "GET":
            return "get_conversation_members"
        if tail.endswith("/pagedmembers") and method == "GET":
            return "get_paged_members"
        if "/members/" in tail and method == "GET":
            return "get_conversation_member"
    return "unknown"


def _entra_error(status: int, error: str, code: int, message: str, tenant: str) -> web.Response:
    trace = str(uuid.uuid4())
    return web.json_response(
        {
            "error": error,
            "error_description": f"AADSTS{code}: {message} Trace ID: {trace} "
            f"Correlation ID: {uuid.uuid4()} Timestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ')}",
            "error_codes": [code],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
            "tenant": tenant,
        },
        status=status,
    )
