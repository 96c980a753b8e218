"""The impact's one grouped query at its edges (#20): commitments without reports, a user
who sees no agreement, and a partner's figures left apart from another partner's."""

from __future__ import annotations

import datetime

import pytest

from agreements.dashboard import impact
from agreements.models import ClauseKind, ProgressStatus, Unit
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    ProgressUpdateFactory,
    UserFactory,
    set_status,
)

pytestmark = pytest.mark.django_db


def commitment(partner, unit, target, year):
    agreement = AgreementFactory(partner=partner)
    clause = ClauseFactory(agreement=agreement, kind=ClauseKind.TRAINING)
    made = CommitmentFactory(clause=clause, unit=unit, target_quantity=target, due_on=datetime.date(year, 6, 30))
    set_status(agreement, "active")
    return made


def test_figures_per_partner_year_and_unit_with_commitments_without_reports(staff_user):
    first, second = PartnerFactory(), PartnerFactory()
    reported = commitment(first, Unit.TRAINEES, 10, 2026)
    commitment(first, Unit.TRAINEES, 6, 2027)  # no report at all: its sums are 0, its target counts
    commitment(second, Unit.WORKSHOPS, 4, 2026)
    ProgressUpdateFactory(commitment=reported, amount=5)
    ProgressUpdateFactory(commitment=reported, amount=2, status=ProgressStatus.SUBMITTED)
    ProgressUpdateFactory(commitment=reported, amount=1, status=ProgressStatus.RETURNED)

    figures = impact(staff_user, {})
    by_partner = {
        (m.key, m.unit): (m.commitments, m.target, m.accepted, m.pending, m.returned) for m in figures.by_partner
    }
    assert by_partner == {
        (first.pk, Unit.TRAINEES): (2, 16, 5, 2, 1),
        (second.pk, Unit.WORKSHOPS): (1, 4, 0, 0, 0),
    }
    by_year = {(m.key, m.unit): (m.target, m.accepted) for m in figures.by_year}
    assert by_year == {(2026, Unit.TRAINEES): (10, 5), (2026, Unit.WORKSHOPS): (4, 0), (2027, Unit.TRAINEES): (6, 0)}

    only_2027 = impact(staff_user, {"year": "2027"})
    assert [(m.key, m.target, m.accepted) for m in only_2027.by_partner] == [(first.pk, 6, 0)]
    assert [(m.unit, m.target) for m in only_2027.by_kind] == [(Unit.TRAINEES, 6)]
    assert len(only_2027.by_year) == 3  # the years table always shows every year


def test_a_user_who_sees_no_agreement_gets_empty_figures():
    commitment(PartnerFactory(), Unit.TRAINEES, 10, 2026)
    figures = impact(UserFactory(), {})
    assert figures.by_kind == figures.by_partner == figures.by_year == []
    assert figures.years == []
