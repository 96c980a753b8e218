"""Benchmark of the signed-PDF job with a long-term seal (PAdES B-LT, loopback RFC 3161 authority).

How to run, from the repository root after `make setup` (needs requirements-dev for factory_boy):

    .venv/bin/python bench/seal_bench.py
    .venv/bin/python bench/seal_bench.py --runs 21
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_seal_bench .venv/bin/python bench/seal_bench.py

Set up as bench/pdf_bench.py (throwaway database, charity, agreements of 10 and 50 clauses), but the
seal certificate is issued by a test certification authority (tests/tsa.py) that is also the trust
root (SEAL_TRUST_ROOTS), and SEAL_TSA_URL points at OpenSSL's `openssl ts -reply` behind an HTTP
server on 127.0.0.1: every seal asks it for a real timestamp (pyHanko asks twice: once to size the
signature) and embeds the chain in the DSS.

What each figure measures (wall clock, --runs runs per size, median and p95):

  job        `signed_pdf_make`: claim, both languages rendered (WeasyPrint) and sealed at B-LT,
             stored, recorded, e-mail queued; the agreement's row reset to pending before each run.
  bare       the library calls the job cannot avoid, for both languages: WeasyPrint `write_pdf` of
             the portal's HTML (one shared font configuration and stylesheet) as tagged PDF/A-3b,
             and pyHanko `sign_pdf` with the same timestamper, validation context and settings.
  ratio      job / bare (goal <= 1.1).
  render/page  the bare WeasyPrint render of the Arabic document divided by its page count.
  seal share   of the bare time, the part spent in pyHanko (timestamp round trips, DSS).

The first run of each size is timed apart ("cold"): the first timestamp request, the first
validation of the chain and the first render of that document in the process.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="seal-bench-"))
    import pdf_bench

    from tests.tsa import LoopbackTSA, TestCA

    ca = TestCA()
    tsa_folder = workdir / "tsa"
    tsa_folder.mkdir()
    tsa = LoopbackTSA(ca, tsa_folder).__enter__()
    os.environ["SEAL_TSA_URL"] = tsa.url
    os.environ["SEAL_TRUST_ROOTS"] = str(ca.write_root(workdir / "root.pem"))
    os.environ.setdefault("SEAL_PKCS12_PASSWORD", "bench-seal")
    # The production settings' refusals: a site address, a broker, mail kept in memory.
    os.environ.setdefault("SITE_URL", "https://bench.invalid")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.setdefault("ALLOW_FILE_EMAIL", "true")
    pdf_bench._prepare_environment(workdir)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        pdf_bench._recreate_postgres_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings

    agreements = pdf_bench._setup_data()
    # The self-signed seal of pdf_bench replaced by one the test CA issued, with its chain.
    Path(settings.SEAL_PKCS12_PATH).write_bytes(ca.seal_pkcs12("Qatif Charity", settings.SEAL_PKCS12_PASSWORD))

    import weasyprint
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers, timestamps
    from weasyprint.text.fonts import FontConfiguration

    from agreements.models import Agreement
    from agreements.pdf.job import signed_pdf_make
    from agreements.pdf.render import PDF_VARIANT, agreement_html, stylesheet_source, warm_up
    from agreements.pdf.seal import _signature_metadata, load_seal_credentials, seal_level, validation_context

    warm_up()
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=stylesheet_source(), font_config=fonts)
    credentials = load_seal_credentials()
    timestamper = timestamps.HTTPTimeStamper(settings.SEAL_TSA_URL)

    def bare_render(pk: int, language: str) -> bytes:
        data = pdf_bench._pdf_input(pk)
        data = type(data)(**{**data.__dict__, "language": language})
        html = agreement_html(data)
        return weasyprint.HTML(string=html).write_pdf(
            font_config=fonts, stylesheets=[css], pdf_variant=PDF_VARIANT, pdf_tags=True
        )

    def bare_seal(pdf: bytes) -> bytes:
        context = validation_context(credentials, allow_fetching=True)
        output = io.BytesIO()
        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            _signature_metadata(credentials, context=context),
            signer=credentials.signer,
            timestamper=timestamper,
            output=output,
        )
        return output.getvalue()

    # The job needs signed requests and a content hash: pdf_bench's compare_task makes them.
    pdf_bench.compare_task(agreements, runs=1)

    print(f"seal level {seal_level()}, TSA {settings.SEAL_TSA_URL}, runs {args.runs}")
    header = (
        f"{'clauses':>7} {'pages':>5} | {'job med':>8} {'job p95':>8} | {'bare med':>8} {'bare p95':>8} | "
        f"{'ratio':>5} | {'render/pg':>9} {'seal share':>10} | {'cold job':>8} {'cold bare':>9}"
    )
    print(header)
    print("-" * len(header))
    for clauses, pk in agreements.items():
        job, bare, render_ar, seal_part = [], [], [], []
        cold_job = cold_bare = 0.0
        for run in range(args.runs + 1):
            started = time.perf_counter()
            seal_time = 0.0
            for language in ("ar", "en"):
                rendered_at = time.perf_counter()
                pdf = bare_render(pk, language)
                if language == "ar":
                    render_ar.append(time.perf_counter() - rendered_at)
                    pages = int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])
                sealed_at = time.perf_counter()
                bare_seal(pdf)
                seal_time += time.perf_counter() - sealed_at
            bare_time = time.perf_counter() - started
            Agreement.objects.filter(pk=pk).update(pdf_status="pending")
            from agreements.models import SignedPdf

            SignedPdf.objects.filter(agreement_id=pk).delete()
            started = time.perf_counter()
            assert signed_pdf_make(agreement_id=pk) is not None
            job_time = time.perf_counter() - started
            if run == 0:
                cold_job, cold_bare = job_time, bare_time
                render_ar.clear()
                continue
            job.append(job_time)
            bare.append(bare_time)
            seal_part.append(seal_time / bare_time)
        ms = 1000
        print(
            f"{clauses:>7} {pages:>5} | {statistics.median(job) * ms:>8.0f} {_p95(job) * ms:>8.0f} | "
            f"{statistics.median(bare) * ms:>8.0f} {_p95(bare) * ms:>8.0f} | "
            f"{statistics.median(job) / statistics.median(bare):>5.2f} | "
            f"{statistics.median(render_ar) / pages * ms:>9.0f} {statistics.median(seal_part):>10.0%} | "
            f"{cold_job * ms:>8.0f} {cold_bare * ms:>9.0f}"
        )
    print(f"TSA requests answered: {tsa.requests}")
    tsa.__exit__(None, None, None)


if __name__ == "__main__":
    main()
