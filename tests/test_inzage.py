"""The resident's rights (issue #13): the inzage document (what is recorded, with purpose and
basis per partner, and who saw it when, NEN 7513's fields) as a personal single-use download;
corrections with a reason whose history only the linked see."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.shared import Mm
from sqlalchemy import select

from dialogs import casus as casus_dialog
from store.models import Correctie, Persoonsgegevens
from store.privacy import redact
from templates.brief import dutch_date as dutch
from tests.helpers import RESIDENT_NAME, act, card_text, say
from tests.test_koppelen import CHECKLIST, link, opgenomen

TODAY = dt.date.today()


def download_url(card: dict | None) -> str:
    assert card is not None, card
    return next(
        action["url"]
        for item in card["body"]
        if item.get("type") == "ActionSet"
        for action in item["actions"]
        if action["type"] == "Action.OpenUrl"
    )


async def inzage_token(db, config, cid: int, van: str, tot: str) -> str:
    outcome = await act(db, config, "a1", "inzage.maken", {"casus": cid, "van": van, "tot": tot})
    url = download_url(outcome.card)
    assert "/documenten/" in url
    return url.rsplit("/", 1)[1]


def document_text(content: bytes) -> tuple[str, object]:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts), document


async def test_inzage_lists_what_is_recorded_and_who_saw_it(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    await say(db, config, "a4", f"casus {code}")  # Ahmed views the resident
    form = await say(db, config, "a1", f"inzage {code}")
    assert "Inzage maken" in card_text(form.card)
    token = await inzage_token(db, config, cid, TODAY.isoformat(), TODAY.isoformat())
    download = await casus_dialog.download_brief(db, config, token)
    assert download is not None and download.filename.endswith(".docx")
    assert code not in download.filename  # the code would tie the document to channel posts
    text, document = document_text(download.content)
    section = document.sections[0]  # type: ignore[attr-defined]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert RESIDENT_NAME in text and "17 april 2003" in text  # identity, Dutch date
    assert "veroorzaakt al maanden overlast" in text  # the aanmelding
    assert f"{dutch(TODAY)} | Triage | Opnemen in de PGA" in text  # besluiten, in Dutch
    # Purpose and basis per partner, from the koppelen checklist.
    assert "Reclassering Nederland | Ahmed Yilmaz" in text
    assert CHECKLIST["doel"] in text and "6.1e: taak van algemeen belang" in text
    assert "Art. 10 AVG / UAVG" in text
    # Who saw it: professional, organisation, what, when.
    seen = [line for line in text.splitlines() if "Uw persoonsgegevens bekeken" in line]
    assert any("Ahmed Yilmaz | Reclassering Nederland" in line for line in seen)
    assert any(line.startswith(f"{TODAY:%d-%m-%Y}") for line in seen)
    async with db.unit_of_work() as uow:
        events = [(e.event, e.details or "") for e in await uow.audit.events()]
    made = [d for e, d in events if e == "casus.inzage"]
    assert len(made) == 1 and made[0].count("..") == 1 and RESIDENT_NAME not in made[0]
    assert any(e == "inzage.aanvragen" and code in d for e, d in events)
    assert not any(RESIDENT_NAME in d for _, d in events)
    # Single use.
    assert await casus_dialog.download_brief(db, config, token) is None


async def test_the_access_log_in_the_document_keeps_to_the_period(demo_db, config):
    code, cid = await opgenomen(demo_db, config)
    await say(demo_db, config, "a1", f"casus {code}")
    earlier = (TODAY - dt.timedelta(days=40)).isoformat()
    token = await inzage_token(
        demo_db, config, cid, earlier, (TODAY - dt.timedelta(days=10)).isoformat()
    )
    download = await casus_dialog.download_brief(demo_db, config, token)
    assert download is not None
    text, _ = document_text(download.content)
    assert RESIDENT_NAME in text  # what is recorded is always complete
    assert "Uw persoonsgegevens bekeken" not in text  # nobody saw it in that period


async def test_only_the_pga_expert_makes_an_inzage(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    regisseur = await say(db, config, "a3", f"inzage {code}")
    assert "maakt de PGA-expert" in (regisseur.text or "")
    outsider = await act(
        db, config, "a5", "inzage.maken", {"casus": cid, "van": "2026-01-01", "tot": "2026-01-02"}
    )
    assert "geen toegang" in (outsider.text or "")
    backwards = await act(
        db, config, "a1", "inzage.maken", {"casus": cid, "van": "2026-02-01", "tot": "2026-01-01"}
    )
    assert "voor de begindatum" in card_text(backwards.card)
    async with db.unit_of_work() as uow:
        assert not [e for e in await uow.audit.events() if e.event == "inzage.aanvragen"]
    in_channel = await say(db, config, "a1", f"inzage {code}", conversation_type="channel")
    assert RESIDENT_NAME not in (in_channel.text or "") and in_channel.card is None


async def test_a_correction_keeps_the_original_for_the_linked_only(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a6", rol="adviserend")
    form = await say(db, config, "a1", f"corrigeren {code}")
    assert "Gegevens verbeteren" in card_text(form.card)
    fixed = await act(
        db,
        config,
        "a1",
        "corrigeren.opslaan",
        {"casus": cid, "veld": "naam", "nieuw": "Kevin Oudemans", "reden": "Typfout"},
    )
    assert "is verbeterd" in card_text(fixed.card)
    async with db.unit_of_work() as uow:
        persoon = await uow.session.get(Persoonsgegevens, cid)
        (row,) = (await uow.session.scalars(select(Correctie))).all()
        identifiers = await uow.casussen.identifiers(cid)
        events = [(e.event, e.details or "") for e in await uow.audit.events(cid)]
    assert persoon is not None and persoon.naam == "Kevin Oudemans"
    assert (row.veld, row.oud, row.reden) == ("naam", RESIDENT_NAME, "Typfout")
    # The old name still identifies the resident: shared text is redacted for it too.
    assert RESIDENT_NAME in identifiers and "Kevin Oudemans" in identifiers
    assert ("casus.corrigeren", "veld=naam") in events
    linked = card_text((await say(db, config, "a3", f"casus {code}")).card)
    assert "Verbeteringen" in linked and f'was \\"{RESIDENT_NAME}\\"' in linked
    adviser = card_text((await say(db, config, "a6", f"casus {code}")).card)
    assert "Verbeteringen" not in adviser and RESIDENT_NAME not in adviser


async def test_bad_corrections_get_a_message_and_change_nothing(demo_db, config):
    code, cid = await opgenomen(demo_db, config)
    bad = [
        ({"veld": "naam", "nieuw": "X", "reden": ""}, "Geef de reden"),
        ({"veld": "geboortedatum", "nieuw": "17-04-2003", "reden": "r"}, "jjjj-mm-dd"),
        ({"veld": "geboortedatum", "nieuw": "2999-01-01", "reden": "r"}, "niet in de toekomst"),
        ({"veld": "bsn", "nieuw": "1", "reden": "r"}, "Kies wat je verbetert."),
        ({"veld": "woonplaats", "nieuw": "", "reden": "r"}, "Vul de juiste waarde in."),
    ]
    for values, message in bad:
        outcome = await act(demo_db, config, "a1", "corrigeren.opslaan", {"casus": cid, **values})
        assert message in card_text(outcome.card), values
    refused = await act(
        demo_db,
        config,
        "a3",
        "corrigeren.opslaan",
        {"casus": cid, "veld": "naam", "nieuw": "X", "reden": "r"},
    )
    assert "verbetert de PGA-expert" in (refused.text or "")
    async with demo_db.unit_of_work() as uow:
        assert (await uow.session.scalars(select(Correctie))).all() == []
        persoon = await uow.session.get(Persoonsgegevens, cid)
    assert persoon is not None and persoon.naam == RESIDENT_NAME
    assert code


async def test_inzage_includes_the_plan_van_aanpak(demo_any_db, config):
    """The plan is the resident's data too: leefgebieden with problem and scores, goals and
    every action (a lapsed one with its reason), as typed."""
    from store.models import Leefgebied
    from tests.helpers import future_date
    from tests.test_plan import add_actie

    db = demo_any_db
    _, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    async with db.unit_of_work() as uow:
        huis = await uow.session.scalar(
            select(Leefgebied.id).where(Leefgebied.sleutel == "huisvesting")
        )
    leefgebied = {"casus": cid, "leefgebied": str(huis)}
    await act(db, config, "a3", "plan.leefgebied", {**leefgebied, "probleem": "Huurschuld"})
    await act(db, config, "a3", "plan.leefgebied", {**leefgebied, "score": "2"})
    goal = {
        "casus": cid,
        "doel_leefgebied": str(huis),
        "omschrijving": "Woning behouden",
        "goed_genoeg_als": "drie maanden geen achterstand",
    }
    await act(db, config, "a1", "plan.doel", goal)
    await add_actie(db, config, cid, beschrijving="Schuldhulp aanvragen")
    await add_actie(
        db,
        config,
        cid,
        beschrijving="Zelf de huur betalen",
        eigenaar="bewoner",
        deadline=future_date(20),
    )
    token = await inzage_token(db, config, cid, TODAY.isoformat(), TODAY.isoformat())
    download = await casus_dialog.download_brief(db, config, token)
    assert download is not None
    text, _ = document_text(download.content)
    assert "Plan van aanpak" in text
    assert "Huisvesting | Huurschuld | 2 | 2" in text
    assert "Huisvesting | Woning behouden | drie maanden geen achterstand | Open" in text
    assert f"Schuldhulp aanvragen | Ahmed Yilmaz | {dutch(TODAY + dt.timedelta(days=10))}" in text
    assert "Zelf de huur betalen | U zelf" in text
    # After closing, the lapsed actions show why.
    from tests.test_afsluiting import close

    await close(db, config, cid)
    token = await inzage_token(db, config, cid, TODAY.isoformat(), TODAY.isoformat())
    download = await casus_dialog.download_brief(db, config, token)
    assert download is not None
    text, _ = document_text(download.content)
    assert "Vervallen | Casus afgesloten (afschalen" in text


async def test_inzage_shows_plan_events_in_words_and_criteria_whole(demo_any_db, config):
    """QA: the plan's besluit showed as "plan | doel_vastgesteld", the access log as
    "plan.escalatie", and each criterion was cut at 60 characters, mid-word."""
    from store import reference as ref
    from store.models import Leefgebied

    db = demo_any_db
    _, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    async with db.unit_of_work() as uow:
        huis = await uow.session.scalar(
            select(Leefgebied.id).where(Leefgebied.sleutel == "huisvesting")
        )
    goal = {
        "casus": cid,
        "doel_leefgebied": str(huis),
        "omschrijving": "Woning behouden",
        "goed_genoeg_als": "drie maanden geen achterstand",
    }
    await act(db, config, "a1", "plan.doel", goal)
    await act(db, config, "a3", "plan.escaleren", {"casus": cid})
    token = await inzage_token(db, config, cid, TODAY.isoformat(), TODAY.isoformat())
    download = await casus_dialog.download_brief(db, config, token)
    assert download is not None
    text, _ = document_text(download.content)
    assert "Plan van aanpak | Doel vastgesteld" in text
    assert "De procesregisseur ingeschakeld" in text
    for code in ("doel_vastgesteld", "plan.escalatie", "plan.doel", "plan | "):
        assert code not in text
    overlast = dict(ref.CRITERIA)["overlast"]
    assert len(overlast) > 60 and overlast in text


async def test_every_corrected_name_and_birth_date_stays_an_identifier(demo_any_db, config):
    """After two corrections the old name and the old birth date are still redacted from
    shared text; the current ones too."""
    db = demo_any_db
    _code, cid = await opgenomen(db, config)
    async with db.unit_of_work() as uow:
        persoon = await uow.session.get(Persoonsgegevens, cid)
        assert persoon is not None
        born = persoon.geboortedatum
    later = born + dt.timedelta(days=1)
    for veld, nieuw in (("naam", "Kevin Oudemans"), ("geboortedatum", later.isoformat())):
        fixed = await act(
            db,
            config,
            "a1",
            "corrigeren.opslaan",
            {"casus": cid, "veld": veld, "nieuw": nieuw, "reden": "Typfout"},
        )
        assert "is verbeterd" in card_text(fixed.card)
    async with db.unit_of_work() as uow:
        identifiers = set(await uow.casussen.identifiers(cid))
    assert {RESIDENT_NAME, "Kevin Oudemans"} <= identifiers
    # The birth dates are kept once each (ISO, #20); every notation of them is redacted.
    for day in (born, later):
        assert redact(f"geboren {day:%d-%m-%Y}", identifiers) == "geboren [bewoner]"
    # The old birth date goes with the name it was recorded with, not with the new one.
    assert born.isoformat() in identifiers and later.isoformat() in identifiers
