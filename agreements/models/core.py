"""Agreements, their clauses, each party's commitments and progress on them."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common import clock, dates
from common.choices import ChoiceDisplayMixin
from common.dates import Calendar
from common.search import document
from common.validators import reject_bidi_controls

from ..breakdowns import BreakdownKind, labelled

logger = logging.getLogger(__name__)

# Clause texts are long-form but bounded: a whole agreement must fit on a few pages.
CLAUSE_TEXT_MAX = 10_000


class ClauseKind(models.TextChoices):
    """The nine kinds of clause found in the charity's agreements (DOMAIN.md)."""

    EXPERTISE_EXCHANGE = "expertise_exchange", _("Exchange of expertise")
    TRAINING = "training", _("Qualification and training services")
    JOBS = "jobs", _("Job opportunities")
    VOLUNTEERING = "volunteering", _("Volunteering opportunities")
    JOB_FAIRS = "job_fairs", _("Participation in job fairs")
    EMPLOYMENT_SUPPORT = (
        "employment_support",
        _("Employment support: empowering citizens and preparing them for the labour market"),
    )
    COMMUNITY_BENEFITS = (
        "community_benefits",
        _("Coordination of community benefits and shared services"),
    )
    MEDIA = "media", _("Public relations and media")
    AWARENESS = "awareness", _("Awareness programmes, seminars and workshops")


class Party(models.TextChoices):
    CHARITY = "charity", _("The charity")
    PARTNER = "partner", _("The partner")


class ReportingSchedule(models.TextChoices):
    NONE = "", _("No periodic reports")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class SigningOrder(models.TextChoices):
    PARALLEL = "parallel", _("Everyone at once")
    PARTNER_FIRST = "partner_first", _("In order: the partner's signatories, then the charity")
    CHARITY_FIRST = "charity_first", _("In order: the charity, then the partner's signatories")


class ResponsibleParty(models.TextChoices):
    CHARITY = "charity", _("The charity")
    PARTNER = "partner", _("The partner")
    BOTH = "both", _("Both parties")


class Unit(models.TextChoices):
    TRAINEES = "trainees", _("trainees")
    PROGRAMMES = "programmes", _("programmes")
    WORKSHOPS = "workshops", _("workshops")
    JOB_OPPORTUNITIES = "job_opportunities", _("job opportunities")
    VOLUNTEERS = "volunteers", _("volunteers")
    EVENTS = "events", _("events")
    BENEFICIARIES = "beneficiaries", _("beneficiaries")
    MEDIA_ITEMS = "media_items", _("media items")
    MEETINGS = "meetings", _("meetings")
    HOURS = "hours", _("hours")


def _bilingual(obj, field: str) -> str:
    """The English value when English is active and filled in, else the Arabic one."""
    if get_language() == "en":
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, f"{field}_ar")


class ReferenceSequence(models.Model):
    """The last agreement number issued in a year; one locked row per year."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, year: int) -> str:
        """Issue the next reference of `year`, e.g. `QC-2026-0007`.

        The increment is one UPDATE, which locks the year's row until the transaction
        ends: two agreements created at the same time get consecutive numbers, never
        the same one.
        """
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            cls.objects.filter(year=year).update(last_number=F("last_number") + 1)
            number = cls.objects.get(year=year).last_number
        return f"{settings.AGREEMENT_REFERENCE_PREFIX}-{year}-{number:04d}"


def parse_offsets(text: str) -> list[int]:
    """`"90, 60,30"` → [90, 60, 30]; the reminder offsets in days, largest first."""
    return sorted({int(part) for part in text.replace("،", ",").split(",") if part.strip()}, reverse=True)


def validate_offsets(text: str) -> None:
    try:
        offsets = parse_offsets(text)
    except ValueError:
        raise ValidationError(_("Write whole numbers of days separated by commas, e.g. 90,60,30,7.")) from None
    if any(not 0 < offset <= 730 for offset in offsets):
        raise ValidationError(_("Each reminder must be between 1 and 730 days before the end date."))


# The id of the agreement an amendment in force is being written into (see `amending`).
_AMENDING: contextvars.ContextVar[int | None] = contextvars.ContextVar("amending", default=None)


@contextlib.contextmanager
def amending(agreement_id: int):
    """Let the content of one signed agreement change: an amendment in force is written into it.

    Only agreements.amendments.services uses it, inside the transaction that records the
    amendment as in force; everything else still meets AgreementLocked.
    """
    token = _AMENDING.set(agreement_id)
    try:
        yield
    finally:
        _AMENDING.reset(token)


class AgreementLocked(ValidationError):
    """Raised when the content of an agreement that left the draft state is changed."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "This agreement has been sent for signature, so its content can no longer change. "
                "Pull it back to draft (only while no one has signed), or record an amendment."
            ),
            code="locked",
        )


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    # Fully signed, before its start date: in force from then on.
    SIGNED = "signed", pgettext_lazy("agreement status", "Signed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")


class PdfStatus(models.TextChoices):
    NONE = "", _("No signed PDF yet")
    PENDING = "pending", _("Waiting to be made")
    RENDERING = "rendering", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def visible_q(user, prefix: str = "") -> Q:
    """Which agreements `user` may see, as a filter on the agreement at `prefix`.

    The one rule, used by every page, download, report and feed (through
    `Agreement.objects.visible_to`, `Commitment.objects.visible_to` and
    `ProgressUpdate`/`Evidence` filters built on it): charity staff see every agreement; a
    partner user their partner's, once sent. Drafts are the charity's work in progress
    and stay internal. Anyone else sees none.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_charity_staff:
        return Q()
    if user.partner_id:
        return Q(**{f"{prefix}partner_id": user.partner_id}) & ~Q(**{f"{prefix}status": AgreementStatus.DRAFT})
    return Q(pk__in=[])


# Ended agreements whose final progress reports are still accepted within the grace period.
REPORTABLE_AFTER_END = (AgreementStatus.EXPIRED, AgreementStatus.RENEWED)

# In force: the terms bind the parties today (`AgreementQuerySet.in_force`).
IN_FORCE = Q(status=AgreementStatus.ACTIVE)


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AgreementQuerySet:
        """The agreements `user` may see (see `visible_q`)."""
        return self.filter(visible_q(user))

    def in_force(self) -> AgreementQuerySet:
        """Agreements whose terms bind the parties today."""
        return self.filter(IN_FORCE)

    def counts_by_partner(self) -> dict[int, tuple[int, int]]:
        """`{partner id: (agreements, agreements in force)}` of these agreements, in one grouped query."""
        rows = self.order_by().values_list("partner").annotate(n=Count("pk"), in_force=Count("pk", filter=IN_FORCE))
        return {partner_id: (n, in_force) for partner_id, n, in_force in rows}

    def renewals_in_progress(self) -> AgreementQuerySet:
        """Renewals still being prepared or signed: they renew an agreement and are not yet signed."""
        return self.filter(
            renews__isnull=False, status__in=(AgreementStatus.DRAFT, AgreementStatus.AWAITING_SIGNATURES)
        )

    def ending_within(self, days: int) -> AgreementQuerySet:
        today = clock.today()
        return self.filter(
            status=AgreementStatus.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + timezone.timedelta(days=days),
        )


class Agreement(ChoiceDisplayMixin, models.Model):
    """A partnership agreement between the charity and one partner."""

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, validators=[reject_bidi_controls])
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True, validators=[reject_bidi_controls])
    summary_ar = models.TextField(_("summary (Arabic)"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    summary_en = models.TextField(_("summary (English)"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("partner")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_agreements",
        verbose_name=_("owner"),
        help_text=_("The staff member who follows this agreement."),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    term_calendar = models.CharField(
        _("term counted in"),
        max_length=10,
        choices=Calendar.choices,
        default=Calendar.GREGORIAN,
        help_text=_("The calendar whose months and years count the term, its renewal and moved due dates."),
    )
    renewal_notice_days = models.PositiveSmallIntegerField(
        _("renewal notice (days)"),
        default=90,
        help_text=_("How many days before the end date the renewal should be discussed."),
    )
    # How the charity follows the agreement, set with its draft; not in the signed text (CONTENT_FIELDS).
    reporting_schedule = models.CharField(
        _("periodic reports"),
        max_length=20,
        choices=ReportingSchedule.choices,
        default=ReportingSchedule.NONE,
        blank=True,
        help_text=_("Each party reports on its commitments once a period, counted in the term's calendar."),
    )
    # Set when the schedule is chosen or changed on an agreement already running: periods that
    # ended before that day are not reported (`agreements.periods.reporting_schedule_change`).
    reporting_since = models.DateField(_("periodic reports since"), null=True, blank=True, editable=False)
    reminder_offsets = models.CharField(
        _("renewal reminders (days before the end)"),
        max_length=50,
        blank=True,
        validators=[validate_offsets],
        help_text=_("E.g. 90,60,30,7. Leave empty for the portal's default."),
    )
    renews = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name=_("renews"),
        help_text=_("The earlier agreement this one renews."),
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(
        _("termination reason"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)]
    )
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 of the agreement's content, fixed when it is sent for signature."),
    )
    sent_at = models.DateTimeField(_("sent for signature at"), null=True, blank=True, editable=False)
    # How its signatories (and its amendments') are asked: chosen when it is sent for signature.
    signing_order = models.CharField(
        _("signing order"), max_length=20, choices=SigningOrder.choices, default=SigningOrder.PARALLEL, editable=False
    )
    signer_code_required = models.BooleanField(
        _("check signers by e-mail code"),
        default=True,
        editable=False,
        help_text=_("Before signing from a link, the signatory types a code sent to their e-mail address."),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, default="")
    # The signed PDF: made by a worker once the agreement is fully signed.
    pdf_status = models.CharField(
        _("signed PDF"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.NONE, blank=True, editable=False
    )
    pdf_error = models.TextField(_("signed PDF error"), blank=True, editable=False)
    pdf_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    pdf_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The Celery task that holds the claim: a message redelivered after its worker died
    # carries the same id and may take the claim over at once.
    pdf_claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    # The public verification page's address (and the PDF's QR code); random, not guessable.
    verification_code = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    # Head of the audit trail's hash chain and its length (see agreements.audit).
    audit_head = models.CharField(max_length=64, editable=False, default="0" * 64)
    audit_count = models.PositiveIntegerField(editable=False, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AgreementQuerySet.as_manager()
    # Written only by their own services (audit chain, PDF job), never by a full save.
    AUDIT_FIELDS = (
        "audit_head",
        "audit_count",
        "pdf_status",
        "pdf_error",
        "pdf_attempts",
        "pdf_claimed_at",
        "pdf_claimed_by",
    )
    # The history records what people change, not the services' own bookkeeping.
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at", *AUDIT_FIELDS])

    # What the parties agree to: frozen once the agreement leaves the draft state.
    CONTENT_FIELDS = (
        "title_ar",
        "title_en",
        "summary_ar",
        "summary_en",
        "partner_id",
        "starts_on",
        "ends_on",
        "term_calendar",
        "renewal_notice_days",
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="agreement_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["status", "ends_on"]),
            # The list's default order, newest first.
            models.Index(fields=["-created_at", "-id"], name="agreement_newest_first"),
            # The reminder sweep reads the few agreements with their own offsets.
            models.Index(fields=["status"], condition=~Q(reminder_offsets=""), name="agreement_own_offsets"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title_ar}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = {
            name: getattr(instance, name) for name in (*cls.CONTENT_FIELDS, "status") if name in instance.__dict__
        }
        return instance

    @property
    def is_locked(self) -> bool:
        """Content may change only while the agreement is a draft."""
        return self.status != AgreementStatus.DRAFT

    def content_changed(self) -> bool:
        loaded = getattr(self, "_loaded", {})
        return any(getattr(self, name) != value for name, value in loaded.items() if name != "status")

    def save(self, *args, **kwargs) -> None:
        """Save; refuse content changes once the agreement (as loaded) has left draft."""
        loaded_status = getattr(self, "_loaded", {}).get("status", AgreementStatus.DRAFT)
        if self.pk and loaded_status != AgreementStatus.DRAFT and self.content_changed() and _AMENDING.get() != self.pk:
            raise AgreementLocked()
        if not self.reference:
            self.reference = ReferenceSequence.next_reference(clock.today().year)
        self.search_text = document(self.reference, self.title_ar, self.title_en, self.summary_ar, self.summary_en)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The audit chain's head moves only through agreements.audit; a full save of
            # an instance loaded earlier must not put back an older head.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in self.AUDIT_FIELDS
            ]
        super().save(*args, **kwargs)
        self._loaded = {name: getattr(self, name) for name in (*self.CONTENT_FIELDS, "status")}

    def assert_editable(self) -> None:
        """Raise AgreementLocked unless the stored agreement is still a draft (or being amended)."""
        if _AMENDING.get() == self.pk:
            return
        status = Agreement.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if status is not None and status != AgreementStatus.DRAFT:
            raise AgreementLocked()

    @property
    def title(self) -> str:
        return _bilingual(self, "title")

    @property
    def summary(self) -> str:
        return _bilingual(self, "summary")

    @property
    def reminder_offset_list(self) -> list[int]:
        """This agreement's own reminder offsets, largest first; [] means the default.

        A stored value that is not a list of numbers (written around the form's
        validation, by an import or raw SQL) also means the default, rather than an
        error on every page and sweep that reads it.
        """
        try:
            return parse_offsets(self.reminder_offsets)
        except ValueError:
            logger.warning("Agreement %s: unreadable reminder offsets %.50r", self.pk, self.reminder_offsets)
            return []

    @property
    def days_left(self) -> int | None:
        """Days until the end date for a running agreement, else None."""
        if self.status != AgreementStatus.ACTIVE:
            return None
        return (self.ends_on - clock.today()).days

    @property
    def last_report_day(self) -> datetime.date:
        """The last day progress may be reported: the end date plus the final report's grace."""
        return self.ends_on + datetime.timedelta(days=settings.FINAL_REPORT_GRACE_DAYS)

    def accepts_progress_on(self, today: datetime.date) -> bool:
        """In force, or ended (expired, renewed) no longer ago than the final report's grace period."""
        if self.status == AgreementStatus.ACTIVE:
            return True
        return self.status in REPORTABLE_AFTER_END and today <= self.last_report_day

    @property
    def accepts_progress(self) -> bool:
        return self.accepts_progress_on(clock.today())

    @property
    def term_months(self) -> int | None:
        """The term's length in whole months of its calendar (12 for a year), or None."""
        return dates.term_months(self.starts_on, self.ends_on, self.term_calendar)


class ClauseQuerySet(models.QuerySet):
    def current(self) -> ClauseQuerySet:
        """Clauses in the agreement's text now: not removed by an amendment in force."""
        return self.filter(removed_by=None)


class Clause(ChoiceDisplayMixin, models.Model):
    """One article of an agreement: its kind, wording and who is responsible."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("agreement")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ClauseKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    text_ar = models.TextField(_("text (Arabic)"), validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    text_en = models.TextField(_("text (English)"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    responsible_party = models.CharField(
        _("responsible party"), max_length=10, choices=ResponsibleParty.choices, default=ResponsibleParty.BOTH
    )
    search_text = models.TextField(editable=False, default="")
    # Set when an amendment in force removed the clause: kept, with its commitments' history.
    removed_by = models.ForeignKey(
        "agreements.Amendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="removed_clauses",
        editable=False,
        verbose_name=_("removed by amendment"),
    )

    objects = ClauseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["agreement", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "order"],
                condition=Q(removed_by__isnull=True),
                name="clause_order_unique_per_agreement",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="clause_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} / {self.order}: {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        """Clauses belong to the agreement's content: writable only while it is a draft."""
        self.agreement.assert_editable()
        self.search_text = document(self.text_ar, self.text_en)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.agreement.assert_editable()
        return super().delete(*args, **kwargs)

    @property
    def text(self) -> str:
        return _bilingual(self, "text")


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    CANCELLED = "cancelled", _("Cancelled")


# A commitment in one of these states expects nothing more: it is never overdue.
CLOSED_COMMITMENT_STATUSES = (CommitmentStatus.ACHIEVED, CommitmentStatus.CANCELLED)


def accepted_progress(prefix: str = "", *, updates: str = "updates__") -> Sum:
    """A commitment's progress: the sum of its ACCEPTED progress updates (None without any).

    The one definition, as an aggregate over the commitment at `prefix` ("" for a
    Commitment queryset). Submitted and returned reports do not count until accepted.
    `CommitmentQuerySet.with_progress` and the reports (agreements/measures.py) use it;
    `updates=""` sums a ProgressUpdate queryset itself (grouped by commitment).
    """
    return _progress_in(ProgressStatus.ACCEPTED, prefix, updates=updates)


def _progress_in(status: str, prefix: str = "", *, updates: str = "updates__") -> Sum:
    return Sum(f"{prefix}{updates}amount", filter=Q(**{f"{prefix}{updates}status": status}))


def progress_sums(prefix: str = "", *, updates: str = "updates__") -> dict[str, Coalesce]:
    """`achieved` (accepted), `pending` (awaiting review) and `returned` sums, 0 when none.

    Only `achieved` is progress (`accepted_progress`); the other two are shown apart.
    Aggregates over the commitment at `prefix`, for `with_progress` and grouped figures;
    `updates=""` over a ProgressUpdate queryset grouped by commitment (the dashboard).
    """
    return {
        "achieved": Coalesce(accepted_progress(prefix, updates=updates), 0),
        "pending": Coalesce(_progress_in(ProgressStatus.SUBMITTED, prefix, updates=updates), 0),
        "returned": Coalesce(_progress_in(ProgressStatus.RETURNED, prefix, updates=updates), 0),
    }


def overdue_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """Overdue: past its due date, neither achieved nor cancelled (`Commitment.is_overdue`).

    The one definition as a filter on the commitment at `prefix`, used by the partner
    portal, the admin, the reports and the reminder sweep.
    """
    today = today or clock.today()
    return Q(**{f"{prefix}due_on__lt": today}) & ~Q(**{f"{prefix}status__in": CLOSED_COMMITMENT_STATUSES})


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommitmentQuerySet:
        """Commitments of the agreements `user` may see (see `visible_q`)."""
        return self.filter(visible_q(user, prefix="clause__agreement__"))

    def with_progress(self) -> CommitmentQuerySet:
        """Annotate `achieved`: accepted progress (see `accepted_progress`), 0 when none.

        Also `pending` (reports awaiting review) and `returned` (sent back for correction):
        shown apart from the progress, never counted in it.
        """
        return self.annotate(**progress_sums())

    def current(self) -> CommitmentQuerySet:
        """Commitments in the agreement's text now: not removed by an amendment in force.

        A removed commitment is kept (cancelled, with its reports) but is no longer work
        to do: every list of the agreement's content and of open work starts here.
        """
        return self.filter(removed_by=None)

    def open(self) -> CommitmentQuerySet:
        """Commitments still expecting something: neither achieved nor cancelled."""
        return self.exclude(status__in=CLOSED_COMMITMENT_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> CommitmentQuerySet:
        """Commitments overdue on `today` (see `overdue_q`)."""
        return self.filter(overdue_q(today=today))


class Commitment(ChoiceDisplayMixin, models.Model):
    """What one party promised under a clause, with a measurable target."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("clause"))
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    description_ar = models.CharField(_("description (Arabic)"), max_length=500, validators=[reject_bidi_controls])
    description_en = models.CharField(
        _("description (English)"), max_length=500, blank=True, validators=[reject_bidi_controls]
    )
    target_quantity = models.PositiveIntegerField(_("target"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=30, choices=Unit.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.NOT_STARTED
    )
    # How its periodic reports split the quantity among beneficiaries (agreements.breakdowns).
    breakdown = models.CharField(
        _("beneficiary breakdown"), max_length=10, choices=BreakdownKind.choices, default=BreakdownKind.NONE, blank=True
    )
    # Set when an amendment in force removed the commitment; it is then cancelled and keeps its reports.
    removed_by = models.ForeignKey(
        "agreements.Amendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="removed_commitments",
        editable=False,
        verbose_name=_("removed by amendment"),
    )
    search_text = models.TextField(editable=False, default="")

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    # Status and progress move while the agreement runs; the rest is agreed content.
    CONTENT_FIELDS = ("clause_id", "party", "description_ar", "description_en", "target_quantity", "unit", "due_on")

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["clause__order", "party", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_quantity__gte=1), name="commitment_target_positive"),
        ]
        indexes = [
            # The overdue queue (dashboard, portal, report): open commitments by due date,
            # the first few read in order instead of sorting every overdue one.
            models.Index(
                fields=["due_on", "id"],
                condition=~Q(status__in=CLOSED_COMMITMENT_STATUSES),
                name="commitment_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.description_ar

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = {name: getattr(instance, name) for name in cls.CONTENT_FIELDS if name in instance.__dict__}
        return instance

    def save(self, *args, **kwargs) -> None:
        """The agreed part of a commitment is writable only while the agreement is a draft."""
        loaded = getattr(self, "_loaded", None)
        if loaded is None or any(getattr(self, name) != value for name, value in loaded.items()):
            self.clause.agreement.assert_editable()
        self.search_text = document(self.description_ar, self.description_en)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)
        self._loaded = {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    def delete(self, *args, **kwargs):
        self.clause.agreement.assert_editable()
        return super().delete(*args, **kwargs)

    @property
    def description(self) -> str:
        return _bilingual(self, "description")

    @property
    def is_overdue(self) -> bool:
        """Past its due date and neither achieved nor cancelled (as `overdue_q`, in Python)."""
        return self.overdue_on(clock.today())

    def overdue_on(self, today: datetime.date) -> bool:
        """`is_overdue` for a given today: a list of many commitments reads the clock once."""
        return self.due_on < today and self.status not in CLOSED_COMMITMENT_STATUSES

    @property
    def progress_percent(self) -> int:
        """Accepted progress as a whole percentage of the target, capped at 100.

        Needs the `achieved` annotation from `Commitment.objects.with_progress()`.
        """
        return min(100, int(self.achieved * 100 / self.target_quantity))

    def would_pass_target(self, amount: int) -> bool:
        """True when `amount` more on top of the accepted progress would pass the target.

        Asked of the partner (who confirms it) when reporting or resubmitting, and shown
        to the reviewer as a badge. Needs `achieved` (`Commitment.objects.with_progress()`).
        """
        return self.achieved + amount > self.target_quantity


class ProgressStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


# The review cycle, the one place its moves are written: staff accept or return a
# submitted report; the partner corrects a returned one and submits it again.
PROGRESS_TRANSITIONS = {
    ProgressStatus.SUBMITTED: {ProgressStatus.ACCEPTED, ProgressStatus.RETURNED},
    ProgressStatus.RETURNED: {ProgressStatus.SUBMITTED},
    ProgressStatus.ACCEPTED: set(),
}


class ProgressUpdate(ChoiceDisplayMixin, models.Model):
    """A report of progress on a commitment, reviewed by the charity's staff."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="updates", verbose_name=_("commitment")
    )
    reported_on = models.DateField(_("date"))
    amount = models.PositiveIntegerField(_("amount"), validators=[MinValueValidator(1)])
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(CLAUSE_TEXT_MAX)])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_updates",
        verbose_name=_("reported by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgressStatus.choices, default=ProgressStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # The reporter confirmed that the amount passes the commitment's target (`Commitment.would_pass_target`).
    over_target_confirmed = models.BooleanField(_("confirmed over the target"), default=False)
    # The period report it is part of, if any (agreements.models.periods).
    # RESTRICT: a period report goes only with its agreement, when its updates go too.
    period_report = models.ForeignKey(
        "agreements.PeriodReport",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("period report"),
    )
    # `{category key: count}` adding up to the amount, when the commitment asks for a breakdown.
    breakdown = models.JSONField(_("beneficiary breakdown"), default=dict, blank=True)
    # Reported after the agreement's end date, in the final report's grace period.
    late = models.BooleanField(_("late"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="progress_amount_positive"),
        ]
        indexes = [
            # Reports to review (a fifth of all reports at most): counted and the oldest few
            # listed from this index, not from a scan and sort of every report.
            models.Index(
                fields=["created_at", "id", "commitment"],
                condition=Q(status=ProgressStatus.SUBMITTED),
                name="progress_to_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: +{self.amount}"

    @property
    def breakdown_rows(self) -> list[tuple[str, int]]:
        """The beneficiary breakdown as (label, count), in the commitment's categories' order."""
        return labelled(self.commitment.breakdown, self.breakdown) if self.breakdown else []

    def move_to(self, status: str) -> None:
        """Set the new status, or raise ValidationError if the review cycle does not allow the move."""
        if status not in PROGRESS_TRANSITIONS[self.status]:
            if self.status == ProgressStatus.SUBMITTED:
                raise ValidationError(_("This progress report is waiting for review."), code="transition")
            raise ValidationError(_("This progress report was already reviewed."), code="transition")
        self.status = status

    def save(self, *args, **kwargs) -> None:
        self.search_text = document(self.note)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """Store evidence under a random name; only the extension of the original is kept."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file proving progress (a PDF or photo), attached to a progress update."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("progress update")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name
