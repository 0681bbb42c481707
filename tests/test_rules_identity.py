"""Who is acting (dialogs/identity.py): tenant checks, registration, switched off, the
administrators from the configuration and (local only) acting as someone else.

Each refusal is checked with its message and its audit entry (NEN 7513: also who was
turned away), because those are the rule, not decoration.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.core import Config, Incoming
from dialogs.identity import (
    NOT_ALLOWED,
    NOT_REGISTERED,
    SWITCHED_OFF,
    Refused,
    resolve_actor,
    tenant_allowed,
)
from store.db import Database
from store.demo import DEMO_TENANT
from tests.conftest import incoming

NEW_ID = "12345678-1234-4234-8234-1234567890ab"


async def refusal(db: Database, config: Config, who: Incoming) -> tuple[str, tuple]:
    """The refusal's message and its one audit entry."""
    async with db.unit_of_work() as uow:
        with pytest.raises(Refused) as refused:
            await resolve_actor(uow, config, who)
        await uow.commit_refusals_only()
    async with db.unit_of_work() as uow:
        events = await uow.audit.events()
    assert len(events) == 1
    e = events[0]
    entry = (
        e.event,
        e.action,
        e.outcome,
        e.actor_professional_id,
        e.actor_object_id,
        e.actor_tenant_id,
        e.details,
    )
    assert refused.value.message == str(refused.value)
    return refused.value.message, entry


async def resolve(db: Database, config: Config, who: Incoming):
    async with db.unit_of_work() as uow:
        actor = await resolve_actor(uow, config, who)
        await uow.commit()
        return actor


# --- tenant --------------------------------------------------------------------------------


async def test_an_activity_without_tenant_is_refused_and_audited(demo_db, config) -> None:
    who = replace(incoming("a1"), tenant_id="")
    message, entry = await refusal(demo_db, config, who)
    assert message == NOT_ALLOWED  # since #26: no tenant is answered as another tenant
    assert entry == (
        "toegang.tenant",
        "E",
        "denied",
        None,
        who.aad_object_id,
        None,
        "tenant of gebruiker ontbreekt of klopt niet",
    )


async def test_an_activity_without_user_is_refused_and_audited(demo_db, config) -> None:
    who = replace(incoming("a1"), aad_object_id="")
    message, entry = await refusal(demo_db, config, who)
    assert message == NOT_REGISTERED
    assert entry[0] == "toegang.tenant" and entry[4:6] == (None, DEMO_TENANT)


async def test_another_tenant_is_refused_and_audited(demo_db, config) -> None:
    other = "99999999-0000-0000-0000-000000000099"
    who = replace(incoming("a1"), tenant_id=other)
    message, entry = await refusal(demo_db, config, who)
    assert message == NOT_ALLOWED
    assert entry == (
        "toegang.tenant",
        "E",
        "denied",
        None,
        who.aad_object_id,
        other,
        "tenant niet toegestaan",
    )


def test_tenant_ids_compare_without_case_and_an_empty_list_allows_all() -> None:
    allowed = Config(allowed_tenant_ids=frozenset({"abc-def"}))
    assert tenant_allowed(allowed, "ABC-DEF")
    assert not tenant_allowed(allowed, "abc-deff")
    assert tenant_allowed(Config(), "whatever")


async def test_a_registered_professional_in_an_allowed_tenant_gets_a_requester(
    demo_db, config
) -> None:
    who = incoming("a2", "channel", "19:kanaal")
    actor = await resolve(demo_db, config, who)
    assert actor.professional.naam == "Jeroen de Vries"
    requester = actor.requester
    assert (
        requester.professional_id,
        requester.tenant_id,
        requester.aad_object_id,
        requester.conversation_id,
        requester.conversation_type,
        requester.delivered_privately,
    ) == (actor.id, DEMO_TENANT, who.aad_object_id, "19:kanaal", "channel", False)


async def test_the_object_id_is_matched_without_case(demo_db, config) -> None:
    who = replace(incoming("a2"), aad_object_id=incoming("a2").aad_object_id.upper())
    actor = await resolve(demo_db, config, who)
    assert actor.professional.naam == "Jeroen de Vries"


# --- not registered, switched off ------------------------------------------------------------


async def test_an_unknown_user_is_refused_and_audited(demo_db, config) -> None:
    who = replace(incoming("a1"), aad_object_id=NEW_ID)
    message, entry = await refusal(demo_db, config, who)
    assert message == NOT_REGISTERED
    assert entry == (
        "toegang.onbekend",
        "E",
        "denied",
        None,
        NEW_ID,
        DEMO_TENANT,
        "niet geregistreerd",
    )
    async with demo_db.unit_of_work() as uow:
        assert await uow.people.identity(DEMO_TENANT, NEW_ID) is None


async def test_a_switched_off_professional_is_refused_and_audited(demo_db, config) -> None:
    async with demo_db.unit_of_work() as uow:
        linda = await uow.people.by_identity(DEMO_TENANT, incoming("a5").aad_object_id)
        assert linda is not None
        linda.actief = False
        linda_id = linda.id
        await uow.commit()
    message, entry = await refusal(demo_db, config, incoming("a5"))
    assert message == SWITCHED_OFF
    assert entry == (
        "toegang.uitgeschakeld",
        "E",
        "denied",
        None,
        incoming("a5").aad_object_id,
        DEMO_TENANT,
        f"professional={linda_id}",
    )


# --- administrators from the configuration ------------------------------------------------------


async def test_a_configured_admin_is_registered_as_beheerder_and_pga_expert(
    sqlite_db, config
) -> None:
    admin_config = replace(
        config, admin_object_ids=frozenset({NEW_ID}), default_gemeente="Noorderstad"
    )
    who = replace(incoming("a1"), aad_object_id=NEW_ID.upper(), user_name="Ada Admin")
    actor = await resolve(sqlite_db, admin_config, who)
    assert actor.professional.naam == "Ada Admin"
    assert actor.professional.is_beheerder and actor.professional.actief
    async with sqlite_db.unit_of_work() as uow:
        gemeenten = {g.id: g.naam for g in await uow.people.gemeenten()}
        events = [
            (e.event, e.action, e.outcome, e.actor_object_id, e.actor_tenant_id, e.details)
            for e in await uow.audit.events()
        ]
        assert await uow.people.count() == 1
    assert [gemeenten[g] for g in actor.pga_gemeente_ids] == ["Noorderstad"]
    assert events == [
        (
            "beheer.bootstrap",
            "C",
            "success",
            NEW_ID.upper(),
            DEMO_TENANT,
            "beheerder en PGA-expert door configuratie",
        )
    ]
    again = await resolve(sqlite_db, admin_config, who)
    assert again.id == actor.id
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.people.count() == 1


async def test_a_configured_admin_without_a_name_is_called_beheerder(sqlite_db, config) -> None:
    admin_config = replace(config, admin_object_ids=frozenset({NEW_ID}))
    actor = await resolve(
        sqlite_db, admin_config, replace(incoming("a1"), aad_object_id=NEW_ID, user_name="")
    )
    assert actor.professional.naam == "Beheerder"


async def test_an_admin_registered_earlier_as_plain_professional_becomes_beheerder(
    demo_db, config
) -> None:
    jeroen = incoming("a2")
    admin_config = replace(config, admin_object_ids=frozenset({jeroen.aad_object_id}))
    before = await resolve(demo_db, config, jeroen)
    assert not before.professional.is_beheerder and not before.pga_gemeente_ids
    after = await resolve(demo_db, admin_config, jeroen)
    assert after.id == before.id
    assert after.professional.is_beheerder and after.pga_gemeente_ids
    async with demo_db.unit_of_work() as uow:
        assert [e.event for e in await uow.audit.events()] == ["beheer.bootstrap"]


async def test_an_existing_beheerder_is_not_bootstrapped_again(demo_db, config) -> None:
    fatima = incoming("a1")
    admin_config = replace(config, admin_object_ids=frozenset({fatima.aad_object_id}))
    actor = await resolve(demo_db, admin_config, fatima)
    assert actor.professional.naam == "Fatima el Amrani"
    async with demo_db.unit_of_work() as uow:
        assert await uow.audit.events() == []


async def test_a_switched_off_admin_stays_switched_off(demo_db, config) -> None:
    """The configuration makes someone beheerder; it does not switch them back on."""
    jeroen = incoming("a2")
    async with demo_db.unit_of_work() as uow:
        found = await uow.people.by_identity(DEMO_TENANT, jeroen.aad_object_id)
        assert found is not None
        found.actief = False
        await uow.commit()
    admin_config = replace(config, admin_object_ids=frozenset({jeroen.aad_object_id}))
    async with demo_db.unit_of_work() as uow:
        with pytest.raises(Refused) as refused:
            await resolve_actor(uow, admin_config, jeroen)
    assert refused.value.message == SWITCHED_OFF


# --- local mode -------------------------------------------------------------------------------


async def test_the_first_local_user_becomes_beheerder_but_not_the_second(sqlite_db, config) -> None:
    local = replace(config, local_mode=True)
    first = await resolve(sqlite_db, local, replace(incoming("a1"), user_name="Eerste"))
    assert first.professional.is_beheerder and first.pga_gemeente_ids
    message, entry = await refusal_after(sqlite_db, local, incoming("a2"))
    assert message == NOT_REGISTERED and entry == "toegang.onbekend"


async def refusal_after(db: Database, config: Config, who: Incoming) -> tuple[str, str]:
    async with db.unit_of_work() as uow:
        with pytest.raises(Refused) as refused:
            await resolve_actor(uow, config, who)
        await uow.commit_refusals_only()
    async with db.unit_of_work() as uow:
        return refused.value.message, (await uow.audit.events())[-1].event


async def test_outside_local_mode_an_empty_database_has_no_first_user(sqlite_db, config) -> None:
    message, entry = await refusal(sqlite_db, config, incoming("a1"))
    assert message == NOT_REGISTERED and entry[0] == "toegang.onbekend"


async def test_acting_as_counts_only_in_local_mode(demo_db, config) -> None:
    linda = incoming("a5")
    async with demo_db.unit_of_work() as uow:
        fatima = await uow.people.by_identity(DEMO_TENANT, incoming("a1").aad_object_id)
        assert fatima is not None
        await uow.people.act_as(DEMO_TENANT, linda.aad_object_id.upper(), fatima.id)
        await uow.commit()
    local = await resolve(demo_db, replace(config, local_mode=True), linda)
    assert local.professional.naam == "Fatima el Amrani"
    # The requester is Fatima's, asked from Linda's chat.
    assert local.requester.professional_id == fatima.id
    assert local.requester.conversation_id == linda.conversation_id
    production = await resolve(demo_db, config, linda)
    assert production.professional.naam == "Linda Jansen"


async def test_acting_as_a_switched_off_professional_is_refused(demo_db, config) -> None:
    linda = incoming("a5")
    async with demo_db.unit_of_work() as uow:
        jeroen = await uow.people.by_identity(DEMO_TENANT, incoming("a2").aad_object_id)
        assert jeroen is not None
        jeroen.actief = False
        await uow.people.act_as(DEMO_TENANT, linda.aad_object_id, jeroen.id)
        await uow.commit()
    message, entry = await refusal(demo_db, replace(config, local_mode=True), linda)
    assert message == SWITCHED_OFF and entry[0] == "toegang.uitgeschakeld"
