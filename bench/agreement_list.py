"""Agreement list and search response times with 10 000 agreements of 10 clauses each.

Run (PostgreSQL on this machine; the database is created and filled on first run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_bench .venv/bin/python bench/agreement_list.py

Prints median and p95 over N requests for the list page, a search by an Arabic word
typed without hamza, a clause-text search and a filtered + sorted page. Timings are
end to end through Django's test client (URL routing, queries, template rendering).
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
os.environ.setdefault("DEBUG", "true")
# The test client sends Host: testserver.
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

AGREEMENTS, CLAUSES = 10_000, 10
RUNS = 40
# The domain's words, each in a small share of the rows, among a large filler vocabulary
# (as in real text, where a searched word is in few agreements, not in all of them).
WORDS = ["تدريب", "الفرص", "الوظيفية", "التطوعية", "ورش", "العمل", "التوعوية", "المستفيدين", "الإعلام", "الأسر"]
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


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
    from django.contrib.auth.models import Group

    from accounts.models import STAFF_EDITORS, User
    from agreements.models import Agreement, Clause, ClauseKind, ReferenceSequence
    from common.search import document
    from partners.models import Partner

    if Agreement.objects.count() >= AGREEMENTS:
        return
    print(f"loading {AGREEMENTS} agreements x {CLAUSES} clauses ...", flush=True)
    rng = random.Random(7)
    filler = ["".join(rng.choice(_LETTERS) for _ in range(rng.randint(4, 7))) for _ in range(3000)]

    def text(words: int) -> str:
        return " ".join(rng.choice(WORDS) if rng.random() < 0.01 else rng.choice(filler) for _ in range(words))

    owner, _ = User.objects.get_or_create(username="bench-staff")
    owner.groups.add(Group.objects.get(name=STAFF_EDITORS))
    partners = [
        Partner.objects.get_or_create(name_ar=f"جمعية رقم {i} بالقطيف", defaults={"sector": "non_profit"})[0]
        for i in range(200)
    ]
    for p in partners:
        p.save()  # fills search_text
    kinds = list(ClauseKind.values)
    start = datetime.date(2020, 1, 1)
    batch = []
    for i in range(AGREEMENTS):
        title = f"اتفاقية شراكة {text(4)} رقم {i}"
        reference = f"QC-2025-{i + 1:05d}"
        starts = start + datetime.timedelta(days=rng.randrange(0, 2000))
        batch.append(
            Agreement(
                reference=reference,
                title_ar=title,
                partner=partners[i % len(partners)],
                owner=owner,
                status=rng.choice(["draft", "active", "active", "expired"]),
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=365 * rng.randint(1, 3)),
                search_text=document(reference, title),
            )
        )
    Agreement.objects.bulk_create(batch, batch_size=2000)
    ReferenceSequence.objects.update_or_create(year=2025, defaults={"last_number": AGREEMENTS})
    clauses = []
    for agreement_id in Agreement.objects.values_list("id", flat=True):
        for order in range(1, CLAUSES + 1):
            body = text(25)
            clauses.append(
                Clause(
                    agreement_id=agreement_id,
                    order=order,
                    kind=rng.choice(kinds),
                    text_ar=body,
                    search_text=document(body),
                )
            )
        if len(clauses) >= 20_000:
            Clause.objects.bulk_create(clauses)
            clauses = []
    Clause.objects.bulk_create(clauses)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client: Client, url: str) -> tuple[float, float]:
    client.get(url)  # warm
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    ensure_database()
    load()
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-staff"))
    cases = [
        ("list, page 1", "/agreements/"),
        ("list, page 200", "/agreements/?page=200"),
        ("search title word without hamza (الاسر)", "/agreements/?q=الاسر"),
        ("search clause text, two words", "/agreements/?q=ورش+التوعويه"),
        ("search a word in no agreement", "/agreements/?q=غيرموجودة"),
        ("search reference", "/agreements/?q=QC-2025-04321"),
        ("filter status+kind, sort by end", "/agreements/?status=active&kind=media&sort=-ends_on"),
    ]
    print(f"{AGREEMENTS} agreements, {AGREEMENTS * CLAUSES} clauses, PostgreSQL; {RUNS} runs each")
    print(f"{'case':<45} {'median ms':>10} {'p95 ms':>10}")
    for label, url in cases:
        median, p95 = measure(client, url)
        print(f"{label:<45} {median:>10.1f} {p95:>10.1f}")


if __name__ == "__main__":
    main()
