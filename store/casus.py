"""The casus aggregate: the resident's data, the referral, links, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.access import AccessDenied, Conflict, NotFound, PersonalSpaceRequired, Requester
from store.audit import AuditLog
from store.models import (
    Aanmelding,
    Bericht,
    Besluit,
    Betrokkene,
    Casus,
    CasusVolgnummer,
    EenmaligeSleutel,
    Persoonsgegevens,
    PgaExpert,
    Startgesprek,
    utcnow,
)
from store.privacy import name_key, redact
from store.reference import ROLLEN_MET_IDENTITEIT
from store.sql import dialect_insert

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CLOSED_STATUSES = ("afgewezen", "doorverwezen", "al_besproken", "afgesloten")


class CasusRepository:
    def __init__(self, session: AsyncSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    # --- non-identifying -------------------------------------------------------------

    async def get(self, casus_id: int) -> Casus:
        casus = await self._session.get(Casus, casus_id)
        if casus is None:
            raise NotFound("casus")
        return casus

    async def by_code(self, code: str) -> Sequence[Casus]:
        return (await self._session.scalars(select(Casus).where(Casus.code == code.upper()))).all()

    async def open_aanmeldingen(self, gemeente_ids: set[int]) -> Sequence[tuple[Casus, Aanmelding]]:
        rows = await self._session.execute(
            select(Casus, Aanmelding)
            .join(Aanmelding, Aanmelding.casus_id == Casus.id)
            .where(Casus.status == "aangemeld", Casus.gemeente_id.in_(gemeente_ids))
            .order_by(Aanmelding.ingediend_at)
        )
        return [(casus, aanmelding) for casus, aanmelding in rows.all()]

    async def criteria_summary(self, casus_id: int) -> tuple[int, int]:
        """(criteria met, leefgebieden count): safe to show without a link."""
        return summary_of(await self._aanmelding_row(casus_id))

    async def roles_of(self, casus_id: int, professional_id: int) -> set[str]:
        rows = await self._session.scalars(
            select(Betrokkene.rol).where(
                Betrokkene.casus_id == casus_id,
                Betrokkene.professional_id == professional_id,
                Betrokkene.tot.is_(None),
            )
        )
        return set(rows.all())

    async def is_pga_expert_for(self, casus: Casus, professional_id: int) -> bool:
        return bool(
            await self._session.scalar(
                select(
                    exists().where(
                        PgaExpert.professional_id == professional_id,
                        PgaExpert.gemeente_id == casus.gemeente_id,
                    )
                )
            )
        )

    async def betrokkenen(self, casus_id: int) -> Sequence[Betrokkene]:
        return (
            await self._session.scalars(
                select(Betrokkene)
                .where(Betrokkene.casus_id == casus_id, Betrokkene.tot.is_(None))
                .order_by(Betrokkene.id)
            )
        ).all()

    async def besluiten(self, casus_id: int) -> Sequence[Besluit]:
        return (
            await self._session.scalars(
                select(Besluit).where(Besluit.casus_id == casus_id).order_by(Besluit.id)
            )
        ).all()

    async def startgesprek(self, casus_id: int) -> Startgesprek | None:
        return await self._session.get(Startgesprek, casus_id)

    # --- authorisation ---------------------------------------------------------------

    async def require_link(
        self,
        casus: Casus,
        requester: Requester,
        event: str,
        roles: Sequence[str] = ROLLEN_MET_IDENTITEIT,
    ) -> set[str]:
        held = await self.roles_of(casus.id, requester.professional_id)
        if not held & set(roles):
            self._audit.record(
                event, "R", requester, outcome="denied", casus=casus, details="geen koppeling"
            )
            raise AccessDenied(event)
        return held

    async def require_pga_expert(self, casus: Casus, requester: Requester, event: str) -> None:
        if not await self.is_pga_expert_for(casus, requester.professional_id):
            self._audit.record(
                event, "E", requester, outcome="denied", casus=casus, details="geen PGA-expert"
            )
            raise AccessDenied(event)

    def require_personal_space(self, casus: Casus, requester: Requester, event: str) -> None:
        if not requester.in_personal_space:
            self._audit.record(
                event, "R", requester, outcome="denied", casus=casus, details="geen privéruimte"
            )
            raise PersonalSpaceRequired(event)

    async def identiteit(
        self, casus: Casus, requester: Requester, purpose: str
    ) -> Persoonsgegevens:
        """The resident's identifying data, for a linked professional in a personal space."""
        self.require_personal_space(casus, requester, "identiteit.bekijken")
        roles = await self.require_link(casus, requester, "identiteit.bekijken")
        persoon = await self._session.get(Persoonsgegevens, casus.id)
        if persoon is None:
            raise NotFound("persoonsgegevens")
        self._audit.record(
            "identiteit.bekijken",
            "R",
            requester,
            casus=casus,
            role=_main_role(roles),
            purpose=purpose,
        )
        return persoon

    async def aanmelding(self, casus: Casus, requester: Requester) -> Aanmelding:
        """The referral including its free text, which may name the resident."""
        self.require_personal_space(casus, requester, "aanmelding.bekijken")
        await self.require_link(casus, requester, "aanmelding.bekijken")
        return await self._aanmelding_row(casus.id)

    async def redactor(self, casus: Casus) -> Callable[[str], str]:
        """A function that removes this resident's identifiers from free text (DESIGN §3.3)."""
        persoon = await self._session.get(Persoonsgegevens, casus.id)
        identifiers = _identifiers(persoon) if persoon else []
        return lambda text: redact(text, identifiers)

    # --- changes ---------------------------------------------------------------------

    async def next_code(self, gemeente_id: int, year: int) -> str:
        await self._session.execute(
            self._insert(CasusVolgnummer)
            .values(gemeente_id=gemeente_id, jaar=year, laatste=0)
            .on_conflict_do_nothing(
                index_elements=[CasusVolgnummer.gemeente_id, CasusVolgnummer.jaar]
            )
        )
        number = await self._session.scalar(
            update(CasusVolgnummer)
            .where(CasusVolgnummer.gemeente_id == gemeente_id, CasusVolgnummer.jaar == year)
            .values(laatste=CasusVolgnummer.laatste + 1)
            .returning(CasusVolgnummer.laatste)
        )
        return f"PGA-{year}-{number:03d}"

    async def create(
        self,
        *,
        gemeente_id: int,
        doelgroep: str,
        urgentie: str,
        persoon: dict[str, Any],
        aanmelding: dict[str, Any],
        aanmelder: Requester,
        link: dict[str, str | None],
    ) -> Casus:
        now = utcnow()
        casus = Casus(
            # The year as the Dutch count it: a referral at 00:30 on 1 January is the new year.
            code=await self.next_code(gemeente_id, now.astimezone(AMSTERDAM).year),
            gemeente_id=gemeente_id,
            status="aangemeld",
            doelgroep=doelgroep,
            urgentie=urgentie,
            created_at=now,
        )
        self._session.add(casus)
        await self._session.flush()
        self._session.add(
            Persoonsgegevens(
                casus_id=casus.id,
                naam=persoon["naam"],
                naam_sleutel=name_key(persoon["naam"]),
                geboortedatum=persoon["geboortedatum"],
                woonplaats=persoon["woonplaats"],
            )
        )
        self._session.add(
            Aanmelding(casus_id=casus.id, aanmelder_id=aanmelder.professional_id, **aanmelding)
        )
        await self.link(
            casus,
            aanmelder.professional_id,
            "betrokken",
            doel=str(link["doel"]),
            grondslag=str(link["grondslag"]),
            uitzondering=link.get("uitzondering"),
            by=aanmelder,
        )
        self._audit.record("aanmelding.indienen", "C", aanmelder, casus=casus, role="betrokken")
        await self._session.refresh(casus)
        return casus

    async def link(
        self,
        casus: Casus,
        professional_id: int,
        rol: str,
        *,
        doel: str,
        grondslag: str,
        uitzondering: str | None,
        by: Requester,
    ) -> Betrokkene:
        """Link a professional, recording purpose and legal basis (DESIGN §3.4)."""
        existing = await self._session.scalar(
            select(Betrokkene).where(
                Betrokkene.casus_id == casus.id,
                Betrokkene.professional_id == professional_id,
                Betrokkene.rol == rol,
                Betrokkene.tot.is_(None),
            )
        )
        if existing:
            return existing
        betrokkene = Betrokkene(
            casus_id=casus.id,
            professional_id=professional_id,
            rol=rol,
            doel=doel,
            grondslag=grondslag,
            uitzondering=uitzondering,
            toegevoegd_door_id=by.professional_id,
        )
        self._session.add(betrokkene)
        await self._session.flush()
        self._audit.record(
            "betrokkene.koppelen",
            "C",
            by,
            casus=casus,
            # A code, not the typed purpose: free text may name the resident, and the
            # audit log can never be cleaned.
            purpose=f"koppeling {rol}",
            details=f"professional={professional_id} rol={rol} grondslag={grondslag}",
        )
        return betrokkene

    async def record_besluit(
        self,
        casus: Casus,
        requester: Requester,
        *,
        soort: str,
        uitkomst: str,
        toelichting: str | None,
        details: dict[str, Any] | None = None,
    ) -> Besluit:
        besluit = Besluit(
            casus_id=casus.id,
            soort=soort,
            uitkomst=uitkomst,
            toelichting=toelichting,
            details=details or {},
            genomen_door_id=requester.professional_id,
        )
        self._session.add(besluit)
        await self._session.flush()
        self._audit.record(f"{soort}.besluit", "U", requester, casus=casus, details=uitkomst)
        return besluit

    async def set_status(self, casus: Casus, status: str, *, expected: str) -> None:
        """Move to `status` only from `expected`; a concurrent change raises Conflict."""
        result = await self._session.execute(
            update(Casus)
            .where(Casus.id == casus.id, Casus.status == expected)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(casus.code)
        casus.status = status
        if status in CLOSED_STATUSES:
            casus.afgesloten_at = utcnow()
        if expected == "aangemeld":  # triage decided: the referral itself is dealt with
            await self._session.execute(
                update(Aanmelding)
                .where(Aanmelding.casus_id == casus.id)
                .values(status="afgehandeld")
            )
        await self._session.flush()

    async def update_adres(
        self, casus: Casus, requester: Requester, *, adres: str, postcode: str, woonplaats: str
    ) -> None:
        persoon = await self.identiteit(casus, requester, "brief aan bewoner")
        persoon.adres, persoon.postcode, persoon.woonplaats = adres, postcode, woonplaats
        self._audit.record("identiteit.adres", "U", requester, casus=casus, purpose="brief")
        await self._session.flush()

    async def save_startgesprek(self, casus: Casus, **values: Any) -> Startgesprek:
        gesprek = await self._session.get(Startgesprek, casus.id)
        if gesprek is None:
            gesprek = Startgesprek(casus_id=casus.id)
            self._session.add(gesprek)
        for key, value in values.items():
            setattr(gesprek, key, value)
        await self._session.flush()
        return gesprek

    async def possible_duplicates(
        self, casus: Casus, requester: Requester, recent_days: int = 365
    ) -> list[tuple[str | None, str]]:
        """Other active or recent cases in the region with the same name and birth date.

        Returns (code, status) per match; the code is None where the requester has no link,
        so nobody learns which other casus it is without being part of it.
        """
        persoon = await self._session.get(Persoonsgegevens, casus.id)
        if persoon is None:
            return []
        since = utcnow() - dt.timedelta(days=recent_days)
        rows = await self._session.execute(
            select(Casus)
            .join(Persoonsgegevens, Persoonsgegevens.casus_id == Casus.id)
            .where(
                Casus.id != casus.id,
                Casus.gemeente_id == casus.gemeente_id,
                Persoonsgegevens.naam_sleutel == persoon.naam_sleutel,
                Persoonsgegevens.geboortedatum == persoon.geboortedatum,
                or_(Casus.afgesloten_at.is_(None), Casus.afgesloten_at >= since),
            )
        )
        matches: list[tuple[str | None, str]] = []
        for (other,) in rows.all():
            linked = bool(await self.roles_of(other.id, requester.professional_id))
            matches.append((other.code if linked else None, other.status))
        return matches

    async def anonymise_closed(self, closed_before: dt.datetime) -> int:
        """Retention (DESIGN §3.8): strip identifying data of cases closed before a date."""
        cases = (
            await self._session.scalars(
                select(Casus).where(
                    Casus.afgesloten_at.is_not(None),
                    Casus.afgesloten_at < closed_before,
                    Casus.geanonimiseerd_at.is_(None),
                )
            )
        ).all()
        anonymised = 0
        for casus in cases:
            claimed = await self._session.execute(
                update(Casus)
                .where(Casus.id == casus.id, Casus.geanonimiseerd_at.is_(None))
                .values(geanonimiseerd_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                continue  # another worker did this one
            anonymised += 1
            await self._session.execute(
                update(Betrokkene)
                .where(Betrokkene.casus_id == casus.id)
                .values(doel="(verwijderd na bewaartermijn)")
            )
            await self._session.execute(
                delete(Bericht).where(Bericht.casus_id == casus.id, Bericht.verzonden_at.is_(None))
            )
            await self._session.execute(
                delete(Persoonsgegevens).where(Persoonsgegevens.casus_id == casus.id)
            )
            await self._session.execute(
                update(Aanmelding)
                .where(Aanmelding.casus_id == casus.id)
                .values(reden="", reden_niet_geinformeerd=None, criteria={})
            )
            await self._session.execute(
                update(Besluit)
                .where(Besluit.casus_id == casus.id)
                .values(toelichting=None, details={})
            )
            await self._session.execute(
                update(Startgesprek)
                .where(Startgesprek.casus_id == casus.id)
                .values(visie_bewoner=None, locatie=None, deelnemers=None)
            )
            self._audit.record("retentie.anonimiseren", "D", casus=casus, details="bewaartermijn")
        await self._session.flush()
        return anonymised

    async def use_once(self, key: str, result: str | None = None) -> bool:
        """Record a single-use key; False when it was used before (also concurrently)."""
        statement = (
            self._insert(EenmaligeSleutel)
            .values(sleutel=key, resultaat=result, gebruikt_at=utcnow())
            .on_conflict_do_nothing(index_elements=[EenmaligeSleutel.sleutel])
        )
        outcome = await self._session.execute(statement)
        return bool(outcome.rowcount)  # type: ignore[attr-defined]

    async def was_used(self, key: str) -> bool:
        return bool(
            await self._session.scalar(select(exists().where(EenmaligeSleutel.sleutel == key)))
        )

    async def result_of(self, key: str) -> str | None:
        return await self._session.scalar(
            select(EenmaligeSleutel.resultaat).where(EenmaligeSleutel.sleutel == key)
        )

    def _insert(self, model: Any) -> Any:
        return dialect_insert(self._session)(model)

    async def _aanmelding_row(self, casus_id: int) -> Aanmelding:
        aanmelding = await self._session.scalar(
            select(Aanmelding).where(Aanmelding.casus_id == casus_id)
        )
        if aanmelding is None:
            raise NotFound("aanmelding")
        return aanmelding


def summary_of(aanmelding: Aanmelding) -> tuple[int, int]:
    met = sum(1 for value in aanmelding.criteria.values() if value.get("voldaan"))
    return met, len(aanmelding.leefgebieden)


def _main_role(roles: set[str]) -> str | None:
    for role in ROLLEN_MET_IDENTITEIT:
        if role in roles:
            return role
    return None


def _identifiers(persoon: Persoonsgegevens) -> list[str]:
    born = persoon.geboortedatum
    months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ]
    dates = [
        born.isoformat(),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d/%m/%Y"),
        f"{born.day}-{born.month}-{born.year}",
        f"{born.day} {months[born.month - 1]} {born.year}",
    ]
    return [persoon.naam, *(v for v in (persoon.adres, persoon.postcode) if v), *dates]
