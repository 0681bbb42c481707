"""Builders shared by the tests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from dialogs import router
from dialogs.core import Config, Outcome
from store.db import Database
from tests.conftest import incoming
from tests.inspect import cases_by_code

RESIDENT_NAME = "Kevin Oudeman"
RESIDENT_BORN = "2003-04-17"
RESIDENT_ADDRESS = "Lindelaan 12"
RESIDENT_POSTCODE = "1234 AB"
IDENTIFIERS = (RESIDENT_NAME, "Oudeman", RESIDENT_BORN, "17-04-2003", RESIDENT_ADDRESS, "Lindelaan")


async def gemeente_id(db: Database) -> str:
    async with db.unit_of_work() as uow:
        return str((await uow.people.gemeenten())[0].id)


async def organisatie_ids(db: Database) -> list[str]:
    async with db.unit_of_work() as uow:
        return [str(o.id) for o in await uow.people.organisaties()]


async def professional_id(
    db: Database, who: str, tenant: str = "00000000-0000-0000-0000-0000000000aa"
) -> int:
    async with db.unit_of_work() as uow:
        found = await uow.people.by_identity(tenant, f"00000000-0000-0000-0000-0000000000{who}")
        assert found is not None
        return found.id


async def aanmelding_values(db: Database, **overrides: str) -> dict[str, str]:
    organisaties = await organisatie_ids(db)
    values = {
        "naam": RESIDENT_NAME,
        "geboortedatum": RESIDENT_BORN,
        "woonplaats": "Zuiderstad",
        "doelgroep": "jeugd",
        "gemeente": await gemeente_id(db),
        "urgentie": "hoog",
        "reden": f"{RESIDENT_NAME} veroorzaakt al maanden overlast in de wijk.",
        "crit_overlast": "true",
        "crit_overlast_toelichting": "Intimidatie van buren",
        "crit_politie": "true",
        "crit_politie_toelichting": "Drie registraties sinds maart",
        "crit_meerdere_organisaties": "false",
        "crit_meerdere_organisaties_toelichting": "",
        "leefgebieden": "huisvesting,middelengebruik,justitie",
        "partners": ",".join(organisaties[:2]),
        "geinformeerd": "ja",
        "reden_niet_geinformeerd": "",
        "doel": "Aanmelding voor de PGA",
        "grondslag": "art6_1e",
        "uitzondering": "art10_uavg",
        "beroepsgeheim": "geen",
    }
    values.update(overrides)
    return values


async def act(
    db: Database,
    config: Config,
    who: str,
    verb: str,
    data: dict[str, Any] | None = None,
    conversation_type: str = "personal",
) -> Outcome:
    return await router.handle_action(
        db, config, incoming(who, conversation_type), verb, data or {}
    )


async def say(
    db: Database, config: Config, who: str, text: str, conversation_type: str = "personal"
) -> Outcome:
    return await router.handle_text(db, config, incoming(who, conversation_type), text)


def card_text(card: dict[str, Any] | None) -> str:
    return json.dumps(card or {}, ensure_ascii=False)


async def submit_aanmelding(db: Database, config: Config, who: str = "a2", **overrides: str) -> str:
    outcome = await act(
        db, config, who, "aanmelding.indienen", await aanmelding_values(db, **overrides)
    )
    text = card_text(outcome.card)
    assert "Aanmelding verstuurd" in text, text
    return text.split("**")[1]  # the code, e.g. PGA-2026-001


async def casus_id(db: Database, code: str) -> int:
    async with db.unit_of_work() as uow:
        return (await cases_by_code(uow, code))[0].id


def future_date(days: int = 7) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


async def decide(db: Database, config: Config, cid: int, **values: str) -> Outcome:
    """Fatima (PGA-expert) opens the triage of casus `cid` and records a decision."""
    await act(db, config, "a1", "triage.open", {"casus": cid})
    chosen = {"eigen_grondslag": "art6_1e", **values}
    return await act(db, config, "a1", "triage.besluit", {"casus": cid, **chosen})
