"""Issue 3's journey in Arabic: a staff member records and manages agreements in the browser."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement, AgreementStatus, Clause, Commitment
from partners.models import Contact, Partner
from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"

CLAUSES = [
    ("training", "تقديم الخدمات التأهيلية والتدريبية للأسر المنتجة", "تدريب الأسر المنتجة", "20"),
    ("jobs", "توفير الفرص الوظيفية لأبناء الأسر", "فرص وظيفية", "10"),
    ("volunteering", "إتاحة الفرص التطوعية للشباب", "متطوعون", "15"),
    ("awareness", "ورش عمل توعوية عن ثقافة العمل", "ورش توعوية", "4"),
    ("media", "التعاون في العلاقات العامة والإعلام", "مواد إعلامية", "6"),
]


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def test_staff_records_finds_renews_and_terminates_agreements(page, live_server, demo, shoot):
    base = live_server.url
    login(page, base, "staff", DEMO_PASSWORD)

    # 1. A new partner with a contact who may sign.
    page.goto(f"{base}/partners/new/")
    page.fill("#id_name_ar", "جمعية الأسر المنتجة بالقطيف")
    page.fill("#id_name_en", "Productive Families Association in Qatif")
    page.select_option("#id_sector", "non_profit")
    page.fill("#id_city", "القطيف")
    page.fill("#id_contacts-0-name_ar", "أحمد المديرس")
    page.fill("#id_contacts-0-title_ar", "المدير التنفيذي")
    page.fill("#id_contacts-0-email", "ahmad@families.example")
    page.check("#id_contacts-0-can_sign")
    shoot(page, "10-partner-form-ar")
    page.click("main form button.btn-success[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "جمعية الأسر المنتجة بالقطيف" in page.inner_text("h1")
    assert "مفوَّض بالتوقيع" in page.inner_text("main")
    partner = Partner.objects.get(name_ar="جمعية الأسر المنتجة بالقطيف")

    # 2. A new agreement with five clauses, each with a commitment; one field left wrong first.
    page.goto(f"{base}/agreements/new/")
    page.fill("#id_title_ar", "اتفاقية تأهيل الأسر المنتجة")
    page.select_option("#id_partner", str(partner.pk))
    page.fill("#id_starts_on", "2026-12-01")
    page.fill("#id_ends_on", "2026-11-01")  # before the start: refused, nothing lost
    for index, (kind, text, commitment, target) in enumerate(CLAUSES):
        page.click("[data-add-clause]")
        page.select_option(f"#id_clauses-{index}-kind", kind)
        page.fill(f"#id_clauses-{index}-text_ar", text)
        page.click(f"[data-prefix='clauses-{index}'] [data-add-commitment]")
        page.select_option(f"#id_clauses-{index}-commitments-0-party", "partner")
        page.fill(f"#id_clauses-{index}-commitments-0-description_ar", commitment)
        page.fill(f"#id_clauses-{index}-commitments-0-target_quantity", target)
        page.select_option(f"#id_clauses-{index}-commitments-0-unit", "trainees")
        page.fill(f"#id_clauses-{index}-commitments-0-due_on", "2027-06-30")
    # Reorder: the media clause moves up one place.
    page.click("[data-prefix='clauses-4'] [data-move='up']")
    assert page.input_value("#id_clauses-4-order") == "4"
    assert page.input_value("#id_clauses-3-order") == "5"
    page.click("form#agreement-form > div > button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "يجب أن يكون تاريخ الانتهاء بعد تاريخ البدء" in page.inner_text("main")
    # What was typed is still there.
    assert page.input_value("#id_clauses-2-text_ar") == CLAUSES[2][1]
    assert page.input_value("#id_clauses-4-commitments-0-description_ar") == "مواد إعلامية"
    shoot(page, "11-agreement-form-error-ar")
    assert not Agreement.objects.filter(title_ar="اتفاقية تأهيل الأسر المنتجة").exists()

    page.fill("#id_ends_on", "2027-11-30")
    page.click("form#agreement-form > div > button[type=submit]")
    page.wait_for_load_state("networkidle")
    agreement = Agreement.objects.get(title_ar="اتفاقية تأهيل الأسر المنتجة")
    assert agreement.status == AgreementStatus.DRAFT
    assert Clause.objects.filter(agreement=agreement).count() == 5
    assert Commitment.objects.filter(clause__agreement=agreement).count() == 5
    assert Clause.objects.get(agreement=agreement, order=4).kind == "media"
    assert page.locator("section[id^=clause-]").count() == 5
    shoot(page, "12-agreement-created-ar")

    # 3. Found by an Arabic word typed without hamza (الاسر for الأسر).
    page.goto(f"{base}/agreements/")
    page.fill("#id_q", "الاسر المنتجه")
    page.click("main form[role=search] button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "اتفاقية تأهيل الأسر المنتجة" in rows.first.inner_text()
    shoot(page, "13-search-without-hamza-ar")

    # 4. Its history shows who created it and the clauses.
    page.goto(f"{base}/agreements/{agreement.reference}/")
    page.wait_for_selector("[data-testid=timeline] li")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "موظف الشراكات" in timeline
    assert "أنشأ" in timeline

    # 5. Send it for signature: the content locks, the edit page refuses.
    page.click("text=إرسال للتوقيع")
    page.check("input[name=partner_contacts]")
    page.click("main form button.btn-primary")
    page.wait_for_load_state("networkidle")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.AWAITING_SIGNATURES
    assert len(agreement.content_hash) == 64
    assert page.get_by_test_id("content-hash").inner_text() == agreement.content_hash
    assert page.locator("a", has_text="تعديل").count() == 0
    page.goto(f"{base}/agreements/{agreement.reference}/edit/")
    page.wait_for_load_state("networkidle")
    assert "لم يعد ممكنًا تغيير محتواها" in page.inner_text("main")
    shoot(page, "14-locked-ar")

    # 6. Renew an active demo agreement.
    firdaws = Agreement.objects.get(partner__name_ar="جمعية الفردوس لإكرام الموتى")
    page.goto(f"{base}/agreements/{firdaws.reference}/")
    page.click("text=بدء التجديد")
    page.wait_for_load_state("networkidle")
    renewal = Agreement.objects.get(renews=firdaws)
    assert renewal.status == AgreementStatus.DRAFT
    assert renewal.clauses.count() == firdaws.clauses.count()
    assert renewal.reference in page.inner_text("main")
    shoot(page, "15-renewal-draft-ar")

    # 7. Terminate another one, with a reason and a date.
    ataa = Agreement.objects.get(partner__name_ar="جمعية العطاء النسائية بالقطيف")
    page.goto(f"{base}/agreements/{ataa.reference}/")
    page.click("button[data-bs-target='#terminate-form']")
    page.fill("#terminate-form #id_on", "2026-11-29")
    page.fill("#terminate-form #id_reason", "اتفاق الطرفين على إنهاء الشراكة")
    page.click("#terminate-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    ataa.refresh_from_db()
    assert ataa.status == AgreementStatus.TERMINATED
    assert ataa.termination_reason == "اتفاق الطرفين على إنهاء الشراكة"
    assert "مفسوخة" in page.inner_text("main")
    shoot(page, "16-terminated-ar")

    # The new contact is a real signatory of the sent agreement.
    assert agreement.signing_requests.filter(contact=Contact.objects.get(email="ahmad@families.example")).exists()
