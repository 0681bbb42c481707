"""attendance (absent with notice, the resident at an incidenteel overleg) and keyed posts: a
message with a `plek` replaces the card sent earlier under the same key instead of posting anew

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bericht") as batch:
        batch.add_column(sa.Column("plek", sa.String(length=100), nullable=True))
        batch.create_index("ix_bericht_plek", ["plek"])
    with op.batch_alter_table("aanwezige") as batch:
        batch.add_column(
            sa.Column("afgemeld", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("uitgenodigd", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("overleg") as batch:
        batch.add_column(
            sa.Column(
                "bewoner_uitgenodigd", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("bewoner_aanwezig", sa.Boolean(), nullable=True))
        batch.drop_column("agenda_activity_id")


def downgrade() -> None:
    with op.batch_alter_table("overleg") as batch:
        batch.add_column(sa.Column("agenda_activity_id", sa.String(length=200), nullable=True))
        batch.drop_column("bewoner_aanwezig")
        batch.drop_column("bewoner_uitgenodigd")
    with op.batch_alter_table("aanwezige") as batch:
        batch.drop_column("uitgenodigd")
        batch.drop_column("afgemeld")
    with op.batch_alter_table("bericht") as batch:
        batch.drop_index("ix_bericht_plek")
        batch.drop_column("plek")
