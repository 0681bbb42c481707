"""Privacy rules of DESIGN §3 that are not already proven by the workflow tests."""

from __future__ import annotations

import datetime as dt
import io
import time

from docx import Document

from dialogs import casus as casus_dialog
from dialogs.downloads import DownloadGrant, sign, verify
from dialogs.retention import apply_retention
from store.privacy import REDACTED, name_key, redact
from templates.brief import BriefGegevens, placeholders, render_brief
from tests.helpers import act, casus_id, decide, future_date, professional_id, submit_aanmelding

KEY = b"k" * 32


def test_redaction_removes_name_parts_dates_and_address() -> None:
    text = (
        "Kevin Oudeman (17-04-2003) woont op Lindelaan 12; oudeman zegt dat KEVIN niet thuis was."
    )
    result = redact(text, ["Kevin Oudeman", "17-04-2003", "Lindelaan 12"])
    for fragment in ("Kevin", "Oudeman", "oudeman", "KEVIN", "17-04-2003", "Lindelaan"):
        assert fragment not in result
    assert result.count(REDACTED) >= 5 and "woont op" in result


def test_redaction_leaves_other_words_alone() -> None:
    assert redact("De buurman belde de politie.", ["Ed Bakker"]) == "De buurman belde de politie."


def test_name_key_ignores_case_accents_and_spacing() -> None:
    assert name_key("  Chloë  de JONG ") == name_key("chloe de jong")


def test_signed_link_refuses_forgery_and_expiry() -> None:
    grant = DownloadGrant(casus_id=1, professional_id=2, expires_at=int(time.time()) + 60)
    token = sign(grant, KEY)
    assert verify(token, KEY) == grant
    assert verify(token, b"x" * 32) is None
    assert verify(token[:-2] + "AA", KEY) is None
    assert verify("nonsense", KEY) is None
    assert verify(token, KEY, now=time.time() + 120) is None


def test_letter_template_is_filled_and_reads_back() -> None:
    assert placeholders() >= {"naam", "adres", "postcode", "woonplaats", "startgesprek_datum"}
    content = render_brief(
        BriefGegevens(
            gemeente="Zuiderstad",
            datum="01-12-2026",
            kenmerk="PGA-2026-001",
            naam="Kevin Oudeman",
            adres="Lindelaan 12",
            postcode="1234 AB",
            woonplaats="Zuiderstad",
            startgesprek_datum="08-12-2026",
            startgesprek_tijd="10:00",
            startgesprek_locatie="Stadhuis",
            contactpersoon="Fatima el Amrani",
            contact="fatima@zuiderstad.example",
        )
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Geachte Kevin Oudeman," in text
    assert "1234 AB Zuiderstad" in text
    assert "08-12-2026 om 10:00 op Stadhuis" in text
    assert "uw rechten" in text.lower() and "burgemeester van Zuiderstad" in text
    assert "bezwaar" in text and "fatima@zuiderstad.example" in text
    assert "{{" not in text


async def test_download_refused_once_link_is_gone(demo_db, config) -> None:
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    fatima = await professional_id(demo_db, "a1")
    linda = await professional_id(demo_db, "a5")
    await decide(
        demo_db,
        config,
        cid,
        besluit="opnemen",
        casusregisseur=str(linda),
        startgesprek_datum=future_date(),
    )
    future = int(time.time()) + 60
    ok = await casus_dialog.download_brief(
        demo_db, config, sign(DownloadGrant(cid, fatima, future), config.signing_key)
    )
    assert ok is not None and ok.filename == f"brief-{code}.docx"
    # A link made out to the casusregisseur is refused: the letter is the PGA-expert's.
    other = await casus_dialog.download_brief(
        demo_db, config, sign(DownloadGrant(cid, linda, future), config.signing_key)
    )
    assert other is None
    async with demo_db.unit_of_work() as uow:
        events = [(e.event, e.outcome) for e in await uow.audit.events(cid)]
    assert ("brief.downloaden", "success") in events
    assert ("brief.downloaden", "denied") in events


async def test_retention_job_anonymises_closed_referrals(demo_db, config) -> None:
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    await decide(demo_db, config, cid, besluit="afwijzen", toelichting="Kevin Oudeman past niet")
    assert await apply_retention(demo_db, 365) == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
    assert await apply_retention(demo_db, 365, now=later) == 1
    async with demo_db.unit_of_work() as uow:
        besluiten = await uow.casussen.besluiten(cid)
        assert all(b.toelichting is None for b in besluiten)
        assert (await uow.casussen.get(cid)).geanonimiseerd_at is not None
    shown = await act(demo_db, config, "a2", "casus.open", {"casus": cid})
    assert "Oudeman" not in str(shown.card) + (shown.text or "")
