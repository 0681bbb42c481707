"""The casus's state as the gate uses it (DESIGN §3.6): the two questions about the stored
state that need the database. What each state allows is `STATE_NEEDS` in store/access.py;
#21 adds the transitions here."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Betrokkene, Casus


async def hold_state(session: AsyncSession, casus: Casus) -> bool:
    """Lock the casus row in the state this unit of work saw, until it ends. False when it
    changed meanwhile. A close that comes after waits (PostgreSQL: the row lock; SQLite: one
    writer), and then ends what this unit of work linked with the other links."""
    held = await session.execute(
        update(Casus)
        .where(
            Casus.id == casus.id,
            Casus.status == casus.status,
            Casus.geanonimiseerd_at.is_(None),
        )
        .values(status=Casus.status)
        .execution_options(synchronize_session=False)
    )
    return bool(held.rowcount == 1)  # type: ignore[attr-defined]


async def link_ended_with_casus(session: AsyncSession, casus: Casus, professional_id: int) -> bool:
    """Whether the professional's link ended when (or after) the casus ended: they may hear
    that it ended. Who left it earlier learns nothing of what happened since."""
    if casus.afgesloten_at is None:
        return False
    found = await session.scalar(
        select(Betrokkene.id)
        .where(
            Betrokkene.casus_id == casus.id,
            Betrokkene.professional_id == professional_id,
            Betrokkene.tot >= casus.afgesloten_at,
        )
        .limit(1)
    )
    return found is not None
