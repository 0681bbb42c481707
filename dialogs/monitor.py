"""`monitor` (PGA-expert, beheerder): the PGA-monitor's figures per period, by code only, as
a card and as an Excel file delivered as a personal download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cards import forms
from cards.afsluiting import MonitorKaart, document_klaar, monitor_kaart
from dialogs.clock import today
from dialogs.core import Context, Outcome, read_form
from dialogs.inzage import period_errors
from store import reference as ref
from store.access import Requester
from store.documents import GrantView
from store.monitor import MonitorView, ScoreBeweging
from templates.brief import dutch_date
from templates.monitor import Row, render_monitor

EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASELOAD = {
    "aanmeldingen": "Aanmeldingen",
    "opgenomen": "Opgenomen",
    "afgewezen": "Afgewezen",
    "doorverwezen": "Doorverwezen of al besproken",
    "lopend": "Lopend aan het eind van de periode",
    "afgesloten": "Afgesloten",
}
DOORLOOPTIJDEN = {
    "triage": "Aanmelding → triage",
    "startgesprek": "Aanmelding → startgesprek",
    "plan": "Aanmelding → plan van aanpak",
    "afsluiting": "Aanmelding → afsluiting",
}
KOLOMMEN = (
    "Code",
    "Gemeente",
    "Aangemeld",
    "Status",
    "Triage",
    "Dagen tot triage",
    "Dagen tot startgesprek",
    "Dagen tot plan",
    "Dagen tot afsluiting",
    "Reden afsluiting",
    "Eindgesprek gehouden",
    "Acties op tijd afgerond",
    "Acties met deadline in de periode",
)


async def show(context: Context, data: dict[str, Any]) -> Outcome:
    values = _values(read_form(forms.MONITOR, _without_args(data)))
    errors = period_errors(values)
    if errors:
        values = _default_period()
    figures = await context.uow.monitor.figures(context.actor.requester, *_days(values))
    return Outcome.private(monitor_kaart(_kaart(figures, values), errors))


async def excel(context: Context, data: dict[str, Any]) -> Outcome:
    values = _values(read_form(forms.MONITOR_EXCEL, data))
    errors = period_errors(values)
    if errors:
        figures = await context.uow.monitor.figures(
            context.actor.requester, *_days(_default_period())
        )
        return Outcome.private(monitor_kaart(_kaart(figures, _default_period()), errors))
    # Checked now as well as at download: a refused requester gets no link.
    await context.uow.monitor.figures(context.actor.requester, *_days(values))
    minutes = context.config.download_minutes
    token = await context.uow.documents(context.config.signing_key).issue_monitor(
        context.actor.requester, minutes, {"van": values["van"], "tot": values["tot"]}
    )
    url = f"{context.config.public_base_url.rstrip('/')}/documenten/{token}"
    return Outcome.private(
        document_klaar("De monitor staat klaar", "Monitor downloaden (Excel)", url, minutes, None)
    )


def _without_args(data: dict[str, Any]) -> dict[str, Any]:
    """Typed as `monitor`, the command arrives with `_args`: the default period."""
    return {k: v for k, v in data.items() if k != "_args"}


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return values if values.get("van") or values.get("tot") else _default_period()


def _default_period() -> dict[str, Any]:
    """This year so far."""
    now = today()
    return {"van": f"{now.year}-01-01", "tot": now.isoformat()}


def _days(values: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(values["van"]), dt.date.fromisoformat(values["tot"])


def _kaart(view: MonitorView, values: dict[str, Any]) -> MonitorKaart:
    return MonitorKaart(
        periode=_periode(view),
        gemeenten=", ".join(view.gemeenten) or "geen",
        caseload=[(label, str(view.caseload[key])) for key, label in CASELOAD.items()],
        doorlooptijden=[
            (label, _number(view.doorlooptijden[key])) for key, label in DOORLOOPTIJDEN.items()
        ],
        uitkomsten=[
            *((label, str(view.uitkomsten.get(key, 0))) for key, label in ref.AFSLUIT_REDEN_LABELS),
            ("Eindgesprek gehouden", f"{view.eindgesprekken[0]} van {view.eindgesprekken[1]}"),
        ],
        acties=[
            ("Acties op tijd afgerond", f"{view.acties_op_tijd[0]} van {view.acties_op_tijd[1]}")
        ],
        scores=[(s.leefgebied, _beweging(s)) for s in view.scores],
        codes=[(r.code, ref.CASUS_STATUS_LABELS.get(r.status, r.status)) for r in view.regels[:30]],
        van=values["van"],
        tot=values["tot"],
    )


def _beweging(score: ScoreBeweging) -> str:
    casussen = "1 casus" if score.casussen == 1 else f"{score.casussen} casussen"
    return f"{_decimaal(score.start)} → {_decimaal(score.afsluiting)} ({casussen})"


def _decimaal(value: float) -> str:
    """A Dutch decimal: 3,5."""
    return f"{round(value, 1):g}".replace(".", ",")


def _periode(view: MonitorView) -> str:
    return f"{dutch_date(view.van)} tot en met {dutch_date(view.tot)}"


def _number(value: float | None) -> str:
    if value is None:
        return "nog geen gegevens"
    return f"{value:g}"


async def render_download(uow: Any, requester: Requester, grant: GrantView) -> tuple[bytes, str]:
    """The Excel file for a grant: the figures made now (the directory gate passed again)."""
    values = grant.parameters
    view: MonitorView = await uow.monitor.figures(requester, *_days(values))
    cijfers: list[Row] = [
        ("Periode", _periode(view)),
        ("Gemeente", ", ".join(view.gemeenten)),
        ("Caseload", None),
        *((label, view.caseload[key]) for key, label in CASELOAD.items()),
        ("Doorlooptijden (mediaan, dagen)", None),
        *((label, view.doorlooptijden[key]) for key, label in DOORLOOPTIJDEN.items()),
        ("Uitkomsten van afsluiting", None),
        *((label, view.uitkomsten.get(key, 0)) for key, label in ref.AFSLUIT_REDEN_LABELS),
        ("Eindgesprek gehouden", view.eindgesprekken[0]),
        ("Acties (deadline in de periode)", None),
        ("Acties op tijd afgerond", view.acties_op_tijd[0]),
        ("Acties met deadline in de periode", view.acties_op_tijd[1]),
        (
            "Leefgebieden van afgesloten casussen (gemiddelde score)",
            "Start",
            "Afsluiting",
            "Casussen",
        ),
        *(
            (s.leefgebied, round(s.start, 2), round(s.afsluiting, 2), s.casussen)
            for s in view.scores
        ),
    ]
    rows = [
        (
            r.code,
            r.gemeente,
            r.aangemeld.isoformat(),
            ref.CASUS_STATUS_LABELS.get(r.status, r.status),
            ref.label(ref.TRIAGE_BESLUITEN, r.triage) if r.triage else None,
            r.dagen_tot_triage,
            r.dagen_tot_startgesprek,
            r.dagen_tot_plan,
            r.dagen_tot_afsluiting,
            ref.label(ref.AFSLUIT_REDEN_LABELS, r.afsluit_reden) if r.afsluit_reden else None,
            None if r.eindgesprek_gehouden is None else ("ja" if r.eindgesprek_gehouden else "nee"),
            r.acties_op_tijd,
            r.acties_verwacht,
        )
        for r in view.regels
    ]
    content = render_monitor("PGA-monitor", cijfers, KOLOMMEN, rows)
    return content, f"pga-monitor-{view.van:%Y%m%d}-{view.tot:%Y%m%d}.xlsx"
