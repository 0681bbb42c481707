"""The Microsoft 365 Agents SDK host (BOT_HOST=agents): the maintained successor of botbuilder.

/api/messages refuses in the same order and with the same answers as the botbuilder host
(README, Security): not JSON 415, too large 413, no channel token 401 before the body is
read, a token that fails any check 401 before the activity is parsed, not Teams 403, a
serviceUrl off the allow-list 403. The activity is then the SDK's (pydantic) `Activity`, and
the turn goes through the same translation to dialogs/ as on the botbuilder host; replies,
proactive posts and roster look-ups go through the SDK's connector client. Neither botbuilder
nor msrest is imported.
"""

from __future__ import annotations

import gc
import logging
import traceback
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.hosts import Host, agents_outbox
from bot.hosts.agents_auth import ChannelTokens
from bot.hosts.agents_connector import AgentsConnector
from bot.hosts.agents_translate import (
    action_of,
    incoming_from,
    invoke_response,
    message_activities,
)
from bot.web import (
    DATABASE,
    SENDER,
    SETTINGS,
    TEAMS_ONLY,
    UNAUTHORIZED,
    error_response,
    host_for_log,
    precheck,
    read_json,
    service_url_refusal,
)
from dialogs import router, shown
from dialogs.core import Config, Incoming, Outcome
from store.db import Database
from store.roster import TeamAddress, TeamMember

log = logging.getLogger(__name__)
MALFORMED = "Deze knop werkt niet (meer). Typ 'help' om opnieuw te beginnen."
CHANNEL_GREETING = (
    "Hallo! Ik ben Casusoverleg. Typ @Casusoverleg help om te zien wat ik kan. "
    "Namen van bewoners horen niet in een gedeeld gesprek: die zie je in je privéchat met mij."
)
NEEDS_ADDRESSING = ("message", "invoke", "conversationUpdate", "installationUpdate")
# What the turn answers over HTTP: (status, JSON body), or None for a plain 200.
Answer = tuple[int, Any] | None


class AgentsBot:
    """One activity → dialogs/ → replies (or the invoke response), as CasusoverlegBot
    (bot/handler.py) does on botbuilder."""

    def __init__(
        self,
        database: Database,
        config: Config,
        connector: AgentsConnector,
        on_messages: Callable[[], None],
    ) -> None:
        self._db = database
        self._config = config
        self._connector = connector
        self._on_messages = on_messages

    async def on_turn(self, activity: Activity) -> Answer:
        replies: list[dict[str, Any]] | None = (
            [] if activity.delivery_mode == "expectReplies" else None
        )
        try:
            answer = await self._dispatch(activity, replies)
        except Exception as error:
            answer = await self._report(activity, error, replies)
        if replies and answer is None:
            return 200, {"activities": replies}
        return answer

    async def _dispatch(self, activity: Activity, replies: list[dict[str, Any]] | None) -> Answer:
        if activity.type == "message":
            await self._on_message(activity, replies)
        elif activity.type == "invoke":
            return await self._on_invoke(activity)
        elif activity.type == "conversationUpdate":
            await self._on_conversation_update(activity, replies)
        elif activity.type == "installationUpdate" and activity.action in ("add", "add-upgrade"):
            # Teams sends conversationUpdate too; the greeting goes there, once.
            await router.remember(self._db, self._config, incoming_from(activity))
        return None

    async def _on_message(self, activity: Activity, replies: list[dict[str, Any]] | None) -> None:
        text = (activity.remove_recipient_mention() if activity.text else "") or ""
        incoming = incoming_from(activity)
        outcome = await router.handle_text(self._db, self._config, incoming, text)
        if outcome.lookup_member and await self._look_up(activity, incoming):
            outcome = await router.handle_text(self._db, self._config, incoming, text)
        await self._send(activity, outcome, replies, incoming)
        if outcome.roster_teams:
            fetched = await self._fetch_roster(incoming, outcome)
            await self._send(activity, fetched, replies, incoming)

    async def _on_invoke(self, activity: Activity) -> Answer:
        if activity.name != "adaptiveCard/action":
            return 501, None  # as botbuilder's ActivityHandler: not implemented
        action = action_of(activity.value)
        if action is None:
            outcome = Outcome(text=MALFORMED)
        else:
            verb, data = action
            incoming = incoming_from(activity)
            outcome = await router.handle_action(self._db, self._config, incoming, verb, data)
            if outcome.lookup_member and await self._look_up(activity, incoming):
                outcome = await router.handle_action(self._db, self._config, incoming, verb, data)
            if outcome.roster_teams:
                fetched = await self._fetch_roster(incoming, outcome)
                outcome = fetched if outcome.show_roster else outcome
        if outcome.has_messages:
            self._on_messages()
        return 200, invoke_response(outcome)

    async def _on_conversation_update(
        self, activity: Activity, replies: list[dict[str, Any]] | None
    ) -> None:
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(member.id == bot_id for member in activity.members_added or []):
            return
        incoming = incoming_from(activity)
        if incoming.personal:
            greeting = await router.greet(self._db, self._config, incoming)
            await self._send(activity, greeting, replies, incoming)
        else:
            await self._send(activity, Outcome(text=CHANNEL_GREETING), replies)
        if incoming.team_id:
            # Added to a team: its members become candidates in beheer, by name.
            team = TeamAddress(incoming.team_id, activity.service_url, incoming.tenant_id)
            members = await self._team_members(team)
            await router.learn_team(self._db, self._config, incoming, members)

    async def _look_up(self, activity: Activity, incoming: Incoming) -> bool:
        """Ask Teams once who this unregistered user is; True when the turn should be tried
        again."""
        found: TeamMember | None = None
        user_id = activity.from_property.id if activity.from_property else None
        if user_id:
            try:
                found = await self._connector.member(
                    activity.service_url, activity.conversation.id, user_id
                )
            except Exception as error:
                log.info("member lookup failed type=%s", type(error).__name__)
        await router.learn_member(self._db, self._config, incoming, found)
        return found is not None

    async def _team_members(self, team: TeamAddress) -> list[TeamMember] | None:
        try:
            return await self._connector.team_members(team.service_url, team.team_id)
        except Exception as error:  # refused host, connector down, 403/404: no roster now
            log.warning("team roster not fetched type=%s", type(error).__name__)
            return None

    async def _fetch_roster(self, incoming: Incoming, outcome: Outcome) -> Outcome:
        results = [(team, await self._team_members(team)) for team in outcome.roster_teams]
        return await router.roster_fetched(
            self._db, self._config, incoming, results, show=outcome.show_roster
        )

    async def _send(
        self,
        activity: Activity,
        outcome: Outcome,
        replies: list[dict[str, Any]] | None,
        incoming: Incoming | None = None,
    ) -> None:
        reference = activity.get_conversation_reference()
        sent: list[str] = []
        for reply in message_activities(outcome):
            reply = reply.apply_conversation_reference(reference)
            if replies is not None:  # answered in the response: no id to keep
                replies.append(reply.model_dump(by_alias=True, exclude_unset=True, mode="json"))
            elif activity_id := await self._connector.post(reply, reply_to=activity.id):
                sent.append(activity_id)
        if incoming is not None and sent:
            await shown.keep_reply(self._db, incoming, outcome, sent)
        if outcome.has_messages:
            self._on_messages()

    async def _report(
        self, activity: Activity, error: Exception, replies: list[dict[str, Any]] | None
    ) -> Answer:
        """Answer in Dutch with an error id; log without personal data (no text)."""
        error_id = uuid.uuid4().hex[:8]
        frames = " < ".join(
            f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
            for frame in traceback.extract_tb(error.__traceback__)[-3:]
        )
        log.error("turn failed id=%s type=%s at=%s", error_id, type(error).__name__, frames)
        text = (
            f"Er ging iets mis (foutcode {error_id}). Probeer het opnieuw. Gaat het weer mis? "
            "Geef de foutcode door aan de beheerder."
        )
        if activity.type == "invoke":
            return 200, invoke_response(Outcome(text=text))
        if activity.type == "message":
            try:
                await self._send(activity, Outcome(text=text), replies)
            except Exception as send_error:
                log.error(
                    "could not report error id=%s type=%s", error_id, type(send_error).__name__
                )
        return None


TOKENS = web.AppKey("channel_tokens", ChannelTokens)
CONNECTOR = web.AppKey("agents_connector", AgentsConnector)
AGENT = web.AppKey("agent", AgentsBot)


async def lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    tokens = ChannelTokens(settings)
    connector = AgentsConnector(settings, settings.service_url_policy())
    sender = agents_outbox.sender_for(connector, app[DATABASE])
    app[TOKENS], app[CONNECTOR], app[SENDER] = tokens, connector, sender
    app[AGENT] = AgentsBot(app[DATABASE], settings.dialog_config(), connector, sender.trigger)
    if not settings.local_mode:
        await tokens.keys.warm()
    gc.freeze()  # as on the botbuilder host: start-up's objects out of the collector's sight
    yield
    gc.unfreeze()
    await sender.close()
    await connector.close()


async def messages(request: web.Request) -> web.StreamResponse:
    """Cheap checks first, the token before the SDK parses anything: a refused request costs
    one JSON parse at most, and no bot code runs (nor is a reference stored)."""
    settings = request.app[SETTINGS]
    refused = precheck(request)
    if refused is not None:
        return refused
    tokens = request.app[TOKENS]
    header = request.headers.get("Authorization", "")
    if not tokens.from_channel_issuer(header):
        log.info("authentication refused: no token from the channel")
        return error_response(401, UNAUTHORIZED)
    read = await read_json(request)
    if isinstance(read, web.Response):
        return read
    body, _size = read
    try:
        await tokens.authenticate(header, body["serviceUrl"], body["channelId"])
    except Exception as error:  # TokenRefused, jwt errors, key fetch failures: all a 401
        log.info("authentication refused type=%s", type(error).__name__)
        return error_response(401, UNAUTHORIZED)
    if not settings.local_mode and body["channelId"] != "msteams":
        # Web Chat or Direct Line clients can claim any tenant or user: Teams only.
        log.info("channel refused channel=%r", body["channelId"][:20])
        return error_response(403, TEAMS_ONLY)
    if not request.app[CONNECTOR].service_urls.allows(body["serviceUrl"]):
        log.warning("service URL refused host=%r", host_for_log(body["serviceUrl"]))
        return error_response(403, service_url_refusal(settings.local_mode))
    activity = _parse(body)
    if isinstance(activity, web.Response):
        return activity
    answer = await request.app[AGENT].on_turn(activity)
    if answer is None:
        return web.Response(status=200)
    status, response_body = answer
    return web.json_response(response_body, status=status)


def _parse(body: dict[str, Any]) -> Activity | web.Response:
    try:
        activity = Activity.model_validate(body)
    except (ValidationError, ValueError, TypeError):
        return error_response(400, "Deze activity heeft velden van het verkeerde type.")
    if activity.type in NEEDS_ADDRESSING and not (
        activity.conversation
        and isinstance(activity.conversation.id, str)
        and activity.from_property
        and isinstance(activity.service_url, str)
    ):
        return error_response(400, "De activity mist conversation, from of serviceUrl.")
    return activity


HOST = Host("agents", messages, lifecycle)
