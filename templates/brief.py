"""Fills the letter from the burgemeester to the resident (templates/brief_bewoner.docx).

The text lives in the .docx and can be edited in Word; placeholders are written as
{{naam}}. Word may split a placeholder over several runs, so replacement works per paragraph.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from docx import Document
from docx.text.paragraph import Paragraph

TEMPLATE = Path(__file__).with_name("brief_bewoner.docx")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class BriefGegevens:
    gemeente: str
    datum: str
    kenmerk: str
    naam: str
    adres: str
    postcode: str
    woonplaats: str
    startgesprek_datum: str
    startgesprek_tijd: str
    startgesprek_locatie: str
    contactpersoon: str
    contact: str


def render_brief(gegevens: BriefGegevens, template: Path = TEMPLATE) -> bytes:
    document = Document(str(template))
    values = asdict(gegevens)
    for paragraph in _paragraphs(document):
        _fill(paragraph, values)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
