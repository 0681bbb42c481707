"""The resident's rights: an inzage document (AVG art. 15) and corrections (art. 16).

`inzage CODE` (PGA-expert, 1:1) asks for a period and hands out a personal, single-use
download; the document is made at download from what is recorded then, and both the request
and the making are in the audit log. `corrigeren CODE` corrects a recorded fact with a reason;
the original stays in the history, shown to the linked only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from cards import forms
from cards.afsluiting import corrigeer_form, document_klaar, inzage_form
from dialogs import once
from dialogs.clock import AMSTERDAM, local, today
from dialogs.core import Context, Outcome, casus_reference, control_char_errors, read_form
from dialogs.labels import soort_label, uitkomst_label
from store import reference as ref
from store.access import Need
from store.afsluiting import CORRIGEERBAAR, AfsluitingView, InzageView
from store.casus import CasusAccess
from store.documents import GrantView
from templates.brief import dutch_date
from templates.inzage import InzageDocument, render_inzage

ASK_CODE = "Geef een code, bijvoorbeeld: inzage PGA-2026-001"
VELDEN = dict(ref.CORRIGEER_VELDEN)
MAX_LENGTH = {"naam": 150, "woonplaats": 100}
# What an audit event means, in the resident's words (the log keeps the code).
WAT = {
    "identiteit.bekijken": "Uw persoonsgegevens bekeken",
    "identiteit.adres": "Uw adres vastgelegd, voor de brief",
    "aanmelding.indienen": "U aangemeld bij de PGA",
    "aanmelding.bekijken": "De aanmelding bekeken",
    "triage.besluit": "Besloten over de aanmelding",
    "betrokkene.koppelen": "Een professional gekoppeld",
    "betrokkene.ontkoppelen": "Een koppeling beëindigd",
    "startgesprek.besluit": "Het startgesprek vastgelegd",
    "overleg.besluit": "Een besluit genomen in een casusoverleg",
    "overleg.afspraak": "Een afspraak gemaakt in een casusoverleg",
    "afsluiting.besluit": "Besloten over het afsluiten",
    "casus.afsluiten": "De aanpak afgesloten",
    "casus.heropenen": "De aanpak heropend",
    "casus.corrigeren": "Een gegeven verbeterd",
    "correcties.bekijken": "De verbeteringen bekeken",
    "casus.inzage": "Een inzageoverzicht gemaakt",
    "document.downloaden": "Een document gedownload",
    "plan.bekijken": "Het plan van aanpak bekeken",
    "actie.bekijken": "Een actie uit het plan van aanpak bekeken",
    "plan.probleem": "Een probleem in het plan van aanpak vastgelegd",
    "plan.score": "Een score in het plan van aanpak gegeven",
    "plan.doel": "Een doel in het plan van aanpak vastgelegd",
    "plan.actie": "Een actie in het plan van aanpak vastgelegd",
    "plan.actie.afgerond": "Een actie afgerond",
    "plan.uitstel.vragen": "Uitstel van een actie gevraagd",
    "plan.uitstel.besluit": "Besloten over uitstel van een actie",
    "plan.escalatie": "De procesregisseur ingeschakeld",
}
ACTIONS = {"C": "Gegevens vastgelegd", "R": "Gegevens bekeken", "U": "Gegevens gewijzigd"}


async def open_inzage(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.INZAGE_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text=ASK_CODE)
    casus = await context.uow.casussen.open(reference, context.actor.requester, Need.INZAGE)
    values = {"van": f"{local(casus.view.created_at):%Y-%m-%d}", "tot": f"{today():%Y-%m-%d}"}
    return Outcome.private(inzage_form(casus.code, casus.id, values, {}), about=casus.id)


async def maak_inzage(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.INZAGE, data)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.INZAGE
    )
    errors = period_errors(values)
    if errors:
        return Outcome.private(inzage_form(casus.code, casus.id, values, errors), casus.id)
    context.uow.audit.record(
        "inzage.aanvragen",
        "C",
        context.actor.requester,
        details=f"{casus.code} {values['van']}..{values['tot']}",
    )
    minutes = context.config.download_minutes
    token = await context.uow.documents(context.config.signing_key).issue(
        casus, "inzage", minutes, {"van": values["van"], "tot": values["tot"]}
    )
    url = f"{context.config.public_base_url.rstrip('/')}/documenten/{token}"
    card = document_klaar(
        f"Inzage {casus.code} staat klaar", "Inzage downloaden (Word)", url, minutes, casus.id
    )
    return Outcome.private(card, about=casus.id)


def period_errors(values: dict[str, Any]) -> dict[str, str]:
    """A period from `van` up to and including `tot`, both valid dates, in that order."""
    errors = control_char_errors(values)
    days: dict[str, dt.date] = {}
    for field in ("van", "tot"):
        try:
            days[field] = dt.date.fromisoformat(values.get(field) or "")
        except ValueError:
            errors.setdefault(field, "Kies een geldige datum.")
    if len(days) == 2 and days["van"] > days["tot"]:
        errors["tot"] = "Deze datum ligt voor de begindatum. Kies een latere datum."
    return errors


def period(parameters: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `van` to the end of `tot`, Dutch time, as UTC."""
    start = dt.date.fromisoformat(parameters["van"])
    end = dt.date.fromisoformat(parameters["tot"]) + dt.timedelta(days=1)
    return (
        dt.datetime.combine(start, dt.time(), AMSTERDAM).astimezone(dt.UTC),
        dt.datetime.combine(end, dt.time(), AMSTERDAM).astimezone(dt.UTC),
    )


async def render_download(casus: CasusAccess, grant: GrantView) -> tuple[bytes, str]:
    """The inzage document for a grant: made now, from what is recorded now (audited)."""
    van, tot = period(grant.parameters)
    view = await casus.inzage(van, tot)
    content = render_inzage(_document(view, casus.view.gemeente_naam, grant.parameters))
    return content, f"inzage-{today():%Y%m%d}.docx"


def _document(view: InzageView, gemeente: str, parameters: dict[str, Any]) -> InzageDocument:
    van, tot = (dt.date.fromisoformat(parameters[k]) for k in ("van", "tot"))
    return InzageDocument(
        gemeente=gemeente,
        datum=dutch_date(today()),
        periode=f"{dutch_date(van)} tot en met {dutch_date(tot)}",
        identiteit=[
            ("Naam", view.naam),
            ("Geboortedatum", dutch_date(view.geboortedatum)),
            ("Woonplaats", view.woonplaats),
            ("Adres", " ".join(p for p in (view.adres, view.postcode) if p) or "niet vastgelegd"),
        ],
        aanmelding=[
            ("Aangemeld op", _day(view.aangemeld_at)),
            ("Reden", view.aanmelding_reden),
            ("Criteria", ", ".join(ref.label(ref.CRITERIA, c) for c in view.criteria)),
            ("Leefgebieden", ", ".join(ref.label(ref.LEEFGEBIEDEN, g) for g in view.leefgebieden)),
        ],
        besluiten=[
            (
                _day(at),
                soort_label(soort),
                uitkomst_label(soort, uitkomst),
                toelichting or "",
            )
            for at, soort, uitkomst, toelichting in view.besluiten
        ],
        koppelingen=[
            (
                k.organisatie or "",
                k.professional,
                ref.ROL_LABELS.get(k.rol, k.rol),
                k.doel,
                _grondslag(k.grondslag, k.uitzondering, k.beroepsgeheim),
                _day(k.sinds),
                _day(k.tot) if k.tot else "nu",
            )
            for k in view.koppelingen
        ],
        documenten=(
            [("Brief van de burgemeester", view.brief_kenmerk)] if view.brief_kenmerk else []
        ),
        leefgebieden=[
            (r.leefgebied, r.probleem or "", _score(r.start), _score(r.nu))
            for r in view.leefgebied_scores
        ],
        doelen=[
            (d.leefgebied or "", d.omschrijving, d.goed_genoeg_als, d.status.capitalize())
            for d in view.doelen
        ],
        acties=[
            (
                a.beschrijving,
                "U zelf" if a.eigenaar_waarde == "bewoner" else a.eigenaar,
                dutch_date(a.deadline),
                a.status.capitalize(),
                a.reden or "",
            )
            for a in view.acties
        ],
        afsluiting=[row for a in view.afsluitingen for row in _afsluiting_rows(a)],
        correcties=[
            (_day(c.at), VELDEN.get(c.veld, c.veld), c.oud or "", c.nieuw or "", c.reden)
            for c in view.correcties
        ],
        toegang=[
            (
                f"{local(t.at):%d-%m-%Y %H:%M}",
                t.professional,
                t.organisatie or "",
                WAT.get(t.event, ACTIONS.get(t.action, "Gegevens gebruikt")),
            )
            for t in view.toegang
        ],
    )


def _score(score: int | None) -> str:
    return "" if score is None else str(score)


def _day(moment: dt.datetime) -> str:
    return dutch_date(local(moment).date())


def _grondslag(grondslag: str, uitzondering: str | None, beroepsgeheim: str | None) -> str:
    parts = [ref.label(ref.GRONDSLAGEN, grondslag)]
    if uitzondering and uitzondering != "geen":
        parts.append(ref.label(ref.UITZONDERINGEN, uitzondering))
    if beroepsgeheim and beroepsgeheim != "geen":
        parts.append(f"beroepsgeheim: {ref.label(ref.BEROEPSGEHEIM, beroepsgeheim).lower()}")
    return "; ".join(parts)


def _afsluiting_rows(afsluiting: AfsluitingView) -> list[tuple[str, str]]:
    g = afsluiting.gegevens
    rows = [
        ("Afgesloten op", _day(afsluiting.afgesloten_at)),
        ("Reden", ref.label(ref.AFSLUIT_REDEN_LABELS, g.reden)),
    ]
    if g.overdracht_aan:
        rows.append(("Overgedragen aan", g.overdracht_aan))
    if g.eindgesprek_op:
        rows.append(("Eindgesprek", dutch_date(g.eindgesprek_op)))
    if g.feedback_bewoner:
        rows.append(("Wat u zei", g.feedback_bewoner))
    if afsluiting.heropend_at:
        rows.append(("Heropend op", _day(afsluiting.heropend_at)))
    return rows


# --- corrections -------------------------------------------------------------------------------


async def open_corrigeren(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.CORRIGEREN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text="Geef een code, bijvoorbeeld: corrigeren PGA-2026-001")
    casus = await context.uow.casussen.open(reference, context.actor.requester, Need.CORRIGEREN)
    return Outcome.private(_corrigeer_card(casus, {}, {}), about=casus.id)


def _corrigeer_card(
    casus: CasusAccess, values: dict[str, Any], errors: dict[str, str], notice: str | None = None
) -> dict[str, Any]:
    return corrigeer_form(
        casus.code, casus.id, ref.CORRIGEER_VELDEN, values, errors, notice, uuid.uuid4().hex
    )


async def corrigeer(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.CORRIGEREN, data)
    form_id = once.form_id_of(values)
    values.pop("_form", None)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.CORRIGEREN
    )
    errors = correction_errors(values)
    if errors:
        return Outcome.private(_corrigeer_card(casus, values, errors), about=casus.id)
    if not await once.first_press(context, "correctie", form_id):
        notice = "Deze verbetering is al vastgelegd. Er is niets veranderd."
        return Outcome.private(_corrigeer_card(casus, {}, {}, notice), about=casus.id)
    await casus.corrigeer(values["veld"], values["nieuw"], values["reden"])
    await once.record(context, "correctie", form_id, "gedaan")
    notice = f"{VELDEN[values['veld']]} is verbeterd. Het oude blijft bewaard."
    return Outcome.private(_corrigeer_card(casus, {}, {}, notice), about=casus.id)


def correction_errors(values: dict[str, Any]) -> dict[str, str]:
    errors = control_char_errors(values)
    veld, nieuw = values.get("veld") or "", values.get("nieuw") or ""
    if veld not in CORRIGEERBAAR:
        errors.setdefault("veld", "Kies wat je verbetert.")
    if not nieuw:
        errors.setdefault("nieuw", "Vul de juiste waarde in.")
    elif veld == "geboortedatum":
        try:
            if dt.date.fromisoformat(nieuw) > today():
                errors["nieuw"] = "Een geboortedatum ligt niet in de toekomst."
        except ValueError:
            errors["nieuw"] = "Schrijf de datum als jjjj-mm-dd, bijvoorbeeld 2003-04-17."
    elif len(nieuw) > MAX_LENGTH.get(veld, 3000):
        errors["nieuw"] = f"Dit mag hooguit {MAX_LENGTH[veld]} tekens zijn."
    if not values.get("reden"):
        errors.setdefault("reden", "Geef de reden van de verbetering.")
    return errors
