"""Partner portal page times: home and commitments of a partner with 50 agreements.

Run (PostgreSQL; the database is created and filled on the first run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_portal_bench .venv/bin/python bench/portal_bench.py

Each agreement has 5 clauses with 3 commitments (2 the partner's, 1 the charity's) and
some accepted progress. Prints median and p95 over 40 requests through Django's test
client, with production settings (DEBUG off, template caching), and the queries per page.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_portal_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
# Production defaults (https redirect, secure cookies): the clients ask over https, as browsers
# do through the proxy; the host is the test client's.
os.environ.setdefault("SITE_URL", "https://testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

import logging  # noqa: E402

logging.getLogger("portal.request").setLevel(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 40


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


def load():
    from accounts.models import User
    from agreements.models import Agreement, Clause, Commitment, ProgressUpdate
    from partners.models import Partner

    user = User.objects.filter(username="bench-partner").first()
    if user is not None:
        return user
    rng = random.Random(5)
    partner = Partner.objects.create(name_ar="الكلية التقنية بالقطيف (قياس)", sector="government")
    owner = User.objects.create(username="bench-owner", email="owner@example.org")
    user = User.objects.create(
        username="bench-partner", email="partner@example.org", partner=partner, partner_role="editor"
    )
    start = datetime.date(2026, 1, 1)
    for i in range(50):
        agreement = Agreement.objects.create(
            title_ar=f"اتفاقية شراكة رقم {i}",
            partner=partner,
            owner=owner,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=730),
        )
        for order in range(1, 6):
            clause = Clause.objects.create(agreement=agreement, order=order, kind="training", text_ar="نص البند")
            for party in ("partner", "partner", "charity"):
                commitment = Commitment.objects.create(
                    clause=clause,
                    party=party,
                    description_ar="التزام",
                    target_quantity=20,
                    unit="trainees",
                    due_on=start + datetime.timedelta(days=rng.randint(200, 700)),
                )
                ProgressUpdate.objects.create(
                    commitment=commitment,
                    reported_on=start,
                    amount=rng.randint(1, 10),
                    reported_by=user,
                    status="accepted",
                )
        Agreement.objects.filter(pk=agreement.pk).update(status="active")
    return user


def main() -> None:
    ensure_database()
    user = load()
    client = Client()
    client.force_login(user)
    print("partner with 50 agreements, 250 clauses, 750 commitments; PostgreSQL, DEBUG off")
    print(f"{'page':<22}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
    for label, url in (("portal home", "/portal/"), ("portal commitments", "/portal/commitments/")):
        client.get(url, secure=True)
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            assert client.get(url, secure=True).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, secure=True)
        times.sort()
        print(
            f"{label:<22}{statistics.median(times):>10.1f}{times[int(RUNS * 0.95) - 1]:>9.1f}"
            f"{len(ctx.captured_queries):>9}"
        )


if __name__ == "__main__":
    main()
