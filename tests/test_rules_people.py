"""The directory of people (store/people.py): the beheer gate and its log, switching off,
registering, the channel link, who a download link speaks for, identity lookups and drafts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from store.access import AccessDenied, Conflict, NotFound, PeopleNeed, PersonalSpaceRequired
from store.db import Database
from store.demo import DEMO_TENANT
from store.models import Bericht, Concept, ConversationRef, Professional, utcnow
from store.outbox import PrivateMessage
from store.people import _teams_name
from tests.test_rules_gate import ask

OBJECT_ID = "ABCDEF01-1234-4234-8234-1234567890AB"


async def directory(db: Database) -> dict[str, int]:
    """A beheerder, a PGA-expert of Teststad, a plain professional in an organisation."""
    async with db.unit_of_work() as uow:
        teststad = await uow.people.ensure_gemeente("Teststad")
        elders = await uow.people.ensure_gemeente("Elders")
        organisatie = await uow.people.add_organisatie("Wijkteam", "wijkteam")
        # Added out of alphabetical order: the directory sorts by name.
        plain = await uow.people.add_professional(
            tenant_id=DEMO_TENANT,
            aad_object_id=OBJECT_ID,
            naam="Piet",
            organisatie_id=organisatie.id,
            email="piet@wijkteam.example",
            functie="Wijkwerker",
        )
        expert = await uow.people.add_professional(
            tenant_id=DEMO_TENANT, aad_object_id="e", naam="Eva"
        )
        beheerder = await uow.people.add_professional(
            tenant_id=DEMO_TENANT, aad_object_id="b", naam="Bea", is_beheerder=True
        )
        ids = {
            "beheerder": beheerder.id,
            "expert": expert.id,
            "plain": plain.id,
            "teststad": teststad.id,
            "elders": elders.id,
            "organisatie": organisatie.id,
        }
        await uow.people.make_pga_expert(ids["expert"], teststad.id)
        await uow.commit()
    return ids


@pytest.fixture
async def people(sqlite_db: Database) -> dict[str, int]:
    return await directory(sqlite_db)


async def audit(db: Database) -> list[tuple]:
    async with db.unit_of_work() as uow:
        return [
            (e.event, e.action, e.outcome, e.actor_professional_id, e.casus_id, e.details)
            for e in await uow.audit.events()
        ]


# --- the gate -------------------------------------------------------------------------------------


async def test_roles_of_come_from_the_row_and_the_appointments(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.roles_of(ask(people["beheerder"])) == {"beheerder"}
        assert await uow.people.roles_of(ask(people["expert"])) == {"pga_expert"}
        assert await uow.people.roles_of(ask(people["plain"])) == frozenset()
        assert await uow.people.roles_of(ask(people["plain"] + 100)) == frozenset()
        await uow.people.make_pga_expert(people["beheerder"], people["elders"])
        assert await uow.people.roles_of(ask(people["beheerder"])) == {"beheerder", "pga_expert"}
        await uow.session.execute(update(Professional).values(actief=False))
        assert await uow.people.roles_of(ask(people["beheerder"])) == frozenset()


async def test_authorise_returns_the_roles_and_logs_nothing_when_allowed(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        roles = await uow.people.authorise(ask(people["expert"]), PeopleNeed.BEHEER_BEKIJKEN)
        assert roles == {"pga_expert"}
        await uow.commit()
    assert await audit(sqlite_db) == []


async def test_authorise_logs_a_refusal_without_a_role(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(AccessDenied, match=r"^beheer\.uitschakelen$"):
            await uow.people.authorise(ask(people["expert"]), PeopleNeed.UITSCHAKELEN)
        with pytest.raises(AccessDenied, match=r"^beheer\.organisatie$"):
            await uow.people.authorise(ask(people["plain"]), PeopleNeed.ORGANISATIE_TOEVOEGEN)
        await uow.commit_refusals_only()
    assert await audit(sqlite_db) == [
        ("beheer.uitschakelen", "U", "denied", people["expert"], None, "geen rol"),
        ("beheer.organisatie", "C", "denied", people["plain"], None, "geen rol"),
    ]


async def test_authorise_logs_a_refusal_outside_a_personal_space(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(PersonalSpaceRequired, match=r"^beheer\.professional$"):
            await uow.people.authorise(
                ask(people["beheerder"], "channel"), PeopleNeed.PROFESSIONAL_TOEVOEGEN
            )
        # The channel link is made in the channel itself.
        await uow.people.authorise(ask(people["expert"], "channel"), PeopleNeed.KANAAL_KOPPELEN)
        await uow.commit_refusals_only()
    assert await audit(sqlite_db) == [
        ("beheer.professional", "C", "denied", people["beheerder"], None, "geen privéruimte"),
    ]


# --- switching off and on -------------------------------------------------------------------------


async def test_switching_off_drops_only_that_persons_unsent_messages_and_is_logged(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        for who in ("plain", "expert"):
            await uow.berichten.put(PrivateMessage(people[who], text=f"voor {who}"))
        await uow.berichten.put(PrivateMessage(people["plain"], text="al verstuurd"))
        await uow.session.flush()
        await uow.session.execute(
            update(Bericht).where(Bericht.tekst == "al verstuurd").values(verzonden_at=utcnow())
        )
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        view = await uow.people.switch(ask(people["beheerder"]), people["plain"], on=False)
        await uow.commit()
    assert view.id == people["plain"] and view.actief is False
    async with sqlite_db.unit_of_work() as uow:
        left = sorted(b.tekst for b in (await uow.session.scalars(select(Bericht))).all())
        assert [p.naam for p in await uow.people.switched_off()] == ["Piet"]
        assert [p.naam for p in await uow.people.active()] == ["Bea", "Eva"]
    assert left == ["al verstuurd", "voor expert"]
    assert await audit(sqlite_db) == [
        ("beheer.uitschakelen", "U", "success", people["beheerder"], None,
         f"professional={people['plain']}"),
    ]  # fmt: skip


async def test_switching_back_on_is_its_own_right_and_keeps_messages(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        await uow.session.execute(
            update(Professional).where(Professional.id == people["plain"]).values(actief=False)
        )
        await uow.berichten.put(PrivateMessage(people["plain"], text="wacht"))
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(AccessDenied, match=r"^beheer\.inschakelen$"):
            await uow.people.switch(ask(people["expert"]), people["plain"], on=True)
        view = await uow.people.switch(ask(people["beheerder"]), people["plain"], on=True)
        await uow.commit()
    assert view.actief is True
    async with sqlite_db.unit_of_work() as uow:
        assert [b.tekst for b in await uow.berichten.pending(people["plain"])] == ["wacht"]
    assert (await audit(sqlite_db))[-1] == (
        "beheer.inschakelen", "U", "success", people["beheerder"], None,
        f"professional={people['plain']}",
    )  # fmt: skip


async def test_nobody_switches_themselves_off(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(Conflict, match=r"^zelf$"):
            await uow.people.switch(ask(people["beheerder"]), people["beheerder"], on=False)


async def test_switching_to_the_state_someone_is_in_or_an_unknown_person_is_not_found(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        beheerder = ask(people["beheerder"])
        with pytest.raises(NotFound, match=r"^professional$"):
            await uow.people.switch(beheerder, people["plain"], on=True)
        with pytest.raises(NotFound, match=r"^professional$"):
            await uow.people.switch(beheerder, people["plain"] + 100, on=False)
        with pytest.raises(NotFound, match=r"^professional$"):
            await uow.people.get(people["plain"] + 100)


# --- registering ----------------------------------------------------------------------------------


async def test_an_expert_registers_a_professional_and_it_is_logged(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        view = await uow.people.register(
            ask(people["expert"]),
            tenant_id=DEMO_TENANT,
            aad_object_id="NEW-Object",
            naam="Nieuw",
            organisatie_id=people["organisatie"],
            email="n@example.org",
            functie="Agent",
        )
        await uow.commit()
    assert (
        view.naam,
        view.functie,
        view.organisatie_id,
        view.organisatie_naam,
        view.email,
        view.actief,
        view.pga_gemeente_ids,
        view.tenant_id,
    ) == ("Nieuw", "Agent", people["organisatie"], "Wijkteam", "n@example.org", True,
          frozenset(), DEMO_TENANT)  # fmt: skip
    async with sqlite_db.unit_of_work() as uow:
        assert (await uow.people.identity(DEMO_TENANT, "new-object")).id == view.id
    assert await audit(sqlite_db) == [
        ("beheer.professional", "C", "success", people["expert"], None,
         f"professional={view.id} rol=professional"),
    ]  # fmt: skip


async def test_only_a_beheerder_appoints_a_pga_expert(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(AccessDenied, match=r"^beheer\.pga_expert$"):
            await uow.people.register(
                ask(people["expert"]),
                pga_gemeente_id=people["teststad"],
                tenant_id=DEMO_TENANT,
                aad_object_id="n1",
                naam="Niet",
            )
        await uow.rollback()
        view = await uow.people.register(
            ask(people["beheerder"]),
            pga_gemeente_id=people["elders"],
            tenant_id=DEMO_TENANT,
            aad_object_id="n2",
            naam="Wel",
        )
        await uow.commit()
    assert view.pga_gemeente_ids == {people["elders"]}
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.pga_experts_of(people["elders"]) == [view.id]
        assert await uow.people.identity(DEMO_TENANT, "n1") is None
    assert (await audit(sqlite_db))[-1][-1] == f"professional={view.id} rol=pga_expert"


async def test_registering_an_organisation_is_checked_and_logged(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(AccessDenied):
            await uow.people.register_organisatie(ask(people["plain"]), "Nee", "zorg")
        await uow.rollback()
        await uow.people.register_organisatie(ask(people["expert"]), "Veilig Thuis", "zorg")
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        found = await uow.people.organisatie_by_name("VEILIG thuis")
        assert found is not None and (found.naam, found.soort) == ("Veilig Thuis", "zorg")
        assert (await uow.people.organisatie(found.id)) is found
        assert [o.naam for o in await uow.people.organisaties()] == ["Veilig Thuis", "Wijkteam"]
        assert await uow.people.organisatie_by_name("Nee") is None
    assert await audit(sqlite_db) == [
        ("beheer.organisatie", "C", "success", people["expert"], None, "Veilig Thuis"),
    ]


# --- the channel ----------------------------------------------------------------------------------


async def test_an_expert_links_a_channel_only_to_their_own_municipality(sqlite_db, people) -> None:
    channel = ask(people["expert"], "channel")
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(AccessDenied, match=r"^beheer\.kanaal$"):
            await uow.people.link_channel(channel, people["elders"])
        await uow.people.link_channel(channel, people["teststad"])
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        teststad = await uow.people.gemeente(people["teststad"])
        elders = await uow.people.gemeente(people["elders"])
        assert teststad is not None and elders is not None
        assert teststad.kanaal_conversation_id == channel.conversation_id
        assert elders.kanaal_conversation_id is None
    # Since #26 the refusal is audited too (every gemeente-scoped need is checked at the gate).
    assert await audit(sqlite_db) == [
        ("beheer.kanaal", "U", "denied", people["expert"], None,
         f"geen rol gemeente={people['elders']}"),
        ("beheer.kanaal", "U", "success", people["expert"], None,
         f"gemeente={people['teststad']}"),
    ]  # fmt: skip


# --- who is who -----------------------------------------------------------------------------------


async def test_identity_matches_tenant_and_object_id_without_case(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        piet = await uow.people.identity(DEMO_TENANT, OBJECT_ID.lower())
        assert piet is not None
        assert (piet.id, piet.naam, piet.is_beheerder, piet.actief, piet.organisatie_naam) == (
            people["plain"],
            "Piet",
            False,
            True,
            "Wijkteam",
        )
        assert piet.pga_gemeente_ids == frozenset()
        assert await uow.people.identity("other-tenant", OBJECT_ID) is None
        found = await uow.people.by_identity(DEMO_TENANT, OBJECT_ID)
        assert found is not None and found.id == people["plain"]
        assert found.aad_object_id == OBJECT_ID.lower()
        assert await uow.people.by_identity("other-tenant", OBJECT_ID) is None
        await uow.people.make_pga_expert(people["expert"], people["elders"])
        await uow.people.make_pga_expert(people["expert"], people["elders"])  # once is enough
        eva = await uow.people.identity_by_id(people["expert"])
        assert eva is not None and eva.organisatie_naam is None
        assert eva.pga_gemeente_ids == {people["teststad"], people["elders"]}
        assert await uow.people.pga_gemeente_ids(people["expert"]) == {
            people["teststad"],
            people["elders"],
        }
        assert await uow.people.identity_by_id(people["plain"] + 100) is None


async def test_the_directory_lists_people_by_name_with_their_appointments(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        listed = await uow.people.active()
        piet = await uow.people.get(people["plain"])
        assert await uow.people.count() == 3
    assert [(p.naam, p.pga_gemeente_ids) for p in listed] == [
        ("Bea", frozenset()),
        ("Eva", frozenset({people["teststad"]})),
        ("Piet", frozenset()),
    ]
    assert (piet.functie, piet.organisatie_naam, piet.email) == (
        "Wijkwerker",
        "Wijkteam",
        "piet@wijkteam.example",
    )


async def test_only_active_experts_of_the_municipality_get_its_notices(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        await uow.people.make_pga_expert(people["beheerder"], people["teststad"])
        await uow.people.make_pga_expert(people["plain"], people["elders"])
        assert sorted(await uow.people.pga_experts_of(people["teststad"])) == sorted(
            [people["expert"], people["beheerder"]]
        )
        await uow.session.execute(
            update(Professional).where(Professional.id == people["beheerder"]).values(actief=False)
        )
        assert await uow.people.pga_experts_of(people["teststad"]) == [people["expert"]]


async def test_a_download_speaks_for_the_active_professional_it_was_issued_to(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        requester = await uow.people.download_requester(people["plain"], "ip=203.0.113.5")
        assert requester is not None
        assert (
            requester.professional_id,
            requester.tenant_id,
            requester.aad_object_id,
            requester.conversation_id,
            requester.conversation_type,
            requester.client,
        ) == (people["plain"], DEMO_TENANT, OBJECT_ID.lower(), "download", "download",
              "ip=203.0.113.5")  # fmt: skip
        assert requester.in_personal_space
        assert await uow.people.download_requester(people["plain"] + 100, None) is None
        await uow.session.execute(
            update(Professional).where(Professional.id == people["plain"]).values(actief=False)
        )
        assert await uow.people.download_requester(people["plain"], None) is None


async def test_the_requester_is_the_identified_professional(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        requester = uow.people.requester(5, "t", "o", "c", "groupChat", client="x")
    assert (
        requester.professional_id,
        requester.tenant_id,
        requester.aad_object_id,
        requester.conversation_id,
        requester.conversation_type,
        requester.client,
    ) == (5, "t", "o", "c", "groupChat", "x")


async def test_bootstrap_makes_a_beheerder_and_expert_of_the_default_municipality(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        with pytest.raises(NotFound, match=r"^professional$"):
            await uow.people.bootstrap_admin(people["plain"] + 100, "Nieuwstad")
        await uow.people.bootstrap_admin(people["plain"], "Nieuwstad")
        await uow.people.bootstrap_admin(people["plain"], "Nieuwstad")
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        piet = await uow.people.identity_by_id(people["plain"])
        names = {g.id: g.naam for g in await uow.people.gemeenten()}
    assert piet is not None and piet.is_beheerder
    assert [names[g] for g in piet.pga_gemeente_ids] == ["Nieuwstad"]
    async with sqlite_db.unit_of_work() as uow:
        assert [g.naam for g in await uow.people.gemeenten()] == ["Elders", "Nieuwstad", "Teststad"]


async def test_acting_as_is_kept_per_user_and_can_change(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.acting_as(DEMO_TENANT, OBJECT_ID) is None
        await uow.people.act_as(DEMO_TENANT, OBJECT_ID, people["expert"])
        assert await uow.people.acting_as(DEMO_TENANT, OBJECT_ID.lower()) == people["expert"]
        await uow.people.act_as(DEMO_TENANT, OBJECT_ID.lower(), people["beheerder"])
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.acting_as(DEMO_TENANT, OBJECT_ID) == people["beheerder"]
        assert await uow.people.acting_as("other", OBJECT_ID) is None


# --- drafts ---------------------------------------------------------------------------------------


async def test_drafts_are_per_author_and_form_and_expire(sqlite_db, people) -> None:
    piet, eva = people["plain"], people["expert"]
    async with sqlite_db.unit_of_work() as uow:
        await uow.people.save_concept(piet, "aanmelding", {"naam": "Kim"})
        await uow.people.save_concept(piet, "brief", {"adres": "x"})
        await uow.people.save_concept(eva, "aanmelding", {"naam": "Eva's"})
        await uow.people.save_concept(eva, "brief", {"adres": "y"})
        await uow.people.save_concept(piet, "aanmelding", {"naam": "Kim de Wit"})
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.concept(piet, "aanmelding") == {"naam": "Kim de Wit"}
        assert await uow.people.concept(eva, "aanmelding") == {"naam": "Eva's"}
        assert await uow.people.concept(eva, "brief") == {"adres": "y"}
        assert len((await uow.session.scalars(select(Concept))).all()) == 4
        await uow.people.drop_concept(piet, "brief")
        assert await uow.people.concept(piet, "brief") == {}
        assert await uow.people.concept(eva, "brief") == {"adres": "y"}
        assert await uow.people.concept(piet, "aanmelding") == {"naam": "Kim de Wit"}
        await uow.session.execute(
            update(Concept)
            .where(Concept.professional_id == eva)
            .values(updated_at=utcnow() - dt.timedelta(days=40))
        )
        assert await uow.people.drop_concepts_before(utcnow() - dt.timedelta(days=30)) == 2
        assert await uow.people.concept(eva, "aanmelding") == {}
        assert await uow.people.concept(piet, "aanmelding") == {"naam": "Kim de Wit"}


async def test_saving_a_draft_again_renews_its_term(sqlite_db, people) -> None:
    piet = people["plain"]
    async with sqlite_db.unit_of_work() as uow:
        await uow.people.save_concept(piet, "aanmelding", {"naam": "Kim"})
        await uow.session.execute(
            update(Concept).values(updated_at=utcnow() - dt.timedelta(days=40))
        )
        await uow.people.save_concept(piet, "aanmelding", {"naam": "Kim de Wit"})
        assert await uow.people.drop_concepts_before(utcnow() - dt.timedelta(days=30)) == 0


# --- people waiting to be registered ---------------------------------------------------------


def chat(conversation_id: str, object_id: str | None, name: object, minutes_ago: int = 0, **kw):
    return ConversationRef(
        conversation_id=conversation_id,
        conversation_type=kw.pop("conversation_type", "personal"),
        tenant_id=kw.pop("tenant_id", DEMO_TENANT),
        professional_id=kw.pop("professional_id", None),
        aad_object_id=object_id,
        reference={"user": {"name": name}} if name is not None else {},
        updated_at=utcnow() - dt.timedelta(minutes=minutes_ago),
    )


def test_a_teams_name_is_read_safely_and_cut_to_the_column() -> None:
    assert _teams_name({"user": {"name": "Ada"}}) == "Ada"
    assert _teams_name({"user": {"name": "x" * 200}}) == "x" * 150
    for reference in ({}, {"user": "Ada"}, {"user": {"name": ""}}, ["user"]):
        assert _teams_name(reference) == "Onbekende naam"  # type: ignore[arg-type]


async def test_waiting_lists_unregistered_personal_chats_of_the_tenant_newest_first(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        uow.session.add_all(
            [
                chat("old", "w-old", "Oud", minutes_ago=10),
                chat("new", "w-new", "Nieuw", minutes_ago=1),
                # Registered (Eva), even though the chat was stored before she was.
                chat("eva", "e", "Eva in Teams"),
                # Registered with this object id in another tenant only: still waiting here.
                chat("twin-here", "twin", "Hier", minutes_ago=3),
                chat("other-tenant", "w-other", "Elders", tenant_id="other"),
                chat("group", "w-group", "Groep", conversation_type="groupChat"),
                chat("no-object", None, "Zonder id"),
                chat("tied", "w-tied", "Gekoppeld", professional_id=people["plain"]),
            ]
        )
        await uow.session.flush()
        await uow.people.add_professional(tenant_id="other", aad_object_id="twin", naam="T")
        waiting = await uow.people.waiting(ask(people["expert"]))
        with pytest.raises(AccessDenied):
            await uow.people.waiting(ask(people["plain"]))
    assert [name for _, name in waiting] == ["Nieuw", "Hier", "Oud"]


async def test_waiting_shows_at_most_25(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        uow.session.add_all([chat(f"c{n}", f"w{n}", f"N{n}", minutes_ago=n) for n in range(27)])
        await uow.session.flush()
        waiting = await uow.people.waiting(ask(people["beheerder"]))
    assert [name for _, name in waiting] == [f"N{n}" for n in range(25)]


async def test_registering_someone_waiting_takes_identity_from_teams(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        uow.session.add_all(
            [chat("wacht", "w-obj", "Wim"), chat("ander", "w-ander", "Ans", minutes_ago=5)]
        )
        await uow.session.flush()
        (wim_id, _), _ = await uow.people.waiting(ask(people["beheerder"]))
        with pytest.raises(NotFound, match=r"^aanvraag$"):
            await uow.people.register_waiting(ask(people["beheerder"]), wim_id + 100)
        view = await uow.people.register_waiting(
            ask(people["beheerder"]), wim_id, pga_gemeente_id=people["elders"], functie="Agent"
        )
        assert (view.naam, view.tenant_id, view.functie) == ("Wim", DEMO_TENANT, "Agent")
        assert view.pga_gemeente_ids == {people["elders"]}
        assert (await uow.people.identity(DEMO_TENANT, "w-obj")).id == view.id
        assert [name for _, name in await uow.people.waiting(ask(people["beheerder"]))] == ["Ans"]


async def test_a_chat_of_another_tenant_cannot_be_registered(sqlite_db, people) -> None:
    async with sqlite_db.unit_of_work() as uow:
        uow.session.add(chat("elders", "w-elders", "Els", tenant_id="other"))
        await uow.session.flush()
        ref_id = await uow.session.scalar(select(ConversationRef.id))
        assert ref_id is not None
        with pytest.raises(NotFound, match=r"^aanvraag$"):
            await uow.people.register_waiting(ask(people["beheerder"]), ref_id)


# --- the letterhead -----------------------------------------------------------------------------


async def test_a_letterhead_is_set_by_a_beheerder_or_the_municipalitys_expert(
    sqlite_db, people
) -> None:
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.letterheads(ask(people["beheerder"])) == [
            (people["elders"], "Elders", "", ""),
            (people["teststad"], "Teststad", "", ""),
        ]
        assert await uow.people.letterheads(ask(people["expert"])) == [
            (people["teststad"], "Teststad", "", "")
        ]
        with pytest.raises(AccessDenied, match=r"^beheer\.briefhoofd$"):
            await uow.people.set_letterhead(
                ask(people["expert"]), people["elders"], adres="x", burgemeester="y"
            )
        with pytest.raises(AccessDenied):
            await uow.people.letterheads(ask(people["plain"]))
        await uow.rollback()
        await uow.people.set_letterhead(
            ask(people["expert"]), people["teststad"], adres="Markt 1", burgemeester="A. Burg"
        )
        await uow.people.set_letterhead(
            ask(people["beheerder"]), people["elders"], adres="", burgemeester=""
        )
        await uow.commit()
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.letterheads(ask(people["expert"])) == [
            (people["teststad"], "Teststad", "Markt 1", "A. Burg")
        ]
        elders = await uow.people.gemeente(people["elders"])
        assert elders is not None and (elders.adres, elders.burgemeester) == (None, None)
    assert await audit(sqlite_db) == [
        ("beheer.briefhoofd", "U", "success", people["expert"], None,
         f"gemeente={people['teststad']}"),
        ("beheer.briefhoofd", "U", "success", people["beheerder"], None,
         f"gemeente={people['elders']}"),
    ]  # fmt: skip
