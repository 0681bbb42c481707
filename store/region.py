"""One installation for a region (#26, DESIGN §1 "A region"): which gemeenten a professional
works in, which a requester administers, and a gemeente's short code for casus codes.

The directory of professionals and organisations is shared in the region (a wijkagent or a
GGZ professional works for several gemeenten and is one professional); what a gemeente
beheerder may *change* about a person is limited to people who work only in the gemeenten
they administer. Those rules are applied in store/people.py (`PEOPLE_NEEDS`).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from sqlalchemy import func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import (
    ANY_PGA_EXPERT,
    GEMEENTE_BEHEERDER,
    PEOPLE_NEEDS,
    Conflict,
    NotFound,
    PeopleNeed,
    Requester,
)
from store.models import (
    Aanmelding,
    Betrokkene,
    Casus,
    ConversationRef,
    Gemeente,
    GemeenteBeheerder,
    PgaExpert,
    Professional,
)

SHORT_CODE = re.compile(r"^[A-Z]{2,5}$")


def short_code_from(naam: str, taken: set[str]) -> str:
    """Three letters of the name, upper case; a digit where another gemeente has them."""
    letters = re.sub(r"[^A-Z]", "", naam.upper()) or "GEM"
    base, candidate, number = letters[:3], letters[:3], 1
    while candidate in taken:
        number += 1
        candidate = f"{base[:2]}{number}"
    return candidate


async def taken_short_codes(session: AsyncSession) -> set[str]:
    rows = await session.scalars(select(Gemeente.afkorting).where(Gemeente.afkorting.is_not(None)))
    return {code for code in rows.all() if code}


async def code_prefix(session: AsyncSession, gemeente_id: int) -> str:
    """`PGA-` alone in an installation of one gemeente (its codes stay as they were), else
    `PGA-<short code>-`: a code then says whose casus it is and never repeats."""
    gemeenten = await session.scalar(select(func.count(Gemeente.id))) or 0
    if gemeenten <= 1:
        return "PGA-"
    gemeente = await session.get(Gemeente, gemeente_id)
    assert gemeente is not None
    if not gemeente.afkorting:
        gemeente.afkorting = short_code_from(gemeente.naam, await taken_short_codes(session))
        await session.flush()
    return f"PGA-{gemeente.afkorting}-"


async def beheerder_gemeenten(session: AsyncSession, professional_id: int) -> set[int]:
    rows = await session.scalars(
        select(GemeenteBeheerder.gemeente_id).where(
            GemeenteBeheerder.professional_id == professional_id
        )
    )
    return set(rows.all())


async def all_gemeenten(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Gemeente.id))).all())


async def werkgebied(session: AsyncSession, professional_ids: list[int]) -> dict[int, set[int]]:
    """Per professional, the gemeenten they work in: PGA-expert or beheerder of, linked to a
    casus of (a link not ended), or aanmelder of a casus of. Whoever works nowhere yet has an
    empty set."""
    if not professional_ids:
        return {}
    rows = await session.execute(
        union(
            select(PgaExpert.professional_id, PgaExpert.gemeente_id).where(
                PgaExpert.professional_id.in_(professional_ids)
            ),
            select(GemeenteBeheerder.professional_id, GemeenteBeheerder.gemeente_id).where(
                GemeenteBeheerder.professional_id.in_(professional_ids)
            ),
            select(Betrokkene.professional_id, Casus.gemeente_id)
            .join(Casus, Casus.id == Betrokkene.casus_id)
            .where(Betrokkene.professional_id.in_(professional_ids), Betrokkene.tot.is_(None)),
            select(Aanmelding.aanmelder_id, Casus.gemeente_id)
            .join(Casus, Casus.id == Aanmelding.casus_id)
            .where(Aanmelding.aanmelder_id.in_(professional_ids)),
        )
    )
    found: dict[int, set[int]] = {pid: set() for pid in professional_ids}
    for professional_id, gemeente_id in rows.all():
        found[professional_id].add(gemeente_id)
    return found


class _Audit(Protocol):
    """What this mixin uses of store.audit.AuditLog (named here, so store/region.py stays
    out of the import graph around the audit log)."""

    def record(
        self,
        event: str,
        action: str,
        requester: Requester | None = ...,
        *,
        outcome: str = ...,
        details: str | None = ...,
    ) -> Any: ...


class RegionAdministration:
    """The gemeente-scoped part of the directory gate; mixed into `PeopleRepository`."""

    _session: AsyncSession
    _audit: _Audit

    async def authorise(
        self, requester: Requester, need: PeopleNeed, gemeente_id: int | None = None
    ) -> frozenset[str]:
        raise NotImplementedError

    async def pga_gemeente_ids(self, professional_id: int) -> set[int]:
        raise NotImplementedError

    async def is_installation_beheerder(self, requester: Requester) -> bool:
        return bool(
            await self._session.scalar(
                select(Professional.is_beheerder).where(
                    Professional.id == requester.professional_id, Professional.actief
                )
            )
        )

    async def gemeenten_for(self, requester: Requester, need: PeopleNeed) -> set[int]:
        """The gemeenten where the requester's roles allow `need`: every one for the
        installation beheerder, else those they are gemeente beheerder (or, where the need
        allows it, PGA-expert) of."""
        if await self.is_installation_beheerder(requester):
            return await all_gemeenten(self._session)
        rule = PEOPLE_NEEDS[need]
        found: set[int] = set()
        if GEMEENTE_BEHEERDER in rule.roles:
            found |= await beheerder_gemeenten(self._session, requester.professional_id)
        if ANY_PGA_EXPERT in rule.roles:
            found |= await self.pga_gemeente_ids(requester.professional_id)
        return found

    async def switchable_ids(
        self, requester: Requester, need: PeopleNeed, professional_ids: list[int]
    ) -> set[int]:
        """Whom the requester may switch off or on: the installation beheerder anyone; a
        gemeente beheerder only who works in none but their gemeenten (switching someone off
        ends their access in every gemeente), never an installation beheerder."""
        if await self.is_installation_beheerder(requester):
            return set(professional_ids)
        mine = await self.gemeenten_for(requester, need)
        if not mine:
            return set()
        admins = set(
            (
                await self._session.scalars(
                    select(Professional.id).where(
                        Professional.id.in_(professional_ids), Professional.is_beheerder
                    )
                )
            ).all()
        )
        areas = await werkgebied(self._session, professional_ids)
        return {pid for pid, area in areas.items() if area <= mine and pid not in admins}

    async def add_gemeente(self, requester: Requester, naam: str, afkorting: str) -> Gemeente:
        """A new gemeente in the installation, with the short code its casus codes carry."""
        await self.authorise(requester, PeopleNeed.GEMEENTE_TOEVOEGEN)
        taken_names = {
            n.lower() for n in (await self._session.scalars(select(Gemeente.naam))).all()
        }
        if naam.lower() in taken_names:
            raise Conflict("naam")
        if not SHORT_CODE.match(afkorting) or afkorting in await taken_short_codes(self._session):
            raise Conflict("afkorting")
        await self._give_every_gemeente_a_short_code()
        gemeente = Gemeente(naam=naam, afkorting=afkorting)
        self._session.add(gemeente)
        await self._session.flush()
        self._audit.record(
            str(PeopleNeed.GEMEENTE_TOEVOEGEN), "C", requester, details=f"gemeente={gemeente.id}"
        )
        return gemeente

    async def _give_every_gemeente_a_short_code(self) -> None:
        taken = await taken_short_codes(self._session)
        for gemeente in (
            await self._session.scalars(select(Gemeente).where(Gemeente.afkorting.is_(None)))
        ).all():
            gemeente.afkorting = short_code_from(gemeente.naam, taken)
            taken.add(gemeente.afkorting)

    async def appoint_beheerder(
        self, requester: Requester, professional_id: int, gemeente_id: int
    ) -> None:
        """The installation beheerder makes someone beheerder of one gemeente."""
        await self.authorise(requester, PeopleNeed.BEHEERDER_AANWIJZEN)
        await self._require_active(professional_id, gemeente_id)
        if gemeente_id in await beheerder_gemeenten(self._session, professional_id):
            raise Conflict("al")
        self._session.add(
            GemeenteBeheerder(professional_id=professional_id, gemeente_id=gemeente_id)
        )
        self._audit.record(
            str(PeopleNeed.BEHEERDER_AANWIJZEN),
            "C",
            requester,
            details=f"professional={professional_id} gemeente={gemeente_id}",
        )
        await self._session.flush()

    async def appoint_pga_expert(
        self, requester: Requester, professional_id: int, gemeente_id: int
    ) -> None:
        """A registered professional becomes PGA-expert of (another) gemeente: by its
        beheerder or the installation beheerder."""
        await self.authorise(requester, PeopleNeed.PGA_EXPERT_AANWIJZEN, gemeente_id)
        await self._require_active(professional_id, gemeente_id)
        if gemeente_id in await self.pga_gemeente_ids(professional_id):
            raise Conflict("al")
        self._session.add(PgaExpert(professional_id=professional_id, gemeente_id=gemeente_id))
        self._audit.record(
            str(PeopleNeed.PGA_EXPERT_AANWIJZEN),
            "C",
            requester,
            details=f"professional={professional_id} gemeente={gemeente_id}",
        )
        await self._session.flush()

    async def _require_active(self, professional_id: int, gemeente_id: int) -> None:
        professional = await self._session.get(Professional, professional_id)
        if professional is None or not professional.actief:
            raise NotFound("professional")
        if await self._session.get(Gemeente, gemeente_id) is None:
            raise NotFound("gemeente")

    async def beheerders(self) -> dict[int, list[str]]:
        """Per gemeente, the names of its beheerders (for the installation beheerder)."""
        rows = await self._session.execute(
            select(GemeenteBeheerder.gemeente_id, Professional.naam)
            .join(Professional, Professional.id == GemeenteBeheerder.professional_id)
            .order_by(Professional.naam)
        )
        found: dict[int, list[str]] = {}
        for gemeente_id, naam in rows.all():
            found.setdefault(gemeente_id, []).append(naam)
        return found

    async def gemeente_labels(self, casus_ids: list[int]) -> dict[int, str]:
        """Per casus the name of its gemeente, only where they are of more than one gemeente
        (a list then says whose each code is); empty otherwise. Codes, never identity."""
        rows = await self._session.execute(
            select(Casus.id, Gemeente.naam)
            .join(Gemeente, Gemeente.id == Casus.gemeente_id)
            .where(Casus.id.in_(casus_ids))
        )
        names = dict(rows.all())
        return names if len(set(names.values())) > 1 else {}

    async def team_gemeenten(self, conversation_id: str) -> set[int]:
        """The gemeenten whose channel is this channel or another channel of its Teams team:
        whose team it is."""
        return await team_gemeenten(self._session, conversation_id)

    async def kanaal_keuzes(self, requester: Requester) -> list[tuple[int, str, bool]]:
        """(id, name, has a channel already) of the gemeenten the requester may link this
        channel for: PGA-expert of, and not the team of another gemeente."""
        own = await self.pga_gemeente_ids(requester.professional_id)
        team = await self.team_gemeenten(requester.conversation_id)
        allowed = own & team if team else own
        rows = await self._session.execute(
            select(Gemeente.id, Gemeente.naam, Gemeente.kanaal_conversation_id)
            .where(Gemeente.id.in_(allowed))
            .order_by(Gemeente.naam)
        )
        return [
            (gid, naam, bool(kanaal) and kanaal != requester.conversation_id)
            for gid, naam, kanaal in rows.all()
        ]


async def team_gemeenten(session: AsyncSession, conversation_id: str) -> set[int]:
    team = (
        select(ConversationRef.team_id)
        .where(ConversationRef.conversation_id == conversation_id)
        .scalar_subquery()
    )
    channels = select(ConversationRef.conversation_id).where(
        ConversationRef.team_id.is_not(None), ConversationRef.team_id == team
    )
    rows = await session.scalars(
        select(Gemeente.id).where(
            or_(
                Gemeente.kanaal_conversation_id == conversation_id,
                Gemeente.kanaal_conversation_id.in_(channels),
            )
        )
    )
    return set(rows.all())
