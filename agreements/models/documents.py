"""Documents around an agreement: amendments after signing, and attached files."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.search import document
from common.validators import reject_bidi_controls

from .core import CLAUSE_TEXT_MAX, Agreement, PdfStatus, _bilingual


class AmendmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    SIGNED = "signed", _("Signed, in force from its date")
    ACTIVE = "active", _("In force")


# Not yet in force: at most one of these per agreement (agreements.amendments.services). A
# signed amendment waiting for its effective date counts: the next one amends its result.
AMENDMENT_IN_PROGRESS = (AmendmentStatus.DRAFT, AmendmentStatus.AWAITING_SIGNATURES, AmendmentStatus.SIGNED)


class AmendmentQuerySet(models.QuerySet):
    def in_progress(self) -> AmendmentQuerySet:
        """Amendments not yet in force (draft, awaiting signatures, signed until their date)."""
        return self.filter(status__in=AMENDMENT_IN_PROGRESS)

    def settled(self) -> AmendmentQuerySet:
        """Amendments in force: their changes are written into the agreement's clauses."""
        return self.exclude(status__in=AMENDMENT_IN_PROGRESS)

    def signed(self) -> AmendmentQuerySet:
        """Amendments signed by every party (in force or waiting for their date)."""
        return self.filter(status__in=(AmendmentStatus.SIGNED, AmendmentStatus.ACTIVE))


class Amendment(models.Model):
    """A numbered change to a signed agreement; it is itself signed by both parties.

    `changes` is the change set: what the amendment changes, never a copy of the
    agreement. A list of operations, applied in order (agreements.amendments.content):

    - `{"op": "term", "old": {"ends_on": …}, "new": {"ends_on": …}}`
    - `{"op": "clause_change", "clause": key, "old": {every clause field}, "new": {changed fields}}`
    - `{"op": "clause_add", "clause": "n1", "new": {every clause field}}`
    - `{"op": "clause_remove", "clause": key, "old": {every clause field, "commitments": [...]}}`
    - `{"op": "commitment_change" | "commitment_add" | "commitment_remove", "commitment": key,
      "clause": key, "in_clause": {"order", "kind"}, "old"/"new": ...}`

    A key is a clause's or commitment's id, "n<i>" for an item this amendment adds, or
    "<number>.n<i>" for one an earlier amendment added. Dates are ISO strings. The old
    values make the change set readable on its own (the diff, the addendum) and let
    `apply_changes` refuse a change set that no longer fits the content it amends.
    Rows recorded before change sets existed have an empty list and only a reason.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("agreement")
    )
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True, validators=[reject_bidi_controls])
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True, validators=[reject_bidi_controls])
    # The reason for the amendment (before change sets, its whole text).
    text_ar = models.TextField(_("reason (Arabic)"), validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    text_en = models.TextField(_("reason (English)"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    changes = models.JSONField(_("changes"), default=list, blank=True)
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(
        _("status"), max_length=30, choices=AmendmentStatus.choices, default=AmendmentStatus.DRAFT
    )
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent for signature at"), null=True, blank=True, editable=False)
    signed_on = models.DateField(_("fully signed on"), null=True, blank=True, editable=False)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True, editable=False)
    # The agreement's content (agreements.amendments.content, as JSON) just before this
    # amendment was written into it: "the text as it stood before".
    content_before = models.JSONField(default=dict, blank=True, editable=False)
    # The rows this amendment's new items became: {"n1": clause or commitment id, ...}.
    new_rows = models.JSONField(default=dict, blank=True, editable=False)
    # The sealed addendum PDF, made by a worker as the agreement's own (agreements.pdf.job).
    pdf_status = models.CharField(
        _("addendum PDF"), max_length=20, choices=PdfStatus.choices, blank=True, default=PdfStatus.NONE, editable=False
    )
    pdf_error = models.TextField(blank=True, editable=False)
    pdf_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    pdf_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    pdf_claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AmendmentQuerySet.as_manager()
    search_text = models.TextField(editable=False, default="")
    history = HistoricalRecords(
        excluded_fields=["pdf_error", "pdf_attempts", "pdf_claimed_at", "pdf_claimed_by", "search_text"]
    )

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="amendment_number_unique_per_agreement"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} / {self.number}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = document(self.title_ar, self.title_en, self.text_ar, self.text_en)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return _bilingual(self, "title")

    @property
    def text(self) -> str:
        return _bilingual(self, "text")

    @property
    def is_in_progress(self) -> bool:
        return self.status in AMENDMENT_IN_PROGRESS


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """Random stored name: the original name is kept in the row, never in the path."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to an agreement by staff, e.g. a scanned annex."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("agreement")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=300, blank=True, validators=[reject_bidi_controls])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class PdfKind(models.TextChoices):
    AGREEMENT = "agreement", _("Signed agreement")
    ADDENDUM = "addendum", _("Addendum")
    CONSOLIDATED = "consolidated", _("Consolidated text")


class SignedPdf(models.Model):
    """A sealed PDF the portal issued, one per language; its SHA-256 identifies it.

    The signed agreement itself; for each signed amendment its addendum, and the
    consolidated text of the agreement as amended by it (`amendment` set).

    The file name carries the start of the hash, so a file is only ever written whole,
    under a new name, and the row points to it once it is complete.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="signed_pdfs", verbose_name=_("agreement")
    )
    amendment = models.ForeignKey(
        Amendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_pdfs",
        verbose_name=_("amendment"),
    )
    kind = models.CharField(_("document"), max_length=20, choices=PdfKind.choices, default=PdfKind.AGREEMENT)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    file = models.FileField(_("file"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signed PDF")
        verbose_name_plural = _("signed PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "language"],
                condition=models.Q(kind="agreement"),
                name="one_signed_pdf_per_language",
            ),
            models.UniqueConstraint(
                fields=["amendment", "kind", "language"],
                condition=models.Q(amendment__isnull=False),
                name="one_amendment_pdf_per_kind_and_language",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="agreement", amendment__isnull=True)
                | (~models.Q(kind="agreement") & models.Q(amendment__isnull=False)),
                name="amendment_pdf_names_its_amendment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} ({self.language})"
