"""The botbuilder host's transport for the outbox (bot/delivery.py): a proactive message is
posted through the adapter's continue_conversation, an update in place through
update_activity. msrest's HttpOperationError is turned into ConnectorError, so the delivery
loop's back-off reads one kind of failure from either host."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import HttpOperationError

from bot.delivery import ConnectorError, OutboxSender, Reference
from bot.service_urls import ServiceUrlPolicy
from bot.translate import message_activity
from dialogs.core import Outcome
from store.db import Database

__all__ = ["BotbuilderTransport", "sender_for"]


def sender_for(
    adapter: BotAdapter, database: Database, app_id: str, service_urls: ServiceUrlPolicy
) -> OutboxSender:
    return OutboxSender(BotbuilderTransport(adapter, app_id, service_urls), database)


class BotbuilderTransport:
    def __init__(self, adapter: BotAdapter, app_id: str, service_urls: ServiceUrlPolicy) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self.service_urls = service_urls

    async def post(self, reference: Reference, outcome: Outcome) -> str | None:
        activity = message_activity(outcome)
        if activity is None:
            return None
        ids: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            # TurnContext.send_activities would make this a reply to the synthetic
            # continuation event; a proactive notice is a new message.
            _address(turn_context, activity)
            responses = await turn_context.adapter.send_activities(turn_context, [activity])
            ids.extend(response.id for response in responses or [] if response and response.id)

        await self._continue(reference, send)
        return ids[0] if ids else None

    async def update(self, reference: Reference, outcome: Outcome, activity_id: str) -> None:
        activity = message_activity(outcome)
        if activity is None:
            return

        async def change(turn_context: TurnContext) -> None:
            _address(turn_context, activity)
            activity.id = activity_id
            await turn_context.adapter.update_activity(turn_context, activity)

        await self._continue(reference, change)

    async def _continue(
        self, reference: Reference, step: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        failures: list[Exception] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                await step(turn_context)
            except Exception as error:
                # Raised here it would reach on_turn_error, which answers the recipient.
                failures.append(error)

        conversation = ConversationReference().deserialize(reference)
        await self._adapter.continue_conversation(conversation, callback, bot_app_id=self._app_id)
        if failures:
            raise _as_connector_error(failures[0])


def _address(turn_context: TurnContext, activity: Activity) -> None:
    own = TurnContext.get_conversation_reference(turn_context.activity)
    TurnContext.apply_conversation_reference(activity, own)
    activity.reply_to_id = None


def _as_connector_error(error: Exception) -> Exception:
    if not isinstance(error, HttpOperationError):
        return error
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status is None:
        return error
    retry_after = response.headers.get("Retry-After") if response is not None else None
    return ConnectorError(int(status), retry_after)
