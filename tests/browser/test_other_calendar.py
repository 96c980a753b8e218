"""Date fields show the Hijri (Umm al-Qura) date as it is typed, in Arabic and English.

The browser converts with its own Intl calendar (static/js/other-calendar.js); each day
shown is checked against hijridate, which the portal uses for every Hijri date it prints.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from hijridate import Gregorian
from playwright.sync_api import expect

from agreements.models import Agreement, Commitment
from common import dates
from tests.browser.fixtures import SCREENSHOTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"

DATES = [
    "2026-12-10",  # 1 Rajab 1448
    "2027-11-28",  # 29 Jumada al-Akhirah 1449: one Hijri year after the day above, less a day
    "2026-12-09",  # 29 Jumada al-Akhirah 1448: the last day of a 29-day Hijri month
    "2028-02-29",  # leap day
    "2028-03-01",
    "2027-02-28",  # end of February in a common year
    "2026-01-31",
    "2026-06-30",
    "2028-12-31",
]
# Arabic and English digits both count: a browser may write either.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def watch_console(page) -> list[str]:
    """Script errors, and anything the Content-Security-Policy refused (an inline script would be)."""
    problems: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def assert_shows_hijri_of(page, field_id: str, iso: str, language: str) -> None:
    day = datetime.date.fromisoformat(iso)
    expected = Gregorian(day.year, day.month, day.day).to_hijri()
    hint = page.locator(f"#{field_id}_other_calendar")
    expect(hint).to_have_attribute("data-hijri", f"{expected.year}-{expected.month:02d}-{expected.day:02d}")
    text = hint.inner_text().translate(DIGITS)
    assert [int(n) for n in re.findall(r"\d+", text)] in ([expected.day, expected.year], [expected.year, expected.day])
    # Word for word what the server writes for that day (common/dates.hijri), in the page's language.
    with translation.override(language):
        assert text == dates.hijri(day)


def type_each_date(page, field_id: str, language: str) -> None:
    for iso in DATES:
        page.fill(f"#{field_id}", iso)
        assert_shows_hijri_of(page, field_id, iso, language)


def assert_hint_empty(page, field_id: str) -> None:
    hint = page.locator(f"#{field_id}_other_calendar")
    expect(hint).to_have_text("")
    assert hint.get_attribute("data-hijri") is None


def shoot_term(page, language: str) -> None:
    """The start and end fields with one Hijri year typed: 1 Rajab 1448 to 29 Jumada al-Akhirah 1449."""
    page.fill("#id_starts_on", "2026-12-10")
    page.fill("#id_ends_on", "2027-11-28")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    row = page.locator("#div_id_starts_on").locator("xpath=ancestor::div[contains(@class, 'row')][1]")
    row.screenshot(path=str(SCREENSHOTS / f"date-hijri-hint-{language}.png"))


def test_the_agreement_editor_shows_the_hijri_date_as_dates_are_typed(page, live_server, demo):
    base = live_server.url
    problems = watch_console(page)
    login(page, base, "staff", DEMO_PASSWORD)
    response = page.goto(f"{base}/agreements/new/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("html").get_attribute("lang") == "ar"
    hint = page.locator("#id_starts_on_other_calendar")
    assert hint.get_attribute("aria-live") == "polite"
    assert page.get_attribute("#id_starts_on", "aria-describedby") == "id_starts_on_other_calendar"

    type_each_date(page, "id_starts_on", "ar")
    # Emptied, or outside the Umm al-Qura table: nothing rather than a wrong day.
    page.fill("#id_starts_on", "")
    assert_hint_empty(page, "id_starts_on")
    page.fill("#id_starts_on", "1900-01-01")
    assert_hint_empty(page, "id_starts_on")

    # Typed key by key, as a person does (the context's locale is en-US: month, day, year).
    page.click("#id_ends_on")
    page.keyboard.type("1128")
    assert_hint_empty(page, "id_ends_on")  # not a whole date yet
    page.keyboard.type("2027")
    assert page.input_value("#id_ends_on") == "2027-11-28"
    assert_shows_hijri_of(page, "id_ends_on", "2027-11-28", "ar")

    # A commitment row added after the page loaded.
    page.click("[data-add-clause]")
    page.click("[data-prefix='clauses-0'] [data-add-commitment]")
    type_each_date(page, "id_clauses-0-commitments-0-due_on", "ar")

    shoot_term(page, "ar")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    type_each_date(page, "id_starts_on", "en")
    shoot_term(page, "en")
    page.click("[data-add-clause]")
    page.click("[data-prefix='clauses-0'] [data-add-commitment]")
    type_each_date(page, "id_clauses-0-commitments-0-due_on", "en")

    assert problems == []


def test_every_date_field_of_the_portal_shows_the_hijri_date(browser, page, live_server, demo):
    base = live_server.url
    agreement = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    commitment = Commitment.objects.filter(clause__agreement=agreement, party="partner").first()
    today = timezone.localdate().isoformat()
    problems = watch_console(page)
    login(page, base, "staff", DEMO_PASSWORD)

    # Progress report (staff): the date is filled in with today, and so is its Hijri date.
    page.goto(f"{base}/agreements/commitments/{commitment.pk}/report/")
    assert_shows_hijri_of(page, "id_reported_on", today, "ar")
    page.fill("#id_reported_on", "2028-02-29")
    assert_shows_hijri_of(page, "id_reported_on", "2028-02-29", "ar")

    page.goto(f"{base}/agreements/{agreement.reference}/amendments/new/")
    page.fill("#id_effective_on", "2027-11-28")
    assert_shows_hijri_of(page, "id_effective_on", "2027-11-28", "ar")

    # Termination, in the form that opens on the agreement page.
    page.goto(f"{base}/agreements/{agreement.reference}/")
    page.click("[data-bs-target='#terminate-form']")
    assert_shows_hijri_of(page, "id_on", today, "ar")
    page.fill("#id_on", "2026-12-10")
    assert_shows_hijri_of(page, "id_on", "2026-12-10", "ar")
    page.locator("#terminate-form form").screenshot(path=str(SCREENSHOTS / "date-hijri-hint-terminate-ar.png"))
    assert problems == []

    # The partner's own progress report in the portal.
    partner = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    partner_page = partner.new_page()
    partner_problems = watch_console(partner_page)
    login(partner_page, base, "tech-college", DEMO_PASSWORD)
    partner_page.goto(f"{base}/portal/commitments/{commitment.pk}/report/")
    partner_page.fill("#id_reported_on", "2026-12-10")
    assert_shows_hijri_of(partner_page, "id_reported_on", "2026-12-10", "ar")
    assert partner_problems == []
    partner.close()

    # The date range of the reports (Django admin pages, their own template).
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    admin_page = admin.new_page()
    admin_problems = watch_console(admin_page)
    login(admin_page, base, "admin", DEMO_PASSWORD)
    admin_page.goto(f"{base}/admin/reports/ending/?start=2026-12-10")
    assert_shows_hijri_of(admin_page, "id_start", "2026-12-10", "ar")
    admin_page.fill("#id_end", "2027-11-28")
    assert_shows_hijri_of(admin_page, "id_end", "2027-11-28", "ar")
    admin_page.locator("form.report-filters").screenshot(path=str(SCREENSHOTS / "date-hijri-hint-report-ar.png"))
    assert admin_problems == []
    admin.close()
