"""The proactive sender: delivers the outbox (1:1 notices, channel notices) once, with back-off,
the same for either host; only posting and updating an activity is the host's (`Transport`).

Rows are claimed in the database, so several instances behind a load balancer never send a
message twice; a failed or rate-limited (429) delivery is retried later, never dropped. Each
message goes out as one activity, and the id the Bot Connector gives it is kept with the row
(to update or replace the card later). A stored conversation whose service URL host is not
allowed is never called: its messages wait, with a warning now and then. Stored references
are the Bot Framework wire JSON, the same for both hosts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import uuid
from typing import Any, Protocol

from bot.outbound import card_as_sent
from bot.service_urls import ServiceUrlPolicy
from dialogs.core import Outcome
from store.db import Database, UnitOfWork
from store.models import Bericht

log = logging.getLogger("bot.sender")
LEASE = dt.timedelta(minutes=2)
MAX_BACKOFF = dt.timedelta(hours=1)
# A conversation at a host that is not allowed: look again after this long (the reference is
# replaced when the person writes from Teams again, the list when the operator changes it).
REFUSED_HOST_RETRY = dt.timedelta(hours=1)
BATCH = 20

Reference = dict[str, Any]  # a stored ConversationReference, wire JSON


class ConnectorError(Exception):
    """The Bot Connector answered with an error status (429 with its Retry-After)."""

    def __init__(self, status: int, retry_after: str | None) -> None:
        super().__init__(f"connector answered {status}")
        self.status = status
        self.retry_after = retry_after


class Transport(Protocol):
    """How a host posts a new activity or updates a sent one; ConnectorError on >= 400."""

    service_urls: ServiceUrlPolicy

    async def post(self, reference: Reference, outcome: Outcome) -> str | None: ...

    async def update(self, reference: Reference, outcome: Outcome, activity_id: str) -> None: ...


class OutboxSender:
    def __init__(self, transport: Transport, database: Database) -> None:
        self.transport = transport
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
                    # Each message is settled in its own commit: no write lock is held while
                    # the next one is posted, and a crash repeats at most one message.
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
        if not self.transport.service_urls.allows(reference.get("serviceUrl")):
            log.warning(
                "message %s not sent: the service URL host of its conversation is not in "
                "ALLOWED_SERVICE_URL_HOSTS; next try in %ss",
                bericht.id,
                int(REFUSED_HOST_RETRY.total_seconds()),
            )
            await uow.berichten.retry_later(bericht.id, REFUSED_HOST_RETRY)
            return 0
        conversation = (reference.get("conversation") or {}).get("id")
        replaces = bericht.vervangt_activity_id or (
            await uow.berichten.sent_under(bericht.plek, conversation)
            # A key on a message to one professional is for withdrawing it, never replacing.
            if bericht.plek and conversation and bericht.professional_id is None
            else None
        )
        try:
            activity_id = await self._send(reference, bericht, replaces)
        except ConnectorError as error:
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

    async def _reference(self, uow: UnitOfWork, bericht: Bericht) -> Reference | None:
        if bericht.conversation_id:
            row = await uow.conversations.get(bericht.conversation_id)
        else:
            row = await uow.conversations.personal_for(bericht.professional_id or 0)
        return dict(row.reference) if row else None

    async def _send(
        self, reference: Reference, bericht: Bericht, replaces: str | None
    ) -> str | None:
        """Post the message, or update the activity `replaces` in place; the id of the
        activity that now shows it (None if the Bot Connector gave none)."""
        reader = (reference.get("user") or {}).get("id")
        outcome = Outcome(card=card_as_sent(bericht, reader), text=bericht.tekst)
        if outcome.card is None and not outcome.text:
            return None
        if replaces is not None:
            try:
                await self.transport.update(reference, outcome, replaces)
                return replaces
            except ConnectorError as error:
                if error.status not in (400, 404):
                    raise
                if bericht.vervangt_activity_id:
                    return replaces  # retention's stub: the card is gone already
                # A keyed post whose card was deleted in Teams: post it anew.
        return await self.transport.post(reference, outcome)

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


def _backoff(attempts: int, error: ConnectorError | None) -> dt.timedelta:
    if error is not None and error.status == 429:
        retry_after = error.retry_after or ""
        if retry_after.isdigit():
            return dt.timedelta(seconds=max(1, int(retry_after)))
    return min(dt.timedelta(seconds=2 ** min(attempts + 1, 12)), MAX_BACKOFF)
