"""What each reminder says, by email (Arabic, English below) and in the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext

from common.mail import send_bilingual
from common.text import plain_name

from . import messages
from .links import agreement_path, is_partner_reader, period_report_path
from .models import Reminder, ReminderKind


def _message(reminder: Reminder) -> tuple[str, dict]:
    """The reminder's message key and parameters (`reminders.messages`), in no language yet."""
    agreement = reminder.agreement
    params = {
        "title": messages.bilingual(agreement, "title"),
        "reference": agreement.reference,
        "partner": messages.bilingual(agreement.partner, "name"),
        "days": reminder.offset_days,
        "ends_on": messages.day(agreement.ends_on),
    }
    if reminder.kind == ReminderKind.RENEWAL_UNSIGNED:
        params["renewal"] = agreement.renewed_by.reference
    elif reminder.kind == ReminderKind.SIGNING_EXPIRED:
        params["name"] = {"name": reminder.signing_request.name}
    elif reminder.period_report_id:
        report = reminder.period_report
        params |= {"period": _period_label(report), "due_on": messages.day(report.due_on)}
    elif reminder.kind in (ReminderKind.COMMITMENT_DUE, ReminderKind.COMMITMENT_OVERDUE):
        commitment = reminder.commitment
        params |= {
            "commitment": messages.bilingual(commitment, "description"),
            "due_on": messages.day(commitment.due_on),
            "target": {"count": commitment.target_quantity, "noun": commitment.unit},
        }
    return str(reminder.kind), params


def _period_label(report) -> dict[str, str]:
    """The period's label in both languages, so the message reads in the reader's."""
    labels = {}
    for language in ("ar", "en"):
        with translation.override(language):
            labels[language] = str(report.label)
    return labels


def _texts(reminder: Reminder, name: Callable[[str], str] = plain_name) -> dict[str, str]:
    """Headline and body in the active language.

    For an e-mail's body, names and titles show their direction controls as markers
    (`plain_name`); a notification stores them as they are (`name=str`) and its page
    shows them, and so does a subject: `common.mail.subject_line` reveals the controls
    itself, and would print the isolates `plain_name` adds as markers too.
    """
    key, params = _message(reminder)
    return messages.render(key, params, name=name)


def _link(reminder: Reminder) -> tuple[str, Promise]:
    """Where the reminder leads its recipient, and the button's label.

    Partner users and the partner's contacts open the portal's page of the agreement
    (at the commitment, for a commitment's reminder); staff open the staff page, and
    staff who may edit get one-click renewal for a renewal reminder.
    """
    agreement = reminder.agreement
    user = reminder.recipient_user
    partner = is_partner_reader(user=user, email=reminder.recipient_email, partner_id=agreement.partner_id)
    if reminder.kind == ReminderKind.RENEWAL and user is not None and user.can_edit_agreements:
        return reverse("agreements:renew", args=[agreement.reference]), gettext_lazy("Start the renewal")
    if reminder.kind == ReminderKind.RENEWAL_UNSIGNED:
        # What is left to do is on the renewal's page: send it, sign it, or chase the signatures.
        renewal = agreement.renewed_by
        return agreement_path(renewal.reference, partner=partner), gettext_lazy("Open the renewal")
    if reminder.period_report_id:
        return period_report_path(reminder.period_report_id, partner=partner), gettext_lazy("Open the report")
    if reminder.commitment_id:
        path = agreement_path(agreement.reference, partner=partner, commitment_id=reminder.commitment_id)
        return path, gettext_lazy("Open the commitment")
    return agreement_path(agreement.reference, partner=partner), gettext_lazy("Open the agreement")


def send_reminder_email(reminder: Reminder) -> None:
    path, label = _link(reminder)
    parts, subjects = {}, {}
    for language in ("ar", "en"):
        with translation.override(language):
            parts[language] = {**_texts(reminder), "action": str(label)}
            # Raw names: the subject line reveals their direction controls once, and adds no marker of its own.
            subjects[language] = _texts(reminder, name=str)["headline"]
    send_bilingual(
        subject_ar=subjects["ar"],
        subject_en=subjects["en"],
        to=[reminder.recipient_email],
        template="reminder",
        context={"parts": parts, "link": settings.SITE_URL + path, "agreement": reminder.agreement},
    )


def notification_for(reminder: Reminder) -> dict:
    """The in-app notification's fields: its message key and parameters, rendered when read."""
    key, params = _message(reminder)
    return {
        "kind": reminder.kind,
        "agreement": reminder.agreement,
        "message": key,
        "params": params,
        "url": _link(reminder)[0],
    }


def send_reminder_digest(reminders: list[Reminder]) -> None:
    """One recipient's reminders of the day in one e-mail, each item with its own link."""
    count = len(reminders)
    items = []
    for reminder in reminders:
        path, label = _link(reminder)
        parts = {}
        for language in ("ar", "en"):
            with translation.override(language):
                parts[language] = {**_texts(reminder), "action": str(label)}
        items.append({"parts": parts, "link": settings.SITE_URL + path})
    subjects = {}
    for language in ("ar", "en"):
        with translation.override(language):
            subjects[language] = ngettext(
                "%(count)s reminder from the partnership portal",
                "%(count)s reminders from the partnership portal",
                count,
            ) % {"count": count}
    send_bilingual(
        subject_ar=subjects["ar"],
        subject_en=subjects["en"],
        to=[reminders[0].recipient_email],
        template="reminder_digest",
        context={"items": items, "count": count},
    )
