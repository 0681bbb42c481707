"""Shared fixtures: databases on SQLite and a real PostgreSQL server, and the stand-in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from dialogs.core import Config, Incoming
from store import privacy
from store.db import Database
from store.demo import DEMO_TENANT, seed
from store.migrate import upgrade
from tests.pg import PostgresServer
from tests.standin.fixtures import *  # noqa: F403

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(autouse=True)
def _nothing_learned() -> None:
    """Every test folds and redacts from scratch: mutation testing forks each mutant from a
    process whose caches already hold the unmutated results."""
    privacy.forget_compiled()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def _fresh_postgres_url(server: PostgresServer) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(server.dsn())
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server.url(name)


@pytest.fixture
async def postgres_database(postgres_server: PostgresServer) -> str:
    """The name of a new, empty database on the test server, owned by the superuser."""
    return make_url(await _fresh_postgres_url(postgres_server)).database or ""


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres_server")
        yield await _fresh_postgres_url(server)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    await upgrade(database.engine)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}")
    await upgrade(database.engine)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def demo_db(sqlite_db: Database) -> Database:
    await seed(sqlite_db)
    return sqlite_db


@pytest.fixture
def config() -> Config:
    return Config(
        local_mode=False,
        allowed_tenant_ids=frozenset({DEMO_TENANT}),
        public_base_url="http://127.0.0.1:9",
        signing_key=b"k" * 32,
    )


def incoming(
    who: str, conversation_type: str = "personal", conversation_id: str | None = None
) -> Incoming:
    """An activity from demo professional `who` (a1..a5)."""
    object_id = f"00000000-0000-0000-0000-0000000000{who}"
    return Incoming(
        tenant_id=DEMO_TENANT,
        aad_object_id=object_id,
        user_name=who,
        conversation_id=conversation_id or f"{conversation_type}-{who}",
        conversation_type=conversation_type,
        reference={
            "conversation": {
                "id": conversation_id or f"{conversation_type}-{who}",
                "conversationType": conversation_type,
            },
            "serviceUrl": "http://127.0.0.1:9/",
            "channelId": "msteams",
        },
    )


@pytest.fixture
async def demo_any_db(db: Database) -> Database:
    """Demo data on SQLite and on PostgreSQL (column lengths and types differ)."""
    await seed(db)
    return db
