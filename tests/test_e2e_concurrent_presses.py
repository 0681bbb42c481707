"""One effect per press (#26), over the Teams protocol: two `python -m bot` processes on one
database (PostgreSQL, and a SQLite file), the same press fired 3–4 times at the same instant
at both, and the same activity (a Teams retry: one activity id) twice at once. Rows are
counted afterwards. One pair of processes per database serves every case of this module."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from dialogs.core import Config
from store.db import Database
from store.demo import DEMO_TENANT, seed
from store.migrate import upgrade
from store.models import Actie, Besluit, Concept, Doel, Persoonsgegevens, Taak
from store.plan import HERINNERING
from tests.conftest import _fresh_postgres_url
from tests.e2e import Bot, free_port
from tests.helpers import aanmelding_values, act, professional_id
from tests.standin import StandIn
from tests.test_plan import with_plan

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[1]
CONFIG = Config(
    local_mode=False,
    allowed_tenant_ids=frozenset({DEMO_TENANT}),
    public_base_url="http://127.0.0.1:9",
    signing_key=b"k" * 32,
)


@dataclass
class Pair:
    url: str
    standin: StandIn
    ports: tuple[int, int]
    casus_id: int


@pytest.fixture(scope="module")
def demo_standin() -> Iterator[StandIn]:
    """A stand-in in the demo tenant, so the demo professionals are who the bots see."""
    server = StandIn(tenant_id=DEMO_TENANT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def pair(request, demo_standin, tmp_path_factory) -> Iterator[Pair]:
    if request.param == "postgresql":
        url = asyncio.run(_fresh_postgres_url(request.getfixturevalue("postgres_server")))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('presses') / 'bot.sqlite3'}"
    casus_id = asyncio.run(_prepared(url))
    ports = (free_port(), free_port())
    processes = [_start(demo_standin, url, port) for port in ports]
    try:
        asyncio.run(_healthy(ports))
        yield Pair(url, demo_standin, ports, casus_id)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=15)


async def _prepared(url: str) -> int:
    """Demo data and a casus taken in with a plan (made before the bots start, so their
    start-up migration has nothing to do)."""
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        await seed(db)
        _, cid = await with_plan(db, CONFIG)
        return cid
    finally:
        await db.dispose()


def _start(standin: StandIn, url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **standin.settings(),
        **standin.ca_env(),
        "DATABASE_URL": url,
        "PORT": str(port),
        "DOWNLOAD_SIGNING_KEY": "w" * 40,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MSAL_DISABLE_INSTANCE_DISCOVERY": "1",
        "OUTBOX_INTERVAL_SECONDS": "3600",  # nothing to deliver: the presses are counted
        "LOG_LEVEL": "WARNING",
    }
    env.pop("LOCAL_MODE", None)
    return subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=ROOT)


async def _healthy(ports: tuple[int, int]) -> None:
    async with aiohttp.ClientSession() as http:
        for port in ports:
            for _ in range(200):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"bot on {port} did not become healthy")


@pytest.fixture
async def bots(pair: Pair):
    """A client for each process, and the database to count in."""
    db = Database.from_url(pair.url)
    async with aiohttp.ClientSession() as http:
        clients = [Bot(f"http://127.0.0.1:{p}", pair.standin, http, db) for p in pair.ports]
        yield clients, db, pair.casus_id
    await db.dispose()


async def at_once(
    bots: list[Bot], activities: list[dict[str, Any]], stagger: float = 0.0
) -> list[str]:
    """POST the activities at (nearly) the same moment, spread over the processes; each
    answer. `stagger`: seconds between one press and the next (a double-click's spread)."""

    async def press(i: int, activity: dict[str, Any]) -> tuple[int, Any]:
        await asyncio.sleep(i * stagger)
        return await bots[i % len(bots)].post(activity)

    answers = await asyncio.gather(*(press(i, a) for i, a in enumerate(activities)))
    assert [status for status, _ in answers] == [200] * len(activities), answers
    return [json.dumps(body, ensure_ascii=False) for _, body in answers]


def presses(bot: Bot, who: str, verb: str, data: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """n presses of one button (a double-click: same data, its own activity each)."""
    return [bot.invoke(who, verb, dict(data)) for _ in range(n)]


def retried(bot: Bot, who: str, verb: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """One press Teams sends twice (it retries a slow invoke with the same activity id)."""
    activity = bot.invoke(who, verb, dict(data))
    return [activity, json.loads(json.dumps(activity))]


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)))


def press_data(card: dict[str, Any] | None, verb: str) -> dict[str, str]:
    """The `_form` the card's button of `verb` carries: what a real press sends with the
    inputs (a card without one sends none)."""
    for action in _actions(card):
        if action.get("verb") == verb and "_form" in action.get("data", {}):
            return {"_form": action["data"]["_form"]}
    return {}


def _actions(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            yield node
        for value in node.values():
            yield from _actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _actions(item)


async def test_doel_vastleggen_pressed_four_times_and_retried_makes_one_goal_each(bots):
    clients, db, cid = bots
    plan = await act(db, CONFIG, "a1", "plan.open", {"casus": cid})
    goal = {
        "casus": cid,
        "omschrijving": "Stabiel wonen",
        "goed_genoeg_als": "Drie maanden geen klachten",
        **press_data(plan.card, "plan.doel"),
    }
    before = await count(db, Doel, Doel.casus_id == cid)
    besluiten = await count(db, Besluit, Besluit.casus_id == cid)
    answers = await at_once(clients, presses(clients[0], "a1", "plan.doel", goal, 4))
    assert await count(db, Doel, Doel.casus_id == cid) == before + 1
    assert await count(db, Besluit, Besluit.casus_id == cid) == besluiten + 1
    assert all("Doel vastgelegd" in a or "al vastgelegd" in a for a in answers), answers
    assert not any("Iemand anders" in a for a in answers)
    assert "_form" in goal  # the card carries its own id, new each time it is drawn
    again = {
        **goal,
        **press_data((await act(db, CONFIG, "a1", "plan.open", {"casus": cid})).card, "plan.doel"),
        "omschrijving": "Werk vinden",
    }
    await at_once(clients, retried(clients[0], "a1", "plan.doel", again))
    assert await count(db, Doel, Doel.casus_id == cid) == before + 2
    assert await count(db, Besluit, Besluit.casus_id == cid) == besluiten + 2


async def test_actie_toevoegen_pressed_four_times_and_retried_makes_one_action_and_its_reminders(
    bots,
):
    clients, db, cid = bots
    plan = await act(db, CONFIG, "a3", "plan.open", {"casus": cid})
    action = {
        "casus": cid,
        "beschrijving": "Huisbezoek plannen",
        "eigenaar": f"p:{await professional_id(db, 'a4')}",
        "deadline": _in_days(10),
        **press_data(plan.card, "plan.actie"),
    }
    before = await count(db, Actie, Actie.casus_id == cid)
    jobs = await count(db, Taak, Taak.soort == HERINNERING)
    answers = await at_once(clients, presses(clients[0], "a3", "plan.actie", action, 4))
    assert await count(db, Actie, Actie.casus_id == cid) == before + 1
    assert await count(db, Taak, Taak.soort == HERINNERING) == jobs + 4  # one action's four
    assert not any("Iemand anders" in a for a in answers)
    fresh = await act(db, CONFIG, "a3", "plan.open", {"casus": cid})
    again = {**action, **press_data(fresh.card, "plan.actie"), "beschrijving": "Buren spreken"}
    await at_once(clients, retried(clients[0], "a3", "plan.actie", again))
    assert await count(db, Actie, Actie.casus_id == cid) == before + 2
    assert await count(db, Taak, Taak.soort == HERINNERING) == jobs + 8


async def test_a_double_clicked_aanmelding_makes_one_casus_no_draft_and_no_duplicate_question(
    bots,
):
    """Three presses at once, in rounds with a growing spread between the clicks: the
    second click of a real double-click lands anywhere in the first one's turn."""
    clients, db, _ = bots
    a2 = await professional_id(db, "a2")
    for spread in (0.0, 0.005, 0.01, 0.02, 0.04):
        naam = f"Petra Dubbelklik {uuid.uuid4().hex[:6]}"
        values = {**await aanmelding_values(db, naam=naam), "_form": uuid.uuid4().hex}
        answers = await at_once(
            clients, presses(clients[0], "a2", "aanmelding.indienen", values, 3), spread
        )
        answers += await at_once(clients, retried(clients[0], "a2", "aanmelding.indienen", values))
        assert await count(db, Persoonsgegevens, Persoonsgegevens.naam == naam) == 1
        # No draft left with the resident's name, birth date and reason.
        assert await count(db, Concept, Concept.professional_id == a2) == 0, spread
        assert not any("Is dit dezelfde bewoner" in a for a in answers), spread
        assert all("Aanmelding verstuurd" in a for a in answers), answers


async def test_four_aanmelders_one_inwoner_at_once_make_one_casus_and_the_others_are_asked(bots):
    clients, db, _ = bots
    naam = f"Jan Tegelijk {uuid.uuid4().hex[:6]}"
    values = await aanmelding_values(db, naam=naam)
    activities = [
        clients[0].invoke(who, "aanmelding.indienen", {**values, "_form": uuid.uuid4().hex})
        for who in ("a2", "a3", "a4", "a5")
    ]
    answers = await at_once(clients, activities)
    assert await count(db, Persoonsgegevens, Persoonsgegevens.naam == naam) == 1
    assert sum("Aanmelding verstuurd" in a for a in answers) == 1, answers
    assert sum("Is dit dezelfde bewoner" in a for a in answers) == 3, answers


def _in_days(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()
