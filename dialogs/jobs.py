"""The jobs the bot runs on schedule, and the loop body that runs what is due.

One home for scheduled work: a job kind is a row in `JOBS` (periodic: what to run, when next)
or in `ONE_OFF` (a row per piece of work, e.g. one reminder of one action); `bot/` only calls
`run_due` every few seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from dialogs import herinneringen
from dialogs.clock import utcnow
from dialogs.core import Config
from dialogs.retention import apply_retention
from store.db import Database, UnitOfWork
from store.jobs import Job
from store.plan import HERINNERING

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
RETRY = dt.timedelta(minutes=5)
BATCH = 20
# One round takes at most this many batches, so a backlog (1,000 reminders after a pause)
# goes out in one round, while one process cannot hold the loop for ever.
MAX_BATCHES = 50


@dataclass(frozen=True)
class Periodic:
    run: Callable[[Database, Config, dt.datetime], Awaitable[object]]
    every: dt.timedelta
    # When the next run falls due, if not `every` after this one (e.g. a weekday and time).
    next_due: Callable[[dt.datetime, Config], dt.datetime] | None = None

    def after(self, moment: dt.datetime, config: Config) -> dt.datetime:
        return self.next_due(moment, config) if self.next_due else moment + self.every


@dataclass(frozen=True)
class OneOff:
    """Work of one row each, done for a claimed batch in the transaction that removes the
    rows this worker still holds (so each row's work is done exactly once)."""

    run: Callable[[UnitOfWork, Config, Sequence[Job], dt.datetime], Awaitable[object]]


async def _retention(db: Database, config: Config, now: dt.datetime) -> object:
    return await apply_retention(db, config.retention_days, now=now)


async def _digests(db: Database, config: Config, now: dt.datetime) -> object:
    async with db.unit_of_work() as uow:
        sent = await herinneringen.send_digests(uow, config, now)
        await uow.commit()
    return sent


JOBS: dict[str, Periodic] = {
    "retentie": Periodic(_retention, dt.timedelta(hours=1)),
    herinneringen.DIGEST: Periodic(_digests, dt.timedelta(days=7), herinneringen.next_digest),
}
ONE_OFF: dict[str, OneOff] = {
    HERINNERING: OneOff(herinneringen.send_reminders),
}


async def ensure_scheduled(
    db: Database, now: dt.datetime | None = None, config: Config | None = None
) -> None:
    """Every periodic job has its row (first run now, or at its moment); existing rows keep
    their due time."""
    moment = now or utcnow()
    async with db.unit_of_work() as uow:
        for soort, periodic in JOBS.items():
            first = periodic.next_due(moment, config or Config()) if periodic.next_due else moment
            await uow.jobs.schedule(soort, first)
        await uow.commit()


async def run_due(
    db: Database, config: Config, worker: str, now: dt.datetime | None = None
) -> list[str]:
    """Run every due job this worker could claim; returns the kinds that ran."""
    moment = now or utcnow()
    ran: list[str] = []
    for _ in range(MAX_BATCHES):
        async with db.unit_of_work() as uow:
            jobs = await uow.jobs.claim_due(worker, moment, LEASE, limit=BATCH)
        one_offs = [job for job in jobs if job.soort in ONE_OFF]
        ran += await _run_one_offs(db, config, worker, one_offs, moment)
        for job in jobs:
            if job.soort not in ONE_OFF and await _run_periodic(db, config, worker, job, moment):
                ran.append(job.soort)
        if len(jobs) < BATCH:
            break
    return ran


async def _run_one_offs(
    db: Database, config: Config, worker: str, jobs: list[Job], moment: dt.datetime
) -> list[str]:
    """Per kind, one transaction: first remove the rows this worker still holds (a lease
    that ran out went to another worker, which does that work), then do their work; both
    commit together or not at all."""
    ran: list[str] = []
    for soort in sorted({job.soort for job in jobs}):
        batch = [job for job in jobs if job.soort == soort]
        async with db.unit_of_work() as uow:
            try:
                held = set(await uow.jobs.finish_held(batch, worker))
                await ONE_OFF[soort].run(uow, config, [j for j in batch if j.id in held], moment)
            except Exception as error:
                log.error("job failed kind=%s type=%s", soort, type(error).__name__)
                await uow.rollback()
                for job in batch:
                    await uow.jobs.retry(job, worker, RETRY)
                await uow.commit()
                continue
            await uow.commit()
        ran += [soort] * len(held)
    return ran


async def _run_periodic(
    db: Database, config: Config, worker: str, job: Job, moment: dt.datetime
) -> bool:
    periodic = JOBS.get(job.soort)
    async with db.unit_of_work() as uow:
        if periodic is None:
            await uow.jobs.done(job, worker)  # a kind this version no longer has
            await uow.commit()
            return False
        try:
            await periodic.run(db, config, moment)
        except Exception as error:
            log.error("job failed kind=%s type=%s", job.soort, type(error).__name__)
            await uow.jobs.retry(job, worker, RETRY)
            await uow.commit()
            return False
        await uow.jobs.done(job, worker, next_due=periodic.after(moment, config))
        await uow.commit()
    return True
