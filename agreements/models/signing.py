"""Who signs an agreement: one signing request per signatory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SigningRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing request")
        verbose_name_plural = _("signing requests")
        ordering = ["agreement", "party", "id"]

    def __str__(self) -> str:
        return f"{self.agreement.reference}: {self.name}"
