"""Staff dashboard and partner portal home at scale: queues and impact (#20).

Run (PostgreSQL; the database is created and filled on the first run, ~2 minutes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_dash_bench .venv/bin/python bench/dashboard_bench.py

Data: 100 partners, 2 000 agreements (20 each: mostly active, some ending within 90 days,
renewals awaiting signatures, drafts), 10 000 clauses of the nine kinds, 40 000 commitments
in six units due over four years (some overdue, some due soon), 100 000 progress
reports (70 % accepted, 20 % awaiting review, 10 % sent back) and 100 000 period reports
(2 000 agreements x 2 parties x 25 monthly periods; those due within the last 60 days or
later still to report, the rest sent). Rows are written with bulk_create.

Settings are production's (DEBUG off, cached templates), and cold as far as the portal's
own caches go: there is no page or fragment cache for these pages, and the Django cache
(Redis database 10 by default) is emptied before every timed request, so each request
builds its queues and impact from the database. PostgreSQL's own buffers stay warm, as in
production. Prints median and p95 over RUNS requests through Django's test client, and the
queries of one request, for each page (and the staff dashboard filtered to one year).

Measured 2026-12-07 on the shared 2-core machine, RUNS=30, before (1038b8e) and after
(impact in one grouped query, partial indexes for the queues) back to back, load average
about 2 (the bench itself holds one core):

    page                          before median / p95   after median / p95   queries
    staff dashboard                    898 / 1128 ms         376 / 459 ms      20 / 20
    staff dashboard ?year=2026         901 / 1124 ms         359 / 406 ms      20 / 20
    portal home (20 agreements)         83 / 102 ms           70 / 91 ms       17 / 16

With the 100 000 period reports added, after the merge of #20's work (late-reports queue on the
dashboard, reports due on the portal home), RUNS=30, quiet machine (load average 1.2):

    page                          median / p95      queries
    staff dashboard               346 / 437 ms        22
    staff dashboard ?year=2026    418 / 520 ms        22
    portal home (20 agreements)   100 / 114 ms        15
    late reports queue             84 / 92 ms          9

Of the staff dashboard's ~300 ms (one request, same load), the impact query is ~190 ms
(100 000 reports summed per commitment, then grouped); the queues ~40 ms.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_dash_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("SITE_URL", "https://testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django
from static_manifest import ensure_static  # bench/, the script's own folder

django.setup()

import logging  # noqa: E402

logging.getLogger("portal.request").setLevel(logging.WARNING)

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("RUNS", "30"))
PARTNERS, AGREEMENTS, COMMITMENTS, REPORTS = 100, 2_000, 40_000, 100_000
BATCH = 5_000


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


def load() -> tuple:
    from django.contrib.auth.models import Group

    from accounts.models import STAFF_EDITORS, User
    from agreements.models import Agreement, Clause, ClauseKind, Commitment, ProgressUpdate, SigningRequest
    from common import clock
    from partners.models import Partner

    staff = User.objects.filter(username="bench-staff").first()
    if staff is not None:
        return staff, User.objects.get(username="bench-partner")
    rng = random.Random(20)
    today = clock.today()
    partners = Partner.objects.bulk_create(
        Partner(name_ar=f"جمعية الشريك رقم {i} (قياس)", name_en=f"Bench partner {i}", sector="non_profit")
        for i in range(PARTNERS)
    )
    staff = User.objects.create(username="bench-staff", email="staff@example.org")
    staff.groups.add(Group.objects.get(name=STAFF_EDITORS))
    partner_user = User.objects.create(username="bench-partner", email="partner@example.org", partner=partners[0])

    agreements = []
    for i in range(AGREEMENTS):
        roll = i % 20
        starts = today - datetime.timedelta(days=rng.randint(100, 900))
        ends = today + datetime.timedelta(days=rng.randint(10, 80) if roll == 0 else rng.randint(120, 900))
        status = "draft" if roll == 19 else "awaiting_signatures" if roll == 18 else "active"
        agreements.append(
            Agreement(
                reference=f"QB-{i:05d}",
                title_ar=f"اتفاقية شراكة رقم {i}",
                partner=partners[i % PARTNERS],
                owner=staff,
                starts_on=starts,
                ends_on=ends,
                status=status,
            )
        )
    agreements = Agreement.objects.bulk_create(agreements, batch_size=BATCH)
    # One renewal in twenty: the awaiting-signature ones renew the agreement before them.
    for i, agreement in enumerate(agreements):
        if i % 20 == 18:
            agreement.renews_id = agreements[i - 1].pk
    Agreement.objects.bulk_update([a for a in agreements if a.renews_id], ["renews"], batch_size=BATCH)
    SigningRequest.objects.bulk_create(
        SigningRequest(
            agreement=a,
            party="charity",
            user=staff,
            name="الموقّع",
            email="staff@example.org",
            status="sent",
            sent_at=django.utils.timezone.now(),
        )
        for a in agreements[18::200]
    )

    kinds = ClauseKind.values
    clauses = Clause.objects.bulk_create(
        (
            Clause(agreement=a, kind=kinds[(i + order) % len(kinds)], order=order, text_ar="نص البند")
            for i, a in enumerate(agreements)
            for order in range(1, 6)
        ),
        batch_size=BATCH,
    )
    units = ["trainees", "workshops", "job_opportunities", "volunteers", "events", "beneficiaries"]
    commitments = Commitment.objects.bulk_create(
        (
            Commitment(
                clause=clauses[i % len(clauses)],
                party="partner" if i % 3 else "charity",
                description_ar=f"التزام رقم {i}",
                target_quantity=rng.randint(5, 200),
                unit=units[(i // len(clauses) + i) % len(units)],
                due_on=today + datetime.timedelta(days=rng.randint(-500, 900)),
            )
            for i in range(COMMITMENTS)
        ),
        batch_size=BATCH,
    )
    statuses = ["accepted"] * 7 + ["submitted"] * 2 + ["returned"]
    ProgressUpdate.objects.bulk_create(
        (
            ProgressUpdate(
                commitment=commitments[rng.randrange(COMMITMENTS)],
                reported_on=today - datetime.timedelta(days=rng.randint(0, 400)),
                amount=rng.randint(1, 20),
                reported_by=partner_user,
                status=statuses[i % len(statuses)],
            )
            for i in range(REPORTS)
        ),
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return staff, partner_user


PERIOD_REPORTS = 100_000


def ensure_period_reports() -> None:
    """100 000 period reports: 2 000 agreements x 2 parties x 25 monthly periods, the recent ones
    still to report (some late), the older ones sent. Added once, beside the progress reports."""
    from agreements.models import Agreement, PeriodReport
    from common import clock

    if PeriodReport.objects.exists():
        return
    today = clock.today()
    rows = []
    agreements = list(Agreement.objects.order_by("id").values_list("id", "starts_on"))
    per_agreement = PERIOD_REPORTS // (2 * len(agreements))
    for agreement_id, starts_on in agreements:
        for party in ("partner", "charity"):
            for number in range(1, per_agreement + 1):
                period_start = starts_on + datetime.timedelta(days=30 * (number - 1))
                ends_on = period_start + datetime.timedelta(days=29)
                due_on = ends_on + datetime.timedelta(days=14)
                rows.append(
                    PeriodReport(
                        agreement_id=agreement_id,
                        party=party,
                        schedule="monthly",
                        number=number,
                        starts_on=period_start,
                        ends_on=ends_on,
                        due_on=due_on,
                        status="due" if due_on > today - datetime.timedelta(days=60) else "submitted",
                    )
                )
    PeriodReport.objects.bulk_create(rows, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url, secure=True)
    times = []
    for _ in range(RUNS):
        cache.clear()  # sessions are cached_db: read back from PostgreSQL, as on a cold start
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, secure=True)
    times.sort()
    return statistics.median(times), times[max(0, int(RUNS * 0.95) - 1)], len(ctx.captured_queries)


def main() -> None:
    from common import clock

    ensure_database()
    ensure_static()
    staff, partner_user = load()
    ensure_period_reports()
    staff_client, partner_client = Client(), Client()
    staff_client.force_login(staff)
    partner_client.force_login(partner_user)
    from agreements.models import Commitment, PeriodReport, ProgressUpdate

    print(
        f"{PARTNERS} partners, {AGREEMENTS} agreements, {Commitment.objects.count()} commitments, "
        f"{ProgressUpdate.objects.count()} progress reports, {PeriodReport.objects.count()} period reports "
        f"({PeriodReport.objects.late().count()} late); PostgreSQL, DEBUG off, cache emptied before each request"
    )
    print(f"{'page':<34}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
    pages = (
        ("staff dashboard", staff_client, "/"),
        (f"staff dashboard ?year={clock.today().year}", staff_client, f"/?year={clock.today().year}"),
        ("portal home (20 agreements)", partner_client, "/portal/"),
        ("late reports queue", staff_client, "/agreements/period-reports/late/"),
    )
    for label, client, url in pages:
        median, p95, queries = measure(client, url)
        print(f"{label:<34}{median:>10.1f}{p95:>9.1f}{queries:>9}")


if __name__ == "__main__":
    main()
