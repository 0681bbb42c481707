"""The PGA-monitor (issue #13): caseload, lead times and outcomes per period, codes only, as a
card and as an Excel file through a personal download; for PGA-experts and beheerders."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from dialogs import casus as casus_dialog
from tests.helpers import IDENTIFIERS, act, card_text, casus_id, decide, say, submit_aanmelding
from tests.test_afsluiting import close
from tests.test_inzage import download_url
from tests.test_koppelen import opgenomen

TODAY = dt.date.today()


async def seed(db, config) -> tuple[str, str, str]:
    """One casus closed (afschalen, eindgesprek held), one rejected, one waiting."""
    closed, cid = await opgenomen(db, config)
    await close(db, config, cid)
    rejected = await submit_aanmelding(db, config, naam="Anna de Wit")
    await decide(db, config, await casus_id(db, rejected), besluit="afwijzen", toelichting="Nee")
    waiting = await submit_aanmelding(db, config, naam="Bram Smit")
    return closed, rejected, waiting


async def test_the_monitor_counts_by_code_for_the_period(demo_any_db, config):
    db = demo_any_db
    closed, rejected, waiting = await seed(db, config)
    shown = await say(db, config, "a1", "monitor")
    text = card_text(shown.card)
    for label, count in (
        ("Aanmeldingen", 3),
        ("Opgenomen", 1),
        ("Afgewezen", 1),
        ("Afgesloten", 1),
        ("Lopend aan het eind van de periode", 0),
        ("Afschalen naar wijkteam of reguliere zorg", 1),
    ):
        assert f'"title": "{label}", "value": "{count}"' in text, label
    assert '"title": "Aanmelding → triage", "value": "0"' in text
    assert '"title": "Aanmelding → plan van aanpak", "value": "nog geen gegevens"' in text
    assert '"value": "1 van 1"' in text  # eindgesprek held
    assert closed in text and rejected in text and waiting in text
    assert not any(i.lower() in text.lower() for i in (*IDENTIFIERS, "Anna", "Bram"))
    # A period before any of it: nothing counted.
    last_year = {"van": f"{TODAY.year - 1}-01-01", "tot": f"{TODAY.year - 1}-12-31"}
    empty = card_text((await act(db, config, "a1", "monitor.tonen", last_year)).card)
    assert '"title": "Aanmeldingen", "value": "0"' in empty and closed not in empty
    async with db.unit_of_work() as uow:
        events = [e.event for e in await uow.audit.events()]
    assert events.count("monitor.bekijken") == 2


async def test_the_monitor_as_excel_is_a_personal_download(demo_any_db, config):
    db = demo_any_db
    closed, rejected, _ = await seed(db, config)
    period = {"van": f"{TODAY.year}-01-01", "tot": TODAY.isoformat()}
    ready = await act(db, config, "a1", "monitor.excel", period)
    token = download_url(ready.card).rsplit("/", 1)[1]
    download = await casus_dialog.download_brief(db, config, token)
    assert download is not None and download.filename.endswith(".xlsx")
    assert download.content_type.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(download.content))
    figures = {row[0]: row[1] for row in workbook["Cijfers"].iter_rows(values_only=True)}
    assert figures["Aanmeldingen"] == 3 and figures["Afgesloten"] == 1
    rows = list(workbook["Casussen"].iter_rows(values_only=True))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[closed][3] == "Afgesloten" and by_code[closed][8] == 0
    assert by_code[closed][9] == "Afschalen naar wijkteam of reguliere zorg"
    assert by_code[rejected][4] == "Afwijzen"
    dump = " ".join(str(cell) for row in rows for cell in row)
    assert not any(i.lower() in dump.lower() for i in IDENTIFIERS)
    assert await casus_dialog.download_brief(db, config, token) is None  # once
    # QA: the form's hint "Gestopt (zeg waarom)" is no label for a report.
    assert figures["Gestopt"] == 0 and "Gestopt (zeg waarom)" not in figures
    card = card_text((await say(db, config, "a1", "monitor")).card)
    assert '"title": "Gestopt", "value": "0"' in card and "zeg waarom" not in card


async def test_the_monitor_is_for_pga_experts_and_beheerders_only(demo_any_db, config):
    db = demo_any_db
    await seed(db, config)
    for who in ("a3", "a5"):
        refused = await say(db, config, who, "monitor")
        assert refused.card is None and "PGA-expert en de beheerder" in (refused.text or "")
        excel = await act(db, config, who, "monitor.excel", {"van": "2026-01-01"})
        assert excel.card is None, who
    bad = await act(db, config, "a1", "monitor.tonen", {"van": "2026-05-01", "tot": "2026-01-01"})
    assert "voor de begindatum" in card_text(bad.card)


async def test_plan_lead_time_actions_on_time_and_score_movement(demo_any_db, config):
    """The plan van aanpak (#11) in the monitor: days to the first goal, actions done by
    their deadline, and the leefgebied scores from the start to the closing."""
    from sqlalchemy import select, update

    from store.models import Actie, Leefgebied, PlanScore
    from tests.helpers import future_date
    from tests.test_koppelen import link
    from tests.test_plan import add_actie, newest_actie

    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    async with db.unit_of_work() as uow:
        huis = await uow.session.scalar(
            select(Leefgebied.id).where(Leefgebied.sleutel == "huisvesting")
        )
    score = {"casus": cid, "leefgebied": str(huis)}
    await act(db, config, "a3", "plan.leefgebied", {**score, "score": "2"})
    async with db.unit_of_work() as uow:  # the first score was given a week ago
        earlier = TODAY - dt.timedelta(days=7)
        await uow.session.execute(
            update(PlanScore).values(datum=earlier, moment=f"datum:{earlier}")
        )
        await uow.commit()
    await act(db, config, "a3", "plan.leefgebied", {**score, "score": "4"})
    goal = {"casus": cid, "omschrijving": "Woning houden", "goed_genoeg_als": "geen schuld"}
    await act(db, config, "a1", "plan.doel", goal)
    await add_actie(db, config, cid, deadline=future_date(3))
    await act(db, config, "a4", "actie.afgerond", {"actie": (await newest_actie(db)).id})
    await add_actie(db, config, cid, deadline=future_date(4))
    async with db.unit_of_work() as uow:  # its deadline passed yesterday, still open
        late = await newest_actie(db)
        yesterday = TODAY - dt.timedelta(days=1)
        await uow.session.execute(
            update(Actie).where(Actie.id == late.id).values(deadline=yesterday)
        )
        await uow.commit()
    period = {"van": f"{TODAY.year}-01-01", "tot": (TODAY + dt.timedelta(days=10)).isoformat()}
    text = card_text((await act(db, config, "a1", "monitor.tonen", period)).card)
    assert '"title": "Aanmelding → plan van aanpak", "value": "0"' in text
    assert '"title": "Acties op tijd afgerond", "value": "1 van 2"' in text
    await close(db, config, cid)
    text = card_text((await act(db, config, "a1", "monitor.tonen", period)).card)
    assert '"title": "Huisvesting", "value": "2 → 4 (1 casus)"' in text
    assert not any(i.lower() in text.lower() for i in IDENTIFIERS)
    ready = await act(db, config, "a1", "monitor.excel", period)
    token = download_url(ready.card).rsplit("/", 1)[1]
    download = await casus_dialog.download_brief(db, config, token)
    assert download is not None
    workbook = load_workbook(io.BytesIO(download.content))
    figures = {row[0]: row[1:] for row in workbook["Cijfers"].iter_rows(values_only=True)}
    assert figures["Acties op tijd afgerond"][0] == 1  # the late one lapsed at closing
    assert figures["Huisvesting"][:3] == (2, 4, 1)
    (row,) = [r for r in workbook["Casussen"].iter_rows(values_only=True) if r[0] == code]
    assert row[7] == 0 and row[11:13] == (1, 1)
