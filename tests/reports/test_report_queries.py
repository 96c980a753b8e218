"""Report pages and admin changelists run a fixed number of queries, whatever the data size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, ContactFactory, PartnerFactory
from tests.reports import portfolio

pytestmark = pytest.mark.django_db

REPORT_PAGES = [
    # (report, params, queries of the report itself)
    # status: counts by status, total count
    ("agreements", {"by": "status"}),
    # grouped counts, totals aggregate
    ("agreements", {"by": "partner"}),
    ("agreements", {"by": "sector"}),
    ("agreements", {"by": "year"}),
    # rows (with reminder counts), totals and windows aggregate
    ("ending", {}),
    # grouped measures, totals aggregate
    ("commitments", {"by": "kind"}),
    ("commitments", {"by": "partner"}),
    # overdue rows, by-partner counts, totals aggregate
    ("commitments", {"by": "overdue"}),
    # aggregate (count, min, max, buckets), median (middle rows), slowest rows
    ("signing", {}),
    # months, totals aggregate
    ("reminders", {}),
]


def count_queries(client, url: str, params=None) -> int:
    """Queries of one request in steady state (the first request warms per-user caches)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("slug", "params"), REPORT_PAGES)
def test_report_page_queries_are_constant_and_at_most_15(admin_client, slug, params):
    url = reverse("reports:report", args=[slug])
    portfolio.build_portfolio(scale=1)
    small = count_queries(admin_client, url, params)
    portfolio.build_portfolio(scale=4)
    large = count_queries(admin_client, url, params)
    # session, user, then the report's own queries listed above (the charity profile
    # and the admin's app list need none for a superuser).
    assert small == large
    assert large <= 15


@pytest.mark.parametrize("slug", ["agreements", "commitments"])
def test_printable_view_and_downloads_use_the_same_fixed_queries(admin_client, slug):
    portfolio.build_portfolio(scale=1)
    urls = [
        reverse("reports:print", args=[slug]),
        reverse("reports:download", args=[slug, "xlsx"]),
        reverse("reports:download", args=[slug, "csv"]),
    ]
    small = [count_queries(admin_client, url) for url in urls]
    portfolio.build_portfolio(scale=3)
    assert [count_queries(admin_client, url) for url in urls] == small
    assert max(small) <= 15


def make_rows(n: int) -> None:
    partners = PartnerFactory.create_batch(4)
    for i in range(n):
        agreement = AgreementFactory(partner=partners[i % 4])
        clause = ClauseFactory(agreement=agreement, order=1)
        CommitmentFactory(clause=clause)
    for partner in partners:
        ContactFactory(partner=partner)


@pytest.mark.parametrize(
    "model",
    [
        "agreements_agreement",
        "agreements_clause",
        "agreements_commitment",
        "partners_partner",
        "partners_contact",
        "reminders_reminder",
        "agreements_progressupdate",
    ],
)
def test_changelist_of_100_rows_runs_a_fixed_number_of_queries(admin_client, model):
    url = reverse(f"admin:{model}_changelist")
    make_rows(10)
    small = count_queries(admin_client, url)
    make_rows(110)
    large = count_queries(admin_client, url)
    # session, user, count, full count, the page (relations joined, progress annotated),
    # partner filter choices, date hierarchy: none of them grows with the rows.
    assert small == large
    assert large <= 12


def test_agreement_changelist_with_filters_runs_a_fixed_number_of_queries(admin_client):
    url = reverse("admin:agreements_agreement_changelist")
    params = {"ending_within": "90", "overdue": "no", "partner__sector__exact": "non_profit", "q": "اتفاقيه"}
    make_rows(10)
    small = count_queries(admin_client, url, params)
    make_rows(110)
    assert count_queries(admin_client, url, params) == small <= 12
