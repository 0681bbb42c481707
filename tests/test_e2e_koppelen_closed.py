"""No link after the end, over the Teams protocol (#26.1): the real aiohttp app with
authentication on, the stand-in as Bot Connector, SQLite and PostgreSQL. After the casus is
closed the PGA-expert presses her old Koppelen card (an `adaptiveCard/action` invoke) and
types `koppelen CODE`: a Dutch answer, no form, nothing linked, nobody told; the partner
whose link ended hears that the casus is closed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from store.models import Bericht, Betrokkene
from tests.e2e import Bot, running_bot
from tests.helpers import RESIDENT_NAME, aanmelding_values, professional_id
from tests.test_e2e_voortraject import card_of
from tests.test_koppelen import CHECKLIST

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


async def last_message_id(bot: Bot) -> int:
    async with bot.db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.max(Bericht.id))) or 0)


async def told_since(bot: Bot, professional: int, after: int) -> list[int]:
    """Messages queued for `professional` after message `after` (delivered or not)."""
    async with bot.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Bericht.id).where(Bericht.professional_id == professional, Bericht.id > after)
        )
        return list(rows.all())


async def active_link_of(bot: Bot, casus: int, professional: int) -> bool:
    async with bot.db.unit_of_work() as uow:
        found = await uow.session.scalar(
            select(Betrokkene.id).where(
                Betrokkene.casus_id == casus,
                Betrokkene.professional_id == professional,
                Betrokkene.tot.is_(None),
            )
        )
        return found is not None


async def test_the_old_koppelen_card_after_closing_over_teams(bot: Bot) -> None:
    confirmed = await card_of(bot, "a2", "aanmelding.indienen", await aanmelding_values(bot.db))
    code = re.search(r"PGA-\d{4}-\d{3}", confirmed).group(0)  # type: ignore[union-attr]
    tenant = bot.standin.tenant_id
    sanne = await professional_id(bot.db, "a3", tenant)
    ahmed = await professional_id(bot.db, "a4", tenant)
    await card_of(
        bot,
        "a1",
        "triage.besluit",
        {"casus": 1, "besluit": "opnemen", "eigen_grondslag": "art6_1e",
         "casusregisseur": str(sanne)},
    )  # fmt: skip
    old_card = {"casus": 1, **CHECKLIST, "professional": str(ahmed)}
    assert "is gekoppeld" in await card_of(bot, "a1", "koppelen.opslaan", old_card)
    today = dt.date.today().isoformat()
    closed = await card_of(
        bot,
        "a1",
        "afsluiten.opslaan",
        {"casus": 1, "reden": "doelen_behaald", "eindgesprek": "ja", "eindgesprek_op": today},
    )
    assert "Casus afgesloten" in closed and not await active_link_of(bot, 1, ahmed)
    before = await last_message_id(bot)

    pressed = await card_of(bot, "a1", "koppelen.opslaan", old_card)
    assert f"Casus {code} is afgesloten" in pressed and "Er is niets veranderd." in pressed
    assert '"type": "AdaptiveCard"' not in pressed  # no form
    again = await card_of(
        bot, "a1", "koppelen.opnieuw", {"casus": 1, "professional": ahmed, "rol": "betrokken"}
    )
    assert f"Casus {code} is afgesloten" in again
    assert not await active_link_of(bot, 1, ahmed)
    assert await told_since(bot, ahmed, before) == []  # nobody notified
    assert "gekoppeld aan" not in "".join(bot.sent_texts()[-3:])

    status, _ = await bot.post(bot.activity("a1", text=f"koppelen {code}"))
    assert status in (200, 201)
    reply = await bot.sent(f"Casus {code} is afgesloten", conversation="a:personal-a1")
    assert "AdaptiveCard" not in json.dumps(reply.body)

    status, _ = await bot.post(bot.activity("a4", text=f"casus {code}"))
    assert status in (200, 201)
    former = await bot.sent("koppeling is toen gestopt", conversation="a:personal-a4")
    assert RESIDENT_NAME not in json.dumps(former.body, ensure_ascii=False)
