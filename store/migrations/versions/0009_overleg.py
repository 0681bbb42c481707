"""the casusoverleg: overleggen with their agenda and attendees, besluiten taken in an overleg
(with the redacted text for shared spaces), afspraken

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overleg",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gemeente_id", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(length=20), nullable=False),
        sa.Column("gepland_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plaats", sa.String(length=300), nullable=False),
        sa.Column("kanaal_conversation_id", sa.String(length=300), nullable=False),
        sa.Column("voorzitter_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agenda_activity_id", sa.String(length=200), nullable=True),
        sa.Column("gepland_door_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gepubliceerd_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gestart_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("afgerond_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["gemeente_id"], ["gemeente.id"]),
        sa.ForeignKeyConstraint(["gepland_door_id"], ["professional.id"]),
        sa.ForeignKeyConstraint(["voorzitter_id"], ["professional.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_overleg_gemeente_id", "overleg", ["gemeente_id"])
    op.create_table(
        "aanwezige",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("overleg_id", sa.Integer(), nullable=False),
        sa.Column("professional_id", sa.Integer(), nullable=False),
        sa.Column("aanwezig", sa.Boolean(), nullable=False),
        sa.Column("luisteraar", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["overleg_id"], ["overleg.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["professional_id"], ["professional.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("overleg_id", "professional_id"),
    )
    op.create_index("ix_aanwezige_professional_id", "aanwezige", ["professional_id"])
    op.create_table(
        "agendapunt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("overleg_id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("volgorde", sa.Integer(), nullable=False),
        sa.Column("reden", sa.String(length=20), nullable=False),
        sa.Column("minuten", sa.Integer(), nullable=False),
        sa.Column("besproken", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["overleg_id"], ["overleg.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("overleg_id", "casus_id"),
    )
    op.create_index("ix_agendapunt_casus_id", "agendapunt", ["casus_id"])
    op.create_table(
        "afspraak",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("casus_id", sa.Integer(), nullable=False),
        sa.Column("agendapunt_id", sa.Integer(), nullable=True),
        sa.Column("beschrijving", sa.Text(), nullable=False),
        sa.Column("beschrijving_gedeeld", sa.Text(), nullable=False),
        sa.Column("eigenaar_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("vastgelegd_door_id", sa.Integer(), nullable=False),
        sa.Column("vastgelegd_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agendapunt_id"], ["agendapunt.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["casus_id"], ["casus.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["eigenaar_id"], ["professional.id"]),
        sa.ForeignKeyConstraint(["vastgelegd_door_id"], ["professional.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_afspraak_agendapunt_id", "afspraak", ["agendapunt_id"])
    op.create_index("ix_afspraak_casus_id", "afspraak", ["casus_id"])
    with op.batch_alter_table("besluit") as batch:
        batch.add_column(sa.Column("overleg_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("agendapunt_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("toelichting_gedeeld", sa.Text(), nullable=True))
        batch.create_index("ix_besluit_overleg_id", ["overleg_id"])
        batch.create_index("ix_besluit_agendapunt_id", ["agendapunt_id"])
        batch.create_foreign_key("fk_besluit_overleg_id_overleg", "overleg", ["overleg_id"], ["id"])
        batch.create_foreign_key(
            "fk_besluit_agendapunt_id_agendapunt",
            "agendapunt",
            ["agendapunt_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("besluit") as batch:
        batch.drop_constraint("fk_besluit_agendapunt_id_agendapunt", type_="foreignkey")
        batch.drop_constraint("fk_besluit_overleg_id_overleg", type_="foreignkey")
        batch.drop_index("ix_besluit_agendapunt_id")
        batch.drop_index("ix_besluit_overleg_id")
        batch.drop_column("toelichting_gedeeld")
        batch.drop_column("agendapunt_id")
        batch.drop_column("overleg_id")
    op.drop_index("ix_afspraak_casus_id", "afspraak")
    op.drop_index("ix_afspraak_agendapunt_id", "afspraak")
    op.drop_table("afspraak")
    op.drop_index("ix_agendapunt_casus_id", "agendapunt")
    op.drop_table("agendapunt")
    op.drop_index("ix_aanwezige_professional_id", "aanwezige")
    op.drop_table("aanwezige")
    op.drop_index("ix_overleg_gemeente_id", "overleg")
    op.drop_table("overleg")
