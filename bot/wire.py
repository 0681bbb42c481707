"""Activities from and to their wire JSON without msrest, for the shapes of the hot path.

msrest rebuilds its model registry and walks every attribute of every model on each call:
about 110 µs to read a Teams message and as much again to write the reply; this takes about
5 µs each. The schema's own attribute maps drive a direct conversion of what Teams sends and
what the bot answers. Whatever is not converted exactly as msrest would — a value of another
JSON type than the schema names (msrest converts or refuses it), a nested model other than an
account, conversation, entity or attachment, a date on the way out — makes these functions
return None, and the caller uses msrest as before. So the result is always the one msrest
gives (tests/test_edge_perf_wire.py compares the two).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount, Entity
from msrest.serialization import Deserializer, Model

#: Activity types read here; other types (installation, conversation updates, ...) are rare
#: and go through msrest.
FAST_TYPES = frozenset({"message", "invoke"})
#: Larger bodies go through msrest (Teams caps a message at about 28 kB).
FAST_MAX_BYTES = 64 * 1024

_MODELS: dict[str, type[Model]] = {
    model.__name__: model
    for model in (Activity, ChannelAccount, ConversationAccount, Entity, Attachment)
}
_SCALARS = frozenset({"str", "bool", "object", "iso-8601"})

# (JSON key, attribute, kind, nested model); kind is a msrest type name, "model", "list" or
# "other" (not converted here).
_Field = tuple[str, str, str, type[Model] | None]


def _fields(model: type[Model]) -> tuple[_Field, ...]:
    fields = []
    for attribute, description in model._attribute_map.items():
        key, kind = description["key"], description["type"]
        nested = None
        if "." in key or "\\" in key or not key:  # flattened keys: msrest's business
            kind = "other"
        elif kind in _MODELS:
            kind, nested = "model", _MODELS[kind]
        elif kind.startswith("[") and kind[1:-1] in _MODELS:
            kind, nested = "list", _MODELS[kind[1:-1]]
        elif kind not in _SCALARS:
            kind = "other"
        fields.append((key, attribute, kind, nested))
    return tuple(fields)


_FIELDS = {model: _fields(model) for model in _MODELS.values()}
_BY_KEY = {model: {f[0]: f for f in fields} for model, fields in _FIELDS.items()}


class _NotHere(Exception):
    """The value is not one this module converts exactly as msrest does."""


# ----------------------------------------------------------------------------- JSON -> Activity


def activity_from_json(body: dict[str, Any], size: int) -> Activity | None:
    """The Activity msrest would make of `body` (a JSON object of `size` bytes), or None when
    this is not a message or invoke of the shape read here."""
    if body.get("type") not in FAST_TYPES or size > FAST_MAX_BYTES:
        return None
    try:
        activity = _model(Activity, body)
    except _NotHere:
        return None
    assert isinstance(activity, Activity)
    return activity


def _model(model: type[Model], data: Any) -> Model:
    if type(data) is not dict:
        raise _NotHere
    by_key = _BY_KEY[model]
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        field = by_key.get(key)
        if field is None:
            extra[key] = value  # msrest keeps unknown keys as they are
        elif value is not None:
            values[field[1]] = _value(field, value)
    result = model(**values)
    if extra:
        result.additional_properties = extra
    return result


def _value(field: _Field, value: Any) -> Any:
    kind = field[2]
    if kind == "str":
        if type(value) is not str:
            raise _NotHere  # msrest would make str(value) of it
        return value
    if kind == "object":
        return value  # msrest copies plain JSON; equal
    if kind == "model":
        assert field[3] is not None
        return _model(field[3], value)
    if kind == "list":
        if type(value) is not list:
            raise _NotHere
        assert field[3] is not None
        nested = field[3]
        return [_model(nested, item) for item in value]
    if kind == "bool":
        if type(value) is not bool:
            raise _NotHere
        return value
    if kind == "iso-8601":
        if type(value) is not str:
            raise _NotHere
        try:
            return Deserializer.deserialize_iso(value)
        except Exception:
            raise _NotHere from None  # msrest gives the error (a 400)
    raise _NotHere


# ----------------------------------------------------------------------------- Activity -> JSON


def activity_json(activity: Activity) -> dict[str, Any] | None:
    """What `activity.serialize()` gives, with attachment contents (cards) as they are; None
    when the activity carries something not written here (then use msrest)."""
    try:
        return _dump(activity)
    except _NotHere:
        return None


def _dump(model: Model) -> dict[str, Any]:
    fields = _FIELDS.get(type(model))
    if fields is None:
        raise _NotHere  # a subclass (TeamsChannelAccount, ...) has fields of its own
    values = model.__dict__
    result: dict[str, Any] = {}
    for key, attribute, kind, nested in fields:
        value = values.get(attribute)
        if value is None:
            continue  # msrest leaves out what is None; additional_properties too
        if kind == "str":
            if type(value) is not str:
                if not isinstance(value, Enum) or type(value.value) is not str:
                    raise _NotHere
                value = value.value  # msrest writes an enum's value
        elif kind == "bool":
            if type(value) is not bool:
                raise _NotHere
        elif kind == "model":
            value = _dump(value)
        elif kind == "list" and nested is Attachment and type(value) is list:
            value = [_dump(item) for item in value]
        elif not (kind == "object" and model.__class__ is Attachment):
            raise _NotHere  # dates, other lists, channelData, ...: msrest
        result[key] = value  # an attachment's content (the card) as it is
    return result
