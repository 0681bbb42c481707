"""The PGA-monitor as an Excel workbook (openpyxl) a gemeente can use for its own reports:
a sheet of figures and a sheet with one row per casus, by code only."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

Row = Sequence[str | int | float | None]


def render_monitor(
    titel: str, cijfers: Sequence[Row], kop: Sequence[str], casussen: Sequence[Row]
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Cijfers"
    sheet.append([titel])
    sheet["A1"].font = Font(bold=True, size=14)
    for row in cijfers:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 16
    per_casus = workbook.create_sheet("Casussen")
    per_casus.append(list(kop))
    for cell in per_casus[1]:
        cell.font = Font(bold=True)
    for row in casussen:
        per_casus.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
