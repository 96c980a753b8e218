"""An agreement's life over its terms (issue 15): signed before it starts, in force on its
start date, renewed without freezing the running term, terms counted by the calendar, dates
cross-checked, final reports in a grace period."""

import datetime

import pytest
from django.urls import reverse

from agreements import lifecycle
from agreements.lifecycle import transition
from agreements.models import Agreement, AgreementStatus, AuditEvent, AuditKind, ProgressUpdate, SigningRequest
from agreements.services import agreement_renew, renewal_term
from common import dates
from reminders.services import reminders_sweep
from tests.agreements.formdata import agreement_post
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def signed_by_all(agreement):
    contact = ContactFactory(partner=agreement.partner)
    transition(
        agreement,
        "send_for_signature",
        signatories=[
            {"party": "charity", "name": "أسامة الزاير", "title": "", "email": "chair@example.org"},
            {"party": "partner", "contact": contact, "name": contact.name_ar, "title": "", "email": contact.email},
        ],
    )
    SigningRequest.objects.filter(agreement=agreement).update(status="signed")
    return lifecycle.signatures_complete(Agreement.objects.get(pk=agreement.pk))


def with_commitment(agreement, due_on):
    clause = ClauseFactory(agreement=agreement, order=1, kind="training")
    return CommitmentFactory(clause=clause, party="partner", due_on=due_on)


def test_an_early_renewal_does_not_freeze_the_running_agreement(settings, client):
    """QC-2026-0007 runs 15 Dec 2026 – 14 Dec 2027; its renewal is signed on 2 Dec 2026."""
    settings.PORTAL_TODAY = "2026-11-20"
    current = AgreementFactory(starts_on=D(2026, 12, 15), ends_on=D(2027, 12, 14))
    commitment = with_commitment(current, D(2027, 6, 30))
    current = signed_by_all(current)
    assert current.status == AgreementStatus.SIGNED  # signed before its start: not in force yet
    assert not current.accepts_progress
    settings.PORTAL_TODAY = "2026-12-15"
    reminders_sweep(today=D(2026, 12, 15))
    current.refresh_from_db()
    assert current.status == AgreementStatus.ACTIVE and current.accepts_progress

    staff = StaffFactory()
    renewal = agreement_renew(agreement=current, by=staff)
    assert (renewal.starts_on, renewal.ends_on) == (D(2027, 12, 15), D(2028, 12, 14))  # a leap year between
    renewal = signed_by_all(Agreement.objects.get(pk=renewal.pk))
    current.refresh_from_db()
    assert (current.status, renewal.status) == (AgreementStatus.ACTIVE, AgreementStatus.SIGNED)

    # The partner still reports on the running agreement, in the browser's form.
    user = PartnerUserFactory(partner=current.partner)
    client.force_login(user)
    page = client.get(reverse("portal:agreement", args=[current.reference])).content.decode()
    assert reverse("portal:report_progress", args=[commitment.pk]) in page
    renewal_page = client.get(reverse("portal:agreement", args=[renewal.reference])).content.decode()
    assert "موقّعة — تسري من 15 ديسمبر 2027" in renewal_page
    assert "سارية" not in renewal_page.split('data-status="signed"')[1][:200]

    # Its last day: still the running agreement. The next day, the renewal takes over.
    reminders_sweep(today=D(2027, 12, 14))
    current.refresh_from_db()
    assert current.status == AgreementStatus.ACTIVE
    reminders_sweep(today=D(2027, 12, 15))
    current.refresh_from_db()
    renewal.refresh_from_db()
    assert (current.status, renewal.status) == (AgreementStatus.RENEWED, AgreementStatus.ACTIVE)
    kinds = list(AuditEvent.objects.filter(agreement=renewal).values_list("kind", flat=True))
    assert kinds[-2:] == [AuditKind.FULLY_SIGNED, AuditKind.STARTED] or AuditKind.STARTED in kinds


def test_renewal_keeps_calendar_months_across_a_leap_year_and_the_last_day_of_a_month():
    current = AgreementFactory(starts_on=D(2026, 12, 15), ends_on=D(2027, 12, 14))
    on_june_30 = with_commitment(current, D(2027, 6, 30))
    on_feb_28 = CommitmentFactory(clause=on_june_30.clause, party="partner", due_on=D(2027, 2, 28))
    set_status(current, "active")
    renewal = agreement_renew(agreement=current, by=StaffFactory())
    assert (renewal.starts_on, renewal.ends_on) == (D(2027, 12, 15), D(2028, 12, 14))
    due = sorted(renewal.clauses.get().commitments.values_list("due_on", flat=True))
    # 28 Feb 2027 was the month's last day: it stays the last day (29 Feb 2028); 30 June stays 30 June.
    assert due == [D(2028, 2, 29), D(2028, 6, 30)]
    assert on_feb_28.due_on == D(2027, 2, 28)


def test_a_hijri_year_ends_eleven_days_before_a_gregorian_one():
    # One Hijri year from 1 Rajab 1448 (10 Dec 2026) ends 29 Jumada al-Akhirah 1449 (28 Nov 2027).
    assert dates.term_end(D(2026, 12, 10), 12, dates.Calendar.HIJRI) == D(2027, 11, 28)
    assert dates.term_end(D(2026, 12, 10), 12, dates.Calendar.GREGORIAN) == D(2027, 12, 9)
    current = set_status(
        AgreementFactory(starts_on=D(2026, 12, 10), ends_on=D(2027, 11, 28), term_calendar="hijri"), "active"
    )
    assert current.term_months == 12
    starts_on, ends_on, move = renewal_term(current)
    assert starts_on == D(2027, 11, 29)  # 1 Rajab 1449
    assert dates.hijri(starts_on).startswith("1 ")
    assert ends_on == dates.term_end(D(2027, 11, 29), 12, "hijri")
    assert ends_on < D(2028, 11, 28)
    # A due date on the last day of a Hijri month stays on the last day of that month a year later.
    assert move(D(2027, 11, 28)) == ends_on


def test_a_term_of_days_not_months_is_followed_by_as_many_days():
    current = set_status(AgreementFactory(starts_on=D(2027, 1, 10), ends_on=D(2027, 4, 19)), "active")
    starts_on, ends_on, _move = renewal_term(current)
    assert (ends_on - starts_on) == (current.ends_on - current.starts_on)


def test_the_editor_counts_the_end_date_from_a_length_in_the_chosen_calendar(staff_client):
    partner = PartnerFactory()
    data = agreement_post(
        partner_id=partner.pk,
        starts_on="2026-12-10",
        ends_on="",
        term_calendar="hijri",
        clauses=[{"kind": "training", "commitments": [{"due_on": "2027-06-30"}]}],
    )
    data |= {"term_years": "1", "term_months": "0"}
    response = staff_client.post(reverse("agreements:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get()
    assert (agreement.ends_on, agreement.term_calendar) == (D(2027, 11, 28), "hijri")


def test_a_due_date_outside_the_term_is_refused_at_the_field_in_arabic(staff_client):
    partner = PartnerFactory()
    data = agreement_post(
        partner_id=partner.pk,
        starts_on="2026-12-15",
        ends_on="2027-12-14",
        clauses=[{"kind": "training", "commitments": [{"due_on": "2028-01-31"}]}],
    )
    response = staff_client.post(reverse("agreements:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "يجب أن تقع تواريخ الاستحقاق ضمن مدة الاتفاقية" in page
    assert not Agreement.objects.exists()


def test_an_end_before_the_start_and_a_length_that_disagrees_are_refused(staff_client):
    partner = PartnerFactory()
    backwards = agreement_post(partner_id=partner.pk, starts_on="2027-01-01", ends_on="2026-12-01")
    response = staff_client.post(reverse("agreements:create"), backwards)
    assert "يجب أن يكون تاريخ الانتهاء بعد تاريخ البدء" in response.content.decode()
    data = agreement_post(partner_id=partner.pk, starts_on="2027-01-01", ends_on="2027-06-30")
    data |= {"term_years": "1"}
    response = staff_client.post(reverse("agreements:create"), data)
    assert "31 ديسمبر 2027" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_renewal_must_run_on_from_the_day_after_its_predecessor(staff_client):
    current = set_status(AgreementFactory(starts_on=D(2026, 12, 15), ends_on=D(2027, 12, 14)), "active")
    renewal = agreement_renew(agreement=current, by=StaffFactory())
    url = reverse("agreements:edit", args=[renewal.reference])
    overlapping = agreement_post(
        partner_id=renewal.partner_id, title_ar=renewal.title_ar, starts_on="2027-12-01", ends_on="2028-11-30"
    )
    response = staff_client.post(url, overlapping)
    assert response.status_code == 200
    assert "لا أثناء سريانها" in response.content.decode()
    gap = agreement_post(
        partner_id=renewal.partner_id, title_ar=renewal.title_ar, starts_on="2028-01-01", ends_on="2028-12-31"
    )
    assert "حتى لا تبقى أيام بلا اتفاقية" in staff_client.post(url, gap).content.decode()
    renewal.refresh_from_db()
    assert renewal.starts_on == D(2027, 12, 15)


def test_final_reports_are_accepted_in_the_grace_period_and_marked_late(settings, client):
    settings.FINAL_REPORT_GRACE_DAYS = 30
    agreement = AgreementFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    commitment = with_commitment(agreement, D(2026, 12, 31))
    set_status(agreement, "active")
    user = PartnerUserFactory(partner=agreement.partner)
    client.force_login(user)
    url = reverse("portal:report_progress", args=[commitment.pk])
    reminders_sweep(today=D(2027, 1, 1))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED
    settings.PORTAL_TODAY = "2027-01-30"
    response = client.post(url, {"amount": 3, "reported_on": "2026-12-30", "note": "التقرير الختامي"})
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.late
    page = client.get(reverse("portal:agreement", args=[agreement.reference])).content.decode()
    assert 'data-testid="late-report"' in page
    settings.PORTAL_TODAY = "2027-01-31"  # the 31st day after the end
    response = client.post(url, {"amount": 2, "reported_on": "2027-01-01", "note": "متأخر جدًا"})
    assert "30 يناير 2027" in response.content.decode()
    assert ProgressUpdate.objects.count() == 1


def test_an_on_time_report_is_not_late(settings, client):
    agreement = AgreementFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    commitment = with_commitment(agreement, D(2026, 12, 31))
    set_status(agreement, "active")
    client.force_login(PartnerUserFactory(partner=agreement.partner))
    settings.PORTAL_TODAY = "2026-12-31"
    client.post(
        reverse("portal:report_progress", args=[commitment.pk]), {"amount": 1, "reported_on": "2026-12-31", "note": ""}
    )
    assert ProgressUpdate.objects.get().late is False


def test_renewal_start_is_recorded_in_the_audit_trail_with_ip_and_user_agent(staff_client):
    current = set_status(AgreementFactory(), "active")
    staff_client.post(
        reverse("agreements:renew", args=[current.reference]),
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 (renewal test)",
    )
    renewal = Agreement.objects.get(renews=current)
    event = AuditEvent.objects.filter(agreement=current).latest("sequence")
    assert event.kind == AuditKind.RENEWAL_STARTED
    assert (event.ip, event.user_agent) == ("203.0.113.9", "Mozilla/5.0 (renewal test)")
    assert event.details["renewal"] == renewal.reference


def test_the_renewal_page_proposes_the_next_term_in_both_calendars(staff_client):
    current = set_status(AgreementFactory(starts_on=D(2026, 12, 15), ends_on=D(2027, 12, 14)), "active")
    page = staff_client.get(reverse("agreements:renew", args=[current.reference])).content.decode()
    assert "15 ديسمبر 2027" in page and "14 ديسمبر 2028" in page
    assert dates.hijri(D(2027, 12, 15)).split()[0] in page
