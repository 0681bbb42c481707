"""Plan van aanpak and acties (#11): filling the plan one goal or action at a time, with its
history and rights; `acties` with afgerond and uitstel in place; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from store.models import Actie, Besluit, Casus, Doel, Leefgebied, PlanWijziging, Taak
from store.reference import LEEFGEBIEDEN
from tests.helpers import RESIDENT_NAME, act, card_text, future_date, professional_id, say
from tests.test_koppelen import link
from tests.test_overleg import opgenomen, plain
from tests.test_voortraject import pending_texts


async def leefgebied_id(db, sleutel: str = "huisvesting") -> int:
    async with db.unit_of_work() as uow:
        found = await uow.session.scalar(select(Leefgebied.id).where(Leefgebied.sleutel == sleutel))
        assert found is not None
        return found


async def with_plan(db, config) -> tuple[str, int]:
    """A casus taken in (Sanne casusregisseur), Ahmed linked as betrokken."""
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    return code, cid


async def add_actie(db, config, cid: int, who: str = "a3", **values: str) -> Any:
    data = {
        "casus": cid,
        "beschrijving": "Afspraak maken bij de schuldhulp",
        "eigenaar": f"p:{await professional_id(db, 'a4')}",
        "deadline": future_date(10),
        **values,
    }
    return await act(db, config, who, "plan.actie", data)


async def newest_actie(db) -> Actie:
    async with db.unit_of_work() as uow:
        found = await uow.session.scalar(select(Actie).order_by(Actie.id.desc()).limit(1))
        assert found is not None
        return found


async def count(db, model: Any, *where: Any) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_leefgebieden_are_the_twelve_of_the_aanmelding(demo_any_db):
    async with demo_any_db.unit_of_work() as uow:
        rows = (await uow.session.execute(select(Leefgebied.sleutel, Leefgebied.naam))).all()
    assert sorted(rows) == sorted(LEEFGEBIEDEN)


async def test_fill_a_plan_one_piece_at_a_time_with_history(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)
    huis = await leefgebied_id(db)
    # Sanne (casusregisseur) records a problem and a first score, then a second one later.
    shown = await act(
        db,
        config,
        "a3",
        "plan.leefgebied",
        {"casus": cid, "leefgebied": str(huis), "probleem": "Huurachterstand", "score": "2"},
    )
    assert "Leefgebied bijgewerkt" in card_text(shown.card)
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            PlanScoreUpdate.older(cid)  # the first score was given a month ago
        )
        await uow.commit()
    await act(
        db, config, "a3", "plan.leefgebied", {"casus": cid, "leefgebied": str(huis), "score": "4"}
    )
    # Fatima (PGA-expert) sets a goal: a besluit.
    doel = await act(
        db,
        config,
        "a1",
        "plan.doel",
        {
            "casus": cid,
            "doel_leefgebied": str(huis),
            "omschrijving": "Vaste woonplek behouden",
            "goed_genoeg_als": "drie maanden geen achterstand",
        },
    )
    assert "Doel vastgelegd" in card_text(doel.card)
    added = await add_actie(db, config, cid)
    assert "Actie toegevoegd" in card_text(added.card)
    plan = await say(db, config, "a4", f"plan {code}")
    text = card_text(plan.card)
    assert RESIDENT_NAME in text  # Ahmed is linked, in his 1:1 chat
    assert "Huurachterstand" in text and "score 2 → 4 (+2 sinds de start)" in text
    assert "Vaste woonplek behouden" in text and "drie maanden geen achterstand" in text
    assert "Afspraak maken bij de schuldhulp" in text and "Ahmed Yilmaz" in text
    async with db.unit_of_work() as uow:
        besluiten = (
            await uow.session.scalars(select(Besluit.uitkomst).where(Besluit.soort == "plan"))
        ).all()
        history = (
            await uow.session.execute(select(PlanWijziging.onderwerp, PlanWijziging.wat))
        ).all()
        events = [e.event for e in await uow.audit.events(cid)]
    assert besluiten == ["doel_vastgesteld"]
    assert ("probleem", "probleem") in history and ("doel", "toegevoegd") in history
    assert ("actie", "toegevoegd") in history and ("score", f"datum:{dt.date.today()}") in history
    assert {"plan.doel", "plan.actie", "plan.probleem", "plan.bekijken"} <= set(events)
    # In words for the user (QA): no stored keys such as "datum:…" or "doel_vastgesteld".
    history_lines = text[text.index("Laatste wijzigingen") :]
    assert "score gegeven" in history_lines and "datum:" not in history_lines
    assert "toegevoegd (doel)" in history_lines
    casus = card_text((await say(db, config, "a4", f"casus {code}")).card)
    assert "Plan van aanpak: Doel vastgesteld" in casus
    assert "doel_vastgesteld" not in casus and "doel\\_vastgesteld" not in casus


class PlanScoreUpdate:
    @staticmethod
    def older(cid: int) -> Any:
        from sqlalchemy import update

        from store.models import PlanScore

        earlier = dt.date.today() - dt.timedelta(days=30)
        return (
            update(PlanScore)
            .where(PlanScore.casus_id == cid)
            .values(datum=earlier, moment=f"datum:{earlier}")
        )


async def test_one_action_at_a_time_and_a_stale_edit_is_refused(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_plan(db, config)
    await add_actie(db, config, cid)
    actie = await newest_actie(db)
    fields = {
        "casus": cid,
        "actie": str(actie.id),
        "versie": "1",
        "beschrijving": "Afspraak maken bij de schuldhulp, met de bewoner erbij",
        "eigenaar": f"p:{await professional_id(db, 'a4')}",
        "deadline": future_date(12),
        "actie_status": "bezig",
    }
    changed = await act(db, config, "a4", "plan.actie", fields)
    assert "Actie gewijzigd" in card_text(changed.card)
    # The same card again (versie 1): someone else changed it in between.
    stale = await act(db, config, "a3", "plan.actie", {**fields, "actie_status": "open"})
    assert "Iemand anders heeft dit net gewijzigd" in (stale.text or "")
    assert (await newest_actie(db)).status == "bezig"


async def test_rights_through_the_gate(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)
    await link(db, config, cid, "a6", rol="adviserend")
    goal = {"casus": cid, "omschrijving": "Schulden op orde", "goed_genoeg_als": "regeling loopt"}
    # Goals: a besluit of the PGA-expert; the casusregisseur hears who does it.
    refused = await act(db, config, "a3", "plan.doel", goal)
    assert "besluit van de PGA-expert" in (refused.text or "")
    # An adviser sees scores, not the texts, and adds no actions; Linda sees nothing.
    adviser = await say(db, config, "a6", f"plan {code}")
    assert "je ziet de scores" in card_text(adviser.card)
    assert RESIDENT_NAME not in card_text(adviser.card)
    assert "Actie toevoegen" not in card_text(adviser.card)
    assert "acties zijn voor wie eraan werkt" in (
        (await add_actie(db, config, cid, "a6")).text or ""
    )
    assert "geen toegang" in ((await say(db, config, "a5", f"plan {code}")).text or "")
    # In a channel the plan goes to the 1:1 chat.
    channel = await say(db, config, "a3", f"plan {code}", conversation_type="channel")
    assert "privéchat" in (channel.text or "") and channel.card is None
    assert await count(db, Doel) == 0 and await count(db, Actie) == 0


def error_after(node: Any, field_id: str) -> str | None:
    """The error text shown right after the input `field_id` on a card, if any."""
    if isinstance(node, dict):
        return next((e for value in node.values() if (e := error_after(value, field_id))), None)
    if isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict) and item.get("id") == field_id:
                following = node[index + 1] if index + 1 < len(node) else {}
                return following.get("text") if following.get("type") == "TextBlock" else None
            if found := error_after(item, field_id):
                return found
    return None


async def test_an_adviser_is_told_goals_and_actions_are_hidden_not_absent(demo_any_db, config):
    """QA: an adviser's plan said "Nog geen doelen / Nog geen acties" while there were some."""
    db = demo_any_db
    code, cid = await with_plan(db, config)
    await link(db, config, cid, "a6", rol="adviserend")
    empty = card_text((await say(db, config, "a6", f"plan {code}")).card)
    assert "Nog geen doelen" in empty and "Nog geen acties" in empty
    goal = {
        "casus": cid,
        "doel_leefgebied": str(await leefgebied_id(db)),
        "omschrijving": "Woning behouden",
        "goed_genoeg_als": "geen achterstand",
    }
    await act(db, config, "a1", "plan.doel", goal)
    await add_actie(db, config, cid)
    await add_actie(db, config, cid)
    shown = card_text((await say(db, config, "a6", f"plan {code}")).card)
    assert "Nog geen doelen" not in shown and "Nog geen acties" not in shown
    assert "Er is 1 doel. Als adviseur zie je niet wat erin staat." in shown
    assert "Er zijn 2 acties." in shown
    assert "Woning behouden" not in shown and "schuldhulp" not in shown


async def test_a_refused_field_is_shown_next_to_the_field(demo_any_db, config):
    """QA: a past deadline, an owner not linked or an uitstel date before the deadline came
    as a pop-up text; now the form comes back with the message next to the field."""
    db = demo_any_db
    _, cid = await with_plan(db, config)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    past = await add_actie(db, config, cid, deadline=yesterday, beschrijving="Bellen")
    assert past.text is None and "al voorbij" in (error_after(past.card, "deadline") or "")
    assert "Bellen" in str(past.card)  # what was typed stays
    linda = await professional_id(db, "a5")
    not_linked = await add_actie(db, config, cid, eigenaar=f"p:{linda}")
    assert "werkt niet (meer)" in (error_after(not_linked.card, "eigenaar") or "")
    assert await count(db, Actie) == 0
    await add_actie(db, config, cid)
    actie = await newest_actie(db)
    early = await act(
        db,
        config,
        "a4",
        "actie.uitstel",
        {"actie": actie.id, "tot": future_date(5), "uitstel_reden": "Wachtlijst"},
    )
    assert early.text is None and "na de huidige deadline" in (error_after(early.card, "tot") or "")
    assert (await newest_actie(db)).uitstel_tot is None


async def test_bad_input_gets_a_dutch_message_and_changes_nothing(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_plan(db, config)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    past = await add_actie(db, config, cid, deadline=yesterday)
    assert "al voorbij" in card_text(past.card)
    linda = await professional_id(db, "a5")
    not_linked = await add_actie(db, config, cid, eigenaar=f"p:{linda}")
    assert "werkt niet (meer) aan de casus" in card_text(not_linked.card)
    assert await count(db, Actie) == 0
    await add_actie(db, config, cid)
    actie = await newest_actie(db)
    # Jeroen (betrokken, the aanmelder) presses Ahmed's forwarded card; Linda (not linked)
    # presses its Details.
    other = await act(db, config, "a2", "actie.afgerond", {"actie": actie.id})
    assert "niet van jou" in (other.text or "")
    other = await act(db, config, "a2", "actie.uitstel.open", {"actie": actie.id})
    assert "niet van jou" in (other.text or "")
    outsider = await act(db, config, "a5", "actie.open", {"actie": actie.id})
    assert "geen toegang" in (outsider.text or "") and outsider.card is None
    done = await act(db, config, "a4", "actie.afgerond", {"actie": actie.id})
    assert "afgerond" in card_text(done.card)
    twice = await act(db, config, "a4", "actie.afgerond", {"actie": actie.id})
    assert "al afgerond" in (twice.text or "")
    # Uitstel decided by someone who is not the casusregisseur (the PGA-expert, the owner).
    await add_actie(db, config, cid)
    second = await newest_actie(db)
    asked = await act(
        db,
        config,
        "a4",
        "actie.uitstel",
        {"actie": second.id, "tot": future_date(20), "uitstel_reden": "Wachtlijst"},
    )
    assert "Uitstel gevraagd" in card_text(asked.card)
    for who in ("a1", "a4"):
        refused = await act(
            db, config, who, "actie.uitstel.besluit", {"actie": second.id, "akkoord": "ja"}
        )
        assert "casusregisseur" in (refused.text or ""), who
    assert (await newest_actie(db)).deadline == dt.date.fromisoformat(future_date(10))
    unknown = await act(
        db,
        config,
        "a1",
        "plan.doel",
        {"casus": cid, "doel_leefgebied": "99999", "omschrijving": "x", "goed_genoeg_als": "y"},
    )
    assert "Kies een leefgebied" in (unknown.text or "") and await count(db, Doel) == 0
    # A closed casus: no new actions.
    async with db.unit_of_work() as uow:
        casus = await uow.session.get(Casus, cid)
        assert casus is not None
        casus.status, casus.afgesloten_at = "afgesloten", dt.datetime.now(dt.UTC)
        await uow.commit()
    closed = await add_actie(db, config, cid)
    assert "afgesloten" in (closed.text or "")
    assert await count(db, Actie) == 2


async def test_acties_with_afgerond_and_uitstel_in_place(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)
    await add_actie(db, config, cid, beschrijving=f"{RESIDENT_NAME} bellen over de huur")
    first = await newest_actie(db)
    await add_actie(db, config, cid, eigenaar="bewoner", beschrijving="Zelf naar het loket")
    listed = await say(db, config, "a4", "acties")
    text = plain(listed.card)
    # Codes only: the typed name is redacted; the resident's own action is not Ahmed's.
    assert code in text and "[bewoner] bellen" in text and RESIDENT_NAME not in text
    assert "Zelf naar het loket" not in text
    # The casusregisseur sees all actions of her casussen.
    regie = plain((await say(db, config, "a3", "acties")).card)
    assert "[bewoner] bellen" in regie and "Zelf naar het loket" in regie
    done = await act(db, config, "a4", "actie.afgerond", {"actie": first.id, "kaart": "acties"})
    assert "Mijn acties" in plain(done.card) and "afgerond" in plain(done.card)
    assert "[bewoner] bellen" not in plain(done.card)
    assert await count(db, Taak, Taak.sleutel.like(f"{first.id}:%")) == 0
    # Uitstel: asked by the owner (Sanne for the resident), decided by the casusregisseur.
    second = await newest_actie(db)
    form = await act(
        db, config, "a3", "actie.uitstel.open", {"actie": second.id, "kaart": "acties"}
    )
    assert "Nieuwe datum" in card_text(form.card)
    await act(
        db,
        config,
        "a3",
        "actie.uitstel",
        {"actie": second.id, "tot": future_date(30), "uitstel_reden": "Loket dicht"},
    )
    sanne = await professional_id(db, "a3")
    assert any("Uitstel gevraagd" in t and code in t for t in await pending_texts(db, sanne))
    approved = await act(
        db, config, "a3", "actie.uitstel.besluit", {"actie": second.id, "akkoord": "ja"}
    )
    assert "goedgekeurd" in card_text(approved.card)
    moved = await newest_actie(db)
    assert moved.deadline == dt.date.fromisoformat(future_date(30)) and moved.uitstel_tot is None


async def test_escalate_by_hand_to_the_procesregisseur(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)
    refused = await act(db, config, "a4", "plan.escaleren", {"casus": cid})
    assert "casusregisseur" in (refused.text or "")
    done = await act(db, config, "a3", "plan.escaleren", {"casus": cid})
    assert "procesregisseur is ingeschakeld" in card_text(done.card)
    fatima = await professional_id(db, "a1")
    notices = [t for t in await pending_texts(db, fatima) if "vraagt je hulp" in t]
    assert len(notices) == 1 and code in notices[0] and RESIDENT_NAME not in notices[0]


async def fill_plan_naming_the_resident(db, config, cid: int) -> None:
    """Every plan table with typed text that names the resident (for the retention test)."""
    huis = str(await leefgebied_id(db))
    named = f"{RESIDENT_NAME} woont Lindelaan 12"
    await act(
        db, config, "a3", "plan.leefgebied", {"casus": cid, "leefgebied": huis, "probleem": named}
    )
    await act(
        db,
        config,
        "a1",
        "plan.doel",
        {"casus": cid, "omschrijving": named, "goed_genoeg_als": f"{RESIDENT_NAME} betaalt"},
    )
    await add_actie(
        db, config, cid, eigenaar=f"p:{await professional_id(db, 'a3')}", beschrijving=named
    )
    actie = await newest_actie(db)
    await act(
        db,
        config,
        "a3",
        "actie.uitstel",
        {"actie": actie.id, "tot": future_date(20), "uitstel_reden": named},
    )
    assert await count(db, Taak, Taak.sleutel.like(f"{actie.id}:%")) > 0
    from tests.test_hardening import dump_all_tables

    found = {where.split(":")[0] for where in await dump_all_tables(db, (RESIDENT_NAME,))}
    assert {"plan_probleem", "doel", "actie", "plan_wijziging"} <= found, found


async def test_interventions_suggested_per_leefgebied_and_doelgroep(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)  # doelgroep jeugd
    huis = await leefgebied_id(db, "huisvesting")
    await act(
        db, config, "a3", "plan.leefgebied", {"casus": cid, "leefgebied": str(huis), "score": "2"}
    )
    text = plain((await say(db, config, "a3", f"plan {code}")).card)
    assert "Woonbegeleiding (ambulant) (Huisvesting)" in text  # doelgroep beide
    assert "Gedragsaanwijzing" not in text.split("Suggesties")[1]  # volwassenen only
    assert "Schuldhulpverlening" not in text.split("Suggesties")[1]  # another leefgebied
    named = await add_actie(db, config, cid, interventie="Woonbegeleiding (ambulant)")
    assert "Actie toegevoegd" in plain(named.card)
    assert (await newest_actie(db)).interventie == "Woonbegeleiding (ambulant)"
    unknown = await add_actie(db, config, cid, interventie="Iets verzonnens")
    assert "Kies een interventie uit de lijst" in plain(unknown.card)
    assert await count(db, Actie) == 1


def test_the_starter_catalogue_fits_the_leefgebieden(tmp_path) -> None:
    import pytest

    from bot.settings import ConfigurationError, Settings
    from store import interventies

    catalogus = interventies.load()
    keys = {key for key, _ in LEEFGEBIEDEN}
    assert len(catalogus) >= 10 and {i.leefgebied for i in catalogus} <= keys
    assert all(i.beschrijving.startswith("Doel:") and i.bron for i in catalogus)
    broken = tmp_path / "interventies.json"
    broken.write_text('{"interventies": [{"naam": "X"}]}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="INTERVENTIES_FILE"):
        Settings.from_env({"LOCAL_MODE": "1", "INTERVENTIES_FILE": str(broken)})
    own = tmp_path / "eigen.json"
    own.write_text(
        '{"interventies": [{"naam": "Buurtbemiddeling", "leefgebied": "huisvesting", '
        '"doelgroep": "beide", "beschrijving": "Doel: rust", "bron": "Gemeente"}]}',
        encoding="utf-8",
    )
    settings = Settings.from_env({"LOCAL_MODE": "1", "INTERVENTIES_FILE": str(own)})
    assert [i.naam for i in interventies.load(settings.dialog_config().interventies_file)] == [
        "Buurtbemiddeling"
    ]


async def test_an_afspraak_in_the_overleg_becomes_an_action_once(demo_any_db, config):
    from tests.test_overleg import discussion_card, press, started

    db = demo_any_db
    code, cid = await with_plan(db, config)
    await started(db, config, (code, cid))
    card = await discussion_card(db, code)
    recorded = await press(
        db,
        config,
        "a6",
        "bespreking.afspraak",
        card,
        afspraak="Huurachterstand bespreken met de corporatie",
        eigenaar=str(await professional_id(db, "a4")),
        deadline=future_date(9),
        _form="f-1",
    )
    assert "Afspraak vastgelegd" in card_text(recorded.card)
    actie = await newest_actie(db)
    assert actie.afspraak_id and actie.eigenaar_professional_id == await professional_id(db, "a4")
    assert actie.deadline == dt.date.fromisoformat(future_date(9))
    assert await count(db, Taak, Taak.sleutel.like(f"{actie.id}:%")) == 4
    listed = plain((await say(db, config, "a4", "acties")).card)
    assert "Huurachterstand bespreken" in listed and code in listed
