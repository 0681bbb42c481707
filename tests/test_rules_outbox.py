"""The outbox (store/outbox.py): nothing naming the resident goes to a shared space, a message
about a casus reaches only someone who still holds a role on it, and each message is claimed
by one sender, sent once, retried later or dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select, update

from store.access import PGA_EXPERT, Need, SharedPostRefused
from store.db import Database
from store.demo import DEMO_TENANT
from store.models import Bericht, Betrokkene, Professional, utcnow
from store.outbox import PrivateMessage, SharedPost
from tests.test_rules_gate import World, ask, build, link, make_casus

LEASE = dt.timedelta(minutes=2)


@pytest.fixture
async def world(sqlite_db: Database) -> World:
    return await build(sqlite_db)


async def chats(db: Database, *professional_ids: int) -> None:
    """Give each professional a personal chat, so messages can reach them."""
    async with db.unit_of_work() as uow:
        for professional_id in professional_ids:
            await uow.conversations.remember(
                f"chat-{professional_id}", "personal", DEMO_TENANT, professional_id, {"x": 1}
            )
        await uow.commit()


async def shared_post(db: Database, world: World, card: dict) -> SharedPost:
    async with db.unit_of_work() as uow:
        casus = await uow.casussen.open(world.casus_id, ask(world.expert), Need.OVERZICHT)
        return SharedPost("19:kanaal", await casus.shared(), card)


async def rows(db: Database) -> list[Bericht]:
    async with db.unit_of_work() as uow:
        return list((await uow.session.scalars(select(Bericht).order_by(Bericht.id))).all())


# --- shared posts ---------------------------------------------------------------------------------


async def test_a_shared_post_naming_the_resident_is_refused(world: World) -> None:
    db = world.db
    for card in (
        {"body": [{"text": "Nieuwe aanmelding: kim DE WIT"}]},
        {"body": [{"text": "geboren 02-01-1990"}]},
    ):
        post = await shared_post(db, world, card)
        async with db.unit_of_work() as uow:
            with pytest.raises(SharedPostRefused, match=f"^{world.casus_id}$"):
                await uow.berichten.put(post)
            assert uow.berichten.added == 0
    assert await rows(db) == []


async def test_a_name_with_accents_is_recognised_inside_the_card_json(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        casus_id, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Zoë Ãlvarez")
        await uow.commit()
    async with world.db.unit_of_work() as uow:
        with pytest.raises(SharedPostRefused):
            await uow.berichten.check_shared(casus_id, {"text": "Gesprek met Zoë gepland"})
        # No identifiers known (e.g. after retention): nothing to refuse.
        await uow.berichten.check_shared(casus_id + 100, {"text": "Gesprek met Zoë gepland"})


async def test_a_post_about_several_casussen_is_checked_against_each_in_one_query(
    world: World,
) -> None:
    """An agenda names many casussen: refused for whichever resident it names (not only the
    first casus), with the residents' identifiers read in one query however many there are."""
    async with world.db.unit_of_work() as uow:
        second, _ = await make_casus(uow, world.gemeente_id, world.aanmelder, naam="Ruud Brand")
        await uow.commit()
    casussen = [world.casus_id, second, second + 100]  # the last has no identifiers (any more)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(world.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with world.db.unit_of_work() as uow:
            await uow.berichten.check_shared_all(casussen, {"text": "Agenda: 3 casussen"})
            with pytest.raises(SharedPostRefused, match=f"^{second}$"):
                await uow.berichten.check_shared_all(casussen, {"text": "met BRAND besproken"})
            with pytest.raises(SharedPostRefused, match=f"^{world.casus_id}$"):
                await uow.berichten.check_shared_all(casussen, {"text": "Kim, Ruud"})
    finally:
        event.remove(world.db.engine.sync_engine, "before_cursor_execute", record)
    assert len([s for s in statements if "persoonsgegevens" in s]) == 3  # one per check


async def test_a_pseudonymous_shared_post_is_stored_for_the_channel(world: World) -> None:
    card = {"body": [{"text": f"Nieuwe aanmelding {world.code}"}]}
    post = await shared_post(world.db, world, card)
    async with world.db.unit_of_work() as uow:
        await uow.berichten.put(post)
        await uow.berichten.put(PrivateMessage(world.expert, text="privé", casus_id=world.casus_id))
        assert uow.berichten.added == 2
        await uow.commit()
    shared, private = await rows(world.db)
    assert (shared.conversation_id, shared.professional_id, shared.kaart, shared.tekst) == (
        "19:kanaal",
        None,
        card,
        None,
    )
    assert (shared.casus_id, shared.soort) == (world.casus_id, "gedeeld")
    assert (private.conversation_id, private.professional_id, private.kaart, private.tekst) == (
        None,
        world.expert,
        None,
        "privé",
    )
    assert (private.casus_id, private.soort) == (world.casus_id, "privé")


# --- who may still receive a message about a casus ------------------------------------------------


async def test_messages_about_a_casus_reach_only_who_still_holds_a_role(world: World) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        elders_casus, _ = await make_casus(uow, world.other_gemeente_id, world.outsider)
        ended = await uow.session.scalar(
            select(Betrokkene).where(Betrokkene.professional_id == world.adviseur)
        )
        assert ended is not None
        ended.tot = utcnow()
        # The regisseur is linked to the Elders casus too, but as someone else's message.
        uow.session.add(link(elders_casus, world.regisseur, PGA_EXPERT))
        await uow.commit()
    await chats(
        db, world.aanmelder, world.expert, world.regisseur, world.adviseur, world.outsider,
        world.other_expert,
    )  # fmt: skip
    messages = {
        "linked": PrivateMessage(world.regisseur, text="linked", casus_id=world.casus_id),
        "expert": PrivateMessage(world.expert, text="expert", casus_id=world.casus_id),
        "ended": PrivateMessage(world.adviseur, text="ended", casus_id=world.casus_id),
        "elsewhere": PrivateMessage(world.outsider, text="elsewhere", casus_id=world.casus_id),
        "other expert": PrivateMessage(
            world.other_expert, text="other expert", casus_id=world.casus_id
        ),
        "expert, other casus": PrivateMessage(
            world.expert, text="expert, other casus", casus_id=elders_casus
        ),
        "no casus": PrivateMessage(world.adviseur, text="no casus"),
    }
    async with db.unit_of_work() as uow:
        for message in messages.values():
            await uow.berichten.put(message)
        await uow.berichten.put(
            SharedPost("19:kanaal", (await shared_post(db, world, {})).casus, {"t": "code"})
        )
        await uow.berichten.put(
            PrivateMessage(world.adviseur, text="sent before", casus_id=world.casus_id)
        )
        await uow.session.flush()
        await uow.session.execute(
            update(Bericht).where(Bericht.tekst == "sent before").values(verzonden_at=utcnow())
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        claimed = await uow.berichten.claim("w", 50, LEASE)
        texts = [b.tekst if b.tekst else "channel" for b in claimed]
    assert texts == ["linked", "expert", "no casus", "channel"]
    assert sorted(b.tekst or "channel" for b in await rows(db)) == sorted([*texts, "sent before"])


# --- claiming -------------------------------------------------------------------------------------


async def test_a_private_message_waits_for_an_active_personal_chat(world: World) -> None:
    db = world.db
    async with db.unit_of_work() as uow:
        await uow.berichten.put(PrivateMessage(world.aanmelder, text="voor aanmelder"))
        await uow.berichten.put(PrivateMessage(world.outsider, text="voor outsider"))
        await uow.commit()
        assert await uow.berichten.claim("w", 10, LEASE) == []
    await chats(db, world.aanmelder, world.outsider)
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Bericht).where(Bericht.tekst == "voor outsider").values(casus_id=None)
        )
        await uow.session.execute(
            update(Professional).where(Professional.id == world.outsider).values(actief=False)
        )
        await uow.commit()
        claimed = await uow.berichten.claim("w", 10, LEASE)
    assert [b.tekst for b in claimed] == ["voor aanmelder"]


async def test_claims_are_limited_in_order_and_held_for_the_lease(world: World) -> None:
    db = world.db
    await chats(db, world.aanmelder)
    async with db.unit_of_work() as uow:
        for n in range(3):
            await uow.berichten.put(PrivateMessage(world.aanmelder, text=f"m{n}"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        first = await uow.berichten.claim("a", 2, LEASE)
        assert [b.tekst for b in first] == ["m0", "m1"]
        assert all(b.claimed_by == "a" and b.claimed_at is not None for b in first)
    async with db.unit_of_work() as uow:
        # The limit counts claimable messages only: those held by a do not use it up.
        second = await uow.berichten.claim("b", 1, LEASE)
        assert [b.tekst for b in second] == ["m2"]
    async with db.unit_of_work() as uow:
        assert await uow.berichten.claim("a", 5, LEASE) == []
        await uow.berichten.put(PrivateMessage(world.aanmelder, text="m3"))
        await uow.commit()
        # Worker a asks again: its own earlier claims are not handed out a second time.
        assert [b.tekst for b in await uow.berichten.claim("a", 5, LEASE)] == ["m3"]
        await uow.session.execute(
            update(Bericht)
            .where(Bericht.tekst == "m0")
            .values(claimed_at=utcnow() - dt.timedelta(minutes=5))
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        # An expired lease: another sender takes the message over.
        taken = await uow.berichten.claim("c", 5, LEASE)
        assert [(b.tekst, b.claimed_by) for b in taken] == [("m0", "c")]
        assert not await uow.berichten.still_mine(taken[0].id, "a")
        # Renewing keeps the claim: nobody else can take it in the meantime.
        assert await uow.berichten.still_mine(taken[0].id, "c")
        await uow.commit()
        assert await uow.berichten.claim("d", 5, LEASE) == []


async def test_sent_and_postponed_messages_are_not_claimed(world: World) -> None:
    db = world.db
    await chats(db, world.aanmelder)
    async with db.unit_of_work() as uow:
        for text in ("sent", "later", "now"):
            await uow.berichten.put(PrivateMessage(world.aanmelder, text=text))
        await uow.session.flush()
        await uow.session.execute(
            update(Bericht).where(Bericht.tekst == "sent").values(verzonden_at=utcnow())
        )
        await uow.session.execute(
            update(Bericht)
            .where(Bericht.tekst == "later")
            .values(volgende_poging_at=utcnow() + dt.timedelta(minutes=5))
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert [b.tekst for b in await uow.berichten.claim("w", 10, LEASE)] == ["now"]
        assert [b.tekst for b in await uow.berichten.pending()] == ["later", "now"]


async def test_a_sent_message_keeps_no_content_and_a_retry_waits(world: World) -> None:
    db = world.db
    await chats(db, world.aanmelder)
    async with db.unit_of_work() as uow:
        await uow.berichten.put(
            PrivateMessage(world.aanmelder, card={"naam": "Kim de Wit"}, text="Kim")
        )
        await uow.berichten.put(PrivateMessage(world.aanmelder, text="retry"))
        await uow.berichten.put(PrivateMessage(world.aanmelder, text="plain"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        sent, retry, plain = await uow.berichten.claim("w", 10, LEASE)
        await uow.berichten.mark_sent(sent.id, "a" * 300, "c" * 400)
        await uow.berichten.mark_sent(plain.id)
        await uow.berichten.retry_later(retry.id, dt.timedelta(minutes=10))
        await uow.commit()
    sent, retry, plain = await rows(db)
    assert sent.verzonden_at is not None and sent.kaart is None and sent.tekst is None
    assert sent.activity_id == "a" * 200 and sent.sent_conversation_id == "c" * 300
    assert plain.verzonden_at is not None
    assert plain.activity_id is None and plain.sent_conversation_id is None
    assert retry.verzonden_at is None and retry.tekst == "retry"
    assert (retry.claimed_by, retry.claimed_at, retry.pogingen) == (None, None, 1)
    wait = retry.volgende_poging_at.replace(tzinfo=dt.UTC) - utcnow()
    assert dt.timedelta(minutes=9) < wait <= dt.timedelta(minutes=10)
    async with db.unit_of_work() as uow:
        await uow.berichten.retry_later(retry.id, dt.timedelta(0))
        await uow.commit()
    assert (await rows(db))[1].pogingen == 2


async def test_dropping_unsent_messages(world: World) -> None:
    db = world.db
    long_ago = utcnow() - dt.timedelta(days=40)
    async with db.unit_of_work() as uow:
        for who, text, casus_id in (
            (world.aanmelder, "old, no casus", None),
            (world.aanmelder, "new, no casus", None),
            (world.aanmelder, "old, casus", world.casus_id),
            (world.aanmelder, "old, sent", None),
            (world.outsider, "outsider", None),
        ):
            await uow.berichten.put(PrivateMessage(who, text=text, casus_id=casus_id))
        await uow.session.flush()
        await uow.session.execute(
            update(Bericht).where(Bericht.tekst.like("old%")).values(created_at=long_ago)
        )
        await uow.session.execute(
            update(Bericht).where(Bericht.tekst == "old, sent").values(verzonden_at=long_ago)
        )
        await uow.berichten.drop_unsent_without_casus(utcnow() - dt.timedelta(days=30))
        await uow.commit()
    assert [b.tekst for b in await rows(db)] == [
        "new, no casus",
        "old, casus",
        "old, sent",
        "outsider",
    ]
    async with db.unit_of_work() as uow:
        await uow.berichten.drop_unsent(world.aanmelder)
        await uow.commit()
        assert [b.tekst for b in await uow.berichten.pending()] == ["outsider"]
        assert [b.tekst for b in await uow.berichten.pending(world.aanmelder)] == []
    assert [b.tekst for b in await rows(db)] == ["old, sent", "outsider"]
