"""The list and detail pages run a fixed number of queries, whatever the data size."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, Commitment
from common import clock
from partners.models import CharityProfile
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
    StaffFactory,
    agreement_with_clauses,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def charity_profile():
    # The profile row is created on first use; create it before counting.
    return CharityProfile.load()


def count_queries(client, url: str) -> int:
    """Queries of one request in steady state (per-user caches such as the unread count warm)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_agreements(n: int) -> None:
    partners = PartnerFactory.create_batch(5)
    owner = StaffFactory()
    for i in range(n):
        agreement = AgreementFactory(partner=partners[i % 5], owner=owner)
        ClauseFactory(agreement=agreement, order=1)
    for partner in partners:
        ContactFactory.create_batch(2, partner=partner)


@pytest.mark.parametrize("url_name", ["home", "agreements:list", "partners:list"])
def test_list_pages_use_the_same_queries_at_10_and_500_agreements(staff_client, url_name):
    url = reverse(url_name)
    make_agreements(10)
    small = count_queries(staff_client, url)
    make_agreements(490)
    large = count_queries(staff_client, url)
    # session, user, user's groups (charity profile is cached), then the page's own:
    # home: status counts, partner count, signatures awaited, five queues (a count and the
    #   first rows each: reports to review, late period reports, overdue, ending soon,
    #   renewals; the signature queue reuses the inbox), impact (figures, report sums), recent;
    # agreements list: count, page, partners for the filter;
    # partners list: one annotated query.
    assert small == large
    assert large <= CEILING.get(url_name, 10)


CEILING = {"home": 19, "portal:home": 14}


def test_agreement_detail_uses_the_same_queries_at_5_and_50_clauses(staff_client):
    small = agreement_with_clauses(clauses=5)
    large = agreement_with_clauses(clauses=50, commitments_per_clause=3)
    # session, user, groups, agreement (+partner, owner, renews, renewed_by), clauses,
    # commitments with progress, signatory contacts, attachments, amendments, signing
    # requests (the charity profile is cached; the history loads in its own request).
    small_count = count_queries(staff_client, reverse("agreements:detail", args=[small.reference]))
    large_count = count_queries(staff_client, reverse("agreements:detail", args=[large.reference]))
    assert small_count == large_count
    assert large_count <= 10


def test_partner_detail_uses_the_same_queries_at_few_and_many_agreements(staff_client):
    partner = PartnerFactory()
    AgreementFactory.create_batch(2, partner=partner)
    small = count_queries(staff_client, reverse("partners:detail", args=[partner.pk]))
    AgreementFactory.create_batch(40, partner=partner)
    ContactFactory.create_batch(10, partner=partner)
    assert count_queries(staff_client, reverse("partners:detail", args=[partner.pk])) == small


def test_agreement_search_uses_the_same_queries_at_10_and_500_agreements(staff_client):
    url = reverse("agreements:list") + "?q=اتفاقيه&status=draft&sort=-ends_on"
    make_agreements(10)
    small = count_queries(staff_client, url)
    make_agreements(490)
    assert count_queries(staff_client, url) == small <= 10


def make_partner_agreements(partner, n: int) -> None:
    owner = StaffFactory()
    for _ in range(n):
        agreement = AgreementFactory(partner=partner, owner=owner)
        clause = ClauseFactory(agreement=agreement, order=1)
        CommitmentFactory.create_batch(2, clause=clause, party="partner")
        CommitmentFactory(clause=clause, party="charity")
        Agreement.objects.filter(pk=agreement.pk).update(status="active")


@pytest.mark.parametrize("url_name", ["portal:home", "portal:commitments"])
def test_portal_pages_use_the_same_queries_at_2_and_50_agreements(client, url_name):
    user = PartnerUserFactory()
    client.force_login(user)
    url = reverse(url_name)
    make_partner_agreements(user.partner, 2)
    small = count_queries(client, url)
    make_partner_agreements(user.partner, 48)
    # session, user, groups, then: home — agreements, signing requests awaiting the user,
    # three queues (overdue, due soon, reports to correct: a count and the first rows each),
    # impact (figures, report sums), latest notifications; commitments — one query.
    assert count_queries(client, url) == small <= CEILING.get(url_name, 10)


def test_portal_agreement_page_uses_the_same_queries_at_5_and_50_clauses(client):
    user = PartnerUserFactory()
    client.force_login(user)
    small = agreement_with_clauses(clauses=5, partner=user.partner, status="active")
    large = agreement_with_clauses(clauses=50, commitments_per_clause=3, partner=user.partner, status="active")
    small_count = count_queries(client, reverse("portal:agreement", args=[small.reference]))
    large_count = count_queries(client, reverse("portal:agreement", args=[large.reference]))
    assert small_count == large_count <= 10


def test_progress_review_queue_uses_the_same_queries_at_2_and_30_reports(staff_client):
    from agreements.models import ProgressComment, ProgressUpdate

    def reports(n: int) -> None:
        for commitment in Commitment.objects.filter(updates=None).order_by("id")[:n]:
            update = ProgressUpdate.objects.create(
                commitment=commitment, reported_on="2026-06-01", amount=3, reported_by=commitment.clause.agreement.owner
            )
            ProgressComment.objects.create(update=update, author=update.reported_by, kind="resubmitted", text="t")

    agreement_with_clauses(clauses=2, status="active")
    reports(2)
    url = reverse("agreements:progress_queue")
    small = count_queries(staff_client, url)
    agreement_with_clauses(clauses=30, status="active")
    reports(30)
    # session, user, groups, then: the reports with commitment, agreement, partner and reporter;
    # their evidence; their comments with authors; the commitments' accepted and pending sums.
    assert ProgressUpdate.objects.count() == 32
    assert count_queries(staff_client, url) == small <= 10


def make_rows(n: int, partner) -> None:
    """`n` commitments and `n` progress reports (a third each accepted, awaiting review and
    returned) over four agreements per partner, in two units, three kinds and two years,
    some overdue, some due soon; one agreement ending soon and a renewal being signed."""
    from agreements.models import ProgressUpdate

    today = clock.today()
    owner = StaffFactory()
    partners = [partner, PartnerFactory()]
    clauses = []
    for p in partners:
        for i in range(4):
            agreement = AgreementFactory(partner=p, owner=owner, ends_on=today + datetime.timedelta(days=30 + 400 * i))
            for order, kind in enumerate(("training", "jobs", "awareness"), start=1):
                clauses.append(ClauseFactory(agreement=agreement, order=order, kind=kind))
            Agreement.objects.filter(pk=agreement.pk).update(status="active")
        renewal = AgreementFactory(partner=p, owner=owner, renews=agreement)
        Agreement.objects.filter(pk=renewal.pk).update(status="awaiting_signatures")
    commitments = Commitment.objects.bulk_create(
        Commitment(
            clause=clauses[i % len(clauses)],
            party="partner" if i % 3 else "charity",
            description_ar=f"التزام {i}",
            target_quantity=10 + i % 7,
            unit="trainees" if i % 2 else "workshops",
            due_on=today + datetime.timedelta(days=(i * 7) % 40 - 20 + 365 * (i % 10 == 9)),
        )
        for i in range(n)
    )
    statuses = ("accepted", "submitted", "returned")
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            commitment=commitments[i % len(commitments)],
            reported_on=today,
            amount=1 + i % 5,
            reported_by=owner,
            status=statuses[i % 3],
        )
        for i in range(n)
    )


def test_dashboards_use_the_same_queries_at_10_and_1000_commitments_and_reports(staff_client):
    partner_user = PartnerUserFactory()
    client = Client()  # staff_client is the `client` fixture itself
    client.force_login(partner_user)
    make_rows(10, partner_user.partner)
    staff_small = count_queries(staff_client, reverse("home"))
    portal_small = count_queries(client, reverse("portal:home"))
    # Every queue the sizes fill has rows already at the small size (no empty-list shortcut).
    staff_page = staff_client.get(reverse("home")).content.decode()
    portal_page = client.get(reverse("portal:home")).content.decode()
    for key in ("to_review", "overdue", "ending", "renewals"):
        assert f'queue-{key}" data-count="0"' not in staff_page
    for key in ("overdue", "due_soon", "returned"):
        assert f'queue-{key}" data-count="0"' not in portal_page
    make_rows(1000, partner_user.partner)
    assert Commitment.objects.count() == 1010
    # The queries are listed beside CEILING above; none is per row.
    assert count_queries(staff_client, reverse("home")) == staff_small <= CEILING["home"]
    assert count_queries(client, reverse("portal:home")) == portal_small <= CEILING["portal:home"]
    # Filtered by year: the same queries again.
    year = clock.today().year
    assert count_queries(staff_client, reverse("home") + f"?year={year}") == staff_small
