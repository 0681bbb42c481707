"""The Agents SDK host's transport for the outbox (bot/delivery.py): posts and updates through
the SDK's connector client (bot/hosts/agents_connector.py) instead of botbuilder's
continue_conversation. The rows and stored references are the same for both hosts."""

from __future__ import annotations

from microsoft_agents.activity import Activity, ConversationReference

from bot.delivery import OutboxSender, Reference
from bot.hosts.agents_connector import AgentsConnector
from bot.hosts.agents_translate import message_activity
from bot.service_urls import ServiceUrlPolicy
from dialogs.core import Outcome
from store.db import Database

__all__ = ["AgentsTransport", "sender_for"]


def sender_for(connector: AgentsConnector, database: Database) -> OutboxSender:
    return OutboxSender(AgentsTransport(connector), database)


class AgentsTransport:
    def __init__(self, connector: AgentsConnector) -> None:
        self._connector = connector
        self.service_urls: ServiceUrlPolicy = connector.service_urls

    async def post(self, reference: Reference, outcome: Outcome) -> str | None:
        activity = _addressed(reference, outcome)
        return await self._connector.post(activity) if activity is not None else None

    async def update(self, reference: Reference, outcome: Outcome, activity_id: str) -> None:
        activity = _addressed(reference, outcome)
        if activity is not None:
            await self._connector.update(activity, activity_id)


def _addressed(reference: Reference, outcome: Outcome) -> Activity | None:
    activity = message_activity(outcome)
    if activity is None:
        return None
    return activity.apply_conversation_reference(ConversationReference.model_validate(reference))
