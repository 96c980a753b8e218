"""Staff ask for a board report in a real browser: a bad year is refused in Arabic, a good one is
made (in-process here; tests/integration/test_board_worker.py uses the worker) and downloaded."""

import pytest

from tests.browser.fixtures import login
from tests.factories import PASSWORD, StaffFactory
from tests.reports.test_board_report import partnership  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_ask_for_the_board_report_in_arabic(page, live_server, shoot, partnership):  # noqa: F811
    staff = StaffFactory()
    login(page, live_server.url, staff.username, PASSWORD)
    page.click("text=تقارير مجلس الإدارة")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.select_option("#id_calendar", "hijri")
    page.fill("#id_year", "2027")
    page.click("[data-testid=board-report-form] button[type=submit]")
    error = page.locator("[data-testid=error-year]")
    assert error.inner_text() == "السنة الهجرية لتقرير مجلس الإدارة بين 1421 و1499."
    shoot(page, "board-report-01-refused-ar")
    page.select_option("#id_calendar", "gregorian")
    page.select_option("#id_part", "q2")
    page.click("[data-testid=board-report-form] button[type=submit]")
    row = page.locator("tr[data-testid^=board-report-]").first
    assert row.get_attribute("data-status") == "done"
    assert "الربع الثاني" in row.inner_text()
    shoot(page, "board-report-02-listed-ar")
    link = row.locator("a[data-testid^=board-download-]")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
