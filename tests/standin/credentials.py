"""Reference ``ServiceClientCredentialsFactory`` whose MSAL app has instance discovery off.

Why: the SDK's own factories (``PasswordServiceClientCredentialFactory``, used by
``ConfigurationServiceClientCredentialFactory``) build credentials whose MSAL app is
``ConfidentialClientApplication(client_id, client_credential, authority)``. For an authority on
a host MSAL doesn't know (the stand-in on ``127.0.0.1``, any private cloud) MSAL then calls
``https://login.microsoftonline.com/common/discovery/instance`` before anything else — which
fails offline. ``VALIDATE_AUTHORITY`` in the bot config does *not* help: the SDK stores it on
``_PrivateCloudAppCredentials`` but never passes it to MSAL.

This factory is self-contained and small on purpose; production code can copy it as is.
Differences from the SDK factory besides ``instance_discovery=False``:

* one MSAL app per authority is kept for the factory's lifetime, so MSAL's token cache works
  across turns (the SDK builds a new MSAL app — new OIDC discovery and a new token request —
  for every turn because the CloudAdapter creates new credentials per turn);
* an invalid app id raises ``PermissionError`` (the SDK raises a bare ``Exception``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from botframework.connector.auth import (
    AuthenticationConstants,
    GovernmentConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication

_TOKEN_PATH = "/oauth2/v2.0/token"
_MICROSOFT_LOGIN_PREFIXES = (
    AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,  # public cloud
    GovernmentConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,  # US gov
)


class MsalAppCredentials(MicrosoftAppCredentials):
    """``MicrosoftAppCredentials`` that get tokens from a shared, discovery-free MSAL app."""

    def __init__(
        self,
        app_id: str,
        password: str,
        oauth_scope: str,
        authority: str,
        msal_app: Callable[[], ConfidentialClientApplication],
    ) -> None:
        super().__init__(app_id, password, oauth_scope=oauth_scope)
        self.oauth_endpoint = authority
        self._msal_app = msal_app

    def get_access_token(self, force_refresh: bool = False) -> str:
        scope = self.oauth_scope
        if not scope.endswith("/.default"):
            scope += "/.default"
        # Blocking, like the SDK's own credentials (msrest calls signed_session() on the loop).
        # MSAL >= 1.23 answers from its own cache while the token is fresh.
        result: dict[str, Any] = self._msal_app().acquire_token_for_client(scopes=[scope])
        if "access_token" in result:
            return str(result["access_token"])
        raise PermissionError(
            "Failed to get access token with error: "
            f"{result.get('error', 'unknown_error')}, error_description: "
            f"{result.get('error_description', '')}"
        )


class InstanceDiscoveryOffCredentialFactory(ServiceClientCredentialsFactory):
    """App id + secret credentials; MSAL apps built with ``instance_discovery=False``.

    :param tenant_id: the bot's tenant (single-tenant bots). For Microsoft login hosts the
        authority is ``<login host>/<tenant_id or "botframework.com">``, like the SDK.
        For any other ``login_endpoint`` (``TO_CHANNEL_FROM_BOT_LOGIN_URL``) the endpoint
        itself is the authority and must be ``https://host[:port]/<tenant>``; a trailing
        ``/oauth2/v2.0/token`` is stripped.
    :param verify: passed to MSAL's ``requests`` session (``True`` honours
        ``REQUESTS_CA_BUNDLE``; or a CA bundle path).
    """

    def __init__(
        self,
        app_id: str | None,
        password: str | None,
        tenant_id: str | None = None,
        *,
        verify: bool | str = True,
        timeout: float | None = 30,
    ) -> None:
        self.app_id = app_id or None
        self.password = password
        self.tenant_id = tenant_id or None
        self._verify = verify
        self._timeout = timeout
        self._apps: dict[str, ConfidentialClientApplication] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_configuration(
        cls, configuration: Any, **kwargs: Any
    ) -> InstanceDiscoveryOffCredentialFactory:
        """Read ``APP_ID``/``APP_PASSWORD``/``APP_TENANTID`` like the SDK's configuration factory
        (the tenant is used only when ``APP_TYPE`` is ``SingleTenant``)."""
        app_type = str(getattr(configuration, "APP_TYPE", "MultiTenant") or "MultiTenant")
        tenant = getattr(configuration, "APP_TENANTID", None)
        return cls(
            getattr(configuration, "APP_ID", None),
            getattr(configuration, "APP_PASSWORD", None),
            tenant if app_type.lower() == "singletenant" else None,
            **kwargs,
        )

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(self.app_id) and app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.app_id

    async def create_credentials(
        self,
        app_id: str,
        oauth_scope: str,
        login_endpoint: str,
        validate_authority: bool,
    ) -> MicrosoftAppCredentials:
        if await self.is_authentication_disabled():
            return MicrosoftAppCredentials.empty()
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        authority = self.authority_for(login_endpoint)
        scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        return MsalAppCredentials(
            app_id, self.password or "", scope, authority, self._msal_app_for(authority)
        )

    def authority_for(self, login_endpoint: str | None) -> str:
        endpoint = login_endpoint or AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL
        lowered = endpoint.lower()
        for prefix in _MICROSOFT_LOGIN_PREFIXES:
            if lowered.startswith(prefix):
                tenant = self.tenant_id or AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT
                return prefix + tenant
        if lowered.endswith(_TOKEN_PATH):
            endpoint = endpoint[: -len(_TOKEN_PATH)]
        endpoint = endpoint.rstrip("/")
        parts = urlsplit(endpoint)
        if parts.scheme != "https" or not parts.hostname or parts.path.strip("/") == "":
            raise ValueError(
                f"login endpoint {login_endpoint!r} must be https://host[:port]/<tenant> "
                "(MSAL needs an https authority with a tenant segment)"
            )
        return endpoint

    def _msal_app_for(self, authority: str) -> Callable[[], ConfidentialClientApplication]:
        def get() -> ConfidentialClientApplication:
            with self._lock:
                app = self._apps.get(authority)
                if app is None:
                    # Construction does a blocking OIDC discovery of the authority; doing it
                    # here (first token request) keeps create_credentials() network-free.
                    app = ConfidentialClientApplication(
                        client_id=self.app_id,
                        client_credential=self.password,
                        authority=authority,
                        instance_discovery=False,
                        verify=self._verify,
                        timeout=self._timeout,
                    )
                    self._apps[authority] = app
                return app

        return get
