"""What every workflow gets (the acting professional, the store) and gives back (an Outcome)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import jsonschema

from cards.forms import Form
from store.access import NotFound, Requester
from store.db import UnitOfWork
from store.outbox import Message
from store.people import ProfessionalInfo
from store.roster import TeamAddress
from store.views import SharedCasusView
from store.visible import is_invisible

Card = dict[str, Any]


@dataclass(frozen=True)
class Config:
    local_mode: bool = False
    allowed_tenant_ids: frozenset[str] = frozenset()
    admin_object_ids: frozenset[str] = frozenset()
    default_gemeente: str = "Zuiderstad"
    public_base_url: str = "http://localhost:3978"
    signing_key: bytes = b""
    download_minutes: int = 15
    retention_days: int = 365
    # Afsluiting (#13): a closed casus may be reopened by a besluit within this many days.
    reopen_days: int = 90
    # The plan van aanpak (#11): reminders and the weekly digest, Amsterdam time.
    reminder_days_before: int = 3
    escalation_days: int = 7
    reminder_time: str = "09:00"
    digest_weekday: int = 0  # 0 = Monday
    digest_time: str = "08:00"
    interventies_file: str = ""  # the gemeente's catalogue; empty: the starter list


@dataclass(frozen=True)
class Incoming:
    """One activity as the workflows see it, with nothing of the platform left."""

    tenant_id: str
    aad_object_id: str
    user_name: str
    conversation_id: str
    conversation_type: str  # personal, channel, groupChat
    reference: Mapping[str, Any] | None = None
    team_id: str = ""  # the Teams team of a channel ('' elsewhere)
    # A card press (Action.Execute): the message whose card an answered card replaces in
    # place (the invoke's replyToId); '' for a typed message.
    card_activity_id: str = ""

    @property
    def personal(self) -> bool:
        return self.conversation_type == "personal"


@dataclass(frozen=True)
class Actor:
    professional: ProfessionalInfo
    requester: Requester

    @property
    def pga_gemeente_ids(self) -> frozenset[int]:
        return self.professional.pga_gemeente_ids

    @property
    def id(self) -> int:
        return self.professional.id

    @property
    def is_pga_expert(self) -> bool:
        return bool(self.pga_gemeente_ids)

    @property
    def may_administer(self) -> bool:
        return (
            self.professional.is_beheerder
            or self.professional.beheert_gemeente
            or self.is_pga_expert
        )


class Audience(Enum):
    """Who may see a card shown in place (the reply, or the updated card of a button)."""

    PRIVATE = "private"  # may carry identity: only in the actor's personal space
    SHARED = "shared"  # built from the shared-safe view of one casus
    ANYONE = "anyone"  # names no casus at all (help, command lists)


@dataclass
class Outcome:
    """What a workflow gives back: what to show the actor in place (a card, updated in place
    for a card action, or a text), and messages for others (typed: private or shared)."""

    card: Card | None = None
    text: str | None = None
    audience: Audience = Audience.PRIVATE
    about: int | None = None  # the casus the card is about (retention, re-authorisation)
    shared_casus: SharedCasusView | None = None
    messages: list[Message] = field(default_factory=list)
    has_messages: bool = False  # the outbox got new messages: the sender should run
    # For the platform layer, which alone talks to the Bot Connector: ask these teams for
    # their members and hand them to `router.roster_fetched` (whose card then replaces this
    # one when `show_roster`); ask Teams who this unregistered user is (`router.learn_member`).
    roster_teams: tuple[TeamAddress, ...] = ()
    show_roster: bool = False
    lookup_member: bool = False

    @classmethod
    def private(cls, card: Card, about: int | None = None) -> Outcome:
        return cls(card=card, about=about)

    @classmethod
    def shared(cls, card: Card, casus: SharedCasusView) -> Outcome:
        return cls(card=card, audience=Audience.SHARED, about=casus.id, shared_casus=casus)

    @classmethod
    def anyone(cls, card: Card) -> Outcome:
        return cls(card=card, audience=Audience.ANYONE)

    @property
    def identity_of(self) -> int | None:
        """The casus whose identity what is shown in place may carry: the message that shows
        it is kept by activity id, so retention replaces it in Teams (DESIGN §3.8)."""
        if self.audience is Audience.PRIVATE and (self.card or self.text):
            return self.about
        return None

    def tell(self, *messages: Message) -> Outcome:
        self.messages.extend(messages)
        return self


@dataclass
class Context:
    uow: UnitOfWork
    actor: Actor
    config: Config
    incoming: Incoming


Handler = Callable[[Context, dict[str, Any]], Awaitable[Outcome]]

NO_PRIVATE_CHAT_YET = (
    "Ik zet dit in je privéchat met Casusoverleg, maar die heb je nog niet geopend. Open in "
    "Teams de app Casusoverleg en stuur 'hallo': dan staat het daar klaar."
)


async def private_delivery_text(context: Context, sent_text: str) -> str:
    """What to say in a shared space when something was put in the 1:1 chat's outbox."""
    has_chat = await context.uow.conversations.personal_for(context.actor.id)
    return sent_text if has_chat is not None else NO_PRIVATE_CHAT_YET


class InvalidPayload(Exception):
    """A card submit that does not match the form it claims to come from."""


# Control characters, direction marks and overrides, lone surrogates and non-characters: none
# belongs in a name or a note, and XML (the Word letter) cannot hold some of them. A soft
# hyphen or a zero-width space or joiner (U+200B-U+200D), as text pasted from Word or Outlook
# holds, is accepted and kept as typed: redaction compares what a reader sees (store.visible).
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def has_control_chars(value: str) -> bool:
    return bool(CONTROL_CHARS.search(value))


def control_char_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """A Dutch error for every field with control or direction-override characters."""
    return {
        field: "Dit veld bevat tekens die niet zijn toegestaan. Typ het opnieuw."
        for field, value in values.items()
        if isinstance(value, str) and has_control_chars(value)
    }


def split_multi(value: str | None) -> list[str]:
    """The values of a multi-select ChoiceSet, which arrive comma-separated."""
    return [part for part in (value or "").split(",") if part]


def strip_control_chars(value: str) -> str:
    """`value` without control characters and without what a reader cannot see (a zero-width
    space in `tijdlijn PGA-2026-001` pasted from Word): for reading a typed command."""
    return "".join(c for c in CONTROL_CHARS.sub("", value) if not is_invisible(c))


# JSON Schema counts 1.0 as an integer; an id we put in a card is never a float.
STRICT_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: type(value) is int
)
StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, type_checker=STRICT_TYPES
)


def read_form(form: Form, data: Mapping[str, Any], *, with_args: bool = False) -> dict[str, Any]:
    """The submit of `form`, checked against its one definition."""
    return check_payload(form.schema(with_args=with_args), data)


def check_payload(schema: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        error = jsonschema.exceptions.best_match(StrictValidator(schema).iter_errors(dict(data)))
        if error is not None:
            raise error
    except jsonschema.ValidationError as invalid:
        # Never the message: it quotes the rejected value, which may name the resident.
        where = "/".join(str(part) for part in invalid.absolute_path) or "(root)"
        raise InvalidPayload(f"{where} {invalid.validator}") from None
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


# `PGA-2026-001`, or in a region with a gemeente's short code between (#26): `PGA-ZDS-2026-001`.
CASUS_CODE = re.compile(r"^PGA-(?:[A-Z]{2,5}-)?\d{4}-\d{3,}$", re.IGNORECASE)


def casus_reference(payload: Mapping[str, Any]) -> int | str | None:
    """The casus a button (its id) or a typed command (`casus PGA-2026-001`) names; None when
    none was given. A malformed code is NotFound, like an unknown one."""
    if "casus" in payload:
        return int(payload["casus"])
    code = str(payload.get("_args") or "").strip().upper()
    if not code:
        return None
    if not CASUS_CODE.match(code):
        raise NotFound(code)
    return code
