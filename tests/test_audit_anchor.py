"""Removing the newest audit events is found once the chain's head is kept outside the
database (#20.5, DESIGN §3.5): `anchor` writes the head, `verify --anchor FILE` fails when an
anchored event is gone or was rewritten; only the audit term may remove an anchored event."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import insert

from store.audit import GENESIS, event_hash, prune, verify_chain
from store.audit_anchor import Anchor, read_anchors
from store.db import Database
from store.migrate import upgrade
from store.models import AuditAnker, AuditEvent, utcnow
from tests.test_audit_chain import ROOT, stored, tamper, write_events


async def head_anchor(db: Database) -> Anchor:
    anchor = (await verify_chain(db.engine)).anchor()
    assert anchor is not None
    return anchor


async def test_deleting_the_newest_events_breaks_the_anchor(db: Database) -> None:
    await write_events(db, 5)
    anchor = await head_anchor(db)
    assert anchor.count == 5
    await write_events(db, 2, who="na het anker")
    newest = [row.id for row in await stored(db.engine)][-4:]
    await tamper(db, "DELETE FROM audit_event WHERE id >= :id", id=newest[0])

    # Without the anchor the shorter chain still verifies: the gap this closes.
    assert (await verify_chain(db.engine)).intact
    report = await verify_chain(db.engine, [anchor])
    assert not report.intact
    assert report.message().startswith("Auditlog onvolledig: het anker van ")
    assert f"noemt gebeurtenis {anchor.last_id}, maar die staat niet meer" in report.message()


async def test_a_rewritten_tail_breaks_the_anchor(db: Database) -> None:
    await write_events(db, 3)
    anchor = await head_anchor(db)
    rows = await stored(db.engine)
    # Rewrite the newest event with a hash that fits its new content: the chain verifies.
    fields = {"at": utcnow(), "event": "x", "action": "R", "outcome": "success"}
    forged = event_hash(fields, rows[-2].hash)
    await tamper(db, "DELETE FROM audit_event WHERE id = :id", id=rows[-1].id)
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(AuditEvent).values(
                id=rows[-1].id, **fields, prev_hash=rows[-2].hash, hash=forged
            )
        )
    assert (await verify_chain(db.engine)).intact  # the chain alone is fooled
    report = await verify_chain(db.engine, [anchor])
    assert report.broken_id is None and report.anchor_breaks[0].found_hash == forged
    assert report.message().startswith(f"Auditlog herschreven: gebeurtenis {anchor.last_id}")


async def test_events_after_the_anchor_and_old_anchors_still_verify(db: Database) -> None:
    await write_events(db, 2)
    first = await head_anchor(db)
    await write_events(db, 2)
    second = await head_anchor(db)
    await write_events(db, 1)
    report = await verify_chain(db.engine, [first, second])
    assert report.intact and report.count == 5
    assert report.last_id == (await stored(db.engine))[-1].id


async def test_only_the_audit_term_may_remove_an_anchored_event(db: Database) -> None:
    await write_events(db, 3, who="oud")
    anchor = await head_anchor(db)
    await asyncio.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)
    await asyncio.sleep(0.01)
    await write_events(db, 2, who="nieuw")
    await prune(db.engine, cut)

    # Pruned by the term (the anchored event is older than it): fine.
    assert (await verify_chain(db.engine, [anchor], term_start=utcnow())).intact
    # The same prune, but the anchored event is younger than the audit term: someone wrote a
    # prune row to excuse a deletion.
    long_ago = utcnow() - dt.timedelta(days=3650)
    report = await verify_chain(db.engine, [anchor], term_start=long_ago)
    assert not report.intact and report.anchor_breaks[0].found_hash is None


async def test_a_forged_prune_row_does_not_excuse_removing_recent_events(db: Database) -> None:
    await write_events(db, 4)
    anchor = await head_anchor(db)
    rows = await stored(db.engine)
    await tamper(db, "DELETE FROM audit_event WHERE id >= :id", id=rows[0].id)
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(AuditAnker).values(
                pruned_at=utcnow(),
                ouder_dan=utcnow() + dt.timedelta(days=1),
                verwijderd=4,
                laatste_id=rows[-1].id,
                hash=rows[-1].hash,
            )
        )
    assert (await verify_chain(db.engine)).intact  # the chain alone is fooled
    term_start = utcnow() - dt.timedelta(days=1825)
    assert not (await verify_chain(db.engine, [anchor], term_start=term_start)).intact


async def test_an_empty_log_has_no_anchor(db: Database) -> None:
    report = await verify_chain(db.engine)
    assert report.intact and report.head == GENESIS and report.anchor() is None


def _cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "store.audit", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_anchor_and_verify_commands(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}"
    anchors = tmp_path / "ankers.jsonl"

    async def run(step: str) -> None:
        database = Database.from_url(url)
        try:
            if step == "prepare":
                await upgrade(database.engine)
                await write_events(database, 3)
            elif step == "more":
                await write_events(database, 2)
            else:
                newest = (await stored(database.engine))[-3].id
                await tamper(database, "DELETE FROM audit_event WHERE id >= :id", id=newest)
        finally:
            await database.dispose()

    asyncio.run(run("prepare"))
    written = _cli("anchor", "--file", str(anchors), url=url)
    assert written.returncode == 0, written.stderr
    assert f"Anker toegevoegd aan {anchors}." in written.stdout
    (anchor,) = read_anchors(anchors)
    assert anchor.count == 3

    printed = _cli("anchor", url=url)  # to stdout, for the platform's log stream
    assert printed.returncode == 0 and "casusoverleg-audit-anker-v1" in printed.stdout
    assert printed.stderr.startswith("Auditlog intact: 3 gebeurtenissen.")

    asyncio.run(run("more"))
    intact = _cli("verify", "--anchor", str(anchors), url=url)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "Laatste hash: " in intact.stdout and "5 in totaal" in intact.stdout

    asyncio.run(run("cut"))  # the anchored event and the two after it
    assert _cli("verify", url=url).returncode == 0
    cut = _cli("verify", "--anchor", str(anchors), url=url)
    assert cut.returncode == 1
    assert cut.stdout.startswith("Auditlog onvolledig: het anker van ")

    anchors.write_text("casusoverleg-audit-anker-v1 {kapot\n")
    broken_file = _cli("verify", "--anchor", str(anchors), url=url)
    assert broken_file.returncode == 2
    assert "is geen geldig anker" in broken_file.stderr
    missing = _cli("verify", "--anchor", str(tmp_path / "weg.jsonl"), url=url)
    assert missing.returncode == 2 and "Ankerbestand niet te lezen" in missing.stderr
