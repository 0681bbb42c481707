"""The Teams roster: who is in a team, and who an unregistered user is, from the Bot Connector.

As botbuilder's `TeamsInfo.get_paged_members` and `get_member` do, over the adapter's one
HTTP session and only to allowed service URLs. What Teams says is turned into plain
`TeamMember`s here; which of them are kept (the team's own tenant, no guests) is the store's
rule.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from botbuilder.core import TurnContext

from bot.connector import FastCloudAdapter
from bot.members import member_from_json as _member
from store.roster import TeamAddress, TeamMember

log = logging.getLogger(__name__)
PAGE_SIZE = 500
MAX_PAGES = 10  # 5,000 members: more than any PGA team


async def team_members(
    adapter: FastCloudAdapter, context: TurnContext, team: TeamAddress
) -> list[TeamMember] | None:
    """Every member of the team (GET /v3/conversations/{teamId}/pagedmembers, all pages), or
    None when the Bot Connector would not say (refused host, error, not a roster)."""
    members: list[TeamMember] = []
    token: str | None = None
    try:
        for _ in range(MAX_PAGES):
            query = {"pageSize": PAGE_SIZE, **({"continuationToken": token} if token else {})}
            path = f"conversations/{quote(team.team_id, safe='')}/pagedmembers?{urlencode(query)}"
            page = await adapter.get_json(context, team.service_url, path)
            if not isinstance(page, dict) or not isinstance(page.get("members"), list):
                return None
            members += [m for m in map(_member, page["members"]) if m is not None]
            token = page.get("continuationToken") if isinstance(page, dict) else None
            if not isinstance(token, str) or not token:
                break
    except Exception as error:  # refused host, connector down, 403/404: no roster this time
        log.warning("team roster not fetched type=%s", type(error).__name__)
        return None
    return members


async def member(adapter: FastCloudAdapter, context: TurnContext) -> TeamMember | None:
    """Who sent this activity, as Teams knows them (GET .../members/{userId}): e-mail or
    user principal name included. None when the Bot Connector does not say."""
    activity = context.activity
    user_id = activity.from_property.id if activity.from_property else None
    if not user_id:
        return None
    path = (
        f"conversations/{quote(activity.conversation.id, safe='')}/members/"
        f"{quote(user_id, safe='')}"
    )
    try:
        found = await adapter.get_json(context, activity.service_url, path)
    except Exception as error:
        log.info("member lookup failed type=%s", type(error).__name__)
        return None
    return _member(found)
