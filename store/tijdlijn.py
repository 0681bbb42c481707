"""The timeline of one casus: everything that happened to it, oldest first (issue #10).

Two forms, chosen by the gate (`CasusAccess.tijdlijn`): in full, with typed text as typed and
the professionals' names, for those who may see the dossier; or shared-safe, for anyone with a
role and for a channel: kinds, dates and codes, and only text that was already meant for a
shared space (a besluit's or afspraak's redacted text, a signal its author shared), redacted
again for the identifiers known now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.models import (
    Aanmelding,
    Afspraak,
    Agendapunt,
    Besluit,
    Betrokkene,
    Organisatie,
    Overleg,
    Professional,
    Signaal,
    Startgesprek,
)
from store.views import Gebeurtenis

Redact = Callable[[str], str]


async def gebeurtenissen(
    session: AsyncSession, casus_id: int, *, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    parts = (
        _aanmelding,
        _besluiten,
        _startgesprek,
        _koppelingen,
        _overleggen,
        _afspraken,
        _signalen,
    )
    found: list[Gebeurtenis] = []
    for part in parts:
        found += await part(session, casus_id, volledig, redact)
    return sorted(found, key=lambda g: _utc(g.at))


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _who(naam: str, organisatie: str | None) -> str:
    return f"{naam} ({organisatie})" if organisatie else naam


def _shared_text(text: str | None, redact: Redact) -> str | None:
    return redact(text) if text else None


_PERSON = (
    select(Professional.id, Professional.naam, Organisatie.naam.label("organisatie"))
    .outerjoin(Organisatie, Organisatie.id == Professional.organisatie_id)
    .subquery()
)


async def _aanmelding(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    rows = await session.execute(
        select(
            Aanmelding.ingediend_at, Aanmelding.voor_advies, _PERSON.c.naam, _PERSON.c.organisatie
        )
        .join(_PERSON, _PERSON.c.id == Aanmelding.aanmelder_id)
        .where(Aanmelding.casus_id == casus_id)
    )
    return [
        Gebeurtenis(
            at,
            "aanmelding",
            "voor_advies" if advies else "aanmelding",
            wie=_who(naam, org) if volledig else None,
        )
        for at, advies, naam, org in rows.all()
    ]


async def _besluiten(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    rows = await session.execute(
        select(
            Besluit.genomen_at,
            Besluit.soort,
            Besluit.uitkomst,
            Besluit.toelichting,
            Besluit.toelichting_gedeeld,
            _PERSON.c.naam,
            _PERSON.c.organisatie,
        )
        .join(_PERSON, _PERSON.c.id == Besluit.genomen_door_id)
        .where(Besluit.casus_id == casus_id)
    )
    return [
        Gebeurtenis(
            at,
            "besluit",
            f"{soort}:{uitkomst}",
            # Triage and startgesprek texts were never meant for a shared space.
            tekst=volledig_text if volledig else _shared_text(gedeeld, redact),
            wie=_who(naam, org) if volledig else None,
        )
        for at, soort, uitkomst, volledig_text, gedeeld, naam, org in rows.all()
    ]


async def _startgesprek(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    """A planned startgesprek; a held one is a besluit of its own."""
    gesprek = await session.get(Startgesprek, casus_id)
    if gesprek is None or gesprek.vastgelegd_at is not None or gesprek.gepland_op is None:
        return []
    return [Gebeurtenis(gesprek.gepland_op, "startgesprek", "gepland")]


async def _koppelingen(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    rows = await session.execute(
        select(
            Betrokkene.sinds,
            Betrokkene.tot,
            Betrokkene.rol,
            Betrokkene.tot_reden,
            _PERSON.c.naam,
            _PERSON.c.organisatie,
        )
        .join(_PERSON, _PERSON.c.id == Betrokkene.professional_id)
        .where(Betrokkene.casus_id == casus_id)
    )
    found = []
    for sinds, tot, rol, reden, naam, org in rows.all():
        wie = _who(naam, org) if volledig else None
        found.append(Gebeurtenis(sinds, "koppeling", rol, wie=wie))
        if tot is not None:
            found.append(
                Gebeurtenis(tot, "ontkoppeling", rol, tekst=reden if volledig else None, wie=wie)
            )
    return found


async def _overleggen(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    rows = await session.execute(
        select(Overleg.gepland_op, Overleg.soort, Agendapunt.reden)
        .join(Agendapunt, Agendapunt.overleg_id == Overleg.id)
        .where(Agendapunt.casus_id == casus_id, Overleg.gepubliceerd_at.is_not(None))
    )
    return [Gebeurtenis(at, "overleg", f"{soort}:{reden}") for at, soort, reden in rows.all()]


async def _afspraken(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    eigenaar = aliased(_PERSON)
    rows = await session.execute(
        select(
            Afspraak.vastgelegd_at,
            Afspraak.deadline,
            Afspraak.beschrijving,
            Afspraak.beschrijving_gedeeld,
            eigenaar.c.naam,
            eigenaar.c.organisatie,
        )
        .join(eigenaar, eigenaar.c.id == Afspraak.eigenaar_id)
        .where(Afspraak.casus_id == casus_id)
    )
    return [
        Gebeurtenis(
            at,
            "afspraak",
            deadline.isoformat(),
            tekst=tekst if volledig else _shared_text(gedeeld, redact),
            wie=_who(naam, org) if volledig else None,
        )
        for at, deadline, tekst, gedeeld, naam, org in rows.all()
    ]


async def _signalen(
    session: AsyncSession, casus_id: int, volledig: bool, redact: Redact
) -> list[Gebeurtenis]:
    rows = await session.execute(
        select(
            Signaal.gemeld_at,
            Signaal.gedeeld,
            Signaal.tekst,
            Signaal.tekst_gedeeld,
            _PERSON.c.naam,
            _PERSON.c.organisatie,
        )
        .join(_PERSON, _PERSON.c.id == Signaal.auteur_id)
        .where(Signaal.casus_id == casus_id)
    )
    return [
        Gebeurtenis(
            at,
            "signaal",
            "gedeeld" if gedeeld else "niet_gedeeld",
            # A signal its author did not share stays out of every shared view.
            tekst=tekst if volledig else (_shared_text(gedeeld_text, redact) if gedeeld else None),
            wie=_who(naam, org) if volledig else None,
        )
        for at, gedeeld, tekst, gedeeld_text, naam, org in rows.all()
    ]
