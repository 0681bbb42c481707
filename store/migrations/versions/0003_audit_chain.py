"""audit log chained by hash; SQLite refuses INSERT OR REPLACE on it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Every audit event gets `prev_hash` and `hash` (store/audit.py); events written before this
revision are chained here, in id order. From now on the database refuses an event without
them. On PostgreSQL `audit_append()` appends events in one round trip, under a lock that
serialises appends until commit. On SQLite a BEFORE INSERT trigger refuses a row whose id
exists: INSERT OR REPLACE (and REPLACE INTO) deleted the old row without firing the DELETE
trigger of 0001 (unless PRAGMA recursive_triggers was on).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from store.audit import CHAIN_LOCK, GENESIS, HASHED_FIELDS, event_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "id": sa.Integer(),
    "at": sa.DateTime(timezone=True),
    "actor_professional_id": sa.Integer(),
    "casus_id": sa.Integer(),
}
_BATCH = 2000


def _value(name: str) -> str:
    cast = {"at": "::timestamptz", "actor_professional_id": "::integer", "casus_id": "::integer"}
    return f"(item->>'{name}'){cast.get(name, '')}"


# store/audit.py sends a JSON array of events, each its fields and its canonical `payload`;
# hash = sha256(hex of the previous hash || payload), as store.audit.event_hash computes it.
# The advisory lock serialises appends until commit; the SELECT after it gets a fresh snapshot
# (READ COMMITTED), so it sees the event the previous holder committed. Returns the chain
# from the head it found: [head, hash of the first event, ...].
_AUDIT_APPEND = f"""
CREATE FUNCTION audit_append(events text) RETURNS varchar[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    chain varchar[];
    previous varchar;
    digest varchar;
    item jsonb;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit events are chained in READ COMMITTED transactions';
    END IF;
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
    previous := coalesce(
        (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), '{GENESIS}');
    chain := ARRAY[previous];
    FOR item IN
        SELECT e.value FROM jsonb_array_elements(events::jsonb) WITH ORDINALITY AS e(value, n)
        ORDER BY e.n
    LOOP
        digest := encode(sha256(convert_to(previous || (item->>'payload'), 'UTF8')), 'hex');
        INSERT INTO audit_event ({", ".join(HASHED_FIELDS)}, prev_hash, hash)
        VALUES ({", ".join(_value(name) for name in HASHED_FIELDS)}, previous, digest);
        chain := chain || digest;
        previous := digest;
    END LOOP;
    RETURN chain;
END;
$$
"""


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("hash", sa.String(length=64), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
    _chain_existing_events()
    if postgresql:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        op.execute(
            "ALTER TABLE audit_event ADD CONSTRAINT audit_event_chained "
            "CHECK (hash IS NOT NULL AND prev_hash IS NOT NULL)"
        )
        op.execute(_AUDIT_APPEND)
    else:
        _sqlite_no_update_trigger()
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        # NEW.id is -1 in a BEFORE INSERT trigger when SQLite picks the id: a row stored with
        # id -1 (or below 1) could be replaced unseen, so none may be stored.
        op.execute(
            "CREATE TRIGGER audit_event_positive_id AFTER INSERT ON audit_event "
            "WHEN NEW.id < 1 BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_chained BEFORE INSERT ON audit_event "
            "WHEN NEW.hash IS NULL OR NEW.prev_hash IS NULL "
            "BEGIN SELECT RAISE(ABORT, 'audit_event rows are chained by hash'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_append(text)")
        op.execute("ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_event_chained")
        op.drop_column("audit_event", "hash")
        op.drop_column("audit_event", "prev_hash")
        return
    for name in ("chained", "positive_id", "no_replace", "no_update", "no_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_event_{name}")
    with op.batch_alter_table("audit_event") as batch:  # recreates the table, without triggers
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
    _sqlite_no_update_trigger()
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )


def _sqlite_no_update_trigger() -> None:
    op.execute(
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )


def _chain_existing_events() -> None:
    """Chain the events written before this revision, in id order (append-only guard off)."""
    names = ("id", *HASHED_FIELDS)
    table = sa.table(
        "audit_event",
        *(sa.column(name, _TYPES.get(name, sa.String())) for name in names),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash"))
    )
    bind = op.get_bind()
    prev_hash, last_id = GENESIS, None
    while True:
        query = sa.select(*(table.c[name] for name in names)).order_by(table.c.id).limit(_BATCH)
        if last_id is not None:
            query = query.where(table.c.id > last_id)
        rows = bind.execute(query).mappings().all()
        if not rows:
            return
        changes = []
        for row in rows:
            digest = event_hash(row, prev_hash)
            changes.append({"row_id": row["id"], "new_prev": prev_hash, "new_hash": digest})
            prev_hash, last_id = digest, row["id"]
        bind.execute(update, changes)
