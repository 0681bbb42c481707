"""Beheer: organisations, professionals (by name when they opened the bot in Teams), access,
the letterhead, and the channel that gets notices. Short cards per task; switching someone
off is apart from adding.
"""

from __future__ import annotations

import re
from typing import Any

from cards import forms
from cards.beheer import (
    BeheerView,
    beheer_card,
    briefhoofd_card,
    criteria_card,
    organisaties_card,
    professional_card,
    toegang_card,
)
from dialogs.core import Context, Outcome, control_char_errors, has_control_chars, read_form
from store import reference as ref
from store.access import AccessDenied, Conflict, NotFound, PeopleNeed
from store.roster import TeamAddress, TeamMember, is_email
from store.views import PersonView

ONLY_ADMIN = "Alleen een PGA-expert of beheerder kan dit. Typ 'help' voor wat jij kunt."
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
GONE = "Deze aanvraag staat er niet meer. Open 'beheer' opnieuw."


async def _view(context: Context, zoek: str = "") -> BeheerView:
    people = context.uow.people
    requester = context.actor.requester
    teamleden, totaal = await context.uow.roster.candidates(requester, MAX_SHOWN, zoek)
    organisaties = await people.organisaties()
    soorten = dict(ref.ORGANISATIE_SOORTEN)
    professionals = []
    for professional in await people.active():
        experts = professional.pga_gemeente_ids
        rol = "PGA-expert" if experts else (professional.functie or "Professional")
        organisatie = professional.organisatie_naam or "–"
        professionals.append((professional.naam, f"{rol}, {organisatie}"))
    appoints = await people.gemeenten_for(requester, PeopleNeed.PGA_EXPERT_AANWIJZEN)
    return BeheerView(
        organisaties=[(o.naam, soorten.get(o.soort, o.soort)) for o in organisaties],
        professionals=professionals,
        soorten=ref.ORGANISATIE_SOORTEN,
        organisatie_keuzes=[(str(o.id), o.naam) for o in organisaties],
        gemeenten=[(str(g.id), g.naam) for g in await people.gemeenten() if g.id in appoints],
        professional_keuzes=await _switchable(context, on=False),
        uitgeschakeld_keuzes=await _switchable(context, on=True),
        wachtend=await people.waiting(requester),
        teamleden=[(str(c.id), f"{c.naam} — {c.email or 'geen e-mail'}") for c in teamleden],
        teamleden_totaal=totaal,
        uitnodigingen=await context.uow.roster.invitations(requester),
        installatie_beheerder=await people.is_installation_beheerder(requester),
        wijst_experts_aan=bool(appoints),
    )


async def _switchable(context: Context, *, on: bool) -> list[tuple[str, str]]:
    """Only whom this beheerder may switch: a gemeente beheerder, who works in theirs only."""
    people = context.uow.people
    need = PeopleNeed.INSCHAKELEN if on else PeopleNeed.UITSCHAKELEN
    candidates = await (people.switched_off() if on else people.active())
    allowed = await people.switchable_ids(context.actor.requester, need, [p.id for p in candidates])
    return [(str(p.id), p.naam) for p in candidates if p.id in allowed]


async def _require_admin_in_private(context: Context) -> Outcome | None:
    """The directory of professionals is shown only in the 1:1 chat (the store's rule)."""
    try:
        await context.uow.people.authorise(context.actor.requester, PeopleNeed.BEHEER_BEKIJKEN)
    except AccessDenied:
        return Outcome(text=ONLY_ADMIN)
    return None


async def open_beheer(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    return Outcome.private(beheer_card(await _view(context)))


async def open_organisaties(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    return Outcome.private(organisaties_card(await _view(context), {}, {}, None))


async def open_professional(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    return Outcome.private(professional_card(await _view(context), {}, {}))


async def open_toegang(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    return Outcome.private(toegang_card(await _view(context), {}, {}, None))


async def add_organisatie(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    values = read_form(forms.BEHEER_ORGANISATIE, data)
    errors: dict[str, str] = {}
    naam = values.get("org_naam", "")
    if not naam or has_control_chars(naam):
        errors["org_naam"] = "Vul de naam van de organisatie in."
    elif await context.uow.people.organisatie_by_name(naam):
        # Pressed again (or added before): the result, not a form error.
        notice = f"Organisatie {naam} bestaat al. Er is niets veranderd."
        return Outcome.private(organisaties_card(await _view(context), {}, {}, notice))
    if values.get("org_soort") not in dict(ref.ORGANISATIE_SOORTEN):
        errors["org_soort"] = "Kies de soort organisatie."
    if errors:
        return Outcome.private(organisaties_card(await _view(context), values, errors, None))
    await context.uow.people.register_organisatie(
        context.actor.requester, naam, values["org_soort"]
    )
    notice = f"Organisatie {naam} is toegevoegd."
    return Outcome.private(organisaties_card(await _view(context), {}, {}, notice))


async def add_professional(context: Context, data: dict[str, Any]) -> Outcome:
    """Add someone: a team member by name, by e-mail, or by object id (in that order)."""
    if refusal := await _require_admin_in_private(context):
        return refusal
    values = read_form(forms.BEHEER_PROFESSIONAL, data)
    if values.get("prof_teamlid") or values.get("prof_email"):
        return await _add_from_roster(context, values)
    errors = await _validate_professional(context, values)
    if errors:
        return Outcome.private(professional_card(await _view(context), values, errors))
    tenant = values.get("prof_tenant_id") or context.actor.requester.tenant_id
    professional = await context.uow.people.register(
        context.actor.requester,
        tenant_id=tenant.lower(),
        aad_object_id=values["prof_object_id"],
        naam=values["prof_naam"],
        **_role_and_organisation(values),
    )
    notice = f"{professional.naam} is toegevoegd."
    return Outcome.private(beheer_card(await _view(context), notice))


MAX_SHOWN = 30
ROSTER_REFUSALS = {
    "actief": "{wie} staat er al in. Er is niets veranderd.",
    "uitgeschakeld": (
        "{wie} is uitgeschakeld. Een beheerder kan die persoon weer inschakelen onder "
        "'Toegang intrekken'. Er is niets veranderd."
    ),
    "uitgenodigd": "Voor {wie} staat al een uitnodiging klaar. Er is niets veranderd.",
}

ALREADY_THERE = ("actief", "uitgenodigd")


async def _add_from_roster(context: Context, values: dict[str, Any]) -> Outcome:
    errors = await _validate_professional(context, values, waiting=True)
    teamlid, email = values.get("prof_teamlid") or "", (values.get("prof_email") or "").lower()
    field = "prof_teamlid" if teamlid else "prof_email"
    if teamlid and email:
        errors["prof_email"] = "Kies een teamlid óf vul een e-mailadres in, niet allebei."
    elif teamlid and not _number(teamlid):
        errors["prof_teamlid"] = "Kies een teamlid uit de lijst."
    elif email and not is_email(email):
        errors["prof_email"] = "Vul een geldig e-mailadres in, zoals naam@organisatie.nl."
    if errors:
        return Outcome.private(professional_card(await _view(context), values, errors))
    roster, requester = context.uow.roster, context.actor.requester
    added: PersonView | None = None
    try:
        if teamlid:
            added = await roster.add_member(
                requester, int(teamlid), **_role_and_organisation(values)
            )
        else:
            added = await roster.add_by_email(requester, email, **_role_and_organisation(values))
    except NotFound:
        errors[field] = "Kies een teamlid uit de lijst."
    except Conflict as known:
        wie = email or _chosen_name(await _view(context), teamlid)
        reason = str(known.args[0])
        if reason in ALREADY_THERE:  # a second press of Toevoegen: the result, not an error
            await context.uow.commit_refusals_only()
            notice = ROSTER_REFUSALS[reason].format(wie=wie)
            return Outcome.private(professional_card(await _view(context), {}, {}, notice))
        errors[field] = ROSTER_REFUSALS[reason].format(wie=wie)
    if errors:
        await context.uow.commit_refusals_only()
        return Outcome.private(professional_card(await _view(context), values, errors))
    if added is None:
        notice = (
            f"{email} is uitgenodigd. Zodra die persoon Casusoverleg in Teams opent, is de "
            "toegang klaar."
        )
    else:
        notice = f"{added.naam} is toegevoegd en kan Casusoverleg nu gebruiken."
    return Outcome.private(beheer_card(await _view(context), notice))


def _chosen_name(view: BeheerView, teamlid: str) -> str:
    label = dict(view.teamleden).get(teamlid, "Deze persoon")
    return label.split(" — ")[0]


async def search_roster(context: Context, data: dict[str, Any]) -> Outcome:
    """Filter the team members shown (the list is capped) by name or e-mail."""
    if refusal := await _require_admin_in_private(context):
        return refusal
    values = read_form(forms.BEHEER_ZOEKEN, data)
    errors = control_char_errors({"prof_zoek": values.get("prof_zoek", "")})
    zoek = "" if errors else values.get("prof_zoek", "")
    values.pop("prof_teamlid", None)
    return Outcome.private(professional_card(await _view(context, zoek), values, errors))


async def fetch_roster(context: Context, data: dict[str, Any]) -> Outcome:
    """'Teamleden ophalen': the platform layer asks Teams for the members of the teams the
    bot is in (only it talks to the Bot Connector), then `roster_fetched` shows them."""
    if refusal := await _require_admin_in_private(context):
        return refusal
    teams = await context.uow.roster.teams(context.actor.requester)
    if not teams:
        errors = {
            "_form": "Ik ken nog geen Teams-team. Voeg Casusoverleg toe aan het team van de PGA "
            "en typ '@Casusoverleg kanaal' in een kanaal daarvan. Of voeg iemand toe met e-mail."
        }
        return Outcome.private(professional_card(await _view(context), {}, errors))
    card = professional_card(await _view(context), {}, {}, "Teamleden worden opgehaald…")
    outcome = Outcome.private(card)
    outcome.roster_teams, outcome.show_roster = tuple(teams), True
    return outcome


async def roster_fetched(
    context: Context,
    results: list[tuple[TeamAddress, list[TeamMember] | None]],
    show: bool,
) -> Outcome:
    """Keep what Teams gave (`None`: the team could not be asked), and show the result."""
    kept, failed = 0, 0
    for address, members in results:
        if members is None:
            failed += 1
            continue
        try:
            kept += await context.uow.roster.refresh(context.actor.requester, address, members)
        except NotFound:
            failed += 1
    if not show:
        return Outcome()
    if failed and not kept:
        notice = None
        errors = {
            "_form": "Teams gaf de teamleden nu niet. Probeer het later opnieuw, of voeg iemand "
            "toe met e-mail."
        }
    else:
        notice, errors = f"{kept} teamleden opgehaald.", {}
    return Outcome.private(professional_card(await _view(context), {}, errors, notice))


def _role_and_organisation(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "pga_gemeente_id": (
            int(values["prof_gemeente"]) if values.get("prof_rol") == "pga_expert" else None
        ),
        "functie": values.get("prof_functie") or None,
        "organisatie_id": (
            int(values["prof_organisatie"]) if values.get("prof_organisatie") else None
        ),
    }


async def open_aanvraag(context: Context, data: dict[str, Any]) -> Outcome:
    """Someone waiting for access, known by the name Teams gave: pick organisation and role."""
    if refusal := await _require_admin_in_private(context):
        return refusal
    values = read_form(forms.BEHEER_AANVRAAG_OPEN, data)
    view = await _view(context)
    waiting = dict(view.wachtend).get(values["aanvraag"])
    if waiting is None:
        return Outcome(text=GONE)
    card = professional_card(view, {}, {}, wachtend=(values["aanvraag"], waiting))
    return Outcome.private(card)


async def add_aanvraag(context: Context, data: dict[str, Any]) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    values = read_form(forms.BEHEER_AANVRAAG, data)
    waiting_id = values.pop("aanvraag")
    view = await _view(context)
    naam = dict(view.wachtend).get(waiting_id)
    if naam is None:
        return Outcome(text=GONE)
    errors = await _validate_professional(context, values, waiting=True)
    if errors:
        card = professional_card(view, values, errors, wachtend=(waiting_id, naam))
        return Outcome.private(card)
    professional = await context.uow.people.register_waiting(
        context.actor.requester, waiting_id, **_role_and_organisation(values)
    )
    notice = f"{professional.naam} is toegevoegd en kan Casusoverleg nu gebruiken."
    return Outcome.private(beheer_card(await _view(context), notice))


async def open_briefhoofd(context: Context, data: dict[str, Any]) -> Outcome:
    try:
        gemeenten = await context.uow.people.letterheads(context.actor.requester)
    except AccessDenied:
        return Outcome(text=ONLY_ADMIN)
    values: dict[str, Any] = {}
    if gemeenten:
        gemeente_id, _, adres, burgemeester = gemeenten[0]
        values = {
            "gem_gemeente": str(gemeente_id),
            "gem_adres": adres,
            "gem_burgemeester": burgemeester,
        }
    choices = [(str(g[0]), g[1]) for g in gemeenten]
    return Outcome.private(briefhoofd_card(choices, values, {}))


async def save_briefhoofd(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BEHEER_BRIEFHOOFD, data)
    try:
        gemeenten = await context.uow.people.letterheads(context.actor.requester)
    except AccessDenied:
        return Outcome(text=ONLY_ADMIN)
    choices = [(str(g[0]), g[1]) for g in gemeenten]
    errors = control_char_errors({k: v for k, v in values.items() if k != "gem_adres"})
    if values.get("gem_gemeente") not in dict(choices):
        errors["gem_gemeente"] = "Kies een gemeente uit de lijst."
    if errors:
        return Outcome.private(briefhoofd_card(choices, values, errors))
    await context.uow.people.set_letterhead(
        context.actor.requester,
        int(values["gem_gemeente"]),
        adres=values.get("gem_adres", ""),
        burgemeester=values.get("gem_burgemeester", ""),
    )
    notice = "Het briefhoofd is bewaard. Nieuwe brieven gebruiken het meteen."
    return Outcome.private(briefhoofd_card(choices, values, {}, notice))


async def deactivate_professional(context: Context, data: dict[str, Any]) -> Outcome:
    """Switch a professional off: resolve_actor refuses them from the next activity on."""
    return await _switch(context, data, on=False)


async def reactivate_professional(context: Context, data: dict[str, Any]) -> Outcome:
    """Undo a switch-off; earlier links to cases come back with the person."""
    return await _switch(context, data, on=True)


SWITCH_TEXTS = {
    False: (
        "uit_professional",
        "Alleen een beheerder kan iemand uitschakelen: van elke gemeente waar die persoon "
        "werkt, of van de installatie. Vraag het aan hen.",
        "Kies een professional uit de lijst.",
        "{naam} is uitgeschakeld.",
    ),
    True: (
        "aan_professional",
        "Alleen een beheerder kan iemand weer inschakelen: van elke gemeente waar die persoon "
        "werkt, of van de installatie. Vraag het aan hen.",
        "Kies een uitgeschakelde professional uit de lijst.",
        "{naam} is weer ingeschakeld.",
    ),
}


async def _switch(context: Context, data: dict[str, Any], *, on: bool) -> Outcome:
    if refusal := await _require_admin_in_private(context):
        return refusal
    values = read_form(forms.BEHEER_UITSCHAKELEN, data)
    field, not_allowed, pick, done = SWITCH_TEXTS[on]
    chosen = values.get(field) or ""
    error = None
    try:
        if not _number(chosen):
            raise NotFound(field)
        target = await context.uow.people.switch(context.actor.requester, int(chosen), on=on)
    except AccessDenied:
        error = not_allowed
    except NotFound:
        error = pick
    except Conflict:
        error = "Je kunt jezelf niet uitschakelen. Vraag een andere beheerder."
    if error:
        await context.uow.commit_refusals_only()
        return Outcome.private(toegang_card(await _view(context), values, {field: error}, None))
    notice = done.format(naam=target.naam)
    return Outcome.private(toegang_card(await _view(context), {}, {}, notice))


async def _validate_professional(
    context: Context, values: dict[str, Any], *, waiting: bool = False
) -> dict[str, str]:
    errors: dict[str, str] = {}
    people = context.uow.people
    if not waiting:
        await _validate_identity(context, values, errors)
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
        requester = context.actor.requester
        appoints = await people.gemeenten_for(requester, PeopleNeed.PGA_EXPERT_AANWIJZEN)
        if not appoints:
            errors["prof_rol"] = "Alleen een beheerder kan een PGA-expert aanwijzen."
        elif not (_number(gemeente) and int(gemeente) in appoints):
            errors["prof_gemeente"] = "Kies de gemeente van deze PGA-expert."
    return errors


async def _validate_identity(
    context: Context, values: dict[str, Any], errors: dict[str, str]
) -> None:
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


def _number(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,9}", value))


# --- the gemeente's own criteria ------------------------------------------------------------


async def _criteria_card(
    context: Context, values: dict[str, Any], errors: dict[str, str], notice: str | None = None
) -> Outcome:
    gemeenten = await context.uow.criteria.editable(context.actor.requester)
    names = dict(gemeenten)
    huidige = [
        (str(c.id), names[c.gemeente_id], c.label, c.toelichting or "")
        for c in await context.uow.criteria.active()
        if c.gemeente_id in names
    ]
    if len(gemeenten) == 1 and not values.get("crit_gemeente"):
        values = {**values, "crit_gemeente": str(gemeenten[0][0])}
    choices = [(str(gid), naam) for gid, naam in gemeenten]
    return Outcome.private(criteria_card(choices, huidige, values, errors, notice))


async def open_criteria(context: Context, data: dict[str, Any]) -> Outcome:
    try:
        return await _criteria_card(context, {}, {})
    except AccessDenied:
        return Outcome(text=ONLY_ADMIN)


async def add_criterium(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BEHEER_CRITERIUM, data)
    label, uitleg = values.get("crit_label", ""), values.get("crit_toelichting", "")
    errors = control_char_errors({"crit_label": label, "crit_toelichting": uitleg})
    if not label:
        errors["crit_label"] = "Vul het criterium in, kort (bijvoorbeeld 'Zorgmijdend gedrag')."
    gemeente = values.get("crit_gemeente") or ""
    if not _number(gemeente):
        errors["crit_gemeente"] = "Kies de gemeente."
    try:
        if not errors:
            await context.uow.criteria.add(context.actor.requester, int(gemeente), label, uitleg)
            return await _criteria_card(context, {}, {}, f"'{label}' staat nu in het formulier.")
    except AccessDenied:
        if not errors and not await _may_edit_criteria(context):
            return Outcome(text=ONLY_ADMIN)
        errors["crit_gemeente"] = "Kies een gemeente uit de lijst."
    except Conflict as refused:
        if refused.args[0] == "bestaat":  # pressed again: the result, not a form error
            await context.uow.commit_refusals_only()
            notice = "Dit criterium heeft deze gemeente al. Er is niets veranderd."
            return await _criteria_card(context, {}, {}, notice)
        errors["crit_label"] = (
            "Deze gemeente heeft al het maximum aan eigen criteria. Zet er eerst een uit."
        )
    await context.uow.commit_refusals_only()
    try:
        return await _criteria_card(context, values, errors)
    except AccessDenied:
        return Outcome(text=ONLY_ADMIN)


async def _may_edit_criteria(context: Context) -> bool:
    try:
        await context.uow.people.authorise(context.actor.requester, PeopleNeed.EIGEN_CRITERIA)
    except AccessDenied:
        return False
    return True


async def switch_off_criterium(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BEHEER_CRITERIUM_UIT, data)
    chosen = values.get("crit_uit") or ""
    try:
        if not _number(chosen):
            raise NotFound("criterium")
        label = await context.uow.criteria.switch_off(context.actor.requester, int(chosen))
    except AccessDenied:
        return Outcome(text=ONLY_ADMIN)
    except NotFound:
        await context.uow.commit_refusals_only()
        return await _criteria_card(
            context, values, {"crit_uit": "Kies een criterium uit de lijst."}
        )
    notice = f"'{label}' staat niet meer in het formulier. Eerdere aanmeldingen houden het."
    return await _criteria_card(context, {}, {}, notice)
