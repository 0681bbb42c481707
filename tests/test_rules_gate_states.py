"""The gate and the casus's state (#26.1): which needs each state allows, proved for every
state and every need that grants access (a link, the triage's links, the letter) and the
needs that hold identity, at the real gate on SQLite and PostgreSQL.

The expected table is written out here with literal states, so a change to
`store.access.STATE_NEEDS` is a deliberate act that shows in a test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from store import access
from store.access import (
    BETROKKEN,
    CASUSREGISSEUR,
    AccessDenied,
    CasusState,
    Need,
    NotAllowed,
    StateRefused,
)
from store.db import Database
from store.models import Betrokkene, Casus, DocumentGrant, utcnow
from store.views import Checklist
from tests.test_rules_gate import World, ask, audit_rows, build, last_audit_id

STATES = (
    "aangemeld",
    "opgenomen",
    "afgewezen",
    "doorverwezen",
    "al_besproken",
    "afgesloten",
    "geanonimiseerd",
)
RUNNING = {"aangemeld", "opgenomen"}
EVERY = set(STATES)
KEPT = EVERY - {"geanonimiseerd"}
# need -> the states in which the gate allows it (to the PGA-expert of the gemeente).
ALLOWED_IN = {
    Need.KOPPELEN: RUNNING,
    Need.TRIAGE: {"aangemeld"},
    Need.BRIEF: RUNNING,
    Need.STARTGESPREK: RUNNING,
    Need.IDENTITEIT: KEPT,
    Need.INZAGE: KEPT,
    Need.CORRIGEREN: KEPT,
    Need.AFSLUITEN: KEPT,
    Need.OVERZICHT: EVERY,
    Need.DOSSIER: EVERY,
    Need.TIJDLIJN: EVERY,
    Need.PLAN: EVERY,
}
CHECKLIST = Checklist("Meewerken aan de aanpak", "art6_1e")
KEY = b"k" * 32
CELLS = [(state, need) for state in STATES for need in ALLOWED_IN]


@pytest.fixture
async def world(db: Database) -> World:
    return await build(db)


async def put_in(world: World, state: str) -> None:
    """The casus of `world` in `state`, as the workflows leave it (retention for real)."""
    if state == "aangemeld":
        return
    stored = "afgesloten" if state == "geanonimiseerd" else state
    closed_at = utcnow() - dt.timedelta(days=400) if state != "opgenomen" else None
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Casus)
            .where(Casus.id == world.casus_id)
            .values(status=stored, afgesloten_at=closed_at)
        )
        await uow.commit()
    if state == "geanonimiseerd":
        async with world.db.unit_of_work() as uow:
            assert await uow.casussen.anonymise_closed(utcnow()) == 1
            await uow.commit()


async def try_need(world: World, need: Need, who: int | None = None) -> bool:
    """Whether `who` (the PGA-expert of the gemeente), in a 1:1 chat, gets `need`."""
    async with world.db.unit_of_work() as uow:
        try:
            await uow.casussen.open(world.casus_id, ask(who or world.expert), need)
        except AccessDenied:
            await uow.commit_refusals_only()  # as the router does: the refusal is logged
            return False
        return True


async def links_of(world: World, professional_id: int) -> int:
    async with world.db.unit_of_work() as uow:
        return int(
            await uow.session.scalar(
                select(func.count())
                .select_from(Betrokkene)
                .where(
                    Betrokkene.casus_id == world.casus_id,
                    Betrokkene.professional_id == professional_id,
                    Betrokkene.tot.is_(None),
                )
            )
            or 0
        )


async def grant_count(world: World) -> int:
    async with world.db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(DocumentGrant)) or 0)


# --- the table, cell by cell ------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
async def test_each_state_allows_exactly_its_needs_at_the_gate(world: World, state: str) -> None:
    await put_in(world, state)
    shown = {need: await try_need(world, need) for need in ALLOWED_IN}
    expected = {need: state in states for need, states in ALLOWED_IN.items()}
    assert shown == expected


@pytest.mark.parametrize("state", STATES)
async def test_a_link_is_made_only_while_the_casus_runs(world: World, state: str) -> None:
    """The act itself, not only the opening: `link` checks the state again, so a casus
    opened for something else (or an old card's data) cannot link after the end."""
    await put_in(world, state)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.OVERZICHT)
        try:
            made = await casus.link(world.outsider, BETROKKEN, CHECKLIST)
        except AccessDenied as refused:
            assert not isinstance(refused, NotAllowed)  # her role allows it: the state not
            made = False
        await uow.commit()
    assert made is (state in RUNNING)
    assert await links_of(world, world.outsider) == (1 if state in RUNNING else 0)
    # And nobody sees the inwoner through a link that was not made.
    assert await try_need(world, Need.IDENTITEIT, world.outsider) is (state in RUNNING)


@pytest.mark.parametrize("state", STATES)
async def test_triage_links_the_casusregisseur_only_before_the_decision(
    world: World, state: str
) -> None:
    await put_in(world, state)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.OVERZICHT)
        try:
            made = await casus.link(world.outsider, CASUSREGISSEUR, CHECKLIST, need=Need.TRIAGE)
        except AccessDenied:
            made = False
        await uow.commit()
    assert made is (state == "aangemeld")
    assert await links_of(world, world.outsider) == (1 if state == "aangemeld" else 0)


@pytest.mark.parametrize("state", STATES)
async def test_a_letter_link_is_issued_only_while_the_casus_runs(world: World, state: str) -> None:
    await put_in(world, state)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.OVERZICHT)
        try:
            await uow.documents(KEY).issue(casus, "brief", 5)
            issued = True
        except AccessDenied:
            issued = False
        await uow.commit()
    assert issued is (state in RUNNING)
    assert await grant_count(world) == (1 if state in RUNNING else 0)


@pytest.mark.parametrize("state", sorted(EVERY - RUNNING))
async def test_a_link_can_still_end_after_the_end(world: World, state: str) -> None:
    """Ending a link never adds access: the aanmelder's link on a rejected referral, or the
    casusregisseur's on an anonymised casus, can still be ended."""
    await put_in(world, state)
    async with world.db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.OVERZICHT)
        assert await casus.unlink(world.regisseur, CASUSREGISSEUR, "klaar") is True
        await uow.commit()
    assert await links_of(world, world.regisseur) == 0


async def test_a_refusal_by_state_is_logged_with_the_state(world: World) -> None:
    await put_in(world, "afgesloten")
    start = await last_audit_id(world.db)
    assert await try_need(world, Need.KOPPELEN) is False
    assert await audit_rows(world.db, after=start) == [
        ("koppelen", "C", "denied", world.expert, None, None, world.casus_id,
         "toestand: casus afgesloten"),
    ]  # fmt: skip


async def test_the_role_is_checked_before_the_state(world: World) -> None:
    """Who has no role learns nothing about the state: the same refusal as for a casus
    that does not exist."""
    await put_in(world, "afgesloten")
    async with world.db.unit_of_work() as uow:
        with pytest.raises(AccessDenied) as outsider:
            await uow.casussen.open(world.casus_id, ask(world.outsider), Need.KOPPELEN)
        with pytest.raises(AccessDenied) as stranger:
            await uow.casussen.open(999_999, ask(world.outsider), Need.KOPPELEN)
    assert type(outsider.value) is type(stranger.value) is AccessDenied


# --- the table as data ------------------------------------------------------------------------


def test_the_state_table_is_pinned_for_every_state_and_every_need() -> None:
    """What each state refuses; every other need it allows."""
    only_running = {Need.KOPPELEN, Need.TRIAGE, Need.BRIEF, Need.STARTGESPREK}
    identity = {Need.IDENTITEIT, Need.INZAGE, Need.CORRIGEREN, Need.AFSLUITEN}
    refused = {
        "aangemeld": set(),
        "opgenomen": {Need.TRIAGE},
        "afgewezen": only_running,
        "doorverwezen": only_running,
        "al_besproken": only_running,
        "afgesloten": only_running,
        "geanonimiseerd": only_running | identity,
    }
    table = {str(state): set(Need) - needs for state, needs in access.STATE_NEEDS.items()}
    assert table == refused
    # Every need that grants access is refused in every state but a running one.
    for need in access.GRANTS_ACCESS:
        assert {str(s) for s, needs in access.STATE_NEEDS.items() if need in needs} <= RUNNING
    assert {Need.KOPPELEN, Need.TRIAGE, Need.BRIEF} <= access.GRANTS_ACCESS


def test_the_state_comes_from_the_status_and_retention() -> None:
    assert [str(access.casus_state(s, False)) for s in STATES[:-1]] == list(STATES[:-1])
    assert {access.casus_state(s, True) for s in STATES[:-1]} == {access.CasusState.GEANONIMISEERD}
    with pytest.raises(ValueError):
        access.casus_state("onbekend", False)


async def test_a_close_that_commits_while_a_link_is_pressed_wins(world: World) -> None:
    """The gate opened the casus while it ran; it closed before the link was written: the
    link is refused for the state the casus is in now (the answer says it is closed), and
    nothing is linked."""
    await put_in(world, "opgenomen")
    async with world.db.unit_of_work() as pressing:
        casus = await pressing.casussen.open(world.casus_id, ask(world.expert), Need.KOPPELEN)
        async with world.db.unit_of_work() as closing:
            await closing.session.execute(
                update(Casus)
                .where(Casus.id == world.casus_id)
                .values(status="afgesloten", afgesloten_at=utcnow())
            )
            await closing.commit()
        with pytest.raises(StateRefused) as refused:
            await casus.link(world.outsider, BETROKKEN, CHECKLIST)
        assert refused.value.state == CasusState.AFGESLOTEN
    assert await links_of(world, world.outsider) == 0
