"""An SMTP server that refuses every message: the one thing outside the project we stand in for."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"mailbox unavailable")})


class BusyBackend(BaseEmailBackend):
    """A server that is busy for now (4xx): worth retrying later."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPResponseException(421, b"try again later")
