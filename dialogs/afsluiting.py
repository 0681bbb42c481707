"""Afsluiting (DESIGN §2.3): the PGA-expert closes a casus with the reason, the warme
overdracht and the eindgesprek; every link but the PGA-expert's ends and the linked hear it
(code only). Reopening is a besluit within `Config.reopen_days`; after that a new aanmelding.

States: opgenomen → afgesloten (→ opgenomen again by heropenen, within the term).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cards import forms
from cards.afsluiting import afgesloten_melding, afsluit_form, heropen_form
from dialogs.casus import overview_card
from dialogs.clock import local, today, utcnow
from dialogs.core import Context, Outcome, casus_reference, control_char_errors, read_form
from store import reference as ref
from store.access import Need
from store.afsluiting import AfsluitGegevens
from store.casus import CasusAccess
from store.outbox import PrivateMessage

ASK_CODE = "Geef een code, bijvoorbeeld: afsluiten PGA-2026-001"
ALREADY_CLOSED = "Deze casus is al afgesloten. Typ 'casus' met de code om hem te bekijken."
NOT_TAKEN_IN = (
    "Alleen een opgenomen casus kun je afsluiten. Een aanmelding sluit je met het "
    "triagebesluit ('triage')."
)
NOT_CLOSED = "Deze casus is niet afgesloten: heropenen is niet nodig."
REDENEN = dict(ref.AFSLUIT_REDENEN)
HANDOVER = ("afschalen", "opschalen")


def open_acties_message(aantal: int) -> str:
    acties = "actie staat" if aantal == 1 else "acties staan"
    return (
        f"Er {acties} nog open. Die vervallen bij het afsluiten. Schrijf in de toelichting "
        "waarom ze niet meer nodig zijn."
    )


def reopen_too_late(dagen: int) -> str:
    return (
        f"Deze casus is langer dan {dagen} dagen geleden afgesloten. Heropenen kan niet meer: "
        "meld de bewoner opnieuw aan met 'aanmelden'."
    )


async def open_afsluiten(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.AFSLUITEN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text=ASK_CODE)
    casus = await context.uow.casussen.open(reference, context.actor.requester, Need.AFSLUITEN)
    refusal = _cannot_close(casus)
    if refusal:
        return Outcome(text=refusal)
    return Outcome.private(_form(casus, {}, {}, await casus.open_actions()), about=casus.id)


def _cannot_close(casus: CasusAccess) -> str | None:
    status = casus.view.status
    if status == "afgesloten":
        return ALREADY_CLOSED
    return None if status == "opgenomen" else NOT_TAKEN_IN


def _form(
    casus: CasusAccess, values: dict[str, Any], errors: dict[str, str], open_acties: int
) -> dict[str, Any]:
    return afsluit_form(
        casus.code, casus.id, ref.AFSLUIT_REDENEN, values, errors, open_acties=open_acties
    )


async def afsluiten(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.AFSLUITEN, data)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.AFSLUITEN
    )
    refusal = _cannot_close(casus)
    if refusal:
        return Outcome(text=refusal)
    open_acties = await casus.open_actions()
    errors = validate(values, today(), local(casus.view.created_at).date(), open_acties)
    if errors:
        return Outcome.private(_form(casus, values, errors, open_acties), about=casus.id)
    ended = await casus.afsluiten(_gegevens(values))
    reden = REDENEN[values["reden"]]
    outcome = Outcome(about=casus.id)
    for professional_id in ended:
        if professional_id != context.actor.id:
            # No casus id: the link has ended, and the notice names only the code.
            outcome.tell(
                PrivateMessage(professional_id, card=afgesloten_melding(casus.code, reden))
            )
    note = f"Casus afgesloten: {reden.lower()}. {len(ended)} koppeling(en) gestopt."
    outcome.card = await overview_card(casus, note)
    return outcome


def _gegevens(values: dict[str, Any]) -> AfsluitGegevens:
    held = values["eindgesprek"] == "ja"
    handover = values["reden"] in HANDOVER or bool(values.get("overdracht_aan"))
    return AfsluitGegevens(
        reden=values["reden"],
        toelichting=values.get("toelichting") or None,
        overdracht_aan=values.get("overdracht_aan") or None,
        overdracht_wat=values.get("overdracht_wat") or None,
        overdracht_op=_date(values.get("overdracht_op")) if handover else None,
        eindgesprek_gehouden=held,
        eindgesprek_op=_date(values.get("eindgesprek_op")) if held else None,
        feedback_bewoner=values.get("feedback_bewoner") or None,
        goed_ging=values.get("goed_ging") or None,
        beter_kan=values.get("beter_kan") or None,
    )


def _date(raw: str | None) -> dt.date | None:
    return dt.date.fromisoformat(raw) if raw else None


def validate(
    values: dict[str, Any], today: dt.date, geopend: dt.date, open_acties: int = 0
) -> dict[str, str]:
    errors = control_char_errors(values)
    reden = values.get("reden")
    if reden not in REDENEN:
        errors.setdefault("reden", "Kies waarom je de casus afsluit.")
    if reden == "gestopt" and not values.get("toelichting"):
        errors.setdefault("toelichting", "Zeg waarom de aanpak stopt.")
    if open_acties and not values.get("toelichting"):
        errors.setdefault("toelichting", open_acties_message(open_acties))
    if reden in HANDOVER:
        if not values.get("overdracht_aan"):
            errors.setdefault("overdracht_aan", "Aan wie is de casus overgedragen?")
        if not values.get("overdracht_wat"):
            errors.setdefault("overdracht_wat", "Schrijf op wat is overgedragen.")
        if not values.get("overdracht_op"):
            errors.setdefault("overdracht_op", "Kies wanneer de overdracht was of is.")
    _check_date(values, "overdracht_op", errors, geopend, None)
    if values.get("eindgesprek") not in ("ja", "nee"):
        errors.setdefault("eindgesprek", "Kies of het eindgesprek is gehouden.")
    elif values["eindgesprek"] == "ja":
        if not values.get("eindgesprek_op"):
            errors.setdefault("eindgesprek_op", "Kies de datum van het eindgesprek.")
        _check_date(values, "eindgesprek_op", errors, geopend, today)
    return errors


def _check_date(
    values: dict[str, Any],
    field: str,
    errors: dict[str, str],
    not_before: dt.date,
    not_after: dt.date | None,
) -> None:
    raw = values.get(field)
    if not raw or field in errors:
        return
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Dit is geen geldige datum. Kies een datum."
        return
    if day < not_before:
        errors[field] = (
            f"Deze datum ligt voor de start van de casus ({not_before:%d-%m-%Y}). Kies een "
            "latere datum."
        )
    elif not_after and day > not_after:
        errors[field] = "Deze datum ligt in de toekomst. Leg het gesprek vast als het geweest is."


# --- heropenen -------------------------------------------------------------------------------


async def open_heropenen(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.HEROPENEN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text="Geef een code, bijvoorbeeld: heropenen PGA-2026-001")
    casus = await context.uow.casussen.open(reference, context.actor.requester, Need.AFSLUITEN)
    refusal = await _cannot_reopen(context, casus)
    if refusal:
        return Outcome(text=refusal)
    card = heropen_form(casus.code, casus.id, context.config.reopen_days, {}, {})
    return Outcome.private(card, about=casus.id)


async def _cannot_reopen(context: Context, casus: CasusAccess) -> str | None:
    if casus.view.status != "afgesloten":
        return NOT_CLOSED
    closed = await casus.laatste_afsluiting()
    if closed is None or _aware(closed.afgesloten_at) < _reopen_since(context):
        return reopen_too_late(context.config.reopen_days)
    return None


def _reopen_since(context: Context) -> dt.datetime:
    return utcnow() - dt.timedelta(days=context.config.reopen_days)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def heropenen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.HEROPENEN, data)
    casus = await context.uow.casussen.open(
        values["casus"], context.actor.requester, Need.AFSLUITEN
    )
    refusal = await _cannot_reopen(context, casus)
    if refusal:
        return Outcome(text=refusal)
    errors = control_char_errors(values)
    if not values.get("reden"):
        errors.setdefault("reden", "Geef de reden van het besluit.")
    if errors:
        card = heropen_form(casus.code, casus.id, context.config.reopen_days, values, errors)
        return Outcome.private(card, about=casus.id)
    if not await casus.heropenen(values["reden"], _reopen_since(context)):
        return Outcome(text=reopen_too_late(context.config.reopen_days))
    note = "Casus heropend. Koppel met 'koppelen' opnieuw wie meedoet."
    return Outcome.private(await overview_card(casus, note), about=casus.id)
