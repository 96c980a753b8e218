"""Bilingual e-mail, and the one retry policy of every task that sends mail.

Every message the portal sends is Arabic first, English below, as plain text and HTML
(`bilingual_message`). Templates get what `settings.MAIL_CONTEXT_PROCESSORS` add (the
charity's profile comes from the partners app that way, so this module imports no app)
and `site_url`.

A mail task runs its sending inside `retrying_mail(self)`: a temporary delivery problem
(the server unreachable or a 4xx answer) is retried with growing delays, up to
`MAIL_MAX_RETRIES`; a permanent one (5xx) fails at once, so the task's failure handler
records it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from .text import header_text

MAIL_MAX_RETRIES = 6

# Delivery problems worth retrying with backoff: the server was unreachable, dropped the
# connection, or answered with a temporary (4xx) code. A 5xx answer is final.
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """True for a delivery error that may pass if the same message is sent again later."""
    if isinstance(error, TRANSIENT_MAIL_ERRORS):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    return False


def retry_countdown(retries: int) -> int:
    """Seconds before the next try: 1, 2, 4 … minutes, at most an hour."""
    return min(3600, 60 * 2**retries)


@contextmanager
def retrying_mail(task) -> Iterator[None]:
    """Run a bound task's sending; retry it later on a transient error while tries remain."""
    try:
        yield
    except Exception as error:
        if is_transient(error) and task.request.retries < task.max_retries:
            raise task.retry(exc=error, countdown=retry_countdown(task.request.retries)) from error
        raise


def subject_line(subject_ar: str, subject_en: str) -> str:
    """`Arabic | English`, each half on one line with its direction controls shown (see `header_text`)."""
    return f"{header_text(subject_ar)} | {header_text(subject_en)}"


@cache
def _context_processors() -> tuple:
    return tuple(import_string(path) for path in settings.MAIL_CONTEXT_PROCESSORS)


def bilingual_message(
    *, subject_ar: str, subject_en: str, to: list[str], template: str, context: dict
) -> EmailMultiAlternatives:
    """One message: the Arabic text, then the English; an HTML part with both.

    Renders `emails/<template>.txt` and `.html` once per language.
    """
    extra: dict = {"site_url": settings.SITE_URL}
    for processor in _context_processors():
        extra.update(processor())
    context = {**context, **extra}
    parts = {}
    for language in ("ar", "en"):
        with translation.override(language):
            parts[language] = {
                "text": render_to_string(f"emails/{template}.txt", context),
                "html": render_to_string(f"emails/{template}.html", context),
            }
    separator = "\n\n" + "-" * 40 + "\n\n"
    text = parts["ar"]["text"].strip() + separator + parts["en"]["text"].strip() + "\n"
    html = render_to_string(
        "emails/base.html", {"arabic": parts["ar"]["html"], "english": parts["en"]["html"], **context}
    )
    message = EmailMultiAlternatives(
        subject=subject_line(subject_ar, subject_en), body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    return message


def send_bilingual(**kwargs) -> None:
    bilingual_message(**kwargs).send()
