"""Report totals are per unit: 5 trainees and 3 workshops are never shown as 8 (#20).

The table's rows, its totals rows, the XLSX download and the overdue list are read as a
user (or their spreadsheet) reads them.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agreements.models import ClauseKind, Unit
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    ProgressUpdateFactory,
    set_status,
)
from tests.reports.conftest import read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainees_and_workshops():
    """One training clause: 5 of 10 trainees and 3 of 4 workshops accepted, both overdue."""
    agreement = AgreementFactory(partner=PartnerFactory())
    clause = ClauseFactory(agreement=agreement, kind=ClauseKind.TRAINING)
    due = datetime.date(2026, 1, 31)
    trainees = CommitmentFactory(clause=clause, unit=Unit.TRAINEES, target_quantity=10, due_on=due)
    workshops = CommitmentFactory(clause=clause, unit=Unit.WORKSHOPS, target_quantity=4, due_on=due)
    ProgressUpdateFactory(commitment=trainees, amount=5)
    ProgressUpdateFactory(commitment=workshops, amount=3)
    set_status(agreement, "active")


def figures(rows) -> dict[str, tuple[int, int]]:
    return {row["unit"]: (row["target"], row["achieved"]) for row in rows}


@pytest.mark.parametrize("by", ["kind", "partner"])
def test_commitment_rows_and_totals_never_add_trainees_to_workshops(admin_client, trainees_and_workshops, by):
    url = reverse("reports:report", args=["commitments"])
    result = admin_client.get(url, {"by": by, "start": "", "end": ""}).context["result"]
    trainees, workshops = str(Unit.TRAINEES.label), str(Unit.WORKSHOPS.label)
    expected = {trainees: (10, 5), workshops: (4, 3)}
    assert figures(result.rows) == expected
    assert [row["fulfilment"] for row in result.rows] == [50, 75]
    assert figures(result.footer) == expected
    assert all(row["achieved"] != 8 and row["target"] != 14 for row in [*result.rows, *result.footer])

    sheet = read_xlsx(admin_client.get(reverse("reports:download", args=["commitments", "xlsx"]), {"by": by}).content)
    keys = [column.key for column in result.columns]
    totals = {row[keys.index("unit")]: row[keys.index("achieved")] for row in sheet[-2:]}
    assert totals == {trainees: 5, workshops: 3}


def test_overdue_list_totals_each_unit_apart(admin_client, trainees_and_workshops):
    url = reverse("reports:report", args=["commitments"])
    result = admin_client.get(url, {"by": "overdue", "start": "", "end": ""}).context["result"]
    assert len(result.rows) == 2
    assert figures(result.footer) == {str(Unit.TRAINEES.label): (10, 5), str(Unit.WORKSHOPS.label): (4, 3)}
    html = admin_client.get(url, {"by": "overdue", "start": "", "end": ""}).content.decode()
    tfoot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert tfoot.count("<tr>") == 2
