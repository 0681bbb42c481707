"""The casus workflow in the store (store/casus.py): referral and code, the triage list,
decisions, links with their checklist, the startgesprek, retention and single-use keys.
Each write is checked with what it stored and what it logged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from sqlalchemy import delete, select, update

import store.casus as casus_module
from store.access import (
    ADVISEREND,
    BETROKKEN,
    CASUSREGISSEUR,
    GEMEENTE_EXPERT,
    AccessDenied,
    Need,
    NotFound,
    StateRefused,
)
from store.casus import AMSTERDAM
from store.db import Database
from store.models import (
    Aanmelding,
    Afspraak,
    Bericht,
    Besluit,
    Betrokkene,
    Casus,
    CasusVolgnummer,
    Concept,
    Gemeente,
    Persoonsgegevens,
    Startgesprek,
    utcnow,
)
from store.outbox import PrivateMessage
from store.views import Checklist
from tests.test_rules_gate import (
    PERSOON,
    World,
    ask,
    audit_rows,
    build,
    last_audit_id,
    make_casus,
)


@pytest.fixture
async def world(sqlite_db: Database) -> World:
    return await build(sqlite_db)


async def opened(world: World, who: int, need: Need = Need.OVERZICHT):
    uow = world.db.unit_of_work()
    return uow, await uow.casussen.open(world.casus_id, ask(who), need)


# --- referral -------------------------------------------------------------------------------------


async def test_a_referral_makes_a_pseudonymous_casus_linking_the_referrer(world: World) -> None:
    year = utcnow().astimezone(AMSTERDAM).year
    # Two gemeenten in this world: the code carries Teststad's short code (#26).
    assert world.code == f"PGA-TES-{year}-001"
    async with world.db.unit_of_work() as uow:
        casus = await uow.session.get(Casus, world.casus_id)
        persoon = await uow.session.get(Persoonsgegevens, world.casus_id)
        links = (await uow.session.scalars(select(Betrokkene))).all()
        aanmelding = await uow.session.scalar(select(Aanmelding))
        assert casus is not None and persoon is not None and aanmelding is not None
        assert (casus.gemeente_id, casus.status, casus.doelgroep, casus.urgentie) == (
            world.gemeente_id,
            "aangemeld",
            "volwassene",
            "hoog",
        )
        assert casus.created_at is not None and casus.afgesloten_at is None
        assert (persoon.naam, persoon.naam_sleutel, persoon.geboortedatum, persoon.woonplaats) == (
            "Kim de Wit",
            "kim de wit",
            dt.date(1990, 1, 2),
            "Teststad",
        )
        assert (aanmelding.aanmelder_id, aanmelding.reden) == (
            world.aanmelder,
            "Kim de Wit veroorzaakt overlast",
        )
        referrer = next(b for b in links if b.professional_id == world.aanmelder)
        assert (referrer.rol, referrer.doel, referrer.grondslag, referrer.toegevoegd_door_id) == (
            BETROKKEN,
            "Aanmelding",
            "art6_1e",
            world.aanmelder,
        )
    events = [e for e in await audit_rows(world.db) if e[6] == world.casus_id]
    assert events == [
        ("betrokkene.koppelen", "C", "success", world.aanmelder, None, "koppeling betrokken",
         world.casus_id,
         f"professional={world.aanmelder} rol=betrokken grondslag=art6_1e uitzondering=- "
         "beroepsgeheim=- geinformeerd=None"),
        ("aanmelding.indienen", "C", "success", world.aanmelder, BETROKKEN, None,
         world.casus_id, None),
    ]  # fmt: skip


async def test_codes_count_up_per_municipality(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        second = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="B")
        elders = await make_casus(uow, world.other_gemeente_id, world.aanmelder, naam="C")
        third = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="D")
        await uow.commit()
    year = utcnow().astimezone(AMSTERDAM).year
    assert [second[1], elders[1], third[1]] == [
        f"PGA-TES-{year}-002",
        f"PGA-ELD-{year}-001",
        f"PGA-TES-{year}-003",
    ]


async def test_the_referrers_view_names_their_role(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        view = await uow.casussen.create(
            gemeente_id=world.gemeente_id,
            doelgroep="jeugd",
            urgentie="normaal",
            persoon={"naam": "X Y", "geboortedatum": dt.date(2001, 2, 3), "woonplaats": "T"},
            aanmelding={
                "criteria": {},
                "leefgebieden": [],
                "partner_ids": [],
                "reden": "r",
                "bewoner_geinformeerd": True,
                "reden_niet_geinformeerd": None,
            },
            aanmelder=ask(world.outsider),
            link=Checklist("d", "art6_1e"),
        )
    assert view.roles == {BETROKKEN}
    assert (view.doelgroep, view.urgentie, view.status) == ("jeugd", "normaal", "aangemeld")
    assert view.gemeente_naam == "Teststad" and view.kanaal_conversation_id is None


async def test_a_referral_just_after_new_year_in_amsterdam_counts_in_the_new_year(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 UTC on 31 December is 00:30 on 1 January in Amsterdam.
    monkeypatch.setattr(
        casus_module, "utcnow", lambda: dt.datetime(2030, 12, 31, 23, 30, tzinfo=dt.UTC)
    )
    async with world.db.unit_of_work() as uow:
        uow.session.add(CasusVolgnummer(gemeente_id=world.gemeente_id, jaar=2030, laatste=41))
        await uow.session.flush()
        _, code = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Nieuwjaar")
        old = await uow.session.get(CasusVolgnummer, (world.gemeente_id, 2030))
        assert old is not None and old.laatste == 41
    assert code == "PGA-TES-2031-001"


# --- the triage list ------------------------------------------------------------------------------


async def test_the_triage_list_holds_open_referrals_of_the_experts_municipalities(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        later_id, later_code = await make_casus(uow, world.gemeente_id, world.aanmelder)
        decided_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder)
        await make_casus(uow, world.other_gemeente_id, world.aanmelder)
        await uow.session.execute(
            update(Aanmelding)
            .where(Aanmelding.casus_id == world.casus_id)
            .values(ingediend_at=utcnow() + dt.timedelta(minutes=5))
        )
        await uow.session.execute(
            update(Casus).where(Casus.id == decided_id).values(status="opgenomen")
        )
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        items = await uow.casussen.open_aanmeldingen(ask(world.expert))
        assert await uow.casussen.open_aanmeldingen(ask(world.regisseur)) == []
    assert [(i.casus_id, i.code) for i in items] == [
        (later_id, later_code),
        (world.casus_id, world.code),
    ]
    first = items[0]
    assert (first.doelgroep, first.urgentie, first.criteria_met) == ("volwassene", "hoog", 2)
    assert first.ingediend_at is not None


# --- decisions ------------------------------------------------------------------------------------


async def test_a_triage_decision_closes_the_referral_once(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        other_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder)
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        await casus.decide_triage("afgewezen")
        assert casus.view.status == "afgewezen"
        # Decided: the gate refuses a second decision (#26), a concurrent one is a Conflict.
        with pytest.raises(StateRefused, match=r"^triage$"):
            await casus.decide_triage("opgenomen")
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        row = await uow.session.get(Casus, world.casus_id)
        statuses = dict(
            (await uow.session.execute(select(Aanmelding.casus_id, Aanmelding.status))).all()
        )
        assert row is not None and row.status == "afgewezen" and row.afgesloten_at is not None
    assert statuses == {world.casus_id: "afgehandeld", other_id: "open"}


async def test_taking_a_casus_on_does_not_close_it(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        await casus.decide_triage("opgenomen")
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        row = await uow.session.get(Casus, world.casus_id)
        assert row is not None and row.status == "opgenomen" and row.afgesloten_at is None


async def test_decisions_are_recorded_listed_in_order_and_logged(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        other_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder)
        other = await uow.casussen.open(other_id, ask(world.expert), Need.TRIAGE)
        await other.record_besluit(Need.TRIAGE, soort="triage", uitkomst="x", toelichting=None)
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        first = await casus.record_besluit(
            Need.TRIAGE,
            soort="triage",
            uitkomst="opnemen",
            toelichting="past",
            details={"casusregisseur": world.regisseur},
        )
        second = await casus.record_besluit(
            Need.TRIAGE, soort="startgesprek", uitkomst="gehouden", toelichting=None
        )
        await uow.commit()
    assert (first.soort, first.uitkomst, first.toelichting, first.details) == (
        "triage",
        "opnemen",
        "past",
        {"casusregisseur": world.regisseur},
    )
    assert first.genomen_door_id == world.expert and first.genomen_at is not None
    assert second.details == {} and second.id > first.id
    async with world.db.unit_of_work() as uow:
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.DOSSIER)
        listed = await regie.besluiten()
    # SQLite gives the time back without its zone: compare the rest.
    when = dt.datetime(2000, 1, 1)
    assert [replace(b, genomen_at=when) for b in listed] == [
        replace(first, genomen_at=when),
        replace(second, genomen_at=when),
    ]
    assert all(b.genomen_at is not None for b in listed)
    logged = [e for e in await audit_rows(world.db, after=start) if e[6] == world.casus_id]
    assert logged == [
        ("triage.besluit", "U", "success", world.expert, GEMEENTE_EXPERT, None,
         world.casus_id, "opnemen"),
        ("startgesprek.besluit", "U", "success", world.expert, GEMEENTE_EXPERT, None,
         world.casus_id, "gehouden"),
    ]  # fmt: skip


async def test_a_decision_needs_the_right_need(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.OVERZICHT)
        with pytest.raises(AccessDenied):
            await casus.record_besluit(Need.TRIAGE, soort="t", uitkomst="u", toelichting=None)
        await casus.record_besluit(
            Need.STARTGESPREK, soort="startgesprek", uitkomst="gehouden", toelichting=None
        )


# --- links ----------------------------------------------------------------------------------------


CHECKLIST = Checklist(
    doel="Samenwerking",
    grondslag="art6_1e",
    uitzondering="art9_2g",
    beroepsgeheim="conflict_van_plichten",
    noodzaak="Alleen zo te stoppen",
    bewoner_geinformeerd=False,
    reden_niet_geinformeerd="Gevaar",
)


async def test_linking_records_the_whole_checklist_once_and_logs_codes_only(
    world: World,
) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.KOPPELEN)
        assert await casus.link(world.outsider, BETROKKEN, CHECKLIST) is True
        assert await casus.link(world.outsider, BETROKKEN, CHECKLIST) is False
        assert await casus.link(world.outsider, ADVISEREND, CHECKLIST) is True
        assert await casus.unlink(world.outsider, ADVISEREND, "toch niet") is True
        assert await casus.link(world.expert, CASUSREGISSEUR, CHECKLIST) is True
        assert casus.roles == {GEMEENTE_EXPERT, CASUSREGISSEUR}  # the gate sees the new role
        assert await casus.earlier_checklist(world.outsider, BETROKKEN) == CHECKLIST
        assert await casus.earlier_checklist(world.outsider, CASUSREGISSEUR) is None
        people = {p.professional_id: p for p in await casus.betrokkenen()}
        await uow.commit()
    assert people[world.outsider].checklist == CHECKLIST
    async with world.db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(Betrokkene).where(Betrokkene.professional_id == world.outsider)
        )
        assert row is not None and row.toegevoegd_door_id == world.expert and row.sinds
    logged = await audit_rows(world.db, after=start)
    assert [e[0] for e in logged[1:3]] == ["betrokkene.koppelen", "betrokkene.ontkoppelen"]
    assert [logged[0], logged[3]] == [
        ("betrokkene.koppelen", "C", "success", world.expert, None, "koppeling betrokken",
         world.casus_id,
         f"professional={world.outsider} rol=betrokken grondslag=art6_1e "
         "uitzondering=art9_2g beroepsgeheim=conflict_van_plichten geinformeerd=False"),
        ("betrokkene.koppelen", "C", "success", world.expert, None, "koppeling casusregisseur",
         world.casus_id,
         f"professional={world.expert} rol=casusregisseur grondslag=art6_1e "
         "uitzondering=art9_2g beroepsgeheim=conflict_van_plichten geinformeerd=False"),
    ]  # fmt: skip


async def test_only_who_decides_on_links_sees_their_checklists(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.OVERZICHT)
        assert all(p.checklist is None for p in await regie.betrokkenen())
        with pytest.raises(AccessDenied):
            await regie.link(world.outsider, BETROKKEN, CHECKLIST)
        # Triage links the casusregisseur under its own need.
        expert = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        assert await expert.link(world.outsider, CASUSREGISSEUR, CHECKLIST, need=Need.TRIAGE)


async def test_unlinking_ends_the_role_from_now_on_and_is_logged(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.KOPPELEN)
        assert await casus.unlink(world.regisseur, BETROKKEN, "verkeerde rol") is False
        assert await casus.unlink(world.regisseur, CASUSREGISSEUR, "verhuisd") is True
        assert await casus.unlink(world.regisseur, CASUSREGISSEUR, "nogmaals") is False
        earlier = await casus.earlier_checklist(world.regisseur, CASUSREGISSEUR)
        await uow.commit()
    assert earlier == Checklist(doel="test", grondslag="art6_1e")
    async with world.db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(Betrokkene).where(Betrokkene.professional_id == world.regisseur)
        )
        assert row is not None and row.tot is not None
        assert (row.tot_reden, row.beeindigd_door_id) == ("verhuisd", world.expert)
        with pytest.raises(AccessDenied):
            await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.OVERZICHT)
    assert await audit_rows(world.db, after=start) == [
        ("betrokkene.ontkoppelen", "U", "success", world.expert, GEMEENTE_EXPERT, None,
         world.casus_id, f"professional={world.regisseur} rol=casusregisseur"),
    ]  # fmt: skip


async def test_unlinking_and_the_earlier_checklist_are_per_casus_and_most_recent(
    world: World,
) -> None:
    again = Checklist(doel="Opnieuw", grondslag="art6_1c")
    async with world.db.unit_of_work() as uow:
        other_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Ander")
        other = await uow.casussen.open(other_id, ask(world.expert), Need.KOPPELEN)
        await other.link(world.outsider, CASUSREGISSEUR, CHECKLIST)
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.KOPPELEN)
        assert await casus.earlier_checklist(world.outsider, CASUSREGISSEUR) is None
        assert await casus.unlink(world.outsider, CASUSREGISSEUR, "niet hier") is False
        await casus.unlink(world.regisseur, CASUSREGISSEUR, "eerst weg")
        await casus.link(world.regisseur, CASUSREGISSEUR, again)
        await casus.unlink(world.regisseur, CASUSREGISSEUR, "weer weg")
        assert await casus.earlier_checklist(world.regisseur, CASUSREGISSEUR) == again
        assert await other.earlier_checklist(world.outsider, CASUSREGISSEUR) == CHECKLIST
        await casus.link(world.outsider, CASUSREGISSEUR, CHECKLIST)
        assert await casus.unlink(world.outsider, CASUSREGISSEUR, "alleen hier") is True
        assert [p.professional_id for p in await other.betrokkenen()] == [
            world.aanmelder,
            world.outsider,
        ]


async def test_unlinking_yourself_updates_your_roles_at_once(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.KOPPELEN)
        await casus.link(world.expert, CASUSREGISSEUR, CHECKLIST)
        await casus.unlink(world.expert, CASUSREGISSEUR, "klaar")
        assert casus.roles == {GEMEENTE_EXPERT}


# --- startgesprek ---------------------------------------------------------------------------------


async def test_the_startgesprek_is_planned_moved_and_recorded_once(world: World) -> None:
    when = dt.datetime(2030, 5, 1, 10, 0)
    later = dt.datetime(2030, 5, 8, 10, 0)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        assert await casus.startgesprek() is None
        await casus.plan_startgesprek(
            Need.TRIAGE, gepland_op=when, locatie="Stadhuis", deelnemers="Kim, Eva"
        )
        await casus.plan_startgesprek(Need.TRIAGE, gepland_op=later)
        planned = await casus.startgesprek()
        assert planned is not None
        assert (planned.gepland_op, planned.locatie, planned.deelnemers, planned.status) == (
            later,
            "Stadhuis",
            "Kim, Eva",
            "gepland",
        )
        assert planned.visie_bewoner is None and planned.vastgelegd_at is None
        assert planned.correcties == []
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.STARTGESPREK)
        assert await regie.record_startgesprek(
            status="gehouden", gehouden_op=when, visie_bewoner="Wil hulp"
        )
        # Recorded: planning no longer moves it, and a repeat without reason is refused.
        await regie.plan_startgesprek(Need.STARTGESPREK, gepland_op=later, locatie="Elders")
        assert not await regie.record_startgesprek(
            status="niet_gehouden", gehouden_op=later, visie_bewoner=None
        )
        done = await regie.startgesprek()
        await uow.commit()
    assert done is not None
    assert (done.status, done.gepland_op, done.locatie, done.visie_bewoner) == (
        "gehouden",
        when,
        "Stadhuis",
        "Wil hulp",
    )
    assert done.vastgelegd_at is not None
    async with world.db.unit_of_work() as uow:
        row = await uow.session.get(Startgesprek, world.casus_id)
        assert row is not None and row.vastgelegd_door_id == world.regisseur


async def test_a_correction_keeps_the_original_beside_it(world: World) -> None:
    when = dt.datetime(2030, 5, 1, 10, 0)
    async with world.db.unit_of_work() as uow:
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.STARTGESPREK)
        await regie.record_startgesprek(status="gehouden", gehouden_op=when, visie_bewoner="Ja")
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        expert = await uow.casussen.open(world.casus_id, ask(world.expert), Need.STARTGESPREK)
        first = await uow.session.get(Startgesprek, world.casus_id)
        assert first is not None
        recorded_at = first.vastgelegd_at
        assert await expert.record_startgesprek(
            status="niet_gehouden",
            gehouden_op=when + dt.timedelta(days=1),
            visie_bewoner=None,
            correctie_reden="Verkeerd aangeklikt",
        )
        view = await expert.startgesprek()
        await uow.commit()
    assert view is not None and view.status == "niet_gehouden" and view.visie_bewoner is None
    assert recorded_at is not None
    assert view.correcties == [
        {
            "status": "gehouden",
            "gepland_op": when.isoformat(),
            "visie_bewoner": "Ja",
            "vastgelegd_at": recorded_at.isoformat(),
            "vastgelegd_door_id": world.regisseur,
            "reden": "Verkeerd aangeklikt",
            "gecorrigeerd_door_id": world.expert,
        }
    ]
    async with world.db.unit_of_work() as uow:
        row = await uow.session.get(Startgesprek, world.casus_id)
        assert row is not None and row.vastgelegd_door_id == world.expert


async def test_recording_without_a_planned_date_keeps_none_in_the_correction(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        uow.session.add(
            Startgesprek(
                casus_id=world.casus_id,
                status="gehouden",
                vastgelegd_at=utcnow(),
                vastgelegd_door_id=world.regisseur,
                correcties=None,
            )
        )
        await uow.session.flush()
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.STARTGESPREK)
        assert await regie.record_startgesprek(
            status="gehouden", gehouden_op=utcnow(), visie_bewoner="x", correctie_reden="datum"
        )
        view = await regie.startgesprek()
    assert view is not None and len(view.correcties) == 1
    assert view.correcties[0]["gepland_op"] is None


# --- retention ------------------------------------------------------------------------------------


async def close(db: Database, casus_id: int, days_ago: int) -> None:
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Casus)
            .where(Casus.id == casus_id)
            .values(status="afgewezen", afgesloten_at=utcnow() - dt.timedelta(days=days_ago))
        )
        await uow.commit()


async def test_retention_strips_every_identifying_field_of_that_casus_only(
    world: World,
) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        keep_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Ander")
        for casus_id in (world.casus_id, keep_id):
            casus = await uow.casussen.open(casus_id, ask(world.expert), Need.TRIAGE)
            await casus.link(world.outsider, BETROKKEN, CHECKLIST)
            await casus.record_besluit(
                Need.TRIAGE, soort="triage", uitkomst="x", toelichting="Kim", details={"a": 1}
            )
            await casus.plan_startgesprek(
                Need.TRIAGE, gepland_op=utcnow(), locatie="Thuis", deelnemers="Kim"
            )
            await casus.record_startgesprek(
                status="gehouden", gehouden_op=utcnow(), visie_bewoner="Kim wil"
            )
            await casus.record_startgesprek(
                status="gehouden", gehouden_op=utcnow(), visie_bewoner="x", correctie_reden="y"
            )
            await casus.unlink(world.outsider, BETROKKEN, "Kim verhuist")
            await uow.berichten.put(PrivateMessage(world.expert, text="Kim", casus_id=casus_id))
            await uow.berichten.put(PrivateMessage(world.expert, text="sent", casus_id=casus_id))
        await uow.session.flush()
        await uow.session.execute(
            update(Bericht)
            .where(Bericht.tekst == "sent")
            .values(verzonden_at=utcnow(), tekst=None, activity_id="act-1")
        )
        await uow.commit()
    await close(db, world.casus_id, 400)
    await close(db, keep_id, 400)
    start = await last_audit_id(db)
    async with db.unit_of_work() as uow:
        row = await uow.session.get(Casus, world.casus_id)
        assert row is not None
        assert await uow.casussen._anonymise(row) is True
        assert await uow.casussen._anonymise(row) is False  # another worker got there first
        await uow.commit()
    assert await audit_rows(db, after=start) == [
        ("retentie.anonimiseren", "D", "success", None, None, None, world.casus_id,
         "bewaartermijn"),
    ]  # fmt: skip
    async with db.unit_of_work() as uow:

        async def of(model, casus_id):
            return (
                await uow.session.scalars(select(model).where(model.casus_id == casus_id))
            ).all()

        for casus_id, gone in ((world.casus_id, True), (keep_id, False)):
            links = await of(Betrokkene, casus_id)
            assert all(
                (b.doel == "(verwijderd na bewaartermijn)") is gone
                and (b.noodzaak is None) is gone
                and (b.reden_niet_geinformeerd is None) is gone
                for b in links
                if b.professional_id == world.outsider
            )
            ended = next(b for b in links if b.professional_id == world.outsider)
            assert (ended.tot_reden is None) is gone
            assert (await of(Persoonsgegevens, casus_id) == []) is gone
            # Unsent messages go; a sent one keeps its activity id (to replace the card).
            berichten = await of(Bericht, casus_id)
            assert [b.activity_id for b in berichten] == (["act-1"] if gone else [None, "act-1"])
            (aanmelding,) = await of(Aanmelding, casus_id)
            assert (aanmelding.reden == "") is gone
            assert (aanmelding.reden_niet_geinformeerd is None) is gone
            assert (aanmelding.criteria == {}) is gone
            (besluit,) = await of(Besluit, casus_id)
            assert (besluit.toelichting is None and besluit.details == {}) is gone
            (gesprek,) = await of(Startgesprek, casus_id)
            assert (gesprek.visie_bewoner is None) is gone and (gesprek.locatie is None) is gone
            assert (gesprek.deelnemers is None) is gone and (gesprek.correcties == []) is gone


async def test_retention_takes_closed_cases_past_the_term_and_counts_them(world: World) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        second, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="B")
        recent, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="C")
        open_, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="D")
        await uow.berichten.put(PrivateMessage(world.expert, text="geen casus"))
        await uow.commit()
    await close(db, world.casus_id, 400)
    await close(db, second, 380)
    await close(db, recent, 10)
    async with db.unit_of_work() as uow:
        assert await uow.casussen.anonymise_closed(utcnow() - dt.timedelta(days=365)) == 2
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.casussen.anonymise_closed(utcnow() - dt.timedelta(days=365)) == 0
        left = (await uow.session.scalars(select(Persoonsgegevens.casus_id))).all()
        texts = [b.tekst for b in await uow.berichten.pending()]
    assert sorted(left) == sorted([recent, open_])
    assert texts == ["geen casus"]


async def test_retention_drops_anyones_draft_that_names_the_resident(world: World) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        await uow.people.save_concept(world.outsider, "aanmelding", {"a": "x", "naam": "kim"})
        await uow.people.save_concept(world.regisseur, "aanmelding", {"geb": "02-01-1990"})
        await uow.people.save_concept(world.adviseur, "aanmelding", {"naam": "Piet", "n": 3})
        await uow.commit()
    await close(db, world.casus_id, 400)
    async with db.unit_of_work() as uow:
        assert await uow.casussen.anonymise_closed(utcnow()) == 1
        await uow.commit()
    async with db.unit_of_work() as uow:
        left = (await uow.session.scalars(select(Concept.professional_id))).all()
    assert left == [world.adviseur]


async def test_without_identifiers_no_draft_is_dropped(world: World) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        await uow.people.save_concept(world.outsider, "aanmelding", {"naam": "Kim de Wit"})
        await uow.session.execute(delete(Persoonsgegevens))
        await uow.commit()
    await close(db, world.casus_id, 400)
    async with db.unit_of_work() as uow:
        assert await uow.casussen.identifiers(world.casus_id) == []
        assert await uow.casussen.anonymise_closed(utcnow()) == 1
        await uow.commit()
        assert await uow.people.concept(world.outsider, "aanmelding") == {"naam": "Kim de Wit"}


async def test_after_retention_identity_and_referral_are_gone(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(delete(Persoonsgegevens))
        await uow.session.execute(delete(Aanmelding))
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.aanmelder), Need.IDENTITEIT)
        with pytest.raises(NotFound, match=r"^persoonsgegevens$"):
            await casus.identiteit("x")
        with pytest.raises(NotFound, match=r"^aanmelding$"):
            await casus.aanmelding()
        assert await casus.aanmelder_id() is None
        shared = await casus.shared()
        assert (shared.criteria_met, shared.leefgebieden) == (0, 0)
        assert shared.redact("Kim de Wit") == "Kim de Wit"


# --- single-use keys ------------------------------------------------------------------------------


async def test_a_key_is_used_once_and_remembers_its_result(sqlite_db: Database) -> None:
    async with sqlite_db.unit_of_work() as uow:
        assert not await uow.casussen.was_used("k1")
        assert await uow.casussen.result_of("k1") is None
        assert await uow.casussen.use_once("k1", "PGA-2030-001") is True
        assert await uow.casussen.use_once("k1", "other") is False
        assert await uow.casussen.use_once("k2") is True
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.casussen.result_of("k1") == "PGA-2030-001"
        assert await uow.casussen.was_used("k1") and await uow.casussen.was_used("k2")
        assert await uow.casussen.result_of("k2") is None
        assert not await uow.casussen.was_used("k3")


# --- the letterhead -----------------------------------------------------------------------------


async def test_the_letter_gets_its_own_reference_once_and_the_municipalitys_letterhead(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        # Made at 00:30 on 1 January in Amsterdam: a letter of the new year.
        await uow.session.execute(
            update(Casus)
            .where(Casus.id == world.casus_id)
            .values(created_at=dt.datetime(2030, 12, 31, 23, 30, tzinfo=dt.UTC))
        )
        await uow.session.execute(
            update(Gemeente)
            .where(Gemeente.id == world.gemeente_id)
            .values(adres="Markt 1", burgemeester="A. Burg", logo=b"png")
        )
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.OVERZICHT)
        with pytest.raises(AccessDenied):
            await regie.letterhead()
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.BRIEF)
        head = await casus.letterhead()
        kenmerk = casus.brief_kenmerk
        again = await casus.letterhead()
        assert casus.brief_kenmerk == kenmerk
        await uow.commit()
    assert (head.gemeente, head.adres, head.burgemeester, head.logo) == (
        "Teststad",
        "Markt 1",
        "A. Burg",
        b"png",
    )
    assert again == head
    assert kenmerk is not None and re.fullmatch(r"BR-2031-[0-9A-F]{6}", kenmerk)
    async with world.db.unit_of_work() as uow:
        row = await uow.session.get(Casus, world.casus_id)
        assert row is not None and row.brief_kenmerk == kenmerk


# --- afspraken (made in an overleg) ------------------------------------------------------------


def afspraak(casus_id: int, eigenaar: int, text: str, days: int) -> Afspraak:
    return Afspraak(
        casus_id=casus_id,
        agendapunt_id=None,
        beschrijving=text,
        beschrijving_gedeeld=text.replace("Kim", "[bewoner]"),
        eigenaar_id=eigenaar,
        deadline=dt.date(2030, 1, days),
        vastgelegd_door_id=eigenaar,
    )


async def test_afspraken_are_read_in_full_by_the_linked_and_go_at_retention(
    world: World,
) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        other_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Ander")
        uow.session.add_all(
            [
                afspraak(world.casus_id, world.regisseur, "Kim bellen", 1),
                afspraak(other_id, world.aanmelder, "Ander bellen", 2),
                afspraak(world.casus_id, world.aanmelder, "Kim bezoeken", 3),
            ]
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        adviseur = await uow.casussen.open(world.casus_id, ask(world.adviseur), Need.OVERZICHT)
        with pytest.raises(AccessDenied):
            await adviseur.afspraken()
        casus = await uow.casussen.open(world.casus_id, ask(world.aanmelder), Need.DOSSIER)
        shown = await casus.afspraken()
    assert [(a.beschrijving, a.eigenaar_naam, a.deadline) for a in shown] == [
        ("Kim bellen", "r", dt.date(2030, 1, 1)),
        ("Kim bezoeken", "a", dt.date(2030, 1, 3)),
    ]
    assert all(a.id and a.vastgelegd_at for a in shown)
    await close(db, world.casus_id, 400)
    async with db.unit_of_work() as uow:
        assert await uow.casussen.anonymise_closed(utcnow()) == 1
        await uow.commit()
        rows = (
            await uow.session.execute(
                select(Afspraak.casus_id, Afspraak.beschrijving, Afspraak.beschrijving_gedeeld)
            )
        ).all()
    removed = "(verwijderd na bewaartermijn)"
    assert sorted(rows) == sorted(
        [
            (world.casus_id, removed, removed),
            (other_id, "Ander bellen", "Ander bellen"),
            (world.casus_id, removed, removed),
        ]
    )


# --- a second referral ----------------------------------------------------------------------------


async def test_a_referrer_learns_only_whether_an_active_or_recent_casus_exists(
    world: World,
) -> None:
    db = world.db
    born = PERSOON["geboortedatum"]
    async with db.unit_of_work() as uow:
        lately, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Lia Laat")
        long_ago, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Olga Oud")
        await make_casus(uow, world.other_gemeente_id, world.aanmelder, naam="Els Elders")
        await uow.commit()
    await close(db, lately, 300)
    await close(db, long_ago, 400)
    async with db.unit_of_work() as uow:
        exists = uow.casussen.exists_for
        assert await exists(world.gemeente_id, "  KIM de  wit", born) is True
        assert await exists(world.gemeente_id, "Kim de Wit", dt.date(1990, 1, 3)) is False
        assert await exists(world.gemeente_id, "Kim de Wi", born) is False
        assert await exists(world.other_gemeente_id, "Kim de Wit", born) is False
        assert await exists(world.other_gemeente_id, "Els Elders", born) is True
        assert await exists(world.gemeente_id, "Lia Laat", born) is True
        assert await exists(world.gemeente_id, "Olga Oud", born) is False
