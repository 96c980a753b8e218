"""The demo data's figures on the report pages, computed independently from the demo's objects."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from agreements.models import ClauseKind
from tests.reports import portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def test_demo_agreements_and_commitments_are_reported_as_the_objects_say(admin_client, demo):
    status = admin_client.get(reverse("reports:report", args=["agreements"]), {"by": "status"}).context["result"]
    assert status.totals["total"] == 4
    assert {r["label"]: r["total"] for r in status.rows if r["total"]} == {"سارية": 4}

    expected = portfolio.expected_commitments_by(
        lambda c: (str(dict(ClauseKind.choices)[c.clause.kind]), str(c.get_unit_display()))
    )
    result = admin_client.get(reverse("reports:report", args=["commitments"]), {"by": "kind"}).context["result"]
    shown = {
        (r["label"], r["unit"]): {k: r[k] for k in ("commitments", "target", "achieved", "overdue", "fulfilment")}
        for r in result.rows
    }
    assert shown == expected
    # The demo's accepted progress (12 trainees, 10 women beneficiaries, ...) is all counted,
    # each in its own unit's total.
    assert sum(t["achieved"] for t in result.unit_totals) == portfolio.accepted_total() > 0
