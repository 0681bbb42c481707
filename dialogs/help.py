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
        ("besluiten CODE", "De besluiten over een casus, per overleg"),
        ("plan CODE", "Het plan van aanpak van een casus: leefgebieden, doelen, acties"),
        ("acties", "Je open acties, met afgerond en uitstel vragen"),
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
            ("overleg starten", "Het overleg openen: presentie en per casus een bespreekkaart"),
            ("overleg afronden", "Het overleg sluiten, met een samenvatting in het kanaal"),
            ("afsluiten CODE", "Een casus afsluiten, met warme overdracht en eindgesprek"),
            ("heropenen CODE", "Een afgesloten casus heropenen (binnen de termijn)"),
            ("inzage CODE", "Een inzagedocument (Word) voor de bewoner maken"),
            ("corrigeren CODE", "Een vastgelegd gegeven verbeteren, met reden"),
            ("verslag", "Het verslag (Word) van een overleg maken of ophalen"),
        ]
    else:
        commands.append(("overleg", "Casusoverleggen waarvan je voorzitter bent"))
    if actor.may_administer:
        commands.append(("beheer", "Organisaties en professionals beheren"))
        commands.append(("monitor", "De PGA-monitor: cijfers per periode, ook in Excel"))
    if context.config.local_mode:
        commands.append(("als", "Proefomgeving: handel als een andere professional"))
        commands.append(("herinneringen nu", "Proefomgeving: je herinneringen nu laten komen"))
    return commands


async def show(context: Context, data: dict[str, Any]) -> Outcome:
    professional = context.actor.professional
    note = None
    if context.config.local_mode:
        organisatie = professional.organisatie_naam or "geen"
        note = f"Proefomgeving. Je bent nu {professional.naam} ({organisatie})."
    return Outcome.anyone(help_card(professional.naam, commands_for(context), note))
