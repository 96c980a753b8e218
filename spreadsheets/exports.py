"""Changelist exports (and partner/contact imports) in Django admin.

`ExportAdminMixin` gives a ModelAdmin django-import-export's Export button with the
portal's CSV (UTF-8 BOM) and XLSX formats. The export honours the changelist's
filters, search and ordering. Up to `settings.EXPORT_SYNC_MAX_ROWS` rows the file
is built in the request; beyond that an `ExportJob` is queued and the user is sent
to its page, where the file is downloaded once the Celery worker has built it.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin, ImportExportMixin

from outbox.services import outbox_enqueue

from .formats import EXPORT_FORMATS, IMPORT_FORMATS, ImportRefused
from .models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)


class ExportAdminMixin(ExportMixin):
    """Export of the filtered changelist to XLSX or CSV; large exports run in Celery."""

    export_formats = EXPORT_FORMATS

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """As import-export's, but XLSX (any binary format) gets native dates and numbers."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        kwargs.pop("encoding", None)
        data = self.get_data_for_export(request, queryset, force_native_type=file_format.is_binary(), **kwargs)
        data.title = str(self.model._meta.verbose_name_plural)
        return file_format.export_data(data)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # import-export's single place where the file is built for the response.
        if queryset.count() > settings.EXPORT_SYNC_MAX_ROWS:
            job = export_job_queue(request=request, model_admin=self, file_format=file_format)
            messages.info(
                request,
                _("The export is being prepared. This page shows when it is ready to download."),
            )
            return HttpResponseRedirect(reverse("reports:export", args=[job.pk]))
        return super()._do_file_export(file_format, request, queryset, export_form=export_form)


class ImportExportAdminMixin(ImportExportMixin, ExportAdminMixin):
    """Export as above, plus import from a spreadsheet with a preview and row-level errors."""

    import_formats = IMPORT_FORMATS

    def add_data_read_fail_error_to_form(self, form, e):
        """A file refused for its size (or not an XLSX) says why, in the page's language."""
        if isinstance(e, ImportRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


def _lists(query: QueryDict) -> dict[str, list[str]]:
    return {key: values for key, values in query.lists() if key != "csrfmiddlewaretoken"}


def export_job_queue(*, request: HttpRequest, model_admin: admin.ModelAdmin, file_format) -> ExportJob:
    """Record an export of the changelist as `request` shows it, and queue its task."""
    from .tasks import run_export

    opts = model_admin.model._meta
    with transaction.atomic():
        job = ExportJob(
            created_by=request.user,
            app_label=opts.app_label,
            model_name=opts.model_name,
            query=_lists(request.GET),
            form_data=_lists(request.POST),
            file_format=file_format.get_extension(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        job.full_clean()
        job.save()
        outbox_enqueue(task=run_export, args=[job.pk])
    return job


def _rebuild_request(job: ExportJob, model_admin: admin.ModelAdmin) -> HttpRequest:
    """A request like the one that asked for the export: same user, filters and form."""
    opts = model_admin.model._meta
    query = QueryDict(mutable=True)
    for key, values in job.query.items():
        query.setlist(key, values)
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    data = QueryDict(mutable=True)
    for key, values in job.form_data.items():
        data.setlist(key, values)
    request = RequestFactory().post(
        f"{path}?{query.urlencode()}", data=data.urlencode(), content_type="application/x-www-form-urlencoded"
    )
    request.user = job.created_by
    return request


def export_build(*, job: ExportJob) -> tuple[bytes, int]:
    """The export's file content and row count, built as the admin would have in the request."""
    from django.apps import apps

    model = apps.get_model(job.app_label, job.model_name)
    model_admin = admin.site.get_model_admin(model)
    request = _rebuild_request(job, model_admin)
    if not model_admin.has_export_permission(request):
        raise PermissionError("the user may no longer export this list")
    formats = model_admin.get_export_formats()
    file_format = next(f() for f in formats if f().get_extension() == job.file_format)
    queryset = model_admin.get_export_queryset(request)
    form = model_admin.get_export_form_class()(
        formats, model_admin.get_export_resource_classes(request), data=request.POST
    )
    if not form.is_valid():
        raise ValueError(f"export form no longer valid: {form.errors.as_json()}")
    data = model_admin.get_export_data(file_format, request, queryset, export_form=form)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, queryset.count()


def export_job_run(*, job_id: int) -> bool:
    """Build the file of a queued export; returns False when another worker has it (or it is gone).

    The job is claimed with a conditional UPDATE so a redelivered task does not build
    it twice. The file is written to a temporary file, then moved into storage with
    its SHA-256. A failure is recorded on the job (status and error) and re-raised.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if claimed != 1:
        return False
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with translation.override(job.language):
            data, rows = export_build(job=job)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / job.filename
            path.write_bytes(data)
            with path.open("rb") as handle:
                job.file.save(job.filename, File(handle), save=False)
        job.sha256 = hashlib.sha256(data).hexdigest()
        job.rows = rows
        job.status = ExportStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "sha256", "rows", "status", "finished_at"])
    except Exception as error:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        logger.exception("export %s failed", job_id)
        raise
    return True


def export_jobs_purge(*, now=None) -> int:
    """Delete exports (and their files) older than `settings.EXPORT_KEEP_DAYS`."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=settings.EXPORT_KEEP_DAYS)
    deleted = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted


def download_response(job: ExportJob) -> HttpResponse:
    from django.http import FileResponse

    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
