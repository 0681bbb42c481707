"""Migration 0019 re-keys the residents already known (issue #20): the identifier digests of
the channel-message screen and the name key for duplicates were made with the old folding
(case and accents only); after the upgrade they are the keys the new folding looks up. On
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import insert, select

from store.access import issue
from store.db import Database
from store.herkenning import digest
from store.migrate import alembic_config, upgrade
from store.models import Aanmelding, Casus, Gemeente, Herkenning, Persoonsgegevens, Professional


def to(revision: str):
    def run(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return run


async def test_the_migration_rewrites_keys_made_the_old_way(database_url):
    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(to("0018_een_effect"))
            await connection.execute(insert(Gemeente).values(id=1, naam="Oudstad"))
            await connection.execute(
                insert(Professional).values(
                    id=1,
                    tenant_id="t",
                    aad_object_id="o",
                    naam="P",
                    is_beheerder=False,
                    actief=True,
                )
            )
            await connection.execute(
                insert(Casus).values(
                    id=1,
                    code="PGA-2025-001",
                    gemeente_id=1,
                    status="opgenomen",
                    doelgroep="volwassene",
                    urgentie="normaal",
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            await connection.execute(
                insert(Aanmelding).values(
                    casus_id=1,
                    aanmelder_id=1,
                    ingediend_at=dt.datetime.now(dt.UTC),
                    criteria={},
                    leefgebieden=[],
                    partner_ids=[],
                    reden="r",
                    bewoner_geinformeerd=True,
                    status="open",
                    voor_advies=False,
                )
            )
            # As 0015 and the referral wrote them before #20: "ø" kept, the soft hyphen a gap.
            await connection.execute(
                insert(Persoonsgegevens).values(
                    casus_id=1,
                    naam="Søren Øde\u00adgaard",
                    naam_sleutel="søren øde gaard",
                    geboortedatum=dt.date(1980, 5, 6),
                    woonplaats="Oudstad",
                )
            )
            old_keys = ["t:søren øde gaard", "t:øde", "t:gaard", "d:1980-05-06"]
            await connection.execute(
                insert(Herkenning), [{"casus_id": 1, "sleutel": digest(k)} for k in old_keys]
            )
        await upgrade(db.engine)
        async with db.unit_of_work() as uow:
            persoon = await uow.session.get(Persoonsgegevens, 1)
            assert persoon is not None and persoon.naam_sleutel == "soren odegaard"
            keys = set((await uow.session.scalars(select(Herkenning.sleutel))).all())
            assert digest("t:odegaard") in keys and digest("t:øde") not in keys
            requester = issue(1, "t", "o", "c", "channel")
            assert await uow.casussen.names_a_resident(requester, "ODEGAARD weer gezien")
            assert await uow.casussen.names_a_resident(requester, "Øde\u200bgaard weer gezien")
            assert await uow.casussen.names_a_resident(requester, "geboren 6 mei '80")
            assert not await uow.casussen.names_a_resident(requester, "gaard weer gezien")
    finally:
        await db.dispose()
