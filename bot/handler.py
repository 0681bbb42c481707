"""The Teams activity handler: small methods that hand each activity to `dialogs`."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ActivityTypes, DeliveryModes

from bot import roster
from bot.connector import FastCloudAdapter
from bot.translate import action_of, incoming_from, invoke_response, message_activities
from dialogs import router, shown
from dialogs.core import Config, Incoming, Outcome
from store.db import Database
from store.roster import TeamAddress

log = logging.getLogger(__name__)
MALFORMED = "Deze knop werkt niet (meer). Typ 'help' om opnieuw te beginnen."
CHANNEL_GREETING = (
    "Hallo! Ik ben Casusoverleg. Typ @Casusoverleg help om te zien wat ik kan. "
    "Namen van bewoners horen niet in een gedeeld gesprek: die zie je in je privéchat met mij."
)


class CasusoverlegBot(TeamsActivityHandler):
    def __init__(self, database: Database, config: Config, on_messages: Callable[[], None]) -> None:
        self._db = database
        self._config = config
        self._on_messages = on_messages

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = TurnContext.remove_recipient_mention(turn_context.activity) or ""
        incoming = incoming_from(turn_context)
        outcome = await router.handle_text(self._db, self._config, incoming, text)
        if outcome.lookup_member and await self._look_up(turn_context, incoming):
            outcome = await router.handle_text(self._db, self._config, incoming, text)
        await self._send(turn_context, outcome, incoming)
        if outcome.roster_teams:
            fetched = await self._fetch_roster(turn_context, incoming, outcome)
            await self._send(turn_context, fetched, incoming)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        action = action_of(turn_context.activity.value)
        if action is None:
            outcome = Outcome(text=MALFORMED)
        else:
            verb, data = action
            incoming = incoming_from(turn_context)
            outcome = await router.handle_action(self._db, self._config, incoming, verb, data)
            if outcome.lookup_member and await self._look_up(turn_context, incoming):
                outcome = await router.handle_action(self._db, self._config, incoming, verb, data)
            if outcome.roster_teams:
                fetched = await self._fetch_roster(turn_context, incoming, outcome)
                outcome = fetched if outcome.show_roster else outcome
        if outcome.has_messages:
            self._on_messages()
        return InvokeResponse(status=200, body=invoke_response(outcome))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(member.id == bot_id for member in activity.members_added or []):
            return
        incoming = incoming_from(turn_context)
        if incoming.personal:
            greeting = await router.greet(self._db, self._config, incoming)
            await self._send(turn_context, greeting, incoming)
        else:
            await turn_context.send_activity(CHANNEL_GREETING)
        if incoming.team_id and isinstance(turn_context.adapter, FastCloudAdapter):
            # Added to a team: its members become candidates in beheer, by name.
            team = TeamAddress(incoming.team_id, activity.service_url, incoming.tenant_id)
            members = await roster.team_members(turn_context.adapter, turn_context, team)
            await router.learn_team(self._db, self._config, incoming, members)

    async def _look_up(self, turn_context: TurnContext, incoming: Incoming) -> bool:
        """Ask Teams once who this unregistered user is (an invitation by e-mail may be
        theirs); True when the turn should be tried again."""
        if not isinstance(turn_context.adapter, FastCloudAdapter):
            return False
        found = await roster.member(turn_context.adapter, turn_context)
        await router.learn_member(self._db, self._config, incoming, found)
        return found is not None

    async def _fetch_roster(
        self, turn_context: TurnContext, incoming: Incoming, outcome: Outcome
    ) -> Outcome:
        """The members of the teams a workflow asked about, handed back to it."""
        adapter = turn_context.adapter
        results = [
            (
                team,
                await roster.team_members(adapter, turn_context, team)
                if isinstance(adapter, FastCloudAdapter)
                else None,
            )
            for team in outcome.roster_teams
        ]
        return await router.roster_fetched(
            self._db, self._config, incoming, results, show=outcome.show_roster
        )

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        # Teams sends conversationUpdate too; the greeting goes there, once.
        await router.remember(self._db, self._config, incoming_from(turn_context))

    async def _send(
        self, turn_context: TurnContext, outcome: Outcome, incoming: Incoming | None = None
    ) -> None:
        activities = message_activities(outcome)
        if activities and turn_context.activity.delivery_mode == DeliveryModes.expect_replies:
            await turn_context.send_activities(activities)  # answered in the response: no id
        elif activities:
            # As TurnContext.send_activities does, minus its deep copy of every card.
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            for activity in activities:
                TurnContext.apply_conversation_reference(activity, reference)
            responses = await turn_context.adapter.send_activities(turn_context, activities)
            if incoming is not None:
                ids = [response.id for response in responses or [] if response and response.id]
                await shown.keep_reply(self._db, incoming, outcome, ids)
        if outcome.has_messages:
            self._on_messages()


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Answer in Dutch with an error id; log without personal data (no message, no text)."""
    error_id = uuid.uuid4().hex[:8]
    frames = _frames(error)
    log.error("turn failed id=%s type=%s at=%s", error_id, type(error).__name__, frames)
    text = (
        f"Er ging iets mis (foutcode {error_id}). Probeer het opnieuw. Gaat het weer mis? "
        "Geef de foutcode door aan de beheerder."
    )
    if turn_context.activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
        return  # nobody asked for anything: no error message out of the blue
    try:
        if turn_context.activity.type == ActivityTypes.invoke:
            from botbuilder.schema import Activity

            body = invoke_response(Outcome(text=text))
            await turn_context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body)
                )
            )
        else:
            await turn_context.send_activity(text)
    except Exception as send_error:
        log.error("could not report error id=%s type=%s", error_id, type(send_error).__name__)


def _frames(error: BaseException) -> str:
    summary: Any = traceback.extract_tb(error.__traceback__)[-3:]
    return " < ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" for frame in summary)
