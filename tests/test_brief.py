"""The letter to the resident (issue #9): A4, the gemeente's letterhead, Dutch long dates, the
burgemeester's name, and a reference of its own instead of the casus code."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.shared import Mm
from PIL import Image
from sqlalchemy import update

from dialogs import casus as casus_dialog
from store.models import Gemeente
from templates.brief import BriefGegevens, dutch_date, render_brief
from tests.test_privacy import letter_token, opgenomen


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_dutch_dates_come_from_babel() -> None:
    assert dutch_date(dt.date(2026, 12, 1)) == "1 december 2026"
    assert dutch_date(dt.date(2026, 11, 24), full=True) == "dinsdag 24 november 2026"


def gegevens(**overrides: object) -> BriefGegevens:
    values: dict[str, object] = {
        "gemeente": "Zuiderstad",
        "datum": "1 december 2026",
        "kenmerk": "BR-2026-ABC123",
        "naam": "Chloë d'Ançay",
        "adres": "Lindelaan 12",
        "postcode": "1234 AB",
        "woonplaats": "Zuiderstad",
        "startgesprek_datum": "dinsdag 8 december 2026",
        "startgesprek_tijd": "10:00",
        "startgesprek_locatie": "Stadhuis",
        "contactpersoon": "Fatima el Amrani",
        "contact": "fatima@zuiderstad.example",
        "gemeente_adres": "Postbus 1\n1000 AA Zuiderstad",
        "burgemeester": "J. de Burgemeester",
    }
    values.update(overrides)
    return BriefGegevens(**values)  # type: ignore[arg-type]


def test_the_letter_is_a4_with_letterhead_and_signature() -> None:
    document = Document(io.BytesIO(render_brief(gegevens(logo=png()))))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "Gemeente Zuiderstad" in header and "Postbus 1\n1000 AA Zuiderstad" in header
    assert "{{" not in header
    assert section.header.part.package.image_parts  # the logo went in
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Geachte Chloë d'Ançay," in body
    assert "J. de Burgemeester\nBurgemeester van Zuiderstad" in body
    assert "Ons kenmerk: BR-2026-ABC123" in body and "op dinsdag 8 december 2026 om 10:00" in body


def test_without_a_burgemeester_name_the_office_signs() -> None:
    document = Document(io.BytesIO(render_brief(gegevens(burgemeester="", gemeente_adres=""))))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Burgemeester van Zuiderstad" in body and "{{" not in body
    assert "De burgemeester van" not in body  # no name: the office signs, once


async def test_the_letter_uses_its_own_reference_and_the_gemeente_settings(demo_db, config):
    code, cid = await opgenomen(demo_db, config)
    async with demo_db.unit_of_work() as uow:
        await uow.session.execute(
            update(Gemeente).values(adres="Markt 1\n1234 ZZ Zuiderstad", burgemeester="A. Jansen")
        )
        await uow.commit()
    download = await casus_dialog.download_brief(
        demo_db, config, await letter_token(demo_db, config, cid)
    )
    assert download is not None
    document = Document(io.BytesIO(download.content))
    body = "\n".join(p.text for p in document.paragraphs)
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert code not in body and code not in header  # the code would tie it to channel posts
    assert "Ons kenmerk: BR-" in body and "A. Jansen" in body and "Markt 1" in header
    assert dutch_date(dt.date.today()) in body
    again = await casus_dialog.download_brief(
        demo_db, config, await letter_token(demo_db, config, cid)
    )
    assert again is not None
    kenmerk = [line for line in body.splitlines() if line.startswith("Ons kenmerk")]
    assert kenmerk[0] in "\n".join(p.text for p in Document(io.BytesIO(again.content)).paragraphs)


async def test_the_operator_sets_the_logo_from_the_command_line(demo_db, config, tmp_path):
    from store.letterhead import main, set_letterhead

    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    not_an_image = tmp_path / "logo.txt"
    not_an_image.write_text("<svg/>")
    url = str(demo_db.engine.url)
    assert main(["--gemeente", "Zuiderstad", "--logo", str(not_an_image)]) == 2
    assert await set_letterhead(url, "Nergensdorp", logo=png()) is False
    assert await set_letterhead(url, "Zuiderstad", logo=logo.read_bytes(), burgemeester="B. Oss")
    _, cid = await opgenomen(demo_db, config)
    download = await casus_dialog.download_brief(
        demo_db, config, await letter_token(demo_db, config, cid)
    )
    assert download is not None
    document = Document(io.BytesIO(download.content))
    assert document.sections[0].header.part.package.image_parts
    assert "B. Oss" in "\n".join(p.text for p in document.paragraphs)
