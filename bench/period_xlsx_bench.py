"""Benchmark of a period report's spreadsheet: write the sheet, read an upload, check it.

How to run, from the repository root after `make setup` (needs requirements-dev for factory_boy):

    .venv/bin/python bench/period_xlsx_bench.py
    .venv/bin/python bench/period_xlsx_bench.py --runs 21 --sizes 10 100 500

Without DATABASE_URL it uses a throwaway SQLite file; with a PostgreSQL URL the database is
dropped and created again, so its name must contain "bench" (as bench/pdf_bench.py).

For each size N: one quarterly agreement whose partner has N commitments (a quarter by sex,
a quarter by town, a quarter by age group, a quarter without breakdown), its first period
report opened. Each run times, in wall-clock:

  (write) `period_sheet(report)`: the XLSX the partner downloads;
  (read)  `period_sheet_read(report, content)`: the filled sheet read through BoundedXLSX;
  (check) `period_sheet_check(report, rows)`: the preview, every row checked (and its queries).

Reports median and p95 per size, the file size and the queries of the check, which stay
the same whatever N (the report's commitments in one query). JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pdf_bench import _prepare_environment, _recreate_postgres_database  # noqa: E402

D = datetime.date


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _report(size: int):
    from agreements.models import PeriodReport
    from agreements.periods import period_reports_open
    from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, set_status

    agreement = AgreementFactory(
        starts_on=D(2027, 1, 1), signed_on=D(2026, 12, 20), ends_on=D(2027, 12, 31), reporting_schedule="quarterly"
    )
    clause = ClauseFactory(agreement=agreement, order=1)
    kinds = ["sex", "town", "age", ""]
    for index in range(size):
        CommitmentFactory(clause=clause, party="partner", target_quantity=100, breakdown=kinds[index % 4])
    set_status(agreement, "active")
    period_reports_open(today=D(2027, 4, 5))
    return PeriodReport.objects.select_related("agreement").get(agreement=agreement, party="partner")


def _filled(content: bytes) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        row[headers.index("الكمية في هذه الفترة")].value = 2
        for label in ("ذكور", "سيهات", "دون 18 سنة"):
            cell = row[headers.index(label)] if label in headers else None
            if cell is not None and not cell.protection.locked:
                cell.value = 2
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="period-xlsx-bench-"))
    _prepare_environment(workdir)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from agreements.period_xlsx import period_sheet, period_sheet_check, period_sheet_read

    call_command("migrate", verbosity=0)
    results = {}
    with translation.override("ar"):
        for size in args.sizes:
            report = _report(size)
            timings: dict[str, list[float]] = {"write": [], "read": [], "check": []}
            filled = _filled(period_sheet(report))
            for _run in range(args.runs):
                start = time.perf_counter()
                content = period_sheet(report)
                timings["write"].append(time.perf_counter() - start)
                start = time.perf_counter()
                rows = period_sheet_read(report, filled)
                timings["read"].append(time.perf_counter() - start)
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    preview = period_sheet_check(report, rows)
                timings["check"].append(time.perf_counter() - start)
            assert preview.ok, [row.errors for row in preview.rows if row.errors][:3]
            results[size] = {
                "file_kb": round(len(content) / 1024, 1),
                "check_queries": len(queries),
                **{
                    name: {
                        "median_ms": round(statistics.median(s) * 1000, 1),
                        "p95_ms": round(_p95(s) * 1000, 1),
                    }
                    for name, s in timings.items()
                },
            }
            print(size, json.dumps(results[size]))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "period_xlsx.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
