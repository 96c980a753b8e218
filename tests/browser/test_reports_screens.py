"""An admin opens every report in Arabic in a real browser; each one is saved as a screenshot.

Screenshots land in tests/artifacts/screenshots/reports-*.png (see tests/browser/fixtures.py).
The demo data is loaded first and its figures checked on the page; the rest of the
portfolio (signing times, reminders, overdue commitments) is added for fuller charts.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.fixtures import login
from tests.reports import portfolio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"

PAGES = [
    ("agreements", "status"),
    ("agreements", "partner"),
    ("agreements", "sector"),
    ("agreements", "year"),
    ("ending", ""),
    ("commitments", "kind"),
    ("commitments", "partner"),
    ("commitments", "overdue"),
    ("signing", ""),
    ("reminders", ""),
]


def wait_for_chart(page) -> None:
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('report-chart'))")
    # Let the short entry animation finish before the screenshot.
    page.wait_for_timeout(500)


def test_admin_opens_every_report_in_arabic(page, live_server, shoot):
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    login(page, live_server.url, "admin", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/admin/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("#reports-module caption a")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/reports/")
    shoot(page, "reports-00-index-ar")

    # The demo's four agreements are active: the status table says so.
    page.goto(f"{live_server.url}/admin/reports/agreements/?by=status")
    wait_for_chart(page)
    totals = page.locator(".report-table tfoot td").all_inner_texts()
    assert totals[1].strip() == "4"

    portfolio.build_portfolio(scale=1)
    for slug, by in PAGES:
        query = f"?by={by}" if by else ""
        page.goto(f"{live_server.url}/admin/reports/{slug}/{query}")
        wait_for_chart(page)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator(".report-table tbody tr").count() >= 1
        shoot(page, f"reports-{slug}{'-' + by if by else ''}-ar")

    page.goto(f"{live_server.url}/admin/reports/commitments/print/?by=kind")
    wait_for_chart(page)
    shoot(page, "reports-commitments-print-ar")
    page.emulate_media(media="print")
    shoot(page, "reports-commitments-print-media-ar")


def test_admin_agreement_list_shows_dual_dates_days_left_and_progress(page, live_server, shoot):
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    portfolio.build_portfolio(scale=1)
    login(page, live_server.url, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/agreements/agreement/?ending_within=90")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert "هـ" in page.inner_text("#result_list")  # Hijri beside Gregorian
    assert page.locator("#result_list meter").count() == 3
    shoot(page, "reports-admin-agreements-ending-90-ar")
    page.goto(f"{live_server.url}/admin/agreements/commitment/?overdue=yes")
    from agreements.models import Commitment

    overdue = sum(1 for c in Commitment.objects.all() if c.is_overdue)
    assert page.locator("#result_list tbody tr").count() == overdue > 0
    shoot(page, "reports-admin-commitments-overdue-ar")
