"""The jobs the bot runs on schedule, and the loop body that runs what is due.

One home for scheduled work: a job kind is a row in `JOBS` (what to run, how often); `bot/`
only calls `run_due` every few seconds. Reminders and digests (#11) add rows here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dialogs.clock import utcnow
from dialogs.core import Config
from dialogs.retention import apply_retention
from store.db import Database

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
RETRY = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Periodic:
    run: Callable[[Database, Config, dt.datetime], Awaitable[object]]
    every: dt.timedelta


async def _retention(db: Database, config: Config, now: dt.datetime) -> object:
    return await apply_retention(db, config.retention_days, now=now)


JOBS: dict[str, Periodic] = {
    "retentie": Periodic(_retention, dt.timedelta(hours=1)),
}


async def ensure_scheduled(db: Database, now: dt.datetime | None = None) -> None:
    """Every periodic job has its row (first run now); existing rows keep their due time."""
    async with db.unit_of_work() as uow:
        for soort in JOBS:
            await uow.jobs.schedule(soort, now or utcnow())
        await uow.commit()


async def run_due(
    db: Database, config: Config, worker: str, now: dt.datetime | None = None
) -> list[str]:
    """Run every due job this worker could claim; returns the kinds that ran."""
    moment = now or utcnow()
    async with db.unit_of_work() as uow:
        jobs = await uow.jobs.claim_due(worker, moment, LEASE)
    ran = []
    for job in jobs:
        periodic = JOBS.get(job.soort)
        async with db.unit_of_work() as uow:
            if periodic is None:
                await uow.jobs.done(job, worker)  # a kind this version no longer has
            else:
                try:
                    await periodic.run(db, config, moment)
                except Exception as error:
                    log.error("job failed kind=%s type=%s", job.soort, type(error).__name__)
                    await uow.jobs.retry(job, worker, RETRY)
                    await uow.commit()
                    continue
                await uow.jobs.done(job, worker, next_due=moment + periodic.every)
                ran.append(job.soort)
            await uow.commit()
    return ran
