"""Partner accounts: invitations, their acceptance, deactivation."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.mail import send_bilingual
from common.tokens import hash_token
from outbox.services import outbox_enqueue

from .models import Invitation, User


def may_manage_partner_users(by: User, partner_id: int) -> bool:
    """Staff editors manage every partner's users; a partner admin only their own partner's."""
    if by.can_edit_agreements:
        return True
    return bool(by.is_active and by.is_partner_admin and by.partner_id == partner_id)


def invitation_create(*, partner, email: str, name: str, by: User, make_partner_admin: bool = False) -> Invitation:
    """Record an invitation and queue its email (a single-use link valid INVITATION_DAYS).

    The email goes through the outbox like every other: if the mail server or the broker is
    down, the invitation is kept and the email is sent when they are back.
    """
    from .tasks import send_invitation

    if not may_manage_partner_users(by, partner.pk):
        raise PermissionDenied
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError(_("Someone with this email already has an account."))
    with transaction.atomic():
        # A new invitation replaces any unused one to the same address.
        Invitation.objects.filter(partner=partner, email__iexact=email, accepted_at__isnull=True).delete()
        invitation = Invitation.objects.create(
            partner=partner,
            email=email,
            # Only a greeting and the suggested name: a contact's name may be longer.
            name=name.strip()[: Invitation._meta.get_field("name").max_length],
            make_partner_admin=make_partner_admin and by.can_edit_agreements,
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
        is_partner_admin=invitation.make_partner_admin,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Invitation.objects.filter(pk=invitation.pk).update(user=user)
    return user


def partner_user_set_active(*, user: User, active: bool, by: User) -> None:
    if not user.partner_id or not may_manage_partner_users(by, user.partner_id):
        raise PermissionDenied
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
