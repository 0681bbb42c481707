"""one installation for a region: gemeente beheerders, a gemeente's short code, casus codes
unique in the installation

Existing installations keep working as they were: every beheerder stays beheerder of the
installation (`professional.is_beheerder`) and becomes gemeente beheerder of each gemeente
they are PGA-expert of. Each gemeente gets a short code made from its name (letters only,
three, made unique). A casus code used in two gemeenten (the bug of #26) keeps its code in
the gemeente whose casus came first; the others get the short code of their gemeente
(`PGA-2026-001` → `PGA-ZUI-2026-001`), so the unique index can be built. The codes renamed
are printed.

Revision ID: 0017_region
Revises: 0016_sent_cards
Create Date: 2026-12-08
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0017_region"
down_revision = "0016_sent_cards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gemeente_beheerder",
        sa.Column("professional_id", sa.Integer(), nullable=False),
        sa.Column("gemeente_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["gemeente_id"], ["gemeente.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["professional_id"], ["professional.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("professional_id", "gemeente_id"),
    )
    # No table rebuild on SQLite (other tables point at gemeente): a column and an index.
    op.add_column("gemeente", sa.Column("afkorting", sa.String(length=8), nullable=True))
    op.create_index("uq_gemeente_afkorting", "gemeente", ["afkorting"], unique=True)
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO gemeente_beheerder (professional_id, gemeente_id) "
            "SELECT p.id, e.gemeente_id FROM professional p "
            "JOIN pga_expert e ON e.professional_id = p.id WHERE p.is_beheerder"
        )
    )
    afkortingen = _short_codes(bind)
    _rename_duplicate_codes(bind, afkortingen)
    op.create_index("uq_casus_code", "casus", ["code"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_casus_code", table_name="casus")
    op.drop_index("uq_gemeente_afkorting", table_name="gemeente")
    with op.batch_alter_table("gemeente") as batch:
        batch.drop_column("afkorting")
    op.drop_table("gemeente_beheerder")


def short_code(naam: str, taken: set[str]) -> str:
    """Three letters of the name, upper case; a digit added where another gemeente has them."""
    letters = re.sub(r"[^A-Z]", "", naam.upper()) or "GEM"
    base = letters[:3]
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base[:2]}{number}"
    return candidate


def _short_codes(bind: sa.Connection) -> dict[int, str]:
    taken: set[str] = set()
    codes: dict[int, str] = {}
    for gemeente_id, naam in bind.execute(sa.text("SELECT id, naam FROM gemeente ORDER BY id")):
        codes[gemeente_id] = short_code(naam, taken)
        taken.add(codes[gemeente_id])
        bind.execute(
            sa.text("UPDATE gemeente SET afkorting = :code WHERE id = :id"),
            {"code": codes[gemeente_id], "id": gemeente_id},
        )
    return codes


def _rename_duplicate_codes(bind: sa.Connection, afkortingen: dict[int, str]) -> None:
    seen: set[str] = set()
    rows = bind.execute(sa.text("SELECT id, code, gemeente_id FROM casus ORDER BY id")).all()
    for casus_id, code, gemeente_id in rows:
        if code not in seen:
            seen.add(code)
            continue
        renamed = code.replace("PGA-", f"PGA-{afkortingen[gemeente_id]}-", 1)
        bind.execute(
            sa.text("UPDATE casus SET code = :code WHERE id = :id"),
            {"code": renamed, "id": casus_id},
        )
        seen.add(renamed)
        print(f"casus {casus_id}: code {code} used in two gemeenten, now {renamed}")
