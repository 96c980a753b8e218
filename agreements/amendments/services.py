"""Writing amendments: record, change and delete a draft. Each runs in one transaction.

The rules are written here once, for every path: only an agreement in force (or signed and
not yet started) is amended; one amendment at a time is in progress; a change set must
change something, fit the content it amends, keep due dates inside the amended term; the
effective date falls inside the term and not before the start. Each write is recorded in
the agreement's audit trail.
"""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common import clock, dates
from outbox.services import outbox_enqueue

from ..audit import audit_record
from ..content import amendment_content, sha256_of
from ..lifecycle import TransitionError
from ..models import (
    Agreement,
    AgreementStatus,
    Amendment,
    AmendmentStatus,
    AuditKind,
    Clause,
    Commitment,
    CommitmentStatus,
    Party,
    PdfStatus,
    SigningRequest,
    SigningStatus,
    amending,
)
from ..models.signing import OPEN_SIGNING_STATUSES
from .content import (
    COMMITMENT_FIELDS,
    ChangeConflict,
    apply_changes,
    base_content,
    content_of,
    content_to_json,
)

if TYPE_CHECKING:
    from accounts.models import User

AMENDABLE = (AgreementStatus.ACTIVE, AgreementStatus.SIGNED)


def amendment_refusal(agreement: Agreement, amendment: Amendment | None = None) -> str | None:
    """Why an amendment cannot be started (or this draft changed) now; None when it can."""
    if agreement.status not in AMENDABLE:
        return _(
            "Only an agreement in force, or signed and not yet started, can be amended. This one is “%(status)s”."
        ) % {"status": agreement.get_status_display()}
    if amendment is not None:
        if amendment.status != AmendmentStatus.DRAFT:
            return _("Amendment %(number)s is no longer a draft, so it cannot be changed or deleted.") % {
                "number": amendment.number
            }
        return None
    busy = agreement.amendments.in_progress().order_by("number").first()
    if busy is not None:
        return _(
            "Amendment %(number)s is still in progress (%(status)s): finish or delete it before recording another."
        ) % {"number": busy.number, "status": busy.get_status_display()}
    return None


def _check(agreement: Agreement, amendment: Amendment | None, changes: list[dict[str, Any]], effective_on) -> None:
    """Refuse a change set that changes nothing or does not fit; errors keyed by the editor's fields."""
    if not changes:
        raise ValidationError(
            _("This amendment changes nothing: change a clause, a commitment or the end date, then save."),
            code="no_change",
        )
    base = base_content(agreement, amendment)
    try:
        amended = apply_changes(base, changes, number=amendment.number if amendment else 0)
    except ChangeConflict:
        raise ValidationError(
            _("The agreement's content changed while the amendment was open. Open it again and redo the changes."),
            code="conflict",
        ) from None
    errors: dict[str, list[str]] = {}
    if amended.ends_on <= amended.starts_on:
        errors.setdefault("ends_on", []).append(_("The end date must be after the start date."))
    last_day = min(base.ends_on, amended.ends_on)
    if effective_on < amended.starts_on:
        errors.setdefault("effective_on", []).append(
            _("An amendment cannot take effect before the agreement starts on %(date)s.")
            % {"date": dates.both(amended.starts_on)}
        )
    elif effective_on > last_day:
        errors.setdefault("effective_on", []).append(
            _("The effective date must fall within the agreement's term, by %(date)s.") % {"date": dates.both(last_day)}
        )
    outside = [m for m in amended.commitments() if not amended.starts_on <= m.due_on <= amended.ends_on]
    if outside:
        errors.setdefault("__all__", []).append(
            _("Due dates must fall within the agreement's term, %(start)s to %(end)s.")
            % {"start": dates.both(amended.starts_on), "end": dates.both(amended.ends_on)}
        )
    if errors:
        raise ValidationError(errors)


def _details(amendment: Amendment) -> dict[str, Any]:
    return {
        "number": amendment.number,
        "effective_on": amendment.effective_on.isoformat(),
        "changes": len(amendment.changes),
    }


@transaction.atomic
def amendment_create(
    *,
    agreement: Agreement,
    by: User,
    changes: list[dict[str, Any]],
    effective_on: datetime.date,
    text_ar: str,
    text_en: str = "",
    title_ar: str = "",
    title_en: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Amendment:
    """Record the next numbered amendment of an agreement, a draft holding its change set.

    The agreement row is locked while the rules are checked and the number is taken, so
    two editors saving at once get one amendment, never two in progress.
    """
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    refusal = amendment_refusal(current)
    if refusal:
        raise TransitionError(refusal)
    _check(current, None, changes, effective_on)
    number = (current.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = Amendment(
        agreement=current,
        number=number,
        title_ar=title_ar,
        title_en=title_en,
        text_ar=text_ar,
        text_en=text_en,
        changes=changes,
        effective_on=effective_on,
        status=AmendmentStatus.DRAFT,
        created_by=by,
    )
    amendment._history_user = by
    amendment.full_clean()
    amendment.save()
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_RECORDED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=_details(amendment),
    )
    return amendment


def _locked_draft(amendment: Amendment) -> tuple[Agreement, Amendment]:
    current = Agreement.objects.select_for_update().get(pk=amendment.agreement_id)
    stored = Amendment.objects.select_for_update().get(pk=amendment.pk)
    refusal = amendment_refusal(current, stored)
    if refusal:
        raise TransitionError(refusal)
    return current, stored


@transaction.atomic
def amendment_update(
    *,
    amendment: Amendment,
    by: User,
    changes: list[dict[str, Any]],
    effective_on: datetime.date,
    text_ar: str,
    text_en: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Amendment:
    """Replace a draft amendment's change set, reason and effective date."""
    current, stored = _locked_draft(amendment)
    _check(current, stored, changes, effective_on)
    stored.changes = changes
    stored.effective_on = effective_on
    stored.text_ar = text_ar
    stored.text_en = text_en
    stored._history_user = by
    stored.full_clean()
    stored.save()
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_EDITED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=_details(stored),
    )
    return stored


@transaction.atomic
def amendment_delete(*, amendment: Amendment, by: User, ip: str | None = None, user_agent: str = "") -> None:
    """Delete a draft amendment. It was the last number, so the next amendment takes it:
    the signed amendments stay numbered 1, 2, … without gaps. The history keeps the draft."""
    current, stored = _locked_draft(amendment)
    details = _details(stored)
    stored._history_user = by
    stored.delete()
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_DELETED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=details,
    )


# --- signing ---------------------------------------------------------------------------


def _amendment_hash(amendment: Amendment, requests: list[SigningRequest]) -> str:
    return sha256_of(amendment_content(amendment, requests))


def amendment_content_hash_now(amendment: Amendment) -> str:
    """The hash of the amendment as stored now, with its signatories (checked at every signature)."""
    requests = list(amendment.signing_requests.exclude(status=SigningStatus.VOIDED))
    return _amendment_hash(amendment, requests)


def previous_signatories(agreement: Agreement) -> list[SigningRequest]:
    """Who signed the agreement (or, failing that, its last amendment): the default signatories."""
    requests = agreement.signing_requests.filter(status=SigningStatus.SIGNED).select_related("contact", "user")
    latest = requests.filter(amendment__isnull=False).order_by("-amendment__number").first()
    if latest is not None:
        return list(requests.filter(amendment_id=latest.amendment_id))
    return list(requests.filter(amendment=None))


@transaction.atomic
def amendment_send(
    *,
    amendment: Amendment,
    by: User,
    signatories: list[dict[str, Any]],
    signing_order: str | None = None,
    signer_code_required: bool | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> Amendment:
    """Send a draft amendment for signature: its content is locked and hashed, links go out.

    `signing_order` and `signer_code_required` (when given) become the agreement's, for this
    amendment and those after it."""
    from ..lifecycle import check_signatories
    from ..signing.order import invite_due, positions

    current, stored = _locked_draft(amendment)
    if not stored.changes:
        raise TransitionError(
            _("Amendment %(number)s records no changes: open it in the editor and make them before sending.")
            % {"number": stored.number}
        )
    try:
        _check(current, stored, stored.changes, stored.effective_on)
    except ValidationError as error:
        raise TransitionError(" ".join(error.messages)) from None
    check_signatories(current, signatories)
    options = {
        key: value
        for key, value in (("signing_order", signing_order), ("signer_code_required", signer_code_required))
        if value is not None
    }
    if options:
        # Not the agreement's content: how it (and its amendments) are signed.
        Agreement.objects.filter(pk=current.pk).update(**options)
        for key, value in options.items():
            setattr(current, key, value)
    requests = [
        SigningRequest(
            agreement=current,
            amendment=stored,
            party=s["party"],
            contact=s.get("contact"),
            user=s.get("user"),
            name=s["name"],
            title=s.get("title", ""),
            email=s["email"],
            position=position,
            sent_by=by,
        )
        for s, position in zip(signatories, positions(signatories, current.signing_order), strict=True)
    ]
    for request in requests:
        request.full_clean(exclude=["agreement", "amendment"])
    SigningRequest.objects.bulk_create(requests)
    stored.content_hash = _amendment_hash(stored, requests)
    stored.sent_at = timezone.now()
    stored.status = AmendmentStatus.AWAITING_SIGNATURES
    stored._history_user = by
    stored.save(update_fields=["content_hash", "sent_at", "status"])
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_SENT,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details={**_details(stored), "content_hash": stored.content_hash},
    )
    invite_due(current.pk, stored.pk)
    return stored


@transaction.atomic
def amendment_recall(*, amendment: Amendment, by: User, ip: str | None = None, user_agent: str = "") -> Amendment:
    """Back to draft while nobody has signed: open links die, the change set can be edited again."""
    current = Agreement.objects.select_for_update().get(pk=amendment.agreement_id)
    stored = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if stored.status != AmendmentStatus.AWAITING_SIGNATURES:
        raise TransitionError(
            _("Amendment %(number)s is not awaiting signatures, so there is nothing to pull back.")
            % {"number": stored.number}
        )
    if stored.signing_requests.filter(status=SigningStatus.SIGNED).exists():
        raise TransitionError(
            _("Someone has already signed amendment %(number)s, so it can no longer go back to draft.")
            % {"number": stored.number}
        )
    stored.signing_requests.filter(status__in=OPEN_SIGNING_STATUSES).update(
        status=SigningStatus.VOIDED, token_hash=None
    )
    stored.status = AmendmentStatus.DRAFT
    stored.content_hash = ""
    stored.sent_at = None
    stored._history_user = by
    stored.save(update_fields=["status", "content_hash", "sent_at"])
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_RECALLED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=_details(stored),
    )
    return stored


def amendment_signatures_complete(agreement: Agreement, amendment: Amendment, *, by: Any = None) -> Amendment:
    """The last signature of an amendment is in (the caller holds the agreement's lock).

    The addendum PDF is made by a worker; the amendment is in force at once when its
    effective date has come, else from that date (the daily sweep).
    """
    from ..tasks import render_addendum_pdf

    requests = list(amendment.signing_requests.exclude(status=SigningStatus.VOIDED))
    parties = {r.party for r in requests if r.status == SigningStatus.SIGNED}
    if any(r.status != SigningStatus.SIGNED for r in requests) or parties != {Party.CHARITY, Party.PARTNER}:
        raise TransitionError(_("An amendment is signed only when every signatory has signed."))
    today = clock.today()
    amendment.status = AmendmentStatus.SIGNED
    amendment.signed_on = today
    amendment.pdf_status = PdfStatus.PENDING
    amendment._history_user = by
    amendment.save(update_fields=["status", "signed_on", "pdf_status"])
    agreement.verification_code = agreement.verification_code or secrets.token_urlsafe(12)
    Agreement.objects.filter(pk=agreement.pk).update(verification_code=agreement.verification_code)
    audit_record(
        agreement=agreement,
        kind=AuditKind.AMENDMENT_SIGNED,
        actor=by,
        actor_label="" if by is not None else str(_("the portal")),
        details={**_details(amendment), "content_hash": amendment.content_hash},
    )
    outbox_enqueue(task=render_addendum_pdf, args=[amendment.pk])
    if amendment.effective_on <= today:
        amendment_in_force(amendment=amendment, today=today)
    return amendment


def _save_row(row, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.save()


@transaction.atomic
def amendment_in_force(*, amendment: Amendment, today: datetime.date | None = None) -> bool:
    """Write a signed amendment whose date has come into the agreement; False if not (yet) due.

    The agreement's clauses and commitments become the amended content: changed rows keep
    their ids (so progress already reported stays with its commitment), new items get
    rows, removed ones are kept, marked removed by the amendment and cancelled. The
    content before is kept on the amendment, and the agreement's end date follows the term.
    """
    today = today or clock.today()
    agreement = Agreement.objects.select_for_update().get(pk=amendment.agreement_id)
    stored = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if stored.status != AmendmentStatus.SIGNED or stored.effective_on > today:
        return False
    before = content_of(agreement)
    after = apply_changes(before, stored.changes, number=stored.number)
    clauses = {c.pk: c for c in agreement.clauses.filter(removed_by=None)}
    commitments = {m.pk: m for m in Commitment.objects.filter(clause__agreement=agreement, removed_by=None)}
    kept_clauses = {c.key for c in after.clauses}
    kept_commitments = {m.key for m in after.commitments()}
    new_rows: dict[str, int] = {}
    prefix = f"{stored.number}."
    with amending(agreement.pk):
        for pk, commitment in commitments.items():
            if pk not in kept_commitments:
                commitment.removed_by = stored
                commitment.status = CommitmentStatus.CANCELLED
                commitment.save()
        for pk, clause in clauses.items():
            if pk not in kept_clauses:
                _save_row(clause, {"removed_by": stored})
        # Orders out of the way first: the amended clauses may swap numbers.
        Clause.objects.filter(pk__in=kept_clauses & clauses.keys()).update(order=F("order") + 10_000)
        for state in after.clauses:
            if isinstance(state.key, int):
                clause = Clause.objects.get(pk=state.key)
            else:
                clause = Clause(agreement=agreement)
            _save_row(clause, state.values())
            if not isinstance(state.key, int):
                new_rows[str(state.key).removeprefix(prefix)] = clause.pk
            for item in state.commitments:
                values = {name: getattr(item, name) for name in COMMITMENT_FIELDS}
                if isinstance(item.key, int):
                    row = commitments[item.key]
                    if row.clause_id != clause.pk:
                        raise ChangeConflict(f"commitment {item.key} moved between clauses")
                else:
                    row = Commitment(clause=clause)
                _save_row(row, values)
                if not isinstance(item.key, int):
                    new_rows[str(item.key).removeprefix(prefix)] = row.pk
        if after.ends_on != agreement.ends_on:
            agreement.ends_on = after.ends_on
            agreement.save(update_fields=["ends_on", "updated_at"])
    stored.content_before = content_to_json(before)
    stored.new_rows = new_rows
    stored.status = AmendmentStatus.ACTIVE
    stored.in_force_at = timezone.now()
    stored.save(update_fields=["content_before", "new_rows", "status", "in_force_at"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.AMENDMENT_IN_FORCE,
        actor_label=str(_("the portal")),
        details={**_details(stored), "ends_on": agreement.ends_on.isoformat()},
    )
    return True


def amendments_due(today: datetime.date) -> list[Amendment]:
    """Signed amendments whose effective date has come (the daily sweep brings them into force)."""
    return list(
        Amendment.objects.filter(status=AmendmentStatus.SIGNED, effective_on__lte=today)
        .select_related("agreement")
        .order_by("agreement_id", "number")
    )
