"""Afsluiting (issue #13): closing with the reason, the warme overdracht and the eindgesprek;
links end but the PGA-expert's, the linked hear it by code only, it is a besluit and audited;
reopening within the term; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select, update

from store.models import Afsluiting, Casus
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_NAME,
    act,
    card_text,
    professional_id,
    say,
)
from tests.inspect import active_links, besluit_rows, casus_row
from tests.test_koppelen import link, opgenomen
from tests.test_voortraject import pending_texts

TODAY = dt.date.today().isoformat()
CLOSE = {
    "reden": "afschalen",
    "toelichting": "Doelen grotendeels gehaald",
    "overdracht_aan": "Wijkteam Noord",
    "overdracht_wat": "Plan, contactpersonen en afspraken over schulden",
    "overdracht_op": TODAY,
    "eindgesprek": "ja",
    "eindgesprek_op": TODAY,
    "feedback_bewoner": "Ik voelde me eindelijk gehoord.",
    "goed_ging": "Korte lijnen",
    "beter_kan": "Sneller starten",
}


async def close(db, config, cid: int, who: str = "a1", **overrides: str):
    return await act(db, config, who, "afsluiten.opslaan", {"casus": cid, **CLOSE, **overrides})


async def test_closing_ends_links_tells_the_linked_and_records_the_handover(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    ahmed, sanne = await professional_id(db, "a4"), await professional_id(db, "a3")
    form = await say(db, config, "a1", f"afsluiten {code}")
    assert "Warme overdracht" in card_text(form.card)
    done = await close(db, config, cid)
    shown = card_text(done.card)
    assert "Casus afgesloten" in shown and "Wijkteam Noord" in shown
    assert "Ik voelde me eindelijk gehoord." in shown
    async with db.unit_of_work() as uow:
        casus = await casus_row(uow, cid)
        assert casus.status == "afgesloten" and casus.afgesloten_at is not None
        assert [b.rol for b in await active_links(uow, cid)] == ["pga_expert"]
        (row,) = (await uow.session.scalars(select(Afsluiting))).all()
        besluiten = [(b.soort, b.uitkomst) for b in await besluit_rows(uow, cid)]
        events = [(e.event, e.details or "") for e in await uow.audit.events(cid)]
    assert row.overdracht_aan == "Wijkteam Noord" and row.eindgesprek_op == dt.date.today()
    assert row.feedback_bewoner == "Ik voelde me eindelijk gehoord."
    assert ("afsluiting", "afschalen") in besluiten
    closing = [d for e, d in events if e == "casus.afsluiten"]
    assert closing and "reden=afschalen" in closing[0] and "gehoord" not in closing[0]
    for who in (ahmed, sanne):
        notices = [t for t in await pending_texts(db, who) if "is afgesloten" in t]
        assert len(notices) == 1 and code in notices[0]
        assert not any(i in notices[0] for i in IDENTIFIERS)
    # The links ended: the casus is closed to them, not to the PGA-expert.
    # (#26) They hear that it is closed, not to ask to be linked.
    former = await say(db, config, "a4", f"casus {code}")
    assert former.card is None and f"Casus {code} is afgesloten" in (former.text or "")
    assert "koppelen" not in (former.text or "")
    assert RESIDENT_NAME in card_text((await say(db, config, "a1", f"casus {code}")).card)


async def test_the_casus_card_offers_closing_to_the_pga_expert_only(demo_db, config):
    code, _ = await opgenomen(demo_db, config)
    expert = card_text((await say(demo_db, config, "a1", f"casus {code}")).card)
    regisseur = card_text((await say(demo_db, config, "a3", f"casus {code}")).card)
    assert "afsluiten.open" in expert and "inzage.open" in expert
    assert "afsluiten.open" not in regisseur and "inzage.open" not in regisseur


async def test_bad_closing_input_gets_a_dutch_message_and_changes_nothing(demo_any_db, config):
    db = demo_any_db
    _, cid = await opgenomen(db, config)
    async with db.unit_of_work() as uow:
        opened = (await casus_row(uow, cid)).created_at
    before_opening = (opened - dt.timedelta(days=3)).date().isoformat()
    cases = [
        ({"reden": ""}, "Kies waarom je de casus afsluit."),
        ({"reden": "gestopt", "toelichting": ""}, "Zeg waarom de aanpak stopt."),
        ({"overdracht_aan": ""}, "Aan wie is de casus overgedragen?"),
        ({"eindgesprek_op": before_opening}, "voor de start van de casus"),
        ({"eindgesprek": ""}, "Kies of het eindgesprek is gehouden."),
        ({"eindgesprek_op": "2026-13-40"}, "geen geldige datum"),
    ]
    for overrides, message in cases:
        outcome = await close(db, config, cid, **overrides)
        assert message in card_text(outcome.card), overrides
    refused = await close(db, config, cid, who="a3")
    assert "doet de PGA-expert" in (refused.text or "")
    outsider = await close(db, config, cid, who="a5")
    assert "geen toegang" in (outsider.text or "")
    async with db.unit_of_work() as uow:
        assert (await casus_row(uow, cid)).status == "opgenomen"
        assert (await uow.session.scalars(select(Afsluiting))).all() == []
        assert len(await active_links(uow, cid)) >= 2


async def test_a_closed_casus_is_not_closed_twice_and_a_referral_not_at_all(demo_db, config):
    _, cid = await opgenomen(demo_db, config)
    await close(demo_db, config, cid)
    again = await close(demo_db, config, cid)
    assert "al afgesloten" in (again.text or "")
    from tests.helpers import casus_id, submit_aanmelding

    open_code = await submit_aanmelding(demo_db, config, naam="Anna de Wit")
    early = await close(demo_db, config, await casus_id(demo_db, open_code))
    assert "Alleen een opgenomen casus" in (early.text or "")


async def test_reopening_within_the_term_is_a_besluit_and_after_it_is_refused(demo_any_db, config):
    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await close(db, config, cid)
    form = await act(db, config, "a1", "heropenen.open", {"casus": cid})
    assert "90 dagen" in card_text(form.card)
    empty = await act(db, config, "a1", "heropenen.opslaan", {"casus": cid, "reden": ""})
    assert "Geef de reden" in card_text(empty.card)
    done = await act(db, config, "a1", "heropenen.opslaan", {"casus": cid, "reden": "Terugval"})
    assert "Casus heropend" in card_text(done.card)
    async with db.unit_of_work() as uow:
        casus = await casus_row(uow, cid)
        assert casus.status == "opgenomen" and casus.afgesloten_at is None
        assert ("afsluiting", "heropend") in [
            (b.soort, b.uitkomst) for b in await besluit_rows(uow, cid)
        ]
    # Closed again, then past the term: a new aanmelding is needed.
    await close(db, config, cid)
    async with db.unit_of_work() as uow:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=config.reopen_days + 1)
        await uow.session.execute(
            update(Casus).where(Casus.id == cid).values(afgesloten_at=long_ago)
        )
        await uow.session.execute(
            update(Afsluiting)
            .where(Afsluiting.heropend_at.is_(None))
            .values(afgesloten_at=long_ago)
        )
        await uow.commit()
    late = await act(db, config, "a1", "heropenen.opslaan", {"casus": cid, "reden": "Terugval"})
    assert "meld de bewoner opnieuw aan" in (late.text or "")
    shorter = await act(
        db, replace(config, reopen_days=400), "a1", "heropenen.open", {"casus": cid}
    )
    assert "400 dagen" in card_text(shorter.card)  # the term is the configured one
    async with db.unit_of_work() as uow:
        assert (await casus_row(uow, cid)).status == "afgesloten"
    assert code


async def test_closing_lapses_open_actions_with_the_reason_and_stops_their_reminders(
    demo_any_db, config
):
    from store.models import Actie, PlanWijziging, Taak
    from store.plan import HERINNERING, Herinneringsregels, reminder_times
    from tests.helpers import future_date
    from tests.test_herinneringen import reminder_messages, run_at
    from tests.test_plan import add_actie, newest_actie

    db = demo_any_db
    code, cid = await opgenomen(db, config)
    await link(db, config, cid, "a4")
    await add_actie(db, config, cid, deadline=future_date(6))
    first = await newest_actie(db)
    await add_actie(db, config, cid, deadline=future_date(20), beschrijving="Huisbezoek")
    await add_actie(db, config, cid, deadline=future_date(30), beschrijving="Al gedaan")
    done = await newest_actie(db)
    await act(db, config, "a4", "actie.afgerond", {"actie": done.id})
    # The reminder 3 days before the first deadline is queued for Ahmed, not yet delivered.
    times = reminder_times(first.deadline, Herinneringsregels())
    await run_at(db, config, times["voor"])
    assert len(await reminder_messages(db, "a4")) == 1
    form = card_text((await say(db, config, "a1", f"afsluiten {code}")).card)
    assert "Er staan nog 2 acties open" in form
    # No reason for the open actions: a Dutch message, and nothing changes.
    refused = await close(db, config, cid, toelichting="")
    assert "nog open" in card_text(refused.card) and "toelichting" in card_text(refused.card)
    async with db.unit_of_work() as uow:
        assert (await casus_row(uow, cid)).status == "opgenomen"
        statuses = (await uow.session.scalars(select(Actie.status).order_by(Actie.id))).all()
    assert statuses == ["open", "open", "afgerond"]
    await close(db, config, cid)
    async with db.unit_of_work() as uow:
        acties = (await uow.session.scalars(select(Actie).order_by(Actie.id))).all()
        history = (
            await uow.session.execute(
                select(PlanWijziging.onderwerp_id, PlanWijziging.nieuw).where(
                    PlanWijziging.wat == "status"
                )
            )
        ).all()
        pending = (await uow.session.scalars(select(Taak).where(Taak.soort == HERINNERING))).all()
        details = [e.details or "" for e in await uow.audit.events(cid)]
    assert [a.status for a in acties] == ["vervallen", "vervallen", "afgerond"]
    reden = (
        "Casus afgesloten (afschalen naar wijkteam of reguliere zorg): Doelen grotendeels gehaald"
    )
    assert [a.reden for a in acties[:2]] == [reden, reden]
    assert {(acties[0].id, "vervallen"), (acties[1].id, "vervallen")} <= set(history)
    assert pending == []
    assert any("stappen=2" in d for d in details)
    # The reminder queued before closing is not delivered: Ahmed's link ended.
    async with db.unit_of_work() as uow:
        await uow.berichten.claim("sender", 100, dt.timedelta(minutes=2))
        await uow.commit()
    assert await reminder_messages(db, "a4") == []
    await run_at(db, config, times["escalatie"] + dt.timedelta(days=1))
    assert await reminder_messages(db, "a4") == [] and await reminder_messages(db, "a1") == []
