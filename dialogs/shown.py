"""Where identity was shown in Teams, by activity id, so retention can replace it (DESIGN §3.8).

The casus comes from the workflow's typed outcome (`Outcome.identity_of`), never from the
text of a card. A reply's id is known only once the Bot Connector answered: the platform
layer hands it to `keep_reply`. A card replaced in place by an invoke answer lives in the
message the press came from, known during the turn: kept in the turn's own transaction.
Cards without a casus (help, lists of codes) cost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from dialogs.core import Context, Incoming, Outcome
from store.db import Database

log = logging.getLogger(__name__)


async def keep_replaced_card(context: Context, outcome: Outcome) -> None:
    """An answered press in the 1:1 chat: its card now shows in the pressed message."""
    incoming = context.incoming
    casus_id = outcome.identity_of
    if casus_id is None or not outcome.card or not incoming.card_activity_id:
        return
    if not incoming.personal:
        return  # in a shared space only a shared-safe card is shown in place
    await context.uow.sent_cards.keep(
        incoming.conversation_id, [incoming.card_activity_id], casus_id
    )


async def keep_reply(
    db: Database, incoming: Incoming, outcome: Outcome, activity_ids: Sequence[str]
) -> None:
    """The reply just sent in the 1:1 chat (its activity ids, as the Bot Connector gave them)."""
    casus_id = outcome.identity_of
    if casus_id is None or not incoming.personal or not any(activity_ids):
        return
    try:
        async with db.unit_of_work() as uow:
            await uow.sent_cards.keep(incoming.conversation_id, activity_ids, casus_id)
            await uow.commit()
    except Exception as error:  # the reply is out already: the turn must not fail for this
        log.error(
            "could not keep a sent card for retention casus=%s type=%s",
            casus_id,
            type(error).__name__,
        )
