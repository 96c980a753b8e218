"""Reports in Django admin at scale: each report page against the bare SQL it runs, and the XLSX export.

Run (PostgreSQL on this machine; the database is created and filled on first run, ~2 min):

    .venv/bin/python bench/reports_bench.py
    # or another database / number of runs:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_reports_bench RUNS=15 .venv/bin/python bench/reports_bench.py

Data: 10 000 agreements (200 partners in three sectors, mixed statuses, signed 2021-2026,
end dates spread over five years), 100 000 clauses (10 per agreement), 200 000
commitments (2 per clause) with 100 000 progress updates, signing times on the signed
agreements and 20 000 reminders over two years. Everything is bulk-created.

For each report page it prints:
- queries: the number of SQL queries of one request (session and user included);
- page ms: the median time of the whole request through Django's test client (URL
  routing, admin login check, the report's queries, template rendering);
- SQL ms: the median time of executing the same SQL statements directly on a cursor,
  without Django (the "bare aggregate SQL");
- ratio: page ms / SQL ms.
Then the XLSX export of all 10 000 agreements: the request (which only queues a Celery
job above EXPORT_SYNC_MAX_ROWS), the job's build of the file (what the worker does),
and the synchronous export of a filtered page of 2 000 agreements.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_reports_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("VAR_DIR", str(Path(__file__).resolve().parent / "results" / "var"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

AGREEMENTS, CLAUSES, COMMITMENTS_PER_CLAUSE = 10_000, 10, 2
PROGRESS_UPDATES, REMINDERS = 100_000, 20_000
RUNS = int(os.environ.get("RUNS", "10"))

PAGES = [
    ("agreements by status", "agreements", "by=status"),
    ("agreements by partner", "agreements", "by=partner"),
    ("agreements by sector", "agreements", "by=sector"),
    ("agreements by year signed", "agreements", "by=year"),
    ("ending in 90 days", "ending", ""),
    ("commitments by clause kind", "commitments", "by=kind"),
    ("commitments by partner", "commitments", "by=partner"),
    ("overdue commitments", "commitments", "by=overdue"),
    ("signing turnaround", "signing", ""),
    ("reminders per month", "reminders", ""),
]


def ensure_database() -> None:
    import psycopg2

    params = connection.get_connection_params()
    name = connection.settings_dict["NAME"]
    admin = psycopg2.connect(
        dbname="postgres", user=params.get("user"), host=params.get("host"), port=params.get("port")
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    call_command("migrate", verbosity=0)


def load() -> None:
    from accounts.models import User
    from agreements.models import (
        Agreement,
        Clause,
        ClauseKind,
        Commitment,
        CommitmentStatus,
        Party,
        ProgressStatus,
        ProgressUpdate,
        ReferenceSequence,
        Unit,
    )
    from partners.models import Partner, Sector
    from reminders.models import Reminder, ReminderKind, ReminderStatus

    if Agreement.objects.count() >= AGREEMENTS:
        return
    print("loading the benchmark data ...", flush=True)
    rng = random.Random(8)
    today = timezone.localdate()
    now = timezone.now()
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    sectors = list(Sector.values)
    partners = Partner.objects.bulk_create(
        Partner(name_ar=f"جمعية الشريك رقم {i}", name_en=f"Partner {i}", sector=sectors[i % 3]) for i in range(200)
    )
    statuses = ["draft", "awaiting_signatures", "active", "active", "active", "expired", "terminated", "renewed"]
    agreements = []
    for i in range(AGREEMENTS):
        status = rng.choice(statuses)
        ends_on = today + datetime.timedelta(days=rng.randint(-700, 1100))
        starts_on = ends_on - datetime.timedelta(days=365 * rng.randint(1, 3))
        signed = status not in ("draft", "awaiting_signatures")
        activated = timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time(10))) if signed else None
        agreements.append(
            Agreement(
                reference=f"QC-{starts_on.year}-{i + 1:05d}",
                title_ar=f"اتفاقية شراكة رقم {i}",
                partner=partners[i % len(partners)],
                owner=admin,
                status=status,
                signed_on=starts_on if signed else None,
                starts_on=starts_on,
                ends_on=ends_on,
                sent_at=activated - datetime.timedelta(hours=rng.randint(6, 24 * 60)) if activated else None,
                activated_at=activated,
            )
        )
    Agreement.objects.bulk_create(agreements, batch_size=2000)
    ReferenceSequence.objects.update_or_create(year=today.year, defaults={"last_number": AGREEMENTS})
    kinds = list(ClauseKind.values)
    agreement_ids = list(Agreement.objects.values_list("id", flat=True))
    Clause.objects.bulk_create(
        (
            Clause(agreement_id=agreement_id, order=order, kind=rng.choice(kinds), text_ar="نص البند")
            for agreement_id in agreement_ids
            for order in range(1, CLAUSES + 1)
        ),
        batch_size=5000,
    )
    commitment_statuses = list(CommitmentStatus.values)
    Commitment.objects.bulk_create(
        (
            Commitment(
                clause_id=clause_id,
                party=rng.choice([Party.CHARITY, Party.PARTNER]),
                description_ar="تدريب المستفيدين",
                target_quantity=rng.randint(1, 100),
                unit=Unit.TRAINEES,
                due_on=today + datetime.timedelta(days=rng.randint(-500, 700)),
                status=rng.choice(commitment_statuses),
            )
            for clause_id in Clause.objects.values_list("id", flat=True).iterator()
            for _ in range(COMMITMENTS_PER_CLAUSE)
        ),
        batch_size=5000,
    )
    commitment_ids = list(Commitment.objects.values_list("id", flat=True))
    ProgressUpdate.objects.bulk_create(
        (
            ProgressUpdate(
                commitment_id=rng.choice(commitment_ids),
                reported_on=today - datetime.timedelta(days=rng.randint(0, 400)),
                amount=rng.randint(1, 30),
                reported_by=admin,
                status=rng.choice([ProgressStatus.ACCEPTED, ProgressStatus.ACCEPTED, ProgressStatus.SUBMITTED]),
            )
            for _ in range(PROGRESS_UPDATES)
        ),
        batch_size=5000,
    )
    reminder_kinds = list(ReminderKind.values)
    Reminder.objects.bulk_create(
        (
            Reminder(
                key=f"bench-{i}",
                kind=rng.choice(reminder_kinds),
                agreement_id=rng.choice(agreement_ids),
                offset_days=rng.choice([90, 60, 30, 7]),
                due_on=today,
                recipient_email="staff@example.org",
                status=ReminderStatus.SENT if rng.random() < 0.9 else ReminderStatus.FAILED,
                sent_at=now - datetime.timedelta(days=rng.randint(0, 730)),
            )
            for i in range(REMINDERS)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_pages(client: Client) -> None:
    print(f"\n{'report page':<30} {'queries':>7} {'page ms':>9} {'SQL ms':>9} {'ratio':>6}")
    for label, slug, query in PAGES:
        url = f"/admin/reports/{slug}/" + (f"?{query}" if query else "")
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        statements = [q["sql"] for q in ctx.captured_queries]

        def page():
            assert client.get(url).status_code == 200  # noqa: B023

        def bare_sql():
            with connection.cursor() as cursor:
                for sql in statements:  # noqa: B023
                    cursor.execute(sql)
                    cursor.fetchall()

        page_ms, sql_ms = median_ms(page), median_ms(bare_sql)
        print(f"{label:<30} {len(statements):>7} {page_ms:>9.1f} {sql_ms:>9.1f} {page_ms / sql_ms:>6.2f}", flush=True)


def bench_export(client: Client) -> None:
    from django.conf import settings

    from spreadsheets.exports import export_build
    from spreadsheets.models import ExportJob

    form = {"format": "0", "resource": "0"}  # XLSX, every column of AgreementResource
    from agreements.resources import AgreementResource

    form |= {f"agreementresource_{name}": "on" for name in AgreementResource._meta.fields}
    url = "/admin/agreements/agreement/export/"
    ExportJob.objects.all().delete()
    t0 = time.perf_counter()
    response = client.post(url, form)
    request_ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.get()
    t0 = time.perf_counter()
    data, rows = export_build(job=job)
    build_s = time.perf_counter() - t0
    print(f"\nXLSX export of all {rows} agreements (> EXPORT_SYNC_MAX_ROWS={settings.EXPORT_SYNC_MAX_ROWS}):")
    print(f"  request (queues the Celery job, redirects)   {request_ms:8.1f} ms")
    print(f"  job builds the file (worker)                {build_s * 1000:8.1f} ms  ({len(data) / 1e6:.1f} MB)")
    ExportJob.objects.all().delete()

    # A filtered page under the limit is built inside the request.
    year = datetime.date.today().year
    filtered = f"{url}?status__exact=active&ends_on__year={year + 1}"
    t0 = time.perf_counter()
    response = client.post(filtered, form)
    sync_ms = (time.perf_counter() - t0) * 1000
    assert response.status_code in (200, 302), response.status_code
    kind = "in the request" if response.status_code == 200 else "queued"
    size = len(response.content) / 1e6 if response.status_code == 200 else 0
    print(f"  filtered export (active, ending {year + 1}), {kind}: {sync_ms:8.1f} ms ({size:.1f} MB)")


def main() -> None:
    ensure_database()
    load()
    from accounts.models import User
    from agreements.models import Agreement, Clause, Commitment

    print(
        f"{Agreement.objects.count()} agreements, {Clause.objects.count()} clauses, "
        f"{Commitment.objects.count()} commitments, PostgreSQL; median of {RUNS} runs"
    )
    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    bench_pages(client)
    bench_export(client)


if __name__ == "__main__":
    main()
