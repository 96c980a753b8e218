"""Large changelist exports, produced by a Celery task and downloaded when ready.

The table was made by the reports app (reports/migrations/0001_initial.py) and keeps its
app label, so the move to this package needed no migration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One export of a filtered admin changelist, too large to build inside the request.

    The job keeps what is needed to rebuild the same changelist in the worker: the
    model, the changelist's query string (filters, search, ordering), the export
    form's choices and the language of the headers. Only the user who asked for the
    file (or a superuser) may download it.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("requested by")
    )
    app_label = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    query = models.JSONField(default=dict, blank=True, help_text="The changelist's GET parameters, as lists.")
    form_data = models.JSONField(default=dict, blank=True, help_text="The export form's POST parameters, as lists.")
    file_format = models.CharField(_("format"), max_length=10)
    language = models.CharField(max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        app_label = "reports"
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model_name} #{self.pk} ({self.status})"

    @property
    def filename(self) -> str:
        return f"{self.model_name}-{self.created_at:%Y-%m-%d}-{self.pk}.{self.file_format}"

    def may_download(self, user) -> bool:
        """The requester, or a superuser, once the file is ready."""
        return self.status == ExportStatus.DONE and (user.is_superuser or user.pk == self.created_by_id)
