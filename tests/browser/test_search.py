"""The top bar's search in Arabic: every form of «training» finds the training agreements, highlighted."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement
from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"
FORMS = ["التدريب", "والتدريب", "بالتدريب", "تدريبية", "متدربين"]


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def search_from_top_bar(page, text: str) -> None:
    box = page.locator("[data-testid=topbar-search] input[name=q]")
    box.fill(text)
    box.press("Enter")
    page.wait_for_load_state("networkidle")


def test_staff_find_every_training_agreement_whatever_the_form_typed(browser, page, live_server, demo, shoot):
    training = sorted(Agreement.objects.filter(clauses__kind="training").distinct().values_list("reference", flat=True))
    assert len(training) == 3
    login(page, live_server.url, "staff", DEMO_PASSWORD)
    for number, text in enumerate(FORMS):
        search_from_top_bar(page, text)
        assert page.locator("html").get_attribute("dir") == "rtl"
        clauses = page.get_by_test_id("search-group-clause")
        for reference in training:
            assert reference in clauses.inner_text(), (text, reference)
        marked = page.locator("[data-testid=search-group-clause] .search-snippet mark").all_inner_texts()
        assert marked and all("تدريب" in word for word in marked), (text, marked)
        # The highlight is visible: a background colour of its own.
        colour = page.locator(".search-snippet mark").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        shoot(page, f"60-search-{number}-ar")
    # A clause hit opens the agreement at that clause.
    page.locator("[data-testid=search-group-clause] a").first.click()
    page.wait_for_load_state("networkidle")
    assert "#clause-" in page.url


def test_nothing_found_is_said_in_arabic_with_a_hint(browser, page, live_server, demo, shoot):
    login(page, live_server.url, "staff", DEMO_PASSWORD)
    search_from_top_bar(page, "&|!():*")
    assert "لا نتائج" in page.get_by_test_id("search-empty").inner_text()
    shoot(page, "61-search-nothing-ar")


def test_a_partner_user_searches_only_their_own_agreements(browser, page, live_server, demo, shoot):
    own = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    others = Agreement.objects.exclude(partner=own.partner)
    login(page, live_server.url, "tech-college", DEMO_PASSWORD)
    search_from_top_bar(page, "التدريب")
    body = page.locator("main").inner_text()
    assert own.reference in body
    for other in others:
        assert other.reference not in body and other.partner.name_ar not in body
    shoot(page, "62-search-partner-ar")
