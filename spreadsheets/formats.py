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
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import tablib
from django.conf import settings
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
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
    bold_last_rows: int = 0,
) -> bytes:
    """An .xlsx workbook of one sheet: bold header row, then the rows (the last
    `bold_last_rows` of them, the totals, in bold)."""
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
    rows = list(rows)
    plain = len(rows) - bold_last_rows
    for i, row in enumerate(rows):
        sheet.append(cells(row, strong=i >= plain))
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


class ImportRefused(ValueError):
    """An upload refused before it is read (past IMPORT_MAX_BYTES unpacked or IMPORT_MAX_ROWS,
    or not the format chosen); the message is for the person who uploaded it."""


def _too_large() -> ImportRefused:
    rows = settings.IMPORT_MAX_ROWS
    return ImportRefused(
        ngettext(
            "The file is too large to import: at most %(rows)d row and %(megabytes)d MB of data once unpacked.",
            "The file is too large to import: at most %(rows)d rows and %(megabytes)d MB of data once unpacked.",
            rows,
        )
        % {"rows": rows, "megabytes": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
    )


def _bounded_rows(dataset):
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise _too_large()
    return dataset


class BoundedXLSX(base_formats.XLSX):
    """Reads an upload only after checking what it unpacks to: an XLSX is a zip, and 515 KB of
    it once held 115 MB of sheet XML that tied a web worker up until its timeout. The sizes the
    zip declares are the most its reader will unpack."""

    def create_dataset(self, in_stream):
        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except zipfile.BadZipFile:
            raise ImportRefused(_("This is not an XLSX file.")) from None
        if unpacked > settings.IMPORT_MAX_BYTES:
            raise _too_large()
        return _bounded_rows(self._read(in_stream))

    @staticmethod
    def _read(in_stream) -> tablib.Dataset:
        """As import-export's reader, but a row whose last cells are empty is padded to the headers.

        A sheet without a declared size (ours, written in write-only mode, and other
        generated files) reads such a row short, and the whole file was refused as
        'InvalidDimensions'. Blank rows are skipped.
        """
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True).active
        rows = sheet.iter_rows(values_only=True)
        headers = list(next(rows, ()))
        dataset = tablib.Dataset(headers=headers)
        for row in rows:
            values = list(row)
            if all(value is None for value in values):
                continue
            dataset.append(values + [None] * (len(headers) - len(values)))
        return dataset


class BoundedCSV(base_formats.CSV):
    def create_dataset(self, in_stream):
        if len(in_stream) > settings.IMPORT_MAX_BYTES:
            raise _too_large()
        return _bounded_rows(super().create_dataset(in_stream))


EXPORT_FORMATS = [RtlXLSX, BomCSV]
IMPORT_FORMATS = [BoundedXLSX, BoundedCSV]
