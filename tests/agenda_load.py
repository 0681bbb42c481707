"""A large agenda published (issue #10, Performance): the scenario shared by
bench/overleg_publish.py and tests/test_e2e_agenda_publish.py.

The overleg is built through the workflows, as the PGA-expert would: casussen referred, taken
in, partners linked (betrokken and adviserend spread over the casussen), a channel linked with
`kanaal`, overleggen planned and every casus put on their agenda. Every conversation reference
points at the Bot Connector stand-in, as the bot stores it when people write from Teams, so
every notice can be delivered.

Who is invited follows from the store: the PGA-expert who took the casussen in (linked as
pga_expert), the aanmelder (betrokken), the casusregisseur, the chair, and the partners linked
here. `seed_agenda(..., invitees=15)` makes that exactly 15 people.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from dialogs import router
from dialogs.core import Config, Incoming, Outcome
from store.db import Database
from store.models import Bericht, Overleg
from tests.helpers import aanmelding_values, card_text, casus_id, future_date, professional_id
from tests.standin import StandIn
from tests.standin.server import RecordedCall
from tests.test_koppelen import CHECKLIST

#: As tests/e2e.py `Bot.activity` names them, so HTTP turns and the seed share conversations.
CHANNEL = "19:kanaal-zuiderstad@thread.tacv2"
#: Invited whatever is linked: the PGA-expert who takes the casussen in (triage links her as
#: pga_expert), the aanmelder, the casusregisseur and the chair.
EXPERT, AANMELDER, REGISSEUR, CHAIR = "a1", "a2", "a3", "a6"
FIXED = (EXPERT, AANMELDER, REGISSEUR, CHAIR)
#: Demo partners linked per casus; beyond them, professionals b1, b2, ... are added.
DEMO_PARTNERS = ("a4", "a5")
# Residents' names and birth dates: none may occur in what the channel sees (the outbox checks
# every shared post against each casus's identifiers), so nothing like a professional's name.
FIRST_NAMES = ("Kevin", "Priya", "Daan", "Yara", "Milan", "Sem", "Lotte", "Bram")
LAST_NAMES = ("Oudeman", "Ramdin", "Verhoef", "Koster", "Brink", "Smulders", "Wagenaar")
MAX_CASUSSEN = len(FIRST_NAMES) * len(LAST_NAMES)


def object_id(who: str) -> str:
    return f"00000000-0000-0000-0000-0000000000{who}"


def personal(who: str) -> str:
    return f"a:personal-{who}"


def incoming(standin: StandIn, who: str, conversation_type: str = "personal") -> Incoming:
    """A turn of `who` as bot/translate.py makes it, its reference pointing at the stand-in."""
    conversation = personal(who) if conversation_type == "personal" else CHANNEL
    reference = {
        "user": {"id": f"29:{who}", "name": who, "aadObjectId": object_id(who)},
        "bot": {"id": f"28:{standin.app_id}", "name": "Casusoverleg"},
        "conversation": {
            "id": conversation,
            "conversationType": conversation_type,
            "tenantId": standin.tenant_id,
        },
        "channelId": "msteams",
        "serviceUrl": standin.service_url,
        "locale": "nl-NL",
    }
    return Incoming(
        tenant_id=standin.tenant_id,
        aad_object_id=object_id(who),
        user_name=who,
        conversation_id=conversation,
        conversation_type=conversation_type,
        reference=reference,
    )


@dataclass(frozen=True)
class Agenda:
    overleg_ids: list[int]
    #: Who is invited to each overleg (demo codes such as a1 and b3).
    invitees: tuple[str, ...]
    codes: list[str]


@dataclass
class Seeder:
    db: Database
    config: Config
    standin: StandIn

    async def act(
        self, who: str, verb: str, data: dict[str, Any], conversation_type: str = "personal"
    ) -> Outcome:
        turn = incoming(self.standin, who, conversation_type)
        return await router.handle_action(self.db, self.config, turn, verb, data)

    async def say(self, who: str, text: str, conversation_type: str = "personal") -> Outcome:
        turn = incoming(self.standin, who, conversation_type)
        return await router.handle_text(self.db, self.config, turn, text)

    async def pid(self, who: str) -> int:
        return await professional_id(self.db, who, tenant=self.standin.tenant_id)

    async def opgenomen(self, index: int) -> tuple[str, int]:
        """A casus referred by the aanmelder and taken in by the PGA-expert."""
        naam = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index // len(FIRST_NAMES)]}"
        born = (dt.date(1990, 1, 1) + dt.timedelta(days=37 * index)).isoformat()
        values = await aanmelding_values(
            self.db,
            naam=naam,
            geboortedatum=born,
            doelgroep="volwassene",
            reden=f"{naam} veroorzaakt overlast.",
        )
        sent = card_text((await self.act(AANMELDER, "aanmelding.indienen", values)).card)
        assert "Aanmelding verstuurd" in sent, sent
        code = sent.split("**")[1]
        cid = await casus_id(self.db, code)
        await self.act(EXPERT, "triage.open", {"casus": cid})
        decided = {
            "casus": cid,
            "besluit": "opnemen",
            "eigen_grondslag": "art6_1e",
            "casusregisseur": str(await self.pid(REGISSEUR)),
            "startgesprek_datum": future_date(),
        }
        await self.act(EXPERT, "triage.besluit", decided)
        return code, cid

    async def link(self, cid: int, who: str, rol: str) -> None:
        values = {**CHECKLIST, "rol": rol, "professional": str(await self.pid(who))}
        done = card_text(
            (await self.act(EXPERT, "koppelen.opslaan", {"casus": cid, **values})).card
        )
        assert "is gekoppeld" in done, done

    async def plan(self, days_ahead: int) -> int:
        values = {
            "_form": uuid.uuid4().hex,
            "soort": "structureel",
            "datum": future_date(days_ahead),
            "tijd": "09:00",
            "plaats": "Stadhuis, zaal 3",
            "voorzitter": str(await self.pid(CHAIR)),
        }
        planned = card_text((await self.act(EXPERT, "overleg.plannen", values)).card)
        assert "Het overleg is gepland" in planned, planned
        return await newest_overleg(self.db)

    async def add_partners(self, count: int) -> list[str]:
        """`count` extra professionals (b1, b2, ...) over the demo organisations."""
        added = [f"{0xB0 + n:02x}" for n in range(1, count + 1)]
        async with self.db.unit_of_work() as uow:
            organisaties = list(await uow.people.organisaties())
            for n, who in enumerate(added):
                await uow.people.add_professional(
                    tenant_id=self.standin.tenant_id,
                    aad_object_id=object_id(who),
                    naam=f"Deelnemer {n + 1:02d}",
                    functie="Professional",
                    organisatie_id=organisaties[n % len(organisaties)].id,
                )
            await uow.commit()
        return added


async def newest_overleg(db: Database) -> int:
    async with db.unit_of_work() as uow:
        found = await uow.session.scalar(select(func.max(Overleg.id)))
        assert found is not None
        return int(found)


async def seed_agenda(
    db: Database,
    config: Config,
    standin: StandIn,
    *,
    casussen: int,
    invitees: int,
    overleggen: int = 1,
) -> Agenda:
    """`overleggen` structurele overleggen with the same `casussen` on each agenda, to which
    exactly `invitees` professionals are invited; every one of them reachable in a 1:1 chat.
    Needs the demo data (store.demo.seed with the stand-in's tenant)."""
    partners_needed = invitees - len(FIXED)
    if partners_needed < 1 or not partners_needed <= casussen <= MAX_CASUSSEN:
        raise ValueError(
            f"need invitees > {len(FIXED)}, casussen >= invitees - {len(FIXED)} and "
            f"casussen <= {MAX_CASUSSEN}"
        )
    seeder = Seeder(db, config, standin)
    partners = list(DEMO_PARTNERS[:partners_needed])
    partners += await seeder.add_partners(partners_needed - len(partners))
    taken_in = [await seeder.opgenomen(index) for index in range(casussen)]
    # Each partner betrokken on some casussen and adviserend on others.
    for index, (_, cid) in enumerate(taken_in):
        await seeder.link(cid, partners[index % len(partners)], "betrokken")
        adviser = partners[(index + max(1, len(partners) // 2)) % len(partners)]
        if adviser != partners[index % len(partners)]:
            await seeder.link(cid, adviser, "adviserend")
    linked = await seeder.say(EXPERT, "kanaal", conversation_type="channel")
    assert "Dit kanaal krijgt nu meldingen" in (linked.text or ""), linked.text
    overleg_ids = []
    for number in range(overleggen):
        oid = await seeder.plan(days_ahead=7 + number)
        for code, cid in taken_in:
            added = await seeder.act(
                EXPERT, "agenda.voorstel", {"overleg": oid, "casus": cid, "reden": "voortgang"}
            )
            assert f"{code} staat op de agenda" in card_text(added.card), card_text(added.card)
        overleg_ids.append(oid)
    everyone = (*FIXED, *partners)
    for who in everyone:  # the app is installed for everyone: the bot can reach them
        await router.remember(db, config, incoming(standin, who))
    return Agenda(overleg_ids, everyone, [code for code, _ in taken_in])


# --- delivery ---------------------------------------------------------------------------------


async def newest_bericht(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.max(Bericht.id))) or 0)


async def undelivered(db: Database, after: int = 0) -> int:
    """Messages in the outbox (newer than id `after`) not yet delivered."""
    async with db.unit_of_work() as uow:
        return int(
            await uow.session.scalar(
                select(func.count())
                .select_from(Bericht)
                .where(Bericht.id > after, Bericht.verzonden_at.is_(None))
            )
            or 0
        )


async def queued_since(db: Database, after: int) -> int:
    """Messages put in the outbox after the one with id `after`."""
    async with db.unit_of_work() as uow:
        return int(
            await uow.session.scalar(
                select(func.count()).select_from(Bericht).where(Bericht.id > after)
            )
            or 0
        )


async def delivered_within(
    db: Database, timeout: float, after: int = 0, poll: float = 0.02
) -> float | None:
    """Seconds until the outbox (newer than `after`) holds nothing undelivered; None if it still
    did after `timeout`. Only looks: delivery is the app's own work."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if await undelivered(db, after) == 0:
            return time.perf_counter() - started
        await asyncio.sleep(poll)
    return None


@dataclass(frozen=True)
class Received:
    """What the stand-in received for one publication."""

    #: Successful posts and updates per conversation.
    per_conversation: dict[str, int]
    #: Calls answered with 429 (each retried later by the outbox).
    throttled: int
    problems: list[str]

    @property
    def delivered(self) -> int:
        return sum(self.per_conversation.values())


def received(calls: list[RecordedCall], invitees: tuple[str, ...], overleg_id: int) -> Received:
    """Check the connector calls of one publication: the agenda once in the channel, one
    invitation per invitee, nothing else; what is missing or doubled is a problem."""
    delivered = [c for c in calls if 200 <= c.status < 300]
    per_conversation = Counter(str(c.conversation_id) for c in delivered)
    expected = {CHANNEL: 1} | {personal(who): 1 for who in invitees}
    problems = [
        f"{conversation}: {per_conversation.get(conversation, 0)} delivered, expected {count}"
        for conversation, count in expected.items()
        if per_conversation.get(conversation, 0) != count
    ]
    problems += [
        f"{conversation}: {count} unexpected"
        for conversation, count in per_conversation.items()
        if conversation not in expected
    ]
    about = re.compile(rf'"overleg": {overleg_id}\b')
    problems += [
        f"{c.conversation_id}: a card not about overleg {overleg_id}"
        for c in delivered
        if not about.search(json.dumps(c.body))
    ]
    throttled = sum(1 for c in calls if c.status == 429)
    return Received(dict(per_conversation), throttled, problems)
