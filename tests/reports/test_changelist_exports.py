"""Every changelist that had no download has one: users, notifications, signing requests,
attachments and amendments, in XLSX (right to left, Arabic headers) and CSV. Secrets are
never in them: password hashes, the hashes of signing links and codes, signature images."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.resources import UserResource
from agreements.models import Amendment, Attachment, Signature, SigningRequest
from agreements.resources import AmendmentResource, AttachmentResource, SigningRequestResource
from reminders.models import Notification, ReminderKind
from reminders.resources import NotificationResource
from tests.factories import AgreementFactory, PartnerUserFactory, StaffFactory

pytestmark = pytest.mark.django_db

TOKEN_HASH = "a" * 64
CODE_HASH = "c" * 64
SIGNATURE_IMAGE = "signatures/secret-ink.png"

EXPORTS = {
    # changelist: (resource, its first Arabic header)
    "accounts_user": (UserResource, "اسم المستخدم"),
    "reminders_notification": (NotificationResource, "الحساب"),
    "agreements_signingrequest": (SigningRequestResource, "اتفاقية"),
    "agreements_attachment": (AttachmentResource, "اتفاقية"),
    "agreements_amendment": (AmendmentResource, "اتفاقية"),
}


@pytest.fixture
def rows():
    """One row of each, with secrets that must not leave the database."""
    agreement = AgreementFactory(title_ar="اتفاقية التدريب")
    staff = StaffFactory(username="sara", first_name="سارة")
    partner_user = PartnerUserFactory(partner=agreement.partner, username="ali")
    request = SigningRequest.objects.create(
        agreement=agreement,
        party="partner",
        name="علي",
        title="المدير التنفيذي",
        email="ali@partner.example",
        token_hash=TOKEN_HASH,
        code_hash=CODE_HASH,
    )
    Signature.objects.create(
        request=request,
        signer_name="علي",
        method="drawn",
        image=SIGNATURE_IMAGE,
        image_sha256="d" * 64,
        channel="link",
        signed_at=timezone.now(),
        content_hash="e" * 64,
    )
    Attachment.objects.create(
        agreement=agreement,
        file="attachments/plan.pdf",
        original_name="الخطة.pdf",
        content_type="application/pdf",
        size=1234,
        uploaded_by=staff,
    )
    Amendment.objects.create(
        agreement=agreement,
        number=1,
        title_ar="تمديد المدة",
        text_ar="لتمديد المدة",
        effective_on=datetime.date(2027, 3, 1),
        created_by=staff,
    )
    with translation.override("ar"):
        Notification.notify(
            users=[partner_user],
            kind=ReminderKind.PROGRESS_REVIEWED,
            message="progress_accepted",
            params={"commitment": {"ar": "تدريب المستفيدين", "en": "Training the beneficiaries"}, "text": ""},
        )
    return {"staff": staff, "partner_user": partner_user}


def export(client, changelist: str, fmt: str) -> bytes:
    resource = EXPORTS[changelist][0]
    form = {"format": {"xlsx": "0", "csv": "1"}[fmt], "resource": "0"} | {
        f"{resource.__name__.lower()}_{name}": "on" for name in resource._meta.fields
    }
    response = client.post(reverse(f"admin:{changelist}_export"), form)
    assert response.status_code == 200, changelist
    return response.content


def xlsx_sheet(content: bytes):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content)).active


@pytest.mark.parametrize("changelist", sorted(EXPORTS))
def test_each_changelist_downloads_a_right_to_left_xlsx_with_arabic_headers(admin_client, rows, changelist):
    page = admin_client.get(reverse(f"admin:{changelist}_changelist"))
    assert page.status_code == 200
    assert reverse(f"admin:{changelist}_export") in page.content.decode()  # the Export button
    sheet = xlsx_sheet(export(admin_client, changelist, "xlsx"))
    assert sheet.sheet_view.rightToLeft
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    headers = values[0]
    assert headers[0] == EXPORTS[changelist][1]
    assert len(headers) == len(EXPORTS[changelist][0]._meta.fields)
    assert len(values) > 1  # the rows of the fixture


@pytest.mark.parametrize("changelist", sorted(EXPORTS))
def test_no_export_carries_a_secret(admin_client, rows, changelist):
    password_hashes = [user.password for user in (rows["staff"], rows["partner_user"])]
    for fmt in ("xlsx", "csv"):
        content = export(admin_client, changelist, fmt)
        text = (
            content.decode("utf-8-sig")
            if fmt == "csv"
            else repr([row for row in xlsx_sheet(content).iter_rows(values_only=True)])
        )
        for secret in (*password_hashes, TOKEN_HASH, CODE_HASH, SIGNATURE_IMAGE, "pbkdf2", "argon2"):
            assert secret not in text, (changelist, fmt)


def test_the_user_export_names_partner_and_groups(admin_client, rows):
    sheet = xlsx_sheet(export(admin_client, "accounts_user", "xlsx"))
    values = list(sheet.iter_rows(values_only=True))
    by_username = {row[0]: dict(zip(values[0], row, strict=True)) for row in values[1:]}
    assert by_username["ali"]["الشريك"] == rows["partner_user"].partner.name_ar
    assert by_username["sara"]["المجموعات"]  # a staff group


def test_notifications_are_exported_in_the_language_of_the_export(admin_client, rows, settings):
    arabic = export(admin_client, "reminders_notification", "csv").decode("utf-8-sig")
    assert "تدريب المستفيدين" in arabic
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = export(admin_client, "reminders_notification", "csv").decode("utf-8-sig")
    assert "Your progress report was accepted: Training the beneficiaries" in english


def test_signing_requests_export_the_signers_job_title_in_the_contacts_word(admin_client, rows):
    values = list(xlsx_sheet(export(admin_client, "agreements_signingrequest", "xlsx")).iter_rows(values_only=True))
    row = dict(zip(values[0], values[1], strict=True))
    assert row["المسمى الوظيفي"] == "المدير التنفيذي"
