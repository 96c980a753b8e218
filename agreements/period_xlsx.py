"""A period report as a spreadsheet: the partner downloads its commitments, fills quantities, uploads.

`period_sheet(report)` writes the workbook: the report's number in the first row (an
upload is matched against it), then one row per commitment of the report's party with its
number, clause, description, unit, target and accepted progress, a quantity column, one
column per breakdown category the report's commitments ask for (greyed and locked where a
commitment does not ask for it) and a note. The sheet is protected so that only the
columns to fill can be typed in, and runs right to left in Arabic.

`period_sheet_read(report, content)` reads an upload with the bounded reader
(`spreadsheets.formats.BoundedXLSX`: size and row limits) and returns the raw rows, or
raises `ImportRefused` for a file that is not this report's sheet. `period_sheet_check`
turns raw rows into `period_report_submit` lines and row-level errors; nothing is saved
here: the caller shows the preview and submits the lines the same way the form does.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_bidi, ngettext, override
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from spreadsheets.formats import BoundedXLSX, ImportRefused

from . import breakdowns
from .models import Commitment, PeriodReport
from .periods import Line, report_commitments

# A period's sheet is a few kilobytes; 2 MB leaves room for hundreds of commitments and
# refuses a large upload before it is unpacked.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
QUANTITY_MAX = 1_000_000  # as the report form (PeriodLineForm.amount)
NOTE_MAX = 10_000
FIRST_DATA_ROW = 4  # row 1: the report; row 3: the headers


def _columns() -> dict[str, str]:
    """The fixed columns, by key, with their header in the active language."""
    return {
        "id": _("Commitment no."),
        "clause": _("Clause"),
        "description": _("Commitment"),
        "unit": _("Unit"),
        "target": _("Target"),
        "achieved": _("Accepted so far"),
        "amount": _("Quantity in this period"),
        "note": _("Note"),
    }


def _kinds(commitments: list[Commitment]) -> list[str]:
    """The breakdown kinds the commitments ask for, in the order `BreakdownKind` lists them."""
    asked = {c.breakdown for c in commitments if c.breakdown}
    return [kind for kind in breakdowns.CATEGORIES if kind in asked]


def period_sheet_name(report: PeriodReport) -> str:
    return f"{report.agreement.reference}-{report.number}.xlsx"


def period_sheet(report: PeriodReport) -> bytes:
    """The workbook of `report`'s commitments to fill (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    commitments = list(report_commitments(report))
    kinds = _kinds(commitments)
    categories = [(kind, key, label) for kind in kinds for key, label in breakdowns.categories(kind)]
    columns = _columns()
    headers = [columns[k] for k in ("id", "clause", "description", "unit", "target", "achieved", "amount")]
    headers += [str(label) for _kind, _key, label in categories]
    headers.append(columns["note"])

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Period report")[:31]
    sheet.sheet_view.rightToLeft = get_language_bidi()
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="D9D9D9")
    to_fill = PatternFill("solid", fgColor="FFF2CC")
    unlocked = Protection(locked=False)

    sheet.append([_("Period report"), report.pk, report.agreement.reference, report.label])
    sheet["A1"].font = bold
    sheet.append([_("Fill the quantity, the breakdown and a note; leave a row empty to report nothing on it.")])
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    first_input = 7  # column G: the quantity
    last = len(headers)
    # Cells by coordinates: `sheet.max_row` scans every cell, so asking it per row is quadratic.
    for number, commitment in enumerate(commitments, start=FIRST_DATA_ROW):
        values = [
            commitment.pk,
            str(commitment.clause.get_kind_display()),
            commitment.description,
            str(commitment.get_unit_display()),
            commitment.target_quantity,
            commitment.achieved,
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
        amount = sheet.cell(row=number, column=first_input)
        amount.protection, amount.fill = unlocked, to_fill
        for offset, (kind, _key, _label) in enumerate(categories):
            cell = sheet.cell(row=number, column=first_input + 1 + offset)
            if kind == commitment.breakdown:
                cell.protection, cell.fill = unlocked, to_fill
            else:
                cell.fill = grey
        sheet.cell(row=number, column=last).protection = unlocked

    end = FIRST_DATA_ROW + max(len(commitments), 1) - 1
    whole = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(QUANTITY_MAX),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not a quantity"),
        error=_("Type a whole number of zero or more."),
    )
    sheet.add_data_validation(whole)

    whole.add(f"{get_column_letter(first_input)}{FIRST_DATA_ROW}:{get_column_letter(last - 1)}{end}")
    for index, width in enumerate([10, 22, 40, 12, 10, 12, 14], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.column_dimensions[get_column_letter(last)].width = 40
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    # Protected without a password: it keeps the numbers and descriptions from being typed
    # over by accident; the upload is checked whatever the sheet says.
    sheet.protection.sheet = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class SheetRow:
    """One row of an uploaded sheet as read: its number in the sheet and its raw cells by column key."""

    number: int
    cells: dict[str, Any]


def _header_names() -> dict[str, str]:
    """Header text (in Arabic and in English) to column key: a sheet downloaded in either language is read."""
    names: dict[str, str] = {}
    for language in ("ar", "en"):
        with override(language):
            for key, header in _columns().items():
                names[header.strip()] = key
            for _kind, categories in breakdowns.CATEGORIES.items():
                for key, label in categories:
                    names[str(label).strip()] = f"b:{key}"
    return names


def period_sheet_read(report: PeriodReport, content: bytes) -> list[SheetRow]:
    """The rows of an uploaded sheet for `report`, or ImportRefused with a message for the uploader.

    Refused: a file over UPLOAD_MAX_BYTES, anything but an XLSX (a CSV renamed .xlsx too),
    past the import limits once unpacked, a sheet for another period report, and a sheet
    without the headers.
    """
    if len(content) > UPLOAD_MAX_BYTES:
        megabytes = UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ImportRefused(
            ngettext(
                "The file is too large: a period report sheet is at most %(megabytes)d MB.",
                "The file is too large: a period report sheet is at most %(megabytes)d MB.",
                megabytes,
            )
            % {"megabytes": megabytes}
        )
    try:
        dataset = BoundedXLSX().create_dataset(content)
    except ImportRefused:
        raise
    except (
        # A damaged workbook: openpyxl, zipfile and zlib raise these on parts missing or malformed
        # (found by flipping each byte of a workbook, tests/portal/test_period_xlsx.py).
        tablib.InvalidDimensions,
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        ValueError,
        OSError,
        StopIteration,
        TypeError,
        SyntaxError,
        NotImplementedError,
        AttributeError,  # a workbook without a sheet
        EOFError,
    ):
        raise ImportRefused(_("This XLSX file could not be read; download the sheet again from this page.")) from None
    title = list(dataset.headers or [])
    if len(title) < 2 or _integer(title[1]) is None:
        raise ImportRefused(_("This is not a period report sheet from the portal; download it from this page."))
    if _integer(title[1]) != report.pk:
        raise ImportRefused(
            _("This sheet is for another period report; download the sheet of %(period)s from this page.")
            % {"period": report.label}
        )
    names = _header_names()
    rows = list(dataset)
    header_at = None
    for index, row in enumerate(rows[:5]):
        if any(isinstance(v, str) and names.get(v.strip()) == "id" for v in row):
            header_at = index
            break
    if header_at is None:
        raise ImportRefused(
            _("The sheet has no header row with the column “%(column)s”; download the sheet again from this page.")
            % {"column": _columns()["id"]}
        )
    keys = [names.get(v.strip()) if isinstance(v, str) else None for v in rows[header_at]]
    missing = [_columns()[k] for k in ("id", "amount") if k not in keys]
    if missing:
        raise ImportRefused(
            _("The sheet has no column “%(column)s”; download the sheet again from this page.") % {"column": missing[0]}
        )
    out = []
    # Row numbers as the spreadsheet shows them: the title row is 1.
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 3):
        cells = {key: value for key, value in zip(keys, row, strict=False) if key}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        out.append(SheetRow(number=number, cells=cells))
    return out


def _integer(value: Any) -> int | None:
    """A whole number from a cell (Excel writes 8 as 8.0; Arabic-Indic digits are read), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            return None
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class PreviewRow:
    """One commitment's row in the preview: what the sheet says, and what is wrong with it."""

    number: int
    commitment: Commitment | None
    amount: int = 0
    breakdown: dict[str, int] = field(default_factory=dict)
    note: str = ""
    errors: list[str] = field(default_factory=list)
    over_target: bool = False

    @property
    def breakdown_rows(self) -> list[tuple[str, int]]:
        return breakdowns.labelled(self.commitment.breakdown, self.breakdown) if self.commitment else []


@dataclass
class Preview:
    rows: list[PreviewRow]
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not any(row.errors for row in self.rows)

    @property
    def reported(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.amount and row.commitment]

    @property
    def over_target(self) -> bool:
        return any(row.over_target for row in self.rows)

    def lines(self) -> list[Line]:
        return [
            Line(commitment=row.commitment, amount=row.amount, breakdown=row.breakdown, note=row.note)
            for row in self.reported
        ]


def _count(value: Any, column: str) -> tuple[int, str]:
    """A quantity or breakdown cell: (the count, "") or (0, the error)."""
    if _blank(value):
        return 0, ""
    number = _integer(value)
    if number is None:
        return 0, _("“%(column)s” is not a whole number: %(value)s.") % {"column": column, "value": value}
    if number < 0:
        return 0, _("“%(column)s” cannot be negative.") % {"column": column}
    if number > QUANTITY_MAX:
        return 0, _("“%(column)s” is more than %(max)s.") % {"column": column, "max": QUANTITY_MAX}
    return number, ""


def period_sheet_check(report: PeriodReport, sheet_rows: list[SheetRow]) -> Preview:
    """The preview of an uploaded sheet: each row checked as the report form checks its lines.

    A row whose number is not one of the report's commitments (unknown, another partner's,
    another agreement's: the same message, so the sheet tells nothing of others' rows), a
    commitment given twice, a quantity that is not a whole number, negative or too large, a
    breakdown count in a column the commitment does not ask for, or a breakdown that does not
    add up (`breakdowns.breakdown_clean`) is a row error. A quantity that would pass the
    target is flagged, to be confirmed as on the form.
    """
    commitments = {c.pk: c for c in report_commitments(report)}
    columns = _columns()
    labels = {key: str(label) for categories in breakdowns.CATEGORIES.values() for key, label in categories}
    rows: list[PreviewRow] = []
    seen: set[int] = set()
    for sheet_row in sheet_rows:
        cells = sheet_row.cells
        number = _integer(cells.get("id"))
        commitment = commitments.get(number) if number is not None else None
        row = PreviewRow(number=sheet_row.number, commitment=commitment)
        rows.append(row)
        if commitment is None:
            row.errors.append(
                _("“%(value)s” is not the number of a commitment in this report.") % {"value": cells.get("id") or ""}
            )
            continue
        if number in seen:
            row.errors.append(_("This commitment is given on another row too."))
            continue
        seen.add(number)
        row.amount, error = _count(cells.get("amount"), columns["amount"])
        if error:
            row.errors.append(error)
        asked = {key for key, _label in breakdowns.categories(commitment.breakdown)}
        counts: dict[str, int | None] = {}
        for column, value in cells.items():
            if not column.startswith("b:") or _blank(value):
                continue
            key = column[2:]
            if key not in asked:
                row.errors.append(
                    _("“%(column)s” is not asked for this commitment; leave it empty.") % {"column": labels[key]}
                )
                continue
            counts[key], error = _count(value, labels[key])
            if error:
                row.errors.append(error)
        note = cells.get("note")
        row.note = "" if _blank(note) else str(note).strip()
        if len(row.note) > NOTE_MAX:
            row.errors.append(_("The note is longer than %(max)s characters.") % {"max": NOTE_MAX})
        if row.errors:
            continue
        if commitment.breakdown and (row.amount or counts):
            try:
                row.breakdown = breakdowns.breakdown_clean(commitment.breakdown, counts, row.amount)
            except ValidationError as refused:
                row.errors.extend(refused.messages)
        row.over_target = bool(row.amount) and commitment.would_pass_target(row.amount)
    rows.sort(key=lambda r: r.number)
    if not any(row.amount for row in rows) and not any(row.errors for row in rows):
        return Preview(rows=rows, error=_("The sheet gives no quantity: fill at least one row."))
    return Preview(rows=rows)


def sheet_rows_dump(rows: list[SheetRow]) -> list[list[Any]]:
    """Raw rows as JSON-able lists, to carry from the preview to the confirmation (signed)."""
    return [[row.number, {k: _jsonable(v) for k, v in row.cells.items()}] for row in rows]


def sheet_rows_load(data: list[list[Any]]) -> list[SheetRow]:
    return [SheetRow(number=int(number), cells=dict(cells)) for number, cells in data]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


__all__ = [
    "UPLOAD_MAX_BYTES",
    "ImportRefused",
    "Preview",
    "PreviewRow",
    "period_sheet",
    "period_sheet_check",
    "period_sheet_name",
    "period_sheet_read",
    "sheet_rows_dump",
    "sheet_rows_load",
]
