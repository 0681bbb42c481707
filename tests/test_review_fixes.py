"""Regression tests for the findings of the security and privacy review."""

from __future__ import annotations

import datetime as dt
import logging

from dialogs.retention import apply_retention
from tests.helpers import (
    RESIDENT_NAME,
    aanmelding_values,
    act,
    card_text,
    casus_id,
    decide,
    professional_id,
    say,
    submit_aanmelding,
)
from tests.inspect import active_links, besluit_rows, cases_by_code


async def test_rejected_payload_is_logged_without_its_values(demo_db, config, caplog):
    caplog.set_level(logging.DEBUG)
    for naam in (RESIDENT_NAME + " " + "x" * 3000, [RESIDENT_NAME]):
        outcome = await act(demo_db, config, "a2", "aanmelding.bewaren", {"naam": naam})
        assert "formulier klopt niet" in (outcome.text or "")
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "rejected at naam" in logs and "Oudeman" not in logs


async def test_typed_purpose_stays_out_of_the_audit_log(demo_db, config):
    code = await submit_aanmelding(demo_db, config, doel=f"Aanmelding {RESIDENT_NAME} overlast")
    async with demo_db.unit_of_work() as uow:
        events = await uow.audit.events(await casus_id(demo_db, code))
    assert events and not any("Oudeman" in str(vars(event)) for event in events)


async def test_double_submit_of_one_form_makes_one_casus(demo_db, config):
    values = {**await aanmelding_values(demo_db), "_form": "form-123"}
    first = await act(demo_db, config, "a2", "aanmelding.indienen", values)
    second = await act(demo_db, config, "a2", "aanmelding.indienen", values)
    code = card_text(first.card).split("**")[1]
    assert code in card_text(second.card) and "Aanmelding verstuurd" in card_text(second.card)
    async with demo_db.unit_of_work() as uow:
        assert len(await cases_by_code(uow, code)) == 1
        assert len(await uow.berichten.pending()) == 1  # one triage notice, not two


async def test_non_characters_in_a_name_are_refused(demo_db, config):
    for naam in ("Kevin\uffffOudeman", "Kevin\ud800", "Kevin\u202eOudeman"):
        values = await aanmelding_values(demo_db, naam=naam)
        outcome = await act(demo_db, config, "a2", "aanmelding.indienen", values)
        assert "niet zijn toegestaan" in card_text(outcome.card)


async def test_retention_clears_free_text_drafts_and_undelivered_messages(demo_db, config):
    await act(demo_db, config, "a3", "aanmelding.bewaren", {"naam": "Piet Geheim"})
    code = await submit_aanmelding(demo_db, config, doel=f"PGA voor {RESIDENT_NAME}")
    cid = await casus_id(demo_db, code)
    await decide(
        demo_db,
        config,
        cid,
        besluit="al_besproken",
        ander_overleg=f"Overleg {RESIDENT_NAME}",
        toelichting="Loopt al in het Veiligheidshuis",
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert await apply_retention(demo_db, 365, now=later) == 1
    async with demo_db.unit_of_work() as uow:
        links = await active_links(uow, cid)
        besluiten = await besluit_rows(uow, cid)
        pending = await uow.berichten.pending()
        draft = await uow.people.concept(3, "aanmelding")
    assert links and all("Oudeman" not in link.doel for link in links)
    assert all(b.details == {} for b in besluiten)
    assert all("Oudeman" not in card_text(b.kaart) for b in pending)
    assert draft == {}


async def test_unknown_and_unlinked_codes_get_the_same_answer(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    unlinked = await say(demo_db, config, "a5", f"casus {code}")
    unknown = await say(demo_db, config, "a5", "casus PGA-2026-999")
    assert unlinked.text == unknown.text


async def test_beheer_in_a_channel_goes_to_the_private_chat(demo_db, config):
    outcome = await say(demo_db, config, "a1", "beheer", conversation_type="channel")
    assert outcome.card is None and "privéchat" in (outcome.text or "")
    async with demo_db.unit_of_work() as uow:
        pending = [card_text(b.kaart) for b in await uow.berichten.pending()]
    assert any("Professional toevoegen" in text for text in pending)


async def test_private_delivery_is_audited_with_its_real_origin(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    await act(demo_db, config, "a1", "triage.open", {"casus": cid}, conversation_type="channel")
    async with demo_db.unit_of_work() as uow:
        views = [e for e in await uow.audit.events(cid) if e.event == "identiteit.bekijken"]
    assert views[-1].outcome == "success"
    assert views[-1].origin_conversation_type == "channel"
    assert "getoond in privéchat" in (views[-1].details or "")


async def test_unusual_digits_are_a_field_error_not_a_crash(demo_db, config):
    outcome = await act(
        demo_db,
        config,
        "a1",
        "beheer.professional",
        {
            "prof_naam": "X",
            "prof_object_id": "00000000-0000-0000-0000-0000000000f1",
            "prof_organisatie": "²",
        },
    )
    assert "Kies een organisatie uit de lijst" in card_text(outcome.card)
    huge = await act(demo_db, config, "a1", "casus.open", {"casus": 10**30})
    assert "formulier klopt niet" in (huge.text or "")


async def test_channel_answers_say_to_mention_the_bot(demo_db, config):
    outcome = await say(demo_db, config, "a5", "triage", conversation_type="channel")
    assert "'@Casusoverleg help'" in (outcome.text or "")
    private = await say(demo_db, config, "a5", "triage")
    assert "Typ 'help'" in (private.text or "")


async def test_switched_off_professional_gets_nothing_more(demo_db, config):
    code = await submit_aanmelding(demo_db, config)  # Jeroen (a2) refers
    cid = await casus_id(demo_db, code)
    await say(demo_db, config, "a2", "hallo")  # Jeroen has a 1:1 chat
    jeroen = await professional_id(demo_db, "a2")
    await act(demo_db, config, "a1", "beheer.uitschakelen", {"uit_professional": str(jeroen)})
    await decide(demo_db, config, cid, besluit="afwijzen", toelichting=f"{RESIDENT_NAME} verhuist")
    async with demo_db.unit_of_work() as uow:
        pending = await uow.berichten.pending(jeroen)
        claimed = await uow.berichten.claim("w", 50, dt.timedelta(minutes=1))
    assert all(b.professional_id != jeroen for b in claimed)
    assert all(RESIDENT_NAME not in card_text(b.kaart) for b in claimed)
    assert pending  # the outcome waits, but is never handed to the sender


async def test_registered_after_installing_gets_notices(demo_db, config):
    from dataclasses import replace

    from dialogs import router
    from tests.conftest import incoming

    newcomer = "12345678-1234-4234-8234-1234567890ab"
    installed = replace(incoming("a1"), aad_object_id=newcomer, conversation_id="p-new")
    refused = await router.handle_text(demo_db, config, installed, "hallo")
    assert "nog niet in Casusoverleg" in (refused.text or "")
    await act(
        demo_db,
        config,
        "a1",
        "beheer.professional",
        {
            "prof_naam": "Nieuwe Collega",
            "prof_object_id": newcomer,
            "prof_rol": "professional",
        },
    )
    async with demo_db.unit_of_work() as uow:
        found = await uow.people.identity(installed.tenant_id, newcomer)
        assert found is not None
        chat = await uow.conversations.personal_for(found.id)
    assert chat is not None and chat.conversation_id == "p-new"


async def test_one_casusregisseur_only(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    outcome = await decide(
        demo_db, config, await casus_id(demo_db, code), besluit="opnemen", casusregisseur="3,4"
    )
    assert "Kies een casusregisseur uit de lijst" in card_text(outcome.card)


async def test_long_form_ids_names_and_purposes_fit(demo_any_db, config):
    db = demo_any_db
    values = {
        **await aanmelding_values(db, naam="\ufdfa" * 9, doel="Ali " * 75),
        "_form": "x" * 64,
    }
    outcome = await act(db, config, "a2", "aanmelding.indienen", values)
    assert "Aanmelding verstuurd" in card_text(outcome.card)
    cid = await casus_id(db, card_text(outcome.card).split("**")[1])
    await decide(db, config, cid, besluit="afwijzen", toelichting="past niet")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert await apply_retention(db, 365, now=later) == 1


async def test_buttons_pressed_in_a_channel_answer_in_the_private_chat(demo_db, config):
    await submit_aanmelding(demo_db, config)
    outcome = await act(demo_db, config, "a1", "triage.lijst", {}, conversation_type="channel")
    assert outcome.card is None and "privéchat" in (outcome.text or "")
    fatima = await professional_id(demo_db, "a1")
    async with demo_db.unit_of_work() as uow:
        pending = [card_text(b.kaart) for b in await uow.berichten.pending(fatima)]
    assert any("Open aanmeldingen" in text for text in pending)
    refused = await act(demo_db, config, "a5", "triage.lijst", {}, conversation_type="channel")
    assert "Alleen een PGA-expert" in (refused.text or "")  # a short refusal stays in place
