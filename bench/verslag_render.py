"""The minutes of a large overleg (#12): view-model and Word rendering per variant, against a
bare python-docx baseline in the same run.

    python bench/verslag_render.py [--casussen 40] [--acties 200] [--besluiten 80] [--rounds 5]

An overleg of 40 casussen with 200 actions (afspraken) and 80 besluiten, written straight into
a fresh SQLite database (the demo professionals; every casus linked to two of them). Timed,
median of the rounds:

* view-model: `VerslagRepository.verslag` (the one query path: roles on the overleg, every
  item, identifiers for the redactor; for the full variant every casus opened through the
  gate and its identity audited);
* render: `render_geanonimiseerd` / `render_volledig` (template, redaction of every string,
  deterministic zip);
* baseline: python-docx alone writing a document with the same number of headings,
  paragraphs and table rows, without template, redaction or our zip pass: the floor.

Target: view-model + render < 1 s per variant.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docx import Document  # noqa: E402
from sqlalchemy import select  # noqa: E402

from store.access import issue  # noqa: E402
from store.db import Database  # noqa: E402
from store.demo import DEMO_TENANT, seed  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import (  # noqa: E402
    Aanmelding,
    Aanwezige,
    Actie,
    Afspraak,
    Agendapunt,
    Besluit,
    Betrokkene,
    Casus,
    Gemeente,
    Leefgebied,
    Overleg,
    Persoonsgegevens,
    PlanScore,
    Professional,
)
from store.privacy import name_key  # noqa: E402
from store.verslag import Verslag, verslagen  # noqa: E402
from templates.verslag import render_geanonimiseerd, render_volledig  # noqa: E402

FIRST = ["Noël", "Anaïs", "Kevin", "Priya", "François", "Siobhán", "Jan", "Fatoş"]
LAST = ["Çelik", "O'Neill", "Oudeman", "Ramdin", "D'Souza", "de Vries", "Yılmaz", "Bakker"]


async def build_world(db: Database, casussen: int, acties: int, besluiten: int) -> tuple[int, int]:
    """(overleg id, PGA-expert id): a held overleg with everything recorded."""
    await seed(db)
    async with db.unit_of_work() as uow:
        s = uow.session
        gemeente = await s.scalar(select(Gemeente))
        people = (await s.scalars(select(Professional).order_by(Professional.id))).all()
        expert, chair = people[0], people[5]
        gemeente.kanaal_conversation_id = "bench-kanaal"
        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        overleg = Overleg(
            gemeente_id=gemeente.id,
            soort="structureel",
            gepland_op=when,
            plaats="Stadhuis, zaal 3",
            kanaal_conversation_id="bench-kanaal",
            voorzitter_id=chair.id,
            status="afgerond",
            gepland_door_id=expert.id,
            gestart_at=when,
            afgerond_at=when + dt.timedelta(hours=2),
        )
        s.add(overleg)
        await s.flush()
        punten = []
        for i in range(casussen):
            naam = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"
            casus = Casus(
                code=f"PGA-2026-{i + 1:03d}",
                gemeente_id=gemeente.id,
                status="opgenomen",
                doelgroep="volwassene",
                urgentie="hoog",
                created_at=when - dt.timedelta(days=30),
            )
            s.add(casus)
            await s.flush()
            born = dt.date(1980 + i % 30, 1 + i % 12, 1 + i % 28)
            s.add(
                Persoonsgegevens(
                    casus_id=casus.id,
                    naam=naam,
                    naam_sleutel=name_key(naam),
                    geboortedatum=born,
                    woonplaats="Zuiderstad",
                    adres=f"Lindelaan {i + 1}",
                    postcode="1234 AB",
                )
            )
            s.add(
                Aanmelding(
                    casus_id=casus.id,
                    aanmelder_id=people[1].id,
                    criteria={},
                    leefgebieden=[],
                    partner_ids=[],
                    reden=f"{naam} veroorzaakt overlast",
                    bewoner_geinformeerd=True,
                )
            )
            for person, rol in ((people[2], "casusregisseur"), (people[3], "betrokken")):
                s.add(
                    Betrokkene(
                        casus_id=casus.id,
                        professional_id=person.id,
                        rol=rol,
                        doel="PGA",
                        grondslag="art6_1e",
                        sinds=when - dt.timedelta(days=20),
                    )
                )
            punt = Agendapunt(
                overleg_id=overleg.id,
                casus_id=casus.id,
                volgorde=i + 1,
                reden="voortgang",
                minuten=10,
                besproken=True,
            )
            s.add(punt)
            await s.flush()
            punten.append((punt, casus, naam))
        for person in people:
            s.add(Aanwezige(overleg_id=overleg.id, professional_id=person.id, aanwezig=False))
        for k in range(besluiten):
            punt, casus, naam = punten[k % casussen]
            s.add(
                Besluit(
                    casus_id=casus.id,
                    soort="overleg",
                    uitkomst="plan_bijgesteld",
                    toelichting=f"{naam} krijgt schuldhulp en begeleiding bij wonen. " * 3,
                    toelichting_gedeeld="[bewoner] krijgt schuldhulp en begeleiding bij wonen. "
                    * 3,
                    details={},
                    overleg_id=overleg.id,
                    agendapunt_id=punt.id,
                    genomen_door_id=chair.id,
                )
            )
        for k in range(acties):
            punt, casus, naam = punten[k % casussen]
            afspraak = Afspraak(
                casus_id=casus.id,
                agendapunt_id=punt.id,
                beschrijving=f"Huisbezoek bij {naam} plannen en terugkoppelen",
                beschrijving_gedeeld="Huisbezoek bij [bewoner] plannen en terugkoppelen",
                eigenaar_id=people[2 + k % 2].id,
                deadline=dt.date.today() + dt.timedelta(days=7 + k % 30),
                vastgelegd_door_id=chair.id,
            )
            s.add(afspraak)
            await s.flush()
            # The minutes read the plan van aanpak: each afspraak is an action there (#11).
            s.add(
                Actie(
                    casus_id=casus.id,
                    beschrijving=afspraak.beschrijving,
                    eigenaar_soort="professional",
                    eigenaar_professional_id=afspraak.eigenaar_id,
                    deadline=afspraak.deadline,
                    status="open",
                    afspraak_id=afspraak.id,
                    versie=1,
                    aangemaakt_door_id=chair.id,
                )
            )
        gebieden = (await s.scalars(select(Leefgebied.id).limit(3))).all()
        for _, casus, _ in punten:  # two scores per leefgebied: the movement
            for leefgebied_id in gebieden:
                for days, score in ((30, 2), (0, 3)):
                    datum = dt.date.today() - dt.timedelta(days=days)
                    s.add(
                        PlanScore(
                            casus_id=casus.id,
                            leefgebied_id=leefgebied_id,
                            moment=f"datum:{datum}",
                            datum=datum,
                            score=score,
                            gegeven_door_id=chair.id,
                        )
                    )
        await uow.commit()
        return overleg.id, expert.id


def baseline(model: Verslag) -> bytes:
    """python-docx alone: the same number of headings, paragraphs and table rows."""
    document = Document()
    document.add_heading("Verslag", 0)
    for punt in model.punten:
        document.add_heading(punt.code, 2)
        for text in (punt.samenvatting, punt.vervolg, *(b.uitkomst for b in punt.besluiten)):
            document.add_paragraph(text)
        table = document.add_table(rows=1, cols=3)
        for actie in punt.acties:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = actie.beschrijving, actie.eigenaar, "x"
    for rows in (model.besluitenlijst, model.open_acties):
        table = document.add_table(rows=1, cols=3)
        for _ in rows:
            cells = table.add_row().cells
            cells[0].text = cells[1].text = cells[2].text = "x"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def timed(rounds: int, step: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = await step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--casussen", type=int, default=40)
    parser.add_argument("--acties", type=int, default=200)
    parser.add_argument("--besluiten", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            await upgrade(db.engine)
            sizes = (args.casussen, args.acties, args.besluiten)
            overleg_id, expert_id = await build_world(db, *sizes)
            async with db.unit_of_work() as uow:
                object_id = await uow.session.scalar(
                    select(Professional.aad_object_id).where(Professional.id == expert_id)
                )
            requester = issue(expert_id, DEMO_TENANT, object_id or "", "bench", "personal")

            async def model(volledig: bool) -> Verslag:
                async with db.unit_of_work() as uow:
                    built = await verslagen(uow).verslag(requester, overleg_id, volledig=volledig)
                    await uow.rollback()  # the audit rows of a benchmark are not kept
                    return built

            rows = []
            for name, volledig, render in (
                ("geanonimiseerd", False, render_geanonimiseerd),
                ("volledig", True, render_volledig),
            ):
                model_s, built = await timed(args.rounds, lambda v=volledig: model(v))

                async def rendered(built: Verslag = built, render: Any = render) -> bytes:
                    return render(built).inhoud

                render_s, content = await timed(args.rounds, rendered)

                async def floor(built: Verslag = built) -> bytes:
                    return baseline(built)

                base_s, _ = await timed(args.rounds, floor)
                rows.append((name, model_s, render_s, base_s, len(content)))
        finally:
            await db.dispose()
    print(
        f"Verslag: {args.casussen} casussen, {args.acties} acties, {args.besluiten} besluiten; "
        f"median of {args.rounds} rounds, SQLite, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"{'variant':16} {'view-model':>11} {'render':>9} {'total':>9} "
        f"{'python-docx floor':>18} {'render/floor':>13} {'size':>9}  target < 1 s"
    )
    for name, model_s, render_s, base_s, size in rows:
        total = model_s + render_s
        print(
            f"{name:16} {model_s * 1000:9.0f} ms {render_s * 1000:6.0f} ms {total * 1000:6.0f} ms "
            f"{base_s * 1000:15.0f} ms {render_s / base_s:12.2f}x {size / 1024:7.0f} KiB  "
            f"{'ok' if total < 1 else 'TOO SLOW'}"
        )


if __name__ == "__main__":
    asyncio.run(main())
