"""A worker killed with SIGKILL while rendering: the next worker makes the PDF, exactly once."""

import os
import signal
import time

import pytest
from django.conf import settings

from agreements.models import Agreement, AuditEvent, PdfStatus, Signature, SignedPdf, SigningRequest
from agreements.tasks import render_signed_pdf
from tests.factories import agreement_with_clauses
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def signed_agreement(clauses: int) -> Agreement:
    """A fully signed agreement whose PDF has not been made yet (typed signatures)."""
    from django.utils import timezone

    from agreements.content import canonical_content, sha256_of

    agreement = agreement_with_clauses(clauses=clauses, commitments_per_clause=3)
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
            content_hash="0" * 64,
        )
    Agreement.objects.filter(pk=agreement.pk).update(
        status="active",
        pdf_status=PdfStatus.PENDING,
        verification_code=f"fault-{agreement.pk}",
        content_hash=sha256_of(canonical_content(agreement, list(agreement.signing_requests.all()))),
    )
    return agreement


def test_sigkill_during_rendering_then_a_new_worker_makes_the_pdf_once(celery_processes, _session_seal):
    celery_processes.env.update(
        SEAL_PKCS12_PATH=str(_session_seal),
        SEAL_PKCS12_PASSWORD="tests",
        # A killed worker's task returns to the queue after this long (production: an hour).
        CELERY_VISIBILITY_TIMEOUT="5",
    )
    agreement = signed_agreement(clauses=120)  # long enough to be caught rendering
    worker = celery_processes.start("worker-1", "worker", "--pool", "prefork", "--concurrency", "1", "-l", "INFO")
    render_signed_pdf.delay(agreement.pk)
    wait_for(
        lambda: Agreement.objects.get(pk=agreement.pk).pdf_status == PdfStatus.RENDERING,
        timeout=60,
        processes=celery_processes,
    )
    time.sleep(0.5)
    # The whole worker, main process and pool child, dies at once.
    for pid in [*_children(worker.pid), worker.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.wait(timeout=10)
    assert Agreement.objects.get(pk=agreement.pk).pdf_status == PdfStatus.RENDERING
    assert not SignedPdf.objects.filter(agreement=agreement).exists()

    celery_processes.start("worker-2", "worker", "--pool", "prefork", "--concurrency", "1", "-l", "INFO")
    wait_for(
        lambda: Agreement.objects.get(pk=agreement.pk).pdf_status == PdfStatus.READY,
        timeout=120,
        processes=celery_processes,
    )
    time.sleep(3)  # a duplicate delivery, if any, would have run by now
    pdfs = list(SignedPdf.objects.filter(agreement=agreement))
    assert sorted(p.language for p in pdfs) == ["ar", "en"]
    stored = sorted((settings.MEDIA_ROOT / "signed").iterdir())
    assert len(stored) == 2  # no second copy, no half-written file
    assert AuditEvent.objects.filter(agreement=agreement, kind="pdf_issued").count() == 1


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            direct = [int(child) for child in handle.read().split()]
    except FileNotFoundError:
        return []
    return direct + [grandchild for child in direct for grandchild in _children(child)]
