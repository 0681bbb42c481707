"""re-key residents as a reader sees them (#20): the identifier digests and the name key for
duplicates, rewritten with the folding of store.visible

The digests in `herkenning` and `persoonsgegevens.naam_sleutel` were made from names folded
by case and accents only. Both sides of each comparison now fold format characters,
compatibility forms and look-alike letters as well (a name with "ø", "ł" or a Cyrillic letter
gets another key): rows written before would no longer match what a message or a new
referral is turned into. A data migration only; the schema does not change.

Revision ID: 0019_visible_keys
Revises: 0018_een_effect
Create Date: 2026-12-08
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

from store.herkenning import digest, keys_of
from store.privacy import name_key

revision = "0019_visible_keys"
down_revision = "0018_een_effect"
branch_labels = None
depends_on = None

BATCH = 500

herkenning = sa.table("herkenning", sa.column("casus_id", sa.Integer), sa.column("sleutel"))
persoonsgegevens = sa.table(
    "persoonsgegevens", sa.column("casus_id", sa.Integer), sa.column("naam_sleutel")
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT casus_id, naam, geboortedatum, adres, postcode FROM persoonsgegevens")
    ).all()
    bind.execute(sa.delete(herkenning))
    digests = [
        {"casus_id": row.casus_id, "sleutel": digest(key)}
        for row in rows
        for key in keys_of(_Persoon(row))
    ]
    for start in range(0, len(digests), BATCH):
        op.bulk_insert(herkenning, digests[start : start + BATCH])
    for row in rows:
        bind.execute(
            sa.update(persoonsgegevens)
            .where(persoonsgegevens.c.casus_id == row.casus_id)
            .values(naam_sleutel=name_key(row.naam))
        )


class _Persoon:
    """A resident as `keys_of` reads one (no dataclass: Alembic loads this module outside
    sys.modules)."""

    def __init__(self, row: sa.Row[Any]) -> None:
        born = row.geboortedatum  # SQLite hands a raw SELECT's date back as text
        self.naam: str = row.naam
        self.geboortedatum: dt.date = (
            dt.date.fromisoformat(born[:10]) if isinstance(born, str) else born
        )
        self.adres: str | None = row.adres
        self.postcode: str | None = row.postcode


def downgrade() -> None:
    """Nothing to undo in the schema. The keys stay in the new form: for a name of plain
    letters (almost all) it is the old form too; an older release re-keys a resident on the
    next change of their data."""
