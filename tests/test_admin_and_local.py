"""Beheer (organisations, professionals, channel) and the local 'act as' switch."""

from __future__ import annotations

from dataclasses import replace

from tests.helpers import act, card_text, professional_id, say, submit_aanmelding

NEW_ID = "12345678-1234-4234-8234-123456789012"


async def test_pga_expert_registers_organisation_and_professional(demo_db, config) -> None:
    added = await act(
        demo_db,
        config,
        "a1",
        "beheer.organisatie",
        {"org_naam": "Veilig Thuis", "org_soort": "zorg"},
    )
    assert "Veilig Thuis is toegevoegd" in card_text(added.card)
    twice = await act(
        demo_db,
        config,
        "a1",
        "beheer.organisatie",
        {"org_naam": "veilig thuis", "org_soort": "zorg"},
    )
    assert "bestaat al" in card_text(twice.card)
    person = await act(
        demo_db,
        config,
        "a1",
        "beheer.professional",
        {
            "prof_naam": "Eva Smit",
            "prof_object_id": NEW_ID,
            "prof_rol": "professional",
        },
    )
    assert "Eva Smit is toegevoegd" in card_text(person.card)
    bad = await act(
        demo_db,
        config,
        "a1",
        "beheer.professional",
        {"prof_naam": "X", "prof_object_id": "niet-een-guid"},
    )
    assert "object-id" in card_text(bad.card)


async def test_others_cannot_administer(demo_db, config) -> None:
    for verb in ("beheer.open", "beheer.organisatie", "beheer.professional"):
        outcome = await act(demo_db, config, "a3", verb, {})
        assert outcome.card is None and "Alleen een PGA-expert" in (outcome.text or "")


async def test_registered_professional_can_use_the_bot(demo_db, config) -> None:
    await act(
        demo_db,
        config,
        "a1",
        "beheer.professional",
        {
            "prof_naam": "Eva Smit",
            "prof_object_id": NEW_ID,
            "prof_rol": "professional",
        },
    )
    from dialogs import router
    from tests.conftest import incoming

    eva = replace(incoming("a1"), aad_object_id=NEW_ID, conversation_id="p-eva")
    outcome = await router.handle_text(demo_db, config, eva, "help")
    assert "Hallo Eva Smit" in card_text(outcome.card)


async def test_admin_from_configuration_is_bootstrapped(sqlite_db, config) -> None:
    from dialogs import router
    from tests.conftest import incoming

    admin_config = replace(config, admin_object_ids=frozenset({NEW_ID}))
    admin = replace(incoming("a1"), aad_object_id=NEW_ID)
    outcome = await router.handle_text(sqlite_db, admin_config, admin, "help")
    assert "triage" in card_text(outcome.card) and "beheer" in card_text(outcome.card)
    stranger = await router.handle_text(sqlite_db, admin_config, incoming("a2"), "help")
    assert "Je staat nog niet in Casusoverleg" in (stranger.text or "")


async def test_act_as_exists_only_in_local_mode(demo_db, config) -> None:
    outcome = await say(demo_db, config, "a1", "als")
    assert "alleen in de lokale proefomgeving" in (outcome.text or "")


async def test_act_as_switches_identity_and_delivers_waiting_messages(demo_db, config) -> None:
    local = replace(config, local_mode=True)
    await submit_aanmelding(demo_db, local, who="a2")
    picker = await say(demo_db, local, "a5", "als")
    assert "Fatima el Amrani" in card_text(picker.card)
    fatima = await professional_id(demo_db, "a1")
    switched = await act(demo_db, local, "a5", "demo.als", {"professional": fatima})
    assert "Je bent nu Fatima el Amrani" in (switched.text or "")
    assert "Berichten voor jou: 1" in (switched.text or "") and switched.has_messages
    lijst = await say(demo_db, local, "a5", "triage")
    assert "Open aanmeldingen" in card_text(lijst.card)


async def test_registering_an_admin_first_does_not_block_them(demo_db, config) -> None:
    from dialogs import router
    from tests.conftest import incoming

    await act(
        demo_db,
        config,
        "a1",
        "beheer.professional",
        {
            "prof_naam": "Eva Smit",
            "prof_object_id": NEW_ID,
            "prof_rol": "professional",
        },
    )
    admin_config = replace(config, admin_object_ids=frozenset({NEW_ID}))
    eva = replace(incoming("a1"), aad_object_id=NEW_ID, conversation_id="p-eva")
    outcome = await router.handle_text(demo_db, admin_config, eva, "help")
    assert "beheer" in card_text(outcome.card) and "triage" in card_text(outcome.card)


async def test_beheerder_switches_a_professional_off(demo_db, config) -> None:
    linda = await professional_id(demo_db, "a5")
    fatima = await professional_id(demo_db, "a1")
    self_off = await act(
        demo_db, config, "a1", "beheer.uitschakelen", {"uit_professional": str(fatima)}
    )
    assert "jezelf niet uitschakelen" in card_text(self_off.card)
    done = await act(demo_db, config, "a1", "beheer.uitschakelen", {"uit_professional": str(linda)})
    assert "Linda Jansen is uitgeschakeld" in card_text(done.card)
    refused = await say(demo_db, config, "a5", "help")
    assert "geen toegang meer" in (refused.text or "")
    async with demo_db.unit_of_work() as uow:
        events = [(e.event, e.outcome) for e in await uow.audit.events()]
    assert ("beheer.uitschakelen", "success") in events


async def test_beheerder_switches_a_professional_back_on(demo_db, config) -> None:
    linda = await professional_id(demo_db, "a5")
    await act(demo_db, config, "a1", "beheer.uitschakelen", {"uit_professional": str(linda)})
    again = await act(demo_db, config, "a1", "beheer.inschakelen", {"aan_professional": str(linda)})
    assert "weer ingeschakeld" in card_text(again.card)
    back = await say(demo_db, config, "a5", "help")
    assert "Hallo Linda Jansen" in card_text(back.card)
