"""Retention (DESIGN §3.8): anonymise closed cases after the configured term."""

from __future__ import annotations

import datetime as dt

from store.db import Database
from store.models import utcnow


async def apply_retention(db: Database, retention_days: int, now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    async with db.unit_of_work() as uow:
        count = await uow.casussen.anonymise_closed(cutoff)
        await uow.commit()
    return count
