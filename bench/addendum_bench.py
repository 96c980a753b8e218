"""Benchmark of a signed amendment's PDF job: addendum + consolidated text, render + seal + store.

How to run, from the repository root after `make setup` (needs requirements-dev for factory_boy):

    .venv/bin/python bench/addendum_bench.py
    .venv/bin/python bench/addendum_bench.py --runs 31 --changes 10

Without DATABASE_URL it uses a throwaway SQLite file in a temporary folder; with a PostgreSQL
URL the database is dropped and created again, so its name must contain "bench" (as
bench/pdf_bench.py). The script migrates it and creates its own charity profile, a signed
10-clause agreement, a signed amendment of --changes changes (the end date, one clause text,
and commitment targets) and a throwaway seal certificate.

What it measures, each over --runs runs, interleaved so load on the machine hits both alike:

  (job)  `addendum_pdf_make(amendment_id=...)`, the Celery task's body, cold: before each run
         the amendment is put back to pending and its four SignedPdf rows and files are
         deleted, so every run claims, reads the rows, builds the HTML, renders and seals four
         documents (addendum and consolidated text, Arabic and English), stores the files,
         records the rows, the audit event and queues the e-mail. Nothing is cached between
         runs except what a worker process keeps anyway (the font configuration and parsed
         stylesheet, the seal credentials).
  (bare) for the very HTML the job renders (built once, outside the timing): bare WeasyPrint
         `HTML(string=html).write_pdf()` with one font configuration and parsed stylesheet,
         plus bare pyHanko `signers.sign_pdf` with the seal's settings, for the four documents.

Reports the median and p95 of each, in wall-clock and in this process's CPU time, and the
ratio job / bare of the medians (goal: <= 1.1). Writes JSON to bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pdf_bench import _prepare_environment, _recreate_postgres_database  # noqa: E402


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _setup(changes: int) -> int:
    """The charity, the seal, a signed agreement and its signed amendment; the amendment's pk."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from agreements.amendments.content import changes_between, content_of
    from agreements.audit import audit_record
    from agreements.content import canonical_content, sha256_of
    from agreements.models import Agreement, Amendment, AuditKind, Signature, SigningRequest
    from agreements.pdf.seal import create_self_signed_pkcs12, write_seal_certificate
    from demo.data import CHARITY
    from partners.models import CharityProfile
    from tests.factories import PartnerFactory, StaffFactory, agreement_with_clauses

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
    agreement = agreement_with_clauses(
        clauses=10,
        partner=PartnerFactory(name_ar="الكلية التقنية بالقطيف", name_en="Technical College in Qatif"),
        title_ar="اتفاقية شراكة في التدريب التقني والفرص التطوعية",
        title_en="Partnership on technical training and volunteering opportunities",
    )
    staff = StaffFactory()

    def sign(amendment=None) -> None:
        for party, name in (("charity", "أسامة الزاير"), ("partner", "عميد الكلية")):
            request = SigningRequest.objects.create(
                agreement=agreement,
                amendment=amendment,
                party=party,
                name=name,
                email=f"{party}@example.org",
                status="signed",
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
            audit_record(agreement=agreement, kind=AuditKind.SIGNED, actor_label=name, signing_request=request)

    sign()
    Agreement.objects.filter(pk=agreement.pk).update(
        status="active",
        content_hash=sha256_of(canonical_content(agreement, list(agreement.signing_requests.all()))),
        verification_code="bench-addendum",
    )
    agreement.refresh_from_db()

    # The change set: the end date, the first clause's text, then commitment targets.
    base = content_of(agreement)
    clauses = list(base.clauses)
    clauses[0] = replace(clauses[0], text_ar=clauses[0].text_ar + " وتنظم الجهتان ورش عمل توعوية إضافية.")
    left = changes - 2
    for index, clause in enumerate(clauses):
        commitments = []
        for commitment in clause.commitments:
            if left > 0:
                commitment = replace(commitment, target_quantity=commitment.target_quantity + 5)
                left -= 1
            commitments.append(commitment)
        clauses[index] = replace(clause, commitments=tuple(commitments))
    edited = replace(base, ends_on=base.ends_on + datetime.timedelta(days=180), clauses=tuple(clauses))
    change_set = changes_between(base, edited)
    assert len(change_set) == changes, (len(change_set), changes)
    amendment = Amendment.objects.create(
        agreement=agreement,
        number=1,
        text_ar="تمديد مدة الاتفاقية ورفع مستهدفات التدريب.",
        text_en="Extending the term and raising the training targets.",
        changes=change_set,
        effective_on=agreement.starts_on + datetime.timedelta(days=200),
        status="signed",
        content_hash=sha256_of({"bench": "amendment"}),
        signed_on=timezone.localdate(),
        created_by=staff,
    )
    for kind in (AuditKind.AMENDMENT_RECORDED, AuditKind.AMENDMENT_SENT, AuditKind.AMENDMENT_SIGNED):
        audit_record(agreement=agreement, kind=kind, actor=staff, details={"number": 1})
    sign(amendment)
    return amendment.pk


def measure(amendment_pk: int, runs: int) -> dict:
    import weasyprint
    from django.conf import settings
    from django.core.files.storage import default_storage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from weasyprint.text.fonts import FontConfiguration

    from agreements.models import Amendment, SignedPdf
    from agreements.pdf.addendum import addendum_documents_html, addendum_pdf_make
    from agreements.pdf.render import stylesheet_source, warm_up
    from agreements.pdf.seal import SEAL_FIELD_NAME

    warm_up()  # as a worker does at start (agreements.pdf.signals)
    amendment = Amendment.objects.select_related("agreement__partner").get(pk=amendment_pk)
    html = addendum_documents_html(amendment, amendment.agreement)
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=stylesheet_source(), font_config=fonts)
    signer = signers.SimpleSigner.load_pkcs12_data(
        Path(settings.SEAL_PKCS12_PATH).read_bytes(),
        other_certs=None,
        passphrase=settings.SEAL_PKCS12_PASSWORD.encode(),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        name="Qatif Charity",
        reason="Electronic seal of the signed agreement",
    )

    def bare() -> None:
        for document in html.values():
            pdf = weasyprint.HTML(string=document).write_pdf(font_config=fonts, stylesheets=[css])
            output = io.BytesIO()
            signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, output=output)

    def reset() -> None:
        for pdf in SignedPdf.objects.filter(amendment_id=amendment_pk):
            name = pdf.file.name
            pdf.delete()
            default_storage.delete(name)
        Amendment.objects.filter(pk=amendment_pk).update(pdf_status="pending", pdf_claimed_at=None, pdf_claimed_by="")

    def job() -> None:
        made = addendum_pdf_make(amendment_id=amendment_pk)
        assert made is not None and len(made) == 2

    def timed(function, wall: list, cpu: list) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)

    reset()
    job()  # first of each path not timed
    bare()
    samples = {key: ([], []) for key in ("job", "bare")}
    for _ in range(runs):
        reset()  # outside the timing: deleting the previous run's rows and files
        timed(job, *samples["job"])
        timed(bare, *samples["bare"])
    sizes = {f"{kind}-{language}": pdf_size for (kind, language), pdf_size in _sizes(amendment_pk).items()}
    started = time.perf_counter()
    for _ in range(5):
        addendum_documents_html(amendment, amendment.agreement)
    html_ms = (time.perf_counter() - started) / 5 * 1000
    result = {"runs": runs, "documents": len(html), "sealed_pdf_bytes": sizes, "html_only_ms": round(html_ms, 1)}
    for key, (wall, cpu) in samples.items():
        result[f"{key}_median_ms"] = round(statistics.median(wall) * 1000, 1)
        result[f"{key}_p95_ms"] = round(_p95(wall) * 1000, 1)
        result[f"{key}_cpu_median_ms"] = round(statistics.median(cpu) * 1000, 1)
        result[f"{key}_cpu_p95_ms"] = round(_p95(cpu) * 1000, 1)
    result["ratio_median"] = round(result["job_median_ms"] / result["bare_median_ms"], 3)
    result["ratio_p95"] = round(result["job_p95_ms"] / result["bare_p95_ms"], 3)
    result["cpu_ratio_median"] = round(result["job_cpu_median_ms"] / result["bare_cpu_median_ms"], 3)
    return result


def _sizes(amendment_pk: int) -> dict:
    from agreements.models import SignedPdf

    return {(pdf.kind, pdf.language): pdf.size for pdf in SignedPdf.objects.filter(amendment_id=amendment_pk)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs (median and p95 reported)")
    parser.add_argument("--changes", type=int, default=10, help="changes in the amendment's change set")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="qatif-addendum-bench-"))
    _prepare_environment(workdir)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.db import connection

    amendment_pk = _setup(args.changes)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"database: {connection.vendor}; workdir: {workdir}; python {sys.version.split()[0]}; load {load}")
    result = measure(amendment_pk, args.runs)
    result["changes"] = args.changes
    print(f"\n{args.changes}-change amendment, {result['documents']} documents per run, {args.runs} runs")
    print("                         median      p95   (CPU median)")
    for key, label in (("job", "job (render+seal+store)"), ("bare", "bare WeasyPrint+pyHanko")):
        print(
            f"{label:<24} {result[f'{key}_median_ms']:>7.1f} ms {result[f'{key}_p95_ms']:>7.1f} ms"
            f"   ({result[f'{key}_cpu_median_ms']:.1f} ms)"
        )
    print(f"of which building the four documents' HTML (queries, diff, templates, QR): {result['html_only_ms']} ms")
    print(
        f"ratio job / bare: median {result['ratio_median']:.3f}, p95 {result['ratio_p95']:.3f}, "
        f"CPU median {result['cpu_ratio_median']:.3f} (goal <= 1.1)"
    )
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    result["load_average_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    (results_dir / f"addendum_bench-{stamp}.json").write_text(json.dumps(result, indent=2))
    print(f"\nwritten: bench/results/addendum_bench-{stamp}.json")


if __name__ == "__main__":
    main()
