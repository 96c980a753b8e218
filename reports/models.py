"""The reports app's tables: the export job (defined with the export plumbing) and the board report.

`spreadsheets.models.ExportJob` keeps the app label "reports", where its table and
migration were made; importing it here lets Django create its content type and
permissions under this app, as before the plumbing moved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.choices import ChoiceDisplayMixin
from common.dates import Calendar
from spreadsheets.models import ExportJob, ExportStatus

__all__ = ["BoardPart", "BoardReport", "BoardReportStatus", "ExportJob", "ExportStatus"]


class BoardReportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class BoardPart(models.TextChoices):
    YEAR = "year", _("The whole year")
    H1 = "h1", _("First half")
    H2 = "h2", _("Second half")
    Q1 = "q1", _("First quarter")
    Q2 = "q2", _("Second quarter")
    Q3 = "q3", _("Third quarter")
    Q4 = "q4", _("Fourth quarter")


class BoardReportLanguage(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class BoardReport(ChoiceDisplayMixin, models.Model):
    """One board report PDF asked for by a staff member: the period, the language, and the file.

    Made by the worker (`reports.board.board_report_make`); kept in private media like the
    signed PDFs and downloaded only by charity staff.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    calendar = models.CharField(_("calendar"), max_length=10, choices=Calendar.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    part = models.CharField(_("period"), max_length=10, choices=BoardPart.choices, default=BoardPart.YEAR)
    language = models.CharField(
        _("language"), max_length=5, choices=BoardReportLanguage.choices, default=BoardReportLanguage.ARABIC
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=BoardReportStatus.choices, default=BoardReportStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to="board/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("board report")
        verbose_name_plural = _("board reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="board_report_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year} {self.part} ({self.language}, {self.status})"

    @property
    def filename(self) -> str:
        return f"board-report-{self.year}-{self.part}-{self.calendar}-{self.language}.pdf"
