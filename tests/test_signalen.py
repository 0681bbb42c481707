"""Signalen between overleggen, channel messages that name a resident, and `tijdlijn CODE`
(issue #10). Privacy: the channel gets the code and redacted text only, a message that names
a resident is answered in private and leaves nothing behind, the timeline shows identity only
to the linked in private. Bad input: a Dutch message and no change. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, insert, select, update

from dialogs import router, signalen
from dialogs.core import Audience, Outcome
from dialogs.retention import apply_retention
from dialogs.router import NO_ACCESS
from store.access import Need, issue
from store.casus import CasusClosed
from store.db import Database
from store.migrate import alembic_config, upgrade
from store.models import (
    Aanmelding,
    AuditEvent,
    Bericht,
    Casus,
    Gemeente,
    Herkenning,
    Persoonsgegevens,
    Professional,
    Signaal,
)
from tests.conftest import incoming
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_NAME,
    act,
    card_text,
    future_date,
    professional_id,
    say,
)
from tests.test_hardening import dump_all_tables
from tests.test_koppelen import link
from tests.test_overleg import CHANNEL, button, channel_cards, opgenomen, plain
from tests.test_voortraject import pending_texts

MENTION = "<at>Casusoverleg</at> "
ADDRESS = {
    "adres": "Lindelaan 12",
    "postcode": "1234 AB",
    "woonplaats": "Zuiderstad",
    "startgesprek_datum": future_date(),
    "startgesprek_tijd": "10:00",
    "startgesprek_locatie": "Stadhuis",
}


async def channel(db, config, who: str, text: str) -> Outcome:
    return await router.handle_text(db, config, incoming(who, "channel", CHANNEL), text)


async def with_channel(db, config) -> tuple[str, int]:
    """A casus taken in (Jeroen referred it, Sanne casusregisseur), Ahmed linked as
    betrokken, Kees as adviser; Fatima linked the channel."""
    await channel(db, config, "a1", MENTION + "kanaal")
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    await link(db, config, cid, "a6", rol="adviserend")
    return code, cid


async def signaal(db, config, who: str, cid: int | str, tekst: str, **extra: str) -> Outcome:
    values = {"casus": str(cid), "tekst": tekst, "delen": "false", "_form": uuid.uuid4().hex}
    return await act(db, config, who, "signaal.vastleggen", {**values, **extra})


async def signaal_rows(db) -> list[Signaal]:
    async with db.unit_of_work() as uow:
        return list((await uow.session.scalars(select(Signaal).order_by(Signaal.id))).all())


async def audit_blob(db) -> str:
    async with db.unit_of_work() as uow:
        events = (await uow.session.scalars(select(AuditEvent))).all()
    return "\n".join(
        f"{e.event} {e.purpose} {e.details} {e.object_ref} {e.origin_conversation_id}"
        for e in events
    ).lower()


def choices(card: dict[str, Any] | None) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == "casus" and node.get("type") == "Input.ChoiceSet":
                found.extend(c["title"] for c in node["choices"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


# --- signalen --------------------------------------------------------------------------------


async def test_a_signal_is_kept_in_full_and_shared_redacted(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_channel(db, config)
    ahmed = await professional_id(db, "a4")

    typed = await channel(db, config, "a4", MENTION + "signaal")
    assert "privéchat" in (typed.text or "") and typed.card is None
    assert any("Signaal melden" in t and code in t for t in await pending_texts(db, ahmed))
    form = await say(db, config, "a4", "signaal")
    assert choices(form.card) == [code]
    chosen = await say(db, config, "a4", f"signaal {code.lower()}")
    assert f'"value": "{cid}"' in card_text(chosen.card)
    listed = card_text((await say(db, config, "a4", "help")).card)
    assert "signaal" in listed and "tijdlijn CODE" in listed

    done = await signaal(
        db, config, "a4", cid, "kevin OUDEMAN stond weer bij de buren", delen="true"
    )
    assert f"Signaal vastgelegd bij {code}" in card_text(done.card)
    [row] = await signaal_rows(db)
    assert row.tekst == "kevin OUDEMAN stond weer bij de buren" and row.gedeeld
    assert row.tekst_gedeeld == "[bewoner] stond weer bij de buren"
    assert row.auteur_id == ahmed and row.gemeld_at is not None
    line = plain((await channel_cards(db))[-1])
    assert f"Signaal {code}" in line and "[bewoner] stond weer bij de buren" in line
    assert "Reclassering Nederland" in line and "oudeman" not in line.lower()
    assert any("Gebruik de code, niet de naam" in t for t in await pending_texts(db, ahmed))
    assert "kevin" not in await audit_blob(db)
    assert "signaal.melden" in await audit_blob(db)


async def test_a_signal_not_shared_stays_out_of_the_channel(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_channel(db, config)
    before = len(await channel_cards(db))
    done = await signaal(db, config, "a3", cid, "Buren melden weer geluidsoverlast")
    assert "Het kanaal ziet er niets van" in card_text(done.card)
    assert len(await channel_cards(db)) == before
    sanne = await professional_id(db, "a3")
    assert not any("Gebruik de code" in t for t in await pending_texts(db, sanne))


async def test_bad_signals_get_a_dutch_message_and_change_nothing(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_channel(db, config)
    _, other_id = await opgenomen(db, config, naam="Priya Ramdin", geboren="2001-06-09")

    empty = await signaal(db, config, "a4", cid, "")
    assert signalen.EMPTY in card_text(empty.card)
    # Ahmed is not linked to the other casus: it is not his to choose.
    foreign = await signaal(db, config, "a4", other_id, "Iets gezien")
    assert "Kies een casus uit de lijst" in card_text(foreign.card)
    assert choices(foreign.card) == [code]
    # A forwarded card pressed by someone with no link, or by the adviser.
    linda = await signaal(db, config, "a5", cid, "Iets gezien")
    assert linda.text == signalen.NONE_LINKED
    kees = await signaal(db, config, "a6", cid, "Iets gezien")
    assert kees.text == signalen.NONE_LINKED
    assert (await say(db, config, "a5", "signaal")).text == signalen.NONE_LINKED
    # Another resident's name cannot go to the channel, even redacted for this casus.
    naming = await signaal(db, config, "a4", cid, "Gezien met Ramdin", delen="true")
    assert signalen.STILL_IDENTIFYING in card_text(naming.card)
    assert "kanaalbericht.herkend" not in await audit_blob(db)  # not a channel message
    # Pressed in a channel: the form belongs in the 1:1 chat.
    shared = await act(
        db, config, "a4", "signaal.vastleggen", {"casus": str(cid), "tekst": "x"}, "channel"
    )
    assert "hoort niet in een gedeeld gesprek" in (shared.text or "")
    # A closed casus is no longer offered, and the store refuses it too.
    await link(db, config, other_id, "a4")
    async with db.unit_of_work() as uow:
        await uow.session.execute(update(Casus).where(Casus.id == cid).values(status="afgesloten"))
        await uow.commit()
    closed = await signaal(db, config, "a4", cid, "Iets gezien")
    assert signalen.NOT_IN_LIST in card_text(closed.card)
    ahmed = await professional_id(db, "a4")
    async with db.unit_of_work() as uow:
        casus = await uow.casussen.open(cid, issue(ahmed, "t", "o", "c", "personal"), Need.SIGNAAL)
        with pytest.raises(CasusClosed):
            await casus.record_signaal("Iets gezien", delen=False)
    assert await signaal_rows(db) == []


async def test_a_double_press_records_one_signal(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_channel(db, config)
    form = uuid.uuid4().hex
    first = await signaal(db, config, "a4", cid, "Weer overlast", _form=form)
    again = await signaal(db, config, "a4", cid, "Weer overlast", _form=form)
    assert "Signaal vastgelegd" in card_text(first.card) and again.text == signalen.ALREADY
    assert len(await signaal_rows(db)) == 1


async def test_sharing_needs_a_channel(demo_any_db, config):
    db = demo_any_db
    _, cid = await opgenomen(demo_any_db, config)  # no `kanaal` typed
    refused = await signaal(db, config, "a3", cid, "Weer overlast", delen="true")
    assert signalen.NO_CHANNEL in card_text(refused.card)
    assert await signaal_rows(db) == []


# --- a channel message that names a resident -----------------------------------------------


async def test_a_channel_message_naming_a_resident_is_answered_in_private_and_kept_nowhere(
    demo_any_db, config, caplog
):
    db = demo_any_db
    code, cid = await with_channel(db, config)
    await act(db, config, "a1", "brief.maken", {"casus": cid, **ADDRESS})  # asked for the letter
    jeroen = await professional_id(db, "a2")
    marker = "zwavelgeel"  # a word that appears nowhere else, to find the text if kept
    notations = [
        f"{RESIDENT_NAME.upper()} {marker}",
        f"oudeman {marker} casus {code}",
        f"{marker} geboren 17-04-2003",
        f"{marker} geboren 17 april 2003",
        f"{marker} geboren 17/4/03",
        f"{marker} woont Lindelaan 12",
        f"{marker} postcode 1234ab",
    ]
    audit_before = await audit_blob(db)
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    # Since #26 the channel sees what a text naming nobody gets (here: the help card).
    miss = await channel(db, config, "a2", MENTION + "onbekend woord")
    for text in notations:
        before = len(await pending_texts(db, jeroen))
        answer = await channel(db, config, "a2", MENTION + text)
        assert (answer.card, answer.text) == (miss.card, miss.text), text
        assert "oudeman" not in json.dumps(answer.card).lower()
        pending = await pending_texts(db, jeroen)
        assert len(pending) == before + 1 and pending[-1].endswith(signalen.REMOVE_PLEASE)
    assert await dump_all_tables(db, (marker,)) == []
    assert marker not in caplog.text.lower() and "oudeman" not in caplog.text.lower()
    audit_after = await audit_blob(db)
    assert marker not in audit_after
    assert audit_after.count("kanaalbericht.herkend") == len(notations)
    assert audit_before.count("kanaalbericht.herkend") == 0


async def test_a_first_name_alone_or_an_ordinary_message_is_read_as_usual(demo_any_db, config):
    db = demo_any_db
    code, _ = await with_channel(db, config)
    helped = await channel(db, config, "a2", MENTION + "kevin help")
    assert helped.card is not None and "Casusoverleg" in card_text(helped.card)
    shown = await channel(db, config, "a4", MENTION + f"tijdlijn {code}")
    assert shown.audience is Audience.SHARED


async def test_a_resident_of_another_tenant_does_not_count(demo_any_db, config):
    db = demo_any_db
    await with_channel(db, config)
    async with db.unit_of_work() as uow:
        elsewhere = issue(1, "other-tenant", "x", "c", "channel")
        assert not await uow.casussen.names_a_resident(elsewhere, "Oudeman")
        here = issue(1, incoming("a1").tenant_id, "x", "c", "channel")
        assert await uow.casussen.names_a_resident(here, "Oudeman")
        # Keys are looked up in chunks: a name after the first chunks still counts.
        long_text = " ".join(f"woord{i}" for i in range(2000))
        assert not await uow.casussen.names_a_resident(here, long_text)
        assert await uow.casussen.names_a_resident(here, f"{long_text} Oudeman")


# --- the timeline ----------------------------------------------------------------------------


async def timeline_world(db, config) -> tuple[str, int]:
    code, cid = await with_channel(db, config)
    await signaal(db, config, "a4", cid, "Kevin Oudeman zag ik bij de supermarkt", delen="true")
    await signaal(db, config, "a3", cid, "Geheime aantekening over de buren")
    return code, cid


async def test_the_linked_see_the_whole_timeline_with_identity_in_private(demo_any_db, config):
    db = demo_any_db
    code, cid = await timeline_world(db, config)
    shown = await say(db, config, "a4", f"tijdlijn {code}")
    text = plain(shown.card)
    assert shown.audience is Audience.PRIVATE and RESIDENT_NAME in text
    assert "Aangemeld · Jeroen de Vries (Politie Eenheid Zuid)" in text
    assert "Triage: " in text and "Gekoppeld: betrokken professional" in text
    assert "Kevin Oudeman zag ik bij de supermarkt" in text
    assert "Geheime aantekening over de buren" in text
    order = [text.index(s) for s in ("Aangemeld", "Triage", "Gekoppeld: adviserend", "Signaal")]
    assert order == sorted(order)
    async with db.unit_of_work() as uow:
        events = [(e.event, e.details or "") for e in await uow.audit.events(cid)]
    assert ("tijdlijn.bekijken", "volledig") in events
    assert any(e == "identiteit.bekijken" for e, _ in events)


async def test_the_timeline_in_a_channel_is_shared_safe(demo_any_db, config):
    db = demo_any_db
    code, cid = await timeline_world(db, config)
    shown = await channel(db, config, "a4", MENTION + f"tijdlijn {code}")
    assert shown.audience is Audience.SHARED and shown.card is not None
    text = plain(shown.card).lower()
    assert all(i.lower() not in text for i in IDENTIFIERS)
    assert "[bewoner] zag ik bij de supermarkt" in text
    assert "geheime aantekening" not in text  # its author did not share it
    assert "jeroen" not in text and "signaal" in text and "triage" in text
    async with db.unit_of_work() as uow:
        events = [(e.event, e.details or "") for e in await uow.audit.events(cid)]
    assert ("tijdlijn.bekijken", "gedeeld") in events


async def test_an_adviser_sees_no_identity_and_an_outsider_nothing(demo_any_db, config):
    db = demo_any_db
    code, _ = await timeline_world(db, config)
    adviser = await say(db, config, "a6", f"tijdlijn {code}")
    text = plain(adviser.card)
    assert signalen.ADVISER in text and RESIDENT_NAME not in text
    assert "Geheime aantekening" not in text and "oudeman" not in text.lower()
    overview = await say(db, config, "a6", f"casus {code}")  # the same from the casus card
    pressed = await act(db, config, "a6", "tijdlijn.open", button(overview.card, "tijdlijn.open"))
    assert plain(pressed.card) == text
    outsider = await say(db, config, "a5", f"tijdlijn {code}")
    assert outsider.text == NO_ACCESS == (await say(db, config, "a5", f"casus {code}")).text
    unknown = await say(db, config, "a5", "tijdlijn PGA-2026-999")
    assert unknown.text == outsider.text
    in_channel = await channel(db, config, "a5", MENTION + f"tijdlijn {code}")
    assert in_channel.text == NO_ACCESS and in_channel.card is None
    assert (await say(db, config, "a4", "tijdlijn")).text == signalen.ASK_CODE


# --- retention -------------------------------------------------------------------------------


async def test_retention_removes_signal_text_and_the_digests(demo_any_db, config):
    db = demo_any_db
    _, cid = await timeline_world(db, config)
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Casus)
            .where(Casus.id == cid)
            .values(status="afgesloten", afgesloten_at=dt.datetime.now(dt.UTC))
        )
        await uow.commit()
    assert await dump_all_tables(db, ("supermarkt",))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=config.retention_days + 1)
    assert await apply_retention(db, config.retention_days, now=later) == 1
    assert await dump_all_tables(db, ("supermarkt", "geheime", *IDENTIFIERS)) == []
    async with db.unit_of_work() as uow:
        left = await uow.session.scalar(
            select(func.count()).select_from(Herkenning).where(Herkenning.casus_id == cid)
        )
        kept = await uow.session.scalar(select(func.count()).select_from(Signaal))
        assert not await uow.casussen.names_a_resident(
            (await _requester(uow)), f"{RESIDENT_NAME} 17-04-2003"
        )
    assert left == 0 and kept == 2  # that signals were reported stays, not what they said
    assert (await channel(db, config, "a2", MENTION + "Oudeman help")).card is not None


async def _requester(uow):
    return issue(1, incoming("a1").tenant_id, "x", "c", "channel")


async def test_unsent_channel_pointer_names_nobody(demo_any_db, config):
    """The private request to remove a message is fixed text: the outbox holds no trace of
    what was typed or whom it named."""
    db = demo_any_db
    await with_channel(db, config)
    await channel(db, config, "a2", MENTION + "Oudeman")
    async with db.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(Bericht))).all()
    assert all("oudeman" not in (card_text(b.kaart) + (b.tekst or "")).lower() for b in rows)


# --- the migration ---------------------------------------------------------------------------


async def test_the_migration_fills_the_digests_of_residents_already_known(database_url):
    """Residents referred before 0012 are recognised from the first channel message on."""

    def to(revision: str):
        def run(connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        return run

    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(to("0009"))
            await connection.execute(insert(Gemeente).values(id=1, naam="Oudstad"))
            await connection.execute(
                insert(Professional).values(
                    id=1,
                    tenant_id="t",
                    aad_object_id="o",
                    naam="P",
                    is_beheerder=False,
                    actief=True,
                )
            )
            await connection.execute(
                insert(Casus).values(
                    id=1,
                    code="PGA-2025-001",
                    gemeente_id=1,
                    status="opgenomen",
                    doelgroep="volwassene",
                    urgentie="normaal",
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            await connection.execute(
                insert(Aanmelding).values(
                    casus_id=1,
                    aanmelder_id=1,
                    ingediend_at=dt.datetime.now(dt.UTC),
                    criteria={},
                    leefgebieden=[],
                    partner_ids=[],
                    reden="r",
                    bewoner_geinformeerd=True,
                    status="open",
                    voor_advies=False,
                )
            )
            await connection.execute(
                insert(Persoonsgegevens).values(
                    casus_id=1,
                    naam="Ria Veldhuis",
                    naam_sleutel="ria veldhuis",
                    geboortedatum=dt.date(1980, 5, 6),
                    woonplaats="Oudstad",
                )
            )
        await upgrade(db.engine)
        async with db.unit_of_work() as uow:
            requester = issue(1, "t", "o", "c", "channel")
            assert await uow.casussen.names_a_resident(requester, "VELDHUIS weer gezien")
            assert await uow.casussen.names_a_resident(requester, "geboren 6-5-1980")
            assert not await uow.casussen.names_a_resident(requester, "Ria weer gezien")
    finally:
        await db.dispose()
