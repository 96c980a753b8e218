"""What the staff dashboard and the partner portal home show: work queues and impact.

Queues: each a count, the first few rows and a link to the full list, built from the
rules written elsewhere (`overdue_q`, `ending_within`, `renewals_in_progress`,
`awaiting_signature`), so the dashboard counts what the lists show.

Impact: targets against accepted progress, per unit (trainees are never added to
workshops), by clause kind, by partner and by year (the year a commitment is due). Pending
and returned quantities are shown apart: only accepted ones are progress. One grouped
query (reports summed per commitment, then grouping sets by kind and by partner, each per
year and unit) and the partners' names give every table and chart, whatever the number
of commitments or reports.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from common.dates import year_label
from partners.models import Partner

from .measures import SIGNED_STATUSES, percent
from .models import (
    Agreement,
    AgreementStatus,
    ClauseKind,
    Commitment,
    CommitmentStatus,
    Party,
    PeriodReport,
    ProgressStatus,
    ProgressUpdate,
    Unit,
    progress_sums,
    visible_q,
)
from .signing.inbox import awaiting_signature

# Rows shown in a queue card; the link opens the whole list.
QUEUE_ROWS = 5
# A partner's commitment is "due soon" within this many days.
DUE_SOON_DAYS = 14
ENDING_SOON_DAYS = 90
# Partners drawn in a chart per unit (the table lists them all).
CHART_PARTNERS = 10


@dataclass
class QueueRow:
    title: str
    detail: str = ""
    date: datetime.date | None = None
    url: str = ""
    action: str = ""


@dataclass
class Queue:
    """One work queue: `count` items in all, the first `rows`, the full list at `url`."""

    key: str
    title: str
    icon: str
    count: int
    count_text: str
    rows: list[QueueRow]
    url: str = ""
    empty: str = ""
    tone: str = "secondary"


def _queue(key: str, title: str, icon: str, count: int, count_text: str, rows, **kwargs) -> Queue:
    return Queue(key, title, icon, count, count_text, list(rows), **kwargs)


def _report_rows(updates, url_of) -> list[QueueRow]:
    return [
        QueueRow(
            title=update.commitment.description,
            detail=f"{update.commitment.clause.agreement.partner.name} · +{update.amount} "
            f"{update.commitment.get_unit_display()}",
            date=update.reported_on,
            url=url_of(update),
        )
        for update in updates
    ]


def _commitment_rows(commitments, url_of) -> list[QueueRow]:
    return [
        QueueRow(
            title=c.description,
            detail=f"{c.clause.agreement.partner.name} · {c.target_quantity} {c.get_unit_display()}",
            date=c.due_on,
            url=url_of(c),
        )
        for c in commitments
    ]


def _agreement_rows(agreements, url_name: str) -> list[QueueRow]:
    return [
        QueueRow(
            title=a.title,
            detail=f"{a.partner.name} · {a.get_status_display()}",
            date=a.ends_on,
            url=reverse(url_name, args=[a.reference]),
        )
        for a in agreements
    ]


def _signature_rows(requests, url_name: str = "agreements:sign") -> list[QueueRow]:
    rows = []
    for r in requests:
        if r.amendment_id:
            url = reverse("agreements:amendment_sign", args=[r.agreement.reference, r.amendment.number])
        else:
            url = reverse(url_name, args=[r.agreement.reference])
        rows.append(QueueRow(title=r.agreement.title, detail=r.agreement.partner.name, url=url))
    return rows


def late_reports_queue(user, today: datetime.date) -> Queue:
    """Period reports past their due date and not sent, the longest late first (the staff queue)."""
    late = PeriodReport.objects.visible_to(user).late(today)
    count = late.count()
    rows = [
        QueueRow(
            title=report.agreement.title,
            detail=f"{report.agreement.partner.name} · {report.get_party_display()} · {report.label}",
            date=report.due_on,
            url=reverse("agreements:period_report", args=[report.pk]),
        )
        for report in late.select_related("agreement__partner").order_by("due_on", "agreement_id", "party")[:QUEUE_ROWS]
    ]
    return _queue(
        "late_reports",
        _("Late reports"),
        "bi-calendar-x",
        count,
        ngettext("%(n)s late report", "%(n)s late reports", count) % {"n": count},
        rows,
        url=reverse("agreements:late_reports"),
        empty=_("No period report is late."),
        tone="danger",
    )


def _signature_queue(waiting: list) -> Queue:
    """What awaits the user's signature (staff and partner alike): the inbox the page loaded."""
    n_waiting = len(waiting)
    return _queue(
        "signature",
        _("Awaiting your signature"),
        "bi-pen",
        n_waiting,
        ngettext("%(n)s agreement awaits your signature", "%(n)s agreements await your signature", n_waiting)
        % {"n": n_waiting},
        _signature_rows(waiting[:QUEUE_ROWS]),
        url="#awaiting-signature" if n_waiting else "",
        empty=_("Nothing awaits your signature."),
        tone="success",
    )


def staff_queues(user, today: datetime.date, awaiting: list | None = None) -> list[Queue]:
    """The charity's work: reports to review, late reports, overdue commitments, agreements
    ending soon, renewals in progress and what awaits the user's signature (`awaiting`, the
    inbox the page already loaded, or loaded here)."""
    to_review = ProgressUpdate.objects.filter(
        status=ProgressStatus.SUBMITTED, commitment__in=Commitment.objects.visible_to(user)
    )
    overdue = (
        Commitment.objects.visible_to(user)
        .overdue(today)
        .filter(clause__agreement__status__in=SIGNED_STATUSES)
        .exclude(status=CommitmentStatus.CANCELLED)
    )
    agreements = Agreement.objects.visible_to(user)
    ending = agreements.ending_within(ENDING_SOON_DAYS)
    renewals = agreements.renewals_in_progress()
    waiting = list(awaiting_signature(user)) if awaiting is None else awaiting

    n_review = to_review.count()
    n_overdue = overdue.count()
    n_ending = ending.count()
    n_renewals = renewals.count()
    related = "commitment__clause__agreement__partner"
    return [
        _queue(
            "to_review",
            _("Reports to review"),
            "bi-inbox",
            n_review,
            ngettext("%(n)s report to review", "%(n)s reports to review", n_review) % {"n": n_review},
            _report_rows(
                to_review.select_related(related).order_by("created_at", "id")[:QUEUE_ROWS],
                lambda update: reverse("agreements:progress_queue"),
            ),
            url=reverse("agreements:progress_queue"),
            empty=_("No report is waiting for review."),
            tone="primary",
        ),
        late_reports_queue(user, today),
        _queue(
            "overdue",
            _("Overdue commitments"),
            "bi-exclamation-triangle",
            n_overdue,
            ngettext("%(n)s overdue commitment", "%(n)s overdue commitments", n_overdue) % {"n": n_overdue},
            _commitment_rows(
                overdue.select_related("clause__agreement__partner").order_by("due_on", "id")[:QUEUE_ROWS],
                lambda c: reverse("agreements:detail", args=[c.clause.agreement.reference]),
            ),
            url=reverse("reports:report", args=["commitments"]) + "?by=overdue",
            empty=_("No commitment is overdue."),
            tone="danger",
        ),
        _queue(
            "ending",
            _("Ending soon"),
            "bi-hourglass-split",
            n_ending,
            ngettext("%(n)s agreement ends within 90 days", "%(n)s agreements end within 90 days", n_ending)
            % {"n": n_ending},
            _agreement_rows(
                ending.select_related("partner").order_by("ends_on", "id")[:QUEUE_ROWS], "agreements:detail"
            ),
            url=reverse("agreements:list") + f"?ending_within={ENDING_SOON_DAYS}",
            empty=_("No agreement ends in the next 90 days."),
            tone="warning",
        ),
        _queue(
            "renewals",
            _("Renewals in progress"),
            "bi-arrow-repeat",
            n_renewals,
            ngettext("%(n)s renewal in progress", "%(n)s renewals in progress", n_renewals) % {"n": n_renewals},
            _agreement_rows(
                renewals.select_related("partner").order_by("starts_on", "id")[:QUEUE_ROWS], "agreements:detail"
            ),
            url=reverse("agreements:list") + "?renewals=on",
            empty=_("No renewal is being prepared."),
            tone="info",
        ),
        _signature_queue(waiting),
    ]


def partner_queues(user, today: datetime.date, awaiting: list | None = None) -> list[Queue]:
    """A partner user's work: their side's commitments overdue or due soon, reports sent
    back to correct, and what awaits their signature (`awaiting`, as for `staff_queues`).
    Only their partner's rows."""
    own = (
        Commitment.objects.visible_to(user)
        .current()
        .open()
        .filter(party=Party.PARTNER, clause__agreement__status=AgreementStatus.ACTIVE)
    )
    overdue = own.overdue(today)
    due_soon = own.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    returned = ProgressUpdate.objects.filter(
        status=ProgressStatus.RETURNED, commitment__in=Commitment.objects.visible_to(user)
    )
    waiting = list(awaiting_signature(user)) if awaiting is None else awaiting
    n_overdue, n_due, n_returned = overdue.count(), due_soon.count(), returned.count()

    # Viewers read only: their rows open the commitment on its agreement, not the report
    # and correction forms they may not use (those answer 403).
    may_report = user.may_report_progress

    def on_agreement(c: Commitment) -> str:
        return reverse("portal:agreement", args=[c.clause.agreement.reference]) + f"#commitment-{c.pk}"

    def report_url(c: Commitment) -> str:
        return reverse("portal:report_progress", args=[c.pk]) if may_report else on_agreement(c)

    def resubmit_url(update: ProgressUpdate) -> str:
        return reverse("portal:progress_resubmit", args=[update.pk]) if may_report else on_agreement(update.commitment)

    related = "clause__agreement__partner"
    return [
        _queue(
            "overdue",
            _("Overdue commitments"),
            "bi-exclamation-triangle",
            n_overdue,
            ngettext("%(n)s overdue commitment", "%(n)s overdue commitments", n_overdue) % {"n": n_overdue},
            _commitment_rows(overdue.select_related(related).order_by("due_on", "id")[:QUEUE_ROWS], report_url),
            url=reverse("portal:commitments") + "?status=overdue",
            empty=_("No commitment is overdue."),
            tone="danger",
        ),
        _queue(
            "due_soon",
            _("Due within 14 days"),
            "bi-calendar-event",
            n_due,
            ngettext("%(n)s commitment due within 14 days", "%(n)s commitments due within 14 days", n_due)
            % {"n": n_due},
            _commitment_rows(due_soon.select_related(related).order_by("due_on", "id")[:QUEUE_ROWS], report_url),
            url=reverse("portal:commitments"),
            empty=_("Nothing is due in the next 14 days."),
            tone="warning",
        ),
        _queue(
            "returned",
            _("Reports to correct"),
            "bi-arrow-return-left",
            n_returned,
            ngettext("%(n)s report sent back to correct", "%(n)s reports sent back to correct", n_returned)
            % {"n": n_returned},
            _report_rows(
                returned.select_related("commitment__clause__agreement__partner").order_by("reviewed_at", "id")[
                    :QUEUE_ROWS
                ],
                resubmit_url,
            ),
            url=reverse("portal:commitments"),
            empty=_("No report was sent back."),
            tone="primary",
        ),
        _signature_queue(waiting),
    ]


# --- impact ------------------------------------------------------------------------------


@dataclass
class Measure:
    """One group's figures in one unit."""

    label: str
    unit: str
    unit_label: str
    commitments: int = 0
    target: int = 0
    accepted: int = 0
    pending: int = 0
    returned: int = 0
    key: Any = None

    @property
    def percent(self) -> int | None:
        return percent(self.accepted, self.target)


@dataclass
class Impact:
    year: int | None
    years: list[tuple[int, str]]
    form: forms.Form
    by_kind: list[Measure] = field(default_factory=list)
    by_partner: list[Measure] = field(default_factory=list)
    by_year: list[Measure] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    invalid_year: bool = False


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("There are no commitments due in that year.")},
    )

    def __init__(self, *args, years: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *years]


def _counted_commitments(user):
    """The commitments whose figures count: of signed agreements the user sees, not cancelled."""
    return (
        Commitment.objects.visible_to(user)
        .filter(clause__agreement__status__in=SIGNED_STATUSES)
        .exclude(status=CommitmentStatus.CANCELLED)
        .order_by()
    )


def _figures(user) -> list[dict]:
    """The impact figures in one grouped query: one row per (kind, year, unit) and one per
    (partner, year, unit), the partner rows marked `by_partner`.

    Reports are summed per commitment first (`progress_sums`, the one definition of
    progress) and joined to the commitments, so each target is counted once and the
    grouping sees one row per commitment, not one per report. PostgreSQL groups that join
    both ways in one pass (GROUPING SETS); SQLite, the demo `make run` serves, has no
    GROUPING SETS and groups a materialised copy of it twice (they once made every
    dashboard with figures fail there).
    """
    counted = _counted_commitments(user)
    try:
        commitments, c_params = counted.values(
            c_id=F("id"),
            c_kind=F("clause__kind"),
            c_partner=F("clause__agreement__partner_id"),
            c_year=ExtractYear("due_on"),
            c_unit=F("unit"),
            c_target=F("target_quantity"),
        ).query.sql_with_params()
    except EmptyResultSet:  # a user who sees no agreement: nothing to group
        return []
    reports, r_params = (
        # The reports the user may see; the join below keeps those of counted commitments.
        ProgressUpdate.objects.filter(visible_q(user, prefix="commitment__clause__agreement__"))
        .order_by()
        .values("commitment_id")
        .annotate(**progress_sums(updates=""))
        .query.sql_with_params()
    )
    # Both parts are the ORM's own SQL with its parameters kept apart; nothing here comes from input.
    figures = (
        "COUNT(*) AS n, CAST(SUM(c_target) AS BIGINT) AS target, "
        # A commitment without reports has no row in `r`: its sums are 0.
        "CAST(COALESCE(SUM(achieved), 0) AS BIGINT) AS achieved, "
        "CAST(COALESCE(SUM(pending), 0) AS BIGINT) AS pending, "
        "CAST(COALESCE(SUM(returned), 0) AS BIGINT) AS returned"
    )
    joined = (
        f"SELECT c.*, r.achieved, r.pending, r.returned FROM ({commitments}) AS c "  # noqa: S608
        f"LEFT JOIN ({reports}) AS r ON r.commitment_id = c.c_id"
    )
    year = "CAST(c_year AS INTEGER) AS c_year"
    if connection.vendor == "postgresql":
        # Both groupings in one pass over the join.
        sql = (
            f"SELECT c_kind, c_partner, {year}, c_unit, GROUPING(c_kind) = 1 AS by_partner, {figures} "  # noqa: S608
            f"FROM ({joined}) AS j GROUP BY GROUPING SETS ((c_kind, c_year, c_unit), (c_partner, c_year, c_unit))"
        )
    else:
        # SQLite has no GROUPING SETS: the join once, grouped twice.
        sql = (
            f"WITH j AS MATERIALIZED ({joined}) "  # noqa: S608
            f"SELECT c_kind, NULL AS c_partner, {year}, c_unit, FALSE AS by_partner, {figures} "
            "FROM j GROUP BY c_kind, c_year, c_unit UNION ALL "
            f"SELECT NULL, c_partner, {year}, c_unit, TRUE, {figures} FROM j GROUP BY c_partner, c_year, c_unit"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*c_params, *r_params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def impact(user, params, *, with_partners: bool = True) -> Impact:
    """Targets against accepted progress for the commitments `user` sees, per unit.

    `params` may carry `year` (the Gregorian year commitments are due); an unknown year is
    reported on the form and all years are shown.
    """
    rows = _figures(user)
    if not with_partners:
        rows = [row for row in rows if not row["by_partner"]]
    # The partners' names in a second query: a hundred rows, not one per figure.
    partner_ids = {row["c_partner"] for row in rows if row["by_partner"]}
    partners = {
        pk: (ar, en)
        for pk, ar, en in Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name_ar", "name_en")
    }

    years = sorted({row["c_year"] for row in rows})
    year_choices = [(y, year_label(y)) for y in years]
    form = YearForm(params if "year" in params else None, years=year_choices)
    year = None
    invalid = False
    if form.is_bound:
        if form.is_valid():
            year = form.cleaned_data["year"]
        else:
            invalid = True
    result = Impact(year=year, years=year_choices, form=form, invalid_year=invalid)

    kinds = dict(ClauseKind.choices)
    units = dict(Unit.choices)
    english = get_language() == "en"
    by_kind: dict[tuple, Measure] = {}
    by_partner: dict[tuple, Measure] = {}
    by_year: dict[tuple, Measure] = {}
    year_labels = dict(year_choices)
    for row in rows:
        row_year, unit = row["c_year"], row["c_unit"]
        if row["by_partner"]:
            groups = [(by_partner, row["c_partner"])] if year is None or row_year == year else []
        else:
            # The kind rows hold every counted commitment once: the years are their sums.
            groups = [(by_year, row_year)]
            if year is None or row_year == year:
                groups.append((by_kind, row["c_kind"]))
        for table, group in groups:
            measure = table.get((group, unit))
            if measure is None:
                if table is by_year:
                    label = year_labels[row_year]
                elif table is by_kind:
                    label = str(kinds.get(group, group))
                else:
                    name_ar, name_en = partners[group]
                    label = (english and name_en) or name_ar
                measure = table[(group, unit)] = Measure(label, unit, str(units.get(unit, unit)), key=group)
            measure.commitments += row["n"]
            measure.target += row["target"] or 0
            measure.accepted += row["achieved"]
            measure.pending += row["pending"]
            measure.returned += row["returned"]

    kind_order = {k: i for i, k in enumerate(ClauseKind.values)}
    unit_order = {u: i for i, u in enumerate(Unit.values)}
    result.by_kind = sorted(by_kind.values(), key=lambda m: (kind_order.get(m.key, 99), unit_order.get(m.unit, 99)))
    result.by_partner = sorted(by_partner.values(), key=lambda m: (m.label, unit_order.get(m.unit, 99)))
    result.by_year = sorted(by_year.values(), key=lambda m: (m.key, unit_order.get(m.unit, 99)))
    result.charts = _charts(result)
    return result


def _chart(
    chart_id: str, title: str, measures: list[Measure], rank: dict[str, int], *, horizontal=False, top: int = 0
) -> dict:
    """One chart of a dimension, with the figures of each unit apart: the page shows one unit at
    a time (a unit selector), since different units never share an axis. Units in `rank` order
    (the same first unit on every chart); `top` keeps that many groups of a unit, largest targets first."""
    per_unit: dict[str, list[Measure]] = {}
    for m in measures:
        per_unit.setdefault(m.unit, []).append(m)
    ordered = sorted(per_unit.items(), key=lambda item: rank.get(item[0], len(rank)))
    units = {}
    for unit, group in ordered:
        if top:
            group = sorted(group, key=lambda m: -m.target)[:top]
        units[unit] = {
            "labels": [m.label for m in group],
            "data": [[m.target for m in group], [m.accepted for m in group], [m.pending for m in group]],
        }
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": title,
        "units": [(unit, group[0].unit_label) for unit, group in ordered],
        "spec": {
            "horizontal": horizontal,
            "series": [str(_("Target")), str(_("Accepted")), str(_("Awaiting review"))],
            "units": units,
        },
    }


def _charts(result: Impact) -> list[dict]:
    """A bar chart per dimension: targets, accepted and pending side by side, per unit."""
    # Units with the most commitments first, then the most reported, then the largest targets.
    totals: dict[str, list[int]] = {}
    for m in result.by_kind or result.by_year:
        total = totals.setdefault(m.unit, [0, 0, 0])
        total[0] -= m.commitments
        total[1] -= m.accepted + m.pending + m.returned
        total[2] -= m.target
    rank = {unit: i for i, unit in enumerate(sorted(totals, key=lambda u: totals[u]))}
    charts = [_chart("impact-kind", _("By clause kind"), result.by_kind, rank, horizontal=True)]
    if result.by_partner:
        title = ngettext(
            "By partner (the partner with the largest target)",
            "By partner (the %(n)s partners with the largest targets)",
            CHART_PARTNERS,
        ) % {"n": CHART_PARTNERS}
        charts.append(_chart("impact-partner", title, result.by_partner, rank, horizontal=True, top=CHART_PARTNERS))
    charts.append(_chart("impact-year", _("By year"), result.by_year, rank))
    return [chart for chart in charts if chart["units"]]
