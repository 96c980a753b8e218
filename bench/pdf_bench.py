"""Benchmark of the signed agreement PDF: render + seal, memory over many renders, first render.

How to run, from the repository root after `make setup` (needs requirements-dev for factory_boy):

    .venv/bin/python bench/pdf_bench.py
    .venv/bin/python bench/pdf_bench.py --runs 21 --memory-renders 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_bench .venv/bin/python bench/pdf_bench.py

Without DATABASE_URL it uses a throwaway SQLite file in a temporary folder. With a PostgreSQL URL
the database is dropped and created again, so its name must contain "bench". Either way the script
migrates it, creates its own charity profile, agreements (10 and 50 clauses, two commitments each)
and a throwaway self-signed seal certificate; it touches nothing of the portal's own data.

What it measures (median of --runs runs, each run interleaving the three paths; wall-clock and the
process's CPU time, which other processes on a shared machine disturb less):

  (a) bare WeasyPrint: `HTML(string=html).write_pdf()` of the very HTML the portal renders, with one
      font configuration and one parsed stylesheet reused, the default URL fetcher, and the same
      kind of file as the portal's (PDF/A-3b, tagged: what the library is asked for, as in
      bench/seal_bench.py);
  (b) bare pyHanko: `signers.sign_pdf` of that PDF with the same signature settings as the seal;
  (c) the portal's path: fetch the agreement, `PdfInput.build`, `render_agreement_pdf`, `seal_pdf`.

  and the ratio (c) / ((a) + (b)) (goal: <= 1.1).

In fresh child processes: RSS after 1, 100 and --memory-renders renders of the 10-clause agreement
(goal: flat within 10 %), and the first render after `warm_up()` against the median warm render
(goal: <= 1.5x), with a cold first render (no warm-up) for comparison. Prints a table and writes
the figures as JSON to bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _prepare_environment(workdir: Path) -> None:
    """Point the settings at throwaway places before Django reads them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("VAR_DIR", str(workdir / "var"))
    os.environ.setdefault("SEAL_PKCS12_PATH", str(workdir / "seal.p12"))
    os.environ.setdefault("SEAL_PKCS12_PASSWORD", "bench-seal")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Production-like: with DEBUG on, Django keeps every query of the process in memory.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
    # What production settings require without DEBUG; nothing here sends or queues anything.
    os.environ.setdefault("SITE_URL", "https://portal.qatif-charity.example")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.setdefault("ALLOW_FILE_EMAIL", "true")


def _recreate_postgres_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _signatures():
    from PIL import Image, ImageDraw

    from agreements.pdf.context import SignatureBlock

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(40, 140), (90, 60), (130, 150), (180, 50), (560, 90)], fill=(20, 40, 120), width=7)
    png = io.BytesIO()
    image.save(png, format="PNG")
    riyadh = datetime.timezone(datetime.timedelta(hours=3))
    common = {"ip": "10.0.0.1", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"}
    return [
        SignatureBlock(
            party="charity",
            name="أسامة الزاير",
            title="رئيس مجلس الإدارة",
            email="chairman@qatif-charity.example",
            signed_at=datetime.datetime(2026, 3, 16, 10, 42, tzinfo=riyadh),
            method="drawn",
            via="account",
            image_png=png.getvalue(),
            **common,
        ),
        SignatureBlock(
            party="partner",
            name="عميد الكلية التقنية بالقطيف",
            title="عميد الكلية",
            email="dean@tech-college.example",
            signed_at=datetime.datetime(2026, 3, 16, 11, 5, tzinfo=riyadh),
            method="typed",
            via="link",
            typed_text="عميد الكلية التقنية",
            **common,
        ),
    ]


def _pdf_input(agreement_pk: int):
    import hashlib

    from agreements.models import Agreement
    from agreements.pdf.context import AuditLine, PdfInput

    agreement = Agreement.objects.get(pk=agreement_pk)
    signatures = _signatures()
    return PdfInput.build(
        agreement=agreement,
        signatures=signatures,
        audit=[AuditLine(at=block.signed_at, event="وقّع", actor=block.name) for block in signatures],
        content_hash=hashlib.sha256(agreement.reference.encode()).hexdigest(),
        verification_url=f"https://portal.qatif-charity.example/verify/{agreement.reference}/",
    )


def _setup_data() -> dict[int, int]:
    """Migrate, create the charity, the seal and one agreement per size; {clauses: pk}."""
    from django.conf import settings
    from django.core.management import call_command

    from agreements.pdf.seal import create_self_signed_pkcs12, write_seal_certificate
    from demo.data import CHARITY
    from partners.models import CharityProfile
    from tests.factories import PartnerFactory, agreement_with_clauses

    call_command("migrate", verbosity=0)
    profile = CharityProfile.load()
    for field, value in CHARITY.items():
        setattr(profile, field, value)
    profile.save()
    write_seal_certificate(
        Path(settings.SEAL_PKCS12_PATH),
        create_self_signed_pkcs12(common_name="Qatif Charity", password=settings.SEAL_PKCS12_PASSWORD),
        force=True,
    )
    agreements = {}
    for clauses in (10, 50):
        partner = PartnerFactory(name_ar=f"الكلية التقنية بالقطيف {clauses}", name_en=f"Technical College {clauses}")
        agreement = agreement_with_clauses(
            clauses=clauses,
            partner=partner,
            title_ar="اتفاقية شراكة في التدريب التقني والفرص التطوعية",
            title_en="Partnership on technical training and volunteering opportunities",
        )
        agreements[clauses] = agreement.pk
    return agreements


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def compare_paths(agreements: dict[int, int], runs: int) -> list[dict]:
    """(a) bare WeasyPrint, (b) bare pyHanko, (c) the portal's render + seal; medians in ms."""
    import weasyprint
    from django.conf import settings
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from weasyprint.text.fonts import FontConfiguration

    from agreements.pdf.render import PDF_VARIANT, agreement_html, render_agreement_pdf, stylesheet_source, warm_up
    from agreements.pdf.seal import SEAL_FIELD_NAME, seal_pdf

    warm_up()
    bare_fonts = FontConfiguration()
    bare_css = weasyprint.CSS(string=stylesheet_source(), font_config=bare_fonts)
    bare_signer = signers.SimpleSigner.load_pkcs12_data(
        Path(settings.SEAL_PKCS12_PATH).read_bytes(),
        other_certs=None,
        passphrase=settings.SEAL_PKCS12_PASSWORD.encode(),
    )
    bare_meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        name="Qatif Charity",
        reason="Electronic seal of the signed agreement",
    )

    rows = []
    for clauses, pk in agreements.items():
        html = agreement_html(_pdf_input(pk))

        def bare_render(html=html) -> bytes:
            return weasyprint.HTML(string=html).write_pdf(
                font_config=bare_fonts, stylesheets=[bare_css], pdf_variant=PDF_VARIANT, pdf_tags=True
            )

        def bare_seal(pdf: bytes) -> bytes:
            output = io.BytesIO()
            signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), bare_meta, signer=bare_signer, output=output)
            return output.getvalue()

        def portal(pk=pk) -> bytes:
            return seal_pdf(render_agreement_pdf(_pdf_input(pk)))

        pdf = bare_render()
        bare_seal(pdf)
        portal()  # first run of each size is not timed
        # Wall-clock and this process's CPU time: on a shared machine other processes
        # stretch the wall clock of whichever path happens to run beside them.
        wall: dict[str, list[float]] = {"a": [], "b": [], "c": []}
        cpu: dict[str, list[float]] = {"a": [], "b": [], "c": []}

        def timed(key: str, function, *args, wall=wall, cpu=cpu):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = function(*args)
            wall[key].append(time.perf_counter() - started)
            cpu[key].append(time.process_time() - started_cpu)
            return result

        for _ in range(runs):
            pdf = timed("a", bare_render)
            timed("b", bare_seal, pdf)
            sealed = timed("c", portal)
        pages = int(PdfFileReader(io.BytesIO(sealed)).root["/Pages"]["/Count"])
        a, b, c = (_median_ms(wall[key]) for key in "abc")
        a_cpu, b_cpu, c_cpu = (_median_ms(cpu[key]) for key in "abc")
        rows.append(
            {
                "clauses": clauses,
                "runs": runs,
                "bare_weasyprint_ms": round(a, 1),
                "bare_pyhanko_ms": round(b, 1),
                "portal_render_and_seal_ms": round(c, 1),
                "ratio": round(c / (a + b), 3),
                "cpu_bare_weasyprint_ms": round(a_cpu, 1),
                "cpu_bare_pyhanko_ms": round(b_cpu, 1),
                "cpu_portal_render_and_seal_ms": round(c_cpu, 1),
                "cpu_ratio": round(c_cpu / (a_cpu + b_cpu), 3),
                "pdf_pages": pages,
                "sealed_pdf_kb": round(len(sealed) / 1024, 1),
            }
        )
    return rows


def compare_task(agreements: dict[int, int], runs: int) -> list[dict]:
    """(d) the whole Celery job (both languages: render, seal, store, bookkeeping) against
    the bare library calls it cannot avoid: WeasyPrint for each language plus pyHanko twice."""
    import weasyprint
    from django.utils import timezone
    from weasyprint.text.fonts import FontConfiguration

    from agreements.content import canonical_content, sha256_of
    from agreements.models import Agreement, Signature, SignedPdf, SigningRequest
    from agreements.pdf.job import signed_pdf_make
    from agreements.pdf.render import PDF_VARIANT, agreement_html, stylesheet_source
    from agreements.pdf.seal import seal_pdf

    fonts = FontConfiguration()
    css = weasyprint.CSS(string=stylesheet_source(), font_config=fonts)
    rows = []
    for clauses, pk in agreements.items():
        agreement = Agreement.objects.get(pk=pk)
        if not agreement.signing_requests.exists():
            for party, name in (("charity", "أسامة الزاير"), ("partner", "عميد الكلية")):
                request = SigningRequest.objects.create(
                    agreement=agreement, party=party, name=name, email=f"{party}@example.org", status="signed"
                )
                Signature.objects.create(
                    request=request,
                    signer_name=name,
                    method="typed",
                    typed_text=name,
                    channel="link",
                    signed_at=timezone.now(),
                    ip="203.0.113.7",
                    content_hash="0" * 64,
                )
            requests = list(agreement.signing_requests.all())
            Agreement.objects.filter(pk=pk).update(
                status="active",
                content_hash=sha256_of(canonical_content(agreement, requests)),
                verification_code=f"bench-{pk}",
            )

        def bare(language: str, pk=pk) -> bytes:
            agreement = Agreement.objects.get(pk=pk)
            data = _pdf_input(pk)
            data = type(data)(**{**data.__dict__, "agreement": agreement, "language": language})
            return weasyprint.HTML(string=agreement_html(data)).write_pdf(
                font_config=fonts, stylesheets=[css], pdf_variant=PDF_VARIANT, pdf_tags=True
            )

        def job(pk=pk) -> None:
            SignedPdf.objects.filter(agreement_id=pk).delete()
            Agreement.objects.filter(pk=pk).update(pdf_status="pending")
            started = time.perf_counter()
            made = signed_pdf_make(agreement_id=pk)
            assert made is not None
            return time.perf_counter() - started

        job()  # not timed
        task, library = [], []
        for _ in range(runs):
            started = time.perf_counter()
            for language in ("ar", "en"):
                seal_pdf(bare(language))
            library.append(time.perf_counter() - started)
            task.append(job())
        d, ab = _median_ms(task), _median_ms(library)
        rows.append(
            {"clauses": clauses, "job_ms": round(d, 1), "library_calls_ms": round(ab, 1), "ratio": round(d / ab, 3)}
        )
    return rows


def child_memory(agreement_pk: int, renders: int) -> dict:
    from agreements.pdf.render import render_agreement_pdf, warm_up

    warm_up()
    rss = {"after_warm_up": round(_rss_mb(), 1)}
    checkpoints = sorted({1, 100, renders})
    for count in range(1, renders + 1):
        render_agreement_pdf(_pdf_input(agreement_pk))
        if count in checkpoints:
            rss[f"after_{count}"] = round(_rss_mb(), 1)
    first, last = rss["after_1"], rss[f"after_{renders}"]
    rss["growth_1_to_last_percent"] = round((last - first) * 100 / first, 1)
    return rss


def child_first_render(agreement_pk: int, *, warm: bool, warm_runs: int = 9) -> dict:
    from agreements.pdf.render import render_agreement_pdf, warm_up

    warm_up_ms = None
    if warm:
        started = time.perf_counter()
        warm_up()
        warm_up_ms = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    render_agreement_pdf(_pdf_input(agreement_pk))
    first = time.perf_counter() - started
    samples = []
    for _ in range(warm_runs):
        started = time.perf_counter()
        render_agreement_pdf(_pdf_input(agreement_pk))
        samples.append(time.perf_counter() - started)
    warm_ms = _median_ms(samples)
    return {
        "warm_up_called": warm,
        "warm_up_ms": warm_up_ms,
        "first_render_ms": round(first * 1000, 1),
        "warm_render_median_ms": round(warm_ms, 1),
        "first_over_warm": round(first * 1000 / warm_ms, 2),
    }


def _run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per size (median reported)")
    parser.add_argument("--memory-renders", type=int, default=500, help="renders in the memory measurement")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        import django

        django.setup()
        kind, pk = args.child[0], int(args.child[1])
        if kind == "memory":
            result = child_memory(pk, int(args.child[2]))
        else:
            result = child_first_render(pk, warm=kind == "first-render-warm")
        print(json.dumps(result))
        return

    workdir = Path(tempfile.mkdtemp(prefix="qatif-pdf-bench-"))
    _prepare_environment(workdir)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.db import connection

    agreements = _setup_data()
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"database: {connection.vendor}; workdir: {workdir}; python {sys.version.split()[0]}; load {load}", flush=True
    )

    rows = compare_paths(agreements, args.runs)
    print(f"\nmedian of {args.runs} runs; wall-clock, then CPU time of this process")
    print("clauses  pages  clock  (a) WeasyPrint  (b) pyHanko  (c) portal   (c)/((a)+(b))")
    for row in rows:
        for clock, prefix in (("wall", ""), ("cpu", "cpu_")):
            print(
                f"{row['clauses']:>7}  {row['pdf_pages']:>5}  {clock:>5}"
                f"  {row[prefix + 'bare_weasyprint_ms']:>11.1f} ms  {row[prefix + 'bare_pyhanko_ms']:>8.1f} ms"
                f"  {row[prefix + 'portal_render_and_seal_ms']:>7.1f} ms  {row[prefix + 'ratio']:>13.3f}"
            )

    print("\nthe whole job (2 languages: render, seal, store, record) vs the bare library calls:")
    for row in compare_task(agreements, max(5, args.runs // 2)):
        print(
            f"{row['clauses']:>7} clauses  job {row['job_ms']:>8.1f} ms"
            f"  library calls {row['library_calls_ms']:>8.1f} ms  ratio {row['ratio']:.3f}"
        )

    ten = str(agreements[10])
    memory = _run_child("memory", ten, str(args.memory_renders))
    print("\nRSS of a fresh process rendering the 10-clause agreement (MB):")
    print("  " + ", ".join(f"{key}: {value}" for key, value in memory.items()))

    warm = _run_child("first-render-warm", ten)
    cold = _run_child("first-render-cold", ten)
    print("\nFirst render in a fresh process, 10 clauses:")
    for label, result in (("after warm_up()", warm), ("without warm-up", cold)):
        print(
            f"  {label:<16} first {result['first_render_ms']} ms, warm median {result['warm_render_median_ms']} ms, "
            f"ratio {result['first_over_warm']}"
            + (f" (warm_up took {result['warm_up_ms']} ms)" if result["warm_up_called"] else "")
        )

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    report = {
        "load_average_at_end": Path("/proc/loadavg").read_text().split()[:3],
        "paths": rows,
        "memory": memory,
        "first_render": {"warm": warm, "cold": cold},
    }
    (results_dir / f"pdf_bench-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"\nwritten: bench/results/pdf_bench-{stamp}.json")


if __name__ == "__main__":
    main()
