"""Routes text commands and card actions to the workflows, one unit of work per turn.

Every path ends in an Outcome: refusals and bad input become a Dutch message, never an
exception for the platform layer, and never a half-written record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from cards import forms
from cards.base import for_readers, without_refresh
from cards.forms import Form
from dialogs import (
    aanmelding,
    afsluiting,
    beheer,
    casus,
    demo,
    help,
    inzage,
    koppelen,
    monitor,
    overleg,
    plan,
    refresh,
    region,
    shown,
    signalen,
    state_refusals,
    triage,
    verslag,
)
from dialogs.core import (
    Audience,
    Config,
    Context,
    Handler,
    Incoming,
    InvalidPayload,
    Outcome,
    private_delivery_text,
    read_form,
)
from dialogs.core import strip_control_chars as clean
from dialogs.identity import Refused, resolve_actor, tenant_allowed
from dialogs.refusal_texts import (
    ALREADY_DONE,
    CONFLICT,
    DENIED,
    NO_ACCESS,
    NOT_FOUND,
    NOT_SHARED,
    NOT_UNDERSTOOD,
    NOT_YOURS,
    SENT_PRIVATELY,
    STALE_FORM,
)
from store.access import (
    AccessDenied,
    AlreadyDone,
    Conflict,
    NotAllowed,
    NotFound,
    PersonalSpaceRequired,
    SharedPostRefused,
    StateRefused,
)
from store.db import ConcurrentInsert, Database, UnitOfWork
from store.outbox import PrivateMessage
from store.roster import TeamAddress, TeamMember

log = logging.getLogger(__name__)

COMMANDS: dict[str, Handler] = {
    "help": help.show,
    "hulp": help.show,
    "?": help.show,
    "aanmelden": aanmelding.open_form,
    "aanmelding": aanmelding.open_form,
    "triage": triage.lijst,
    "casus": casus.show,
    "koppelen": koppelen.open_koppelen,
    "koppel": koppelen.open_koppelen,
    "beheer": beheer.open_beheer,
    "kanaal": region.koppel_kanaal,
    "als": demo.choose,
    "overleg": overleg.lijst,
    "overleggen": overleg.lijst,
    "overleg plannen": overleg.open_plannen,
    "overleg starten": overleg.starten,
    "overleg afronden": overleg.afronden,
    "agenda": overleg.agenda,
    "agenda publiceren": overleg.publiceren,
    # Afsluiting, the resident's rights, the monitor (#13).
    "afsluiten": afsluiting.open_afsluiten,
    "heropenen": afsluiting.open_heropenen,
    "inzage": inzage.open_inzage,
    "corrigeren": inzage.open_corrigeren,
    "monitor": monitor.show,
    # The minutes (#12) and the besluitenlijst of a casus.
    "verslag": verslag.lijst,
    "verslagen": verslag.lijst,
    "besluiten": verslag.besluiten,
    "plan": plan.show,
    "acties": plan.acties,
    "herinneringen nu": plan.herinneringen_nu,
    "signaal": signalen.open_form,
    "signaleren": signalen.open_form,
    "tijdlijn": signalen.tijdlijn,
}


@dataclass(frozen=True)
class Route:
    """A verb a card can send, the form it carries and the workflow step that reads it.

    `shared`: pressed in a channel it runs there and may update the card for everyone
    (its outcome must then be shared-safe). Otherwise a press in a shared conversation runs
    as if in the presser's 1:1 chat and answers there.
    """

    form: Form
    handler: Handler
    shared: bool = False


ROUTES: dict[str, Route] = {
    route.form.verb: route
    for route in (
        Route(forms.HELP, help.show),
        Route(forms.AANMELDING_OPEN, aanmelding.open_form),
        Route(forms.AANMELDING_BEWAREN, aanmelding.save_draft),
        Route(forms.AANMELDING_INDIENEN, aanmelding.submit),
        Route(forms.TRIAGE_LIJST, triage.lijst),
        Route(forms.TRIAGE_OPEN, triage.open_triage),
        Route(forms.TRIAGE_BESLUIT, triage.besluit),
        Route(forms.CASUS_OPEN, casus.show),
        Route(forms.BRIEF_OPEN, casus.open_brief),
        Route(forms.BRIEF_MAKEN, casus.maak_brief),
        Route(forms.STARTGESPREK_OPEN, casus.open_startgesprek),
        Route(forms.STARTGESPREK_VASTLEGGEN, casus.leg_startgesprek_vast),
        Route(forms.KOPPELEN_OPEN, koppelen.open_koppelen),
        Route(forms.KOPPELEN, koppelen.koppel),
        Route(forms.KOPPELEN_OPNIEUW, koppelen.koppel_opnieuw),
        Route(forms.ONTKOPPELEN_OPEN, koppelen.open_ontkoppelen),
        Route(forms.ONTKOPPELEN, koppelen.ontkoppel),
        Route(forms.BEHEER_OPEN, beheer.open_beheer),
        Route(forms.BEHEER_ORGANISATIES_OPEN, beheer.open_organisaties),
        Route(forms.BEHEER_PROFESSIONALS_OPEN, beheer.open_professional),
        Route(forms.BEHEER_TOEGANG_OPEN, beheer.open_toegang),
        Route(forms.BEHEER_BRIEFHOOFD_OPEN, beheer.open_briefhoofd),
        Route(forms.BEHEER_BRIEFHOOFD, beheer.save_briefhoofd),
        Route(forms.BEHEER_AANVRAAG_OPEN, beheer.open_aanvraag),
        Route(forms.BEHEER_AANVRAAG, beheer.add_aanvraag),
        Route(forms.BEHEER_ORGANISATIE, beheer.add_organisatie),
        Route(forms.BEHEER_PROFESSIONAL, beheer.add_professional),
        Route(forms.BEHEER_UITSCHAKELEN, beheer.deactivate_professional),
        Route(forms.BEHEER_INSCHAKELEN, beheer.reactivate_professional),
        Route(forms.BEHEER_TEAMLEDEN, beheer.fetch_roster),
        Route(forms.BEHEER_ZOEKEN, beheer.search_roster),
        Route(forms.BEHEER_CRITERIA_OPEN, beheer.open_criteria),
        Route(forms.BEHEER_CRITERIUM, beheer.add_criterium),
        Route(forms.BEHEER_CRITERIUM_UIT, beheer.switch_off_criterium),
        # A region (#26): gemeenten and their beheerders, a PGA-expert of a second gemeente.
        Route(forms.BEHEER_GEMEENTEN_OPEN, region.open_gemeenten),
        Route(forms.BEHEER_GEMEENTE, region.add_gemeente),
        Route(forms.BEHEER_BEHEERDER, region.appoint_beheerder),
        Route(forms.BEHEER_PGA_EXPERT_OPEN, region.open_pga_expert),
        Route(forms.BEHEER_PGA_EXPERT, region.appoint_pga_expert),
        # Which gemeente this channel is for: the answer replaces the choice in the channel.
        Route(forms.KANAAL_KOPPELEN, region.kies_kanaal, shared=True),
        Route(forms.DEMO_ALS, demo.act_as),
        Route(forms.OVERLEG_LIJST, overleg.lijst),
        Route(forms.OVERLEG_PLANNEN_OPEN, overleg.open_plannen),
        Route(forms.OVERLEG_PLANNEN, overleg.plannen),
        Route(forms.AGENDA_OPEN, overleg.agenda),
        Route(forms.AGENDA_TOEVOEGEN, overleg.agenda_toevoegen),
        Route(forms.AGENDA_VOORSTEL, overleg.agenda_voorstel),
        Route(forms.AGENDA_VERWIJDEREN, overleg.agenda_verwijderen),
        Route(forms.AGENDA_OMHOOG, overleg.agenda_omhoog),
        Route(forms.AGENDA_PUBLICEREN, overleg.publiceren),
        Route(forms.OVERLEG_STARTEN, overleg.starten),
        Route(forms.OVERLEG_AFRONDEN, overleg.afronden),
        # Pressed on the discussion card in the channel: the card updates there, for everyone.
        Route(forms.BESPREKING_BESLUIT, overleg.besluit, shared=True),
        Route(forms.BESPREKING_AFSPRAAK, overleg.afspraak, shared=True),
        # Identity: always answered in the presser's 1:1 chat.
        Route(forms.OVERLEG_DETAILS, overleg.details),
        # Attendance: the presentiekaart in the channel changes there, for everyone.
        Route(forms.PRESENTIE_MELDEN, overleg.presentie_melden, shared=True),
        Route(forms.PRESENTIE_VASTLEGGEN, overleg.presentie_vastleggen, shared=True),
        Route(forms.PRESENTIE_BEWONER, overleg.presentie_bewoner, shared=True),
        # Afsluiting, the resident's rights, the monitor (#13): PGA-expert, 1:1.
        Route(forms.AFSLUITEN_OPEN, afsluiting.open_afsluiten),
        Route(forms.AFSLUITEN, afsluiting.afsluiten),
        Route(forms.HEROPENEN_OPEN, afsluiting.open_heropenen),
        Route(forms.HEROPENEN, afsluiting.heropenen),
        Route(forms.INZAGE_OPEN, inzage.open_inzage),
        Route(forms.INZAGE, inzage.maak_inzage),
        Route(forms.CORRIGEREN_OPEN, inzage.open_corrigeren),
        Route(forms.CORRIGEREN, inzage.corrigeer),
        Route(forms.MONITOR, monitor.show),
        Route(forms.MONITOR_EXCEL, monitor.excel),
        # The minutes (#12): every press answers in the presser's 1:1 chat.
        Route(forms.VERSLAG_LIJST, verslag.lijst),
        Route(forms.VERSLAG_MAKEN, verslag.maken),
        Route(forms.VERSLAG_OPHALEN, verslag.ophalen),
        Route(forms.VERSLAG_VOLLEDIG, verslag.volledig),
        Route(forms.BESLUITEN_OPEN, verslag.besluiten),
        # The plan van aanpak (#11): always in the presser's 1:1 chat.
        Route(forms.PLAN_OPEN, plan.show),
        Route(forms.PLAN_LEEFGEBIED, plan.leefgebied),
        Route(forms.DOEL_OPEN, plan.doel_open),
        Route(forms.PLAN_DOEL, plan.doel),
        Route(forms.PLAN_ACTIE, plan.actie),
        Route(forms.ACTIE_OPEN, plan.actie_open),
        Route(forms.ACTIES, plan.acties),
        Route(forms.ACTIE_AFGEROND, plan.afgerond),
        Route(forms.ACTIE_UITSTEL_OPEN, plan.uitstel_open),
        Route(forms.ACTIE_UITSTEL, plan.uitstel),
        Route(forms.UITSTEL_BESLUIT, plan.uitstel_besluit),
        Route(forms.PLAN_ESCALEREN, plan.escaleren),
        Route(forms.SIGNAAL_OPEN, signalen.open_form),
        Route(forms.SIGNAAL_VASTLEGGEN, signalen.vastleggen),
        Route(forms.TIJDLIJN_OPEN, signalen.tijdlijn),
        # An old card asks for itself again (Universal Actions refresh): answered where it is.
        Route(forms.KAART_VERVERSEN, refresh.refresh, shared=True),
    )
}

MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def parse_command(text: str) -> tuple[str, str]:
    """(command, the rest). A command of two words (`overleg starten`) is read whole, never
    as its first word with an argument."""
    # Teams keeps the <at>…</at> of an @mention in the text when the entity is missing.
    words = MENTION.sub(" ", clean(text)).strip().split(maxsplit=1)
    if not words:
        return "help", ""
    first, rest = words[0].lower().strip("/"), words[1] if len(words) > 1 else ""
    second = rest.split(maxsplit=1)
    if second and f"{first} {second[0].lower()}" in COMMANDS:
        return f"{first} {second[0].lower()}", second[1] if len(second) > 1 else ""
    return first, rest


async def handle_text(db: Database, config: Config, incoming: Incoming, text: str) -> Outcome:
    command, rest = parse_command(text)
    handler = COMMANDS.get(command, help.show)
    if incoming.personal:
        return await _run(db, config, incoming, handler, {"_args": rest})
    # Everyone in the channel read it: does it name an inwoner? The warning goes to the
    # author's 1:1 chat in a unit of work of its own; the channel sees what any text gets.
    screened = await _run(db, config, incoming, signalen.screen(text), {})
    if screened.text:  # the actor was refused: that is the answer
        return screened
    named = bool(screened.messages)
    args = signalen.NEUTRAL_ARGS if named and rest else rest
    outcome = await _run(db, config, incoming, handler, {"_args": args})
    outcome.has_messages = outcome.has_messages or named
    return outcome


async def handle_action(
    db: Database, config: Config, incoming: Incoming, verb: str, data: Mapping[str, Any] | None
) -> Outcome:
    if verb == forms.KAART_VERVERSEN.verb:
        # Always a card: a text answer would leave the old card (and what it showed) in view.
        return refresh.as_card(await _handle_action(db, config, incoming, verb, data))
    return await _handle_action(db, config, incoming, verb, data)


async def _handle_action(
    db: Database, config: Config, incoming: Incoming, verb: str, data: Mapping[str, Any] | None
) -> Outcome:
    route = ROUTES.get(verb)
    if route is None or (data is not None and not isinstance(data, Mapping)):
        return Outcome(text=STALE_FORM)
    try:
        read_form(route.form, data or {})  # the contract: nothing the form does not define
    except InvalidPayload as invalid:
        log.info("invalid card payload rejected at %s", invalid.args[0])
        return Outcome(text=STALE_FORM)
    # A card button pressed in a shared conversation answers in the 1:1 chat, unless the
    # route acts in the shared space: an answered card replaces the card for everyone.
    private = not incoming.personal and not route.shared
    return await _run(db, config, incoming, route.handler, dict(data or {}), private=private)


async def remember(db: Database, config: Config, incoming: Incoming) -> None:
    """Store where this professional can be reached (app installed), without answering."""
    await _run(db, config, incoming, _nothing, {})


async def _nothing(context: Context, data: dict[str, Any]) -> Outcome:
    return Outcome()


async def greet(db: Database, config: Config, incoming: Incoming) -> Outcome:
    return await _run(db, config, incoming, help.show, {"_args": ""})


async def _run(
    db: Database,
    config: Config,
    incoming: Incoming,
    handler: Handler,
    data: dict[str, Any],
    *,
    private: bool = False,
) -> Outcome:
    try:
        outcome = await _run_once(db, config, incoming, handler, data, private=private)
    except ConcurrentInsert:
        # A concurrent turn inserted the same row first (e.g. two first contacts at once);
        # the second attempt sees it.
        outcome = await _run_once(db, config, incoming, handler, data, private=private)
    if outcome.text and not incoming.personal:
        # In a channel the bot hears only what mentions it.
        outcome.text = re.sub(
            r"([Tt]yp|met) '(help|aanmelden|casus|kanaal|triage|beheer|koppelen|overleg|agenda"
            r"|verslag|besluiten|plan|acties|signaal|tijdlijn)",
            r"\1 '@Casusoverleg \2",
            outcome.text,
        )
    if outcome.card is not None and "refresh" in outcome.card:
        outcome.card = _addressed(outcome.card, incoming)
    return outcome


def _addressed(card: dict[str, Any], incoming: Incoming) -> dict[str, Any]:
    """A card shown in place refreshes for who it was shown to (their 1:1 chat); one left in
    a shared space does not refresh at all (its message is updated for everyone instead)."""
    if not incoming.personal:
        return without_refresh(card)
    user = (incoming.reference or {}).get("user") or {}
    return for_readers(card, [user.get("id")])


async def _run_once(
    db: Database,
    config: Config,
    incoming: Incoming,
    handler: Handler,
    data: dict[str, Any],
    *,
    private: bool = False,
) -> Outcome:
    """One turn in one unit of work. With `private`, the step runs as if in the 1:1 chat and
    its result is delivered there (used when it needs a personal space)."""
    async with db.unit_of_work() as uow:
        try:
            actor = await resolve_actor(uow, config, incoming)
        except Refused as refusal:
            await _commit_refusals(uow)
            await _remember_unregistered(uow, config, incoming)
            lookup = refusal.unknown and await _wants_lookup(uow, config, incoming)
            return Outcome(text=refusal.message, lookup_member=lookup)
        if private:
            actor = replace(actor, requester=actor.requester.privately())
        elif incoming.reference is not None:
            await uow.conversations.remember(
                incoming.conversation_id,
                incoming.conversation_type,
                incoming.tenant_id,
                actor.id if incoming.personal else None,
                dict(incoming.reference),
                team_id=incoming.team_id,
            )
        context = Context(uow=uow, actor=actor, config=config, incoming=incoming)
        try:
            outcome = await handler(context, data)
        except PersonalSpaceRequired:
            if private:
                await _commit_refusals(uow)
                return Outcome(text=NO_ACCESS)
            await _commit_refusals(uow)
            return await _run_once(db, config, incoming, handler, data, private=True)
        except StateRefused as refused:
            await _commit_refusals(uow)
            return Outcome(text=state_refusals.refusal_text(refused))
        except AccessDenied as denied:
            await _commit_refusals(uow)
            need = denied.args[0] if denied.args else ""
            if isinstance(denied, NotAllowed) and need in NOT_YOURS:
                return Outcome(text=NOT_YOURS[need])
            return Outcome(text=DENIED.get(need, NO_ACCESS))
        except NotFound:
            await uow.rollback()
            return Outcome(text=NOT_FOUND)
        except AlreadyDone:
            await uow.rollback()
            return Outcome(text=ALREADY_DONE)
        except Conflict:
            await uow.rollback()
            return Outcome(text=CONFLICT)
        except InvalidPayload as invalid:
            await uow.rollback()
            log.info("invalid card payload rejected at %s", invalid.args[0])
            return Outcome(text=NOT_UNDERSTOOD if "_args" in data else STALE_FORM)
        except SharedPostRefused:
            await uow.rollback()
            log.error("shared post refused: it named a resident")
            return Outcome(text=NOT_SHARED)
        try:
            outcome = await _settle(context, outcome, private=private)
        except SharedPostRefused:
            await uow.rollback()
            log.error("shared post refused: it named a resident")
            return Outcome(text=NOT_SHARED)
        await shown.keep_replaced_card(context, outcome)
        outcome.has_messages = outcome.has_messages or uow.berichten.added > 0
        await uow.commit()
        return outcome


async def _settle(context: Context, outcome: Outcome, *, private: bool) -> Outcome:
    """Queue the outcome's messages, and decide where its card may be shown: only a card
    that is shared-safe (checked by the outbox) or names no casus stays in a shared space."""
    for message in outcome.messages:
        await context.uow.berichten.put(message)
    if outcome.card is None or context.incoming.personal:
        return outcome
    if not private and outcome.audience is Audience.ANYONE:
        return outcome
    if not private and outcome.audience is Audience.SHARED and outcome.shared_casus:
        await context.uow.berichten.check_shared(outcome.shared_casus.id, outcome.card)
        return outcome
    return await _deliver_privately(context, outcome)


async def _deliver_privately(context: Context, outcome: Outcome) -> Outcome:
    assert outcome.card is not None
    await context.uow.berichten.put(
        PrivateMessage(
            context.actor.id, card=outcome.card, text=outcome.text, casus_id=outcome.about
        )
    )
    return Outcome(text=await private_delivery_text(context, SENT_PRIVATELY), has_messages=True)


async def _remember_unregistered(uow: UnitOfWork, config: Config, incoming: Incoming) -> None:
    """Apps installed by policy greet before the professional is registered: keep the chat,
    so notices can reach them once they are."""
    if (
        incoming.personal
        and incoming.reference is not None
        and tenant_allowed(config, incoming.tenant_id)
        and incoming.tenant_id
        and incoming.aad_object_id
    ):
        await uow.conversations.remember(
            incoming.conversation_id,
            incoming.conversation_type,
            incoming.tenant_id,
            None,
            dict(incoming.reference),
            aad_object_id=incoming.aad_object_id,
        )
        await uow.commit()


# --- what the platform layer learnt from the Bot Connector (people from the Teams roster) ---


async def _wants_lookup(uow: UnitOfWork, config: Config, incoming: Incoming) -> bool:
    return bool(
        incoming.tenant_id
        and incoming.aad_object_id
        and tenant_allowed(config, incoming.tenant_id)
        and await uow.roster.wants_lookup(incoming.tenant_id, incoming.aad_object_id)
    )


async def learn_member(
    db: Database, config: Config, incoming: Incoming, member: TeamMember | None
) -> None:
    """Keep who this unregistered user is, as the Bot Connector said (None: it did not)."""
    if not (incoming.tenant_id and incoming.aad_object_id):
        return
    if not tenant_allowed(config, incoming.tenant_id):
        return
    async with db.unit_of_work() as uow:
        name = (member.naam if member else "") or incoming.user_name
        await uow.roster.remember_member(incoming.tenant_id, incoming.aad_object_id, name, member)
        await uow.commit()


async def learn_team(
    db: Database, config: Config, incoming: Incoming, members: list[TeamMember] | None
) -> int:
    """The bot was added to a team: keep the channel (with its team, to ask again later) and
    the team's members of its own tenant as candidates for beheer. Nobody acts here, so
    nothing but an allowed tenant is required."""
    if not (incoming.team_id and incoming.tenant_id and incoming.reference):
        return 0
    if not tenant_allowed(config, incoming.tenant_id):
        return 0
    async with db.unit_of_work() as uow:
        await uow.conversations.remember(
            incoming.conversation_id,
            incoming.conversation_type,
            incoming.tenant_id,
            None,
            dict(incoming.reference),
            team_id=incoming.team_id,
        )
        kept = 0
        if members is not None:
            kept = await uow.roster.keep_team(incoming.tenant_id, incoming.team_id, members)
        await uow.commit()
        return kept


async def roster_fetched(
    db: Database,
    config: Config,
    incoming: Incoming,
    results: list[tuple[TeamAddress, list[TeamMember] | None]],
    *,
    show: bool,
) -> Outcome:
    """Hand what Teams said about the teams asked for (`Outcome.roster_teams`) to beheer, as
    the same professional; with `show`, its card answers the button."""

    async def step(context: Context, data: dict[str, Any]) -> Outcome:
        return await beheer.roster_fetched(context, results, show)

    return await _run(db, config, incoming, step, {}, private=not incoming.personal)


async def _commit_refusals(uow: UnitOfWork) -> None:
    await uow.commit_refusals_only()
