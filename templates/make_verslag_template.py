"""Regenerates templates/verslag.docx, the template of the minutes of an overleg.

A gemeente may restyle the .docx in Word (fonts, colours, the styles below, the header and
footer, a logo); keep the {{placeholders}} and the style names. The same code is the built-in
default when the file is missing or broken (templates/verslag.py).
Run: python -m templates.make_verslag_template
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).with_name("verslag.docx")
# Paragraph styles the minutes use besides Word's own (Title, Heading 1, Heading 2, List
# Bullet, Table Grid): restyle them in Word to change every verslag.
IDENTITEIT = "Verslag Identiteit"
TOELICHTING = "Verslag Toelichting"
KLEIN = "Verslag Klein"
# Where the minutes go; without it they follow whatever the body holds.
INHOUD = "{{verslag}}"


def build_document() -> Any:
    """The template as a python-docx Document (also the built-in default)."""
    document = Document()
    properties = document.core_properties
    properties.author = properties.last_modified_by = "Casusoverleg"
    properties.title = "Verslag casusoverleg PGA"
    properties.language = "nl-NL"
    properties.created = properties.modified = dt.datetime(2026, 1, 1)
    normal = document.styles["Normal"]
    _dutch(normal)
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    _styles(document)
    section = document.sections[0]
    _a4(section)
    _header(section.header)
    _footer(section.footer)
    document.add_paragraph(INHOUD)
    return document


def build() -> None:
    build_document().save(str(OUT))


def _styles(document: Any) -> None:
    styles = document.styles
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12)):
        styles[name].font.name = "Calibri"
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    identiteit = styles.add_style(IDENTITEIT, WD_STYLE_TYPE.PARAGRAPH)
    identiteit.base_style = styles["Normal"]
    identiteit.font.bold = True
    identiteit.font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    toelichting = styles.add_style(TOELICHTING, WD_STYLE_TYPE.PARAGRAPH)
    toelichting.base_style = styles["Normal"]
    toelichting.paragraph_format.left_indent = Mm(6)
    klein = styles.add_style(KLEIN, WD_STYLE_TYPE.PARAGRAPH)
    klein.base_style = styles["Normal"]
    klein.font.size = Pt(8.5)
    klein.font.italic = True


def _a4(section: Any) -> None:
    """A4 (python-docx starts from US Letter)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.header_distance = section.footer_distance = Mm(10)


def _header(header: Any) -> None:
    paragraph = header.paragraphs[0]
    paragraph.add_run("Gemeente {{gemeente}}").bold = True
    paragraph.add_run(" · Casusoverleg PGA")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _footer(footer: Any) -> None:
    """The variant (who may read it) and 'pagina 1 van 3' as Word fields."""
    paragraph = footer.paragraphs[0]
    paragraph.add_run("{{variant}} · pagina ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" van ")
    _field(paragraph, "NUMPAGES")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in paragraph.runs:
        run.font.size = Pt(8.5)


def _field(paragraph: Any, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _dutch(style: Any) -> None:
    """Mark the text as Dutch, so Word checks the spelling in Dutch."""
    run_properties = style.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "nl-NL")
    run_properties.append(language)


if __name__ == "__main__":
    build()
    print(f"Geschreven: {OUT}")
