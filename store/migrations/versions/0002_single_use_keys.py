"""single-use keys (download links, form submissions); outbox messages know their casus;
personal chats opened before registration

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eenmalige_sleutel",
        sa.Column("sleutel", sa.String(length=64), nullable=False),
        sa.Column("resultaat", sa.String(length=60), nullable=True),
        sa.Column("gebruikt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sleutel"),
    )
    with op.batch_alter_table("bericht") as batch:
        batch.add_column(sa.Column("casus_id", sa.Integer(), nullable=True))
        batch.create_index("ix_bericht_casus_id", ["casus_id"])
        batch.create_foreign_key(
            "fk_bericht_casus_id_casus", "casus", ["casus_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("conversation_ref") as batch:
        batch.add_column(sa.Column("aad_object_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_conversation_ref_aad_object_id", ["aad_object_id"])
    if op.get_bind().dialect.name == "postgresql":
        # UPDATE and DELETE are refused per row since 0001; TRUNCATE needs its own trigger.
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    with op.batch_alter_table("conversation_ref") as batch:
        batch.drop_index("ix_conversation_ref_aad_object_id")
        batch.drop_column("aad_object_id")
    with op.batch_alter_table("bericht") as batch:
        batch.drop_constraint("fk_bericht_casus_id_casus", type_="foreignkey")
        batch.drop_index("ix_bericht_casus_id")
        batch.drop_column("casus_id")
    op.drop_table("eenmalige_sleutel")
