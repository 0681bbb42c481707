"""Signalen between overleggen, the timeline of a casus, and channel messages that name a
resident (issue #10).

A signal is filled in the 1:1 chat, about a casus of the author's own links; it is kept as
typed for the linked and, when the author chooses, a redacted line goes to the municipality's
channel. `tijdlijn CODE` is shared-safe in a channel and complete, with identity, in the 1:1
chat of the linked. A channel message that names a resident is not read at all: its author is
asked in private to remove it.
"""

from __future__ import annotations

import uuid
from typing import Any

from cards import forms
from cards.signalen import (
    TijdlijnKaart,
    signaal_form,
    signaal_kanaal,
    signaal_vastgelegd,
    tijdlijn_kaart,
)
from dialogs import once
from dialogs.clock import local, utcnow
from dialogs.core import (
    Context,
    Handler,
    Outcome,
    casus_reference,
    control_char_errors,
    private_delivery_text,
    read_form,
)
from dialogs.labels import besluit_label
from dialogs.overleg import REDEN_KORT, SOORT_KORT
from store import reference as ref
from store.access import Need
from store.casus import CasusAccess, CasusClosed
from store.outbox import Message, PrivateMessage, SharedPost
from store.views import Gebeurtenis, SignaalKeuze, TijdlijnView

NONE_LINKED = (
    "Je bent aan geen open casus gekoppeld als betrokken professional, dus je kunt geen "
    "signaal melden. Hoort dat wel zo? Vraag de PGA-expert om je te koppelen."
)
SENT_PRIVATELY = (
    "Ik heb het signaalformulier in je privéchat met Casusoverleg gezet. Vul het daar in: "
    "namen van bewoners horen niet in een kanaal."
)
FILL_PRIVATELY = (
    "Dit formulier hoort niet in een gedeeld gesprek. Typ 'signaal' in je privéchat met "
    "Casusoverleg en vul het daar in."
)
NOT_IN_LIST = (
    "Kies een casus uit de lijst. Een afgesloten casus, of een casus waaraan je niet (meer) "
    "gekoppeld bent, staat er niet in."
)
EMPTY = "Schrijf op wat je zag of hoorde."
NO_CHANNEL = (
    "Je gemeente heeft nog geen kanaal voor het overleg. Zet 'delen' uit, of vraag de "
    "PGA-expert om '@Casusoverleg kanaal' te typen in het kanaal."
)
STILL_IDENTIFYING = (
    "Je tekst bevat iets dat een bewoner aanwijst (een naam, geboortedatum of adres) en dat "
    "niet weggelakt kan worden. Haal het weg, of zet 'delen' uit."
)
CLOSED = "Deze casus is afgesloten: er kan geen signaal meer bij. Er is niets vastgelegd."
ALREADY = "Dit signaal was al vastgelegd."
USE_THE_CODE = (
    "Je signaal over {code} noemde de bewoner. Waar het gedeeld wordt, staat daar [bewoner]. "
    "Gebruik de code, niet de naam."
)
ASK_CODE = "Geef een code, bijvoorbeeld: tijdlijn PGA-2026-001"
ADVISER = "Je adviseert bij deze casus: wie het is en wat er precies getypt is, zie je niet."
SHARED_NOTE = (
    "Zonder namen: de volledige tijdlijn zie je in je privéchat met 'tijdlijn {code}', als je "
    "bij de casus betrokken bent."
)
REMOVE_PLEASE = (
    "Je bericht in het kanaal bevat iets dat een bewoner aanwijst, zoals een naam, "
    "geboortedatum of adres. Iedereen in het kanaal kan het lezen. Verwijder het bericht "
    "alsjeblieft (… bij het bericht, dan Verwijderen) en gebruik alleen de casuscode. Ik heb "
    "niets met het bericht gedaan en er niets van bewaard."
)
CHANNEL_POINTER = "Ik heb je een bericht gestuurd in je privéchat met Casusoverleg."
# What a command whose text named an inwoner reads instead of the words typed after it: no
# casus code, no name. A command reads only a code there, so the channel gets the answer a
# text naming nobody gets (#26): a hit and a miss look the same to everyone who reads it.
NEUTRAL_ARGS = "bewoner"
MAX_REGELS = 40  # a card stays readable and small; the newest entries count most


# --- a channel message that names a resident -------------------------------------------------


def screen(text: str) -> Handler:
    """A step of its own, before the command runs: when `text` (typed in a channel) names an
    inwoner of the channel's gemeente, its author is asked in private to remove it (queued
    here, so it holds whatever the command then answers). Nothing of the text is kept."""

    async def step(context: Context, data: dict[str, Any]) -> Outcome:
        if await context.uow.casussen.screen_channel_message(context.actor.requester, text):
            return Outcome().tell(PrivateMessage(context.actor.id, text=REMOVE_PLEASE))
        return Outcome()

    return step


# --- signalen --------------------------------------------------------------------------------


async def open_form(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.SIGNAAL_OPEN, data, with_args=True)
    keuzes = await context.uow.casussen.signaal_keuzes(context.actor.requester)
    if not keuzes:
        return Outcome(text=NONE_LINKED)
    typed = str(payload.get("_args") or "").strip().upper()
    chosen = next((str(k.casus_id) for k in keuzes if k.code == typed), None)
    values = {"casus": chosen or (str(keuzes[0].casus_id) if len(keuzes) == 1 else "")}
    form = signaal_form(await _options(context, keuzes), values, {}, form_id=uuid.uuid4().hex)
    if not context.actor.requester.in_personal_space:
        reply = Outcome(text=await private_delivery_text(context, SENT_PRIVATELY))
        return reply.tell(PrivateMessage(context.actor.id, card=form))
    return Outcome.private(form)


async def vastleggen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.SIGNAAL_VASTLEGGEN, data)
    if not context.incoming.personal:  # the form itself must live in the 1:1 chat
        return Outcome(text=FILL_PRIVATELY)
    form_id = values.pop("_form", None) or uuid.uuid4().hex
    keuzes = await context.uow.casussen.signaal_keuzes(context.actor.requester)
    if not keuzes:  # e.g. a forwarded card pressed by someone without a link
        return Outcome(text=NONE_LINKED)
    errors = control_char_errors(values)
    if values.get("casus") not in {str(k.casus_id) for k in keuzes}:
        errors.setdefault("casus", NOT_IN_LIST)
    if not values.get("tekst"):
        errors.setdefault("tekst", EMPTY)
    delen = values.get("delen") == "true"
    casus = None if errors else await _open(context, int(values["casus"]))
    if casus is not None and delen:
        errors.update(await _sharing_errors(context, casus, values["tekst"]))
    if casus is None or errors:
        return Outcome.private(
            signaal_form(await _options(context, keuzes), values, errors, form_id)
        )
    if not await once.claim(context, "signaal", form_id):
        return Outcome(text=ALREADY)
    return await _record(context, casus, values["tekst"], delen)


async def _open(context: Context, casus_id: int) -> CasusAccess:
    return await context.uow.casussen.open(casus_id, context.actor.requester, Need.SIGNAAL)


async def _sharing_errors(context: Context, casus: CasusAccess, tekst: str) -> dict[str, str]:
    """The channel line must be possible and name nobody once redacted: another resident's
    name is not this casus's to redact."""
    if not casus.view.kanaal_conversation_id:
        return {"delen": NO_CHANNEL}
    line = (await casus.shared()).redact(tekst)
    if await context.uow.casussen.names_a_resident(context.actor.requester, line):
        return {"tekst": STILL_IDENTIFYING}
    return {}


async def _record(context: Context, casus: CasusAccess, tekst: str, delen: bool) -> Outcome:
    try:
        stored = await casus.record_signaal(tekst, delen=delen)
    except CasusClosed:
        await context.uow.rollback()
        return Outcome(text=CLOSED)
    messages: list[Message] = []
    if delen and casus.view.kanaal_conversation_id:
        shared = await casus.shared()
        gemeld = [
            ("Gemeld op", f"{local(utcnow()):%d-%m-%Y}"),
            ("Door", context.actor.professional.organisatie_naam or "een partner"),
        ]
        card = signaal_kanaal(casus.code, shared.redact(tekst), gemeld)
        messages.append(SharedPost(casus.view.kanaal_conversation_id, shared, card))
    if stored.geredigeerd:
        messages.append(PrivateMessage(context.actor.id, text=USE_THE_CODE.format(code=casus.code)))
    notice = f"Het staat in de tijdlijn van {casus.code}." + (
        " In het kanaal komt een regel met de code, zonder namen."
        if delen
        else " Het kanaal ziet er niets van."
    )
    outcome = Outcome.private(signaal_vastgelegd(casus.id, casus.code, notice), about=casus.id)
    return outcome.tell(*messages)


async def _options(context: Context, keuzes: list[SignaalKeuze]) -> list[tuple[str, str]]:
    """One choice per casus; with casussen of several gemeenten, each names its gemeente."""
    labels = await context.uow.people.gemeente_labels([k.casus_id for k in keuzes])
    return [
        (str(k.casus_id), f"{k.code} ({labels[k.casus_id]})" if k.casus_id in labels else k.code)
        for k in keuzes
    ]


# --- the timeline ----------------------------------------------------------------------------


async def tijdlijn(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.TIJDLIJN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text=ASK_CODE)
    requester = context.actor.requester
    casus = await context.uow.casussen.open(reference, requester, Need.TIJDLIJN)
    view = await casus.tijdlijn()
    note = None if view.volledig else SHARED_NOTE.format(code=view.code)
    if not view.volledig and requester.in_personal_space:
        note = ADVISER
    card = tijdlijn_kaart(
        _kaart(view, note, kan_signaal=requester.in_personal_space and casus.allows(Need.SIGNAAL))
    )
    if view.volledig or requester.in_personal_space:
        return Outcome.private(card, about=casus.id)
    return Outcome.shared(card, await casus.shared())


def _kaart(view: TijdlijnView, note: str | None, *, kan_signaal: bool) -> TijdlijnKaart:
    shown = view.gebeurtenissen[-MAX_REGELS:]
    bewoner = None
    if view.bewoner is not None:
        bewoner = [
            ("Naam", view.bewoner.naam),
            ("Geboortedatum", view.bewoner.geboortedatum.strftime("%d-%m-%Y")),
            ("Woonplaats", view.bewoner.woonplaats),
        ]
    return TijdlijnKaart(
        casus_id=view.casus_id,
        code=view.code,
        regels=[(f"{local(g.at):%d-%m-%Y}", _label(g), g.tekst) for g in shown],
        bewoner=bewoner,
        note=note,
        weggelaten=len(view.gebeurtenissen) - len(shown),
        kan_signaal=kan_signaal,
    )


def _label(gebeurtenis: Gebeurtenis) -> str:
    label = _what(gebeurtenis.soort, gebeurtenis.wat)
    return f"{label} · {gebeurtenis.wie}" if gebeurtenis.wie else label


def _what(soort: str, wat: str) -> str:
    if soort == "aanmelding":
        return "Aangemeld voor advies" if wat == "voor_advies" else "Aangemeld"
    if soort == "besluit":
        kind, _, uitkomst = wat.partition(":")
        return besluit_label(kind, uitkomst)
    if soort in ("koppeling", "ontkoppeling"):
        verb = "Gekoppeld" if soort == "koppeling" else "Ontkoppeld"
        return f"{verb}: {ref.ROL_LABELS.get(wat, wat).lower()}"
    if soort == "overleg":
        kind, _, reden = wat.partition(":")
        return f"{SOORT_KORT.get(kind, kind)} overleg, {REDEN_KORT.get(reden, reden).lower()}"
    if soort == "afspraak":
        return f"Afspraak, uiterlijk {wat[8:10]}-{wat[5:7]}-{wat[:4]}"
    if soort == "signaal":
        return "Signaal, gedeeld in het kanaal" if wat == "gedeeld" else "Signaal"
    return "Startgesprek gepland"
