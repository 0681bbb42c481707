"""Configuration from the environment: safe defaults, clear refusals, no secrets in repr."""

from __future__ import annotations

import pytest

from bot.settings import SDK_KEYS, ConfigurationError, Settings
from store.demo import refuse_production

PROD = {
    "MicrosoftAppId": "11111111-1111-4111-8111-111111111111",
    "MicrosoftAppPassword": "super-geheim-wachtwoord",
    "MicrosoftAppType": "SingleTenant",
    "MicrosoftAppTenantId": "22222222-2222-4222-8222-222222222222",
    "DOWNLOAD_SIGNING_KEY": "x" * 40,
    "PUBLIC_BASE_URL": "https://casusoverleg.example.nl",
}


def test_production_needs_an_app_id() -> None:
    with pytest.raises(ConfigurationError, match="LOCAL_MODE"):
        Settings.from_env({})


def test_local_mode_refuses_an_app_id() -> None:
    with pytest.raises(ConfigurationError):
        Settings.from_env({"LOCAL_MODE": "1", "MicrosoftAppId": PROD["MicrosoftAppId"]})


def test_production_needs_a_shared_signing_key() -> None:
    env = {k: v for k, v in PROD.items() if k != "DOWNLOAD_SIGNING_KEY"}
    with pytest.raises(ConfigurationError, match="DOWNLOAD_SIGNING_KEY"):
        Settings.from_env(env)
    with pytest.raises(ConfigurationError):
        Settings.from_env({**env, "DOWNLOAD_SIGNING_KEY": "kort"})


def test_tenant_of_the_app_is_the_default_allowed_tenant() -> None:
    settings = Settings.from_env(PROD)
    assert settings.allowed_tenant_ids == {PROD["MicrosoftAppTenantId"]}
    more = Settings.from_env({**PROD, "ALLOWED_TENANT_IDS": "A-1, b-2"})
    assert more.allowed_tenant_ids == {"a-1", "b-2"}


def test_every_sdk_key_can_be_set_by_environment() -> None:
    env = {**PROD, **{key: f"https://example.test/{key}" for key in SDK_KEYS}}
    configuration = Settings.from_env(env).sdk_configuration()
    for key in SDK_KEYS:
        assert getattr(configuration, key) == f"https://example.test/{key}"
    assert PROD["MicrosoftAppId"] == configuration.APP_ID


def test_secrets_stay_out_of_repr() -> None:
    text = repr(Settings.from_env(PROD))
    assert PROD["MicrosoftAppPassword"] not in text and "xxxxxxxx" not in text


def test_demo_data_refuses_production() -> None:
    assert refuse_production(PROD)
    assert refuse_production({"LOCAL_MODE": "1", "DATABASE_URL": "postgresql+asyncpg://x/y"})
    assert refuse_production({})
    assert refuse_production({"LOCAL_MODE": "1"}) is None


def test_production_fails_closed() -> None:
    no_tenant = {k: v for k, v in PROD.items() if k != "MicrosoftAppTenantId"}
    with pytest.raises(ConfigurationError, match="ALLOWED_TENANT_IDS"):
        Settings.from_env({**no_tenant, "MicrosoftAppType": "MultiTenant"})
    with pytest.raises(ConfigurationError, match="https"):
        Settings.from_env({**PROD, "PUBLIC_BASE_URL": "http://bot.example.nl"})
    without_url = {k: v for k, v in PROD.items() if k != "PUBLIC_BASE_URL"}
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        Settings.from_env(without_url)
    with pytest.raises(ConfigurationError, match="whole number"):
        Settings.from_env({**PROD, "PORT": "drie"})
    with pytest.raises(ConfigurationError, match="App Service"):
        Settings.from_env({"LOCAL_MODE": "1", "WEBSITE_SITE_NAME": "casusoverleg"})
