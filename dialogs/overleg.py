"""The casusoverleg (DESIGN §2.2, issue #10): the PGA-expert plans it and makes the agenda in
the 1:1 chat, publishes it to the municipality's channel, and the chair (or the PGA-expert)
leads it there: one discussion card per casus, shared-safe for everyone, on which each
besluit and afspraak is stored the moment it is pressed.

States of an overleg: gepland → gepubliceerd → lopend → afgerond (store/overleg.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import wraps
from typing import Any

from cards import forms
from cards.overleg import (
    AgendaBericht,
    AgendaKaart,
    AgendaRegel,
    BesprekingKaart,
    DetailsKaart,
    OverlegRegel,
    PlanOptions,
    PresentieKaart,
    SamenvattingPunt,
    Uitnodiging,
    VoorstelRegel,
    agenda_bericht,
    agenda_kaart,
    bespreekkaart,
    details_kaart,
    overleggen_lijst,
    plan_form,
    presentie_kaart,
    samenvatting,
    uitnodiging,
)
from dialogs import once
from dialogs.clock import from_form, local, today
from dialogs.core import Context, Handler, Outcome, control_char_errors, read_form
from dialogs.labels import besluit_label, uitkomst_label
from store import reference as ref
from store.access import NEEDS, AccessDenied, Need
from store.outbox import Message, PrivateMessage, SharedPost
from store.overleg import (
    EDITABLE,
    MINUTEN,
    PRESENTIES,
    REDENEN,
    SOORTEN,
    STATUSSEN,
    UITKOMSTEN,
    OverlegRefused,
    overleggen,
)
from store.views import (
    AgendapuntView,
    AgendaView,
    AgendaVoorstel,
    BesprekingView,
    GedeeldBesluit,
    GedeeldDoel,
    GedeeldeActie,
    GedeeldeAfspraak,
    OverlegView,
    PresentieView,
    SharedCasusView,
)

ONLY_EXPERT = (
    "Het overleg plannen en de agenda maken doet de PGA-expert van de gemeente. Vragen? Neem "
    "contact op met de PGA-expert."
)
ALREADY_PLANNED = "Dit overleg is al gepland."
AGENDA_UNCHANGED = "Deze agenda staat al zo in het kanaal. Er is niets veranderd."
NOTHING_PLANNED = "Er is geen overleg gepland. Plan er een met 'overleg plannen'."
NOTHING_TO_START = (
    "Er is geen overleg met een gepubliceerde agenda om te starten. Publiceer eerst de agenda "
    "met 'agenda publiceren'."
)
NOTHING_RUNNING = "Er loopt nu geen overleg. Start het met 'overleg starten'."
STARTED = (
    "Het overleg is gestart. In het kanaal staan de presentiekaart en per casus een "
    "bespreekkaart ({n}). Wie er is, drukt op 'Ik ben er'. Leg besluiten en afspraken vast "
    "op de bespreekkaarten; rond af met 'overleg afronden'."
)
CLOSED = "Het overleg is afgerond. De samenvatting staat in het kanaal."
WHICH_OVERLEG = "Bedoel je 'overleg', 'overleg plannen', 'overleg starten' of 'overleg afronden'?"
WHICH_AGENDA = "Bedoel je 'agenda' of 'agenda publiceren'?"
STALE_CARD = "Deze kaart is verouderd. Er is niets vastgelegd. Gebruik de nieuwste kaart."
ADVISER = "Je adviseert bij {code}: je ziet niet wie het is."
USE_THE_CODE = (
    "Je typte op de bespreekkaart van {code} iets dat de bewoner aanwijst. In het kanaal staat "
    "daar nu [bewoner]. Gebruik de code, niet de naam."
)
REFUSALS = {
    "geen_kanaal": (
        "Deze gemeente heeft nog geen kanaal. Typ '@Casusoverleg kanaal' in het Teams-kanaal "
        "van het overleg en plan daarna opnieuw."
    ),
    "verleden": "Dit moment is al voorbij. Kies een datum en tijd in de toekomst.",
    "voorzitter": "Kies een voorzitter uit de lijst.",
    "andere_gemeente": "Deze casus hoort bij een andere gemeente. Kies een casus uit de lijst.",
    "casus_gesloten": "Deze casus is afgesloten en kan niet op de agenda. Kies een andere casus.",
    "casus_niet_opgenomen": (
        "Deze casus is nog niet opgenomen. Beslis eerst over de aanmelding met 'triage'."
    ),
    "incidenteel": (
        "Een incidenteel overleg gaat over één casus. Plan een nieuw overleg voor een andere casus."
    ),
    "leeg": "De agenda is nog leeg. Zet eerst minstens één casus op de agenda.",
    "gestart": "Het overleg is al begonnen: de agenda verandert niet meer.",
    "afgerond": (
        "Dit overleg is afgerond: deze kaart werkt niet meer. Typ 'overleg' voor de overleggen."
    ),
    "niet_gestart": "Dit overleg is nog niet begonnen. Start het met 'overleg starten'.",
    "niet_gepubliceerd": (
        "De agenda is nog niet gepubliceerd. Publiceer eerst met 'agenda publiceren'."
    ),
    "loopt_al": "Dit overleg loopt al. De bespreekkaarten staan in het kanaal.",
    "niet_op_agenda": "Dit agendapunt staat niet (meer) op de agenda. Er is niets vastgelegd.",
    "niet_aanwezig": (
        "Je staat niet als aanwezig op de presentielijst. Druk op 'Ik ben er' op de "
        "presentiekaart in het kanaal, of vraag het de voorzitter. Er is niets vastgelegd."
    ),
    "luisteraar": (
        "Je luistert mee bij dit overleg: vastleggen doen anderen. Er is niets veranderd."
    ),
    "geen_bewoner": "De bewoner is niet uitgenodigd voor dit overleg. Er is niets veranderd.",
    "onbekende_persoon": "Kies iemand uit de lijst.",
    "bewoner_structureel": "Alleen bij een incidenteel overleg schuift de bewoner aan.",
    "laatste_punt": (
        "De agenda staat al in het kanaal en dit is het laatste punt. Zet eerst een andere "
        "casus op de agenda, of laat dit punt staan."
    ),
}
PRESENTIE_LABELS = dict(PRESENTIES)
ROLLEN = {
    "betrokken": "betrokken",
    "adviserend": "adviserend",
    "casusregisseur": "casusregisseur",
    "pga_expert": "PGA-expert",
    "voorzitter": "voorzitter",
    "luisteraar": "luistert mee",
    "geen": "geen rol bij deze casus",
}
MAX_KEUZES = 100
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
UITKOMST_LABELS = dict(UITKOMSTEN)
REDEN_KORT = {value: name.split(":")[0] for value, name in REDENEN}
SOORT_KORT = {"structureel": "Structureel", "incidenteel": "Incidenteel"}
MINUTEN_OPTIES = [(str(m), f"{m} minuten") for m in MINUTEN]
ITEM_DEFAULTS = {"reden": "voortgang", "minuten": "10"}
LATEST_DEADLINE = dt.timedelta(days=2 * 365)


def refusals(step: Handler) -> Handler:
    """An overleg that is not in the state for this step: a Dutch message, nothing changed."""

    @wraps(step)
    async def wrapped(context: Context, data: dict[str, Any]) -> Outcome:
        try:
            return await step(context, data)
        except OverlegRefused as refused:
            await context.uow.rollback()
            return Outcome(text=REFUSALS[refused.reason])

    return wrapped


# --- the overleggen --------------------------------------------------------------------------


@refusals
async def lijst(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.OVERLEG_LIJST, data, with_args=True)
    if payload.get("_args"):
        return Outcome(text=WHICH_OVERLEG)
    views = await overleggen(context.uow).lijst(context.actor.requester)
    if not views and not context.actor.is_pga_expert:
        return Outcome(text=ONLY_EXPERT)
    regels = [
        OverlegRegel(
            overleg_id=v.id,
            wanneer=when(v.gepland_op),
            soort=f"{SOORT_KORT.get(v.soort, v.soort)} overleg {v.gemeente_naam}",
            status=STATUSSEN.get(v.status, v.status),
            voorzitter=v.voorzitter_naam,
            agendapunten=v.agendapunten,
            kan_agenda=context.actor.is_pga_expert
            and v.gemeente_id in context.actor.pga_gemeente_ids,
        )
        for v in views
    ]
    return Outcome.private(overleggen_lijst(regels, context.actor.is_pga_expert))


@refusals
async def open_plannen(context: Context, data: dict[str, Any]) -> Outcome:
    read_form(forms.OVERLEG_PLANNEN_OPEN, data, with_args=True)
    options = await _plan_options(context)
    if not options.gemeenten:
        return Outcome(text=ONLY_EXPERT)
    values = {
        "gemeente": options.gemeenten[0][0],
        "soort": "structureel",
        "voorzitter": str(context.actor.id),
    }
    return Outcome.private(plan_form(options, values, {}, uuid.uuid4().hex))


async def _plan_options(context: Context) -> PlanOptions:
    gemeenten = await overleggen(context.uow).planbare_gemeenten(context.actor.requester)
    people = [
        p
        for p in await context.uow.people.active()
        if p.tenant_id == context.actor.requester.tenant_id
    ]
    return PlanOptions(
        gemeenten=[(str(gid), naam) for gid, naam, _ in gemeenten],
        soorten=SOORTEN,
        voorzitters=[(str(p.id), p.label) for p in people],
    )


@refusals
async def plannen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.OVERLEG_PLANNEN, data)
    form_id = values.pop("_form", None) or uuid.uuid4().hex
    earlier = await once.result_of(context, "overleg", form_id)
    if earlier:  # the same form pressed twice: one overleg
        return await _agenda(context, int(earlier), notice=ALREADY_PLANNED)
    options = await _plan_options(context)
    if not options.gemeenten:
        return Outcome(text=ONLY_EXPERT)
    if len(options.gemeenten) == 1:
        values["gemeente"] = options.gemeenten[0][0]
    gemeenten = {
        str(gid): kanaal
        for gid, _, kanaal in await overleggen(context.uow).planbare_gemeenten(
            context.actor.requester
        )
    }
    errors = validate_plan(values, options, gemeenten, dt.datetime.now(dt.UTC))
    if errors:
        return Outcome.private(plan_form(options, values, errors, form_id))
    if not await once.first_press(context, "overleg", form_id):
        # Pressed twice at the same moment: the other press planned it (and waited for it).
        earlier = await once.result_of(context, "overleg", form_id)
        return await _agenda(context, int(earlier or 0), notice=ALREADY_PLANNED)
    planned = await overleggen(context.uow).plan(
        context.actor.requester,
        gemeente_id=int(values["gemeente"]),
        soort=values["soort"],
        gepland_op=from_form(values["datum"], values["tijd"]),
        plaats=values["plaats"],
        voorzitter_id=int(values["voorzitter"]),
        bewoner_uitgenodigd=values.get("bewoner") == "true",
    )
    await once.record(context, "overleg", form_id, str(planned.id))
    return await _agenda(
        context, planned.id, notice="Het overleg is gepland. Zet nu casussen op de agenda."
    )


def validate_plan(
    values: dict[str, Any],
    options: PlanOptions,
    kanalen: Mapping[str, bool],
    now: dt.datetime,
) -> dict[str, str]:
    errors = control_char_errors(values)
    if values.get("gemeente") not in kanalen:
        errors.setdefault("gemeente", "Kies een gemeente.")
    elif not kanalen[values["gemeente"]]:
        errors.setdefault("_form", REFUSALS["geen_kanaal"])
    if values.get("soort") not in dict(SOORTEN):
        errors.setdefault("soort", "Kies structureel of incidenteel.")
    moment = _moment(values, errors)
    if moment is not None and moment <= now:
        errors.setdefault("datum", REFUSALS["verleden"])
    elif moment is not None and moment > now + LATEST_DEADLINE:
        errors.setdefault("datum", "Kies een datum binnen twee jaar.")
    if not values.get("plaats"):
        errors.setdefault("plaats", "Schrijf op waar het overleg is, of plak de link.")
    if values.get("voorzitter") not in dict(options.voorzitters):
        errors.setdefault("voorzitter", REFUSALS["voorzitter"])
    if values.get("bewoner") not in (None, "", "true", "false"):
        errors.setdefault("bewoner", "Zet de schakelaar aan of uit.")
    elif values.get("bewoner") == "true" and values.get("soort") != "incidenteel":
        errors.setdefault("bewoner", REFUSALS["bewoner_structureel"])
    return errors


def _moment(values: dict[str, Any], errors: dict[str, str]) -> dt.datetime | None:
    if not values.get("datum"):
        errors.setdefault("datum", "Kies een datum.")
        return None
    if not values.get("tijd"):
        errors.setdefault("tijd", "Kies een begintijd (uu:mm).")
        return None
    try:
        return from_form(values["datum"], values["tijd"])
    except ValueError:
        errors.setdefault("datum", "Dit is geen geldige datum of tijd. Kies ze opnieuw.")
        return None


# --- the agenda (PGA-expert, 1:1) ------------------------------------------------------------


@refusals
async def agenda(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.AGENDA_OPEN, data, with_args=True)
    if payload.get("_args"):
        return Outcome(text=WHICH_AGENDA)
    if "overleg" in payload:
        return await _agenda(context, payload["overleg"])
    if not context.actor.is_pga_expert:
        return Outcome(text=ONLY_EXPERT)
    upcoming = await overleggen(context.uow).volgende(
        context.actor.requester, (*EDITABLE, "lopend"), Need.OVERLEG_PLANNEN
    )
    if upcoming is None:
        return Outcome(text=NOTHING_PLANNED)
    return await _agenda(context, upcoming.id)


async def _agenda(
    context: Context,
    overleg_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Outcome:
    view = await overleggen(context.uow).agenda(context.actor.requester, overleg_id)
    card = agenda_kaart(_agenda_card(view), values or dict(ITEM_DEFAULTS), errors or {}, notice)
    return Outcome.private(card)


def _agenda_card(view: AgendaView) -> AgendaKaart:
    overleg = view.overleg
    status = overleg.status
    return AgendaKaart(
        overleg_id=overleg.id,
        kop=_kop(overleg),
        status=STATUSSEN.get(status, status),
        gegevens=[
            ("Plaats", overleg.plaats),
            ("Voorzitter", overleg.voorzitter_naam),
            ("Kanaal", f"het kanaal van {overleg.gemeente_naam}"),
        ],
        punten=[
            AgendaRegel(p.id, p.code, tijd, REDEN_KORT.get(p.reden, p.reden))
            for p, tijd in zip(view.punten, _times(overleg, view.punten), strict=True)
        ],
        voorstellen=[
            VoorstelRegel(v.casus_id, v.code, v.reden, _waarom(v)) for v in view.voorstellen
        ],
        casussen=[
            *((str(p.casus_id), f"{p.code} (staat op de agenda)") for p in view.punten),
            *((str(casus_id), code) for casus_id, code in view.beschikbaar),
        ],
        redenen=REDENEN,
        minuten=MINUTEN_OPTIES,
        kan_wijzigen=status in EDITABLE,
        kan_publiceren=status in EDITABLE and bool(view.punten),
        kan_starten=status == "gepubliceerd",
        kan_afronden=status == "lopend",
    )


GEMARKEERD = {
    "afsluiten": "afsluiten: het vorige overleg besloot af te sluiten",
    "afschalen": "afsluiten: het vorige overleg besloot af te schalen",
    "opschalen_zvh": "knelpunt: het vorige overleg besloot op te schalen naar het ZVH",
}


PLAN_ONTBREEKT = {
    "plan": "voortgang: nog geen plan van aanpak",
    "doelen": "voortgang: het plan van aanpak heeft nog geen doelen",
    "acties": "voortgang: het plan van aanpak heeft nog geen acties",
}


def _waarom(voorstel: AgendaVoorstel) -> str:
    if voorstel.gemarkeerd:
        return GEMARKEERD[voorstel.gemarkeerd]
    if voorstel.weken_niet_besproken is None:
        return "nieuw: nog niet besproken, het eerste overleg stelt het plan van aanpak vast"
    if voorstel.acties_te_laat:
        n = voorstel.acties_te_laat
        return f"knelpunt: {n} {'actie' if n == 1 else 'acties'} over de termijn"
    if voorstel.plan_ontbreekt:
        return PLAN_ONTBREEKT[voorstel.plan_ontbreekt]
    return f"voortgang: {voorstel.weken_niet_besproken} weken niet besproken"


@refusals
async def agenda_toevoegen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.AGENDA_TOEVOEGEN, data)
    overleg_id = values.pop("overleg")
    errors = control_char_errors(values)
    if not str(values.get("casus") or "").isdigit():
        errors.setdefault("casus", "Kies een casus.")
    if values.get("reden") not in dict(REDENEN):
        errors.setdefault("reden", "Kies een reden.")
    if values.get("minuten") not in dict(MINUTEN_OPTIES):
        errors.setdefault("minuten", "Kies hoeveel minuten.")
    if errors:
        return await _agenda(context, overleg_id, values, errors)
    return await _add(
        context, overleg_id, int(values["casus"]), values["reden"], int(values["minuten"]), values
    )


@refusals
async def agenda_voorstel(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.AGENDA_VOORSTEL, data)
    reden = values.get("reden") if values.get("reden") in dict(REDENEN) else "voortgang"
    minuten = 20 if reden == "nieuw" else 10
    return await _add(context, values["overleg"], values["casus"], str(reden), minuten, {})


async def _add(
    context: Context,
    overleg_id: int,
    casus_id: int,
    reden: str,
    minuten: int,
    values: dict[str, Any],
) -> Outcome:
    try:
        punt = await overleggen(context.uow).add_item(
            context.actor.requester, overleg_id, casus_id, reden, minuten
        )
    except OverlegRefused as refused:
        await context.uow.rollback()
        return await _agenda(context, overleg_id, values, {"_form": REFUSALS[refused.reason]})
    notice = f"{punt.code} staat op de agenda: {REDEN_KORT[reden].lower()}, {minuten} minuten."
    return await _changed(context, overleg_id, notice)


@refusals
async def agenda_verwijderen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.AGENDA_VERWIJDEREN, data)
    overleg_id = await overleggen(context.uow).remove_item(
        context.actor.requester, values["agendapunt"]
    )
    return await _changed(context, overleg_id, "Het agendapunt is verwijderd.")


@refusals
async def agenda_omhoog(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.AGENDA_OMHOOG, data)
    overleg_id = await overleggen(context.uow).move_up(
        context.actor.requester, values["agendapunt"]
    )
    return await _changed(context, overleg_id, "De volgorde is aangepast.")


@refusals
async def publiceren(context: Context, data: dict[str, Any]) -> Outcome:
    """The agenda to the channel, and a 1:1 invitation to whoever is new on it."""
    payload = read_form(forms.AGENDA_PUBLICEREN, data, with_args=True)
    store = overleggen(context.uow)
    overleg_id = payload.get("overleg")
    if overleg_id is None:
        if not context.actor.is_pga_expert:
            return Outcome(text=ONLY_EXPERT)
        upcoming = await store.volgende(context.actor.requester, EDITABLE, Need.OVERLEG_PLANNEN)
        if upcoming is None:
            return Outcome(text=NOTHING_PLANNED)
        overleg_id = upcoming.id
    notice, messages = await _publish(context, overleg_id)
    outcome = await _agenda(context, overleg_id, notice=notice)
    return outcome.tell(*messages)


async def _publish(context: Context, overleg_id: int) -> tuple[str, list[Message]]:
    """The agenda card for the channel (replacing the one posted before, in place) and an
    invitation to whoever is new on it; what to tell the PGA-expert."""
    published = await overleggen(context.uow).publish(context.actor.requester, overleg_id)
    overleg = published.overleg
    times = dict(
        zip((p.id for p in published.punten), _times(overleg, published.punten), strict=True)
    )
    redactors = [casus.redact for casus in published.casussen.values()]
    bericht = AgendaBericht(
        overleg_id=overleg.id,
        kop=f"Agenda {_kop(overleg, lower=True)}",
        gegevens=_where_and_who(overleg, redactors),
        punten=[(times[p.id], p.code, REDEN_KORT.get(p.reden, p.reden)) for p in published.punten],
        genodigden=[shown(g.naam, g.organisatie_naam, redactors) for g in published.genodigden],
        bijgewerkt=False,
    )
    card = agenda_bericht(bericht)
    inhoud = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()
    changed = await overleggen(context.uow).agenda_changed(overleg.id, inhoud)
    if published.eerder_gepubliceerd and not changed:
        return AGENDA_UNCHANGED, []  # pressed again: the channel's card stays as it is
    if published.eerder_gepubliceerd:
        card = agenda_bericht(replace(bericht, bijgewerkt=True))
    post = await _shared_post(
        context, overleg, list(published.casussen.values()), card, plek=f"agenda:{overleg.id}"
    )
    codes = {p.id: p for p in published.punten}
    invitations = [
        PrivateMessage(
            g.professional_id,
            card=uitnodiging(
                Uitnodiging(
                    kop=_kop(overleg),
                    gegevens=_where_and_who(overleg, ()),
                    punten=[
                        (pid, codes[pid].code, f"{times[pid]} · {REDEN_KORT[codes[pid].reden]}")
                        for pid in g.agendapunt_ids
                    ],
                    voorzitter=g.professional_id == overleg.voorzitter_id,
                    overleg_id=overleg.id,
                )
            ),
        )
        for g in published.genodigden
        if g.nieuw
    ]
    notice = (
        "De agenda staat in het kanaal"
        + (" (bijgewerkt op dezelfde kaart)" if published.eerder_gepubliceerd else "")
        + f". {len(invitations)} nieuwe genodigde(n) kregen een bericht in hun privéchat."
    )
    return notice, [post, *invitations]


async def _changed(context: Context, overleg_id: int, notice: str) -> Outcome:
    """The agenda card after a change; once published, the channel's card follows in place."""
    view = await overleggen(context.uow).get(
        context.actor.requester, overleg_id, Need.OVERLEG_PLANNEN
    )
    if view.status != "gepubliceerd":
        return await _agenda(context, overleg_id, notice=notice)
    published, messages = await _publish(context, overleg_id)
    outcome = await _agenda(context, overleg_id, notice=f"{notice} {published}")
    return outcome.tell(*messages)


async def _shared_post(
    context: Context,
    overleg: OverlegView,
    casussen: Sequence[SharedCasusView],
    card: Any,
    plek: str | None = None,
) -> SharedPost:
    """A post about several casussen: checked against the identifiers of each of them (the
    outbox checks the one it is filed under). With `plek`, it replaces the card posted
    under that key."""
    await context.uow.berichten.check_shared_all([casus.id for casus in casussen], card)
    return SharedPost(overleg.kanaal_conversation_id, casussen[0], card, plek=plek)


# --- leading the overleg (chair or PGA-expert) -----------------------------------------------


@refusals
async def starten(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.OVERLEG_STARTEN, data, with_args=True)
    store = overleggen(context.uow)
    overleg_id = payload.get("overleg")
    if overleg_id is None:
        found = await store.volgende(context.actor.requester, ("gepubliceerd",), Need.BESPREKEN)
        if found is None:
            running = await store.volgende(context.actor.requester, ("lopend",), Need.BESPREKEN)
            return Outcome(text=REFUSALS["loopt_al"] if running else NOTHING_TO_START)
        overleg_id = found.id
    besprekingen = await store.start(context.actor.requester, overleg_id)
    presentie = await _presentie_kaart(
        context, await store.presentie(context.actor.requester, overleg_id)
    )
    posts = [
        await _shared_post(
            context,
            besprekingen[0].overleg,
            [b.casus for b in besprekingen],
            presentie,
            plek=f"presentie:{overleg_id}",
        ),
        *(_bespreking_post(b) for b in besprekingen),
    ]
    message = STARTED.format(n=len(besprekingen))
    if context.incoming.personal and context.actor.is_pga_expert:
        outcome = await _agenda(context, overleg_id, notice=message)
    else:
        outcome = Outcome(text=message)
    return outcome.tell(*posts)


@refusals
async def besluit(context: Context, data: dict[str, Any]) -> Outcome:
    """From the discussion card in the channel: store a besluit at once; the card is
    answered with its new state for everyone."""
    values = read_form(forms.BESPREKING_BESLUIT, data)
    punt_id, form_id = values.pop("agendapunt"), values.pop("_form", None)
    store = overleggen(context.uow)
    bespreking = await store.bespreking(context.actor.requester, punt_id)
    if not form_id:
        return Outcome(text=STALE_CARD)
    errors = control_char_errors(values)
    if values.get("uitkomst") not in UITKOMST_LABELS:
        errors.setdefault("uitkomst", "Kies een besluit uit de lijst.")
    elif values["uitkomst"] == "overig" and not values.get("toelichting"):
        errors.setdefault("toelichting", "Schrijf bij 'overig' op wat er besloten is.")
    if errors:
        return _shared_card(bespreking, values, errors)
    if not await once.claim(context, "besluit", form_id):
        return _shared_card(bespreking, {}, {}, "Dit besluit was al vastgelegd.")
    stored = await store.record_besluit(
        context.actor.requester, punt_id, values["uitkomst"], values.get("toelichting") or ""
    )
    fresh = await store.bespreking(context.actor.requester, punt_id)
    notice = f"Besluit vastgelegd: {UITKOMST_LABELS[values['uitkomst']]}."
    outcome = _shared_card(fresh, {}, {}, notice).tell(_bespreking_post(fresh))
    if stored.geredigeerd:
        outcome.tell(_use_the_code(context, fresh.casus.code))
    return outcome


@refusals
async def afspraak(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BESPREKING_AFSPRAAK, data)
    punt_id, form_id = values.pop("agendapunt"), values.pop("_form", None)
    store = overleggen(context.uow)
    bespreking = await store.bespreking(context.actor.requester, punt_id)
    if not form_id:
        return Outcome(text=STALE_CARD)
    errors = validate_afspraak(values, {str(e.professional_id) for e in bespreking.eigenaren})
    if errors:
        return _shared_card(bespreking, values, errors)
    if not await once.claim(context, "afspraak", form_id):
        return _shared_card(bespreking, {}, {}, "Deze afspraak was al vastgelegd.")
    stored = await store.record_afspraak(
        context.actor.requester,
        punt_id,
        values["afspraak"],
        int(values["eigenaar"]),
        dt.date.fromisoformat(values["deadline"]),
    )
    fresh = await store.bespreking(context.actor.requester, punt_id)
    outcome = _shared_card(fresh, {}, {}, "Afspraak vastgelegd.").tell(_bespreking_post(fresh))
    if stored.geredigeerd:
        outcome.tell(_use_the_code(context, fresh.casus.code))
    return outcome


def validate_afspraak(values: dict[str, Any], eigenaren: set[str]) -> dict[str, str]:
    errors = control_char_errors(values)
    if not values.get("afspraak"):
        errors.setdefault("afspraak", "Schrijf op wat er afgesproken is.")
    if values.get("eigenaar") not in eigenaren:
        errors.setdefault("eigenaar", "Kies wie het doet.")
    raw = values.get("deadline") or ""
    try:
        deadline = dt.date.fromisoformat(raw)
    except ValueError:
        errors.setdefault("deadline", "Kies een datum.")
    else:
        if deadline < today():
            errors.setdefault("deadline", "Deze datum is al voorbij. Kies een datum vanaf vandaag.")
        elif deadline > today() + LATEST_DEADLINE:
            errors.setdefault("deadline", "Kies een datum binnen twee jaar.")
    return errors


def _use_the_code(context: Context, code: str) -> PrivateMessage:
    # Not filed under the casus: the chair need not be linked to it, and the notice names
    # only the code.
    return PrivateMessage(context.actor.id, text=USE_THE_CODE.format(code=code))


def _bespreking_post(bespreking: BesprekingView) -> SharedPost:
    """The discussion card in the channel under its own key: posted at the start, replaced
    in place after each besluit or afspraak, so everyone sees the stored state (not only
    whoever pressed)."""
    return SharedPost(
        bespreking.overleg.kanaal_conversation_id,
        bespreking.casus,
        _bespreekkaart(bespreking),
        plek=f"bespreking:{bespreking.punt.id}",
    )


def _shared_card(
    bespreking: BesprekingView,
    values: dict[str, Any],
    errors: dict[str, str],
    notice: str | None = None,
) -> Outcome:
    """The discussion card for everyone in the channel. What was typed is shown again only
    redacted."""
    redact = bespreking.redact
    shown = {
        key: redact(value) if isinstance(value, str) else value for key, value in values.items()
    }
    return Outcome.shared(_bespreekkaart(bespreking, shown, errors, notice), bespreking.casus)


def _bespreekkaart(
    bespreking: BesprekingView,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    casus, punt = bespreking.casus, bespreking.punt
    view = BesprekingKaart(
        agendapunt_id=punt.id,
        code=casus.code,
        kop=(
            f"Agendapunt {bespreking.positie} van {bespreking.aantal} · "
            f"{REDEN_KORT.get(punt.reden, punt.reden)} · {punt.minuten} minuten"
        ),
        kenmerken=[
            ("Doelgroep", ref.label(ref.DOELGROEPEN, casus.doelgroep)),
            ("Criteria", f"{casus.criteria_met} van 3"),
            ("Leefgebieden", str(casus.leefgebieden)),
        ],
        aan_tafel=[
            f"{shown(a.naam, a.organisatie_naam, [bespreking.redact])} · {ROLLEN[a.rol]}"
            for a in bespreking.aan_tafel
        ],
        besluiten=[
            *(f"Eerder, {_besluit_line(b)}" for b in bespreking.eerdere_besluiten),
            *(_besluit_line(b) for b in bespreking.besluiten),
        ],
        afspraken=[_afspraak_line(a, [bespreking.redact]) for a in bespreking.afspraken],
        doelen=[_doel_line(d) for d in bespreking.doelen],
        acties=[_actie_line(a, [bespreking.redact]) for a in bespreking.open_acties],
        uitkomsten=UITKOMSTEN,
        eigenaren=[
            (str(e.professional_id), shown(e.naam, e.organisatie, [bespreking.redact]))
            for e in bespreking.eigenaren
        ],
        form_id=uuid.uuid4().hex,
    )
    return bespreekkaart(view, values or {}, errors or {}, notice)


def _afspraak_line(afspraak: GedeeldeAfspraak, redactors: Sequence[Callable[[str], str]]) -> str:
    eigenaar = shown(afspraak.eigenaar_naam, afspraak.eigenaar_organisatie, redactors)
    return f"{afspraak.tekst} · {eigenaar} · uiterlijk {afspraak.deadline:%d-%m-%Y}"


def _doel_line(doel: GedeeldDoel) -> str:
    status = "" if doel.status == "open" else f" ({doel.status})"
    return f"{doel.leefgebied}: {doel.tekst}{status}" if doel.leefgebied else doel.tekst + status


def _actie_line(actie: GedeeldeActie, redactors: Sequence[Callable[[str], str]]) -> str:
    """Open actions of the plan; one past its deadline says so (the discussion's knelpunt)."""
    eigenaar = shown(actie.eigenaar_naam, actie.eigenaar_organisatie, redactors)
    te_laat = " · over de termijn" if actie.deadline < today() else ""
    return f"{actie.tekst} · {eigenaar} · uiterlijk {actie.deadline:%d-%m-%Y}{te_laat}"


def _besluit_line(besluit: GedeeldBesluit) -> str:
    line = f"{local(besluit.genomen_at):%d-%m-%Y} {_besluit_label(besluit)}"
    return f"{line}: {besluit.tekst}" if besluit.tekst else line


def _besluit_label(besluit: GedeeldBesluit) -> str:
    """On the overleg's own cards an overleg besluit is named by its outcome alone."""
    if besluit.soort == "overleg":
        return uitkomst_label(besluit.soort, besluit.uitkomst)
    return besluit_label(besluit.soort, besluit.uitkomst)


@refusals
async def details(context: Context, data: dict[str, Any]) -> Outcome:
    """Pull, not push: who it is, in the presser's 1:1 chat, only while they are linked."""
    values = read_form(forms.OVERLEG_DETAILS, data)
    casus = await overleggen(context.uow).open_casus(
        context.actor.requester, values["agendapunt"], Need.OVERZICHT
    )
    if not casus.allows(Need.IDENTITEIT):
        return Outcome(text=ADVISER.format(code=casus.code))
    persoon = await casus.identiteit("details casusoverleg")
    besluiten = await casus.besluiten()  # in full: this is the 1:1 chat of a linked professional
    view = DetailsKaart(
        code=casus.code,
        bewoner=[
            ("Naam", persoon.naam),
            ("Geboortedatum", persoon.geboortedatum.strftime("%d-%m-%Y")),
            ("Woonplaats", persoon.woonplaats),
        ],
        besluiten=[
            _besluit_line(GedeeldBesluit(b.genomen_at, b.soort, b.uitkomst, b.toelichting))
            for b in besluiten
        ],
        afspraken=[
            f"{a.beschrijving} · {a.eigenaar_naam} · uiterlijk {a.deadline:%d-%m-%Y}"
            for a in await casus.afspraken()
        ],
        agendapunt_id=values["agendapunt"],
    )
    return Outcome.private(details_kaart(view), about=casus.id)


@refusals
async def afronden(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.OVERLEG_AFRONDEN, data, with_args=True)
    store = overleggen(context.uow)
    overleg_id = payload.get("overleg")
    if overleg_id is None:
        running = await store.volgende(context.actor.requester, ("lopend",), Need.BESPREKEN)
        if running is None:
            return Outcome(text=NOTHING_RUNNING)
        overleg_id = running.id
    overleg, besprekingen = await store.close(context.actor.requester, overleg_id)
    outcome = Outcome(text=CLOSED)
    if context.incoming.personal and context.actor.is_pga_expert:
        outcome = await _agenda(context, overleg.id, notice=CLOSED)
    if besprekingen:
        redactors = [besprekingen[0].redact]  # every resident on the agenda
        card = samenvatting(
            f"{_kop(overleg)} · {len(besprekingen)} agendapunt(en)",
            [
                SamenvattingPunt(
                    code=b.casus.code,
                    besproken=b.punt.besproken,
                    besluiten=[
                        _besluit_label(x) + (f": {x.tekst}" if x.tekst else "") for x in b.besluiten
                    ],
                    afspraken=[_afspraak_line(a, redactors) for a in b.afspraken],
                )
                for b in besprekingen
            ],
        )
        outcome.tell(await _shared_post(context, overleg, [b.casus for b in besprekingen], card))
        # The minutes (#12): a channel card to fetch them, the full ones for the PGA-expert.
        from dialogs.verslag import na_afronden

        outcome.tell(*await na_afronden(context, overleg.id))
    return outcome


# --- attendance ------------------------------------------------------------------------------


@refusals
async def presentie_melden(context: Context, data: dict[str, Any]) -> Outcome:
    """An invitee: 'Ik ben er' on the channel card, or 'Ik kan niet' (also from the
    invitation in the 1:1 chat)."""
    values = read_form(forms.PRESENTIE_MELDEN, data)
    antwoord = values.get("antwoord")
    if antwoord not in ("aanwezig", "afgemeld"):
        return Outcome(text=STALE_CARD)
    view = await overleggen(context.uow).meld(
        context.actor.requester, values["overleg"], antwoord == "aanwezig"
    )
    # The card is seen by everyone: the notice names nobody (the list shows who).
    notice = "Presentie bijgewerkt." if antwoord == "aanwezig" else "Afmelding vastgelegd."
    return await _presentie_outcome(context, view, notice)


@refusals
async def presentie_vastleggen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.PRESENTIE_VASTLEGGEN, data)
    store = overleggen(context.uow)
    errors = control_char_errors(values)
    if not str(values.get("wie") or "").isdigit():
        errors.setdefault("wie", "Kies wie.")
    if values.get("status") not in PRESENTIE_LABELS:
        errors.setdefault("status", "Kies aanwezig, luistert mee, afwezig met bericht of afwezig.")
    if errors:
        view = await store.presentie(context.actor.requester, values["overleg"])
        if not NEEDS[Need.BESPREKEN].roles & view.overleg.roles:
            raise AccessDenied(str(Need.BESPREKEN))
        return await _presentie_outcome(context, view, None, errors)
    view = await store.set_presentie(
        context.actor.requester, values["overleg"], int(values["wie"]), values["status"]
    )
    return await _presentie_outcome(
        context, view, f"Vastgelegd: {PRESENTIE_LABELS[values['status']].lower()}."
    )


@refusals
async def presentie_bewoner(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.PRESENTIE_BEWONER, data)
    if values.get("antwoord") not in ("ja", "nee"):
        return Outcome(text=STALE_CARD)
    view = await overleggen(context.uow).set_bewoner(
        context.actor.requester, values["overleg"], values["antwoord"] == "ja"
    )
    return await _presentie_outcome(context, view, "De presentie van de bewoner is vastgelegd.")


async def _presentie_outcome(
    context: Context,
    view: PresentieView,
    notice: str | None,
    errors: dict[str, str] | None = None,
) -> Outcome:
    """Pressed in the channel: the card changes there, for everyone. Pressed in the 1:1 chat
    (the invitation): a short answer there, and the channel's card follows in place."""
    card = await _presentie_kaart(context, view, errors, notice)
    if not context.incoming.personal:
        return Outcome.anyone(card)
    outcome = Outcome(text=f"{notice} Dat staat nu op de presentielijst." if notice else None)
    if view.overleg.status == "lopend":
        outcome.tell(await _presentie_post(context, view, card))
    return outcome


async def _presentie_post(context: Context, view: PresentieView, card: Any) -> SharedPost:
    agenda = await overleggen(context.uow).shared_casussen(context.actor.requester, view.overleg.id)
    return await _shared_post(
        context, view.overleg, agenda, card, plek=f"presentie:{view.overleg.id}"
    )


async def _presentie_kaart(
    context: Context,
    view: PresentieView,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    redactors = [view.redact]

    def label(person: Any) -> str:
        name = shown(person.naam, person.organisatie_naam, redactors)
        return f"{name} (luistert mee)" if person.luisteraar else name

    mensen = [(str(p.professional_id), label(p)) for p in view.mensen]
    listed = {p.professional_id for p in view.mensen}
    if view.overleg.status == "lopend":
        colleagues = [
            p
            for p in await context.uow.people.active()
            if p.tenant_id == context.actor.requester.tenant_id and p.id not in listed
        ]
        mensen += [
            (str(p.id), shown(p.naam, p.organisatie_naam, redactors))
            for p in colleagues[: max(0, MAX_KEUZES - len(mensen))]
        ]
    bewoner = None
    if view.bewoner_uitgenodigd:
        bewoner = {
            None: "uitgenodigd, nog niet vastgelegd",
            True: "aanwezig",
            False: "niet aanwezig",
        }[view.bewoner_aanwezig]
    return presentie_kaart(
        PresentieKaart(
            overleg_id=view.overleg.id,
            kop=_kop(view.overleg),
            aanwezig=[label(p) for p in view.mensen if p.aanwezig],
            afgemeld=[label(p) for p in view.mensen if p.afgemeld],
            nog_niet=[
                label(p) for p in view.mensen if p.uitgenodigd and not (p.aanwezig or p.afgemeld)
            ],
            bewoner=bewoner,
            mensen=mensen,
            statussen=PRESENTIES,
            lopend=view.overleg.status == "lopend",
        ),
        errors or {},
        notice,
    )


# --- helpers ---------------------------------------------------------------------------------


def when(moment: dt.datetime) -> str:
    """A stored moment as people read it: 'ma 14-12-2026 14:00' (Amsterdam time)."""
    shown = local(moment)
    return f"{WEEKDAYS[shown.weekday()]} {shown:%d-%m-%Y %H:%M}"


def _kop(overleg: OverlegView, *, lower: bool = False) -> str:
    soort = SOORT_KORT.get(overleg.soort, overleg.soort)
    return (
        f"{soort.lower() if lower else soort} overleg {overleg.gemeente_naam}, "
        f"{when(overleg.gepland_op)}"
    )


def _where_and_who(
    overleg: OverlegView, redactors: Sequence[Callable[[str], str]]
) -> list[tuple[str, str]]:
    return [
        ("Wanneer", when(overleg.gepland_op)),
        ("Waar", _redacted(overleg.plaats, redactors)),
        ("Voorzitter", shown(overleg.voorzitter_naam, overleg.voorzitter_organisatie, redactors)),
    ]


def _redacted(text: str, redactors: Sequence[Callable[[str], str]]) -> str:
    for redact in redactors:
        text = redact(text)
    return text


def shown(naam: str, organisatie: str | None, redactors: Sequence[Callable[[str], str]]) -> str:
    """A professional as a shared card names them: name and organisation, or only the
    organisation when the name shares a part with a resident on it (a colleague called like
    the resident must not make the card unpostable, nor hint at the resident's name)."""
    label = f"{naam} ({organisatie})" if organisatie else naam
    if all(redact(label) == label for redact in redactors):
        return label
    return organisatie or "een collega"


def _times(overleg: OverlegView, punten: Sequence[AgendapuntView]) -> list[str]:
    """Each item's slot, from the start and the minutes of the items before it."""
    start = local(overleg.gepland_op)
    slots = []
    for punt in punten:
        end = start + dt.timedelta(minutes=punt.minuten)
        slots.append(f"{start:%H:%M}–{end:%H:%M}")
        start = end
    return slots
