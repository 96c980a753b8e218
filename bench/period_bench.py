"""Period reports at scale: opening them in the daily sweep, and the late-reports queue.

Run (PostgreSQL; the database is created and filled on the first run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_period_bench .venv/bin/python bench/period_bench.py

2 000 quarterly agreements of 100 partners, one partner and one charity commitment each,
started on 1 January 2026. Prints: the first `period_reports_open` on 1 January 2027 (it
writes four quarters × two sides per agreement: 16 000 rows), a second run that finds
nothing (the daily cost from then on), each with its query count; then the late-reports
page (first page of 100) as a staff user: median and p95 over several requests, and queries.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_period_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
os.environ.setdefault("PORTAL_TODAY", "2027-02-01")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

AGREEMENTS = 2_000
PARTNERS = 100
START = datetime.date(2026, 1, 1)
OPEN_ON = datetime.date(2027, 1, 1)
RUNS = 15


def ensure_database() -> None:
    import psycopg2

    name = connection.settings_dict["NAME"]
    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    call_command("migrate", verbosity=0)


def load() -> None:
    from accounts.models import User
    from agreements.models import Agreement, Clause, Commitment, PeriodReport, ProgressUpdate
    from partners.models import Partner

    ProgressUpdate.objects.filter(period_report__isnull=False).delete()
    PeriodReport.objects.all().delete()
    if Agreement.objects.filter(reporting_schedule="quarterly").count() >= AGREEMENTS:
        return
    print(f"loading {AGREEMENTS} agreements ...", flush=True)
    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"email": "owner@example.org"})
    partners = [
        Partner.objects.get_or_create(name_ar=f"شريك {i}", defaults={"sector": "non_profit"})[0]
        for i in range(PARTNERS)
    ]
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(
                reference=f"QC-2026-P{i + 1:05d}",
                title_ar=f"اتفاقية {i}",
                partner=partners[i % PARTNERS],
                owner=owner,
                status="active",
                starts_on=START,
                signed_on=START,
                ends_on=datetime.date(2027, 12, 31),
                reporting_schedule="quarterly",
            )
            for i in range(AGREEMENTS)
        ],
        batch_size=1000,
    )
    clauses = Clause.objects.bulk_create(
        [Clause(agreement=a, kind="training", order=1, text_ar="بند") for a in agreements], batch_size=1000
    )
    Commitment.objects.bulk_create(
        [
            Commitment(
                clause=c, party=party, description_ar="التزام", target_quantity=10, unit="trainees", due_on=OPEN_ON
            )
            for c in clauses
            for party in ("partner", "charity")
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, runs: int) -> tuple[list[float], int, object]:
    times, result, queries = [], None, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return times, queries, result


def main() -> None:
    from django.test import Client

    from accounts.models import User
    from agreements.periods import period_reports_open

    ensure_database()
    load()
    first, queries, opened = timed(lambda: period_reports_open(today=OPEN_ON), runs=1)
    print(f"first opening: {len(opened)} reports in {first[0]:.0f} ms, {queries} queries")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agreements_periodreport")  # as autovacuum would after 16 000 rows
    again, queries, opened = timed(lambda: period_reports_open(today=OPEN_ON), runs=5)
    print(f"daily run, nothing new: median {statistics.median(again):.0f} ms, {queries} queries, {len(opened)} opened")

    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"email": "staff@example.org"})
    staff.is_superuser = True
    staff.save()
    client = Client(SERVER_NAME="localhost")
    client.force_login(staff)
    client.get("/agreements/period-reports/late/")
    times, queries, response = timed(lambda: client.get("/agreements/period-reports/late/"), runs=RUNS)
    assert response.status_code == 200, response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"late-reports page (100 of 16 000 rows): median {statistics.median(times):.0f} ms, "
        f"p95 {p95:.0f} ms, {queries} queries"
    )


if __name__ == "__main__":
    main()
