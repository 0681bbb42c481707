"""The store on SQLite and on a real PostgreSQL server: schema, authorisation, audit, outbox."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import text

from store.access import AccessDenied, Need, PersonalSpaceRequired, Requester, issue
from store.db import Database
from store.demo import DEMO_TENANT, seed
from store.models import utcnow
from store.outbox import PrivateMessage
from store.views import Checklist
from tests.inspect import casus_row


def requester(professional_id: int, conversation_type: str = "personal") -> Requester:
    return issue(
        professional_id,
        DEMO_TENANT,
        f"obj-{professional_id}",
        f"conv-{professional_id}",
        conversation_type,
    )


async def make_casus(db: Database, aanmelder: int, naam: str = "Kevin Oudeman") -> int:
    async with db.unit_of_work() as uow:
        gemeente = (await uow.people.gemeenten())[0]
        casus = await uow.casussen.create(
            gemeente_id=gemeente.id,
            doelgroep="jeugd",
            urgentie="normaal",
            persoon={
                "naam": naam,
                "geboortedatum": dt.date(2003, 4, 17),
                "woonplaats": "Zuiderstad",
            },
            aanmelding={
                "criteria": {"overlast": {"voldaan": True}},
                "leefgebieden": [],
                "partner_ids": [],
                "reden": f"{naam} doet iets",
                "bewoner_geinformeerd": True,
                "reden_niet_geinformeerd": None,
            },
            aanmelder=requester(aanmelder),
            link=Checklist("Aanmelding", "art6_1e"),
        )
        await uow.commit()
        return casus.id


@pytest.fixture
async def seeded(db: Database) -> Database:
    await seed(db)
    return db


async def expert_id(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return next(p.id for p in await uow.people.active() if p.pga_gemeente_ids)


async def people_ids(db: Database) -> list[int]:
    """Professionals without a role from their municipality (not PGA-expert)."""
    async with db.unit_of_work() as uow:
        return [p.id for p in await uow.people.active() if not p.pga_gemeente_ids]


async def test_migrations_match_the_models(seeded: Database) -> None:
    """The schema comes only from Alembic, and the migrations describe the models exactly."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from store.migrate import alembic_config
    from store.models import Base

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with seeded.engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert version == head
    assert differences == []


async def test_identity_only_for_linked_professional_in_personal_space(seeded: Database) -> None:
    aanmelder, outsider, *_ = await people_ids(seeded)
    casus_id = await make_casus(seeded, aanmelder)
    async with seeded.unit_of_work() as uow:
        casus = await uow.casussen.open(casus_id, requester(aanmelder), Need.IDENTITEIT)
        persoon = await casus.identiteit("test")
        assert persoon.naam == "Kevin Oudeman"
        with pytest.raises(AccessDenied):
            await uow.casussen.open(casus_id, requester(outsider), Need.IDENTITEIT)
        with pytest.raises(PersonalSpaceRequired):
            await uow.casussen.open(casus_id, requester(aanmelder, "channel"), Need.IDENTITEIT)
        await uow.commit()
    async with seeded.unit_of_work() as uow:
        outcomes = [
            (e.event, e.outcome, e.actor_professional_id, e.origin_conversation_type)
            for e in await uow.audit.events(casus_id)
            if e.event == "identiteit.bekijken"
        ]
    assert outcomes == [
        ("identiteit.bekijken", "success", aanmelder, "personal"),
        ("identiteit.bekijken", "denied", outsider, "personal"),
        ("identiteit.bekijken", "denied", aanmelder, "channel"),
    ]


async def test_audit_log_is_append_only(seeded: Database) -> None:
    aanmelder, *_ = await people_ids(seeded)
    await make_casus(seeded, aanmelder)
    for statement in ("UPDATE audit_event SET outcome = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            async with seeded.engine.begin() as connection:
                await connection.execute(text(statement))
    async with seeded.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM audit_event")) >= 2


async def test_audit_holds_no_identifying_data(seeded: Database) -> None:
    aanmelder, *_ = await people_ids(seeded)
    casus_id = await make_casus(seeded, aanmelder)
    async with seeded.unit_of_work() as uow:
        casus = await uow.casussen.open(casus_id, requester(aanmelder), Need.IDENTITEIT)
        await casus.identiteit("t")
        await uow.commit()
        rows = [str(vars(e)) for e in await uow.audit.events()]
    assert rows and not any("Oudeman" in row or "2003" in row for row in rows)


async def test_concurrent_referrals_get_distinct_codes(seeded: Database) -> None:
    aanmelder, *_ = await people_ids(seeded)
    ids = await asyncio.gather(*(make_casus(seeded, aanmelder, f"Bewoner {i}") for i in range(6)))
    async with seeded.unit_of_work() as uow:
        codes = {(await casus_row(uow, i)).code for i in ids}
    assert len(codes) == 6


async def test_duplicate_check_hides_a_code_without_a_role(seeded: Database) -> None:
    """Only the PGA-expert triages; another gemeente's expert would not see the code."""
    first_aanmelder, second_aanmelder, *_ = await people_ids(seeded)
    expert = await expert_id(seeded)
    first = await make_casus(seeded, first_aanmelder)
    second = await make_casus(seeded, second_aanmelder, naam="KEVIN  oudeman")
    async with seeded.unit_of_work() as uow:
        casus = await uow.casussen.open(second, requester(expert), Need.TRIAGE)
        shown = await casus.possible_duplicates()
        first_code = (await casus_row(uow, first)).code
        with pytest.raises(AccessDenied):
            await uow.casussen.open(second, requester(second_aanmelder), Need.TRIAGE)
        # The expert's role on the first casus ends with her appointment: code hidden.
        await uow.session.execute(text("DELETE FROM pga_expert"))
        await uow.session.execute(
            text(
                "INSERT INTO betrokkene (casus_id, professional_id, rol, doel, grondslag, sinds)"
                " VALUES (:c, :p, 'pga_expert', 'x', 'art6_1e', CURRENT_TIMESTAMP)"
            ),
            {"c": second, "p": expert},
        )
        still = await uow.casussen.open(second, requester(expert), Need.OVERZICHT)
        assert still.roles == {"pga_expert"}
    assert shown == [(first_code, "aangemeld")]


async def test_outbox_is_claimed_once_by_competing_senders(seeded: Database) -> None:
    professional, *_ = await people_ids(seeded)
    async with seeded.unit_of_work() as uow:
        await uow.conversations.remember("p1", "personal", DEMO_TENANT, professional, {"x": 1})
        for n in range(30):
            await uow.berichten.put(PrivateMessage(professional, text=f"bericht {n}"))
        await uow.commit()

    async def claim(worker: str) -> list[int]:
        async with seeded.unit_of_work() as uow:
            return [b.id for b in await uow.berichten.claim(worker, 30, dt.timedelta(minutes=2))]

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 30


async def test_retention_anonymises_closed_cases_only(seeded: Database) -> None:
    aanmelder, *_ = await people_ids(seeded)
    closed, open_ = (
        await make_casus(seeded, aanmelder),
        await make_casus(seeded, aanmelder, "Ander"),
    )
    async with seeded.unit_of_work() as uow:
        casus = await uow.casussen.open(closed, requester(await expert_id(seeded)), Need.TRIAGE)
        await casus.decide_triage("afgewezen")
        await uow.commit()
    async with seeded.unit_of_work() as uow:
        assert await uow.casussen.anonymise_closed(utcnow() - dt.timedelta(days=1)) == 0
        assert await uow.casussen.anonymise_closed(utcnow() + dt.timedelta(days=1)) == 1
        await uow.commit()
    async with seeded.engine.connect() as connection:
        remaining = (await connection.execute(text("SELECT casus_id FROM persoonsgegevens"))).all()
        reden = await connection.scalar(
            text("SELECT reden FROM aanmelding WHERE casus_id = :c"), {"c": closed}
        )
    assert [row[0] for row in remaining] == [open_]
    assert reden == ""


async def test_simultaneous_install_events_store_one_reference(seeded: Database) -> None:
    professional, *_ = await people_ids(seeded)

    async def remember(version: int) -> None:
        async with seeded.unit_of_work() as uow:
            await uow.conversations.remember(
                "a:personal", "personal", DEMO_TENANT, professional, {"v": version}
            )
            await uow.commit()

    await asyncio.gather(*(remember(n) for n in range(5)))
    async with seeded.engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM conversation_ref"))
    assert count == 1


async def test_redactor_hides_the_residents_identifiers(seeded: Database) -> None:
    """DESIGN §3.3: the store's redactor, for free text bound for shared spaces."""
    aanmelder, *_ = await people_ids(seeded)
    casus_id = await make_casus(seeded, aanmelder)
    async with seeded.unit_of_work() as uow:
        casus = await uow.casussen.open(casus_id, requester(aanmelder), Need.OVERZICHT)
        redact_text = (await casus.shared()).redact
    result = redact_text(
        "Kevin Oudeman (17-04-2003, 17 april 2003) is weer gezien; Oudeman zwijgt."
    )
    for fragment in ("Kevin", "Oudeman", "17-04-2003", "17 april 2003"):
        assert fragment not in result
    assert "is weer gezien" in result
