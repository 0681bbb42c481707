"""The access gate (DESIGN §3.6): every rule of the needs table, with a persona that holds
exactly one role and personas that hold another or none. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from store.access import (
    ADVISEREND,
    BEHEERDER,
    BETROKKEN,
    CASUSREGISSEUR,
    GEMEENTE_BEHEERDER,
    GEMEENTE_EXPERT,
    NEEDS,
    PEOPLE_NEEDS,
    PGA_EXPERT,
    AccessDenied,
    Need,
    PeopleNeed,
    PersonalSpaceRequired,
    Requester,
    issue,
)
from store.db import Database
from store.demo import DEMO_TENANT
from store.models import (
    AuditEvent,
    Betrokkene,
    Gemeente,
    GemeenteBeheerder,
    PgaExpert,
    Professional,
)
from store.views import Checklist

LINK_ROLES = (PGA_EXPERT, CASUSREGISSEUR, BETROKKEN, ADVISEREND)
ALL_ROLES = (*LINK_ROLES, GEMEENTE_EXPERT, None)


def as_requester(professional_id: int, conversation_type: str = "personal") -> Requester:
    return issue(professional_id, DEMO_TENANT, f"obj-{professional_id}", "conv", conversation_type)


async def persona(db: Database, role: str | None, casus_id: int, gemeente_id: int) -> int:
    """A fresh professional holding exactly `role` on the casus (None: no role at all)."""
    async with db.unit_of_work() as uow:
        professional = await uow.people.add_professional(
            tenant_id=DEMO_TENANT, aad_object_id=f"p-{role}-{casus_id}", naam=f"Persona {role}"
        )
        if role == GEMEENTE_EXPERT:
            await uow.people.make_pga_expert(professional.id, gemeente_id)
        elif role is not None:
            uow.session.add(
                Betrokkene(
                    casus_id=casus_id,
                    professional_id=professional.id,
                    rol=role,
                    doel="test",
                    grondslag="art6_1e",
                )
            )
        await uow.commit()
        return professional.id


async def new_casus(db: Database) -> tuple[int, int]:
    async with db.unit_of_work() as uow:
        gemeente = Gemeente(naam="Teststad")
        uow.session.add(gemeente)
        await uow.session.flush()
        aanmelder = await uow.people.add_professional(
            tenant_id=DEMO_TENANT, aad_object_id="aanmelder", naam="Aanmelder"
        )
        casus = await uow.casussen.create(
            gemeente_id=gemeente.id,
            doelgroep="volwassene",
            urgentie="normaal",
            persoon={"naam": "Kim Test", "geboortedatum": dt.date(1990, 1, 2), "woonplaats": "T"},
            aanmelding={
                "criteria": {},
                "leefgebieden": [],
                "partner_ids": [],
                "reden": "r",
                "bewoner_geinformeerd": True,
                "reden_niet_geinformeerd": None,
            },
            aanmelder=as_requester(aanmelder.id),
            link=Checklist("d", "art6_1e"),
        )
        await uow.commit()
        return casus.id, gemeente.id


@pytest.mark.parametrize("need", list(Need))
async def test_each_need_is_granted_to_exactly_its_roles(db: Database, need: Need) -> None:
    casus_id, gemeente_id = await new_casus(db)
    rule = NEEDS[need]
    for role in ALL_ROLES:
        professional = await persona(db, role, casus_id, gemeente_id)
        async with db.unit_of_work() as uow:
            if role in rule.roles:
                opened = await uow.casussen.open(casus_id, as_requester(professional), need)
                assert opened.roles == {role}
            else:
                with pytest.raises(AccessDenied):
                    await uow.casussen.open(casus_id, as_requester(professional), need)
                await uow.commit_refusals_only()
        if role in rule.roles:
            await assert_personal_space_rule(db, casus_id, professional, need)


async def assert_personal_space_rule(
    db: Database, casus_id: int, professional: int, need: Need
) -> None:
    async with db.unit_of_work() as uow:
        channel = as_requester(professional, "channel")
        if NEEDS[need].personal:
            with pytest.raises(PersonalSpaceRequired):
                await uow.casussen.open(casus_id, channel, need)
            await uow.casussen.open(casus_id, channel.privately(), need)
        else:
            await uow.casussen.open(casus_id, channel, need)


async def test_refusals_are_audited_and_unknown_casus_looks_the_same(db: Database) -> None:
    casus_id, gemeente_id = await new_casus(db)
    outsider = await persona(db, None, casus_id, gemeente_id)
    async with db.unit_of_work() as uow:
        with pytest.raises(AccessDenied):
            await uow.casussen.open(casus_id, as_requester(outsider), Need.OVERZICHT)
        with pytest.raises(AccessDenied):
            await uow.casussen.open(999_999, as_requester(outsider), Need.OVERZICHT)
        with pytest.raises(AccessDenied):
            await uow.casussen.open("PGA-1999-999", as_requester(outsider), Need.OVERZICHT)
        await uow.commit_refusals_only()
    async with db.unit_of_work() as uow:
        refusals = (
            await uow.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.actor_professional_id == outsider, AuditEvent.outcome == "denied"
                )
            )
        ).all()
    assert len(refusals) == 3
    assert {e.casus_id for e in refusals} == {casus_id, None}


async def test_a_switched_off_professional_holds_no_role(db: Database) -> None:
    casus_id, gemeente_id = await new_casus(db)
    betrokken = await persona(db, BETROKKEN, casus_id, gemeente_id)
    async with db.unit_of_work() as uow:
        professional = await uow.session.get(Professional, betrokken)
        assert professional is not None
        professional.actief = False
        await uow.commit()
    async with db.unit_of_work() as uow:
        with pytest.raises(AccessDenied):
            await uow.casussen.open(casus_id, as_requester(betrokken), Need.OVERZICHT)


async def test_an_ended_link_grants_nothing(db: Database) -> None:
    casus_id, gemeente_id = await new_casus(db)
    betrokken = await persona(db, BETROKKEN, casus_id, gemeente_id)
    async with db.unit_of_work() as uow:
        link = await uow.session.scalar(
            select(Betrokkene).where(Betrokkene.professional_id == betrokken)
        )
        assert link is not None
        link.tot = dt.datetime.now(dt.UTC)
        await uow.commit()
    async with db.unit_of_work() as uow:
        with pytest.raises(AccessDenied):
            await uow.casussen.open(casus_id, as_requester(betrokken), Need.OVERZICHT)


def test_a_requester_cannot_be_made_outside_the_store() -> None:
    with pytest.raises(TypeError):
        Requester(1, DEMO_TENANT, "x", "c", "personal")


PEOPLE_ROLES = (BEHEERDER, GEMEENTE_BEHEERDER, "pga_expert", None)


@pytest.mark.parametrize("need", list(PeopleNeed))
async def test_each_directory_rule_is_granted_to_exactly_its_roles(
    db: Database, need: PeopleNeed
) -> None:
    rule = PEOPLE_NEEDS[need]
    for role in PEOPLE_ROLES:
        async with db.unit_of_work() as uow:
            gemeente = await uow.people.ensure_gemeente("Teststad")
            person = await uow.people.add_professional(
                tenant_id=DEMO_TENANT,
                aad_object_id=f"dir-{role}-{need}",
                naam="Persona",
                is_beheerder=role == BEHEERDER,
            )
            if role == "pga_expert":
                uow.session.add(PgaExpert(professional_id=person.id, gemeente_id=gemeente.id))
            if role == GEMEENTE_BEHEERDER:
                uow.session.add(
                    GemeenteBeheerder(professional_id=person.id, gemeente_id=gemeente.id)
                )
            await uow.commit()
        async with db.unit_of_work() as uow:
            requester = as_requester(person.id)
            if role in rule.roles:
                assert role in await uow.people.authorise(requester, need)
                if rule.personal:
                    with pytest.raises(PersonalSpaceRequired):
                        await uow.people.authorise(as_requester(person.id, "channel"), need)
            else:
                with pytest.raises(AccessDenied):
                    await uow.people.authorise(requester, need)


async def test_only_a_beheerder_switches_off_or_appoints_a_pga_expert(db: Database) -> None:
    async with db.unit_of_work() as uow:
        gemeente = await uow.people.ensure_gemeente("Teststad")
        expert = await uow.people.add_professional(
            tenant_id=DEMO_TENANT, aad_object_id="expert", naam="Expert"
        )
        await uow.people.make_pga_expert(expert.id, gemeente.id)
        target = await uow.people.add_professional(
            tenant_id=DEMO_TENANT, aad_object_id="target", naam="Target"
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        with pytest.raises(AccessDenied):
            await uow.people.switch(as_requester(expert.id), target.id, on=False)
        with pytest.raises(AccessDenied):
            await uow.people.register(
                as_requester(expert.id),
                pga_gemeente_id=gemeente.id,
                tenant_id=DEMO_TENANT,
                aad_object_id="new",
                naam="Nieuw",
            )
