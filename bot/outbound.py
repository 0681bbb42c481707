"""What an outbox card looks like when it is sent, the same from either host: a card to one
professional refreshes for them (their Teams user id, from the stored reference of their 1:1
chat); a post to a shared conversation does not refresh (#26)."""

from __future__ import annotations

from typing import Any

from cards.base import for_readers, without_refresh
from store.models import Bericht


def card_as_sent(bericht: Bericht, reader_id: str | None) -> dict[str, Any] | None:
    card = bericht.kaart
    if card is None or "refresh" not in card:
        return card
    if bericht.professional_id is None:
        return without_refresh(card)
    return for_readers(card, [reader_id])
