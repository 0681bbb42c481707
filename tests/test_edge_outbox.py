"""The outbox keeps the id of every activity it sends (DESIGN §4: a posted card can be updated,
and replaced at retention)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from store.models import Bericht, ConversationRef, utcnow
from store.outbox import BerichtRepository
from tests.e2e import Bot, outbox_until, running_bot
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)
from tests.standin import StandIn

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bot(standin: StandIn, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(
        standin, f"sqlite+aiosqlite:///{tmp_path / 'edge.sqlite3'}", OUTBOX_INTERVAL_SECONDS="60"
    ) as running:
        yield running


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every mark_sent call with its arguments (passed on to the store)."""
    calls: list[dict[str, Any]] = []
    original = BerichtRepository.mark_sent
    accepted = set(inspect.signature(original).parameters)

    async def spy(self: BerichtRepository, bericht_id: int, **kwargs: Any) -> None:
        calls.append({"bericht_id": bericht_id, **kwargs})
        await original(self, bericht_id, **{k: v for k, v in kwargs.items() if k in accepted})

    monkeypatch.setattr(BerichtRepository, "mark_sent", spy)
    return calls


CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Nieuwe aanmelding PGA-2026-001"}],
}


async def test_outbox_records_the_activity_id_of_what_it_sent(
    bot: Bot, standin: StandIn, marked: list[dict[str, Any]]
) -> None:
    messages = {
        "a:personal-kaart": {"kaart": CARD},
        "a:personal-tekst": {"tekst": "Je hebt een nieuwe taak."},
        "a:personal-beide": {"kaart": CARD, "tekst": "Bekijk de aanmelding."},
    }
    async with bot.db.unit_of_work() as uow:
        for conversation, content in messages.items():
            reference = {
                "bot": {"id": f"28:{standin.app_id}"},
                "conversation": {"id": conversation, "conversationType": "personal"},
                "channelId": "msteams",
                "serviceUrl": standin.service_url,
            }
            uow.session.add(
                ConversationRef(
                    conversation_id=conversation, conversation_type="personal", reference=reference
                )
            )
            uow.session.add(Bericht(conversation_id=conversation, **content))
        await uow.commit()
    assert bot.app is not None
    rows = await outbox_until(bot.app, lambda rows: all(r.verzonden_at for r in rows))
    conversation_of = {row.id: row.conversation_id for row in rows}

    # One activity per message (text and card together), and its id is kept.
    calls = {call.conversation_id: call for call in standin.recorded}
    assert sorted(calls) == sorted(messages)
    both = calls["a:personal-beide"].body
    assert both["text"] == "Bekijk de aanmelding." and both["attachments"][0]["content"] == CARD
    kept = {conversation_of[mark["bericht_id"]]: mark.get("activity_id") for mark in marked}
    assert kept == {conversation: call.response_id for conversation, call in calls.items()}
    assert all(kept.values())


async def test_a_keyed_post_replaces_the_card_sent_under_the_same_key(
    bot: Bot, standin: StandIn
) -> None:
    """The agenda card changes in place: the second post under "agenda:1" is an update of
    the first activity, not a new message; another key is a new message."""
    conversation = "19:kanaal@thread.tacv2"
    reference = {
        "bot": {"id": f"28:{standin.app_id}"},
        "conversation": {"id": conversation, "conversationType": "channel"},
        "channelId": "msteams",
        "serviceUrl": standin.service_url,
    }
    versions = [("agenda:1", "versie 1"), ("agenda:1", "versie 2"), ("agenda:2", "ander")]
    async with bot.db.unit_of_work() as uow:
        uow.session.add(
            ConversationRef(
                conversation_id=conversation, conversation_type="channel", reference=reference
            )
        )
        for plek, text in versions:
            uow.session.add(Bericht(conversation_id=conversation, tekst=text, plek=plek))
        await uow.commit()
    assert bot.app is not None
    rows = await outbox_until(bot.app, lambda rows: all(r.verzonden_at for r in rows))

    posts = [c for c in standin.recorded if c.conversation_id == conversation]
    agenda = [(c.method, c.text) for c in posts if c.text != "ander"]
    assert agenda == [("POST", "versie 1"), ("PUT", "versie 2")]
    assert [c.method for c in posts if c.text == "ander"] == ["POST"]
    first, update, other = rows
    put = next(c for c in posts if c.method == "PUT")
    assert put.path.endswith(f"/activities/{first.activity_id}")
    assert update.activity_id == first.activity_id != other.activity_id


async def test_a_keyed_post_whose_card_is_gone_is_posted_anew(bot: Bot, standin: StandIn) -> None:
    conversation = "19:kanaal@thread.tacv2"
    reference = {
        "bot": {"id": f"28:{standin.app_id}"},
        "conversation": {"id": conversation, "conversationType": "channel"},
        "channelId": "msteams",
        "serviceUrl": standin.service_url,
    }
    async with bot.db.unit_of_work() as uow:
        uow.session.add(
            ConversationRef(
                conversation_id=conversation, conversation_type="channel", reference=reference
            )
        )
        uow.session.add(
            Bericht(
                conversation_id=conversation,
                tekst="oud",
                plek="agenda:1",
                verzonden_at=utcnow(),
                activity_id="verwijderd-in-teams",
                sent_conversation_id=conversation,
            )
        )
        uow.session.add(Bericht(conversation_id=conversation, tekst="nieuw", plek="agenda:1"))
        await uow.commit()
    standin.fail_next(1, status=404, operation="update_activity")
    assert bot.app is not None
    rows = await outbox_until(bot.app, lambda rows: all(r.verzonden_at for r in rows))
    posts = [c for c in standin.recorded if c.conversation_id == conversation]
    assert [(c.method, c.status) for c in posts] == [("PUT", 404), ("POST", 201)]
    assert rows[1].activity_id == posts[1].response_id


async def test_a_replacement_updates_the_sent_activity_in_place(
    bot: Bot, standin: StandIn, marked: list[dict[str, Any]]
) -> None:
    """Retention's stub (#13) goes out as an update of the activity already in Teams."""
    stub = {**CARD, "body": [{"type": "TextBlock", "text": "Verwijderd wegens bewaartermijn"}]}
    async with bot.db.unit_of_work() as uow:
        reference = {
            "bot": {"id": f"28:{standin.app_id}"},
            "conversation": {"id": "a:personal-stub", "conversationType": "personal"},
            "channelId": "msteams",
            "serviceUrl": standin.service_url,
        }
        uow.session.add(
            ConversationRef(
                conversation_id="a:personal-stub", conversation_type="personal", reference=reference
            )
        )
        uow.session.add(
            Bericht(conversation_id="a:personal-stub", kaart=stub, vervangt_activity_id="act-9")
        )
        await uow.commit()
    assert bot.app is not None
    await outbox_until(bot.app, lambda rows: all(r.verzonden_at for r in rows))
    (call,) = standin.calls(conversation_id="a:personal-stub")
    assert call.operation == "update_activity" and call.activity_id == "act-9"
    assert call.authorized and call.body["attachments"][0]["content"] == stub
    assert [mark.get("activity_id") for mark in marked] == ["act-9"]


async def test_a_keyed_reminder_to_a_professional_never_replaces_an_earlier_one(
    bot: Bot, standin: StandIn
) -> None:
    """A reminder's key ("actie:1:te_laat") is there to withdraw it while unsent; two
    messages under it to one professional are two new messages, not an update."""
    from store.models import Professional

    conversation = "a:personal-ahmed"
    reference = {
        "bot": {"id": f"28:{standin.app_id}"},
        "conversation": {"id": conversation, "conversationType": "personal"},
        "channelId": "msteams",
        "serviceUrl": standin.service_url,
    }
    async with bot.db.unit_of_work() as uow:
        ahmed = Professional(tenant_id="t", aad_object_id="o-ahmed", naam="Ahmed")
        uow.session.add(ahmed)
        await uow.session.flush()
        uow.session.add(
            ConversationRef(
                conversation_id=conversation,
                conversation_type="personal",
                professional_id=ahmed.id,
                reference=reference,
            )
        )
        for text in ("eerste", "tweede"):
            uow.session.add(Bericht(professional_id=ahmed.id, tekst=text, plek="actie:1:te_laat"))
        await uow.commit()
    assert bot.app is not None
    await outbox_until(bot.app, lambda rows: all(r.verzonden_at for r in rows))
    posts = [(c.method, c.text) for c in standin.recorded if c.conversation_id == conversation]
    assert posts == [("POST", "eerste"), ("POST", "tweede")]
