"""Small builders for Adaptive Card 1.5 elements. Pure functions: data in, JSON out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cards.forms import KAART_VERVERSEN, Field, Form

Card = dict[str, Any]
Element = dict[str, Any]
Option = tuple[str, str]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def card(body: Sequence[Element], actions: Sequence[Element] = (), **extra: Any) -> Card:
    result: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": list(body)}
    if actions:
        result["actions"] = list(actions)
    result.update(extra)
    return result


# Teams runs a card's refresh automatically for at most 60 users (user-specific views).
MAX_REFRESH_USERS = 60


def refreshing(result: Card, form: Form, data: Mapping[str, Any] | None = None) -> Card:
    """`result` with a Universal Actions refresh: when an old copy is viewed, Teams asks the
    bot for it again, and `form` (an open verb, with `data`: ids, never identity) rebuilds
    it through the gate. Who it runs for (`userIds`) is added where it is sent (`for_readers`)."""
    action = execute(
        "Bijwerken", KAART_VERVERSEN, {"kaart": form.verb, **(data or {})}, inputs=False
    )
    result["refresh"] = {"action": action}
    return result


def for_readers(result: Card, user_ids: Iterable[str | None]) -> Card:
    """The card as sent to these Teams users (ids 29:…): its refresh runs automatically for
    them, at most 60 (Teams' limit). A card without a refresh is returned as it is."""
    refresh = result.get("refresh")
    if refresh is None:
        return result
    readers = list(dict.fromkeys(user for user in user_ids if user))[:MAX_REFRESH_USERS]
    addressed = {"action": refresh["action"]}
    if readers:
        addressed["userIds"] = readers
    return {**result, "refresh": addressed}


def without_refresh(result: Card) -> Card:
    """A card for a shared space: everyone there sees the same shared-safe copy, kept current
    by updating the message itself, so no member's client asks the bot for it."""
    if "refresh" not in result:
        return result
    return {key: value for key, value in result.items() if key != "refresh"}


# Markdown that could turn typed text into a link or change how it reads. Teams renders
# TextBlock and FactSet text as Markdown: `[dossier](https://…)` would become a link. With
# the brackets escaped, parentheses are plain text again.
MARKDOWN = re.compile(r"([\\`*_\[\]~<>])")
AUTOLINK = re.compile(r"(?i)(:)(//)|\b(www)(\.)")


def esc(value: str) -> str:
    """Typed text as plain text: Markdown characters escaped, bare links defused."""
    escaped = MARKDOWN.sub(r"\\\1", value)
    return AUTOLINK.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"{m[3]}\\{m[4]}", escaped)


def title(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": esc(text),
        "size": "Large",
        "weight": "Bolder",
        "wrap": True,
    }


def heading(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": esc(text),
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
        "spacing": "Medium",
    }


def text(
    value: str,
    *,
    subtle: bool = False,
    color: str | None = None,
    markdown: bool = False,
    **extra: Any,
) -> Element:
    """A paragraph. Escaped unless `markdown`: then the builder wrote the Markdown and
    escaped every value it put in with `esc`."""
    block: Element = {"type": "TextBlock", "text": value if markdown else esc(value), "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if color:
        block["color"] = color
    block.update(extra)
    return block


def error(value: str) -> Element:
    return text(value, color="Attention", weight="Bolder", spacing="Small")


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": esc(k), "value": esc(v) if v else "–"} for k, v in pairs],
    }


def execute(
    label: str,
    form: Form,
    data: Mapping[str, Any] | None = None,
    *,
    inputs: bool = True,
    **extra: Any,
) -> Element:
    """A button that sends `form`. Without `inputs` it sends only its own data, not the
    inputs on the card (navigation from a card that holds a form)."""
    action: Element = {"type": "Action.Execute", "title": label, "verb": form.verb}
    if data:
        unknown = set(data) - form.keys
        if unknown:
            raise ValueError(f"{form.verb} does not read {sorted(unknown)}")
        action["data"] = dict(data)
    if not inputs:
        action["associatedInputs"] = "none"
    action.update(extra)
    return action


def open_url(label: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": label, "url": url}


def action_set(actions: Sequence[Element]) -> Element:
    return {"type": "ActionSet", "actions": list(actions)}


def container(items: Sequence[Element], **extra: Any) -> Element:
    return {"type": "Container", "items": list(items), **extra}


def _label(label: str, required: bool) -> str:
    # Required fields are checked by the bot, not the client: a client-side isRequired would
    # block saving a half-filled draft.
    return f"{label} (verplicht)" if required else label


def _with_error(element: Element, errors: Mapping[str, str]) -> list[Element]:
    message = errors.get(element["id"])
    return [element, error(message)] if message else [element]


def text_input(
    field: Field,
    label: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    required: bool = False,
    multiline: bool = False,
    placeholder: str | None = None,
) -> list[Element]:
    element: Element = {
        "type": "Input.Text",
        "id": field.id,
        "label": _label(label, required),
        "isMultiline": multiline,
        "maxLength": field.max_length,
        "value": str(values.get(field.id) or ""),
    }
    if placeholder:
        element["placeholder"] = placeholder
    return _with_error(element, errors)


def date_input(
    field: Field,
    label: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    required: bool = False,
) -> list[Element]:
    element: Element = {
        "type": "Input.Date",
        "id": field.id,
        "label": _label(label, required),
        "placeholder": "Kies een datum",
    }
    if values.get(field.id):
        element["value"] = str(values[field.id])
    return _with_error(element, errors)


def time_input(
    field: Field, label: str, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Element]:
    element: Element = {
        "type": "Input.Time",
        "id": field.id,
        "label": label,
        "placeholder": "Kies een tijd (uu:mm)",
    }
    if values.get(field.id):
        element["value"] = str(values[field.id])
    return _with_error(element, errors)


def choice_input(
    field: Field,
    label: str,
    options: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    required: bool = False,
    multi: bool = False,
    expanded: bool = False,
    placeholder: str = "Kies…",
) -> list[Element]:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": field.id,
        "label": _label(label, required),
        "choices": [{"title": name, "value": value} for value, name in options],
        "isMultiSelect": multi,
        "style": "expanded" if expanded else "compact",
    }
    if not expanded:
        element["placeholder"] = placeholder
    if values.get(field.id):
        element["value"] = str(values[field.id])
    return _with_error(element, errors)


def toggle_input(
    field: Field, label: str, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Element]:
    element: Element = {
        "type": "Input.Toggle",
        "id": field.id,
        "title": label,
        "value": "true" if str(values.get(field.id)).lower() == "true" else "false",
        "valueOn": "true",
        "valueOff": "false",
        "wrap": True,
    }
    return _with_error(element, errors)
