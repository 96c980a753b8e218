"""A real Celery worker makes the sealed PDF of a fully signed agreement (Redis + PostgreSQL)."""

import email
import email.policy
import re
import subprocess

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.lifecycle import transition
from agreements.models import Agreement, PdfStatus, SignedPdf
from agreements.pdf.verify import verify_pdf
from tests.agreements.signing_helpers import code_sent_to, sign_post
from tests.factories import ContactFactory, StaffFactory, agreement_with_clauses
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"/sign/([A-Za-z0-9_\-]{40,})/")


def token_in_mail(mail_dir, address: str, pattern=LINK) -> str | None:
    """The newest signing link's token (or match of `pattern`) in the worker's e-mails to `address`."""
    found = None
    for path in sorted(mail_dir.glob("*.log"), key=lambda path: path.stat().st_mtime):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
                if message["To"] == address:
                    match = pattern.search(message.get_body(("plain",)).get_content())
                    found = match.group(1) if match else found
    return found


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_worker_renders_seals_and_stores_the_signed_pdf(celery_processes, mail_dir, client, tmp_path, _session_seal):
    celery_processes.env.update(SEAL_PKCS12_PATH=str(_session_seal), SEAL_PKCS12_PASSWORD="tests")
    celery_processes.start("worker", "worker", "--pool", "prefork", "--concurrency", "1", "-l", "INFO")
    agreement = agreement_with_clauses(clauses=3, title_ar="اتفاقية التدريب التقني المشتركة")
    contact = ContactFactory(partner=agreement.partner, name_ar="عميد الكلية", email="dean@college.example")
    chairman = StaffFactory(email="chairman@charity.example")
    transition(
        agreement,
        "send_for_signature",
        by=StaffFactory(),
        signatories=[
            {"party": "charity", "name": "أسامة الزاير", "title": "رئيس مجلس الإدارة", "email": chairman.email},
            {"party": "partner", "contact": contact, "name": "عميد الكلية", "title": "العميد", "email": contact.email},
        ],
    )
    agreement.refresh_from_db()
    for address, name, extra in (
        ("dean@college.example", "عميد الكلية", {}),
        ("chairman@charity.example", "أسامة الزاير", {"method": "typed", "drawn": "", "typed": "أسامة الزاير"}),
    ):
        token = wait_for(lambda address=address: token_in_mail(mail_dir, address), processes=celery_processes)
        client.get(reverse("signing:link", args=[token]))
        # The web process e-mails the code while the signer waits (here: this test's mail box).
        client.post(reverse("signing:page"), {"action": "send_code"})
        client.post(reverse("signing:page"), {"action": "check_code", "code": code_sent_to(address)})
        client.post(reverse("signing:page"), sign_post(agreement.content_hash, name=name, **extra))
    assert Agreement.objects.get(pk=agreement.pk).status == "active"

    wait_for(
        lambda: Agreement.objects.get(pk=agreement.pk).pdf_status == PdfStatus.READY,
        timeout=120,
        processes=celery_processes,
    )
    pdf = SignedPdf.objects.get(agreement=agreement, language="ar")
    data = (settings.MEDIA_ROOT / pdf.file.name).read_bytes()
    text = re.sub(r"\s+", "", text_of(data, tmp_path))
    for expected in ("اتفاقيةالتدريبالتقنيالمشتركة", "عميدالكلية", "أسامةالزاير", agreement.reference):
        assert expected in text or expected[::-1] in text, expected
    checked = verify_pdf(data, expected_sha256=pdf.sha256)
    assert checked.exact_match and checked.seal_valid

    url = reverse("verify", args=[Agreement.objects.get(pk=agreement.pk).verification_code])
    accepted = client.post(url, {"pdf": SimpleUploadedFile("copy.pdf", data)})
    assert 'data-authentic="yes"' in accepted.content.decode()
    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x20
    refused = client.post(url, {"pdf": SimpleUploadedFile("copy.pdf", bytes(changed))})
    assert 'data-authentic="no"' in refused.content.decode()
    assert SignedPdf.objects.filter(agreement=agreement).count() == 2
