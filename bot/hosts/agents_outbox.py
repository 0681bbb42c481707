"""The proactive sender of the Agents SDK host: the same outbox rules as bot/sender.py (rows
claimed in the database, each settled in its own commit, a 429's Retry-After obeyed, a
refused host never called, the activity id kept with the row), posting through the SDK's
connector client (bot/hosts/agents_connector.py) instead of botbuilder's
continue_conversation. The rows and stored references are the same for both hosts."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import uuid

from microsoft_agents.activity import ConversationReference

from bot.hosts.agents_connector import AgentsConnector, ConnectorFailed
from bot.hosts.agents_translate import message_activity
from bot.outbound import card_as_sent
from dialogs.core import Outcome
from store.db import Database, UnitOfWork
from store.models import Bericht

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=2)
MAX_BACKOFF = dt.timedelta(hours=1)
REFUSED_HOST_RETRY = dt.timedelta(hours=1)
BATCH = 20


class AgentsOutboxSender:
    def __init__(self, connector: AgentsConnector, database: Database) -> None:
        self._connector = connector
        self._db = database
        self._worker = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = asyncio.Lock()
        self._again = False
        self._tasks: set[asyncio.Task[int]] = set()

    def trigger(self) -> None:
        """Deliver soon, without holding up the turn that wrote the messages."""
        task = asyncio.get_running_loop().create_task(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> int:
        if self._lock.locked():
            self._again = True
            return 0
        sent = 0
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                sent += await self._deliver_batches()
        return sent

    async def _deliver_batches(self) -> int:
        sent = 0
        while True:
            async with self._db.unit_of_work() as uow:
                batch = await uow.berichten.claim(self._worker, BATCH, LEASE)
                for bericht in batch:
                    mine = await uow.berichten.still_mine(bericht.id, self._worker)
                    await uow.commit()  # no write lock held while posting
                    if mine:
                        sent += await self._deliver(uow, bericht)
                        await uow.commit()
            if len(batch) < BATCH:
                return sent

    async def _deliver(self, uow: UnitOfWork, bericht: Bericht) -> int:
        reference = await self._reference(uow, bericht)
        if reference is None:
            await uow.berichten.retry_later(bericht.id, dt.timedelta(minutes=1))
            return 0
        if not self._connector.service_urls.allows(reference.service_url):
            log.warning(
                "message %s not sent: the service URL host of its conversation is not in "
                "ALLOWED_SERVICE_URL_HOSTS; next try in %ss",
                bericht.id,
                int(REFUSED_HOST_RETRY.total_seconds()),
            )
            await uow.berichten.retry_later(bericht.id, REFUSED_HOST_RETRY)
            return 0
        conversation = reference.conversation.id if reference.conversation else None
        replaces = bericht.vervangt_activity_id or (
            await uow.berichten.sent_under(bericht.plek, conversation)
            # A key on a message to one professional is for withdrawing it, never replacing.
            if bericht.plek and conversation and bericht.professional_id is None
            else None
        )
        try:
            activity_id = await self._send(reference, bericht, replaces)
        except ConnectorFailed as error:
            delay = _backoff(bericht.pogingen, error)
            log.warning(
                "delivery of message %s failed status=%s; retry in %ss",
                bericht.id,
                error.status,
                int(delay.total_seconds()),
            )
            await uow.berichten.retry_later(bericht.id, delay)
            return 0
        except Exception as error:  # connector unreachable, token failure, ...
            log.warning("delivery of message %s failed type=%s", bericht.id, type(error).__name__)
            await uow.berichten.retry_later(bericht.id, _backoff(bericht.pogingen, None))
            return 0
        await uow.berichten.mark_sent(
            bericht.id, activity_id=activity_id, conversation_id=conversation
        )
        return 1

    async def _reference(self, uow: UnitOfWork, bericht: Bericht) -> ConversationReference | None:
        if bericht.conversation_id:
            row = await uow.conversations.get(bericht.conversation_id)
        else:
            row = await uow.conversations.personal_for(bericht.professional_id or 0)
        return ConversationReference.model_validate(row.reference) if row else None

    async def _send(
        self, reference: ConversationReference, bericht: Bericht, replaces: str | None
    ) -> str | None:
        """Post the message as a new one, or update the activity `replaces` in place; the id
        of the activity that now shows it (None if the Bot Connector gave none)."""
        reader = reference.user.id if reference.user else None
        activity = message_activity(Outcome(card=card_as_sent(bericht, reader), text=bericht.tekst))
        if activity is None:
            return None
        activity = activity.apply_conversation_reference(reference)
        if replaces is not None:
            try:
                await self._connector.update(activity, replaces)
                return replaces
            except ConnectorFailed as error:
                if error.status not in (400, 404):
                    raise
                if bericht.vervangt_activity_id:
                    return replaces  # retention's stub: the card is gone already
                activity.id = None  # a keyed post whose card was deleted in Teams: anew
        return await self._connector.post(activity)

    async def run_forever(self, interval: float) -> None:
        while True:
            try:
                await self.flush()
            except Exception as error:  # keep the loop alive; the next round tries again
                log.error("outbox round failed type=%s", type(error).__name__)
            await asyncio.sleep(interval)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _backoff(attempts: int, error: ConnectorFailed | None) -> dt.timedelta:
    if error is not None and error.status == 429:
        retry_after = error.retry_after or ""
        if retry_after.isdigit():
            return dt.timedelta(seconds=max(1, int(retry_after)))
    return min(dt.timedelta(seconds=2 ** min(attempts + 1, 12)), MAX_BACKOFF)
