"""One installation for a region (#26): gemeente Zuiderstad (the demo) and Noorderveld, with
Fatima (a1) beheerder of the installation and PGA-expert of Zuiderstad, Bram (b1) PGA-expert
of Noorderveld, Dewi (d1) PGA-expert of both, and Jeroen (a2) a wijkagent who refers in both.
Each gemeente has its channel in its own Teams team. Built with store calls that exist before
#26 too, so the tests of this world can be run against the old code."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs import router
from dialogs.core import Config, Incoming, Outcome
from store.db import Database
from tests.conftest import incoming

NOORDERVELD = "Noorderveld"
MENTION = "<at>Casusoverleg</at> "
CHANNEL_Z, TEAM_Z = "19:kanaal-zuiderstad@thread.tacv2", "19:team-zuiderstad@thread.tacv2"
CHANNEL_N, TEAM_N = "19:kanaal-noorderveld@thread.tacv2", "19:team-noorderveld@thread.tacv2"
CHANNEL_X, TEAM_X = "19:kanaal-zvh@thread.tacv2", "19:team-zvh@thread.tacv2"
DEMO_TENANT = "00000000-0000-0000-0000-0000000000aa"


@dataclass(frozen=True)
class Region:
    zuiderstad: int
    noorderveld: int
    bram: int
    dewi: int


def object_id(who: str) -> str:
    return f"00000000-0000-0000-0000-0000000000{who}"


async def build_region(db: Database, tenant: str = DEMO_TENANT) -> Region:
    async with db.unit_of_work() as uow:
        zuiderstad = (await uow.people.gemeenten())[0].id
        noorderveld = (await uow.people.ensure_gemeente(NOORDERVELD)).id
        bram = await uow.people.add_professional(
            tenant_id=tenant, aad_object_id=object_id("b1"), naam="Bram Noord", functie="PGA"
        )
        dewi = await uow.people.add_professional(
            tenant_id=tenant, aad_object_id=object_id("d1"), naam="Dewi Beide", functie="PGA"
        )
        await uow.people.make_pga_expert(bram.id, noorderveld)
        await uow.people.make_pga_expert(dewi.id, zuiderstad)
        await uow.people.make_pga_expert(dewi.id, noorderveld)
        await uow.commit()
    return Region(zuiderstad, noorderveld, bram.id, dewi.id)


def in_channel(who: str, channel: str, team: str) -> Incoming:
    return replace(incoming(who, "channel", channel), team_id=team)


async def channel_says(db: Database, config: Config, who: str, where: tuple[str, str], text: str):
    return await router.handle_text(db, config, in_channel(who, *where), MENTION + text)


async def channel_press(
    db: Database, config: Config, who: str, where: tuple[str, str], verb: str, data: dict
) -> Outcome:
    return await router.handle_action(db, config, in_channel(who, *where), verb, data)


async def channels_linked(db: Database, config: Config) -> None:
    """Fatima links Zuiderstad's channel, Bram Noorderveld's, each in their own team."""
    await channel_says(db, config, "a1", (CHANNEL_Z, TEAM_Z), "kanaal")
    await channel_says(db, config, "b1", (CHANNEL_N, TEAM_N), "kanaal")


async def kanalen(db: Database) -> dict[str, str | None]:
    async with db.unit_of_work() as uow:
        return {g.naam: g.kanaal_conversation_id for g in await uow.people.gemeenten()}
