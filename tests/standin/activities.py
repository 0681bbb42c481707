"""Teams-shaped inbound activities for tests that talk to the bot through the stand-in."""

from __future__ import annotations

import uuid
from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

TEAMS_CONVERSATION_ID = "19:standin-kanaal@thread.tacv2;messageid=1700000000000"


def teams_message_activity(
    service_url: str,
    *,
    app_id: str,
    tenant_id: str,
    text: str = "hallo",
    conversation_id: str = TEAMS_CONVERSATION_ID,
    user_id: str = "29:standin-user",
    user_name: str = "Stand-in Gebruiker",
    aad_object_id: str = "00000000-0000-4000-8000-00000000a5e1",
    conversation_type: str = "channel",
) -> Activity:
    """An ``msteams`` message activity as Teams would POST it to the bot."""
    return Activity(
        type="message",
        id=f"1{uuid.uuid4().int % 10**12:012d}",
        channel_id="msteams",
        service_url=service_url,
        text=text,
        from_property=ChannelAccount(id=user_id, name=user_name, aad_object_id=aad_object_id),
        recipient=ChannelAccount(id=f"28:{app_id}", name="Casusoverleg"),
        conversation=ConversationAccount(
            id=conversation_id,
            conversation_type=conversation_type,
            tenant_id=tenant_id,
            is_group=conversation_type != "personal",
        ),
        channel_data={"tenant": {"id": tenant_id}},
        locale="nl-NL",
    )


def activity_json(activity: Activity) -> dict[str, Any]:
    """Wire JSON (camelCase) for POSTing an activity to the bot's /api/messages."""
    data = activity.serialize()
    assert isinstance(data, dict)
    return data
