"""The board report (#20): figures in the PDF's text equal the accepted sums, Arabic and English,
staff only, bad periods refused in Arabic, the file kept and downloaded privately."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import AgreementStatus, ClauseKind, ProgressStatus, ProgressUpdate, Unit
from common import dates
from common.dates import Calendar
from partners.models import CharityProfile
from reports.board import BoardPeriod, board_figures, board_report_make, board_report_pdf
from reports.models import BoardPart, BoardReport, BoardReportStatus
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    PartnerUserFactory,
    ProgressUpdateFactory,
    StaffFactory,
    set_status,
)

Q2_2027 = BoardPeriod(Calendar.GREGORIAN, 2027, BoardPart.Q2)


def pdf_text(pdf: bytes, tmp_path, *, layout: bool = True) -> str:
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def unmarked(text: str) -> str:
    """The text without the direction marks pdftotext writes around runs."""
    return re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)


def squeezed(text: str) -> str:
    """The text without spaces and without the direction marks pdftotext writes around runs."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


@pytest.fixture
def partnership(db):
    """One active agreement; a training commitment by sex with accepted, pending, returned and
    out-of-period updates; an awareness commitment by town; a third agreement's draft is left out."""
    profile = CharityProfile.load()
    profile.name_ar, profile.name_en = "جمعية القطيف الخيرية", "Qatif Charity"
    profile.save()
    partner = PartnerFactory(
        name_ar="جمعية تنمية الموارد البشرية بسيهات", name_en="Human Resources Development Association in Saihat"
    )
    agreement = AgreementFactory(partner=partner, title_ar="شراكة التدريب والتوظيف", title_en="Training partnership")
    training = CommitmentFactory(
        clause=ClauseFactory(agreement=agreement, order=1, kind=ClauseKind.TRAINING),
        description_ar="تدريب الشباب على مهارات العمل",
        description_en="Train young people in work skills",
        target_quantity=40,
        unit=Unit.TRAINEES,
        breakdown="sex",
    )
    awareness = CommitmentFactory(
        clause=ClauseFactory(agreement=agreement, order=2, kind=ClauseKind.AWARENESS),
        description_ar="ورش توعوية عن ثقافة العمل",
        description_en="Awareness workshops on work culture",
        target_quantity=9,
        unit=Unit.WORKSHOPS,
        breakdown="town",
    )
    rows = [
        (training, datetime.date(2027, 1, 15), 7, ProgressStatus.ACCEPTED, {"male": 3, "female": 4}),
        (training, datetime.date(2027, 4, 10), 11, ProgressStatus.ACCEPTED, {"male": 5, "female": 6}),
        (training, datetime.date(2027, 6, 30), 13, ProgressStatus.ACCEPTED, {"male": 8, "female": 5}),
        (training, datetime.date(2027, 5, 1), 17, ProgressStatus.SUBMITTED, {"male": 17}),
        (training, datetime.date(2027, 5, 2), 19, ProgressStatus.RETURNED, {"female": 19}),
        (training, datetime.date(2027, 7, 1), 23, ProgressStatus.ACCEPTED, {"male": 23}),
        (awareness, datetime.date(2027, 4, 1), 6, ProgressStatus.ACCEPTED, {"saihat": 4, "safwa": 2}),
    ]
    for commitment, day, amount, status, breakdown in rows:
        ProgressUpdateFactory(commitment=commitment, reported_on=day, amount=amount, status=status, breakdown=breakdown)
    set_status(agreement, AgreementStatus.ACTIVE)
    draft = AgreementFactory(title_ar="مسودة لا تظهر في التقرير")
    CommitmentFactory(clause=ClauseFactory(agreement=draft, order=1), description_ar="التزام في مسودة")
    return {"agreement": agreement, "training": training, "awareness": awareness}


def accepted(commitment, since: datetime.date | None, until: datetime.date) -> int:
    rows = ProgressUpdate.objects.filter(commitment=commitment, status=ProgressStatus.ACCEPTED, reported_on__lte=until)
    if since:
        rows = rows.filter(reported_on__gte=since)
    return rows.aggregate(total=Sum("amount"))["total"] or 0


def figures_line(text: str, words: str) -> list[int]:
    """The whole numbers on the PDF text line that holds `words` (the commitment's row)."""
    for line in text.splitlines():
        if words in line or words[::-1] in line:
            return [int(n) for n in re.findall(r"\d+", line)]
    raise AssertionError(f"{words!r} not in the PDF text")


def test_periods_are_computed_in_either_calendar():
    assert (Q2_2027.starts_on, Q2_2027.ends_on) == (datetime.date(2027, 4, 1), datetime.date(2027, 6, 30))
    hijri = BoardPeriod(Calendar.HIJRI, 1448, BoardPart.YEAR)
    # 1 Muharram 1448 to 29 Dhu al-Hijjah 1448 (Umm al-Qura).
    assert (hijri.starts_on, hijri.ends_on) == (datetime.date(2026, 6, 16), datetime.date(2027, 6, 5))
    h2 = BoardPeriod(Calendar.HIJRI, 1448, BoardPart.H2)
    assert h2.ends_on == hijri.ends_on and h2.starts_on > hijri.starts_on


def test_figures_count_only_accepted_updates_in_the_period(partnership):
    start, end = Q2_2027.starts_on, Q2_2027.ends_on
    [shown] = board_figures(Q2_2027)
    training, awareness = (row for block in shown.kinds for row in block.rows)
    assert training.in_period == accepted(partnership["training"], start, end) == 24
    assert training.to_date == accepted(partnership["training"], None, end) == 31
    assert (training.pending, training.returned) == (17, 19)
    assert training.beneficiaries == {"male": 13, "female": 11}
    assert (awareness.in_period, awareness.to_date, awareness.beneficiaries) == (6, 6, {"saihat": 4, "safwa": 2})
    # Bars are shares of each commitment's own target, never units added together.
    with translation.override("en"):
        assert training.bars == {"before_x": 0, "before_width": 17, "period_x": 17, "period_width": 60}
    with translation.override("ar"):
        assert training.bars == {"before_x": 83, "before_width": 17, "period_x": 23, "period_width": 60}


def test_the_figures_take_three_queries_at_any_number_of_partnerships(partnership, django_assert_num_queries):
    # 1. the signed agreements meeting the period, with their partners; 2. their current
    # commitments with clauses; 3. the progress updates up to the period's end.
    with django_assert_num_queries(3):
        assert len(board_figures(Q2_2027)) == 1
    for _ in range(3):
        agreement = AgreementFactory()
        commitment = CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=1, kind=ClauseKind.JOBS))
        ProgressUpdateFactory(commitment=commitment, reported_on=datetime.date(2027, 5, 5))
        set_status(agreement, AgreementStatus.ACTIVE)
    with django_assert_num_queries(3):
        assert len(board_figures(Q2_2027)) == 4


def test_the_last_years_of_each_calendar_still_print_both_calendars():
    with translation.override("ar"):
        for period in (BoardPeriod(Calendar.HIJRI, 1499, BoardPart.Q4), BoardPeriod(Calendar.GREGORIAN, 2076, "q4")):
            assert dates.hijri(period.ends_on) and period.ends_on > period.starts_on


def test_the_arabic_pdf_shows_the_accepted_sums_and_extracts_whole(partnership, tmp_path):
    pdf = board_report_pdf(period=Q2_2027, language="ar", requested_by="أسامة الزاير")
    text = unmarked(pdf_text(pdf, tmp_path))
    flat = squeezed(pdf_text(pdf, tmp_path, layout=False))
    for words in (
        "جمعيةالقطيفالخيرية",
        "تقريرمجلسالإدارة",
        "بانتظارالمراجعة",
        "المعادللتصحيح",
        "جمعيةتنميةالمواردالبشريةبسيهات",
        "شراكةالتدريبوالتوظيف",
        "تدريبالشبابعلىمهاراتالعمل",
        "الربعالثاني",
        partnership["agreement"].reference.replace(" ", ""),
    ):
        assert words in flat, words
    # The period in both calendars on the cover: 1 April 2027 is 23 Shawwal 1448.
    assert re.search("1[أإ]بريل2027", flat) and "24شوال1448" in flat and "25محرم1449" in flat, flat
    # Target, in the period, to date, awaiting review, sent back: the row's figures, in some order.
    assert sorted(figures_line(text, "تدريب الشباب")) == sorted([40, 24, 31, 17, 19])
    assert sorted(figures_line(text, "ورش توعوية")) == sorted([9, 6, 6, 0, 0])
    assert "مسودة" not in flat and "23" not in figures_line(text, "تدريب الشباب")
    # Beneficiaries by sex: 13 men and 11 women accepted in the period.
    assert re.search(r"ذكور\W{0,3}13", squeezed(text)) and re.search(r"إناث\W{0,3}11", squeezed(text)), text


def test_the_english_pdf_says_the_same_in_english(partnership, tmp_path):
    pdf = board_report_pdf(period=Q2_2027, language="en")
    text = pdf_text(pdf, tmp_path)
    for words in (
        "Qatif Charity",
        "Board report",
        "Second quarter 2027",
        "Human Resources Development Association",
        "Training partnership",
        "Qualification and training services",
        "Awareness programmes",
    ):
        assert words in text, words
    assert figures_line(text, "Train young")[:5] == [40, 24, 31, 17, 19]
    assert figures_line(text, "Awareness workshops")[:5] == [9, 6, 6, 0, 0]
    assert "Male 13" in text and "Female 11" in text
    assert "Saihat 4" in text and "Safwa 2" in text


def test_staff_ask_for_a_report_and_download_the_stored_pdf(
    partnership, client, tmp_path, django_capture_on_commit_callbacks
):
    staff = StaffFactory(first_name="Sara")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("board_reports:list"), {"calendar": "gregorian", "year": "2027", "part": "q2", "language": "ar"}
        )
    assert response.status_code == 302
    report = BoardReport.objects.get()
    # The task ran (in-process in this test; tests/integration/test_board_worker.py runs the worker).
    assert report.status == BoardReportStatus.DONE and report.requested_by == staff
    assert (report.starts_on, report.ends_on) == (Q2_2027.starts_on, Q2_2027.ends_on)
    assert report.file.name.startswith("board/") and len(report.sha256) == 64
    page = client.get(reverse("board_reports:list")).content.decode()
    assert reverse("board_reports:download", args=[report.pk]) in page
    download = client.get(reverse("board_reports:download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "تدريبالشبابعلىمهاراتالعمل" in squeezed(pdf_text(download.content, tmp_path, layout=False))
    # A second run of the task finds the report no longer queued and changes nothing.
    assert board_report_make(report_id=report.pk) is False


def test_a_report_left_running_by_a_dead_worker_is_taken_again_after_the_time_limit(partnership, settings):
    period = {"calendar": "gregorian", "year": 2027, "part": "q2", "language": "en"}
    dates_ = {"starts_on": Q2_2027.starts_on, "ends_on": Q2_2027.ends_on}
    staff = StaffFactory()
    now = timezone.now()
    fresh = BoardReport.objects.create(requested_by=staff, status="running", started_at=now, **period, **dates_)
    stale = BoardReport.objects.create(
        requested_by=staff,
        status="running",
        started_at=now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1),
        **period,
        **dates_,
    )
    assert board_report_make(report_id=fresh.pk) is False
    assert board_report_make(report_id=stale.pk) is True
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, stale.status) == (BoardReportStatus.RUNNING, BoardReportStatus.DONE)


def test_a_partner_user_can_neither_ask_for_nor_download_a_board_report(partnership, client):
    report = BoardReport.objects.create(
        requested_by=StaffFactory(),
        calendar="gregorian",
        year=2027,
        part="q2",
        language="ar",
        starts_on=Q2_2027.starts_on,
        ends_on=Q2_2027.ends_on,
    )
    board_report_make(report_id=report.pk)
    client.force_login(PartnerUserFactory(partner=partnership["agreement"].partner))
    assert client.get(reverse("board_reports:list")).status_code == 404
    asked = client.post(reverse("board_reports:list"), {"calendar": "gregorian", "year": "2027", "part": "q2"})
    assert asked.status_code == 404
    assert client.get(reverse("board_reports:download", args=[report.pk])).status_code == 404
    assert client.get(reverse("board_reports:table")).status_code == 404
    assert BoardReport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"calendar": "hijri", "year": "2027"}, "السنة الهجرية لتقرير مجلس الإدارة بين 1421 و1499."),
        ({"calendar": "gregorian", "year": "1448"}, "السنة الميلادية لتقرير مجلس الإدارة بين 2000 و2076."),
        ({"calendar": "gregorian", "year": "٢٠٢٧x"}, "أدخل السنة عددًا صحيحًا، مثل 2027 أو 1448."),
        ({"calendar": "gregorian", "year": ""}, "أدخل سنة التقرير."),
    ],
)
def test_a_bad_period_is_refused_in_arabic_and_nothing_is_queued(client, db, data, message):
    client.force_login(StaffFactory())
    response = client.post(
        reverse("board_reports:list"), {"part": "year", "language": "ar", **data}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BoardReport.objects.exists()


def test_an_unknown_part_or_language_is_refused(client, db):
    client.force_login(StaffFactory())
    response = client.post(
        reverse("board_reports:list"), {"calendar": "julian", "year": "2027", "part": "q5", "language": "fr"}
    )
    assert response.status_code == 400
    assert not BoardReport.objects.exists()
