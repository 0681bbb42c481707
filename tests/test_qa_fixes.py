"""Regression tests for what the playground QA pass found (issue #9)."""

from __future__ import annotations

import datetime as dt

from dialogs import aanmelding
from tests.helpers import (
    RESIDENT_NAME,
    aanmelding_values,
    act,
    card_text,
    say,
)
from tests.test_koppelen import opgenomen
from tests.test_voortraject import pending_texts

HELD = {"uitkomst": "gehouden", "datum": dt.date.today().isoformat()}


async def test_no_new_letter_after_the_startgesprek_was_held(demo_db, config):
    _, cid = await opgenomen(demo_db, config)
    await act(demo_db, config, "a3", "startgesprek.vastleggen", {"casus": cid, **HELD})
    refused = await act(
        demo_db,
        config,
        "a1",
        "brief.maken",
        {
            "casus": cid,
            "adres": "Lindelaan 12",
            "postcode": "1234ab",
            "woonplaats": "Zuiderstad",
            "startgesprek_datum": (dt.date.today() + dt.timedelta(days=9)).isoformat(),
            "startgesprek_locatie": "Stadhuis",
        },
    )
    assert refused.card is None and "al gehouden" in (refused.text or "")


async def test_a_startgesprek_before_the_referral_is_refused(demo_db, config):
    _, cid = await opgenomen(demo_db, config)
    earlier = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    outcome = await act(
        demo_db, config, "a3", "startgesprek.vastleggen", {"casus": cid, **HELD, "datum": earlier}
    )
    assert "voor de aanmelding" in card_text(outcome.card)


async def test_the_startgesprek_form_waits_for_opnemen(demo_db, config):
    from tests.helpers import casus_id, submit_aanmelding

    code = await submit_aanmelding(demo_db, config)
    opened = await act(
        demo_db, config, "a1", "startgesprek.open", {"casus": await casus_id(demo_db, code)}
    )
    assert opened.card is None and "opgenomen" in (opened.text or "")


def test_postcodes_are_written_the_dutch_way() -> None:
    from dialogs.casus import _postcode

    assert _postcode("3072xk") == _postcode("3072 XK") == "3072 XK"


def test_a_birth_date_typed_the_dutch_way_is_read() -> None:
    values = aanmelding._dutch_dates({"geboortedatum": "17-04-2003"})
    assert values["geboortedatum"] == "2003-04-17"
    assert aanmelding._dutch_dates({"geboortedatum": "31-02-2003"})["geboortedatum"] == "31-02-2003"


async def test_a_second_press_shows_the_casus_the_first_made(demo_db, config, monkeypatch):
    """Two presses at once: the second finds the key used and shows the first one's casus."""
    values = {**await aanmelding_values(demo_db), "_form": "form-race", "toch_versturen": "true"}
    first = await act(demo_db, config, "a2", "aanmelding.indienen", values)
    code = card_text(first.card).split("**")[1]
    used = [False]

    async def not_yet(*_args):  # the second press checks before the first commits
        if not used[0]:
            used[0] = True
            return None
        return code

    monkeypatch.setattr("store.casus.CasusRepository.result_of", lambda self, key: not_yet())
    second = await act(demo_db, config, "a2", "aanmelding.indienen", values)
    assert "Aanmelding verstuurd" in card_text(second.card) and code in card_text(second.card)


async def test_unlinking_twice_says_it_is_done(demo_db, config):
    from tests.helpers import professional_id
    from tests.test_koppelen import link

    _, cid = await opgenomen(demo_db, config)
    ahmed = await professional_id(demo_db, "a4")
    await link(demo_db, config, cid, "a4")
    press = {"casus": cid, "koppeling": f"{ahmed}:betrokken", "reden": "Klaar"}
    await act(demo_db, config, "a1", "ontkoppelen.opslaan", press)
    again = await act(demo_db, config, "a1", "ontkoppelen.opslaan", press)
    assert again.card is None and "al beëindigd" in (again.text or "")


async def test_the_triage_notice_says_voor_advies(demo_db, config):
    from tests.helpers import professional_id, submit_aanmelding

    await submit_aanmelding(demo_db, config, crit_politie="false", voor_advies="true")
    notices = await pending_texts(demo_db, await professional_id(demo_db, "a1"))
    assert any("minder dan 2 criteria" in n for n in notices)


async def test_the_role_line_says_pga_expert_once(demo_db, config):
    code, _ = await opgenomen(demo_db, config)
    shown = card_text((await say(demo_db, config, "a1", f"casus {code}")).card)
    assert "PGA-expert van de gemeente" not in shown and RESIDENT_NAME in shown


async def test_someone_on_the_casus_hears_who_may_do_it(demo_db, config):
    """Linked, but not allowed: say who does it, not 'vraag om je te koppelen'. Someone
    without any role still learns nothing."""
    from tests.helpers import professional_id
    from tests.test_koppelen import link

    _, cid = await opgenomen(demo_db, config)
    await link(demo_db, config, cid, "a4")
    brief = await act(demo_db, config, "a4", "brief.open", {"casus": cid})
    assert "maakt de PGA-expert" in (brief.text or "")
    koppelen = await act(demo_db, config, "a3", "koppelen.open", {"casus": cid})
    assert "doet de PGA-expert" in (koppelen.text or "")
    outsider = await act(demo_db, config, "a5", "brief.open", {"casus": cid})
    assert "geen toegang" in (outsider.text or "") and "PGA-expert" in (outsider.text or "")
    assert await professional_id(demo_db, "a5")


def test_a_startgesprek_recorded_without_a_time_shows_its_date_only() -> None:
    from dialogs.casus import _moment_shown

    midnight_in_amsterdam = dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)
    assert _moment_shown(midnight_in_amsterdam) == "02-12-2026"
    assert _moment_shown(dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)) == "01-12-2026 10:30"
