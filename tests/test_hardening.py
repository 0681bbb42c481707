"""Regression tests for the adversarial review of the voortraject (issue #8), the points that
live in the workflows and the store: retention everywhere, Markdown injection, the final
startgesprek, the typed shared output."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select, text

from cards.base import esc
from dialogs.retention import apply_retention
from store.access import Need, SharedPostRefused
from store.models import Base, Bericht, Casus
from store.outbox import SharedPost
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
from tests.inspect import besluit_rows

LINK = "[dossier](https://evil.example/login)"


async def opgenomen(db, config, **overrides: str) -> tuple[str, int]:
    code = await submit_aanmelding(db, config, **overrides)
    cid = await casus_id(db, code)
    sanne = await professional_id(db, "a3")
    await decide(
        db,
        config,
        cid,
        besluit="opnemen",
        casusregisseur=str(sanne),
        startgesprek_datum=future_date(),
        toelichting=f"{RESIDENT_NAME} is bekend bij de GGZ",
    )
    return code, cid


async def test_typed_markdown_is_shown_as_text_not_as_a_link(demo_db, config):
    code = await submit_aanmelding(
        demo_db, config, reden=f"Zie {LINK}", crit_overlast_toelichting=f"**vet** {LINK}"
    )
    cid = await casus_id(demo_db, code)
    opened = await act(demo_db, config, "a1", "triage.open", {"casus": cid})
    shown = texts(opened.card)
    unescaped_link = re.compile(r"(?<!\\)\]\(")
    assert not any(unescaped_link.search(t) or "https://evil" in t for t in shown)
    assert any(esc(LINK) in t for t in shown)  # escaped, still readable


def texts(node) -> list[str]:
    """Every string a renderer reads as Markdown: TextBlock text and FactSet facts."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        if node.get("type") == "FactSet":
            own += [part for fact in node["facts"] for part in (fact["title"], fact["value"])]
        return own + [t for value in node.values() for t in texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


def test_escaping_defuses_links_emphasis_and_bare_urls() -> None:
    assert esc("[a](https://x.example)") == "\\[a\\](https:\\//x.example)"
    assert esc("www.evil.example") == "www\\.evil.example"
    assert esc("**vet** _schuin_") == "\\*\\*vet\\*\\* \\_schuin\\_"
    assert esc("Gewone tekst, 12-03.") == "Gewone tekst, 12-03."


async def test_a_recorded_startgesprek_is_final_unless_corrected_with_a_reason(demo_db, config):
    _, cid = await opgenomen(demo_db, config)
    held = {"casus": cid, "uitkomst": "gehouden", "datum": dt.date.today().isoformat()}
    first = await act(demo_db, config, "a3", "startgesprek.vastleggen", held)
    assert "Startgesprek vastgelegd" in card_text(first.card)
    again = await act(demo_db, config, "a3", "startgesprek.vastleggen", held)
    assert "al vastgelegd" in card_text(again.card).lower()
    corrected = await act(
        demo_db,
        config,
        "a3",
        "startgesprek.vastleggen",
        {**held, "uitkomst": "niet_gehouden", "correctie_reden": "Verkeerd aangeklikt"},
    )
    assert "verbeterd" in card_text(corrected.card).lower()
    async with demo_db.unit_of_work() as uow:
        besluiten = [b for b in await besluit_rows(uow, cid) if b.soort == "startgesprek"]
        gesprek = (
            await uow.session.execute(text("SELECT status, correcties FROM startgesprek"))
        ).one()
    assert len(besluiten) == 2  # recorded once, corrected once: not four times
    correcties = gesprek[1] if isinstance(gesprek[1], list) else json.loads(gesprek[1])
    assert gesprek[0] == "niet_gehouden" and correcties[0]["status"] == "gehouden"
    assert correcties[0]["reden"] == "Verkeerd aangeklikt"


async def test_a_card_sent_privately_from_a_channel_knows_its_casus(demo_db, config):
    """Retention found no casus on such a message when the button named it by code or by a
    float id; now the workflow says which casus its card is about."""
    code, cid = await opgenomen(demo_db, config)
    await say(demo_db, config, "a1", f"casus {code}", conversation_type="channel")
    await act(demo_db, config, "a1", "casus.open", {"casus": cid}, conversation_type="channel")
    async with demo_db.unit_of_work() as uow:
        queued = (
            await uow.session.scalars(select(Bericht).where(Bericht.verzonden_at.is_(None)))
        ).all()
    fatima = await professional_id(demo_db, "a1")
    private_cards = [
        b for b in queued if b.professional_id == fatima and RESIDENT_NAME in card_text(b.kaart)
    ]
    assert len(private_cards) == 2 and all(b.casus_id == cid for b in private_cards)


async def test_retention_leaves_no_identifier_in_any_table(demo_any_db, config):
    """Seed every table a workflow writes to, close the casus, pass the term: no table holds
    any identifier of the resident; codes and counts stay; sent cards are replaced."""
    demo_db = demo_any_db
    code, cid = await opgenomen(
        demo_db, config, doel=f"PGA voor {RESIDENT_NAME}", reden=f"{RESIDENT_NAME} intimideert"
    )
    await act(
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
            "startgesprek_tijd": "10:00",
            "startgesprek_locatie": "Lindelaan 12, bij Kevin thuis",
        },
    )
    await act(
        demo_db,
        config,
        "a3",
        "startgesprek.vastleggen",
        {
            "casus": cid,
            "uitkomst": "gehouden",
            "datum": dt.date.today().isoformat(),
            "visie_bewoner": f"{RESIDENT_NAME} wil hulp bij schulden",
        },
    )
    # The overleg discussed it and the full minutes are stored (#12; they name the resident).
    from tests.test_overleg import besluit, started
    from tests.test_verslag import fetch_full

    oid = await started(demo_db, config, (code, cid))
    await besluit(demo_db, config, "a6", code, toelichting=f"{RESIDENT_NAME} krijgt hulp")
    await say(demo_db, config, "a6", "overleg afronden", conversation_type="channel")
    await fetch_full(demo_db, config, oid)
    from tests.test_plan import fill_plan_naming_the_resident  # it imports this module

    await fill_plan_naming_the_resident(demo_db, config, cid)  # the plan van aanpak (#11)
    # A signal between overleggen, typed with the name (issue #10).
    await act(
        demo_db,
        config,
        "a2",
        "signaal.vastleggen",
        {"casus": str(cid), "tekst": f"{RESIDENT_NAME} weer gezien", "_form": "s1"},
    )
    # Another professional's draft about the same resident, and a private card in the outbox.
    await act(demo_db, config, "a4", "aanmelding.bewaren", {"naam": "kevin oudeman"})
    await act(demo_db, config, "a1", "casus.open", {"casus": cid}, conversation_type="channel")
    await seed_afsluiting_workflows(demo_db, config, cid)
    sent = await pretend_a_private_card_was_sent(demo_db, cid)
    assert await dump_all_tables(demo_db, IDENTIFIERS)  # the seed did reach the tables
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=config.retention_days + 1)
    assert await apply_retention(demo_db, config.retention_days, now=later) == 1
    assert await dump_all_tables(demo_db, IDENTIFIERS) == []
    async with demo_db.unit_of_work() as uow:
        casus = await uow.session.get(Casus, cid)
        assert casus is not None and casus.code == code  # the monitor keeps codes and counts
        (replacement,) = [b for b in await uow.berichten.pending() if b.vervangt_activity_id]
        fatima = await professional_id(demo_db, "a1")
        requester = uow.people.requester(fatima, "t", "o", "c", "personal")
        figures = await uow.monitor.figures(requester, dt.date(2000, 1, 1), dt.date.today())
    assert (replacement.vervangt_activity_id, replacement.conversation_id) == sent
    assert "Verwijderd wegens bewaartermijn" in card_text(replacement.kaart)
    assert figures.caseload["aanmeldingen"] == 1 and figures.caseload["afgesloten"] == 1
    assert figures.uitkomsten == {"afschalen": 1} and [r.code for r in figures.regels] == [code]
    # Retention runs every hour: a card is replaced once.
    await apply_retention(demo_db, config.retention_days, now=later)
    async with demo_db.unit_of_work() as uow:
        assert len([b for b in await uow.berichten.pending() if b.vervangt_activity_id]) == 1


async def seed_afsluiting_workflows(db, config, cid: int) -> None:
    """Koppelen, a correction, an inzage and the afsluiting (#13), each with typed text that
    names the resident, as people do."""
    values = {
        "professional": str(await professional_id(db, "a4")),
        "rol": "betrokken",
        "doel": f"Toezicht op {RESIDENT_NAME}",
        "grondslag": "art6_1e",
        "uitzondering": "geen",
        "beroepsgeheim": "geen",
        "noodzaak": f"{RESIDENT_NAME} staat onder toezicht",
        "geinformeerd": "nee",
        "reden_niet_geinformeerd": f"{RESIDENT_NAME} is onvindbaar",
    }
    await act(db, config, "a1", "koppelen.opslaan", {"casus": cid, **values})
    correction = {"veld": "naam", "nieuw": "Kevin Oudemans", "reden": f"Niet {RESIDENT_NAME}"}
    await act(db, config, "a1", "corrigeren.opslaan", {"casus": cid, **correction})
    today = dt.date.today().isoformat()
    await act(db, config, "a1", "inzage.maken", {"casus": cid, "van": today, "tot": today})
    closing = {
        "reden": "afschalen",
        "toelichting": f"{RESIDENT_NAME} gaat het goed",
        "overdracht_aan": "Wijkteam Noord",
        "overdracht_wat": f"Het dossier van {RESIDENT_NAME}",
        "overdracht_op": today,
        "eindgesprek": "ja",
        "eindgesprek_op": today,
        "feedback_bewoner": f"Ik ben {RESIDENT_NAME} en ik werd gehoord",
        "goed_ging": "Lindelaan 12 was bereikbaar",
        "beter_kan": "Oudeman wil sneller hulp",
    }
    closed = await act(db, config, "a1", "afsluiten.opslaan", {"casus": cid, **closing})
    assert "Casus afgesloten" in card_text(closed.card)


async def pretend_a_private_card_was_sent(db, cid: int) -> tuple[str, str]:
    """A private card about the casus as the sender leaves it: delivered, activity id kept."""
    async with db.unit_of_work() as uow:
        bericht = next(b for b in await uow.berichten.pending() if b.casus_id == cid)
        await uow.berichten.mark_sent(bericht.id, "act-identiteit", "a:personal-a1")
        await uow.commit()
    return "act-identiteit", "a:personal-a1"


async def dump_all_tables(db, identifiers: tuple[str, ...]) -> list[str]:
    """Every table and column where any identifier (any case) still appears; stored Word
    documents are read inside."""
    found = []
    async with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(table.select())).mappings():
                blob = json.dumps({k: _readable(v) for k, v in row.items()}, ensure_ascii=False)
                blob = blob.lower()
                found += [f"{table.name}:{i}" for i in identifiers if i.lower() in blob]
    return found


def _readable(value: object) -> str:
    """A column as text; a .docx (a zip) as the text of its parts."""
    if isinstance(value, bytes) and value.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(value)) as docx:
            xml = " ".join(docx.read(n).decode("utf-8", "replace") for n in docx.namelist())
        return html.unescape(re.sub(r"<[^>]+>", "", xml))
    return str(value)


async def test_drafts_never_outlive_a_short_retention_term(demo_db, config):
    await act(demo_db, config, "a2", "aanmelding.bewaren", {"naam": RESIDENT_NAME})
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    await apply_retention(demo_db, 7, now=later)
    assert await dump_all_tables(demo_db, (RESIDENT_NAME,)) == []


async def test_the_outbox_refuses_a_shared_post_that_names_the_resident(demo_db, config):
    _, cid = await opgenomen(demo_db, config)
    fatima = await professional_id(demo_db, "a1")
    from store.access import issue

    async with demo_db.unit_of_work() as uow:
        requester = issue(fatima, "t", "o", "c", "personal")
        casus = await uow.casussen.open(cid, requester, Need.OVERZICHT)
        shared = await casus.shared()
        leaking = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "kevin x"}]}
        with pytest.raises(SharedPostRefused):
            await uow.berichten.put(SharedPost("kanaal-1", shared, leaking))
        safe = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": shared.code}]}
        await uow.berichten.put(SharedPost("kanaal-1", shared, safe))
        assert shared.redact(f"{RESIDENT_NAME} en OUDEMAN") == "[bewoner] en [bewoner]"


async def test_the_triage_text_shown_to_the_aanmelder_is_audited(demo_db, config):
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    await decide(demo_db, config, cid, besluit="afwijzen", toelichting="Past niet")
    async with demo_db.unit_of_work() as uow:
        events = [(e.event, e.details or "") for e in await uow.audit.events()]
    assert any(event == "uitkomst.tonen" and code in details for event, details in events)
