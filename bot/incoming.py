"""An activity → Incoming, and a workflow's answer → an invoke response: the same for either
host. botbuilder's and the Agents SDK's Activity models have the same field names, so this
reads either without importing a library; what differs (building outgoing activities) is in
bot/translate.py and bot/hosts/agents_translate.py."""

from __future__ import annotations

from typing import Any

from dialogs.core import Incoming, Outcome

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"


def tenant_of(activity: Any) -> str:
    """The tenant, from every place Teams puts it; '' when absent or when they disagree.

    botbuilder's msrest reads the key 'tenantID', so Teams' conversation.tenantId lands in its
    additional_properties there.
    """
    conversation = activity.conversation
    extra = getattr(conversation, "additional_properties", None) or {}
    found = {conversation.tenant_id if conversation else None, extra.get("tenantId")}
    if isinstance(activity.channel_data, dict):
        tenant = activity.channel_data.get("tenant")
        found.add(tenant.get("id") if isinstance(tenant, dict) else None)
    values = {str(value).lower() for value in found if value}
    return values.pop() if len(values) == 1 else ""


def incoming_of(activity: Any) -> Incoming:
    sender = activity.from_property
    conversation_id = channel_root(activity.conversation.id)
    return Incoming(
        tenant_id=tenant_of(activity),
        aad_object_id=((sender.aad_object_id if sender else None) or "").lower(),
        user_name=(sender.name if sender else None) or "",
        conversation_id=conversation_id,
        # Unknown is never personal: identity is shown only where we are sure.
        conversation_type=(activity.conversation.conversation_type or "unknown"),
        reference=proactive_reference(activity, conversation_id),
        team_id=team_of(activity),
        card_activity_id=pressed_message(activity),
    )


def pressed_message(activity: Any) -> str:
    """The message a card press came from: an invoke answer with a card replaces the card in
    it (Action.Execute), so that message then shows what the answer shows."""
    if activity.type != "invoke" or not isinstance(activity.reply_to_id, str):
        return ""
    return str(activity.reply_to_id[:200])


def team_of(activity: Any) -> str:
    """The Teams team of a channel activity (channelData.team.id), '' elsewhere."""
    if activity.conversation.conversation_type != "channel":
        return ""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    team_id = team.get("id") if isinstance(team, dict) else None
    return team_id[:300] if isinstance(team_id, str) else ""


def channel_root(conversation_id: str) -> str:
    """A channel thread id is '<channel>;messageid=<id>'; proactive posts go to the channel."""
    return conversation_id.split(";messageid=", 1)[0]


def proactive_reference(activity: Any, conversation_id: str) -> dict[str, Any]:
    """The wire form of a ConversationReference, built directly (msrest is slow here), key for
    key the same from either host, so an installation can switch hosts without a data change.

    Without an activity id a proactive message is a new message, not a reply to this one.
    """
    conversation = activity.conversation
    reference: dict[str, Any] = {
        "user": _account(activity.from_property),
        "bot": _account(activity.recipient),
        "conversation": {
            "id": conversation_id,
            "conversationType": conversation.conversation_type,
            "tenantId": tenant_of(activity) or None,
            "isGroup": conversation.is_group,
        },
        "channelId": str(activity.channel_id) if activity.channel_id else None,
        "serviceUrl": activity.service_url,
        "locale": activity.locale,
    }
    return {key: value for key, value in reference.items() if value is not None}


def _account(account: Any) -> dict[str, Any] | None:
    if account is None:
        return None
    fields = {"id": account.id, "name": account.name, "aadObjectId": account.aad_object_id}
    return {key: value for key, value in fields.items() if value is not None}


def invoke_response(outcome: Outcome) -> dict[str, Any]:
    """The updated card, or a message shown to the clicker only (the card stays as it was).

    Built as the wire JSON of AdaptiveCardInvokeResponse: msrest cannot serialise the schema
    model with a string value (the message type), walking the card costs a tenth of a turn,
    and our /api/messages route writes the body as JSON itself.
    """
    if outcome.card:
        return {"statusCode": 200, "type": CARD, "value": outcome.card}
    return {"statusCode": 200, "type": MESSAGE, "value": outcome.text or ""}


def action_of(value: Any) -> tuple[str, Any] | None:
    """(verb, data) of an adaptiveCard/action invoke value, or None when malformed."""
    if not isinstance(value, dict):
        return None
    action = value.get("action")
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return None
    verb = action.get("verb")
    if not isinstance(verb, str):
        return None
    return verb, action.get("data")
