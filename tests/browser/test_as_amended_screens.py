"""The agreement as amended, the text before, and the portal's amendment page, in a real browser."""

from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from agreements.models import Agreement
from qatif_partnerships.celery import app
from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"


@pytest.fixture
def demo():
    # The addendum PDF task queued by the demo's amendment runs in-process here; the pages
    # under test do not depend on it having worked (its renderer lands on another branch).
    app.conf.task_always_eager = False
    try:
        with freeze_time("2026-12-07"):
            call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    finally:
        app.conf.task_always_eager = True


def english(page, base: str) -> None:
    page.evaluate(
        """async () => { const csrf = document.querySelector('[name=csrfmiddlewaretoken]').value;
        await fetch('/i18n/setlang/', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
        body: 'language=en&next=/&csrfmiddlewaretoken=' + csrf}); }"""
    )


def test_the_amended_agreement_in_both_languages(browser, page, live_server, demo, shoot):
    base = live_server.url
    agreement = Agreement.objects.get(partner__name_ar="جمعية تنمية الموارد البشرية بسيهات")
    login(page, base, "staff", DEMO_PASSWORD)
    page.goto(f"{base}/agreements/{agreement.reference}/")
    banner = page.get_by_test_id("as-amended")
    assert "كما عُدّلت بالملحق رقم 1" in banner.inner_text()
    assert page.locator("[data-testid=amendment-status-1]").inner_text() == "نافذ"
    assert "تنظيم لقاءات دورية لتبادل الخبرات" in page.get_by_test_id("removed-items").inner_text()
    shoot(page, "hb-01-staff-as-amended-ar")
    page.get_by_test_id("text-before-1").click()
    assert "لم يعد ساريًا" in page.get_by_test_id("superseded").inner_text()
    assert "تنظيم لقاءات دورية لتبادل الخبرات" in page.content()
    shoot(page, "hb-02-text-before-ar")
    english(page, base)
    page.goto(f"{base}/agreements/{agreement.reference}/")
    assert "As amended by amendment 1" in page.get_by_test_id("as-amended").inner_text()
    shoot(page, "hb-03-staff-as-amended-en")
    page.goto(f"{base}/agreements/{agreement.reference}/amendments/1/before/")
    shoot(page, "hb-04-text-before-en")

    partner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(partner, base, "hrd-saihat", DEMO_PASSWORD)
    partner.goto(f"{base}/portal/agreements/{agreement.reference}/")
    assert "كما عُدّلت بالملحق رقم 1" in partner.get_by_test_id("as-amended").inner_text()
    shoot(partner, "hb-05-portal-agreement-ar")
    partner.get_by_test_id("amended-by-1").click()
    assert partner.get_by_test_id("amendment-diff").is_visible()
    shoot(partner, "hb-06-portal-amendment-ar")
    english(partner, base)
    partner.goto(f"{base}/portal/agreements/{agreement.reference}/amendments/1/")
    shoot(partner, "hb-07-portal-amendment-en")
    partner.context.close()
