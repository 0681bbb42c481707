"""The overleg uses the plan van aanpak (#10 with #11): the discussion card in the channel
shows the casus's goals and open actions (text redacted, owners by name and organisation),
and the agenda proposes casussen with overdue actions or without a plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from store.models import Actie, Leefgebied
from tests.helpers import IDENTIFIERS, RESIDENT_NAME, act, card_text, future_date, say
from tests.test_koppelen import link
from tests.test_overleg import besluit, discussion_card, opgenomen, plain, planned, started
from tests.test_plan import add_actie, newest_actie


async def _goal(db, config, cid: int, omschrijving: str) -> None:
    async with db.unit_of_work() as uow:
        huis = await uow.session.scalar(
            select(Leefgebied.id).where(Leefgebied.sleutel == "huisvesting")
        )
    goal = {
        "casus": cid,
        "doel_leefgebied": str(huis),
        "omschrijving": omschrijving,
        "goed_genoeg_als": "drie maanden geen achterstand",
    }
    assert "Doel vastgelegd" in card_text((await act(db, config, "a1", "plan.doel", goal)).card)


async def _overdue(db, actie_id: int) -> None:
    async with db.unit_of_work() as uow:
        yesterday = dt.date.today() - dt.timedelta(days=1)
        await uow.session.execute(
            update(Actie).where(Actie.id == actie_id).values(deadline=yesterday)
        )
        await uow.commit()


async def test_the_discussion_card_shows_goals_and_open_actions_shared_safe(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    await _goal(db, config, cid, f"{RESIDENT_NAME} behoudt de woning")
    surname = RESIDENT_NAME.split()[-1]
    await add_actie(db, config, cid, beschrijving=f"Met {surname} naar de schuldhulp")
    await add_actie(db, config, cid, beschrijving="Huisbezoek", deadline=future_date(3))
    await _overdue(db, (await newest_actie(db)).id)
    await add_actie(db, config, cid, beschrijving="Afgerond werk", eigenaar="bewoner")
    done = await newest_actie(db)
    await act(db, config, "a3", "actie.afgerond", {"actie": done.id})
    await started(db, config, (code, cid))
    card = await discussion_card(db, code)
    text = plain(card)
    assert "Plan van aanpak: doelen" in text
    assert "Huisvesting: [bewoner] behoudt de woning" in text
    assert "Met [bewoner] naar de schuldhulp · Ahmed Yilmaz (Reclassering Nederland)" in text
    assert "Huisbezoek" in text and "over de termijn" in text
    assert "Afgerond werk" not in text  # open actions only
    assert not [i for i in IDENTIFIERS if i.lower() in card_text(card).lower()]


async def test_the_agenda_proposes_overdue_actions_and_casussen_without_a_plan(demo_any_db, config):
    db = demo_any_db
    late, late_id = await opgenomen(db, config)
    bare, bare_id = await opgenomen(db, config, naam="Priya Ramdin", geboren="2001-06-09")
    fine, fine_id = await opgenomen(db, config, naam="Jan de Vries", geboren="2000-01-02")
    goals_only, goals_id = await opgenomen(db, config, naam="Els Kok", geboren="1999-05-05")
    for cid in (late_id, fine_id):
        await link(db, config, cid, "a4")
        await _goal(db, config, cid, "Woning behouden")
        await add_actie(db, config, cid, deadline=future_date(5))
    await add_actie(db, config, late_id, deadline=future_date(6))
    await _overdue(db, (await newest_actie(db)).id)
    await _goal(db, config, goals_id, "Werk vinden")
    # All four were discussed once (no longer "nieuw").
    cases = ((late, late_id), (bare, bare_id), (fine, fine_id), (goals_only, goals_id))
    await started(db, config, *cases)
    for code, _ in cases:
        await besluit(db, config, "a6", code)
    closed = await say(db, config, "a6", "overleg afronden", conversation_type="channel")
    assert "afgerond" in (closed.text or ""), closed.text
    await planned(db, config)
    text = plain((await say(db, config, "a1", "agenda")).card)
    assert f"{late}" in text and "knelpunt: 1 actie over de termijn" in text
    assert "voortgang: nog geen plan van aanpak" in text
    assert "voortgang: het plan van aanpak heeft nog geen acties" in text
    lines = text.splitlines()
    for code, reason in (
        (late, "knelpunt: 1 actie over de termijn"),
        (bare, "voortgang: nog geen plan van aanpak"),
        (goals_only, "nog geen acties"),
    ):
        assert any(code in line and reason in line for line in lines), (code, reason, text)
    assert not any(fine in line and ("knelpunt" in line or "voortgang" in line) for line in lines)
