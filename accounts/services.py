"""Partner accounts: invitations, their acceptance, deactivation."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.mail import send_bilingual
from common.tokens import hash_token
from outbox.services import outbox_enqueue

from .models import Invitation, PartnerRole, User


def may_manage_partner_users(by: User, partner_id: int) -> bool:
    """Staff editors manage every partner's users; an authorised officer only their own partner's."""
    if by.can_edit_agreements:
        return True
    return bool(by.is_partner_officer and by.partner_id == partner_id)


def account_exists(email: str) -> bool:
    """Whether an account (active or not) has this e-mail or username, in any case."""
    email = email.strip()
    return User.objects.filter(models.Q(email__iexact=email) | models.Q(username__iexact=email)).exists()


def invitation_create(*, partner, email: str, name: str, by: User, role: str = PartnerRole.EDITOR) -> Invitation | None:
    """Record an invitation and queue its email (a single-use link valid INVITATION_DAYS).

    When the address already has an account, no invitation is made: that person is e-mailed a
    note saying so instead (how to log in, or ask for a new password), and None is returned.
    Callers that face partner users must answer the same either way, so the form does not
    tell who has an account. Only staff editors invite authorised officers.

    The email goes through the outbox like every other: if the mail server or the broker is
    down, the invitation is kept and the email is sent when they are back.
    """
    from .tasks import send_account_exists_note, send_invitation

    if not may_manage_partner_users(by, partner.pk):
        raise PermissionDenied
    if role not in PartnerRole.values:
        raise ValidationError(_("Choose one of the roles offered."))
    email = email.strip().lower()
    if account_exists(email):
        with transaction.atomic():
            outbox_enqueue(task=send_account_exists_note, args=[email, partner.name_ar])
        return None
    with transaction.atomic():
        # A new invitation replaces any unused one to the same address.
        Invitation.objects.filter(partner=partner, email__iexact=email, accepted_at__isnull=True).delete()
        invitation = Invitation.objects.create(
            partner=partner,
            email=email,
            # Only a greeting and the suggested name: a contact's name may be longer.
            name=name.strip()[: Invitation._meta.get_field("name").max_length],
            role=role,
            # Until the email is sent, the hash of a token nobody was given: no link works yet.
            token_hash=hash_token(secrets.token_urlsafe(32)),
            expires_at=timezone.now() + timezone.timedelta(days=settings.INVITATION_DAYS),
            invited_by=by,
        )
        outbox_enqueue(task=send_invitation, args=[invitation.pk])
    return invitation


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """Give the invitation its link and email it; False when it can no longer be used.

    The token is made here, in the worker, so the raw token is never stored anywhere. The
    email is sent inside the transaction: if sending fails, the new hash is rolled back with
    it and the retry makes another. Should the email be sent twice (a worker lost after
    sending), only the newest link works, and it is in the newest email.
    """
    invitation = Invitation.objects.select_for_update().select_related("partner").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return False
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.save(update_fields=["token_hash"])
    partner = invitation.partner
    send_bilingual(
        subject_ar=f"دعوة إلى بوابة الشراكات: {partner.name_ar}",
        subject_en=f"Invitation to the partnership portal: {partner.name_en or partner.name_ar}",
        to=[invitation.email],
        template="invitation",
        context={"invitation": invitation, "link": settings.SITE_URL + reverse("accounts:invitation", args=[token])},
    )
    return True


def account_exists_note_send(*, email: str, partner_name: str) -> bool:
    """Tell an address that already has an account that someone tried to invite it; False if it has none now."""
    if not account_exists(email):
        return False
    send_bilingual(
        subject_ar="لديك حساب في بوابة الشراكات",
        subject_en="You already have a partnership portal account",
        to=[email],
        template="account_exists",
        context={
            "partner_name": partner_name,
            "login_link": settings.SITE_URL + reverse("accounts:login"),
            "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
        },
    )
    return True


def _pending_for(by: User, invitation: Invitation) -> Invitation:
    """The invitation locked for a change, if `by` manages its partner's users and it is still pending."""
    if not may_manage_partner_users(by, invitation.partner_id):
        raise PermissionDenied
    locked = Invitation.objects.pending().select_for_update().filter(pk=invitation.pk).first()
    if locked is None:
        raise ValidationError(_("This invitation was already accepted or has expired."))
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """E-mail a pending invitation again with a new link, valid INVITATION_DAYS from now.

    The old link stops working at once: its hash is replaced here by one of a token nobody
    was given, and the worker makes the new link when it sends.
    """
    from .tasks import send_invitation

    invitation = _pending_for(by, invitation)
    invitation.token_hash = hash_token(secrets.token_urlsafe(32))
    invitation.expires_at = timezone.now() + timezone.timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    outbox_enqueue(task=send_invitation, args=[invitation.pk])
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by: User) -> None:
    """Withdraw a pending invitation: it is deleted and its link stops working."""
    _pending_for(by, invitation).delete()


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    invitation = Invitation.objects.select_related("partner").filter(token_hash=hash_token(token)).first()
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, first_name: str, password: str) -> User:
    """Create the partner user; the invitation cannot be used again."""
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now())
    if claimed != 1:
        raise ValidationError(_("This invitation was already used."))
    user = User(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name.strip() or invitation.name,
        partner=invitation.partner,
        partner_role=invitation.role,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Invitation.objects.filter(pk=invitation.pk).update(user=user)
    return user


def _check_an_officer_remains(*, user: User, by: User) -> None:
    """Refuse to leave a partner without an active authorised officer.

    The partner's active officers are locked first, so two officers demoting each other at
    the same time cannot both succeed.
    """
    officers = list(
        User.objects.select_for_update()
        .filter(partner_id=user.partner_id, is_active=True, partner_role=PartnerRole.OFFICER)
        .values_list("pk", flat=True)
    )
    if user.pk in officers and len(officers) == 1:
        raise ValidationError(
            _(
                "%(name)s is the partner's only authorised officer. Make another colleague an authorised officer "
                "first: someone must always be able to sign and manage colleagues."
            )
            % {"name": user.display_name}
        )


@transaction.atomic
def partner_user_set_active(*, user: User, active: bool, by: User) -> None:
    """Deactivate or reactivate a partner user; never oneself, never the partner's last officer."""
    if not user.partner_id or not may_manage_partner_users(by, user.partner_id):
        raise PermissionDenied
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not active:
        _check_an_officer_remains(user=user, by=by)
    user.is_active = active
    user.save(update_fields=["is_active"])


@transaction.atomic
def partner_user_set_role(*, user: User, role: str, by: User) -> None:
    """Change a partner user's role; the partner always keeps at least one active authorised officer."""
    if not user.partner_id or not may_manage_partner_users(by, user.partner_id):
        raise PermissionDenied
    if role not in PartnerRole.values:
        raise ValidationError(_("Choose one of the roles offered."))
    if role != PartnerRole.OFFICER:
        _check_an_officer_remains(user=user, by=by)
    # The role was checked against the choices above; the database's check constraint backs it.
    user.partner_role = role
    user.save(update_fields=["partner_role"])
