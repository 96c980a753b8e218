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


def _xlsx(rows: int, padding: int = 0) -> bytes:
    """A real XLSX of `rows` partner rows; `padding` bytes of zeros added inside the zip (they
    compress to almost nothing: a small upload that unpacks large)."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(PARTNER_HEADERS)
    for n in range(rows):
        sheet.append([f"جمعية {n}", f"Association {n}", "non_profit", "القطيف", ""])
    out = io.BytesIO()
    book.save(out)
    if padding:
        with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/padding.bin", b"\0" * padding)
    return out.getvalue()


def test_a_spreadsheet_that_unpacks_too_large_is_refused_before_it_is_read(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    bomb = _xlsx(3, padding=40 * 1024 * 1024)
    assert len(bomb) < 200 * 1024  # small as uploaded
    response = upload(admin_client, "admin:partners_partner_import", bomb, "partners.xlsx", "xlsx")
    assert response.status_code == 200
    html = response.content.decode()
    assert "الملف أكبر من أن يُستورد" in html and "5 ميغابايت" in html
    assert Partner.objects.count() == 0


def test_too_many_rows_are_refused_with_the_limit_named(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 50
    response = upload(admin_client, "admin:partners_partner_import", _xlsx(51), "partners.xlsx", "xlsx")
    assert "الملف أكبر من أن يُستورد" in response.content.decode() and "50 صفًا" in response.content.decode()
    csv_rows = partners_csv([[f"جمعية {n}", "", "non_profit", "القطيف", ""] for n in range(51)])
    response = upload(admin_client, "admin:partners_partner_import", csv_rows, "partners.csv", "csv")
    assert "الملف أكبر من أن يُستورد" in response.content.decode()
    # At the limit it reads as before.
    assert (
        "الملف أكبر"
        not in upload(
            admin_client, "admin:partners_partner_import", _xlsx(50), "partners.xlsx", "xlsx"
        ).content.decode()
    )
