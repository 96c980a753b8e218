"""Report many at once (issue 20): a period report's commitments downloaded as an XLSX, filled,
uploaded, previewed with row-level errors in Arabic, and sent only once confirmed, by the same
service as the form. Bad files are refused with an Arabic message and save nothing."""

import datetime
import io
import zipfile

import hypothesis
import pytest
from django.core import signing
from django.urls import reverse
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from agreements.models import PeriodReport, PeriodReportStatus, ProgressStatus, ProgressUpdate
from agreements.period_xlsx import FIRST_DATA_ROW, ImportRefused, period_sheet_check, period_sheet_read, sheet_rows_dump
from agreements.periods import period_reports_open
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    ProgressUpdateFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date
AR = {"HTTP_ACCEPT_LANGUAGE": "ar"}


def _agreement(**kwargs):
    agreement = AgreementFactory(
        starts_on=D(2027, 1, 1),
        signed_on=D(2026, 12, 20),
        ends_on=D(2027, 12, 31),
        reporting_schedule="quarterly",
        **kwargs,
    )
    return agreement


@pytest.fixture
def due(settings, client):
    """A quarterly agreement with four partner commitments (by sex, by town, by age, none) and one
    of the charity's; its first quarter's reports opened; the partner's user logged in (Arabic)."""
    agreement = _agreement()
    clause = ClauseFactory(agreement=agreement, order=1, kind="training")
    other_clause = ClauseFactory(agreement=agreement, order=2, kind="volunteering")
    commitments = {
        "trainees": CommitmentFactory(
            clause=clause, party="partner", target_quantity=40, description_ar="تدريب 40 متدربًا", breakdown="sex"
        ),
        "workshops": CommitmentFactory(
            clause=clause,
            party="partner",
            target_quantity=10,
            unit="workshops",
            description_ar="ورش في بلدات المحافظة",
            breakdown="town",
        ),
        "youth": CommitmentFactory(
            clause=other_clause, party="partner", target_quantity=30, description_ar="متطوعون", breakdown="age"
        ),
        "events": CommitmentFactory(
            clause=other_clause, party="partner", target_quantity=4, unit="events", description_ar="فعاليات"
        ),
    }
    CommitmentFactory(clause=clause, party="charity", target_quantity=5, unit="events", description_ar="للجمعية")
    set_status(agreement, "active")
    settings.PORTAL_TODAY = "2027-04-05"
    settings.LANGUAGE_CODE = "ar"
    period_reports_open(today=D(2027, 4, 5))
    user = PartnerUserFactory(partner=agreement.partner)
    client.force_login(user)
    report = PeriodReport.objects.get(agreement=agreement, party="partner", number=1)
    return report, commitments, user


def download(client, report) -> bytes:
    response = client.get(reverse("portal:period_report_xlsx", args=[report.pk]), **AR)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


def fill(content: bytes, values: dict[int, dict[str, object]]) -> bytes:
    """The downloaded sheet with cells filled by commitment id and header text."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        for header, value in values.get(row[0].value, {}).items():
            row[headers.index(header)].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, report, content: bytes, name: str = "report.xlsx"):
    sheet = io.BytesIO(content)
    sheet.name = name
    return client.post(reverse("portal:period_report_upload", args=[report.pk]), {"sheet": sheet}, **AR)


def token_of(response) -> str:
    return response.context["token"]


def four_filled(commitments) -> dict[int, dict[str, object]]:
    c = commitments
    return {
        c["trainees"].pk: {"الكمية في هذه الفترة": 8, "ذكور": 3, "إناث": 5, "ملاحظة": "دفعة أولى"},
        c["workshops"].pk: {"الكمية في هذه الفترة": 2, "سيهات": 1, "صفوى": 1},
        c["youth"].pk: {"الكمية في هذه الفترة": "12", "دون 18 سنة": 4, "من 18 إلى 29 سنة": 8},
        c["events"].pk: {"الكمية في هذه الفترة": 1.0},
    }


def nothing_saved(report):
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE
    assert not ProgressUpdate.objects.exists()


# --- the sheet ---------------------------------------------------------------------------------


def test_the_sheet_is_arabic_right_to_left_with_the_partners_commitments_only(due, client):
    report, commitments, _user = due
    sheet = load_workbook(io.BytesIO(download(client, report))).active
    assert sheet.sheet_view.rightToLeft
    assert sheet["B1"].value == report.pk
    headers = [cell.value for cell in sheet[3]]
    assert headers[:7] == [
        "رقم الالتزام",
        "البند",
        "الالتزام",
        "الوحدة",
        "المستهدف",
        "المقبول حتى الآن",
        "الكمية في هذه الفترة",
    ]
    assert {"ذكور", "إناث", "سيهات", "دون 18 سنة"} <= set(headers) and headers[-1] == "ملاحظة"
    ids = [row[0].value for row in sheet.iter_rows(min_row=4)]
    assert sorted(ids) == sorted(c.pk for c in commitments.values())  # not the charity's
    # Only the cells to fill are unlocked; the breakdown a commitment does not ask for is locked.
    assert sheet.protection.sheet
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == commitments["events"].pk)
    assert not row[6].protection.locked and row[headers.index("ذكور")].protection.locked
    assert row[0].protection.locked
    assert sheet.data_validations.dataValidation[0].type == "whole"


# --- the round trip ----------------------------------------------------------------------------


def test_four_commitments_reported_at_once_after_a_preview_that_saves_nothing(due, client):
    report, commitments, user = due
    ProgressUpdateFactory(commitment=commitments["events"], amount=1, status=ProgressStatus.ACCEPTED)
    before = ProgressUpdate.objects.count()
    response = upload(client, report, fill(download(client, report), four_filled(commitments)))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ok and len(preview.reported) == 4
    assert ProgressUpdate.objects.count() == before  # the preview saves nothing
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE
    html = response.content.decode()
    assert "لا يُرسل شيء حتى تؤكد" in html

    confirm = client.post(
        reverse("portal:period_report_upload", args=[report.pk]),
        {"token": token_of(response), "narrative": "ربع أول حافل."},
        **AR,
    )
    assert confirm.status_code == 302
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.SUBMITTED and report.submitted_by == user
    assert report.narrative == "ربع أول حافل."
    updates = {u.commitment_id: u for u in ProgressUpdate.objects.filter(period_report=report)}
    c = commitments
    assert {pk: u.amount for pk, u in updates.items()} == {
        c["trainees"].pk: 8,
        c["workshops"].pk: 2,
        c["youth"].pk: 12,
        c["events"].pk: 1,
    }
    assert updates[c["trainees"].pk].breakdown == {"male": 3, "female": 5}
    assert updates[c["trainees"].pk].note == "دفعة أولى"
    assert updates[c["workshops"].pk].breakdown == {"saihat": 1, "safwa": 1}
    assert updates[c["youth"].pk].breakdown == {"under_18": 4, "18_29": 8}
    assert all(u.status == ProgressStatus.SUBMITTED and u.reported_on == D(2027, 3, 31) for u in updates.values())
    # Sent once: the same preview confirmed again is refused and adds nothing.
    again = client.post(
        reverse("portal:period_report_upload", args=[report.pk]),
        {"token": token_of(response), "narrative": "مرة ثانية"},
        follow=True,
        **AR,
    )
    assert "سبق إرسال تقرير هذه الفترة" in again.content.decode()
    assert ProgressUpdate.objects.filter(period_report=report).count() == 4


def test_evidence_is_attached_on_the_preview_page(due, client):
    report, commitments, _user = due
    filled = {commitments["events"].pk: {"الكمية في هذه الفترة": 1}}
    response = upload(client, report, fill(download(client, report), filled))
    assert f'name="c{commitments["events"].pk}-files"' in response.content.decode()
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pdf.name = "attendance.pdf"
    client.post(
        reverse("portal:period_report_upload", args=[report.pk]),
        {"token": token_of(response), "narrative": "فعالية", f"c{commitments['events'].pk}-files": pdf},
        **AR,
    )
    update = ProgressUpdate.objects.get(period_report=report)
    assert [e.original_name for e in update.evidence.all()] == ["attendance.pdf"]


def test_over_the_target_is_flagged_and_needs_the_confirmation(due, client):
    report, commitments, _user = due
    response = upload(
        client, report, fill(download(client, report), {commitments["events"].pk: {"الكمية في هذه الفترة": 9}})
    )
    preview = response.context["preview"]
    assert preview.ok and preview.over_target
    assert "يتجاوز المستهدف" in response.content.decode()
    url = reverse("portal:period_report_upload", args=[report.pk])
    refused = client.post(url, {"token": token_of(response), "narrative": "كثير"}, **AR)
    assert refused.status_code == 200 and "المستهدف" in refused.content.decode()
    nothing_saved(report)
    client.post(url, {"token": token_of(response), "narrative": "كثير", "confirm_over_target": "on"}, **AR)
    assert ProgressUpdate.objects.get(period_report=report).over_target_confirmed


# --- row-level errors --------------------------------------------------------------------------


def row_errors(response) -> dict[int, list[str]]:
    preview = response.context["preview"]
    return {row.commitment.pk if row.commitment else row.number: row.errors for row in preview.rows if row.errors}


def test_row_errors_are_shown_in_arabic_and_nothing_is_sent(due, client):
    report, commitments, user = due
    c = commitments
    filled = {
        c["trainees"].pk: {"الكمية في هذه الفترة": 8, "ذكور": 3, "إناث": 4},
        c["workshops"].pk: {"الكمية في هذه الفترة": "ثلاثة"},
        c["youth"].pk: {"الكمية في هذه الفترة": -2},
        c["events"].pk: {"الكمية في هذه الفترة": 1, "ذكور": 1},
    }
    response = upload(client, report, fill(download(client, report), filled))
    assert response.status_code == 200
    errors = row_errors(response)
    assert errors[c["trainees"].pk] == ["مجموع التوزيع (7) لا يساوي الكمية (8)."]
    assert "ليست عددًا صحيحًا" in errors[c["workshops"].pk][0] and "ثلاثة" in errors[c["workshops"].pk][0]
    assert "لا يمكن أن تكون سالبة" in errors[c["youth"].pk][0]
    assert "«ذكور» غير مطلوب لهذا الالتزام" in errors[c["events"].pk][0]
    html = response.content.decode()
    # Nothing to confirm: no button, no signed rows, no evidence inputs; the sheet is corrected and uploaded again.
    assert 'data-testid="period-xlsx-confirm"' not in html
    assert token_of(response) == "" and 'name="token"' not in html and '-files"' not in html
    # Rows signed anyway (as if the preview had been ok) are checked again on confirming.
    rows = period_sheet_read(report, fill(download(client, report), filled))
    token = signing.dumps(sheet_rows_dump(rows), salt=f"period-xlsx:{report.pk}:{user.pk}", compress=True)
    confirm = client.post(
        reverse("portal:period_report_upload", args=[report.pk]), {"token": token, "narrative": "x"}, **AR
    )
    assert confirm.status_code == 200
    assert "مجموع التوزيع (7) لا يساوي الكمية (8)." in confirm.content.decode()
    nothing_saved(report)


def test_a_tampered_id_and_another_partners_commitment_are_refused_alike(due, client):
    report, _commitments, _user = due
    stranger = _agreement()
    theirs = CommitmentFactory(clause=ClauseFactory(agreement=stranger, order=1), party="partner")
    set_status(stranger, "active")
    workbook = load_workbook(io.BytesIO(download(client, report)))
    sheet = workbook.active
    sheet["A4"].value, sheet["G4"].value = theirs.pk, 3
    sheet["A5"].value, sheet["G5"].value = 99999999, 1
    sheet["A6"].value, sheet["G6"].value = "12abc", 1
    out = io.BytesIO()
    workbook.save(out)
    response = upload(client, report, out.getvalue())
    errors = row_errors(response)
    assert errors[4] == [f"«{theirs.pk}» ليس رقم التزام في هذا التقرير."]
    assert errors[5] == ["«99999999» ليس رقم التزام في هذا التقرير."]
    assert errors[6] == ["«12abc» ليس رقم التزام في هذا التقرير."]
    html = response.content.decode()
    assert theirs.description_ar not in html
    nothing_saved(report)


def test_a_commitment_given_twice_is_a_row_error(due, client):
    report, _commitments, _user = due
    workbook = load_workbook(io.BytesIO(download(client, report)))
    sheet = workbook.active
    sheet["G4"].value = 1
    sheet.append([sheet["A4"].value, None, None, None, None, None, 1])
    out = io.BytesIO()
    workbook.save(out)
    errors = row_errors(upload(client, report, out.getvalue()))
    assert list(errors.values()) == [["هذا الالتزام مذكور في صف آخر أيضًا."]]
    nothing_saved(report)


# --- files refused whole -----------------------------------------------------------------------


def refused_with(response, text: str):
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert text in response.content.decode()


def test_a_sheet_for_another_period_is_refused(due, client, settings):
    report, commitments, _user = due
    other = PeriodReport.objects.create(
        agreement=report.agreement,
        party="partner",
        schedule="quarterly",
        number=2,
        starts_on=D(2027, 4, 1),
        ends_on=D(2027, 6, 30),
        due_on=D(2027, 7, 14),
    )
    sheet = fill(download(client, other), {commitments["events"].pk: {"الكمية في هذه الفترة": 1}})
    refused_with(upload(client, report, sheet), "هذا الجدول لتقرير فترة أخرى")
    nothing_saved(report)


def test_a_sheet_of_another_agreement_is_refused(due, client):
    report, _commitments, _user = due
    mine_too = _agreement(partner=report.agreement.partner)
    CommitmentFactory(clause=ClauseFactory(agreement=mine_too, order=1), party="partner")
    set_status(mine_too, "active")
    period_reports_open(today=D(2027, 4, 5))
    other = PeriodReport.objects.get(agreement=mine_too, party="partner")
    refused_with(upload(client, report, download(client, other)), "هذا الجدول لتقرير فترة أخرى")
    nothing_saved(report)


def test_a_sheet_without_the_headers_is_refused(due, client):
    report, _commitments, _user = due
    workbook = load_workbook(io.BytesIO(download(client, report)))
    workbook.active.delete_rows(3)
    out = io.BytesIO()
    workbook.save(out)
    refused_with(upload(client, report, out.getvalue()), "ليس في الجدول صف عناوين فيه العمود «رقم الالتزام»")
    plain = Workbook()
    plain.active.append(["a", "b"])
    plain.active.append([1, 2])
    out = io.BytesIO()
    plain.save(out)
    refused_with(upload(client, report, out.getvalue()), "ليس جدول تقرير فترة من البوابة")
    nothing_saved(report)


def test_a_csv_renamed_xlsx_is_refused(due, client):
    report, commitments, _user = due
    csv = f"رقم الالتزام,الكمية في هذه الفترة\n{commitments['events'].pk},1\n".encode()
    refused_with(upload(client, report, csv, name="report.xlsx"), "هذا ليس ملف XLSX")
    nothing_saved(report)


def test_a_10_mb_file_is_refused_before_it_is_read(due, client):
    report, _commitments, _user = due
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("noise.bin", bytes(range(256)) * (10 * 1024 * 4))
    assert len(out.getvalue()) > 10 * 1024 * 1024
    refused_with(upload(client, report, out.getvalue()), "الملف أكبر من المسموح")
    nothing_saved(report)


def test_a_small_file_that_unpacks_past_the_import_limit_is_refused(due, client, settings):
    report, _commitments, _user = due
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (settings.IMPORT_MAX_BYTES + 1))
    assert len(out.getvalue()) < 1024 * 1024
    refused_with(upload(client, report, out.getvalue()), "الملف أكبر من أن يُستورد")
    nothing_saved(report)


def test_an_empty_sheet_says_so(due, client):
    report, _commitments, _user = due
    response = upload(client, report, download(client, report))
    assert "لا يذكر الجدول أي كمية" in response.content.decode()
    assert 'data-testid="period-xlsx-confirm"' not in response.content.decode()


def test_a_changed_preview_token_is_refused(due, client):
    report, commitments, _user = due
    response = upload(client, report, fill(download(client, report), four_filled(commitments)))
    token = token_of(response)
    forged = client.post(
        reverse("portal:period_report_upload", args=[report.pk]),
        {"token": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), "narrative": "x"},
        follow=True,
        **AR,
    )
    assert "انتهت صلاحية هذه المعاينة أو تغيرت" in forged.content.decode()
    nothing_saved(report)


# --- isolation ---------------------------------------------------------------------------------


def test_another_partners_user_gets_a_404_for_the_sheet_and_the_upload(due, client):
    report, commitments, _user = due
    content = fill(download(client, report), four_filled(commitments))
    response = upload(client, report, content)
    token = token_of(response)
    client.force_login(PartnerUserFactory())
    assert client.get(reverse("portal:period_report_xlsx", args=[report.pk])).status_code == 404
    assert upload(client, report, content).status_code == 404
    confirm = client.post(reverse("portal:period_report_upload", args=[report.pk]), {"token": token, "narrative": "x"})
    assert confirm.status_code == 404
    charity_side = PeriodReport.objects.get(agreement=report.agreement, party="charity")
    client.force_login(_user)
    assert client.get(reverse("portal:period_report_xlsx", args=[charity_side.pk])).status_code == 404
    nothing_saved(report)


def test_the_period_report_page_links_the_sheet_while_due(due, client):
    report, _commitments, _user = due
    html = client.get(reverse("portal:period_report", args=[report.pk]), **AR).content.decode()
    assert reverse("portal:period_report_xlsx", args=[report.pk]) in html
    assert reverse("portal:period_report_upload", args=[report.pk]) in html


# --- anything a sheet may hold -----------------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    # What a spreadsheet can hold: no control characters (openpyxl refuses them), no formulas.
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30).filter(lambda t: not t.startswith("=")),
    st.sampled_from(["٨", " 8 ", "8.5", "-0", "1e3", "٣٠٠"]),
)


@hypothesis.settings(
    max_examples=40, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(cells=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=1, max_size=6))
def test_whatever_the_cells_hold_the_check_answers_without_failing(due, client, cells):
    """Quantity, a breakdown count, the note and the id hold anything: a preview or row errors, never a crash."""
    report, _commitments, _user = due
    workbook = load_workbook(io.BytesIO(download(client, report)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[3]]
    columns = [headers.index(h) + 1 for h in ("الكمية في هذه الفترة", "ذكور", "ملاحظة", "رقم الالتزام")]
    for offset, values in enumerate(cells):
        for column, value in zip(columns, values, strict=True):
            sheet.cell(row=FIRST_DATA_ROW + offset, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    preview = period_sheet_check(report, period_sheet_read(report, out.getvalue()))
    for row in preview.rows:
        if not row.errors and row.commitment:
            assert isinstance(row.amount, int) and 0 <= row.amount <= 1_000_000
            assert sum(row.breakdown.values()) in (0, row.amount)
    assert not ProgressUpdate.objects.exists()


@hypothesis.settings(
    max_examples=40, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(content=st.binary(max_size=2000), zipped=st.booleans())
def test_whatever_the_bytes_the_reader_refuses_with_a_message(due, content, zipped):
    report, _commitments, _user = due
    if zipped:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("xl/workbook.xml", content)
            archive.writestr("[Content_Types].xml", content[::-1])
        content = out.getvalue()
    with pytest.raises(ImportRefused) as refused:
        period_sheet_read(report, content)
    assert str(refused.value)


def test_a_damaged_workbook_is_refused_with_a_message_wherever_the_damage(due):
    """Each fourth byte of a workbook flipped two ways: the reader refuses each with a message."""
    report, _commitments, _user = due
    workbook = Workbook()
    workbook.active.append(["تقرير الفترة", report.pk])
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    for index in range(0, len(data), 4):
        for flip in (0xFF, 0x80):
            damaged = bytearray(data)
            damaged[index] ^= flip
            try:
                period_sheet_read(report, bytes(damaged))
            except ImportRefused as refused:
                assert str(refused)


def test_a_sheet_downloaded_in_english_is_read_on_the_arabic_page(due, client, settings):
    report, commitments, _user = due
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("portal:period_report_xlsx", args=[report.pk]))
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert not sheet.sheet_view.rightToLeft
    headers = [cell.value for cell in sheet[3]]
    assert headers[0] == "Commitment no." and "Male" in headers
    workbook = load_workbook(io.BytesIO(response.content))
    for row in workbook.active.iter_rows(min_row=4):
        if row[0].value == commitments["trainees"].pk:
            row[headers.index("Quantity in this period")].value = 2
            row[headers.index("Male")].value = 2
    out = io.BytesIO()
    workbook.save(out)
    preview = upload(client, report, out.getvalue()).context["preview"]
    assert preview.ok and [(r.commitment, r.amount, r.breakdown) for r in preview.reported] == [
        (commitments["trainees"], 2, {"male": 2})
    ]
