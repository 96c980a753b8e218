"""The signed amendment's PDFs: the addendum and the consolidated text, rendered with
WeasyPrint, sealed with pyHanko, stored once, downloadable and verifiable."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import replace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from agreements.amendments.content import changes_between, content_of
from agreements.amendments.services import amendment_create, amendment_send
from agreements.models import Agreement, Amendment, AuditEvent, PdfKind, PdfStatus, SignedPdf, SigningRequest
from agreements.pdf.addendum import addendum_pdf_make, addendum_pdf_retry
from agreements.pdf.verify import verify_pdf
from agreements.signing.services import Visitor, signature_record
from tests.agreements.conftest import squash
from tests.agreements.signing_helpers import sent_agreement
from tests.factories import PartnerUserFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_TEXT_AR = "تنظم الجهتان ورش عمل توعوية إضافية للمستفيدين في محافظة القطيف."
NEW_TARGET = 37


def _sign_all(requests, agreement_hash_of) -> None:
    for request in requests:
        signature_record(
            signing_request=request,
            visitor=Visitor(ip="10.20.30.40", user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"),
            channel="link",
            identity="email_code",  # as the signing page passes it once the code was typed
            name=request.name,
            title=request.title,
            content_hash_seen=agreement_hash_of(request),
            method="typed",
            typed_text=request.name,
        )


def signed_agreement() -> tuple[Agreement, list[dict]]:
    """An agreement signed by the chairman and a partner contact through the signing service."""
    agreement, contact, chairman = sent_agreement(clauses=3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _sign_all(agreement.signing_requests.order_by("party"), lambda request: agreement.content_hash)
    agreement.refresh_from_db()
    signatories = [
        {
            "party": "charity",
            "name": "أسامة الزاير",
            "title": "رئيس مجلس الإدارة",
            "email": chairman.email,
            "user": chairman,
        },
        {"party": "partner", "contact": contact, "name": contact.name_ar, "title": "المدير", "email": contact.email},
    ]
    return agreement, signatories


def signed_amendment(*, effective_on: datetime.date | None = None, changes: int = 3) -> Amendment:
    """Amendment 1 of a signed agreement, recorded, sent and signed by both parties; its PDF job has run.

    The change set: the end date extended, the first clause's text rewritten, the first
    commitment's target raised to 37 (and with `changes` > 3 more commitments' targets).
    """
    agreement, signatories = signed_agreement()
    base = content_of(agreement)
    first = base.clauses[0]
    commitments = list(first.commitments)
    commitments[0] = replace(commitments[0], target_quantity=NEW_TARGET)
    clauses = [replace(first, text_ar=NEW_TEXT_AR, commitments=tuple(commitments)), *base.clauses[1:]]
    extra = changes - 3
    for index, clause in enumerate(clauses[1:], start=1):
        moved = []
        for commitment in clause.commitments:
            if extra > 0:
                commitment = replace(commitment, target_quantity=commitment.target_quantity + 10)
                extra -= 1
            moved.append(commitment)
        clauses[index] = replace(clause, commitments=tuple(moved))
    edited = replace(base, ends_on=datetime.date(2028, 9, 30), clauses=tuple(clauses))
    staff = StaffFactory()
    amendment = amendment_create(
        agreement=agreement,
        by=staff,
        changes=changes_between(base, edited),
        effective_on=effective_on or datetime.date(2026, 12, 1),
        text_ar="تمديد مدة الاتفاقية ورفع مستهدف التدريب.",
        text_en="Extending the term and raising the training target.",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        amendment = amendment_send(amendment=amendment, by=staff, signatories=signatories)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _sign_all(
            SigningRequest.objects.filter(amendment=amendment).order_by("party"),
            lambda request: amendment.content_hash,
        )
    amendment.refresh_from_db()
    return amendment


def _pdf(amendment: Amendment, kind: str, language: str) -> bytes:
    return SignedPdf.objects.get(amendment=amendment, kind=kind, language=language).file.read()


def test_the_last_signature_makes_four_sealed_pdfs_and_records_them(pdf_pages):
    amendment = signed_amendment()
    assert amendment.status == "active"
    assert amendment.pdf_status == PdfStatus.READY
    pdfs = SignedPdf.objects.filter(amendment=amendment)
    assert sorted((p.kind, p.language) for p in pdfs) == [
        ("addendum", "ar"),
        ("addendum", "en"),
        ("consolidated", "ar"),
        ("consolidated", "en"),
    ]
    for pdf in pdfs:
        data = pdf.file.read()
        assert pdf.agreement_id == amendment.agreement_id
        assert hashlib.sha256(data).hexdigest() == pdf.sha256
        checked = verify_pdf(data, expected_sha256=pdf.sha256)
        assert checked.exact_match and checked.seal_valid
    issued = AuditEvent.objects.get(agreement=amendment.agreement, kind="addendum_issued")
    assert issued.details["number"] == 1
    assert issued.details["sha256"]["addendum"] == {p.language: p.sha256 for p in pdfs if p.kind == "addendum"}
    # One message to each signatory, both PDFs in each.
    sent = [m for m in mail.outbox if any("-amendment-" in name for name, _data, _type in m.attachments)]
    assert sorted(m.to for m in sent) == [["chair@charity.example"], ["rep@partner.example"]]
    reference = amendment.agreement.reference
    for message in sent:
        assert [name for name, _data, _type in message.attachments] == [
            f"{reference}-amendment-1-ar.pdf",
            f"{reference}-amendment-1-en.pdf",
        ]
    assert "الملحق التعديلي رقم 1" in sent[-1].subject


def test_the_arabic_addendum_shows_its_number_hashes_and_the_diff(pdf_pages):
    amendment = signed_amendment()
    agreement = amendment.agreement
    text = squash("".join(pdf_pages(_pdf(amendment, PdfKind.ADDENDUM, "ar"))))
    assert squash("ملحق تعديلي رقم 1") in text
    assert agreement.reference in text
    assert agreement.content_hash in text  # the agreement's hash it amends
    assert amendment.content_hash in text  # its own
    # The clause text is compared word by word: the new words marked, the old ones struck.
    assert all(word in text for word in ("تنظم", "الجهتان", "ورش", "إضافية", "محافظة"))
    assert all(word in text for word in ("تقدم", "الجهة", "التأهيلية", "والتدريبية"))
    assert "37" in text and "20" in text  # the old and new target
    # The end dates, new and old (pdftotext moves a year after the next number in right-to-left lines).
    assert squash("30 سبتمبر") in text and "1450" in text
    assert squash("15 مارس") in text and "1449" in text
    assert squash("شهادة التوقيع") in text
    assert squash("أسامة الزاير") in text  # the amendment's signatory


def test_the_english_addendum_shows_its_number_and_the_diff(pdf_pages):
    amendment = signed_amendment()
    pages = pdf_pages(_pdf(amendment, PdfKind.ADDENDUM, "en"))
    text = squash("".join(pages))
    assert "AddendumNo.1" in text
    assert amendment.agreement.content_hash in text and amendment.content_hash in text
    assert "30September2028" in text and "15March2028" in text
    certificate = squash("".join(pages[next(i for i, page in enumerate(pages) if "Signing certificate" in page) :]))
    assert "Amendmentsentforsignature" in certificate  # its own audit events on the certificate
    assert "Amendmentfullysigned" in certificate
    assert "SignedPDFissued" not in certificate  # not the agreement's own events


def test_the_consolidated_text_carries_the_amended_content_and_says_so_on_every_page(pdf_pages):
    amendment = signed_amendment()
    agreement = amendment.agreement
    for language, mark in (("ar", "النص الموحّد"), ("en", "Consolidated text")):
        pages = pdf_pages(_pdf(amendment, PdfKind.CONSOLIDATED, language))
        assert len(pages) >= 2
        for page in pages:
            assert squash(mark) in squash(page), (language, page[:200])
        text = squash("".join(pages))
        assert "37" in text
        assert agreement.content_hash in text and amendment.content_hash in text
    ar = squash("".join(pdf_pages(_pdf(amendment, PdfKind.CONSOLIDATED, "ar"))))
    assert squash(NEW_TEXT_AR) in ar  # the amended clause text, whole
    assert squash("30 سبتمبر") in ar and squash("15 مارس") not in ar
    assert squash("تقدم الجهة الخدمات التأهيلية") in ar  # the clauses the amendment did not change


def test_a_signed_amendment_waiting_for_its_date_consolidates_the_same_content(pdf_pages):
    amendment = signed_amendment(effective_on=datetime.date(2027, 6, 1))
    assert amendment.status == "signed" and amendment.pdf_status == PdfStatus.READY
    text = squash("".join(pdf_pages(_pdf(amendment, PdfKind.CONSOLIDATED, "ar"))))
    assert squash(NEW_TEXT_AR) in text and squash("30 سبتمبر") in text


def test_running_the_job_again_stores_one_pdf_per_kind_and_language(settings):
    amendment = signed_amendment()
    files_before = sorted(p.name for p in (settings.MEDIA_ROOT / "signed").iterdir())
    assert addendum_pdf_make(amendment_id=amendment.pk) is None
    # Claimed again by hand (as a retry would): the rows are replaced, never doubled.
    Amendment.objects.filter(pk=amendment.pk).update(pdf_status=PdfStatus.PENDING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        made = addendum_pdf_make(amendment_id=amendment.pk)
    assert set(made) == {"addendum", "consolidated"}
    assert SignedPdf.objects.filter(amendment=amendment).count() == 4
    assert len(list((settings.MEDIA_ROOT / "signed").iterdir())) == len(files_before)
    # The agreement's own signed PDF is untouched.
    assert SignedPdf.objects.filter(agreement=amendment.agreement, kind="agreement").count() == 2


def test_a_failed_addendum_can_be_made_again_by_staff(client):
    amendment = signed_amendment()
    Amendment.objects.filter(pk=amendment.pk).update(pdf_status=PdfStatus.FAILED, pdf_error="SealError: test")
    client.force_login(StaffFactory())
    url = reverse("agreements:amendment", args=[amendment.agreement.reference, 1])
    assert "SealError: test" in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("agreements:amendment_pdf_retry", args=[amendment.agreement.reference, 1]))
    amendment.refresh_from_db()
    assert amendment.pdf_status == PdfStatus.READY
    assert not addendum_pdf_retry(amendment=amendment)  # only a failed one


def test_the_amendment_page_links_the_pdfs_when_ready(client):
    amendment = signed_amendment()
    client.force_login(StaffFactory())
    page = client.get(reverse("agreements:amendment", args=[amendment.agreement.reference, 1])).content.decode()
    for kind in ("addendum", "consolidated"):
        for language in ("ar", "en"):
            assert reverse("agreements:amendment_pdf", args=[amendment.agreement.reference, 1, kind, language]) in page
    Amendment.objects.filter(pk=amendment.pk).update(pdf_status=PdfStatus.RENDERING)
    page = client.get(reverse("agreements:amendment", args=[amendment.agreement.reference, 1])).content.decode()
    assert 'data-status="rendering"' in page


def test_download_is_for_staff_and_the_partners_own_users_only(client):
    amendment = signed_amendment()
    reference = amendment.agreement.reference
    url = reverse("agreements:amendment_pdf", args=[reference, 1, "addendum", "ar"])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(PartnerUserFactory(partner=amendment.agreement.partner))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == _pdf(amendment, "addendum", "ar")
    consolidated = reverse("agreements:amendment_pdf", args=[reference, 1, "consolidated", "en"])
    assert client.get(consolidated).status_code == 200
    assert client.get(reverse("agreements:amendment_pdf", args=[reference, 1, "agreement", "ar"])).status_code == 404
    assert client.get(reverse("agreements:amendment_pdf", args=[reference, 2, "addendum", "ar"])).status_code == 404
    client.force_login(PartnerUserFactory())  # another partner's user
    assert client.get(url).status_code == 404
    assert client.get(consolidated).status_code == 404
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200
    # The agreement's own download still finds its one PDF per language.
    assert client.get(reverse("agreements:pdf", args=[reference])).status_code == 200


def test_the_verification_page_lists_the_addendum_and_recognises_each_document(client):
    amendment = signed_amendment()
    agreement = amendment.agreement
    client.logout()
    url = reverse("verify", args=[agreement.verification_code])
    page = client.get(url).content.decode()
    assert 'data-testid="verify-amendment-1"' in page
    assert "الملحق التعديلي رقم 1" in page
    for pdf in SignedPdf.objects.filter(agreement=agreement):
        assert pdf.sha256 in page
    assert amendment.content_hash in page
    assert NEW_TEXT_AR not in page  # facts only, never the content

    addendum = client.post(url, {"pdf": SimpleUploadedFile("a.pdf", _pdf(amendment, "addendum", "ar"))})
    body = addendum.content.decode()
    assert 'data-authentic="yes"' in body and "الملحق التعديلي رقم 1" in body.split('data-testid="verify-document"')[1]

    consolidated = client.post(url, {"pdf": SimpleUploadedFile("c.pdf", _pdf(amendment, "consolidated", "en"))})
    body = consolidated.content.decode()
    assert 'data-authentic="yes"' in body and "النص الموحّد" in body.split('data-testid="verify-document"')[1]

    original = SignedPdf.objects.get(agreement=agreement, kind="agreement", language="ar").file.read()
    body = client.post(url, {"pdf": SimpleUploadedFile("o.pdf", original)}).content.decode()
    assert 'data-authentic="yes"' in body and "الاتفاقية الموقّعة" in body.split('data-testid="verify-document"')[1]

    changed = bytearray(_pdf(amendment, "addendum", "ar"))
    changed[len(changed) // 2] ^= 1
    body = client.post(url, {"pdf": SimpleUploadedFile("x.pdf", bytes(changed))}).content.decode()
    assert 'data-authentic="no"' in body and 'data-testid="verify-document"' not in body
