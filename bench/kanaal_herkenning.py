"""How long the check of a channel message for residents' identifiers takes (issue #10).

    python bench/kanaal_herkenning.py [--casussen 1000] [--messages 500] [--database-url URL]

Fills a fresh database (SQLite in a temp folder unless --database-url names an empty one) with
N casussen, each with a resident and the digests the referral writes, then times
`CasusRepository.names_a_resident` for typical channel messages: a short command (no hit), a
long message of 200 words (no hit) and one that names a resident (a hit), each in its own unit
of work (the baseline line is a unit of work with one trivial SELECT). Beside it, for
comparison, the naive way: read every resident and run the redactor over the message.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from store import herkenning
from store.access import issue
from store.db import Database
from store.migrate import upgrade
from store.models import (
    Aanmelding,
    Casus,
    Gemeente,
    Persoonsgegevens,
    Professional,
)
from store.privacy import identifiers_of, name_key, redact

TENANT = "bench-tenant"
FIRST = ["Kevin", "Priya", "Mohamed", "Anna", "Daan", "Sara", "Noah", "Lotte", "Finn", "Eva"]
LAST = ["Oudeman", "Ramdin", "el Idrissi", "van der Berg", "Kuipers", "de Graaf", "Yilmaz"]


async def fill(db: Database, count: int) -> None:
    rng = random.Random(7)
    async with db.unit_of_work() as uow:
        gemeente = Gemeente(naam="Benchstad")
        aanmelder = Professional(tenant_id=TENANT, aad_object_id="a", naam="Aanmelder")
        uow.session.add_all([gemeente, aanmelder])
        await uow.session.flush()
        for number in range(1, count + 1):
            casus = Casus(
                code=f"PGA-2026-{number:03d}",
                gemeente_id=gemeente.id,
                status="opgenomen",
                doelgroep="volwassene",
                urgentie="normaal",
            )
            uow.session.add(casus)
            await uow.session.flush()
            naam = f"{rng.choice(FIRST)} {rng.choice(LAST)}{number}"
            persoon = Persoonsgegevens(
                casus_id=casus.id,
                naam=naam,
                naam_sleutel=name_key(naam),
                geboortedatum=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20000)),
                woonplaats="Benchstad",
                adres=f"Dorpsstraat {number}",
                postcode=f"{1000 + number % 9000} AB",
            )
            uow.session.add(persoon)
            uow.session.add(
                Aanmelding(
                    casus_id=casus.id,
                    aanmelder_id=aanmelder.id,
                    criteria={},
                    leefgebieden=[],
                    partner_ids=[],
                    reden="r",
                    bewoner_geinformeerd=True,
                )
            )
            await herkenning.index(uow.session, casus.id, persoon)
        await uow.commit()


async def timed(label: str, repeat: int, call: Callable[[], Awaitable[bool]]) -> None:
    samples = []
    result = False
    for _ in range(repeat):
        start = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(
        f"{label:<46} hit={result!s:<5} p50 {statistics.median(samples):6.2f} ms  p99 {p99:6.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--casussen", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite+aiosqlite:///{Path(folder.name) / 'bench.sqlite3'}"
    db = Database.from_url(url)
    await upgrade(db.engine)
    await fill(db, args.casussen)
    async with db.unit_of_work() as uow:
        last = await uow.session.scalar(
            select(Persoonsgegevens.naam).order_by(Persoonsgegevens.casus_id.desc())
        )
    surname = str(last).split()[-1]
    requester = issue(1, TENANT, "a", "channel-1", "channel")
    words = [
        "de",
        "buren",
        "melden",
        "weer",
        "overlast",
        "bij",
        "het",
        "winkelcentrum",
        "na",
        "sluitingstijd",
    ]
    messages = {
        "short command, no hit": "tijdlijn PGA-2026-014",
        "200 words, no hit": " ".join(random.Random(1).choice(words) for _ in range(200)),
        "names a resident (surname alone)": f"gisteren zag ik {surname} bij het station",
    }
    print(f"{args.casussen} casussen, {args.messages} messages each, {db.engine.dialect.name}")

    async def baseline() -> bool:
        async with db.unit_of_work() as uow:
            return await uow.session.scalar(select(Casus.id).limit(1)) is None

    await timed("baseline: a unit of work with one SELECT", args.messages, baseline)
    for label, text in messages.items():

        async def indexed(text: str = text) -> bool:
            async with db.unit_of_work() as uow:
                return await uow.casussen.names_a_resident(requester, text)

        await timed(f"indexed: {label}", args.messages, indexed)
    for label, text in messages.items():

        async def naive(text: str = text) -> bool:
            async with db.unit_of_work() as uow:
                rows = (await uow.session.scalars(select(Persoonsgegevens))).all()
                return any(redact(text, identifiers_of(p)) != text for p in rows)

        await timed(f"naive (every resident): {label}", max(5, args.messages // 50), naive)
    await db.dispose()
    folder.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
