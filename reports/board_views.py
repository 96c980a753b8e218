"""The board report pages, for charity staff only (anyone else gets a 404): the list of past
reports with the request form, the list's status fragment (polled while one is being made),
and the private download."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.permissions import staff_required

from .board import board_report_request
from .forms import BoardReportForm
from .models import BoardReport, BoardReportStatus

LIST_SIZE = 50


def _reports():
    return BoardReport.objects.select_related("requested_by")[:LIST_SIZE]


def _busy(reports) -> bool:
    return any(report.status in (BoardReportStatus.PENDING, BoardReportStatus.RUNNING) for report in reports)


@never_cache
@staff_required
def board_reports(request):
    """Past board reports, newest first, and the form that asks for a new one."""
    if request.method == "POST":
        form = BoardReportForm(request.POST)
        if form.is_valid():
            board_report_request(by=request.user, **form.cleaned_data)
            messages.success(request, _("The board report is being prepared. It appears below when it is ready."))
            return redirect("board_reports:list")
    else:
        form = BoardReportForm()
    reports = list(_reports())
    status = 400 if form.is_bound else 200
    return render(
        request, "reports/board_reports.html", {"form": form, "reports": reports, "busy": _busy(reports)}, status=status
    )


@never_cache
@staff_required
def board_reports_table(request):
    reports = list(_reports())
    return render(request, "reports/_board_reports_table.html", {"reports": reports, "busy": _busy(reports)})


@staff_required
def board_report_download(request, pk: int):
    """The stored PDF, once ready and still the file that was made (its SHA-256 checked)."""
    report = get_object_or_404(BoardReport, pk=pk, status=BoardReportStatus.DONE)
    try:
        with report.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise Http404
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=report.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
