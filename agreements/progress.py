"""Progress on commitments: reported by the side that promised, reviewed by the charity.

The review cycle: a report is submitted; staff accept it (it then counts toward the
target) or send it back with a comment; the partner corrects a returned report and
submits it again, keeping its evidence. Each step after the first adds an entry to the
report's comment thread (`ProgressComment`). The moves are `PROGRESS_TRANSITIONS`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import clock, dates
from common.counting import counted
from common.text import plain_name
from outbox.services import outbox_enqueue

from .models import (
    Commitment,
    CommitmentStatus,
    Evidence,
    Party,
    PeriodReport,
    ProgressComment,
    ProgressCommentKind,
    ProgressStatus,
    ProgressUpdate,
)
from .models.core import REPORTABLE_AFTER_END
from .signals import progress_reported, progress_reviewed
from .tasks import send_progress_review
from .uploads import sniff_document

if TYPE_CHECKING:
    from accounts.models import User

MAX_EVIDENCE_FILES = 5


def may_report(user: User, commitment: Commitment) -> bool:
    """A partner's officers and editors report on its own commitments (viewers do not); staff editors on any."""
    if user.can_edit_agreements:
        return True
    agreement = commitment.clause.agreement
    return bool(
        user.may_report_progress and user.partner_id == agreement.partner_id and commitment.party == Party.PARTNER
    )


def removed_refusal(commitment: Commitment) -> str | None:
    """Why no progress is reported on a commitment an amendment in force removed; None otherwise."""
    if commitment.removed_by_id is None:
        return None
    return _(
        "Amendment %(number)s removed this commitment from the agreement, so progress is no longer reported on it."
    ) % {"number": commitment.removed_by.number}


def _check_reportable(commitment: Commitment, reported_on: datetime.date) -> None:
    """Refuse progress on a commitment that takes none today, or dated in the future."""
    agreement = commitment.clause.agreement
    today = clock.today()
    if not agreement.accepts_progress_on(today):
        if agreement.status in REPORTABLE_AFTER_END:
            raise ValidationError(
                _("The final reports of this agreement were due by %(date)s.")
                % {"date": dates.both(agreement.last_report_day)}
            )
        raise ValidationError(_("Progress is reported only on agreements in force."))
    refusal = removed_refusal(commitment)
    if refusal:
        raise ValidationError(refusal)
    if commitment.status == CommitmentStatus.CANCELLED:
        raise ValidationError(_("This commitment was cancelled."))
    if reported_on > today:
        raise ValidationError(_("The date of the progress cannot be in the future."))


def _check_files(files: list[UploadedFile], *, already: int = 0) -> list[tuple[UploadedFile, str]]:
    """Each upload with its content type; refused with every bad file named, once each, on `files`."""
    if already + len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {
                "files": ngettext("Attach at most %(n)s file.", "Attach at most %(n)s files.", MAX_EVIDENCE_FILES)
                % {"n": MAX_EVIDENCE_FILES}
            }
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, sniff_document(upload)))
        except ValidationError as error:
            name = plain_name(upload.name[:255])
            errors.extend(_("%(name)s: %(error)s") % {"name": name, "error": message} for message in error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _check_target(commitment: Commitment, amount: int, confirmed: bool) -> None:
    """An amount that would pass the target needs the reporter's confirmation (`Commitment.would_pass_target`)."""
    progress = Commitment.objects.with_progress().values_list("achieved", flat=True).get(pk=commitment.pk)
    commitment.achieved = progress
    if commitment.would_pass_target(amount) and not confirmed:
        raise ValidationError(
            {
                "confirm_over_target": _(
                    "With this amount the progress would pass the target of %(target)s "
                    "(%(achieved)s accepted so far). If the amount is right, tick "
                    "“I confirm this exceeds the target”."
                )
                % {"target": counted(commitment.target_quantity, commitment.unit), "achieved": progress}
            },
            code="over_target",
        )


def _attach(update: ProgressUpdate, checked: list[tuple[UploadedFile, str]]) -> None:
    for upload, content_type in checked:
        evidence = Evidence(update=update, original_name=upload.name[:255], content_type=content_type, size=upload.size)
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()


def progress_report(
    *,
    commitment: Commitment,
    by: User,
    amount: int,
    reported_on: datetime.date,
    note: str,
    files: list[UploadedFile],
    confirm_over_target: bool = False,
    period_report: PeriodReport | None = None,
    breakdown: dict[str, int] | None = None,
) -> ProgressUpdate:
    """Record progress with its evidence files; the agreement's owner is notified.

    `period_report` and `breakdown` (already checked: `agreements.breakdowns.breakdown_clean`)
    come from a period report (`agreements.periods.period_report_submit`).

    Files are checked by content (PDF, PNG, JPEG; size limit) before anything is saved:
    one bad file refuses the whole report, and the refusal names it. An amount that would
    pass the target is refused unless `confirm_over_target`.
    """
    if not may_report(by, commitment):
        raise PermissionDenied
    _check_reportable(commitment, reported_on)
    checked = _check_files(files)
    with transaction.atomic():
        _check_target(commitment, amount, confirm_over_target)
        update = ProgressUpdate(
            commitment=commitment,
            reported_on=reported_on,
            amount=amount,
            note=note.strip(),
            reported_by=by,
            late=clock.today() > commitment.clause.agreement.ends_on,
            over_target_confirmed=commitment.would_pass_target(amount),
            period_report=period_report,
            breakdown=breakdown or {},
        )
        update.full_clean()
        update.save()
        _attach(update, checked)
        progress_reported.send(sender=ProgressUpdate, update=update, by=by, resubmitted=False)
    return update


def progress_resubmit(
    *,
    update: ProgressUpdate,
    by: User,
    amount: int,
    reported_on: datetime.date,
    note: str,
    files: list[UploadedFile],
    comment: str = "",
    confirm_over_target: bool = False,
    breakdown: dict[str, int] | None = None,
) -> ProgressUpdate:
    """Send a returned report again, corrected: it keeps its evidence and thread; new files are added.

    The same checks as a new report (`progress_report`), and at most MAX_EVIDENCE_FILES
    files in all. `comment` (what was corrected) joins the thread.
    """
    commitment = update.commitment
    if not may_report(by, commitment):
        raise PermissionDenied
    _check_reportable(commitment, reported_on)
    with transaction.atomic():
        update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
        update.move_to(ProgressStatus.SUBMITTED)
        checked = _check_files(files, already=update.evidence.count())
        _check_target(commitment, amount, confirm_over_target)
        update.amount = amount
        update.reported_on = reported_on
        update.note = note.strip()
        update.late = clock.today() > commitment.clause.agreement.ends_on
        update.over_target_confirmed = commitment.would_pass_target(amount)
        # The corrected breakdown (already checked against the amount: `breakdowns.breakdown_clean`).
        update.breakdown = breakdown or {}
        update.full_clean()
        update.save(
            update_fields=["status", "amount", "reported_on", "note", "late", "over_target_confirmed", "breakdown"]
        )
        _attach(update, checked)
        thread_entry = ProgressComment(
            update=update, author=by, kind=ProgressCommentKind.RESUBMITTED, text=comment.strip()
        )
        thread_entry.full_clean()
        thread_entry.save()
        progress_reported.send(sender=ProgressUpdate, update=update, by=by, resubmitted=True)
    return update


def _refresh_commitment_status(commitment: Commitment) -> None:
    """Achieved once accepted progress reaches the target; in progress once any is accepted."""
    if commitment.status == CommitmentStatus.CANCELLED:
        return
    accepted = Commitment.objects.with_progress().values_list("achieved", flat=True).get(pk=commitment.pk)
    status = (
        CommitmentStatus.ACHIEVED
        if accepted >= commitment.target_quantity
        else CommitmentStatus.IN_PROGRESS
        if accepted > 0
        else CommitmentStatus.NOT_STARTED
    )
    if status != commitment.status:
        commitment.status = status
        commitment.save(update_fields=["status"])


@transaction.atomic
def progress_review(*, update: ProgressUpdate, accept: bool, comment: str, by: User) -> ProgressUpdate:
    """Accept a submitted report (it then counts toward the target) or send it back with a comment.

    The decision and its comment join the report's thread; the reporter is notified in the
    portal (agreements.signals) and e-mailed once the transaction commits (outbox).
    """
    if not by.can_edit_agreements:
        raise PermissionDenied
    update = (
        ProgressUpdate.objects.select_for_update()
        .select_related("commitment__clause__agreement", "reported_by")
        .get(pk=update.pk)
    )
    if not accept and not comment.strip():
        raise ValidationError(_("Say why the report is sent back, so it can be corrected."))
    update.move_to(ProgressStatus.ACCEPTED if accept else ProgressStatus.RETURNED)
    update.reviewed_by = by
    update.reviewed_at = timezone.now()
    update.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    thread_entry = ProgressComment(
        update=update,
        author=by,
        kind=ProgressCommentKind.ACCEPTED if accept else ProgressCommentKind.RETURNED,
        text=comment.strip(),
        created_at=update.reviewed_at,
    )
    thread_entry.full_clean()
    thread_entry.save()
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    _refresh_commitment_status(commitment)
    progress_reviewed.send(sender=ProgressUpdate, update=update, accepted=accept, comment=thread_entry)
    if update.reported_by.email:
        outbox_enqueue(task=send_progress_review, args=[thread_entry.pk])
    return update


def review_outcome_path(update: ProgressUpdate) -> str:
    """Where the reporter reads a review's outcome: the correction form of a returned report (the
    portal's for a partner user, staff's otherwise); an accepted one on the portal's list of the
    agreement's reports for a partner user, at the commitment on the agreement's page for staff.
    """
    agreement = update.commitment.clause.agreement
    partner = update.reported_by.is_partner_user
    if update.status == ProgressStatus.RETURNED:
        return reverse("portal:progress_resubmit" if partner else "agreements:progress_resubmit", args=[update.pk])
    if not partner:
        return reverse("agreements:detail", args=[agreement.reference]) + f"#commitment-{update.commitment_id}"
    return reverse("portal:agreement", args=[agreement.reference]) + f"#progress-{update.pk}"
