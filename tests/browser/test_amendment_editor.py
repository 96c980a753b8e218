"""Issue 16 (phase 1) in the browser: staff amend a running agreement and read the diff."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement, Amendment, AuditKind
from tests.browser.fixtures import login
from tests.browser.test_other_calendar import watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def _diff_text(page) -> str:
    return page.inner_text("[data-testid=amendment-diff]")


def test_staff_amend_a_running_agreement_and_read_the_diff(page, live_server, demo, shoot):
    base = live_server.url
    agreement = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    assert agreement.status == "active"
    problems = watch_console(page)
    # Any page, script or style answering an error (the browser's own favicon probe is not reported).
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, base, "staff", DEMO_PASSWORD)

    page.goto(f"{base}/agreements/{agreement.reference}/")
    page.click("[data-testid=record-amendment]")
    page.wait_for_load_state("networkidle")
    assert "تسجيل ملحق تعديلي" in page.inner_text("h1")
    # Pre-filled with the agreement's content.
    assert page.input_value("#id_clauses-0-text_ar") == "تقدم الكلية دورات تدريبية تقنية لمستفيدي الخيرية."
    assert page.input_value("#id_clauses-0-commitments-0-target_quantity") == "20"
    assert page.input_value("#id_ends_on") == "2029-03-15"

    # One target changed, the term extended by a year.
    page.fill("#id_clauses-0-commitments-0-target_quantity", "25")
    page.fill("#id_ends_on", "2030-03-15")
    page.fill("#id_effective_on", "2027-01-01")
    assert "1448" in page.inner_text("#id_effective_on_other_calendar")  # the Hijri date beside it
    page.fill("#id_text_ar", "رفع عدد المتدربين وإضافة بند للعلاقات العامة والإعلام وتمديد المدة سنة.")
    page.fill("#id_text_en", "More trainees, a public relations clause, and one more year.")
    # One clause added, with a commitment.
    total = int(page.input_value("input[name='clauses-TOTAL_FORMS']"))
    page.click("[data-add-clause]")
    new = f"clauses-{total}"
    assert page.input_value(f"#id_{new}-order") == str(total + 1)
    page.select_option(f"#id_{new}-kind", "media")
    page.fill(f"#id_{new}-text_ar", "يتعاون الطرفان في التغطية الإعلامية لبرامج الشراكة.")
    page.fill(f"#id_{new}-text_en", "Both parties cooperate on media coverage of the partnership's programmes.")
    page.click(f"[data-prefix='{new}'] [data-add-commitment]")
    page.select_option(f"#id_{new}-commitments-0-party", "partner")
    page.fill(f"#id_{new}-commitments-0-description_ar", "نشر مواد إعلامية عن البرامج")
    page.fill(f"#id_{new}-commitments-0-description_en", "Publish media items about the programmes")
    page.fill(f"#id_{new}-commitments-0-target_quantity", "6")
    page.select_option(f"#id_{new}-commitments-0-unit", "media_items")
    page.fill(f"#id_{new}-commitments-0-due_on", "2029-12-31")
    shoot(page, "amendment-editor-ar")
    page.click("[data-testid=save-amendment]")
    page.wait_for_load_state("networkidle")

    amendment = Amendment.objects.get(agreement=agreement)
    assert page.url.endswith(f"/agreements/{agreement.reference}/amendments/1/")
    assert {op["op"] for op in amendment.changes} == {"term", "commitment_change", "clause_add", "commitment_add"}
    assert "الملحق رقم 1" in page.inner_text("h1")
    diff = _diff_text(page)
    assert "20 متدربًا" in diff and "25 متدربًا" in diff
    assert page.locator("del", has_text="20 متدربًا").count() == 1
    assert page.locator("ins", has_text="25 متدربًا").count() == 1
    assert page.locator("del", has_text="15 مارس 2029").count() == 1
    assert page.locator("ins", has_text="15 مارس 2030").count() == 1
    assert page.locator("ins", has_text="يتعاون الطرفان في التغطية الإعلامية").count() == 1
    assert page.locator("ins", has_text="6 مواد إعلامية").count() == 1
    assert "1 يناير 2027" in page.inner_text("[data-testid=effective-on]")
    shoot(page, "amendment-diff-ar")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Amendment 1" in page.inner_text("h1")
    assert page.locator("del", has_text="20 trainees").count() == 1
    assert page.locator("ins", has_text="25 trainees").count() == 1
    assert page.locator("ins", has_text="15 March 2030").count() == 1
    assert page.locator("ins", has_text="Both parties cooperate on media coverage").count() == 1
    assert page.locator("ins", has_text="6 media items").count() == 1
    shoot(page, "amendment-diff-en")

    # The agreement itself is unchanged, and its page lists the amendment.
    agreement.refresh_from_db()
    assert agreement.ends_on.isoformat() == "2029-03-15"
    assert agreement.audit_events.filter(kind=AuditKind.AMENDMENT_RECORDED).count() == 1
    page.goto(f"{base}/agreements/{agreement.reference}/")
    assert page.locator("[data-testid=amendments] a", has_text="Amendment 1").count() == 1
    assert problems == []
