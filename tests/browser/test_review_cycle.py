"""Issue 20's review cycle in Arabic: staff send a report back, the college corrects and resends it
from the e-mail's link keeping its evidence, staff accept it and the progress moves."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from agreements.models import Agreement, Commitment, ProgressUpdate
from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def test_staff_return_the_college_resubmits_from_the_email_and_staff_accept(
    browser, page, live_server, demo, shoot, tmp_path
):
    base = live_server.url
    college = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    training = Commitment.objects.get(clause__agreement=college, clause__kind="training", party="partner")
    assert training.target_quantity == 20  # 12 accepted in the demo

    # The college reports 30 trainees: past the target, so the form asks for a confirmation.
    login(page, base, "tech-college", DEMO_PASSWORD)
    first = tmp_path / "attendance.pdf"
    first.write_bytes(PDF)
    page.goto(f"{base}/portal/commitments/{training.pk}/report/")
    assert page.locator("#id_confirm_over_target").count() == 0
    page.fill("#id_amount", "30")
    page.fill("#id_reported_on", "2026-11-20")
    page.set_input_files("#id_files", str(first))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "يتجاوز الإنجاز المستهدف البالغ 20 متدربًا" in page.inner_text("main")
    shoot(page, "r1-over-target-confirmation-ar")
    page.check("#id_confirm_over_target")
    page.set_input_files("#id_files", str(first))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    update = ProgressUpdate.objects.get(commitment=training, status="submitted")
    assert update.amount == 30 and update.over_target_confirmed

    # Staff see the badge and the figures, and send it back with a comment.
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = staff_context.new_page()
    login(staff_page, base, "staff", DEMO_PASSWORD)
    staff_page.goto(f"{base}/agreements/progress/")
    card = staff_page.get_by_test_id(f"update-{update.pk}")
    assert card.get_by_test_id("over-target").is_visible()
    assert "42 من 20 متدربًا" in card.inner_text()
    shoot(staff_page, "r2-review-card-over-target-ar")
    card.locator("input[name=comment]").fill("العدد يتجاوز القاعة: أرفقوا كشف الحضور الموقّع")
    card.locator("button[value=return]").click()
    staff_page.wait_for_load_state("networkidle")

    # The college opens the e-mail's link and corrects the report; the first file stays.
    message = mail.outbox[-1]
    assert message.to == [update.reported_by.email]
    link = re.search(r"https?://[^/\s]+(/portal/progress/\d+/resubmit/)", message.body).group(1)
    page.goto(base + link)
    assert "أرفقوا كشف الحضور الموقّع" in page.inner_text("main")
    assert "attendance.pdf" in page.get_by_test_id("kept-evidence").inner_text()
    second = tmp_path / "signed-list.pdf"
    second.write_bytes(PDF)
    page.fill("#id_amount", "5")
    page.fill("#id_comment", "صححنا العدد إلى خمسة وأرفقنا الكشف")
    page.set_input_files("#id_files", str(second))
    shoot(page, "r3-resubmit-form-ar")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "أُرسل تقريرك المصحَّح إلى الخيرية للمراجعة" in page.inner_text("main")
    shoot(page, "r4-portal-after-resubmit-ar")

    # Staff read the thread and accept; only now does the progress move.
    staff_page.goto(f"{base}/agreements/progress/")
    card = staff_page.get_by_test_id(f"update-{update.pk}")
    thread = card.get_by_test_id("progress-thread").inner_text()
    assert "أرفقوا كشف الحضور الموقّع" in thread and "صححنا العدد إلى خمسة" in thread
    assert card.get_by_test_id("over-target").count() == 0
    shoot(staff_page, "r5-review-card-resubmitted-ar")
    card.locator("button[value=accept]").click()
    staff_page.wait_for_load_state("networkidle")
    staff_context.close()

    page.reload()  # the page the resubmission led to, loaded again
    assert page.url.endswith(f"/portal/agreements/{college.reference}/#progress-{update.pk}")
    assert "17 من 20" in page.inner_text("main")
    row = page.locator(f"#progress-{update.pk}").inner_text()
    assert "مقبول" in row and "signed-list.pdf" in row and "attendance.pdf" in row
    shoot(page, "r6-portal-after-accept-ar")
