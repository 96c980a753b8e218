"""The admin's import screens read in Arabic: headings, row numbers, errors, the valid choices."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from spreadsheets import vendor_strings
from spreadsheets.formats import write_xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["الاسم (بالعربية)", "الاسم (بالإنجليزية)", "القطاع", "المدينة", "البريد الإلكتروني"]
BAD_ROWS = [
    ["جمعية البر", None, "قطاع غير موجود", "القطيف", "info@birr.example"],
    ["جمعية الخير", None, "غير ربحي", None, "not-an-address"],
]


def import_preview(client, rows):
    """The admin's import preview of partners from an XLSX (empty cells arrive as None)."""
    return client.post(
        reverse("admin:partners_partner_import"),
        {
            "resource": "0",
            "format": "0",  # XLSX (spreadsheets.formats.IMPORT_FORMATS)
            "import_file": SimpleUploadedFile("partners.xlsx", write_xlsx(HEADERS, rows)),
        },
    )


def test_a_partner_import_with_bad_rows_is_explained_in_arabic_and_imports_nothing(admin_client):
    response = import_preview(admin_client, BAD_ROWS)
    assert response.status_code == 200
    html = response.content.decode()
    for english in ("Some rows failed to validate", "Please correct these errors", ">Row<", "Non field", "None"):
        assert english not in html
    assert "بعض الصفوف فيها أخطاء" in html
    assert "<th>الصف</th>" in html and "<th>الأخطاء</th>" in html
    # Each error is named by its column's Arabic header, not the field's name ("sector").
    assert '<span class="validation-error-field-label">القطاع</span>' in html
    assert '<span class="validation-error-field-label">البريد الإلكتروني</span>' in html
    # A bad choice lists the accepted ones, in Arabic.
    assert "«قطاع غير موجود» ليست من الخيارات المتاحة. القيم المقبولة: حكومي، خاص، غير ربحي." in html
    # Empty cells, and columns the file lacks, show as a dash.
    assert "<td>—</td>" in html and "<td>---</td>" not in html
    assert Partner.objects.count() == 0


def test_every_message_of_the_import_export_screens_has_its_arabic(admin_client):
    with translation.override("ar"):
        untranslated = [m for m in vendor_strings.MESSAGES if translation.gettext(m) == m]
        assert translation.gettext("Line number") == "رقم السطر"  # the package's own reads «رقم الصطر»
        # The export screen's count, as its template's trimmed blocktranslate asks for it.
        counted = Template(
            "{% load i18n %}{% blocktranslate count len=n trimmed %}\n  Export {{ len }} selected item.\n"
            "  {% plural %}\n  Export {{ len }} selected items.\n{% endblocktranslate %}"
        )
        assert [counted.render(Context({"n": n})) for n in (1, 3, 11)] == [
            "تصدير عنصر واحد محدد.",
            "تصدير 3 عناصر محددة.",
            "تصدير 11 عنصرًا محددًا.",
        ]
    assert untranslated == []


def test_an_english_admin_keeps_the_choices_in_english(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = import_preview(admin_client, BAD_ROWS[:1]).content.decode()
    assert "Some rows failed to validate" in html
    assert "Accepted values: Government, Private, Non-profit." in html


def test_an_xlsx_whose_last_cells_are_empty_is_read_not_refused(admin_client):
    """Our own XLSX (write-only, no declared size) reads a row ending in empty cells short;
    the file was refused as 'InvalidDimensions' before any row was checked."""
    rows = [["جمعية البر", None, "غير ربحي", None, None], [None] * 5, ["جمعية الخير", None, "حكومي", None, None]]
    response = import_preview(admin_client, rows)
    html = response.content.decode()
    assert "InvalidDimensions" not in html
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.valid_rows()] == ["new", "new"]  # the blank row is skipped
    assert Partner.objects.count() == 0  # a preview only
