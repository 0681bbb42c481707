"""sent_card: every message in Teams that names a casus with identity (replies in the turn,
cards replaced in place by an invoke answer, private outbox messages), kept by activity id
so retention replaces each; filled here from the outbox's sent private messages

Revision ID: 0016_sent_cards
Revises: 0015
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_sent_cards"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=300), nullable=False),
        sa.Column("activity_id", sa.String(length=200), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "activity_id"),
    )
    op.create_index("ix_sent_card_casus_id", "sent_card", ["casus_id"])
    # What the outbox already sent with identity and retention has not replaced yet.
    op.execute(
        """
        INSERT INTO sent_card (conversation_id, activity_id, casus_id, created_at)
        SELECT sent_conversation_id, activity_id, MIN(casus_id), MIN(verzonden_at)
        FROM bericht
        WHERE soort = 'privé' AND casus_id IS NOT NULL AND activity_id IS NOT NULL
          AND sent_conversation_id IS NOT NULL AND verzonden_at IS NOT NULL
          AND vervangt_activity_id IS NULL
        GROUP BY sent_conversation_id, activity_id
        """
    )


def downgrade() -> None:
    op.drop_index("ix_sent_card_casus_id", "sent_card")
    op.drop_table("sent_card")
