"""The reminder sweep over 100 000 agreements (about 1 % due) beside a raw SQL select of the due rows.

Run (PostgreSQL; the database is created and filled on the first run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_sweep_bench .venv/bin/python bench/sweep_bench.py

Prints, over several runs: the planning sweep (what is due, without writing: --dry-run),
its query count, and the raw SQL select of the due renewal reminders measured the same
way; then one real sweep that writes the reminders, and a second one that finds nothing.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_sweep_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

AGREEMENTS = 100_000
TODAY = datetime.date(2027, 6, 1)
RUNS = 7

RAW_DUE = """
SELECT a.id, o.offset_days
FROM agreements_agreement a
CROSS JOIN (VALUES (90), (60), (30), (7)) AS o(offset_days)
WHERE a.status = 'active' AND a.reminder_offsets = ''
  AND a.ends_on >= %(today)s AND a.ends_on <= %(today)s + o.offset_days
  AND COALESCE(a.activated_at::date, a.signed_on, a.starts_on) <= a.ends_on - o.offset_days
  AND NOT EXISTS (
    SELECT 1 FROM reminders_reminder r
    WHERE r.agreement_id = a.id AND r.kind = 'renewal' AND r.offset_days = o.offset_days
  )
"""


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
    from agreements.models import Agreement
    from partners.models import Contact, Partner
    from reminders.models import Reminder

    if Agreement.objects.count() >= AGREEMENTS and not Agreement.objects.filter(ends_on__lt=TODAY).exists():
        Reminder.objects.all().delete()
        return
    Reminder.objects.all().delete()
    Agreement.objects.all().delete()
    print(f"loading {AGREEMENTS} agreements ...", flush=True)
    rng = random.Random(3)
    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"email": "owner@example.org"})
    partners = []
    for i in range(500):
        partner, _ = Partner.objects.get_or_create(name_ar=f"شريك {i}", defaults={"sector": "non_profit"})
        Contact.objects.get_or_create(partner=partner, email=f"c{i}@example.org", defaults={"name_ar": f"جهة {i}"})
        partners.append(partner)
    rows = []
    for i in range(AGREEMENTS):
        # Active agreements end over the next 20 years (those that ended were expired by
        # earlier sweeps): about 1 % end within 90 days, with offsets to plan.
        ends = TODAY + datetime.timedelta(days=rng.randint(1, 7300))
        starts = ends - datetime.timedelta(days=730)
        rows.append(
            Agreement(
                reference=f"QC-2020-{i + 1:06d}",
                title_ar=f"اتفاقية {i}",
                partner=partners[i % len(partners)],
                owner=owner,
                status="active",
                starts_on=starts,
                signed_on=starts,
                ends_on=ends,
            )
        )
    Agreement.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, runs: int = RUNS) -> tuple[float, int, object]:
    times, result, queries = [], None, 0
    for _ in range(runs):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries, result


def main() -> None:
    from reminders.services import reminder_send, reminders_sweep  # noqa: F401

    ensure_database()
    load()

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_DUE, {"today": TODAY})
            return cursor.fetchall()

    raw_ms, _q, due = timed(raw)
    plan_ms, plan_queries, report = timed(lambda: reminders_sweep(today=TODAY, dry_run=True))
    renewals = [p for p in report.planned if p.kind == "renewal"]
    print(f"{AGREEMENTS} agreements; {len(due)} due (agreement, offset) pairs, {len(renewals)} renewal reminders")
    print(f"raw SQL select of the due rows      : {raw_ms:8.1f} ms (median of {RUNS})")
    print(
        f"sweep, planning only (--dry-run)    : {plan_ms:8.1f} ms, {plan_queries} queries  ratio {plan_ms / raw_ms:.2f}"
    )
    write_ms, write_queries, report = timed(lambda: reminders_sweep(today=TODAY), runs=1)
    print(
        f"sweep writing the reminders         : {write_ms:8.1f} ms, {write_queries} queries, "
        f"{len(report.new_reminders)} to send"
    )
    again_ms, again_queries, report = timed(lambda: reminders_sweep(today=TODAY), runs=1)
    print(
        f"second sweep (nothing new to plan)  : {again_ms:8.1f} ms, {again_queries} queries, "
        f"{len(report.planned)} planned"
    )


if __name__ == "__main__":
    main()
