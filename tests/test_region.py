"""One installation for a region (#26, findings 8, 10, 11, 12): two gemeenten, each with its
channel in its own team, a PGA-expert of both and a wijkagent who refers in both. On SQLite
and PostgreSQL. (Scoped beheer, finding 9, is in tests/test_region_beheer.py.)"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dialogs import router, signalen
from dialogs.identity import NOT_ALLOWED
from store.models import Casus
from tests.conftest import incoming
from tests.helpers import aanmelding_values, act, card_text, professional_id, say
from tests.region_world import (
    CHANNEL_N,
    CHANNEL_X,
    CHANNEL_Z,
    TEAM_N,
    TEAM_X,
    TEAM_Z,
    build_region,
    channel_press,
    channel_says,
    channels_linked,
    kanalen,
)
from tests.test_voortraject import pending_texts

CODE = re.compile(r"PGA-(?:[A-Z]{2,5}-)?\d{4}-\d{3}")


async def refer(db, config, gemeente: int, naam: str, born: str) -> str:
    values = await aanmelding_values(
        db,
        gemeente=str(gemeente),
        naam=naam,
        geboortedatum=born,
        doelgroep="volwassene",
        reden="Overlast in de wijk.",
    )
    text = card_text((await act(db, config, "a2", "aanmelding.indienen", values)).card)
    assert "Aanmelding verstuurd" in text, text[:300]
    return CODE.findall(text)[0]


# --- 8: kanaal links the gemeente of the channel's team ---------------------------------------


async def test_kanaal_in_the_team_of_one_gemeente_links_that_gemeente(demo_any_db, config):
    db = demo_any_db
    await build_region(db)
    await channels_linked(db, config)
    assert await kanalen(db) == {"Noorderveld": CHANNEL_N, "Zuiderstad": CHANNEL_Z}
    # Dewi is PGA-expert of both; typed in Noorderveld's channel, Zuiderstad stays where it is.
    answer = await channel_says(db, config, "d1", (CHANNEL_N, TEAM_N), "kanaal")
    assert "Noorderveld" in (answer.text or "")
    assert await kanalen(db) == {"Noorderveld": CHANNEL_N, "Zuiderstad": CHANNEL_Z}


async def test_kanaal_where_no_team_says_which_asks_and_moves_only_what_was_chosen(
    demo_any_db, config
):
    db = demo_any_db
    region = await build_region(db)
    await channels_linked(db, config)
    asked = await channel_says(db, config, "d1", (CHANNEL_X, TEAM_X), "kanaal")
    choice = card_text(asked.card)
    assert "Voor welke gemeente is dit kanaal?" in choice
    titles = [a["title"] for a in asked.card["actions"]]
    assert titles == ["Noorderveld", "Zuiderstad"] and "heeft al een kanaal" in choice
    assert await kanalen(db) == {"Noorderveld": CHANNEL_N, "Zuiderstad": CHANNEL_Z}
    pressed = await channel_press(
        db, config, "d1", (CHANNEL_X, TEAM_X), "kanaal.koppelen", {"gemeente": region.noorderveld}
    )
    assert "Noorderveld" in (pressed.text or "") and "niet meer" in (pressed.text or "")
    assert await kanalen(db) == {"Noorderveld": CHANNEL_X, "Zuiderstad": CHANNEL_Z}


async def test_kanaal_never_takes_the_channel_of_another_gemeentes_team(demo_any_db, config):
    db = demo_any_db
    region = await build_region(db)
    await channels_linked(db, config)
    # Bram (Noorderveld only) in Zuiderstad's team, typed and by a forged press: refused.
    typed = await channel_says(db, config, "b1", (CHANNEL_Z, TEAM_Z), "kanaal")
    pressed = await channel_press(
        db, config, "b1", (CHANNEL_Z, TEAM_Z), "kanaal.koppelen", {"gemeente": region.noorderveld}
    )
    assert "team van een andere gemeente" in (typed.text or "")
    assert "team van een andere gemeente" in (pressed.text or "")
    # Fatima (Zuiderstad) presses Noorderveld on a choice card: not hers.
    forged = await channel_press(
        db, config, "a1", (CHANNEL_X, TEAM_X), "kanaal.koppelen", {"gemeente": region.noorderveld}
    )
    assert "Noorderveld" not in (forged.text or "")
    assert await kanalen(db) == {"Noorderveld": CHANNEL_N, "Zuiderstad": CHANNEL_Z}


# --- 10: casus codes are unique in the installation ------------------------------------------


async def test_codes_are_unique_and_each_casus_is_reached_by_its_own(demo_any_db, config):
    db = demo_any_db
    region = await build_region(db)
    zuid = await refer(db, config, region.zuiderstad, "Kevin Oudeman", "2003-04-17")
    noord = await refer(db, config, region.noorderveld, "Ria Veldhuis", "1980-05-06")
    assert zuid != noord
    assert zuid.startswith("PGA-ZUI-") and noord.startswith("PGA-NOO-")
    # The wijkagent reaches each by its code, in its own gemeente.
    for code, gemeente in ((zuid, region.zuiderstad), (noord, region.noorderveld)):
        shown = await say(db, config, "a2", f"casus {code}")
        assert code in card_text(shown.card)
        async with db.unit_of_work() as uow:
            found = (await uow.session.scalars(select(Casus).where(Casus.code == code))).all()
        assert [c.gemeente_id for c in found] == [gemeente]
    # The signaal form: two choices, two titles, each naming its gemeente.
    form = (await say(db, config, "a2", "signaal")).card
    choices = next(
        element["choices"]
        for element in json.loads(card_text(form))["body"]
        if element.get("id") == "casus"
    )
    titles = [c["title"] for c in choices]
    assert len(titles) == 2 == len(set(titles))
    assert f"{zuid} (Zuiderstad)" in titles and f"{noord} (Noorderveld)" in titles


async def test_the_database_refuses_a_code_twice_in_the_installation(demo_any_db, config):
    db = demo_any_db
    region = await build_region(db)
    zuid = await refer(db, config, region.zuiderstad, "Kevin Oudeman", "2003-04-17")
    noord = await refer(db, config, region.noorderveld, "Ria Veldhuis", "1980-05-06")
    async with db.unit_of_work() as uow:
        with pytest.raises(IntegrityError):
            await uow.session.execute(update(Casus).where(Casus.code == noord).values(code=zuid))
            await uow.session.flush()


async def test_one_gemeente_keeps_the_codes_it_had(demo_any_db, config):
    db = demo_any_db
    async with db.unit_of_work() as uow:
        zuiderstad = (await uow.people.gemeenten())[0].id
    code = await refer(db, config, zuiderstad, "Kevin Oudeman", "2003-04-17")
    assert re.fullmatch(r"PGA-\d{4}-001", code)
    assert code in card_text((await say(db, config, "a2", f"casus {code}")).card)


# --- 11: the channel screen is no oracle -----------------------------------------------------


async def test_a_name_of_another_gemeente_is_not_recognised_in_a_channel(demo_any_db, config):
    db = demo_any_db
    region = await build_region(db)
    await channels_linked(db, config)
    await refer(db, config, region.zuiderstad, "Kevin Oudeman", "2003-04-17")
    jeroen = await professional_id(db, "a2")
    before = await pending_texts(db, jeroen)
    in_noorderveld = await channel_says(db, config, "a2", (CHANNEL_N, TEAM_N), "is Oudeman er?")
    miss = await channel_says(db, config, "a2", (CHANNEL_N, TEAM_N), "is Jansen er?")
    assert (in_noorderveld.card, in_noorderveld.text) == (miss.card, miss.text)
    assert await pending_texts(db, jeroen) == before  # no warning: not an inwoner here


async def test_a_hit_and_a_miss_look_the_same_in_the_channel(demo_any_db, config):
    db = demo_any_db
    region = await build_region(db)
    await channels_linked(db, config)
    code = await refer(db, config, region.zuiderstad, "Kevin Oudeman", "2003-04-17")
    jeroen = await professional_id(db, "a2")
    where = (CHANNEL_Z, TEAM_Z)
    for hit, miss in (
        ("is Oudeman er?", "is Jansen er?"),
        (f"tijdlijn {code} Oudeman", f"tijdlijn {code} Jansen"),
        ("casus Oudeman", "casus Jansen"),
        ("Kevin Oudeman 17-04-2003", "Karel Jansen 01-01-1990"),
    ):
        before = len(await pending_texts(db, jeroen))
        answered = await channel_says(db, config, "a2", where, hit)
        missed = await channel_says(db, config, "a2", where, miss)
        assert (answered.card, answered.text) == (missed.card, missed.text), hit
        assert "oudeman" not in json.dumps([answered.card, answered.text]).lower()
        pending = await pending_texts(db, jeroen)
        assert len(pending) == before + 1 and pending[-1].endswith(signalen.REMOVE_PLEASE)


# --- 12: contradicting tenant fields ---------------------------------------------------------


async def test_an_activity_without_one_tenant_is_answered_as_another_tenant(demo_db, config):
    other = replace(incoming("a2"), tenant_id="99999999-0000-0000-0000-000000000099")
    unclear = replace(incoming("a2"), tenant_id="")  # bot/translate.py: fields disagree
    answers = [
        (await router.handle_text(demo_db, config, who, "help")).text for who in (other, unclear)
    ]
    assert answers == [NOT_ALLOWED, NOT_ALLOWED]


async def test_lists_name_the_gemeente_only_where_there_are_several(demo_any_db, config):
    db = demo_any_db
    region = await build_region(db)
    zuid = await refer(db, config, region.zuiderstad, "Kevin Oudeman", "2003-04-17")
    noord = await refer(db, config, region.noorderveld, "Ria Veldhuis", "1980-05-06")
    async with db.unit_of_work() as uow:
        ids = {
            c.code: c.id
            for c in (await uow.session.scalars(select(Casus).where(Casus.code.in_([zuid, noord]))))
        }
        both = await uow.people.gemeente_labels([ids[zuid], ids[noord]])
        one = await uow.people.gemeente_labels([ids[zuid]])
    assert both == {ids[zuid]: "Zuiderstad", ids[noord]: "Noorderveld"} and one == {}
