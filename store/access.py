"""Who is asking, from where: the input every authorising query takes."""

from __future__ import annotations

from dataclasses import dataclass, replace

PERSONAL = "personal"


@dataclass(frozen=True)
class Requester:
    professional_id: int
    tenant_id: str
    aad_object_id: str
    conversation_id: str
    conversation_type: str  # personal, channel, groupChat, download, unknown
    # Asked in a shared space, but the answer goes only to this professional's 1:1 chat.
    delivered_privately: bool = False

    @property
    def in_personal_space(self) -> bool:
        # A signed download link is issued only inside a personal chat, to one professional.
        return self.delivered_privately or self.conversation_type in (PERSONAL, "download")

    def privately(self) -> Requester:
        return replace(self, delivered_privately=True)


class AccessDenied(Exception):
    """The requester has no link to the casus that allows this."""


class PersonalSpaceRequired(Exception):
    """Identifying data may only be shown in a personal space (DESIGN §3.2)."""


class NotFound(Exception):
    pass


class Conflict(Exception):
    """Someone else changed the record first (e.g. two PGA-experts deciding at once)."""
