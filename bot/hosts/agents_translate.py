"""The Agents SDK's side of the translation: Outcome → the SDK's activities. Reading an
activity (→ Incoming) and invoke responses are the same for both hosts (bot/incoming.py), so
dialogs/ sees the same Incoming and the same stored conversation reference from either."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, Attachment

from bot.incoming import CARD, action_of, invoke_response, tenant_of
from bot.incoming import incoming_of as incoming_from
from dialogs.core import Outcome

__all__ = [
    "action_of",
    "incoming_from",
    "invoke_response",
    "message_activities",
    "message_activity",
    "tenant_of",
]


def message_activities(outcome: Outcome) -> list[Activity]:
    activities = []
    if outcome.text:
        activities.append(Activity(type="message", text=outcome.text))
    if outcome.card:
        activities.append(Activity(type="message", attachments=[_card(outcome.card)]))
    return activities


def message_activity(outcome: Outcome) -> Activity | None:
    """The text and the card as one message (one activity id covers all that was sent)."""
    if outcome.card:
        if outcome.text:
            return Activity(type="message", text=outcome.text, attachments=[_card(outcome.card)])
        return Activity(type="message", attachments=[_card(outcome.card)])
    if outcome.text:
        return Activity(type="message", text=outcome.text)
    return None


def _card(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD, content=card)
