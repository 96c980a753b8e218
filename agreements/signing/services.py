"""Signing services: invite, open, sign, decline, resend, revoke.

Each is one transaction that locks the agreement row first, so two signatories acting
at the same instant are serialised: both signatures are recorded and the agreement is
activated exactly once. Emails and the PDF job are queued with on_commit, so nothing is
sent for a change that was rolled back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import clock
from common.text import has_bidi_controls
from common.tokens import hash_token
from outbox.services import outbox_enqueue

from .. import lifecycle
from ..amendments.services import AMENDABLE, amendment_content_hash_now, amendment_signatures_complete
from ..audit import audit_record
from ..content import amendment_content, canonical_content, sha256_of
from ..models import (
    Agreement,
    AgreementStatus,
    Amendment,
    AmendmentStatus,
    AuditKind,
    Signature,
    SignatureChannel,
    SignatureMethod,
    SigningRequest,
    SigningStatus,
)
from ..models.signing import OPEN_SIGNING_STATUSES


class SigningRefused(Exception):
    """The signing request cannot be used; `message` is safe to show the signatory."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Visitor:
    """Who is acting, as far as the request tells: account, address, browser."""

    user: Any = None
    ip: str | None = None
    user_agent: str = ""


def _locked(signing_request: SigningRequest) -> tuple[Agreement, SigningRequest]:
    agreement = Agreement.objects.select_for_update().get(pk=signing_request.agreement_id)
    fresh = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    if fresh.amendment_id is not None:
        fresh.amendment = Amendment.objects.select_for_update().get(pk=fresh.amendment_id)
    return agreement, fresh


def awaiting(agreement: Agreement, request: SigningRequest) -> bool:
    """Is what this request asks to sign (the agreement, or its amendment) awaiting signatures?"""
    if request.amendment_id is not None:
        return request.amendment.status == AmendmentStatus.AWAITING_SIGNATURES and agreement.status in AMENDABLE
    return agreement.status == AgreementStatus.AWAITING_SIGNATURES


def signed_hash(agreement: Agreement, request: SigningRequest) -> str:
    """The content hash sent for signature: the agreement's, or its amendment's."""
    return request.amendment.content_hash if request.amendment_id is not None else agreement.content_hash


def _signatory_label(signing_request: SigningRequest) -> str:
    return f"{signing_request.name} <{signing_request.email}>"


def find_by_token(token: str) -> SigningRequest | None:
    """The signing request whose link carries `token`, if the link still works."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    candidate = SigningRequest.objects.select_related("agreement", "amendment").filter(token_hash=digest).first()
    # The lookup is by hash; the comparison is constant-time anyway.
    if candidate is None or not hmac.compare_digest(candidate.token_hash, digest):
        return None
    return candidate if candidate.link_is_usable() else None


@transaction.atomic
def signing_invite(
    *,
    signing_request_id: int,
    resend: bool = False,
    by: Any = None,
    reminder: bool = False,
    ip: str | None = None,
    user_agent: str = "",
) -> str | None:
    """Give the signatory a new personal link and email it; returns None if no longer open.

    A new token replaces the old one, so after a resend (or a reminder, which carries a
    fresh link) only the newest link works. `ip` and `user_agent` are those of the staff
    member who asked for the resend, for the audit trail.
    """
    from ..emails import send_signing_invitation

    request = SigningRequest.objects.filter(pk=signing_request_id).first()
    if request is None:
        return None
    agreement, request = _locked(request)
    if request.status not in OPEN_SIGNING_STATUSES or not awaiting(agreement, request):
        return None
    token = request.issue_token()
    now = clock.now()
    request.sent_at = now
    request.send_count += 1
    if request.status == SigningStatus.PENDING:
        request.status = SigningStatus.SENT
    request.save(update_fields=[*SigningRequest.TOKEN_FIELDS, "sent_at", "send_count", "status"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.RESENT if resend else AuditKind.INVITED,
        actor=by,
        actor_label="" if by else _("the portal"),
        signing_request=request,
        ip=ip,
        user_agent=user_agent,
        details={"to": request.email, "expires": request.token_expires_at.isoformat()},
    )
    send_signing_invitation(request, token, reminder=reminder)
    return token


@transaction.atomic
def signing_open(*, signing_request: SigningRequest, visitor: Visitor) -> None:
    """Record the first time the signatory opens the signing page, once it is their turn.

    Before it (signing in order, from an account) the page only shows whose turn it is: the
    request stays uninvited, so reminders and the inbox keep following the order.
    """
    from .order import waiting_for

    agreement, request = _locked(signing_request)
    if request.opened_at is not None or not request.is_open or waiting_for(request):
        return
    request.opened_at = timezone.now()
    if request.status in (SigningStatus.PENDING, SigningStatus.SENT):
        request.status = SigningStatus.OPENED
    request.save(update_fields=["opened_at", "status"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.OPENED,
        actor=visitor.user,
        actor_label=_signatory_label(request),
        signing_request=request,
        ip=visitor.ip,
        user_agent=visitor.user_agent,
    )


def has_hidden_direction(agreement: Agreement, amendment: Amendment | None = None) -> bool:
    """Does what the signatories sign (names, titles, texts) carry invisible direction controls?

    The signing page then warns, in words, that the markers shown are not part of the names.
    """
    if amendment is not None:
        signatories = list(amendment.signing_requests.exclude(status=SigningStatus.VOIDED))
        return has_bidi_controls(json.dumps(amendment_content(amendment, signatories), ensure_ascii=False))
    signatories = list(agreement.signing_requests.filter(amendment=None).exclude(status=SigningStatus.VOIDED))
    return has_bidi_controls(json.dumps(canonical_content(agreement, signatories), ensure_ascii=False))


def current_content_hash(agreement: Agreement) -> str:
    signatories = list(agreement.signing_requests.filter(amendment=None).exclude(status=SigningStatus.VOIDED))
    return sha256_of(canonical_content(agreement, signatories))


@transaction.atomic
def signature_record(
    *,
    signing_request: SigningRequest,
    visitor: Visitor,
    channel: str,
    identity: str = "",
    name: str,
    title: str,
    content_hash_seen: str,
    method: str,
    image_png: bytes | None = None,
    typed_text: str = "",
) -> Signature:
    """Record a signature; the last one makes the agreement signed, or active from its start date.

    `identity`: how the signer was checked, "email_code" (the code e-mailed for this link,
    required by agreements that ask for it) or "account" (their login).

    Refused (SigningRefused) when the request is no longer open, or when the content
    the signatory saw (its hash) is not the content that was sent for signature, or the
    stored content no longer produces that hash.
    """
    agreement, request = _locked(signing_request)
    if not request.is_open or not awaiting(agreement, request):
        raise SigningRefused(_("This signing request is no longer open."))
    expected = signed_hash(agreement, request)
    if not hmac.compare_digest(content_hash_seen or "", expected):
        raise SigningRefused(
            _("The agreement changed after you opened it. Reload the page and read it again before signing.")
        )
    amendment = request.amendment if request.amendment_id is not None else None
    stored = amendment_content_hash_now(amendment) if amendment else current_content_hash(agreement)
    if stored != expected:
        raise SigningRefused(_("The agreement's content does not match what was sent for signature."))
    from .order import turn_refusal

    refusal = turn_refusal(request)
    if refusal:
        raise SigningRefused(refusal)
    if channel == SignatureChannel.ACCOUNT:
        identity = "account"
    elif agreement.signer_code_required and identity != "email_code":
        raise SigningRefused(_("Confirm your e-mail address with the code before signing."))
    if method == SignatureMethod.DRAWN and not image_png:
        raise ValidationError(_("Draw your signature in the box, or type it instead."))
    if method == SignatureMethod.TYPED and not typed_text.strip():
        raise ValidationError(_("Type your name as your signature."))

    now = timezone.now()
    signature = Signature(
        request=request,
        signer_name=name.strip(),
        signer_title=title.strip(),
        method=method,
        typed_text=typed_text.strip() if method == SignatureMethod.TYPED else "",
        channel=channel,
        user=visitor.user if visitor.user is not None and visitor.user.is_authenticated else None,
        signed_at=now,
        ip=visitor.ip,
        user_agent=visitor.user_agent,
        content_hash=expected,
    )
    if method == SignatureMethod.DRAWN:
        signature.image_sha256 = hashlib.sha256(image_png).hexdigest()
        signature.image.save("signature.png", ContentFile(image_png), save=False)
    signature.full_clean(exclude=["request", "image"])
    try:
        signature.save()
    except Exception:
        if signature.image:
            signature.image.delete(save=False)
        raise
    request.status = SigningStatus.SIGNED
    request.responded_at = now
    request.token_hash = None
    request.save(update_fields=["status", "responded_at", "token_hash"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.SIGNED,
        actor=signature.user,
        actor_label=_signatory_label(request),
        signing_request=request,
        ip=visitor.ip,
        user_agent=visitor.user_agent,
        details={
            "name": signature.signer_name,
            "title": signature.signer_title,
            "method": method,
            "channel": channel,
            "content_hash": expected,
            "image_sha256": signature.image_sha256,
            "identity": identity or "link",
        }
        | (
            {"identity_checked_at": request.identity_checked_at.isoformat()}
            if identity == "email_code" and request.identity_checked_at
            else {}
        )
        | ({"two_factor": bool(getattr(visitor.user, "is_verified", lambda: False)())} if identity == "account" else {})
        | ({"amendment": amendment.number} if amendment else {}),
    )
    remaining = agreement.signing_requests.filter(amendment=amendment, status__in=OPEN_SIGNING_STATUSES).exists()
    if remaining:
        from .order import invite_due

        invite_due(agreement.pk, amendment.pk if amendment else None)  # in order: the next one's turn
    if not remaining and amendment is not None:
        amendment_signatures_complete(agreement, amendment, by=signature.user)
    elif not remaining:
        lifecycle.signatures_complete(agreement, by=signature.user)
    return signature


@transaction.atomic
def signing_decline(*, signing_request: SigningRequest, visitor: Visitor, reason: str) -> None:
    """The signatory declines with a reason; the owner is told by email."""
    from ..tasks import notify_decline

    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for declining."))
    agreement, request = _locked(signing_request)
    if not request.is_open:
        raise SigningRefused(_("This signing request is no longer open."))
    from .order import turn_refusal

    refusal = turn_refusal(request)
    if refusal:
        raise SigningRefused(refusal)
    request.status = SigningStatus.DECLINED
    request.decline_reason = reason
    request.responded_at = timezone.now()
    request.token_hash = None
    request.save(update_fields=["status", "decline_reason", "responded_at", "token_hash"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.DECLINED,
        actor=visitor.user,
        actor_label=_signatory_label(request),
        signing_request=request,
        ip=visitor.ip,
        user_agent=visitor.user_agent,
        details={"reason": reason[:2000]},
    )
    outbox_enqueue(task=notify_decline, args=[request.pk])


@transaction.atomic
def signing_revoke(*, signing_request: SigningRequest, by: Any, ip: str | None = None, user_agent: str = "") -> None:
    """Staff cancel a request: its link stops working at once."""
    agreement, request = _locked(signing_request)
    if not request.is_open:
        raise SigningRefused(_("Only an open signing request can be revoked."))
    request.status = SigningStatus.REVOKED
    request.token_hash = None
    request.save(update_fields=["status", "token_hash"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.REVOKED,
        actor=by,
        signing_request=request,
        ip=ip,
        user_agent=user_agent,
    )


def signing_resend(*, signing_request: SigningRequest, by: Any, ip: str | None = None, user_agent: str = "") -> None:
    """Send a fresh link (the old one dies); revoked or expired requests are reopened.

    The worker that sends it writes the audit event, with the staff member's `ip` and
    `user_agent` carried in the task's arguments.
    """
    from ..tasks import invite_signatory

    with transaction.atomic():
        agreement, request = _locked(signing_request)
        if not awaiting(agreement, request):
            raise SigningRefused(_("The agreement is not awaiting signatures."))
        if request.status in (SigningStatus.SIGNED, SigningStatus.VOIDED):
            raise SigningRefused(_("This signatory has already signed, or the request was voided."))
        if request.status in (SigningStatus.REVOKED, SigningStatus.EXPIRED, SigningStatus.DECLINED):
            request.status = SigningStatus.PENDING
            request.save(update_fields=["status"])
        outbox_enqueue(
            task=invite_signatory,
            args=[request.pk, True, by.pk if by else None],
            kwargs={"ip": ip, "user_agent": user_agent},
        )


def signing_request_for_user(
    agreement: Agreement, user: Any, requests=None, amendment: Amendment | None = None
) -> SigningRequest | None:
    """The open request this logged-in user may sign from their account, if any.

    Staff sign only requests addressed to their account; a partner's authorised officers
    also those addressed to their email at their own partner. Editors and viewers sign
    through the emailed link only (`User.may_sign_from_account`). `requests` may pass the agreement's
    already loaded signing requests; with `amendment`, a request to sign that amendment.
    """
    if not user.is_authenticated or not user.may_sign_from_account:
        return None
    if requests is None:
        requests = agreement.signing_requests.all()
    for request in requests:
        if request.amendment_id != (amendment.pk if amendment else None) or request.status not in OPEN_SIGNING_STATUSES:
            continue
        if request.user_id == user.pk:
            return request
        if (
            user.partner_id
            and user.partner_id == agreement.partner_id
            and request.party == "partner"
            and user.email
            and request.email.lower() == user.email.lower()
        ):
            return request
    return None


def channel_for(account: bool) -> str:
    return SignatureChannel.ACCOUNT if account else SignatureChannel.LINK
