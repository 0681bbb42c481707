"""A besluit is shown in words everywhere, never as its stored code (#20, "internal keys shown
as text"): the discussion card and the 1:1 casus card said "Plan: doel_vastgesteld"."""

from __future__ import annotations

import re

from cards.casus import STARTGESPREK_UITKOMSTEN
from dialogs.labels import BESLUIT_UITKOMSTEN, besluit_label
from store import reference as ref
from store.overleg import UITKOMSTEN
from tests.helpers import card_text, say
from tests.test_overleg import discussion_card, opgenomen, plain, started
from tests.test_overleg_plan import _goal

STORED_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_every_outcome_the_store_writes_has_words() -> None:
    written = {
        "triage": [key for key, _ in ref.TRIAGE_BESLUITEN],
        "startgesprek": [key for key, _ in STARTGESPREK_UITKOMSTEN],
        "overleg": [key for key, _ in UITKOMSTEN],
        "afsluiting": [*(key for key, _ in ref.AFSLUIT_REDEN_LABELS), "heropend"],
        "plan": ["doel_vastgesteld", "doel_gewijzigd"],
    }
    for soort, codes in written.items():
        for code in codes:
            assert code in BESLUIT_UITKOMSTEN[soort], (soort, code)
            assert not STORED_CODE.search(besluit_label(soort, code)), (soort, code)
    assert besluit_label("plan", "doel_vastgesteld") == "Plan van aanpak: Doel vastgesteld"
    assert besluit_label("overleg", "plan_vastgesteld") == "Overleg: Plan vastgesteld"
    assert besluit_label("plan", "iets_nieuws") == "Plan van aanpak: iets nieuws"


async def test_a_goal_shows_in_words_on_the_discussion_and_casus_card(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await _goal(db, config, cid, "Woning behouden")
    await started(db, config, (code, cid))
    shared = plain(await discussion_card(db, code))
    assert "Plan van aanpak: Doel vastgesteld" in shared
    assert "doel_vastgesteld" not in shared

    private = card_text((await say(db, config, "a1", f"casus {code}")).card)
    assert "Plan van aanpak: Doel vastgesteld" in private
    assert "doel_vastgesteld" not in private
