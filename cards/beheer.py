"""Administration of organisations and professionals (PGA-expert or beheerder)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards import forms
from cards.base import (
    Card,
    Option,
    card,
    choice_input,
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


def beheer_card(
    view: BeheerView,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Card:
    body = [title("Beheer")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if errors.get("_form"):
        body.append(error(errors["_form"]))
    body += [
        heading("Organisaties"),
        facts(view.organisaties) if view.organisaties else text("Nog geen organisaties."),
        heading("Professionals"),
        facts(view.professionals) if view.professionals else text("Nog geen professionals."),
        heading("Organisatie toevoegen"),
        *text_input(forms.BEHEER_ORGANISATIE["org_naam"], "Naam", values, errors),
        *choice_input(forms.BEHEER_ORGANISATIE["org_soort"], "Soort", view.soorten, values, errors),
        heading("Professional toevoegen"),
        *text_input(forms.BEHEER_ORGANISATIE["prof_naam"], "Naam", values, errors),
        *text_input(
            forms.BEHEER_ORGANISATIE["prof_object_id"],
            "Entra object-id (uit het Entra-beheercentrum)",
            values,
            errors,
            placeholder="00000000-0000-0000-0000-000000000000",
        ),
        *text_input(
            forms.BEHEER_ORGANISATIE["prof_tenant_id"],
            "Tenant-id (leeg = dezelfde organisatie als jij)",
            values,
            errors,
        ),
        *text_input(forms.BEHEER_ORGANISATIE["prof_functie"], "Functie", values, errors),
        *choice_input(
            forms.BEHEER_ORGANISATIE["prof_organisatie"],
            "Organisatie",
            view.organisatie_keuzes,
            values,
            errors,
        ),
        *choice_input(forms.BEHEER_ORGANISATIE["prof_rol"], "Rol", ROL_KEUZES, values, errors),
        *choice_input(
            forms.BEHEER_ORGANISATIE["prof_gemeente"],
            "Gemeente (voor PGA-expert)",
            view.gemeenten,
            values,
            errors,
        ),
        heading("Professional uitschakelen"),
        text(
            "Voor wie vertrekt of geen toegang meer mag hebben. Hij of zij ziet daarna niets "
            "meer in Casusoverleg; wat al is vastgelegd blijft bewaard.",
            subtle=True,
        ),
        *choice_input(
            forms.BEHEER_ORGANISATIE["uit_professional"],
            "Professional",
            view.professional_keuzes,
            values,
            errors,
        ),
        heading("Weer inschakelen"),
        *choice_input(
            forms.BEHEER_ORGANISATIE["aan_professional"],
            "Uitgeschakelde professional",
            view.uitgeschakeld_keuzes,
            values,
            errors,
        ),
    ]
    return card(
        body,
        [
            execute("Organisatie toevoegen", forms.BEHEER_ORGANISATIE),
            execute("Professional toevoegen", forms.BEHEER_PROFESSIONAL),
            execute("Uitschakelen", forms.BEHEER_UITSCHAKELEN, style="destructive"),
            execute("Weer inschakelen", forms.BEHEER_INSCHAKELEN),
        ],
    )
