"""Period reports over simulated days (issue 20): the daily sweep runs on every day of an
agreement's first two quarters; exactly the expected reports come due and each is reminded
due-soon and overdue once, by e-mail and in the portal, with links that open the report's form."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from agreements.models import PeriodReport, PeriodReportStatus
from reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from reminders.services import reminder_batches, reminder_send_batch, reminders_sweep
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerUserFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PERIOD_KINDS = (ReminderKind.PERIOD_REPORT_DUE, ReminderKind.PERIOD_REPORT_OVERDUE)


def run(day):
    report = reminders_sweep(today=day)
    for ids in reminder_batches(report.new_reminders):
        reminder_send_batch(reminder_ids=ids)


def link_in(message) -> str:
    paths = set(re.findall(re.escape(settings.SITE_URL) + r"(/[^\s\"<]*)", message.body))
    assert len(paths) == 1, paths
    return paths.pop()


@pytest.fixture
def agreement():
    agreement = AgreementFactory(
        starts_on=D(2027, 1, 1), signed_on=D(2026, 12, 20), ends_on=D(2027, 12, 31), reporting_schedule="quarterly"
    )
    ContactFactory(partner=agreement.partner, email="contact@partner.example")
    clause = ClauseFactory(agreement=agreement, order=1)
    # Due at the term's end: no commitment reminder mixes with the period reports' in these months.
    CommitmentFactory(clause=clause, party="partner", due_on=D(2027, 12, 31))
    CommitmentFactory(clause=clause, party="charity", due_on=D(2027, 12, 31), unit="events")
    return set_status(agreement, "active")


def test_two_quarters_day_by_day(agreement, settings, client):
    user = PartnerUserFactory(partner=agreement.partner, email="dean@partner.example")
    owner = agreement.owner.email
    partner_side = {"contact@partner.example", "dean@partner.example"}
    days_with_period_reminders: dict[D, set[tuple[str, str, int]]] = {}
    opened_on: dict[tuple[str, int], D] = {}
    day = D(2027, 1, 1)
    while day <= D(2027, 7, 20):
        settings.PORTAL_TODAY = day.isoformat()
        before = set(Reminder.objects.values_list("pk", flat=True))
        run(day)
        new = Reminder.objects.filter(kind__in=PERIOD_KINDS).exclude(pk__in=before)
        if new:
            days_with_period_reminders[day] = {
                (r.kind, r.recipient_email, r.period_report.number) for r in new.select_related("period_report")
            }
        for report in PeriodReport.objects.all():
            opened_on.setdefault((report.party, report.number), day)
        if day == D(2027, 4, 10):
            # The charity sends its own first-quarter report before the due date: no overdue reminder for it.
            PeriodReport.objects.filter(party="charity", number=1).update(status=PeriodReportStatus.SUBMITTED)
        day += datetime.timedelta(days=1)

    # Each quarter's reports open the day after it ends, one per party.
    assert opened_on == {("partner", 1): D(2027, 4, 1), ("charity", 1): D(2027, 4, 1)} | {
        ("partner", 2): D(2027, 7, 1),
        ("charity", 2): D(2027, 7, 1),
    }
    due, overdue = ReminderKind.PERIOD_REPORT_DUE, ReminderKind.PERIOD_REPORT_OVERDUE
    assert days_with_period_reminders == {
        # Due on 14 April: a week before, the partner's contacts and users, the owner for the charity's side.
        D(2027, 4, 7): {(due, email, 1) for email in partner_side} | {(due, owner, 1)},
        # The day after the due date: only the side that has not sent its report.
        D(2027, 4, 15): {(overdue, email, 1) for email in partner_side},
        D(2027, 7, 7): {(due, email, 2) for email in partner_side} | {(due, owner, 2)},
        D(2027, 7, 15): {(overdue, email, 2) for email in partner_side} | {(overdue, owner, 2)},
    }
    assert not Reminder.objects.exclude(status=ReminderStatus.SENT).filter(kind__in=PERIOD_KINDS).exists()
    # In-app too, once each: two for the partner user per quarter.
    assert Notification.objects.filter(user=user, kind__in=PERIOD_KINDS).count() == 4
    assert PeriodReport.objects.count() == 4


def test_the_links_open_the_report_for_each_recipient(agreement, settings, client):
    user = PartnerUserFactory(partner=agreement.partner, email="dean@partner.example")
    settings.PORTAL_TODAY = "2027-04-07"
    mail.outbox.clear()
    run(D(2027, 4, 7))
    partner_report = PeriodReport.objects.get(party="partner", number=1)
    charity_report = PeriodReport.objects.get(party="charity", number=1)
    messages = {message.to[0]: message for message in mail.outbox}
    # The partner user: the e-mail's link and the notification both open the portal's form.
    portal_path = reverse("portal:period_report", args=[partner_report.pk])
    assert link_in(messages["dean@partner.example"]) == portal_path
    notification = Notification.objects.get(user=user, kind=ReminderKind.PERIOD_REPORT_DUE)
    assert notification.url == portal_path
    client.force_login(user)
    page = client.get(link_in(messages["dean@partner.example"]))
    assert page.status_code == 200
    assert 'name="narrative"' in page.content.decode()
    # Through the notification list too (it marks it read and follows its address).
    assert client.get(reverse("reminders:open", args=[notification.pk]), follow=True).status_code == 200
    # A contact without an account is sent to the portal's page too (it asks them to log in).
    assert link_in(messages["contact@partner.example"]) == portal_path
    # The owner, for the charity's own side, opens the staff form.
    staff_path = reverse("agreements:period_report", args=[charity_report.pk])
    assert link_in(messages[agreement.owner.email]) == staff_path
    client.force_login(agreement.owner)
    assert 'name="narrative"' in client.get(staff_path).content.decode()
    # Arabic first in the e-mail, with the period named.
    assert "تقرير الفترة مستحق" in messages["dean@partner.example"].subject
