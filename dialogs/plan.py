"""The plan van aanpak and acties (#11): `plan CODE`, one goal or one action at a time,
`acties`, afgerond and uitstel from any card, and calling in the procesregisseur.

Every change goes through store/plan.py (the gate and the history). Bad input — a deadline
in the past, an owner not linked, a closed casus, completing twice, someone else's card —
gets a Dutch message and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from functools import wraps
from typing import Any

from cards import forms
from cards.base import Option
from cards.plan import (
    ActieKaart,
    ActieRegel,
    DoelKaart,
    PlanKaart,
    actie_kaart,
    acties_kaart,
    afgerond_kaart,
    doel_kaart,
    escalatie_kaart,
    plan_kaart,
    uitstel_verzoek_kaart,
)
from dialogs import once
from dialogs.clock import local, today, utcnow
from dialogs.core import (
    Config,
    Context,
    Handler,
    Outcome,
    casus_reference,
    control_char_errors,
    read_form,
)
from dialogs.herinneringen import DIGEST
from store import interventies
from store import reference as ref
from store.access import Need, NotFound, PersonalSpaceRequired
from store.outbox import PrivateMessage
from store.plan import (
    ActieView,
    Herinneringsregels,
    PlanAccess,
    PlanRefused,
    PlanView,
    plannen,
)

ASK_CODE = "Geef een code, bijvoorbeeld: plan PGA-2026-001"
REFUSALS = {
    "gesloten": "Deze casus is afgesloten: het plan verandert niet meer. Er is niets veranderd.",
    "deadline_voorbij": "Deze datum is al voorbij. Kies een datum vanaf vandaag.",
    "deadline_ver": "Kies een datum binnen twee jaar.",
    "eigenaar": (
        "Deze eigenaar werkt niet (meer) aan de casus. Kies iemand uit de lijst, of vraag de "
        "PGA-expert om diegene eerst te koppelen."
    ),
    "al_afgerond": "Deze actie was al afgerond. Er is niets veranderd.",
    "al_vervallen": "Deze actie is vervallen. Er is niets veranderd.",
    "niet_eigenaar": (
        "Deze actie is niet van jou: alleen de eigenaar of de casusregisseur kan haar afronden "
        "of uitstel vragen. Er is niets veranderd."
    ),
    "uitstel_datum": "Kies een nieuwe datum na de huidige deadline, binnen twee jaar.",
    "geen_uitstel": (
        "Over dit uitstel is al beslist, of er is geen uitstel gevraagd. Er is niets veranderd."
    ),
    "uitstel_al_gevraagd": "Dit uitstel is al gevraagd. De casusregisseur beslist.",
    "status": "Kies een status uit de lijst.",
    "reden": "Schrijf op waarom de actie vervalt.",
    "score": "Kies een score van 1 tot 5.",
    "leefgebied": "Kies een leefgebied uit de lijst.",
}
# A second press of the same button (a double-click, a retry): what the first one did.
ALREADY_DONE = {
    "doel": "Dit doel is al vastgelegd.",
    "actie": "Deze actie is al toegevoegd.",
    "escaleren": "De procesregisseur is al ingeschakeld.",
}
ADVISER_NOTE = "Je adviseert bij deze casus: je ziet de scores, niet de teksten van het plan."
LOCAL_ONLY = "Dit commando bestaat alleen in de lokale demo."


def refusals(step: Handler) -> Handler:
    """Bad input the store refuses: a Dutch message, nothing changed."""

    @wraps(step)
    async def wrapped(context: Context, data: dict[str, Any]) -> Outcome:
        try:
            return await step(context, data)
        except PlanRefused as refused:
            await context.uow.rollback()
            return Outcome(text=REFUSALS[refused.reason])

    return wrapped


# Refusals about one field of a form: shown next to that field, the form kept as typed.
FIELD_REFUSALS = {
    "deadline_voorbij": "deadline",
    "deadline_ver": "deadline",
    "eigenaar": "eigenaar",
    "uitstel_datum": "tot",
    "status": "actie_status",
    "reden": "reden",
}


def field_errors(refused: PlanRefused) -> dict[str, str]:
    """The form error for a refusal about one field; re-raised when it is about no field.
    The store checks these fields before it writes anything, so nothing is to be undone."""
    field = FIELD_REFUSALS.get(refused.reason)
    if field is None:
        raise refused
    return {field: REFUSALS[refused.reason]}


def regels(config: Config) -> Herinneringsregels:
    return Herinneringsregels(
        dagen_voor=config.reminder_days_before,
        escalatie_na=config.escalation_days,
        tijd=dt.time.fromisoformat(config.reminder_time),
    )


# --- the plan ----------------------------------------------------------------------------------


@refusals
async def show(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.PLAN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text=ASK_CODE)
    plan = await plannen(context.uow).open(reference, context.actor.requester, Need.OVERZICHT)
    if not context.actor.requester.in_personal_space:
        # Like `casus CODE`: the plan goes to the 1:1 chat, a channel sees nothing of it.
        raise PersonalSpaceRequired(str(Need.PLAN))
    return await _plan(context, plan)


async def _plan(
    context: Context,
    plan: PlanAccess,
    *,
    notice: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Outcome:
    view = await plan.view()
    kaart = await _plan_kaart(
        context.config, plan, view, notice=notice, values=values, errors=errors
    )
    if view.met_teksten and plan.casus.allows(Need.IDENTITEIT):
        # Who it is: for the linked, in their 1:1 chat (the plan needs it), audited.
        persoon = await plan.casus.identiteit("plan van aanpak")
        kaart = replace(
            kaart,
            bewoner=[
                ("Bewoner", persoon.naam),
                ("Geboortedatum", persoon.geboortedatum.strftime("%d-%m-%Y")),
            ],
        )
    return Outcome.private(plan_kaart(kaart), about=plan.id)


async def _plan_kaart(
    config: Config,
    plan: PlanAccess,
    view: PlanView,
    *,
    notice: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> PlanKaart:
    leefgebieden = [
        (r.leefgebied, _leefgebied_regel(r.probleem, r.start, r.nu, r.scores))
        for r in view.leefgebieden
    ]
    doelen = [
        (
            str(d.id),
            f"{d.leefgebied or 'Algemeen'} · {DOEL_LABELS.get(d.status, d.status)}",
            f"{d.omschrijving} — goed genoeg als: {d.goed_genoeg_als}",
        )
        for d in view.doelen
    ]
    catalogus = interventies.load(config.interventies_file or None)
    namen = {r.sleutel: r.leefgebied for r in view.leefgebieden}
    geschiedenis = (
        [
            f"{local(at):%d-%m-%Y %H:%M} {wie}: {_wijziging(onderwerp, wat)}"
            for at, wie, onderwerp, wat in await plan.history()
        ][:8]
        if view.met_teksten
        else []
    )
    return PlanKaart(
        casus_id=view.casus_id,
        code=view.code,
        status=f"{ref.CASUS_STATUS_LABELS.get(view.status, view.status)}",
        leefgebieden=leefgebieden,
        doelen=doelen,
        acties=[_regel(a, a.beschrijving) for a in view.acties],
        geschiedenis=geschiedenis,
        note=None if view.met_teksten else ADVISER_NOTE,
        verborgen=None if view.met_teksten else (view.verborgen_doelen, view.verborgen_acties),
        notice=notice,
        leefgebied_opties=await _leefgebied_opties(plan),
        eigenaar_opties=[(e.waarde, e.label) for e in await plan.eigenaren()]
        if view.kan_actie
        else [],
        doel_opties=[(str(d.id), d.omschrijving[:60]) for d in view.doelen if d.status == "open"],
        interventie_opties=[(i.naam, i.naam) for i in catalogus],
        suggesties=[
            (i.naam, namen.get(i.leefgebied, i.leefgebied), f"{i.beschrijving} Bron: {i.bron}.")
            for i in interventies.suggesties(
                catalogus, [r.sleutel for r in view.leefgebieden], view.doelgroep
            )
        ]
        if view.kan_actie
        else [],
        kan_doel=view.kan_doel and view.met_teksten,
        kan_leefgebied=view.kan_leefgebied and view.met_teksten,
        kan_actie=view.kan_actie,
        kan_regie=view.kan_regie,
        values=values or {},
        errors=errors or {},
        form_id=uuid.uuid4().hex,
    )


DOEL_LABELS = {"open": "open", "behaald": "behaald", "vervallen": "vervallen"}
WIJZIGINGEN = {
    "toegevoegd": "toegevoegd",
    "probleem": "probleem bijgewerkt",
    "status": "status gewijzigd",
    "deadline": "deadline gewijzigd",
    "uitstel_gevraagd": "uitstel gevraagd",
    "uitstel": "uitstel beslist",
    "procesregisseur_ingeschakeld": "procesregisseur ingeschakeld",
    "uit_afspraak": "uit afspraak in het overleg",
    "omschrijving": "omschrijving gewijzigd",
    "goed_genoeg_als": "'goed genoeg als' gewijzigd",
    "beschrijving": "beschrijving gewijzigd",
    "eigenaar_soort": "eigenaar gewijzigd",
    "eigenaar_professional_id": "eigenaar gewijzigd",
    "eigenaar_organisatie_id": "eigenaar gewijzigd",
    "reden": "reden gewijzigd",
    "interventie": "interventie gewijzigd",
}
ONDERWERPEN = {"actie": "actie", "doel": "doel", "probleem": "leefgebied", "casus": "casus"}


def _wijziging(onderwerp: str, wat: str) -> str:
    """A history line in words: a score is stored under its moment ("overleg:12" or
    "datum:2026-12-01"), an internal key a user should not see."""
    if onderwerp == "score":
        return "score gegeven in een overleg" if wat.startswith("overleg:") else "score gegeven"
    return f"{WIJZIGINGEN.get(wat, 'gewijzigd')} ({ONDERWERPEN.get(onderwerp, onderwerp)})"


def _leefgebied_regel(probleem: str | None, start: int | None, nu: int | None, keer: int) -> str:
    parts = [probleem] if probleem else []
    if nu is not None and start is not None:
        if keer > 1:
            delta = nu - start
            beweging = "gelijk" if delta == 0 else f"{delta:+d}"
            parts.append(f"score {start} → {nu} ({beweging} sinds de start)")
        else:
            parts.append(f"score {nu} (start)")
    return " · ".join(parts) or "–"


async def _leefgebied_opties(plan: PlanAccess) -> list[Option]:
    return [(str(g.id), g.naam) for g in await plan.leefgebieden()]


def _regel(actie: ActieView, tekst: str) -> ActieRegel:
    open_ = actie.status in ("open", "bezig")
    return ActieRegel(
        actie_id=actie.id,
        code=actie.code,
        tekst=tekst,
        eigenaar=actie.eigenaar,
        deadline=f"{actie.deadline:%d-%m-%Y}",
        status=actie.status,
        te_laat=open_ and actie.deadline < today(),
        uitstel=f"Uitstel gevraagd tot {actie.uitstel_tot:%d-%m-%Y}" if actie.uitstel_tot else None,
        kan_afronden=open_ and actie.mag_afronden,
        kan_uitstel=open_ and actie.mag_afronden and actie.uitstel_tot is None,
    )


@refusals
async def leefgebied(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.PLAN_LEEFGEBIED, data)
    plan = await plannen(context.uow).open(
        values.pop("casus"), context.actor.requester, Need.LEEFGEBIED
    )
    errors = control_char_errors(values)
    if not values.get("leefgebied", "").isdigit():
        errors.setdefault("leefgebied", "Kies een leefgebied uit de lijst.")
    score = values.get("score") or ""
    if score and score not in "12345":
        errors.setdefault("score", REFUSALS["score"])
    if not values.get("probleem") and not score:
        errors.setdefault("probleem", "Schrijf het probleem op, of kies een score.")
    if errors:
        return await _plan(context, plan, values=values, errors=errors)
    await plan.set_leefgebied(
        int(values["leefgebied"]),
        values.get("probleem") or None,
        int(score) if score else None,
        today(),
    )
    return await _plan(context, plan, notice="Leefgebied bijgewerkt.")


# --- goals -------------------------------------------------------------------------------------


@refusals
async def doel_open(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.DOEL_OPEN, data)
    plan = await plannen(context.uow).open(values["casus"], context.actor.requester, Need.DOEL)
    doel = await plan.doel(_token_id(values.get("doel")))
    return await _doel_card(
        context,
        plan,
        doel.id,
        doel.versie,
        {
            "omschrijving": doel.omschrijving,
            "goed_genoeg_als": doel.goed_genoeg_als,
            "doel_status": doel.status,
        },
        {},
    )


async def _doel_card(
    context: Context,
    plan: PlanAccess,
    doel_id: int,
    versie: int,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Outcome:
    view = await plan.view()
    kaart = await _plan_kaart(context.config, plan, view, values=values, errors=errors)
    return Outcome.private(doel_kaart(DoelKaart(kaart, str(doel_id), str(versie))), about=plan.id)


@refusals
async def doel(context: Context, data: dict[str, Any]) -> Outcome:
    """Add a goal, or change one (a besluit of the PGA-expert)."""
    values = read_form(forms.PLAN_DOEL, data)
    form_id = once.form_id_of(values)
    values.pop("_form", None)
    plan = await plannen(context.uow).open(values.pop("casus"), context.actor.requester, Need.DOEL)
    doel_token, versie = values.pop("doel", ""), values.pop("versie", "")
    errors = control_char_errors(values)
    if not values.get("omschrijving"):
        errors.setdefault("omschrijving", "Schrijf het doel op.")
    if not values.get("goed_genoeg_als"):
        errors.setdefault("goed_genoeg_als", "Schrijf op wanneer het goed genoeg is.")
    gebied = values.get("doel_leefgebied") or ""
    if gebied and not gebied.isdigit():
        errors.setdefault("doel_leefgebied", REFUSALS["leefgebied"])
    if doel_token:
        doel_id = _token_id(doel_token)
        if errors:
            return await _doel_card(context, plan, doel_id, _token_id(versie), values, errors)
        await plan.change_doel(
            doel_id,
            _token_id(versie),
            omschrijving=values["omschrijving"],
            goed_genoeg_als=values["goed_genoeg_als"],
            status=values.get("doel_status") or "open",
        )
        return await _plan(context, plan, notice="Doel gewijzigd (vastgelegd als besluit).")
    if errors:
        return await _plan(context, plan, values=values, errors=errors)
    if not await once.first_press(context, "doel", form_id):
        return await _plan(context, plan, notice=ALREADY_DONE["doel"])
    added = await plan.add_doel(
        int(gebied) if gebied else None, values["omschrijving"], values["goed_genoeg_als"]
    )
    await once.record(context, "doel", form_id, str(added))
    return await _plan(context, plan, notice="Doel vastgelegd (als besluit).")


def _token_id(value: Any) -> int:
    """An id carried as a token: digits only, else the card is stale."""
    if not isinstance(value, str) or not value.isdigit():
        raise NotFound("token")
    return int(value)


# --- actions -----------------------------------------------------------------------------------


def validate_actie(values: dict[str, Any], *, new: bool, known: set[str]) -> dict[str, str]:
    errors = control_char_errors(values)
    if not values.get("beschrijving"):
        errors.setdefault("beschrijving", "Schrijf op wat er moet gebeuren.")
    if not values.get("eigenaar"):
        errors.setdefault("eigenaar", "Kies wie het doet.")
    try:
        dt.date.fromisoformat(values.get("deadline") or "")
    except ValueError:
        errors.setdefault("deadline", "Kies een datum.")
    if values.get("actie_doel") and not str(values["actie_doel"]).isdigit():
        errors.setdefault("actie_doel", "Kies een doel uit de lijst.")
    if not new and values.get("actie_status") == "vervallen" and not values.get("reden"):
        errors.setdefault("reden", REFUSALS["reden"])
    if values.get("interventie") and values["interventie"] not in known:
        errors.setdefault("interventie", "Kies een interventie uit de lijst, of laat het leeg.")
    return errors


@refusals
async def actie(context: Context, data: dict[str, Any]) -> Outcome:
    """Add an action, or change one (casusregisseur, betrokkenen)."""
    values = read_form(forms.PLAN_ACTIE, data)
    form_id = once.form_id_of(values)
    values.pop("_form", None)
    plan = await plannen(context.uow).open(values.pop("casus"), context.actor.requester, Need.ACTIE)
    actie_token, versie = values.pop("actie", ""), values.pop("versie", "")
    catalogus = interventies.load(context.config.interventies_file or None)
    errors = validate_actie(values, new=not actie_token, known={i.naam for i in catalogus})
    if errors and actie_token:
        return await _actie_card(
            context, plan, _token_id(actie_token), values=values, errors=errors
        )
    if errors:
        return await _plan(context, plan, values=values, errors=errors)
    common = {
        "beschrijving": values["beschrijving"],
        "eigenaar": values["eigenaar"],
        "deadline": dt.date.fromisoformat(values["deadline"]),
        "vandaag": today(),
        "regels": regels(context.config),
        "interventie": values.get("interventie") or None,
    }
    if actie_token:
        actie_id = _token_id(actie_token)
        try:
            await plan.change_actie(
                actie_id,
                _token_id(versie),
                status=values.get("actie_status") or "open",
                reden=values.get("reden") or None,
                **common,
            )
        except PlanRefused as refused:
            errors = field_errors(refused)
            return await _actie_card(context, plan, actie_id, values=values, errors=errors)
        return await _actie_card(context, plan, actie_id, notice="Actie gewijzigd.")
    doel_id = int(values["actie_doel"]) if values.get("actie_doel") else None
    if not await once.first_press(context, "actie", form_id):
        return await _plan(context, plan, notice=ALREADY_DONE["actie"])
    try:
        added = await plan.add_actie(doel_id=doel_id, **common)
    except PlanRefused as refused:
        errors = field_errors(refused)
        return await _plan(context, plan, values=values, errors=errors)
    await once.record(context, "actie", form_id, str(added))
    return await _plan(context, plan, notice="Actie toegevoegd. De eigenaar krijgt herinneringen.")


async def _actie_card(
    context: Context,
    plan: PlanAccess,
    actie_id: int,
    *,
    notice: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    uitstel_vragen: bool = False,
) -> Outcome:
    view = await plan.view()
    gekozen = await plan.actie(actie_id)
    shown = values or {
        "beschrijving": gekozen.beschrijving,
        "eigenaar": gekozen.eigenaar_waarde,
        "deadline": gekozen.deadline.isoformat(),
        "actie_doel": str(gekozen.doel_id or ""),
        "actie_status": gekozen.status,
        "reden": gekozen.reden or "",
        "interventie": gekozen.interventie or "",
    }
    kaart = await _plan_kaart(
        context.config, plan, view, notice=notice, values=shown, errors=errors
    )
    feiten = [
        ("Eigenaar", gekozen.eigenaar),
        ("Uiterlijk", f"{gekozen.deadline:%d-%m-%Y}"),
        ("Status", gekozen.status),
    ]
    tot, reden = await plan.uitstel_reden(actie_id)
    if tot:
        feiten.append(("Uitstel gevraagd tot", f"{tot:%d-%m-%Y}"))
        feiten.append(("Reden uitstel", reden or ""))
    if gekozen.reden:
        feiten.append(("Reden vervallen", gekozen.reden))
    if gekozen.interventie:
        feiten.append(("Interventie", gekozen.interventie))
    regel = _regel(gekozen, gekozen.beschrijving)
    return Outcome.private(
        actie_kaart(
            ActieKaart(
                plan=kaart,
                regel=regel,
                feiten=feiten,
                versie=str(gekozen.versie),
                kan_wijzigen=plan.casus.allows(Need.ACTIE) and gekozen.status in ("open", "bezig"),
                uitstel_vragen=uitstel_vragen,
                uitstel_besluit=tot is not None and plan.casus.allows(Need.REGIE),
            )
        ),
        about=plan.id,
    )


@refusals
async def actie_open(context: Context, data: dict[str, Any]) -> Outcome:
    """Details of one action (from a reminder or a list): checks the link when pressed."""
    values = read_form(forms.ACTIE_OPEN, data)
    plan = await plannen(context.uow).open_actie(
        values["actie"], context.actor.requester, Need.PLAN
    )
    return await _actie_card(context, plan, values["actie"])


@refusals
async def afgerond(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.ACTIE_AFGEROND, data)
    actie_id, kaart = values["actie"], values.get("kaart") or "herinnering"
    plan = await plannen(context.uow).open_actie(actie_id, context.actor.requester, Need.ACTIE)
    done = await plan.complete(actie_id)
    notice = f"Actie voor {done.code} afgerond. De herinneringen stoppen."
    return await _in_place(context, plan, actie_id, kaart, notice)


async def _in_place(
    context: Context, plan: PlanAccess, actie_id: int, kaart: str, notice: str
) -> Outcome:
    """The card the button was pressed on, answered with its new state."""
    if kaart == "acties":
        return await _acties(context, notice)
    if kaart == "plan":
        return await _plan(context, plan, notice=notice)
    if kaart == "actie":
        return await _actie_card(context, plan, actie_id, notice=notice)
    return Outcome.private(afgerond_kaart(plan.code, actie_id, notice), about=plan.id)


@refusals
async def uitstel_open(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.ACTIE_UITSTEL_OPEN, data)
    actie_id = values["actie"]
    plan = await plannen(context.uow).open_actie(actie_id, context.actor.requester, Need.ACTIE)
    gekozen = await plan.actie(actie_id)
    if not gekozen.mag_afronden:
        raise PlanRefused("niet_eigenaar")
    if gekozen.status not in ("open", "bezig"):
        raise PlanRefused("al_" + gekozen.status)
    return await _actie_card(context, plan, actie_id, values={}, uitstel_vragen=True)


@refusals
async def uitstel(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.ACTIE_UITSTEL, data)
    actie_id = values.pop("actie")
    plan = await plannen(context.uow).open_actie(actie_id, context.actor.requester, Need.ACTIE)
    errors = control_char_errors(values)
    if not values.get("uitstel_reden"):
        errors.setdefault("uitstel_reden", "Schrijf op waarom je uitstel nodig hebt.")
    try:
        tot = dt.date.fromisoformat(values.get("tot") or "")
    except ValueError:
        errors.setdefault("tot", "Kies een datum.")
    if errors:
        return await _actie_card(
            context, plan, actie_id, values=values, errors=errors, uitstel_vragen=True
        )
    try:
        await plan.ask_uitstel(actie_id, tot, values["uitstel_reden"], today())
    except PlanRefused as refused:
        errors = field_errors(refused)
        return await _actie_card(
            context, plan, actie_id, values=values, errors=errors, uitstel_vragen=True
        )
    gekozen = await plan.actie(actie_id)
    verzoek = uitstel_verzoek_kaart(
        plan.code,
        actie_id,
        f"{gekozen.deadline:%d-%m-%Y}",
        f"{tot:%d-%m-%Y}",
        context.actor.professional.naam,
    )
    regisseurs = await plan.regisseurs()
    outcome = await _actie_card(
        context,
        plan,
        actie_id,
        notice=f"Uitstel gevraagd tot {tot:%d-%m-%Y}. De casusregisseur beslist."
        if regisseurs
        else "Uitstel gevraagd. Er is nog geen casusregisseur: vraag de PGA-expert.",
    )
    return outcome.tell(
        *(PrivateMessage(pid, card=verzoek, casus_id=plan.id) for pid in regisseurs)
    )


@refusals
async def uitstel_besluit(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.UITSTEL_BESLUIT, data)
    actie_id, akkoord = values["actie"], values.get("akkoord") == "ja"
    plan = await plannen(context.uow).open_actie(actie_id, context.actor.requester, Need.REGIE)
    tot, _ = await plan.uitstel_reden(actie_id)
    await plan.decide_uitstel(actie_id, akkoord, regels(context.config))
    gekozen = await plan.actie(actie_id)
    uitkomst = "goedgekeurd" if akkoord else "geweigerd"
    bericht = (
        f"Je uitstel voor een actie van {plan.code} is {uitkomst}. "
        f"De deadline is {gekozen.deadline:%d-%m-%Y}."
    )
    owners = await plan.eigenaar_ids(actie_id)
    outcome = await _actie_card(
        context, plan, actie_id, notice=f"Uitstel tot {tot:%d-%m-%Y} {uitkomst}." if tot else None
    )
    return outcome.tell(
        *(
            PrivateMessage(pid, text=bericht, casus_id=plan.id)
            for pid in owners
            if pid != context.actor.id
        )
    )


@refusals
async def escaleren(context: Context, data: dict[str, Any]) -> Outcome:
    """The casusregisseur calls in the procesregisseur (the PGA-expert)."""
    values = read_form(forms.PLAN_ESCALEREN, data)
    plan = await plannen(context.uow).open(values["casus"], context.actor.requester, Need.REGIE)
    form_id = once.form_id_of(values)
    if not await once.first_press(context, "escaleren", form_id):
        return await _plan(context, plan, notice=ALREADY_DONE["escaleren"])
    experts = await plan.escalate()
    await once.record(context, "escaleren", form_id, "gedaan")
    kaart = escalatie_kaart(plan.code, plan.id, context.actor.professional.naam)
    outcome = await _plan(
        context,
        plan,
        notice="De procesregisseur is ingeschakeld en krijgt een bericht. De casusregie blijft "
        "bij jou.",
    )
    return outcome.tell(*(PrivateMessage(pid, card=kaart, casus_id=plan.id) for pid in experts))


# --- acties across casussen ----------------------------------------------------------------------


async def acties(context: Context, data: dict[str, Any]) -> Outcome:
    read_form(forms.ACTIES, data, with_args=True)
    if not context.actor.requester.in_personal_space:
        raise PersonalSpaceRequired("acties")
    return await _acties(context)


async def _acties(context: Context, notice: str | None = None) -> Outcome:
    found = await plannen(context.uow).mijn_acties(context.actor.requester)
    # Actions of casussen of several gemeenten (#26): each line says whose casus it is.
    labels = await context.uow.people.gemeente_labels([a.casus_id for a in found])
    regels_ = [
        replace(_acties_regel(a), code=f"{a.code} ({labels[a.casus_id]})")
        if a.casus_id in labels
        else _acties_regel(a)
        for a in found
    ]
    return Outcome.private(acties_kaart(regels_, notice))


def _acties_regel(actie: ActieView) -> ActieRegel:
    # The list names codes; the description shown is the redacted one (mijn_acties).
    return _regel(actie, actie.beschrijving)


async def herinneringen_nu(context: Context, data: dict[str, Any]) -> Outcome:
    """Local mode: the pending reminders of your casussen fall due now (to see them arrive)."""
    if not context.config.local_mode:
        return Outcome(text=LOCAL_ONLY)
    count = await plannen(context.uow).demo_due_now(
        context.actor.requester, utcnow(), regels(context.config), periodic=(DIGEST,)
    )
    return Outcome(
        text=f"{count} {'herinnering' if count == 1 else 'herinneringen'} (één per open actie) "
        "en het weekoverzicht komen binnen enkele seconden binnen."
        if count
        else "Er staan geen herinneringen klaar voor jouw casussen. Het weekoverzicht komt "
        "binnen enkele seconden."
    )
