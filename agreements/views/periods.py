"""Period reports on the staff side: the form (the charity's own side, or the partner's on its behalf)
and the queue of late reports; `period_report_page` also serves the portal's form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import editor_required, staff_required
from common import clock
from partners.models import Partner

from ..forms import PeriodLineForm, PeriodReportForm
from ..models import Agreement, Evidence, Party, PeriodReport, PeriodReportStatus, ProgressUpdate, ReportingSchedule
from ..periods import (
    Line,
    LineErrors,
    already_submitted,
    period_report_submit,
    report_commitments,
    reporting_schedule_change,
)

LATE_PAGE_SIZE = 100


def period_report_page(request, report: PeriodReport, *, template: str, done_url: str) -> HttpResponse:
    """The form of one period report (staff's and the portal's); once sent, what was sent and its review.

    Access is the caller's to check. A second submission is refused with a message and changes nothing.
    """
    commitments = list(report_commitments(report))
    submitted = report.status == PeriodReportStatus.SUBMITTED
    if submitted and request.method == "POST":
        messages.error(request, already_submitted(report))
        return redirect(request.path)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = PeriodReportForm(data, files)
    lines = [PeriodLineForm(data, files, commitment=c) for c in commitments]
    if request.method == "POST":
        if form.is_valid() and all([line.is_valid() for line in lines]):
            try:
                period_report_submit(
                    report=report,
                    by=request.user,
                    narrative=form.cleaned_data["narrative"],
                    confirm_over_target=form.cleaned_data["confirm_over_target"],
                    lines=[
                        Line(
                            commitment=line.commitment,
                            amount=line.cleaned_data["amount"],
                            breakdown=line.cleaned_data["breakdown"],
                            note=line.cleaned_data["note"],
                            files=line.cleaned_data["all_files"],
                        )
                        for line in lines
                    ],
                )
            except LineErrors as error:
                for line in lines:
                    if line.commitment.pk in error.by_commitment:
                        # Shown at the line, whichever field of the single report form it named.
                        line.add_error(None, ValidationError(error.by_commitment[line.commitment.pk].messages))
                messages.error(request, _("Nothing was sent: correct the fields marked below."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            else:
                messages.success(request, _("The period report was sent to the charity for review."))
                return redirect(done_url)
        else:
            messages.error(request, _("Nothing was sent: correct the fields marked below."))
    updates = []
    if submitted:
        updates = (
            ProgressUpdate.objects.filter(period_report=report)
            .select_related("commitment")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
            .order_by("commitment__clause__order", "commitment_id")
        )
    context = {
        "report": report,
        "agreement": report.agreement,
        "form": form,
        "lines": lines,
        "submitted": submitted,
        "updates": updates,
        "today": clock.today(),
    }
    return render(request, template, context)


@editor_required
def period_report(request, pk: int):
    """Staff fill a period report: the charity's own commitments, or the partner's on its behalf."""
    report = get_object_or_404(PeriodReport.objects.select_related("agreement__partner", "submitted_by"), pk=pk)
    done_url = reverse("agreements:detail", args=[report.agreement.reference]) + "#period-reports"
    return period_report_page(request, report, template="agreements/period_report.html", done_url=done_url)


@staff_required
def late_reports(request):
    """Period reports past their due date and not sent: the oldest first; by partner, side and schedule."""
    today = clock.today()
    rows = PeriodReport.objects.late(today).select_related("agreement__partner")
    partner = request.GET.get("partner", "")
    party = request.GET.get("party", "")
    schedule = request.GET.get("schedule", "")
    if partner.isdigit():
        rows = rows.filter(agreement__partner_id=int(partner))
    if party in Party.values:
        rows = rows.filter(party=party)
    if schedule in ReportingSchedule.values and schedule:
        rows = rows.filter(schedule=schedule)
    page = Paginator(rows.order_by("due_on", "agreement_id", "party", "number"), LATE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for report in page:
        report.late_days = report.days_late(today)
    # The filter lists the partners with a late report (a semi-join, not a DISTINCT over every report).
    partners = Partner.objects.filter(
        Exists(PeriodReport.objects.late(today).filter(agreement__partner_id=OuterRef("pk")))
    ).only("pk", "name_ar", "name_en")
    context = {
        "page": page,
        "partners": partners.order_by("name_ar"),
        "parties": Party.choices,
        "schedules": [choice for choice in ReportingSchedule.choices if choice[0]],
        "selected": {"partner": partner, "party": party, "schedule": schedule},
    }
    return render(request, "agreements/late_reports.html", context)


@editor_required
@require_POST
def reporting_schedule(request, reference: str):
    """Set, change or stop the reporting schedule of an agreement sent or in force (a draft uses its form)."""
    agreement = get_object_or_404(Agreement, reference=reference)
    try:
        reporting_schedule_change(agreement, request.POST.get("reporting_schedule", "x"), by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if agreement.reporting_since:
            messages.success(
                request,
                _("The reporting schedule is now: %(schedule)s. Periods ended before today are not asked for.")
                % {"schedule": agreement.get_reporting_schedule_display()},
            )
        else:
            messages.success(
                request,
                _("The reporting schedule is now: %(schedule)s.")
                % {"schedule": agreement.get_reporting_schedule_display()},
            )
    return redirect(reverse("agreements:detail", args=[agreement.reference]) + "#reporting-schedule")
