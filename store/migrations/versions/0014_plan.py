"""plan van aanpak: leefgebieden (seeded with the twelve of the aanmelding), problems and
scores per leefgebied, goals, actions and the history of every change

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:13:40.630531
"""

import sqlalchemy as sa
from alembic import op

# Frozen here: a later change of the list in code must not change what this revision made.
LEEFGEBIEDEN = [
    ("financien", "Financiën"),
    ("dagbesteding", "Werk, school en dagbesteding"),
    ("huisvesting", "Huisvesting"),
    ("huiselijke_relaties", "Huiselijke relaties"),
    ("geestelijke_gezondheid", "Geestelijke gezondheid"),
    ("lichamelijke_gezondheid", "Lichamelijke gezondheid"),
    ("middelengebruik", "Middelengebruik"),
    ("zelfzorg", "Zelfzorg (ADL)"),
    ("sociaal_netwerk", "Sociaal netwerk"),
    ("participatie", "Maatschappelijke participatie"),
    ("justitie", "Justitie en politie"),
    ("opvoeding", "Opvoeding en gezin"),
]


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leefgebied",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sleutel", sa.String(length=40), nullable=False),
        sa.Column("naam", sa.String(length=100), nullable=False),
        sa.Column("volgorde", sa.Integer(), nullable=False),
        sa.Column("actief", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sleutel"),
    )
    op.create_table(
        "plan_probleem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("leefgebied_id", sa.Integer(), nullable=False),
        sa.Column("probleem", sa.Text(), nullable=True),
        sa.Column("gewijzigd_door_id", sa.Integer(), nullable=False),
        sa.Column("gewijzigd_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["gewijzigd_door_id"],
            ["professional.id"],
        ),
        sa.ForeignKeyConstraint(
            ["leefgebied_id"],
            ["leefgebied.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("casus_id", "leefgebied_id"),
    )
    op.create_table(
        "plan_wijziging",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("onderwerp", sa.String(length=20), nullable=False),
        sa.Column("onderwerp_id", sa.Integer(), nullable=True),
        sa.Column("wat", sa.String(length=40), nullable=False),
        sa.Column("oud", sa.Text(), nullable=True),
        sa.Column("nieuw", sa.Text(), nullable=True),
        sa.Column("door_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["door_id"],
            ["professional.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_wijziging", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_wijziging_casus_id"), ["casus_id"], unique=False)

    op.create_table(
        "plan_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("leefgebied_id", sa.Integer(), nullable=False),
        sa.Column("moment", sa.String(length=30), nullable=False),
        sa.Column("overleg_id", sa.Integer(), nullable=True),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("gegeven_door_id", sa.Integer(), nullable=False),
        sa.Column("gegeven_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["gegeven_door_id"],
            ["professional.id"],
        ),
        sa.ForeignKeyConstraint(
            ["leefgebied_id"],
            ["leefgebied.id"],
        ),
        sa.ForeignKeyConstraint(["overleg_id"], ["overleg.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("casus_id", "leefgebied_id", "moment"),
    )
    op.create_table(
        "doel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("leefgebied_id", sa.Integer(), nullable=True),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("goed_genoeg_als", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("besluit_id", sa.Integer(), nullable=True),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("aangemaakt_door_id", sa.Integer(), nullable=False),
        sa.Column("aangemaakt_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aangemaakt_door_id"],
            ["professional.id"],
        ),
        sa.ForeignKeyConstraint(["besluit_id"], ["besluit.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["leefgebied_id"],
            ["leefgebied.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("doel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_doel_casus_id"), ["casus_id"], unique=False)

    op.create_table(
        "actie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("doel_id", sa.Integer(), nullable=True),
        sa.Column("beschrijving", sa.Text(), nullable=False),
        sa.Column("eigenaar_soort", sa.String(length=20), nullable=False),
        sa.Column("eigenaar_professional_id", sa.Integer(), nullable=True),
        sa.Column("eigenaar_organisatie_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reden", sa.Text(), nullable=True),
        sa.Column("afspraak_id", sa.Integer(), nullable=True),
        sa.Column("uitstel_tot", sa.Date(), nullable=True),
        sa.Column("uitstel_reden", sa.Text(), nullable=True),
        sa.Column("interventie", sa.String(length=150), nullable=True),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("aangemaakt_door_id", sa.Integer(), nullable=False),
        sa.Column("aangemaakt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("afgerond_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["aangemaakt_door_id"],
            ["professional.id"],
        ),
        sa.ForeignKeyConstraint(["afspraak_id"], ["afspraak.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["doel_id"], ["doel.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["eigenaar_organisatie_id"],
            ["organisatie.id"],
        ),
        sa.ForeignKeyConstraint(
            ["eigenaar_professional_id"],
            ["professional.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("afspraak_id"),
    )
    with op.batch_alter_table("actie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actie_casus_id"), ["casus_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actie_eigenaar_organisatie_id"),
            ["eigenaar_organisatie_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_actie_eigenaar_professional_id"),
            ["eigenaar_professional_id"],
            unique=False,
        )
        batch_op.create_index("ix_actie_open_deadline", ["status", "deadline"], unique=False)

    # The twelve leefgebieden aanmeldingen already store (store/reference.py), same keys.
    leefgebied = sa.table(
        "leefgebied",
        sa.column("sleutel", sa.String),
        sa.column("naam", sa.String),
        sa.column("volgorde", sa.Integer),
        sa.column("actief", sa.Boolean),
    )
    op.bulk_insert(
        leefgebied,
        [
            {"sleutel": key, "naam": name, "volgorde": place, "actief": True}
            for place, (key, name) in enumerate(LEEFGEBIEDEN, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("actie", schema=None) as batch_op:
        batch_op.drop_index("ix_actie_open_deadline")
        batch_op.drop_index(batch_op.f("ix_actie_eigenaar_professional_id"))
        batch_op.drop_index(batch_op.f("ix_actie_eigenaar_organisatie_id"))
        batch_op.drop_index(batch_op.f("ix_actie_casus_id"))

    op.drop_table("actie")
    with op.batch_alter_table("doel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doel_casus_id"))

    op.drop_table("doel")
    op.drop_table("plan_score")
    with op.batch_alter_table("plan_wijziging", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_wijziging_casus_id"))

    op.drop_table("plan_wijziging")
    op.drop_table("plan_probleem")
    op.drop_table("leefgebied")
