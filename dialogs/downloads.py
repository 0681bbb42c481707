"""What the download pages ask of the store before a link is looked up (#20)."""

from __future__ import annotations

from store.db import Database
from store.documents import well_formed

__all__ = ["record_flood", "well_formed"]


async def record_flood(db: Database, client: str) -> None:
    """One audit event for the start of a run of refused attempts from one address: the log
    shows where a flood came from, without a row per request of it."""
    async with db.unit_of_work() as uow:
        uow.audit.record(
            "document.limiet", "R", outcome="denied", details=f"te veel pogingen; {client}"
        )
        await uow.commit()
