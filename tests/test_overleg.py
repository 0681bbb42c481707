"""The casusoverleg (issue #10): planned → agenda → published → started → casussen discussed
(besluiten and afspraken on the discussion card in the channel) → afgerond. Privacy: no
channel post or shared card names a resident, details only for the linked, typed text
redacted. Bad input: a Dutch message and no change. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from dialogs import router
from dialogs.core import Audience, Outcome
from dialogs.retention import apply_retention
from store.models import (
    Aanwezige,
    Afspraak,
    Agendapunt,
    AuditEvent,
    Bericht,
    Besluit,
    Casus,
    Overleg,
)
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_NAME,
    act,
    card_text,
    casus_id,
    decide,
    future_date,
    professional_id,
    say,
    submit_aanmelding,
)
from tests.test_contract import executes
from tests.test_hardening import dump_all_tables, texts
from tests.test_koppelen import link
from tests.test_voortraject import pending_texts

CHANNEL = "channel-a1"  # where Fatima typed `kanaal`


# --- building an overleg ---------------------------------------------------------------------


async def opgenomen(
    db, config, naam: str = RESIDENT_NAME, geboren: str = "2003-04-17", **extra: str
) -> tuple[str, int]:
    """A casus taken in by Fatima, with Sanne as casusregisseur (Jeroen referred it)."""
    code = await submit_aanmelding(
        db,
        config,
        naam=naam,
        geboortedatum=geboren,
        reden=f"{naam} veroorzaakt al maanden overlast.",
        **extra,
    )
    cid = await casus_id(db, code)
    sanne = await professional_id(db, "a3")
    await decide(
        db,
        config,
        cid,
        besluit="opnemen",
        casusregisseur=str(sanne),
        startgesprek_datum=future_date(),
    )
    return code, cid


async def plan(db, config, chair: str = "a6", **overrides: str) -> Outcome:
    values = {
        "_form": uuid.uuid4().hex,
        "soort": "structureel",
        "datum": future_date(),
        "tijd": "14:00",
        "plaats": "Stadhuis, zaal 3",
        "voorzitter": str(await professional_id(db, chair)),
        **overrides,
    }
    return await act(db, config, "a1", "overleg.plannen", values)


async def newest_overleg(db) -> Overleg:
    async with db.unit_of_work() as uow:
        found = await uow.session.scalar(select(Overleg).order_by(Overleg.id.desc()).limit(1))
        assert found is not None
        return found


async def planned(db, config, chair: str = "a6", **overrides: str) -> int:
    await say(db, config, "a1", "kanaal", conversation_type="channel")
    outcome = await plan(db, config, chair, **overrides)
    assert "Het overleg is gepland" in card_text(outcome.card), card_text(outcome.card)
    return (await newest_overleg(db)).id


async def on_agenda(db, config, oid: int, cid: int, reden: str = "nieuw") -> Outcome:
    return await act(
        db, config, "a1", "agenda.voorstel", {"overleg": oid, "casus": cid, "reden": reden}
    )


async def channel_cards(db) -> list[dict[str, Any]]:
    """Every card queued for the channel (shared posts), oldest first."""
    async with db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Bericht).where(Bericht.conversation_id == CHANNEL).order_by(Bericht.id)
        )
        return [b.kaart for b in rows.all() if b.kaart]


async def discussion_card(db, code: str) -> dict[str, Any]:
    """The newest discussion card posted for `code`."""
    found = [c for c in await channel_cards(db) if f"Bespreking {code}" in card_text(c)]
    assert found, code
    return found[-1]


def button(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return next(a for a in executes(card) if a["verb"] == verb).get("data", {})


async def press(db, config, who: str, verb: str, card: dict[str, Any], **values: str) -> Outcome:
    """Press a button of a card in the channel, with what was typed on the card."""
    return await router.handle_action(
        db,
        config,
        _channel(who),
        verb,
        {**button(card, verb), **values},
    )


def _channel(who: str):
    from tests.conftest import incoming

    return incoming(who, "channel", CHANNEL)


async def started(db, config, *cases: tuple[str, int], chair: str = "a6") -> int:
    oid = await planned(db, config, chair)
    for _, cid in cases:
        await on_agenda(db, config, oid, cid)
    published = await act(db, config, "a1", "agenda.publiceren", {"overleg": oid})
    assert "De agenda staat in het kanaal" in card_text(published.card), card_text(published.card)
    begun = await router.handle_text(
        db, config, _channel(chair), "<at>Casusoverleg</at> overleg starten"
    )
    assert "Het overleg is gestart" in (begun.text or ""), begun.text
    return oid


async def check_in(db, config, who: str, oid: int, antwoord: str = "aanwezig") -> Outcome:
    """'Ik ben er' (or 'Ik kan niet') on the attendance card in the channel."""
    return await router.handle_action(
        db, config, _channel(who), "presentie.melden", {"overleg": oid, "antwoord": antwoord}
    )


async def besluit(
    db, config, who: str, code: str, uitkomst: str = "plan_vastgesteld", toelichting: str = ""
) -> Outcome:
    card = await discussion_card(db, code)
    return await press(
        db, config, who, "bespreking.besluit", card, uitkomst=uitkomst, toelichting=toelichting
    )


def plain(card: dict[str, Any] | None) -> str:
    """What a card shows, as people read it (Markdown escapes undone)."""
    return "\n".join(re.sub(r"\\(.)", r"\1", t) for t in texts(card or {}))


async def count(db, model: Any) -> int:
    async with db.unit_of_work() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model)) or 0


# --- the whole path --------------------------------------------------------------------------


async def test_plan_agenda_publish_start_discuss_and_close(demo_any_db, config):
    db = demo_any_db
    first, cid1 = await opgenomen(db, config)
    second, cid2 = await opgenomen(db, config, naam="Priya Ramdin", geboren="2001-06-09")
    await link(db, config, cid1, "a4")  # Ahmed works on the first casus
    oid = await planned(db, config, chair="a6")  # Kees chairs; linked to neither casus

    agenda = await say(db, config, "a1", "agenda")
    text = card_text(agenda.card)
    assert first in text and second in text and "het eerste overleg stelt het plan" in text
    for cid in (cid1, cid2):
        added = await on_agenda(db, config, oid, cid)
        assert "staat op de agenda" in card_text(added.card)
    assert "14:00–14:20" in card_text(added.card) and "14:20–14:40" in card_text(added.card)

    published = await say(db, config, "a1", "agenda publiceren")
    assert "De agenda staat in het kanaal" in card_text(published.card)
    [post] = await channel_cards(db)
    assert first in card_text(post) and second in card_text(post)
    assert "Ahmed Yilmaz (Reclassering Nederland)" in card_text(post)
    kees, ahmed = await professional_id(db, "a6"), await professional_id(db, "a4")
    assert any("Jij bent voorzitter" in t for t in await pending_texts(db, kees))
    invitation = "\n".join(await pending_texts(db, ahmed))
    assert first in invitation and f"Details {first}" in invitation
    assert second not in invitation  # invited for the casus he works on
    async with db.unit_of_work() as uow:
        invited = await uow.session.scalar(
            select(func.count()).select_from(Aanwezige).where(Aanwezige.overleg_id == oid)
        )
    assert invited == 5  # Fatima, Jeroen, Sanne, Ahmed and the chair

    begun = await say(db, config, "a6", "overleg starten", conversation_type="channel")
    assert "Het overleg is gestart" in (begun.text or "")
    assert "@Casusoverleg overleg afronden" in (begun.text or "")  # in a channel: mention it

    decided = await besluit(
        db, config, "a6", first, toelichting="kevin OUDEMAN krijgt begeleiding van de GGZ"
    )
    assert decided.audience is Audience.SHARED and decided.card is not None
    shown = plain(decided.card)
    assert "Besluit vastgelegd: Plan vastgesteld" in shown
    assert "[bewoner] krijgt begeleiding van de GGZ" in shown and "oudeman" not in shown.lower()
    assert any("Gebruik de code, niet de naam" in t for t in await pending_texts(db, kees))

    sanne = await professional_id(db, "a3")
    agreed = await press(
        db,
        config,
        "a6",
        "bespreking.afspraak",
        decided.card,  # the card as it now is in the channel
        afspraak="Intake bij de GGZ plannen",
        eigenaar=str(sanne),
        deadline=future_date(14),
    )
    assert "Afspraak vastgelegd" in card_text(agreed.card)
    assert "Intake bij de GGZ plannen · Sanne Bakker (GGZ Zuiderstad)" in card_text(agreed.card)
    await check_in(db, config, "a1", oid)
    by_expert = await besluit(
        db, config, "a1", second, uitkomst="interventie", toelichting="Schuldhulp inzetten"
    )
    assert "Interventie inzetten" in card_text(by_expert.card)

    closed = await say(db, config, "a6", "overleg afronden", conversation_type="channel")
    assert "afgerond" in (closed.text or "")
    summary = [c for c in await channel_cards(db) if "Overleg afgerond" in card_text(c)][-1]
    text = plain(summary)
    assert "Overleg afgerond" in text and first in text and second in text
    assert "Plan vastgesteld: [bewoner] krijgt begeleiding" in text
    assert "Afspraak: Intake bij de GGZ plannen" in text

    async with db.unit_of_work() as uow:
        overleg = await uow.session.get(Overleg, oid)
        besluiten = (
            await uow.session.scalars(select(Besluit).where(Besluit.overleg_id == oid))
        ).all()
        punten = (
            await uow.session.scalars(select(Agendapunt).where(Agendapunt.overleg_id == oid))
        ).all()
        afspraak = await uow.session.scalar(select(Afspraak))
    assert overleg is not None and overleg.status == "afgerond" and overleg.afgerond_at
    assert {b.casus_id for b in besluiten} == {cid1, cid2}
    mine = next(b for b in besluiten if b.casus_id == cid1)
    assert mine.toelichting == "kevin OUDEMAN krijgt begeleiding van de GGZ"  # in full: linked
    assert mine.toelichting_gedeeld == "[bewoner] krijgt begeleiding van de GGZ"
    assert mine.genomen_door_id == kees and mine.agendapunt_id in {p.id for p in punten}
    assert all(p.besproken for p in punten)
    assert afspraak is not None and afspraak.eigenaar_id == sanne and afspraak.casus_id == cid1


# --- privacy ---------------------------------------------------------------------------------

RESIDENTS = [
    # (name, birth date, how people type them)
    ("Kevin Oudeman", "2003-04-17", ["KEVIN oudeman", "oudeman", "17-4-2003", "17 april 2003"]),
    ("Priya Ramdin", "2001-06-09", ["priya", "RAMDIN", "09-06-2001"]),
    # Shares a first name with Sanne Bakker, the casusregisseur of every casus here.
    ("Sanne Veldhuis", "2000-01-30", ["Veldhuis", "sanne veldhuis", "30/01/2000"]),
    ("Dirk Vermeulen", "2002-11-05", ["dirk", "Vermeulen", "5 nov 2002"]),
]


def identifiers(naam: str, geboren: str) -> list[str]:
    born = dt.date.fromisoformat(geboren)
    return [naam, *naam.split(), geboren, born.strftime("%d-%m-%Y"), "Lindelaan"]


async def test_no_channel_post_or_shared_card_names_a_resident(demo_db, config, caplog):
    caplog.set_level(logging.DEBUG)
    db = demo_db
    cases = []
    for naam, geboren, _ in RESIDENTS:
        cases.append(await opgenomen(db, config, naam=naam, geboren=geboren))
    # The first resident's address is known (the letter): it must not reach the channel.
    await act(
        db,
        config,
        "a1",
        "brief.maken",
        {
            "casus": cases[0][1],
            "adres": "Lindelaan 12",
            "postcode": "1234 AB",
            "woonplaats": "Zuiderstad",
            "startgesprek_datum": future_date(),
            "startgesprek_tijd": "10:00",
            "startgesprek_locatie": "Stadhuis",
        },
    )
    # Mixed attendees: a betrokkene, advisers, a chair linked to nothing.
    await link(db, config, cases[0][1], "a4")
    await link(db, config, cases[1][1], "a5", rol="adviserend")
    await link(db, config, cases[2][1], "a5", rol="adviserend")
    await link(db, config, cases[3][1], "a4", rol="adviserend")
    oid = await started(db, config, *cases, chair="a6")
    shared: list[dict[str, Any]] = []
    for who in ("a1", "a4", "a5"):  # the PGA-expert, a betrokkene and an adviser check in
        checked_in = await check_in(db, config, who, oid)
        assert "Presentie bijgewerkt" in plain(checked_in.card), checked_in.text
        shared.append(checked_in.card or {})
    sanne = str(await professional_id(db, "a3"))
    others = [naam for naam, _, _ in RESIDENTS]
    for (code, _), (naam, _, typed) in zip(cases, RESIDENTS, strict=True):
        card = await discussion_card(db, code)
        # Each way people type this resident, and another resident's name on this card.
        for text in [*typed, others[(others.index(naam) + 1) % len(others)]]:
            outcome = await press(
                db,
                config,
                "a6",
                "bespreking.besluit",
                card,
                uitkomst="overig",
                toelichting=f"Gesprek met {text} volgt",
            )
            assert "Besluit vastgelegd" in plain(outcome.card), outcome.text
            shared.append(card := outcome.card or {})
        agreed = await press(
            db,
            config,
            "a1",
            "bespreking.afspraak",
            card,
            afspraak=f"{naam} bellen, Lindelaan 12",
            eigenaar=sanne,
            deadline=future_date(10),
        )
        assert "Afspraak vastgelegd" in plain(agreed.card), agreed.text
        shared.append(agreed.card or {})
    await say(db, config, "a6", "overleg afronden", conversation_type="channel")

    typed_in = sum(len(typed) + 1 for _, _, typed in RESIDENTS)
    assert await count(db, Besluit) == len(cases) + typed_in  # the triages, and each typed one
    posts = await channel_cards(db)
    # The agenda, the attendance card, a discussion card each and its update after every
    # besluit and afspraak (in place, under its key), the summary, the minutes card.
    updates = typed_in + len(cases)
    assert len(posts) == 1 + 1 + len(cases) + updates + 2
    from tests.test_verslag import fetch_anonymised, word_text

    minutes = word_text(await fetch_anonymised(db, config, "a6", (await newest_overleg(db)).id))
    adviser = await pending_texts(db, await professional_id(db, "a5"))
    # The bot's own log lines, at every level (aiosqlite's debug trace of statements is the
    # driver's, off unless asked for; production runs PostgreSQL).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiosqlite")
    everything = json.dumps([*posts, *shared, adviser], ensure_ascii=False) + logged + minutes
    for naam, geboren, _ in RESIDENTS:
        for identifier in identifiers(naam, geboren):
            assert identifier.lower() not in everything.lower(), identifier
    # Sanne Bakker is named by her organisation where her name would hint at a resident's.
    assert "GGZ Zuiderstad" in card_text(posts[0])


async def test_typed_names_are_redacted_in_any_case_and_the_surname_alone(demo_db, config):
    code, cid = await opgenomen(demo_db, config)
    await started(demo_db, config, (code, cid))
    card = await discussion_card(demo_db, code)
    for typed in ("KEVIN OUDEMAN", "kevin oudeman", "Oudeman", "oudeman", "Kevin", "17-04-2003"):
        outcome = await press(
            demo_db,
            config,
            "a6",
            "bespreking.besluit",
            card,  # the card as the channel now shows it
            uitkomst="overig",
            toelichting=f"Afspraak met {typed}.",
        )
        assert outcome.card is not None and "Besluit vastgelegd" in plain(outcome.card), typed
        assert typed.lower() not in card_text(outcome.card).lower()
        card = outcome.card
    async with demo_db.unit_of_work() as uow:
        gedeeld = (await uow.session.scalars(select(Besluit.toelichting_gedeeld))).all()
    assert [g for g in gedeeld if g] == ["Afspraak met [bewoner]."] * 6


async def test_details_only_for_the_linked_and_in_private(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")  # betrokken
    await link(db, config, cid, "a6", rol="adviserend")
    oid = await started(db, config, (code, cid), chair="a1")
    card = await discussion_card(db, code)
    absent = await press(db, config, "a4", "overleg.details", card)
    assert "niet als aanwezig" in (absent.text or "")
    for who in ("a4", "a6"):
        await check_in(db, config, who, oid)

    linked = await press(db, config, "a4", "overleg.details", card)
    assert linked.card is None and "privéchat" in (linked.text or "")
    ahmed = await professional_id(db, "a4")
    assert any(
        RESIDENT_NAME in t and f"Details {code}" in t for t in await pending_texts(db, ahmed)
    )
    adviser = await press(db, config, "a6", "overleg.details", card)
    assert adviser.card is None and "je ziet niet wie het is" in (adviser.text or "")
    kees = await professional_id(db, "a6")
    assert not any(RESIDENT_NAME in t for t in await pending_texts(db, kees))

    linda = await professional_id(db, "a5")  # not linked
    refused = await press(db, config, "a5", "overleg.details", card)
    assert refused.card is None and "geen toegang" in (refused.text or "")
    assert not any(RESIDENT_NAME in t for t in await pending_texts(db, linda))
    async with db.unit_of_work() as uow:
        denied = (
            await uow.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.actor_professional_id == linda, AuditEvent.outcome == "denied"
                )
            )
        ).all()
    assert [(e.casus_id, e.object_ref) for e in denied] == [(cid, code)]

    # From the invitation in the 1:1 chat: the same pull.
    invitation = next(
        b for b in await _pending_cards(db, ahmed) if "Uitnodiging casusoverleg" in card_text(b)
    )
    direct = await act(db, config, "a4", "overleg.details", button(invitation, "overleg.details"))
    assert RESIDENT_NAME in card_text(direct.card)


async def _pending_cards(db, who: int) -> list[dict[str, Any]]:
    async with db.unit_of_work() as uow:
        return [b.kaart for b in await uow.berichten.pending(who) if b.kaart]


# --- bad input -------------------------------------------------------------------------------


async def test_bad_planning_and_agenda_input_changes_nothing(demo_any_db, config):
    db = demo_any_db
    no_channel = await plan(db, config)
    assert "nog geen kanaal" in card_text(no_channel.card)
    await say(db, config, "a1", "kanaal", conversation_type="channel")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    past = await plan(db, config, datum=yesterday)
    assert "al voorbij" in card_text(past.card)
    assert await count(db, Overleg) == 0

    oid = await planned(db, config)
    empty = await act(db, config, "a1", "agenda.publiceren", {"overleg": oid})
    assert "De agenda is nog leeg" in (empty.text or "")
    assert (await newest_overleg(db)).status == "gepland" and await channel_cards(db) == []

    closed = await submit_aanmelding(db, config, naam="Iemand Anders")
    closed_id = await casus_id(db, closed)
    await decide(db, config, closed_id, besluit="afwijzen", toelichting="Past niet bij de PGA")
    refused = await act(
        db,
        config,
        "a1",
        "agenda.toevoegen",
        {"overleg": oid, "casus": str(closed_id), "reden": "nieuw", "minuten": "20"},
    )
    assert "afgesloten" in card_text(refused.card)
    waiting = await submit_aanmelding(db, config, naam="Nog Niet Beoordeeld")
    not_yet = await on_agenda(db, config, oid, await casus_id(db, waiting))
    assert "nog niet opgenomen" in card_text(not_yet.card)
    assert await count(db, Agendapunt) == 0

    others = await act(db, config, "a2", "agenda.open", {"overleg": oid})
    assert others.card is None and "Alleen de PGA-expert" in (others.text or "")


async def test_an_incidenteel_overleg_is_about_one_casus(demo_db, config):
    first = await opgenomen(demo_db, config)
    second = await opgenomen(demo_db, config, naam="Priya Ramdin", geboren="2001-06-09")
    oid = await planned(demo_db, config, soort="incidenteel")
    await on_agenda(demo_db, config, oid, first[1])
    refused = await on_agenda(demo_db, config, oid, second[1])
    assert "één casus" in card_text(refused.card)
    assert await count(demo_db, Agendapunt) == 1


async def test_bad_presses_on_the_discussion_card_change_nothing(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    other, other_id = await opgenomen(db, config, naam="Priya Ramdin", geboren="2001-06-09")
    await link(db, config, cid, "a4")
    oid = await planned(db, config, chair="a6")
    await on_agenda(db, config, oid, cid)
    removed = await on_agenda(db, config, oid, other_id)
    taken_off = button(
        next(
            c
            for c in _containers(removed.card)
            if other in card_text(c) and "agenda.verwijderen" in card_text(c)
        ),
        "agenda.verwijderen",
    )
    gone = await act(db, config, "a1", "agenda.verwijderen", taken_off)
    assert "verwijderd" in card_text(gone.card)
    await act(db, config, "a1", "agenda.publiceren", {"overleg": oid})
    await say(db, config, "a6", "overleg starten", conversation_type="channel")
    again = await say(db, config, "a6", "overleg starten", conversation_type="channel")
    assert "loopt al" in (again.text or "")
    # The agenda, the attendance card and one discussion card.
    assert len(await channel_cards(db)) == 3
    card = await discussion_card(db, code)

    not_chair = await press(db, config, "a4", "bespreking.besluit", card, uitkomst="afschalen")
    assert not_chair.card is None and "Alleen de voorzitter" in (not_chair.text or "")
    ahmed = await professional_id(db, "a4")
    async with db.unit_of_work() as uow:
        denied = await uow.session.scalar(
            select(AuditEvent).where(
                AuditEvent.actor_professional_id == ahmed,
                AuditEvent.event == "overleg.bespreken",
                AuditEvent.outcome == "denied",
            )
        )
    assert denied is not None and denied.casus_id == cid

    not_on_agenda = await press(
        db, config, "a6", "bespreking.besluit", card, uitkomst="afschalen", **taken_off
    )
    assert "niet (meer) op de agenda" in (not_on_agenda.text or "")
    no_choice = await press(db, config, "a6", "bespreking.besluit", card, toelichting="x")
    assert "Kies een besluit" in card_text(no_choice.card)
    overig = await press(db, config, "a6", "bespreking.besluit", card, uitkomst="overig")
    assert "Schrijf bij 'overig'" in card_text(overig.card)
    nobody = await press(
        db, config, "a6", "bespreking.afspraak", card, afspraak="Bellen", eigenaar="999"
    )
    assert "Kies wie het doet" in card_text(nobody.card) and "Kies een datum" in card_text(
        nobody.card
    )
    late = await press(
        db,
        config,
        "a6",
        "bespreking.afspraak",
        card,
        afspraak="Bellen",
        eigenaar=str(ahmed),
        deadline=(dt.date.today() - dt.timedelta(days=1)).isoformat(),
    )
    assert "al voorbij" in card_text(late.card)
    assert await count(db, Besluit) == 2 and await count(db, Afspraak) == 0  # the two triages

    first = await press(db, config, "a6", "bespreking.besluit", card, uitkomst="afschalen")
    twice = await press(db, config, "a6", "bespreking.besluit", card, uitkomst="afschalen")
    assert "Besluit vastgelegd" in card_text(first.card)
    assert "al vastgelegd" in card_text(twice.card)
    assert await count(db, Besluit) == 3

    agenda_now = await act(db, config, "a1", "agenda.voorstel", {"overleg": oid, "casus": other_id})
    assert "al begonnen" in card_text(agenda_now.card)
    await say(db, config, "a6", "overleg afronden", conversation_type="channel")
    stale = await press(db, config, "a6", "bespreking.besluit", first.card, uitkomst="afsluiten")
    assert stale.card is None and "afgerond" in (stale.text or "")
    assert await count(db, Besluit) == 3


def _containers(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if node.get("type") == "Container" else []
        return own + [c for value in node.values() for c in _containers(value)]
    if isinstance(node, list):
        return [c for item in node for c in _containers(item)]
    return []


async def test_a_shared_card_never_echoes_what_was_typed_unredacted(demo_db, config):
    """A besluit with an error comes back with what was typed, for everyone: redacted."""
    code, cid = await opgenomen(demo_db, config)
    await started(demo_db, config, (code, cid))
    card = await discussion_card(demo_db, code)
    outcome = await press(
        demo_db, config, "a6", "bespreking.besluit", card, toelichting="Kevin Oudeman belt"
    )
    assert "Kies een besluit" in card_text(outcome.card)
    assert "[bewoner] belt" in card_text(outcome.card) and "Oudeman" not in card_text(outcome.card)


# --- commands, help, retention ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("overleg", ("overleg", "")),
        ("overleg starten", ("overleg starten", "")),
        ("  Overleg   STARTEN  nu", ("overleg starten", "nu")),
        ("<at>Casusoverleg</at> agenda publiceren", ("agenda publiceren", "")),
        ("agenda", ("agenda", "")),
        ("overleg startn", ("overleg", "startn")),
        ("casus PGA-2026-001", ("casus", "PGA-2026-001")),
        ("casus  PGA-2026-001  x", ("casus", "PGA-2026-001  x")),
        ("", ("help", "")),
    ],
)
def test_two_word_commands_are_read_whole(typed: str, expected: tuple[str, str]) -> None:
    assert router.parse_command(typed) == expected


async def test_a_mistyped_second_word_is_not_read_as_the_first(demo_db, config):
    outcome = await say(demo_db, config, "a1", "overleg startn")
    assert "Bedoel je" in (outcome.text or "") and await count(demo_db, Overleg) == 0


async def test_the_help_card_lists_the_overleg_per_role(demo_db, config):
    expert = card_text((await say(demo_db, config, "a1", "help")).card)
    partner = card_text((await say(demo_db, config, "a2", "help")).card)
    for command in ("overleg plannen", "agenda publiceren", "overleg starten", "overleg afronden"):
        assert command in expert and command not in partner


async def test_retention_clears_the_overleg_of_a_closed_casus(demo_any_db, config):
    demo_db = demo_any_db
    code, cid = await opgenomen(demo_db, config)
    await started(demo_db, config, (code, cid))
    await besluit(demo_db, config, "a6", code, "overig", f"{RESIDENT_NAME} woont Lindelaan 12")
    await press(
        demo_db,
        config,
        "a6",
        "bespreking.afspraak",
        await discussion_card(demo_db, code),
        afspraak=f"{RESIDENT_NAME} bellen",
        eigenaar=str(await professional_id(demo_db, "a3")),
        deadline=future_date(),
    )
    # An incidenteel overleg about this casus alone, at the resident's address.
    oid = await planned(demo_db, config, soort="incidenteel", plaats="Bij de bewoner, Lindelaan 12")
    await on_agenda(demo_db, config, oid, cid)
    async with demo_db.unit_of_work() as uow:
        casus = await uow.session.get(Casus, cid)
        assert casus is not None
        casus.status, casus.afgesloten_at = "afgesloten", dt.datetime.now(dt.UTC)
        await uow.commit()
    before = await dump_all_tables(demo_db, IDENTIFIERS)
    assert {"besluit", "afspraak", "overleg"} <= {found.split(":")[0] for found in before}
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=config.retention_days + 1)
    assert await apply_retention(demo_db, config.retention_days, now=later) == 1
    assert await dump_all_tables(demo_db, IDENTIFIERS) == []


async def test_the_casus_view_names_an_overleg_besluit_in_dutch(demo_db, config):
    code, cid = await opgenomen(demo_db, config)
    await started(demo_db, config, (code, cid))
    await besluit(demo_db, config, "a6", code, toelichting="Afspraken met de GGZ")
    shown = plain((await say(demo_db, config, "a3", f"casus {code}")).card)
    assert "Overleg: Plan vastgesteld (Afspraken met de GGZ)" in shown
    assert "plan_vastgesteld" not in shown
