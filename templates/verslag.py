"""Renders the minutes of an overleg (store/verslag.py's view-model) into templates/verslag.docx.

Two renderers from one view-model: `render_volledig` (identity block per item and the typed
text: for the PGA-expert and the dossier) and `render_geanonimiseerd` (codes only; every
string written passes the view-model's redactor, which knows every resident on the agenda).
A missing or broken template gives a clear message naming the file, and the built-in default
(templates/make_verslag_template.py) is used. The output is deterministic: the same minutes
give the same bytes, so a content hash tells versions apart.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date
from docx import Document
from docx.table import _Cell

from store.verslag import Actie, LeefgebiedScore, Punt, Verslag
from templates.make_verslag_template import IDENTITEIT, INHOUD, KLEIN, TOELICHTING, build_document

log = logging.getLogger(__name__)

TEMPLATE = Path(__file__).with_name("verslag.docx")
BROKEN_TEMPLATE = (
    "Het sjabloon {file} ontbreekt of is beschadigd. Het verslag is gemaakt met het "
    "standaardsjabloon. Zet een goed sjabloon terug, of maak het opnieuw met "
    "'python -m templates.make_verslag_template'."
)
# Characters XML 1.0 cannot hold (Word would refuse the file).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Gerenderd:
    inhoud: bytes
    waarschuwing: str | None = None  # the template could not be used


def dutch_date(day: dt.date) -> str:
    """'dinsdag 24 november 2026' (CLDR data through Babel)."""
    return format_date(day, format="full", locale="nl_NL")


def render_volledig(verslag: Verslag, template: Path | None = None) -> Gerenderd:
    if not verslag.volledig:
        raise ValueError("render_volledig needs the full view-model")
    return _render(verslag, template, lambda text: text)


def render_geanonimiseerd(verslag: Verslag, template: Path | None = None) -> Gerenderd:
    return _render(verslag.geanonimiseerd(), template, verslag.redact)


def _render(verslag: Verslag, template: Path | None, clean: Callable[[str], str]) -> Gerenderd:
    document, warning = _open(template or TEMPLATE)
    writer = _Writer(document, clean)
    variant = (
        "Volledig verslag: vertrouwelijk, alleen voor het dossier"
        if verslag.volledig
        else "Geanonimiseerd verslag: alleen casuscodes"
    )
    writer.placeholders({"gemeente": verslag.gemeente, "variant": variant})
    before = list(document.element.body)
    _write(writer, verslag, variant)
    writer.into_placeholder(before)
    properties = document.core_properties
    properties.title = f"Verslag {verslag.soort.lower()} {verslag.gemeente}"
    properties.author = properties.last_modified_by = "Casusoverleg"
    properties.created = properties.modified = verslag.begin.replace(tzinfo=None)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return Gerenderd(_deterministic(buffer.getvalue()), warning)


def _open(template: Path) -> tuple[Any, str | None]:
    try:
        return Document(str(template)), None
    except Exception as error:  # missing, not a zip, not a Word document, bad XML
        shown = f"templates/{template.name}" if template.parent == TEMPLATE.parent else template
        log.warning("template unusable file=%s error=%s", shown, type(error).__name__)
        return build_document(), BROKEN_TEMPLATE.format(file=shown)


def _deterministic(docx: bytes) -> bytes:
    """The same parts with a fixed time stamp (python-docx stamps each part with now)."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# --- the content -------------------------------------------------------------------------


def _write(w: _Writer, v: Verslag, variant: str) -> None:
    w.paragraph(f"Verslag {v.soort.lower()}", "Title")
    w.paragraph(variant, KLEIN)
    w.facts(
        [
            ("Datum", dutch_date(v.begin.date())),
            ("Tijd", f"{v.begin:%H:%M}–{v.eind:%H:%M}"),
            ("Soort", v.soort),
            ("Gemeente", v.gemeente),
            ("Plaats", v.plaats),
            ("Voorzitter", v.voorzitter),
        ]
    )
    w.heading("Aanwezig" if v.aanwezigheid_bijgehouden else "Genodigden", 1)
    w.bullets([p.label for p in v.genodigden] or ["Niemand vastgelegd."])
    if v.afwezig_met_bericht:
        w.heading("Afwezig met bericht", 2)
        w.bullets([p.label for p in v.afwezig_met_bericht])
    w.heading("Agendapunten", 1)
    for punt in v.punten:
        _punt(w, punt)
    w.heading("Besluitenlijst", 1)
    w.table(
        ["Casus", "Besluit", "Toelichting"],
        [[b.code, b.uitkomst, _text(b.tekst, b.tekst_volledig)] for b in v.besluitenlijst],
        empty="Er zijn geen besluiten genomen.",
    )
    w.heading("Openstaande acties", 1)
    _acties(w, v.open_acties, with_code=True)
    w.heading("Volgend overleg", 1)
    w.paragraph(
        f"{dutch_date(v.volgend_overleg.date())} om {v.volgend_overleg:%H:%M}"
        if v.volgend_overleg
        else "Nog niet gepland."
    )
    if not v.volledig:
        w.paragraph(
            "Dit verslag noemt alleen casuscodes. Zet er geen namen of andere gegevens van "
            "bewoners bij, en deel het alleen met wie bij het overleg hoort.",
            KLEIN,
        )


def _punt(w: _Writer, punt: Punt) -> None:
    w.heading(f"{punt.positie}. {punt.code} · {punt.reden} · {punt.minuten} minuten", 2)
    if punt.identiteit is not None:  # the identity block: the full minutes only
        who = punt.identiteit
        w.paragraph(
            f"Bewoner: {who.naam}, geboren {who.geboortedatum:%d-%m-%Y}, {who.woonplaats}",
            IDENTITEIT,
        )
    w.labelled("Samenvatting", punt.samenvatting)
    if punt.rollen:
        w.labelled("Betrokken", "; ".join(f"{p.label}, {p.rol}" for p in punt.rollen))
    if punt.scores:
        _scores(w, punt.scores)
    w.labelled("Besluiten", "" if punt.besluiten else "geen")
    for besluit in punt.besluiten:
        text = _text(besluit.tekst, besluit.tekst_volledig)
        w.bullets([f"{besluit.uitkomst}: {text}" if text else besluit.uitkomst])
    w.labelled("Acties", "" if punt.acties else "geen")
    if punt.acties:
        _acties(w, punt.acties, with_code=False)
    w.labelled("Vervolg", punt.vervolg)


def _acties(w: _Writer, acties: Sequence[Actie], *, with_code: bool) -> None:
    """Per item with each action's status; the closing list holds open ones only."""
    rows = [
        [
            *([a.code] if with_code else []),
            _text(a.beschrijving, a.beschrijving_volledig),
            f"{a.eigenaar} ({a.eigenaar_organisatie})" if a.eigenaar_organisatie else a.eigenaar,
            a.deadline.strftime("%d-%m-%Y"),
            *([] if with_code else [a.status]),
        ]
        for a in acties
    ]
    header = [
        *(["Casus"] if with_code else []),
        "Actie",
        "Wie",
        "Uiterlijk",
        *([] if with_code else ["Status"]),
    ]
    w.table(header, rows, empty="Geen openstaande acties.")


def _scores(w: _Writer, scores: Sequence[LeefgebiedScore]) -> None:
    w.table(
        ["Leefgebied", "Score (1–5)", "Vorige score", "Beweging"],
        [
            [
                s.leefgebied,
                str(s.score),
                str(s.vorige) if s.vorige is not None else "–",
                _beweging(s),
            ]
            for s in scores
        ],
        empty="",
    )


def _beweging(score: LeefgebiedScore) -> str:
    if score.vorige is None:
        return "eerste score"
    verschil = score.score - score.vorige
    return "gelijk" if verschil == 0 else f"{verschil:+d}"


def _text(shared: str | None, full: str | None) -> str:
    return full if full is not None else shared or ""


def _styled(paragraph: Any, style: Any) -> Any:
    """Set a paragraph style by its id (python-docx compares each assignment with the
    default style, walking every style of the document)."""
    if style is not None:
        paragraph._p.style = style.style_id
    return paragraph


def _cells(table: Any, row: Any) -> list[_Cell]:
    """The cells of one row (python-docx's `row.cells` walks the whole table each time)."""
    return [_Cell(tc, table) for tc in row._tr.tc_lst]


class _Writer:
    """Every string goes through `clean` (the redactor, for the anonymised minutes) and
    loses characters XML cannot hold. Styles a restyled template lacks fall back to Normal."""

    def __init__(self, document: Any, clean: Callable[[str], str]) -> None:
        self.document = document
        self.clean = clean
        # Looked up once: python-docx searches every style on each lookup by name.
        self._styles = {style.name: style for style in document.styles}

    def _s(self, text: str) -> str:
        return NOT_XML.sub("", self.clean(text))

    def _style(self, name: str | None) -> Any:
        return self._styles.get(name) if name else None

    def paragraph(self, text: str, style: str | None = None) -> Any:
        return _styled(self.document.add_paragraph(self._s(text)), self._style(style))

    def heading(self, text: str, level: int) -> None:
        self.paragraph(text, f"Heading {level}")

    def labelled(self, label: str, text: str) -> None:
        paragraph = _styled(self.document.add_paragraph(), self._style(TOELICHTING))
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(self._s(text))

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.paragraph(item, "List Bullet")

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        table = self.document.add_table(rows=0, cols=2)
        for key, value in pairs:
            cells = _cells(table, table.add_row())
            cells[0].paragraphs[0].add_run(key).bold = True
            cells[1].paragraphs[0].add_run(self._s(value or "–"))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> None:
        if not rows:
            if empty:
                self.paragraph(empty)
            return
        table = self.document.add_table(rows=1, cols=len(header))
        grid = self._style("Table Grid")
        if grid is not None:
            table._tbl.tblStyle_val = grid.style_id
        for cell, title in zip(_cells(table, table.rows[0]), header, strict=True):
            cell.paragraphs[0].add_run(title).bold = True
        for row in rows:
            for cell, value in zip(_cells(table, table.add_row()), row, strict=True):
                cell.text = self._s(value)
        self.document.add_paragraph()

    def placeholders(self, values: dict[str, str]) -> None:
        """Fill {{gemeente}} and {{variant}} in headers and footers (also of later sections)."""
        for section in self.document.sections:
            for part in (section.header, section.footer):
                for paragraph in part.paragraphs:
                    for run in paragraph.runs:
                        for key, value in values.items():
                            if f"{{{{{key}}}}}" in run.text:
                                run.text = run.text.replace(f"{{{{{key}}}}}", self._s(value))

    def into_placeholder(self, before: list[Any]) -> None:
        """Move what was written to where the template has {{verslag}} (or leave it at the
        end), and drop the placeholder."""
        body = self.document.element.body
        marker = next(
            (p._p for p in self.document.paragraphs if p.text.strip() == INHOUD and p._p in before),
            None,
        )
        if marker is None:
            return
        for element in [e for e in body if e not in before and not e.tag.endswith("sectPr")]:
            marker.addprevious(element)
        body.remove(marker)
