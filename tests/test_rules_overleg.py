"""The chair's role in a casusoverleg (CasusRepository.open_in_overleg, chair_on): the chair
holds `voorzitter` on a casus only while their overleg runs, in the casus's municipality,
with the casus on its agenda, and while they are active. Nothing of it comes from a card.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from store.access import VOORZITTER, AccessDenied, Need
from store.db import Database
from store.models import Agendapunt, Overleg, Professional, utcnow
from tests.test_rules_gate import World, ask, audit_rows, build, last_audit_id, make_casus


@pytest.fixture
async def world(sqlite_db: Database) -> World:
    return await build(sqlite_db)


async def overleg(world: World, *, chair: int, gemeente_id: int, status: str, casus_id: int) -> int:
    async with world.db.unit_of_work() as uow:
        row = Overleg(
            gemeente_id=gemeente_id,
            soort="structureel",
            gepland_op=utcnow(),
            plaats="Stadhuis",
            kanaal_conversation_id="19:kanaal",
            voorzitter_id=chair,
            status=status,
            gepland_door_id=world.expert,
        )
        uow.session.add(row)
        await uow.session.flush()
        uow.session.add(
            Agendapunt(overleg_id=row.id, casus_id=casus_id, volgorde=1, reden="nieuw", minuten=10)
        )
        await uow.commit()
        return row.id


async def chair_may(world: World, who: int, overleg_id: int) -> bool:
    async with world.db.unit_of_work() as uow:
        try:
            access = await uow.casussen.open_in_overleg(
                world.casus_id, ask(who, "channel"), Need.BESPREKEN, overleg_id
            )
        except AccessDenied:
            return False
        assert access.roles == {VOORZITTER}
        return True


async def test_the_chair_of_a_running_overleg_may_discuss_the_casus_on_its_agenda(
    world: World,
) -> None:
    running = await overleg(
        world, chair=world.outsider, gemeente_id=world.gemeente_id, status="lopend",
        casus_id=world.casus_id,
    )  # fmt: skip
    assert await chair_may(world, world.outsider, running)
    assert not await chair_may(world, world.adviseur, running)  # not the chair
    # The role is for the overleg only: outside it, the chair has none.
    async with world.db.unit_of_work() as uow:
        with pytest.raises(AccessDenied):
            await uow.casussen.open(world.casus_id, ask(world.outsider), Need.OVERZICHT)
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Professional).where(Professional.id == world.outsider).values(actief=False)
        )
        await uow.commit()
    assert not await chair_may(world, world.outsider, running)


@pytest.mark.parametrize("status", ["gepland", "gepubliceerd", "afgerond"])
async def test_no_chair_role_before_or_after_the_overleg_runs(world: World, status: str) -> None:
    held = await overleg(
        world, chair=world.outsider, gemeente_id=world.gemeente_id, status=status,
        casus_id=world.casus_id,
    )  # fmt: skip
    assert not await chair_may(world, world.outsider, held)


async def test_no_chair_role_for_a_casus_not_on_the_agenda_or_of_another_municipality(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        other_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Ander")
        await uow.commit()
    without = await overleg(
        world, chair=world.outsider, gemeente_id=world.gemeente_id, status="lopend",
        casus_id=other_id,
    )  # fmt: skip
    elders = await overleg(
        world, chair=world.outsider, gemeente_id=world.other_gemeente_id, status="lopend",
        casus_id=world.casus_id,
    )  # fmt: skip
    assert not await chair_may(world, world.outsider, without)
    assert not await chair_may(world, world.outsider, elders)


async def test_the_chair_role_is_for_the_overleg_asked_about(world: World) -> None:
    """Chairing one running overleg with the casus gives nothing through another one."""
    await overleg(
        world, chair=world.outsider, gemeente_id=world.gemeente_id, status="lopend",
        casus_id=world.casus_id,
    )  # fmt: skip
    planned = await overleg(
        world, chair=world.outsider, gemeente_id=world.gemeente_id, status="gepland",
        casus_id=world.casus_id,
    )  # fmt: skip
    assert not await chair_may(world, world.outsider, planned)


async def test_an_unknown_casus_in_an_overleg_is_refused_and_logged(world: World) -> None:
    running = await overleg(
        world, chair=world.outsider, gemeente_id=world.gemeente_id, status="lopend",
        casus_id=world.casus_id,
    )  # fmt: skip
    start = await last_audit_id(world.db)
    async with world.db.unit_of_work() as uow:
        with pytest.raises(AccessDenied, match=r"^overleg\.bespreken$"):
            await uow.casussen.open_in_overleg(
                world.casus_id + 100, ask(world.outsider, "channel"), Need.BESPREKEN, running
            )
        await uow.commit_refusals_only()
    assert await audit_rows(world.db, after=start) == [
        ("overleg.bespreken", "R", "denied", world.outsider, None, None, None, "onbekende casus")
    ]
