"""A stored signed PDF is served only while its bytes are the ones sealed: a file changed on
disk is refused and the administrators are told (once), instead of handing out the changed copy."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse

from agreements.models import SignedPdf
from tests.factories import AdminFactory, agreement_with_clauses

pytestmark = pytest.mark.django_db

SEALED = b"%PDF-1.7\n% the sealed bytes\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_changed_stored_pdf_is_refused_and_the_administrators_are_told_once(staff_client, caplog):
    admin = AdminFactory(email="it@charity.example")
    agreement = agreement_with_clauses(clauses=1, status="active")
    pdf = SignedPdf(agreement=agreement, language="ar", sha256=hashlib.sha256(SEALED).hexdigest(), size=len(SEALED))
    pdf.file.save(f"signed/{agreement.reference}-ar.pdf", ContentFile(SEALED), save=False)
    pdf.save()
    cache.delete(f"pdf-mismatch:{pdf.pk}")
    url = reverse("agreements:pdf_language", args=[agreement.reference, "ar"])

    served = staff_client.get(url)
    assert served.status_code == 200 and served.content == SEALED
    assert served["Content-Disposition"] == f'attachment; filename="{agreement.reference}-ar.pdf"'

    with open(pdf.file.path, "r+b") as stored:  # someone edits the file where it is kept
        stored.seek(12)
        stored.write(b"X")
    with caplog.at_level(logging.ERROR), TestCase.captureOnCommitCallbacks(execute=True):
        refused = [staff_client.get(url) for _ in range(2)]
    assert [r.status_code for r in refused] == [409, 409]
    page = refused[0].content.decode()
    assert "لا يمكن تقديم ملف PDF هذا" in page and "the sealed bytes" not in page
    assert "does not match its recorded hash" in caplog.text
    notices = [m for m in mail.outbox if admin.email in m.to]
    assert len(notices) == 1  # once, not per download
    assert agreement.reference in notices[0].subject and pdf.sha256 in notices[0].body


def test_verify_audit_checks_each_sealed_pdf_against_the_event_that_issued_it():
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from agreements.audit import audit_record

    agreement = agreement_with_clauses(clauses=1, status="active")
    sha = hashlib.sha256(SEALED).hexdigest()
    pdf = SignedPdf(agreement=agreement, language="ar", sha256=sha, size=len(SEALED))
    pdf.file.save(f"signed/{agreement.reference}-ar.pdf", ContentFile(SEALED), save=False)
    pdf.save()
    # Not yet issued by any event of the trail: a PDF slipped in beside it.
    with pytest.raises(CommandError):
        call_command("verify_audit", agreement.reference, stdout=(out := io.StringIO()))
    assert "no event of the trail issued" in out.getvalue()
    audit_record(agreement=agreement, kind="pdf_issued", actor_label="worker", details={"sha256": {"ar": sha}})
    call_command("verify_audit", agreement.reference, stdout=(out := io.StringIO()))
    assert "ok" in out.getvalue()
    with open(pdf.file.path, "ab") as stored:
        stored.write(b"appended")
    with pytest.raises(CommandError):
        call_command("verify_audit", agreement.reference, stdout=(out := io.StringIO()))
    assert "changed after it was sealed" in out.getvalue()
