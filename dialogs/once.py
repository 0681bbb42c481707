"""One effect per press (DESIGN §6): a press that adds something claims a single-use key
first, so a double-click, a Teams retry (the same activity, the same card data) or the same
press in another process finds the key taken and shows what the first press did.

The key is the card's own form id (`_form`, new each time a card is drawn), per professional
(a form id seen by someone else reveals nothing) and per kind of press, hashed so any form id
fits the key column. The claim is an INSERT on a unique key inside the turn's transaction: a
concurrent second press waits for the first to commit (PostgreSQL's unique index, SQLite's
write lock) and then sees the key taken; a first press that rolls back frees it again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from dialogs.core import Context

ALREADY_DONE = "Dit is al gedaan."


def once_key(context: Context, kind: str, form_id: str) -> str:
    digest = hashlib.sha256(f"{context.actor.id}:{kind}:{form_id}".encode()).hexdigest()[:40]
    return f"{kind}:{digest}"


def form_id_of(values: Mapping[str, Any]) -> str:
    """The press's form id: the card's `_form`. A card drawn before it carried one gets a
    fresh id: pressing it adds, as it always did (its data alone cannot tell a double-click
    from adding the same thing again on purpose)."""
    form_id = values.get("_form")
    return form_id if isinstance(form_id, str) and form_id else uuid.uuid4().hex


async def claim(context: Context, kind: str, form_id: str, result: str | None = None) -> bool:
    """True for the first press of this form; False when it was pressed before (also at the
    same moment, in another process)."""
    return await context.uow.casussen.use_once(once_key(context, kind, form_id), result)


async def first_press(context: Context, kind: str, form_id: str) -> bool:
    """Whether this press is to act: the first of its form, or a repeat of one that changed
    nothing (refused, or answered with its errors: the same data gets the same answer). A
    press that acts calls `record` in the same transaction, so a repeat after it — waiting
    for it when at the same moment — returns False."""
    key = once_key(context, kind, form_id)
    if await context.uow.casussen.use_once(key):
        return True
    return await context.uow.casussen.result_of(key) is None


async def record(context: Context, kind: str, form_id: str, result: str) -> None:
    """What the first press made (a code or an id), for the presses that come after it."""
    await context.uow.casussen.settle_once(once_key(context, kind, form_id), result)


async def result_of(context: Context, kind: str, form_id: str) -> str | None:
    return await context.uow.casussen.result_of(once_key(context, kind, form_id))
