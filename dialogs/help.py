"""The help card: what this professional can do here."""

from __future__ import annotations

from typing import Any

from cards.common import help_card
from dialogs.core import Context, Outcome


def commands_for(context: Context) -> list[tuple[str, str]]:
    actor = context.actor
    commands = [
        ("help", "Wat kan ik hier?"),
        ("aanmelden", "Een bewoner aanmelden voor de PGA"),
        ("casus CODE", "Een casus bekijken, bijvoorbeeld: casus PGA-2026-001"),
        ("signaal", "Een signaal over een casus melden, tussen twee overleggen door"),
        ("tijdlijn CODE", "Alles wat er met een casus gebeurde, op datum"),
    ]
    if actor.is_pga_expert:
        commands.append(("triage", "Open aanmeldingen beoordelen"))
        commands.append(("koppelen CODE", "Professionals koppelen aan een casus, of ontkoppelen"))
        commands.append(("kanaal", "Dit kanaal meldingen laten krijgen (in een kanaal)"))
        commands += [
            ("overleg", "De casusoverleggen van je gemeente"),
            ("overleg plannen", "Een casusoverleg plannen"),
            ("agenda", "De agenda van het volgende overleg maken, met voorstellen"),
            ("agenda publiceren", "De agenda in het kanaal zetten en genodigden uitnodigen"),
            ("overleg starten", "Het overleg openen: per casus een bespreekkaart in het kanaal"),
            ("overleg afronden", "Het overleg sluiten, met een samenvatting in het kanaal"),
        ]
    else:
        commands.append(("overleg", "Casusoverleggen waarvan je voorzitter bent"))
    if actor.may_administer:
        commands.append(("beheer", "Organisaties en professionals beheren"))
    if context.config.local_mode:
        commands.append(("als", "Proefomgeving: handel als een andere professional"))
    return commands


async def show(context: Context, data: dict[str, Any]) -> Outcome:
    professional = context.actor.professional
    note = None
    if context.config.local_mode:
        organisatie = professional.organisatie_naam or "geen"
        note = f"Proefomgeving. Je bent nu {professional.naam} ({organisatie})."
    return Outcome.anyone(help_card(professional.naam, commands_for(context), note))
