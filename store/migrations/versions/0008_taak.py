"""one home for scheduled work: due-dated jobs any instance may claim once

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taak",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(length=40), nullable=False),
        sa.Column("sleutel", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("soort", "sleutel"),
    )
    op.create_index("ix_taak_due_at", "taak", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_taak_due_at", "taak")
    op.drop_table("taak")
