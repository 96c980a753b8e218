"""Report many at once: a period report's commitments as an XLSX, filled, uploaded, previewed, sent.

The upload is read and checked (`agreements.period_xlsx`) and shown as a preview; nothing is
saved until the partner confirms. The rows read travel to the confirmation signed
(`django.core.signing`, tied to the report and the user), are checked again there, and are
sent by `period_report_submit`, the same service as the form. Evidence is attached on the
preview page, one file input per row with a quantity, and checked as the form checks it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import partner_required
from agreements.forms import MultipleFileField, PeriodReportForm
from agreements.models import PeriodReport, PeriodReportStatus
from agreements.period_xlsx import (
    ImportRefused,
    Preview,
    period_sheet,
    period_sheet_check,
    period_sheet_name,
    period_sheet_read,
    sheet_rows_dump,
    sheet_rows_load,
)
from agreements.periods import LineErrors, already_submitted, may_fill, period_report_submit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A preview is confirmed the same day or uploaded again.
TOKEN_MAX_AGE = 24 * 60 * 60


class UploadForm(forms.Form):
    sheet = forms.FileField(
        label=gettext_lazy("The filled sheet (XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
    )


class EvidenceForm(forms.Form):
    files = MultipleFileField(label=gettext_lazy("Evidence (PDF, PNG or JPEG; up to 5 files)"), required=False)

    def __init__(self, *args, commitment_id: int, **kwargs):
        super().__init__(*args, prefix=f"c{commitment_id}", **kwargs)
        self.fields["files"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


def _report(request, pk: int) -> PeriodReport:
    """The partner's period report, to be filled by this user; another partner's is a 404."""
    report = get_object_or_404(
        PeriodReport.objects.visible_to(request.user).select_related("agreement__partner"), pk=pk
    )
    if not may_fill(request.user, report):
        raise PermissionDenied
    return report


def _salt(request, report: PeriodReport) -> str:
    return f"period-xlsx:{report.pk}:{request.user.pk}"


@partner_required
def period_report_xlsx(request, pk: int) -> HttpResponse:
    """The sheet of the period's commitments, to fill in a spreadsheet."""
    report = _report(request, pk)
    if report.status != PeriodReportStatus.DUE:
        messages.error(request, already_submitted(report))
        return redirect("portal:period_report", report.pk)
    response = HttpResponse(period_sheet(report), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{period_sheet_name(report)}"'
    return response


@partner_required
def period_report_upload(request, pk: int) -> HttpResponse:
    """Upload the filled sheet (POST with `sheet`), see the preview; confirm (POST with `token`) to send."""
    report = _report(request, pk)
    if report.status != PeriodReportStatus.DUE:
        messages.error(request, already_submitted(report))
        return redirect("portal:period_report", report.pk)
    context = {"report": report, "agreement": report.agreement, "upload": UploadForm(), "preview": None}
    if request.method != "POST":
        return render(request, "portal/period_xlsx.html", context)
    if "token" in request.POST:
        return _confirm(request, report, context)
    upload = UploadForm(request.POST, request.FILES)
    context["upload"] = upload
    if not upload.is_valid():
        messages.error(request, _("Nothing was sent: choose the filled sheet."))
        return render(request, "portal/period_xlsx.html", context)
    try:
        rows = period_sheet_read(report, upload.cleaned_data["sheet"].read())
    except ImportRefused as refused:
        upload.add_error("sheet", str(refused))
        messages.error(request, _("Nothing was sent: %(reason)s") % {"reason": refused})
        return render(request, "portal/period_xlsx.html", context)
    preview = period_sheet_check(report, rows)
    # Signed only when it can be confirmed: a sheet with errors is corrected and uploaded again.
    token = signing.dumps(sheet_rows_dump(rows), salt=_salt(request, report), compress=True) if preview.ok else ""
    return render(request, "portal/period_xlsx.html", _preview_context(context, preview, token))


def _preview_context(context: dict, preview: Preview, token: str, data=None, files=None) -> dict:
    context.update(
        {
            "preview": preview,
            "token": token,
            "form": PeriodReportForm(data, files),
            "evidence": {
                row.commitment.pk: EvidenceForm(data, files, commitment_id=row.commitment.pk)
                for row in preview.reported
            }
            # Evidence is asked once the sheet is right: a sheet with errors is uploaded again.
            if preview.ok
            else {},
        }
    )
    for row in preview.rows:
        row.evidence = context["evidence"].get(row.commitment.pk) if row.commitment and row.amount else None
    return context


def _confirm(request, report: PeriodReport, context: dict) -> HttpResponse:
    token = request.POST.get("token", "")
    try:
        rows = sheet_rows_load(signing.loads(token, salt=_salt(request, report), max_age=TOKEN_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        messages.error(request, _("This preview has expired or was changed; upload the sheet again."))
        return redirect("portal:period_report_upload", report.pk)
    # Checked again: a commitment may have changed since the preview.
    preview = period_sheet_check(report, rows)
    context = _preview_context(context, preview, token, request.POST, request.FILES)
    form, evidence = context["form"], context["evidence"]
    valid = [form.is_valid()] + [e.is_valid() for e in evidence.values()]
    if not preview.ok or not all(valid):
        messages.error(request, _("Nothing was sent: correct the fields marked below."))
        return render(request, "portal/period_xlsx.html", context)
    lines = preview.lines()
    for line in lines:
        line.files = evidence[line.commitment.pk].cleaned_data["files"]
    try:
        period_report_submit(
            report=report,
            by=request.user,
            narrative=form.cleaned_data["narrative"],
            confirm_over_target=form.cleaned_data["confirm_over_target"],
            lines=lines,
        )
    except LineErrors as refused:
        for row in preview.rows:
            if row.commitment and row.commitment.pk in refused.by_commitment:
                row.errors.extend(refused.by_commitment[row.commitment.pk].messages)
        messages.error(request, _("Nothing was sent: correct the fields marked below."))
        return render(request, "portal/period_xlsx.html", context)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("portal:period_report", report.pk)
    messages.success(request, _("The period report was sent to the charity for review."))
    return redirect(reverse("portal:period_report", args=[report.pk]))
