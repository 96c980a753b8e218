"""Commitment measures shared by the admin changelists, the reports and the exports.

Progress on a commitment (`accepted_progress`) and overdue (`overdue_q`) are defined once,
with the models (agreements/models/core.py); these build sums on them. Cancelled
commitments are left out of targets and progress.

- An agreement's progress % (admin list, export) counts each commitment up to its
  target: over-delivery on one commitment does not hide a shortfall on another.
- A report's fulfilment % over a group (a clause kind, a partner) is the group's
  accepted progress over its targets, both summed by the database: over-delivery
  shows (it may pass 100 %), and the sums stay a join and a GROUP BY, fast at
  200 000 commitments.
"""

from __future__ import annotations

from django.db.models import Exists, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least

from .models import (
    AgreementStatus,
    Commitment,
    CommitmentStatus,
    overdue_q,
)

# Agreements whose commitments bind the parties: signed, whether still running or not.
SIGNED_STATUSES = (
    AgreementStatus.SIGNED,
    AgreementStatus.ACTIVE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.RENEWED,
)


def achieved(commitment_ref: str = "pk") -> Coalesce:
    """Accepted progress of the commitment `OuterRef(commitment_ref)`, 0 when none."""
    total = Commitment.objects.filter(pk=OuterRef(commitment_ref)).order_by().with_progress().values("achieved")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0), output_field=IntegerField())


def counted_achieved(commitment_ref: str = "pk") -> Least:
    """Accepted progress capped at the commitment's target."""
    return Least(achieved(commitment_ref), F("target_quantity"), output_field=IntegerField())


def _agreement_commitments():
    return (
        Commitment.objects.filter(clause__agreement=OuterRef("pk"))
        .exclude(status=CommitmentStatus.CANCELLED)
        .order_by()
        .values("clause__agreement")
    )


def agreement_target() -> Coalesce:
    """Sum of the targets of an agreement's (not cancelled) commitments."""
    sub = _agreement_commitments().annotate(total=Sum("target_quantity")).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def agreement_counted() -> Coalesce:
    """Sum of an agreement's commitments' progress, each capped at its target."""
    sub = _agreement_commitments().annotate(total=Sum(counted_achieved())).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def has_overdue_commitments(today=None) -> Exists:
    return Exists(Commitment.objects.filter(overdue_q(today=today), clause__agreement=OuterRef("pk")))


def percent(part: int | None, whole: int | None) -> int | None:
    """Whole percentage of two database totals; None when there is nothing to measure."""
    if not whole:
        return None
    return int((part or 0) * 100 / whole)
