"""The staff dashboard and the partner portal home in Arabic, on a desktop and a 390 px phone.

Screenshots land in tests/artifacts/screenshots/dashboard-*.png and portal-home-*.png.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Commitment, ProgressStatus
from tests.browser.fixtures import login
from tests.factories import ProgressUpdateFactory
from tests.reports import portfolio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"


def wait_for_charts(page) -> None:
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(canvas => Chart.getChart(canvas))"
    )
    page.wait_for_timeout(500)  # the short entry animation


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_dashboards_in_arabic_on_desktop_and_phone(page, live_server, shoot):
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    portfolio.build_portfolio(scale=1)
    base = live_server.url

    login(page, base, "staff", DEMO_PASSWORD)
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    wait_for_charts(page)
    assert page.locator("[data-testid=queues] section").count() == 6
    assert page.get_by_test_id("queue-late_reports").inner_text().count("لا يوجد تقرير دوري متأخر") == 1
    assert page.locator("[data-testid=impact-by-kind] tbody tr").count() >= 2
    assert page.locator("canvas[data-chart]").count() == 3
    # One unit at a time: picking another unit redraws the chart with that unit's figures only.
    first = page.evaluate("() => Chart.getChart(document.getElementById('impact-kind')).data.datasets[0].data")
    other = page.locator("#impact-kind-unit option").nth(1).get_attribute("value")
    page.select_option("#impact-kind-unit", other)
    figures = page.evaluate("() => JSON.parse(document.getElementById('impact-kind-data').textContent)")
    shown = page.evaluate("() => Chart.getChart(document.getElementById('impact-kind')).data.datasets[0].data")
    assert shown == figures["units"][other]["data"][0] != first
    page.select_option("#impact-kind-unit", index=0)
    page.wait_for_timeout(400)
    shoot(page, "dashboard-staff-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    wait_for_charts(page)
    no_sideways_scroll(page)
    shoot(page, "dashboard-staff-ar-390")

    # The year filter keeps the page in Arabic; a year not understood says so.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/?year=abc")
    assert "لم تُفهم السنة" in page.inner_text("main")

    # The partner: one of their reports sent back, one awaiting review.
    page.context.clear_cookies()
    login(page, base, "tech-college", DEMO_PASSWORD)
    commitment = Commitment.objects.filter(clause__agreement__partner__name_ar="الكلية التقنية بالقطيف").first()
    ProgressUpdateFactory(commitment=commitment, amount=2, status=ProgressStatus.RETURNED)
    ProgressUpdateFactory(commitment=commitment, amount=1, status=ProgressStatus.SUBMITTED)
    page.goto(f"{base}/portal/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    wait_for_charts(page)
    assert page.get_by_test_id("queue-returned").get_attribute("data-count") == "1"
    assert page.locator("[data-testid=impact-by-partner]").count() == 0
    shoot(page, "portal-home-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    wait_for_charts(page)
    no_sideways_scroll(page)
    shoot(page, "portal-home-ar-390")
