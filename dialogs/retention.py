"""Retention (DESIGN §3.8): anonymise closed cases after the configured term."""

from __future__ import annotations

import datetime as dt

from cards.afsluiting import verwijderd_wegens_bewaartermijn
from dialogs.clock import utcnow
from store.db import Database, UnitOfWork

DRAFT_DAYS = 30


async def apply_retention(db: Database, retention_days: int, now: dt.datetime | None = None) -> int:
    """Anonymise cases closed longer than `retention_days` ago; drop drafts older than
    DRAFT_DAYS. Returns the number of cases anonymised."""
    moment = now or utcnow()
    # A draft names a resident too: it never outlives the term set for closed cases.
    draft_days = min(DRAFT_DAYS, retention_days)
    async with db.unit_of_work() as uow:
        count = await uow.casussen.anonymise_closed(moment - dt.timedelta(days=retention_days))
        await _replace_cards_in_teams(uow)
        await uow.people.drop_concepts_before(moment - dt.timedelta(days=draft_days))
        await uow.berichten.drop_unsent_without_casus(moment - dt.timedelta(days=draft_days))
        await uow.documents(b"").drop_expired(moment)
        await uow.commit()
    return count


async def _replace_cards_in_teams(uow: UnitOfWork) -> None:
    """Every message in Teams that named an anonymised casus — a reply, a card replaced in
    place, a private outbox message — is replaced by the stub, once (#13, #20)."""
    stub = verwijderd_wegens_bewaartermijn()
    while cards := await uow.sent_cards.of_anonymised():
        for card in cards:
            await uow.berichten.replace_in_teams(card, stub)
        await uow.sent_cards.forget(cards)
