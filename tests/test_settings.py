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
    "DATABASE_URL": "postgresql+asyncpg://casusoverleg@db.example.nl/casusoverleg",
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


def test_production_refuses_to_start_without_a_database_url() -> None:
    without = {k: v for k, v in PROD.items() if k != "DATABASE_URL"}
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not set"):
        Settings.from_env(without)
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not set"):
        Settings.from_env({**without, "DATABASE_URL": "  "})
    assert Settings.from_env(PROD).database_url == PROD["DATABASE_URL"]


def test_local_mode_refuses_a_database_other_than_sqlite() -> None:
    for url in ("postgresql+asyncpg://user:pw@db.example.nl/casusoverleg", "mysql://x/y"):
        with pytest.raises(ConfigurationError, match="SQLite"):
            Settings.from_env({"LOCAL_MODE": "1", "DATABASE_URL": url})
    local = Settings.from_env({"LOCAL_MODE": "1", "DATABASE_URL": "sqlite+aiosqlite:///x.db"})
    assert local.database_url == "sqlite+aiosqlite:///x.db"
    assert Settings.from_env({"LOCAL_MODE": "1"}).database_url.startswith("sqlite+aiosqlite:")


def test_app_type_defaults_to_single_tenant_which_needs_the_tenant() -> None:
    no_type = {k: v for k, v in PROD.items() if k != "MicrosoftAppType"}
    assert Settings.from_env(no_type).app_type == "SingleTenant"
    no_tenant = {k: v for k, v in no_type.items() if k != "MicrosoftAppTenantId"}
    with pytest.raises(ConfigurationError, match="MicrosoftAppTenantId is not set"):
        Settings.from_env({**no_tenant, "ALLOWED_TENANT_IDS": "33333333-3333-4333-8333-33333333"})
    multi = Settings.from_env(
        {**no_tenant, "MicrosoftAppType": "multitenant", "ALLOWED_TENANT_IDS": "t-1"}
    )
    assert multi.app_type == "MultiTenant"
    with pytest.raises(ConfigurationError, match="MicrosoftAppType"):
        Settings.from_env({**PROD, "MicrosoftAppType": "Anonymous"})
    # Local mode has no app id, which only the SDK's MultiTenant factory accepts.
    assert Settings.from_env({"LOCAL_MODE": "1"}).app_type == "MultiTenant"


def test_service_url_hosts_default_to_teams_and_can_be_set() -> None:
    policy = Settings.from_env(PROD).service_url_policy()
    for url in (
        "https://smba.trafficmanager.net/emea/",
        "https://SMBA.trafficmanager.net/amer/",
        "https://smba.infra.gcc.teams.microsoft.com/gcc/",
        "https://smba.infra.gov.teams.microsoft.us/",
        "https://smba.infra.dod.teams.microsoft.us/",
    ):
        assert policy.allows(url), url
    for url in (
        "http://smba.trafficmanager.net/emea/",  # https only
        "https://evil.example.test/teams/",
        "https://smba.trafficmanager.net.evil.example.test/",
        "https://evil.example.test\\@smba.trafficmanager.net/",
        "https://smba.trafficmanager.net@evil.example.test/",
        "https://x.smba.trafficmanager.net/",  # exact entries match exactly
        "https://127.0.0.1:3978/",
        "https://smba.trafficmanager.net:99999/",
        "//smba.trafficmanager.net/",
        None,
        42,
    ):
        assert not policy.allows(url), url
    custom = Settings.from_env(
        {**PROD, "ALLOWED_SERVICE_URL_HOSTS": " bot.Example.nl , *.teams.example.org,[::1]"}
    )
    assert custom.allowed_service_url_hosts == ("bot.example.nl", "*.teams.example.org", "::1")
    policy = custom.service_url_policy()
    assert policy.allows("https://bot.example.nl/x/") and policy.allows("https://[::1]:8/")
    assert policy.allows("https://emea.teams.example.org/")
    assert not policy.allows("https://teams.example.org/")  # *.suffix: names under it only
    assert not policy.allows("https://smba.trafficmanager.net/")  # the list replaces the default
    for bad in (
        "https://bot.example.nl",
        "bot.example.nl/teams",
        "*",
        "*.nl",
        "bot.example.nl:443",
    ):
        with pytest.raises(ConfigurationError, match="ALLOWED_SERVICE_URL_HOSTS"):
            Settings.from_env({**PROD, "ALLOWED_SERVICE_URL_HOSTS": bad})


def test_local_mode_accepts_and_calls_only_this_machine() -> None:
    policy = Settings.from_env(
        {"LOCAL_MODE": "1", "ALLOWED_SERVICE_URL_HOSTS": "smba.trafficmanager.net"}
    ).service_url_policy()
    for url in (
        "http://localhost:56150/_connector",
        "http://127.0.0.1:56150/_connector",
        "https://127.0.0.5/teams/",
        "http://[::1]:56150/",
    ):
        assert policy.allows(url), url
    for url in (
        "https://smba.trafficmanager.net/emea/",
        "http://localhost.evil.example.test/",
        "http://192.168.1.10:56150/",
        "http://10.0.0.1/",
        "ftp://localhost/",
    ):
        assert not policy.allows(url), url


def test_channel_token_issuer_follows_the_cloud() -> None:
    assert Settings.from_env(PROD).channel_token_issuer == "https://api.botframework.com"
    government = {**PROD, "CHANNEL_SERVICE": "https://botframework.azure.us"}
    assert Settings.from_env(government).channel_token_issuer == "https://api.botframework.us"
    custom = {**PROD, "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": "https://issuer.example.test"}
    assert Settings.from_env(custom).channel_token_issuer == "https://issuer.example.test"


def test_retention_reopen_and_audit_terms_are_refused_when_they_contradict() -> None:
    """#13: the audit log outlives the data it is about; reopening ends before retention."""
    settings = Settings.from_env(PROD)
    assert (settings.retention_days, settings.reopen_days, settings.audit_retention_days) == (
        365,
        90,
        1825,
    )
    assert settings.dialog_config().reopen_days == 90
    with pytest.raises(ConfigurationError, match="AUDIT_RETENTION_DAYS"):
        Settings.from_env({**PROD, "RETENTION_DAYS": "800", "AUDIT_RETENTION_DAYS": "700"})
    with pytest.raises(ConfigurationError, match="REOPEN_DAYS"):
        Settings.from_env({**PROD, "RETENTION_DAYS": "60"})
    chosen = Settings.from_env(
        {**PROD, "RETENTION_DAYS": "60", "REOPEN_DAYS": "30", "AUDIT_RETENTION_DAYS": "60"}
    )
    assert (chosen.retention_days, chosen.reopen_days, chosen.audit_retention_days) == (
        60,
        30,
        60,
    )


def test_reminder_and_digest_settings_reach_the_workflows() -> None:
    settings = Settings.from_env(
        {
            "LOCAL_MODE": "1",
            "REMINDER_DAYS_BEFORE": "5",
            "ESCALATION_DAYS": "10",
            "REMINDER_TIME": "8:30",
            "DIGEST_WEEKDAY": "Vrijdag",
            "DIGEST_TIME": "16:00",
        }
    )
    config = settings.dialog_config()
    assert (config.reminder_days_before, config.escalation_days) == (5, 10)
    assert (config.reminder_time, config.digest_weekday, config.digest_time) == (
        "08:30",
        4,
        "16:00",
    )
    defaults = Settings.from_env({"LOCAL_MODE": "1"}).dialog_config()
    assert (defaults.reminder_days_before, defaults.digest_weekday) == (3, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIGEST_WEEKDAY", "monday"),
        ("DIGEST_TIME", "acht uur"),
        ("REMINDER_TIME", "25:00"),
        ("REMINDER_DAYS_BEFORE", "0"),
    ],
)
def test_bad_reminder_settings_are_refused_at_start(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({"LOCAL_MODE": "1", name: value})
