"""People Teams told the bot about: members of the teams it is in, and users it looked up once.

A PGA-expert adds professionals from this list by name or e-mail instead of by object id. Only
members of the team's own tenant are kept (guests and people of other tenants are ignored), and
a professional added by e-mail before Teams named them waits as an `Uitnodiging` until that
user first writes to the bot and the Bot Connector's member lookup gives the same e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import Conflict, NotFound, PeopleNeed, Requester
from store.audit import AuditLog
from store.models import ConversationRef, Professional, Teamlid, Uitnodiging, utcnow
from store.people import PeopleRepository
from store.sql import dialect_insert
from store.views import PersonView

#: One team's roster is capped: a PGA team has dozens of people, not thousands.
MAX_MEMBERS = 5000
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[a-z]{2,}$", re.IGNORECASE)
OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class TeamMember:
    """A person as the Bot Connector describes them, with nothing of the SDK left."""

    naam: str
    email: str | None
    aad_object_id: str
    tenant_id: str
    guest: bool = False


@dataclass(frozen=True)
class TeamAddress:
    """Where to ask for a team's members: the team id and its Bot Connector address."""

    team_id: str
    service_url: str
    tenant_id: str


@dataclass(frozen=True)
class Candidate:
    id: int
    naam: str
    email: str | None


def is_email(value: str) -> bool:
    return len(value) <= 200 and bool(EMAIL.match(value))


class RosterRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog, people: PeopleRepository) -> None:
        self._session = session
        self._audit = audit
        self._people = people

    # --- what Teams tells us ------------------------------------------------------------------

    async def keep_team(self, tenant_id: str, team_id: str, members: Sequence[TeamMember]) -> int:
        """Replace the roster of one team by `members` of its own tenant; the number kept."""
        tenant = tenant_id.lower()
        kept = {
            member.aad_object_id.lower(): member
            for member in members[:MAX_MEMBERS]
            if member.tenant_id.lower() == tenant
            and not member.guest
            and OBJECT_ID.match(member.aad_object_id.lower())
        }
        for object_id, member in kept.items():
            await self._upsert(tenant, object_id, member.naam, member.email, team_id)
        await self._session.execute(
            delete(Teamlid).where(
                Teamlid.tenant_id == tenant,
                Teamlid.team_id == team_id,
                Teamlid.aad_object_id.not_in(list(kept) or [""]),
            )
        )
        self._audit.record(
            "beheer.teamleden",
            "C",
            actor_tenant_id=tenant,
            details=f"opgehaald={len(kept)} genegeerd={len(members) - len(kept)}",
        )
        return len(kept)

    async def refresh(
        self, requester: Requester, address: TeamAddress, members: Sequence[TeamMember]
    ) -> int:
        """A PGA-expert's 'Teamleden ophalen': only for a team of their own tenant."""
        await self._people.authorise(requester, PeopleNeed.PROFESSIONAL_TOEVOEGEN)
        if address.tenant_id.lower() != requester.tenant_id.lower():
            raise NotFound("team")
        return await self.keep_team(requester.tenant_id, address.team_id, members)

    async def _upsert(
        self, tenant: str, object_id: str, naam: str, email: str | None, team_id: str | None
    ) -> None:
        values: dict[str, Any] = {
            "tenant_id": tenant,
            "aad_object_id": object_id,
            "naam": (naam or email or "Onbekende naam")[:150],
            "email": email.lower()[:200] if email and is_email(email) else None,
            "team_id": team_id,
            "opgehaald_at": utcnow(),
        }
        statement = dialect_insert(self._session)(Teamlid).values(**values)
        update = {key: statement.excluded[key] for key in ("naam", "email", "opgehaald_at")}
        if team_id is not None:  # a lookup never takes someone out of their team
            update["team_id"] = statement.excluded.team_id
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "aad_object_id"], set_=update
            )
        )

    async def teams(self, requester: Requester) -> list[TeamAddress]:
        """The teams of the requester's tenant the bot has been in, newest first."""
        await self._people.authorise(requester, PeopleNeed.PROFESSIONAL_TOEVOEGEN)
        rows = await self._session.scalars(
            select(ConversationRef)
            .where(
                ConversationRef.team_id.is_not(None),
                ConversationRef.tenant_id == requester.tenant_id.lower(),
            )
            .order_by(ConversationRef.updated_at.desc())
        )
        found: dict[str, TeamAddress] = {}
        for row in rows.all():
            service_url = row.reference.get("serviceUrl")
            if row.team_id and isinstance(service_url, str) and row.team_id not in found:
                found[row.team_id] = TeamAddress(row.team_id, service_url, row.tenant_id or "")
        return list(found.values())

    # --- choosing from it ---------------------------------------------------------------------

    async def candidates(
        self, requester: Requester, limit: int, search: str = ""
    ) -> tuple[list[Candidate], int]:
        """Team members of the requester's tenant who are not registered (by name), matching
        `search` in name or e-mail, and how many match in all."""
        await self._people.authorise(requester, PeopleNeed.BEHEER_BEKIJKEN)
        registered = select(Professional.id).where(
            Professional.tenant_id == Teamlid.tenant_id,
            Professional.aad_object_id == Teamlid.aad_object_id,
        )
        where: list[Any] = [Teamlid.tenant_id == requester.tenant_id.lower(), ~registered.exists()]
        if search:
            term = search.lower()
            where.append(
                func.lower(Teamlid.naam).contains(term, autoescape=True)
                | func.lower(func.coalesce(Teamlid.email, "")).contains(term, autoescape=True)
            )
        total = await self._session.scalar(select(func.count(Teamlid.id)).where(*where)) or 0
        rows = await self._session.scalars(
            select(Teamlid).where(*where).order_by(Teamlid.naam, Teamlid.id).limit(limit)
        )
        return [Candidate(row.id, row.naam, row.email) for row in rows.all()], total

    async def add_member(
        self, requester: Requester, teamlid_id: int, *, pga_gemeente_id: int | None, **fields: Any
    ) -> PersonView:
        """Register a team member: name, e-mail and object id come from Teams, not the card."""
        row = await self._session.get(Teamlid, teamlid_id)
        if row is None or row.tenant_id != requester.tenant_id.lower():
            await self._people.authorise(requester, PeopleNeed.PROFESSIONAL_TOEVOEGEN)
            raise NotFound("teamlid")
        await self._refuse_known(await self._people.by_identity(row.tenant_id, row.aad_object_id))
        return await self._people.register(
            requester,
            pga_gemeente_id=pga_gemeente_id,
            tenant_id=row.tenant_id,
            aad_object_id=row.aad_object_id,
            naam=row.naam,
            email=row.email,
            **fields,
        )

    async def add_by_email(
        self,
        requester: Requester,
        email: str,
        *,
        pga_gemeente_id: int | None,
        functie: str | None,
        organisatie_id: int | None,
    ) -> PersonView | None:
        """Register by e-mail: at once when Teams already named this person, otherwise as an
        invitation bound when they first write to the bot (None)."""
        await self._people.authorise(requester, PeopleNeed.PROFESSIONAL_TOEVOEGEN)
        if pga_gemeente_id is not None:  # only a beheerder of that gemeente (#26)
            await self._people.authorise(
                requester, PeopleNeed.PGA_EXPERT_AANWIJZEN, pga_gemeente_id
            )
        email, tenant = email.lower(), requester.tenant_id.lower()
        if not is_email(email):
            raise NotFound("email")
        await self._refuse_known(
            await self._session.scalar(
                select(Professional).where(
                    Professional.tenant_id == tenant, func.lower(Professional.email) == email
                )
            )
        )
        member = await self._session.scalar(
            select(Teamlid).where(Teamlid.tenant_id == tenant, Teamlid.email == email)
        )
        fields = {"functie": functie, "organisatie_id": organisatie_id}
        if member is not None:
            return await self.add_member(
                requester, member.id, pga_gemeente_id=pga_gemeente_id, **fields
            )
        if await self._invitation(tenant, email) is not None:
            raise Conflict("uitgenodigd")
        self._session.add(
            Uitnodiging(
                tenant_id=tenant,
                email=email,
                pga_gemeente_id=pga_gemeente_id,
                door_id=requester.professional_id,
                **fields,
            )
        )
        self._audit.record(
            str(PeopleNeed.PROFESSIONAL_TOEVOEGEN),
            "C",
            requester,
            details=f"uitnodiging rol={'pga_expert' if pga_gemeente_id else 'professional'}",
        )
        await self._session.flush()
        return None

    async def invitations(self, requester: Requester) -> list[str]:
        """E-mail addresses of professionals added but not yet seen in Teams."""
        await self._people.authorise(requester, PeopleNeed.BEHEER_BEKIJKEN)
        rows = await self._session.scalars(
            select(Uitnodiging.email)
            .where(Uitnodiging.tenant_id == requester.tenant_id.lower())
            .order_by(Uitnodiging.email)
        )
        return list(rows.all())

    async def _refuse_known(self, professional: Professional | None) -> None:
        if professional is not None:
            raise Conflict("actief" if professional.actief else "uitgeschakeld")

    async def _invitation(self, tenant: str, email: str) -> Uitnodiging | None:
        return await self._session.scalar(
            select(Uitnodiging).where(Uitnodiging.tenant_id == tenant, Uitnodiging.email == email)
        )

    # --- someone unknown writes to the bot ----------------------------------------------------

    async def wants_lookup(self, tenant_id: str, aad_object_id: str) -> bool:
        """Ask the Bot Connector who this unregistered user is? Only while someone waits to
        be bound by e-mail, and once per user (the answer, or its absence, is kept)."""
        tenant = tenant_id.lower()
        waiting = await self._session.scalar(
            select(Uitnodiging.id).where(Uitnodiging.tenant_id == tenant).limit(1)
        )
        if waiting is None:
            return False
        seen = await self._session.scalar(
            select(Teamlid.id).where(
                Teamlid.tenant_id == tenant, Teamlid.aad_object_id == aad_object_id.lower()
            )
        )
        return seen is None

    async def remember_member(
        self, tenant_id: str, aad_object_id: str, naam: str, member: TeamMember | None
    ) -> None:
        """Keep what the lookup said; without an answer (or another tenant's), keep the user
        without e-mail, so the lookup is not repeated."""
        tenant, object_id = tenant_id.lower(), aad_object_id.lower()
        trusted = (
            member is not None
            and member.tenant_id.lower() == tenant
            and member.aad_object_id.lower() == object_id
            and not member.guest
        )
        email = member.email if trusted and member is not None else None
        await self._upsert(tenant, object_id, naam, email, None)

    async def bind_invitation(self, tenant_id: str, aad_object_id: str) -> int | None:
        """Register the user an invitation waits for, when Teams gave their e-mail; their
        professional id, or None."""
        tenant, object_id = tenant_id.lower(), aad_object_id.lower()
        member = await self._session.scalar(
            select(Teamlid).where(Teamlid.tenant_id == tenant, Teamlid.aad_object_id == object_id)
        )
        if member is None or member.email is None:
            return None
        invitation = await self._invitation(tenant, member.email)
        if invitation is None or await self._people.by_identity(tenant, object_id):
            return None
        professional = await self._people.add_professional(
            tenant_id=tenant,
            aad_object_id=object_id,
            naam=member.naam,
            email=member.email,
            functie=invitation.functie,
            organisatie_id=invitation.organisatie_id,
        )
        if invitation.pga_gemeente_id is not None:
            await self._people.make_pga_expert(professional.id, invitation.pga_gemeente_id)
        await self._session.delete(invitation)
        self._audit.record(
            "beheer.uitnodiging",
            "C",
            actor_object_id=object_id,
            actor_tenant_id=tenant,
            details=f"professional={professional.id} gekoppeld op e-mail",
        )
        await self._session.flush()
        return professional.id
