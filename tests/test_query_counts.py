"""The list and detail pages run a fixed number of queries, whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, Commitment
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
    # home: status counts, partner count, ending soon, recent;
    # agreements list: count, page, partners for the filter;
    # partners list: one annotated query.
    assert small == large
    assert large <= 10


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
    # own open commitments with progress, latest notifications; commitments — one query.
    assert count_queries(client, url) == small <= 10


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
