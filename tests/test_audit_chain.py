"""The audit log is tamper-evident (a hash chain) and append-only by privilege (DESIGN §3.5).

On SQLite and on a real PostgreSQL server: the chain verifies after normal and concurrent
writes, a changed or deleted event is named, SQLite refuses INSERT OR REPLACE, and on
PostgreSQL the runtime role can only append to the log and read it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from store.audit import GENESIS, HASHED_FIELDS, ChainReport, event_hash, verify_chain
from store.db import Database
from store.migrate import alembic_config, migrate, runtime_role_from_env, upgrade
from store.models import AuditEvent, Casus, Gemeente
from tests.pg import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
ROLES_SQL = ROOT / "deployment" / "sql" / "roles.sql"
OWNER, APP = "casusoverleg_owner", "casusoverleg_app"


async def write_events(db: Database, count: int, who: str = "tester") -> None:
    async with db.unit_of_work() as uow:
        for number in range(count):
            uow.audit.record("casus.bekijken", "R", details=f"{who} {number}", actor_object_id=who)
        await uow.commit()


async def stored(engine: AsyncEngine) -> list[Any]:
    table = AuditEvent.__table__
    async with engine.connect() as connection:
        query = select(table.c.id, table.c.details, table.c.prev_hash, table.c.hash)
        return list((await connection.execute(query.order_by(table.c.id))).all())


async def tamper(db: Database, statement: str, **params: Any) -> None:
    """Change the log behind the application's back, as the owner or a superuser could."""
    async with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            await connection.execute(text(statement), params)
            await connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        else:
            for trigger in ("no_update", "no_delete"):
                await connection.execute(text(f"DROP TRIGGER IF EXISTS audit_event_{trigger}"))
            await connection.execute(text(statement), params)


async def test_chain_verifies_after_normal_writes(db: Database) -> None:
    async with db.unit_of_work() as uow:
        uow.audit.record("casus.bekijken", "R", details="eerste", actor_object_id="a")
        await uow.audit.events()  # a query flushes: the event still waits for the commit
        uow.audit.record("casus.bekijken", "R", details="tweede", actor_object_id="a")
        await uow.commit()
    await write_events(db, 3)
    async with db.unit_of_work() as uow:
        uow.audit.record("casus.bekijken", "R", details="teruggedraaid", actor_object_id="a")
        await uow.rollback()
        uow.audit.record("casus.bekijken", "R", details="na rollback", actor_object_id="a")
        await uow.commit()

    rows = await stored(db.engine)
    assert [row.details for row in rows] == [
        "eerste",
        "tweede",
        "tester 0",
        "tester 1",
        "tester 2",
        "na rollback",
    ]
    assert rows[0].prev_hash == GENESIS
    assert all(row.prev_hash == before.hash for before, row in itertools.pairwise(rows))
    report = await verify_chain(db.engine)
    assert report == ChainReport(count=6, head=rows[-1].hash)
    assert report.message() == "Auditlog intact: 6 gebeurtenissen."


async def test_refusals_kept_after_a_rollback_are_chained(db: Database) -> None:
    await write_events(db, 2)
    async with db.unit_of_work() as uow:
        uow.audit.record("casus.bekijken", "R", details="gelukt", actor_object_id="a")
        uow.audit.record("identiteit.bekijken", "R", outcome="denied", actor_object_id="a")
        await uow.audit.events()  # flushed before the refusal is kept
        await uow.commit_refusals_only()
    rows = await stored(db.engine)
    assert [row.details for row in rows] == ["tester 0", "tester 1", None]
    assert (await verify_chain(db.engine)).intact


async def test_events_of_an_unfinished_transaction_are_not_written(db: Database) -> None:
    uow = db.unit_of_work()
    async with uow:
        uow.audit.record("casus.bekijken", "R", details="nooit gecommit")
        await uow.audit.events()  # flushed: waits for a commit that never comes
    async with uow:  # the same session again after close()
        uow.audit.record("casus.bekijken", "R", details="buiten")
        savepoint = await uow.session.begin_nested()
        uow.audit.record("casus.bekijken", "R", details="savepoint teruggedraaid")
        await uow.audit.events()
        await savepoint.rollback()
        async with uow.session.begin_nested():
            uow.audit.record("casus.bekijken", "R", details="savepoint vastgelegd")
            await uow.audit.events()
        await uow.commit()
    rows = await stored(db.engine)
    assert [row.details for row in rows] == ["buiten", "savepoint vastgelegd"]
    assert (await verify_chain(db.engine)).count == 2


async def test_changed_event_is_reported_at_that_event(db: Database) -> None:
    await write_events(db, 5)
    target = (await stored(db.engine))[2].id
    await tamper(db, "UPDATE audit_event SET details = 'niets gezien' WHERE id = :id", id=target)
    report = await verify_chain(db.engine)
    assert (report.broken_id, report.problem, report.count) == (target, "hash", 2)
    assert report.message().startswith(f"Auditlog verbroken bij gebeurtenis {target}: de hash")


async def test_deleted_event_is_reported_at_the_next(db: Database) -> None:
    await write_events(db, 5)
    ids = [row.id for row in await stored(db.engine)]
    await tamper(db, "DELETE FROM audit_event WHERE id = :id", id=ids[2])
    report = await verify_chain(db.engine)
    assert (report.broken_id, report.problem, report.previous_id) == (ids[3], "link", ids[1])
    assert f"vorige gebeurtenis ({ids[1]})" in report.message()
    await tamper(db, "DELETE FROM audit_event WHERE id = :id", id=ids[0])
    first = await verify_chain(db.engine)
    assert (first.broken_id, first.problem, first.count) == (ids[1], "link", 0)


async def test_event_without_hash_is_refused(db: Database) -> None:
    with pytest.raises(Exception, match="chained"):
        async with db.engine.begin() as connection:
            await connection.execute(
                insert(AuditEvent.__table__).values(
                    at=dt.datetime.now(dt.UTC), event="buiten.de.keten", action="R", outcome="ok"
                )
            )


async def test_sqlite_refuses_to_replace_an_event(sqlite_db: Database) -> None:
    await write_events(sqlite_db, 3)
    before = await stored(sqlite_db.engine)
    target = before[1].id
    columns = "id, at, event, action, outcome, prev_hash, hash"
    copy = f"SELECT {columns}, 'vervalst' FROM audit_event WHERE id = {target}"
    attempts = [
        f"INSERT OR REPLACE INTO audit_event ({columns}, details) {copy}",
        f"REPLACE INTO audit_event ({columns}, details) {copy}",
        f"INSERT INTO audit_event ({columns}, details) {copy} "
        "ON CONFLICT (id) DO UPDATE SET details = excluded.details",
        f"INSERT OR REPLACE INTO audit_event ({columns}, details) "
        f"SELECT -1, at, event, action, outcome, prev_hash, hash, 'x' FROM audit_event "
        f"WHERE id = {target}",
        "UPDATE audit_event SET details = 'vervalst'",
        "DELETE FROM audit_event",
    ]
    for recursive in ("OFF", "ON"):
        for statement in attempts:
            with pytest.raises(Exception, match="append-only"):
                async with sqlite_db.engine.begin() as connection:
                    await connection.execute(text(f"PRAGMA recursive_triggers = {recursive}"))
                    await connection.execute(text(statement))
    assert await stored(sqlite_db.engine) == before
    assert (await verify_chain(sqlite_db.engine)).intact


async def test_concurrent_writers_keep_one_chain(db: Database) -> None:
    async def writer(name: str) -> None:
        for number in range(25):
            async with db.unit_of_work() as uow:
                uow.audit.record("casus.bekijken", "R", details=f"{name} {number}a")
                if number % 3 == 0:
                    await uow.audit.events(casus_id=-1)  # a flush in between
                uow.audit.record("casus.bekijken", "R", details=f"{name} {number}b")
                await uow.commit()

    await asyncio.gather(*(writer(f"w{n}") for n in range(4)))
    report = await verify_chain(db.engine)
    assert report.intact, report.message()
    assert report.count == 200


async def test_migration_chains_events_written_before_it(database_url: str) -> None:
    database = Database.from_url(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0002")
            for number in range(4):
                values = {
                    "at": dt.datetime(2026, 1, 2, 3, 4, 5, 678900 + number, tzinfo=dt.UTC),
                    "event": "casus.bekijken",
                    "action": "R",
                    "outcome": "success",
                    "casus_id": number,
                    "details": f"oud {number}",
                }
                await connection.execute(insert(AuditEvent.__table__).values(**values))
        await upgrade(database.engine)
        await write_events(database, 2)
        rows = await stored(database.engine)
        assert rows[0].prev_hash == GENESIS and rows[4].prev_hash == rows[3].hash
        assert (await verify_chain(database.engine)).count == 6
    finally:
        await database.dispose()


def _upgrade_to(connection: Any, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def test_hash_covers_every_field_of_an_event() -> None:
    columns = {column.key for column in AuditEvent.__table__.columns}
    assert columns - {"id", "prev_hash", "hash"} == set(HASHED_FIELDS)


def test_timestamps_hash_alike_however_a_database_returns_them() -> None:
    utc = dt.datetime(2026, 3, 29, 1, 30, 0, 120, tzinfo=dt.UTC)
    fields = {"event": "casus.bekijken", "action": "R", "outcome": "success", "casus_id": 7}
    as_written = event_hash({**fields, "at": utc}, GENESIS)
    assert event_hash({**fields, "at": utc.replace(tzinfo=None)}, GENESIS) == as_written
    amsterdam = utc.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert event_hash({**fields, "at": amsterdam}, GENESIS) == as_written
    assert event_hash({**fields, "at": utc, "casus_id": "7"}, GENESIS) == as_written
    assert event_hash({**fields, "at": utc}, "1" * 64) != as_written


def test_verify_command_reports_in_dutch(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> int:
        database = Database.from_url(url)
        try:
            await upgrade(database.engine)
            await write_events(database, 3)
            return int((await stored(database.engine))[1].id)
        finally:
            await database.dispose()

    target = asyncio.run(prepare())
    env = {**os.environ, "DATABASE_URL": url}

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "store.audit", "verify"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    intact = verify()
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.splitlines()[0] == "Auditlog intact: 3 gebeurtenissen."

    async def change() -> None:
        database = Database.from_url(url)
        try:
            await tamper(database, "UPDATE audit_event SET outcome = 'x' WHERE id = :id", id=target)
        finally:
            await database.dispose()

    asyncio.run(change())
    broken = verify()
    assert broken.returncode == 1
    assert broken.stdout.startswith(f"Auditlog verbroken bij gebeurtenis {target}: de hash")


# --- PostgreSQL: the runtime role may only append to the log -------------------------------


async def _as_superuser(server: PostgresServer, database: str, sql: str) -> None:
    connection = await asyncpg.connect(server.dsn(database))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
async def app_db(postgres_server: PostgresServer, postgres_database: str) -> Any:
    """deployment/sql/roles.sql applied, migrated as the owner, connected as the app role."""
    server, name = postgres_server, postgres_database
    await _as_superuser(server, name, ROLES_SQL.read_text())
    await migrate(server.url(name, APP), migration_url=server.url(name, OWNER))
    database = Database.from_url(server.url(name, APP))
    try:
        yield database
    finally:
        await database.dispose()


async def test_runtime_role_may_only_append_to_the_audit_log(app_db: Database) -> None:
    await write_events(app_db, 3)  # INSERT, and the chain head under the lock
    async with app_db.unit_of_work() as uow:  # other tables: ordinary DML
        gemeente = Gemeente(naam="Teststad")
        uow.session.add(gemeente)
        await uow.session.flush()
        casus = Casus(code="T-1", gemeente_id=gemeente.id, status="aangemeld")
        casus.doelgroep, casus.urgentie = "jeugd", "normaal"
        uow.session.add(casus)
        await uow.session.flush()
        casus.status = "afgesloten"
        await uow.session.flush()
        await uow.session.delete(casus)
        await uow.commit()

    refused = {
        "ALTER TABLE audit_event DISABLE TRIGGER USER": "must be owner",
        "DELETE FROM audit_event": "permission denied",
        "UPDATE audit_event SET details = 'x'": "permission denied",
        "TRUNCATE audit_event": "permission denied",
        "INSERT INTO audit_event (id, at, event, action, outcome, prev_hash, hash) "
        "SELECT id, at, event, action, outcome, prev_hash, hash FROM audit_event "
        "ON CONFLICT (id) DO UPDATE SET details = 'x'": "permission denied",
        "DROP TABLE audit_event": "must be owner",
        "ALTER FUNCTION audit_append(text) RENAME TO x": "must be owner",
        "CREATE TABLE schaduw (id int)": "permission denied",
        f"SET ROLE {OWNER}": "permission denied",
        "UPDATE alembic_version SET version_num = version_num": "permission denied",
    }
    for statement, error in refused.items():
        with pytest.raises(Exception, match=error):
            async with app_db.engine.begin() as connection:
                await connection.execute(text(statement))
    report = await verify_chain(app_db.engine)  # SELECT works
    assert (report.intact, report.count) == (True, 3)


async def test_grants_are_idempotent_and_refuse_an_owning_runtime_role(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    server, name = postgres_server, postgres_database
    await _as_superuser(server, name, ROLES_SQL.read_text())
    owner = server.url(name, OWNER)
    for _ in range(2):
        await migrate(server.url(name, APP), migration_url=owner, runtime_role=APP)
    await _as_superuser(server, name, ROLES_SQL.read_text())  # re-running the SQL is harmless
    connection = await asyncpg.connect(server.dsn(name))
    try:
        privileges = await connection.fetch(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = $1 AND table_name = 'audit_event'",
            APP,
        )
    finally:
        await connection.close()
    assert sorted(row["privilege_type"] for row in privileges) == ["INSERT", "SELECT"]
    with pytest.raises(RuntimeError, match="acts as the owner"):
        await migrate(owner, migration_url=owner, runtime_role=OWNER)


def test_runtime_role_comes_from_the_environment() -> None:
    owner = "postgresql+asyncpg://casusoverleg_owner:x@db/casusoverleg"
    app = "postgresql+asyncpg://casusoverleg_app:y@db/casusoverleg"
    assert runtime_role_from_env({"DATABASE_MIGRATION_URL": owner, "DATABASE_URL": app}) == APP
    assert runtime_role_from_env({"DATABASE_URL": app}) is None
    assert runtime_role_from_env({"DATABASE_MIGRATION_URL": app, "DATABASE_URL": app}) is None
    assert runtime_role_from_env({"DATABASE_RUNTIME_ROLE": "bot", "DATABASE_URL": app}) == "bot"
