"""A reporting schedule set or changed on an agreement already running (#20): the periods that
ended before it are not asked for; once reports were opened it can be stopped, not changed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, PeriodReport
from agreements.periods import period_reports_open
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    ReadOnlyStaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def running(settings):
    agreement = AgreementFactory(starts_on=D(2027, 1, 1), signed_on=D(2026, 12, 20), ends_on=D(2027, 12, 31))
    CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=1), party="partner")
    set_status(agreement, "active")
    settings.PORTAL_TODAY = "2027-05-10"
    return agreement


def change(client, agreement, schedule):
    return client.post(
        reverse("agreements:reporting_schedule", args=[agreement.reference]),
        {"reporting_schedule": schedule},
        follow=True,
    )


def test_a_schedule_set_mid_term_asks_only_for_periods_ending_from_that_day(running, staff_client):
    page = change(staff_client, running, "quarterly").content.decode()
    assert "لا يُطلب تقرير عن فترات انتهت قبل اليوم" in page
    running.refresh_from_db()
    assert (running.reporting_schedule, running.reporting_since) == ("quarterly", D(2027, 5, 10))
    assert period_reports_open(today=D(2027, 5, 11)) == []  # the first quarter ended before: not asked for
    opened = period_reports_open(today=D(2027, 7, 1))
    assert [(r.party, r.number, r.ends_on) for r in opened] == [("partner", 2, D(2027, 6, 30))]
    assert running.history.first().reporting_schedule == "quarterly"  # recorded in the agreement's history


def test_once_reports_are_opened_the_schedule_stops_but_does_not_change(running, staff_client):
    change(staff_client, running, "quarterly")
    period_reports_open(today=D(2027, 7, 1))
    page = change(staff_client, running, "monthly").content.decode()
    assert "لا يمكن تغييره إلى جدول آخر" in page
    assert Agreement.objects.get(pk=running.pk).reporting_schedule == "quarterly"
    change(staff_client, running, "")
    running.refresh_from_db()
    assert (running.reporting_schedule, running.reporting_since) == ("", None)
    assert PeriodReport.objects.count() == 1  # what was opened stays
    assert period_reports_open(today=D(2027, 10, 1)) == []


def test_bad_values_drafts_and_readers_change_nothing(running, client, staff_client):
    assert "اختر أحد جداول التقارير" in change(staff_client, running, "weekly").content.decode()
    draft = AgreementFactory()
    assert "إلا والاتفاقية بانتظار التوقيعات أو سارية" in change(staff_client, draft, "monthly").content.decode()
    for user in (ReadOnlyStaffFactory(), PartnerUserFactory(partner=running.partner, partner_role="officer")):
        client.force_login(user)
        response = client.post(
            reverse("agreements:reporting_schedule", args=[running.reference]), {"reporting_schedule": "monthly"}
        )
        assert response.status_code in (302, 403, 404)  # readers refused; partner users never see staff pages
    assert Agreement.objects.get(pk=running.pk).reporting_schedule == ""
    assert Agreement.objects.get(pk=draft.pk).reporting_schedule == ""
