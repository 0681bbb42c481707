"""People from the Teams roster over the real HTTP stack, authentication on, against the
stand-in Bot Connector (pagedmembers and the member lookup), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from store.models import ConversationRef, Professional
from tests.e2e import Bot, running_bot
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)

pytestmark = pytest.mark.e2e
CHANNEL = "19:kanaal-zuiderstad@thread.tacv2"
TEAM = "19:team-pga-zuiderstad@thread.tacv2"
OTHER_TENANT = "11111111-1111-4111-8111-111111111111"


def person(who: str, name: str, tenant: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"29:{who}",
        "name": name,
        "aadObjectId": f"00000000-0000-0000-0000-0000000000{who}",
        "email": f"{who}@zuiderstad.example",
        "userPrincipalName": f"{who}@zuiderstad.example",
        "tenantId": tenant,
        "userRole": "user",
        **extra,
    }


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    standin.members = [
        person("b1", "Nadia Bos", standin.tenant_id),
        person("b2", "Gast Extern", standin.tenant_id, userRole="guest"),
        person("b3", "Elders Werkzaam", OTHER_TENANT),
        person("b9", "Piet Smit", standin.tenant_id),
    ]
    async with running_bot(standin, database_url) as running:
        yield running


def in_team(bot: Bot, who: str, **extra: Any) -> dict[str, Any]:
    activity = bot.activity(who, conversation_type="channel", **extra)
    activity["channelData"]["team"] = {"id": TEAM, "name": "PGA Zuiderstad"}
    return activity


async def card_of(bot: Bot, who: str, verb: str, data: dict[str, Any]) -> str:
    status, body = await bot.post(bot.invoke(who, verb, data))
    assert status == 200, body
    return json.dumps(body["value"], ensure_ascii=False)


async def test_installed_in_a_team_its_members_are_offered_by_name(bot: Bot) -> None:
    added = in_team(
        bot, "a1", kind="conversationUpdate", membersAdded=[{"id": f"28:{bot.standin.app_id}"}]
    )
    assert (await bot.post(added))[0] == 200
    calls = bot.standin.calls("get_paged_members")
    assert len(calls) == 1 and calls[0].authorized and calls[0].conversation_id == TEAM
    card = await card_of(bot, "a1", "beheer.professionals", {})
    # The team's own members only: no guest, nobody of another tenant.
    assert "Nadia Bos — b1@zuiderstad.example" in card and "Piet Smit" in card
    assert "Gast Extern" not in card and "Elders Werkzaam" not in card

    # 'Teamleden ophalen' asks Teams again, through the kept team and service URL.
    refreshed = await card_of(bot, "a1", "beheer.teamleden", {})
    assert "2 teamleden opgehaald" in refreshed
    assert len(bot.standin.calls("get_paged_members")) == 2


async def test_a_failing_connector_leaves_beheer_working(bot: Bot) -> None:
    assert (await bot.post(in_team(bot, "a1", text="kanaal")))[0] == 200
    await bot.sent("meldingen van nieuwe aanmeldingen", conversation=CHANNEL)
    bot.standin.fail_next(1, status=403, retry_after=None, operation="get_paged_members")
    card = await card_of(bot, "a1", "beheer.teamleden", {})
    assert "Teams gaf de teamleden nu niet" in card


async def test_a_stored_team_off_the_allow_list_is_never_called(bot: Bot) -> None:
    async with bot.db.unit_of_work() as uow:
        uow.session.add(
            ConversationRef(
                conversation_id=CHANNEL,
                conversation_type="channel",
                tenant_id=bot.standin.tenant_id,
                team_id=TEAM,
                reference={"serviceUrl": bot.standin.alias_service_url},
            )
        )
        await uow.commit()
    card = await card_of(bot, "a1", "beheer.teamleden", {})
    assert "Teams gaf de teamleden nu niet" in card
    assert bot.standin.calls("get_paged_members") == []


async def test_someone_added_by_email_is_bound_when_they_first_write(bot: Bot) -> None:
    invited = await card_of(
        bot, "a1", "beheer.professional", {"prof_email": "b9@zuiderstad.example"}
    )
    assert "b9@zuiderstad.example is uitgenodigd" in invited
    assert (await bot.post(bot.activity("b9", text="help")))[0] == 200
    lookups = bot.standin.calls("get_conversation_member")
    assert len(lookups) == 1 and lookups[0].authorized
    reply = await bot.sent("Casusoverleg", conversation="a:personal-b9")
    assert "nog niet in Casusoverleg" not in json.dumps(reply.body, ensure_ascii=False)
    async with bot.db.unit_of_work() as uow:
        piet = await uow.people.by_identity(
            bot.standin.tenant_id, "00000000-0000-0000-0000-0000000000b9"
        )
        assert (
            piet is not None and piet.naam == "Piet Smit" and piet.email == "b9@zuiderstad.example"
        )
    # Known now: no second lookup.
    assert (await bot.post(bot.activity("b9", text="help")))[0] == 200
    assert len(bot.standin.calls("get_conversation_member")) == 1


async def test_an_unknown_user_is_looked_up_once_and_only_while_someone_waits(bot: Bot) -> None:
    assert (await bot.post(bot.activity("b1", text="hallo")))[0] == 200
    assert bot.standin.calls("get_conversation_member") == []  # nobody invited: no lookup
    await card_of(bot, "a1", "beheer.professional", {"prof_email": "iemand@zuiderstad.example"})
    for _ in range(2):
        assert (await bot.post(bot.activity("b1", text="hallo")))[0] == 200
    assert len(bot.standin.calls("get_conversation_member")) == 1
    async with bot.db.unit_of_work() as uow:
        assert await uow.session.get(Professional, 999) is None
        assert (
            await uow.people.by_identity(
                bot.standin.tenant_id, "00000000-0000-0000-0000-0000000000b1"
            )
            is None
        )
