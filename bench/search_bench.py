"""The global search on PostgreSQL: 10 000 agreements x 10 clauses x 2 commitments, 2 000 progress notes.

Run (PostgreSQL on this machine; the database is created and filled on first run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_search_bench .venv/bin/python bench/search_bench.py

For each kind of query, median and p95 over RUNS searches of
- `engine`: `agreements.search.search()` for a staff user (every kind: agreements, clauses,
  commitments, progress notes, amendments, partners, contacts), queries and snippets included;
- `page`: the staff search page end to end through Django's test client over https, with
  production's settings (DEBUG off, cached templates, the static manifest, sessions in
  Redis; routing, middleware, session, the search, the template and the top bar);
and the number of SQL queries one search makes. Each as wall time and as CPU time (this
process's and the PostgreSQL server process's together, read from /proc: the search's own
cost, which other work on a shared machine does not inflate as it does the wall time).
"Cold": the stemming cache of common.search is emptied before every search, and nothing
else is cached by the search; PostgreSQL's own buffers stay warm, as on a running server.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_search_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
# Production's settings, as a user's request meets them: DEBUG off (no query log, cached
# templates, static files through collectstatic's manifest), https, sessions and the cache
# in Redis (database 11 here; the search itself caches nothing).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("SITE_URL", "https://testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django
from static_manifest import ensure_static  # bench/, the script's own folder

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

AGREEMENTS, CLAUSES, COMMITMENTS, NOTES = 10_000, 10, 2, 2_000
# Searches per figure; `SEARCH_BENCH_RUNS=100` for a steadier p95 (40 samples put it on the 38th).
RUNS = int(os.environ.get("SEARCH_BENCH_RUNS", "40"))
# The source's words in their written forms, each in a small share of the rows, among a
# large filler vocabulary (a searched word is in few agreements, not in all of them).
WORDS = [
    "التدريب",
    "والتدريبية",
    "للمتدربين",
    "الفرص",
    "الوظيفية",
    "التطوعية",
    "ورش",
    "العمل",
    "التوعوية",
    "المستفيدين",
    "الإعلام",
    "بالقطيف",
]
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
QUERIES = [
    ("one word", "تدريب"),
    ("one word", "الإعلام"),
    ("prefixed word", "والتدريب"),
    ("prefixed word", "بالتدريب"),
    ("derived form", "متدربين"),
    ("two words", "الفرص التطوعية"),
    ("two words", "ورش العمل"),
    ("no match", "زرافة"),
    ("reference", "QC-2025-04567"),
    ("reference", "04567"),
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
    from django.contrib.auth.models import Group

    from accounts.models import STAFF_EDITORS, User
    from agreements.models import Agreement, Clause, ClauseKind, Commitment, ProgressUpdate, ReferenceSequence
    from common.search import document
    from partners.models import Contact, Partner

    if Agreement.objects.count() >= AGREEMENTS:
        settle()
        return
    print(f"loading {AGREEMENTS} agreements x {CLAUSES} clauses x {COMMITMENTS} commitments ...", flush=True)
    rng = random.Random(7)
    filler = ["".join(rng.choice(_LETTERS) for _ in range(rng.randint(4, 7))) for _ in range(3000)]

    def text(words: int) -> str:
        return " ".join(rng.choice(WORDS) if rng.random() < 0.01 else rng.choice(filler) for _ in range(words))

    owner, _ = User.objects.get_or_create(username="bench-staff")
    owner.groups.add(Group.objects.get(name=STAFF_EDITORS))
    partners = []
    for i in range(200):
        partner = Partner(name_ar=f"جمعية رقم {i} بالقطيف", sector="non_profit")
        partner.save()
        Contact(partner=partner, name_ar=f"ممثل الجمعية {i}").save()
        partners.append(partner)
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
    commitments = []
    for clause_id in Clause.objects.values_list("id", flat=True).iterator(chunk_size=5000):
        for party in ("charity", "partner")[:COMMITMENTS]:
            body = text(8)
            commitments.append(
                Commitment(
                    clause_id=clause_id,
                    party=party,
                    description_ar=body,
                    target_quantity=10,
                    unit="trainees",
                    due_on=datetime.date(2027, 1, 1),
                    search_text=document(body),
                )
            )
        if len(commitments) >= 20_000:
            Commitment.objects.bulk_create(commitments)
            commitments = []
    Commitment.objects.bulk_create(commitments)
    ids = list(Commitment.objects.values_list("id", flat=True)[: NOTES * 50 : 50])
    notes = []
    for commitment_id in ids:
        body = text(15)
        notes.append(
            ProgressUpdate(
                commitment_id=commitment_id,
                reported_on=datetime.date(2026, 6, 1),
                amount=1,
                note=body,
                reported_by=owner,
                search_text=document(body),
            )
        )
    ProgressUpdate.objects.bulk_create(notes)
    settle()


def settle() -> None:
    """The database as a running server keeps it: statistics fresh, the tables vacuumed.

    (Autovacuum would do it in time; it may be off, or not yet come, where the bench runs.)
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _backend_cpu_ns(pid: int) -> int:
    """CPU time the database's server process `pid` has used, in ns (Linux, PostgreSQL on
    this machine), 0 where it cannot be read."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def timed(fn) -> tuple[float, float, float, float]:
    """Median and p95 of the wall time of `fn`, then of its CPU time (this process and the
    database server's process together: what a search costs, whatever else runs)."""
    from common.search import word_terms

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    times, cpu = [], []
    for _ in range(RUNS):
        word_terms.cache_clear()
        backend = _backend_cpu_ns(pid)
        c0, t0 = time.process_time_ns(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time_ns() - c0 + _backend_cpu_ns(pid) - backend) / 1e6)
    times.sort()
    cpu.sort()
    p95 = int(len(times) * 0.95) - 1
    return statistics.median(times), times[p95], statistics.median(cpu), cpu[p95]


def main() -> None:
    from django.urls import reverse

    from accounts.models import User
    from agreements.search import search

    ensure_database()
    ensure_static()
    load()
    user = User.objects.get(username="bench-staff")
    client = Client()
    client.force_login(user)
    url = reverse("agreements:search")
    list_url = reverse("agreements:list")
    search(user=user, text="تدريب")  # the user's groups: read once
    print(
        f"{'query':<16} {'text':<16} {'hits':>5} {'SQL':>4} {'engine med':>10} {'p95':>7} {'CPU med':>8} {'p95':>7}"
        f" {'page med':>9} {'p95':>7} {'CPU med':>8} {'p95':>7}"
    )
    for label, text in QUERIES:
        statements: list[str] = []

        def count(execute, sql, *args, statements=statements):
            statements.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            results = search(user=user, text=text)
        engine = timed(lambda text=text: search(user=user, text=text))
        assert client.get(url, {"q": text}, secure=True).status_code == 200
        page = timed(lambda text=text: client.get(url, {"q": text}, secure=True))
        print(
            f"{label:<16} {text:<16} {results.count:>5} {len(statements):>4} "
            f"{engine[0]:>9.1f}ms {engine[1]:>5.1f}ms {engine[2]:>6.1f}ms {engine[3]:>5.1f}ms "
            f"{page[0]:>8.1f}ms {page[1]:>5.1f}ms {page[2]:>6.1f}ms {page[3]:>5.1f}ms",
            flush=True,
        )
    # The agreement list's own `?q=` (agreements_matching: the same terms and index, every
    # word in the agreement, its partner or its clauses; the list's first page of 25 with
    # its count and filters). Not the global search the goal is set for: shown beside it.
    print(f"\n{'agreement list ?q=':<16} {'text':<16} {'SQL':>4} {'page med':>9} {'p95':>7} {'CPU med':>8} {'p95':>7}")
    for label, text in QUERIES:
        statements = []

        def count(execute, sql, *args, statements=statements):
            statements.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            assert client.get(list_url, {"q": text}, secure=True).status_code == 200
        page = timed(lambda text=text: client.get(list_url, {"q": text}, secure=True))
        print(
            f"{label:<16} {text:<16} {len(statements):>4} {page[0]:>8.1f}ms {page[1]:>5.1f}ms "
            f"{page[2]:>6.1f}ms {page[3]:>5.1f}ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
