"""What every workflow gets (the acting professional, the store) and gives back (an Outcome)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from store.access import Requester
from store.db import UnitOfWork
from store.people import ProfessionalInfo

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


# Control and direction-override characters, lone surrogates and non-characters: none belongs
# in a name or a note, and XML (the Word letter) cannot hold some of them.
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
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
    return CONTROL_CHARS.sub("", value)


def check_payload(schema: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        jsonschema.validate(dict(data), schema)
    except jsonschema.ValidationError as error:
        # Never the message: it quotes the rejected value, which may name the resident.
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise InvalidPayload(f"{where} {error.validator}") from None
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def form_schema(
    fields: list[str],
    *,
    ids: tuple[str, ...] = (),
    optional_ids: tuple[str, ...] = (),
    max_length: int = 3000,
    lengths: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Inputs arrive as strings; ids we put in `data` ourselves arrive as integers, form
    instance ids as short strings. Lengths match the database columns."""
    limits = {**FIELD_LENGTHS, **(lengths or {})}
    properties: dict[str, Any] = {
        f: {"type": "string", "maxLength": limits.get(f, max_length)} for f in fields
    }
    properties.update({i: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1} for i in ids})
    properties.update({i: {"type": "string", "maxLength": 64} for i in optional_ids})
    return {
        "type": "object",
        "properties": properties,
        "required": list(ids),
        "additionalProperties": False,
    }


# Column lengths of the fields that are stored in sized columns (see store/models.py).
FIELD_LENGTHS = {
    "naam": 150,
    "woonplaats": 100,
    "doel": 300,
    "adres": 200,
    "postcode": 10,
    "startgesprek_locatie": 200,
    "startgesprek_wie": 300,
    "ander_overleg": 200,
    "org_naam": 150,
    "prof_naam": 150,
    "prof_functie": 150,
    "prof_object_id": 64,
    "prof_tenant_id": 64,
}


def ids_schema(*ids: str) -> dict[str, Any]:
    return form_schema([], ids=ids)
