"""the minutes (#12): stored versions of the Word minutes of an overleg, and download grants
for a stored document as well as for a casus's letter

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verslag_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("overleg_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=20), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("inhoud", sa.LargeBinary(), nullable=False),
        sa.Column("gemaakt_door_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["overleg_id"], ["overleg.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["gemaakt_door_id"], ["professional.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("overleg_id", "variant", "versie"),
    )
    op.create_index("ix_verslag_document_overleg_id", "verslag_document", ["overleg_id"])
    # document_grant.casus_id is nullable since 0012 (the monitor's download).
    with op.batch_alter_table("document_grant") as batch:
        batch.add_column(sa.Column("verslag_document_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_document_grant_verslag_document_id",
            "verslag_document",
            ["verslag_document_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_document_grant_verslag_document_id", ["verslag_document_id"])


def downgrade() -> None:
    op.execute("DELETE FROM document_grant WHERE verslag_document_id IS NOT NULL")
    with op.batch_alter_table("document_grant") as batch:
        batch.drop_index("ix_document_grant_verslag_document_id")
        batch.drop_constraint("fk_document_grant_verslag_document_id", type_="foreignkey")
        batch.drop_column("verslag_document_id")
    op.drop_index("ix_verslag_document_overleg_id", "verslag_document")
    op.drop_table("verslag_document")
