"""Generated overleggen (issue #10, done-when): residents with generated names and birth
dates, typed on the cards in any case or by surname alone, discussed with a mix of betrokken
and adviserend attendees. No channel post, shared card, adviser's message or log line holds a
name, surname or birth date of any of them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import router
from store.db import Database
from store.demo import seed
from store.migrate import upgrade
from tests.helpers import future_date, professional_id
from tests.test_koppelen import link
from tests.test_overleg import (
    _channel,
    channel_cards,
    check_in,
    discussion_card,
    opgenomen,
    plain,
    press,
    started,
)
from tests.test_verslag import fetch_anonymised, word_text
from tests.test_voortraject import pending_texts

FIRST = st.sampled_from(["Zoë", "François", "Noah", "Fatma", "Jan-Willem", "Anouk", "Mehmet"])
SURNAME = st.text(alphabet="bcdfghjklmnprstvwz", min_size=3, max_size=4).map(
    lambda s: f"{s[0].upper()}{s[1:]}oven"  # e.g. Krtoven: in no Dutch word the bot writes
)
# Within the demo's doelgroep jeugd (16 to 27 years).
BORN = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2008, 6, 30))
RESIDENT = st.tuples(FIRST, SURNAME, BORN)
Resident = tuple[str, str, dt.date]
CASING = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])
ROLE = st.sampled_from([None, "betrokken", "adviserend"])


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    residents=st.lists(RESIDENT, min_size=2, max_size=3, unique_by=lambda r: r[1]),
    casing=CASING,
    ahmed=ROLE,
    linda=ROLE,
)
async def test_generated_overleggen_never_name_a_resident_where_it_is_shared(
    tmp_path, config, caplog, residents, casing, ahmed, linda
):
    def typed_ways(resident: Resident, other: Resident) -> tuple[str, ...]:
        first, surname, born = resident
        return (
            casing(f"{first} {surname}"),
            casing(surname),
            born.strftime("%d-%m-%Y"),
            f"{other[0]} {other[1]}",
        )

    async with fresh_database(tmp_path) as database:
        seen = await discuss(database, config, caplog, residents, typed_ways, casing, ahmed, linda)
    everything = seen.everything.lower()
    advisers = seen.advisers.lower()
    for first, surname, born in residents:
        for identifier in (surname, f"{first} {surname}", born.isoformat(), f"{born:%d-%m-%Y}"):
            assert identifier.lower() not in everything, identifier
            assert identifier.lower() not in advisers, identifier


@asynccontextmanager
async def fresh_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, seeded SQLite database of its own for one generated example."""
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / uuid.uuid4().hex}.sqlite3")
    try:
        await upgrade(database.engine)
        await seed(database)
        yield database
    finally:
        await database.dispose()


@dataclass(frozen=True)
class Seen:
    """What left the private spaces of an overleg: channel posts and shared cards, the
    anonymised minutes and the log lines (`everything`), and what advisers were sent."""

    everything: str
    advisers: str


async def discuss(
    db: Database,
    config: Any,
    caplog: Any,
    residents: Sequence[Resident],
    typed_ways: Callable[[Resident, Resident], Sequence[str]],
    surname_typed: Callable[[str], str],
    ahmed: str | None,
    linda: str | None,
    naam_typed: Callable[[Resident], str] = lambda r: f"{r[0]} {r[1]}",
) -> Seen:
    """Refer `residents` (the name as `naam_typed` types it), link Ahmed and Linda in the
    roles given, discuss each casus with a besluit for every one of `typed_ways` and an
    afspraak naming `surname_typed(surname)`, close the overleg and fetch its anonymised
    minutes."""
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    cases = []
    for resident in residents:
        born = resident[2]
        cases.append(
            await opgenomen(db, config, naam=naam_typed(resident), geboren=born.isoformat())
        )
    for who, rol in (("a4", ahmed), ("a5", linda)):
        if rol:
            await link(db, config, cases[0][1], who, rol=rol)
    before = len(await channel_cards(db))
    oid = await started(db, config, *cases, chair="a6")
    shared = []
    for who in ("a1", "a4", "a5"):
        shared.append((await check_in(db, config, who, oid)).card or {})
    sanne = str(await professional_id(db, "a3"))
    for index, (code, _) in enumerate(cases):
        resident = residents[index]
        other = residents[(index + 1) % len(residents)]
        card = await discussion_card(db, code)
        for typed in typed_ways(resident, other):
            outcome = await press(
                db,
                config,
                "a6",
                "bespreking.besluit",
                card,
                uitkomst="overig",
                toelichting=f"Gesprek met {typed}",
            )
            assert "Besluit vastgelegd" in plain(outcome.card), outcome.text
            shared.append(card := outcome.card or {})
        agreed = await press(
            db,
            config,
            "a1",
            "bespreking.afspraak",
            card,
            afspraak=f"{surname_typed(resident[1])} bellen",
            eigenaar=sanne,
            deadline=future_date(5),
        )
        assert "Afspraak vastgelegd" in plain(agreed.card), agreed.text
        shared.append(agreed.card or {})
    await router.handle_text(db, config, _channel("a6"), "<at>Casusoverleg</at> overleg afronden")
    minutes = word_text(await fetch_anonymised(db, config, "a6", oid))

    posts = (await channel_cards(db))[before:]
    adviser = (
        [
            *await pending_texts(db, await professional_id(db, "a5")),
            *(
                await pending_texts(db, await professional_id(db, "a4"))
                if ahmed == "adviserend"
                else []
            ),
        ]
        if "adviserend" in (ahmed, linda)
        else []
    )
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiosqlite")
    return Seen(
        everything=json.dumps([*posts, *shared], ensure_ascii=False) + logged + minutes,
        advisers=json.dumps(adviser, ensure_ascii=False),
    )
