"""The signed PDF made when the last signatory signs: stored once, downloadable, verifiable."""

import hashlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from agreements.models import Agreement, AuditEvent, PdfStatus, SignedPdf
from agreements.pdf.job import signed_pdf_make
from agreements.pdf.verify import verify_pdf
from tests.agreements.signing_helpers import open_link, sent_agreement, sign_post, token_sent_to
from tests.factories import PartnerUserFactory

pytestmark = pytest.mark.django_db


def fully_signed(client):
    """Both signatories sign through the pages; returns the agreement (PDF made in-process)."""
    agreement, _contact, chairman = sent_agreement()
    open_link(client, token_sent_to("rep@partner.example"))
    client.post(reverse("signing:page"), sign_post(agreement.content_hash))
    open_link(client, token_sent_to(chairman.email))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("signing:page"),
            sign_post(agreement.content_hash, name="أسامة الزاير", method="typed", drawn="", typed="أسامة الزاير"),
        )
    agreement.refresh_from_db()
    return agreement


def test_the_last_signature_makes_the_sealed_pdfs_in_both_languages(client):
    agreement = fully_signed(client)
    assert agreement.status == "active"
    assert agreement.pdf_status == PdfStatus.READY
    assert len(agreement.verification_code) >= 16
    pdfs = {pdf.language: pdf for pdf in SignedPdf.objects.filter(agreement=agreement)}
    assert set(pdfs) == {"ar", "en"}
    for pdf in pdfs.values():
        data = pdf.file.read()
        assert hashlib.sha256(data).hexdigest() == pdf.sha256
        checked = verify_pdf(data, expected_sha256=pdf.sha256)
        assert checked.exact_match and checked.seal_valid
    issued = AuditEvent.objects.get(agreement=agreement, kind="pdf_issued")
    assert issued.details["sha256"] == {lang: pdf.sha256 for lang, pdf in pdfs.items()}
    # One message to each signatory (no one sees the others' addresses), both PDFs in each.
    sent = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to for m in sent) == [["chair@charity.example"], ["rep@partner.example"]]
    assert all(not m.cc and not m.bcc for m in sent)
    for message in sent:
        assert [name for name, _data, _type in message.attachments] == [
            f"{agreement.reference}-ar.pdf",
            f"{agreement.reference}-en.pdf",
        ]


def test_running_the_job_again_stores_nothing_new(client, settings):
    agreement = fully_signed(client)
    files_before = sorted(p.name for p in (settings.MEDIA_ROOT / "signed").iterdir())
    assert signed_pdf_make(agreement_id=agreement.pk) is None
    assert SignedPdf.objects.filter(agreement=agreement).count() == 2
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "signed").iterdir()) == files_before


@pytest.fixture
def failures_recorded_not_raised():
    """Run the task like a worker would: a failing task is recorded, not raised to the caller."""
    from qatif_partnerships.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_missing_certificate_fails_visibly_and_staff_can_retry(
    client, settings, tmp_path, failures_recorded_not_raised
):
    good_path = settings.SEAL_PKCS12_PATH
    settings.SEAL_PKCS12_PATH = tmp_path / "nowhere.p12"
    agreement = fully_signed(client)
    assert agreement.pdf_status == PdfStatus.FAILED
    assert "nowhere.p12" in agreement.pdf_error or "certificate" in agreement.pdf_error.lower()
    assert not SignedPdf.objects.filter(agreement=agreement).exists()  # never an unsealed PDF
    client.force_login(agreement.owner)
    page = client.get(reverse("agreements:detail", args=[agreement.reference])).content.decode()
    assert "تعذّر إعداد ملف PDF الموقَّع" in page
    settings.SEAL_PKCS12_PATH = good_path
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("agreements:pdf_retry", args=[agreement.reference]))
    agreement.refresh_from_db()
    assert agreement.pdf_status == PdfStatus.READY


def test_download_is_checked_and_never_public(client):
    agreement = fully_signed(client)
    url = reverse("agreements:pdf", args=[agreement.reference])
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(PartnerUserFactory(partner=agreement.partner))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(PartnerUserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("agreements:pdf_language", args=[agreement.reference, "en"])).status_code == 404


def test_the_verification_page_accepts_the_issued_pdf_and_rejects_a_changed_byte(client):
    agreement = fully_signed(client)
    pdf = SignedPdf.objects.get(agreement=agreement, language="ar")
    data = pdf.file.read()
    client.logout()
    url = reverse("verify", args=[agreement.verification_code])
    page = client.get(url).content.decode()
    assert agreement.reference in page and agreement.partner.name_ar in page and pdf.sha256 in page
    assert agreement.clauses.first().text_ar not in page  # nothing beyond the facts

    ok = client.post(url, {"pdf": SimpleUploadedFile("copy.pdf", data)})
    assert 'data-authentic="yes"' in ok.content.decode()
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x01
    bad = client.post(url, {"pdf": SimpleUploadedFile("copy.pdf", bytes(flipped))})
    assert 'data-authentic="no"' in bad.content.decode()
    garbage = client.post(url, {"pdf": SimpleUploadedFile("x.pdf", b"\x00garbage" * 100)})
    assert garbage.status_code == 200 and 'data-authentic="no"' in garbage.content.decode()
    assert client.post(url, {}).status_code == 400
    assert client.get(reverse("verify", args=["wrong-code"])).status_code == 404


def test_the_page_polls_while_the_pdf_is_being_made(staff_client):
    from tests.factories import AgreementFactory, set_status

    agreement = set_status(AgreementFactory(), "active")
    Agreement.objects.filter(pk=agreement.pk).update(pdf_status=PdfStatus.RENDERING)
    fragment = staff_client.get(reverse("agreements:pdf_status", args=[agreement.reference])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "يجري إعداد" in fragment
    Agreement.objects.filter(pk=agreement.pk).update(pdf_status=PdfStatus.READY)
    fragment = staff_client.get(reverse("agreements:pdf_status", args=[agreement.reference])).content.decode()
    assert "hx-trigger" not in fragment and reverse("agreements:pdf", args=[agreement.reference]) in fragment
