"""Plain pytest fixtures for the stand-in. Use from a conftest or a test module with::

    from tests.standin.fixtures import *  # noqa: F403

Fixtures:

* ``standin_server`` (session) — one started :class:`StandIn` for the whole run.
* ``standin`` — the same server, ``reset()`` before and after the test, with
  ``REQUESTS_CA_BUNDLE`` and ``SSL_CERT_FILE`` pointing at its CA bundle for the test.
* ``standin_config`` — ``SimpleNamespace`` with the bot settings (``APP_ID``..., ``TO_*``).
* ``standin_credentials_factory`` — a fresh :class:`InstanceDiscoveryOffCredentialFactory`.
* ``standin_auth`` — ``ConfigurationBotFrameworkAuthentication`` wired to the stand-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from .credentials import InstanceDiscoveryOffCredentialFactory
from .server import StandIn

__all__ = [
    "standin",
    "standin_auth",
    "standin_config",
    "standin_credentials_factory",
    "standin_server",
]


@pytest.fixture(scope="session")
def standin_server() -> Iterator[StandIn]:
    server = StandIn()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def standin(standin_server: StandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    for name, value in standin_server.ca_env().items():
        monkeypatch.setenv(name, value)
    standin_server.reset()
    yield standin_server
    standin_server.reset()


@pytest.fixture
def standin_config(standin: StandIn) -> SimpleNamespace:
    return standin.config_object()


@pytest.fixture
def standin_credentials_factory(
    standin_config: SimpleNamespace,
) -> InstanceDiscoveryOffCredentialFactory:
    return InstanceDiscoveryOffCredentialFactory.from_configuration(standin_config)


@pytest.fixture
def standin_auth(
    standin_config: SimpleNamespace,
    standin_credentials_factory: InstanceDiscoveryOffCredentialFactory,
) -> ConfigurationBotFrameworkAuthentication:
    return ConfigurationBotFrameworkAuthentication(
        standin_config, credentials_factory=standin_credentials_factory
    )
