"""No access after the end (#26.1, .5, .6): an old Koppelen card, the typed `koppelen CODE`
and an unused letter link after the casus was closed, rejected by triage or anonymised at
retention: nothing linked, nobody notified, a Dutch message and no form. And whoever's link
ended with the casus hears that it is closed, not to ask to be linked. On SQLite and
PostgreSQL, through the router as Teams reaches it."""

from __future__ import annotations

import datetime as dt

from dialogs import casus as casus_dialog
from dialogs.retention import apply_retention
from dialogs.router import NO_ACCESS
from store.access import Need
from tests.helpers import (
    RESIDENT_NAME,
    act,
    card_text,
    casus_id,
    decide,
    professional_id,
    say,
    submit_aanmelding,
)
from tests.inspect import active_links
from tests.test_afsluiting import close
from tests.test_koppelen import CHECKLIST, link, opgenomen
from tests.test_privacy import letter_token
from tests.test_voortraject import pending_texts


async def rejected(db, config) -> tuple[str, int]:
    code = await submit_aanmelding(db, config)
    cid = await casus_id(db, code)
    done = await decide(db, config, cid, besluit="afwijzen", toelichting="Past niet bij de PGA")
    assert "Afwijzen" in card_text(done.card) or "afgewezen" in card_text(done.card).lower()
    return code, cid


async def linked_ids(db, cid: int) -> set[int]:
    async with db.unit_of_work() as uow:
        return {b.professional_id for b in await active_links(uow, cid)}


async def press_old_card(db, config, cid: int, who: str):
    """The PGA-expert's Koppelen card, as it was sent while the casus ran."""
    values = {**CHECKLIST, "professional": str(await professional_id(db, who))}
    return await act(db, config, "a1", "koppelen.opslaan", {"casus": cid, **values})


def assert_refused_in_dutch(outcome, code: str, *words: str) -> None:
    assert outcome.card is None and not outcome.messages
    text = outcome.text or ""
    assert code in text and "Er is niets veranderd." in text, text
    for word in words:
        assert word in text, text
    assert RESIDENT_NAME not in text


async def test_the_old_koppelen_card_after_closing_links_nobody(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    await close(db, config, cid)
    ahmed = await professional_id(db, "a4")
    before = await pending_texts(db, ahmed)
    for pressed in (
        await press_old_card(db, config, cid, "a4"),
        await act(
            db,
            config,
            "a1",
            "koppelen.opnieuw",
            {"casus": cid, "professional": ahmed, "rol": "betrokken"},
        ),
    ):
        assert_refused_in_dutch(pressed, code, "is afgesloten", "heropenen")
    assert ahmed not in await linked_ids(db, cid)
    assert await pending_texts(db, ahmed) == before  # nobody notified
    seen = await say(db, config, "a4", f"casus {code}")
    assert seen.card is None and RESIDENT_NAME not in (seen.text or "")


async def test_typed_koppelen_on_a_closed_casus_shows_no_form(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await close(db, config, cid)
    typed = await say(db, config, "a1", f"koppelen {code}")
    assert_refused_in_dutch(typed, code, "is afgesloten")
    button = await act(db, config, "a1", "koppelen.open", {"casus": cid})
    assert_refused_in_dutch(button, code, "is afgesloten")
    # The casus card offers no Koppelen button either.
    overview = await say(db, config, "a1", f"casus {code}")
    assert "koppelen.open" not in card_text(overview.card)


async def test_a_rejected_referral_takes_no_link(demo_any_db, config):
    db = demo_any_db
    code, cid = await rejected(db, config)
    ahmed = await professional_id(db, "a4")
    pressed = await press_old_card(db, config, cid, "a4")
    assert_refused_in_dutch(pressed, code, "niet opgenomen")
    typed = await say(db, config, "a1", f"koppelen {code}")
    assert_refused_in_dutch(typed, code, "niet opgenomen")
    assert ahmed not in await linked_ids(db, cid)
    assert not [t for t in await pending_texts(db, ahmed) if code in t]
    seen = await say(db, config, "a4", f"casus {code}")
    assert seen.text == NO_ACCESS and seen.card is None


async def test_a_rejected_referral_can_still_end_a_link(demo_any_db, config):
    """Ending a link adds no access: the aanmelder's link on a rejected referral can end."""
    db = demo_any_db
    _, cid = await rejected(db, config)
    kees = await professional_id(db, "a2")
    assert kees in await linked_ids(db, cid)
    ended = await act(
        db,
        config,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": cid, "koppeling": f"{kees}:betrokken", "reden": "Niet opgenomen"},
    )
    assert ended.card is None and "is ontkoppeld" in (ended.text or "")
    assert kees not in await linked_ids(db, cid)


async def test_after_retention_no_live_link_is_added(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await close(db, config, cid)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=config.retention_days + 1)
    assert await apply_retention(db, config.retention_days, now=later) == 1
    ahmed = await professional_id(db, "a4")
    pressed = await press_old_card(db, config, cid, "a4")
    assert_refused_in_dutch(pressed, code, "bewaartermijn")
    typed = await say(db, config, "a1", f"koppelen {code}")
    assert_refused_in_dutch(typed, code, "bewaartermijn")
    assert ahmed not in await linked_ids(db, cid)
    assert not [t for t in await pending_texts(db, ahmed) if code in t]
    # The PGA-expert's casus card says the data are gone (not that she is an adviser).
    overview = await say(db, config, "a1", f"casus {code}")
    assert "bewaartermijn" in card_text(overview.card)
    assert "adviseert" not in card_text(overview.card)


async def test_an_unused_letter_link_gives_no_letter_after_closing(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    token = await letter_token(db, config, cid)
    assert await casus_dialog.link_usable(db, config, token)
    await close(db, config, cid)
    assert await casus_dialog.download_brief(db, config, token, "ip=127.0.0.1") is None
    async with db.unit_of_work() as uow:
        refused = [
            e.details
            for e in await uow.audit.events(cid)
            if e.event == str(Need.BRIEF) and e.outcome == "denied"
        ]
    assert refused == ["toestand: casus afgesloten"]
    # Typed again after closing: no letter form either.
    again = await act(db, config, "a1", "brief.open", {"casus": cid})
    assert_refused_in_dutch(again, code, "is afgesloten")


async def test_whose_link_ended_at_closing_hears_it_is_closed(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")  # Ahmed: linked until the casus closes
    await link(db, config, cid, "a5", rol="adviserend")
    linda = await professional_id(db, "a5")
    await act(
        db,
        config,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": cid, "koppeling": f"{linda}:adviserend", "reden": "Niet meer nodig"},
    )  # Linda: her link ended before the casus closed
    await close(db, config, cid)
    for typed in (f"casus {code}", f"plan {code}", f"tijdlijn {code}"):
        ahmed = await say(db, config, "a4", typed)
        assert ahmed.card is None, typed
        text = ahmed.text or ""
        assert f"Casus {code} is afgesloten" in text and "koppeling is toen gestopt" in text
        assert "Vraag de PGA-expert om je te koppelen" not in text
    # Who left before the end learns nothing about what happened since.
    assert (await say(db, config, "a5", f"casus {code}")).text == NO_ACCESS
