"""Koppelen: the PGA-expert links partners to a casus with the sharing checklist of the
handreiking (DESIGN §3.4), links them again without retyping, appoints or replaces the
casusregisseur, and ends links with a reason.

States of a link: (none) → actief → beëindigd (tot, with a reason); a new link is a new row.
"""

from __future__ import annotations

from typing import Any

from cards import forms
from cards.koppelen import ChecklistOptions, KoppelView, gekoppeld, koppel_form, ontkoppeld
from cards.koppelen import ontkoppel_form as ontkoppel_card
from dialogs.core import Context, Outcome, casus_reference, control_char_errors, read_form
from store import reference as ref
from store.access import Need
from store.casus import CasusAccess
from store.outbox import PrivateMessage
from store.views import Checklist, PersonView

ASK_CODE = "Geef een code, bijvoorbeeld: koppelen PGA-2026-001"
LINKABLE = {"betrokken", "adviserend", "casusregisseur"}
DEFAULTS = {
    "rol": "betrokken",
    "grondslag": "art6_1e",
    "uitzondering": "geen",
    "beroepsgeheim": "geen",
}
OPTIONS = ChecklistOptions(
    rollen=ref.KOPPEL_ROLLEN,
    grondslagen=ref.GRONDSLAGEN,
    uitzonderingen=ref.UITZONDERINGEN,
    beroepsgeheim=ref.BEROEPSGEHEIM,
    toestemming_waarschuwing=ref.TOESTEMMING_WAARSCHUWING,
)


async def open_koppelen(context: Context, data: dict[str, Any]) -> Outcome:
    payload = read_form(forms.KOPPELEN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text=ASK_CODE)
    casus = await context.uow.casussen.open(reference, context.actor.requester, Need.KOPPELEN)
    return Outcome.private(await _card(context, casus, dict(DEFAULTS), {}), about=casus.id)


UNCHANGED = "Er is niets veranderd."


async def _card(
    context: Context,
    casus: CasusAccess,
    values: dict[str, Any],
    errors: dict[str, str],
    notice: str | None = None,
) -> dict[str, Any]:
    links = await casus.betrokkenen()
    people = [p for p in await context.uow.people.active() if _same_tenant(context, p)]
    partners = set((await casus.aanmelding()).partner_ids)
    linked = {link.professional_id for link in links}
    proposed = [p for p in people if p.organisatie_id in partners and p.id not in linked]
    others = [p for p in people if p not in proposed]
    view = KoppelView(
        casus_id=casus.id,
        code=casus.code,
        gekoppeld=[(_label(link), ref.ROL_LABELS.get(link.rol, link.rol)) for link in links],
        professionals=[
            *((str(p.id), f"{p.label}: voorgesteld, genoemd in de aanmelding") for p in proposed),
            *((str(p.id), p.label + (" (al gekoppeld)" if p.id in linked else "")) for p in others),
        ],
        opnieuw=await _earlier(casus, people, {(link.professional_id, link.rol) for link in links}),
    )
    return koppel_form(view, OPTIONS, values, errors, notice)


def _label(link: Any) -> str:
    return (
        f"{link.professional_naam} ({link.organisatie_naam})"
        if link.organisatie_naam
        else link.professional_naam
    )


def _same_tenant(context: Context, person: PersonView) -> bool:
    return person.tenant_id == context.actor.requester.tenant_id


async def _earlier(
    casus: CasusAccess, people: list[PersonView], active: set[tuple[int, str]]
) -> list[tuple[int, str, str, str]]:
    """Professionals whose link in a role ended: one press links them again as before."""
    found = []
    for person in people:
        for rol in ("betrokken", "adviserend"):
            if (person.id, rol) in active:
                continue
            if await casus.earlier_checklist(person.id, rol) is not None:
                found.append((person.id, person.naam, rol, ref.ROL_LABELS[rol]))
    return found


async def koppel(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.KOPPELEN, data)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.KOPPELEN
    )
    people = {p.id: p for p in await context.uow.people.active() if _same_tenant(context, p)}
    errors = validate(values, set(people))
    if errors:
        return Outcome.private(await _card(context, casus, values, errors), about=casus.id)
    person = people[int(values["professional"])]
    checklist = Checklist(
        doel=values["doel"],
        grondslag=values["grondslag"],
        uitzondering=values["uitzondering"],
        beroepsgeheim=values["beroepsgeheim"],
        noodzaak=values["noodzaak"],
        bewoner_geinformeerd=values["geinformeerd"] == "ja",
        reden_niet_geinformeerd=values.get("reden_niet_geinformeerd") or None,
    )
    return await _link(context, casus, person, values["rol"], checklist, values)


async def koppel_opnieuw(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.KOPPELEN_OPNIEUW, data)
    casus = await context.uow.casussen.open(values["casus"], context.actor.requester, Need.KOPPELEN)
    people = {p.id: p for p in await context.uow.people.active() if _same_tenant(context, p)}
    person = people.get(values["professional"])
    rol = values.get("rol") or ""
    checklist = await casus.earlier_checklist(values["professional"], rol)
    if person is None or rol not in LINKABLE or checklist is None:
        return Outcome(text="Deze persoon kan ik niet opnieuw koppelen. Open 'koppelen' opnieuw.")
    return await _link(context, casus, person, rol, checklist, dict(DEFAULTS))


async def _link(
    context: Context,
    casus: CasusAccess,
    person: PersonView,
    rol: str,
    checklist: Checklist,
    values: dict[str, Any],
) -> Outcome:
    outcome = Outcome(about=casus.id)
    if rol == "casusregisseur":
        await _replace_casusregisseur(casus, person, outcome)
    if not await casus.link(person.id, rol, checklist):
        # Already so (a second press, or linked before): the result, not a form error.
        notice = f"{person.naam} is al gekoppeld als {ref.ROL_LABELS[rol].lower()}. {UNCHANGED}"
        card = await _card(context, casus, dict(DEFAULTS), {}, notice)
        return Outcome.private(card, about=casus.id)
    outcome.tell(
        PrivateMessage(
            person.id,
            card=gekoppeld(
                casus.code, casus.id, ref.ROL_LABELS[rol], checklist.doel, rol == "adviserend"
            ),
            casus_id=casus.id,
        )
    )
    notice = f"{person.naam} is gekoppeld als {ref.ROL_LABELS[rol].lower()}."
    outcome.card = await _card(context, casus, dict(DEFAULTS), {}, notice)
    return outcome


async def _replace_casusregisseur(casus: CasusAccess, person: PersonView, outcome: Outcome) -> None:
    """One casusregisseur at a time: a new one replaces the old, and both are told."""
    for link in await casus.betrokkenen():
        if link.rol == "casusregisseur" and link.professional_id != person.id:
            await casus.unlink(
                link.professional_id, "casusregisseur", f"Vervangen door {person.naam}"
            )
            outcome.tell(
                PrivateMessage(
                    link.professional_id,
                    card=ontkoppeld(casus.code, ref.ROL_LABELS["casusregisseur"]),
                )
            )


def validate(values: dict[str, Any], known: set[int]) -> dict[str, str]:
    errors = control_char_errors(values)
    chosen = values.get("professional") or ""
    if not (chosen.isdigit() and int(chosen) in known):
        errors.setdefault("professional", "Kies een professional uit de lijst.")
    if values.get("rol") not in LINKABLE:
        errors.setdefault("rol", "Kies een rol.")
    if not values.get("doel"):
        errors.setdefault("doel", "Schrijf het doel op: waarvoor is dit nodig?")
    for field, options in (
        ("grondslag", ref.GRONDSLAGEN),
        ("uitzondering", ref.UITZONDERINGEN),
        ("beroepsgeheim", ref.BEROEPSGEHEIM),
    ):
        if values.get(field) not in dict(options):
            errors.setdefault(field, "Kies een van de mogelijkheden.")
    if not values.get("noodzaak"):
        errors.setdefault("noodzaak", "Leg in een zin uit waarom dit nodig is.")
    if values.get("geinformeerd") not in ("ja", "nee"):
        errors.setdefault("geinformeerd", "Kies ja of nee.")
    elif values["geinformeerd"] == "nee" and not values.get("reden_niet_geinformeerd"):
        errors.setdefault("reden_niet_geinformeerd", "Leg uit waarom de bewoner het niet weet.")
    return errors


# --- ontkoppelen -----------------------------------------------------------------------------


async def open_ontkoppelen(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.ONTKOPPELEN_OPEN, data)
    casus = await context.uow.casussen.open(
        values["casus"], context.actor.requester, Need.ONTKOPPELEN
    )
    return Outcome.private(await _ontkoppel_card(casus, {}, {}), about=casus.id)


async def _ontkoppel_card(
    casus: CasusAccess, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    choices = [
        (f"{link.professional_id}:{link.rol}", f"{_label(link)}: {ref.ROL_LABELS[link.rol]}")
        for link in await casus.betrokkenen()
    ]
    return ontkoppel_card(casus.id, casus.code, choices, values, errors)


async def ontkoppel(context: Context, data: dict[str, Any]) -> Outcome:
    values = read_form(forms.ONTKOPPELEN, data)
    casus = await context.uow.casussen.open(
        values.pop("casus"), context.actor.requester, Need.ONTKOPPELEN
    )
    links = {f"{link.professional_id}:{link.rol}": link for link in await casus.betrokkenen()}
    errors = control_char_errors(values)
    chosen = links.get(values.get("koppeling") or "")
    if chosen is None and values.get("koppeling"):
        return Outcome(text="Deze koppeling is al beëindigd. Typ 'koppelen' om de stand te zien.")
    if chosen is None:
        errors.setdefault("koppeling", "Kies wie je ontkoppelt.")
    elif chosen.rol == "pga_expert" and sum(1 for k in links.values() if k.rol == "pga_expert") < 2:
        errors.setdefault(
            "koppeling",
            "Dit is de laatste PGA-expert van de casus. Koppel eerst een andere PGA-expert.",
        )
    if not values.get("reden"):
        errors.setdefault("reden", "Geef de reden.")
    if errors or chosen is None:
        return Outcome.private(await _ontkoppel_card(casus, values, errors), about=casus.id)
    await casus.unlink(chosen.professional_id, chosen.rol, values["reden"])
    outcome = Outcome(about=casus.id).tell(
        PrivateMessage(
            chosen.professional_id, card=ontkoppeld(casus.code, ref.ROL_LABELS[chosen.rol])
        )
    )
    notice = f"{chosen.professional_naam} is ontkoppeld."
    if casus.allows(Need.KOPPELEN):
        outcome.card = await _card(context, casus, dict(DEFAULTS), {}, notice)
    else:  # the casus ended: a link can end, but no new one can be made
        outcome.text = notice
    return outcome
