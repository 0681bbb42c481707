"""Alembic environment: async engine, URL from the caller, DATABASE_MIGRATION_URL (the owner
role) or DATABASE_URL. After migrating, the runtime role gets its privileges (store/migrate.py)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from store.db import create_engine
from store.migrate import grant_runtime_privileges, runtime_role_from_env
from store.migrations.env_defaults import DEFAULT_URL
from store.models import Base


def _database_url() -> str:
    configured = context.config.attributes.get("database_url")
    return (
        configured
        or os.environ.get("DATABASE_MIGRATION_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_URL
    )


def _runtime_role() -> str | None:
    attributes = context.config.attributes
    # store.migrate.upgrade() says which role (or none); the alembic CLI reads the environment.
    return attributes["runtime_role"] if "runtime_role" in attributes else runtime_role_from_env()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
        role = _runtime_role()
        if role:
            grant_runtime_privileges(connection, role)


async def _run_async() -> None:
    engine = create_engine(_database_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
