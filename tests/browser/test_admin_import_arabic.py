"""An admin imports partners from a spreadsheet with bad rows, in Arabic, in a real browser.

The preview names each error by its Arabic column header and lists the accepted choices;
the screenshot is tests/artifacts/screenshots/admin-import-partners-errors-ar.png.
"""

from __future__ import annotations

import pytest

from partners.models import Partner
from spreadsheets.formats import write_xlsx
from tests.browser.fixtures import login
from tests.factories import PASSWORD, AdminFactory
from tests.reports.test_import_arabic import BAD_ROWS, HEADERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_a_bad_partner_import_explained_in_arabic(page, live_server, shoot, tmp_path):
    AdminFactory(username="import-admin")
    sheet = tmp_path / "partners.xlsx"
    sheet.write_bytes(write_xlsx(HEADERS, BAD_ROWS))
    login(page, live_server.url, "import-admin", PASSWORD)
    page.goto(f"{live_server.url}/admin/partners/partner/import/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.set_input_files("#id_import_file", str(sheet))
    page.select_option("#id_format", label="xlsx")
    page.locator("#content form [type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    errors = page.locator("table.import-preview")
    assert "بعض الصفوف فيها أخطاء" in page.locator("#content").inner_text()
    text = errors.inner_text()
    assert "القيم المقبولة: حكومي، خاص، غير ربحي." in text
    assert "NONE" not in text.upper() and "ROW" not in text.upper()
    # The row's errors open over its count, as import-export shows them.
    page.locator(".validation-error-count").first.hover()
    assert page.locator(".validation-error-list").first.is_visible()
    shoot(page, "admin-import-partners-errors-ar")
    assert Partner.objects.count() == 0
