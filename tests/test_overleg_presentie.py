"""Attendance at the casusoverleg (issue #10): invitees say they are there or send apologies,
the chair records anyone (listeners too) and whether the resident came to an incidenteel
overleg; roles per agenda item come from the store; buttons work only for who is there; the
published agenda changes in place. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from dialogs import router
from store.models import Aanwezige, AuditEvent, Bericht, Overleg
from tests.helpers import RESIDENT_NAME, act, card_text, future_date, professional_id
from tests.test_koppelen import link
from tests.test_overleg import (
    CHANNEL,
    _channel,
    _pending_cards,
    besluit,
    button,
    channel_cards,
    check_in,
    discussion_card,
    on_agenda,
    opgenomen,
    plain,
    planned,
    press,
    started,
)


async def attendance_card(db) -> dict:
    found = [c for c in await channel_cards(db) if "Presentie" in card_text(c)]
    assert found
    return found[-1]


async def rows(db, oid: int) -> dict[int, Aanwezige]:
    async with db.unit_of_work() as uow:
        found = await uow.session.scalars(select(Aanwezige).where(Aanwezige.overleg_id == oid))
        return {row.professional_id: row for row in found.all()}


async def test_invitees_check_in_and_the_card_shows_who_is_there(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    oid = await started(db, config, (code, cid), chair="a6")
    posted = await attendance_card(db)
    assert "Ahmed Yilmaz (Reclassering Nederland)" in plain(posted)  # invited, not there yet
    assert RESIDENT_NAME not in plain(posted)

    here = await check_in(db, config, "a4", oid)
    again = await check_in(db, config, "a4", oid)  # a double press changes nothing more
    assert "Presentie bijgewerkt" in plain(again.card)
    ahmed = await professional_id(db, "a4")
    listed = await rows(db, oid)
    assert listed[ahmed].aanwezig and not listed[ahmed].afgemeld
    aanwezig = next(f for f in _facts(here.card) if f["title"] == "Aanwezig")["value"]
    assert "Ahmed Yilmaz" in aanwezig and "Kees Hoekstra" in aanwezig  # the chair is there

    # Linda is not invited: she cannot put herself on the list.
    linda = await professional_id(db, "a5")
    refused = await check_in(db, config, "a5", oid)
    assert refused.card is None and "niet op de lijst van genodigden" in (refused.text or "")
    assert linda not in await rows(db, oid)


async def test_buttons_work_only_for_who_is_there_and_listeners_do_not_record(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    oid = await started(db, config, (code, cid), chair="a6")
    card = await discussion_card(db, code)

    # Fatima (PGA-expert) did not start it and has not checked in: nothing is recorded.
    absent = await besluit(db, config, "a1", code)
    assert "niet als aanwezig" in (absent.text or "")
    # The chair makes her a listener: still nothing.
    fatima = await professional_id(db, "a1")
    chair = await press(
        db,
        config,
        "a6",
        "presentie.vastleggen",
        await attendance_card(db),
        wie=str(fatima),
        status="luisteraar",
    )
    assert "luistert mee" in plain(chair.card)
    listening = await besluit(db, config, "a1", code)
    assert "Je luistert mee" in (listening.text or "")
    details = await press(db, config, "a4", "overleg.details", card)
    assert "niet als aanwezig" in (details.text or "")

    # Present and speaking: recorded.
    await press(
        db,
        config,
        "a6",
        "presentie.vastleggen",
        await attendance_card(db),
        wie=str(fatima),
        status="aanwezig",
    )
    recorded = await besluit(db, config, "a1", code)
    assert "Besluit vastgelegd" in plain(recorded.card)
    # Only the chair or the PGA-expert records attendance.
    ahmed = await professional_id(db, "a4")
    await check_in(db, config, "a4", oid)
    not_chair = await press(
        db,
        config,
        "a4",
        "presentie.vastleggen",
        await attendance_card(db),
        wie=str(ahmed),
        status="afwezig",
    )
    assert "Alleen de voorzitter" in (not_chair.text or "")
    assert (await rows(db, oid))[ahmed].aanwezig


async def test_the_role_per_item_comes_from_the_links(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")  # betrokken
    await link(db, config, cid, "a5", rol="adviserend")
    oid = await started(db, config, (code, cid), chair="a6")
    for who in ("a4", "a5"):
        await check_in(db, config, who, oid)
    updated = await besluit(db, config, "a6", code)
    shown = plain(updated.card)
    assert "Ahmed Yilmaz (Reclassering Nederland) · betrokken" in shown
    assert "Linda Jansen (Woonstad Zuiderstad) · adviserend" in shown
    assert "Kees Hoekstra (Zorg- en Veiligheidshuis Zuiderstad) · voorzitter" in shown


async def test_apologies_from_the_invitation_before_the_overleg(demo_any_db, config):
    db = demo_any_db
    _code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    oid = await planned(db, config, chair="a6")
    await on_agenda(db, config, oid, cid)
    await act(db, config, "a1", "agenda.publiceren", {"overleg": oid})
    ahmed = await professional_id(db, "a4")
    invitation = next(c for c in await _pending_cards(db, ahmed) if "Uitnodiging" in card_text(c))
    answer = await act(db, config, "a4", "presentie.melden", button(invitation, "presentie.melden"))
    assert "Afmelding vastgelegd" in (answer.text or "")
    # Being there is said only once the overleg runs.
    early = await act(
        db, config, "a4", "presentie.melden", {"overleg": oid, "antwoord": "aanwezig"}
    )
    assert "nog niet begonnen" in (early.text or "")
    assert (await rows(db, oid))[ahmed].afgemeld
    await router.handle_text(db, config, _channel("a6"), "<at>Casusoverleg</at> overleg starten")
    afgemeld = next(
        f for f in _facts(await attendance_card(db)) if f["title"].startswith("Afwezig")
    )
    assert "Ahmed Yilmaz" in afgemeld["value"]


async def test_the_resident_at_an_incidenteel_overleg(demo_any_db, config):
    db = demo_any_db
    _code, cid = await opgenomen(db, config)
    structureel = await act(
        db,
        config,
        "a1",
        "overleg.plannen",
        {
            "_form": uuid.uuid4().hex,
            "soort": "structureel",
            "datum": future_date(),
            "tijd": "10:00",
            "plaats": "Stadhuis",
            "voorzitter": str(await professional_id(db, "a1")),
            "bewoner": "true",
        },
    )
    assert "Alleen bij een incidenteel overleg" in card_text(structureel.card)
    oid = await planned(db, config, chair="a1", soort="incidenteel", bewoner="true")
    await on_agenda(db, config, oid, cid)
    await act(db, config, "a1", "agenda.publiceren", {"overleg": oid})
    await router.handle_text(db, config, _channel("a1"), "<at>Casusoverleg</at> overleg starten")
    card = await attendance_card(db)
    assert "uitgenodigd, nog niet vastgelegd" in plain(card)
    came = await press(db, config, "a1", "presentie.bewoner", card)
    bewoner = next(f for f in _facts(came.card) if f["title"] == "Bewoner")["value"]
    assert bewoner == "aanwezig" and RESIDENT_NAME not in plain(came.card)
    async with db.unit_of_work() as uow:
        stored = await uow.session.get(Overleg, oid)
        assert stored is not None and stored.bewoner_uitgenodigd and stored.bewoner_aanwezig


async def test_a_structureel_overleg_has_no_resident_to_record(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    oid = await started(db, config, (code, cid), chair="a1")
    refused = await router.handle_action(
        db, config, _channel("a1"), "presentie.bewoner", {"overleg": oid, "antwoord": "ja"}
    )
    assert "niet uitgenodigd" in (refused.text or "")
    async with db.unit_of_work() as uow:
        stored = await uow.session.get(Overleg, oid)
        assert stored is not None and stored.bewoner_aanwezig is None


async def test_after_publishing_the_agenda_card_changes_in_place(demo_any_db, config):
    db = demo_any_db
    _first, cid1 = await opgenomen(db, config)
    second, cid2 = await opgenomen(db, config, naam="Priya Ramdin", geboren="2001-06-09")
    await link(db, config, cid2, "a4")
    oid = await planned(db, config, chair="a6")
    await on_agenda(db, config, oid, cid1)
    await act(db, config, "a1", "agenda.publiceren", {"overleg": oid})
    ahmed = await professional_id(db, "a4")
    assert not any("Uitnodiging" in card_text(c) for c in await _pending_cards(db, ahmed))

    added = await on_agenda(db, config, oid, cid2)
    assert "bijgewerkt op dezelfde kaart" in card_text(added.card)
    async with db.unit_of_work() as uow:
        agenda_posts = (
            await uow.session.scalars(
                select(Bericht).where(
                    Bericht.conversation_id == CHANNEL, Bericht.plek == f"agenda:{oid}"
                )
            )
        ).all()
    assert len(agenda_posts) == 2  # the first post, and its update under the same key
    assert second in card_text(agenda_posts[-1].kaart)
    assert any("Uitnodiging" in card_text(c) for c in await _pending_cards(db, ahmed))

    # The posted agenda cannot become empty.
    agenda = await act(db, config, "a1", "agenda.open", {"overleg": oid})
    for punt in [d for d in _buttons(agenda.card, "agenda.verwijderen")]:
        last = await act(db, config, "a1", "agenda.verwijderen", punt)
    assert "laatste punt" in (last.text or "")
    assert len(await channel_cards(db)) == 3  # nothing posted for the refusal


async def test_attendance_after_the_overleg_is_closed_changes_nothing(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    oid = await started(db, config, (code, cid), chair="a6")
    await router.handle_text(db, config, _channel("a6"), "<at>Casusoverleg</at> overleg afronden")
    late = await check_in(db, config, "a4", oid)
    assert "afgerond" in (late.text or "")
    assert not (await rows(db, oid))[await professional_id(db, "a4")].aanwezig
    async with db.unit_of_work() as uow:
        logged = (
            await uow.session.scalars(
                select(AuditEvent.details).where(AuditEvent.event == "overleg.presentie")
            )
        ).all()
    assert logged == []


def _facts(card: dict | None) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                found.extend(node["facts"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return [{"title": f["title"], "value": f["value"].replace("\\", "")} for f in found]


def _buttons(card: dict | None, verb: str) -> list[dict]:
    from tests.test_contract import executes

    return [a.get("data", {}) for a in executes(card or {}) if a["verb"] == verb]


async def test_a_casus_flagged_for_closing_is_suggested_first_next_time(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    other, _ = await opgenomen(db, config, naam="Priya Ramdin", geboren="2001-06-09")
    await started(db, config, (code, cid), chair="a6")
    await besluit(db, config, "a6", code, uitkomst="afsluiten")
    await router.handle_text(db, config, _channel("a6"), "<at>Casusoverleg</at> overleg afronden")

    oid = await planned(db, config, chair="a6")
    agenda = await act(db, config, "a1", "agenda.open", {"overleg": oid})
    shown = plain(agenda.card)
    assert "het vorige overleg besloot af te sluiten" in shown
    assert shown.index(code) < shown.index(other)  # flagged before the new one
    flagged = next(d for d in _buttons(agenda.card, "agenda.voorstel") if d.get("casus") == cid)
    assert flagged["reden"] == "afsluiten"


async def test_the_discussion_card_in_the_channel_follows_each_besluit_in_place(
    demo_any_db, config
):
    """Not only the presser's view: the card under its key is replaced for everyone."""
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await started(db, config, (code, cid), chair="a6")
    await besluit(db, config, "a6", code, uitkomst="plan_vastgesteld")
    async with db.unit_of_work() as uow:
        keyed = (
            await uow.session.scalars(
                select(Bericht).where(Bericht.plek.like("bespreking:%")).order_by(Bericht.id)
            )
        ).all()
    assert len(keyed) == 2 and keyed[0].plek == keyed[1].plek  # posted, then replaced
    assert "Plan vastgesteld" in plain(keyed[1].kaart)
    assert "Plan vastgesteld" not in plain(keyed[0].kaart)
