"""Issue 7's journey: the technical college reports progress with evidence, staff accept it."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement, Attachment, Commitment, ProgressUpdate
from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def bar_width(page, commitment) -> str:
    return page.locator(f"[data-testid=progress-{commitment.pk}] .progress-bar").first.get_attribute("style")


def test_college_reports_progress_and_sees_only_its_own(browser, page, live_server, demo, shoot, tmp_path):
    base = live_server.url
    college = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    training = Commitment.objects.get(clause__agreement=college, clause__kind="training", party="partner")
    assert training.target_quantity == 20  # 12 already accepted in the demo

    login(page, base, "tech-college", DEMO_PASSWORD)
    assert page.url.endswith("/portal/")
    assert page.get_by_test_id("portal-menu").is_visible()
    assert page.locator("[data-testid=staff-menu]").count() == 0
    agreements = page.get_by_test_id("portal-agreements").inner_text()
    assert college.title_ar in agreements
    for other in Agreement.objects.exclude(pk=college.pk):
        assert other.title_ar not in page.content() and other.partner.name_ar not in page.content()
    shoot(page, "30-portal-home-ar")

    page.click("nav >> text=الالتزامات")
    page.wait_for_load_state()
    assert bar_width(page, training) == "width: 60%"
    shoot(page, "31-portal-commitments-ar")

    # Report 5 trainees with a PDF as evidence.
    evidence = tmp_path / "attendance.pdf"
    evidence.write_bytes(PDF)
    page.goto(f"{base}/portal/commitments/{training.pk}/report/")
    page.fill("#id_amount", "5")
    page.fill("#id_reported_on", "2026-11-20")
    page.fill("#id_note", "دفعة ثانية من المتدربين")
    page.set_input_files("#id_files", str(evidence))
    shoot(page, "32-portal-report-progress-ar")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "أُرسل تقرير إنجازك إلى الخيرية للمراجعة" in page.inner_text("main")
    update = ProgressUpdate.objects.get(commitment=training, status="submitted")
    assert update.amount == 5 and update.evidence.get().original_name == "attendance.pdf"

    # Staff accept it.
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = staff_context.new_page()
    login(staff_page, base, "staff", DEMO_PASSWORD)
    staff_page.click("nav >> text=إنجازات للمراجعة")
    staff_page.wait_for_load_state()
    card = staff_page.get_by_test_id(f"update-{update.pk}")
    assert "attendance.pdf" in card.inner_text()
    shoot(staff_page, "33-staff-review-ar")
    card.locator("button[value=accept]").click()
    staff_page.wait_for_load_state("networkidle")
    staff_page.goto(f"{base}/agreements/{college.reference}/")
    assert "17 من 20" in staff_page.inner_text("main")
    staff_context.close()

    # The bar moved for the partner too.
    page.goto(f"{base}/portal/commitments/")
    assert bar_width(page, training) == "width: 85%"
    assert "17 من 20" in page.inner_text("main")
    page.goto(f"{base}/portal/agreements/{college.reference}/")
    assert "مقبول" in page.get_by_test_id("progress-reports").inner_text()
    shoot(page, "34-portal-agreement-after-accept-ar")

    # Another partner's agreement, file and commitment by URL: not found.
    other = Agreement.objects.get(partner__name_ar="جمعية الفردوس لإكرام الموتى")
    other_commitment = Commitment.objects.filter(clause__agreement=other).first()
    Attachment.objects.create(
        agreement=other,
        original_name="other.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=other.owner,
        file="attachments/none.pdf",
    )
    attachment = Attachment.objects.get(agreement=other)
    for url in (
        f"/portal/agreements/{other.reference}/",
        f"/agreements/{other.reference}/",
        f"/agreements/{other.reference}/attachments/{attachment.pk}/",
        f"/portal/commitments/{other_commitment.pk}/report/",
    ):
        response = page.goto(base + url)
        assert response.status == 404, url
    shoot(page, "35-portal-404-ar")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_page = phone.new_page()
    login(phone_page, base, "tech-college", DEMO_PASSWORD)
    phone_page.goto(f"{base}/portal/commitments/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shoot(phone_page, "36-portal-commitments-phone-ar")
    phone.close()
