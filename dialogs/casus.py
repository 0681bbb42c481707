"""One casus: the overview, the letter to the resident and the startgesprek."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from cards import forms
from cards.casus import (
    STARTGESPREK_UITKOMSTEN,
    CasusView,
    brief_form,
    brief_klaar,
    casus_overzicht,
    startgesprek_form,
)
from dialogs import once
from dialogs.clock import from_form, local, today
from dialogs.core import Config, Context, Outcome, casus_reference, control_char_errors, read_form
from dialogs.labels import besluit_label
from store import reference as ref
from store.access import (
    ANY_ROLE,
    AccessDenied,
    CasusState,
    Need,
    NotFound,
    PersonalSpaceRequired,
    Requester,
)
from store.afsluiting import AfsluitingView
from store.casus import CasusAccess
from store.db import Database
from store.documents import DOCUMENT_NEEDS, GrantView
from store.views import StartgesprekView
from templates.brief import BriefGegevens, dutch_date, render_brief

POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")
ASK_CODE = "Geef een code, bijvoorbeeld: casus PGA-2026-001"
NOT_YET_OPGENOMEN = (
    "Je kunt pas een brief maken als de casus is opgenomen. Beoordeel eerst de aanmelding "
    "met 'triage'."
)
GESPREK_NOT_YET = (
    "Een startgesprek hoort bij een opgenomen casus. Dat kan pas als de PGA-expert de "
    "aanmelding heeft opgenomen."
)
ANONYMISED_NOTE = (
    "Deze casus is afgesloten. Na de bewaartermijn zijn de gegevens van de bewoner verwijderd."
)
ALREADY_HELD = (
    "Het startgesprek is al gehouden en vastgelegd: een uitnodiging is niet meer nodig. "
    "Klopt dat niet? Verbeter dan eerst het startgesprek."
)


async def show(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.CASUS_OPEN, data, with_args=True)
    ref_ = casus_reference(payload)
    if ref_ is None:
        return Outcome(text=ASK_CODE)
    casus = await context.uow.casussen.open(ref_, context.actor.requester, Need.OVERZICHT)
    if not context.actor.requester.in_personal_space:
        # Even the role line stays out of a channel: the overview goes to the 1:1 chat.
        raise PersonalSpaceRequired("casus.bekijken")
    return Outcome.private(casus_overzicht(await _view(casus)), about=casus.id)


async def _view(casus: CasusAccess) -> CasusView:
    view = await _base_view(casus)
    if not casus.allows(Need.IDENTITEIT):
        return view
    return await _with_afsluiting(casus, view)


async def _base_view(casus: CasusAccess) -> CasusView:
    roles = casus.roles & ANY_ROLE
    if "pga_expert" in roles:
        roles -= {"gemeente_pga_expert"}  # linked as procesregisseur: say it once
    kenmerken = [
        ("Gemeente", casus.view.gemeente_naam),
        ("Doelgroep", ref.label(ref.DOELGROEPEN, casus.view.doelgroep)),
        ("Jouw rol", ", ".join(ref.ROL_LABELS[r] for r in sorted(roles))),
    ]
    status = ref.CASUS_STATUS_LABELS.get(casus.view.status, casus.view.status)
    if not casus.allows(Need.IDENTITEIT):
        return CasusView(
            casus_id=casus.id,
            code=casus.code,
            status=status,
            kenmerken=kenmerken,
            note=ANONYMISED_NOTE
            if casus.state is CasusState.GEANONIMISEERD
            else "Je adviseert bij deze casus. Wie het is, zie je niet.",
        )
    persoon = await casus.identiteit("casus bekijken")
    besluiten = [
        f"{local(b.genomen_at):%d-%m-%Y} {besluit_label(b.soort, b.uitkomst)}"
        + (f" ({b.toelichting})" if b.toelichting else "")
        for b in await casus.besluiten()
    ]
    if eigen := await casus.eigen_criteria():
        kenmerken.append(("Eigen criteria van de gemeente", ", ".join(eigen)))
    gesprek = await casus.startgesprek()
    if gesprek is not None:
        kenmerken.append(("Startgesprek", _gesprek_label(gesprek)))
        if gesprek.visie_bewoner:
            kenmerken.append(("Wat vindt de bewoner zelf", gesprek.visie_bewoner))
    betrokkenen = [(ref.ROL_LABELS[b.rol], b.professional_naam) for b in await casus.betrokkenen()]
    opgenomen = casus.view.status == "opgenomen"
    return CasusView(
        casus_id=casus.id,
        code=casus.code,
        status=status,
        kenmerken=kenmerken,
        bewoner=[
            ("Naam", persoon.naam),
            ("Geboortedatum", persoon.geboortedatum.strftime("%d-%m-%Y")),
            ("Woonplaats", persoon.woonplaats),
        ],
        besluiten=besluiten,
        betrokkenen=betrokkenen,
        kan_brief=opgenomen and casus.allows(Need.BRIEF),
        kan_startgesprek=opgenomen and casus.allows(Need.STARTGESPREK),
        kan_koppelen=opgenomen and casus.allows(Need.KOPPELEN),
    )


async def overview_card(casus: CasusAccess, note: str) -> dict[str, Any]:
    """The casus card with a note on what just happened."""
    return casus_overzicht(replace(await _view(casus), note=note))


async def _with_afsluiting(casus: CasusAccess, view: CasusView) -> CasusView:
    """The afsluiting, corrections and the PGA-expert's buttons for them (#13)."""
    status = casus.view.status
    afsluiting = await casus.laatste_afsluiting() if status == "afgesloten" else None
    return replace(
        view,
        afsluiting=_afsluiting_facts(afsluiting) if afsluiting else (),
        correcties=[
            f"{local(c.at):%d-%m-%Y} {CORRIGEER_VELDEN.get(c.veld, c.veld)}: "
            f'was "{c.oud or ""}", nu "{c.nieuw or ""}" ({c.reden}; {c.door})'
            for c in await casus.correcties()
        ],
        kan_afsluiten=status == "opgenomen" and casus.allows(Need.AFSLUITEN),
        kan_heropenen=status == "afgesloten" and casus.allows(Need.AFSLUITEN),
        kan_inzage=casus.allows(Need.INZAGE),
        kan_corrigeren=casus.allows(Need.CORRIGEREN),
    )


def _afsluiting_facts(afsluiting: AfsluitingView) -> list[tuple[str, str]]:
    gegevens = afsluiting.gegevens
    found = [
        ("Afgesloten op", f"{local(afsluiting.afgesloten_at):%d-%m-%Y}"),
        ("Reden", ref.label(ref.AFSLUIT_REDEN_LABELS, gegevens.reden)),
        ("Toelichting", gegevens.toelichting or ""),
    ]
    if gegevens.overdracht_aan:
        moment = f" op {gegevens.overdracht_op:%d-%m-%Y}" if gegevens.overdracht_op else ""
        found.append(("Overgedragen aan", f"{gegevens.overdracht_aan}{moment}"))
        found.append(("Wat is overgedragen", gegevens.overdracht_wat or ""))
    held = gegevens.eindgesprek_gehouden and gegevens.eindgesprek_op
    eindgesprek = f"gehouden op {gegevens.eindgesprek_op:%d-%m-%Y}" if held else "niet gehouden"
    found.append(("Eindgesprek", eindgesprek))
    found += [
        ("Wat zegt de bewoner", gegevens.feedback_bewoner or ""),
        ("Wat ging goed", gegevens.goed_ging or ""),
        ("Wat kan beter", gegevens.beter_kan or ""),
    ]
    return found


CORRIGEER_VELDEN = dict(ref.CORRIGEER_VELDEN)


GESPREK_STATUS = {"gepland": "gepland", "gehouden": "gehouden", "niet_gehouden": "niet gehouden"}


def _gesprek_label(gesprek: StartgesprekView) -> str:
    moment = _moment_shown(gesprek.gepland_op) if gesprek.gepland_op else "datum volgt"
    place = f", {gesprek.locatie}" if gesprek.locatie else ""
    return f"{moment}{place} ({GESPREK_STATUS.get(gesprek.status, gesprek.status)})"


# --- letter to the resident ----------------------------------------------------------------


async def open_brief(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.BRIEF_OPEN, data)
    casus = await context.uow.casussen.open(payload["casus"], context.actor.requester, Need.BRIEF)
    if casus.view.status != "opgenomen":
        return Outcome(text=NOT_YET_OPGENOMEN)
    persoon = await casus.identiteit("brief")
    gesprek = await casus.startgesprek()
    planned = local(gesprek.gepland_op) if gesprek and gesprek.gepland_op else None
    values = {
        "adres": persoon.adres or "",
        "postcode": persoon.postcode or "",
        "woonplaats": persoon.woonplaats,
        "startgesprek_datum": f"{planned:%Y-%m-%d}" if planned else "",
        "startgesprek_tijd": f"{planned:%H:%M}" if planned else "",
        "startgesprek_locatie": (gesprek.locatie or "") if gesprek else "",
    }
    return Outcome.private(brief_form(casus.code, casus.id, values, {}), about=casus.id)


async def maak_brief(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.BRIEF_MAKEN, data)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.BRIEF
    )
    if casus.view.status != "opgenomen":
        return Outcome(text=NOT_YET_OPGENOMEN)
    gesprek = await casus.startgesprek()
    if gesprek is not None and gesprek.vastgelegd_at is not None:
        # The letter invites to a startgesprek; one that is recorded cannot be planned again.
        return Outcome(text=ALREADY_HELD)
    errors = _validate_brief(values, today())
    if errors:
        return Outcome.private(brief_form(casus.code, casus.id, values, errors), about=casus.id)
    await casus.update_adres(
        adres=values["adres"],
        postcode=_postcode(values["postcode"]),
        woonplaats=values["woonplaats"],
    )
    planned = from_form(values["startgesprek_datum"], values.get("startgesprek_tijd"), "10:00")
    await casus.plan_startgesprek(
        Need.BRIEF, gepland_op=planned, locatie=values["startgesprek_locatie"]
    )
    context.uow.audit.record(
        "brief.maken", "C", context.actor.requester, casus=None, details=casus.code
    )
    token = await context.uow.documents(context.config.signing_key).issue(
        casus, "brief", context.config.download_minutes
    )
    url = f"{context.config.public_base_url.rstrip('/')}/brieven/{token}"
    card = brief_klaar(casus.code, casus.id, url, context.config.download_minutes)
    return Outcome.private(card, about=casus.id)


def _postcode(typed: str) -> str:
    """'3072xk' and '3072 xk' are written as Dutch postcodes are: '3072 XK'."""
    compact = typed.replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}"


def _validate_brief(values: dict[str, Any], today: dt.date) -> dict[str, str]:
    errors = control_char_errors(values)
    for field in ("adres", "woonplaats", "startgesprek_locatie"):
        if not values.get(field):
            errors.setdefault(field, "Vul dit veld in.")
    if not POSTCODE.match(values.get("postcode") or ""):
        errors.setdefault("postcode", "Vul een postcode in zoals 1234 AB.")
    _check_date(values, "startgesprek_datum", errors, not_before=today)
    _check_time(values, "startgesprek_tijd", errors)
    return errors


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    content_type: str = WORD


async def link_usable(db: Database, config: Config, token: str, client: str | None = None) -> bool:
    """Not expired and not used yet; looking does not use it up. Every look is logged."""
    async with db.unit_of_work() as uow:
        grant = await uow.documents(config.signing_key).peek(token)
        uow.audit.record(
            "document.link",
            "R",
            outcome="success" if grant else "denied",
            actor_object_id=None,
            details=_client_details(client, grant is None),
        )
        await uow.commit()
        return grant is not None


async def download_brief(
    db: Database, config: Config, token: str, client: str | None = None
) -> Download | None:
    """The letter for a valid, unexpired link whose professional may still make it; else None.
    Every attempt, also a forged or used one, is logged with where it came from."""
    async with db.unit_of_work() as uow:
        grants = uow.documents(config.signing_key)
        grant = await grants.peek(token)
        requester = (
            await uow.people.download_requester(grant.professional_id, client) if grant else None
        )
        # The minutes have a route of their own (dialogs/verslag.py).
        if grant is None or grant.verslag_document_id is not None or requester is None:
            uow.audit.record(
                "document.downloaden",
                "R",
                outcome="denied",
                details=_client_details(client, True),
            )
            await uow.commit()
            return None
        try:
            rendered = await _render(uow, grant, requester)
        except (AccessDenied, NotFound):
            await uow.commit_refusals_only()
            return None
        # Used up only once the letter exists, so a failure does not cost the link.
        if not await grants.redeem(token):
            uow.audit.record(
                "document.downloaden",
                "R",
                requester,
                outcome="denied",
                details=f"link al gebruikt; {_client_details(client, False)}",
            )
            await uow.commit_refusals_only()
            return None
        details = f"{rendered.about}; {_client_details(client, False)}"
        uow.audit.record(
            "document.downloaden", "R", requester, purpose=grant.soort, details=details
        )
        await uow.commit()
    return rendered.download


@dataclass(frozen=True)
class _Rendered:
    download: Download
    about: str  # the casus code, or what else the document covers (audit only)


async def _render(uow: Any, grant: GrantView, requester: Requester) -> _Rendered:
    """The document a grant is for, made now; the gate is passed again for its need."""
    from dialogs import inzage, monitor  # they use this module's Download

    if grant.casus_id is None:
        content, filename = await monitor.render_download(uow, requester, grant)
        return _Rendered(Download(filename, content, monitor.EXCEL), "monitor")
    casus = await uow.casussen.open(grant.casus_id, requester, DOCUMENT_NEEDS[grant.soort])
    if grant.soort == "inzage":
        content, filename = await inzage.render_download(casus, grant)
    else:
        content = await _render_brief(uow, casus, grant.professional_id)
        filename = f"brief-{casus.brief_kenmerk}.docx"
    return _Rendered(Download(filename, content), casus.code)


def _client_details(client: str | None, refused: bool) -> str:
    return ("geweigerd; " if refused else "") + (client or "client onbekend")


async def _render_brief(uow: Any, casus: CasusAccess, professional_id: int) -> bytes:
    persoon = await casus.identiteit("brief aan bewoner")
    gesprek = await casus.startgesprek()
    professional = await uow.people.get(professional_id)
    briefhoofd = await casus.letterhead()
    planned = local(gesprek.gepland_op) if gesprek and gesprek.gepland_op else None
    return render_brief(
        BriefGegevens(
            gemeente=briefhoofd.gemeente,
            gemeente_adres=briefhoofd.adres or "",
            burgemeester=briefhoofd.burgemeester or "",
            logo=briefhoofd.logo,
            datum=dutch_date(today()),
            kenmerk=casus.brief_kenmerk or "",
            naam=persoon.naam,
            adres=persoon.adres or "",
            postcode=persoon.postcode or "",
            woonplaats=persoon.woonplaats,
            startgesprek_datum=dutch_date(planned.date(), full=True) if planned else "(volgt)",
            startgesprek_tijd=planned.strftime("%H:%M") if planned else "(volgt)",
            startgesprek_locatie=(gesprek.locatie if gesprek and gesprek.locatie else "(volgt)"),
            contactpersoon=professional.naam,
            contact=professional.email or "via het algemene nummer van de gemeente",
        )
    )


# --- startgesprek ----------------------------------------------------------------------------


async def open_startgesprek(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.STARTGESPREK_OPEN, data)
    casus = await context.uow.casussen.open(
        payload["casus"], context.actor.requester, Need.STARTGESPREK
    )
    if casus.view.status != "opgenomen":
        return Outcome(text=GESPREK_NOT_YET)
    gesprek = await casus.startgesprek()
    values: dict[str, Any] = {}
    if gesprek and gesprek.gepland_op:
        moment = local(gesprek.gepland_op)
        values = {"datum": f"{moment:%Y-%m-%d}", "tijd": f"{moment:%H:%M}"}
    if gesprek and gesprek.visie_bewoner:
        values["visie_bewoner"] = gesprek.visie_bewoner
    if gesprek and gesprek.vastgelegd_at:
        values["uitkomst"] = gesprek.status
    return Outcome.private(_startgesprek_card(casus, gesprek, values, {}), about=casus.id)


ALREADY_RECORDED = "Dit startgesprek is al vastgelegd. Er is niets veranderd."


def _startgesprek_card(
    casus: CasusAccess,
    gesprek: StartgesprekView | None,
    values: dict[str, Any],
    errors: dict[str, str],
    notice: str | None = None,
) -> dict[str, Any]:
    recorded = _gesprek_label(gesprek) if gesprek and gesprek.vastgelegd_at else None
    return startgesprek_form(
        casus.code,
        casus.id,
        values,
        errors,
        recorded=recorded,
        form_id=uuid.uuid4().hex,
        notice=notice,
    )


async def leg_startgesprek_vast(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.STARTGESPREK_VASTLEGGEN, data)
    form_id = once.form_id_of(values)
    values.pop("_form", None)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.STARTGESPREK
    )
    if casus.view.status != "opgenomen":
        return Outcome(text=GESPREK_NOT_YET)
    # Claimed before it is read: a second press of this card (at the same moment too)
    # waits for the first and is told it is done, not asked for a reason to correct it.
    if not await once.first_press(context, "startgesprek", form_id):
        gesprek = await casus.startgesprek()
        return Outcome.private(
            _startgesprek_card(casus, gesprek, {}, {}, ALREADY_RECORDED), about=casus.id
        )
    gesprek = await casus.startgesprek()
    correction = bool(gesprek and gesprek.vastgelegd_at)
    errors = _validate_startgesprek(values, today(), local(casus.view.created_at).date())
    if correction and not values.get("correctie_reden"):
        errors.setdefault("correctie_reden", "Het gesprek is al vastgelegd. Geef de reden.")
    if errors:
        return Outcome.private(_startgesprek_card(casus, gesprek, values, errors), casus.id)
    held = values["uitkomst"] == "gehouden"
    await casus.record_startgesprek(
        status=values["uitkomst"],
        gehouden_op=from_form(values["datum"], values.get("tijd")),
        visie_bewoner=values.get("visie_bewoner") or None,
        correctie_reden=values.get("correctie_reden") or None,
    )
    await casus.record_besluit(
        Need.STARTGESPREK,
        soort="startgesprek",
        uitkomst=values["uitkomst"],
        toelichting=(
            f"Verbeterd: {values['correctie_reden']}"
            if correction
            else None
            if held
            else "Verder met nadruk op handhaving"
        ),
        details={"correctie": True} if correction else None,
    )
    await once.record(context, "startgesprek", form_id, "gedaan")
    view = await _view(casus)
    note = (
        "Startgesprek verbeterd. Het oude blijft bewaard."
        if correction
        else "Startgesprek vastgelegd."
        if held
        else (
            "Vastgelegd: geen startgesprek ondanks herhaalde uitnodiging. De aanpak gaat verder, "
            "met nadruk op handhaving."
        )
    )
    return Outcome.private(casus_overzicht(replace(view, note=note)), about=casus.id)


def _validate_startgesprek(
    values: dict[str, Any], today: dt.date, aangemeld: dt.date
) -> dict[str, str]:
    errors = control_char_errors(values)
    if values.get("uitkomst") not in {v for v, _ in STARTGESPREK_UITKOMSTEN}:
        errors.setdefault("uitkomst", "Kies of het gesprek is gehouden.")
    _check_date(values, "datum", errors, not_after=today)
    if "datum" not in errors and dt.date.fromisoformat(values["datum"]) < aangemeld:
        errors["datum"] = (
            f"Deze datum ligt voor de aanmelding ({aangemeld:%d-%m-%Y}). Kies de dag van het "
            "gesprek."
        )
    _check_time(values, "tijd", errors)
    return errors


def _check_date(
    values: dict[str, Any],
    field: str,
    errors: dict[str, str],
    *,
    not_before: dt.date | None = None,
    not_after: dt.date | None = None,
) -> None:
    raw = values.get(field)
    if not raw:
        errors.setdefault(field, "Kies een datum.")
        return
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(field, "Dit is geen geldige datum. Kies een datum.")
        return
    if not_before and day < not_before:
        errors.setdefault(field, "Deze datum is al geweest. Kies een nieuwe datum.")
    if not_after and day > not_after:
        errors.setdefault(
            field, "Deze datum ligt in de toekomst. Leg het gesprek vast als het geweest is."
        )


def _check_time(values: dict[str, Any], field: str, errors: dict[str, str]) -> None:
    raw = values.get(field)
    if raw:
        try:
            dt.time.fromisoformat(raw)
        except ValueError:
            errors.setdefault(field, "Dit is geen geldige tijd (uu:mm).")


def _moment_shown(moment: dt.datetime) -> str:
    """Date and time as people read them; a moment recorded without a time (midnight) shows
    its date only, not a made-up 00:00."""
    shown = local(moment)
    return (
        f"{shown:%d-%m-%Y}" if (shown.hour, shown.minute) == (0, 0) else f"{shown:%d-%m-%Y %H:%M}"
    )
