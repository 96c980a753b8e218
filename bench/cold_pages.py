"""Cold page times of the portal's main pages beside Django admin's page of the same data.

Run (PostgreSQL and Redis on this machine; the three databases are created and filled on the
first run, ~40 s more, and reused afterwards; a run takes ~1 min on 2 cores, ~2.5 min with --profile):

    .venv/bin/python bench/cold_pages.py
    # fewer or more requests per page, another database name:
    RUNS=15 DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_cold .venv/bin/python bench/cold_pages.py
    # then a pyinstrument profile of each page over 20 requests (pip install pyinstrument), as text
    # (the portal's own frames) and HTML (every frame), in bench/results/cold_pages/:
    .venv/bin/python bench/cold_pages.py --profile

Settings are production's: DEBUG off (cached template loader, manifest static files, which
collectstatic writes on the first run), sessions and the cache in Redis (database 15 by
default, emptied at the start), and no page cache (the portal has none): no rendered page is served from a
cache, every request builds its page. Requests go through Django's test client with a logged-in
user whose CSRF cookie is already set, over one persistent database connection.

Data: `qatif_cold` holds 10 000 agreements among 200 partners (2 contacts each), one in ten
with 20 clauses and the rest with 5, 2 commitments per clause and 30 000 progress updates.
One partner, the bench partner, has 50 agreements (45 active, 5 expired) with 5 clauses of 3
commitments each (2 the partner's, 1 the charity's), each with a progress update (4 in 5
accepted), and a portal user. "The detail agreement" is an active agreement with exactly 20 clauses of 2
commitments. `qatif_cold_10` and `qatif_cold_1000` hold the same shape with 10 and 1 000
agreements (min(200, n) partners, the bench partner with min(50, n) agreements), only to
count queries.

Figures:
- page ms (median, p95): time of one whole request (middleware, session, user, view,
  queries, template rendering) on the 10 000-agreement database, over RUNS (30) requests after
  2 warm-up requests. All URLs are requested in turn, one round after another, so a slower
  moment of the machine weighs on every page alike.
- admin ms: the same for Django admin's page of the same data, as a logged-in superuser:
  the agreement changelist (beside the dashboard and the list), that changelist searched for
  the same word (beside the search), the agreement's change form (beside the detail), the
  partner changelist (beside the partner list) and the commitment changelist filtered to the
  bench partner (beside the two partner portal pages).
- ratio: page median / admin median.
- queries: SQL statements of one request, at 10, 1 000 and 10 000 agreements. A page whose
  count grows with the data runs a query per row. (At 10 agreements the search finds none, so
  the paginator skips the page query: one query less, not a per-row query.)

Staff pages are requested by a member of "Staff editors" (the portal's usual staff user),
portal pages by the bench partner's user, admin pages by a superuser.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qatif_cold")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
# Production defaults (https redirect, secure cookies): the clients ask over https, as browsers
# do through the proxy; the host is the test client's.
os.environ.setdefault("SITE_URL", "https://testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django
from static_manifest import ensure_static  # bench/, the script's own folder

django.setup()

import logging  # noqa: E402

logging.getLogger("portal.request").setLevel(logging.WARNING)

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

try:  # the module's home after the restructuring, then before it
    from common.search import document
except ImportError:
    from qatif_partnerships.search import document

RUNS = int(os.environ.get("RUNS", "30"))
WARMUP = 2
SIZES = (10, 1000, 10_000)  # agreements per database; the largest is the one timed
TIMED = SIZES[-1]
SEARCH_WORD = "تدريب"
PARTNER_AGREEMENTS = 50
DETAIL_CLAUSES = 20

WORDS = ["تدريب", "الفرص", "الوظيفية", "التطوعية", "ورش", "العمل", "التوعوية", "المستفيدين", "الإعلام", "الأسر"]
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


BASE_NAME = settings.DATABASES["default"]["NAME"]


def database_name(agreements: int) -> str:
    return BASE_NAME if agreements == TIMED else f"{BASE_NAME}_{agreements}"


def use_database(name: str) -> None:
    """Point the default connection at another database (closed first, reopened on use)."""
    from django.contrib.contenttypes.models import ContentType

    connection.close()
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()  # ids differ from one database to another
    cache.clear()  # sessions, unread counts and the charity profile of the previous one


def ensure_database(name: str) -> None:
    import psycopg2

    params = connection.get_connection_params()
    admin = psycopg2.connect(
        dbname="postgres", user=params.get("user"), host=params.get("host"), port=params.get("port")
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    use_database(name)
    call_command("migrate", verbosity=0)


def reference(index: int) -> str:
    return f"QC-2025-{index + 1:05d}"


def load(agreements: int) -> None:
    """Fill the current database with `agreements` agreements; nothing if it is already filled."""
    from accounts.models import User

    if User.objects.filter(username="bench-partner").exists():
        return
    print(f"loading {agreements} agreements into {connection.settings_dict['NAME']} ...", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        _load(agreements)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)


def _load(agreements: int) -> None:
    from django.contrib.auth.models import Group

    from accounts.models import STAFF_EDITORS, User
    from agreements.models import (
        Agreement,
        AgreementStatus,
        Clause,
        ClauseKind,
        Commitment,
        CommitmentStatus,
        Party,
        ProgressStatus,
        ProgressUpdate,
        ReferenceSequence,
        ResponsibleParty,
        Unit,
    )
    from partners.models import Contact, Partner, PartnerKind, Sector
    from reminders.models import Notification, ReminderKind

    rng = random.Random(11)
    today = timezone.localdate()
    filler = ["".join(rng.choice(_LETTERS) for _ in range(rng.randint(4, 7))) for _ in range(3000)]

    def text(words: int) -> str:
        return " ".join(rng.choice(WORDS) if rng.random() < 0.01 else rng.choice(filler) for _ in range(words))

    staff = User.objects.create(username="bench-staff", email="staff@example.org", first_name="موظف القياس")
    staff.groups.add(Group.objects.get(name=STAFF_EDITORS))
    User.objects.create(username="bench-admin", email="admin@example.org", is_staff=True, is_superuser=True)

    sectors, kinds = list(Sector.values), list(PartnerKind.values)
    partner_count = min(200, agreements)
    partners = []
    for i in range(partner_count):
        name_ar = "الكلية التقنية بالقطيف (قياس)" if i == 0 else f"جمعية الشريك رقم {i} بالقطيف"
        name_en = "Qatif Technical College (bench)" if i == 0 else f"Partner association {i}"
        partners.append(
            Partner(
                name_ar=name_ar,
                name_en=name_en,
                sector=sectors[i % len(sectors)],
                kind=kinds[i % len(kinds)],
                city="القطيف",
                email=f"info{i}@partner.example",
                search_text=document(name_ar, name_en, "القطيف"),
            )
        )
    partners = Partner.objects.bulk_create(partners)
    Contact.objects.bulk_create(
        Contact(
            partner=partner,
            name_ar=f"ممثل الشريك {partner.pk}" if primary else f"منسق الشريك {partner.pk}",
            title_ar="رئيس مجلس الإدارة" if primary else "منسق البرامج",
            email=f"{'rep' if primary else 'coord'}{partner.pk}@partner.example",
            can_sign=primary,
            is_primary=primary,
        )
        for partner in partners
        for primary in (True, False)
    )
    bench_partner = partners[0]
    partner_user = User.objects.create(
        username="bench-partner",
        email="partner@example.org",
        first_name="شريك القياس",
        partner=bench_partner,
        partner_role="editor",
    )

    own = min(PARTNER_AGREEMENTS, agreements)
    detail = agreements - 1
    statuses = ["draft", "awaiting_signatures", "active", "active", "active", "expired", "terminated", "renewed"]
    rows = []
    for i in range(agreements):
        if i == detail:
            status = AgreementStatus.ACTIVE
        elif i < own:
            status = AgreementStatus.ACTIVE if i % 10 else AgreementStatus.EXPIRED
        else:
            status = rng.choice(statuses)
        ends_on = today + datetime.timedelta(days=rng.randint(-700, 1100))
        if status == AgreementStatus.ACTIVE and ends_on <= today:
            ends_on = today + datetime.timedelta(days=rng.randint(1, 1100))
        starts_on = ends_on - datetime.timedelta(days=365 * rng.randint(1, 3))
        signed = status not in (AgreementStatus.DRAFT, AgreementStatus.AWAITING_SIGNATURES)
        title = f"اتفاقية شراكة {text(4)} رقم {i}"
        summary = text(30)
        rows.append(
            Agreement(
                reference=reference(i),
                title_ar=title,
                summary_ar=summary,
                partner=bench_partner if i < own or partner_count == 1 else partners[1 + i % (partner_count - 1)],
                owner=staff,
                status=status,
                signed_on=starts_on if signed else None,
                starts_on=starts_on,
                ends_on=ends_on,
                search_text=document(reference(i), title, summary),
            )
        )
    Agreement.objects.bulk_create(rows, batch_size=2000)
    ReferenceSequence.objects.update_or_create(year=2025, defaults={"last_number": agreements})

    clause_kinds = list(ClauseKind.values)
    responsible = list(ResponsibleParty.values)
    agreement_ids = dict(Agreement.objects.values_list("reference", "id"))
    clauses = []
    for i in range(agreements):
        count = DETAIL_CLAUSES if i == detail or (i >= own and i % 10 == 0) else 5
        for order in range(1, count + 1):
            body = text(25)
            clauses.append(
                Clause(
                    agreement_id=agreement_ids[reference(i)],
                    order=order,
                    kind=rng.choice(clause_kinds),
                    responsible_party=rng.choice(responsible),
                    text_ar=body,
                    search_text=document(body),
                )
            )
    Clause.objects.bulk_create(clauses, batch_size=5000)

    own_ids = {agreement_ids[reference(i)] for i in range(own)}
    units = list(Unit.values)
    commitment_statuses = [CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.IN_PROGRESS]
    commitments = []
    for clause_id, agreement_id in Clause.objects.values_list("id", "agreement_id").iterator():
        parties = [Party.PARTNER, Party.PARTNER, Party.CHARITY] if agreement_id in own_ids else list(Party.values)
        commitments += [
            Commitment(
                clause_id=clause_id,
                party=party,
                description_ar=f"التزام {text(5)}",
                target_quantity=rng.randint(5, 100),
                unit=rng.choice(units),
                due_on=today + datetime.timedelta(days=rng.randint(-200, 500)),
                status=rng.choice(commitment_statuses),
            )
            for party in parties
        ]
    Commitment.objects.bulk_create(commitments, batch_size=5000)

    own_commitments = list(Commitment.objects.filter(clause__agreement_id__in=own_ids).values_list("id", flat=True))
    other_commitments = list(
        Commitment.objects.exclude(clause__agreement_id__in=own_ids).values_list("id", flat=True)[:200_000]
    )
    updates = [(commitment_id, partner_user) for commitment_id in own_commitments]
    updates += [(rng.choice(other_commitments), staff) for _ in range(min(30_000, len(other_commitments)))]
    ProgressUpdate.objects.bulk_create(
        (
            ProgressUpdate(
                commitment_id=commitment_id,
                reported_on=today - datetime.timedelta(days=rng.randint(0, 300)),
                amount=rng.randint(1, 10),
                reported_by=reporter,
                status=ProgressStatus.ACCEPTED if rng.random() < 0.8 else ProgressStatus.SUBMITTED,
            )
            for commitment_id, reporter in updates
        ),
        batch_size=5000,
    )
    Notification.objects.bulk_create(
        Notification(
            user=partner_user,
            kind=ReminderKind.COMMITMENT_DUE,
            title=f"التزام يستحق قريباً رقم {n}",
            read_at=timezone.now() if n % 2 else None,
        )
        for n in range(8)
    )


def ids(agreements: int) -> tuple[str, int, int]:
    """The detail agreement's reference and id, and the bench partner's id, in the current database."""
    from agreements.models import Agreement
    from partners.models import Partner

    detail = Agreement.objects.get(reference=reference(agreements - 1))
    assert detail.clauses.count() == DETAIL_CLAUSES
    return detail.reference, detail.pk, Partner.objects.get(users__username="bench-partner").pk


def pages(detail_reference: str, detail_pk: int, partner_id: int) -> list[tuple[str, str, str, str]]:
    """(label, client, URL, label of the admin page it is compared with or "")."""
    changelist = "/admin/agreements/agreement/"
    commitments = f"/admin/agreements/commitment/?clause__agreement__partner__id__exact={partner_id}"
    return [
        ("dashboard /", "staff", "/", "admin agreements"),
        ("agreement list", "staff", "/agreements/", "admin agreements"),
        (f"search q={SEARCH_WORD}", "staff", f"/agreements/?q={SEARCH_WORD}", "admin agreements search"),
        ("agreement detail (20 clauses)", "staff", f"/agreements/{detail_reference}/", "admin agreement change"),
        ("partner list", "staff", "/partners/", "admin partners"),
        ("portal home", "partner", "/portal/", "admin commitments of partner"),
        ("portal commitments", "partner", "/portal/commitments/", "admin commitments of partner"),
        ("admin agreements", "admin", changelist, ""),
        ("admin agreements search", "admin", f"{changelist}?q={SEARCH_WORD}", ""),
        ("admin agreement change", "admin", f"{changelist}{detail_pk}/change/", ""),
        ("admin partners", "admin", "/admin/partners/partner/", ""),
        ("admin commitments of partner", "admin", commitments, ""),
    ]


def clients() -> dict[str, Client]:
    """Logged-in clients whose CSRF cookie is set, as a browser has after its first page."""
    from accounts.models import User

    result = {}
    for role, username, first_page in (
        ("staff", "bench-staff", "/"),
        ("partner", "bench-partner", "/portal/"),
        ("admin", "bench-admin", "/admin/"),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(first_page, secure=True)
        assert response.status_code == 200, (first_page, response.status_code)
        assert settings.CSRF_COOKIE_NAME in client.cookies, f"no CSRF cookie after {first_page}"
        result[role] = client
    return result


def get(client: Client, url: str) -> None:
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)


def prepare(agreements: int) -> tuple[list[tuple[str, str, str, str]], dict[str, Client]]:
    """Switch to the database of `agreements` agreements: its pages and logged-in clients."""
    use_database(database_name(agreements))
    return pages(*ids(agreements)), clients()


def count_queries(agreements: int) -> dict[str, int]:
    cases, by_role = prepare(agreements)
    counts = {}
    for label, role, url, _admin in cases:
        get(by_role[role], url)
        with CaptureQueriesContext(connection) as queries:
            get(by_role[role], url)
        counts[label] = len(queries)
    return counts


def time_pages() -> tuple[list[tuple[str, str, str, str]], dict[str, list[float]]]:
    cases, by_role = prepare(TIMED)
    times: dict[str, list[float]] = {label: [] for label, *_rest in cases}
    for round_number in range(WARMUP + RUNS):
        for label, role, url, _admin in cases:
            started = time.perf_counter()
            get(by_role[role], url)
            if round_number >= WARMUP:
                times[label].append((time.perf_counter() - started) * 1000)
    return cases, times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def profile_pages(out: Path, runs: int = 20) -> None:
    """One pyinstrument profile per page over `runs` requests, as text and HTML."""
    from pyinstrument import Profiler

    cases, by_role = prepare(TIMED)
    out.mkdir(parents=True, exist_ok=True)
    for label, role, url, _admin in cases:
        slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in label).strip("-")
        for _ in range(WARMUP):
            get(by_role[role], url)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(runs):
                get(by_role[role], url)
        (out / f"{slug}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        (out / f"{slug}.html").write_text(profiler.output_html())
        print(f"  {label}: {out / slug}.txt", flush=True)


def main() -> None:
    started = time.perf_counter()
    ensure_static()
    for agreements in SIZES:
        ensure_database(database_name(agreements))
        load(agreements)

    counts = {agreements: count_queries(agreements) for agreements in SIZES}
    cases, times = time_pages()

    print(
        f"\n{TIMED} agreements, PostgreSQL, DEBUG off, no page cache; median"
        f" and p95 of {RUNS} requests per page after {WARMUP} warm-up requests, all pages in turn\n"
    )
    median = {label: statistics.median(values) for label, values in times.items()}
    print("| page | median ms | p95 ms | admin page of the same data | admin median ms | admin p95 ms | page/admin |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for label, _role, _url, admin in cases:
        if not admin:
            continue
        print(
            f"| {label} | {median[label]:.1f} | {p95(times[label]):.1f} | {admin} | {median[admin]:.1f} | "
            f"{p95(times[admin]):.1f} | {median[label] / median[admin]:.2f} |"
        )

    print("\nSQL queries of one request (the user and its groups included; the session is read from Redis)\n")
    print("| page | " + " | ".join(f"queries@{n}" for n in SIZES) + " |")
    print("|---|" + "---:|" * len(SIZES))
    for label, _role, _url, _admin in cases:
        print(f"| {label} | " + " | ".join(str(counts[n][label]) for n in SIZES) + " |")
    print("\nURLs: " + ", ".join(f"{label} = {url}" for label, _role, url, _admin in cases))

    if "--profile" in sys.argv:
        print("\npyinstrument profiles:", flush=True)
        profile_pages(Path(__file__).resolve().parent / "results" / "cold_pages")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
