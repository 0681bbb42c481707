"""one effect per press (#26): one running casus per resident and gemeente (a key the
duplicate check of an aanmelding holds under concurrency), and the digest of the agenda last
published (a second press without a change is no update)

Existing casussen keep no key (they may hold confirmed duplicates); the SELECT of the
duplicate check still finds them, only two new aanmeldingen at the same moment needed this.

Revision ID: 0018_een_effect
Revises: 0017_region
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_een_effect"
down_revision = "0017_region"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("casus", sa.Column("lopend_sleutel", sa.String(length=32), nullable=True))
    op.create_index(
        "uq_casus_lopend",
        "casus",
        ["gemeente_id", "lopend_sleutel"],
        unique=True,
        sqlite_where=sa.text("lopend_sleutel IS NOT NULL"),
        postgresql_where=sa.text("lopend_sleutel IS NOT NULL"),
    )


    op.add_column("overleg", sa.Column("agenda_inhoud", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("overleg") as batch:
        batch.drop_column("agenda_inhoud")
    op.drop_index("uq_casus_lopend", table_name="casus")
    with op.batch_alter_table("casus") as batch:
        batch.drop_column("lopend_sleutel")
