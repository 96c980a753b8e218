"""A mixed portfolio of agreements for the report tests, and the figures computed from it in Python.

`build_portfolio(scale)` creates `scale` copies of the same pattern (so two sizes give
the same shape of data). The `expected_*` functions compute each report's figures
independently: plain Python over the objects, without the report code's queries.
"""

from __future__ import annotations

import datetime
import itertools
import statistics
from collections import Counter, defaultdict

from django.utils import timezone

from agreements.models import (
    Agreement,
    AgreementStatus,
    ClauseKind,
    Commitment,
    CommitmentStatus,
    ProgressStatus,
    ProgressUpdate,
)
from partners.models import Sector
from reminders.models import Reminder, ReminderKind, ReminderStatus
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    ProgressUpdateFactory,
    StaffFactory,
    set_status,
)

S = AgreementStatus
SIGNED = {S.ACTIVE, S.EXPIRED, S.TERMINATED, S.RENEWED}
_counter = itertools.count()

# (status, sector index, signed year or None, days from today to the end date,
#  days from sent to fully signed or None)
PATTERN = [
    (S.ACTIVE, 0, 2025, 20, 2.5),
    (S.ACTIVE, 1, 2026, 45, 9.0),
    (S.ACTIVE, 2, 2026, 80, 40.0),
    (S.ACTIVE, 0, 2026, 200, 5.0),
    (S.DRAFT, 1, None, 300, None),
    (S.AWAITING_SIGNATURES, 2, None, 120, None),
    (S.EXPIRED, 0, 2024, -30, 16.0),
    (S.TERMINATED, 1, 2025, 100, None),
]
SECTORS = [Sector.NON_PROFIT, Sector.GOVERNMENT, Sector.PRIVATE]
KINDS = [ClauseKind.TRAINING, ClauseKind.JOBS, ClauseKind.AWARENESS]
# (target, days from today to the due date, status, [(amount, progress status)])
COMMITMENTS = [
    (20, -10, CommitmentStatus.IN_PROGRESS, [(5, ProgressStatus.ACCEPTED), (3, ProgressStatus.SUBMITTED)]),
    (10, 30, CommitmentStatus.ACHIEVED, [(12, ProgressStatus.ACCEPTED)]),
    (8, -40, CommitmentStatus.NOT_STARTED, []),
    (6, -5, CommitmentStatus.CANCELLED, [(2, ProgressStatus.ACCEPTED)]),
    (4, 60, CommitmentStatus.IN_PROGRESS, [(1, ProgressStatus.ACCEPTED), (1, ProgressStatus.RETURNED)]),
]


def build_portfolio(scale: int = 1) -> None:
    today = timezone.localdate()
    owner = StaffFactory(first_name="مالك", last_name="الاتفاقية")
    reporter = StaffFactory()
    for _copy in range(scale):
        partners = [PartnerFactory(sector=sector) for sector in SECTORS]
        for status, sector, year, end_in, turnaround in PATTERN:
            n = next(_counter)
            ends_on = today + datetime.timedelta(days=end_in)
            agreement = AgreementFactory(
                partner=partners[sector],
                owner=owner,
                signed_on=datetime.date(year, 3, 1) if year else None,
                starts_on=ends_on - datetime.timedelta(days=365),
                ends_on=ends_on,
            )
            for order, kind in enumerate(KINDS[: 1 + n % 3], start=1):
                clause = ClauseFactory(agreement=agreement, order=order, kind=kind)
                for target, due_in, c_status, updates in COMMITMENTS[(n + order) % 2 :: 2]:
                    commitment = CommitmentFactory(
                        clause=clause,
                        target_quantity=target,
                        due_on=today + datetime.timedelta(days=due_in),
                        status=c_status,
                    )
                    for amount, u_status in updates:
                        ProgressUpdateFactory(
                            commitment=commitment, amount=amount, status=u_status, reported_by=reporter
                        )
            set_status(agreement, status)
            if turnaround is not None:
                activated = timezone.now() - datetime.timedelta(days=3 + n % 5)
                Agreement.objects.filter(pk=agreement.pk).update(
                    sent_at=activated - datetime.timedelta(days=turnaround), activated_at=activated
                )
            if status == S.ACTIVE:
                for offset, months_ago in ((90, 2), (60, 1)):
                    sent_at = timezone.now() - datetime.timedelta(days=30 * months_ago)
                    Reminder.objects.create(
                        key=f"test-{agreement.pk}-{offset}",
                        kind=ReminderKind.RENEWAL,
                        agreement=agreement,
                        offset_days=offset,
                        due_on=sent_at.date(),
                        recipient_email="owner@example.org",
                        status=ReminderStatus.SENT if offset == 90 else ReminderStatus.FAILED,
                        sent_at=sent_at if offset == 90 else None,
                    )
                Reminder.objects.create(
                    key=f"test-{agreement.pk}-commitment",
                    kind=ReminderKind.COMMITMENT_OVERDUE,
                    agreement=agreement,
                    offset_days=0,
                    due_on=today,
                    recipient_email="partner@example.org",
                    status=ReminderStatus.SENT,
                    sent_at=timezone.now() - datetime.timedelta(days=n % 40),
                )


# --- Expected figures, computed in Python ----------------------------------------------------


def _group_of(status: str) -> str:
    return {S.ACTIVE: "active", S.AWAITING_SIGNATURES: "awaiting", S.DRAFT: "draft"}.get(status, "ended")


def expected_agreements_by(key) -> dict:
    """{group label: {total, active, awaiting, draft, ended}} for `key(agreement)`."""
    out: dict = defaultdict(Counter)
    for agreement in Agreement.objects.select_related("partner"):
        group = out[key(agreement)]
        group["total"] += 1
        group[_group_of(agreement.status)] += 1
    return {
        label: {k: counts[k] for k in ("total", "active", "awaiting", "draft", "ended")}
        for label, counts in out.items()
    }


def _achieved(commitment: Commitment) -> int:
    return sum(u.amount for u in commitment.updates.all() if u.status == ProgressStatus.ACCEPTED)


def reported_commitments() -> list[Commitment]:
    """Commitments of signed agreements, cancelled ones left out (what the report covers)."""
    return [
        c
        for c in Commitment.objects.select_related("clause__agreement__partner").prefetch_related("updates")
        if c.clause.agreement.status in SIGNED and c.status != CommitmentStatus.CANCELLED
    ]


def expected_commitments_by(key) -> dict:
    out: dict = defaultdict(Counter)
    for c in reported_commitments():
        group = out[key(c)]
        achieved = _achieved(c)
        group["commitments"] += 1
        group["target"] += c.target_quantity
        group["achieved"] += achieved
        group["overdue"] += int(c.is_overdue)
    return {
        label: {
            "commitments": g["commitments"],
            "target": g["target"],
            "achieved": g["achieved"],
            "overdue": g["overdue"],
            "fulfilment": int(g["achieved"] * 100 / g["target"]),
        }
        for label, g in out.items()
    }


def expected_overdue() -> list[tuple[str, str, int, int]]:
    return sorted(
        (c.clause.agreement.reference, c.description_ar, c.target_quantity, _achieved(c))
        for c in reported_commitments()
        if c.is_overdue
    )


def expected_ending(days: int = 90) -> list[tuple[str, int, int]]:
    today = timezone.localdate()
    rows = []
    for agreement in Agreement.objects.filter(status=S.ACTIVE):
        if today <= agreement.ends_on <= today + datetime.timedelta(days=days):
            sent = [
                r
                for r in agreement.reminders.all()
                if r.kind == ReminderKind.RENEWAL and r.status == ReminderStatus.SENT
            ]
            rows.append((agreement.reference, (agreement.ends_on - today).days, len(sent)))
    return sorted(rows)


def expected_turnaround() -> dict:
    days = [
        (a.activated_at - a.sent_at).total_seconds() / 86400
        for a in Agreement.objects.filter(sent_at__isnull=False, activated_at__isnull=False)
    ]
    return {
        "n": len(days),
        "median": round(statistics.median(days), 1),
        "slowest": round(max(days), 1),
        "fastest": round(min(days), 1),
    }


def expected_reminders_per_month() -> dict:
    out: dict = defaultdict(Counter)
    for r in Reminder.objects.filter(status=ReminderStatus.SENT):
        local = timezone.localtime(r.sent_at)
        out[(local.year, local.month)][r.kind] += 1
        out[(local.year, local.month)]["total"] += 1
    return out


def accepted_total() -> int:
    return sum(u.amount for u in ProgressUpdate.objects.filter(status=ProgressStatus.ACCEPTED))
