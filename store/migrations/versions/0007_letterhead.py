"""the gemeente's letterhead (address, burgemeester, logo) and the letter's own reference

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gemeente") as batch:
        batch.add_column(sa.Column("adres", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("burgemeester", sa.String(length=150), nullable=True))
        batch.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("casus") as batch:
        batch.add_column(sa.Column("brief_kenmerk", sa.String(length=20), nullable=True))
        batch.create_unique_constraint("uq_casus_brief_kenmerk", ["brief_kenmerk"])


def downgrade() -> None:
    with op.batch_alter_table("casus") as batch:
        batch.drop_constraint("uq_casus_brief_kenmerk", type_="unique")
        batch.drop_column("brief_kenmerk")
    with op.batch_alter_table("gemeente") as batch:
        batch.drop_column("logo")
        batch.drop_column("burgemeester")
        batch.drop_column("adres")
