"""The minutes of an overleg (#12) and the besluitenlijst of a casus.

After `overleg afronden` (the hook `na_afronden`) and on demand with `verslag` (the PGA-expert
picks the overleg), the anonymised minutes are rendered and stored; a new version posts a card
to the channel. Whoever was invited presses its button and gets a one-time download link in
their 1:1 chat (the document grants of the letter). The PGA-expert gets the full minutes,
with identity, only in the 1:1 chat. `besluiten CODE` lists a casus's besluiten, each naming
its overleg: in a channel (or for an adviser) only the redacted text.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from cards import forms
from cards.casus import STARTGESPREK_UITKOMSTEN
from cards.verslag import (
    BesluitLijstRegel,
    VerslagBericht,
    VerslagRegel,
    besluitenlijst,
    verslag_kanaal,
    verslag_klaar,
    verslag_lijst,
    verslag_voor_expert,
)
from dialogs.casus import Download
from dialogs.clock import local
from dialogs.core import Config, Context, Handler, Outcome, casus_reference, read_form
from store import reference as ref
from store.access import AccessDenied, Need, NotFound
from store.db import Database
from store.outbox import Message, PrivateMessage, SharedPost
from store.overleg import STATUSSEN, UITKOMSTEN, OverlegRefused
from store.verslag import (
    GEANONIMISEERD,
    VOLLEDIG,
    OverlegKop,
    Versie,
    Verspreiding,
    verslagen,
)
from store.views import BesluitRegel
from templates.verslag import render_geanonimiseerd, render_volledig

ONLY_EXPERT = "Verslagen maakt de PGA-expert van de gemeente. Vraag het aan de PGA-expert."
NO_OVERLEG = (
    "Er is nog geen gehouden overleg. Het verslag maak ik na 'overleg afronden'; daarna vind "
    "je het hier."
)
NOT_YET = "Het verslag van dit overleg is er nog niet. Vraag de PGA-expert om het te maken."
SAME = "Het verslag is niet veranderd: versie {versie} blijft. De kaart in het kanaal werkt nog."
NEW = "Versie {versie} van het verslag staat in het kanaal."
ASK_CODE = "Geef een code, bijvoorbeeld: besluiten PGA-2026-001"
REFUSALS = {
    "niet_gestart": (
        "Dit overleg is nog niet begonnen, dus er is nog geen verslag. Het verslag komt na "
        "'overleg afronden'."
    ),
    "loopt_nog": (
        "Dit overleg loopt nog. Rond het af met 'overleg afronden'; dan maak ik het verslag."
    ),
}
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
BESLUIT_LABELS = {
    **{f"overleg:{value}": label for value, label in UITKOMSTEN},
    **{f"triage:{value}": f"Triage: {label}" for value, label in ref.TRIAGE_BESLUITEN},
    **{f"startgesprek:{v}": f"Startgesprek: {label}" for v, label in STARTGESPREK_UITKOMSTEN},
}


def refusals(step: Handler) -> Handler:
    """Minutes of an overleg not held yet: a Dutch message, nothing changed."""

    @wraps(step)
    async def wrapped(context: Context, data: dict[str, Any]) -> Outcome:
        try:
            return await step(context, data)
        except OverlegRefused as refused:
            await context.uow.rollback()
            return Outcome(text=REFUSALS.get(refused.reason, REFUSALS["niet_gestart"]))

    return wrapped


# --- making the minutes ----------------------------------------------------------------------


async def lijst(context: Context, data: dict[str, Any], notice: str | None = None) -> Outcome:
    """`verslag`: the held overleggen of the PGA-expert's gemeente, each with its minutes."""
    read_form(forms.VERSLAG_LIJST, data, with_args=True)
    if not context.actor.is_pga_expert:
        return Outcome(text=ONLY_EXPERT)
    keuzes = await verslagen(context.uow).overleggen(context.actor.requester)
    if not keuzes:
        return Outcome(text=NO_OVERLEG)
    regels = [
        VerslagRegel(
            k.overleg_id,
            f"{k.soort} {k.gemeente}, {when(k.gepland_op)}",
            STATUSSEN.get(k.status, k.status),
            k.versie,
        )
        for k in keuzes
    ]
    return Outcome.private(verslag_lijst(regels, notice))


@refusals
async def maken(context: Context, data: dict[str, Any]) -> Outcome:
    """Make the minutes again (after a correction): a new version only when they changed."""
    overleg_id = read_form(forms.VERSLAG_MAKEN, data)["overleg"]
    versie, messages = await publiceer(context, overleg_id)
    notice = (NEW if versie.nieuw else SAME).format(versie=versie.versie)
    outcome = await lijst(context, {}, notice)
    return outcome.tell(*messages)


async def na_afronden(context: Context, overleg_id: int) -> list[Message]:
    """The hook after `overleg afronden`: the minutes, their channel card, the experts' note."""
    _, messages = await publiceer(context, overleg_id)
    return messages


async def publiceer(context: Context, overleg_id: int) -> tuple[Versie, list[Message]]:
    """Render and store the anonymised minutes; a new version goes to the channel and to the
    PGA-experts of the gemeente (whose card fetches the full minutes)."""
    store = verslagen(context.uow)
    requester = context.actor.requester
    model = await store.verslag(requester, overleg_id)
    rendered = render_geanonimiseerd(model)
    versie = await store.bewaar(requester, overleg_id, GEANONIMISEERD, rendered.inhoud)
    if not versie.nieuw:
        return versie, []
    where = await store.verspreiding(requester, overleg_id)
    kop = _kop(where)
    card = verslag_kanaal(VerslagBericht(overleg_id, kop, versie.versie, len(model.punten)))
    messages: list[Message] = []
    if where.casussen:
        for casus in where.casussen:  # the outbox checks the one it is filed under
            await context.uow.berichten.check_shared(casus.id, card)
        messages.append(SharedPost(where.kanaal_conversation_id, where.casussen[0], card))
    note = verslag_voor_expert(overleg_id, kop, versie.versie, rendered.waarschuwing)
    messages += [PrivateMessage(expert, card=note) for expert in where.pga_experts]
    return versie, messages


# --- fetching them ---------------------------------------------------------------------------


@refusals
async def ophalen(context: Context, data: dict[str, Any]) -> Outcome:
    """From the channel card: the anonymised minutes as a personal download (this runs as
    if in the presser's 1:1 chat, and answers there)."""
    overleg_id = read_form(forms.VERSLAG_OPHALEN, data)["overleg"]
    store = verslagen(context.uow)
    versie = await store.laatste(context.actor.requester, overleg_id, GEANONIMISEERD)
    if versie is None:
        return Outcome(text=NOT_YET)
    return await _link(context, versie, volledig=False, waarschuwing=None)


@refusals
async def volledig(context: Context, data: dict[str, Any]) -> Outcome:
    """The full minutes for the PGA-expert, rendered now through the casus gate (identity,
    audited per casus), stored as a version of their own, and linked in the 1:1 chat."""
    overleg_id = read_form(forms.VERSLAG_VOLLEDIG, data)["overleg"]
    store = verslagen(context.uow)
    requester = context.actor.requester
    rendered = render_volledig(await store.verslag(requester, overleg_id, volledig=True))
    versie = await store.bewaar(requester, overleg_id, VOLLEDIG, rendered.inhoud)
    return await _link(context, versie, volledig=True, waarschuwing=rendered.waarschuwing)


async def _link(
    context: Context, versie: Versie, *, volledig: bool, waarschuwing: str | None
) -> Outcome:
    config = context.config
    store = verslagen(context.uow)
    token = await store.grant(
        context.actor.requester,
        versie,
        context.uow.documents(config.signing_key),
        config.download_minutes,
    )
    kop = _kop(await store.kop(context.actor.requester, versie))
    url = f"{config.public_base_url.rstrip('/')}/verslagen/{token}"
    card = verslag_klaar(
        kop,
        url,
        config.download_minutes,
        volledig=volledig,
        versie=versie.versie,
        waarschuwing=waarschuwing,
    )
    return Outcome.private(card)


async def download_verslag(
    db: Database, config: Config, token: str, client: str | None = None
) -> Download | None:
    """The stored minutes for a valid, unexpired link whose professional may still read
    them; else None. Every attempt is logged with where it came from."""
    async with db.unit_of_work() as uow:
        grants = uow.documents(config.signing_key)
        grant = await grants.peek(token)
        requester = (
            await uow.people.download_requester(grant.professional_id, client) if grant else None
        )
        document_id = grant.verslag_document_id if grant else None
        if document_id is None or requester is None:
            uow.audit.record(
                "document.downloaden", "R", outcome="denied", details=_client(client, True)
            )
            await uow.commit()
            return None
        try:
            versie, inhoud = await verslagen(uow).download(requester, document_id)
        except (AccessDenied, NotFound):
            await uow.commit_refusals_only()
            return None
        if not await grants.redeem(token):
            uow.audit.record(
                "document.downloaden",
                "R",
                requester,
                outcome="denied",
                details=f"link al gebruikt; {_client(client, False)}",
            )
            await uow.commit_refusals_only()
            return None
        uow.audit.record(
            "document.downloaden",
            "R",
            requester,
            purpose=f"verslag {versie.variant}",
            details=f"overleg={versie.overleg_id} versie={versie.versie}; {_client(client, False)}",
        )
        await uow.commit()
    name = f"verslag-overleg-{versie.overleg_id}-{versie.variant}-v{versie.versie}.docx"
    return Download(filename=name, content=inhoud)


def _client(client: str | None, refused: bool) -> str:
    return ("geweigerd; " if refused else "") + (client or "client onbekend")


# --- the besluitenlijst of a casus -------------------------------------------------------------


async def besluiten(context: Context, data: dict[str, Any]) -> Outcome:
    """`besluiten CODE`: every besluit naming its overleg. The typed text only in the 1:1
    chat of who may read the dossier; otherwise (a channel, an adviser) shared-safe."""
    payload = read_form(forms.BESLUITEN_OPEN, data, with_args=True)
    reference = casus_reference(payload)
    if reference is None:
        return Outcome(text=ASK_CODE)
    casus = await context.uow.casussen.open(reference, context.actor.requester, Need.OVERZICHT)
    privé = casus.allows(Need.DOSSIER)
    gemeente = casus.view.gemeente_naam
    regels = [_regel(b, gemeente) for b in await casus.besluitenlijst()]
    card = besluitenlijst(casus.code, regels, privé, casus.id)
    if privé:
        return Outcome.private(card, about=casus.id)
    return Outcome.shared(card, await casus.shared())


def _regel(besluit: BesluitRegel, gemeente: str) -> BesluitLijstRegel:
    label = BESLUIT_LABELS.get(f"{besluit.soort}:{besluit.uitkomst}", besluit.uitkomst)
    if besluit.overleg_op is not None and besluit.overleg_soort is not None:
        soort = "Structureel" if besluit.overleg_soort == "structureel" else "Incidenteel"
        waar = f"{soort} overleg {gemeente}, {when(besluit.overleg_op)}"
    else:
        waar = f"Buiten een overleg, {local(besluit.genomen_at):%d-%m-%Y}"
    return BesluitLijstRegel(waar, f"{label}: {besluit.tekst}" if besluit.tekst else label)


# --- helpers ---------------------------------------------------------------------------------


def when(moment: dt.datetime) -> str:
    """'di 24-11-2026 14:00' (Amsterdam time)."""
    shown = local(moment)
    return f"{WEEKDAYS[shown.weekday()]} {shown:%d-%m-%Y %H:%M}"


def _kop(where: Verspreiding | OverlegKop) -> str:
    return f"{where.soort.lower()} {where.gemeente}, {when(where.gepland_op)}"
