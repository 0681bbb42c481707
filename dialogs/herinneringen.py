"""Reminders, escalations and the weekly digest of the plan van aanpak (#11), as scheduled
work (dialogs/jobs.py) that writes to the outbox (store/outbox.py).

A reminder job and the messages it writes commit together, and only while the job is still
claimed by this worker: several processes deliver each reminder once (the outbox then sends
each message once, with back-off on 429). Messages name codes and dates only; each is filed
under its casus, so the outbox re-checks the link at delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cards.plan import OverzichtRegel, herinnering_kaart, weekoverzicht_kaart
from dialogs.clock import AMSTERDAM
from dialogs.core import Config
from store.db import UnitOfWork
from store.jobs import Job
from store.outbox import PrivateMessage
from store.plan import plannen, reminder_plek

DIGEST = "weekoverzicht"  # the kind of the periodic job (dialogs/jobs.py)


async def send_reminders(
    uow: UnitOfWork, config: Config, jobs: Sequence[Job], now: dt.datetime
) -> int:
    """Reminders of actions: to their owners (an organisation's linked professionals; the
    casusregisseur for the resident's), overdue also to the casusregisseur, escalated to the
    PGA-expert. Nothing when the action is done, lapsed or the casus closed."""
    wanted = [(int(job.data["actie"]), str(job.data["soort"])) for job in jobs]
    sent = 0
    for view in await plannen(uow).herinneringen(wanted):
        kaart = herinnering_kaart(view.soort, view.code, view.actie_id, f"{view.deadline:%d-%m-%Y}")
        for professional_id in view.ontvangers:
            await uow.berichten.put(
                PrivateMessage(
                    professional_id,
                    card=kaart,
                    casus_id=view.casus_id,
                    plek=reminder_plek(view.actie_id, view.soort),
                )
            )
            sent += 1
    return sent


async def send_digests(uow: UnitOfWork, config: Config, now: dt.datetime) -> int:
    """The weekly digest: each casusregisseur, their casussen in counts and codes."""
    repository = plannen(uow)
    vandaag = now.astimezone(AMSTERDAM).date()
    sent = 0
    for professional_id, casus_ids in (await repository.regisseurs_met_casussen()).items():
        regels = []
        for casus_id in casus_ids:
            regel = await repository.overzicht(casus_id, vandaag)
            regels.append(
                OverzichtRegel(
                    casus_id,
                    regel.code,
                    f"{regel.open} open, {regel.vandaag_of_binnenkort} deze week, "
                    f"{regel.te_laat} te laat, {regel.recente_besluiten} besluiten",
                )
            )
        await uow.berichten.put(PrivateMessage(professional_id, card=weekoverzicht_kaart(regels)))
        sent += 1
    return sent


def next_digest(now: dt.datetime, config: Config) -> dt.datetime:
    """The next digest moment after `now`: the configured weekday and time in Amsterdam."""
    wanneer = dt.time.fromisoformat(config.digest_time)
    day = now.astimezone(AMSTERDAM).date()
    for offset in range(8):
        candidate = day + dt.timedelta(days=offset)
        if candidate.weekday() != config.digest_weekday:
            continue
        moment = dt.datetime.combine(candidate, wanneer, tzinfo=AMSTERDAM).astimezone(dt.UTC)
        if moment > now:
            return moment
    raise AssertionError("a weekday recurs within eight days")
