"""signalen between overleggen, and digests of residents' identifiers for checking channel
messages (filled here for the casussen that exist)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

from store.herkenning import digest, keys_of

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signaal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("auteur_id", sa.Integer(), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.Column("tekst_gedeeld", sa.Text(), nullable=True),
        sa.Column("gedeeld", sa.Boolean(), nullable=False),
        sa.Column("gemeld_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["auteur_id"], ["professional.id"]),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signaal_casus_id", "signaal", ["casus_id"])
    herkenning = op.create_table(
        "herkenning",
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("sleutel", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("casus_id", "sleutel"),
    )
    op.create_index("ix_herkenning_sleutel", "herkenning", ["sleutel"])
    _fill(herkenning)


def _fill(herkenning: sa.Table) -> None:
    """Digests for the residents already known, so their names are recognised at once."""
    rows = op.get_bind().execute(
        sa.text("SELECT casus_id, naam, geboortedatum, adres, postcode FROM persoonsgegevens")
    )
    digests = [
        {"casus_id": row.casus_id, "sleutel": digest(key)}
        for row in rows
        for key in keys_of(_Persoon(row))
    ]
    if digests:
        op.bulk_insert(herkenning, digests)


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
    op.drop_index("ix_herkenning_sleutel", "herkenning")
    op.drop_table("herkenning")
    op.drop_index("ix_signaal_casus_id", "signaal")
    op.drop_table("signaal")
