"""Reporting periods (issue 20): computed in the term's calendar, opened once when they end,
reported once per party, with beneficiary breakdowns that add up, and seen only by their partner."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from hijridate import Hijri
from PIL import Image

from agreements.breakdowns import QATIF_TOWNS, BreakdownKind, breakdown_clean
from agreements.models import PeriodReport, PeriodReportStatus, ProgressStatus, ProgressUpdate, reporting_periods
from agreements.periods import period_reports_open
from common import dates
from common.dates import Calendar
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

D = datetime.date
DAY = datetime.timedelta(days=1)


def spans(periods):
    return [(p.number, p.starts_on, p.ends_on) for p in periods]


# --- computation -----------------------------------------------------------------------------


def test_gregorian_quarters_of_a_calendar_year():
    periods = reporting_periods(D(2027, 1, 1), D(2027, 12, 31), "quarterly")
    assert spans(periods) == [
        (1, D(2027, 1, 1), D(2027, 3, 31)),
        (2, D(2027, 4, 1), D(2027, 6, 30)),
        (3, D(2027, 7, 1), D(2027, 9, 30)),
        (4, D(2027, 10, 1), D(2027, 12, 31)),
    ]
    # Due two weeks (PERIOD_REPORT_GRACE_DAYS) after the period ends.
    assert periods[0].due_on == D(2027, 4, 14)


def test_quarters_from_mid_month_and_a_short_last_period():
    periods = reporting_periods(D(2027, 1, 15), D(2027, 8, 31), "quarterly")
    assert spans(periods) == [
        (1, D(2027, 1, 15), D(2027, 4, 14)),
        (2, D(2027, 4, 15), D(2027, 7, 14)),
        (3, D(2027, 7, 15), D(2027, 8, 31)),
    ]


def test_an_agreement_shorter_than_one_period_is_one_period():
    periods = reporting_periods(D(2027, 1, 1), D(2027, 2, 15), "half_yearly")
    assert spans(periods) == [(1, D(2027, 1, 1), D(2027, 2, 15))]


def test_no_schedule_no_periods():
    assert reporting_periods(D(2027, 1, 1), D(2027, 12, 31), "") == []


def test_hijri_quarters_follow_the_umm_al_qura_months():
    start = Hijri(1449, 1, 1).to_gregorian()
    end = Hijri(1450, 1, 1).to_gregorian() - DAY
    periods = reporting_periods(start, end, "quarterly", Calendar.HIJRI)
    expected_starts = [Hijri(1449, month, 1).to_gregorian() for month in (1, 4, 7, 10)]
    assert [p.starts_on for p in periods] == expected_starts
    assert [p.ends_on for p in periods] == [*(s - DAY for s in expected_starts[1:]), end]
    # Hijri quarters are 88 or 89 days, never the Gregorian 90-92.
    assert all(87 <= (p.ends_on - p.starts_on).days <= 89 for p in periods)


def test_leap_february_monthly():
    periods = reporting_periods(D(2028, 1, 1), D(2028, 3, 31), "monthly")
    assert spans(periods)[1] == (2, D(2028, 2, 1), D(2028, 2, 29))


def test_label_names_the_period_in_both_calendars():
    period = reporting_periods(D(2027, 1, 1), D(2027, 12, 31), "quarterly")[1]
    with translation.override("ar"):
        label = period.label
        start, end = dates.gregorian(D(2027, 4, 1)), dates.hijri(D(2027, 6, 30))
    assert label.startswith("الربع 2: ")
    assert start in label and "يونيو 2027" in label
    assert end in label and end.endswith("هـ")  # the Hijri range beside the Gregorian


# --- opening reports -------------------------------------------------------------------------


@pytest.fixture
def quarterly(db):
    agreement = AgreementFactory(
        starts_on=D(2027, 1, 1), signed_on=D(2026, 12, 20), ends_on=D(2027, 12, 31), reporting_schedule="quarterly"
    )
    clause = ClauseFactory(agreement=agreement, order=1)
    trainees = CommitmentFactory(
        clause=clause, party="partner", target_quantity=40, description_ar="تدريب 40 متدربًا", breakdown="sex"
    )
    towns = CommitmentFactory(
        clause=clause, party="partner", target_quantity=10, unit="workshops", description_ar="ورش", breakdown="town"
    )
    CommitmentFactory(clause=clause, party="charity", target_quantity=5, unit="events", description_ar="فعاليات")
    set_status(agreement, "active")
    return agreement, trainees, towns


def test_reports_open_once_when_the_period_ends_for_each_party(quarterly):
    agreement, *_ = quarterly
    assert period_reports_open(today=D(2027, 3, 31)) == []  # the quarter's last day: not ended yet
    opened = period_reports_open(today=D(2027, 4, 1))
    assert sorted((r.party, r.number) for r in opened) == [("charity", 1), ("partner", 1)]
    assert period_reports_open(today=D(2027, 4, 1)) == []
    assert period_reports_open(today=D(2027, 4, 2)) == []
    report = PeriodReport.objects.get(agreement=agreement, party="partner")
    assert (report.starts_on, report.ends_on, report.due_on) == (D(2027, 1, 1), D(2027, 3, 31), D(2027, 4, 14))


def test_drafts_and_unscheduled_agreements_open_nothing(quarterly):
    agreement, *_ = quarterly
    set_status(agreement, "draft")
    other = AgreementFactory(starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31))
    CommitmentFactory(clause=ClauseFactory(agreement=other, order=1))
    set_status(other, "active")
    assert period_reports_open(today=D(2027, 7, 1)) == []


# --- breakdowns ------------------------------------------------------------------------------


def test_breakdown_must_add_up_to_the_quantity_with_an_arabic_message():
    assert breakdown_clean("sex", {"male": 3, "female": 5}, 8) == {"male": 3, "female": 5}
    assert breakdown_clean("town", {"saihat": 0, "safwa": 2, "qatif": None}, 2) == {"safwa": 2}
    with translation.override("ar"), pytest.raises(ValidationError) as error:
        breakdown_clean("sex", {"male": 3, "female": 4}, 8)
    assert error.value.messages == ["مجموع التوزيع (7) لا يساوي الكمية (8)."]
    with pytest.raises(ValidationError):
        breakdown_clean("sex", {"unknown": 8}, 8)
    with pytest.raises(ValidationError):
        breakdown_clean("age", {"under_18": -1, "18_29": 9}, 8)
    assert breakdown_clean(BreakdownKind.NONE, {}, 8) == {}


def test_the_towns_are_kept_in_one_list_with_the_ones_the_charity_names():
    with translation.override("ar"):
        names = {str(label) for _key, label in QATIF_TOWNS}
    assert {"القطيف", "سيهات", "صفوى", "تاروت", "عنك", "الجش", "أم الساهك", "العوامية", "القديح", "الربيعية"} <= names


# --- the form --------------------------------------------------------------------------------


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def due_report(quarterly, settings, client):
    agreement, trainees, towns = quarterly
    settings.PORTAL_TODAY = "2027-04-05"
    period_reports_open(today=D(2027, 4, 5))
    user = PartnerUserFactory(partner=agreement.partner, email="dean@college.example")
    client.force_login(user)
    report = PeriodReport.objects.get(agreement=agreement, party="partner", number=1)
    return report, trainees, towns, user


def form_data(trainees, towns, **overrides):
    data = {
        "narrative": "دربنا ثمانية متدربين وأقمنا ورشتين.",
        f"c{trainees.pk}-amount": 8,
        f"c{trainees.pk}-b_male": 3,
        f"c{trainees.pk}-b_female": 5,
        f"c{towns.pk}-amount": 2,
        f"c{towns.pk}-b_saihat": 1,
        f"c{towns.pk}-b_safwa": 1,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_partner_reports_a_period_with_breakdowns_and_a_photo(due_report, client):
    report, trainees, towns, user = due_report
    url = reverse("portal:period_report", args=[report.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'capture="environment"' in html and 'accept="image/jpeg,image/png"' in html
    response = client.post(url, form_data(trainees, towns, **{f"c{trainees.pk}-photo": png()}))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.SUBMITTED and report.submitted_by == user
    updates = {u.commitment_id: u for u in ProgressUpdate.objects.filter(period_report=report)}
    assert updates[trainees.pk].amount == 8 and updates[trainees.pk].breakdown == {"male": 3, "female": 5}
    assert updates[towns.pk].breakdown == {"saihat": 1, "safwa": 1}
    assert all(u.status == ProgressStatus.SUBMITTED for u in updates.values())
    assert [e.original_name for e in updates[trainees.pk].evidence.all()] == ["photo.png"]
    assert updates[trainees.pk].reported_on == D(2027, 3, 31)
    assert timezone.localdate(report.submitted_at) == D(2027, 4, 5)  # the portal's day


def test_a_breakdown_that_does_not_add_up_is_refused_in_arabic_and_saves_nothing(due_report, client):
    report, trainees, towns, _user = due_report
    url = reverse("portal:period_report", args=[report.pk])
    data = form_data(trainees, towns, **{f"c{trainees.pk}-b_female": 4})
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert "مجموع التوزيع (7) لا يساوي الكمية (8)" in response.content.decode()
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE
    assert not ProgressUpdate.objects.exists()


def test_a_bad_evidence_file_refuses_the_whole_report_naming_the_file(due_report, client):
    report, trainees, towns, _user = due_report
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a document", content_type="application/pdf")
    response = client.post(
        reverse("portal:period_report", args=[report.pk]), form_data(trainees, towns, **{f"c{towns.pk}-files": bad})
    )
    assert response.status_code == 200
    assert "virus.exe" in response.content.decode()
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE
    assert not ProgressUpdate.objects.exists()


def test_a_second_submission_is_refused_and_changes_nothing(due_report, client):
    report, trainees, towns, _user = due_report
    url = reverse("portal:period_report", args=[report.pk])
    client.post(url, form_data(trainees, towns))
    response = client.post(url, form_data(trainees, towns, narrative="مرة ثانية"), follow=True)
    assert "سبق إرسال تقرير هذه الفترة" in response.content.decode()
    assert ProgressUpdate.objects.count() == 2
    report.refresh_from_db()
    assert report.narrative == "دربنا ثمانية متدربين وأقمنا ورشتين."


def test_evidence_without_a_quantity_is_refused(due_report, client):
    report, trainees, towns, _user = due_report
    data = form_data(trainees, towns, **{f"c{towns.pk}-amount": None, f"c{towns.pk}-b_saihat": None})
    data[f"c{towns.pk}-b_safwa"] = ""
    data[f"c{towns.pk}-photo"] = png()
    response = client.post(reverse("portal:period_report", args=[report.pk]), data)
    assert response.status_code == 200
    assert not ProgressUpdate.objects.exists()


# --- isolation -------------------------------------------------------------------------------


def test_another_partner_cannot_open_or_submit_the_report(due_report, client):
    report, trainees, towns, _user = due_report
    client.force_login(PartnerUserFactory())
    url = reverse("portal:period_report", args=[report.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(trainees, towns)).status_code == 404
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE


def test_the_partner_never_sees_the_charitys_side(due_report, client):
    report, *_ = due_report
    charity_side = PeriodReport.objects.get(agreement=report.agreement, party="charity")
    assert client.get(reverse("portal:period_report", args=[charity_side.pk])).status_code == 404


def test_portal_home_lists_the_reports_due(due_report, client):
    report, *_ = due_report
    page = client.get(reverse("portal:agreement", args=[report.agreement.reference])).content.decode()
    assert 'data-testid="reporting-schedule">ربع سنوي<' in page
    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:period_report", args=[report.pk]) in html
    charity_side = PeriodReport.objects.get(agreement=report.agreement, party="charity")
    assert reverse("portal:period_report", args=[charity_side.pk]) not in html


# --- the late-reports queue ------------------------------------------------------------------


def test_staff_see_late_reports_with_days_late_and_filter_them(quarterly, settings, client):
    agreement, *_ = quarterly
    period_reports_open(today=D(2027, 4, 1))
    other = AgreementFactory(
        starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31), reporting_schedule="monthly", title_ar="أخرى"
    )
    CommitmentFactory(clause=ClauseFactory(agreement=other, order=1), party="partner")
    set_status(other, "active")
    period_reports_open(today=D(2027, 2, 1))
    settings.PORTAL_TODAY = "2027-04-20"  # the first quarter was due on 14 April: 6 days late
    client.force_login(StaffFactory())
    url = reverse("agreements:late_reports")
    with translation.override("ar"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    partner_q1 = PeriodReport.objects.get(agreement=agreement, party="partner")
    assert f'data-testid="late-{partner_q1.pk}"' in html
    assert "6 أيام" in html
    filtered = client.get(url, {"partner": other.partner_id}).content.decode()
    assert f'data-testid="late-{partner_q1.pk}"' not in filtered
    monthly = PeriodReport.objects.get(agreement=other)
    assert f'data-testid="late-{monthly.pk}"' in filtered
    only_charity = client.get(url, {"party": "charity"}).content.decode()
    assert f'data-testid="late-{partner_q1.pk}"' not in only_charity
    # Sent reports leave the queue.
    PeriodReport.objects.filter(pk=partner_q1.pk).update(status="submitted")
    assert f'data-testid="late-{partner_q1.pk}"' not in client.get(url).content.decode()


def test_partner_users_cannot_open_the_late_queue(due_report, client):
    assert client.get(reverse("agreements:late_reports")).status_code in (403, 404)


def test_reports_come_back_with_their_ids_and_go_with_their_agreement(quarterly):
    agreement, trainees, _towns = quarterly
    opened = period_reports_open(today=D(2027, 4, 1))
    assert all(report.pk for report in opened)
    ProgressUpdate.objects.create(
        commitment=trainees, reported_on=D(2027, 3, 31), amount=1, reported_by=agreement.owner, period_report=opened[0]
    )
    type(agreement).objects.filter(pk=agreement.pk).delete()
    assert not PeriodReport.objects.exists()


def test_the_reviewer_sees_the_breakdown_and_reviews_each_quantity(due_report, client):
    report, trainees, towns, _user = due_report
    client.post(reverse("portal:period_report", args=[report.pk]), form_data(trainees, towns))
    client.force_login(report.agreement.owner)
    html = client.get(reverse("agreements:progress_queue")).content.decode()
    assert "ذكور 3 · إناث 5" in html and "سيهات 1 · صفوى 1" in html
    update = ProgressUpdate.objects.get(period_report=report, commitment=towns)
    client.post(reverse("agreements:progress_review", args=[update.pk]), {"decision": "accept", "comment": ""})
    update.refresh_from_db()
    assert update.status == ProgressStatus.ACCEPTED
    assert ProgressUpdate.objects.get(period_report=report, commitment=trainees).status == ProgressStatus.SUBMITTED


def test_staff_set_the_schedule_and_send_the_charitys_own_report(due_report, client):
    report, *_ = due_report
    staff = StaffFactory()
    client.force_login(staff)
    charity_side = PeriodReport.objects.get(agreement=report.agreement, party="charity")
    events = charity_side.agreement.clauses.get().commitments.get(party="charity")
    response = client.post(
        reverse("agreements:period_report", args=[charity_side.pk]),
        {"narrative": "أقمنا فعاليتين.", f"c{events.pk}-amount": 2},
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(period_report=charity_side).amount == 2
    page = client.get(reverse("agreements:detail", args=[report.agreement.reference])).content.decode()
    # The schedule, then (for staff editors of a running agreement) the form that changes it.
    assert 'data-testid="reporting-schedule">ربع سنوي\n' in page
    assert 'id="period-reports"' in page


def test_the_agreement_form_offers_the_schedules():
    from agreements.forms import AgreementForm, CommitmentForm

    assert [value for value, _label in AgreementForm().fields["reporting_schedule"].choices] == [
        "",
        "monthly",
        "quarterly",
        "half_yearly",
        "yearly",
    ]
    assert "breakdown" in CommitmentForm().fields


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("schedule", "calendar"), [("monthly", "hijri"), ("monthly", "gregorian"), ("yearly", "hijri")]
)
def test_walked_day_by_day_each_period_opens_the_day_after_it_ends(schedule, calendar):
    # A Hijri year from 1 Muharram 1449, or 15 months from 31 January 2027 (short months, a short last period).
    if calendar == "hijri":
        starts_on, ends_on = Hijri(1449, 1, 1).to_gregorian(), Hijri(1450, 1, 15).to_gregorian()
    else:
        starts_on, ends_on = D(2027, 1, 31), D(2028, 4, 20)
    agreement = AgreementFactory(
        starts_on=starts_on, ends_on=ends_on, term_calendar=calendar, reporting_schedule=schedule
    )
    CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=1), party="partner")
    set_status(agreement, "active")
    expected = {p.number: p.ends_on + DAY for p in reporting_periods(starts_on, ends_on, schedule, calendar)}
    opened_on = {}
    day = starts_on
    while day <= ends_on + 2 * DAY:
        for report in period_reports_open(today=day):
            opened_on[report.number] = day
        day += DAY
    assert opened_on == expected
    assert PeriodReport.objects.count() == len(expected)


def test_a_quantity_past_the_target_asks_for_confirmation_first(due_report, client):
    report, trainees, towns, _user = due_report
    url = reverse("portal:period_report", args=[report.pk])
    data = form_data(trainees, towns, **{f"c{towns.pk}-amount": 12, f"c{towns.pk}-b_saihat": 11})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "يتجاوز الإنجاز المستهدف" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    assert client.post(url, {**data, "confirm_over_target": "on"}).status_code == 302
    assert ProgressUpdate.objects.get(commitment=towns).over_target_confirmed


@pytest.mark.parametrize(
    "bad",
    [
        {"c{t}-amount": "abc"},
        {"c{t}-amount": "-3"},
        {"c{t}-b_male": "x"},
        {"narrative": ""},
        {"narrative": "ن" * 10_001},
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(due_report, client, bad):
    report, trainees, towns, _user = due_report
    data = form_data(trainees, towns, **{key.format(t=trainees.pk): value for key, value in bad.items()})
    response = client.post(reverse("portal:period_report", args=[report.pk]), data)
    assert response.status_code == 200
    assert "لم يُرسل شيء" in response.content.decode()
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE and not ProgressUpdate.objects.exists()


def test_late_queue_ignores_nonsense_filters(quarterly, settings, client):
    settings.PORTAL_TODAY = "2027-05-01"
    period_reports_open(today=D(2027, 4, 1))
    client.force_login(StaffFactory())
    for params in ({"partner": "abc"}, {"party": "<x>"}, {"schedule": "weekly"}, {"page": "999"}, {"page": "z"}):
        assert client.get(reverse("agreements:late_reports"), params).status_code == 200


def test_a_terminated_agreements_reports_leave_the_queues(quarterly, settings, client):
    agreement, *_ = quarterly
    period_reports_open(today=D(2027, 4, 1))
    assert PeriodReport.objects.late(D(2027, 4, 20)).count() == 2
    set_status(agreement, "terminated")
    assert PeriodReport.objects.late(D(2027, 4, 20)).count() == 0
    assert PeriodReport.objects.to_report().count() == 0


def test_a_renewal_keeps_the_schedule_and_the_breakdowns(quarterly):
    from agreements.services import agreement_renew

    agreement, trainees, _towns = quarterly
    renewal = agreement_renew(agreement=agreement, by=agreement.owner)
    assert renewal.reporting_schedule == "quarterly"
    kinds = sorted(c.breakdown for c in type(trainees).objects.filter(clause__agreement=renewal))
    assert kinds == ["", "sex", "town"]


def test_a_viewer_reads_the_reports_due_but_neither_fills_nor_uploads_them(due_report, client):
    """Roles (#20): viewers read; officers and editors report. A viewer's POST changes nothing."""
    report, trainees, towns, user = due_report
    viewer = PartnerUserFactory(partner=report.agreement.partner, partner_role="viewer")
    client.force_login(viewer)
    home = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="reports-due"' in home
    assert reverse("portal:period_report", args=[report.pk]) not in home
    url = reverse("portal:period_report", args=[report.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(trainees, towns)).status_code == 403
    assert client.get(reverse("portal:period_report_xlsx", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == PeriodReportStatus.DUE and not ProgressUpdate.objects.exists()

    # Once the editor sent it, the viewer reads what was sent.
    client.force_login(user)
    assert client.post(url, form_data(trainees, towns)).status_code == 302
    client.force_login(viewer)
    assert client.get(url).status_code == 200
