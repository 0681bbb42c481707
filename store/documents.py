"""Download grants for documents (the letter; the minutes of an overleg).

A grant is issued from an opened casus (so the gate has checked the role) or, for the
minutes, by store/verslag.py after checking the roles on the overleg; for one professional,
one kind of document, a few minutes. The link holds a random token only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import Need, Requester
from store.casus import CasusAccess
from store.models import DocumentGrant, utcnow

# Which need a document of a kind serves: fetching it is checked again at download.
DOCUMENT_NEEDS: dict[str, Need] = {"brief": Need.BRIEF, "inzage": Need.INZAGE}
# Documents about no single casus, checked against the directory's rules at download.
MONITOR = "monitor"
# A link's token is secrets.token_urlsafe(TOKEN_BYTES): base64url without padding, so always
# this many characters of this alphabet. Anything else was never issued.
TOKEN_BYTES = 32
TOKEN_LENGTH = -(-TOKEN_BYTES * 4 // 3)  # 4 characters per 3 bytes, rounded up: 43
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def well_formed(token: str) -> bool:
    """Whether `token` could have been issued here: a cheap check before any database work."""
    return TOKEN_SHAPE.fullmatch(token) is not None


@dataclass(frozen=True)
class GrantView:
    soort: str
    casus_id: int | None
    professional_id: int
    verslag_document_id: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


class DocumentGrants:
    def __init__(self, session: AsyncSession, key: bytes) -> None:
        self._session = session
        self._key = key

    async def issue(
        self,
        casus: CasusAccess,
        soort: str,
        minutes: int,
        parameters: dict[str, Any] | None = None,
    ) -> str:
        casus.require(DOCUMENT_NEEDS[soort])
        return await self._add(
            DocumentGrant(soort=soort, casus_id=casus.id, parameters=parameters or {}),
            casus.requester.professional_id,
            minutes,
        )

    async def issue_monitor(
        self, requester: Requester, minutes: int, parameters: dict[str, Any]
    ) -> str:
        """The monitor's figures (codes and counts): the directory gate was passed by the
        caller (PeopleNeed.MONITOR) and is passed again at download."""
        return await self._add(
            DocumentGrant(soort=MONITOR, casus_id=None, parameters=parameters),
            requester.professional_id,
            minutes,
        )

    async def issue_for_document(self, document_id: int, professional_id: int, minutes: int) -> str:
        """A grant for a stored document (the minutes). Only store/verslag.py calls this,
        after checking the professional's roles on the overleg."""
        return await self._add(
            DocumentGrant(soort="verslag", verslag_document_id=document_id),
            professional_id,
            minutes,
        )

    async def _add(self, grant: DocumentGrant, professional_id: int, minutes: int) -> str:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        grant.token_hash = self._hash(token)
        grant.professional_id = professional_id
        grant.expires_at = utcnow() + dt.timedelta(minutes=minutes)
        self._session.add(grant)
        await self._session.flush()
        return token

    async def peek(self, token: str) -> GrantView | None:
        """The grant while it can still be used; looking does not use it up."""
        row = await self._session.scalar(
            select(DocumentGrant).where(
                DocumentGrant.token_hash == self._hash(token),
                DocumentGrant.used_at.is_(None),
                DocumentGrant.expires_at > utcnow(),
            )
        )
        if row is None:
            return None
        return GrantView(
            row.soort,
            row.casus_id,
            row.professional_id,
            row.verslag_document_id,
            dict(row.parameters or {}),
        )

    async def redeem(self, token: str) -> bool:
        """Use the grant up; False when it was used (also concurrently) or expired."""
        result = await self._session.execute(
            update(DocumentGrant)
            .where(
                DocumentGrant.token_hash == self._hash(token),
                DocumentGrant.used_at.is_(None),
                DocumentGrant.expires_at > utcnow(),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def drop_expired(self, before: dt.datetime) -> None:
        await self._session.execute(delete(DocumentGrant).where(DocumentGrant.expires_at < before))

    def _hash(self, token: str) -> str:
        # Keyed, so the table alone cannot confirm a guessed link.
        return hmac.new(self._key, token[:100].encode(), hashlib.sha256).hexdigest()
