"""The late-reports queue and the portal home's reports due run a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import PeriodReport
from agreements.periods import period_reports_open
from partners.models import CharityProfile
from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, PartnerUserFactory, StaffFactory
from tests.test_query_counts import CEILING

pytestmark = pytest.mark.django_db
D = datetime.date


def count_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def monthly_agreements(partner, n: int) -> None:
    for _ in range(n):
        agreement = AgreementFactory(
            partner=partner, starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31), reporting_schedule="monthly"
        )
        clause = ClauseFactory(agreement=agreement, order=1)
        CommitmentFactory(clause=clause, party="partner")
        CommitmentFactory(clause=clause, party="charity")
        type(agreement).objects.filter(pk=agreement.pk).update(status="active")
    period_reports_open(today=D(2027, 4, 1))  # three months each, both sides


def test_late_queue_and_portal_home_use_the_same_queries_at_6_and_150_reports(client, settings):
    CharityProfile.load()
    settings.PORTAL_TODAY = "2027-05-01"
    user = PartnerUserFactory()
    staff = StaffFactory()
    monthly_agreements(user.partner, 1)
    assert PeriodReport.objects.count() == 6
    client.force_login(staff)
    late_small = count_queries(client, reverse("agreements:late_reports"))
    client.force_login(user)
    home_small = count_queries(client, reverse("portal:home"))
    monthly_agreements(user.partner, 24)
    assert PeriodReport.objects.count() == 150
    client.force_login(staff)
    # user, groups, then: the page's count, the page of reports with agreement, partner and owner,
    # the partners with reports due (the filter), and the navbar's count of signatures awaited.
    assert count_queries(client, reverse("agreements:late_reports")) == late_small <= 6
    client.force_login(user)
    # user, agreements, signing requests awaiting the user, own commitments due, the navbar's count
    # of signatures awaited, the partner, the reports due with their agreements, notifications.
    assert count_queries(client, reverse("portal:home")) == home_small <= CEILING["portal:home"]
