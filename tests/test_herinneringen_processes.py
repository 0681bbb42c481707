"""Exactly once across processes (#11): three `python -m bot` processes — each with its real
jobs loop and outbox sender — against one real PostgreSQL and the local Bot Connector
stand-in deliver 1,000 due reminders; also with one process killed mid-run, and with the
connector answering 429 for a while."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from store.db import Database
from store.demo import seed
from store.migrate import upgrade
from store.models import Actie, Bericht, ConversationRef, Taak
from store.plan import HERINNERING
from tests.conftest import _fresh_postgres_url
from tests.e2e import free_port
from tests.helpers import professional_id
from tests.standin import StandIn
from tests.test_plan import with_plan

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
N = 1000
ROOT = Path(__file__).parents[1]


async def prepared(url: str, config, standin: StandIn) -> Database:
    """A casus with Ahmed linked, his 1:1 chat at the stand-in, and N actions of his whose
    'on the day' reminder is due now."""
    db = Database.from_url(url)
    await upgrade(db.engine)
    await seed(db)
    _, cid = await with_plan(db, config)
    ahmed = await professional_id(db, "a4")
    now = dt.datetime.now(dt.UTC)
    async with db.unit_of_work() as uow:
        await uow.session.execute(delete(Bericht))  # only the reminders go out
        await uow.session.execute(delete(ConversationRef))
        uow.session.add(
            ConversationRef(
                conversation_id="a:personal-a4",
                conversation_type="personal",
                professional_id=ahmed,
                reference={
                    "bot": {"id": f"28:{standin.app_id}"},
                    "conversation": {"id": "a:personal-a4", "conversationType": "personal"},
                    "channelId": "msteams",
                    "serviceUrl": standin.service_url,
                },
            )
        )
        base = {
            "casus_id": cid,
            "beschrijving": "Bellen",
            "eigenaar_soort": "professional",
            "eigenaar_professional_id": ahmed,
            "deadline": now.date(),
            "status": "open",
            "versie": 1,
            "aangemaakt_door_id": ahmed,
            "aangemaakt_at": now,
        }
        ids = (await uow.session.scalars(insert(Actie).returning(Actie.id), [base] * N)).all()
        await uow.session.execute(
            insert(Taak),
            [
                {
                    "soort": HERINNERING,
                    "sleutel": f"{i}:dag",
                    "due_at": now - dt.timedelta(minutes=1),
                    "data": {"actie": i, "soort": "dag"},
                    "pogingen": 0,
                }
                for i in ids
            ],
        )
        await uow.commit()
    return db


def start_bot(standin: StandIn, url: str) -> subprocess.Popen[bytes]:
    port = free_port()
    env = {
        **os.environ,
        **standin.settings(),
        **standin.ca_env(),
        "DATABASE_URL": url,
        "PORT": str(port),
        "DOWNLOAD_SIGNING_KEY": "w" * 40,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MSAL_DISABLE_INSTANCE_DISCOVERY": "1",
        "JOBS_INTERVAL_SECONDS": "0.2",
        "OUTBOX_INTERVAL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("LOCAL_MODE", None)
    return subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=ROOT)


@contextlib.asynccontextmanager
async def three_bots(standin: StandIn, url: str) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    processes = [start_bot(standin, url) for _ in range(3)]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=15)


def delivered(standin: StandIn) -> Counter[int]:
    """How often each action's reminder reached the connector (accepted, not a 429)."""
    counts: Counter[int] = Counter()
    for call in standin.calls("send_to_conversation"):
        if call.status >= 300:
            continue
        for attachment in (call.body or {}).get("attachments") or []:
            text = json.dumps(attachment, ensure_ascii=False)
            if "Herinnering actie" in text:
                for action in attachment["content"].get("actions", []):
                    if action.get("verb") == "actie.open":
                        counts[action["data"]["actie"]] += 1
    return counts


async def until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done within {timeout}s")
        await asyncio.sleep(0.1)


async def queued_reminders(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Bericht)) or 0)


@pytest.fixture
async def pg_url(postgres_server) -> str:
    return await _fresh_postgres_url(postgres_server)


async def test_three_processes_deliver_1000_reminders_exactly_once(standin, pg_url, config):
    db = await prepared(pg_url, config, standin)
    try:
        async with three_bots(standin, pg_url):
            await until(lambda: len(delivered(standin)) == N, timeout=120)
            await asyncio.sleep(1)  # anything sent twice would arrive now
        counts = delivered(standin)
        assert len(counts) == N and set(counts.values()) == {1}
        assert await queued_reminders(db) == N  # one outbox row per reminder
        async with db.unit_of_work() as uow:
            assert await uow.jobs.pending(HERINNERING) == []
    finally:
        await db.dispose()


async def test_429_for_a_while_and_a_process_killed_mid_run_lose_nothing(standin, pg_url, config):
    db = await prepared(pg_url, config, standin)
    standin.fail_next(200, status=429, retry_after=1, operation="send_to_conversation")
    try:
        async with three_bots(standin, pg_url) as processes:
            await until(lambda: len(delivered(standin)) >= 150, timeout=120)
            victim = processes[0]
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            await expire_leases_of(db, victim.pid)
            await until(lambda: len(delivered(standin)) == N, timeout=120)
            await asyncio.sleep(1)
        counts = delivered(standin)
        assert len(counts) == N  # none lost
        refused = [c for c in standin.calls("send_to_conversation") if c.status == 429]
        assert len(refused) == 200  # each answered 429 once, then retried
        # Exactly one outbox row per reminder: a job and its message commit together. Only
        # the one message a killed sender may have had on the wire can arrive twice.
        assert await queued_reminders(db) == N
        assert sum(counts.values()) <= N + 1
    finally:
        await db.dispose()


async def expire_leases_of(db: Database, pid: int) -> None:
    """The killed process's claims would expire after their lease (minutes); the test does
    not wait for that: it ages them, as time would."""
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Taak)
            .where(Taak.claimed_by == f"{socket.gethostname()}:{pid}")
            .values(claimed_at=old)
        )
        await uow.session.execute(
            update(Bericht)
            .where(Bericht.claimed_by.like(f"{pid}-%"), Bericht.verzonden_at.is_(None))
            .values(claimed_at=old)
        )
        await uow.commit()
