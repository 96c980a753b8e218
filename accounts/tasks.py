"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from common.mail import MAIL_MAX_RETRIES, retrying_mail


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def send_invitation(self, invitation_id: int) -> bool:
    """Email a partner's contact the link to open their portal account."""
    from .services import invitation_send

    with retrying_mail(self):
        return invitation_send(invitation_id=invitation_id)


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def send_account_exists_note(self, email: str, partner_name: str) -> bool:
    """Tell someone invited again that they already have an account (the inviting page does not say so)."""
    from .services import account_exists_note_send

    with retrying_mail(self):
        return account_exists_note_send(email=email, partner_name=partner_name)
