"""Finding due reminders among many (#11): 100,000 actions and 300,000 reminder rows in a real
PostgreSQL; one scheduler tick is what `dialogs/jobs.run_due` does for one batch.

    .venv/bin/python bench/due_reminders.py [--actions 100000] [--ticks 200] [--database URL]

Without --database it starts a throwaway PostgreSQL server (tests/pg.py). Prints the time per
tick (claim the due rows: find + lease, committed) and per full batch (claim, look up who gets
each reminder, queue the messages, remove the rows), and the query plan of the find.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from dialogs import jobs
from dialogs.core import Config
from store.db import Database
from store.demo import seed
from store.migrate import upgrade
from store.models import Actie, Betrokkene, Casus, Gemeente, Professional, Taak
from store.plan import HERINNERING, SOORTEN

CHUNK = 10_000
DUE_NOW = 4_000  # reminders due at the moment of the first tick


async def populate(db: Database, actions: int) -> None:
    await seed(db)
    now = dt.datetime.now(dt.UTC)
    async with db.unit_of_work() as uow:
        gemeente = await uow.session.scalar(select(Gemeente.id))
        owner = await uow.session.scalar(select(Professional.id).order_by(Professional.id))
        casussen = []
        for number in range(100):  # 1,000 actions per casus
            casus = Casus(
                code=f"PGA-2026-{number + 1:03d}",
                gemeente_id=gemeente,
                status="opgenomen",
                doelgroep="volwassene",
                urgentie="normaal",
            )
            uow.session.add(casus)
            await uow.session.flush()
            casussen.append(casus.id)
            uow.session.add(
                Betrokkene(
                    casus_id=casus.id,
                    professional_id=owner,
                    rol="betrokken",
                    doel="bench",
                    grondslag="art6_1e",
                )
            )
        await uow.commit()
    next_id = 1
    for start in range(0, actions, CHUNK):
        count = min(CHUNK, actions - start)
        rows = [
            {
                "casus_id": casussen[(start + i) % len(casussen)],
                "beschrijving": "Bench",
                "eigenaar_soort": "professional",
                "eigenaar_professional_id": owner,
                "deadline": (now + dt.timedelta(days=(start + i) % 365)).date(),
                "status": "open",
                "versie": 1,
                "aangemaakt_door_id": owner,
                "aangemaakt_at": now,
            }
            for i in range(count)
        ]
        async with db.unit_of_work() as uow:
            ids = (await uow.session.scalars(insert(Actie).returning(Actie.id), rows)).all()
            reminders = []
            for index, actie_id in enumerate(ids):
                for kind in SOORTEN[:3]:  # three reminders per action: 300,000 rows
                    due = now + dt.timedelta(hours=1 + (start + index) % (24 * 365))
                    if next_id <= DUE_NOW:
                        due = now - dt.timedelta(minutes=1)
                    reminders.append(
                        {
                            "soort": HERINNERING,
                            "sleutel": f"{actie_id}:{kind}",
                            "due_at": due,
                            "data": {"actie": actie_id, "soort": kind},
                            "pogingen": 0,
                        }
                    )
                    next_id += 1
            await uow.session.execute(insert(Taak), reminders)
            await uow.commit()
    async with db.engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


# The find of `JobRepository.claim_due`, as SQL (its UPDATE … WHERE id IN (this) claims).
FIND = """
SELECT taak.id FROM taak
WHERE taak.due_at <= now()
  AND (taak.claimed_at IS NULL OR taak.claimed_at < now() - interval '10 minutes')
ORDER BY taak.due_at LIMIT 20
"""


async def explain(db: Database) -> str:
    async with db.engine.connect() as connection:
        rows = await connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {FIND}"))
        return "\n".join(row[0] for row in rows)


async def ticks(db: Database, count: int) -> tuple[list[float], list[float]]:
    """(claim only, full batch) in milliseconds."""
    claim_ms, batch_ms = [], []
    config = Config()
    for number in range(count):
        started = time.perf_counter()
        async with db.unit_of_work() as uow:
            claimed = await uow.jobs.claim_due(
                f"bench-{number}", dt.datetime.now(dt.UTC), jobs.LEASE
            )
        claim_ms.append((time.perf_counter() - started) * 1000)
        await jobs._run_one_offs(
            db, config, f"bench-{number}", list(claimed), dt.datetime.now(dt.UTC)
        )
        batch_ms.append((time.perf_counter() - started) * 1000)
    return claim_ms, batch_ms


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"{name}: median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(values):.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=150)
    parser.add_argument("--database", help="postgresql+asyncpg URL of an empty database")
    args = parser.parse_args()
    server = None
    url = args.database
    if url is None:
        from tests.conftest import _fresh_postgres_url
        from tests.pg import PostgresServer

        server = PostgresServer()
        server.start()
        url = await _fresh_postgres_url(server)
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        started = time.perf_counter()
        await populate(db, args.actions)
        async with db.unit_of_work() as uow:
            actions = await uow.session.scalar(text("SELECT count(*) FROM actie"))
            reminders = await uow.session.scalar(text("SELECT count(*) FROM taak"))
        print(
            f"{actions} actions, {reminders} scheduled rows ({time.perf_counter() - started:.0f} s)"
        )
        print(await explain(db))
        claim_ms, batch_ms = await ticks(db, args.ticks)
        print(summary("tick (find + claim 20 due reminders, commit)", claim_ms))
        print(summary("batch (tick + recipients + queue 20 messages + remove rows)", batch_ms))
        print(await explain(db))
    finally:
        await db.dispose()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
