"""Set a municipality's letterhead from the command line (the logo cannot be sent through a
Teams card): `python -m store.letterhead --gemeente Zuiderstad --logo logo.png`.

Uses DATABASE_MIGRATION_URL or DATABASE_URL, like `python -m store.migrate`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import select, update

from store.db import create_engine
from store.migrations.env_defaults import DEFAULT_URL
from store.models import Gemeente

MAX_LOGO = 512 * 1024
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"


async def set_letterhead(
    url: str,
    gemeente: str,
    *,
    logo: bytes | None = None,
    adres: str | None = None,
    burgemeester: str | None = None,
) -> bool:
    """False when the municipality does not exist."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            found = await connection.scalar(select(Gemeente.id).where(Gemeente.naam == gemeente))
            if found is None:
                return False
            values: dict[str, object] = {}
            if logo is not None:
                values["logo"] = logo
            if adres is not None:
                values["adres"] = adres
            if burgemeester is not None:
                values["burgemeester"] = burgemeester
            if values:
                await connection.execute(
                    update(Gemeente).where(Gemeente.id == found).values(**values)
                )
        return True
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Briefhoofd van een gemeente instellen.")
    parser.add_argument("--gemeente", required=True)
    parser.add_argument("--logo", type=Path, help="PNG of JPEG, hoogstens 512 kB")
    parser.add_argument("--adres", help="postadres; regels scheiden met \\n")
    parser.add_argument("--burgemeester")
    args = parser.parse_args(argv)
    logo = args.logo.read_bytes() if args.logo else None
    if logo is not None and (len(logo) > MAX_LOGO or not logo.startswith((PNG, JPEG))):
        print("Het logo moet een PNG- of JPEG-bestand van hoogstens 512 kB zijn.", file=sys.stderr)
        return 2
    url = os.environ.get("DATABASE_MIGRATION_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    adres = args.adres.replace("\\n", "\n") if args.adres else None
    found = asyncio.run(
        set_letterhead(url, args.gemeente, logo=logo, adres=adres, burgemeester=args.burgemeester)
    )
    if not found:
        print(f"Gemeente {args.gemeente!r} bestaat niet.", file=sys.stderr)
        return 1
    print(f"Briefhoofd van {args.gemeente} bijgewerkt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
