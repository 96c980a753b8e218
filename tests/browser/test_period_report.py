"""Issue 20 on a phone: a quarterly report comes due, the partner opens it from the portal home at
390 px, is told in Arabic that a breakdown does not add up, corrects it, and sends two commitments'
quantities with their breakdowns and a photo taken as evidence."""

import datetime

import pytest
from PIL import Image

from agreements.models import PeriodReport, PeriodReportStatus, ProgressUpdate
from reminders.services import reminders_sweep
from tests.browser.fixtures import login
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    set_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_partner_sends_a_quarterly_report_from_a_phone(browser, live_server, settings, shoot, tmp_path):
    agreement = AgreementFactory(
        title_ar="اتفاقية التدريب مع جمعية سيهات",
        starts_on=D(2027, 1, 1),
        signed_on=D(2026, 12, 20),
        ends_on=D(2027, 12, 31),
        reporting_schedule="quarterly",
    )
    clause = ClauseFactory(agreement=agreement, order=1)
    trainees = CommitmentFactory(
        clause=clause, party="partner", description_ar="تدريب 40 متدربًا", target_quantity=40, breakdown="sex"
    )
    workshops = CommitmentFactory(
        clause=clause,
        party="partner",
        description_ar="ورش توعوية في بلدات المحافظة",
        target_quantity=10,
        unit="workshops",
        breakdown="town",
    )
    set_status(agreement, "active")
    PartnerUserFactory(username="saihat", partner=agreement.partner, email="saihat@partner.example")
    settings.PORTAL_TODAY = "2027-04-07"
    reminders_sweep(today=D(2027, 4, 7))
    report = PeriodReport.objects.get(agreement=agreement, party="partner", number=1)
    # Six days past its due date (14 April): staff find it in the late-reports queue.
    settings.PORTAL_TODAY = "2027-04-20"
    base = live_server.url
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = staff_context.new_page()
    login(staff_page, base, agreement.owner.username, PASSWORD)
    staff_page.get_by_role("link", name="التقارير المتأخرة").click()
    staff_page.wait_for_load_state("networkidle")
    row = staff_page.get_by_test_id(f"late-{report.pk}")
    assert "6 أيام" in row.get_by_test_id("days-late").inner_text()
    assert "الربع 1" in row.inner_text() and "هـ" in row.inner_text()
    shoot(staff_page, "p0-late-reports-queue-ar")
    staff_context.close()
    photo = tmp_path / "workshop.png"
    Image.new("RGB", (64, 48), "orange").save(photo, "PNG")

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, base, "saihat", PASSWORD)
    due = page.get_by_test_id("reports-due")
    assert "الربع 1" in due.inner_text() and "متأخر" in due.inner_text()
    shoot(page, "p1-reports-due-390-ar")
    due.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/portal/period-reports/{report.pk}/")
    camera = page.locator(f"#id_c{trainees.pk}-photo")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/jpeg,image/png"

    page.fill("#id_narrative", "دربنا ثمانية متدربين وأقمنا ورشتين في سيهات وصفوى.")
    page.fill(f"#id_c{trainees.pk}-amount", "8")
    page.fill(f"#id_c{trainees.pk}-b_male", "3")
    page.fill(f"#id_c{trainees.pk}-b_female", "4")
    page.fill(f"#id_c{workshops.pk}-amount", "2")
    page.fill(f"#id_c{workshops.pk}-b_saihat", "1")
    page.fill(f"#id_c{workshops.pk}-b_safwa", "1")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    errors = page.get_by_test_id(f"line-{trainees.pk}").get_by_test_id("line-errors")
    assert "مجموع التوزيع (7) لا يساوي الكمية (8)" in errors.inner_text()
    assert no_sideways_scroll(page)
    shoot(page, "p2-breakdown-does-not-add-up-390-ar")
    assert not ProgressUpdate.objects.exists()

    page.fill(f"#id_c{trainees.pk}-b_female", "5")
    page.set_input_files(f"#id_c{trainees.pk}-photo", str(photo))
    shoot(page, "p3-period-report-form-390-ar")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "أُرسل تقرير الفترة إلى الجمعية لمراجعته" in page.inner_text("main")
    assert no_sideways_scroll(page)

    report.refresh_from_db()
    assert report.status == PeriodReportStatus.SUBMITTED
    updates = {u.commitment_id: u for u in ProgressUpdate.objects.filter(period_report=report)}
    assert updates[trainees.pk].breakdown == {"male": 3, "female": 5}
    assert updates[workshops.pk].breakdown == {"saihat": 1, "safwa": 1}
    assert [e.original_name for e in updates[trainees.pk].evidence.all()] == ["workshop.png"]
    # Sent: it leaves the home's list, and opening it again shows what was sent, not a form.
    assert page.get_by_test_id("reports-due").count() == 0
    page.goto(f"{base}/portal/period-reports/{report.pk}/")
    assert page.get_by_test_id("period-report-sent").is_visible()
    shoot(page, "p4-period-report-sent-390-ar")
    context.close()
