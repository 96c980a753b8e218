"""Reporting periods: the schedule an agreement is reported on, and one report per party and period.

Periods are computed, never typed: `reporting_periods` cuts the term from `starts_on`
to `ends_on` into runs of the schedule's months, counted in the agreement's
`term_calendar` (Hijri months for a Hijri agreement); the last period ends with the
term and may be shorter. A period's report is due `PERIOD_REPORT_GRACE_DAYS` after the
period ends. The daily sweep writes a `PeriodReport` row once a period has ended
(`agreements.periods.period_reports_open`), for each party that has commitments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import clock, dates
from common.choices import ChoiceDisplayMixin

from .core import CLAUSE_TEXT_MAX, Agreement, AgreementStatus, Party, ReportingSchedule, visible_q

SCHEDULE_MONTHS = {
    ReportingSchedule.MONTHLY: 1,
    ReportingSchedule.QUARTERLY: 3,
    ReportingSchedule.HALF_YEARLY: 6,
    ReportingSchedule.YEARLY: 12,
}


def _grace() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PERIOD_REPORT_GRACE_DAYS)


@dataclass(frozen=True)
class Period:
    """One reporting period of an agreement: its number (from 1), first and last day, and due date."""

    schedule: str
    number: int
    starts_on: datetime.date
    ends_on: datetime.date

    @property
    def due_on(self) -> datetime.date:
        return self.ends_on + _grace()

    @property
    def label(self) -> str:
        return period_label(self.schedule, self.number, self.starts_on, self.ends_on)


def reporting_periods(
    starts_on: datetime.date, ends_on: datetime.date, schedule: str, calendar: str = dates.Calendar.GREGORIAN
) -> list[Period]:
    """The periods of a term: runs of the schedule's months in `calendar`, the last cut at `ends_on`.

    Period n ends where a term of n × months from `starts_on` would end (`dates.term_end`:
    a quarter from 15 January ends on 14 April; Hijri months keep their 29 or 30 days).
    A term shorter than one period is one period. No schedule, no periods.
    """
    months = SCHEDULE_MONTHS.get(schedule)
    if not months or ends_on < starts_on:
        return []
    periods, start, number = [], starts_on, 1
    while start <= ends_on:
        try:
            end = min(dates.term_end(starts_on, months * number, calendar), ends_on)
        except (OverflowError, ValueError):
            end = ends_on  # outside the Umm al-Qura table: the rest of the term is one period
        periods.append(Period(schedule, number, start, end))
        start, number = end + datetime.timedelta(days=1), number + 1
    return periods


def period_label(schedule: str, number: int, starts_on: datetime.date, ends_on: datetime.date) -> str:
    """`الربع 2: 1 أبريل 2027 – 30 يونيو 2027 (23 شوال 1448 هـ – 25 محرم 1449 هـ)`, in the active language."""
    names = {
        ReportingSchedule.MONTHLY: _("Month %(n)s"),
        ReportingSchedule.QUARTERLY: _("Quarter %(n)s"),
        ReportingSchedule.HALF_YEARLY: _("Half-year %(n)s"),
        ReportingSchedule.YEARLY: _("Year %(n)s"),
    }
    name = names.get(schedule, _("Period %(n)s")) % {"n": number}
    gregorian = f"{dates.gregorian(starts_on)} – {dates.gregorian(ends_on)}"
    hijri = f"{dates.hijri(starts_on)} – {dates.hijri(ends_on)}"
    return f"{name}: {gregorian} ({hijri})"


class PeriodReportStatus(models.TextChoices):
    DUE = "due", gettext_lazy("To report")
    SUBMITTED = "submitted", gettext_lazy("Submitted")


class PeriodReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> PeriodReportQuerySet:
        """Reports of the agreements `user` may see (`visible_q`); a partner user sees only the partner's side."""
        rows = self.filter(visible_q(user, prefix="agreement__"))
        if user.is_authenticated and not user.is_charity_staff:
            rows = rows.filter(party=Party.PARTNER)
        return rows

    def late(self, today: datetime.date | None = None) -> PeriodReportQuerySet:
        """Late: still to report and past its due date (the one definition; `PeriodReport.late_on` in Python)."""
        return self.to_report().filter(due_on__lt=today or clock.today())

    def to_report(self) -> PeriodReportQuerySet:
        """Not sent yet, on an agreement that was not terminated (a terminated one takes no more reports)."""
        return self.filter(status=PeriodReportStatus.DUE).exclude(agreement__status=AgreementStatus.TERMINATED)


class PeriodReport(ChoiceDisplayMixin, models.Model):
    """One party's report on one reporting period of an agreement: a narrative, and a progress
    update per commitment of that party (each reviewed on its own, `ProgressUpdate.period_report`).

    One per (agreement, party, period number), by constraint; submitting it is claimed
    with a conditional UPDATE, so a second submission is refused.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="period_reports", verbose_name=gettext_lazy("agreement")
    )
    party = models.CharField(gettext_lazy("party"), max_length=10, choices=Party.choices)
    schedule = models.CharField(gettext_lazy("schedule"), max_length=20, choices=ReportingSchedule.choices)
    number = models.PositiveSmallIntegerField(gettext_lazy("period"))
    starts_on = models.DateField(gettext_lazy("period starts on"))
    ends_on = models.DateField(gettext_lazy("period ends on"))
    due_on = models.DateField(gettext_lazy("due on"))
    status = models.CharField(
        gettext_lazy("status"), max_length=20, choices=PeriodReportStatus.choices, default=PeriodReportStatus.DUE
    )
    narrative = models.TextField(
        gettext_lazy("narrative"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)]
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("submitted by"),
    )
    submitted_at = models.DateTimeField(gettext_lazy("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)

    objects = PeriodReportQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("period report")
        verbose_name_plural = gettext_lazy("period reports")
        ordering = ["due_on", "agreement_id", "party"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party", "number"], name="period_report_once"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="period_report_dates"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            # The late-reports queue's order, read a page at a time among those still to report.
            models.Index(
                fields=["due_on", "agreement", "party", "number"],
                condition=Q(status="due"),
                name="period_report_late_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.party} #{self.number}"

    @property
    def label(self) -> str:
        return period_label(self.schedule, self.number, self.starts_on, self.ends_on)

    def late_on(self, today: datetime.date) -> bool:
        """As `PeriodReportQuerySet.late`, in Python."""
        return (
            self.status == PeriodReportStatus.DUE
            and self.due_on < today
            and self.agreement.status != AgreementStatus.TERMINATED
        )

    def days_late(self, today: datetime.date | None = None) -> int:
        """Days past the due date (0 when not late)."""
        today = today or clock.today()
        return max(0, (today - self.due_on).days) if self.status == PeriodReportStatus.DUE else 0
