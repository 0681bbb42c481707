"""Demo data for local runs: `python -m store.demo` (refuses a production configuration).

The professionals match the users of the Agents Playground configuration in
deployment/local/, so each playground user is a known professional.
"""

from __future__ import annotations

import asyncio
import os
import sys

from store.db import Database
from store.migrate import upgrade
from store.migrations.env_defaults import DEFAULT_URL

DEMO_TENANT = "00000000-0000-0000-0000-0000000000aa"
GEMEENTE = "Zuiderstad"
ORGANISATIES = [
    ("Gemeente Zuiderstad", "gemeente"),
    ("Politie Eenheid Zuid", "politie"),
    ("Openbaar Ministerie", "om"),
    ("Reclassering Nederland", "reclassering"),
    ("GGZ Zuiderstad", "ggz"),
    ("Woonstad Zuiderstad", "woningcorporatie"),
    ("Wijkteam Zuiderstad", "wijkteam"),
    ("Zorg- en Veiligheidshuis Zuiderstad", "zvh"),
]
# (object id, name, function, organisation, PGA-expert?)
PROFESSIONALS = [
    (
        "00000000-0000-0000-0000-0000000000a1",
        "Fatima el Amrani",
        "PGA-expert",
        "Gemeente Zuiderstad",
        True,
    ),
    (
        "00000000-0000-0000-0000-0000000000a2",
        "Jeroen de Vries",
        "Wijkagent",
        "Politie Eenheid Zuid",
        False,
    ),
    (
        "00000000-0000-0000-0000-0000000000a3",
        "Sanne Bakker",
        "Casusregisseur GGZ",
        "GGZ Zuiderstad",
        False,
    ),
    (
        "00000000-0000-0000-0000-0000000000a4",
        "Ahmed Yilmaz",
        "Reclasseringswerker",
        "Reclassering Nederland",
        False,
    ),
    (
        "00000000-0000-0000-0000-0000000000a5",
        "Linda Jansen",
        "Woonconsulent",
        "Woonstad Zuiderstad",
        False,
    ),
    (
        "00000000-0000-0000-0000-0000000000a6",
        "Kees Hoekstra",
        "Procesregisseur ZVH",
        "Zorg- en Veiligheidshuis Zuiderstad",
        False,
    ),
]


EMAILS = {
    "00000000-0000-0000-0000-0000000000a1": "fatima@zuiderstad.example",
    "00000000-0000-0000-0000-0000000000a2": "jeroen@politie.example",
    "00000000-0000-0000-0000-0000000000a3": "sanne@ggz.example",
    "00000000-0000-0000-0000-0000000000a4": "ahmed@reclassering.example",
    "00000000-0000-0000-0000-0000000000a5": "linda@woonstad.example",
    "00000000-0000-0000-0000-0000000000a6": "kees@zvh-zuiderstad.example",
}


async def seed(db: Database, tenant_id: str = DEMO_TENANT) -> int:
    """Add the demo organisations and professionals; existing rows are left alone."""
    added = 0
    async with db.unit_of_work() as uow:
        gemeente = await uow.people.ensure_gemeente(GEMEENTE)
        organisaties = {}
        for naam, soort in ORGANISATIES:
            organisatie = await uow.people.organisatie_by_name(naam)
            organisaties[naam] = organisatie or await uow.people.add_organisatie(naam, soort)
        for object_id, naam, functie, organisatie_naam, expert in PROFESSIONALS:
            if await uow.people.by_identity(tenant_id, object_id):
                continue
            professional = await uow.people.add_professional(
                tenant_id=tenant_id,
                aad_object_id=object_id,
                naam=naam,
                functie=functie,
                email=EMAILS.get(object_id),
                organisatie_id=organisaties[organisatie_naam].id,
                is_beheerder=expert,
            )
            if expert:
                await uow.people.make_pga_expert(professional.id, gemeente.id)
            added += 1
        await uow.commit()
    return added


def refuse_production(env: dict[str, str]) -> str | None:
    if env.get("MicrosoftAppId"):
        return "MicrosoftAppId is set: this looks like production. Demo data is for local runs."
    if env.get("LOCAL_MODE", "").lower() not in ("1", "true", "yes", "ja"):
        return "Set LOCAL_MODE=1: demo data is only for a local run."
    if (env.get("DATABASE_URL") or "").startswith("postgresql"):
        return "DATABASE_URL points at PostgreSQL: demo data goes only into the local SQLite file."
    return None


def main() -> None:
    env = dict(os.environ)
    problem = refuse_production(env)
    if problem:
        print(f"Geweigerd: {problem}", file=sys.stderr)
        raise SystemExit(2)

    async def run() -> int:
        db = Database.from_url(env.get("DATABASE_URL") or DEFAULT_URL)
        await upgrade(db.engine)
        try:
            return await seed(db)
        finally:
            await db.dispose()

    added = asyncio.run(run())
    print(
        f"Demodata klaar ({added} {'professional' if added == 1 else 'professionals'} toegevoegd)."
    )


if __name__ == "__main__":
    main()
