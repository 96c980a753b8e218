"""The Reports section of Django admin: same login, same look, linked from the admin index.

Every view runs inside `admin.site.admin_view` (active staff only; others are sent to
the admin login) and needs permission to view agreements; anyone else gets a 404.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from common import clock
from partners.models import CharityProfile
from spreadsheets import formats
from spreadsheets.exports import download_response
from spreadsheets.models import ExportJob

from .definitions import REPORTS, Report, Result

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("agreements.view_agreement"):
        raise Http404


def _report(request: HttpRequest, slug: str) -> Report:
    _allowed(request)
    report_class = REPORTS.get(slug)
    if report_class is None:
        raise Http404
    return report_class(request.GET)


def admin_context(request: HttpRequest) -> dict:
    """`admin.site.each_context` without the app list: report pages have no app sidebar,
    and building the list (every model's permissions) costs more than a small report's SQL."""
    site = admin.site
    script_name = request.META.get("SCRIPT_NAME", "")
    return {
        "site_title": site.site_title,
        "site_header": site.site_header,
        "site_url": script_name if site.site_url == "/" and script_name else site.site_url,
        "has_permission": site.has_permission(request),
        "available_apps": [],
        "is_popup": False,
        "is_nav_sidebar_enabled": False,
        "log_entries": [],
    }


def _context(request: HttpRequest, report: Report | None = None, result: Result | None = None, **extra) -> dict:
    return {
        **admin_context(request),
        "title": report.title if report else _("Reports"),
        "reports": [cls for cls in REPORTS.values()],
        "report": report,
        "result": result,
        "query": request.GET.urlencode(),
        "table": table_cells(result) if result else None,
        **extra,
    }


def index(request: HttpRequest) -> TemplateResponse:
    _allowed(request)
    return TemplateResponse(request, "admin/reports/index.html", _context(request))


def report_view(request: HttpRequest, slug: str) -> TemplateResponse:
    report = _report(request, slug)
    result = report.build()
    return TemplateResponse(request, "admin/reports/report.html", _context(request, report, result))


def report_print(request: HttpRequest, slug: str) -> TemplateResponse:
    report = _report(request, slug)
    result = report.build()
    context = _context(request, report, result, charity=CharityProfile.load(), generated_at=clock.today())
    return TemplateResponse(request, "admin/reports/print.html", context)


def table_cells(result: Result) -> dict:
    """The table as (kind, value) cells, for the template to format each by its kind."""
    kinds = [column.kind for column in result.columns]
    keys = [column.key for column in result.columns]
    rows = [list(zip(kinds, [row.get(key) for key in keys], strict=True)) for row in result.rows]
    totals = [
        [
            ("text" if value is None or not isinstance(value, (int, float)) else kind, value)
            for kind, value in zip(kinds, [footer.get(key) for key in keys], strict=True)
        ]
        for footer in result.footer
    ]
    return {"rows": rows, "totals": totals}


def table_of(result: Result) -> tuple[list[str], list[list]]:
    """Headers and rows (totals last) exactly as the page's table shows them."""
    headers = [str(column.label) for column in result.columns]
    rows = [[row.get(column.key) for column in result.columns] for row in result.rows]
    for footer in result.footer:
        rows.append([_cell(footer.get(column.key)) for column in result.columns])
    return headers, rows


def _cell(value):
    return str(value) if value is not None and not isinstance(value, (int, float)) else value


def report_export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    report = _report(request, slug)
    if file_format not in CONTENT_TYPES:
        raise Http404
    result = report.build()
    headers, rows = table_of(result)
    rows = [[_cell(value) if not hasattr(value, "isoformat") else value for value in row] for row in rows]
    if file_format == "csv":
        body = formats.write_csv(headers, rows)
    else:
        body = formats.write_xlsx(headers, rows, title=str(report.title), bold_last_rows=len(result.footer))
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    suffix = f"-{report.by}" if report.by else ""
    response["Content-Disposition"] = (
        f'attachment; filename="report-{report.slug}{suffix}-{clock.today():%Y-%m-%d}.{file_format}"'
    )
    return response


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("created_by"), pk=pk)
    if not (request.user.is_superuser or job.created_by_id == request.user.pk):
        raise Http404
    return job


def export_job(request: HttpRequest, pk: int) -> TemplateResponse:
    job = _job(request, pk)
    context = {**admin.site.each_context(request), "title": _("Export"), "job": job}
    return TemplateResponse(request, "admin/reports/export_job.html", context)


def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not job.may_download(request.user):
        raise Http404
    return download_response(job)
