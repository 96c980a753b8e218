"""Portal users: charity staff (by group), admins, and partner users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# Group names. Permissions for each are ensured after every migrate (see apps.py).
STAFF_EDITORS = "Staff editors"
STAFF_READONLY = "Staff read-only"


class ReminderEmails(models.TextChoices):
    DIGEST = "digest", _("One e-mail a day with all of that day's reminders")
    EACH = "each", _("A separate e-mail for each reminder")
    NONE = "none", _("No e-mail: notifications in the portal only")


class PartnerRole(models.TextChoices):
    """What a partner user may do. Everyone of a partner reads its agreements and commitments."""

    OFFICER = "officer", _("authorised officer")  # also signs from the account and manages colleagues
    EDITOR = "editor", _("editor")  # also reports progress
    VIEWER = "viewer", _("viewer")  # reads only


class User(AbstractUser):
    """A person who logs in.

    A user is either charity staff (a member of a staff group, or a superuser) or a
    partner user (`partner` set), never both: the database refuses a partner user with
    `is_staff`, and partner users are never treated as charity staff.
    """

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("partner"),
        help_text=_("Set for people of a partner organisation; leave empty for charity staff."),
    )
    partner_role = models.CharField(
        _("role at the partner"),
        max_length=10,
        choices=PartnerRole.choices,
        blank=True,
        default="",
        help_text=_(
            "For partner users only. An authorised officer signs from the account and manages colleagues; "
            "an editor reports progress; a viewer only reads."
        ),
    )
    reminder_emails = models.CharField(
        _("reminder e-mails"),
        max_length=10,
        choices=ReminderEmails.choices,
        default=ReminderEmails.DIGEST,
        help_text=_("How the daily reminders reach you by e-mail; the portal's notifications list has them all."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partner__isnull=True) | models.Q(is_staff=False, is_superuser=False),
                name="partner_user_is_not_staff",
            ),
            models.CheckConstraint(
                condition=models.Q(partner__isnull=True, partner_role="")
                | models.Q(partner__isnull=False, partner_role__in=PartnerRole.values),
                name="partner_user_has_role",
                violation_error_message=_(
                    "A partner user needs a role at the partner, and only a partner user has one."
                ),
            ),
            # Login accepts the username or the e-mail in any case, so neither may repeat in another case.
            models.UniqueConstraint(
                Lower("username"),
                name="username_unique_any_case",
                violation_error_message=_("A user with this username already exists."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="email_unique_any_case",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    @cached_property
    def _group_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_charity_staff(self) -> bool:
        """Charity staff see every partner and agreement (read-only staff included)."""
        if self.partner_id is not None or not self.is_active:
            return False
        return self.is_superuser or bool(self._group_names & {STAFF_EDITORS, STAFF_READONLY})

    @property
    def can_edit_agreements(self) -> bool:
        if self.partner_id is not None or not self.is_active:
            return False
        return self.is_superuser or STAFF_EDITORS in self._group_names

    @property
    def may_use_two_factor(self) -> bool:
        """Charity staff and admins may turn on two-factor login; partner users are not offered it."""
        if self.partner_id is not None or not self.is_active:
            return False
        return self.is_staff or self.is_superuser or self.is_charity_staff

    @property
    def is_partner_user(self) -> bool:
        return self.partner_id is not None

    @property
    def is_partner_officer(self) -> bool:
        """An active authorised officer of a partner: signs from the account, manages colleagues."""
        return bool(self.is_active and self.partner_id and self.partner_role == PartnerRole.OFFICER)

    @property
    def may_report_progress(self) -> bool:
        """Partner users who report progress on their partner's commitments: officers and editors, not viewers."""
        return bool(
            self.is_active and self.partner_id and self.partner_role in (PartnerRole.OFFICER, PartnerRole.EDITOR)
        )

    @property
    def may_sign_from_account(self) -> bool:
        """Staff sign requests addressed to their account; of a partner's users only officers do.

        Anyone asked to sign may still sign through the emailed link.
        """
        if self.partner_id is None:
            return self.is_active
        return self.is_partner_officer

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Not accepted and not expired: the link still works (or will once e-mailed)."""
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An emailed, single-use, expiring link for a partner's contact to open an account.

    Staff invite for any partner; an authorised officer only for their own partner. The token
    is stored only as its hash.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("partner")
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(
        _("role at the partner"), max_length=10, choices=PartnerRole.choices, default=PartnerRole.EDITOR
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    invited_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    user = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and timezone.now() < self.expires_at
