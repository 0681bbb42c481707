"""download grants with opaque tokens; outbox keeps the id of what it sent and whether it was private or shared; a recorded
startgesprek keeps its corrections

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("soort", sa.String(length=20), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("professional_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["professional_id"], ["professional.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_document_grant_casus_id", "document_grant", ["casus_id"])
    op.create_index("ix_document_grant_expires_at", "document_grant", ["expires_at"])
    with op.batch_alter_table("bericht") as batch:
        batch.add_column(sa.Column("activity_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("sent_conversation_id", sa.String(length=300), nullable=True))
        batch.add_column(
            sa.Column("soort", sa.String(length=10), nullable=False, server_default="privé")
        )
    with op.batch_alter_table("startgesprek") as batch:
        batch.add_column(
            sa.Column("correcties", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    op.drop_index("ix_document_grant_expires_at", "document_grant")
    op.drop_index("ix_document_grant_casus_id", "document_grant")
    op.drop_table("document_grant")
    with op.batch_alter_table("startgesprek") as batch:
        batch.drop_column("correcties")
    with op.batch_alter_table("bericht") as batch:
        batch.drop_column("soort")
        batch.drop_column("sent_conversation_id")
        batch.drop_column("activity_id")
