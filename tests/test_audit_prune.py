"""The audit log's own term (#13): events older than AUDIT_RETENTION_DAYS are removed by the
owner (`python -m store.audit prune`); the chain still verifies from the kept anchor, and
any later change or removal is still found. The log holds codes, never identity."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text

from store.audit import prune, verify_chain
from store.db import Database
from store.migrate import upgrade
from store.models import AuditAnker
from tests.test_audit_chain import ROOT, app_db, stored, tamper, write_events

__all__ = ["app_db"]  # the PostgreSQL fixture with the owner and runtime roles


async def test_pruning_keeps_the_rest_of_the_chain_provable(db: Database) -> None:
    await write_events(db, 3, who="oud")
    await asyncio.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)
    await asyncio.sleep(0.01)
    await write_events(db, 3, who="nieuw")
    before = await stored(db.engine)
    report = await prune(db.engine, cut)
    after = await stored(db.engine)
    removed = [row for row in before if row.details.startswith("oud")]
    assert report.removed == len(removed) == 3
    assert [row.details for row in after] == ["nieuw 0", "nieuw 1", "nieuw 2"]
    assert report.anchor == after[0].prev_hash == removed[-1].hash
    assert (await verify_chain(db.engine)).count == 3
    async with db.engine.connect() as connection:
        (anchor,) = (await connection.execute(select(AuditAnker))).all()
    assert anchor.laatste_id == removed[-1].id and anchor.verwijderd == report.removed
    # Nothing older: nothing removed, no new anchor.
    assert (await prune(db.engine, cut)).removed == 0
    # Still append-only for the application, and tamper-evident after the anchor.
    await write_events(db, 1, who="later")
    assert (await verify_chain(db.engine)).count == 4
    await tamper(db, "DELETE FROM audit_event WHERE id = :id", id=after[0].id)
    broken = await verify_chain(db.engine)
    assert (broken.broken_id, broken.problem) == (after[1].id, "link")


async def test_the_sqlite_log_refuses_deletes_again_after_pruning(sqlite_db: Database) -> None:
    await write_events(sqlite_db, 2)
    await prune(sqlite_db.engine, dt.datetime.now(dt.UTC))
    await write_events(sqlite_db, 1)
    with pytest.raises(Exception, match="append-only"):
        async with sqlite_db.engine.begin() as connection:
            await connection.execute(text("DELETE FROM audit_event"))


def test_prune_command_uses_the_audit_term(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}"

    async def prepare() -> None:
        database = Database.from_url(url)
        try:
            await upgrade(database.engine)
            await write_events(database, 3)
        finally:
            await database.dispose()

    asyncio.run(prepare())

    def run(command: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "store.audit", command],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    kept = run("prune", AUDIT_RETENTION_DAYS="1825")
    assert kept.returncode == 0 and kept.stdout.startswith("Geen gebeurtenissen van voor")
    wrong = run("prune", AUDIT_RETENTION_DAYS="vijf")
    assert wrong.returncode == 2 and "heel getal" in wrong.stderr
    # A term that ends in the future: every event so far is past it.
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    asyncio.run(_prune_at(url, future))
    intact = run("verify")
    assert intact.returncode == 0 and "Auditlog intact: 0 gebeurtenissen." in intact.stdout


async def _prune_at(url: str, moment: dt.datetime) -> None:
    database = Database.from_url(url)
    try:
        assert (await prune(database.engine, moment)).removed == 3
    finally:
        await database.dispose()


async def test_the_runtime_role_cannot_prune_or_move_the_anchor(app_db: Database) -> None:
    await write_events(app_db, 2)
    with pytest.raises(Exception, match="must be owner"):
        await prune(app_db.engine, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    with pytest.raises(Exception, match="permission denied"):
        async with app_db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO audit_anker (pruned_at, ouder_dan, verwijderd, laatste_id, hash) "
                    "VALUES (now(), now(), 0, 0, 'x')"
                )
            )
    report = await verify_chain(app_db.engine)
    assert (report.intact, report.count) == (True, 2)
