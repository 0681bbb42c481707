"""Reading the database as an operator would, to check what the workflows stored.

Tests only: the application reads through the store's gate, never like this.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from store.db import UnitOfWork
from store.models import Besluit, Betrokkene, Casus


async def cases_by_code(uow: UnitOfWork, code: str) -> Sequence[Casus]:
    return (await uow.session.scalars(select(Casus).where(Casus.code == code.upper()))).all()


async def casus_row(uow: UnitOfWork, casus_id: int) -> Casus:
    casus = await uow.session.get(Casus, casus_id)
    assert casus is not None
    return casus


async def active_links(uow: UnitOfWork, casus_id: int) -> Sequence[Betrokkene]:
    return (
        await uow.session.scalars(
            select(Betrokkene)
            .where(Betrokkene.casus_id == casus_id, Betrokkene.tot.is_(None))
            .order_by(Betrokkene.id)
        )
    ).all()


async def besluit_rows(uow: UnitOfWork, casus_id: int) -> Sequence[Besluit]:
    return (
        await uow.session.scalars(
            select(Besluit).where(Besluit.casus_id == casus_id).order_by(Besluit.id)
        )
    ).all()
