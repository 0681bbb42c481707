"""`python -m store.audit`: verify the audit log's chain, anchor its head, prune past its term.

verify [--anchor FILE]   walk the chain (and check the anchors kept in FILE)
anchor [--file FILE]     verify, then append the chain's head to FILE (default: stdout)
prune                    remove events older than AUDIT_RETENTION_DAYS, as the owner role
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from store.audit import ChainReport, PruneReport, prune, verify_chain
from store.audit_anchor import AnchorFileError, append_anchor, read_anchors
from store.db import create_engine
from store.migrations.env_defaults import DEFAULT_URL
from store.models import utcnow


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m store.audit", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "command",
        choices=["verify", "anchor", "prune"],
        help="verify: controleer de hashketen; anchor: schrijf de kop van de keten weg buiten "
        "de database; prune: verwijder gebeurtenissen ouder dan AUDIT_RETENTION_DAYS (als "
        "eigenaar, DATABASE_MIGRATION_URL)",
    )
    parser.add_argument(
        "--anchor", type=Path, help="verify: controleer ook de ankers in dit bestand"
    )
    parser.add_argument(
        "--file", default="-", help="anchor: voeg het anker toe aan dit bestand (- = stdout)"
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "prune":
        return _prune_command()
    return _verify_command(
        arguments.anchor, arguments.file if arguments.command == "anchor" else None
    )


def _verify_command(anchor_file: Path | None, write_to: str | None) -> int:
    """verify (against the anchors in `anchor_file`), and with `write_to` append the head."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    parsed = make_url(url)
    database = parsed.database or ""
    on_disk = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if on_disk and not os.path.exists(database):
        print(f"Database niet gevonden: {database}", file=sys.stderr)
        return 2
    try:
        anchors = read_anchors(anchor_file) if anchor_file else []
    except AnchorFileError as error:
        print(error, file=sys.stderr)
        return 2
    term = _audit_days()
    if term is None:
        return 2

    async def run() -> ChainReport:
        engine = create_engine(url)
        try:
            return await verify_chain(engine, anchors, utcnow() - dt.timedelta(days=term))
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    print(report.message(), file=sys.stderr if write_to == "-" else sys.stdout)
    if not report.intact:
        return 1
    head = f"Laatste hash: {report.head} (gebeurtenis {report.last_id}, {report.count} in totaal)"
    if anchors:
        head += f"; {len(anchors)} anker(s) kloppen"
    print(head, file=sys.stderr if write_to == "-" else sys.stdout)
    return _write_anchor(report, write_to) if write_to else 0


def _write_anchor(report: ChainReport, write_to: str) -> int:
    anchor = report.anchor()
    if anchor is None:
        print("Het auditlog is leeg: nog niets om vast te leggen.", file=sys.stderr)
        return 0
    if write_to == "-":
        print(anchor.line(), flush=True)
        return 0
    try:
        append_anchor(Path(write_to), anchor)
    except OSError as error:
        print(f"Anker niet geschreven naar {write_to}: {error.strerror}.", file=sys.stderr)
        return 2
    print(f"Anker toegevoegd aan {write_to}.")
    return 0


def _audit_days() -> int | None:
    days = os.environ.get("AUDIT_RETENTION_DAYS", "1825")
    if not days.isdigit() or int(days) < 1:
        print("AUDIT_RETENTION_DAYS moet een heel getal van minstens 1 zijn.", file=sys.stderr)
        return None
    return int(days)


def _prune_command() -> int:
    days = _audit_days()
    if days is None:
        return 2
    # The runtime role may not delete events: pruning runs as the owner, like a migration.
    url = os.environ.get("DATABASE_MIGRATION_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    older_than = utcnow() - dt.timedelta(days=days)

    async def run() -> PruneReport:
        engine = create_engine(url)
        try:
            return await prune(engine, older_than)
        finally:
            await engine.dispose()

    print(asyncio.run(run()).message(older_than))
    return 0


if __name__ == "__main__":
    sys.exit(main())
