"""One effect per press (#26): every card button that adds something, pressed twice at the
same moment (a double-click; each press its own turn and database connection), adds it once
— on SQLite and on PostgreSQL. And a press that finds its work done says so, never that
someone else changed it, and never shows a correct "already" as a form error.

The buttons that add something (Action.Execute verbs whose step inserts a row or sends a
message) and what holds each to one effect:

- once-key on the card's `_form` (dialogs/once.py): aanmelding.indienen (claimed before the
  duplicate check), overleg.plannen, bespreking.besluit / .afspraak, signaal.vastleggen, and
  now plan.doel, plan.actie (+ its 4 reminder jobs), plan.escaleren (messages to the
  PGA-experts), startgesprek.vastleggen, corrigeren.opslaan;
- a conditional UPDATE: actie.uitstel, actie.uitstel.besluit (now), and every state change:
  triage.besluit, afsluiten, heropenen, overleg.starten / .afronden, actie.afgerond;
- a unique key: koppelen.opslaan / .opnieuw (the running link), agenda.toevoegen / .voorstel
  (overleg, casus), beheer.organisatie / .professional / .aanvraag (name, identity, e-mail),
  and the upserts plan.leefgebied, presentie.*, aanmelding.bewaren, beheer.briefhoofd;
- a lock on the gemeente: beheer.criterium (now); the digest of the card last posted:
  agenda.publiceren (now; its invitees are unique per overleg).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select

from dialogs import router
from dialogs.core import Outcome
from store.models import (
    Actie,
    Agendapunt,
    Besluit,
    Betrokkene,
    Correctie,
    Doel,
    GemeenteCriterium,
    Organisatie,
    Overleg,
    Persoonsgegevens,
    PlanWijziging,
    Signaal,
    Taak,
)
from store.plan import HERINNERING
from tests.conftest import incoming
from tests.helpers import (
    aanmelding_values,
    act,
    card_text,
    casus_id,
    future_date,
    gemeente_id,
    professional_id,
    say,
)
from tests.test_afsluiting import CLOSE
from tests.test_koppelen import CHECKLIST
from tests.test_overleg import newest_overleg, opgenomen
from tests.test_plan import add_actie, newest_actie

SOMEONE_ELSE = "Iemand anders"
FORM_ERROR = "Nog niet alles is goed ingevuld"


async def twice(
    db, config, who: str, verb: str, data: dict[str, Any], times: int = 2
) -> list[Outcome]:
    """The same press twice (or `times`) at the same moment, each in its own turn."""
    return list(
        await asyncio.gather(
            *(
                router.handle_action(db, config, incoming(who), verb, dict(data))
                for _ in range(times)
            )
        )
    )


def shown(outcome: Outcome) -> str:
    return (outcome.text or "") + card_text(outcome.card)


async def count(db, model: Any, *where: Any) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)))


def form() -> str:
    return uuid.uuid4().hex


async def test_every_press_that_adds_something_adds_it_once(demo_any_db, config):
    db = demo_any_db
    await say(db, config, "a1", "kanaal", conversation_type="channel")
    _, cid = await opgenomen(db, config)
    await act(
        db,
        config,
        "a1",
        "koppelen.opslaan",
        {"casus": cid, **CHECKLIST, "professional": str(await professional_id(db, "a4"))},
    )
    a4 = await professional_id(db, "a4")
    deadline = future_date(10)
    cases: list[tuple[str, str, dict[str, Any], Any, tuple[Any, ...]]] = [
        (
            "a1",
            "plan.doel",
            {"casus": cid, "omschrijving": "Wonen", "goed_genoeg_als": "Rust", "_form": form()},
            Doel,
            (),
        ),
        (
            "a1",
            "plan.doel",
            {"casus": cid, "omschrijving": "Wonen 2", "goed_genoeg_als": "Rust", "_form": form()},
            Besluit,
            (Besluit.soort == "plan",),
        ),
        (
            "a3",
            "plan.actie",
            {
                "casus": cid,
                "beschrijving": "Bellen",
                "eigenaar": f"p:{a4}",
                "deadline": deadline,
                "_form": form(),
            },
            Actie,
            (),
        ),
        (
            "a3",
            "plan.escaleren",
            {"casus": cid, "_form": form()},
            PlanWijziging,
            (PlanWijziging.wat == "procesregisseur_ingeschakeld",),
        ),
        (
            "a3",
            "startgesprek.vastleggen",
            {
                "casus": cid,
                "uitkomst": "gehouden",
                "datum": dt.date.today().isoformat(),
                "_form": form(),
            },
            Besluit,
            (Besluit.soort == "startgesprek",),
        ),
        (
            "a1",
            "corrigeren.opslaan",
            {
                "casus": cid,
                "veld": "woonplaats",
                "nieuw": "Noord",
                "reden": "Verhuisd",
                "_form": form(),
            },
            Correctie,
            (),
        ),
        (
            "a1",
            "koppelen.opslaan",
            {"casus": cid, **CHECKLIST, "professional": str(await professional_id(db, "a5"))},
            Betrokkene,
            (Betrokkene.tot.is_(None),),
        ),
        (
            "a4",
            "signaal.vastleggen",
            {"casus": str(cid), "tekst": "Buren melden lawaai", "_form": form()},
            Signaal,
            (),
        ),
        (
            "a1",
            "overleg.plannen",
            {
                "_form": form(),
                "soort": "structureel",
                "datum": future_date(),
                "tijd": "14:00",
                "plaats": "Stadhuis",
                "voorzitter": str(await professional_id(db, "a6")),
            },
            Overleg,
            (),
        ),
        (
            "a1",
            "beheer.organisatie",
            {"org_naam": "Stichting Dubbel", "org_soort": "zorg"},
            Organisatie,
            (),
        ),
        (
            "a1",
            "beheer.criterium",
            {"crit_gemeente": await gemeente_id(db), "crit_label": "Zorgmijdend"},
            GemeenteCriterium,
            (),
        ),
        (
            "a2",
            "aanmelding.indienen",
            {**await aanmelding_values(db, naam="Anna Tweemaal"), "_form": form()},
            Persoonsgegevens,
            (),
        ),
    ]
    for who, verb, data, model, where in cases:
        before = await count(db, model, *where)
        answers = await twice(db, config, who, verb, data)
        assert await count(db, model, *where) == before + 1, verb
        assert not any(SOMEONE_ELSE in shown(a) for a in answers), verb
    # The reminders of the one action: four jobs, not eight.
    actie = await newest_actie(db)
    assert await count(db, Taak, Taak.soort == HERINNERING, Taak.sleutel.like(f"{actie.id}:%")) == 4
    # An agenda item, once (its overleg just planned).
    overleg = await newest_overleg(db)
    item = {"overleg": overleg.id, "casus": str(cid), "reden": "nieuw", "minuten": "20"}
    await twice(db, config, "a1", "agenda.toevoegen", item)
    assert await count(db, Agendapunt, Agendapunt.overleg_id == overleg.id) == 1
    # Uitstel asked once, decided once: one request to the casusregisseur, one decision.
    await add_actie(db, config, cid, who="a3", eigenaar=f"p:{a4}")
    owned = await newest_actie(db)
    later = (owned.deadline + dt.timedelta(days=5)).isoformat()
    ask = {"actie": owned.id, "tot": later, "uitstel_reden": "Ziek"}
    await twice(db, config, "a4", "actie.uitstel", ask)
    asked = (PlanWijziging.wat == "uitstel_gevraagd", PlanWijziging.onderwerp_id == owned.id)
    assert await count(db, PlanWijziging, *asked) == 1
    await twice(db, config, "a3", "actie.uitstel.besluit", {"actie": owned.id, "akkoord": "nee"})
    decided = (PlanWijziging.wat == "uitstel", PlanWijziging.onderwerp_id == owned.id)
    assert await count(db, PlanWijziging, *decided) == 1


async def test_a_second_press_is_told_it_is_done_not_that_someone_else_changed_it(
    demo_any_db, config
):
    """Afsluiten, heropenen and triage pressed twice at once: one effect, and the second press hears
    "al gedaan" (or sees the result), on SQLite and on PostgreSQL."""
    db = demo_any_db
    _, cid = await opgenomen(db, config)
    await say(db, config, "a1", "help")  # her chat is known: the presses write nothing first
    close = {"casus": cid, **CLOSE}
    answers = await twice(db, config, "a1", "afsluiten.opslaan", close)
    assert not any(SOMEONE_ELSE in shown(a) for a in answers), [shown(a) for a in answers]
    assert await count(db, Besluit, Besluit.casus_id == cid, Besluit.soort == "afsluiting") == 1
    reopen = {"casus": cid, "reden": "Nieuwe meldingen"}
    answers = await twice(db, config, "a1", "heropenen.opslaan", reopen)
    assert not any(SOMEONE_ELSE in shown(a) for a in answers), [shown(a) for a in answers]
    heropend = (Besluit.casus_id == cid, Besluit.uitkomst == "heropend")
    assert await count(db, Besluit, *heropend) == 1
    # A referral triaged twice at once.
    made = await act(
        db, config, "a2", "aanmelding.indienen", await aanmelding_values(db, naam="Bram Triage")
    )
    other = await casus_id(db, card_text(made.card).split("**")[1])
    await act(db, config, "a1", "triage.open", {"casus": other})
    triage = {
        "casus": other,
        "eigen_grondslag": "art6_1e",
        "besluit": "afwijzen",
        "toelichting": "Past niet",
    }
    answers = await twice(db, config, "a1", "triage.besluit", triage)
    assert not any(SOMEONE_ELSE in shown(a) for a in answers), [shown(a) for a in answers]
    assert await count(db, Besluit, Besluit.casus_id == other, Besluit.soort == "triage") == 1


async def test_overleg_plannen_twice_at_once_shows_the_overleg_to_both(demo_any_db, config):
    db = demo_any_db
    await say(db, config, "a1", "kanaal", conversation_type="channel")
    values = {
        "_form": form(),
        "soort": "structureel",
        "datum": future_date(),
        "tijd": "14:00",
        "plaats": "Stadhuis",
        "voorzitter": str(await professional_id(db, "a6")),
    }
    await say(db, config, "a1", "help")  # her chat is known: the presses write nothing first
    answers = await twice(db, config, "a1", "overleg.plannen", values, times=4)
    assert await count(db, Overleg) == 1
    texts = [shown(a) for a in answers]
    assert not any(SOMEONE_ELSE in t for t in texts), texts
    assert all("gepland" in t for t in texts), texts


async def test_koppelen_and_beheer_pressed_again_show_the_result_not_a_form_error(
    demo_any_db, config
):
    db = demo_any_db
    _, cid = await opgenomen(db, config)
    data = {"casus": cid, **CHECKLIST, "professional": str(await professional_id(db, "a4"))}
    await act(db, config, "a1", "koppelen.opslaan", data)
    again = shown(await act(db, config, "a1", "koppelen.opslaan", data))
    assert "al gekoppeld" in again and FORM_ERROR not in again
    organisatie = {"org_naam": "Stichting Nogmaals", "org_soort": "zorg"}
    await act(db, config, "a1", "beheer.organisatie", organisatie)
    again = shown(await act(db, config, "a1", "beheer.organisatie", organisatie))
    assert "bestaat al" in again and FORM_ERROR not in again


async def test_publishing_an_unchanged_agenda_again_is_no_update(demo_any_db, config):
    db = demo_any_db
    await say(db, config, "a1", "kanaal", conversation_type="channel")
    _, cid = await opgenomen(db, config)
    await act(
        db,
        config,
        "a1",
        "overleg.plannen",
        {
            "_form": form(),
            "soort": "structureel",
            "datum": future_date(),
            "tijd": "14:00",
            "plaats": "Stadhuis",
            "voorzitter": str(await professional_id(db, "a6")),
        },
    )
    overleg = await newest_overleg(db)
    await act(db, config, "a1", "agenda.voorstel", {"overleg": overleg.id, "casus": cid})
    first = shown(await act(db, config, "a1", "agenda.publiceren", {"overleg": overleg.id}))
    assert "De agenda staat in het kanaal" in first
    again = shown(await act(db, config, "a1", "agenda.publiceren", {"overleg": overleg.id}))
    assert "bijgewerkt" not in again and "niets veranderd" in again
