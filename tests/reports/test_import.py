"""Import of partners and contacts from a spreadsheet: preview with row-level errors, then confirm."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Contact, Partner
from spreadsheets.formats import write_csv

pytestmark = pytest.mark.django_db

PARTNER_HEADERS = ["الاسم (بالعربية)", "name_en", "sector", "city", "email"]


def upload(client, url_name: str, content: bytes, name: str, fmt: str):
    # Import formats: XLSX first, CSV second (spreadsheets.formats.IMPORT_FORMATS).
    return client.post(
        reverse(url_name),
        {"resource": "0", "format": {"xlsx": "0", "csv": "1"}[fmt], "import_file": SimpleUploadedFile(name, content)},
    )


def partners_csv(rows) -> bytes:
    return write_csv(PARTNER_HEADERS, rows).encode("utf-8")


def test_partner_import_preview_shows_row_errors_and_imports_nothing(admin_client):
    content = partners_csv(
        [
            ["جمعية جديدة", "New association", "غير ربحي", "القطيف", "info@new.example"],
            ["جمعية ثانية", "Second", "sector-that-does-not-exist", "سيهات", "second@example"],
        ]
    )
    response = upload(admin_client, "admin:partners_partner_import", content, "partners.csv", "csv")
    assert response.status_code == 200
    html = response.content.decode()
    assert "sector-that-does-not-exist" in html
    result = response.context["result"]
    assert result.has_validation_errors() or result.has_errors()
    invalid_rows = [row.number for row in result.invalid_rows]
    assert invalid_rows == [2]
    assert Partner.objects.count() == 0


def test_partner_import_creates_partners_only_after_confirmation(admin_client):
    content = partners_csv(
        [
            ["جمعية جديدة", "New association", "غير ربحي", "القطيف", "info@new.example"],
            ["جهة حكومية", "A government body", "government", "القطيف", ""],
        ]
    )
    preview = upload(admin_client, "admin:partners_partner_import", content, "partners.csv", "csv")
    assert preview.status_code == 200
    assert Partner.objects.count() == 0
    confirm = preview.context["confirm_form"]
    response = admin_client.post(reverse("admin:partners_partner_process_import"), confirm.initial)
    assert response.status_code == 302
    created = {p.name_ar: p for p in Partner.objects.all()}
    assert set(created) == {"جمعية جديدة", "جهة حكومية"}
    assert created["جمعية جديدة"].sector == "non_profit"
    assert created["جهة حكومية"].sector == "government"


def test_contact_import_links_partners_by_arabic_name_and_reports_unknown_partners(admin_client):
    from openpyxl import Workbook

    Partner.objects.create(name_ar="جمعية العطاء النسائية بالقطيف", sector="non_profit")
    book = Workbook()
    sheet = book.active
    sheet.append(["الشريك", "الاسم (بالعربية)", "email", "can_sign"])
    sheet.append(["جمعية العطاء النسائية بالقطيف", "ممثلة الجمعية", "rep@alataa.example", "نعم"])
    sheet.append(["جمعية غير موجودة", "شخص آخر", "x@example.org", "لا"])
    out = io.BytesIO()
    book.save(out)
    preview = upload(admin_client, "admin:partners_contact_import", out.getvalue(), "contacts.xlsx", "xlsx")
    assert preview.status_code == 200
    result = preview.context["result"]
    assert [row.number for row in result.invalid_rows] + [number for number, _errors in result.row_errors()] == [2]
    assert Contact.objects.count() == 0


def test_valid_contact_import_sets_may_sign(admin_client):
    from openpyxl import Workbook

    partner = Partner.objects.create(name_ar="جمعية العطاء النسائية بالقطيف", sector="non_profit")
    book = Workbook()
    sheet = book.active
    sheet.append(["الشريك", "الاسم (بالعربية)", "email", "can_sign"])
    sheet.append(["جمعية العطاء النسائية بالقطيف", "ممثلة الجمعية", "rep@alataa.example", "نعم"])
    out = io.BytesIO()
    book.save(out)
    preview = upload(admin_client, "admin:partners_contact_import", out.getvalue(), "contacts.xlsx", "xlsx")
    admin_client.post(reverse("admin:partners_contact_process_import"), preview.context["confirm_form"].initial)
    contact = Contact.objects.get()
    assert contact.partner == partner
    assert contact.can_sign is True
