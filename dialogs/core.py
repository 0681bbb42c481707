"""What every workflow gets (the acting professional, the store) and gives back (an Outcome)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from store.access import Requester
from store.db import UnitOfWork
from store.repositories import ProfessionalInfo

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


@dataclass(frozen=True)
class Incoming:
    """One activity as the workflows see it, with nothing of the platform left."""

    tenant_id: str
    aad_object_id: str
    user_name: str
    conversation_id: str
    conversation_type: str  # personal, channel, groupChat
    reference: Mapping[str, Any] | None = None

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
        return self.professional.is_beheerder or self.is_pga_expert


@dataclass
class Outcome:
    """What to show the acting professional: a card (updated in place for a card action) or text."""

    card: Card | None = None
    text: str | None = None
    has_messages: bool = False  # the outbox got new messages: the sender should run


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


CONTROL_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
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


def strip_control_chars(value: str) -> str:
    return CONTROL_CHARS.sub("", value)


def check_payload(schema: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        jsonschema.validate(dict(data), schema)
    except jsonschema.ValidationError as error:
        raise InvalidPayload(error.message[:200]) from None
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def form_schema(
    fields: list[str], *, ids: tuple[str, ...] = (), max_length: int = 3000
) -> dict[str, Any]:
    """Inputs arrive as strings; ids we put in `data` ourselves arrive as integers."""
    properties: dict[str, Any] = {f: {"type": "string", "maxLength": max_length} for f in fields}
    properties.update({i: {"type": "integer", "minimum": 1} for i in ids})
    return {
        "type": "object",
        "properties": properties,
        "required": list(ids),
        "additionalProperties": False,
    }


def ids_schema(*ids: str) -> dict[str, Any]:
    return form_schema([], ids=ids)
