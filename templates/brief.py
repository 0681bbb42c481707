"""Fills the letter from the burgemeester to the resident (templates/brief_bewoner.docx).

The text lives in the .docx and can be edited in Word; placeholders are written as
{{naam}}. Word may split a placeholder over several runs, so replacement works per paragraph.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from babel.dates import format_date
from docx import Document
from docx.shared import Mm
from docx.text.paragraph import Paragraph

TEMPLATE = Path(__file__).with_name("brief_bewoner.docx")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class BriefGegevens:
    gemeente: str
    datum: str  # written out, e.g. "1 december 2026" (see `dutch_date`)
    kenmerk: str  # the letter's own reference, never the casus code
    naam: str
    adres: str
    postcode: str
    woonplaats: str
    startgesprek_datum: str
    startgesprek_tijd: str
    startgesprek_locatie: str
    contactpersoon: str
    contact: str
    gemeente_adres: str = ""
    burgemeester: str = ""
    logo: bytes | None = field(default=None, repr=False)


def dutch_date(day: dt.date, *, full: bool = False) -> str:
    """A date as Dutch letters write it: "1 december 2026", or with `full` "dinsdag 1
    december 2026" (CLDR data through Babel, not a hand-made table)."""
    return format_date(day, format="full" if full else "long", locale="nl_NL")


def render_brief(gegevens: BriefGegevens, template: Path = TEMPLATE) -> bytes:
    document = Document(str(template))
    values = {f.name: getattr(gegevens, f.name) for f in fields(gegevens) if f.name != "logo"}
    for paragraph in _paragraphs(document):
        if paragraph.text.strip() == "{{logo}}":
            _logo(paragraph, gegevens.logo)
            continue
        _fill(paragraph, values)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _logo(paragraph: Paragraph, logo: bytes | None) -> None:
    for run in paragraph.runs:
        run.text = ""
    if logo:
        paragraph.runs[0].add_picture(io.BytesIO(logo), height=Mm(18))


def placeholders(template: Path = TEMPLATE) -> set[str]:
    document = Document(str(template))
    found: set[str] = set()
    for paragraph in _paragraphs(document):
        found.update(PLACEHOLDER.findall(paragraph.text))
    return found


def _paragraphs(document: object) -> Iterator[Paragraph]:
    yield from document.paragraphs  # type: ignore[attr-defined]
    for table in document.tables:  # type: ignore[attr-defined]
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in document.sections:  # type: ignore[attr-defined]
        for part in (section.header, section.footer):
            yield from part.paragraphs


def _fill(paragraph: Paragraph, values: Mapping[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    runs = paragraph.runs
    if not runs:
        return
    runs[0].text = filled
    for run in runs[1:]:
        run.text = ""
