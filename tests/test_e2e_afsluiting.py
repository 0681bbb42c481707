"""Afsluiting, inzage and the monitor through the real HTTP stack with authentication on
(#13): the inzage and the monitor are personal single-use downloads at /documenten/, whose
tokens stay out of the access log."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.e2e import Bot, running_bot
from tests.helpers import IDENTIFIERS, RESIDENT_NAME, aanmelding_values, professional_id
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.test_e2e_voortraject import card_of

pytestmark = pytest.mark.e2e
URL = re.compile(r'"url": "([^"]+/documenten/[^"]+)"')


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


async def download(bot: Bot, url: str) -> tuple[bytes, str]:
    async with bot.http.get(url) as page:  # what a link preview would fetch: no download
        assert page.status == 200 and 'method="post"' in await page.text()
    async with bot.http.post(url) as response:
        assert response.status == 200
        content = await response.read()
        kind = response.headers["Content-Type"]
    async with bot.http.post(url) as again:
        assert again.status == 403  # once
    return content, kind


async def test_close_make_an_inzage_and_see_the_monitor(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await bot.post(bot.activity("a3", text="help")))[0] == 200  # Sanne's 1:1 chat
    confirmed = await card_of(bot, "a2", "aanmelding.indienen", await aanmelding_values(bot.db))
    code = re.search(r"PGA-\d{4}-\d{3}", confirmed).group(0)  # type: ignore[union-attr]
    opened = await card_of(bot, "a1", "casus.open", {"casus": 1})
    assert code in opened
    sanne = await professional_id(bot.db, "a3", bot.standin.tenant_id)
    await card_of(
        bot,
        "a1",
        "triage.besluit",
        {"casus": 1, "besluit": "opnemen", "eigen_grondslag": "art6_1e",
         "casusregisseur": str(sanne)},
    )  # fmt: skip
    today = dt.date.today().isoformat()
    closed = await card_of(
        bot,
        "a1",
        "afsluiten.opslaan",
        {"casus": 1, "reden": "doelen_behaald", "eindgesprek": "ja", "eindgesprek_op": today,
         "feedback_bewoner": "Fijn dat er naar me geluisterd werd."},
    )  # fmt: skip
    assert "Casus afgesloten" in closed
    await bot.sent(f"Casus {code} is afgesloten", conversation="a:personal-a3")

    inzage = await card_of(bot, "a1", "inzage.maken", {"casus": 1, "van": today, "tot": today})
    content, kind = await download(bot, URL.search(inzage).group(1))  # type: ignore[union-attr]
    assert kind.startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert RESIDENT_NAME in cells and "Fijn dat er naar me geluisterd werd." in cells

    monitor = await card_of(bot, "a1", "monitor.excel", {"van": today, "tot": today})
    content, kind = await download(bot, URL.search(monitor).group(1))  # type: ignore[union-attr]
    assert kind.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(content))["Casussen"].iter_rows(values_only=True))
    assert rows[1][0] == code and rows[1][9] == "Doelen behaald"

    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "/documenten/…" in logs and not URL.search(json.dumps(logs))
    for identifier in IDENTIFIERS:
        assert identifier not in logs, identifier
