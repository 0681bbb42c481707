"""Aanmelding: a professional refers a resident; the form is filled in private.

States: (no draft) → concept (saved draft) → ingediend (a casus in status 'aangemeld').
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from typing import Any

from cards import forms
from cards.aanmelding import (
    AanmeldingOptions,
    aanmelding_form,
    aanmelding_ontvangen,
    kanaal_melding,
    ter_triage,
)
from dialogs import once
from dialogs.clock import today
from dialogs.core import (
    Context,
    Outcome,
    control_char_errors,
    private_delivery_text,
    read_form,
    split_multi,
)
from store import reference as ref
from store.access import Conflict, Need
from store.casus import CasusAccess
from store.outbox import PrivateMessage, SharedPost
from store.views import CasusView, Checklist

DRAFT = "aanmelding"
ONCE = "aanmelding"
CRITERIA_KEYS = [key for key, _ in ref.CRITERIA]
DEFAULTS = {
    "doel": "Aanmelding voor de PGA: samen zorgen voor veiligheid en passende hulp",
    "grondslag": "art6_1e",
    "uitzondering": "geen",
    "beroepsgeheim": "geen",
    "urgentie": "normaal",
}
SENT_PRIVATELY = (
    "Ik heb je het aanmeldformulier in je privéchat met Casusoverleg gezet. "
    "Vul het daar in: namen van bewoners horen niet in een kanaal."
)
FILL_PRIVATELY = (
    "Dit formulier hoort niet in een gedeeld gesprek. Typ 'aanmelden' in je privéchat met "
    "Casusoverleg en vul het daar in."
)


async def _options(context: Context) -> AanmeldingOptions:
    people = context.uow.people
    gemeenten = [(str(g.id), g.naam) for g in await people.gemeenten()]
    return AanmeldingOptions(
        gemeenten=gemeenten,
        organisaties=[(str(o.id), o.naam) for o in await people.organisaties()],
        doelgroepen=ref.DOELGROEPEN,
        leefgebieden=ref.LEEFGEBIEDEN,
        urgenties=ref.URGENTIES,
        grondslagen=ref.GRONDSLAGEN,
        uitzonderingen=ref.UITZONDERINGEN,
        beroepsgeheim=ref.BEROEPSGEHEIM,
        toestemming_waarschuwing=ref.TOESTEMMING_WAARSCHUWING,
        criteria=ref.CRITERIA,
        eigen_criteria=await _eigen_criteria(context, dict(gemeenten)),
    )


async def _eigen_criteria(
    context: Context, gemeenten: dict[str, str]
) -> list[tuple[str, str, str, str]]:
    """The gemeenten's own criteria as choices; named after their gemeente when there are
    several (a form cannot show them only once a gemeente is chosen)."""
    active = await context.uow.criteria.active()
    several = len({c.gemeente_id for c in active}) > 1
    choices = []
    for criterium in active:
        gemeente = str(criterium.gemeente_id)
        title = criterium.label
        if criterium.toelichting:
            title += f" ({criterium.toelichting})"
        if several:
            title += f" — alleen {gemeenten.get(gemeente, 'andere gemeente')}"
        choices.append((str(criterium.id), gemeente, title, criterium.label))
    return choices


async def _initial_values(context: Context) -> dict[str, Any]:
    draft = await context.uow.people.concept(context.actor.id, DRAFT)
    if draft:
        return draft
    values = dict(DEFAULTS)
    gemeenten = await context.uow.people.gemeenten()
    if len(gemeenten) == 1:
        values["gemeente"] = str(gemeenten[0].id)
    return values


async def open_form(context: Context, data: dict[str, Any]) -> Outcome:
    form = aanmelding_form(
        await _options(context), await _initial_values(context), {}, form_id=uuid.uuid4().hex
    )
    if not context.actor.requester.in_personal_space:
        reply = Outcome(text=await private_delivery_text(context, SENT_PRIVATELY))
        return reply.tell(PrivateMessage(context.actor.id, card=form))
    return Outcome.private(form)


async def save_draft(context: Context, data: dict[str, Any]) -> Outcome:
    values = _dutch_dates(read_form(forms.AANMELDING_BEWAREN, data))
    if not context.incoming.personal:  # the form itself must live in the 1:1 chat
        return Outcome(text=FILL_PRIVATELY)
    form_id = values.pop("_form", None) or uuid.uuid4().hex
    await context.uow.people.save_concept(context.actor.id, DRAFT, values)
    card = aanmelding_form(
        await _options(context), values, {}, form_id=form_id, notice="Concept bewaard."
    )
    return Outcome.private(card)


async def submit(context: Context, data: dict[str, Any]) -> Outcome:
    values = _dutch_dates(read_form(forms.AANMELDING_INDIENEN, data))
    if not context.incoming.personal:  # the form itself must live in the 1:1 chat
        return Outcome(text=FILL_PRIVATELY)
    form_id = values.pop("_form", None) or uuid.uuid4().hex
    if await once.result_of(context, ONCE, form_id):
        return await _already_sent(context, form_id)
    options = await _options(context)
    errors = validate(values, options, today=today())
    if errors:
        # The draft is kept so that reopening the form keeps what was typed.
        await context.uow.people.save_concept(context.actor.id, DRAFT, values)
        return Outcome.private(aanmelding_form(options, values, errors, form_id=form_id))
    # The press is claimed before anything else is looked at or written: a second press of
    # this form (a double-click, in another process too) waits here for the first and then
    # shows its casus, never the duplicate question nor a draft with the resident's data.
    if not await once.first_press(context, ONCE, form_id):
        return await _already_sent(context, form_id)
    confirmed = values.get("toch_versturen") == "true"
    if not confirmed and await _known_already(context, values):
        # The claim stays without a result: the confirmed form (same id) is sent after all.
        await context.uow.people.save_concept(context.actor.id, DRAFT, values)
        return Outcome.private(
            aanmelding_form(
                options, values, {"_form": DUPLICATE, "toch_versturen": CONFIRM}, form_id=form_id
            )
        )
    # Unconfirmed, the casus takes the running-casus key of this gemeente and resident: an
    # aanmelding by someone else at the same moment fails on it, and its retry (the router
    # runs a turn again after a concurrent insert) is asked "Is dit dezelfde bewoner?".
    created = await _create_casus(context, values, options, unique=not confirmed)
    await once.record(context, ONCE, form_id, created.code)
    await context.uow.people.drop_concept(context.actor.id, DRAFT)
    casus = await context.uow.casussen.open(created.id, context.actor.requester, Need.OVERZICHT)
    hulp = ref.ACUUT_HULP if created.urgentie == "acuut" else None
    outcome = Outcome.private(
        aanmelding_ontvangen(created.code, created.gemeente_naam, hulp), about=created.id
    )
    return outcome.tell(*await _notices(context, casus))


DUPLICATE = (
    "Er is al een aanmelding of casus met deze naam en geboortedatum. Is dit dezelfde "
    "bewoner? Overleg dan eerst met de PGA-expert."
)
CONFIRM = "Zet dit aan als je de aanmelding toch wilt versturen."


async def _known_already(context: Context, values: dict[str, Any]) -> bool:
    """Whether the municipality has an active or recent casus for this name and birth date
    (the store says only yes or no: which casus stays hidden)."""
    return await context.uow.casussen.exists_for(
        int(values["gemeente"]), values["naam"], dt.date.fromisoformat(values["geboortedatum"])
    )


async def _already_sent(context: Context, form_id: str) -> Outcome:
    code = await once.result_of(context, ONCE, form_id)
    if not code:
        raise Conflict(form_id)
    earlier = await context.uow.casussen.open(code, context.actor.requester, Need.OVERZICHT)
    return Outcome.private(aanmelding_ontvangen(code, earlier.view.gemeente_naam), earlier.id)


def _eigen_chosen(values: dict[str, Any], options: AanmeldingOptions) -> list[dict[str, str]]:
    """The own criteria as recorded on the aanmelding: their labels as the form showed them,
    so a later change of the gemeente's list does not change what was sent."""
    labels = {cid: label for cid, _, _, label in options.eigen_criteria}
    return [{"id": cid, "label": labels[cid]} for cid in split_multi(values.get("eigen_criteria"))]


async def _create_casus(
    context: Context, values: dict[str, Any], options: AanmeldingOptions, *, unique: bool
) -> CasusView:
    criteria = {
        key: {
            "voldaan": values.get(f"crit_{key}") == "true",
            "toelichting": values.get(f"crit_{key}_toelichting", ""),
        }
        for key in CRITERIA_KEYS
    }
    informed = values["geinformeerd"] == "ja"
    return await context.uow.casussen.create(
        gemeente_id=int(values["gemeente"]),
        doelgroep=values["doelgroep"],
        urgentie=values["urgentie"],
        persoon={
            "naam": values["naam"],
            "geboortedatum": dt.date.fromisoformat(values["geboortedatum"]),
            "woonplaats": values["woonplaats"],
        },
        aanmelding={
            "criteria": criteria,
            "leefgebieden": split_multi(values.get("leefgebieden")),
            "partner_ids": [int(v) for v in split_multi(values.get("partners"))],
            "reden": values["reden"],
            "bewoner_geinformeerd": informed,
            "reden_niet_geinformeerd": None if informed else values["reden_niet_geinformeerd"],
            "voor_advies": _criteria_met(values) < 2,
            "eigen_criteria": _eigen_chosen(values, options),
        },
        aanmelder=context.actor.requester,
        unique_resident=unique,
        link=Checklist(
            doel=values["doel"],
            grondslag=values["grondslag"],
            uitzondering=values["uitzondering"],
            beroepsgeheim=values["beroepsgeheim"],
            bewoner_geinformeerd=informed,
            reden_niet_geinformeerd=None if informed else values["reden_niet_geinformeerd"],
        ),
    )


async def _notices(context: Context, casus: CasusAccess) -> list[PrivateMessage | SharedPost]:
    """The PGA-experts get the referral for triage (1:1); the municipality's channel gets the
    code and counts only."""
    shared = await casus.shared()
    doelgroep = ref.label(ref.DOELGROEPEN, shared.doelgroep)
    summary = [
        ("Doelgroep", doelgroep),
        ("Urgentie", ref.label(ref.URGENTIES, casus.view.urgentie)),
        ("Criteria", f"{shared.criteria_met} van 3"),
        ("Voor advies", "ja: minder dan 2 criteria" if shared.criteria_met < 2 else "nee"),
        ("Leefgebieden", str(shared.leefgebieden)),
        ("Aangemeld door", context.actor.professional.organisatie_naam or "onbekend"),
    ]
    notices: list[PrivateMessage | SharedPost] = [
        PrivateMessage(expert_id, card=ter_triage(casus.code, summary, casus.id), casus_id=casus.id)
        for expert_id in await context.uow.people.pga_experts_of(casus.view.gemeente_id)
    ]
    if casus.view.kanaal_conversation_id:
        card = kanaal_melding(casus.code, doelgroep.split(" (")[0].lower(), shared.leefgebieden)
        notices.append(SharedPost(casus.view.kanaal_conversation_id, shared, card))
    return notices


DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _dutch_dates(values: dict[str, Any]) -> dict[str, Any]:
    """A birth date typed the Dutch way (17-04-2003) is read as the date picker sends it."""
    typed = DUTCH_DATE.match(values.get("geboortedatum") or "")
    if typed:
        day, month, year = (int(part) for part in typed.groups())
        with contextlib.suppress(ValueError):
            values["geboortedatum"] = dt.date(year, month, day).isoformat()
    return values


def validate(values: dict[str, Any], options: AanmeldingOptions, today: dt.date) -> dict[str, str]:
    errors = control_char_errors(values)
    for field in ("naam", "woonplaats", "reden", "doel"):
        if not values.get(field):
            errors.setdefault(field, "Vul dit veld in.")
    if values.get("naam") and not any(ch.isalpha() for ch in values["naam"]):
        errors.setdefault("naam", "Vul een naam in met letters.")
    _check_birth_date(values, today, errors)
    _check_choice(values, "doelgroep", options.doelgroepen, errors)
    _check_choice(values, "gemeente", options.gemeenten, errors)
    _check_choice(values, "urgentie", options.urgenties, errors)
    _check_choice(values, "grondslag", options.grondslagen, errors)
    _check_choice(values, "uitzondering", options.uitzonderingen, errors)
    _check_choice(values, "beroepsgeheim", options.beroepsgeheim, errors)
    _check_choice(values, "geinformeerd", [("ja", ""), ("nee", "")], errors)
    _check_multi(values, "leefgebieden", options.leefgebieden, errors)
    _check_multi(values, "partners", options.organisaties, errors)
    _check_criteria(values, errors)
    _check_eigen_criteria(values, options, errors)
    if values.get("geinformeerd") == "nee" and not values.get("reden_niet_geinformeerd"):
        errors.setdefault("reden_niet_geinformeerd", "Leg uit waarom de bewoner het nog niet weet.")
    _check_age_group(values, today, errors)
    return errors


def _check_birth_date(values: dict[str, Any], today: dt.date, errors: dict[str, str]) -> None:
    raw = values.get("geboortedatum")
    if not raw:
        errors.setdefault("geboortedatum", "Vul de geboortedatum in.")
        return
    try:
        born = dt.date.fromisoformat(raw)
    except ValueError:
        errors.setdefault("geboortedatum", "Dit is geen geldige datum. Kies een datum.")
        return
    if born > today:
        errors.setdefault(
            "geboortedatum", "De geboortedatum ligt in de toekomst. Verbeter de datum."
        )
    elif born.year < 1900:
        errors.setdefault("geboortedatum", "Deze geboortedatum is te ver terug. Verbeter de datum.")


def _check_age_group(values: dict[str, Any], today: dt.date, errors: dict[str, str]) -> None:
    if values.get("doelgroep") != "jeugd" or "geboortedatum" in errors:
        return
    born = dt.date.fromisoformat(values["geboortedatum"])
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 16 <= age <= 27:
        errors.setdefault(
            "doelgroep", "Jeugd is 16 tot en met 27 jaar. Kies 'Volwassene' of verbeter de datum."
        )


def _check_choice(values: dict[str, Any], field: str, options: Any, errors: dict[str, str]) -> None:
    if values.get(field) not in {value for value, _ in options}:
        errors.setdefault(field, "Kies een van de mogelijkheden.")


def _check_multi(values: dict[str, Any], field: str, options: Any, errors: dict[str, str]) -> None:
    allowed = {value for value, _ in options}
    if any(part not in allowed for part in split_multi(values.get(field))):
        errors.setdefault(field, "Kies alleen uit de lijst. Open het formulier opnieuw.")


def _check_eigen_criteria(
    values: dict[str, Any], options: AanmeldingOptions, errors: dict[str, str]
) -> None:
    """The gemeente's own criteria chosen must be in use, and of the gemeente chosen."""
    gemeente_of = {cid: gemeente for cid, gemeente, _, _ in options.eigen_criteria}
    chosen = split_multi(values.get("eigen_criteria"))
    if any(cid not in gemeente_of for cid in chosen):
        errors.setdefault(
            "eigen_criteria", "Dit criterium is er niet meer. Kies opnieuw uit de lijst."
        )
    elif any(gemeente_of[cid] != values.get("gemeente") for cid in chosen):
        errors.setdefault(
            "eigen_criteria",
            "Je koos een eigen criterium van een andere gemeente. Haal dat vinkje weg of kies "
            "die gemeente.",
        )


def _criteria_met(values: dict[str, Any]) -> int:
    return sum(1 for key in CRITERIA_KEYS if values.get(f"crit_{key}") == "true")


def _check_criteria(values: dict[str, Any], errors: dict[str, str]) -> None:
    met = 0
    for key in CRITERIA_KEYS:
        flag = values.get(f"crit_{key}", "false")
        if flag not in ("true", "false"):
            errors.setdefault(f"crit_{key}", "Kies aan of uit.")
            continue
        if flag == "true":
            met += 1
            if not values.get(f"crit_{key}_toelichting"):
                errors.setdefault(f"crit_{key}_toelichting", "Licht dit criterium kort toe.")
    if met < 2 and values.get("voor_advies") != "true":
        errors.setdefault(
            "criteria",
            "Minstens 2 van de 3 criteria moeten gelden. Gelden er minder? Zet dan 'voor "
            "advies' aan: de PGA-expert bekijkt het als adviesvraag. Of overleg met het "
            "wijkteam of het Zorg- en Veiligheidshuis.",
        )
