"""Who is acting: tenant check, registration, bootstrapping and (local only) acting as."""

from __future__ import annotations

from dialogs.core import Actor, Config, Incoming
from store.db import UnitOfWork
from store.people import ProfessionalInfo

NOT_ALLOWED = (
    "Deze bot is niet beschikbaar voor jouw organisatie. "
    "Neem contact op met de beheerder van Casusoverleg in je gemeente."
)
NOT_REGISTERED = (
    "Je staat nog niet in Casusoverleg. Vraag de PGA-expert van je gemeente om je toe te "
    "voegen. Geef daarbij je naam en organisatie door."
)


SWITCHED_OFF = (
    "Je hebt geen toegang meer tot Casusoverleg. Klopt dat niet? Vraag de beheerder van "
    "Casusoverleg in je gemeente om je weer in te schakelen."
)


class Refused(Exception):
    def __init__(self, message: str, *, unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unknown = unknown  # not registered (not: switched off, or another tenant)


def tenant_allowed(config: Config, tenant_id: str) -> bool:
    return not config.allowed_tenant_ids or tenant_id.lower() in config.allowed_tenant_ids


def _refuse(uow: UnitOfWork, incoming: Incoming, event: str, details: str, message: str) -> Refused:
    """Audit the refusal (NEN 7513: also who was turned away) and build the Dutch answer."""
    uow.audit.record(
        event,
        "E",
        outcome="denied",
        actor_object_id=incoming.aad_object_id or None,
        actor_tenant_id=incoming.tenant_id or None,
        details=details,
    )
    return Refused(message)


async def resolve_actor(uow: UnitOfWork, config: Config, incoming: Incoming) -> Actor:
    if not incoming.tenant_id or not incoming.aad_object_id:
        # A tenant that is missing or that the activity's fields contradict (bot/translate.py
        # gives '') is no tenant we serve: the same answer as another tenant's, never an
        # invitation to register (#26).
        raise _refuse(
            uow,
            incoming,
            "toegang.tenant",
            "tenant of gebruiker ontbreekt of klopt niet",
            NOT_REGISTERED if incoming.tenant_id else NOT_ALLOWED,
        )
    if not tenant_allowed(config, incoming.tenant_id):
        raise _refuse(uow, incoming, "toegang.tenant", "tenant niet toegestaan", NOT_ALLOWED)
    professional = await _find_or_bootstrap(uow, config, incoming)
    if professional is None:
        professional = await _bind_invitation(uow, incoming)
    if professional is None:
        refusal = _refuse(uow, incoming, "toegang.onbekend", "niet geregistreerd", NOT_REGISTERED)
        refusal.unknown = True
        raise refusal
    if not professional.actief:
        raise _refuse(
            uow,
            incoming,
            "toegang.uitgeschakeld",
            f"professional={professional.id}",
            SWITCHED_OFF,
        )
    return Actor(
        professional=professional,
        requester=uow.people.requester(
            professional.id,
            incoming.tenant_id,
            incoming.aad_object_id,
            incoming.conversation_id,
            incoming.conversation_type,
        ),
    )


async def _find_or_bootstrap(
    uow: UnitOfWork, config: Config, incoming: Incoming
) -> ProfessionalInfo | None:
    if config.local_mode:
        acting_as = await uow.people.acting_as(incoming.tenant_id, incoming.aad_object_id)
        if acting_as is not None:
            return await uow.people.identity_by_id(acting_as)
    found = await uow.people.identity(incoming.tenant_id, incoming.aad_object_id)
    is_admin = incoming.aad_object_id.lower() in config.admin_object_ids
    if found is not None and is_admin and not found.is_beheerder:
        # Registered earlier as a plain professional: the configuration still makes them
        # beheerder, so nobody can block an administrator by registering them first.
        return await _make_admin(uow, config, incoming, found.id)
    if found is not None:
        return found
    first_local_user = config.local_mode and await uow.people.count() == 0
    if not (is_admin or first_local_user):
        return None
    professional = await uow.people.add_professional(
        tenant_id=incoming.tenant_id,
        aad_object_id=incoming.aad_object_id,
        naam=incoming.user_name or "Beheerder",
    )
    return await _make_admin(uow, config, incoming, professional.id)


async def _bind_invitation(uow: UnitOfWork, incoming: Incoming) -> ProfessionalInfo | None:
    """Someone added by e-mail writes for the first time: once Teams has given their e-mail
    (router.learn_member), they are registered as the invitation says."""
    bound = await uow.roster.bind_invitation(incoming.tenant_id, incoming.aad_object_id)
    return await uow.people.identity_by_id(bound) if bound is not None else None


async def _make_admin(
    uow: UnitOfWork, config: Config, incoming: Incoming, professional_id: int
) -> ProfessionalInfo | None:
    """The configuration (ADMIN_OBJECT_IDS) makes this professional beheerder and PGA-expert."""
    await uow.people.bootstrap_admin(professional_id, config.default_gemeente)
    uow.audit.record(
        "beheer.bootstrap",
        "C",
        actor_object_id=incoming.aad_object_id,
        actor_tenant_id=incoming.tenant_id,
        details="beheerder en PGA-expert door configuratie",
    )
    return await uow.people.identity_by_id(professional_id)
