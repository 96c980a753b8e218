"""The comment thread of a progress report: who said what, when, in order."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.choices import ChoiceDisplayMixin

from .core import ProgressUpdate

# A review comment is a few sentences, not a document.
COMMENT_MAX = 2000


class ProgressCommentKind(models.TextChoices):
    """What happened to the report with the comment."""

    RETURNED = "returned", _("Sent back")
    ACCEPTED = "accepted", _("Accepted")
    RESUBMITTED = "resubmitted", _("Corrected and sent again")


class ProgressComment(ChoiceDisplayMixin, models.Model):
    """One step of a report's review, with what its author wrote; the thread stays with the report."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="comments", verbose_name=_("progress update")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProgressCommentKind.choices)
    text = models.TextField(_("comment"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX)])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress comment")
        verbose_name_plural = _("progress comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.update_id} {self.kind}: {self.text[:50]}"
