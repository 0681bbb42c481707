"""people from the Teams roster (team members, pending professionals by e-mail, the team of a
channel) and criteria a gemeente adds itself, recorded on the aanmelding

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teamlid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("naam", sa.String(length=150), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("team_id", sa.String(length=300), nullable=True),
        sa.Column("opgehaald_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "aad_object_id"),
    )
    op.create_index("ix_teamlid_email", "teamlid", ["email"])
    op.create_table(
        "uitnodiging",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("functie", sa.String(length=150), nullable=True),
        sa.Column("organisatie_id", sa.Integer(), nullable=True),
        sa.Column("pga_gemeente_id", sa.Integer(), nullable=True),
        sa.Column("door_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["door_id"], ["professional.id"]),
        sa.ForeignKeyConstraint(["organisatie_id"], ["organisatie.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["pga_gemeente_id"], ["gemeente.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "email"),
    )
    op.create_table(
        "gemeente_criterium",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gemeente_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("toelichting", sa.String(length=300), nullable=True),
        sa.Column("actief", sa.Boolean(), nullable=False),
        sa.Column("door_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["door_id"], ["professional.id"]),
        sa.ForeignKeyConstraint(["gemeente_id"], ["gemeente.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gemeente_criterium_gemeente_id", "gemeente_criterium", ["gemeente_id"])
    with op.batch_alter_table("conversation_ref") as batch:
        batch.add_column(sa.Column("team_id", sa.String(length=300), nullable=True))
    with op.batch_alter_table("aanmelding") as batch:
        batch.add_column(sa.Column("eigen_criteria", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("aanmelding") as batch:
        batch.drop_column("eigen_criteria")
    with op.batch_alter_table("conversation_ref") as batch:
        batch.drop_column("team_id")
    op.drop_index("ix_gemeente_criterium_gemeente_id", "gemeente_criterium")
    op.drop_table("gemeente_criterium")
    op.drop_table("uitnodiging")
    op.drop_index("ix_teamlid_email", "teamlid")
    op.drop_table("teamlid")
