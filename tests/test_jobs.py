"""Scheduled work (issue #7): one home, due-dated rows any instance claims once."""

from __future__ import annotations

import asyncio
import datetime as dt

from dialogs import jobs
from store.db import Database
from store.models import utcnow


async def test_a_periodic_job_runs_once_per_interval(db: Database, config) -> None:
    now = utcnow()
    await jobs.ensure_scheduled(db, now)
    await jobs.ensure_scheduled(db, now)  # idempotent: start-up of a second instance
    assert await jobs.run_due(db, config, "w1", now) == ["retentie"]
    assert await jobs.run_due(db, config, "w1", now + dt.timedelta(minutes=59)) == []
    assert await jobs.run_due(db, config, "w2", now + dt.timedelta(minutes=61)) == ["retentie"]
    async with db.unit_of_work() as uow:
        pending = await uow.jobs.pending("retentie")
    assert len(pending) == 1 and pending[0].due_at > now + dt.timedelta(minutes=61)


async def test_competing_instances_run_a_due_job_once(db: Database, config) -> None:
    now = utcnow()
    await jobs.ensure_scheduled(db, now)
    results = await asyncio.gather(
        *(jobs.run_due(db, config, f"w{n}", now) for n in range(4)), return_exceptions=True
    )
    ran = [kind for result in results if isinstance(result, list) for kind in result]
    assert ran == ["retentie"], results


async def test_a_claim_of_a_dead_instance_expires(db: Database, config) -> None:
    now = utcnow()
    await jobs.ensure_scheduled(db, now)
    async with db.unit_of_work() as uow:
        claimed = await uow.jobs.claim_due("dead", now, jobs.LEASE)  # and then it dies
    assert [job.soort for job in claimed] == ["retentie"]
    assert await jobs.run_due(db, config, "w1", now + dt.timedelta(minutes=1)) == []
    later = now + jobs.LEASE + dt.timedelta(seconds=1)
    assert await jobs.run_due(db, config, "w1", later) == ["retentie"]


async def test_a_failing_job_is_retried_later(db: Database, config, monkeypatch) -> None:
    now = utcnow()
    await jobs.ensure_scheduled(db, now)

    async def broken(*_args: object) -> object:
        raise RuntimeError("database gone")

    monkeypatch.setitem(jobs.JOBS, "retentie", jobs.Periodic(broken, dt.timedelta(hours=1)))
    assert await jobs.run_due(db, config, "w1", now) == []
    async with db.unit_of_work() as uow:
        (job,) = await uow.jobs.pending("retentie")
    assert job.due_at >= now + jobs.RETRY - dt.timedelta(seconds=5)
    assert job.pogingen == 1


async def test_the_app_only_keeps_time_for_the_jobs(standin, tmp_path) -> None:
    """bot/ starts the loop; the job itself is a row in the database, run within seconds."""
    from tests.e2e import running_bot

    url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.sqlite3'}"
    async with running_bot(standin, url, JOBS_INTERVAL_SECONDS="0.05") as bot:
        for _ in range(100):
            async with bot.db.unit_of_work() as uow:
                found = await uow.jobs.pending("retentie")
            if found and found[0].due_at > utcnow() + dt.timedelta(minutes=50):
                break
            await asyncio.sleep(0.05)
    assert len(found) == 1  # one row, whatever the number of loops
    assert found[0].due_at > utcnow() + dt.timedelta(minutes=50)  # ran once, next in an hour
