"""The whole mission in Arabic, in a real browser, against gunicorn + worker + beat.

staff records an agreement with the technical college → sends it → the college's
representative signs from the emailed link by drawing → the chairman signs from his
account → the worker seals the PDF (waited for in the page) → staff download it and the
verification page accepts it → the college's user reports progress with evidence →
staff accept → the admin report shows it → the clock moves to 30 days before the end,
beat's sweep runs, and the 30-day reminder is emailed once to each recipient.
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest
from django.utils import translation

from agreements.models import Unit
from tests.browser.fixtures import login, newest_code, type_signing_code

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PASSWORD = "qatif-demo-2026"
TITLE = "اتفاقية التدريب والتوظيف والإعلام مع الكلية التقنية"
ENDS_ON = "2027-12-31"
THIRTY_DAYS_BEFORE = "2027-12-01"
PDF_EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def draw(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for px, py in ((0.3, 0.2), (0.5, 0.8), (0.7, 0.25), (0.9, 0.6)):
        page.mouse.move(x + w * px, y + h * py, steps=10)
    page.mouse.up()


def achieved_for_college(page, base: str) -> int:
    """The college's achieved trainees in the admin report by partner (one row per partner and unit)."""
    page.goto(f"{base}/admin/reports/commitments/?by=partner")
    with translation.override("ar"):
        trainees = str(Unit.TRAINEES.label)
    for row in page.locator("table tbody tr", has_text="الكلية التقنية بالقطيف").all():
        cells = [c.strip() for c in row.locator("td, th").all_inner_texts()]
        if cells[1] == trainees:  # partner, unit, commitments, target, achieved, %
            return int(cells[4])
    raise AssertionError("no row of the college's trainees in the report")


def test_the_whole_mission(browser, stack, shoot, tmp_path):
    base = stack.url
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    staff = staff_context.new_page()
    staff.set_default_timeout(20_000)

    # 1. Staff record the agreement with three clauses and commitments.
    login(staff, base, "staff", PASSWORD)
    staff.goto(f"{base}/agreements/new/")
    staff.fill("#id_title_ar", TITLE)
    staff.select_option("#id_partner", label="الكلية التقنية بالقطيف")
    staff.fill("#id_starts_on", "2026-12-01")
    staff.fill("#id_ends_on", ENDS_ON)
    clauses = [
        ("training", "تقدم الكلية دورات تدريبية للمستفيدين.", "partner", "تدريب المستفيدين", "20", "trainees"),
        ("jobs", "توفر الكلية فرصًا وظيفية للخريجين.", "partner", "فرص وظيفية", "5", "job_opportunities"),
        ("media", "تنشر الخيرية أخبار الشراكة.", "charity", "أخبار الشراكة", "4", "media_items"),
    ]
    for index, (kind, text, party, description, target, unit) in enumerate(clauses):
        staff.click("[data-add-clause]")
        staff.select_option(f"#id_clauses-{index}-kind", kind)
        staff.fill(f"#id_clauses-{index}-text_ar", text)
        staff.click(f"[data-prefix='clauses-{index}'] [data-add-commitment]")
        staff.select_option(f"#id_clauses-{index}-commitments-0-party", party)
        staff.fill(f"#id_clauses-{index}-commitments-0-description_ar", description)
        staff.fill(f"#id_clauses-{index}-commitments-0-target_quantity", target)
        staff.select_option(f"#id_clauses-{index}-commitments-0-unit", unit)
        staff.fill(f"#id_clauses-{index}-commitments-0-due_on", "2027-06-30")
    staff.click("form#agreement-form > div > button[type=submit]")
    staff.wait_for_load_state("networkidle")
    reference = re.search(r"QC-\d{4}-\d{4}", staff.url).group(0)
    assert TITLE in staff.inner_text("h1")
    shoot(staff, "e2e-01-agreement-created")

    # 2. Sent for signature.
    staff.click("text=إرسال للتوقيع")
    staff.check("input[name=partner_contacts]")
    staff.click("main form button.btn-primary")
    staff.wait_for_load_state("networkidle")
    assert "بانتظار التوقيعات" in staff.inner_text("main")
    shoot(staff, "e2e-02-sent")

    # 3. The representative opens the emailed link and draws a signature.
    invitation = stack.wait_for(
        lambda: next(
            (m for m in stack.emails() if m["To"] == "dean@tech-college-qatif.example" and reference in body(m)), None
        ),
        timeout=60,
        what="the signing email",
    )
    link = re.search(r"https?://\S+/sign/[A-Za-z0-9_\-]+/", body(invitation)).group(0)
    representative_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    representative = representative_context.new_page()
    representative.goto(link)
    representative.wait_for_load_state("networkidle")
    type_signing_code(
        representative,
        lambda: newest_code(body(m) for m in stack.emails() if m["To"] == "dean@tech-college-qatif.example"),
    )
    draw(representative, "#signature-canvas")
    representative.check("#id_consent")
    shoot(representative, "e2e-03-representative-signs")
    representative.click("[data-testid=sign-button]")
    representative.wait_for_load_state("networkidle")
    assert "سُجّل توقيعك" in representative.inner_text("main")
    representative_context.close()

    # 4. The chairman signs from his account.
    chairman_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    chairman = chairman_context.new_page()
    login(chairman, base, "chairman", PASSWORD)
    chairman.goto(f"{base}/agreements/{reference}/")
    chairman.click("[data-testid=sign-from-account]")
    chairman.check("input[name=method][value=typed]")
    chairman.fill("#id_typed", "أسامة الزاير")
    chairman.check("#id_consent")
    chairman.click("[data-testid=sign-button]")
    chairman.wait_for_load_state("networkidle")
    chairman_context.close()

    # 5. The worker seals the PDF; the page shows it when ready, without a reload.
    staff.goto(f"{base}/agreements/{reference}/")
    staff.wait_for_selector("[data-testid=pdf-status][data-status=ready]", timeout=90_000)
    shoot(staff, "e2e-04-pdf-ready")

    # 6. Staff download it: Arabic title and both names; the verification page accepts it.
    with staff.expect_download() as download_info:
        staff.click("[data-testid=pdf-download-ar]")
    pdf_path = tmp_path / "signed.pdf"
    download_info.value.save_as(pdf_path)
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True).stdout
    )
    for expected in (TITLE, "أسامة الزاير", "عميد الكلية التقنية بالقطيف", reference):
        assert re.sub(r"\s+", "", expected) in text, expected
    staff.click("text=صفحة التحقق")
    staff.set_input_files("input[name=pdf]", str(pdf_path))
    staff.click("main form button[type=submit]")
    staff.wait_for_load_state("networkidle")
    assert staff.get_by_test_id("verify-result").get_attribute("data-authentic") == "yes"
    shoot(staff, "e2e-05-verified")

    # 7. The college's user reports progress with evidence.
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    admin = admin_context.new_page()
    login(admin, base, "admin", PASSWORD)
    before = achieved_for_college(admin, base)

    college_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    college = college_context.new_page()
    login(college, base, "tech-college", PASSWORD)
    college.goto(f"{base}/portal/agreements/{reference}/")
    assert TITLE in college.inner_text("h1")
    college.locator("a", has_text="الإبلاغ عن إنجاز").first.click()
    evidence = tmp_path / "attendance.pdf"
    evidence.write_bytes(PDF_EVIDENCE)
    college.fill("#id_amount", "5")
    college.fill("#id_note", "الدفعة الأولى")
    college.set_input_files("#id_files", str(evidence))
    college.click("main form button[type=submit]")
    college.wait_for_load_state("networkidle")
    assert "أُرسل تقرير إنجازك" in college.inner_text("main")
    shoot(college, "e2e-06-progress-reported")

    # 8. Staff accept it.
    staff.goto(f"{base}/agreements/progress/")
    staff.locator("section", has_text="attendance.pdf").locator("button[value=accept]").click()
    staff.wait_for_load_state("networkidle")
    college.goto(f"{base}/portal/agreements/{reference}/")
    assert "5 من 20" in college.inner_text("main")
    college_context.close()

    # 9. The admin report shows it.
    assert achieved_for_college(admin, base) == before + 5
    shoot(admin, "e2e-07-admin-report")
    admin_context.close()
    staff_context.close()

    # 10. The clock moves to 30 days before the end; beat's sweep runs; one email each.
    stack.start("worker", PORTAL_TODAY=THIRTY_DAYS_BEFORE)
    stack.start("beat", REMINDER_SWEEP_INTERVAL="2")

    def thirty_day_reminders():
        # On its own, or one item of the recipient's digest of the day.
        return [
            m["To"]
            for m in stack.emails()
            if any(TITLE in line and "خلال 30 يومًا" in line for line in body(m).splitlines())
        ]

    stack.wait_for(lambda: len(thirty_day_reminders()) >= 2, timeout=90, what="the 30-day reminder")
    time.sleep(8)  # several more sweeps
    recipients = thirty_day_reminders()
    assert sorted(recipients) == sorted(set(recipients))  # once each
    assert "staff@qatif-charity.example" in recipients
    assert "dean@tech-college-qatif.example" in recipients
