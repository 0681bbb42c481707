"""Small builders for Adaptive Card 1.5 elements. Pure functions: data in, JSON out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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


def title(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def heading(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
        "spacing": "Medium",
    }


def text(value: str, *, subtle: bool = False, color: str | None = None, **extra: Any) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if color:
        block["color"] = color
    block.update(extra)
    return block


def error(value: str) -> Element:
    return text(value, color="Attention", weight="Bolder", spacing="Small")


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": k, "value": v or "–"} for k, v in pairs]}


def execute(label: str, verb: str, data: Mapping[str, Any] | None = None, **extra: Any) -> Element:
    action: Element = {"type": "Action.Execute", "title": label, "verb": verb}
    if data:
        action["data"] = dict(data)
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
    field: str,
    label: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    required: bool = False,
    multiline: bool = False,
    max_length: int = 500,
    placeholder: str | None = None,
) -> list[Element]:
    element: Element = {
        "type": "Input.Text",
        "id": field,
        "label": _label(label, required),
        "isMultiline": multiline,
        "maxLength": max_length,
        "value": str(values.get(field) or ""),
    }
    if placeholder:
        element["placeholder"] = placeholder
    return _with_error(element, errors)


def date_input(
    field: str,
    label: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    required: bool = False,
) -> list[Element]:
    element: Element = {
        "type": "Input.Date",
        "id": field,
        "label": _label(label, required),
        "placeholder": "Kies een datum",
    }
    if values.get(field):
        element["value"] = str(values[field])
    return _with_error(element, errors)


def time_input(
    field: str, label: str, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Element]:
    element: Element = {
        "type": "Input.Time",
        "id": field,
        "label": label,
        "placeholder": "Kies een tijd (uu:mm)",
    }
    if values.get(field):
        element["value"] = str(values[field])
    return _with_error(element, errors)


def choice_input(
    field: str,
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
        "id": field,
        "label": _label(label, required),
        "choices": [{"title": name, "value": value} for value, name in options],
        "isMultiSelect": multi,
        "style": "expanded" if expanded else "compact",
    }
    if not expanded:
        element["placeholder"] = placeholder
    if values.get(field):
        element["value"] = str(values[field])
    return _with_error(element, errors)


def toggle_input(
    field: str, label: str, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Element]:
    element: Element = {
        "type": "Input.Toggle",
        "id": field,
        "title": label,
        "value": "true" if str(values.get(field)).lower() == "true" else "false",
        "valueOn": "true",
        "valueOff": "false",
        "wrap": True,
    }
    return _with_error(element, errors)
