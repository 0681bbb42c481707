"""One installation for a region (#26): which gemeente a channel is for, gemeenten and their
beheerders, a PGA-expert of a second gemeente. The rules are the store's (PEOPLE_NEEDS); this
reads the forms and says what happened in Dutch."""

from __future__ import annotations

import re
from typing import Any

from cards import forms
from cards.region import gemeenten_card, kanaal_keuze_card, pga_expert_card
from dialogs.core import Context, Outcome, control_char_errors, read_form
from store.access import AccessDenied, Conflict, NotFound, PeopleNeed
from store.roster import TeamAddress

ONLY_INSTALLATION = (
    "Alleen de beheerder van de installatie voegt gemeenten toe en wijst hun beheerders aan."
)
ONLY_BEHEERDER = (
    "Alleen een beheerder van de gemeente wijst PGA-experts aan. Vraag het aan die beheerder."
)
NOT_A_CHANNEL = "Typ '@Casusoverleg kanaal' in het Teams-kanaal dat meldingen moet krijgen."
ONLY_EXPERT = "Alleen een PGA-expert kan een kanaal koppelen."
OTHER_TEAM = (
    "Dit kanaal hoort bij het team van een andere gemeente. Er is niets veranderd. Typ "
    "'@Casusoverleg kanaal' in een kanaal van het team van je eigen gemeente."
)
PICK = "Kies uit de lijst."


# --- kanaal ----------------------------------------------------------------------------------


async def koppel_kanaal(context: Context, data: dict[str, Any]) -> Outcome:
    """`kanaal` in a channel: the gemeente whose team this is gets its notices here; a
    PGA-expert of several gemeenten in a team of none of them is asked which."""
    if not context.actor.is_pga_expert:
        return Outcome(text=ONLY_EXPERT)
    if context.incoming.conversation_type != "channel":
        return Outcome(text=NOT_A_CHANNEL)
    keuzes = await context.uow.people.kanaal_keuzes(context.actor.requester)
    if not keuzes:
        await context.uow.commit_refusals_only()
        return Outcome(text=OTHER_TEAM)
    if len(keuzes) > 1:
        return _with_roster(context, Outcome.anyone(kanaal_keuze_card(keuzes)))
    gemeente_id, naam, moved = keuzes[0]
    return _with_roster(context, await _link(context, gemeente_id, naam, moved))


async def kies_kanaal(context: Context, data: dict[str, Any]) -> Outcome:
    """A button of the choice card, pressed in the channel."""
    values = read_form(forms.KANAAL_KOPPELEN, data)
    if context.incoming.conversation_type != "channel":
        return Outcome(text=NOT_A_CHANNEL)
    keuzes = {k[0]: k for k in await context.uow.people.kanaal_keuzes(context.actor.requester)}
    chosen = keuzes.get(values["gemeente"])
    if chosen is None:
        return Outcome(text=ONLY_EXPERT if not context.actor.is_pga_expert else OTHER_TEAM)
    return await _link(context, *chosen)


async def _link(context: Context, gemeente_id: int, naam: str, moved: bool) -> Outcome:
    try:
        await context.uow.people.link_channel(context.actor.requester, gemeente_id)
    except Conflict:
        await context.uow.commit_refusals_only()
        return Outcome(text=OTHER_TEAM)
    text = (
        f"Dit kanaal krijgt nu meldingen van nieuwe aanmeldingen voor {naam}. "
        "Alleen met de casuscode, nooit met namen."
    )
    if moved:
        text += " Het kanaal dat ze eerst kreeg, krijgt ze niet meer."
    return Outcome(text=text)


def _with_roster(context: Context, outcome: Outcome) -> Outcome:
    service_url = (context.incoming.reference or {}).get("serviceUrl")
    if context.incoming.team_id and isinstance(service_url, str):
        # The team's members become candidates in beheer (fetched by the platform layer).
        team = TeamAddress(context.incoming.team_id, service_url, context.incoming.tenant_id)
        outcome.roster_teams = (team,)
    return outcome


# --- gemeenten and their beheerders (the installation beheerder) -----------------------------


async def _gemeenten_card(
    context: Context, values: dict[str, Any], errors: dict[str, str], notice: str | None = None
) -> Outcome:
    people = context.uow.people
    await people.authorise(context.actor.requester, PeopleNeed.GEMEENTE_TOEVOEGEN)
    gemeenten = await people.gemeenten()
    beheerders = await people.beheerders()
    rows = [
        (
            f"{g.naam} ({g.afkorting or '–'})",
            ", ".join(beheerders.get(g.id, [])) or "nog geen beheerder",
        )
        for g in gemeenten
    ]
    keuzes = [(str(g.id), g.naam) for g in gemeenten]
    professionals = [(str(p.id), p.naam) for p in await people.active()]
    return Outcome.private(gemeenten_card(rows, keuzes, professionals, values, errors, notice))


async def open_gemeenten(context: Context, data: dict[str, Any]) -> Outcome:
    try:
        return await _gemeenten_card(context, {}, {})
    except AccessDenied:
        return Outcome(text=ONLY_INSTALLATION)


async def add_gemeente(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BEHEER_GEMEENTE, data)
    naam = values.get("gem_naam", "")
    afkorting = values.get("gem_afkorting", "").upper()
    errors = control_char_errors({"gem_naam": naam})
    if not naam:
        errors["gem_naam"] = "Vul de naam van de gemeente in."
    if not re.fullmatch(r"[A-Z]{2,5}", afkorting):
        errors["gem_afkorting"] = "Vul twee tot vijf letters in, zoals ZDS."
    try:
        if not errors:
            await context.uow.people.add_gemeente(context.actor.requester, naam, afkorting)
            notice = f"Gemeente {naam} is toegevoegd. Wijs nu een beheerder aan."
            return await _gemeenten_card(context, {}, {}, notice)
    except AccessDenied:
        await context.uow.commit_refusals_only()
        return Outcome(text=ONLY_INSTALLATION)
    except Conflict as taken:
        if taken.args[0] == "naam":
            errors["gem_naam"] = "Deze gemeente staat er al in."
        else:
            errors["gem_afkorting"] = "Deze afkorting heeft een andere gemeente al."
    await context.uow.rollback()
    try:
        return await _gemeenten_card(context, values, errors)
    except AccessDenied:
        return Outcome(text=ONLY_INSTALLATION)


async def appoint_beheerder(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BEHEER_BEHEERDER, data)
    error: dict[str, str] = {}
    try:
        await context.uow.people.authorise(context.actor.requester, PeopleNeed.BEHEERDER_AANWIJZEN)
    except AccessDenied:
        await context.uow.commit_refusals_only()
        return Outcome(text=ONLY_INSTALLATION)
    try:
        professional, gemeente = _two_numbers(values, "beh_professional", "beh_gemeente")
        await context.uow.people.appoint_beheerder(context.actor.requester, professional, gemeente)
        return await _gemeenten_card(context, {}, {}, "De beheerder is aangewezen.")
    except AccessDenied:
        await context.uow.commit_refusals_only()
        return Outcome(text=ONLY_INSTALLATION)
    except NotFound:
        error = {"beh_professional": PICK}
    except Conflict:
        error = {"beh_professional": "Deze persoon is al beheerder van die gemeente."}
    await context.uow.rollback()
    return await _gemeenten_card(context, values, error)


# --- a PGA-expert (also of a second gemeente) ----------------------------------------------


async def _pga_expert_card(
    context: Context, values: dict[str, Any], errors: dict[str, str], notice: str | None = None
) -> Outcome:
    people = context.uow.people
    await people.authorise(context.actor.requester, PeopleNeed.PGA_EXPERT_AANWIJZEN)
    mine = await people.gemeenten_for(context.actor.requester, PeopleNeed.PGA_EXPERT_AANWIJZEN)
    keuzes = [(str(g.id), g.naam) for g in await people.gemeenten() if g.id in mine]
    professionals = [(str(p.id), p.naam) for p in await people.active()]
    return Outcome.private(pga_expert_card(keuzes, professionals, values, errors, notice))


async def open_pga_expert(context: Context, data: dict[str, Any]) -> Outcome:
    try:
        return await _pga_expert_card(context, {}, {})
    except AccessDenied:
        return Outcome(text=ONLY_BEHEERDER)


async def appoint_pga_expert(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BEHEER_PGA_EXPERT, data)
    try:
        professional, gemeente = _two_numbers(values, "exp_professional", "exp_gemeente")
        await context.uow.people.appoint_pga_expert(context.actor.requester, professional, gemeente)
        chosen = await context.uow.people.get(professional)
        naam = (await context.uow.people.gemeente(gemeente)).naam  # type: ignore[union-attr]
        return await _pga_expert_card(
            context, {}, {}, f"{chosen.naam} is nu PGA-expert van {naam}."
        )
    except AccessDenied:
        await context.uow.commit_refusals_only()
        error = {"exp_gemeente": "Kies een gemeente waarvan je beheerder bent."}
    except NotFound:
        error = {"exp_professional": PICK}
    except Conflict:
        error = {"exp_professional": "Deze persoon is al PGA-expert van die gemeente."}
    try:
        return await _pga_expert_card(context, values, error)
    except AccessDenied:
        return Outcome(text=ONLY_BEHEERDER)


def _two_numbers(values: dict[str, Any], first: str, second: str) -> tuple[int, int]:
    a, b = values.get(first) or "", values.get(second) or ""
    if not (re.fullmatch(r"[0-9]{1,9}", a) and re.fullmatch(r"[0-9]{1,9}", b)):
        raise NotFound(first)
    return int(a), int(b)
