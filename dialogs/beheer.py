"""Administration: organisations, professionals, and the channel that gets notices."""

from __future__ import annotations

import re
from typing import Any

from cards.beheer import BeheerView, beheer_card
from dialogs.core import Context, Outcome, check_payload, form_schema, has_control_chars
from store import reference as ref
from store.access import PersonalSpaceRequired

ONLY_ADMIN = "Alleen een PGA-expert of beheerder kan dit. Typ 'help' voor wat jij kunt."
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ORG_FIELDS = ["org_naam", "org_soort"]
PROF_FIELDS = [
    "prof_naam",
    "prof_object_id",
    "prof_tenant_id",
    "prof_functie",
    "prof_organisatie",
    "prof_rol",
    "prof_gemeente",
]
SCHEMA = form_schema(
    ORG_FIELDS + PROF_FIELDS + ["uit_professional", "aan_professional"], max_length=300
)


async def _view(context: Context) -> BeheerView:
    people = context.uow.people
    organisaties = await people.organisaties()
    soorten = dict(ref.ORGANISATIE_SOORTEN)
    professionals = []
    for professional in await people.active():
        experts = await people.pga_gemeente_ids(professional.id)
        rol = "PGA-expert" if experts else (professional.functie or "Professional")
        organisatie = professional.organisatie.naam if professional.organisatie else "–"
        professionals.append((professional.naam, f"{rol}, {organisatie}"))
    return BeheerView(
        organisaties=[(o.naam, soorten.get(o.soort, o.soort)) for o in organisaties],
        professionals=professionals,
        soorten=ref.ORGANISATIE_SOORTEN,
        organisatie_keuzes=[(str(o.id), o.naam) for o in organisaties],
        gemeenten=[(str(g.id), g.naam) for g in await people.gemeenten()],
        professional_keuzes=[(str(p.id), p.naam) for p in await people.active()],
        uitgeschakeld_keuzes=[(str(p.id), p.naam) for p in await people.switched_off()],
    )


def _require_admin_in_private(context: Context) -> Outcome | None:
    """The directory of professionals is shown only in the 1:1 chat."""
    if not context.actor.may_administer:
        return Outcome(text=ONLY_ADMIN)
    if not context.actor.requester.in_personal_space:
        raise PersonalSpaceRequired("beheer")
    return None


async def open_beheer(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := _require_admin_in_private(context):
        return refusal
    return Outcome(card=beheer_card(await _view(context), {}, {}))


async def add_organisatie(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := _require_admin_in_private(context):
        return refusal
    values = check_payload(SCHEMA, data)
    errors: dict[str, str] = {}
    naam = values.get("org_naam", "")
    if not naam or has_control_chars(naam):
        errors["org_naam"] = "Vul de naam van de organisatie in."
    elif await context.uow.people.organisatie_by_name(naam):
        errors["org_naam"] = "Deze organisatie bestaat al."
    if values.get("org_soort") not in dict(ref.ORGANISATIE_SOORTEN):
        errors["org_soort"] = "Kies de soort organisatie."
    if errors:
        return Outcome(card=beheer_card(await _view(context), values, errors))
    await context.uow.people.add_organisatie(naam, values["org_soort"])
    context.uow.audit.record("beheer.organisatie", "C", context.actor.requester, details=naam)
    notice = f"Organisatie {naam} is toegevoegd."
    return Outcome(card=beheer_card(await _view(context), {}, {}, notice))


async def add_professional(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := _require_admin_in_private(context):
        return refusal
    values = check_payload(SCHEMA, data)
    errors = await _validate_professional(context, values)
    if errors:
        return Outcome(card=beheer_card(await _view(context), values, errors))
    tenant = values.get("prof_tenant_id") or context.actor.requester.tenant_id
    professional = await context.uow.people.add_professional(
        tenant_id=tenant.lower(),
        aad_object_id=values["prof_object_id"],
        naam=values["prof_naam"],
        functie=values.get("prof_functie") or None,
        organisatie_id=int(values["prof_organisatie"]) if values.get("prof_organisatie") else None,
    )
    if values.get("prof_rol") == "pga_expert":
        await context.uow.people.make_pga_expert(professional.id, int(values["prof_gemeente"]))
    context.uow.audit.record(
        "beheer.professional",
        "C",
        context.actor.requester,
        details=f"professional={professional.id} rol={values.get('prof_rol') or 'professional'}",
    )
    notice = f"{professional.naam} is toegevoegd."
    return Outcome(card=beheer_card(await _view(context), {}, {}, notice))


async def deactivate_professional(context: Context, data: dict[str, Any]) -> Outcome:
    """Switch a professional off: resolve_actor refuses them from the next activity on."""
    if refusal := _require_admin_in_private(context):
        return refusal
    values = check_payload(SCHEMA, data)
    chosen = values.get("uit_professional") or ""
    target = await context.uow.people.get(int(chosen)) if _number(chosen) else None
    errors: dict[str, str] = {}
    if not context.actor.professional.is_beheerder:
        errors["uit_professional"] = "Alleen een beheerder kan iemand uitschakelen."
    elif target is None or not target.actief:
        errors["uit_professional"] = "Kies een professional uit de lijst."
    elif target.id == context.actor.id:
        errors["uit_professional"] = "Je kunt jezelf niet uitschakelen. Vraag een andere beheerder."
    if errors or target is None:
        return Outcome(card=beheer_card(await _view(context), values, errors))
    target.actief = False
    await context.uow.berichten.drop_unsent(target.id)
    context.uow.audit.record(
        "beheer.uitschakelen", "U", context.actor.requester, details=f"professional={target.id}"
    )
    notice = f"{target.naam} is uitgeschakeld."
    return Outcome(card=beheer_card(await _view(context), {}, {}, notice))


async def reactivate_professional(context: Context, data: dict[str, Any]) -> Outcome:
    """Undo a switch-off; earlier links to cases come back with the person."""
    if refusal := _require_admin_in_private(context):
        return refusal
    values = check_payload(SCHEMA, data)
    chosen = values.get("aan_professional") or ""
    target = await context.uow.people.get(int(chosen)) if _number(chosen) else None
    errors: dict[str, str] = {}
    if not context.actor.professional.is_beheerder:
        errors["aan_professional"] = "Alleen een beheerder kan iemand weer inschakelen."
    elif target is None or target.actief:
        errors["aan_professional"] = "Kies een uitgeschakelde professional uit de lijst."
    if errors or target is None:
        return Outcome(card=beheer_card(await _view(context), values, errors))
    target.actief = True
    context.uow.audit.record(
        "beheer.inschakelen", "U", context.actor.requester, details=f"professional={target.id}"
    )
    notice = f"{target.naam} is weer ingeschakeld."
    return Outcome(card=beheer_card(await _view(context), {}, {}, notice))


async def _validate_professional(context: Context, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    people = context.uow.people
    naam = values.get("prof_naam", "")
    if not naam or has_control_chars(naam):
        errors["prof_naam"] = "Vul de naam in."
    object_id = values.get("prof_object_id", "")
    tenant = values.get("prof_tenant_id") or context.actor.requester.tenant_id
    if not GUID.match(object_id):
        errors["prof_object_id"] = (
            "Vul het object-id in zoals 00000000-0000-0000-0000-000000000000."
        )
    elif values.get("prof_tenant_id") and not GUID.match(values["prof_tenant_id"]):
        errors["prof_tenant_id"] = "Vul een geldig tenant-id in, of laat het leeg."
    elif await people.by_identity(tenant.lower(), object_id):
        errors["prof_object_id"] = "Deze professional staat er al in."
    if values.get("prof_functie") and has_control_chars(values["prof_functie"]):
        errors["prof_functie"] = "Dit veld bevat tekens die niet zijn toegestaan. Typ het opnieuw."
    organisatie = values.get("prof_organisatie")
    if organisatie and not (_number(organisatie) and await people.organisatie(int(organisatie))):
        errors["prof_organisatie"] = "Kies een organisatie uit de lijst."
    rol = values.get("prof_rol") or "professional"
    if rol not in ("professional", "pga_expert"):
        errors["prof_rol"] = "Kies een rol."
    elif rol == "pga_expert":
        gemeente = values.get("prof_gemeente") or ""
        if not context.actor.professional.is_beheerder:
            errors["prof_rol"] = "Alleen een beheerder kan een PGA-expert aanwijzen."
        elif not (_number(gemeente) and await people.gemeente(int(gemeente))):
            errors["prof_gemeente"] = "Kies de gemeente van deze PGA-expert."
    return errors


def _number(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,9}", value))


async def koppel_kanaal(context: Context, data: dict[str, Any]) -> Outcome:
    """`kanaal` in a channel: this channel gets the pseudonymous notices of new referrals."""
    if not context.actor.is_pga_expert:
        return Outcome(text="Alleen een PGA-expert kan een kanaal koppelen.")
    if context.incoming.conversation_type != "channel":
        return Outcome(text="Typ 'kanaal' in het Teams-kanaal dat meldingen moet krijgen.")
    gemeente_id = min(context.actor.pga_gemeente_ids)
    gemeente = await context.uow.people.gemeente(gemeente_id)
    assert gemeente is not None
    gemeente.kanaal_conversation_id = context.incoming.conversation_id
    context.uow.audit.record(
        "beheer.kanaal", "U", context.actor.requester, details=f"gemeente={gemeente_id}"
    )
    return Outcome(
        text=f"Dit kanaal krijgt nu meldingen van nieuwe aanmeldingen voor {gemeente.naam}. "
        "Alleen met de casuscode, nooit met namen."
    )
