"""The minutes of an overleg (#12): after `overleg afronden` the channel gets a card, each
invitee who presses it gets the anonymised Word minutes as a personal download, the
PGA-expert the full ones 1:1. Both files are opened with python-docx (and once with
LibreOffice); the anonymised one holds no identifier of any casus discussed, also typed in
free text with ë, ç and apostrophes. Versions, retention, bad input, `besluiten CODE`."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from typing import Any

import docx
from sqlalchemy import func, select, update

import templates.verslag as renderer
from dialogs.core import Audience
from dialogs.retention import apply_retention
from dialogs.verslag import download_verslag
from store.models import (
    AuditEvent,
    Bericht,
    Casus,
    DocumentGrant,
    Professional,
    VerslagDocument,
)
from store.privacy import identifier_variants, redactor
from store.verslag import (
    Actie,
    Identiteit,
    LeefgebiedScore,
    Persoon,
    Punt,
    Verslag,
    VerslagBesluit,
)
from tests.helpers import act, card_text, future_date, professional_id, say
from tests.test_hardening import dump_all_tables
from tests.test_koppelen import link
from tests.test_overleg import (
    _pending_cards,
    besluit,
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

# Residents whose names need care: diaeresis, cedilla, apostrophes.
NOEL = ("Noël Çelik", "2001-02-03")
ANAIS = ("Anaïs O'Neill", "1999-11-30")


def word_text(content: bytes) -> str:
    """Everything a reader of the .docx sees: body, tables, headers and footers."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in (*section.header.paragraphs, *section.footer.paragraphs)]
    return "\n".join(parts)


def identifiers_of(naam: str, geboren: str) -> list[str]:
    born = dt.date.fromisoformat(geboren)
    return [
        naam,
        born.isoformat(),
        born.strftime("%d-%m-%Y"),
        f"{born.day}-{born.month}-{born.year}",
    ]


def leaks(text: str, *residents: tuple[str, str]) -> list[str]:
    """Every identifier (whole, or a name part) of the residents found in `text`, in any case
    and in either Unicode form, or with either apostrophe."""
    found = []
    shapes = {unicodedata.normalize("NFC", text).casefold().replace("’", "'")}
    for naam, geboren in residents:
        for variant in identifier_variants(identifiers_of(naam, geboren)):
            wanted = unicodedata.normalize("NFC", variant).casefold().replace("’", "'")
            if any(re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", s) for s in shapes):
                found.append(variant)
    return found


async def closed_overleg(db, config) -> dict[str, Any]:
    """Two residents with awkward names discussed and the overleg closed by its chair (Kees);
    the typed text names both residents, one with a typographic apostrophe."""
    first, cid1 = await opgenomen(db, config, naam=NOEL[0], geboren=NOEL[1])
    second, cid2 = await opgenomen(db, config, naam=ANAIS[0], geboren=ANAIS[1])
    await link(db, config, cid1, "a4")  # Ahmed works on the first casus
    oid = await started(db, config, (first, cid1), (second, cid2), chair="a6")
    await besluit(
        db,
        config,
        "a6",
        first,
        toelichting="noël çelik gaat naar de GGZ; ANAÏS O'NEILL niet, geboren 30-11-1999",
    )
    card = await discussion_card(db, first)
    sanne = await professional_id(db, "a3")
    await press(
        db,
        config,
        "a6",
        "bespreking.afspraak",
        card,
        afspraak="Bel O’Neill en Çelik over de intake",  # a typographic apostrophe
        eigenaar=str(sanne),
        deadline=future_date(14),
    )
    await check_in(db, config, "a1", oid)  # the PGA-expert joins, then records
    await besluit(db, config, "a1", second, uitkomst="interventie", toelichting="Schuldhulp")
    closed = await say(db, config, "a6", "overleg afronden", conversation_type="channel")
    assert "afgerond" in (closed.text or ""), closed.text
    return {"oid": oid, "codes": (first, second), "ids": (cid1, cid2)}


def minutes_card(cards: list[dict[str, Any]]) -> dict[str, Any]:
    found = [c for c in cards if "Verslag ophalen (Word)" in card_text(c)]
    assert found, [card_text(c)[:80] for c in cards]
    return found[-1]


def link_token(card: dict[str, Any] | None) -> str:
    urls = re.findall(r"/verslagen/([A-Za-z0-9_-]+)", card_text(card))
    assert urls, card_text(card)
    return urls[-1]


async def fetch_anonymised(db, config, who: str, oid: int) -> bytes:
    """`who` presses the channel card; the link arrives in their 1:1 chat; they download."""
    card = minutes_card(await channel_cards(db))
    pressed = await press(db, config, who, "verslag.ophalen", card)
    assert "privéchat" in (pressed.text or ""), pressed.text
    mine = await _pending_cards(db, await professional_id(db, who))
    download = await download_verslag(db, config, link_token(mine[-1]), "ip=test")
    assert download is not None
    return download.content


async def fetch_full(db, config, oid: int) -> bytes:
    answer = await act(db, config, "a1", "verslag.volledig", {"overleg": oid})
    assert "Volledig verslag downloaden (Word)" in card_text(answer.card), answer.text
    download = await download_verslag(db, config, link_token(answer.card), "ip=test")
    assert download is not None and "volledig" in download.filename
    return download.content


# --- the whole path --------------------------------------------------------------------------


async def test_after_closing_attendees_get_the_anonymised_minutes_and_the_expert_the_full(
    demo_any_db, config
):
    db = demo_any_db
    made = await closed_overleg(db, config)
    first, second = made["codes"]

    card = minutes_card(await channel_cards(db))
    assert "Versie 1 · 2 agendapunt(en)" in plain(card)  # the overleg, no content
    assert not leaks(card_text(card), NOEL, ANAIS)
    fatima = await professional_id(db, "a1")
    note = [c for c in await _pending_cards(db, fatima) if "Volledig verslag" in card_text(c)]
    assert note and "alleen voor jou" in card_text(note[-1])

    anonymised = await fetch_anonymised(db, config, "a4", made["oid"])  # Ahmed, invited
    text = word_text(anonymised)
    assert first in text and second in text
    assert "Plan vastgesteld" in text and "Interventie inzetten" in text
    assert "[bewoner] gaat naar de GGZ" in text
    assert "Bel [bewoner] en [bewoner] over de intake" in text  # also the ’ in O’Neill
    assert "Sanne Bakker (GGZ Zuiderstad)" in text and "Gemeente Zuiderstad" in text
    assert re.search(r"(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d+ ", text)
    assert leaks(text, NOEL, ANAIS) == []

    full = word_text(await fetch_full(db, config, made["oid"]))
    assert NOEL[0] in full and ANAIS[0] in full and "03-02-2001" in full
    assert "noël çelik gaat naar de GGZ" in full  # the typed text, for the dossier
    async with db.unit_of_work() as uow:
        seen = await uow.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.event == "identiteit.bekijken",
                AuditEvent.purpose == "verslag casusoverleg (volledig)",
                AuditEvent.casus_id.in_(made["ids"]),
            )
        )
    assert seen == 2  # every identity in the full minutes is an audited view through the gate


async def test_who_may_fetch_which_minutes(demo_db, config):
    db = demo_db
    made = await closed_overleg(db, config)
    card = minutes_card(await channel_cards(db))
    linda = await professional_id(db, "a5")  # not invited
    refused = await press(db, config, "a5", "verslag.ophalen", card)
    assert "uitgenodigd" in (refused.text or "")
    assert not [c for c in await _pending_cards(db, linda) if "/verslagen/" in card_text(c)]
    not_expert = await act(db, config, "a4", "verslag.volledig", {"overleg": made["oid"]})
    assert "alleen voor de PGA-expert" in (not_expert.text or "")
    in_channel = await press(db, config, "a1", "verslag.volledig", _button(made["oid"]))
    assert in_channel.card is None  # the full minutes never show in the channel
    async with db.unit_of_work() as uow:
        grants = (await uow.session.scalars(select(DocumentGrant))).all()
    assert {g.professional_id for g in grants} == {await professional_id(db, "a1")}


def _button(oid: int) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "actions": [
            {"type": "Action.Execute", "verb": "verslag.volledig", "data": {"overleg": oid}}
        ],
    }


async def test_a_link_works_once_and_only_for_minutes(demo_db, config):
    db = demo_db
    made = await closed_overleg(db, config)
    answer = await act(db, config, "a1", "verslag.volledig", {"overleg": made["oid"]})
    token = link_token(answer.card)
    assert await download_verslag(db, config, token) is not None
    assert await download_verslag(db, config, token) is None
    assert await download_verslag(db, config, "verzonnen-token") is None
    # A link checks again at download: switched off in between, nothing.
    card = minutes_card(await channel_cards(db))
    await press(db, config, "a4", "verslag.ophalen", card)
    ahmed = await professional_id(db, "a4")
    token = link_token((await _pending_cards(db, ahmed))[-1])
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Professional).where(Professional.id == ahmed).values(actief=False)
        )
        await uow.commit()
    assert await download_verslag(db, config, token) is None


# --- versions --------------------------------------------------------------------------------


async def test_remaking_unchanged_minutes_keeps_the_version_and_a_correction_makes_a_new_one(
    demo_db, config
):
    db = demo_db
    made = await closed_overleg(db, config)
    posts = len(await channel_cards(db))
    same = await act(db, config, "a1", "verslag.maken", {"overleg": made["oid"]})
    assert "niet veranderd: versie 1" in card_text(same.card)
    assert len(await channel_cards(db)) == posts
    from store.models import Actie as PlanActie

    async with db.unit_of_work() as uow:  # a correction of the action the afspraak became
        correction = update(PlanActie).values(beschrijving="Intake plannen bij de GGZ")
        await uow.session.execute(correction)
        await uow.commit()
    again = await act(db, config, "a1", "verslag.maken", {"overleg": made["oid"]})
    assert "Versie 2 van het verslag staat in het kanaal" in card_text(again.card)
    newest = minutes_card(await channel_cards(db))
    assert "Dit is versie 2: het verslag is verbeterd" in plain(newest)
    text = word_text(await fetch_anonymised(db, config, "a4", made["oid"]))
    assert "Intake plannen bij de GGZ" in text
    async with db.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(VerslagDocument))).all()
    assert sorted((r.variant, r.versie) for r in rows) == [
        ("geanonimiseerd", 1),
        ("geanonimiseerd", 2),
    ]
    assert all(len(r.sha256) == 64 for r in rows) and rows[0].sha256 != rows[1].sha256


async def test_the_expert_picks_an_overleg_from_a_card(demo_db, config):
    db = demo_db
    made = await closed_overleg(db, config)
    shown = await say(db, config, "a1", "verslag")
    text = card_text(shown.card)
    assert "Verslag opnieuw maken" in text and "versie 1" in text
    assert f'"overleg": {made["oid"]}' in text
    partner = await say(db, config, "a4", "verslag")
    assert partner.card is None and "PGA-expert" in (partner.text or "")
    in_channel = await say(db, config, "a1", "verslag", conversation_type="channel")
    assert in_channel.card is None and "privéchat" in (in_channel.text or "")


# --- bad input -------------------------------------------------------------------------------


async def test_minutes_of_an_overleg_that_has_not_started_get_a_dutch_message(demo_any_db, config):
    db = demo_any_db
    _, cid = await opgenomen(db, config)
    oid = await planned(db, config)
    await on_agenda(db, config, oid, cid)
    answer = await act(db, config, "a1", "verslag.maken", {"overleg": oid})
    assert "nog niet begonnen" in (answer.text or "")
    full = await act(db, config, "a1", "verslag.volledig", {"overleg": oid})
    assert "nog niet begonnen" in (full.text or "")
    async with db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(VerslagDocument)) == 0


async def test_a_missing_or_broken_template_names_the_file_and_uses_the_default(
    demo_db, config, tmp_path, monkeypatch
):
    broken = tmp_path / "verslag.docx"
    broken.write_bytes(b"dit is geen Word-bestand")
    model = sample_model()
    for template in (broken, tmp_path / "weg.docx"):
        rendered = renderer.render_geanonimiseerd(model, template)
        assert rendered.waarschuwing and template.name in rendered.waarschuwing
        assert "standaardsjabloon" in rendered.waarschuwing
        assert "PGA-2026-001" in word_text(rendered.inhoud)
    # Through the workflow: the PGA-expert is told, the minutes still go out.
    monkeypatch.setattr(renderer, "TEMPLATE", broken)
    await closed_overleg(demo_db, config)
    fatima = await professional_id(demo_db, "a1")
    note = [c for c in await _pending_cards(demo_db, fatima) if "Volledig verslag" in card_text(c)]
    assert "ontbreekt of is beschadigd" in card_text(note[-1])
    assert "verslag.docx" in card_text(note[-1])
    minutes_card(await channel_cards(demo_db))


def test_the_committed_template_is_a4_with_the_gemeente_in_the_header_and_page_numbers():
    document = docx.Document(str(renderer.TEMPLATE))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "{{gemeente}}" in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    rendered = renderer.render_volledig(sample_model())
    header = docx.Document(io.BytesIO(rendered.inhoud)).sections[0].header.paragraphs[0].text
    assert header.startswith("Gemeente Zuiderstad")
    assert rendered.waarschuwing is None


def test_very_long_text_and_odd_characters_render():
    long = "Zeer lange toelichting met ë, ç en ' " * 2000  # ~76,000 characters
    model = sample_model(tekst=long + "\x0b")
    for rendered in (renderer.render_volledig(model), renderer.render_geanonimiseerd(model)):
        text = word_text(rendered.inhoud)
        assert long.strip() in text and "Kevin" not in text.replace("Kevin Oudeman", "")


def test_the_same_minutes_give_the_same_bytes():
    model = sample_model()
    assert (
        renderer.render_geanonimiseerd(model).inhoud == renderer.render_geanonimiseerd(model).inhoud
    )


def test_the_anonymised_renderer_drops_identity_even_from_the_full_model():
    text = word_text(renderer.render_geanonimiseerd(sample_model()).inhoud)
    assert "Oudeman" not in text and "17-04-2003" not in text
    assert "[bewoner] wil hulp" in text
    # Its own last pass: text the store failed to redact is redacted while writing.
    model = sample_model()
    raw = [
        replace(p, besluiten=[replace(b, tekst="Oudeman, 17-04-2003") for b in p.besluiten])
        for p in model.punten
    ]
    text = word_text(renderer.render_geanonimiseerd(replace(model, punten=raw)).inhoud)
    assert "Oudeman" not in text and "[bewoner], [bewoner]" in text
    full = word_text(renderer.render_volledig(sample_model()).inhoud)
    assert "Kevin Oudeman" in full and "dinsdag 24 november 2026" in full


def test_the_redactor_catches_other_unicode_forms_and_apostrophes():
    redact = redactor(["Noël Çelik", "Anaïs O'Neill"])
    decomposed = unicodedata.normalize("NFD", "noël ÇELIK")
    assert redact(f"{decomposed} en O’Neill") == "[bewoner] en [bewoner]"
    assert redact("Neill") == "Neill"  # a part of a part is not a name part


def test_both_files_open_in_libreoffice(tmp_path):
    """A real word processor opens both variants (one soffice run for both files)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice ontbreekt: ./dev test installeert het (als root)."
    model = sample_model()
    (tmp_path / "volledig.docx").write_bytes(renderer.render_volledig(model).inhoud)
    (tmp_path / "anoniem.docx").write_bytes(renderer.render_geanonimiseerd(model).inhoud)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profiel'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(tmp_path / "volledig.docx"),
            str(tmp_path / "anoniem.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    for name in ("volledig", "anoniem"):
        pdf = (tmp_path / "pdf" / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 5000


# --- retention -------------------------------------------------------------------------------


async def test_retention_removes_the_stored_minutes_of_a_closed_casus(demo_db, config):
    db = demo_db
    made = await closed_overleg(db, config)
    await fetch_full(db, config, made["oid"])
    await fetch_anonymised(db, config, "a4", made["oid"])
    assert await dump_all_tables(db, (NOEL[0], ANAIS[0])) != []  # the full minutes name them
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Casus)
            .where(Casus.id.in_(made["ids"]))
            .values(status="afgesloten", afgesloten_at=dt.datetime.now(dt.UTC))
        )
        await uow.session.execute(update(Bericht).values(verzonden_at=dt.datetime.now(dt.UTC)))
        await uow.commit()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=config.retention_days + 1)
    await apply_retention(db, config.retention_days, now=later)
    async with db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(VerslagDocument)) == 0
        assert (
            await uow.session.scalar(
                select(func.count())
                .select_from(DocumentGrant)
                .where(DocumentGrant.verslag_document_id.is_not(None))
            )
            == 0
        )
    identifiers = tuple(i for r in (NOEL, ANAIS) for i in identifiers_of(*r))
    assert await dump_all_tables(db, identifiers) == []


# --- besluiten CODE --------------------------------------------------------------------------


async def test_the_besluitenlijst_names_each_overleg_and_follows_the_identity_rules(
    demo_any_db, config
):
    db = demo_any_db
    made = await closed_overleg(db, config)
    first = made["codes"][0]
    expert = await say(db, config, "a1", f"besluiten {first}")
    text = card_text(expert.card)
    assert "Structureel overleg Zuiderstad" in text and "Plan vastgesteld" in text
    assert "noël çelik gaat naar de GGZ" in text  # the typed text: 1:1, may read the dossier
    assert "Triage: " in text and "Buiten een overleg" in text

    channel = await say(db, config, "a1", f"besluiten {first}", conversation_type="channel")
    assert channel.audience is Audience.SHARED and channel.card is not None
    assert "[bewoner] gaat naar de GGZ" in plain(channel.card)
    assert leaks(card_text(channel.card), NOEL, ANAIS) == []

    await link(db, config, made["ids"][0], "a6", rol="adviserend")
    adviser = await say(db, config, "a6", f"besluiten {first}")
    assert "[bewoner] gaat naar de GGZ" in plain(adviser.card)
    assert leaks(card_text(adviser.card), NOEL, ANAIS) == []

    outsider = await say(db, config, "a5", f"besluiten {first}")
    assert outsider.card is None and "geen toegang" in (outsider.text or "")
    assert "Geef een code" in ((await say(db, config, "a1", "besluiten")).text or "")


# --- a model without the database --------------------------------------------------------------


def sample_model(tekst: str = "Kevin Oudeman wil hulp bij schulden") -> Verslag:
    redact = redactor(["Kevin Oudeman", "2003-04-17", "17-04-2003"])
    when = dt.datetime(2026, 11, 24, 14, 0)
    besluit = VerslagBesluit(
        "PGA-2026-001",
        "Structureel overleg Zuiderstad, 24-11-2026",
        "Plan vastgesteld",
        redact(tekst),
        when,
        tekst,
    )
    actie = Actie("PGA-2026-001", "Intake plannen", "Sanne Bakker", "GGZ", dt.date(2026, 12, 8))
    punt = Punt(
        positie=1,
        code="PGA-2026-001",
        reden="Nieuw",
        minuten=20,
        besproken=True,
        samenvatting="Besproken: 1 besluit, 1 actie.",
        rollen=[Persoon("Ahmed Yilmaz (Reclassering)", "betrokken")],
        besluiten=[besluit],
        acties=[actie],
        scores=[LeefgebiedScore("Huisvesting", 2, 1)],
        vervolg="Voortgang in een volgend overleg.",
        identiteit=Identiteit("Kevin Oudeman", dt.date(2003, 4, 17), "Zuiderstad"),
    )
    return Verslag(
        overleg_id=1,
        gemeente="Zuiderstad",
        soort="Structureel overleg",
        begin=when,
        eind=when + dt.timedelta(minutes=20),
        plaats="Stadhuis",
        voorzitter="Kees Hoekstra (Zorg- en Veiligheidshuis)",
        genodigden=[Persoon("Fatima el Amrani (Gemeente Zuiderstad)")],
        afwezig_met_bericht=[],
        aanwezigheid_bijgehouden=False,
        punten=[punt],
        volgend_overleg=dt.datetime(2026, 12, 8, 14, 0),
        volledig=True,
        redact=redact,
    )


def test_the_compiled_redactor_hides_what_redact_hides():
    """The trie-compiled redactor of the minutes agrees with `redact` (the rule of the
    channel), for every way the tests type a resident."""
    from store.privacy import identifiers_of as known
    from store.privacy import redact
    from tests.test_overleg import RESIDENTS

    class Person:
        def __init__(self, naam: str, geboren: str) -> None:
            self.naam, self.geboortedatum = naam, dt.date.fromisoformat(geboren)
            self.adres, self.postcode = "Lindelaan 12", "1234 AB"

    people = [Person(naam, geboren) for naam, geboren, _ in RESIDENTS]
    identifiers = [i for p in people for i in known(p)]
    compiled = redactor(identifiers)
    samples = [f"Gesprek met {t} volgt" for _, _, typed in RESIDENTS for t in typed]
    samples += [f"{p.naam} ({p.geboortedatum:%d-%m-%Y}), Lindelaan 12, 1234 AB" for p in people]
    samples += ["Niets bijzonders", "Lindelaantje", "1234 ABC"]
    for sample in samples:
        assert compiled(sample) == redact(sample, identifiers), sample


# --- over HTTP -------------------------------------------------------------------------------


async def test_the_download_page_and_link_over_http(tmp_path, caplog):
    """The bot's own routes: GET shows a button and uses nothing up, POST downloads once;
    the access log never holds the token."""
    import logging

    import aiohttp
    from aiohttp import web

    from bot.app import DATABASE, PrivacyAccessLogger, create_app
    from bot.settings import Settings
    from store.demo import seed
    from tests.e2e import free_port

    caplog.set_level(logging.INFO)
    port = free_port()
    settings = Settings.from_env(
        {
            "LOCAL_MODE": "1",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'http.sqlite3'}",
            "PORT": str(port),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "OUTBOX_INTERVAL_SECONDS": "60",
        }
    )
    app = create_app(settings)
    runner = web.AppRunner(app, access_log_class=PrivacyAccessLogger)
    await runner.setup()  # migrations
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        db, config = app[DATABASE], settings.dialog_config()
        await seed(db)
        made = await closed_overleg(db, config)
        answer = await act(db, config, "a1", "verslag.volledig", {"overleg": made["oid"]})
        url = re.search(r'"url": "([^"]+)"', card_text(answer.card)).group(1)
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200 and 'method="post"' in await page.text()
                assert "Verslag downloaden (Word)" in await page.text()
            async with http.post(url) as response:
                assert response.status == 200
                assert "volledig-v1.docx" in response.headers["Content-Disposition"]
                assert NOEL[0] in word_text(await response.read())
            async with http.post(url) as again:
                assert again.status == 403 and "Verslag ophalen" in await again.text()
    finally:
        await runner.cleanup()
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert url.rsplit("/", 1)[1] not in logs and "/verslagen/…" in logs


async def test_the_plan_van_aanpak_plugs_in_with_one_function(demo_db, config):
    """#11 hands its actions and leefgebied scores to the minutes through one function."""
    from store.access import issue
    from store.verslag import PlanVanAanpak, verslagen

    made = await closed_overleg(demo_db, config)
    fatima = await professional_id(demo_db, "a1")

    async def plan(session, overleg_id, casus_ids):
        assert overleg_id == made["oid"] and list(casus_ids) == list(made["ids"])
        return {
            casus_ids[0]: PlanVanAanpak(
                acties=[
                    Actie(
                        made["codes"][0],
                        "Schuldhulp aanvragen",
                        "Sanne Bakker",
                        "GGZ",
                        dt.date(2027, 1, 15),
                        open=False,
                    )
                ],
                scores=[LeefgebiedScore("Financiën", 2, 1)],
            )
        }

    requester = issue(fatima, "00000000-0000-0000-0000-0000000000aa", "x", "t", "personal")
    async with demo_db.unit_of_work() as uow:
        model = await verslagen(uow).verslag(requester, made["oid"], plan=plan)
    text = word_text(renderer.render_geanonimiseerd(model).inhoud)
    assert "Financiën" in text and "Schuldhulp aanvragen" in text
    assert model.open_acties == []  # a done action is not in the closing list


async def test_the_minutes_show_the_plan_actions_and_scores_with_movement(demo_any_db, config):
    """The real plan van aanpak in the minutes: actions of the plan (owner, deadline, status)
    and leefgebied scores with their movement; the anonymised file names no resident."""
    from store.access import issue
    from store.models import Leefgebied, PlanScore
    from store.verslag import verslagen

    db = demo_any_db
    made = await closed_overleg(db, config)
    cid = made["ids"][0]
    ahmed = await professional_id(db, "a4")
    async with db.unit_of_work() as uow:
        huis = await uow.session.scalar(
            select(Leefgebied.id).where(Leefgebied.sleutel == "huisvesting")
        )
    score = {"casus": cid, "leefgebied": str(huis)}
    await act(db, config, "a3", "plan.leefgebied", {**score, "score": "2"})
    async with db.unit_of_work() as uow:  # the first score was given a month ago
        earlier = dt.date.today() - dt.timedelta(days=30)
        await uow.session.execute(
            update(PlanScore).values(datum=earlier, moment=f"datum:{earlier}")
        )
        await uow.commit()
    await act(db, config, "a3", "plan.leefgebied", {**score, "score": "4"})
    added = await act(
        db,
        config,
        "a3",
        "plan.actie",
        {
            "casus": cid,
            "beschrijving": "Huurschuld van Noël Çelik regelen",
            "eigenaar": f"p:{ahmed}",
            "deadline": future_date(9),
        },
    )
    assert "Actie toegevoegd" in card_text(added.card), card_text(added.card)
    fatima = await professional_id(db, "a1")
    requester = issue(fatima, "00000000-0000-0000-0000-0000000000aa", "x", "t", "personal")
    async with db.unit_of_work() as uow:
        model = await verslagen(uow).verslag(requester, made["oid"], volledig=True)
    (punt,) = [p for p in model.punten if p.code == made["codes"][0]]
    assert [(s.leefgebied, s.score, s.vorige) for s in punt.scores] == [("Huisvesting", 4, 2)]
    # The afspraak of the overleg became an action of the plan; the new one is there too.
    assert [(a.eigenaar, a.status) for a in punt.acties] == [
        ("Ahmed Yilmaz", "open"),  # due in 9 days
        ("Sanne Bakker", "open"),  # due in 14
    ]
    anonymised = word_text(renderer.render_geanonimiseerd(model).inhoud)
    assert "Huurschuld van [bewoner] regelen" in anonymised
    assert "Ahmed Yilmaz" in anonymised and "+2" in anonymised and "Huisvesting" in anonymised
    assert leaks(anonymised, NOEL, ANAIS) == []
    full = word_text(renderer.render_volledig(model).inhoud)
    assert "Huurschuld van Noël Çelik regelen" in full
