"""The voortraject as plain async workflows (no SDK, no HTTP): aanmelding, triage, brief."""

from __future__ import annotations

import datetime as dt

from dialogs.core import Config
from store.db import Database
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_NAME,
    aanmelding_values,
    act,
    card_text,
    casus_id,
    future_date,
    professional_id,
    say,
    submit_aanmelding,
)
from tests.inspect import active_links, besluit_rows, cases_by_code, casus_row


async def pending_texts(db: Database, who_id: int | None = None) -> list[str]:
    async with db.unit_of_work() as uow:
        return [card_text(b.kaart) + (b.tekst or "") for b in await uow.berichten.pending(who_id)]


async def test_valid_aanmelding_creates_pseudonymised_casus_and_notifies(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    assert code.startswith(f"PGA-{dt.date.today().year}-0")
    fatima = await professional_id(demo_db, "a1")
    notices = await pending_texts(demo_db, fatima)
    assert len(notices) == 1 and code in notices[0] and "Beoordelen" in notices[0]
    for identifier in IDENTIFIERS:
        assert identifier not in notices[0]
    async with demo_db.unit_of_work() as uow:
        casus = (await cases_by_code(uow, code))[0]
        assert casus.status == "aangemeld"
        links = await active_links(uow, casus.id)
        assert [(b.rol, b.doel, b.grondslag) for b in links] == [
            ("betrokken", "Aanmelding voor de PGA", "art6_1e")
        ]


async def test_codes_count_up_per_municipality(demo_db, config):
    first = await submit_aanmelding(demo_db, config)
    second = await submit_aanmelding(demo_db, config, naam="Iemand Anders")
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


async def test_channel_sees_only_pseudonym(demo_db, config):
    await say(demo_db, config, "a1", "kanaal", conversation_type="channel")
    code = await submit_aanmelding(demo_db, config)
    async with demo_db.unit_of_work() as uow:
        channel = [b for b in await uow.berichten.pending() if b.conversation_id]
    assert len(channel) == 1
    text = card_text(channel[0].kaart)
    assert f"Nieuwe aanmelding {code}, jeugd, 3 leefgebieden" in text
    for identifier in IDENTIFIERS:
        assert identifier not in text


async def assert_rejected(db: Database, config: Config, field: str, **overrides: str) -> str:
    outcome = await act(
        db, config, "a2", "aanmelding.indienen", await aanmelding_values(db, **overrides)
    )
    text = card_text(outcome.card)
    assert "nog niet compleet" in text
    async with db.unit_of_work() as uow:
        assert await cases_by_code(uow, f"PGA-{dt.date.today().year}-001") == []
    return text


async def test_fewer_than_two_criteria_is_refused(demo_db, config):
    text = await assert_rejected(demo_db, config, "crit_overlast", crit_politie="false")
    assert "Minstens 2 van de 3 criteria" in text


async def test_missing_reason_when_resident_not_informed(demo_db, config):
    text = await assert_rejected(demo_db, config, "reden_niet_geinformeerd", geinformeerd="nee")
    assert "waarom de bewoner het nog niet weet" in text


async def test_future_birth_date_is_refused(demo_db, config):
    text = await assert_rejected(demo_db, config, "geboortedatum", geboortedatum=future_date())
    assert "in de toekomst" in text


async def test_unknown_organisation_is_refused(demo_db, config):
    text = await assert_rejected(demo_db, config, "partners", partners="99999")
    assert "Kies alleen uit de lijst" in text


async def test_control_characters_are_refused(demo_db, config):
    text = await assert_rejected(demo_db, config, "naam", naam="Kevin\x00\x1bOudeman")
    assert "niet zijn toegestaan" in text


async def test_tampered_payload_is_refused_without_storing(demo_db, config):
    values = await aanmelding_values(demo_db)
    for tampered in ({**values, "rol": "pga_expert"}, {**values, "naam": 12}, {"verb": "x"}):
        outcome = await act(demo_db, config, "a2", "aanmelding.indienen", tampered)
        assert outcome.card is None and "formulier klopt niet" in (outcome.text or "")
    async with demo_db.unit_of_work() as uow:
        assert await uow.berichten.pending() == []


async def test_draft_survives_reopening(demo_db, config):
    partial = await aanmelding_values(demo_db, crit_politie="false")
    await act(demo_db, config, "a2", "aanmelding.bewaren", partial)
    reopened = await say(demo_db, config, "a2", "aanmelden")
    assert RESIDENT_NAME in card_text(reopened.card)
    assert "Concept" not in (reopened.text or "")


async def test_aanmelden_in_channel_sends_form_privately(demo_db, config):
    outcome = await say(demo_db, config, "a2", "aanmelden", conversation_type="channel")
    assert outcome.card is None and "privéchat" in (outcome.text or "")
    jeroen = await professional_id(demo_db, "a2")
    assert any("Aanmelding PGA" in text for text in await pending_texts(demo_db, jeroen))


async def test_non_expert_cannot_triage_from_forwarded_card(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    for verb, data in (
        ("triage.open", {"casus": cid}),
        ("triage.besluit", {"casus": cid, "besluit": "afwijzen"}),
    ):
        outcome = await act(demo_db, config, "a3", verb, data)
        assert outcome.card is None and "geen toegang" in (outcome.text or "")
    async with demo_db.unit_of_work() as uow:
        casus = await casus_row(uow, cid)
        assert casus.status == "aangemeld"
        events = await uow.audit.events(cid)
        assert [e.outcome for e in events if e.event.startswith("triage")] == ["denied", "denied"]


async def test_unlinked_professional_never_sees_identity(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    outcome = await say(demo_db, config, "a5", f"casus {code}")
    assert RESIDENT_NAME not in card_text(outcome.card) + (outcome.text or "")
    assert "niet betrokken" in (outcome.text or "") or "geen toegang" in (outcome.text or "")


async def test_full_triage_opnemen_letter_and_startgesprek(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    lijst = await say(demo_db, config, "a1", "triage")
    assert code in card_text(lijst.card) and RESIDENT_NAME not in card_text(lijst.card)

    opened = await act(demo_db, config, "a1", "triage.open", {"casus": cid})
    assert RESIDENT_NAME in card_text(opened.card)

    sanne = await professional_id(demo_db, "a3")
    missing = await act(
        demo_db, config, "a1", "triage.besluit", {"casus": cid, "besluit": "opnemen"}
    )
    assert "Kies je grondslag" in card_text(missing.card)

    decided = await act(
        demo_db,
        config,
        "a1",
        "triage.besluit",
        {
            "casus": cid,
            "besluit": "opnemen",
            "eigen_grondslag": "art6_1e",
            "regisseur_grondslag": "art6_1e",
            "regisseur_uitzondering": "art9_2h",
            "regisseur_beroepsgeheim": "conflict_van_plichten",
            "casusregisseur": str(sanne),
            "startgesprek_datum": future_date(),
            "startgesprek_tijd": "10:30",
            "startgesprek_wie": "Fatima en Sanne",
        },
    )
    assert "Opnemen in de PGA" in card_text(decided.card)
    assert any(f"casusregisseur van {code}" in t for t in await pending_texts(demo_db, sanne))
    jeroen = await professional_id(demo_db, "a2")
    assert any("Uitkomst aanmelding" in t for t in await pending_texts(demo_db, jeroen))

    again = await act(
        demo_db,
        config,
        "a1",
        "triage.besluit",
        {"casus": cid, "besluit": "afwijzen", "toelichting": "x"},
    )
    assert "al besloten" in (again.text or "")

    form = await act(demo_db, config, "a1", "brief.open", {"casus": cid})
    assert "Brief aan bewoner" in card_text(form.card)
    made = await act(
        demo_db,
        config,
        "a1",
        "brief.maken",
        {
            "casus": cid,
            "adres": "Lindelaan 12",
            "postcode": "1234 AB",
            "woonplaats": "Zuiderstad",
            "startgesprek_datum": future_date(),
            "startgesprek_tijd": "10:30",
            "startgesprek_locatie": "Stadhuis Zuiderstad",
        },
    )
    assert "/brieven/" in card_text(made.card)

    # The casusregisseur records the startgesprek; the aanmelder (betrokken) cannot.
    today = dt.date.today().isoformat()
    refused = await act(
        demo_db,
        config,
        "a2",
        "startgesprek.vastleggen",
        {"casus": cid, "uitkomst": "gehouden", "datum": today},
    )
    assert "casusregisseur of de PGA-expert" in (refused.text or "")
    held = await act(
        demo_db,
        config,
        "a3",
        "startgesprek.vastleggen",
        {
            "casus": cid,
            "uitkomst": "niet_gehouden",
            "datum": today,
            "visie_bewoner": "Wil niet praten",
        },
    )
    assert "nadruk op handhaving" in card_text(held.card)

    async with demo_db.unit_of_work() as uow:
        besluiten = [(b.soort, b.uitkomst) for b in await besluit_rows(uow, cid)]
        assert besluiten == [("triage", "opnemen"), ("startgesprek", "niet_gehouden")]
        views = [e for e in await uow.audit.events(cid) if e.event == "identiteit.bekijken"]
        assert views and all(e.outcome == "success" for e in views)


async def test_other_triage_decisions_close_with_reason(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    await act(demo_db, config, "a1", "triage.open", {"casus": cid})
    refused = await act(
        demo_db, config, "a1", "triage.besluit", {"casus": cid, "besluit": "doorverwijzen"}
    )
    assert "Kies waarheen je doorverwijst" in card_text(refused.card)
    done = await act(
        demo_db,
        config,
        "a1",
        "triage.besluit",
        {
            "casus": cid,
            "besluit": "doorverwijzen",
            "doorverwijzing": "wijkteam",
            "toelichting": "Zorgvraag past bij het wijkteam",
            "eigen_grondslag": "art6_1e",
        },
    )
    assert "Doorverwijzen" in card_text(done.card)
    async with demo_db.unit_of_work() as uow:
        casus = await casus_row(uow, cid)
        assert casus.status == "doorverwezen" and casus.afgesloten_at is not None


async def test_triage_button_in_channel_goes_private(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    outcome = await act(
        demo_db, config, "a1", "triage.open", {"casus": cid}, conversation_type="channel"
    )
    assert outcome.card is None and "privéchat" in (outcome.text or "")
    fatima = await professional_id(demo_db, "a1")
    assert any(RESIDENT_NAME in t for t in await pending_texts(demo_db, fatima))


async def test_possible_duplicate_names_the_casus_to_the_municipality_pga_expert(demo_db, config):
    """The PGA-expert of the gemeente is entitled to both cases (DESIGN §3.2): the warning
    names the other code instead of saying she is not involved."""
    first = await submit_aanmelding(demo_db, config, who="a2")
    second = await submit_aanmelding(
        demo_db, config, who="a4", naam="kevin  OUDEMAN", toch_versturen="true"
    )
    opened = await act(
        demo_db, config, "a1", "triage.open", {"casus": await casus_id(demo_db, second)}
    )
    text = card_text(opened.card)
    assert "Mogelijk dubbel" in text and first in text
    assert "niet bij betrokken" not in text


async def test_form_submitted_in_a_channel_stores_nothing(demo_db, config):
    values = await aanmelding_values(demo_db)
    outcome = await act(
        demo_db, config, "a2", "aanmelding.indienen", values, conversation_type="channel"
    )
    assert outcome.card is None and "privéchat" in (outcome.text or "")
    async with demo_db.unit_of_work() as uow:
        assert await cases_by_code(uow, f"PGA-{dt.date.today().year}-001") == []


async def test_private_delivery_says_how_to_open_the_chat_first(demo_db, config):
    first = await say(demo_db, config, "a2", "aanmelden", conversation_type="channel")
    assert "nog niet geopend" in (first.text or "")
    await say(demo_db, config, "a2", "hallo")  # Jeroen opens his 1:1 chat
    second = await say(demo_db, config, "a2", "aanmelden", conversation_type="channel")
    assert "Ik heb je het aanmeldformulier in je privéchat" in (second.text or "")


async def test_a_second_referral_of_the_same_resident_asks_to_confirm(demo_db, config):
    """An older form in the chat made a second casus without a word; now the aanmelder is
    asked to confirm, without learning which casus exists (issue #9)."""
    first = await submit_aanmelding(demo_db, config, who="a2")
    values = await aanmelding_values(demo_db, naam="Kevin Oudeman")
    asked = await act(demo_db, config, "a4", "aanmelding.indienen", values)
    text = card_text(asked.card)
    assert "al een aanmelding of casus" in text and first not in text
    assert "toch_versturen" in text
    async with demo_db.unit_of_work() as uow:
        assert len(await cases_by_code(uow, first.replace("001", "002"))) == 0
    sent = await act(
        demo_db, config, "a4", "aanmelding.indienen", {**values, "toch_versturen": "true"}
    )
    assert "Aanmelding verstuurd" in card_text(sent.card)


async def test_fewer_than_two_criteria_can_be_sent_for_advice(demo_db, config):
    code = await submit_aanmelding(demo_db, config, crit_politie="false", voor_advies="true")
    lijst = await say(demo_db, config, "a1", "triage")
    assert code in card_text(lijst.card) and "voor advies" in card_text(lijst.card)


async def test_an_acute_referral_says_where_to_go_now(demo_db, config):
    outcome = await act(
        demo_db,
        config,
        "a2",
        "aanmelding.indienen",
        await aanmelding_values(demo_db, urgentie="acuut"),
    )
    text = card_text(outcome.card)
    assert "112" in text and "Veilig Thuis" in text and "Aanmelding verstuurd" in text


async def test_casus_typed_in_a_channel_shows_the_channel_nothing(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    shown = await say(demo_db, config, "a2", f"casus {code}", conversation_type="channel")
    assert shown.card is None and "privéchat" in (shown.text or "")
    assert "rol" not in (shown.text or "").lower()
