"""an aanmelding with fewer than two criteria can be sent for advice

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aanmelding") as batch:
        batch.add_column(
            sa.Column("voor_advies", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("aanmelding") as batch:
        batch.drop_column("voor_advies")
