"""Reminders, escalation and the weekly digest of the plan van aanpak (#11): scheduling rules
with an injected clock (also across the changes to and from summer time), who gets what,
codes only, and completion or ontkoppelen stopping them."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from dialogs import jobs
from dialogs.core import Config
from dialogs.herinneringen import next_digest
from store.models import Actie, Bericht, Professional, Taak
from store.plan import HERINNERING, Herinneringsregels, reminder_times
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_NAME,
    act,
    card_text,
    future_date,
    professional_id,
    say,
)
from tests.test_koppelen import CHECKLIST
from tests.test_overleg import plain
from tests.test_plan import add_actie, newest_actie, with_plan

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC


def at(day: str, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock moment in Amsterdam, as UTC."""
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=AMS
    ).astimezone(UTC)


def test_reminders_keep_09_00_across_the_start_of_summer_time() -> None:
    # Summer time starts on 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
    times = reminder_times(dt.date(2026, 3, 30), Herinneringsregels())
    assert times == {
        "voor": dt.datetime(2026, 3, 27, 8, 0, tzinfo=UTC),
        "dag": dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        "te_laat": dt.datetime(2026, 3, 31, 7, 0, tzinfo=UTC),
        "escalatie": dt.datetime(2026, 4, 7, 7, 0, tzinfo=UTC),
    }


def test_reminders_keep_their_time_across_the_end_of_summer_time() -> None:
    # Summer time ends on 25 October 2026.
    regels = Herinneringsregels(dagen_voor=2, escalatie_na=3, tijd=dt.time(8, 30))
    times = reminder_times(dt.date(2026, 10, 26), regels)
    assert times["voor"] == dt.datetime(2026, 10, 24, 6, 30, tzinfo=UTC)  # CEST
    assert times["dag"] == dt.datetime(2026, 10, 26, 7, 30, tzinfo=UTC)  # CET
    assert times["escalatie"] == dt.datetime(2026, 10, 30, 7, 30, tzinfo=UTC)
    assert all(t.astimezone(AMS).time() == dt.time(8, 30) for t in times.values())


def test_the_weekly_digest_falls_on_the_configured_weekday_and_time() -> None:
    config = Config(digest_weekday=0, digest_time="08:00")  # Monday
    # Saturday 28 March 2026 → Monday 30 March, after the change to summer time.
    assert next_digest(at("2026-03-28", 12), config) == dt.datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    # On Monday at 08:00 exactly: the next one is a week later.
    assert next_digest(at("2026-03-30", 8), config) == at("2026-04-06", 8)
    friday = Config(digest_weekday=4, digest_time="16:30")
    assert next_digest(at("2026-10-21", 9), friday) == at("2026-10-23", 16, 30)


async def messages(db, who: str) -> list[str]:
    pid = await professional_id(db, who)
    async with db.unit_of_work() as uow:
        return [plain(b.kaart) + (b.tekst or "") for b in await uow.berichten.pending(pid)]


async def reminder_messages(db, who: str) -> list[str]:
    return [m for m in await messages(db, who) if "actie voor" in m or "Escalatie" in m]


async def run_at(db, config, moment: dt.datetime, worker: str = "w1") -> list[str]:
    return await jobs.run_due(db, config, worker, now=moment)


async def test_owner_reminded_before_and_on_the_day_then_regie_then_expert(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)
    await add_actie(
        db, config, cid, beschrijving=f"{RESIDENT_NAME} bellen", deadline=future_date(10)
    )
    actie = await newest_actie(db)
    times = reminder_times(actie.deadline, Herinneringsregels())
    # A minute early: nothing yet.
    assert HERINNERING not in await run_at(db, config, times["voor"] - dt.timedelta(minutes=1))
    await run_at(db, config, times["voor"])
    ahmed = await reminder_messages(db, "a4")
    assert len(ahmed) == 1 and "uiterlijk" in ahmed[0] and code in ahmed[0]
    await run_at(db, config, times["dag"])
    assert len(await reminder_messages(db, "a4")) == 2
    assert await reminder_messages(db, "a3") == []  # the casusregisseur: only once overdue
    await run_at(db, config, times["te_laat"])
    assert any("te laat" in m for m in await reminder_messages(db, "a3"))
    assert len(await reminder_messages(db, "a4")) == 3
    assert await reminder_messages(db, "a1") == []
    await run_at(db, config, times["escalatie"])
    fatima = await reminder_messages(db, "a1")
    assert len(fatima) == 1 and "Escalatie" in fatima[0] and code in fatima[0]
    # Codes only: no name, no typed description, in any of them.
    async with db.unit_of_work() as uow:
        sent = [card_text(b.kaart) + (b.tekst or "") for b in await uow.berichten.pending()]
    reminders = [t for t in sent if "actie voor" in t or "Escalatie" in t]
    assert len(reminders) == 5
    for text in reminders:
        assert "bellen" not in text
        assert not [i for i in IDENTIFIERS if i.lower() in text.lower()]
    # Running again changes nothing: each reminder once.
    await run_at(db, config, times["escalatie"] + dt.timedelta(days=30))
    assert len(await reminder_messages(db, "a4")) == 3


async def test_the_injected_clock_drives_the_dates_people_type(demo_db, config, monkeypatch):
    """`today` comes from dialogs/clock: a deadline 'in the past' is judged by that clock."""
    _, cid = await with_plan(demo_db, config)
    monkeypatch.setattr("dialogs.plan.today", lambda: dt.date.today() + dt.timedelta(days=20))
    refused = await add_actie(demo_db, config, cid, deadline=future_date(10))
    assert "al voorbij" in card_text(refused.card)


async def test_done_from_the_reminder_card_stops_the_rest(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_plan(db, config)
    await add_actie(db, config, cid, deadline=future_date(5))
    actie = await newest_actie(db)
    times = reminder_times(actie.deadline, Herinneringsregels())
    await run_at(db, config, times["voor"])
    (reminder,) = await _reminder_cards(db, "a4")
    afgerond = next(a for a in reminder["actions"] if a["verb"] == "actie.afgerond")
    done = await act(db, config, "a4", "actie.afgerond", afgerond["data"])
    assert "afgerond" in plain(done.card) and "De herinneringen stoppen" in plain(done.card)
    assert all(a["verb"] != "actie.afgerond" for a in done.card["actions"])  # answered in place
    async with db.unit_of_work() as uow:
        left = (await uow.session.scalars(select(Taak).where(Taak.soort == HERINNERING))).all()
    assert left == []
    await run_at(db, config, times["escalatie"])
    # The reminder still queued is withdrawn too (QA #13); nothing follows.
    assert await reminder_messages(db, "a4") == [] and await reminder_messages(db, "a1") == []


async def _reminder_cards(db, who: str) -> list[dict]:
    pid = await professional_id(db, who)
    async with db.unit_of_work() as uow:
        return [
            b.kaart
            for b in await uow.berichten.pending(pid)
            if b.kaart and "Herinnering actie" in card_text(b.kaart)
        ]


async def test_organisation_reminds_its_linked_and_the_resident_the_regie(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_plan(db, config)
    async with db.unit_of_work() as uow:
        ahmed = await uow.session.get(Professional, await professional_id(db, "a4"))
        assert ahmed is not None and ahmed.organisatie_id
        organisatie = ahmed.organisatie_id
    await add_actie(db, config, cid, eigenaar=f"o:{organisatie}", deadline=future_date(6))
    await add_actie(db, config, cid, eigenaar="bewoner", deadline=future_date(6))
    moment = reminder_times(dt.date.fromisoformat(future_date(6)), Herinneringsregels())["voor"]
    await run_at(db, config, moment)
    assert len(await reminder_messages(db, "a4")) == 1  # the organisation's linked professional
    assert len(await reminder_messages(db, "a3")) == 1  # the resident's: the casusregisseur
    assert await reminder_messages(db, "a2") == []  # Jeroen (police) is not of either


async def test_ontkoppeld_or_switched_off_get_nothing(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_plan(db, config)
    await add_actie(db, config, cid, deadline=future_date(6))
    times = reminder_times(dt.date.fromisoformat(future_date(6)), Herinneringsregels())
    await run_at(db, config, times["voor"])
    assert len(await reminder_messages(db, "a4")) == 1  # queued, not yet delivered
    ahmed = await professional_id(db, "a4")
    unlinked = await act(
        db,
        config,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": cid, "koppeling": f"{ahmed}:betrokken", "reden": "Toezicht beëindigd"},
    )
    assert "ontkoppeld" in card_text(unlinked.card), card_text(unlinked.card)
    await run_at(db, config, times["dag"])
    async with db.unit_of_work() as uow:
        await uow.berichten.claim("sender", 100, dt.timedelta(minutes=2))  # drops the unauthorised
        await uow.commit()
    assert await reminder_messages(db, "a4") == []
    # Switched off: Sanne (casusregisseur) gets no overdue notice either.
    await act(
        db,
        config,
        "a1",
        "koppelen.opslaan",
        {"casus": cid, **CHECKLIST, "professional": str(ahmed)},
    )
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Professional)
            .where(Professional.id == await professional_id(db, "a3"))
            .values(actief=False)
        )
        await uow.commit()
    await run_at(db, config, times["te_laat"])
    assert await reminder_messages(db, "a3") == []
    assert len(await reminder_messages(db, "a4")) == 1  # linked again: the overdue notice


async def test_two_workers_at_once_send_each_reminder_once(demo_any_db, config):
    db = demo_any_db
    _, cid = await with_plan(db, config)
    for days in range(4, 14):  # every "3 days before" still ahead
        await add_actie(db, config, cid, deadline=future_date(days))
    far = dt.datetime.now(UTC) + dt.timedelta(days=60)
    await asyncio.gather(*(run_at(db, config, far, worker=f"w{n}") for n in range(3)))
    async with db.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(Bericht))).all()
        left = (await uow.session.scalars(select(Taak).where(Taak.soort == HERINNERING))).all()
    per_owner = [b for b in rows if b.professional_id == await professional_id(db, "a4")]
    assert left == []
    # 10 actions × (before, on the day, overdue) to Ahmed; nothing twice.
    assert len([b for b in per_owner if "actie voor" in card_text(b.kaart)]) == 30


async def test_weekly_digest_to_each_casusregisseur_in_codes(demo_any_db, config):
    db = demo_any_db
    code, cid = await with_plan(db, config)
    await add_actie(
        db, config, cid, beschrijving=f"{RESIDENT_NAME} bellen", deadline=future_date(3)
    )
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Actie).values(deadline=dt.date.today() - dt.timedelta(days=2))
        )
        await uow.commit()
    await jobs.ensure_scheduled(db, config=config)
    async with db.unit_of_work() as uow:
        (row,) = await uow.jobs.pending("weekoverzicht")
    assert row.due_at == next_digest(dt.datetime.now(UTC), config)
    ran = await run_at(db, config, row.due_at)
    assert "weekoverzicht" in ran
    (digest,) = [m for m in await messages(db, "a3") if "Weekoverzicht" in m]
    assert code in digest and "1 open" in digest and "1 te laat" in digest
    assert RESIDENT_NAME not in digest and "bellen" not in digest
    async with db.unit_of_work() as uow:
        (row,) = await uow.jobs.pending("weekoverzicht")
    assert row.due_at.astimezone(AMS).weekday() == config.digest_weekday


async def test_herinneringen_nu_makes_them_due_in_local_mode_only(demo_db, config):
    code, cid = await with_plan(demo_db, config)
    await add_actie(demo_db, config, cid, deadline=future_date(20))
    assert "alleen in de lokale demo" in (
        (await say(demo_db, config, "a1", "herinneringen nu")).text or ""
    )
    local = replace(config, local_mode=True)
    await jobs.ensure_scheduled(demo_db, config=local)  # as the bot does at start
    made = await say(demo_db, local, "a1", "herinneringen nu")
    assert "1 herinnering (één per open actie) en het weekoverzicht" in (made.text or "")
    await run_at(demo_db, local, dt.datetime.now(UTC))
    (only,) = await reminder_messages(demo_db, "a4")  # the one whose words are true today
    assert "uiterlijk" in only and code in only
    assert await reminder_messages(demo_db, "a1") == []  # no escalation of a future action
    assert any("Weekoverzicht" in m for m in await messages(demo_db, "a3"))


async def test_herinneringen_nu_states_no_false_facts(demo_db, config):
    """QA: it made every stage due at once, so an action due in two days got "Vandaag is de
    deadline", "te laat" and an escalation. Now: the reminder that is true today, once."""
    _, cid = await with_plan(demo_db, config)
    await add_actie(demo_db, config, cid, deadline=future_date(2))
    local = replace(config, local_mode=True)
    await say(demo_db, local, "a3", "herinneringen nu")
    await run_at(demo_db, local, dt.datetime.now(UTC))
    (only,) = await reminder_messages(demo_db, "a4")
    assert "uiterlijk" in only
    for later in ("Vandaag is de deadline", "te laat", "Escalatie"):
        assert not [
            m
            for who in ("a1", "a3", "a4")
            for m in await messages(demo_db, who)
            if later in m and "actie voor" in m
        ]
    # Its own reminders still come at their moments: on the day, it is the day's.
    actie = await newest_actie(demo_db)
    await run_at(demo_db, local, reminder_times(actie.deadline, Herinneringsregels())["dag"])
    assert any("Vandaag is de deadline" in m for m in await reminder_messages(demo_db, "a4"))


async def test_the_chair_sets_goals_and_scores_in_an_overleg(demo_any_db, config):
    """The store method the overleg (#10) calls: the chair of a running overleg, for a casus
    on its agenda; the score is this overleg's."""
    from store.access import Need, issue
    from store.models import PlanScore
    from store.plan import PlanRefused, plannen
    from tests.test_overleg import started

    db = demo_any_db
    code, cid = await with_plan(db, config)
    oid = await started(db, config, (code, cid))
    kees = await professional_id(db, "a6")  # the chair, not linked to the casus
    requester = issue(kees, "t", "o", "channel-1", "channel")
    async with db.unit_of_work() as uow:
        plan = await plannen(uow).open_in_overleg(cid, requester, Need.DOEL, oid)
        await plan.add_doel(None, "Dagbesteding vinden", "vier dagen per week iets te doen")
        huis = (await plan.leefgebieden())[2].id
        await plan.set_leefgebied(huis, None, 3, dt.date.today())
        try:
            await plan.set_leefgebied(huis, None, 9, dt.date.today())
        except PlanRefused as refused:
            assert refused.reason == "score"
        await uow.commit()
    async with db.unit_of_work() as uow:
        (score,) = (await uow.session.scalars(select(PlanScore))).all()
    assert score.moment == f"overleg:{oid}" and score.overleg_id == oid and score.score == 3


async def test_no_reminder_or_digest_carries_identity_of_a_casus_one_is_not_on(demo_db, config):
    from tests.test_overleg import opgenomen

    code_a, cid_a = await with_plan(demo_db, config)
    code_b, cid_b = await opgenomen(demo_db, config, naam="Sanna Vermeulen", geboren="2004-02-03")
    await add_actie(demo_db, config, cid_a, deadline=future_date(5))
    await add_actie(demo_db, config, cid_b, eigenaar="bewoner", deadline=future_date(5))
    far = dt.datetime.now(UTC) + dt.timedelta(days=60)
    await run_at(demo_db, config, far)
    await jobs.ensure_scheduled(demo_db, config=config)
    await run_at(demo_db, config, far + dt.timedelta(days=8))  # the weekly digest too
    identities = (*IDENTIFIERS, "Sanna Vermeulen", "Vermeulen", "2004-02-03", "03-02-2004")
    for who in ("a1", "a2", "a3", "a4", "a5", "a6"):
        for message in await messages(demo_db, who):
            if "Herinnering" in message or "Weekoverzicht" in message or "Escalatie" in message:
                assert not [i for i in identities if i.lower() in message.lower()], (who, message)
    ahmed = " ".join(await reminder_messages(demo_db, "a4"))
    assert code_a in ahmed and code_b not in ahmed  # Ahmed is on A only
    digest = [m for m in await messages(demo_db, "a3") if "Weekoverzicht" in m]
    assert digest and code_a in digest[-1] and code_b in digest[-1]  # Sanne runs both


async def test_a_queued_reminder_is_withdrawn_when_its_action_is_done(demo_any_db, config):
    """QA #13: the reminder was written to the outbox but not yet sent when the owner marked
    the action done; it must not arrive afterwards. Nor one of an action that lapses."""
    db = demo_any_db
    _, cid = await with_plan(db, config)
    await add_actie(db, config, cid, deadline=future_date(5))
    actie = await newest_actie(db)
    await add_actie(db, config, cid, deadline=future_date(5))
    other = await newest_actie(db)
    await run_at(db, config, reminder_times(actie.deadline, Herinneringsregels())["voor"])
    assert len(await _reminder_cards(db, "a4")) == 2  # queued, not yet sent
    (reminder, _) = await _reminder_cards(db, "a4")
    afgerond = next(a for a in reminder["actions"] if a["verb"] == "actie.afgerond")
    target = int(afgerond["data"]["actie"])
    await act(db, config, "a4", "actie.afgerond", afgerond["data"])
    left = await _reminder_cards(db, "a4")
    assert len(left) == 1  # the other action's reminder still goes
    async with db.unit_of_work() as uow:
        unsent = [b.plek for b in await uow.berichten.pending()]
    assert not [p for p in unsent if p and p.startswith(f"actie:{target}:")]
    assert target in {actie.id, other.id}
    # Lapsing (at closing) withdraws the rest in the same way.
    from store.plan import lapse_open_actions

    async with db.unit_of_work() as uow:
        regie = await professional_id(db, "a3")
        await lapse_open_actions(uow.session, cid, "casus afgesloten", regie)
        await uow.commit()
    assert await _reminder_cards(db, "a4") == []


async def test_a_private_reminder_key_never_replaces_an_earlier_message(demo_any_db, config):
    """The key of a reminder is for withdrawing it, not for updating a sent card in place
    (that is for shared posts): both the 'before' and 'on the day' reminder are claimed."""
    db = demo_any_db
    _, cid = await with_plan(db, config)
    await add_actie(db, config, cid, deadline=future_date(5))
    actie = await newest_actie(db)
    times = reminder_times(actie.deadline, Herinneringsregels())
    await run_at(db, config, times["te_laat"])  # the owner and the casusregisseur
    async with db.unit_of_work() as uow:
        keyed = [b for b in await uow.berichten.pending() if b.plek]
        assert keyed and all(b.soort == "privé" for b in keyed)
        # All to the casusregisseur (who has a chat): the same key twice for one person.
        regie = await professional_id(db, "a3")
        await uow.session.execute(
            update(Bericht).where(Bericht.plek.is_not(None)).values(professional_id=regie)
        )
        await uow.commit()
        claimed = await uow.berichten.claim("w9", 100, dt.timedelta(minutes=5))
    assert {b.id for b in keyed} <= {b.id for b in claimed}
