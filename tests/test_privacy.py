"""Privacy rules of DESIGN §3 that are not already proven by the workflow tests."""

from __future__ import annotations

import base64
import datetime as dt
import io

from docx import Document
from sqlalchemy import update

from dialogs import casus as casus_dialog
from dialogs.retention import apply_retention
from store.models import DocumentGrant, Professional
from store.privacy import REDACTED, name_key, redact
from templates.brief import BriefGegevens, placeholders, render_brief
from tests.helpers import act, casus_id, decide, future_date, professional_id, submit_aanmelding
from tests.inspect import besluit_rows, casus_row


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


def test_redaction_hides_each_part_of_a_hyphenated_name_also_without_accents() -> None:
    """QA: "Çelik" of "Maria Çelik-van Dam" reached the channel and the anonymised minutes."""
    text = "Gesprek met MARIA ÇELIK, mw. Celik en Van Dam."
    result = redact(text, ["Maria Çelik-van Dam"])
    for fragment in ("MARIA", "ÇELIK", "Celik", "Dam"):
        assert fragment not in result
    assert "Gesprek met" in result


def test_redaction_leaves_tussenvoegsels_as_ordinary_words() -> None:
    """QA: a resident named "Jan van der Berg" made "plan van aanpak" "plan [bewoner] aanpak"."""
    assert redact("Het plan van aanpak; Jan van der Berg", ["Jan van der Berg"]) == (
        f"Het plan van aanpak; {REDACTED}"
    )


def test_name_key_ignores_case_accents_and_spacing() -> None:
    assert name_key("  Chloë  de JONG ") == name_key("chloe de jong")


async def letter_token(db, config, cid: int, who: str = "a1") -> str:
    """The PGA-expert makes the letter; the token is the last part of the download link."""
    outcome = await act(
        db,
        config,
        who,
        "brief.maken",
        {
            "casus": cid,
            "adres": "Lindelaan 12",
            "postcode": "1234 AB",
            "woonplaats": "Zuiderstad",
            "startgesprek_datum": future_date(),
            "startgesprek_tijd": "10:00",
            "startgesprek_locatie": "Stadhuis",
        },
    )
    url = next(
        action["url"]
        for item in outcome.card["body"]
        if item.get("type") == "ActionSet"
        for action in item["actions"]
    )
    return url.rsplit("/", 1)[1]


async def opgenomen(db, config) -> tuple[str, int]:
    code = await submit_aanmelding(db, config)
    cid = await casus_id(db, code)
    linda = await professional_id(db, "a5")
    await decide(
        db,
        config,
        cid,
        besluit="opnemen",
        casusregisseur=str(linda),
        startgesprek_datum=future_date(),
    )
    return code, cid


async def test_letter_link_is_opaque_and_refuses_forgery_and_reuse(demo_db, config) -> None:
    code, cid = await opgenomen(demo_db, config)
    token = await letter_token(demo_db, config, cid)
    # Random: it carries neither the casus nor the professional (issue #8, point 7).
    again = await letter_token(demo_db, config, cid)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(token) >= 40 and token != again and code.encode() not in decoded
    assert await casus_dialog.link_usable(demo_db, config, token)
    assert not await casus_dialog.link_usable(demo_db, config, token[:-2] + "AA")
    assert await casus_dialog.download_brief(demo_db, config, "nonsense", "ip=203.0.113.9") is None
    ok = await casus_dialog.download_brief(demo_db, config, token, "ip=198.51.100.7 ua=Edge")
    assert ok is not None and ok.filename.startswith("brief-BR-") and code not in ok.filename
    assert await casus_dialog.download_brief(demo_db, config, token) is None
    async with demo_db.unit_of_work() as uow:
        events = [(e.event, e.outcome, e.details or "") for e in await uow.audit.events()]
    downloads = [e for e in events if e[0] == "document.downloaden"]
    # Every attempt is in the audit log, with where it came from.
    assert ("document.downloaden", "denied", "geweigerd; ip=203.0.113.9") in downloads
    assert any(o == "success" and code in d for _, o, d in downloads)
    assert [o for _, o, _ in downloads] == ["denied", "success", "denied"]


async def test_letter_link_expires(demo_db, config) -> None:
    _, cid = await opgenomen(demo_db, config)
    token = await letter_token(demo_db, config, cid)
    async with demo_db.unit_of_work() as uow:
        await uow.session.execute(update(DocumentGrant).values(expires_at=dt.datetime.now(dt.UTC)))
        await uow.commit()
    assert not await casus_dialog.link_usable(demo_db, config, token)
    assert await casus_dialog.download_brief(demo_db, config, token) is None


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
    assert "uw rechten" in text.lower() and "Burgemeester van Zuiderstad" in text
    assert "bezwaar" in text and "fatima@zuiderstad.example" in text
    assert "{{" not in text


async def test_letter_only_for_the_pga_expert_and_only_while_allowed(demo_db, config) -> None:
    """The casusregisseur cannot make the letter; a link stops working when its professional
    is switched off."""
    _, cid = await opgenomen(demo_db, config)
    refused = await act(demo_db, config, "a5", "brief.open", {"casus": cid})
    assert refused.card is None and "maakt de PGA-expert" in (refused.text or "")
    token = await letter_token(demo_db, config, cid)
    async with demo_db.unit_of_work() as uow:
        await uow.session.execute(
            update(Professional).where(Professional.naam.like("Fatima%")).values(actief=False)
        )
        await uow.commit()
    assert await casus_dialog.download_brief(demo_db, config, token) is None
    async with demo_db.unit_of_work() as uow:
        events = [(e.event, e.outcome) for e in await uow.audit.events()]
    assert ("document.downloaden", "denied") in events


async def test_retention_job_anonymises_closed_referrals(demo_db, config) -> None:
    code = await submit_aanmelding(demo_db, config)
    cid = await casus_id(demo_db, code)
    await decide(demo_db, config, cid, besluit="afwijzen", toelichting="Kevin Oudeman past niet")
    assert await apply_retention(demo_db, 365) == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
    assert await apply_retention(demo_db, 365, now=later) == 1
    async with demo_db.unit_of_work() as uow:
        besluiten = await besluit_rows(uow, cid)
        assert all(b.toelichting is None for b in besluiten)
        assert (await casus_row(uow, cid)).geanonimiseerd_at is not None
    shown = await act(demo_db, config, "a2", "casus.open", {"casus": cid})
    assert "Oudeman" not in str(shown.card) + (shown.text or "")
