"""One casus: the overview, the letter to the resident and the startgesprek."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, replace
from typing import Any

from cards.casus import (
    STARTGESPREK_UITKOMSTEN,
    CasusView,
    brief_form,
    brief_klaar,
    casus_overzicht,
    startgesprek_form,
)
from dialogs.clock import from_form, local, today
from dialogs.core import (
    Config,
    Context,
    Outcome,
    check_payload,
    control_char_errors,
    form_schema,
    ids_schema,
)
from dialogs.downloads import DownloadGrant, sign, verify
from store import reference as ref
from store.access import AccessDenied, NotFound, Requester
from store.db import Database
from store.models import Casus
from templates.brief import BriefGegevens, render_brief

CODE = re.compile(r"^PGA-\d{4}-\d{3,}$", re.IGNORECASE)
SHOW_SCHEMA = {
    "type": "object",
    "properties": {
        "casus": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "code": {"type": "string", "maxLength": 20},
        "_args": {"type": "string", "maxLength": 200},
    },
    "additionalProperties": False,
}
BRIEF_SCHEMA = form_schema(
    [
        "adres",
        "postcode",
        "woonplaats",
        "startgesprek_datum",
        "startgesprek_tijd",
        "startgesprek_locatie",
    ],
    ids=("casus",),
)
STARTGESPREK_SCHEMA = form_schema(["uitkomst", "datum", "tijd", "visie_bewoner"], ids=("casus",))
POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")


async def show(context: Context, data: dict[str, Any]) -> Outcome:
    payload = check_payload(SHOW_SCHEMA, data)
    casus = await _find(context, payload)
    if casus is None:
        return Outcome(text="Geef een code, bijvoorbeeld: casus PGA-2026-001")
    roles = await context.uow.casussen.roles_of(casus.id, context.actor.id)
    if not roles:
        await context.uow.casussen.require_link(casus, context.actor.requester, "casus.bekijken")
    view = await _view(context, casus, roles)
    return Outcome(card=casus_overzicht(view))


async def _find(context: Context, payload: dict[str, Any]) -> Casus | None:
    if "casus" in payload:
        try:
            return await context.uow.casussen.get(payload["casus"])
        except NotFound:
            raise AccessDenied("casus") from None  # same answer as for a casus without a link
    code = (payload.get("code") or payload.get("_args") or "").strip().upper()
    if not code:
        return None
    if not CODE.match(code):
        raise NotFound(code)
    matches = await context.uow.casussen.by_code(code)
    for casus in matches:
        if await context.uow.casussen.roles_of(casus.id, context.actor.id):
            return casus
    if matches:
        return matches[0]
    # The same answer as for a casus without a link: codes that exist are not revealed.
    raise AccessDenied(code)


async def _view(context: Context, casus: Casus, roles: set[str]) -> CasusView:
    uow, requester = context.uow, context.actor.requester
    kenmerken = [
        ("Gemeente", casus.gemeente.naam),
        ("Doelgroep", ref.label(ref.DOELGROEPEN, casus.doelgroep)),
        ("Jouw rol", ", ".join(ref.ROL_LABELS[r] for r in sorted(roles))),
    ]
    status = ref.CASUS_STATUS_LABELS.get(casus.status, casus.status)
    if not requester.in_personal_space:
        return CasusView(
            casus_id=casus.id,
            code=casus.code,
            status=status,
            kenmerken=kenmerken,
            note="Details van de bewoner zie je alleen in je privéchat met Casusoverleg.",
        )
    persoon = await uow.casussen.identiteit(casus, requester, "casus bekijken")
    besluiten = [
        f"{local(b.genomen_at):%d-%m-%Y} {BESLUIT_SOORTEN.get(b.soort, b.soort)}: "
        + BESLUIT_UITKOMSTEN.get(b.uitkomst, b.uitkomst)
        + (f" ({b.toelichting})" if b.toelichting else "")
        for b in await uow.casussen.besluiten(casus.id)
    ]
    gesprek = await uow.casussen.startgesprek(casus.id)
    if gesprek is not None:
        kenmerken.append(("Startgesprek", _gesprek_label(gesprek)))
    betrokkenen = [
        (ref.ROL_LABELS[b.rol], b.professional.naam)
        for b in await uow.casussen.betrokkenen(casus.id)
    ]
    opgenomen = casus.status == "opgenomen"
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
        kan_brief=opgenomen and "pga_expert" in roles,
        kan_startgesprek=opgenomen and bool(roles & {"pga_expert", "casusregisseur"}),
    )


BESLUIT_SOORTEN = {"triage": "Triage", "startgesprek": "Startgesprek"}
BESLUIT_UITKOMSTEN = {
    **dict(ref.TRIAGE_BESLUITEN),
    **dict(STARTGESPREK_UITKOMSTEN),
}
GESPREK_STATUS = {"gepland": "gepland", "gehouden": "gehouden", "niet_gehouden": "niet gehouden"}


def _gesprek_label(gesprek: Any) -> str:
    moment = f"{local(gesprek.gepland_op):%d-%m-%Y %H:%M}" if gesprek.gepland_op else "datum volgt"
    place = f", {gesprek.locatie}" if gesprek.locatie else ""
    return f"{moment}{place} ({GESPREK_STATUS.get(gesprek.status, gesprek.status)})"


# --- letter to the resident ----------------------------------------------------------------


async def _casus_for(context: Context, casus_id: int, event: str, roles: tuple[str, ...]) -> Casus:
    casus = await context.uow.casussen.get(casus_id)
    context.uow.casussen.require_personal_space(casus, context.actor.requester, event)
    await context.uow.casussen.require_link(casus, context.actor.requester, event, roles)
    return casus


async def open_brief(context: Context, data: dict[str, Any]) -> Outcome:
    payload = check_payload(ids_schema("casus"), data)
    casus = await _casus_for(context, payload["casus"], "brief.openen", ("pga_expert",))
    if casus.status != "opgenomen":
        return Outcome(text="Je kunt pas een brief maken als de casus is opgenomen.")
    persoon = await context.uow.casussen.identiteit(casus, context.actor.requester, "brief")
    gesprek = await context.uow.casussen.startgesprek(casus.id)
    values = {
        "adres": persoon.adres or "",
        "postcode": persoon.postcode or "",
        "woonplaats": persoon.woonplaats,
        "startgesprek_datum": f"{local(gesprek.gepland_op):%Y-%m-%d}"
        if gesprek and gesprek.gepland_op
        else "",
        "startgesprek_tijd": f"{local(gesprek.gepland_op):%H:%M}"
        if gesprek and gesprek.gepland_op
        else "",
        "startgesprek_locatie": (gesprek.locatie or "") if gesprek else "",
    }
    return Outcome(card=brief_form(casus.code, casus.id, values, {}))


async def maak_brief(context: Context, data: dict[str, Any]) -> Outcome:
    values = check_payload(BRIEF_SCHEMA, data)
    casus = await _casus_for(context, values.pop("casus"), "brief.maken", ("pga_expert",))
    if casus.status != "opgenomen":
        return Outcome(text="Je kunt pas een brief maken als de casus is opgenomen.")
    errors = _validate_brief(values, today())
    if errors:
        return Outcome(card=brief_form(casus.code, casus.id, values, errors))
    requester = context.actor.requester
    await context.uow.casussen.update_adres(
        casus,
        requester,
        adres=values["adres"],
        postcode=values["postcode"].upper(),
        woonplaats=values["woonplaats"],
    )
    planned = from_form(values["startgesprek_datum"], values.get("startgesprek_tijd"), "10:00")
    gesprek = await context.uow.casussen.startgesprek(casus.id)
    if gesprek is None or gesprek.status == "gepland":  # a recorded talk stays recorded
        await context.uow.casussen.save_startgesprek(
            casus, gepland_op=planned, locatie=values["startgesprek_locatie"], status="gepland"
        )
    context.uow.audit.record("brief.maken", "C", requester, casus=casus, purpose="brief")
    url = _download_url(context.config, casus.id, context.actor.id)
    return Outcome(card=brief_klaar(casus.code, casus.id, url, context.config.download_minutes))


def _download_url(config: Config, casus_id: int, professional_id: int) -> str:
    expires = int(time.time()) + config.download_minutes * 60
    token = sign(DownloadGrant(casus_id, professional_id, expires), config.signing_key)
    return f"{config.public_base_url.rstrip('/')}/brieven/{token}"


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


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes


async def link_usable(db: Database, config: Config, token: str) -> bool:
    """Signed, not expired and not used yet; looking does not use it up."""
    grant = verify(token, config.signing_key)
    if grant is None:
        return False
    async with db.unit_of_work() as uow:
        return not await uow.casussen.was_used(f"brief:{grant.link_id}")


async def download_brief(db: Database, config: Config, token: str) -> Download | None:
    """The letter for a valid, unexpired link whose professional is still linked; else None."""
    grant = verify(token, config.signing_key)
    if grant is None:
        return None
    async with db.unit_of_work() as uow:
        try:
            professional = await uow.people.get(grant.professional_id)
            if not professional.actief:
                raise AccessDenied("uitgeschakeld")
            casus = await uow.casussen.get(grant.casus_id)
            requester = Requester(
                professional_id=professional.id,
                tenant_id=professional.tenant_id,
                aad_object_id=professional.aad_object_id,
                conversation_id="brief-download",
                conversation_type="download",
            )
            await uow.casussen.require_link(casus, requester, "brief.downloaden", ("pga_expert",))
            persoon = await uow.casussen.identiteit(casus, requester, "brief aan bewoner")
        except AccessDenied:
            await uow.commit_refusals_only()
            return None
        except NotFound:
            return None
        gesprek = await uow.casussen.startgesprek(casus.id)
        planned = local(gesprek.gepland_op) if gesprek and gesprek.gepland_op else None
        content = render_brief(
            BriefGegevens(
                gemeente=casus.gemeente.naam,
                datum=today().strftime("%d-%m-%Y"),
                kenmerk=casus.code,
                naam=persoon.naam,
                adres=persoon.adres or "",
                postcode=persoon.postcode or "",
                woonplaats=persoon.woonplaats,
                startgesprek_datum=planned.strftime("%d-%m-%Y") if planned else "(volgt)",
                startgesprek_tijd=planned.strftime("%H:%M") if planned else "(volgt)",
                startgesprek_locatie=(
                    gesprek.locatie if gesprek and gesprek.locatie else "(volgt)"
                ),
                contactpersoon=professional.naam,
                contact=professional.email or "via het algemene nummer van de gemeente",
            )
        )
        # Used up only once the letter exists, so a failure does not cost the link.
        if not await uow.casussen.use_once(f"brief:{grant.link_id}"):
            uow.audit.record(
                "brief.downloaden",
                "R",
                requester,
                outcome="denied",
                casus=casus,
                details="link al gebruikt",
            )
            await uow.commit_refusals_only()
            return None
        uow.audit.record("brief.downloaden", "R", requester, casus=casus, purpose="brief")
        await uow.commit()
    return Download(filename=f"brief-{casus.code}.docx", content=content)


# --- startgesprek ----------------------------------------------------------------------------


async def open_startgesprek(context: Context, data: dict[str, Any]) -> Outcome:
    payload = check_payload(ids_schema("casus"), data)
    casus = await _casus_for(
        context, payload["casus"], "startgesprek.openen", ("pga_expert", "casusregisseur")
    )
    gesprek = await context.uow.casussen.startgesprek(casus.id)
    values: dict[str, Any] = {}
    if gesprek and gesprek.gepland_op:
        moment = local(gesprek.gepland_op)
        values = {"datum": f"{moment:%Y-%m-%d}", "tijd": f"{moment:%H:%M}"}
    return Outcome(card=startgesprek_form(casus.code, casus.id, values, {}))


async def leg_startgesprek_vast(context: Context, data: dict[str, Any]) -> Outcome:
    values = check_payload(STARTGESPREK_SCHEMA, data)
    casus = await _casus_for(
        context, values.pop("casus"), "startgesprek.vastleggen", ("pga_expert", "casusregisseur")
    )
    if casus.status != "opgenomen":
        return Outcome(text="Een startgesprek hoort bij een opgenomen casus.")
    errors = _validate_startgesprek(values, today())
    if errors:
        return Outcome(card=startgesprek_form(casus.code, casus.id, values, errors))
    requester = context.actor.requester
    held = values["uitkomst"] == "gehouden"
    await context.uow.casussen.save_startgesprek(
        casus,
        gepland_op=from_form(values["datum"], values.get("tijd")),
        status=values["uitkomst"],
        visie_bewoner=values.get("visie_bewoner") or None,
        vastgelegd_door_id=requester.professional_id,
        vastgelegd_at=dt.datetime.now(dt.UTC),
    )
    await context.uow.casussen.record_besluit(
        casus,
        requester,
        soort="startgesprek",
        uitkomst=values["uitkomst"],
        toelichting=None if held else "Verder met nadruk op handhaving",
    )
    roles = await context.uow.casussen.roles_of(casus.id, requester.professional_id)
    view = await _view(context, casus, roles)
    note = (
        "Startgesprek vastgelegd."
        if held
        else (
            "Vastgelegd: geen startgesprek ondanks herhaalde uitnodiging. De aanpak gaat verder, "
            "met nadruk op handhaving."
        )
    )
    return Outcome(card=casus_overzicht(_with_note(view, note)))


def _with_note(view: CasusView, note: str) -> CasusView:
    return replace(view, note=note)


def _validate_startgesprek(values: dict[str, Any], today: dt.date) -> dict[str, str]:
    errors = control_char_errors(values)
    if values.get("uitkomst") not in {v for v, _ in STARTGESPREK_UITKOMSTEN}:
        errors.setdefault("uitkomst", "Kies of het gesprek is gehouden.")
    _check_date(values, "datum", errors, not_after=today)
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
