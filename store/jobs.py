"""Scheduled work (DESIGN §4): due-dated rows that any instance may claim once.

`schedule` puts a job in (idempotent per kind and key); `claim_due` takes due jobs under a
lease in one statement, so two processes never run the same job; `done` removes a one-off
job or moves a periodic one to its next due time; `retry` gives it back with a delay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Taak, utcnow
from store.sql import dialect_insert


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Job:
    id: int
    soort: str
    sleutel: str
    due_at: dt.datetime
    data: dict[str, Any]
    pogingen: int


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(
        self,
        soort: str,
        due_at: dt.datetime,
        *,
        sleutel: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        """Put a job in, unless the same kind and key is already there."""
        await self._session.execute(
            dialect_insert(self._session)(Taak)
            .values(soort=soort, sleutel=sleutel, due_at=due_at, data=data or {}, pogingen=0)
            .on_conflict_do_nothing(index_elements=[Taak.soort, Taak.sleutel])
        )

    async def claim_due(
        self, worker: str, now: dt.datetime, lease: dt.timedelta, limit: int = 20
    ) -> Sequence[Job]:
        """Claim due jobs for `worker`; committed at once, so other instances skip them."""
        claimable = or_(Taak.claimed_at.is_(None), Taak.claimed_at < now - lease)
        due = (
            select(Taak.id)
            .where(Taak.due_at <= now, claimable)
            .order_by(Taak.due_at)
            .limit(limit)
            .scalar_subquery()
        )
        claimed = await self._session.execute(
            update(Taak)
            .where(Taak.id.in_(due), claimable)
            .values(claimed_by=worker, claimed_at=now, pogingen=Taak.pogingen + 1)
            .returning(Taak.id, Taak.soort, Taak.sleutel, Taak.due_at, Taak.data, Taak.pogingen)
            .execution_options(synchronize_session=False)
        )
        jobs = [Job(r[0], r[1], r[2], _aware(r[3]), dict(r[4]), r[5]) for r in claimed.all()]
        await self._session.commit()
        return jobs

    async def done(self, job: Job, worker: str, next_due: dt.datetime | None = None) -> None:
        """Finish a job: gone, or (periodic) due again at `next_due`."""
        mine = (Taak.id == job.id) & (Taak.claimed_by == worker)
        if next_due is None:
            await self._session.execute(delete(Taak).where(mine))
        else:
            await self._session.execute(
                update(Taak)
                .where(mine)
                .values(due_at=next_due, claimed_by=None, claimed_at=None, pogingen=0)
            )

    async def finish_held(self, jobs: Sequence[Job], worker: str) -> list[int]:
        """Remove one-off jobs this worker still holds, in the transaction that does their
        work; the ids removed. A job whose lease ran out and went to another worker is not
        among them: that worker does it."""
        if not jobs:
            return []
        result = await self._session.execute(
            delete(Taak)
            .where(Taak.id.in_([job.id for job in jobs]), Taak.claimed_by == worker)
            .returning(Taak.id)
            .execution_options(synchronize_session=False)
        )
        return list(result.scalars().all())

    async def retry(self, job: Job, worker: str, delay: dt.timedelta) -> None:
        await self._session.execute(
            update(Taak)
            .where(Taak.id == job.id, Taak.claimed_by == worker)
            .values(due_at=utcnow() + delay, claimed_by=None, claimed_at=None)
        )

    async def pending(self, soort: str | None = None) -> Sequence[Job]:
        query = select(Taak).order_by(Taak.due_at)
        if soort is not None:
            query = query.where(Taak.soort == soort)
        rows = (await self._session.scalars(query)).all()
        return [
            Job(r.id, r.soort, r.sleutel, _aware(r.due_at), dict(r.data), r.pogingen) for r in rows
        ]
