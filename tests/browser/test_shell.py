"""The Arabic shell in a real browser: log in, dashboard, agreement, partner, switch language."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def test_staff_browses_the_demo_in_arabic_and_switches_to_english(page, live_server, demo, shoot):
    login(page, live_server.url, "staff", DEMO_PASSWORD)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_test_id("total-agreements").inner_text() == "4"
    shoot(page, "01-dashboard-ar")

    page.click("nav >> text=الاتفاقيات")
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    assert rows.count() == 4
    shoot(page, "02-agreements-ar")

    page.click("text=اتفاقية شراكة في التدريب التقني والفرص التطوعية")
    page.wait_for_load_state()
    body = page.inner_text("main")
    assert "الكلية التقنية بالقطيف" in body
    assert "الخدمات التأهيلية والتدريبية" in body
    assert "هـ" in body  # Hijri dates beside Gregorian ones
    assert "12 من 20" in body  # accepted progress on the training commitment
    # The reference keeps its left-to-right order inside the Arabic page.
    assert page.locator("bdi[dir=ltr]").first.inner_text().startswith("QC-")
    shoot(page, "03-agreement-ar")

    page.click("main >> text=الكلية التقنية بالقطيف")
    page.wait_for_load_state()
    assert "عميد الكلية التقنية بالقطيف" in page.inner_text("main")
    shoot(page, "04-partner-ar")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Contacts" in page.inner_text("main")
    shoot(page, "05-partner-en")


def test_phone_width_keeps_the_page_usable(browser, live_server, demo, shoot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server.url, "staff", DEMO_PASSWORD)
    # No horizontal scrolling of the whole page on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shoot(page, "07-dashboard-phone-ar")
    context.close()
