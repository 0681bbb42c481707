"""Old cards show today's state (#26.7): every card that shows a state carries a Universal
Actions `refresh` for the people it was sent to, and the refresh Teams sends when an old copy
is viewed is answered through the same gate as an open: today's card for who may see it, a
card without anything of the casus for who may no longer. Over the Teams protocol, with the
real aiohttp app and the stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from cards import forms
from cards.base import MAX_REFRESH_USERS, for_readers, without_refresh
from dialogs.refresh import REFRESHABLE
from store.models import Actie, AuditEvent, Bericht, Casus, Leefgebied
from tests.e2e import Bot, running_bot
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_NAME,
    aanmelding_values,
    future_date,
    professional_id,
)
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.test_cards import CARDS, VALIDATOR
from tests.test_koppelen import CHECKLIST

pytestmark = pytest.mark.e2e
CHANNEL = "19:kanaal-zuiderstad@thread.tacv2"


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


def valid(card: dict[str, Any]) -> dict[str, Any]:
    errors = [f"{list(e.path)}: {e.message[:160]}" for e in VALIDATOR.iter_errors(card)]
    assert not errors, errors
    return card


async def card(bot: Bot, who: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    """The card a press answers with (the invoke response), as Teams shows it."""
    status, body = await bot.post(bot.invoke(who, verb, data))
    assert status == 200 and body["statusCode"] == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return valid(body["value"])


async def refreshed(bot: Bot, who: str, old: dict[str, Any]) -> dict[str, Any]:
    """What Teams gets when `who` views the old card again: its refresh, sent as is."""
    action = old["refresh"]["action"]
    value = {
        "action": {"type": "Action.Execute", "id": "", "verb": action["verb"],
                   "data": action["data"]},
        "trigger": "automatic",
    }  # fmt: skip
    status, body = await bot.post(
        bot.activity(who, kind="invoke", name="adaptiveCard/action", value=value)
    )
    assert status == 200 and body["statusCode"] == 200, body
    # Always a card: a text answer would leave the old card, and what it showed, in view.
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return valid(body["value"])


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def no_identity(card: dict[str, Any]) -> None:
    for identifier in IDENTIFIERS:
        assert identifier not in shown(card), identifier


async def casus_taken_in(bot: Bot) -> int:
    """Jeroen refers, Fatima takes it in with Sanne as casusregisseur and links Ahmed."""
    for who in ("a3", "a4"):
        assert (await bot.post(bot.activity(who, text="help")))[0] == 200  # their 1:1 chats
    await card(bot, "a2", "aanmelding.indienen", await aanmelding_values(bot.db))
    sanne = await professional_id(bot.db, "a3", bot.standin.tenant_id)
    await card(
        bot,
        "a1",
        "triage.besluit",
        {"casus": 1, "besluit": "opnemen", "eigen_grondslag": "art6_1e",
         "casusregisseur": str(sanne), "startgesprek_datum": future_date()},
    )  # fmt: skip
    ahmed = await professional_id(bot.db, "a4", bot.standin.tenant_id)
    await card(bot, "a1", "koppelen.opslaan", {"casus": 1, "professional": str(ahmed), **CHECKLIST})
    return ahmed


async def counts(bot: Bot) -> tuple[list[tuple[str, str]], int, str]:
    """The audit events, the outbox size and the casus status: what a refresh may change."""
    async with bot.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(AuditEvent.event, AuditEvent.outcome).order_by(AuditEvent.id)
        )
        events = [(event, outcome) for event, outcome in rows]
        berichten = await uow.session.scalar(select(func.count()).select_from(Bericht))
        status = await uow.session.scalar(select(Casus.status).where(Casus.id == 1))
    return list(events), int(berichten or 0), str(status)


async def test_an_old_casus_card_shows_today_and_no_identity_once_the_casus_is_closed(
    bot: Bot,
) -> None:
    await casus_taken_in(bot)
    before = await counts(bot)
    old = await card(bot, "a3", "casus.open", {"casus": 1})
    opened = await counts(bot)
    assert RESIDENT_NAME in shown(old)
    refresh = old["refresh"]
    assert refresh["action"]["verb"] == forms.KAART_VERVERSEN.verb
    assert refresh["action"]["data"] == {"kaart": "casus.open", "casus": 1}  # ids, no identity
    assert refresh["userIds"] == ["29:a3"]  # the one it was shown to

    # While Sanne may see it, the refresh is an open: today's card, audited as an open is,
    # and nothing else written.
    again = await refreshed(bot, "a3", old)
    assert RESIDENT_NAME in shown(again) and again["refresh"] == refresh
    after = await counts(bot)
    assert after[0][len(opened[0]) :] == opened[0][len(before[0]) :]
    assert after[1:] == opened[1:]

    today = dt.date.today().isoformat()
    closed = await card(
        bot,
        "a1",
        "afsluiten.opslaan",
        {"casus": 1, "reden": "doelen_behaald", "eindgesprek": "ja", "eindgesprek_op": today,
         "feedback_bewoner": "Goed geholpen."},
    )  # fmt: skip
    assert "afgesloten" in shown(closed)
    state = await counts(bot)

    gone = await refreshed(bot, "a3", old)
    no_identity(gone)
    assert "PGA-2026-001 is afgesloten" in shown(gone)
    assert "refresh" not in gone  # not asked for again
    after = await counts(bot)
    assert after[1:] == state[1:]  # no message queued, the casus as it was
    written = after[0][len(state[0]) :]
    assert written and all(outcome != "success" for _, outcome in written)  # the refusal only
    # The PGA-expert still sees the closed casus as it is today.
    expert_old = await card(bot, "a1", "casus.open", {"casus": 1})
    assert "Afgesloten" in shown(await refreshed(bot, "a1", expert_old))


async def test_an_ended_link_leaves_an_old_card_without_identity(bot: Bot) -> None:
    ahmed = await casus_taken_in(bot)
    old_casus = await card(bot, "a4", "casus.open", {"casus": 1})
    old_plan = await card(bot, "a4", "plan.open", {"casus": 1})
    old_tijdlijn = await card(bot, "a4", "tijdlijn.open", {"casus": 1})
    for old in (old_casus, old_plan, old_tijdlijn):
        assert RESIDENT_NAME in shown(old) and old["refresh"]["userIds"] == ["29:a4"]

    await card(
        bot,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": 1, "koppeling": f"{ahmed}:betrokken", "reden": "Toezicht is afgelopen"},
    )
    for old in (old_casus, old_plan, old_tijdlijn):
        gone = await refreshed(bot, "a4", old)
        no_identity(gone)
        assert "niet meer gekoppeld aan casus PGA-2026-001" in shown(gone)
    # Sanne is still linked: her old copy of the same card stays current, with identity.
    sanne_old = await card(bot, "a3", "casus.open", {"casus": 1})
    assert RESIDENT_NAME in shown(await refreshed(bot, "a3", sanne_old))


async def test_who_left_before_the_end_does_not_hear_that_it_ended(bot: Bot) -> None:
    """The gate tells who was linked until the casus closed that it closed; who was unlinked
    earlier hears only that they are no longer linked (nothing of what happened since)."""
    ahmed = await casus_taken_in(bot)
    old = await card(bot, "a4", "casus.open", {"casus": 1})
    await card(
        bot,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": 1, "koppeling": f"{ahmed}:betrokken", "reden": "Toezicht is afgelopen"},
    )
    today = dt.date.today().isoformat()
    await card(
        bot,
        "a1",
        "afsluiten.opslaan",
        {"casus": 1, "reden": "doelen_behaald", "eindgesprek": "ja", "eindgesprek_op": today,
         "feedback_bewoner": "Goed geholpen."},
    )  # fmt: skip
    gone = await refreshed(bot, "a4", old)
    no_identity(gone)
    assert "niet meer gekoppeld aan casus PGA-2026-001" in shown(gone)
    assert "afgesloten" not in shown(gone)


async def test_a_forged_refresh_learns_nothing(bot: Bot) -> None:
    await casus_taken_in(bot)
    old = await card(bot, "a3", "casus.open", {"casus": 1})
    # Linda was never linked; she is not in userIds, and sends the refresh anyway.
    forged = await refreshed(bot, "a5", old)
    no_identity(forged)
    assert "PGA-2026-001" not in shown(forged)
    # The same answer as for a casus that does not exist.
    elsewhere = {**old["refresh"]["action"], "data": {"kaart": "casus.open", "casus": 999}}
    unknown = {**old, "refresh": {"action": elsewhere}}
    assert await refreshed(bot, "a5", unknown) == forged
    # A refresh that names a verb which is not an open changes nothing and shows nothing.
    before = await counts(bot)
    close = {"action": {"verb": forms.KAART_VERVERSEN.verb,
                        "data": {"kaart": "afsluiten.opslaan", "casus": 1}}}  # fmt: skip
    refused = await refreshed(bot, "a1", {"refresh": close})
    no_identity(refused)
    assert (await counts(bot))[1:] == before[1:]
    # Sent from a channel, a refresh shows nothing of a casus either.
    status, body = await bot.post(
        bot.activity(
            "a3",
            kind="invoke",
            name="adaptiveCard/action",
            conversation_type="channel",
            value={"action": {"type": "Action.Execute", **old["refresh"]["action"]},
                   "trigger": "automatic"},
        )
    )  # fmt: skip
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    no_identity(body["value"])
    assert "PGA-2026-001" not in shown(body["value"])


async def test_old_plan_and_acties_cards_show_an_action_done_and_a_new_goal(bot: Bot) -> None:
    ahmed = await casus_taken_in(bot)
    await card(
        bot,
        "a3",
        "plan.actie",
        {"casus": 1, "beschrijving": "Afspraak maken bij de schuldhulp",
         "eigenaar": f"p:{ahmed}", "deadline": future_date(10)},
    )  # fmt: skip
    old_acties = await card(bot, "a4", "acties", {})
    old_plan = await card(bot, "a4", "plan.open", {"casus": 1})
    assert "Afspraak maken bij de schuldhulp" in shown(old_acties)
    async with bot.db.unit_of_work() as uow:
        actie = await uow.session.scalar(select(Actie.id))
    old_actie = await card(bot, "a4", "actie.open", {"actie": actie})
    await card(bot, "a4", "actie.afgerond", {"actie": actie, "kaart": "acties"})

    acties_now = await refreshed(bot, "a4", old_acties)
    assert "Afspraak maken bij de schuldhulp" not in shown(acties_now)
    assert "geen open acties" in shown(acties_now)
    assert "afgerond" in shown(await refreshed(bot, "a4", old_actie)).lower()

    huis = await leefgebied(bot)
    await card(
        bot,
        "a1",
        "plan.doel",
        {"casus": 1, "doel_leefgebied": str(huis), "omschrijving": "Vaste woonplek behouden",
         "goed_genoeg_als": "drie maanden geen achterstand"},
    )  # fmt: skip
    plan_now = shown(await refreshed(bot, "a4", old_plan))
    assert "Vaste woonplek behouden" in plan_now and "Vaste woonplek" not in shown(old_plan)


async def leefgebied(bot: Bot) -> int:
    async with bot.db.unit_of_work() as uow:
        found = await uow.session.scalar(
            select(Leefgebied.id).where(Leefgebied.sleutel == "huisvesting")
        )
    assert found is not None
    return int(found)


async def test_a_card_sent_to_the_1to1_chat_refreshes_for_its_reader_a_channel_card_never(
    bot: Bot,
) -> None:
    await casus_taken_in(bot)
    mention = {
        "type": "mention",
        "text": "<at>Casusoverleg</at>",
        "mentioned": {"id": f"28:{bot.standin.app_id}", "name": "Casusoverleg"},
    }
    # Typed in the channel, the casus goes to Sanne's 1:1 chat through the outbox.
    typed = bot.activity(
        "a3",
        text="<at>Casusoverleg</at> casus PGA-2026-001",
        conversation_type="channel",
        entities=[mention],
    )
    assert (await bot.post(typed))[0] == 200
    call = await bot.sent(RESIDENT_NAME, conversation="a:personal-a3")
    sent = valid(call.body["attachments"][0]["content"])
    assert sent["refresh"]["userIds"] == ["29:a3"]
    assert sent["refresh"]["action"]["data"] == {"kaart": "casus.open", "casus": 1}
    # The timeline typed in the channel stays there, shared-safe and without a refresh.
    tijdlijn = bot.activity(
        "a3",
        text="<at>Casusoverleg</at> tijdlijn PGA-2026-001",
        conversation_type="channel",
        entities=[mention],
    )
    assert (await bot.post(tijdlijn))[0] == 200
    channel = await bot.sent("Tijdlijn PGA-2026-001", conversation=CHANNEL)
    posted = channel.body["attachments"][0]["content"]
    assert "refresh" not in posted
    no_identity(posted)


def test_every_refresh_rebuilds_through_an_open_and_validates() -> None:
    """Every card with a refresh names a verb the refresh may use, with exactly that verb's
    ids; addressed to more than 60 readers it keeps Teams' limit and still validates."""
    with_refresh = {name: c for name, c in CARDS.items() if "refresh" in c}
    assert {
        "casus",
        "triage_kaart",
        "triage_lijst",
        "plan",
        "plan_actie",
        "acties",
        "koppelen",
        "agenda",
        "tijdlijn",
        "besluitenlijst",
        "overleg_details",
        "plan_doel",
        "overleggen",
        "verslag_lijst",
    } <= set(with_refresh)
    for name, built in with_refresh.items():
        action = built["refresh"]["action"]
        assert action["verb"] == forms.KAART_VERVERSEN.verb, name
        data = dict(action["data"])
        verb = data.pop("kaart")
        assert verb in REFRESHABLE, name
        assert set(data) <= forms.BY_VERB[verb].keys and set(forms.BY_VERB[verb].ids) <= set(data)
        many = for_readers(built, [f"29:user-{n}" for n in range(75)])
        assert len(many["refresh"]["userIds"]) == MAX_REFRESH_USERS
        valid(many)
        assert "refresh" not in without_refresh(built)
    for name in ("help", "kanaal", "agenda_bericht", "bespreekkaart", "presentie_lopend"):
        assert "refresh" not in CARDS[name], name  # nothing to refresh, or a channel card
