"""Writes that span several agreement rows. Each runs in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from common import dates

from .audit import audit_record
from .lifecycle import TransitionError
from .models import (
    Agreement,
    AgreementLocked,
    AgreementStatus,
    Attachment,
    AuditKind,
    Clause,
    Commitment,
)
from .uploads import sniff_document

if TYPE_CHECKING:
    from accounts.models import User

    from .forms import AgreementForm, ClauseFormSet


@transaction.atomic
def agreement_save(*, form: AgreementForm, clauses: ClauseFormSet, by: User) -> Agreement:
    """Save an agreement's header, clauses and their commitments as one change.

    Only drafts may change: the stored status is checked under a row lock, so an
    agreement sent for signature while the form was open is refused, not overwritten.
    """
    agreement = form.instance
    if agreement.pk:
        stored = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if stored.status != AgreementStatus.DRAFT:
            raise AgreementLocked()
    if agreement.owner_id is None:
        # The owner field may be left empty: whoever saves follows the agreement.
        agreement.owner = by
    agreement._history_user = by
    agreement = form.save()
    clauses.instance = agreement
    clauses.save_all(by=by)
    return agreement


def renewal_term(agreement: Agreement) -> tuple[datetime.date, datetime.date, Callable[[datetime.date], datetime.date]]:
    """The next term of `agreement`, and how its dates move into it.

    The renewal starts the day after the current term ends. A term of whole months in its
    calendar (a Gregorian year, a Hijri year) is followed by as many months of the same
    calendar, and due dates move by those months (30 June stays 30 June, the last day of a
    month stays the last day). Any other term is followed by one as many days long.
    """
    starts_on = agreement.ends_on + datetime.timedelta(days=1)
    months = agreement.term_months
    if months:
        calendar = agreement.term_calendar
        return (
            starts_on,
            dates.term_end(starts_on, months, calendar),
            lambda day: dates.add_months(day, months, calendar),
        )
    shift = starts_on - agreement.starts_on
    return starts_on, agreement.ends_on + shift, lambda day: day + shift


@transaction.atomic
def agreement_renew(*, agreement: Agreement, by: User, ip: str | None = None, user_agent: str = "") -> Agreement:
    """Start the renewal of an agreement: a new draft with the same clauses and commitments.

    The renewal's term follows the current one (see `renewal_term`). The current agreement
    stays in force, its commitments reportable, until the renewal's start date: it becomes
    "renewed" only then (agreements.lifecycle). The start is recorded in the current
    agreement's audit trail.
    """
    current = Agreement.objects.select_for_update().select_related("partner").get(pk=agreement.pk)
    if current.status not in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED):
        raise TransitionError(_("Only an active or expired agreement can be renewed."))
    if Agreement.objects.filter(renews=current).exists():
        raise TransitionError(_("This agreement already has a renewal."))
    starts_on, ends_on, move = renewal_term(current)
    renewal = Agreement(
        title_ar=current.title_ar,
        title_en=current.title_en,
        summary_ar=current.summary_ar,
        summary_en=current.summary_en,
        partner=current.partner,
        owner=by,
        starts_on=starts_on,
        ends_on=ends_on,
        term_calendar=current.term_calendar,
        renewal_notice_days=current.renewal_notice_days,
        reminder_offsets=current.reminder_offsets,
        reporting_schedule=current.reporting_schedule,
        renews=current,
    )
    renewal._history_user = by
    renewal.full_clean()
    renewal.save()
    for clause in current.clauses.order_by("order").prefetch_related("commitments"):
        copy = Clause(
            agreement=renewal,
            kind=clause.kind,
            order=clause.order,
            text_ar=clause.text_ar,
            text_en=clause.text_en,
            responsible_party=clause.responsible_party,
        )
        copy._history_user = by
        copy.save()
        for commitment in clause.commitments.all():
            new = Commitment(
                clause=copy,
                party=commitment.party,
                description_ar=commitment.description_ar,
                description_en=commitment.description_en,
                target_quantity=commitment.target_quantity,
                unit=commitment.unit,
                breakdown=commitment.breakdown,
                due_on=min(move(commitment.due_on), ends_on),
            )
            new._history_user = by
            new.save()
    audit_record(
        agreement=current,
        kind=AuditKind.RENEWAL_STARTED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details={"renewal": renewal.reference, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return renewal


def attachment_add(*, agreement: Agreement, upload: UploadedFile, description: str, by: User) -> Attachment:
    """Store a checked upload under a random name and record it against the agreement."""
    content_type = sniff_document(upload)
    attachment = Attachment(
        agreement=agreement,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        description=description,
        uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
