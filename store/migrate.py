"""Run Alembic migrations: `python -m store.migrate` (uses DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from store.db import create_engine
from store.migrations.env_defaults import DEFAULT_URL

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision on the given engine."""
    _ensure_sqlite_folder(str(engine.url))
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together migrate one after the other.
            await connection.execute(text("SELECT pg_advisory_xact_lock(7402311)"))
        await connection.run_sync(_upgrade_on)


def _upgrade_on(connection: object) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    engine = create_engine(url)

    async def run() -> None:
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(run())
    print("Database bijgewerkt.")


if __name__ == "__main__":
    main()
