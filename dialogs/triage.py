"""Triage by the PGA-expert: opnemen, afwijzen, doorverwijzen or al besproken.

States of a casus here: aangemeld → opgenomen | afgewezen | doorverwezen | al_besproken.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from cards import forms
from cards.triage import (
    TriageItem,
    TriageOptions,
    TriageView,
    casusregisseur_benoemd,
    triage_kaart,
    triage_lijst,
    triage_vastgelegd,
    uitkomst_aanmelding,
)
from dialogs.clock import from_form, local, today, utcnow
from dialogs.core import Context, Outcome, control_char_errors, read_form, split_multi
from store import reference as ref
from store.access import Need
from store.casus import CasusAccess
from store.outbox import PrivateMessage
from store.views import Checklist, PersonView

ONLY_EXPERT = "Alleen een PGA-expert kan triage doen. Typ 'help' voor wat jij kunt."
STATUS_FOR = {
    "opnemen": "opgenomen",
    "afwijzen": "afgewezen",
    "doorverwijzen": "doorverwezen",
    "al_besproken": "al_besproken",
}
PGA_EXPERT_DOEL = "Procesregie PGA: triage en voorbereiding van het casusoverleg"
CASUSREGISSEUR_DOEL = "Casusregie PGA: plan van aanpak uitvoeren en bewaken"
DEFAULTS = {
    "eigen_grondslag": "art6_1e",
    "regisseur_grondslag": "art6_1e",
    "regisseur_uitzondering": "art9_2h",
    "regisseur_beroepsgeheim": "geen",
}


async def lijst(context: Context, data: dict[str, Any]) -> Outcome:
    if not context.actor.is_pga_expert:
        return Outcome(text=ONLY_EXPERT)
    now = utcnow()
    items = []
    for item in await context.uow.casussen.open_aanmeldingen(context.actor.requester):
        ingediend = item.ingediend_at.replace(tzinfo=item.ingediend_at.tzinfo or dt.UTC)
        items.append(
            TriageItem(
                casus_id=item.casus_id,
                code=item.code,
                doelgroep=ref.label(ref.DOELGROEPEN, item.doelgroep),
                criteria_met=item.criteria_met,
                wachtdagen=(now - ingediend).days,
                urgentie=ref.label(ref.URGENTIES, item.urgentie).split(":")[0],
                voor_advies=item.voor_advies,
            )
        )
    return Outcome(card=triage_lijst(items))


async def open_triage(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.TRIAGE_OPEN, data)
    # A decided referral: the gate refuses TRIAGE (dialogs/state_refusals.py says so).
    casus = await context.uow.casussen.open(payload["casus"], context.actor.requester, Need.TRIAGE)
    return Outcome.private(await _triage_card(context, casus, dict(DEFAULTS), {}), casus.id)


async def _triage_card(
    context: Context, casus: CasusAccess, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    uow = context.uow
    persoon = await casus.identiteit("triage")
    aanmelding = await casus.aanmelding()
    aanmelder = await uow.people.get(aanmelding.aanmelder_id)
    organisaties = {o.id: o.naam for o in await uow.people.organisaties()}
    view = TriageView(
        casus_id=casus.id,
        code=casus.code,
        bewoner=[
            ("Naam", persoon.naam),
            ("Geboortedatum", persoon.geboortedatum.strftime("%d-%m-%Y")),
            ("Woonplaats", persoon.woonplaats),
        ],
        aanmelding=[
            ("Aangemeld door", aanmelder.label),
            ("Datum", local(aanmelding.ingediend_at).strftime("%d-%m-%Y")),
            ("Doelgroep", ref.label(ref.DOELGROEPEN, casus.view.doelgroep)),
            ("Urgentie", ref.label(ref.URGENTIES, casus.view.urgentie)),
            (
                "Leefgebieden",
                ", ".join(ref.label(ref.LEEFGEBIEDEN, v) for v in aanmelding.leefgebieden),
            ),
            ("Partners", ", ".join(organisaties.get(i, "?") for i in aanmelding.partner_ids)),
            ("Voor advies", "Ja: minder dan 2 criteria" if aanmelding.voor_advies else "Nee"),
            (
                "Bewoner weet ervan",
                "Ja"
                if aanmelding.bewoner_geinformeerd
                else f"Nee: {aanmelding.reden_niet_geinformeerd}",
            ),
        ],
        criteria=[
            (
                ("✔ " if aanmelding.criteria.get(key, {}).get("voldaan") else "✘ ") + label,
                aanmelding.criteria.get(key, {}).get("toelichting") or "",
            )
            for key, label in ref.CRITERIA
        ]
        + eigen_criteria_lines(aanmelding.eigen_criteria),
        reden=f"Reden: {aanmelding.reden}",
        duplicates=await _duplicate_warnings(casus),
    )
    options = TriageOptions(
        besluiten=ref.TRIAGE_BESLUITEN,
        doorverwijzingen=ref.DOORVERWIJZINGEN,
        professionals=[(str(p.id), p.label) for p in await uow.people.active()],
        grondslagen=ref.GRONDSLAGEN,
        uitzonderingen=ref.UITZONDERINGEN,
        beroepsgeheim=ref.BEROEPSGEHEIM,
        toestemming_waarschuwing=ref.TOESTEMMING_WAARSCHUWING,
    )
    return triage_kaart(view, options, values, errors)


async def _duplicate_warnings(casus: CasusAccess) -> list[str]:
    warnings = []
    for code, status in await casus.possible_duplicates():
        label = ref.CASUS_STATUS_LABELS.get(status, status).lower()
        if code:
            warnings.append(
                f"Mogelijk dubbel: {code} ({label}) heeft dezelfde naam en geboortedatum."
            )
        else:
            warnings.append(
                "Mogelijk dubbel: er is een andere actieve of recente casus met dezelfde naam en "
                f"geboortedatum ({label}). Je bent daar niet bij betrokken; overleg eerst met de "
                "PGA-expert van die casus."
            )
    return warnings


async def besluit(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.TRIAGE_BESLUIT, data)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.TRIAGE
    )
    professionals = {p.id: p for p in await context.uow.people.active()}
    errors = validate(values, set(professionals), today=today())
    if errors:
        return Outcome.private(await _triage_card(context, casus, values, errors), casus.id)
    return await _apply(context, casus, values, professionals)


async def _apply(
    context: Context,
    casus: CasusAccess,
    values: dict[str, Any],
    professionals: dict[int, PersonView],
) -> Outcome:
    choice = values["besluit"]
    details: dict[str, Any] = {
        "deelnemers": [int(v) for v in split_multi(values.get("deelnemers"))],
        "doorverwijzing": values.get("doorverwijzing") or None,
        "ander_overleg": values.get("ander_overleg") or None,
    }
    facts = [("Besluit", ref.label(ref.TRIAGE_BESLUITEN, choice))]
    outcome = Outcome(about=casus.id)
    # The PGA-expert leads the casus from here (procesregie), on the basis she chose.
    eigen = Checklist(PGA_EXPERT_DOEL, values["eigen_grondslag"], "art10_uavg", "geen")
    await casus.link(context.actor.id, "pga_expert", eigen, Need.TRIAGE)
    if choice == "opnemen":
        facts += await _opnemen(casus, values, professionals, details, outcome)
    else:
        facts.append(("Reden", values.get("toelichting") or ""))
    await casus.record_besluit(
        Need.TRIAGE,
        soort="triage",
        uitkomst=choice,
        toelichting=values.get("toelichting") or None,
        details=details,
    )
    await casus.decide_triage(STATUS_FOR[choice])
    await _tell_aanmelder(
        context,
        casus,
        outcome,
        choice,
        values.get("toelichting") or None,
        _planning_text(values, _planned_at(values)) if choice == "opnemen" else None,
        professionals[details["casusregisseur"]].label if details.get("casusregisseur") else None,
    )
    outcome.card = triage_vastgelegd(
        casus.code,
        ref.label(ref.TRIAGE_BESLUITEN, choice),
        casus.id,
        opgenomen=choice == "opnemen",
        details=facts,
    )
    return outcome


async def _opnemen(
    casus: CasusAccess,
    values: dict[str, Any],
    professionals: dict[int, PersonView],
    details: dict[str, Any],
    outcome: Outcome,
) -> list[tuple[str, str]]:
    facts = []
    planned = _planned_at(values)
    if planned or values.get("startgesprek_wie"):
        await casus.plan_startgesprek(
            Need.TRIAGE, gepland_op=planned, deelnemers=values.get("startgesprek_wie") or None
        )
    if not values.get("casusregisseur"):
        facts.append(("Casusregisseur", f"nog niet gekozen: typ 'koppelen {casus.code}'"))
    else:
        regisseur = professionals[int(values["casusregisseur"])]
        details["casusregisseur"] = regisseur.id
        await casus.link(regisseur.id, "casusregisseur", _regisseur_checklist(values), Need.TRIAGE)
        facts.append(("Casusregisseur", regisseur.label))
        outcome.tell(
            PrivateMessage(
                regisseur.id,
                card=casusregisseur_benoemd(casus.code, casus.id, _planning_text(values, planned)),
                casus_id=casus.id,
            )
        )
    if planned or values.get("startgesprek_wie"):
        facts.append(("Startgesprek", _format_planned(planned)))
    return facts


def _regisseur_checklist(values: dict[str, Any]) -> Checklist:
    return Checklist(
        doel=CASUSREGISSEUR_DOEL,
        grondslag=values.get("regisseur_grondslag") or DEFAULTS["regisseur_grondslag"],
        uitzondering=values.get("regisseur_uitzondering") or DEFAULTS["regisseur_uitzondering"],
        beroepsgeheim=values.get("regisseur_beroepsgeheim") or "geen",
    )


async def _tell_aanmelder(
    context: Context,
    casus: CasusAccess,
    outcome: Outcome,
    choice: str,
    toelichting: str | None,
    startgesprek: str | None,
    casusregisseur: str | None,
) -> None:
    aanmelder_id = await casus.aanmelder_id()
    if aanmelder_id is None or aanmelder_id == context.actor.id:
        return
    if toelichting:
        # The aanmelder reads the triage's free text: logged like any view of it.
        context.uow.audit.record(
            "uitkomst.tonen",
            "R",
            context.actor.requester,
            casus=None,
            details=f"{casus.code} aan professional={aanmelder_id}",
        )
    outcome.tell(
        PrivateMessage(
            aanmelder_id,
            card=uitkomst_aanmelding(
                casus.code,
                casus.id,
                ref.label(ref.TRIAGE_BESLUITEN, choice),
                toelichting,
                startgesprek,
                casusregisseur,
            ),
            casus_id=casus.id,
        )
    )


def _planned_at(values: dict[str, Any]) -> dt.datetime | None:
    if not values.get("startgesprek_datum"):
        return None
    return from_form(values["startgesprek_datum"], values.get("startgesprek_tijd"))


def _planning_text(values: dict[str, Any], planned: dt.datetime | None) -> str | None:
    if planned is None:
        return None
    who = values.get("startgesprek_wie")
    return _format_planned(planned) + (f", met {who}" if who else "")


def _format_planned(planned: dt.datetime | None) -> str:
    if planned is None:
        return "nog te plannen"
    return local(planned).strftime("%d-%m-%Y %H:%M").replace(" 00:00", "")


def validate(values: dict[str, Any], professional_ids: set[int], today: dt.date) -> dict[str, str]:
    errors = control_char_errors(values)
    choice = values.get("besluit")
    if choice not in STATUS_FOR:
        errors.setdefault("besluit", "Kies een besluit.")
    if choice == "afwijzen" and not values.get("toelichting"):
        errors.setdefault(
            "toelichting", "Geef de reden van afwijzen. De aanmelder krijgt die te zien."
        )
    if choice == "doorverwijzen":
        if values.get("doorverwijzing") not in {v for v, _ in ref.DOORVERWIJZINGEN}:
            errors.setdefault("doorverwijzing", "Kies waarheen je doorverwijst.")
        elif values["doorverwijzing"] == "ander_overleg" and not values.get("ander_overleg"):
            errors.setdefault("ander_overleg", "Noem het overleg.")
    if choice == "al_besproken" and not values.get("ander_overleg"):
        errors.setdefault("ander_overleg", "Noem het overleg waar de casus al besproken wordt.")
    if choice == "al_besproken" and not values.get("toelichting"):
        errors.setdefault("toelichting", "Geef de reden. De aanmelder krijgt die te zien.")
    _check_bases(values, errors)
    if not _ids_known(values.get("deelnemers"), professional_ids):
        errors.setdefault("deelnemers", "Kies alleen uit de lijst. Open de triage opnieuw.")
    if choice == "opnemen":
        regisseur = values.get("casusregisseur") or ""
        if regisseur and ("," in regisseur or not _ids_known(regisseur, professional_ids)):
            errors.setdefault("casusregisseur", "Kies een casusregisseur uit de lijst.")
        _check_planning(values, today, errors)
    return errors


def _check_bases(values: dict[str, Any], errors: dict[str, str]) -> None:
    lists = {
        "eigen_grondslag": ref.GRONDSLAGEN,
        "regisseur_grondslag": ref.GRONDSLAGEN,
        "regisseur_uitzondering": ref.UITZONDERINGEN,
        "regisseur_beroepsgeheim": ref.BEROEPSGEHEIM,
    }
    for field, options in lists.items():
        if values.get(field) and values[field] not in dict(options):
            errors.setdefault(field, "Kies een van de mogelijkheden.")
    if not values.get("eigen_grondslag"):
        errors.setdefault("eigen_grondslag", "Kies je grondslag.")


def _ids_known(value: str | None, known: set[int]) -> bool:
    parts = split_multi(value)
    return all(re.fullmatch(r"[0-9]{1,9}", part) and int(part) in known for part in parts)


def _check_planning(values: dict[str, Any], today: dt.date, errors: dict[str, str]) -> None:
    raw_day, raw_time = values.get("startgesprek_datum"), values.get("startgesprek_tijd")
    if raw_day:
        try:
            if dt.date.fromisoformat(raw_day) < today:
                errors.setdefault(
                    "startgesprek_datum", "Deze datum is al geweest. Kies een nieuwe."
                )
        except ValueError:
            errors.setdefault("startgesprek_datum", "Dit is geen geldige datum. Kies een datum.")
    if raw_time:
        try:
            dt.time.fromisoformat(raw_time)
        except ValueError:
            errors.setdefault("startgesprek_tijd", "Dit is geen geldige tijd (uu:mm).")


EIGEN = "eigen criterium van de gemeente"


def eigen_criteria_lines(eigen: Sequence[Mapping[str, str]]) -> list[tuple[str, str]]:
    """The gemeente's own criteria that hold, marked so: they are not the handreiking's."""
    return [(f"✔ {item.get('label', '?')}", EIGEN) for item in eigen]
