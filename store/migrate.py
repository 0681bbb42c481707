"""Run Alembic migrations: `python -m store.migrate`.

The schema is changed by the role in DATABASE_MIGRATION_URL (the owner, e.g.
`casusoverleg_owner`), or by the one in DATABASE_URL when that is not set. On PostgreSQL the
runtime role (DATABASE_RUNTIME_ROLE, else the user in DATABASE_URL when it differs from the
migrating user) is then granted what the bot needs, and on the audit log only INSERT and
SELECT: it can neither change, delete nor truncate events, nor switch off the table's triggers
(DESIGN §3.5). See deployment/sql/roles.sql.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from store.db import create_engine
from store.migrations.env_defaults import DEFAULT_URL

MIGRATIONS = Path(__file__).parent / "migrations"
AUDIT_TABLE = "audit_event"
# The runtime role only reads the migration bookkeeping.
READ_ONLY_TABLES = ("alembic_version", "audit_anker")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, runtime_role: str | None = None) -> None:
    """Bring the schema to the newest revision on the given engine.

    With `runtime_role` (PostgreSQL), grant that role its privileges in the same transaction.
    """
    _ensure_sqlite_folder(str(engine.url))
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together migrate one after the other.
            await connection.execute(text("SELECT pg_advisory_xact_lock(7402311)"))
        await connection.run_sync(_upgrade_on, runtime_role)


async def migrate(
    database_url: str, migration_url: str | None = None, runtime_role: str | None = None
) -> None:
    """Migrate the database the app uses at `database_url`.

    With `migration_url` (the owner role, same database) the schema is changed as the owner and
    the runtime role (`runtime_role`, else the user in `database_url`) gets its privileges.
    """
    if migration_url:
        _check_same_database(database_url, migration_url)
        runtime_role = runtime_role or _runtime_user(database_url, migration_url)
    engine = create_engine(migration_url or database_url)
    try:
        await upgrade(engine, runtime_role)
    finally:
        await engine.dispose()


def runtime_role_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """DATABASE_RUNTIME_ROLE, else DATABASE_URL's user if migrations run as another user."""
    env = os.environ if env is None else env
    explicit = (env.get("DATABASE_RUNTIME_ROLE") or "").strip()
    if explicit:
        return explicit
    migration_url, database_url = env.get("DATABASE_MIGRATION_URL"), env.get("DATABASE_URL")
    if migration_url and database_url:
        return _runtime_user(database_url, migration_url)
    return None


def _runtime_user(database_url: str, migration_url: str) -> str | None:
    user = make_url(database_url).username
    return user if user and user != make_url(migration_url).username else None


def _check_same_database(database_url: str, migration_url: str) -> None:
    app, owner = make_url(database_url), make_url(migration_url)
    same = (app.get_backend_name(), app.host, app.port or 5432, app.database) == (
        owner.get_backend_name(),
        owner.host,
        owner.port or 5432,
        owner.database,
    )
    if not same:
        raise ValueError("DATABASE_MIGRATION_URL must name the same database as DATABASE_URL")


def _upgrade_on(connection: Connection, runtime_role: str | None = None) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["runtime_role"] = runtime_role
    command.upgrade(config, "head")


def grant_runtime_privileges(connection: Connection, role: str) -> None:
    """Idempotently give `role` DML on the schema's tables, and INSERT/SELECT on the audit log.

    Runs as the migrating (owning) role after every upgrade, so tables of later migrations
    are covered even where default privileges (deployment/sql/roles.sql) were not set.
    """
    if connection.dialect.name != "postgresql":
        return
    checks = connection.execute(
        text(
            "SELECT r.rolsuper, pg_has_role(r.oid, (SELECT c.relowner FROM pg_class c "
            "WHERE c.oid = to_regclass(:audit)), 'MEMBER') "
            "FROM pg_roles r WHERE r.rolname = :role"
        ),
        {"role": role, "audit": AUDIT_TABLE},
    ).first()
    if checks is None:
        raise RuntimeError(f"Database role {role!r} does not exist (DATABASE_RUNTIME_ROLE)")
    superuser, acts_as_owner = checks
    if superuser or acts_as_owner:
        raise RuntimeError(
            f"The runtime role {role!r} is a superuser or acts as the owner of {AUDIT_TABLE}: "
            "it could change the audit log. Migrate as a separate owner role "
            "(DATABASE_MIGRATION_URL, deployment/sql/roles.sql)."
        )
    quote = connection.dialect.identifier_preparer.quote
    grantee = quote(role)
    schema = quote(str(connection.scalar(text("SELECT current_schema()"))))
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {grantee}",
        f"GRANT EXECUTE ON FUNCTION audit_append(text) TO {grantee}",
    ]
    statements += [
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM {grantee}"
        for table in READ_ONLY_TABLES
    ]
    for statement in statements:
        connection.execute(text(statement))


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def main() -> None:
    url = os.environ.get("DATABASE_MIGRATION_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    role = runtime_role_from_env()
    engine = create_engine(url)

    async def run() -> None:
        try:
            await upgrade(engine, role)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print("Database bijgewerkt.")
    if role and make_url(url).get_backend_name() == "postgresql":
        print(f"Rechten van {role} ingesteld: auditlog alleen toevoegen en lezen.")


if __name__ == "__main__":
    main()
