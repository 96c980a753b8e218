"""The reports of the Reports section in Django admin.

Each report reads its filters from the query string, runs a few aggregate queries
(the database computes every count, sum and median) and returns one table and one
chart of the same figures. The page, its printable view and its CSV/XLSX download
all render the same `Result`, so the file holds exactly what the page shows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from django import forms
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agreements.measures import SIGNED_STATUSES, achieved, percent
from agreements.models import (
    Agreement,
    AgreementStatus,
    ClauseKind,
    Commitment,
    CommitmentStatus,
    Party,
    Unit,
    accepted_progress,
    overdue_q,
)
from common import clock, dates
from common.widgets import DateInput
from partners.models import Sector
from reminders.models import Reminder, ReminderKind, ReminderStatus

ENDED_STATUSES = (AgreementStatus.EXPIRED, AgreementStatus.TERMINATED, AgreementStatus.RENEWED)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    # text | number | percent | date | days
    kind: str = "text"


@dataclass
class Result:
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    chart: dict[str, Any] = field(default_factory=dict)
    # Headline figures shown above the chart: (label, value, kind).
    summary: list[tuple[str | Promise, Any, str]] = field(default_factory=list)
    # Lists stop at Report.MAX_ROWS; `total_rows` is how many there are in all.
    total_rows: int | None = None
    # Reports of quantities total each unit apart (trainees are never added to workshops):
    # one totals row per unit, in place of `totals`.
    unit_totals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def footer(self) -> list[dict[str, Any]]:
        """The totals rows under the table: the one `totals` row, or one per unit."""
        return [self.totals] if self.totals else self.unit_totals

    @property
    def truncated(self) -> bool:
        return self.total_rows is not None and self.total_rows > len(self.rows)


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    by = forms.ChoiceField(label=_("Group by"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        return data


class Report:
    """A report: its filters, and `build()` returning its table and chart."""

    slug: ClassVar[str]
    title: ClassVar[Promise]
    description: ClassVar[Promise]
    # What the date range applies to, shown beside the filter.
    range_label: ClassVar[Promise]
    # Choices of the "group by" selector; empty when the report has one view.
    groupings: ClassVar[list[tuple[str, Promise]]] = []
    # Templates list the report classes: they must not be called (instantiated) there.
    do_not_call_in_templates = True
    # Lists of agreements or commitments show (and download) at most this many rows,
    # the most urgent first; the summary above them counts them all.
    MAX_ROWS = 500

    def __init__(self, params, *, today: datetime.date | None = None):
        self.today = today or clock.today()
        self.form = RangeForm(params or None, initial=self.default_range())
        self.form.fields["by"].choices = self.groupings
        if not self.groupings:
            del self.form.fields["by"]
        if self.form.is_bound and self.form.is_valid():
            data = self.form.cleaned_data
        else:
            data = {}
            if not self.form.is_bound:
                data = self.default_range()
        self.start: datetime.date | None = data.get("start")
        self.end: datetime.date | None = data.get("end")
        self.by: str = data.get("by") or (self.groupings[0][0] if self.groupings else "")

    def default_range(self) -> dict[str, Any]:
        return {}

    def in_range(self, lookup: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{lookup}__gte": self.start})
        if self.end:
            q &= Q(**{f"{lookup}__lte": self.end})
        return q

    @property
    def grouping_label(self) -> str | Promise:
        return dict(self.groupings).get(self.by, "")

    def build(self) -> Result:
        raise NotImplementedError


def _bar_chart(labels, datasets, *, stacked=False, horizontal=False, percent_axis=False) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [str(label) for label in labels],
        "datasets": [{"label": str(label), "data": data} for label, data in datasets],
        "stacked": stacked,
        "horizontal": horizontal,
        "percent": percent_axis,
    }


# --- Agreements ---------------------------------------------------------------------------


class AgreementsReport(Report):
    slug = "agreements"
    title = _("Agreements")
    description = _("Agreements by status, partner, sector and year signed.")
    range_label = _("Start date")
    groupings = [
        ("status", _("Status")),
        ("partner", _("Partner")),
        ("sector", _("Sector")),
        ("year", _("Year signed")),
    ]

    STATUS_GROUPS = [
        ("active", _("Active"), Q(status=AgreementStatus.ACTIVE)),
        ("signed", _("Signed, in force from a later date"), Q(status=AgreementStatus.SIGNED)),
        ("awaiting", _("Awaiting signatures"), Q(status=AgreementStatus.AWAITING_SIGNATURES)),
        ("draft", _("Draft"), Q(status=AgreementStatus.DRAFT)),
        ("ended", _("Ended"), Q(status__in=ENDED_STATUSES)),
    ]

    def build(self) -> Result:
        agreements = Agreement.objects.filter(self.in_range("starts_on")).order_by()
        if self.by == "status":
            return self._by_status(agreements)
        counts = {key: Count("id", filter=q) for key, _label, q in self.STATUS_GROUPS}
        if self.by == "partner":
            groups = (
                agreements.values("partner_id", "partner__name_ar", "partner__name_en")
                .annotate(total=Count("id"), **counts)
                .order_by("-total", "partner__name_ar")
            )
            label = lambda g: _bilingual(g, "partner__name")  # noqa: E731
            head = Column("label", capfirst(_("partner")))
        elif self.by == "sector":
            groups = (
                agreements.values(group=F("partner__sector")).annotate(total=Count("id"), **counts).order_by("group")
            )
            sectors = dict(Sector.choices)
            label = lambda g: str(sectors.get(g["group"], g["group"]))  # noqa: E731
            head = Column("label", capfirst(_("sector")))
        else:
            groups = (
                agreements.values(group=ExtractYear("signed_on"))
                .annotate(total=Count("id"), **counts)
                .order_by(F("group").asc(nulls_last=True))
            )
            label = lambda g: str(g["group"]) if g["group"] else str(_("Not signed yet"))  # noqa: E731
            head = Column("label", _("Year signed"))
        rows = [{"label": label(g), **{k: g[k] for k in ("total", *counts)}} for g in groups]
        totals = agreements.aggregate(total=Count("id"), **counts)
        columns = [
            head,
            Column("total", _("Agreements"), "number"),
            *[Column(key, label_, "number") for key, label_, _q in self.STATUS_GROUPS],
        ]
        chart = _bar_chart(
            [r["label"] for r in rows],
            [(label_, [r[key] for r in rows]) for key, label_, _q in self.STATUS_GROUPS],
            stacked=True,
            horizontal=self.by == "partner",
        )
        return Result(columns, rows, {"label": _("Total"), **totals}, chart)

    def _by_status(self, agreements) -> Result:
        counted = {g["status"]: g["n"] for g in agreements.values("status").annotate(n=Count("id"))}
        total = agreements.count()
        rows = [
            {"label": str(label), "total": counted.get(value, 0), "share": percent(counted.get(value, 0), total)}
            for value, label in AgreementStatus.choices
        ]
        columns = [
            Column("label", capfirst(_("status"))),
            Column("total", _("Agreements"), "number"),
            Column("share", _("Share %"), "percent"),
        ]
        chart = {
            "type": "doughnut",
            "labels": [r["label"] for r in rows],
            "datasets": [{"label": str(_("Agreements")), "data": [r["total"] for r in rows]}],
        }
        return Result(columns, rows, {"label": _("Total"), "total": total, "share": 100 if total else None}, chart)


# --- Ending soon --------------------------------------------------------------------------


class EndingReport(Report):
    slug = "ending"
    title = _("Ending soon")
    description = _("Active agreements ending in the next 30, 60 or 90 days, with owner and reminders.")
    range_label = _("End date")
    WINDOWS = (30, 60, 90)

    def default_range(self) -> dict[str, Any]:
        return {"start": self.today, "end": self.today + datetime.timedelta(days=90)}

    def __init__(self, params, *, today=None):
        super().__init__(params, today=today)
        # A bound form with no dates still means "from today": past end dates are not "ending soon".
        self.start = self.start or self.today

    @property
    def window_links(self) -> list[tuple[int, datetime.date, datetime.date]]:
        return [(days, self.today, self.today + datetime.timedelta(days=days)) for days in self.WINDOWS]

    def build(self) -> Result:
        renewal = Q(reminders__kind=ReminderKind.RENEWAL, reminders__status=ReminderStatus.SENT)
        agreements = (
            Agreement.objects.filter(self.in_range("ends_on"), status=AgreementStatus.ACTIVE)
            .select_related("partner", "owner")
            .annotate(
                reminders_sent=Count("reminders", filter=renewal),
                last_reminder=Max("reminders__sent_at", filter=renewal),
            )
            .order_by("ends_on", "reference")[: self.MAX_ROWS]
        )
        rows = []
        for agreement in agreements:
            days_left = (agreement.ends_on - self.today).days
            rows.append(
                {
                    "reference": agreement.reference,
                    "title": agreement.title,
                    "partner": agreement.partner.name,
                    "owner": agreement.owner.get_full_name() or agreement.owner.username,
                    "ends_on": agreement.ends_on,
                    "ends_on_hijri": hijri(agreement.ends_on),
                    "days_left": days_left,
                    "reminders_sent": agreement.reminders_sent,
                    "last_reminder": timezone.localtime(agreement.last_reminder).date()
                    if agreement.last_reminder
                    else None,
                    "next_reminder": self._next_reminder(agreement, days_left),
                }
            )
        windows = {}
        lower = -1
        for days in self.WINDOWS:
            windows[f"within_{days}"] = Count(
                "id",
                distinct=True,
                filter=Q(
                    ends_on__gt=self.today + datetime.timedelta(days=lower),
                    ends_on__lte=self.today + datetime.timedelta(days=days),
                ),
            )
            lower = days
        totals = Agreement.objects.filter(self.in_range("ends_on"), status=AgreementStatus.ACTIVE).aggregate(
            # DISTINCT: the reminders join repeats an agreement once per reminder.
            total=Count("id", distinct=True),
            reminders=Count("reminders", filter=renewal),
            **windows,
        )
        columns = [
            Column("reference", capfirst(_("reference")), "ref"),
            Column("title", capfirst(_("agreement"))),
            Column("partner", capfirst(_("partner"))),
            Column("owner", capfirst(_("owner"))),
            Column("ends_on", capfirst(_("ends on")), "date"),
            Column("ends_on_hijri", _("ends on (Hijri)"), "hijri"),
            Column("days_left", _("days left"), "number"),
            Column("reminders_sent", _("Renewal reminders sent"), "number"),
            Column("last_reminder", _("Last reminder sent"), "date"),
            Column("next_reminder", _("Next reminder"), "date"),
        ]
        labels = [_("Within 30 days"), _("31 to 60 days"), _("61 to 90 days")]
        chart = _bar_chart(labels, [(_("Agreements"), [totals[f"within_{d}"] for d in self.WINDOWS])])
        summary = [
            (_("Agreements"), totals["total"], "number"),
            *[(label, totals[f"within_{d}"], "number") for label, d in zip(labels, self.WINDOWS, strict=True)],
            (_("Renewal reminders sent"), totals["reminders"], "number"),
        ]
        return Result(columns, rows, None, chart, summary, total_rows=totals["total"])

    def _next_reminder(self, agreement: Agreement, days_left: int) -> datetime.date | None:
        """The next renewal reminder date from the agreement's offsets (or the portal's)."""
        from django.conf import settings

        offsets = agreement.reminder_offset_list or settings.REMINDER_OFFSETS
        upcoming = [offset for offset in offsets if offset < days_left]
        if not upcoming:
            return None
        return agreement.ends_on - datetime.timedelta(days=max(upcoming))


# --- Commitments --------------------------------------------------------------------------


class CommitmentsReport(Report):
    slug = "commitments"
    title = _("Commitments")
    description = _("Targets against achievements by clause kind and by partner, and the overdue commitments.")
    range_label = _("Due date")
    groupings = [
        ("kind", _("Clause kind")),
        ("partner", _("Partner")),
        ("overdue", _("Overdue commitments")),
    ]

    def commitments(self):
        """Commitments of signed agreements due in the period (cancelled ones left out)."""
        return (
            Commitment.objects.filter(self.in_range("due_on"), clause__agreement__status__in=SIGNED_STATUSES)
            .exclude(status=CommitmentStatus.CANCELLED)
            .order_by()
        )

    def build(self) -> Result:
        if self.by == "overdue":
            return self._overdue()
        overdue = overdue_q(today=self.today)
        # Two queries per grouping: the commitments' own figures, and their accepted
        # progress through a join (which would repeat each commitment's target once per
        # progress update if both were summed in one query). Quantities are grouped by
        # unit as well: a row and a total never add trainees to workshops.
        plain = {"commitments": Count("id"), "target": Sum("target_quantity"), "overdue": Count("id", filter=overdue)}
        progress = {"achieved": accepted_progress()}
        if self.by == "partner":
            fields = (
                "clause__agreement__partner_id",
                "clause__agreement__partner__name_ar",
                "clause__agreement__partner__name_en",
            )
            key = "clause__agreement__partner_id"
            order = "clause__agreement__partner__name_ar"
            label = lambda g: _bilingual(g, "clause__agreement__partner__name")  # noqa: E731
            head = Column("label", capfirst(_("partner")))
        else:
            key = order = "clause__kind"
            fields = (key,)
            kinds = dict(ClauseKind.choices)
            label = lambda g: str(kinds.get(g["clause__kind"], g["clause__kind"]))  # noqa: E731
            head = Column("label", _("Clause kind"))
        units = dict(Unit.choices)
        unit_order = {u: i for i, u in enumerate(Unit.values)}
        groups = sorted(
            self.commitments().values(*fields, "unit").annotate(**plain).order_by(),
            key=lambda g: (g[order], unit_order.get(g["unit"], len(unit_order))),
        )
        achieved_by_group = {
            (g[key], g["unit"]): g["achieved"]
            for g in self.commitments().values(key, "unit").annotate(**progress).order_by()
        }
        rows = []
        for g in groups:
            done = achieved_by_group.get((g[key], g["unit"])) or 0
            rows.append(
                {
                    "label": label(g),
                    "unit": str(units.get(g["unit"], g["unit"])),
                    **{k: g[k] for k in plain},
                    "achieved": done,
                    "fulfilment": percent(done, g["target"]),
                }
            )
        per_unit = {u["unit"]: u for u in self.commitments().values("unit").annotate(**plain).order_by()}
        done_per_unit = {u["unit"]: u["achieved"] or 0 for u in self.commitments().values("unit").annotate(**progress)}
        unit_totals = [
            {
                "label": _("Total"),
                "unit": str(units.get(unit, unit)),
                **{k: per_unit[unit][k] for k in plain},
                "achieved": done_per_unit.get(unit, 0),
                "fulfilment": percent(done_per_unit.get(unit, 0), per_unit[unit]["target"]),
            }
            for unit in sorted(per_unit, key=lambda u: unit_order.get(u, len(unit_order)))
        ]
        columns = [
            head,
            Column("unit", capfirst(_("unit"))),
            Column("commitments", _("Commitments"), "number"),
            Column("target", capfirst(_("target")), "number"),
            Column("achieved", capfirst(_("achieved")), "number"),
            Column("fulfilment", _("Fulfilment %"), "percent"),
            Column("overdue", _("Overdue"), "number"),
        ]
        chart = _bar_chart(
            [f"{r['label']} · {r['unit']}" for r in rows],
            [(_("Fulfilment %"), [min(100, r["fulfilment"] or 0) for r in rows])],
            horizontal=True,
            percent_axis=True,
        )
        return Result(columns, rows, None, chart, unit_totals=unit_totals)

    def _overdue(self) -> Result:
        overdue = self.commitments().filter(overdue_q(today=self.today))
        items = (
            overdue.select_related("clause__agreement__partner")
            .annotate(progress=achieved())
            .order_by("due_on", "clause__agreement__reference", "id")[: self.MAX_ROWS]
        )
        kinds, parties, statuses = dict(ClauseKind.choices), dict(Party.choices), dict(CommitmentStatus.choices)
        rows = [
            {
                "reference": c.clause.agreement.reference,
                "partner": c.clause.agreement.partner.name,
                "kind": str(kinds[c.clause.kind]),
                "description": c.description,
                "party": str(parties[c.party]),
                "target": c.target_quantity,
                "achieved": c.progress,
                "unit": c.get_unit_display(),
                "due_on": c.due_on,
                "due_on_hijri": hijri(c.due_on),
                "days_overdue": (self.today - c.due_on).days,
                "status": str(statuses[c.status]),
            }
            for c in items
        ]
        by_partner = (
            overdue.values("clause__agreement__partner__name_ar", "clause__agreement__partner__name_en")
            .annotate(n=Count("id"))
            .order_by("-n", "clause__agreement__partner__name_ar")
        )
        chart = _bar_chart(
            [_bilingual(g, "clause__agreement__partner__name") for g in by_partner],
            [(_("Overdue commitments"), [g["n"] for g in by_partner])],
            horizontal=True,
        )
        n = overdue.count()
        # Totals per unit: targets in trainees and in workshops are never added together.
        units = dict(Unit.choices)
        unit_order = {u: i for i, u in enumerate(Unit.values)}
        targets = {u["unit"]: u["target"] for u in overdue.values("unit").annotate(target=Sum("target_quantity"))}
        done = {u["unit"]: u["achieved"] or 0 for u in overdue.values("unit").annotate(achieved=accepted_progress())}
        unit_totals = [
            {"reference": _("Total"), "unit": str(units.get(u, u)), "target": targets[u], "achieved": done.get(u, 0)}
            for u in sorted(targets, key=lambda u: unit_order.get(u, len(unit_order)))
        ]
        columns = [
            Column("reference", capfirst(_("reference")), "ref"),
            Column("partner", capfirst(_("partner"))),
            Column("kind", _("Clause kind")),
            Column("description", capfirst(_("commitment"))),
            Column("party", capfirst(_("party"))),
            Column("target", capfirst(_("target")), "number"),
            Column("achieved", capfirst(_("achieved")), "number"),
            Column("unit", capfirst(_("unit"))),
            Column("due_on", capfirst(_("due on")), "date"),
            Column("due_on_hijri", _("due on (Hijri)"), "hijri"),
            Column("days_overdue", _("Days overdue"), "number"),
            Column("status", capfirst(_("status"))),
        ]
        return Result(
            columns,
            rows,
            None,
            chart,
            [(_("Overdue commitments"), n, "number")],
            total_rows=n,
            unit_totals=unit_totals,
        )


# --- Signing turnaround ---------------------------------------------------------------------


class SigningReport(Report):
    slug = "signing"
    title = _("Signing turnaround")
    description = _("Days from sending an agreement for signature to its last signature: median and slowest.")
    range_label = _("Fully signed on")
    SLOWEST = 20
    # Upper bounds of the chart's buckets, in days.
    BUCKETS = (3, 7, 14, 30)

    def build(self) -> Result:
        signed = (
            Agreement.objects.filter(sent_at__isnull=False, activated_at__isnull=False)
            .filter(self._activated_in_range())
            .annotate(turnaround=ExpressionWrapper(F("activated_at") - F("sent_at"), output_field=DurationField()))
            .order_by()
        )
        buckets, lower = {}, None
        for days in self.BUCKETS:
            q = Q(turnaround__lte=datetime.timedelta(days=days))
            if lower is not None:
                q &= Q(turnaround__gt=datetime.timedelta(days=lower))
            buckets[f"le_{days}"] = Count("id", filter=q)
            lower = days
        buckets["over"] = Count("id", filter=Q(turnaround__gt=datetime.timedelta(days=lower)))
        stats = signed.aggregate(n=Count("id"), fastest=Min("turnaround"), slowest=Max("turnaround"), **buckets)
        median = self._median(signed, stats["n"])
        slowest = signed.select_related("partner").order_by("-turnaround", "reference")[: self.SLOWEST]
        rows = [
            {
                "reference": a.reference,
                "title": a.title,
                "partner": a.partner.name,
                "sent_on": timezone.localtime(a.sent_at).date(),
                "signed_on": timezone.localtime(a.activated_at).date(),
                "days": _days(a.turnaround),
            }
            for a in slowest
        ]
        columns = [
            Column("reference", capfirst(_("reference")), "ref"),
            Column("title", capfirst(_("agreement"))),
            Column("partner", capfirst(_("partner"))),
            Column("sent_on", _("Sent for signature on"), "date"),
            Column("signed_on", _("Fully signed on"), "date"),
            Column("days", _("Days to sign"), "days"),
        ]
        labels = [
            _("Up to 3 days"),
            _("4 to 7 days"),
            _("8 to 14 days"),
            _("15 to 30 days"),
            _("Over 30 days"),
        ]
        keys = [*[f"le_{d}" for d in self.BUCKETS], "over"]
        chart = _bar_chart(labels, [(_("Agreements"), [stats[k] for k in keys])])
        summary = [
            (_("Agreements signed"), stats["n"], "number"),
            (_("Median days to sign"), _days(median), "days"),
            (_("Fastest"), _days(stats["fastest"]), "days"),
            (_("Slowest"), _days(stats["slowest"]), "days"),
        ]
        return Result(columns, rows, None, chart, summary)

    def _activated_in_range(self) -> Q:
        # The range is in local dates; activated_at is a timestamp.
        q = Q()
        if self.start:
            q &= Q(activated_at__gte=_local_midnight(self.start))
        if self.end:
            q &= Q(activated_at__lt=_local_midnight(self.end + datetime.timedelta(days=1)))
        return q

    @staticmethod
    def _median(signed, n: int) -> datetime.timedelta | None:
        """The median turnaround, read by the database from the middle of the ordered list."""
        if not n:
            return None
        middle = list(signed.order_by("turnaround").values_list("turnaround", flat=True)[(n - 1) // 2 : n // 2 + 1])
        return sum(middle, datetime.timedelta()) / len(middle)


@lru_cache(maxsize=4096)
def _hijri(value: datetime.date, language: str) -> str:
    return dates.hijri(value)


def hijri(value: datetime.date) -> str:
    """Hijri date in the active language, cached: long lists repeat the same dates."""
    return _hijri(value, get_language())


def _bilingual(values: dict[str, Any], prefix: str) -> str:
    if get_language() == "en" and values.get(f"{prefix}_en"):
        return values[f"{prefix}_en"]
    return values[f"{prefix}_ar"]


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _days(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


# --- Reminders ----------------------------------------------------------------------------


class RemindersReport(Report):
    slug = "reminders"
    title = _("Reminders sent")
    description = _("Reminders sent per month, by kind.")
    range_label = _("Sent on")

    def build(self) -> Result:
        sent = Reminder.objects.filter(status=ReminderStatus.SENT, sent_at__isnull=False).order_by()
        if self.start:
            sent = sent.filter(sent_at__gte=_local_midnight(self.start))
        if self.end:
            sent = sent.filter(sent_at__lt=_local_midnight(self.end + datetime.timedelta(days=1)))
        by_kind = {kind: Count("id", filter=Q(kind=kind)) for kind in ReminderKind.values}
        months = (
            sent.annotate(month=TruncMonth("sent_at"))
            .values("month")
            .annotate(total=Count("id"), **by_kind)
            .order_by("month")
        )
        rows = [
            {"month": formats.date_format(m["month"], "F Y"), "total": m["total"], **{k: m[k] for k in by_kind}}
            for m in months
        ]
        totals = sent.aggregate(total=Count("id"), **by_kind)
        columns = [
            Column("month", _("Month")),
            *[Column(kind, label, "number") for kind, label in ReminderKind.choices],
            Column("total", _("Total"), "number"),
        ]
        used = [(kind, label) for kind, label in ReminderKind.choices if totals[kind]]
        chart = _bar_chart(
            [r["month"] for r in rows], [(label, [r[kind] for r in rows]) for kind, label in used], stacked=True
        )
        return Result(columns, rows, {"month": _("Total"), **totals}, chart)


REPORTS: dict[str, type[Report]] = {
    report.slug: report
    for report in (AgreementsReport, EndingReport, CommitmentsReport, SigningReport, RemindersReport)
}
