"""A Teams member as the Bot Connector describes it (a TeamsChannelAccount's JSON), turned
into a plain `TeamMember`; shared by both hosts' roster look-ups."""

from __future__ import annotations

from typing import Any

from store.roster import TeamMember


def member_from_json(raw: Any) -> TeamMember | None:
    """A TeamsChannelAccount as plain data; None without an object id."""
    if not isinstance(raw, dict):
        return None
    object_id = raw.get("aadObjectId") or raw.get("objectId")
    if not isinstance(object_id, str) or not object_id:
        return None
    email = next(
        (
            value
            for value in (raw.get("email"), raw.get("userPrincipalName"))
            if isinstance(value, str) and "@" in value and "#EXT#" not in value.upper()
        ),
        None,
    )
    name = raw.get("name") if isinstance(raw.get("name"), str) else ""
    tenant = raw.get("tenantId") if isinstance(raw.get("tenantId"), str) else ""
    return TeamMember(
        naam=str(name)[:150],
        email=email,
        aad_object_id=object_id.lower(),
        tenant_id=str(tenant).lower(),
        guest=raw.get("userRole") in ("guest", "anonymous"),
    )
