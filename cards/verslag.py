"""The minutes of an overleg (#12) and the besluitenlijst of a casus.

The channel card names the overleg and its version only; the minutes themselves arrive as a
personal download in the presser's 1:1 chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards import forms
from cards.base import (
    Card,
    Element,
    action_set,
    card,
    container,
    esc,
    execute,
    open_url,
    refreshing,
    text,
    title,
)


@dataclass(frozen=True)
class VerslagRegel:
    overleg_id: int
    kop: str  # "Structureel overleg Zuiderstad, di 24-11-2026 14:00"
    status: str
    versie: int | None  # of the anonymised minutes, when made


def verslag_lijst(regels: Sequence[VerslagRegel], notice: str | None = None) -> Card:
    """The PGA-expert picks an overleg: make (or remake) its minutes, or get the full ones."""
    body: list[Element] = [title("Verslagen van het casusoverleg")]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    body.append(
        text(
            "Kies een overleg. Het geanonimiseerde verslag gaat als kaart naar het kanaal; het "
            "volledige verslag (met wie het is) krijg alleen jij, hier.",
            subtle=True,
        )
    )
    for regel in regels:
        versie = f"versie {regel.versie}" if regel.versie else "nog geen verslag"
        buttons = [
            execute(
                "Verslag opnieuw maken" if regel.versie else "Verslag maken",
                forms.VERSLAG_MAKEN,
                {"overleg": regel.overleg_id},
            )
        ]
        if regel.versie:
            buttons.append(
                execute(
                    "Volledig verslag (Word)", forms.VERSLAG_VOLLEDIG, {"overleg": regel.overleg_id}
                )
            )
        body.append(
            container(
                [
                    text(f"**{esc(regel.kop)}**", markdown=True),
                    text(f"{regel.status} · {versie}", subtle=True, spacing="None"),
                    action_set(buttons),
                ],
                separator=True,
            )
        )
    return refreshing(card(body), forms.VERSLAG_LIJST)


@dataclass(frozen=True)
class VerslagBericht:
    overleg_id: int
    kop: str
    versie: int
    agendapunten: int


def verslag_kanaal(view: VerslagBericht) -> Card:
    """For the channel: that the minutes are there, with a button; no content at all."""
    body: list[Element] = [
        title(f"Verslag {view.kop}"),
        text(f"Versie {view.versie} · {view.agendapunten} agendapunt(en)", subtle=True),
    ]
    if view.versie > 1:
        body.append(
            text(
                f"Dit is versie {view.versie}: het verslag is verbeterd. Gebruik deze versie en "
                "gooi eerdere versies weg.",
                color="Attention",
                weight="Bolder",
            )
        )
    body.append(
        text(
            "Druk op de knop: je krijgt het geanonimiseerde verslag (Word) in je privéchat met "
            "Casusoverleg. Alleen voor wie bij het overleg was uitgenodigd."
        )
    )
    return card(
        body,
        [execute("Verslag ophalen (Word)", forms.VERSLAG_OPHALEN, {"overleg": view.overleg_id})],
    )


def verslag_voor_expert(
    overleg_id: int, kop: str, versie: int, waarschuwing: str | None = None
) -> Card:
    """To the PGA-expert, 1:1: the full minutes are one press away."""
    body: list[Element] = [
        title(f"Verslag {kop}"),
        text(
            f"Versie {versie} van het geanonimiseerde verslag staat in het kanaal. Het volledige "
            "verslag, met wie het is, is alleen voor jou en het dossier."
        ),
    ]
    if waarschuwing:
        body.append(text(waarschuwing, color="Attention"))
    return card(
        body,
        [
            execute("Volledig verslag (Word)", forms.VERSLAG_VOLLEDIG, {"overleg": overleg_id}),
            execute("Alle verslagen", forms.VERSLAG_LIJST),
        ],
    )


def verslag_klaar(
    kop: str, url: str, minutes: int, *, volledig: bool, versie: int, waarschuwing: str | None
) -> Card:
    """The personal download link."""
    soort = "Volledig verslag" if volledig else "Verslag"
    body: list[Element] = [
        title(f"{soort} {kop} (versie {versie})"),
        text(
            f"De link werkt één keer, {minutes} minuten lang. Deel hem met niemand."
            + (
                " Dit verslag noemt wie het is: bewaar het alleen in het dossier, nooit in een "
                "kanaal of gedeelde map."
                if volledig
                else " Het verslag noemt alleen casuscodes; deel het niet buiten het overleg."
            )
        ),
    ]
    if waarschuwing:
        body.append(text(waarschuwing, color="Attention"))
    body.append(action_set([open_url(f"{soort} downloaden (Word)", url)]))
    return card(body)


@dataclass(frozen=True)
class BesluitLijstRegel:
    waar: str  # the overleg it was taken in, or "Triage" etc.
    besluit: str  # "Plan vastgesteld: [bewoner] gaat naar de GGZ"


def besluitenlijst(
    code: str, regels: Sequence[BesluitLijstRegel], privé: bool, casus_id: int | None = None
) -> Card:
    """The besluiten of a casus, each naming its overleg. Shared-safe unless `privé`."""
    body: list[Element] = [title(f"Besluiten {code}")]
    if privé:
        body.append(text("Alleen zichtbaar voor jou. Deel dit niet in het kanaal.", subtle=True))
    if not regels:
        body.append(text("Er zijn nog geen besluiten."))
    for regel in regels:
        body.append(
            container(
                [
                    text(f"**{esc(regel.waar)}**", markdown=True),
                    text(regel.besluit, spacing="None"),
                ],
                separator=True,
            )
        )
    if casus_id is None:
        return card(body)
    return refreshing(card(body), forms.BESLUITEN_OPEN, {"casus": casus_id})
