"""The casus gate (store/access.py, CasusRepository.open, CasusAccess, roles_on): who gets
which role, what the gate logs, and what each read returns. SQLite only: fast enough to run
for every mutant of `./dev mutants`.

The needs table itself is pinned here with literal roles, so a change to NEEDS is a
deliberate act that shows in a test, not something test_access.py (which reads the table)
follows silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, update

from store.access import (
    ADVISEREND,
    BETROKKEN,
    CASUSREGISSEUR,
    GEMEENTE_EXPERT,
    GENODIGDE,
    NEEDS,
    PEOPLE_NEEDS,
    PGA_EXPERT,
    VOORZITTER,
    AccessDenied,
    Need,
    NotAllowed,
    PeopleNeed,
    PersonalSpaceRequired,
    Requester,
    issue,
)
from store.casus import roles_on
from store.db import Database
from store.demo import DEMO_TENANT
from store.models import Aanmelding, Betrokkene, Casus, Gemeente, PgaExpert, Professional, utcnow
from store.views import Checklist


def ask(professional_id: int, conversation_type: str = "personal") -> Requester:
    return issue(
        professional_id, DEMO_TENANT, f"obj-{professional_id}", f"conv-{professional_id}",
        conversation_type,
    )  # fmt: skip


@dataclass
class World:
    """One casus in Teststad, with a professional per role and an outsider."""

    db: Database
    casus_id: int
    code: str
    gemeente_id: int
    other_gemeente_id: int
    aanmelder: int
    expert: int  # PGA-expert of Teststad (role from the municipality)
    regisseur: int
    adviseur: int
    outsider: int
    other_expert: int  # PGA-expert of another municipality


PERSOON = {"naam": "Kim de Wit", "geboortedatum": dt.date(1990, 1, 2), "woonplaats": "Teststad"}


async def add_person(uow, naam: str) -> int:
    professional = await uow.people.add_professional(
        tenant_id=DEMO_TENANT, aad_object_id=f"obj-{naam}", naam=naam
    )
    return professional.id


async def make_casus(uow, gemeente_id: int, aanmelder: int, **persoon) -> tuple[int, str]:
    view = await uow.casussen.create(
        gemeente_id=gemeente_id,
        doelgroep="volwassene",
        urgentie="hoog",
        persoon={**PERSOON, **persoon},
        aanmelding={
            "criteria": {
                "overlast": {"voldaan": True},
                "politie": {"voldaan": False},
                "meerdere_organisaties": {"voldaan": True},
            },
            "leefgebieden": ["huisvesting", "justitie"],
            "partner_ids": [],
            "reden": "Kim de Wit veroorzaakt overlast",
            "bewoner_geinformeerd": False,
            "reden_niet_geinformeerd": "onvindbaar",
        },
        aanmelder=ask(aanmelder),
        link=Checklist("Aanmelding", "art6_1e"),
    )
    return view.id, view.code


def link(casus_id: int, professional_id: int, rol: str) -> Betrokkene:
    return Betrokkene(
        casus_id=casus_id,
        professional_id=professional_id,
        rol=rol,
        doel="test",
        grondslag="art6_1e",
    )


async def build(db: Database) -> World:
    async with db.unit_of_work() as uow:
        teststad = Gemeente(naam="Teststad")
        elders = Gemeente(naam="Elders")
        uow.session.add_all([teststad, elders])
        await uow.session.flush()
        ids = {n: await add_person(uow, n) for n in ("a", "e", "r", "v", "o", "x")}
        await uow.people.make_pga_expert(ids["e"], teststad.id)
        await uow.people.make_pga_expert(ids["x"], elders.id)
        casus_id, code = await make_casus(uow, teststad.id, ids["a"])
        uow.session.add_all(
            [link(casus_id, ids["r"], CASUSREGISSEUR), link(casus_id, ids["v"], ADVISEREND)]
        )
        await uow.commit()
    return World(
        db, casus_id, code, teststad.id, elders.id,
        ids["a"], ids["e"], ids["r"], ids["v"], ids["o"], ids["x"],
    )  # fmt: skip


@pytest.fixture
async def world(sqlite_db: Database) -> World:
    return await build(sqlite_db)


async def audit_rows(db: Database, *, after: int = 0) -> list[tuple]:
    async with db.unit_of_work() as uow:
        return [
            (
                e.event,
                e.action,
                e.outcome,
                e.actor_professional_id,
                e.actor_role,
                e.purpose,
                e.casus_id,
                e.details,
            )
            for e in await uow.audit.events()
            if e.id > after
        ]


async def last_audit_id(db: Database) -> int:
    async with db.unit_of_work() as uow:
        events = await uow.audit.events()
        return events[-1].id if events else 0


# --- the tables ---------------------------------------------------------------------------------


def test_the_needs_table_is_what_design_3_6_says() -> None:
    """These rows are pinned (test_access.py reads the table, so it cannot notice a wrong
    row); a new need adds a row here."""
    everyone = {PGA_EXPERT, CASUSREGISSEUR, BETROKKEN, ADVISEREND, GEMEENTE_EXPERT}
    identity = everyone - {ADVISEREND}
    expert = {PGA_EXPERT, GEMEENTE_EXPERT}
    expected = {
        Need.OVERZICHT: (everyone, False, "R"),
        Need.IDENTITEIT: (identity, True, "R"),
        Need.DOSSIER: (identity, True, "R"),
        Need.TRIAGE: ({GEMEENTE_EXPERT}, True, "U"),
        Need.BRIEF: (expert, True, "C"),
        Need.STARTGESPREK: ({PGA_EXPERT, CASUSREGISSEUR, GEMEENTE_EXPERT}, True, "U"),
        Need.KOPPELEN: (expert, True, "C"),
        Need.ONTKOPPELEN: (expert, True, "U"),  # #26: ending a link, also after the end
        Need.AFSLUITEN: (expert, True, "U"),
        Need.INZAGE: (expert, True, "R"),
        Need.CORRIGEREN: (expert, True, "U"),
        Need.VERSLAG: (expert | {VOORZITTER}, False, "C"),
        Need.VERSLAG_LEZEN: (expert | {VOORZITTER, GENODIGDE}, True, "R"),
        Need.VERSLAG_VOLLEDIG: (expert, True, "R"),
        Need.AANWEZIG: (expert | {VOORZITTER, GENODIGDE}, False, "U"),
        # The plan van aanpak (#11).
        Need.PLAN: (identity, True, "R"),
        Need.DOEL: (expert | {"voorzitter"}, False, "U"),
        Need.LEEFGEBIED: ({PGA_EXPERT, CASUSREGISSEUR, GEMEENTE_EXPERT, "voorzitter"}, False, "U"),
        Need.ACTIE: (identity, True, "U"),
        Need.REGIE: ({CASUSREGISSEUR}, True, "U"),
        Need.SIGNAAL: (identity, True, "C"),
        Need.TIJDLIJN: (everyone, False, "R"),
    }
    table = {n: (set(r.roles), r.personal, r.action) for n, r in NEEDS.items()}
    assert {n: table[n] for n in expected} == expected
    assert all(roles and action in "CRUDE" for roles, _, action in table.values())


def test_the_directory_table_is_what_design_3_6_says() -> None:
    # Since #26: gemeente beheerders beside the beheerder of the installation (DESIGN §1).
    admins = {"beheerder", "gemeente_beheerder"}
    everyone = admins | {"pga_expert"}
    expected = {
        PeopleNeed.BEHEER_BEKIJKEN: (everyone, True, "R"),
        PeopleNeed.ORGANISATIE_TOEVOEGEN: (everyone, True, "C"),
        PeopleNeed.PROFESSIONAL_TOEVOEGEN: (everyone, True, "C"),
        PeopleNeed.PGA_EXPERT_AANWIJZEN: (admins, True, "C"),
        PeopleNeed.UITSCHAKELEN: (admins, True, "U"),
        PeopleNeed.INSCHAKELEN: (admins, True, "U"),
        PeopleNeed.KANAAL_KOPPELEN: ({"pga_expert"}, False, "U"),
        PeopleNeed.BRIEFHOOFD: (everyone, True, "U"),
        PeopleNeed.EIGEN_CRITERIA: (everyone, True, "C"),
        PeopleNeed.MONITOR: (everyone, True, "R"),
        PeopleNeed.GEMEENTE_TOEVOEGEN: ({"beheerder"}, True, "C"),
        PeopleNeed.BEHEERDER_AANWIJZEN: ({"beheerder"}, True, "C"),
    }
    table = {n: (set(r.roles), r.personal, r.action) for n, r in PEOPLE_NEEDS.items()}
    assert table == expected
    # Beheer is for beheerders and PGA-experts only.
    assert all(
        roles and roles <= everyone and action in "CRUDE" for roles, _, action in table.values()
    )


# --- the requester --------------------------------------------------------------------------------


def test_issue_fills_every_field() -> None:
    requester = issue(7, "tenant", "object", "conversation", "download", client="ip=1")
    assert (
        requester.professional_id,
        requester.tenant_id,
        requester.aad_object_id,
        requester.conversation_id,
        requester.conversation_type,
        requester.client,
        requester.delivered_privately,
    ) == (7, "tenant", "object", "conversation", "download", "ip=1", False)
    assert issue(7, "t", "o", "c", "personal").client is None


def test_a_requester_is_only_issued_by_the_store() -> None:
    with pytest.raises(
        TypeError, match=r"^A Requester is issued by store/ only \(store\.access\.issue\)\.$"
    ):
        Requester(1, DEMO_TENANT, "x", "c", "personal")


@pytest.mark.parametrize(
    ("conversation_type", "personal"),
    [("personal", True), ("download", True), ("channel", False), ("groupChat", False)],
)
def test_personal_spaces_are_the_1_1_chat_and_a_download(conversation_type, personal) -> None:
    requester = issue(1, "t", "o", "c", conversation_type)
    assert requester.in_personal_space is personal
    private = requester.privately()
    assert private.delivered_privately is True and private.in_personal_space is True
    assert private.conversation_type == conversation_type and private.professional_id == 1
    assert requester.delivered_privately is False  # the original is unchanged


# --- roles ----------------------------------------------------------------------------------------


async def test_roles_come_from_active_links_and_the_municipality(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        casus = await uow.session.get(Casus, world.casus_id)
        assert casus is not None

        async def roles(professional_id: int) -> frozenset[str]:
            return await roles_on(uow.session, casus, professional_id)

        assert await roles(world.aanmelder) == {BETROKKEN}
        assert await roles(world.expert) == {GEMEENTE_EXPERT}
        assert await roles(world.regisseur) == {CASUSREGISSEUR}
        assert await roles(world.adviseur) == {ADVISEREND}
        assert await roles(world.outsider) == frozenset()
        assert await roles(world.other_expert) == frozenset()
        # Linked and expert at once: both roles.
        uow.session.add(link(world.casus_id, world.expert, PGA_EXPERT))
        await uow.session.flush()
        assert await roles(world.expert) == {PGA_EXPERT, GEMEENTE_EXPERT}


async def test_a_link_to_another_casus_gives_no_role_on_this_one(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        other_id, _ = await make_casus(uow, world.gemeente_id, world.outsider, naam="Ander")
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        casus = await uow.session.get(Casus, world.casus_id)
        other = await uow.session.get(Casus, other_id)
        assert casus is not None and other is not None
        assert await roles_on(uow.session, other, world.outsider) == {BETROKKEN}
        assert await roles_on(uow.session, casus, world.outsider) == frozenset()
        assert await roles_on(uow.session, other, world.regisseur) == frozenset()


async def test_a_switched_off_expert_holds_no_role(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Professional).where(Professional.id == world.expert).values(actief=False)
        )
        casus = await uow.session.get(Casus, world.casus_id)
        assert casus is not None
        assert await roles_on(uow.session, casus, world.expert) == frozenset()


async def test_an_expert_of_a_switched_off_colleague_keeps_their_role(world: World) -> None:
    """Whether someone is switched off is checked per professional, not per municipality."""
    async with world.db.unit_of_work() as uow:
        colleague = await add_person(uow, "collega")
        uow.session.add(PgaExpert(professional_id=colleague, gemeente_id=world.gemeente_id))
        await uow.session.flush()
        await uow.session.execute(
            update(Professional).where(Professional.id == colleague).values(actief=False)
        )
        uow.session.add(link(world.casus_id, colleague, BETROKKEN))
        await uow.session.flush()
        casus = await uow.session.get(Casus, world.casus_id)
        assert casus is not None
        assert await roles_on(uow.session, casus, world.expert) == {GEMEENTE_EXPERT}
        assert await roles_on(uow.session, casus, world.regisseur) == {CASUSREGISSEUR}
        assert await roles_on(uow.session, casus, colleague) == frozenset()


# --- open: finding the casus --------------------------------------------------------------------


async def test_a_code_is_found_whatever_its_case_and_spacing(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        opened = await uow.casussen.open(
            f"  {world.code.lower()} ", ask(world.aanmelder), Need.OVERZICHT
        )
        assert opened.id == world.casus_id and opened.code == world.code


async def test_two_municipalities_never_share_a_code(world: World) -> None:
    # Before #26 codes counted per municipality and the gate picked the one you work on; now
    # a code names one casus in the installation, and each opens its own.
    async with world.db.unit_of_work() as uow:
        elders_id, elders_code = await make_casus(uow, world.other_gemeente_id, world.outsider)
        await uow.commit()
    assert elders_code != world.code
    async with world.db.unit_of_work() as uow:
        mine = await uow.casussen.open(elders_code, ask(world.other_expert), Need.TRIAGE)
        assert mine.id == elders_id
        theirs = await uow.casussen.open(world.code, ask(world.expert), Need.TRIAGE)
        assert theirs.id == world.casus_id
        with pytest.raises(AccessDenied):
            await uow.casussen.open(elders_code, ask(world.expert), Need.TRIAGE)
        with pytest.raises(AccessDenied):
            await uow.casussen.open(world.code, ask(world.adviseur), Need.IDENTITEIT)


async def test_an_unknown_casus_is_refused_and_logged_as_a_read(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        for ref in (world.casus_id + 100, "PGA-1999-999"):
            with pytest.raises(AccessDenied, match=r"^triage$"):
                await uow.casussen.open(ref, ask(world.expert), Need.TRIAGE)
        await uow.commit_refusals_only()
    denied = ("triage", "R", "denied", world.expert, None, None, None, "onbekende casus")
    assert await audit_rows(world.db, after=start) == [denied, denied]


# --- require: refusals --------------------------------------------------------------------------


async def test_a_refusal_without_a_role_is_logged_with_the_needs_action(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        # Someone on the casus hears that another role is needed; an outsider learns nothing.
        with pytest.raises(NotAllowed, match=r"^brief$"):
            await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.BRIEF)
        with pytest.raises(AccessDenied, match=r"^casus\.bekijken$") as outsider:
            await uow.casussen.open(world.casus_id, ask(world.outsider), Need.OVERZICHT)
        assert type(outsider.value) is AccessDenied
        # By code too: the casus is found (and logged), the refusal is the same.
        with pytest.raises(AccessDenied, match=r"^casus\.bekijken$") as by_code:
            await uow.casussen.open(world.code, ask(world.outsider), Need.OVERZICHT)
        assert type(by_code.value) is AccessDenied
        await uow.commit_refusals_only()
    no_link = ("casus.bekijken", "R", "denied", world.outsider, None, None, world.casus_id,
               "geen koppeling")  # fmt: skip
    assert await audit_rows(world.db, after=start) == [
        ("brief", "C", "denied", world.regisseur, None, None, world.casus_id, "andere rol"),
        no_link,
        no_link,
    ]


async def test_a_refusal_outside_a_personal_space_is_logged(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        with pytest.raises(PersonalSpaceRequired, match=r"^triage$"):
            await uow.casussen.open(world.casus_id, ask(world.expert, "channel"), Need.TRIAGE)
        await uow.commit_refusals_only()
    assert await audit_rows(world.db, after=start) == [
        ("triage", "U", "denied", world.expert, None, None, world.casus_id, "geen privéruimte")
    ]


async def test_an_overview_in_a_channel_is_allowed_and_not_logged(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        opened = await uow.casussen.open(
            world.casus_id, ask(world.adviseur, "channel"), Need.OVERZICHT
        )
        assert opened.roles == {ADVISEREND}
        await uow.commit()
    assert await audit_rows(world.db, after=start) == []


async def test_allows_answers_for_the_roles_and_the_space(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        personal = await uow.casussen.open(world.casus_id, ask(world.aanmelder), Need.OVERZICHT)
        channel = await uow.casussen.open(
            world.casus_id, ask(world.aanmelder, "channel"), Need.OVERZICHT
        )
        adviseur = await uow.casussen.open(world.casus_id, ask(world.adviseur), Need.OVERZICHT)
    assert personal.allows(Need.IDENTITEIT) and personal.allows(Need.OVERZICHT)
    assert not personal.allows(Need.TRIAGE) and not personal.allows(Need.BRIEF)
    assert channel.allows(Need.OVERZICHT) and not channel.allows(Need.IDENTITEIT)
    assert not adviseur.allows(Need.DOSSIER) and adviseur.allows(Need.OVERZICHT)
    with pytest.raises(AccessDenied):
        adviseur.require(Need.DOSSIER)


# --- reads and their log ------------------------------------------------------------------------


async def test_identity_is_shown_whole_and_logged_with_role_and_purpose(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        expert = await uow.casussen.open(world.casus_id, ask(world.expert), Need.BRIEF)
        await expert.update_adres(adres="Lindelaan 12", postcode="1234 AB", woonplaats="Elst")
        await uow.commit()
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.IDENTITEIT)
        persoon = await casus.identiteit("startgesprek plannen")
        await uow.commit()
    assert (
        persoon.naam,
        persoon.geboortedatum,
        persoon.woonplaats,
        persoon.adres,
        persoon.postcode,
    ) == ("Kim de Wit", dt.date(1990, 1, 2), "Elst", "Lindelaan 12", "1234 AB")
    assert await audit_rows(world.db, after=start) == [
        ("identiteit.bekijken", "R", "success", world.regisseur, CASUSREGISSEUR,
         "startgesprek plannen", world.casus_id, None),
    ]  # fmt: skip


async def test_the_address_is_only_asked_for_the_letter_and_logged(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        regie = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.OVERZICHT)
        with pytest.raises(AccessDenied):
            await regie.update_adres(adres="x", postcode="y", woonplaats="z")
        await uow.rollback()
        expert = await uow.casussen.open(world.casus_id, ask(world.expert), Need.BRIEF)
        await expert.update_adres(adres="Lindelaan 12", postcode="1234 AB", woonplaats="Elst")
        await uow.commit()
    assert await audit_rows(world.db, after=start) == [
        ("identiteit.adres", "U", "success", world.expert, GEMEENTE_EXPERT, "brief",
         world.casus_id, None),
    ]  # fmt: skip


async def test_the_referral_is_shown_whole_and_logged(world: World) -> None:
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.aanmelder), Need.DOSSIER)
        view = await casus.aanmelding()
        assert await casus.aanmelder_id() == world.aanmelder
        await uow.commit()
    assert view.aanmelder_id == world.aanmelder
    assert view.criteria["overlast"] == {"voldaan": True}
    assert view.leefgebieden == ["huisvesting", "justitie"] and view.partner_ids == []
    assert view.reden == "Kim de Wit veroorzaakt overlast"
    assert view.bewoner_geinformeerd is False and view.reden_niet_geinformeerd == "onvindbaar"
    assert view.voor_advies is False
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(update(Aanmelding).values(voor_advies=True))
        casus = await uow.casussen.open(world.casus_id, ask(world.aanmelder), Need.DOSSIER)
        assert (await casus.aanmelding()).voor_advies is True
    assert view.ingediend_at is not None
    assert await audit_rows(world.db, after=start) == [
        ("aanmelding.bekijken", "R", "success", world.aanmelder, BETROKKEN, None,
         world.casus_id, None),
    ]  # fmt: skip


async def test_the_shared_view_counts_and_redacts_but_names_nobody(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(
            world.casus_id, ask(world.adviseur, "channel"), Need.OVERZICHT
        )
        shared = await casus.shared()
        view = casus.view
    assert (shared.id, shared.code, shared.status, shared.doelgroep) == (
        world.casus_id,
        world.code,
        "aangemeld",
        "volwassene",
    )
    assert shared.criteria_met == 2 and shared.leefgebieden == 2
    assert shared.redact("Kim de Wit (02-01-1990) belde") == "[bewoner] ([bewoner]) belde"
    assert (view.id, view.code, view.status, view.doelgroep, view.urgentie) == (
        world.casus_id,
        world.code,
        "aangemeld",
        "volwassene",
        "hoog",
    )
    assert view.gemeente_id == world.gemeente_id and view.gemeente_naam == "Teststad"
    assert view.roles == {ADVISEREND} and view.created_at is not None


async def test_who_works_on_the_casus_lists_active_links_only(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Betrokkene)
            .where(Betrokkene.professional_id == world.adviseur)
            .values(tot=utcnow())
        )
        organisatie = await uow.people.add_organisatie("GGZ", "ggz")
        await uow.session.execute(
            update(Professional)
            .where(Professional.id == world.regisseur)
            .values(organisatie_id=organisatie.id)
        )
        await make_casus(uow, world.gemeente_id, world.outsider, naam="Ander")
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.regisseur), Need.OVERZICHT)
        people = await casus.betrokkenen()
    assert [
        (p.professional_id, p.professional_naam, p.organisatie_naam, p.rol, p.grondslag)
        for p in people
    ] == [
        (world.aanmelder, "a", None, BETROKKEN, "art6_1e"),
        (world.regisseur, "r", "GGZ", CASUSREGISSEUR, "art6_1e"),
    ]
    assert all(p.sinds is not None for p in people)


async def test_only_the_triage_expert_sees_which_other_casus_may_be_the_same_person(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        same = await make_casus(uow, world.gemeente_id, world.outsider, naam="KIM  de wit")
        closed_lately = await make_casus(uow, world.gemeente_id, world.outsider)
        closed_long_ago = await make_casus(uow, world.gemeente_id, world.outsider)
        other_birthday = await make_casus(
            uow, world.gemeente_id, world.outsider, geboortedatum=dt.date(1990, 1, 3)
        )
        other_name = await make_casus(uow, world.gemeente_id, world.outsider, naam="Kim de Wit-B")
        elders = await make_casus(uow, world.other_gemeente_id, world.outsider)
        for (casus_id, _), days in ((closed_lately, 10), (closed_long_ago, 400)):
            await uow.session.execute(
                update(Casus)
                .where(Casus.id == casus_id)
                .values(status="afgewezen", afgesloten_at=utcnow() - dt.timedelta(days=days))
            )
        uow.session.add(link(closed_lately[0], world.expert, PGA_EXPERT))
        await uow.commit()
    del other_birthday, other_name, elders
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        found = await casus.possible_duplicates()
        # The expert has a role on both through the municipality: codes shown.
        assert sorted(found) == sorted([(same[1], "aangemeld"), (closed_lately[1], "afgewezen")])
        assert await casus.possible_duplicates(recent_days=5) == [(same[1], "aangemeld")]


async def test_a_duplicates_code_is_hidden_once_the_role_on_it_is_gone(world: World) -> None:
    """Defence in depth: the roles on the other casus are read at the moment of asking."""
    async with world.db.unit_of_work() as uow:
        other_id, other_code = await make_casus(uow, world.gemeente_id, world.outsider)
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.TRIAGE)
        assert await casus.possible_duplicates() == [(other_code, "aangemeld")]
        await uow.session.execute(
            delete(PgaExpert).where(PgaExpert.professional_id == world.expert)
        )
        assert await casus.possible_duplicates() == [(None, "aangemeld")]
        del other_id
