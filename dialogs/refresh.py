"""The refresh of an old card (Universal Actions, #26): today's state, through the same gate.

A card that shows a state carries a `refresh` (cards/base.py `refreshing`) naming the open
verb that rebuilds it and that verb's ids. When Teams shows the card again it sends that
refresh as an `adaptiveCard/action` invoke, and the answer replaces what the reader sees. So
the answer is always a card: the card as the open builds it now (audited like any open: an
identity shown is an access), or, for who may no longer see it, a card without anything of
the casus on it. A text answer would leave the old card, identity and all, in view.

A refresh changes nothing: only open verbs that write nothing but the audit of what they
show are listed here, and a refusal keeps only its own audit entry.
"""

from __future__ import annotations

from typing import Any

from cards import forms
from cards.common import verlopen_kaart
from dialogs import casus, koppelen, overleg, plan, signalen, triage, verslag
from dialogs.core import Audience, Context, Handler, InvalidPayload, Outcome, read_form
from dialogs.state_refusals import refusal_text
from store.access import AccessDenied, NotFound, PersonalSpaceRequired, StateRefused

REFRESHABLE: dict[str, Handler] = {
    forms.CASUS_OPEN.verb: casus.show,
    forms.TRIAGE_LIJST.verb: triage.lijst,
    forms.TRIAGE_OPEN.verb: triage.open_triage,
    forms.KOPPELEN_OPEN.verb: koppelen.open_koppelen,
    forms.PLAN_OPEN.verb: plan.show,
    forms.DOEL_OPEN.verb: plan.doel_open,
    forms.ACTIE_OPEN.verb: plan.actie_open,
    forms.ACTIES.verb: plan.acties,
    forms.OVERLEG_LIJST.verb: overleg.lijst,
    forms.AGENDA_OPEN.verb: overleg.agenda,
    forms.OVERLEG_DETAILS.verb: overleg.details,
    forms.TIJDLIJN_OPEN.verb: signalen.tijdlijn,
    forms.VERSLAG_LIJST.verb: verslag.lijst,
    forms.BESLUITEN_OPEN.verb: verslag.besluiten,
}

GONE = (
    "Je hebt geen toegang (meer) tot wat op deze kaart stond. Heb je het nodig? Vraag het de "
    "PGA-expert."
)
NOT_TAKEN_IN = "Casus {code} is niet door de PGA opgenomen. Wat op deze kaart stond, zie je niet."
UNLINKED = (
    "Je bent niet meer gekoppeld aan casus {code}, dus je ziet niet meer wat hier stond. Heb je "
    "de casus nog nodig? Vraag de PGA-expert om je opnieuw te koppelen."
)
PERSONAL_ONLY = "Deze kaart hoort in je privéchat met Casusoverleg. Open hem daar."
STALE = "Deze kaart werkt niet meer. Open wat je zocht opnieuw met het commando."
RUNNING = ("aangemeld", "opgenomen")


async def refresh(context: Context, data: dict[str, Any]) -> Outcome:
    """The card `data` names, rebuilt for the reader: always a card, never text."""
    read_form(forms.KAART_VERVERSEN, data)
    verb = str(data.get("kaart") or "")
    step = REFRESHABLE.get(verb)
    if step is None:
        raise InvalidPayload("kaart")
    ids = {key: value for key, value in data.items() if key != "kaart"}
    read_form(forms.BY_VERB[verb], ids)  # exactly what that open reads, nothing else
    if not context.incoming.personal:
        # No refresh is sent to a shared space; one from there shows nothing of a casus.
        return gone(PERSONAL_ONLY)
    try:
        outcome = await step(context, ids)
    except StateRefused as refused:  # the gate says what ended, and only to whom it may
        await context.uow.commit_refusals_only()
        return gone(refusal_text(refused))
    except (AccessDenied, NotFound, PersonalSpaceRequired):
        await context.uow.commit_refusals_only()
        return gone(await _why(context, ids.get("casus")))
    if outcome.card is None:
        return gone(outcome.text or GONE)
    outcome.messages.clear()  # an open queues nothing; a refresh certainly not
    return outcome


async def _why(context: Context, casus_id: int | None) -> str:
    """A reader who was linked to the casus may hear that they are no longer (they knew its
    code); anyone else gets the same answer as for a casus that does not exist. That it
    closed is said by the gate, and only to whom was linked until then (StateRefused)."""
    if casus_id is None:
        return GONE
    former = await context.uow.casussen.former_link(casus_id, context.actor.requester)
    if former is None:
        return GONE
    code, status = former
    if status not in RUNNING and status != "afgesloten":
        return NOT_TAKEN_IN.format(code=code)
    return UNLINKED.format(code=code)


def gone(message: str) -> Outcome:
    return Outcome(card=verlopen_kaart(message), audience=Audience.ANYONE)


def as_card(outcome: Outcome) -> Outcome:
    """What the router answers a refresh with when it got no card (a refusal, a bad or
    stale payload): the same, as a card without anything of the casus."""
    if outcome.card is not None:
        return outcome
    return gone(outcome.text or STALE)
