"""afsluiting of a casus (reason, warme overdracht, eindgesprek), corrections with their
history, a replacement of a sent card (retention), what a download covers, downloads not tied
to one casus (the monitor), the audit log's anchor after events past its term are removed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "afsluiting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("reden", sa.String(length=30), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=True),
        sa.Column("overdracht_aan", sa.String(length=300), nullable=True),
        sa.Column("overdracht_wat", sa.Text(), nullable=True),
        sa.Column("overdracht_op", sa.Date(), nullable=True),
        sa.Column("eindgesprek_gehouden", sa.Boolean(), nullable=False),
        sa.Column("eindgesprek_op", sa.Date(), nullable=True),
        sa.Column("feedback_bewoner", sa.Text(), nullable=True),
        sa.Column("goed_ging", sa.Text(), nullable=True),
        sa.Column("beter_kan", sa.Text(), nullable=True),
        sa.Column("afgesloten_door_id", sa.Integer(), nullable=False),
        sa.Column("afgesloten_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heropend_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heropend_door_id", sa.Integer(), nullable=True),
        sa.Column("heropen_reden", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["afgesloten_door_id"], ["professional.id"]),
        sa.ForeignKeyConstraint(["heropend_door_id"], ["professional.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_afsluiting_casus_id", "afsluiting", ["casus_id"])
    op.create_table(
        "correctie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("veld", sa.String(length=40), nullable=False),
        sa.Column("oud", sa.Text(), nullable=True),
        sa.Column("nieuw", sa.Text(), nullable=True),
        sa.Column("reden", sa.Text(), nullable=False),
        sa.Column("door_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["door_id"], ["professional.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_correctie_casus_id", "correctie", ["casus_id"])
    op.create_table(
        "audit_anker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ouder_dan", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verwijderd", sa.Integer(), nullable=False),
        sa.Column("laatste_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bericht") as batch:
        batch.add_column(sa.Column("vervangt_activity_id", sa.String(length=200), nullable=True))
    with op.batch_alter_table("document_grant") as batch:
        batch.alter_column("casus_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column("parameters", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("document_grant") as batch:
        batch.drop_column("parameters")
        batch.alter_column("casus_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("bericht") as batch:
        batch.drop_column("vervangt_activity_id")
    op.drop_table("audit_anker")
    op.drop_index("ix_correctie_casus_id", "correctie")
    op.drop_table("correctie")
    op.drop_index("ix_afsluiting_casus_id", "afsluiting")
    op.drop_table("afsluiting")
