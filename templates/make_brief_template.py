"""Regenerates templates/brief_bewoner.docx. Edit the .docx in Word afterwards if you like;
keep the {{placeholders}}. Run: python -m templates.make_brief_template"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).with_name("brief_bewoner.docx")

BODY = [
    ("Betreft: uitnodiging voor een gesprek over hulp en veiligheid", True),
    ("Geachte {{naam}},", False),
    (
        "Verschillende organisaties in {{gemeente}} maken zich zorgen over u en over de "
        "veiligheid in uw omgeving. Daarom bespreken wij uw situatie in de Persoonsgerichte "
        "Aanpak (PGA). In de PGA werken de gemeente, politie, zorg en andere organisaties samen. "
        "Het doel is dat u de hulp krijgt die u nodig heeft, en dat de overlast of onveiligheid "
        "stopt.",
        False,
    ),
    ("Wat gebeurt er met uw gegevens?", True),
    (
        "Voor de PGA delen de betrokken organisaties alleen de gegevens die nodig zijn. Zij doen "
        "dat op grond van de wet (de AVG), omdat de gemeente een taak van algemeen belang heeft. "
        "Alleen de professionals die met u werken, zien wie u bent. Uw gegevens worden niet "
        "langer bewaard dan nodig.",
        False,
    ),
    ("Uw rechten", True),
    (
        "U mag vragen welke gegevens wij over u hebben, en u mag vragen om gegevens te verbeteren "
        "of te verwijderen. U mag ook bezwaar maken tegen het gebruik van uw gegevens. Bent u "
        "het niet eens met hoe wij met uw gegevens omgaan? Dan kunt u een klacht indienen bij "
        "de gemeente of bij de Autoriteit Persoonsgegevens.",
        False,
    ),
    ("Uitnodiging", True),
    (
        "Wij nodigen u uit voor een startgesprek op {{startgesprek_datum}} om "
        "{{startgesprek_tijd}} op {{startgesprek_locatie}}. In dit gesprek hoort u wat de PGA "
        "voor u betekent, en horen wij graag wat u zelf vindt en nodig heeft. U mag iemand "
        "meenemen die u vertrouwt.",
        False,
    ),
    (
        "Kunt u dan niet? Of heeft u vragen? Neem dan contact op met {{contactpersoon}}, "
        "procesregisseur PGA van de gemeente {{gemeente}}: {{contact}}.",
        False,
    ),
    ("Met vriendelijke groet,", False),
    ("", False),
    ("", False),
    ("____________________________", False),
    ("{{burgemeester}}", False),
    ("Burgemeester van {{gemeente}}", False),
]


def build() -> None:
    document = Document()
    properties = document.core_properties
    properties.author = properties.last_modified_by = "Gemeente"
    properties.title = "Uitnodiging startgesprek PGA"
    properties.language = "nl-NL"
    properties.created = properties.modified = dt.datetime(2026, 1, 1)
    style = document.styles["Normal"]
    _dutch(style)
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    _a4(document.sections[0])
    _letterhead(document.sections[0].header)
    for line in ("{{naam}}", "{{adres}}", "{{postcode}} {{woonplaats}}"):
        document.add_paragraph(line)
    document.add_paragraph("")
    document.add_paragraph("Datum: {{datum}}")
    document.add_paragraph("Ons kenmerk: {{kenmerk}}")
    document.add_paragraph("")
    for text, bold in BODY:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
    document.save(str(OUT))


def _a4(section: Any) -> None:
    """A4 with Dutch letter margins (python-docx starts from US Letter)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = Mm(10)


def _letterhead(header: Any) -> None:
    """The gemeente's letterhead: its logo (if set), name and address, right-aligned."""
    logo, name, address = (header.paragraphs[0], header.add_paragraph(), header.add_paragraph())
    logo.text = "{{logo}}"
    name.add_run("Gemeente {{gemeente}}").bold = True
    address.text = "{{gemeente_adres}}"
    for paragraph in (logo, name, address):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _dutch(style: Any) -> None:
    """Mark the text as Dutch, so Word checks the spelling in Dutch."""
    run_properties = style.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "nl-NL")
    run_properties.append(language)


if __name__ == "__main__":
    build()
    print(f"Geschreven: {OUT}")
