"""Loopback stand-in for Microsoft Entra ID and the Bot Framework channel/Connector.

End-to-end tests run the real botbuilder ``CloudAdapter`` with authentication ON against
:class:`StandIn`, wired in only through the SDK's own configuration keys. Verified against
botbuilder/botframework-connector 4.17.1, msal 1.39, PyJWT 2.15, msrest 0.7.1.

What it serves (one aiohttp app, TLS from a trustme test CA, ``127.0.0.1``, free port, in a
background thread with its own event loop — the SDK fetches OpenID metadata and MSAL fetches
tokens with *blocking* ``requests`` calls on the bot's event loop, so a stand-in on that same
loop would deadlock):

* channel -> bot: OpenID metadata + JWKS (RSA key with ``endorsements`` incl. ``msteams``);
  :meth:`StandIn.mint_channel_token` signs what Teams would send in ``Authorization``;
* bot -> channel token authority (Entra-like): ``/{tenant}/v2.0/.well-known/openid-configuration``,
  ``/{tenant}/oauth2/v2.0/token`` (client credentials; Entra-style 400/401 JSON errors) and
  ``/{tenant}/discovery/v2.0/keys``; tenants: the configured one and ``botframework.com``;
* Bot Connector v3 under :attr:`StandIn.service_url` (``https://127.0.0.1:PORT/teams/``):
  create conversation, send, reply, update, delete, members, pagedmembers (``pageSize`` and
  ``continuationToken`` as Teams pages them), member (by id or object id). Every call is recorded
  (:class:`RecordedCall`) with ``authorized`` = carried a valid token from the stand-in's
  token endpoint (``aud`` https://api.botframework.com, ``appid`` = bot). Calls without one
  get 401 like the real service (``enforce_connector_auth``). ``fail_next()`` answers 429 +
  ``Retry-After`` (or any status) for the next N calls.

Bot configuration
-----------------
``StandIn.settings()`` / ``StandIn.config_object()`` give, with the stand-in's values:

==========================================  ===============================================
``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL``  ``{https_base}/{nonce}/botframework/v1/...``
``TO_BOT_FROM_CHANNEL_TOKEN_ISSUER``         ``https://api.botframework.com`` (what Teams uses)
``TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL`` ``{https_base}/{nonce}/emulator/...`` (empty key set)
``TO_CHANNEL_FROM_BOT_LOGIN_URL``            ``{https_base}/{tenant}`` — the MSAL *authority*
``TO_CHANNEL_FROM_BOT_OAUTH_SCOPE``          ``https://api.botframework.com``
``ALLOWED_SERVICE_URL_HOSTS``                ``127.0.0.1`` (the bot calls only allowed hosts)
``APP_ID`` / ``MicrosoftAppId``              bot app id (``aud`` of channel tokens, MSAL client id)
``APP_PASSWORD`` / ``MicrosoftAppPassword``  client secret the token endpoint checks
``APP_TYPE`` / ``MicrosoftAppType``          ``SingleTenant``
``APP_TENANTID`` / ``MicrosoftAppTenantId``  tenant id (also the authority's tenant segment)
==========================================  ===============================================

* ``ConfigurationBotFrameworkAuthentication(config, credentials_factory=...)`` reads these with
  ``getattr`` under the ``TO_*`` names and — via ``ConfigurationServiceClientCredentialFactory`` —
  ``APP_ID``/``APP_PASSWORD``/``APP_TYPE``/``APP_TENANTID``. ``MicrosoftApp*`` are only the
  conventional env-var names a ``config.py`` maps onto those attributes.
* Any ``TO_*`` key switches the SDK to ``_ParameterizedBotFrameworkAuthentication``;
  ``CHANNEL_SERVICE`` is then ignored and not needed. Set
  ``TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL`` too: without it an emulator/skill-shaped
  token makes the SDK call ``requests.get(None)``.
* ``VALIDATE_AUTHORITY`` is stored by the SDK but never reaches MSAL.
* The ``serviceurl`` claim must equal ``activity.serviceUrl`` *as a string* (trailing ``/``
  included); mint tokens with ``service_url=activity.service_url``.
* Emulator-issuer tokens (:meth:`StandIn.mint_emulator_token`) are checked by the SDK against
  ``TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL`` and never against the serviceUrl. Point that key
  at :attr:`StandIn.emulator_keys_openid_metadata_url` to have the SDK accept them.
  :attr:`StandIn.alias_service_url` is the same Connector as ``https://localhost:PORT/teams/``:
  off the allow-list, yet its calls are recorded.

MSAL pitfall and the credentials factory
----------------------------------------
With a non-Microsoft ``TO_CHANNEL_FROM_BOT_LOGIN_URL`` the SDK's
``PasswordServiceClientCredentialFactory`` makes ``_PrivateCloudAppCredentials`` whose MSAL app is
``ConfidentialClientApplication(client_id, client_credential, authority=<login url as is>)``.
MSAL then (1) requires an ``https`` authority with a tenant path segment and (2) for a host it
doesn't know performs *instance discovery* against
``https://login.microsoftonline.com/common/discovery/instance`` — offline that fails (and in
production it would leak the private authority). Use
:class:`InstanceDiscoveryOffCredentialFactory` (``tests/standin/credentials.py``), which builds
the MSAL app with ``instance_discovery=False`` and keeps one app per authority so MSAL's token
cache survives across turns (the SDK creates fresh credentials, hence a fresh MSAL app and a
fresh token request, on every turn)::

    factory = InstanceDiscoveryOffCredentialFactory.from_configuration(config)
    auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory)
    adapter = CloudAdapter(auth)

Trusting the test CA (process environment)
------------------------------------------
* ``REQUESTS_CA_BUNDLE`` = :attr:`StandIn.ca_bundle_path` — **required**. Everything that talks
  to the stand-in uses ``requests``: the SDK's OpenID metadata/JWKS refresh (``requests.get``
  without ``verify``), MSAL (``requests.Session``), and the Connector client: msrest's default
  async pipeline (``ConnectorClient`` from ``botframework.connector.aio`` and the CloudAdapter's
  ``AsyncBfPipeline``) sends with ``requests`` in a thread executor, *not* aiohttp. That is why
  :attr:`StandIn.service_url` can be HTTPS like real Teams. The env var is read per request, so
  setting it in a fixture (``monkeypatch.setenv``) is enough. The bundle also contains the
  normal system roots.
* ``SSL_CERT_FILE`` — only for code using stdlib-default SSL contexts (aiohttp client, httpx,
  urllib). aiohttp >= 3.10 builds its default verified context **at import time**, so for
  aiohttp clients either pass ``ssl=standin.client_ssl_context()`` or have ``SSL_CERT_FILE`` in
  the environment before ``aiohttp`` is imported. The SDK paths above don't need it.
* No proxy variables may route ``127.0.0.1`` elsewhere (``requests`` honours ``HTTPS_PROXY``;
  add ``NO_PROXY=127.0.0.1,localhost`` where one is set).

SDK quirks found (4.17.1)
-------------------------
* Rejections are not all ``PermissionError`` (the only type ``CloudAdapter.process`` turns into
  401): expired -> ``jwt.ExpiredSignatureError``; nbf in the future ->
  ``jwt.ImmatureSignatureError``; bad signature -> ``jwt.InvalidSignatureError``; unknown
  ``kid`` -> ``IndexError``; ``alg: none``/HS256 -> bare ``Exception``; key lacking the
  channel endorsement -> bare ``Exception``; empty ``Authorization`` (what CloudAdapter passes
  when the header is absent!) or ``"Bearer"`` without token -> ``AttributeError``;
  emulator/skill-shaped tokens vs. an empty key set -> ``AttributeError``. Wrong ``aud``,
  wrong ``iss``, ``serviceurl`` mismatch, non-Bearer scheme, header ``None`` ->
  ``PermissionError``.
* Only ``RS256`` actually verifies (``RS384``/``RS512`` are "allowed" but ``jwt.decode`` is
  called with ``algorithms=["RS256"]``); clock leeway is 300 s; ``aud`` is checked by hand.
* OpenID metadata is cached per URL in the class-level ``JwtTokenExtractor.metadataCache`` for
  a day (a missing ``kid`` triggers a refresh at most hourly, else ``IndexError``). Each
  :class:`StandIn` therefore puts a random nonce in its metadata URL.
* A token with a ``ver`` claim and ``appid``/``azp`` != ``aud`` is treated as a *skill* token;
  channel tokens must not carry ``ver``.
* Outgoing token failures raise ``PermissionError`` from inside the turn — CloudAdapter then
  answers the *inbound* request with 401.
* msrest does not retry 429 (it raises ``ErrorResponseException``; ``.response.status_code``
  and ``.response.headers["Retry-After"]`` are available); back-off is the bot's job.
"""

from .activities import TEAMS_CONVERSATION_ID, activity_json, teams_message_activity
from .credentials import InstanceDiscoveryOffCredentialFactory, MsalAppCredentials
from .server import (
    BOT_FRAMEWORK_ISSUER,
    BOT_FRAMEWORK_SCOPE,
    DEFAULT_ENDORSEMENTS,
    EMULATOR_V1_ISSUER,
    EMULATOR_V2_ISSUER,
    NEGATIVE_TOKEN_KINDS,
    RecordedCall,
    StandIn,
    TokenRequest,
)

__all__ = [
    "BOT_FRAMEWORK_ISSUER",
    "BOT_FRAMEWORK_SCOPE",
    "DEFAULT_ENDORSEMENTS",
    "EMULATOR_V1_ISSUER",
    "EMULATOR_V2_ISSUER",
    "NEGATIVE_TOKEN_KINDS",
    "TEAMS_CONVERSATION_ID",
    "InstanceDiscoveryOffCredentialFactory",
    "MsalAppCredentials",
    "RecordedCall",
    "StandIn",
    "TokenRequest",
    "activity_json",
    "teams_message_activity",
]
