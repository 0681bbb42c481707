"""SQLAlchemy models.

Identifying data of a resident lives only in `Persoonsgegevens`, one table the rest of the
schema points at, so that every path to it goes through the authorising repository.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Gemeente(Base):
    __tablename__ = "gemeente"
    __table_args__ = (Index("uq_gemeente_afkorting", "afkorting", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    naam: Mapped[str] = mapped_column(String(100), unique=True)
    kanaal_conversation_id: Mapped[str | None] = mapped_column(String(300))
    # The letterhead of letters to residents (beheer, or python -m store.letterhead).
    adres: Mapped[str | None] = mapped_column(String(300))
    burgemeester: Mapped[str | None] = mapped_column(String(150))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Stands between `PGA-` and the year in casus codes once the installation serves more
    # than one gemeente (`PGA-ZDS-2026-001`), so codes are unique in the installation.
    afkorting: Mapped[str | None] = mapped_column(String(8))


class Organisatie(Base):
    __tablename__ = "organisatie"

    id: Mapped[int] = mapped_column(primary_key=True)
    naam: Mapped[str] = mapped_column(String(150), unique=True)
    soort: Mapped[str] = mapped_column(String(40))


class Professional(Base):
    __tablename__ = "professional"
    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    naam: Mapped[str] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(String(200))
    functie: Mapped[str | None] = mapped_column(String(150))
    organisatie_id: Mapped[int | None] = mapped_column(ForeignKey("organisatie.id"))
    is_beheerder: Mapped[bool] = mapped_column(Boolean, default=False)
    actief: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisatie: Mapped[Organisatie | None] = relationship(lazy="joined")


class GemeenteBeheerder(Base):
    """A professional who administers one gemeente (not the installation): its PGA-experts,
    who may use the bot there, its letterhead, criteria and monitor."""

    __tablename__ = "gemeente_beheerder"

    professional_id: Mapped[int] = mapped_column(
        ForeignKey("professional.id", ondelete="CASCADE"), primary_key=True
    )
    gemeente_id: Mapped[int] = mapped_column(
        ForeignKey("gemeente.id", ondelete="CASCADE"), primary_key=True
    )


class PgaExpert(Base):
    """A professional appointed PGA-expert (procesregisseur) for a municipality."""

    __tablename__ = "pga_expert"

    professional_id: Mapped[int] = mapped_column(
        ForeignKey("professional.id", ondelete="CASCADE"), primary_key=True
    )
    gemeente_id: Mapped[int] = mapped_column(
        ForeignKey("gemeente.id", ondelete="CASCADE"), primary_key=True
    )


class CasusVolgnummer(Base):
    __tablename__ = "casus_volgnummer"

    gemeente_id: Mapped[int] = mapped_column(ForeignKey("gemeente.id"), primary_key=True)
    jaar: Mapped[int] = mapped_column(Integer, primary_key=True)
    laatste: Mapped[int] = mapped_column(Integer, default=0)


class Casus(Base):
    __tablename__ = "casus"
    __table_args__ = (
        UniqueConstraint("gemeente_id", "code"),
        # A code names one casus in the installation, whatever gemeente it is of (#26).
        Index("uq_casus_code", "code", unique=True),
        # One running casus per resident and gemeente unless the aanmelder confirmed it:
        # holds under concurrency where the SELECT of the duplicate check cannot.
        Index(
            "uq_casus_lopend",
            "gemeente_id",
            "lopend_sleutel",
            unique=True,
            sqlite_where=text("lopend_sleutel IS NOT NULL"),
            postgresql_where=text("lopend_sleutel IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("gemeente.id"))
    status: Mapped[str] = mapped_column(String(20))
    doelgroep: Mapped[str] = mapped_column(String(20))
    urgentie: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    afgesloten_at: Mapped[dt.datetime | None] = mapped_column()
    geanonimiseerd_at: Mapped[dt.datetime | None] = mapped_column()
    # The letter's own reference: the casus code would tie the letter to channel posts.
    brief_kenmerk: Mapped[str | None] = mapped_column(String(20), unique=True)
    # herkenning.running_key of the resident while the casus runs (cleared when it closes).
    lopend_sleutel: Mapped[str | None] = mapped_column(String(32))

    gemeente: Mapped[Gemeente] = relationship(lazy="joined")


class Persoonsgegevens(Base):
    """The resident's identifying data. Read only through `CasusRepository.identiteit`."""

    __tablename__ = "persoonsgegevens"

    casus_id: Mapped[int] = mapped_column(
        ForeignKey("casus.id", ondelete="CASCADE"), primary_key=True
    )
    naam: Mapped[str] = mapped_column(String(150))
    naam_sleutel: Mapped[str] = mapped_column(String(150), index=True)
    geboortedatum: Mapped[dt.date] = mapped_column(Date)
    woonplaats: Mapped[str] = mapped_column(String(100))
    # Only asked for the letter to the resident (its stated purpose).
    adres: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))


class Aanmelding(Base):
    __tablename__ = "aanmelding"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), unique=True)
    aanmelder_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    ingediend_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    criteria: Mapped[dict[str, Any]] = mapped_column()
    leefgebieden: Mapped[list[Any]] = mapped_column()
    partner_ids: Mapped[list[Any]] = mapped_column()
    reden: Mapped[str] = mapped_column(Text)
    bewoner_geinformeerd: Mapped[bool] = mapped_column(Boolean)
    reden_niet_geinformeerd: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Fewer than two criteria: sent to ask the PGA-expert's advice, marked so for triage.
    voor_advies: Mapped[bool] = mapped_column(Boolean, default=False)
    # The gemeente's own criteria that hold, as labels at the time of sending (#9); they
    # never count towards the handreiking's minimum. None for older aanmeldingen.
    eigen_criteria: Mapped[list[Any] | None] = mapped_column(JSON)


class Concept(Base):
    """A form draft, private to its author, so a reopened card keeps what was typed."""

    __tablename__ = "concept"
    __table_args__ = (UniqueConstraint("professional_id", "soort"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professional.id", ondelete="CASCADE"))
    soort: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Besluit(Base):
    __tablename__ = "besluit"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    soort: Mapped[str] = mapped_column(String(40))
    uitkomst: Mapped[str] = mapped_column(String(40))
    toelichting: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    genomen_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    genomen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A besluit of a casusoverleg: where it was taken, and the text as the channel and the
    # anonymised minutes may show it (redacted for the resident's identifiers). `toelichting`
    # keeps the full text, for the linked only.
    overleg_id: Mapped[int | None] = mapped_column(ForeignKey("overleg.id"), index=True)
    agendapunt_id: Mapped[int | None] = mapped_column(
        ForeignKey("agendapunt.id", ondelete="SET NULL"), index=True
    )
    toelichting_gedeeld: Mapped[str | None] = mapped_column(Text)


class Betrokkene(Base):
    """Links a professional to a casus with a role, a purpose and a legal basis (DESIGN §3.4).

    A link ends (`tot`) instead of disappearing; a later link is a new row."""

    __tablename__ = "betrokkene"
    __table_args__ = (
        Index(
            "uq_betrokkene_actief",
            "casus_id",
            "professional_id",
            "rol",
            unique=True,
            sqlite_where=text("tot IS NULL"),
            postgresql_where=text("tot IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professional.id"), index=True)
    rol: Mapped[str] = mapped_column(String(20))
    doel: Mapped[str] = mapped_column(String(300))
    grondslag: Mapped[str] = mapped_column(String(40))
    uitzondering: Mapped[str | None] = mapped_column(String(40))
    sinds: Mapped[dt.datetime] = mapped_column(default=utcnow)
    tot: Mapped[dt.datetime | None] = mapped_column()
    toegevoegd_door_id: Mapped[int | None] = mapped_column(ForeignKey("professional.id"))
    # The rest of the sharing checklist of the handreiking (DESIGN §3.4).
    beroepsgeheim: Mapped[str | None] = mapped_column(String(40))
    noodzaak: Mapped[str | None] = mapped_column(Text)
    bewoner_geinformeerd: Mapped[bool | None] = mapped_column(Boolean)
    reden_niet_geinformeerd: Mapped[str | None] = mapped_column(Text)
    # Why and by whom the link ended (ontkoppelen).
    tot_reden: Mapped[str | None] = mapped_column(Text)
    beeindigd_door_id: Mapped[int | None] = mapped_column(ForeignKey("professional.id"))

    professional: Mapped[Professional] = relationship(lazy="joined", foreign_keys=[professional_id])


class Startgesprek(Base):
    __tablename__ = "startgesprek"

    casus_id: Mapped[int] = mapped_column(
        ForeignKey("casus.id", ondelete="CASCADE"), primary_key=True
    )
    gepland_op: Mapped[dt.datetime | None] = mapped_column()
    locatie: Mapped[str | None] = mapped_column(String(200))
    deelnemers: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="gepland")
    visie_bewoner: Mapped[str | None] = mapped_column(Text)
    vastgelegd_door_id: Mapped[int | None] = mapped_column(ForeignKey("professional.id"))
    vastgelegd_at: Mapped[dt.datetime | None] = mapped_column()
    # Once recorded the outcome is final; a correction keeps the original here, with a reason.
    correcties: Mapped[list[Any]] = mapped_column(default=list)


class Overleg(Base):
    """A casusoverleg of a municipality (DESIGN §2.2): planned by its PGA-expert, held in the
    municipality's channel, led by a chair. States: gepland → gepubliceerd (agenda posted) →
    lopend → afgerond."""

    __tablename__ = "overleg"

    id: Mapped[int] = mapped_column(primary_key=True)
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("gemeente.id"), index=True)
    soort: Mapped[str] = mapped_column(String(20))  # structureel, incidenteel
    gepland_op: Mapped[dt.datetime] = mapped_column()  # UTC; typed and shown as Amsterdam time
    plaats: Mapped[str] = mapped_column(String(300))  # a room or a meeting link
    # The channel where it is held: the municipality's channel (`kanaal`) when it was planned.
    kanaal_conversation_id: Mapped[str] = mapped_column(String(300))
    voorzitter_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    status: Mapped[str] = mapped_column(String(20), default="gepland")
    # An incidenteel overleg may have the resident at the table (no Teams account): recorded
    # as invited and, during the overleg, present or not (None: not recorded yet).
    bewoner_uitgenodigd: Mapped[bool] = mapped_column(Boolean, default=False)
    bewoner_aanwezig: Mapped[bool | None] = mapped_column(Boolean)
    gepland_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    gepubliceerd_at: Mapped[dt.datetime | None] = mapped_column()
    # A digest of the agenda card last posted: "bijgewerkt" only when it really changed.
    agenda_inhoud: Mapped[str | None] = mapped_column(String(64))
    gestart_at: Mapped[dt.datetime | None] = mapped_column()
    afgerond_at: Mapped[dt.datetime | None] = mapped_column()


class Agendapunt(Base):
    """A casus on the agenda of an overleg, once per overleg, with why and for how long."""

    __tablename__ = "agendapunt"
    __table_args__ = (UniqueConstraint("overleg_id", "casus_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    overleg_id: Mapped[int] = mapped_column(ForeignKey("overleg.id", ondelete="CASCADE"))
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    volgorde: Mapped[int] = mapped_column(Integer)
    reden: Mapped[str] = mapped_column(String(20))  # nieuw, voortgang, knelpunt, afsluiten
    minuten: Mapped[int] = mapped_column(Integer)
    # Set when the first besluit on it is recorded: the casus was discussed.
    besproken: Mapped[bool] = mapped_column(Boolean, default=False)


class Aanwezige(Base):
    """Who is invited to an overleg and whether they were there; a listener may listen but
    not respond."""

    __tablename__ = "aanwezige"
    __table_args__ = (UniqueConstraint("overleg_id", "professional_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    overleg_id: Mapped[int] = mapped_column(ForeignKey("overleg.id", ondelete="CASCADE"))
    professional_id: Mapped[int] = mapped_column(
        ForeignKey("professional.id", ondelete="CASCADE"), index=True
    )
    aanwezig: Mapped[bool] = mapped_column(Boolean, default=False)
    luisteraar: Mapped[bool] = mapped_column(Boolean, default=False)
    # Absent with notice (for the minutes); a listener added during the overleg was not invited.
    afgemeld: Mapped[bool] = mapped_column(Boolean, default=False)
    uitgenodigd: Mapped[bool] = mapped_column(Boolean, default=True)


class Afspraak(Base):
    """An agreement made in an overleg: who does what before when (#11 tracks them as actions).

    `beschrijving` is the text as typed (it may name the resident: the linked only);
    `beschrijving_gedeeld` the redacted text for the channel and the anonymised minutes."""

    __tablename__ = "afspraak"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    agendapunt_id: Mapped[int | None] = mapped_column(
        ForeignKey("agendapunt.id", ondelete="SET NULL"), index=True
    )
    beschrijving: Mapped[str] = mapped_column(Text)
    beschrijving_gedeeld: Mapped[str] = mapped_column(Text)
    eigenaar_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    deadline: Mapped[dt.date] = mapped_column(Date)
    vastgelegd_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    vastgelegd_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- the plan van aanpak (#11) ----------------------------------------------------------------


class Leefgebied(Base):
    """A leefgebied of the plan van aanpak: the regional PGA-monitor's twelve, configurable.
    `sleutel` is the value aanmeldingen already store, so existing data keeps its meaning."""

    __tablename__ = "leefgebied"

    id: Mapped[int] = mapped_column(primary_key=True)
    sleutel: Mapped[str] = mapped_column(String(40), unique=True)
    naam: Mapped[str] = mapped_column(String(100))
    volgorde: Mapped[int] = mapped_column(Integer, default=0)
    actief: Mapped[bool] = mapped_column(Boolean, default=True)


class PlanProbleem(Base):
    """The problem of a casus on one leefgebied (may name the resident: the linked only)."""

    __tablename__ = "plan_probleem"
    __table_args__ = (UniqueConstraint("casus_id", "leefgebied_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"))
    leefgebied_id: Mapped[int] = mapped_column(ForeignKey("leefgebied.id"))
    probleem: Mapped[str | None] = mapped_column(Text)
    gewijzigd_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    gewijzigd_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PlanScore(Base):
    """A score 1 (acute problematiek) … 5 (volledig zelfredzaam) on a leefgebied, one per
    overleg, or per date when it was given outside an overleg (`moment` says which)."""

    __tablename__ = "plan_score"
    __table_args__ = (UniqueConstraint("casus_id", "leefgebied_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"))
    leefgebied_id: Mapped[int] = mapped_column(ForeignKey("leefgebied.id"))
    moment: Mapped[str] = mapped_column(String(30))  # overleg:<id> or datum:<yyyy-mm-dd>
    overleg_id: Mapped[int | None] = mapped_column(ForeignKey("overleg.id", ondelete="SET NULL"))
    datum: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    gegeven_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    gegeven_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Doel(Base):
    """A goal of the plan, with when it is good enough to close. Set by a besluit (the
    PGA-expert, or in an overleg); `versie` makes two editors see each other's change."""

    __tablename__ = "doel"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    leefgebied_id: Mapped[int | None] = mapped_column(ForeignKey("leefgebied.id"))
    omschrijving: Mapped[str] = mapped_column(Text)
    goed_genoeg_als: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, behaald, vervallen
    besluit_id: Mapped[int | None] = mapped_column(ForeignKey("besluit.id", ondelete="SET NULL"))
    versie: Mapped[int] = mapped_column(Integer, default=1)
    aangemaakt_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    aangemaakt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Actie(Base):
    """An action of the plan: owned by a linked professional, an organisation or the
    resident, with a deadline. Its reminders are `taak` rows (soort `actie.herinnering`)."""

    __tablename__ = "actie"
    __table_args__ = (Index("ix_actie_open_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    doel_id: Mapped[int | None] = mapped_column(ForeignKey("doel.id", ondelete="SET NULL"))
    beschrijving: Mapped[str] = mapped_column(Text)
    eigenaar_soort: Mapped[str] = mapped_column(String(20))  # professional, organisatie, bewoner
    eigenaar_professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professional.id"), index=True
    )
    eigenaar_organisatie_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisatie.id"), index=True
    )
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open bezig afgerond vervallen
    reden: Mapped[str | None] = mapped_column(Text)  # why it lapsed (vervallen)
    # An afspraak of an overleg it came from: once.
    afspraak_id: Mapped[int | None] = mapped_column(
        ForeignKey("afspraak.id", ondelete="SET NULL"), unique=True
    )
    uitstel_tot: Mapped[dt.date | None] = mapped_column(Date)  # asked, waiting for the regie
    uitstel_reden: Mapped[str | None] = mapped_column(Text)
    # An intervention from the catalogue (store/interventies.py), by name.
    interventie: Mapped[str | None] = mapped_column(String(150))
    versie: Mapped[int] = mapped_column(Integer, default=1)
    aangemaakt_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    aangemaakt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    afgerond_at: Mapped[dt.datetime | None] = mapped_column()


class PlanWijziging(Base):
    """History of the plan: who changed what, when (old and new value; may hold typed text,
    so it falls under retention)."""

    __tablename__ = "plan_wijziging"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    onderwerp: Mapped[str] = mapped_column(String(20))  # probleem, score, doel, actie, casus
    onderwerp_id: Mapped[int | None] = mapped_column(Integer)
    wat: Mapped[str] = mapped_column(String(40))
    oud: Mapped[str | None] = mapped_column(Text)
    nieuw: Mapped[str | None] = mapped_column(Text)
    door_id: Mapped[int | None] = mapped_column(ForeignKey("professional.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Signaal(Base):
    """A signal a professional reports about a casus between overleggen (issue #10).

    `tekst` is the text as typed (it may name the resident: the linked only); `tekst_gedeeld`
    the redacted text, the only one a shared space or a shared timeline shows, and only when
    the author chose to share (`gedeeld`)."""

    __tablename__ = "signaal"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    auteur_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    tekst: Mapped[str] = mapped_column(Text)
    tekst_gedeeld: Mapped[str | None] = mapped_column(Text)
    gedeeld: Mapped[bool] = mapped_column(Boolean, default=False)
    gemeld_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Herkenning(Base):
    """Digests of what identifies a resident (surname parts, the full name, birth date,
    address, postcode), so a channel message is checked with one indexed lookup instead of
    reading every resident (store/herkenning.py). Digests, not names: identifying data in
    clear lives only in `Persoonsgegevens`. Removed with the casus at retention."""

    __tablename__ = "herkenning"

    casus_id: Mapped[int] = mapped_column(
        ForeignKey("casus.id", ondelete="CASCADE"), primary_key=True
    )
    sleutel: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class AuditEvent(Base):
    """Append-only access log after NEN 7513. Holds no identifying data of residents."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(1))  # C R U D E (NEN 7513 action codes)
    outcome: Mapped[str] = mapped_column(String(20))
    actor_professional_id: Mapped[int | None] = mapped_column(Integer)
    actor_object_id: Mapped[str | None] = mapped_column(String(64))
    actor_tenant_id: Mapped[str | None] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    purpose: Mapped[str | None] = mapped_column(String(300))
    casus_id: Mapped[int | None] = mapped_column(Integer, index=True)
    object_ref: Mapped[str | None] = mapped_column(String(60))
    origin_conversation_id: Mapped[str | None] = mapped_column(String(300))
    origin_conversation_type: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[str | None] = mapped_column(String(500))
    # Tamper evidence: each event's hash covers its fields and the previous event's hash.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditAnker(Base):
    """Where the audit log starts after events older than its term were removed (#13): the
    hash of the newest removed event, so `verify` still proves the rest of the chain whole.
    Written only by `python -m store.audit prune` as the owner role; the bot may read it."""

    __tablename__ = "audit_anker"

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ouder_dan: Mapped[dt.datetime] = mapped_column()
    verwijderd: Mapped[int] = mapped_column(Integer)
    laatste_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class ConversationRef(Base):
    __tablename__ = "conversation_ref"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(300), unique=True)
    conversation_type: Mapped[str] = mapped_column(String(20))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professional.id", ondelete="SET NULL"), index=True
    )
    # Who opened a personal chat before being registered: matched once they are.
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reference: Mapped[dict[str, Any]] = mapped_column()
    # A team channel: the team's id, to ask the Bot Connector for the team's members.
    team_id: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Bericht(Base):
    """Outbox: a proactive message, written in the same transaction as the change it reports.

    A sender claims rows in the database, so several instances deliver each message once.
    """

    __tablename__ = "bericht"

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professional.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[str | None] = mapped_column(String(300))
    # The casus a message is about, so retention can drop undelivered messages with it.
    casus_id: Mapped[int | None] = mapped_column(
        ForeignKey("casus.id", ondelete="CASCADE"), index=True
    )
    tekst: Mapped[str | None] = mapped_column(Text)
    kaart: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    volgende_poging_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    verzonden_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # The id Teams gave the sent activity: a card with identity can be replaced (retention).
    activity_id: Mapped[str | None] = mapped_column(String(200))
    # Where it went, so the activity can be found again after the reference changes.
    sent_conversation_id: Mapped[str | None] = mapped_column(String(300))
    # A message with identity (private) or a shared post (code and redacted text only).
    soort: Mapped[str] = mapped_column(String(10), default="privé")
    # A keyed post (e.g. "agenda:12"): sent as an update of the activity sent earlier under
    # the same key in the same conversation, so a channel card changes in place.
    plek: Mapped[str | None] = mapped_column(String(100), index=True)
    # Set on a replacement: the sender updates this activity instead of posting a new one
    # (retention replaces a sent card with identity by a stub).
    vervangt_activity_id: Mapped[str | None] = mapped_column(String(200))


class SentCard(Base):
    """A message in Teams that names a casus with identity: a reply in the turn, a card an
    invoke answer replaced in place, or a private message from the outbox. Kept by activity
    id so retention replaces it with a stub (DESIGN §3.8). Ids only: what it showed is in
    Teams, never here."""

    __tablename__ = "sent_card"
    __table_args__ = (UniqueConstraint("conversation_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Where it is (the reference to call is the conversation_ref row of this id).
    conversation_id: Mapped[str] = mapped_column(String(300))
    activity_id: Mapped[str] = mapped_column(String(200))
    # The casus it shows now: a card replaced in place by another casus's names that one.
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ActAs(Base):
    """Local mode only: which demo professional a playground user is acting as."""

    __tablename__ = "act_as"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professional.id", ondelete="CASCADE"))


class DocumentGrant(Base):
    """A download of one document of a kind (the letter, the minutes) for one professional.

    The link carries a random token; the database keeps only its keyed hash, so neither the
    link nor the table tells which casus or person it is for. It works once, until it expires.
    """

    __tablename__ = "document_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    soort: Mapped[str] = mapped_column(String(20))
    # A letter or an inzage is about a casus; the minutes are a stored document of an
    # overleg; the monitor's figures are about no single casus (then both are None).
    casus_id: Mapped[int | None] = mapped_column(
        ForeignKey("casus.id", ondelete="CASCADE"), index=True
    )
    verslag_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("verslag_document.id", ondelete="CASCADE"), index=True
    )
    professional_id: Mapped[int] = mapped_column(ForeignKey("professional.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column()
    # What the document covers (e.g. the period of an inzage): dates and ids, no free text.
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)


class VerslagDocument(Base):
    """A rendered version of the minutes of an overleg (#12): `geanonimiseerd` for the
    attendees, `volledig` (identity) for the PGA-expert. A new version only when the content
    changed; `sha256` is the hash of the .docx as stored (rendering is deterministic)."""

    __tablename__ = "verslag_document"
    __table_args__ = (UniqueConstraint("overleg_id", "variant", "versie"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    overleg_id: Mapped[int] = mapped_column(
        ForeignKey("overleg.id", ondelete="CASCADE"), index=True
    )
    variant: Mapped[str] = mapped_column(String(20))  # geanonimiseerd, volledig
    versie: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    inhoud: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    gemaakt_door_id: Mapped[int | None] = mapped_column(
        ForeignKey("professional.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EenmaligeSleutel(Base):
    """Keys that work once: download links, and form instances (a double submit of the same
    referral form must not make two cases). `resultaat` is what the first use produced."""

    __tablename__ = "eenmalige_sleutel"

    sleutel: Mapped[str] = mapped_column(String(64), primary_key=True)
    resultaat: Mapped[str | None] = mapped_column(String(60))
    gebruikt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Taak(Base):
    """Scheduled work with a due time (retention now; reminders and digests next).

    Any instance may claim a due row; a claim is a lease, so work of a process that died is
    picked up again, and work is done once. A periodic job moves its own due time on.
    """

    __tablename__ = "taak"
    __table_args__ = (UniqueConstraint("soort", "sleutel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    soort: Mapped[str] = mapped_column(String(40))
    sleutel: Mapped[str] = mapped_column(String(100), default="")
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    pogingen: Mapped[int] = mapped_column(Integer, default=0)


# --- people from the Teams roster and criteria of a gemeente (#9) ----------------------------


class Teamlid(Base):
    """Someone Teams told the bot about (a member of a team the bot is in, or a user the bot
    looked up once): a candidate a PGA-expert can add by name or e-mail. Only members of the
    team's own tenant; refreshed with the team, so someone who left the team goes."""

    __tablename__ = "teamlid"
    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    naam: Mapped[str] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    # None: looked up when they first wrote to the bot (not from a team roster).
    team_id: Mapped[str | None] = mapped_column(String(300))
    opgehaald_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Uitnodiging(Base):
    """A professional added by e-mail before Teams told us who that is: bound to the Teams
    user whose e-mail matches when they first write to the bot."""

    __tablename__ = "uitnodiging"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(200))
    functie: Mapped[str | None] = mapped_column(String(150))
    organisatie_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisatie.id", ondelete="SET NULL")
    )
    pga_gemeente_id: Mapped[int | None] = mapped_column(
        ForeignKey("gemeente.id", ondelete="CASCADE")
    )
    door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GemeenteCriterium(Base):
    """A criterion a gemeente adds to the handreiking's three (configuration): shown in the
    aanmelding for that gemeente, never counted towards the handreiking's minimum."""

    __tablename__ = "gemeente_criterium"

    id: Mapped[int] = mapped_column(primary_key=True)
    gemeente_id: Mapped[int] = mapped_column(
        ForeignKey("gemeente.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(80))
    toelichting: Mapped[str | None] = mapped_column(String(300))
    actief: Mapped[bool] = mapped_column(Boolean, default=True)
    door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- afsluiting, corrections (#13) -------------------------------------------------------------


class Afsluiting(Base):
    """How a casus was closed: the reason, the warme overdracht and the eindgesprek with the
    resident. A reopened casus keeps the row (heropend_at); closing again adds a new one.

    The free text (toelichting, what was handed over, the resident's words) falls under
    retention; the codes and dates stay for the monitor."""

    __tablename__ = "afsluiting"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    reden: Mapped[str] = mapped_column(String(30))  # doelen_behaald, afschalen, opschalen, gestopt
    toelichting: Mapped[str | None] = mapped_column(Text)
    overdracht_aan: Mapped[str | None] = mapped_column(String(300))
    overdracht_wat: Mapped[str | None] = mapped_column(Text)
    overdracht_op: Mapped[dt.date | None] = mapped_column(Date)
    eindgesprek_gehouden: Mapped[bool] = mapped_column(Boolean)
    eindgesprek_op: Mapped[dt.date | None] = mapped_column(Date)
    feedback_bewoner: Mapped[str | None] = mapped_column(Text)
    goed_ging: Mapped[str | None] = mapped_column(Text)
    beter_kan: Mapped[str | None] = mapped_column(Text)
    afgesloten_door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    afgesloten_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    heropend_at: Mapped[dt.datetime | None] = mapped_column()
    heropend_door_id: Mapped[int | None] = mapped_column(ForeignKey("professional.id"))
    heropen_reden: Mapped[str | None] = mapped_column(Text)


class Correctie(Base):
    """A recorded fact the PGA-expert corrected, with the original and the reason (AVG art.
    16). Shown to the linked only; removed at retention."""

    __tablename__ = "correctie"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id", ondelete="CASCADE"), index=True)
    veld: Mapped[str] = mapped_column(String(40))
    oud: Mapped[str | None] = mapped_column(Text)
    nieuw: Mapped[str | None] = mapped_column(Text)
    reden: Mapped[str] = mapped_column(Text)
    door_id: Mapped[int] = mapped_column(ForeignKey("professional.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
