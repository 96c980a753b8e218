"""The agreement lifecycle: every status change goes through `transition()`.

    draft ──send_for_signature──▶ awaiting_signatures ──sign_complete──▶ signed ──start──▶ active
      ▲                                │  │                                                 ▲  │
      └────────────recall──────────────┘  └──────────activate (start date reached)──────────┘  │
                                                                                                │
           active ──expire──▶ expired        active/signed ──terminate──▶ terminated            │
           active/expired ──mark_renewed──▶ renewed (when the renewal starts) ◀─────────────────┘

An agreement fully signed before its start date is *signed*; it comes into force (*active*)
on its start date, by the daily sweep (`start`), or at once when the last signature comes
on or after that date (`activate`). A renewal supersedes its predecessor on the renewal's
own start date, not when it is signed: until then the running agreement stays active.

Views, admin actions and Celery tasks call `transition(agreement, name, by=..., **params)`;
nothing else writes `Agreement.status`. Each transition lists the states it may start
from and a guard that raises `TransitionError` with a message for the user.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common import clock, dates
from outbox.services import outbox_enqueue

from .audit import audit_record
from .content import canonical_content, sha256_of
from .models import Agreement, AgreementStatus, AuditKind, Party, PdfStatus, SigningRequest, SigningStatus
from .models.signing import OPEN_SIGNING_STATUSES

S = AgreementStatus


class TransitionError(Exception):
    """A transition that is not allowed now; `message` says why, in the user's language."""

    def __init__(self, message: str | Promise):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    # Raises TransitionError when the transition is not allowed for this agreement.
    guard: Callable[[Agreement, dict[str, Any]], None] = lambda agreement, params: None
    # Sets the fields the transition changes besides status; returns their names.
    apply: Callable[[Agreement, dict[str, Any]], list[str]] = lambda agreement, params: []
    # Runs inside the same transaction, after the agreement is saved.
    after: Callable[[Agreement, Any, dict[str, Any]], None] = lambda agreement, by, params: None
    # Offered as a button to staff who may edit (others happen on their own).
    manual: bool = field(default=False)


# --- send for signature ------------------------------------------------------------------


def _guard_send(agreement: Agreement, params: dict[str, Any]) -> None:
    if not agreement.clauses.exists():
        raise TransitionError(_("Add at least one clause before sending the agreement for signature."))
    check_signatories(agreement, params.get("signatories") or [])


def check_signatories(agreement: Agreement, signatories: list[dict[str, Any]]) -> None:
    """One charity signatory and partner contacts able to sign, each with an email (agreement or amendment)."""
    if not any(s["party"] == Party.CHARITY for s in signatories):
        raise TransitionError(_("Choose who signs for the charity."))
    partner_signatories = [s for s in signatories if s["party"] == Party.PARTNER]
    if not partner_signatories:
        raise TransitionError(_("Choose at least one partner signatory before sending for signature."))
    for signatory in partner_signatories:
        contact = signatory.get("contact")
        if contact is None or contact.partner_id != agreement.partner_id:
            raise TransitionError(_("A partner signatory must be a contact of this agreement's partner."))
        if not (contact.can_sign and contact.is_active):
            raise TransitionError(
                _("%(name)s is not marked as able to sign for the partner.") % {"name": contact.name_ar}
            )
        if not contact.email:
            raise TransitionError(
                _("%(name)s has no email address to receive the signing link.") % {"name": contact.name_ar}
            )


def _after_send(agreement: Agreement, by: Any, params: dict[str, Any]) -> None:
    from .signing.order import invite_due

    # Who sent them: shown to each signatory in their list of what awaits their signature.
    agreement.signing_requests.filter(amendment=None, status=SigningStatus.PENDING, sent_by=None).update(sent_by=by)
    invite_due(agreement.pk)


def _apply_send(agreement: Agreement, params: dict[str, Any]) -> list[str]:
    from .signing.order import positions

    agreement.signing_order = params.get("signing_order") or agreement.signing_order
    agreement.signer_code_required = params.get("signer_code_required", agreement.signer_code_required)
    signatories = params["signatories"]
    requests = [
        SigningRequest(
            agreement=agreement,
            party=s["party"],
            contact=s.get("contact"),
            user=s.get("user"),
            name=s["name"],
            title=s.get("title", ""),
            email=s["email"],
            position=position,
        )
        for s, position in zip(signatories, positions(signatories, agreement.signing_order), strict=True)
    ]
    for request in requests:
        request.full_clean(exclude=["agreement"])
    SigningRequest.objects.bulk_create(requests)
    agreement.content_hash = sha256_of(canonical_content(agreement, requests))
    agreement.sent_at = timezone.now()
    return ["content_hash", "sent_at", "signing_order", "signer_code_required"]


# --- recall ------------------------------------------------------------------------------


def _guard_recall(agreement: Agreement, params: dict[str, Any]) -> None:
    if agreement.signing_requests.filter(amendment=None, status=SigningStatus.SIGNED).exists():
        raise TransitionError(_("Someone has already signed this agreement, so it can no longer go back to draft."))


def _apply_recall(agreement: Agreement, params: dict[str, Any]) -> list[str]:
    # Open signing links die with the request: a recalled agreement can't be signed.
    agreement.signing_requests.filter(amendment=None, status__in=OPEN_SIGNING_STATUSES).update(
        status=SigningStatus.VOIDED
    )
    agreement.content_hash = ""
    agreement.sent_at = None
    return ["content_hash", "sent_at"]


# --- fully signed, start, activate ---------------------------------------------------------


def _guard_all_signed(agreement: Agreement, params: dict[str, Any]) -> None:
    requests = list(agreement.signing_requests.filter(amendment=None).exclude(status=SigningStatus.VOIDED))
    signed_parties = {r.party for r in requests if r.status == SigningStatus.SIGNED}
    if any(r.status != SigningStatus.SIGNED for r in requests) or signed_parties != {Party.CHARITY, Party.PARTNER}:
        raise TransitionError(_("The agreement becomes active only when every signatory has signed."))


def _guard_started(agreement: Agreement, params: dict[str, Any]) -> None:
    today = params.get("today") or clock.today()
    if agreement.starts_on > today:
        raise TransitionError(
            _("The agreement comes into force on its start date, %(date)s.") % {"date": dates.both(agreement.starts_on)}
        )


def _guard_sign_complete(agreement: Agreement, params: dict[str, Any]) -> None:
    _guard_all_signed(agreement, params)
    today = params.get("today") or clock.today()
    if agreement.starts_on <= today:
        raise TransitionError(_("The agreement has reached its start date: it comes into force at once."))


def _guard_activate(agreement: Agreement, params: dict[str, Any]) -> None:
    _guard_all_signed(agreement, params)
    _guard_started(agreement, params)


def _apply_signed(agreement: Agreement, params: dict[str, Any]) -> list[str]:
    if not agreement.signed_on:
        agreement.signed_on = params.get("today") or clock.today()
    # The signed PDF is made by a worker; its QR code leads to this unguessable address.
    agreement.verification_code = agreement.verification_code or secrets.token_urlsafe(12)
    agreement.pdf_status = PdfStatus.PENDING
    return ["signed_on", "verification_code", "pdf_status"]


def _apply_start(agreement: Agreement, params: dict[str, Any]) -> list[str]:
    agreement.activated_at = timezone.now()
    return ["activated_at"]


def _apply_activate(agreement: Agreement, params: dict[str, Any]) -> list[str]:
    return _apply_signed(agreement, params) + _apply_start(agreement, params)


def _after_signed(agreement: Agreement, by: Any, params: dict[str, Any]) -> None:
    from .tasks import render_signed_pdf

    outbox_enqueue(task=render_signed_pdf, args=[agreement.pk])


def _after_start(agreement: Agreement, by: Any, params: dict[str, Any]) -> None:
    # The agreement this one renews is superseded from the day the renewal is in force.
    if agreement.renews_id:
        predecessor = Agreement.objects.get(pk=agreement.renews_id)
        if predecessor.status in TRANSITIONS["mark_renewed"].sources:
            transition(predecessor, "mark_renewed", by=by)


def _after_activate(agreement: Agreement, by: Any, params: dict[str, Any]) -> None:
    _after_signed(agreement, by, params)
    _after_start(agreement, by, params)


def signatures_complete(agreement: Agreement, *, by: Any = None) -> Agreement:
    """The last signature is in: in force now if the start date has come, else signed until then."""
    name = "activate" if agreement.starts_on <= clock.today() else "sign_complete"
    return transition(agreement, name, by=by)


# --- expire, terminate, renewed ----------------------------------------------------------


def _guard_expire(agreement: Agreement, params: dict[str, Any]) -> None:
    today = params.get("today") or clock.today()
    if agreement.ends_on >= today:
        raise TransitionError(_("The agreement has not reached its end date yet."))


def _guard_terminate(agreement: Agreement, params: dict[str, Any]) -> None:
    reason = (params.get("reason") or "").strip()
    on: datetime.date | None = params.get("on")
    if not reason:
        raise TransitionError(_("Give the reason for terminating the agreement."))
    if on is None:
        raise TransitionError(_("Give the date the termination takes effect."))
    earliest = agreement.starts_on if agreement.status == AgreementStatus.ACTIVE else agreement.signed_on
    if not (earliest <= on <= agreement.ends_on):
        raise TransitionError(_("The termination date must fall between the agreement's start and end dates."))


def _apply_terminate(agreement: Agreement, params: dict[str, Any]) -> list[str]:
    agreement.termination_reason = params["reason"].strip()
    agreement.terminated_on = params["on"]
    return ["termination_reason", "terminated_on"]


def _guard_mark_renewed(agreement: Agreement, params: dict[str, Any]) -> None:
    successor = Agreement.objects.filter(renews=agreement).first()
    if successor is None or successor.status != AgreementStatus.ACTIVE:
        raise TransitionError(_("An agreement is marked renewed only when its renewal is active."))


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "send_for_signature",
            _("Send for signature"),
            (S.DRAFT,),
            S.AWAITING_SIGNATURES,
            _guard_send,
            _apply_send,
            _after_send,
            manual=True,
        ),
        Transition(
            "recall",
            _("Pull back to draft"),
            (S.AWAITING_SIGNATURES,),
            S.DRAFT,
            _guard_recall,
            _apply_recall,
            manual=True,
        ),
        Transition(
            "sign_complete",
            _("Mark fully signed"),
            (S.AWAITING_SIGNATURES,),
            S.SIGNED,
            _guard_sign_complete,
            _apply_signed,
            _after_signed,
        ),
        Transition("start", _("Bring into force"), (S.SIGNED,), S.ACTIVE, _guard_started, _apply_start, _after_start),
        Transition(
            "activate",
            _("Activate"),
            (S.AWAITING_SIGNATURES,),
            S.ACTIVE,
            _guard_activate,
            _apply_activate,
            _after_activate,
        ),
        Transition("expire", _("Mark expired"), (S.ACTIVE,), S.EXPIRED, _guard_expire),
        Transition(
            "terminate",
            _("Terminate"),
            (S.ACTIVE, S.SIGNED),
            S.TERMINATED,
            _guard_terminate,
            _apply_terminate,
            manual=True,
        ),
        Transition("mark_renewed", _("Mark renewed"), (S.ACTIVE, S.EXPIRED), S.RENEWED, _guard_mark_renewed),
    ]
}


# The audit-trail event each transition writes.
AUDIT_KINDS = {
    "send_for_signature": AuditKind.SENT,
    "recall": AuditKind.RECALLED,
    "sign_complete": AuditKind.FULLY_SIGNED,
    "start": AuditKind.STARTED,
    "activate": AuditKind.ACTIVATED,
    "expire": AuditKind.ENDED,
    "terminate": AuditKind.TERMINATED,
    "mark_renewed": AuditKind.RENEWED,
}


# Transitions whose audit event records the content hash the parties signed.
HASHED_TRANSITIONS = ("send_for_signature", "sign_complete", "activate")


def available(agreement: Agreement, *, manual_only: bool = True) -> list[Transition]:
    """Transitions whose starting state matches the agreement's (guards not run)."""
    return [t for t in TRANSITIONS.values() if agreement.status in t.sources and (t.manual or not manual_only)]


def transition(
    agreement: Agreement,
    name: str,
    *,
    by: Any = None,
    ip: str | None = None,
    user_agent: str = "",
    **params: Any,
) -> Agreement:
    """Move `agreement` through the named transition, or raise TransitionError.

    The row is locked for the duration, so two concurrent calls (two signatures at the
    same instant, two sweeps) see each other's result: the second finds the status
    already changed and is refused. Returns the updated agreement. `ip` and `user_agent`
    of the request that asked for it go into the audit event (`**origin(request)`).
    """
    try:
        spec = TRANSITIONS[name]
    except KeyError:
        raise TransitionError(_("Unknown action.")) from None
    with transaction.atomic():
        current = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if current.status not in spec.sources:
            raise TransitionError(
                _("“%(action)s” is not possible for an agreement that is %(status)s.")
                % {"action": spec.label, "status": current.get_status_display()}
            )
        spec.guard(current, params)
        fields = spec.apply(current, params)
        previous = current.status
        current.status = spec.target
        current._history_user = by
        current.save(update_fields=["status", "updated_at", *fields])
        audit_record(
            agreement=current,
            kind=AUDIT_KINDS[name],
            actor=by,
            actor_label="" if by is not None else str(_("the portal")),
            ip=ip,
            user_agent=user_agent,
            details={"from": previous, "to": spec.target}
            | (
                {"content_hash": current.content_hash}
                if name in ("send_for_signature", "sign_complete", "activate")
                else {}
            ),
        )
        spec.after(current, by, params)
    return current
