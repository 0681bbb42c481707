"""Administration of organisations and professionals (PGA-expert or beheerder)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Element,
    Option,
    action_set,
    card,
    choice_input,
    container,
    error,
    execute,
    facts,
    heading,
    text,
    text_input,
    title,
)

ROL_KEUZES: list[Option] = [
    ("professional", "Professional"),
    ("pga_expert", "PGA-expert van de gekozen gemeente"),
]


@dataclass(frozen=True)
class BeheerView:
    organisaties: Sequence[tuple[str, str]]
    professionals: Sequence[tuple[str, str]]
    soorten: Sequence[Option]
    organisatie_keuzes: Sequence[Option]
    gemeenten: Sequence[Option]
    professional_keuzes: Sequence[Option] = ()
    uitgeschakeld_keuzes: Sequence[Option] = ()
    # People who opened the bot but are not registered: (conversation id, name).
    wachtend: Sequence[tuple[int, str]] = ()
    # Members of the bot's teams not registered yet: (teamlid id, "name — e-mail"), at most
    # the cap, and how many there are in all; e-mail addresses waiting to be bound.
    teamleden: Sequence[Option] = ()
    teamleden_totaal: int = 0
    uitnodigingen: Sequence[str] = ()
    # A region (#26): the installation beheerder sees 'Gemeenten'; whoever may appoint a
    # PGA-expert somewhere sees 'PGA-expert aanwijzen'.
    installatie_beheerder: bool = False
    wijst_experts_aan: bool = False


F = forms.BEHEER_ORGANISATIE  # every beheer card reads the same field set


def _notice(notice: str | None, errors: Mapping[str, str]) -> list[Element]:
    body: list[Element] = []
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    elif errors:
        body.append(error("Nog niet alles is goed ingevuld. Kijk bij de rode meldingen."))
    return body


def _back() -> Element:
    return execute("Terug naar beheer", forms.BEHEER_OPEN, inputs=False)


def beheer_card(view: BeheerView, notice: str | None = None) -> Card:
    """The beheer menu: short cards per task, destructive steps apart."""
    body: list[Element] = [title("Beheer"), *_notice(notice, {})]
    if view.wachtend:
        body += [
            heading(f"Wachten op toegang ({len(view.wachtend)})"),
            text(
                "Deze mensen openden Casusoverleg in Teams, maar staan er nog niet in.",
                subtle=True,
            ),
            *(
                container(
                    [
                        text(naam, spacing="Small"),
                        action_set(
                            [
                                execute(
                                    f"{naam} toevoegen",
                                    forms.BEHEER_AANVRAAG_OPEN,
                                    {"aanvraag": ref_id},
                                    inputs=False,
                                )
                            ]
                        ),
                    ]
                )
                for ref_id, naam in view.wachtend
            ),
        ]
    body += [
        heading("Professionals"),
        facts(view.professionals) if view.professionals else text("Nog geen professionals."),
    ]
    actions = [
        execute("Professional toevoegen", forms.BEHEER_PROFESSIONALS_OPEN, inputs=False),
        execute("Organisaties", forms.BEHEER_ORGANISATIES_OPEN, inputs=False),
        execute("Briefhoofd", forms.BEHEER_BRIEFHOOFD_OPEN, inputs=False),
        execute("Eigen criteria", forms.BEHEER_CRITERIA_OPEN, inputs=False),
        execute("Toegang intrekken", forms.BEHEER_TOEGANG_OPEN, inputs=False),
    ]
    if view.wijst_experts_aan:
        actions.append(execute("PGA-expert aanwijzen", forms.BEHEER_PGA_EXPERT_OPEN, inputs=False))
    if view.installatie_beheerder:
        actions.append(execute("Gemeenten", forms.BEHEER_GEMEENTEN_OPEN, inputs=False))
    return card(body, actions)


def organisaties_card(
    view: BeheerView, values: Mapping[str, Any], errors: Mapping[str, str], notice: str | None
) -> Card:
    body = [
        title("Organisaties"),
        *_notice(notice, errors),
        facts(view.organisaties) if view.organisaties else text("Nog geen organisaties."),
        heading("Organisatie toevoegen"),
        *text_input(F["org_naam"], "Naam", values, errors, required=True),
        *choice_input(F["org_soort"], "Soort", view.soorten, values, errors, required=True),
    ]
    return card(body, [execute("Organisatie toevoegen", forms.BEHEER_ORGANISATIE), _back()])


def professional_card(
    view: BeheerView,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
    *,
    wachtend: tuple[int, str] | None = None,
) -> Card:
    """Add a professional: one who is waiting, a member of the team (by name), by e-mail, or
    (for a beheerder) by object id."""
    body: list[Element] = [title("Professional toevoegen"), *_notice(notice, errors)]
    if wachtend:
        body.append(text(f"{wachtend[1]} opende Casusoverleg in Teams. Kies organisatie en rol."))
    else:
        body += _roster_inputs(view, values, errors)
    body += [
        *text_input(F["prof_functie"], "Functie", values, errors),
        *choice_input(
            F["prof_organisatie"], "Organisatie", view.organisatie_keuzes, values, errors
        ),
        *choice_input(F["prof_rol"], "Rol", ROL_KEUZES, values, errors),
        *choice_input(
            F["prof_gemeente"], "Gemeente (voor PGA-expert)", view.gemeenten, values, errors
        ),
    ]
    verb, data = (
        (forms.BEHEER_AANVRAAG, {"aanvraag": wachtend[0]})
        if wachtend
        else (forms.BEHEER_PROFESSIONAL, None)
    )
    return card(body, [execute("Toevoegen", verb, data, style="positive"), _back()])


def toegang_card(
    view: BeheerView, values: Mapping[str, Any], errors: Mapping[str, str], notice: str | None
) -> Card:
    """Switching someone off is apart from adding: a destructive step on its own card."""
    body = [
        title("Toegang intrekken of teruggeven"),
        *_notice(notice, errors),
        text(
            "Voor wie vertrekt of geen toegang meer mag hebben. Hij of zij ziet daarna niets "
            "meer in Casusoverleg; wat al is vastgelegd blijft bewaard. Alleen een beheerder "
            "kan dit.",
            subtle=True,
        ),
        *choice_input(
            F["uit_professional"], "Uitschakelen", view.professional_keuzes, values, errors
        ),
        *choice_input(
            F["aan_professional"],
            "Weer inschakelen",
            view.uitgeschakeld_keuzes,
            values,
            errors,
        ),
    ]
    return card(
        body,
        [
            execute("Uitschakelen", forms.BEHEER_UITSCHAKELEN, style="destructive"),
            execute("Weer inschakelen", forms.BEHEER_INSCHAKELEN),
            _back(),
        ],
    )


def briefhoofd_card(
    gemeenten: Sequence[Option],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    """The letterhead of letters to residents. The logo is set by the operator
    (python -m store.letterhead)."""
    body = [
        title("Briefhoofd van de gemeente"),
        *_notice(notice, errors),
        *choice_input(F["gem_gemeente"], "Gemeente", gemeenten, values, errors, required=True),
        *text_input(
            F["gem_adres"], "Adres van de gemeente (postadres)", values, errors, multiline=True
        ),
        *text_input(F["gem_burgemeester"], "Naam van de burgemeester", values, errors),
    ]
    return card(body, [execute("Bewaren", forms.BEHEER_BRIEFHOOFD, style="positive"), _back()])


def _roster_inputs(
    view: BeheerView, values: Mapping[str, Any], errors: Mapping[str, str]
) -> list[Element]:
    """Who: a team member by name, or an e-mail address, or an object id (last resort)."""
    body: list[Element] = [heading("Uit het Teams-team")]
    if view.teamleden:
        shown = len(view.teamleden)
        body += [
            *choice_input(F["prof_teamlid"], "Teamlid", view.teamleden, values, errors),
            text(
                f"{shown} van {view.teamleden_totaal} teamleden die er nog niet in staan. "
                "Staat iemand er niet bij? Zoek op naam of e-mail."
                if view.teamleden_totaal > shown
                else "Teamleden die er nog niet in staan.",
                subtle=True,
            ),
        ]
    elif values.get("prof_zoek"):
        body.append(text("Niemand gevonden met deze zoekterm.", subtle=True))
    else:
        body.append(
            text(
                "Nog geen teamleden die er niet in staan. Druk op 'Teamleden ophalen' (de bot "
                "moet in het team zitten), of voeg iemand toe met e-mail.",
                subtle=True,
            )
        )
    body += [
        *text_input(F["prof_zoek"], "Zoek op naam of e-mail", values, errors),
        action_set(
            [
                execute("Zoeken", forms.BEHEER_ZOEKEN),
                execute("Teamleden ophalen", forms.BEHEER_TEAMLEDEN, inputs=False),
            ]
        ),
        heading("Of met e-mailadres"),
        *text_input(
            F["prof_email"],
            "E-mailadres (werk)",
            values,
            errors,
            placeholder="naam@organisatie.nl",
        ),
        text(
            "Niet in het team? Vul het e-mailadres in. Zodra die persoon Casusoverleg in Teams "
            "opent, is de toegang klaar.",
            subtle=True,
        ),
    ]
    if view.uitnodigingen:
        body.append(facts([("Wacht op eerste bericht", ", ".join(view.uitnodigingen))]))
    body += [
        heading("Of met object-id (voor beheerders)"),
        *text_input(F["prof_naam"], "Naam", values, errors),
        *text_input(
            F["prof_object_id"],
            "Entra object-id (uit het Entra-beheercentrum)",
            values,
            errors,
            placeholder="00000000-0000-0000-0000-000000000000",
        ),
        *text_input(
            F["prof_tenant_id"], "Tenant-id (leeg = dezelfde organisatie als jij)", values, errors
        ),
        heading("Functie en rol"),
    ]
    return body


def criteria_card(
    gemeenten: Sequence[Option],
    huidige: Sequence[tuple[str, str, str, str]],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    """The gemeente's own criteria: (id, gemeente, label, toelichting) of those in use."""
    body: list[Element] = [
        title("Eigen criteria van de gemeente"),
        *_notice(notice, errors),
        text(
            "Deze staan in het aanmeldformulier onder de drie criteria van de handreiking, als "
            "'eigen criterium van de gemeente'. Ze tellen niet mee voor het minimum van twee.",
            subtle=True,
        ),
    ]
    if huidige:
        pairs = [(f"{gemeente}: {label}", uitleg) for _, gemeente, label, uitleg in huidige]
        body.append(facts(pairs))
    else:
        body.append(text("Nog geen eigen criteria."))
    body += [
        heading("Criterium toevoegen"),
        *choice_input(F["crit_gemeente"], "Gemeente", gemeenten, values, errors, required=True),
        *text_input(F["crit_label"], "Criterium (kort)", values, errors, required=True),
        *text_input(F["crit_toelichting"], "Uitleg voor de aanmelder", values, errors),
        action_set([execute("Criterium toevoegen", forms.BEHEER_CRITERIUM, style="positive")]),
    ]
    if huidige:
        keuzes = [(cid, f"{gemeente}: {label}") for cid, gemeente, label, _ in huidige]
        body += [
            heading("Criterium niet meer gebruiken"),
            text("Aanmeldingen die het al hebben, houden het.", subtle=True),
            *choice_input(F["crit_uit"], "Criterium", keuzes, values, errors),
            action_set(
                [execute("Niet meer gebruiken", forms.BEHEER_CRITERIUM_UIT, style="destructive")]
            ),
        ]
    return card(body, [_back()])
