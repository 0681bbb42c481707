"""Local mode only: act as another demo professional, so multi-person flows can be tried."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cards import forms
from cards.common import act_as_card, help_card
from dialogs import help
from dialogs.core import Context, Outcome, read_form
from store.reference import ROL_LABELS

LOCAL_ONLY = "Deze opdracht bestaat alleen in de lokale proefomgeving."


async def _people(context: Context) -> list[tuple[int, str, str]]:
    people = []
    for professional in await context.uow.people.active():
        organisatie = professional.organisatie_naam or ""
        role = (
            ROL_LABELS["pga_expert"]
            if professional.pga_gemeente_ids
            else (professional.functie or "Professional")
        )
        people.append((professional.id, professional.naam, f"{role}, {organisatie}".strip(", ")))
    return people


async def choose(context: Context, data: dict[str, Any]) -> Outcome:
    if not context.config.local_mode:
        return Outcome(text=LOCAL_ONLY)
    return Outcome(card=act_as_card(await _people(context), context.actor.id))


async def act_as(context: Context, data: dict[str, Any]) -> Outcome:
    if not context.config.local_mode:
        return Outcome(text=LOCAL_ONLY)
    payload = read_form(forms.DEMO_ALS, data)
    target = await context.uow.people.get(payload["professional"])
    if not target.actief:
        return Outcome(text=f"{target.naam} is uitgeschakeld. Kies een ander met 'als'.")
    incoming = context.incoming
    await context.uow.people.act_as(incoming.tenant_id, incoming.aad_object_id, target.id)
    if incoming.personal and incoming.reference is not None:
        await context.uow.conversations.remember(
            incoming.conversation_id,
            incoming.conversation_type,
            incoming.tenant_id,
            target.id,
            dict(incoming.reference),
        )
    waiting = len(await context.uow.berichten.pending(target.id))
    switched = await _switched_context(context, target.id)
    note = f"Je bent nu {target.naam}. Berichten voor jou: {waiting}"
    note += " (ze verschijnen zo hieronder)." if waiting else "."
    card = help_card(target.naam, help.commands_for(switched), note)
    return Outcome(card=card, text=note, has_messages=waiting > 0)


async def _switched_context(context: Context, professional_id: int) -> Context:
    professional = await context.uow.people.identity_by_id(professional_id)
    assert professional is not None
    actor = replace(
        context.actor,
        professional=professional,
        requester=replace(context.actor.requester, professional_id=professional_id),
    )
    return replace(context, actor=actor)
