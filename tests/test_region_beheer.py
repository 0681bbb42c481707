"""Beheer in a region (#26, finding 9): the installation beheerder adds gemeenten and appoints
their beheerders; a gemeente beheerder manages only theirs — PGA-experts, switching people
off, the monitor, the letterhead, the criteria. The directory of professionals and
organisations is shared in the region. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from dialogs import region as region_dialog
from store.access import (
    BEHEERDER,
    GEMEENTE_BEHEERDER,
    GEMEENTE_NEEDS,
    PEOPLE_NEEDS,
    AccessDenied,
    PeopleNeed,
)
from store.db import Database
from store.migrate import alembic_config, upgrade
from store.models import Gemeente, GemeenteBeheerder, PgaExpert, Professional
from tests.helpers import aanmelding_values, act, card_text, professional_id, say
from tests.region_world import NOORDERVELD, build_region, object_id

ZOE = "c1"  # beheerder of Zuiderstad only (not of the installation)


async def refer(db, config, gemeente: int, naam: str, born: str) -> None:
    values = await aanmelding_values(
        db,
        gemeente=str(gemeente),
        naam=naam,
        geboortedatum=born,
        doelgroep="volwassene",
        reden="Overlast in de wijk.",
    )
    text_ = card_text((await act(db, config, "a2", "aanmelding.indienen", values)).card)
    assert "Aanmelding verstuurd" in text_, text_[:300]


async def region_with_beheerders(db: Database, config):
    """Noorderveld added and both beheerders appointed through beheer, by Fatima."""
    built = await build_region(db)
    async with db.unit_of_work() as uow:
        zoe = await uow.people.add_professional(
            tenant_id=(await uow.people.get(built.bram)).tenant_id,
            aad_object_id=object_id(ZOE),
            naam="Zoë Zuid",
        )
        await uow.commit()
    for who, gemeente in ((built.bram, built.noorderveld), (zoe.id, built.zuiderstad)):
        answer = await act(
            db,
            config,
            "a1",
            "beheer.beheerder",
            {"beh_professional": str(who), "beh_gemeente": str(gemeente)},
        )
        assert "De beheerder is aangewezen." in card_text(answer.card)
    return built, zoe.id


async def test_only_the_installation_beheerder_adds_a_gemeente(demo_any_db, config):
    db = demo_any_db
    _, _ = await region_with_beheerders(db, config)
    new = {"gem_naam": "Oosterdam", "gem_afkorting": "OSD"}
    refused = await act(db, config, "b1", "beheer.gemeente", new)
    assert refused.text == region_dialog.ONLY_INSTALLATION
    assert (await act(db, config, "b1", "beheer.beheerder", {"beh_professional": "1"})).text == (
        region_dialog.ONLY_INSTALLATION
    )
    added = await act(db, config, "a1", "beheer.gemeente", new)
    assert "Gemeente Oosterdam is toegevoegd" in card_text(added.card)
    again = await act(db, config, "a1", "beheer.gemeente", {**new, "gem_naam": "Westdam"})
    assert "Deze afkorting heeft een andere gemeente al." in card_text(again.card)
    async with db.unit_of_work() as uow:
        codes = {g.naam: g.afkorting for g in await uow.people.gemeenten()}
    assert codes["Oosterdam"] == "OSD" and "Westdam" not in codes
    assert all(codes.values())  # every gemeente got its short code once there are several


async def test_a_gemeente_beheerder_appoints_pga_experts_of_theirs_only(demo_any_db, config):
    db = demo_any_db
    built, _ = await region_with_beheerders(db, config)
    linda = await professional_id(db, "a5")
    for gemeente, expected in ((built.zuiderstad, False), (built.noorderveld, True)):
        data = {"exp_professional": str(linda), "exp_gemeente": str(gemeente)}
        answer = card_text((await act(db, config, "b1", "beheer.pga_expert", data)).card)
        assert ("is nu PGA-expert van Noorderveld" in answer) is expected, answer[:200]
    async with db.unit_of_work() as uow:
        assert await uow.people.pga_gemeente_ids(linda) == {built.noorderveld}
        bram = uow.people.requester(built.bram, "t", object_id("b1"), "p", "personal")
        with pytest.raises(AccessDenied):
            await uow.people.appoint_pga_expert(bram, linda, built.zuiderstad)
        # Registering someone new as PGA-expert of Zuiderstad: refused too.
        with pytest.raises(AccessDenied):
            await uow.people.register(
                bram,
                pga_gemeente_id=built.zuiderstad,
                tenant_id="t",
                aad_object_id=object_id("e1"),
                naam="Eva",
            )
    # The professional form offers Bram only Noorderveld for a PGA-expert.
    form = card_text((await act(db, config, "b1", "beheer.professionals")).card)
    assert '"title": "Noorderveld"' in form and '"title": "Zuiderstad"' not in form


async def test_an_existing_pga_expert_becomes_expert_of_a_second_gemeente(demo_any_db, config):
    db = demo_any_db
    built, _ = await region_with_beheerders(db, config)
    fatima = await professional_id(db, "a1")
    card = card_text((await act(db, config, "b1", "beheer.pga_expert.open")).card)
    assert "Fatima el Amrani" in card  # the directory is the region's
    data = {"exp_professional": str(fatima), "exp_gemeente": str(built.noorderveld)}
    done = card_text((await act(db, config, "b1", "beheer.pga_expert", data)).card)
    assert "Fatima el Amrani is nu PGA-expert van Noorderveld." in done
    twice = card_text((await act(db, config, "b1", "beheer.pga_expert", data)).card)
    assert "al PGA-expert van die gemeente" in twice
    async with db.unit_of_work() as uow:
        assert await uow.people.pga_gemeente_ids(fatima) == {built.zuiderstad, built.noorderveld}


async def test_switching_off_is_for_a_beheerder_of_every_gemeente_one_works_in(demo_any_db, config):
    db = demo_any_db
    built, _ = await region_with_beheerders(db, config)
    await refer(db, config, built.zuiderstad, "Kevin Oudeman", "2003-04-17")
    await refer(db, config, built.noorderveld, "Ria Veldhuis", "1980-05-06")
    jeroen = await professional_id(db, "a2")  # refers in both gemeenten
    linda = await professional_id(db, "a5")  # works nowhere yet
    bram_list = card_text((await act(db, config, "b1", "beheer.toegang")).card)
    zoe_list = card_text((await act(db, config, ZOE, "beheer.toegang")).card)
    assert "Jeroen de Vries" not in bram_list and "Jeroen de Vries" not in zoe_list
    assert "Fatima el Amrani" not in zoe_list  # beheerder of the installation
    assert "Linda Jansen" in zoe_list
    for who in ("b1", ZOE):
        answer = await act(
            db, config, who, "beheer.uitschakelen", {"uit_professional": str(jeroen)}
        )
        assert "Alleen een beheerder" in card_text(answer.card)
    # Dewi is PGA-expert of both: Zoë may not switch her off either; Fatima may.
    answer = await act(
        db, config, ZOE, "beheer.uitschakelen", {"uit_professional": str(built.dewi)}
    )
    assert "Alleen een beheerder" in card_text(answer.card)
    answer = await act(db, config, ZOE, "beheer.uitschakelen", {"uit_professional": str(linda)})
    assert "Linda Jansen is uitgeschakeld." in card_text(answer.card)
    answer = await act(db, config, "a1", "beheer.uitschakelen", {"uit_professional": str(jeroen)})
    assert "Jeroen de Vries is uitgeschakeld." in card_text(answer.card)
    async with db.unit_of_work() as uow:
        active = {p.naam for p in await uow.people.active()}
    assert "Jeroen de Vries" not in active and "Dewi Beide" in active


async def test_monitor_letterhead_and_criteria_are_the_gemeentes_own(demo_any_db, config):
    db = demo_any_db
    built, _ = await region_with_beheerders(db, config)
    bram_monitor = card_text((await say(db, config, "b1", "monitor")).card)
    fatima_monitor = card_text((await say(db, config, "a1", "monitor")).card)
    assert "Noorderveld" in bram_monitor and "Zuiderstad" not in bram_monitor
    assert "Noorderveld" in fatima_monitor and "Zuiderstad" in fatima_monitor
    async with db.unit_of_work() as uow:
        bram = uow.people.requester(built.bram, "t", object_id("b1"), "p", "personal")
        assert [row[1] for row in await uow.people.letterheads(bram)] == [NOORDERVELD]
        assert [naam for _, naam in await uow.criteria.editable(bram)] == [NOORDERVELD]
        with pytest.raises(AccessDenied):
            await uow.people.set_letterhead(bram, built.zuiderstad, adres="x", burgemeester="y")


def test_the_needs_of_one_gemeente_never_go_to_a_gemeente_beheerder_alone() -> None:
    """Adding gemeenten and appointing their beheerders is the installation's; everything a
    gemeente beheerder may do is in GEMEENTE_NEEDS, checked with the gemeente."""
    for need in (PeopleNeed.GEMEENTE_TOEVOEGEN, PeopleNeed.BEHEERDER_AANWIJZEN):
        assert PEOPLE_NEEDS[need].roles == {BEHEERDER}
    scoped = {n for n, rule in PEOPLE_NEEDS.items() if GEMEENTE_BEHEERDER in rule.roles}
    assert scoped - GEMEENTE_NEEDS == {
        PeopleNeed.BEHEER_BEKIJKEN,
        PeopleNeed.ORGANISATIE_TOEVOEGEN,
        PeopleNeed.PROFESSIONAL_TOEVOEGEN,
    }  # the region's shared directory


async def test_the_migration_makes_todays_admins_beheerders_of_their_gemeenten(database_url):
    """Before 0017 a beheerder ruled the installation: they still do, and become beheerder of
    each gemeente they are PGA-expert of. A code used twice keeps it in the first gemeente."""

    def to(revision: str):
        def run(connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        return run

    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(to("0015"))
            await connection.execute(
                text("INSERT INTO gemeente (id, naam) VALUES (1, 'Zuiderstad'), (2, 'Noorderveld')")
            )
            await connection.execute(
                insert(Professional.__table__).values(
                    id=1,
                    tenant_id="t",
                    aad_object_id="o",
                    naam="P",
                    is_beheerder=True,
                    actief=True,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            await connection.execute(insert(PgaExpert).values(professional_id=1, gemeente_id=2))
            for casus_id, gemeente in ((1, 1), (2, 2)):
                await connection.execute(
                    text(
                        "INSERT INTO casus (id, code, gemeente_id, status, doelgroep, urgentie,"
                        " created_at) VALUES (:id, 'PGA-2026-001', :g, 'aangemeld', 'jeugd',"
                        " 'normaal', :now)"
                    ),
                    {"id": casus_id, "g": gemeente, "now": dt.datetime.now(dt.UTC)},
                )
        await upgrade(db.engine)
        async with db.unit_of_work() as uow:
            beheerders = (await uow.session.execute(select(GemeenteBeheerder.__table__))).all()
            codes = (
                await uow.session.execute(text("SELECT id, code FROM casus ORDER BY id"))
            ).all()
            afkortingen = (await uow.session.scalars(select(Gemeente.afkorting))).all()
            still = await uow.session.scalar(select(Professional.is_beheerder))
        assert [tuple(row) for row in beheerders] == [(1, 2)] and still is True
        assert [tuple(row) for row in codes] == [(1, "PGA-2026-001"), (2, "PGA-NOO-2026-001")]
        assert sorted(afkortingen) == ["NOO", "ZUI"]
    finally:
        await db.dispose()


async def test_an_invitation_by_email_as_pga_expert_is_scoped_too(demo_any_db, config):
    db = demo_any_db
    built, _ = await region_with_beheerders(db, config)
    async with db.unit_of_work() as uow:
        bram = uow.people.requester(built.bram, "t", object_id("b1"), "p", "personal")
        with pytest.raises(AccessDenied):
            await uow.roster.add_by_email(
                bram,
                "eva@zuiderstad.example",
                pga_gemeente_id=built.zuiderstad,
                functie=None,
                organisatie_id=None,
            )
        assert (
            await uow.roster.add_by_email(
                bram,
                "eva@noorderveld.example",
                pga_gemeente_id=built.noorderveld,
                functie=None,
                organisatie_id=None,
            )
            is None
        )


async def test_a_gemeente_beheerder_finds_beheer_in_the_help(demo_any_db, config):
    db = demo_any_db
    await region_with_beheerders(db, config)
    help_zoe = card_text((await say(db, config, ZOE, "help")).card)
    assert "Organisaties en professionals beheren" in help_zoe
    assert "Organisaties en professionals beheren" not in card_text(
        (await say(db, config, "a5", "help")).card
    )
