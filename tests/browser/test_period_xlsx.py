"""Issue 20, report many at once, in a browser: the partner downloads the period's sheet, fills it
(openpyxl, as a spreadsheet program would), uploads it, is told in Arabic which row is wrong, uploads
it corrected, confirms the preview and sees four commitments' quantities sent at once."""

import datetime

import pytest
from openpyxl import load_workbook

from agreements.models import PeriodReport, PeriodReportStatus, ProgressUpdate
from agreements.periods import period_reports_open
from tests.browser.fixtures import login
from tests.factories import PASSWORD, AgreementFactory, ClauseFactory, CommitmentFactory, PartnerUserFactory, set_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date
QUANTITY = "الكمية في هذه الفترة"


def filled(path, values: dict[int, dict[str, object]], out) -> None:
    workbook = load_workbook(path)
    sheet = workbook.active
    headers = [cell.value for cell in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        for header, value in values.get(row[0].value, {}).items():
            row[headers.index(header)].value = value
    workbook.save(out)


def test_a_partner_reports_four_commitments_from_one_sheet(browser, live_server, settings, shoot, tmp_path):
    agreement = AgreementFactory(
        title_ar="اتفاقية التدريب مع الكلية التقنية",
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
        description_ar="ورش توعوية",
        target_quantity=10,
        unit="workshops",
        breakdown="town",
    )
    youth = CommitmentFactory(
        clause=clause, party="partner", description_ar="متطوعون", target_quantity=30, breakdown="age"
    )
    events = CommitmentFactory(
        clause=clause, party="partner", description_ar="فعاليات", target_quantity=4, unit="events"
    )
    set_status(agreement, "active")
    PartnerUserFactory(username="college", partner=agreement.partner, email="college@partner.example")
    settings.PORTAL_TODAY = "2027-04-07"
    period_reports_open(today=D(2027, 4, 7))
    report = PeriodReport.objects.get(agreement=agreement, party="partner", number=1)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    login(page, base, "college", PASSWORD)
    page.goto(f"{base}/portal/period-reports/{report.pk}/")
    with page.expect_download() as download_info:
        page.get_by_test_id("period-xlsx-download").click()
    download = download_info.value
    assert download.suggested_filename == f"{agreement.reference}-1.xlsx"
    sheet_path = tmp_path / "sheet.xlsx"
    download.save_as(sheet_path)
    assert load_workbook(sheet_path).active.sheet_view.rightToLeft

    values = {
        trainees.pk: {QUANTITY: 8, "ذكور": 3, "إناث": 4},  # 7, not 8: refused
        workshops.pk: {QUANTITY: 2, "سيهات": 1, "صفوى": 1},
        youth.pk: {QUANTITY: 5, "دون 18 سنة": 5},
        events.pk: {QUANTITY: 1, "ملاحظة": "فعالية في القطيف"},
    }
    wrong = tmp_path / "wrong.xlsx"
    filled(sheet_path, values, wrong)
    page.get_by_test_id("period-xlsx-upload").click()
    page.set_input_files("#id_sheet", str(wrong))
    page.click("main button[name=upload]")
    page.wait_for_load_state("networkidle")
    errors = page.get_by_test_id("row-errors")
    assert errors.count() == 1
    assert "مجموع التوزيع (7) لا يساوي الكمية (8)" in errors.inner_text()
    assert page.get_by_test_id("period-xlsx-confirm").count() == 0
    shoot(page, "x1-xlsx-preview-row-error-ar")
    assert not ProgressUpdate.objects.exists()

    values[trainees.pk]["إناث"] = 5
    right = tmp_path / "right.xlsx"
    filled(sheet_path, values, right)
    page.set_input_files("#id_sheet", str(right))
    page.click("main button[name=upload]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("row-errors").count() == 0
    assert "+8" in page.get_by_test_id("preview-table").inner_text()
    assert not ProgressUpdate.objects.exists()
    page.fill("#id_narrative", "دربنا ثمانية متدربين وأقمنا ورشتين وفعالية.")
    shoot(page, "x2-xlsx-preview-ready-ar")
    page.get_by_test_id("period-xlsx-confirm").click()
    page.wait_for_load_state("networkidle")
    assert "أُرسل تقرير الفترة إلى الجمعية لمراجعته" in page.inner_text("main")
    assert page.get_by_test_id("period-report-sent").is_visible()
    shoot(page, "x3-xlsx-report-sent-ar")

    report.refresh_from_db()
    assert report.status == PeriodReportStatus.SUBMITTED
    amounts = dict(ProgressUpdate.objects.filter(period_report=report).values_list("commitment_id", "amount"))
    assert amounts == {trainees.pk: 8, workshops.pk: 2, youth.pk: 5, events.pk: 1}
    context.close()
