"""Signing: one request per signatory, the signatures, and the agreement's audit trail."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import clock
from common.tokens import hash_token

from .core import Agreement, Party


class SigningStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    VOIDED = "voided", _("Voided")


# Requests in these states may still be signed.
OPEN_SIGNING_STATUSES = (SigningStatus.PENDING, SigningStatus.SENT, SigningStatus.OPENED)


class SigningRequestQuerySet(models.QuerySet):
    def open(self) -> SigningRequestQuerySet:
        return self.filter(status__in=OPEN_SIGNING_STATUSES)


class SigningRequest(models.Model):
    """A signatory asked to sign an agreement (or one of its amendments)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="signing_requests", verbose_name=_("agreement")
    )
    amendment = models.ForeignKey(
        "agreements.Amendment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signing_requests",
        verbose_name=_("amendment"),
    )
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    contact = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_requests",
        verbose_name=_("contact"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_requests",
        verbose_name=_("account"),
        help_text=_("A signatory with an account may sign from the portal."),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    status = models.CharField(_("status"), max_length=20, choices=SigningStatus.choices, default=SigningStatus.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("signed or declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # Its place in the signing order (1 = first); with everyone at once, all share one place.
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    # The one-time code e-mailed to a link signer (its keyed hash), and the link's lockout.
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    codes_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    code_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    identity_checked_at = models.DateTimeField(_("identity checked at"), null=True, blank=True, editable=False)
    # The portal's moment (common/clock.py): signatories are reminded days after it.
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    objects = SigningRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing request")
        verbose_name_plural = _("signing requests")
        ordering = ["agreement", "party", "id"]

    def __str__(self) -> str:
        return f"{self.agreement.reference}: {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SIGNING_STATUSES

    def issue_token(self) -> str:
        """Create a new personal link token (256 random bits); any earlier one stops working.

        Returns the token itself, which is never stored: only its hash is.
        """
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_expires_at = clock.now() + timezone.timedelta(days=settings.SIGNING_LINK_DAYS)
        # A new link starts its e-mail code afresh (TOKEN_FIELDS lists what this changes).
        self.code_hash, self.code_expires_at, self.code_sent_at = "", None, None
        self.codes_sent = self.code_failures = 0
        self.locked_until = None
        return token

    TOKEN_FIELDS = (
        "token_hash",
        "token_expires_at",
        "code_hash",
        "code_expires_at",
        "code_sent_at",
        "codes_sent",
        "code_failures",
        "locked_until",
    )

    def link_is_usable(self, now=None) -> bool:
        """A link works while the request is open, unexpired and the agreement awaits signatures."""
        now = now or clock.now()
        from .core import AgreementStatus

        awaiting = (
            self.amendment.status == "awaiting_signatures"
            if self.amendment_id
            else self.agreement.status == AgreementStatus.AWAITING_SIGNATURES
        )
        return self.is_open and awaiting and self.token_expires_at is not None and now < self.token_expires_at


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("Drawn")
    TYPED = "typed", _("Typed")


class SignatureChannel(models.TextChoices):
    LINK = "link", _("Signing link")
    ACCOUNT = "account", _("Portal account")


def signature_upload_to(instance: Signature, filename: str) -> str:
    return f"signatures/{uuid.uuid4().hex}.png"


class Signature(models.Model):
    """What a signatory confirmed and how they signed; written once, never changed."""

    request = models.OneToOneField(
        SigningRequest, on_delete=models.PROTECT, related_name="signature", verbose_name=_("signing request")
    )
    signer_name = models.CharField(_("name as confirmed"), max_length=200)
    signer_title = models.CharField(_("title as confirmed"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=SignatureMethod.choices)
    image = models.FileField(_("drawn signature"), upload_to=signature_upload_to, blank=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    typed_text = models.CharField(_("typed signature"), max_length=100, blank=True)
    channel = models.CharField(_("signed through"), max_length=10, choices=SignatureChannel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    content_hash = models.CharField(_("content hash signed"), max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(method="drawn") & ~models.Q(image=""))
                | (models.Q(method="typed") & ~models.Q(typed_text="")),
                name="signature_has_image_or_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.signed_at:%Y-%m-%d %H:%M})"


class AuditKind(models.TextChoices):
    SENT = "sent", _("Sent for signature")
    INVITED = "invited", _("Signing link sent")
    OPENED = "opened", _("Opened")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")
    RESENT = "resent", _("Link sent again")
    REVOKED = "revoked", _("Request revoked")
    RECALLED = "recalled", _("Pulled back to draft")
    ACTIVATED = "activated", _("Fully signed: in force")
    FULLY_SIGNED = "fully_signed", _("Fully signed: in force from its start date")
    STARTED = "started", _("In force from its start date")
    EXPIRED = "expired", _("Link expired")
    CODE_SENT = "code_sent", _("Identity code e-mailed")
    IDENTITY_CHECKED = "identity_checked", _("Identity checked by e-mail code")
    CODE_LOCKED = "code_locked", _("Link locked after wrong codes")
    PDF_ISSUED = "pdf_issued", _("Signed PDF issued")
    TERMINATED = "terminated", _("Agreement terminated")
    ENDED = "ended", _("Agreement reached its end date")
    RENEWED = "renewed", _("Agreement renewed")
    RENEWAL_STARTED = "renewal_started", _("Renewal started")
    AMENDMENT_RECORDED = "amendment_created", _("Amendment recorded")
    AMENDMENT_EDITED = "amendment_edited", _("Amendment changed")
    AMENDMENT_DELETED = "amendment_deleted", _("Draft amendment deleted")
    AMENDMENT_SENT = "amendment_sent", _("Amendment sent for signature")
    AMENDMENT_RECALLED = "amendment_recalled", _("Amendment pulled back to draft")
    AMENDMENT_SIGNED = "amendment_signed", _("Amendment fully signed")
    AMENDMENT_IN_FORCE = "amendment_in_force", _("Amendment in force")
    ADDENDUM_ISSUED = "addendum_issued", _("Addendum PDF issued")


GENESIS = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("Audit events are append-only.")

    def delete(self):
        raise ValidationError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One event of an agreement's audit trail, chained to the previous one by its hash.

    Each event's `hash` covers its own content and the previous event's hash, and the
    agreement keeps the last hash and the count (`audit_head`, `audit_count`), so an
    edited, deleted, inserted or reordered event breaks the chain (see agreements.audit).
    Rows are append-only: the ORM refuses to update or delete them.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="audit_events", verbose_name=_("agreement")
    )
    sequence = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("event"), max_length=20, choices=AuditKind.choices)
    signing_request = models.ForeignKey(
        SigningRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    # The id of the secret key the hash was made with (agreements.audit_keys).
    key_id = models.CharField(max_length=16, editable=False)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["agreement", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "sequence"], name="audit_sequence_unique_per_agreement"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}#{self.sequence} {self.kind}"

    def payload(self) -> dict[str, Any]:
        """Everything the hash covers, in a stable form."""
        return {
            "agreement": self.agreement_id,
            "sequence": self.sequence,
            "kind": self.kind,
            "signing_request": self.signing_request_id,
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "at": self.at.isoformat(timespec="microseconds"),
            "ip": self.ip or "",
            "user_agent": self.user_agent,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str | None:
        """HMAC-SHA256 of the payload under the event's key; None when this server lacks that key."""
        from ..audit_keys import key

        secret = key(self.key_id)
        if secret is None:
            return None
        encoded = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(secret, encoded.encode(), hashlib.sha256).hexdigest()

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are append-only.")
