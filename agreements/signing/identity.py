"""A link signer proves they read the signatory's mailbox: a one-time code, e-mailed on request.

The link itself came by e-mail, but it can be forwarded or read over a shoulder; the code is
asked for in the browser that will sign, just before signing. Six digits, valid
`SIGNER_CODE_MINUTES`, `SIGNER_CODE_TRIES` tries each; a new code at most once every
`SIGNER_CODE_RESEND_SECONDS` and `SIGNER_CODE_MAX_SENT` times per link; after
`SIGNER_CODE_TRIES` wrong answers the link is locked for `SIGNER_CODE_LOCK_MINUTES`.
The code is made and e-mailed in the signer's request (no queue: they are waiting for it)
and stored only as a keyed hash.
Signers from an account are checked by their login instead (and two-factor where they have it).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import clock

from ..audit import audit_record
from ..models import AuditKind, SigningRequest
from .services import SigningRefused, Visitor, _locked, _signatory_label, awaiting

logger = logging.getLogger(__name__)


def code_required(signing_request: SigningRequest) -> bool:
    return signing_request.agreement.signer_code_required


def _code_hash(signing_request: SigningRequest, code: str) -> str:
    return salted_hmac(
        "agreements.signer-code", f"{signing_request.pk}:{signing_request.token_hash}:{code}"
    ).hexdigest()


def masked_email(address: str) -> str:
    """`a•••@example.org`: enough for the signer to recognise their own address."""
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@dataclass(frozen=True)
class CodeState:
    """What the code page tells the signer."""

    sent: bool  # a code is waiting for them
    locked_minutes: int  # > 0: the link is locked that long
    resend_in: int  # seconds before another code may be asked for
    sent_all: bool  # no more codes for this link


def code_state(signing_request: SigningRequest, now=None) -> CodeState:
    now = now or clock.now()
    locked = signing_request.locked_until and signing_request.locked_until > now
    minutes = int((signing_request.locked_until - now).total_seconds() // 60) + 1 if locked else 0
    resend_in = 0
    if signing_request.code_sent_at:
        wait = settings.SIGNER_CODE_RESEND_SECONDS - (now - signing_request.code_sent_at).total_seconds()
        resend_in = max(0, int(wait) + (1 if wait % 1 else 0))
    return CodeState(
        sent=bool(signing_request.code_hash)
        and signing_request.code_expires_at is not None
        and signing_request.code_expires_at > now,
        locked_minutes=minutes,
        resend_in=resend_in,
        sent_all=signing_request.codes_sent >= settings.SIGNER_CODE_MAX_SENT,
    )


def _refuse_if_locked(signing_request: SigningRequest, now) -> None:
    if signing_request.locked_until and signing_request.locked_until > now:
        minutes = int((signing_request.locked_until - now).total_seconds() // 60) + 1
        raise SigningRefused(
            ngettext(
                "Too many wrong codes: this link is locked. Try again in %(count)d minute.",
                "Too many wrong codes: this link is locked. Try again in %(count)d minutes.",
                minutes,
            )
            % {"count": minutes}
        )


def code_request(*, signing_request: SigningRequest, visitor: Visitor) -> None:
    """The signer asks for a code: throttled, made here and e-mailed at once.

    No queue: the signer is waiting at the page for it, and an outage of the broker must not
    stop anyone signing. If the mail server cannot take the message, nothing is counted or
    changed and the signer is asked to try again.
    """
    from ..emails import send_signer_code_email

    try:
        with transaction.atomic():
            _code_send(signing_request, send_signer_code_email)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "signer code not sent",
            extra={"signing_request": signing_request.pk, "error": f"{type(error).__name__}: {error}"},
        )
        raise SigningRefused(
            _("The code could not be e-mailed just now. Please try again in a few minutes.")
        ) from error


def _code_send(signing_request: SigningRequest, send) -> None:
    agreement, request = _locked(signing_request)
    now = clock.now()
    if not request.is_open or not awaiting(agreement, request):
        raise SigningRefused(_("This signing request is no longer open."))
    _refuse_if_locked(request, now)
    if request.codes_sent >= settings.SIGNER_CODE_MAX_SENT:
        raise SigningRefused(
            _("No more codes can be sent for this link. Ask the charity to send you a new signing link.")
        )
    state = code_state(request, now)
    if state.resend_in:
        raise SigningRefused(
            ngettext(
                "A code was just sent. You can ask for another in %(count)d second.",
                "A code was just sent. You can ask for another in %(count)d seconds.",
                state.resend_in,
            )
            % {"count": state.resend_in}
        )
    # The row stays locked until the mail is sent: a burst of clicks sends one code, and a
    # new code replaces the one before it.
    code = f"{secrets.randbelow(10**6):06d}"
    request.code_hash = _code_hash(request, code)
    request.code_expires_at = now + timezone.timedelta(minutes=settings.SIGNER_CODE_MINUTES)
    request.code_failures = 0
    request.code_sent_at = now
    request.codes_sent += 1
    request.save(update_fields=["code_hash", "code_expires_at", "code_failures", "code_sent_at", "codes_sent"])
    audit_record(
        agreement=agreement,
        kind=AuditKind.CODE_SENT,
        actor_label=_("the portal"),
        signing_request=request,
        details={"to": request.email, "expires": request.code_expires_at.isoformat()}
        | ({"amendment": request.amendment.number} if request.amendment_id else {}),
    )
    send(request, code)


def code_check(*, signing_request: SigningRequest, visitor: Visitor, code: str) -> None:
    """The signer types the code: right once, within its time, before the tries run out.

    Raises SigningRefused (CodeWrong, CodeLocked) with a message for the signer; a wrong code
    is counted and a lock recorded before the refusal is raised.
    """
    refusal = _code_check(signing_request=signing_request, visitor=visitor, code=code)
    if refusal is not None:
        raise refusal


@transaction.atomic
def _code_check(*, signing_request: SigningRequest, visitor: Visitor, code: str) -> SigningRefused | None:
    agreement, request = _locked(signing_request)
    now = clock.now()
    if not request.is_open or not awaiting(agreement, request):
        raise SigningRefused(_("This signing request is no longer open."))
    _refuse_if_locked(request, now)
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    # Arabic-Indic digits typed on an Arabic keyboard count as the same digits.
    code = code.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789"))
    if not request.code_hash or request.code_expires_at is None or request.code_expires_at <= now:
        raise SigningRefused(_("The code has expired or was never sent. Ask for a new code."))
    if len(code) == 6 and code.isdigit() and hmac.compare_digest(request.code_hash, _code_hash(request, code)):
        request.code_hash = ""
        request.code_expires_at = None
        request.code_failures = 0
        request.identity_checked_at = now
        request.save(update_fields=["code_hash", "code_expires_at", "code_failures", "identity_checked_at"])
        audit_record(
            agreement=agreement,
            kind=AuditKind.IDENTITY_CHECKED,
            actor_label=_signatory_label(request),
            signing_request=request,
            ip=visitor.ip,
            user_agent=visitor.user_agent,
            details={"method": "email_code", "email": request.email}
            | ({"amendment": request.amendment.number} if request.amendment_id else {}),
        )
        return None
    request.code_failures += 1
    fields = ["code_failures"]
    left = settings.SIGNER_CODE_TRIES - request.code_failures
    if left <= 0:
        # The code dies with the lock; after it, a new code is needed.
        request.code_hash = ""
        request.code_expires_at = None
        request.code_failures = 0
        request.locked_until = now + timezone.timedelta(minutes=settings.SIGNER_CODE_LOCK_MINUTES)
        fields += ["code_hash", "code_expires_at", "locked_until"]
        request.save(update_fields=fields)
        audit_record(
            agreement=agreement,
            kind=AuditKind.CODE_LOCKED,
            actor_label=_signatory_label(request),
            signing_request=request,
            ip=visitor.ip,
            user_agent=visitor.user_agent,
            details={"until": request.locked_until.isoformat()},
        )
        return CodeLocked(
            ngettext(
                "Wrong code. This link is now locked for %(count)d minute; then ask for a new code.",
                "Wrong code. This link is now locked for %(count)d minutes; then ask for a new code.",
                settings.SIGNER_CODE_LOCK_MINUTES,
            )
            % {"count": settings.SIGNER_CODE_LOCK_MINUTES}
        )
    request.save(update_fields=fields)
    return CodeWrong(
        ngettext(
            "Wrong code. %(count)d try left.",
            "Wrong code. %(count)d tries left.",
            left,
        )
        % {"count": left}
    )


class CodeWrong(SigningRefused):
    """A wrong code: counted (the transaction commits), the signer may try again."""


class CodeLocked(SigningRefused):
    """The last wrong code: the link is locked (the transaction commits)."""
