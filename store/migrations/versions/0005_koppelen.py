"""the sharing checklist on each link (noodzaak, beroepsgeheim, transparantie); links end with
a reason and can be made again later

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# SQLite keeps the unique constraint of 0001 unnamed: name it on reflection to drop it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
ACTIVE = sa.text("tot IS NULL")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            "betrokkene_casus_id_professional_id_rol_key", "betrokkene", type_="unique"
        )
    with op.batch_alter_table("betrokkene", naming_convention=NAMING) as batch:
        if op.get_bind().dialect.name != "postgresql":
            batch.drop_constraint("uq_betrokkene_casus_id", type_="unique")
        batch.add_column(sa.Column("beroepsgeheim", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("noodzaak", sa.Text(), nullable=True))
        batch.add_column(sa.Column("bewoner_geinformeerd", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("reden_niet_geinformeerd", sa.Text(), nullable=True))
        batch.add_column(sa.Column("tot_reden", sa.Text(), nullable=True))
        batch.add_column(sa.Column("beeindigd_door_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_betrokkene_beeindigd_door_id_professional",
            "professional",
            ["beeindigd_door_id"],
            ["id"],
        )
    op.create_index(
        "uq_betrokkene_actief",
        "betrokkene",
        ["casus_id", "professional_id", "rol"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_betrokkene_actief", "betrokkene")
    with op.batch_alter_table("betrokkene") as batch:
        batch.drop_constraint("fk_betrokkene_beeindigd_door_id_professional", type_="foreignkey")
        for column in (
            "beeindigd_door_id",
            "tot_reden",
            "reden_niet_geinformeerd",
            "bewoner_geinformeerd",
            "noodzaak",
            "beroepsgeheim",
        ):
            batch.drop_column(column)
        batch.create_unique_constraint(
            "betrokkene_casus_id_professional_id_rol_key", ["casus_id", "professional_id", "rol"]
        )
