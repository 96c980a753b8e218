"""Period reports: opened by the daily sweep when a period ends, filled once by the party that reports.

`period_reports_open(today=...)` writes the `PeriodReport` rows of every period that ended
before `today` (idempotent: the unique constraint keeps one per agreement, party and
period). `period_report_submit(...)` records the narrative and one progress update per
commitment with a quantity (`agreements.progress.progress_report`, so each keeps the
review cycle, evidence checks and over-target confirmation), all or nothing, once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import clock, dates

from .models import (
    Agreement,
    AgreementStatus,
    Commitment,
    Party,
    PeriodReport,
    PeriodReportStatus,
    ReportingSchedule,
    reporting_periods,
)
from .models.periods import SCHEDULE_MONTHS
from .progress import progress_report

if TYPE_CHECKING:
    from accounts.models import User

# Agreements whose ended periods are reported: in force, or ended normally (the last period's report).
REPORTING_STATUSES = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED, AgreementStatus.RENEWED)


# No month is shorter than 28 days (Gregorian) or 29 (Hijri): a lower bound of a period's length.
SHORTEST_MONTH = 28


def _may_have_ended(agreement: Agreement, today: datetime.date) -> bool:
    """False when no period after the last one opened can have ended before `today` (no need to count)."""
    if agreement.last_opened is None:
        return True
    months = SCHEDULE_MONTHS[agreement.reporting_schedule]
    next_end = min(agreement.last_opened + datetime.timedelta(days=SHORTEST_MONTH * months), agreement.ends_on)
    return next_end < today


def period_reports_open(*, today: datetime.date | None = None) -> list[PeriodReport]:
    """Write the report of every party with commitments for each period ended before `today`; returns the new ones.

    Runs from the daily sweep; any number of runs open each report once. Three queries
    whatever the number of agreements, plus the insert; only agreements whose next period
    may have ended are counted through.
    """
    today = today or clock.today()
    agreements = [
        agreement
        for agreement in Agreement.objects.filter(status__in=REPORTING_STATUSES, starts_on__lt=today)
        .exclude(reporting_schedule="")
        .annotate(last_opened=Max("period_reports__ends_on"))
        .filter(Q(last_opened=None) | Q(last_opened__lt=F("ends_on")))
        .only("id", "starts_on", "ends_on", "term_calendar", "reporting_schedule", "reporting_since")
        if _may_have_ended(agreement, today)
    ]
    if not agreements:
        return []
    ids = [a.pk for a in agreements]
    parties: dict[int, set[str]] = {}
    for agreement_id, party in (
        Commitment.objects.current()
        .filter(clause__agreement__in=ids)
        .values_list("clause__agreement_id", "party")
        .distinct()
    ):
        parties.setdefault(agreement_id, set()).add(party)
    existing = set(PeriodReport.objects.filter(agreement__in=ids).values_list("agreement_id", "party", "number"))
    rows = []
    for agreement in agreements:
        for period in reporting_periods(
            agreement.starts_on, agreement.ends_on, agreement.reporting_schedule, agreement.term_calendar
        ):
            if period.ends_on >= today:
                break
            if agreement.reporting_since and period.ends_on < agreement.reporting_since:
                continue  # ended before the schedule was set on the running agreement
            for party in sorted(parties.get(agreement.pk, ())):
                if (agreement.pk, party, period.number) in existing:
                    continue
                rows.append(
                    PeriodReport(
                        agreement_id=agreement.pk,
                        party=party,
                        schedule=agreement.reporting_schedule,
                        number=period.number,
                        starts_on=period.starts_on,
                        ends_on=period.ends_on,
                        due_on=period.due_on,
                    )
                )
    if not rows:
        return []
    # ignore_conflicts: a sweep running at the same time may have written some; neither fails.
    # Rows come back from it without their ids, hence the read below.
    started = timezone.now()
    PeriodReport.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        PeriodReport.objects.filter(created_at__gte=started, agreement_id__in={row.agreement_id for row in rows})
    )


# Statuses in which staff change the schedule from the agreement's page (a draft uses its form).
SCHEDULE_CHANGE_STATUSES = (AgreementStatus.AWAITING_SIGNATURES, AgreementStatus.ACTIVE)


def reporting_schedule_change(agreement: Agreement, schedule: str, *, by: User) -> Agreement:
    """Set or change the reporting schedule of an agreement sent for signature or in force.

    The schedule is not in the signed text: it is how the charity follows the agreement. On a
    running agreement the new schedule counts from today: periods already ended are not asked
    for. Once period reports were opened under one schedule, it may only be stopped (none),
    not changed to another: their numbers and spans would no longer match.
    """
    if not by.can_edit_agreements:
        raise PermissionDenied
    if schedule not in ReportingSchedule.values:
        raise ValidationError(_("Choose one of the reporting schedules."))
    if agreement.status not in SCHEDULE_CHANGE_STATUSES:
        raise ValidationError(
            _("The reporting schedule changes only while the agreement is awaiting signatures or in force.")
        )
    if schedule == agreement.reporting_schedule:
        return agreement
    opened = PeriodReport.objects.filter(agreement=agreement).exclude(schedule=schedule)
    if schedule and opened.exists():
        raise ValidationError(
            _(
                "Period reports were already opened under the current schedule, so it cannot be changed to "
                "another one; it can only be stopped."
            )
        )
    today = clock.today()
    agreement.reporting_schedule = schedule
    agreement.reporting_since = today if schedule and agreement.starts_on < today else None
    agreement._change_reason = "reporting schedule"
    agreement.save(update_fields=["reporting_schedule", "reporting_since", "updated_at"])
    return agreement


def report_commitments(report: PeriodReport):
    """The commitments a period report covers: its party's, in the agreement's text now."""
    return (
        Commitment.objects.current()
        .with_progress()
        .filter(clause__agreement_id=report.agreement_id, party=report.party)
        .select_related("clause__agreement")
        .order_by("clause__order", "id")
    )


def may_fill(user: User, report: PeriodReport) -> bool:
    """The partner's officers and editors fill the partner's reports (viewers read them); staff
    editors the charity's (or the partner's on its behalf)."""
    if user.can_edit_agreements:
        return True
    return bool(
        user.may_report_progress and user.partner_id == report.agreement.partner_id and report.party == Party.PARTNER
    )


@dataclass
class Line:
    """One commitment's part of a period report: the quantity for the period, its breakdown and evidence."""

    commitment: Commitment
    amount: int
    breakdown: dict[str, int] = field(default_factory=dict)
    note: str = ""
    files: list[UploadedFile] = field(default_factory=list)


class LineErrors(ValidationError):
    """Refusals by commitment id (None: the report as a whole), for the form to show at each line."""

    def __init__(self, errors: dict[int | None, ValidationError]):
        self.by_commitment = errors
        super().__init__([message for error in errors.values() for message in error.messages])


def period_report_submit(
    *, report: PeriodReport, by: User, narrative: str, lines: list[Line], confirm_over_target: bool = False
) -> PeriodReport:
    """Submit a period report: the narrative and a progress update per line with a quantity, once.

    All or nothing: a refused line (bad evidence file, over the target unconfirmed, an
    agreement that takes no more reports) refuses the whole report and saves nothing; every
    refused line is named. A report already submitted is refused (claimed by a conditional
    UPDATE, so two submissions at once record one).
    """
    if not may_fill(by, report):
        raise PermissionDenied
    covered = {c.pk for c in report_commitments(report)}
    if any(line.commitment.pk not in covered for line in lines):
        raise PermissionDenied
    with transaction.atomic():
        claimed = PeriodReport.objects.filter(pk=report.pk, status=PeriodReportStatus.DUE).update(
            status=PeriodReportStatus.SUBMITTED,
            narrative=narrative.strip(),
            submitted_by=by,
            # The portal's day (a demo or test may have moved it), at the real time of day.
            submitted_at=clock.now(),
        )
        if claimed != 1:
            raise ValidationError(already_submitted(report), code="submitted")
        report.refresh_from_db()
        report.full_clean()
        errors: dict[int | None, ValidationError] = {}
        reported_on = min(report.ends_on, clock.today())
        for line in lines:
            if not line.amount:
                continue
            try:
                with transaction.atomic():
                    progress_report(
                        commitment=line.commitment,
                        by=by,
                        amount=line.amount,
                        reported_on=reported_on,
                        note=line.note,
                        files=line.files,
                        confirm_over_target=confirm_over_target,
                        period_report=report,
                        breakdown=line.breakdown,
                    )
            except ValidationError as error:
                errors[line.commitment.pk] = error
        if errors:
            transaction.set_rollback(True)
            raise LineErrors(errors)
    return report


def already_submitted(report: PeriodReport) -> str:
    report = PeriodReport.objects.select_related("submitted_by").get(pk=report.pk)
    if report.submitted_at is None:
        return _("This period's report was already sent.")
    return _("This period's report was already sent on %(date)s; each quantity is reviewed on its own.") % {
        "date": dates.both(report.submitted_at)
    }
