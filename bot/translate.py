"""botbuilder's side of the translation: the turn's activity → Incoming (bot/incoming.py reads
it), Outcome → botbuilder activities. No workflow logic here."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.incoming import action_of, incoming_of, invoke_response, tenant_of
from dialogs.core import Incoming, Outcome

__all__ = [
    "action_of",
    "incoming_from",
    "invoke_response",
    "message_activities",
    "message_activity",
    "tenant_of",
]


def incoming_from(turn_context: TurnContext) -> Incoming:
    return incoming_of(turn_context.activity)


def message_activities(outcome: Outcome) -> list[Activity]:
    activities = []
    if outcome.text:
        activities.append(MessageFactory.text(outcome.text))
    if outcome.card:
        activities.append(MessageFactory.attachment(CardFactory.adaptive_card(outcome.card)))
    return activities


def message_activity(outcome: Outcome) -> Activity | None:
    """The text and the card as one message, so one activity id covers all that was sent
    (to update or replace it later) and a retry cannot repeat half of it."""
    if outcome.card:
        card = CardFactory.adaptive_card(outcome.card)
        return MessageFactory.attachment(card, text=outcome.text or None)
    if outcome.text:
        return MessageFactory.text(outcome.text)
    return None
