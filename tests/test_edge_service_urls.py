"""Security at the edge (DESIGN §4): only channel-issued tokens, and only allow-listed
serviceUrl hosts are accepted, stored and called — incoming, in replies and in the outbox."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from sqlalchemy import text

from bot.auth import CachingAuthentication
from bot.connector import FastCloudAdapter
from bot.service_urls import ServiceUrlNotAllowed
from store.models import Bericht, ConversationRef, utcnow
from tests.e2e import Bot, outbox_until, running_bot, settings_for
from tests.standin import (
    InstanceDiscoveryOffCredentialFactory,
    StandIn,
    teams_message_activity,
)

pytestmark = pytest.mark.e2e
CHANNEL = "19:oud-kanaal@thread.tacv2"


@pytest.fixture
async def bot(standin: StandIn, tmp_path: Path) -> AsyncIterator[Bot]:
    # The emulator metadata serves keys, so the SDK's emulator path accepts the stand-in's
    # emulator tokens as it accepts real ones against Microsoft's keys.
    async with running_bot(
        standin,
        f"sqlite+aiosqlite:///{tmp_path / 'edge.sqlite3'}",
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=standin.emulator_keys_openid_metadata_url,
    ) as running:
        yield running


async def count(bot: Bot, table: str) -> int:
    async with bot.db.engine.connect() as connection:
        return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


@pytest.mark.parametrize("version", ["1.0", "2.0"])
async def test_emulator_issuer_token_with_a_foreign_service_url_gets_401(
    bot: Bot, standin: StandIn, version: str
) -> None:
    foreign = standin.alias_service_url
    token = standin.mint_emulator_token(version=version)
    # The premise: the SDK itself accepts this token for that serviceUrl (emulator path).
    config = SimpleNamespace(
        **{
            **standin.settings(),
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": standin.emulator_keys_openid_metadata_url,
        }
    )
    sdk = ConfigurationBotFrameworkAuthentication(
        config,
        credentials_factory=InstanceDiscoveryOffCredentialFactory.from_configuration(config),
    )
    inbound = teams_message_activity(foreign, app_id=standin.app_id, tenant_id=standin.tenant_id)
    accepted = await sdk.authenticate_request(inbound, f"Bearer {token}")
    assert accepted.claims_identity.is_authenticated

    status, body = await bot.post(bot.activity("a1", text="help", serviceUrl=foreign), token=token)
    assert status == 401, body
    status, _ = await bot.post(bot.activity("a1", text="help"), token=token)  # listed host
    assert status == 401
    status, _ = await bot.post(
        bot.activity("a1", kind="installationUpdate", action="add", serviceUrl=foreign), token=token
    )
    assert status == 401
    assert standin.recorded == []
    assert await count(bot, "conversation_ref") == 0


async def test_channel_token_for_a_service_url_off_the_list_gets_403(
    bot: Bot, standin: StandIn
) -> None:
    foreign = standin.alias_service_url  # token minted for it: the binding itself holds
    for activity in (
        bot.activity("a1", text="help", serviceUrl=foreign),
        bot.activity("a1", kind="installationUpdate", action="add", serviceUrl=foreign),
    ):
        status, body = await bot.post(activity)
        assert status == 403, body
        assert "ALLOWED_SERVICE_URL_HOSTS" in body["error"]
    assert standin.recorded == []
    assert await count(bot, "conversation_ref") == 0
    status, _ = await bot.post(bot.activity("a1", text="help"))  # the listed host still works
    assert status == 200
    await bot.sent("Casusoverleg")


async def _store_reference_and_message(bot: Bot, service_url: str, tekst: str) -> None:
    reference = {
        "bot": {"id": f"28:{bot.standin.app_id}"},
        "conversation": {"id": CHANNEL, "conversationType": "channel"},
        "channelId": "msteams",
        "serviceUrl": service_url,
    }
    async with bot.db.unit_of_work() as uow:
        uow.session.add(
            ConversationRef(
                conversation_id=CHANNEL,
                conversation_type="channel",
                tenant_id=bot.standin.tenant_id,
                reference=reference,
            )
        )
        uow.session.add(Bericht(conversation_id=CHANNEL, tekst=tekst))
        await uow.commit()


async def test_outbox_never_calls_a_stored_reference_at_a_foreign_host(
    bot: Bot, standin: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    # A reference stored before the allow-list (or under another one) names another host.
    await _store_reference_and_message(bot, standin.alias_service_url, "Geheime mededeling")
    assert bot.app is not None
    caplog.set_level(logging.WARNING, logger="bot")
    await outbox_until(bot.app, lambda rows: rows[0].pogingen > 0)
    for _ in range(3):  # no hot loop: after the refusal it waits
        (bericht,) = await outbox_until(bot.app, lambda rows: True)
    assert standin.recorded == []
    assert bericht.verzonden_at is None and bericht.pogingen == 1
    next_try = bericht.volgende_poging_at.replace(tzinfo=None)  # SQLite keeps no zone
    assert next_try > utcnow().replace(tzinfo=None) + dt.timedelta(minutes=30)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ALLOWED_SERVICE_URL_HOSTS" in w and str(bericht.id) in w for w in warnings)
    assert not any("Geheime" in w or CHANNEL in w for w in warnings)


async def test_every_outgoing_path_refuses_a_foreign_host(standin: StandIn, tmp_path: Path) -> None:
    """Behind the checks at the door: the reply POST and the SDK's connector clients."""
    settings = settings_for(standin, f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", 9)
    auth = CachingAuthentication(settings)
    adapter = FastCloudAdapter(auth, service_urls=auth.service_urls)
    await adapter.open()
    try:
        reply = Activity(
            type="message",
            text="hoi",
            service_url=standin.alias_service_url,
            conversation=ConversationAccount(id="a:personal-a1"),
        )
        with pytest.raises(ServiceUrlNotAllowed):
            await adapter._post(reply, None)
        reference = ConversationReference(
            channel_id="msteams",
            service_url=standin.alias_service_url,
            conversation=ConversationAccount(id="a:personal-a1"),
            bot=ChannelAccount(id=f"28:{standin.app_id}"),
        )
        called: list[Any] = []

        async def callback(turn_context: Any) -> None:
            called.append(turn_context)

        with pytest.raises(ServiceUrlNotAllowed):
            await adapter.continue_conversation(reference, callback, bot_app_id=standin.app_id)
        assert called == []
    finally:
        await adapter.close()
    assert standin.recorded == []
