"""Benchmark of the board report PDF (#20): one year of 20 partnerships, time and memory.

How to run, from the repository root:

    .venv/bin/python bench/board_bench.py
    .venv/bin/python bench/board_bench.py --runs 7 --partnerships 20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_bench .venv/bin/python bench/board_bench.py

Without DATABASE_URL it uses a throwaway SQLite file in a temporary folder. With a PostgreSQL URL
the database is dropped and created again, so its name must contain "bench". The script migrates
it and makes its own data: --partnerships active agreements (one partner each), each with 10
clauses of the nine kinds and 2 commitments per clause (one with a beneficiary breakdown by sex,
age or town), reported quarterly in the year: 4 accepted updates per commitment with their
breakdowns, plus one pending and one returned update on every fifth commitment.

What it measures, for the Gregorian year 2027:

  - time: the median and the spread of --runs renders of `board_report_pdf` (the figures' queries,
    the template and WeasyPrint), Arabic and English, in this process after one warm-up render;
    wall-clock and this process's CPU time;
  - memory, in a fresh child process per language: the peak RSS (VmHWM) after Django is set
    up and the renderer warmed (`warm_up`) and the peak after one render; with --tracemalloc also
    tracemalloc's peak of Python allocations during that render (C allocations by Pango/cairo
    are in RSS only; tracing makes the render several times slower);
  - the PDF's size and page count.

Prints a table and writes the figures as JSON to bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pdf_bench import _prepare_environment, _recreate_postgres_database  # noqa: E402

YEAR = 2027


def _setup_data(partnerships: int) -> None:
    from django.core.management import call_command

    from accounts.models import User
    from agreements.breakdowns import AGE_GROUPS, QATIF_TOWNS, SEXES
    from agreements.models import (
        Agreement,
        AgreementStatus,
        Clause,
        ClauseKind,
        Commitment,
        Party,
        ProgressStatus,
        ProgressUpdate,
        Unit,
    )
    from partners.models import CharityProfile, Partner

    call_command("migrate", verbosity=0)
    profile = CharityProfile.load()
    profile.name_ar, profile.name_en = "جمعية القطيف الخيرية", "Qatif Charity"
    profile.save()
    user = User.objects.create_user(username="bench", email="bench@example.org", password=None)
    kinds, units = ClauseKind.values, Unit.values
    splits = [
        ("sex", [k for k, _l in SEXES]),
        ("age", [k for k, _l in AGE_GROUPS]),
        ("town", [k for k, _l in QATIF_TOWNS][:6]),
    ]
    quarters = [datetime.date(YEAR, month, 20) for month in (3, 6, 9, 12)]
    for n in range(partnerships):
        partner = Partner.objects.create(name_ar=f"جمعية الشريك رقم {n + 1} بالقطيف", name_en=f"Partner {n + 1}")
        agreement = Agreement.objects.create(
            title_ar=f"اتفاقية شراكة مجتمعية رقم {n + 1}",
            title_en=f"Community partnership {n + 1}",
            partner=partner,
            owner=user,
            starts_on=datetime.date(YEAR - 1, 7, 1),
            ends_on=datetime.date(YEAR + 1, 6, 30),
        )
        clauses = Clause.objects.bulk_create(
            Clause(agreement=agreement, kind=kinds[i % len(kinds)], order=i + 1, text_ar="نص البند " * 20)
            for i in range(10)
        )
        commitments = Commitment.objects.bulk_create(
            Commitment(
                clause=clause,
                party=Party.PARTNER if j == 0 else Party.CHARITY,
                description_ar=f"التزام رقم {j + 1} في البند {clause.order}: تقديم الخدمة للمستفيدين في المحافظة",
                description_en=f"Commitment {j + 1} of clause {clause.order}: the service for beneficiaries",
                target_quantity=100 + 10 * j,
                unit=units[(clause.order + j) % len(units)],
                due_on=agreement.ends_on,
                breakdown=splits[(clause.order + j) % 3][0] if j == 0 else "",
            )
            for clause in clauses
            for j in range(2)
        )
        updates = []
        for index, commitment in enumerate(commitments):
            keys = dict(splits).get(commitment.breakdown, [])
            for q, day in enumerate(quarters):
                amount = 5 + q + index % 7
                breakdown = {}
                if keys:
                    share = amount // len(keys)
                    breakdown = {key: share for key in keys}
                    breakdown[keys[0]] += amount - share * len(keys)
                    breakdown = {k: v for k, v in breakdown.items() if v}
                updates.append(
                    ProgressUpdate(
                        commitment=commitment,
                        reported_on=day,
                        amount=amount,
                        reported_by=user,
                        status=ProgressStatus.ACCEPTED,
                        breakdown=breakdown,
                    )
                )
            if index % 5 == 0:
                for status in (ProgressStatus.SUBMITTED, ProgressStatus.RETURNED):
                    updates.append(
                        ProgressUpdate(
                            commitment=commitment, reported_on=quarters[-1], amount=3, reported_by=user, status=status
                        )
                    )
        ProgressUpdate.objects.bulk_create(updates)
        Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ACTIVE, signed_on=agreement.starts_on)


def _period():
    from common.dates import Calendar
    from reports.board import BoardPeriod
    from reports.models import BoardPart

    return BoardPeriod(Calendar.GREGORIAN, YEAR, BoardPart.YEAR)


def _pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def timed(language: str, runs: int) -> dict:
    from reports.board import board_report_pdf

    period = _period()
    pdf = board_report_pdf(period=period, language=language)  # warm-up: fonts, stylesheet, templates
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = board_report_pdf(period=period, language=language)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "language": language,
        "runs": runs,
        "wall_median_s": round(statistics.median(walls), 2),
        "wall_min_s": round(min(walls), 2),
        "wall_max_s": round(max(walls), 2),
        "cpu_median_s": round(statistics.median(cpus), 2),
        "pdf_kb": round(len(pdf) / 1024),
        "pages": _pages(pdf),
    }


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). Not `ru_maxrss`: Linux keeps that across execve, so a
    child started from this (large) parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child_memory(language: str, traced: bool) -> dict:
    import tracemalloc

    from agreements.pdf.render import warm_up
    from reports.board import board_report_pdf

    warm_up()
    before = _peak_rss_mb()
    if traced:
        tracemalloc.start()
    board_report_pdf(period=_period(), language=language)
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    after = _peak_rss_mb()
    return {
        "language": language,
        "peak_rss_before_mb": round(before),
        "peak_rss_after_mb": round(after),
        "render_adds_mb": round(after - before),
        "tracemalloc_peak_mb": round(peak / 1024 / 1024, 1) if traced else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed renders per language (median reported)")
    parser.add_argument("--partnerships", type=int, default=20)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (renders several times slower)"
    )
    parser.add_argument("--memory-only", action="store_true", help="skip the timed renders")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        import django

        django.setup()
        print(json.dumps(child_memory(args.child, args.tracemalloc)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="qatif-board-bench-"))
    _prepare_environment(workdir)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.db import connection

    from agreements.models import ProgressUpdate

    setup = time.perf_counter()
    _setup_data(args.partnerships)
    print(f"data made in {time.perf_counter() - setup:.1f} s", flush=True)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"database: {connection.vendor}; {args.partnerships} partnerships, "
        f"{ProgressUpdate.objects.count()} progress updates; python {sys.version.split()[0]}; load {load}"
    )
    results = {"partnerships": args.partnerships, "time": [], "memory": []}
    for language in () if args.memory_only else ("ar", "en"):
        row = timed(language, args.runs)
        results["time"].append(row)
        print(
            f"{language}: median {row['wall_median_s']} s wall (min {row['wall_min_s']}, max {row['wall_max_s']}), "
            f"{row['cpu_median_s']} s CPU; {row['pages']} pages, {row['pdf_kb']} KB",
            flush=True,
        )
    for language in ("ar", "en"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", language, *(["--tracemalloc"] if args.tracemalloc else [])],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ.copy(),
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        results["memory"].append(row)
        print(
            f"{language}: peak RSS {row['peak_rss_before_mb']} MB warmed -> {row['peak_rss_after_mb']} MB after "
            f"one render (+{row['render_adds_mb']} MB); tracemalloc peak {row['tracemalloc_peak_mb']} MB",
            flush=True,
        )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "board_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
