"""The Agents SDK host reads today's setting names (#27): MicrosoftAppId, -Password,
-TenantId and -Type choose its MSAL authority and scope as botbuilder chooses them, single-
and multi-tenant, public and government cloud; BOT_HOST picks the host."""

from __future__ import annotations

import pytest
from microsoft_agents.activity import Activity, ConversationAccount

from bot.hosts import HOSTS, host_named
from bot.hosts.agents_auth import GOVERNMENT_METADATA_URL, PUBLIC_METADATA_URL, metadata_url
from bot.hosts.agents_connector import AgentsConnector, authority, scope
from bot.service_urls import ServiceUrlNotAllowed
from bot.settings import ConfigurationError, Settings

TENANT = "11111111-2222-3333-4444-555555555555"
BASE = {
    "MicrosoftAppId": "app-id",
    "MicrosoftAppPassword": "geheim",
    "DATABASE_URL": "sqlite+aiosqlite:///x.sqlite3",
    "PUBLIC_BASE_URL": "https://bot.example.nl",
    "DOWNLOAD_SIGNING_KEY": "s" * 40,
    "ALLOWED_TENANT_IDS": TENANT,
    "BOT_HOST": "agents",
}


def settings(**env: str) -> Settings:
    return Settings.from_env({**BASE, **env})


def test_single_tenant_asks_its_own_tenant() -> None:
    chosen = settings(MicrosoftAppType="SingleTenant", MicrosoftAppTenantId=TENANT)
    assert chosen.bot_host == "agents"
    assert authority(chosen) == f"https://login.microsoftonline.com/{TENANT}"
    assert scope(chosen) == "https://api.botframework.com/.default"
    assert metadata_url(chosen) == PUBLIC_METADATA_URL


def test_multi_tenant_asks_botframework_com() -> None:
    chosen = settings(MicrosoftAppType="MultiTenant")
    assert authority(chosen) == "https://login.microsoftonline.com/botframework.com"


def test_government_cloud_and_explicit_urls() -> None:
    government = settings(
        MicrosoftAppType="MultiTenant", CHANNEL_SERVICE="https://botframework.azure.us"
    )
    assert authority(government).startswith("https://login.microsoftonline.us/")
    assert scope(government) == "https://api.botframework.us/.default"
    assert metadata_url(government) == GOVERNMENT_METADATA_URL
    assert government.channel_token_issuer == "https://api.botframework.us"
    explicit = settings(
        MicrosoftAppType="MultiTenant",
        TO_CHANNEL_FROM_BOT_LOGIN_URL="https://login.example/tenant",
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE="https://api.example",
    )
    assert authority(explicit) == "https://login.example/tenant"
    assert scope(explicit) == "https://api.example/.default"


def test_bot_host_defaults_to_botbuilder_and_refuses_others() -> None:
    assert settings(MicrosoftAppType="MultiTenant", BOT_HOST="").bot_host == "botbuilder"
    with pytest.raises(ConfigurationError, match="BOT_HOST"):
        settings(MicrosoftAppType="MultiTenant", BOT_HOST="teams")
    assert [host_named(name).name for name in HOSTS] == list(HOSTS)


async def test_the_agents_connector_calls_no_host_off_the_allow_list() -> None:
    chosen = settings(MicrosoftAppType="MultiTenant")
    connector = AgentsConnector(chosen, chosen.service_url_policy())
    activity = Activity(
        type="message",
        text="x",
        service_url="https://smba.trafficmanager.net.evil.example/",
        conversation=ConversationAccount(id="c1"),
    )
    with pytest.raises(ServiceUrlNotAllowed):
        await connector.post(activity)
    with pytest.raises(ServiceUrlNotAllowed):
        await connector.team_members("http://smba.trafficmanager.net/", "team")
    assert connector._msal is None  # refused before a token was asked for
    await connector.close()
