"""The outbox of proactive messages (DESIGN §4): claimed in the database, sent once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.access import SharedPostRefused
from store.casus import CasusRepository
from store.conversations import reaches
from store.models import (
    Bericht,
    Betrokkene,
    Casus,
    ConversationRef,
    PgaExpert,
    Professional,
    SentCard,
    utcnow,
)
from store.privacy import found_in
from store.sent_cards import CardInTeams, naming_the_latest
from store.sql import dialect_insert
from store.views import SharedCasusView
from store.visible import fold

JsonCard = dict[str, Any]
PRIVATE = "privé"
SHARED = "gedeeld"


@dataclass(frozen=True)
class PrivateMessage:
    """A message to one professional's 1:1 chat. `casus_id` names the casus it is about, so
    it is re-authorised at delivery and removed with the casus (retention)."""

    professional_id: int
    card: JsonCard | None = None
    text: str | None = None
    casus_id: int | None = None
    # A key such as "actie:12:dag" to find it again while unsent (to withdraw it); unlike a
    # shared post's, it never replaces an earlier message.
    plek: str | None = None


@dataclass(frozen=True)
class SharedPost:
    """A post to a shared conversation (a channel). Built from the shared-safe view of a
    casus; the outbox checks it once more against the casus's identifiers."""

    conversation_id: str
    casus: SharedCasusView
    card: JsonCard
    # A key such as "agenda:12": the post replaces the card sent earlier under it (in place,
    # for everyone) instead of adding a new one.
    plek: str | None = None


Message = PrivateMessage | SharedPost


class BerichtRepository:
    """The outbox of proactive messages."""

    def __init__(self, session: AsyncSession, casussen: CasusRepository) -> None:
        self._session = session
        self._casussen = casussen
        self.added = 0

    async def put(self, message: Message) -> None:
        if isinstance(message, SharedPost):
            await self.check_shared(message.casus.id, message.card)
            self._add(
                Bericht(
                    conversation_id=message.conversation_id,
                    kaart=message.card,
                    casus_id=message.casus.id,
                    soort=SHARED,
                    plek=message.plek,
                )
            )
        else:
            self._add(
                Bericht(
                    professional_id=message.professional_id,
                    kaart=message.card,
                    tekst=message.text,
                    casus_id=message.casus_id,
                    soort=PRIVATE,
                    plek=message.plek,
                )
            )

    async def check_shared(self, casus_id: int, content: Any) -> None:
        """Refuse anything for a shared space that holds an identifier of the resident."""
        await self.check_shared_all([casus_id], content)

    async def check_shared_all(self, casus_ids: Sequence[int], content: Any) -> None:
        """As check_shared, for a post about several casussen (an agenda of 40): refused for
        the first casus whose resident it names. One query for all, not one per casus."""
        known = await self._casussen.identifiers_by_casus(casus_ids)
        # Compared as a reader sees it: a soft hyphen or a Cyrillic О does not hide a name.
        folded = fold("\n".join(_strings(content)))
        for casus_id in casus_ids:
            identifiers = known.get(casus_id)
            if identifiers and found_in(folded, identifiers):
                raise SharedPostRefused(str(casus_id))

    def _add(self, bericht: Bericht) -> None:
        self._session.add(bericht)
        self.added += 1

    async def claim(self, worker: str, limit: int, lease: dt.timedelta) -> Sequence[Bericht]:
        now = utcnow()
        claimable = or_(Bericht.claimed_at.is_(None), Bericht.claimed_at < now - lease)
        has_personal_chat = (
            select(ConversationRef.id)
            .join(Professional, reaches(Bericht.professional_id))
            .where(Professional.actief)
            .exists()
        )
        earlier = aliased(Bericht)
        # A keyed post waits for the one before it under the same key: otherwise two senders
        # could both find no card to replace and post two.
        waits_for_earlier = (
            select(earlier.id)
            .where(
                earlier.plek == Bericht.plek,
                earlier.id < Bericht.id,
                earlier.verzonden_at.is_(None),
            )
            .exists()
        )
        await self._drop_unauthorised()
        candidates = (
            await self._session.scalars(
                select(Bericht.id)
                .where(
                    Bericht.verzonden_at.is_(None),
                    Bericht.volgende_poging_at <= now,
                    claimable,
                    or_(Bericht.conversation_id.is_not(None), has_personal_chat),
                    or_(
                        Bericht.plek.is_(None),
                        Bericht.professional_id.is_not(None),  # a person's: replaces nothing
                        ~waits_for_earlier,
                    ),
                )
                .order_by(Bericht.id)
                .limit(limit)
            )
        ).all()
        if not candidates:
            return []
        await self._session.execute(
            update(Bericht)
            .where(Bericht.id.in_(candidates), claimable)
            .values(claimed_by=worker, claimed_at=now)
        )
        await self._session.commit()
        return (
            await self._session.scalars(
                select(Bericht)
                .where(Bericht.claimed_by == worker, Bericht.claimed_at == now)
                .order_by(Bericht.id)
            )
        ).all()

    async def _drop_unauthorised(self) -> None:
        """A message about a casus reaches a professional only while they still hold a role
        on it: one unlinked or switched off after it was queued does not get it."""
        linked = (
            select(Betrokkene.id)
            .where(
                Betrokkene.casus_id == Bericht.casus_id,
                Betrokkene.professional_id == Bericht.professional_id,
                Betrokkene.tot.is_(None),
            )
            .exists()
        )
        expert = (
            select(PgaExpert.professional_id)
            .join(Casus, Casus.gemeente_id == PgaExpert.gemeente_id)
            .where(
                Casus.id == Bericht.casus_id,
                PgaExpert.professional_id == Bericht.professional_id,
            )
            .exists()
        )
        await self._session.execute(
            delete(Bericht)
            .where(
                Bericht.verzonden_at.is_(None),
                Bericht.professional_id.is_not(None),
                Bericht.casus_id.is_not(None),
                ~linked,
                ~expert,
            )
            .execution_options(synchronize_session=False)
        )

    async def withdraw_unsent(self, plek_prefix: str) -> None:
        """Messages keyed under `plek_prefix` that have not gone out yet no longer will."""
        await self._session.execute(unsent_under(plek_prefix))

    async def drop_unsent(self, professional_id: int) -> None:
        await self._session.execute(unsent_to(professional_id))

    async def drop_unsent_without_casus(self, before: dt.datetime) -> None:
        """Undelivered messages not tied to a casus (e.g. a form with a draft) expire."""
        await self._session.execute(
            delete(Bericht).where(
                Bericht.casus_id.is_(None),
                Bericht.verzonden_at.is_(None),
                Bericht.created_at < before,
            )
        )

    async def replace_in_teams(self, sent: CardInTeams, card: JsonCard) -> None:
        """Queue `card` in place of a message in Teams: the sender updates that activity."""
        # By conversation, not by professional: the link has ended, and a message to a
        # professional about a casus they no longer hold would be dropped.
        self._add(
            Bericht(
                conversation_id=sent.conversation_id,
                kaart=card,
                casus_id=sent.casus_id,
                soort=PRIVATE,
                vervangt_activity_id=sent.activity_id,
            )
        )

    async def still_mine(self, bericht_id: int, worker: str) -> bool:
        """Renew the claim just before sending; False if another sender took it over."""
        result = await self._session.execute(
            update(Bericht)
            .where(Bericht.id == bericht_id, Bericht.claimed_by == worker)
            .values(claimed_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_sent(
        self,
        bericht_id: int,
        activity_id: str | None = None,
        conversation_id: str | None = None,
    ) -> None:
        # Content is dropped once delivered: the outbox is no second dossier. The activity
        # id stays (a keyed post is updated under it); one with identity is kept in sent_card
        # too, to be replaced in Teams at retention.
        await self._session.execute(
            update(Bericht)
            .where(Bericht.id == bericht_id)
            .values(
                verzonden_at=utcnow(),
                kaart=None,
                tekst=None,
                activity_id=activity_id[:200] if activity_id else None,
                sent_conversation_id=conversation_id[:300] if conversation_id else None,
            )
        )
        if activity_id and conversation_id:
            await self._keep_if_private(bericht_id, conversation_id, activity_id)

    async def _keep_if_private(
        self, bericht_id: int, conversation_id: str, activity_id: str
    ) -> None:
        """A private message about a casus now shows in Teams: kept, to be replaced at
        retention (not a shared post, not retention's own stub). One INSERT … SELECT."""
        chosen = select(
            literal(conversation_id[:300]),
            literal(activity_id[:200]),
            Bericht.casus_id,
            literal(utcnow(), SentCard.created_at.type),
        ).where(
            Bericht.id == bericht_id,
            Bericht.soort == PRIVATE,
            Bericht.casus_id.is_not(None),
            Bericht.vervangt_activity_id.is_(None),
        )
        columns = ["conversation_id", "activity_id", "casus_id", "created_at"]
        insert = dialect_insert(self._session)(SentCard).from_select(columns, chosen)
        await self._session.execute(naming_the_latest(insert))

    async def sent_under(self, plek: str, conversation_id: str) -> str | None:
        """The activity id of the card last sent under `plek` to that conversation."""
        return await self._session.scalar(
            select(Bericht.activity_id)
            .where(
                Bericht.plek == plek,
                Bericht.sent_conversation_id == conversation_id,
                Bericht.activity_id.is_not(None),
            )
            .order_by(Bericht.id.desc())
            .limit(1)
        )

    async def retry_later(self, bericht_id: int, delay: dt.timedelta) -> None:
        await self._session.execute(
            update(Bericht)
            .where(Bericht.id == bericht_id)
            .values(
                claimed_by=None,
                claimed_at=None,
                pogingen=Bericht.pogingen + 1,
                volgende_poging_at=utcnow() + delay,
            )
        )

    async def pending(self, professional_id: int | None = None) -> Sequence[Bericht]:
        query = select(Bericht).where(Bericht.verzonden_at.is_(None)).order_by(Bericht.id)
        if professional_id is not None:
            query = query.where(Bericht.professional_id == professional_id)
        return (await self._session.scalars(query)).all()


def _strings(content: Any) -> list[str]:
    """Every key and value of a card as text: not its JSON, where a typed line break is
    `\\n` and glues the next word to an "n" ("\\nOudeman")."""
    if isinstance(content, dict):
        return [text for k, v in content.items() for text in (str(k), *_strings(v))]
    if isinstance(content, list | tuple):
        return [text for item in content for text in _strings(item)]
    return [] if content is None else [str(content)]


def unsent_to(professional_id: int) -> Any:
    """Deletes what still waits for one professional (switched off: nothing more reaches them)."""
    return delete(Bericht).where(
        Bericht.professional_id == professional_id, Bericht.verzonden_at.is_(None)
    )


def unsent_under(plek_prefix: str) -> Any:
    """Deletes unsent messages keyed under a prefix (a done action's queued reminders)."""
    return (
        delete(Bericht)
        .where(
            Bericht.plek.startswith(plek_prefix, autoescape=True),
            Bericht.verzonden_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
