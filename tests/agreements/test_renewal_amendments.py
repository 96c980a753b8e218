import datetime

import pytest
from django.urls import reverse

from agreements.amendments.services import amendment_create, amendment_in_force
from agreements.lifecycle import TransitionError
from agreements.models import Agreement, AgreementStatus, Amendment, AmendmentStatus, Commitment
from agreements.services import agreement_renew
from tests.factories import AgreementFactory, StaffFactory, agreement_with_clauses, set_status

pytestmark = pytest.mark.django_db


def test_renewal_copies_clauses_and_shifts_dates():
    old = agreement_with_clauses(
        clauses=3, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31), status="active"
    )
    Commitment.objects.filter(clause__agreement=old).update(due_on=datetime.date(2026, 6, 15))
    renewal = agreement_renew(agreement=old, by=StaffFactory())
    assert renewal.status == AgreementStatus.DRAFT
    assert renewal.renews == old
    assert (renewal.starts_on, renewal.ends_on) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert list(renewal.clauses.values_list("order", "kind", "text_ar")) == list(
        old.clauses.values_list("order", "kind", "text_ar")
    )
    old_due = sorted(c.due_on for clause in old.clauses.all() for c in clause.commitments.all())
    new_due = sorted(c.due_on for clause in renewal.clauses.all() for c in clause.commitments.all())
    # Twelve calendar months later: the same day of the same month.
    assert [(n.year - o.year, n.month - o.month, n.day - o.day) for o, n in zip(old_due, new_due, strict=True)] == [
        (1, 0, 0)
    ] * len(old_due)
    assert old.reference != renewal.reference


def test_only_one_renewal_per_agreement():
    old = set_status(AgreementFactory(), AgreementStatus.ACTIVE)
    agreement_renew(agreement=old, by=StaffFactory())
    with pytest.raises(TransitionError):
        agreement_renew(agreement=old, by=StaffFactory())
    assert Agreement.objects.filter(renews=old).count() == 1


def test_a_draft_cannot_be_renewed(staff_client):
    draft = AgreementFactory()
    response = staff_client.post(reverse("agreements:renew", args=[draft.reference]), follow=True)
    assert "لا تُجدَّد إلا اتفاقية سارية أو منتهية" in response.content.decode()
    assert not Agreement.objects.filter(renews=draft).exists()


def test_amendments_are_numbered_per_agreement_and_only_for_active_ones():
    staff = StaffFactory()
    agreement = set_status(AgreementFactory(), AgreementStatus.ACTIVE)

    def extend_to(old: str, new: str) -> dict:
        return {
            "changes": [{"op": "term", "old": {"ends_on": old}, "new": {"ends_on": new}}],
            "text_ar": "تمديد",
            "effective_on": datetime.date(2026, 6, 1),
        }

    first = amendment_create(agreement=agreement, by=staff, **extend_to("2028-03-15", "2028-06-30"))
    assert first.number == 1
    Amendment.objects.filter(pk=first.pk).update(status=AmendmentStatus.SIGNED)  # signed by both parties
    assert amendment_in_force(amendment=first, today=first.effective_on)  # its term now the agreement's
    assert amendment_create(agreement=agreement, by=staff, **extend_to("2028-06-30", "2028-12-31")).number == 2
    with pytest.raises(TransitionError):
        amendment_create(agreement=AgreementFactory(), by=staff, **extend_to("2028-03-15", "2028-06-30"))
