"""The hot path without msrest (bot/wire.py): an activity read directly is the one msrest would
make, a reply written directly is the JSON msrest would write; whatever is not modelled goes
through msrest as before."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    Entity,
    InputHints,
    SuggestedActions,
)
from botbuilder.schema.teams import TeamsChannelAccount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.connector import wire_json
from bot.translate import incoming_from, message_activities, tenant_of
from bot.wire import FAST_MAX_BYTES, activity_from_json, activity_json
from dialogs.core import Outcome

CAPTURED = Path(__file__).parents[1] / "deployment" / "local" / "captured"
APP = "28:00000000-0000-0000-0000-0000000000b0"
TENANT = "00000000-0000-0000-0000-0000000000aa"


def captured() -> list[tuple[str, dict[str, Any]]]:
    """What the Agents Playground and Teams sent, as recorded (deployment/local/captured)."""
    return [
        (path.stem, json.loads(path.read_text()))
        for path in sorted(CAPTURED.glob("*.json"))
        if not path.name.startswith("_")
    ]


def read(body: dict[str, Any]) -> Activity | None:
    return activity_from_json(body, len(json.dumps(body)))


def msrest(body: dict[str, Any]) -> Activity:
    return Activity().deserialize(copy.deepcopy(body))


def teams_message(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "id": "1700000000001",
        "timestamp": "2026-11-27T09:42:06.5123456Z",
        "localTimestamp": "2026-11-27T10:42:06.512+01:00",
        "localTimezone": "Europe/Amsterdam",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": {"id": "29:a1", "name": "Fatima el Amrani", "aadObjectId": "0000-a1"},
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": "19:kanaal@thread.tacv2;messageid=1700000000000",
            "name": "Casusoverleg",
        },
        "recipient": {"id": APP, "name": "Casusoverleg"},
        "textFormat": "plain",
        "text": "<at>Casusoverleg</at> help",
        "attachments": [{"contentType": "text/html", "content": "<div>help</div>"}],
        "entities": [
            {
                "type": "mention",
                "mentioned": {"id": APP, "name": "Casusoverleg"},
                "text": "<at>Casusoverleg</at>",
            },
            {"type": "clientInfo", "locale": "nl-NL", "country": "NL", "platform": "Web"},
        ],
        "channelData": {
            "tenant": {"id": TENANT},
            "teamsChannelId": "19:kanaal@thread.tacv2",
            "channel": {"id": "19:kanaal@thread.tacv2"},
        },
        "locale": "nl-NL",
    }
    body.update(fields)
    return body


def teams_invoke(**fields: Any) -> dict[str, Any]:
    body = teams_message(
        type="invoke",
        name="adaptiveCard/action",
        replyToId="1700000000002",
        value={
            "action": {"type": "Action.Execute", "verb": "triage.lijst", "data": {"x": None}},
            "trigger": "manual",
        },
    )
    for key in ("text", "textFormat", "attachments", "entities"):
        del body[key]
    body["channelData"]["source"] = {"name": "message"}
    body["channelData"]["legacy"] = {"replyToId": "1:abc"}
    body.update(fields)
    return body


# ----------------------------------------------------------------------------- JSON -> Activity


@pytest.mark.parametrize(("name", "body"), captured(), ids=[name for name, _ in captured()])
def test_captured_activities_read_as_msrest_reads_them(name: str, body: dict[str, Any]) -> None:
    fast = read(body)
    if body["type"] in ("message", "invoke"):
        assert fast is not None, name
        assert fast == msrest(body)
    else:
        assert fast is None  # conversation and installation updates: msrest, as before


@pytest.mark.parametrize(
    "body",
    [
        teams_message(),
        teams_invoke(),
        teams_message(futureField={"a": [1, 2]}, conversation={"id": "a:1", "tenantID": "x"}),
        teams_message(text="", entities=[], attachments=[], channelData=None, value=[1, "2"]),
        teams_message(
            **{"from": {"id": "29:x", "role": "user", "properties": {"p": 1}}},
            recipient={"id": APP, "extra": True},
        ),
    ],
)
def test_teams_shapes_read_as_msrest_reads_them(body: dict[str, Any]) -> None:
    fast = read(body)
    assert fast is not None
    assert fast == msrest(body)
    assert fast.timestamp == dt.datetime(2026, 11, 27, 9, 42, 6, 512345, tzinfo=dt.UTC)


def test_the_hand_built_activity_carries_what_the_handler_needs() -> None:
    message = read(teams_message())
    assert message is not None
    assert message.service_url == "https://smba.trafficmanager.net/emea/"
    assert message.channel_id == "msteams" and message.locale == "nl-NL"
    assert message.conversation.id.startswith("19:kanaal") and message.conversation.is_group
    assert message.conversation.conversation_type == "channel"
    assert message.from_property.aad_object_id == "0000-a1"
    assert message.recipient.id == APP
    assert message.channel_data["tenant"]["id"] == TENANT
    assert tenant_of(message) == TENANT  # conversation.tenantId and channelData agree
    assert isinstance(message.entities[0], Entity)
    assert TurnContext.remove_recipient_mention(message).strip() == "help"

    invoke = read(teams_invoke())
    assert invoke is not None
    assert invoke.name == "adaptiveCard/action" and invoke.reply_to_id == "1700000000002"
    assert invoke.value["action"]["verb"] == "triage.lijst"

    class Context:
        activity = invoke

    incoming = incoming_from(Context())  # type: ignore[arg-type]
    assert incoming.tenant_id == TENANT and incoming.aad_object_id == "0000-a1"
    assert incoming.conversation_id == "19:kanaal@thread.tacv2"
    assert incoming.reference["serviceUrl"] == "https://smba.trafficmanager.net/emea/"


@pytest.mark.parametrize(
    "body",
    [
        teams_message(type="conversationUpdate", membersAdded=[{"id": APP}]),
        teams_message(type="installationUpdate", action="add"),
        teams_message(text="x" * FAST_MAX_BYTES),
        teams_message(text=5),  # msrest makes "5" of it
        teams_message(**{"from": "29:a1"}),  # msrest refuses it
        teams_message(conversation={"id": "a:1", "isGroup": "true"}),
        teams_message(conversation={"id": 7}),
        teams_message(entities={"type": "mention"}),
        teams_message(entities=[None]),
        teams_message(timestamp="gisteren"),
        teams_message(timestamp=1700000000),
        teams_message(relatesTo={"activityId": "1"}),
        teams_message(suggestedActions={"actions": []}),
        teams_message(listenFor=["help"]),
    ],
)
def test_other_shapes_are_left_to_msrest(body: dict[str, Any]) -> None:
    assert read(body) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
ACCOUNT = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=5) | JSON,
        "name": st.text(max_size=5),
        "aadObjectId": st.text(max_size=5),
        "role": st.text(max_size=5),
        "tenantId": JSON,
        "isGroup": st.booleans() | JSON,
        "conversationType": st.sampled_from(["personal", "channel"]),
        "properties": JSON,
    },
)
ENTITY = st.fixed_dictionaries(
    {"type": st.sampled_from(["mention", "clientInfo"]) | JSON},
    optional={"mentioned": ACCOUNT, "text": st.text(max_size=8)},
)
BODY = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "invoke"])},
    optional={
        "id": st.text(max_size=5) | JSON,
        "serviceUrl": st.text(max_size=5),
        "channelId": st.just("msteams") | JSON,
        "from": ACCOUNT | JSON,
        "recipient": ACCOUNT,
        "conversation": ACCOUNT | JSON,
        "text": st.text(max_size=20) | JSON,
        "locale": st.text(max_size=5),
        "replyToId": st.text(max_size=5),
        "name": st.text(max_size=5),
        "timestamp": st.sampled_from(["2026-11-27T09:42:06.512Z", "2026-11-27", "x"]) | JSON,
        "entities": st.lists(ENTITY | JSON, max_size=3) | JSON,
        "attachments": st.lists(
            st.fixed_dictionaries({"contentType": st.text(max_size=5)}, optional={"content": JSON}),
            max_size=2,
        )
        | JSON,
        "channelData": JSON,
        "value": JSON,
        "historyDisclosed": st.booleans() | JSON,
        "unknownKey": JSON,
    },
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(BODY)
def test_a_directly_read_activity_is_always_the_one_msrest_makes(body: dict[str, Any]) -> None:
    fast = read(body)
    try:
        expected = msrest(body)
    except Exception:
        assert fast is None  # msrest refuses it: the app answers 400, as before
        return
    assert fast is None or fast == expected


# ----------------------------------------------------------------------------- Activity -> JSON


def msrest_wire(activity: Activity) -> dict[str, Any]:
    """The reply JSON as bot/connector.py wrote it before bot/wire.py (msrest, cards as is)."""
    attachments = activity.attachments or []
    contents = [attachment.content for attachment in attachments]
    try:
        for attachment in attachments:
            attachment.content = None
        body: dict[str, Any] = activity.serialize()
    finally:
        for attachment, content in zip(attachments, contents, strict=True):
            attachment.content = content
    for item, content in zip(body.get("attachments", []), contents, strict=False):
        item["content"] = content
    return body


CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "hoi"}]}


@pytest.mark.parametrize("incoming", [teams_message(), teams_invoke()], ids=["message", "invoke"])
@pytest.mark.parametrize(
    "outcome",
    [Outcome(text="Hallo"), Outcome(card=CARD), Outcome(text="Hallo", card=CARD)],
    ids=["text", "card", "both"],
)
def test_replies_are_written_as_msrest_writes_them(
    incoming: dict[str, Any], outcome: Outcome
) -> None:
    activity = read(incoming)
    assert activity is not None
    reference = TurnContext.get_conversation_reference(activity)
    for reply in message_activities(outcome):
        TurnContext.apply_conversation_reference(reply, reference)
        reply.id = None
        direct = activity_json(reply)
        assert direct is not None
        assert direct == msrest_wire(reply) == wire_json(reply)
        assert direct["conversation"]["id"] == activity.conversation.id
        assert direct["replyToId"] == activity.id
        assert direct["from"]["id"] == APP and direct["recipient"]["id"] == "29:a1"
        if reply.attachments:
            assert direct["attachments"][0]["content"] is outcome.card  # the card as it is


@pytest.mark.parametrize(
    "change",
    [
        {"timestamp": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        {"entities": [Entity(type="mention")]},
        {"channel_data": {"notification": {"alert": True}}},
        {"suggested_actions": SuggestedActions(actions=[])},
        {"recipient": TeamsChannelAccount(id="29:a1", user_principal_name="a@b.nl")},
        {"text": 5},
        {"attachments": [None]},
    ],
)
def test_other_replies_are_left_to_msrest(change: dict[str, Any]) -> None:
    reply = Activity(
        type=ActivityTypes.message,
        text="hoi",
        input_hint=InputHints.accepting_input,
        conversation=ConversationAccount(id="a:1"),
        recipient=ChannelAccount(id="29:a1"),
        attachments=[Attachment(content_type="x", content={"a": 1})],
    )
    for name, value in change.items():
        setattr(reply, name, value)
    assert activity_json(reply) is None
    if change.get("attachments") != [None]:
        assert wire_json(reply) == msrest_wire(reply)


TEXT = st.none() | st.text(max_size=5) | st.sampled_from(list(InputHints)) | st.integers()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "text": TEXT,
            "input_hint": TEXT,
            "locale": TEXT,
            "reply_to_id": TEXT,
            "history_disclosed": st.none() | st.booleans() | st.integers(0, 1),
            "conversation_id": TEXT,
            "is_group": st.none() | st.booleans(),
            "tenant": st.none() | st.text(max_size=3),
            "card": st.none() | JSON,
        }
    )
)
def test_a_directly_written_reply_is_always_what_msrest_writes(values: dict[str, Any]) -> None:
    conversation = ConversationAccount(
        id=values["conversation_id"], is_group=values["is_group"], tenant_id=values["tenant"]
    )
    conversation.additional_properties = {"tenantId": "t"}  # as read from Teams: not written
    reply = Activity(
        type="message",
        text=values["text"],
        input_hint=values["input_hint"],
        locale=values["locale"],
        reply_to_id=values["reply_to_id"],
        history_disclosed=values["history_disclosed"],
        conversation=conversation,
        from_property=ChannelAccount(id="28:bot", name="Casusoverleg"),
        attachments=(
            None
            if values["card"] is None
            else [Attachment(content_type="application/vnd.microsoft.card.adaptive")]
        ),
    )
    if reply.attachments:
        reply.attachments[0].content = values["card"]
    direct = activity_json(reply)
    assert direct is None or direct == msrest_wire(reply)
