"""The inzage document for a resident (AVG art. 15): what the PGA records about them, with
which purpose and legal basis per partner, and who saw their data when (after NEN 7513).

Built with python-docx on A4; dates in Dutch through Babel (`dutch_date`). The caller gives
labels, not codes, so the resident reads plain Dutch.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt

Rows = Sequence[Sequence[str]]


@dataclass(frozen=True)
class InzageDocument:
    gemeente: str
    datum: str  # the day it was made, written out
    periode: str  # "1 januari 2026 tot en met 1 december 2026"
    identiteit: Rows  # (field, value)
    aanmelding: Rows
    besluiten: Rows  # (date, what, decision, explanation)
    koppelingen: Rows  # (organisation, professional, role, purpose, basis, from, until)
    documenten: Rows  # (document, reference)
    afsluiting: Rows  # (field, value)
    correcties: Rows  # (date, field, was, now, reason)
    toegang: Rows  # (when, professional, organisation, what)
    # The plan van aanpak.
    leefgebieden: Rows = ()  # (leefgebied, problem, score at the start, score now)
    doelen: Rows = ()  # (leefgebied, goal, good enough when, status)
    acties: Rows = ()  # (action, who, deadline, status, why it lapsed)


def render_inzage(gegevens: InzageDocument) -> bytes:
    document = Document()
    _a4(document)
    document.add_heading("Inzage in uw gegevens bij de Persoonsgerichte Aanpak", level=1)
    document.add_paragraph(f"Gemeente {gegevens.gemeente}, {gegevens.datum}")
    document.add_paragraph(
        "U heeft gevraagd welke gegevens de gemeente en haar partners in de Persoonsgerichte "
        "Aanpak (PGA) over u vastleggen, waarvoor, en wie ze heeft bekeken. Hieronder staat "
        f"alles wat is vastgelegd. Wie uw gegevens bekeek, staat over de periode "
        f"{gegevens.periode}. Klopt er iets niet? Dan kunt u vragen het te verbeteren."
    )
    _section(document, "Uw gegevens", ("Gegeven", "Waarde"), gegevens.identiteit)
    _section(document, "De aanmelding", ("Onderdeel", "Inhoud"), gegevens.aanmelding)
    _section(
        document,
        "Besluiten",
        ("Datum", "Waarover", "Besluit", "Toelichting"),
        gegevens.besluiten,
    )
    document.add_heading("Plan van aanpak", level=2)
    document.add_paragraph(
        "Scores gaan van 1 (grote problemen) tot 5 (u redt het zelf). Per leefgebied staat de "
        "eerste score en de laatste."
    )
    _section(
        document,
        "Leefgebieden",
        ("Leefgebied", "Probleem", "Score bij de start", "Score nu"),
        gegevens.leefgebieden,
    )
    _section(
        document, "Doelen", ("Leefgebied", "Doel", "Goed genoeg als", "Stand"), gegevens.doelen
    )
    _section(
        document,
        "Acties",
        ("Actie", "Wie", "Uiterlijk", "Stand", "Toelichting"),
        gegevens.acties,
    )
    _section(
        document,
        "Wie werkt mee, waarvoor en op welke grond",
        ("Organisatie", "Professional", "Rol", "Doel", "Grondslag", "Van", "Tot"),
        gegevens.koppelingen,
    )
    _section(document, "Documenten", ("Document", "Kenmerk"), gegevens.documenten)
    _section(document, "Afsluiting", ("Onderdeel", "Inhoud"), gegevens.afsluiting)
    _section(
        document,
        "Verbeteringen",
        ("Datum", "Gegeven", "Was", "Is nu", "Reden"),
        gegevens.correcties,
    )
    _section(
        document,
        f"Wie heeft uw gegevens bekeken of gewijzigd ({gegevens.periode})",
        ("Wanneer", "Professional", "Organisatie", "Wat"),
        gegevens.toegang,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _a4(document: DocxDocument) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
    document.styles["Normal"].font.size = Pt(10)


def _section(document: DocxDocument, kop: str, header: Sequence[str], rows: Rows) -> None:
    document.add_heading(kop, level=2)
    if not rows:
        document.add_paragraph("Niets vastgelegd.")
        return
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, value in zip(table.rows[0].cells, header, strict=True):
        cell.text = value
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
