"""Spreadsheet output that opens correctly in Excel, with Arabic headers.

- CSV carries a UTF-8 byte-order mark: without it Excel reads the file as the
  machine's legacy code page and shows Arabic as mojibake.
- XLSX is written with openpyxl in write-only mode (flat memory, fast for tens of
  thousands of rows); the sheet runs right to left when the active language does.
- Both refuse to hand Excel a formula: a text cell starting with "=" (or "+", "-",
  "@", tab or carriage return in CSV) stays text, so an imported or typed value cannot
  run as a formula.

`BomCSV` and `RtlXLSX` plug into django-import-export for the changelist exports;
`write_csv` and `write_xlsx` serve the reports' own tables.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import get_language_bidi
from import_export.formats import base_formats

BOM = "\ufeff"
# OWASP's list: a leading tab or carriage return also lets some spreadsheets read a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def write_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a BOM, the header row first."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow(["" if value is None else _csv_safe(value) for value in row])
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the local wall-clock time.
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    if value is not None and not isinstance(value, (int, float, datetime.date, str)):
        return str(value)
    return value


def write_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "",
    bold_last_row: bool = False,
) -> bytes:
    """An .xlsx workbook of one sheet: bold header row, then the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.sheet_view.rightToLeft = get_language_bidi()
    bold = Font(bold=True)

    def cells(values: Sequence[Any], *, strong: bool = False) -> list:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            if strong:
                cell.font = bold
            out.append(cell)
        return out

    sheet.append(cells([str(h) for h in headers], strong=True))
    if bold_last_row:
        rows = list(rows)
        for row in rows[:-1]:
            sheet.append(cells(row))
        if rows:
            sheet.append(cells(rows[-1], strong=True))
    else:
        for row in rows:
            sheet.append(cells(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(ch for ch in str(title) if ch not in "[]:*?/\\").strip()
    return cleaned[:31] or "Sheet1"


class BomCSV(base_formats.CSV):
    """import-export's CSV, written with a BOM and formula-safe cells."""

    CONTENT_TYPE = "text/csv; charset=utf-8"

    def export_data(self, dataset, **kwargs) -> str:
        return write_csv(dataset.headers or [], dataset)


class RtlXLSX(base_formats.XLSX):
    """import-export's XLSX, written by `write_xlsx` (right to left in Arabic)."""

    def export_data(self, dataset, **kwargs) -> bytes:
        return write_xlsx(dataset.headers or [], dataset, title=dataset.title or "")


EXPORT_FORMATS = [RtlXLSX, BomCSV]
IMPORT_FORMATS = [base_formats.XLSX, base_formats.CSV]
