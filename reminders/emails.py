"""What each reminder says, by email (Arabic, English below) and in the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common import dates
from common.counting import counted
from common.mail import send_bilingual
from common.text import plain_name

from .links import agreement_path, is_partner_reader, period_report_path
from .models import Notification, Reminder, ReminderKind


def _both_calendars(day) -> str:
    return f"{dates.gregorian(day)} ({dates.hijri(day)})"


def _texts(reminder: Reminder, name: Callable[[str], str] = plain_name) -> dict[str, str]:
    """Headline and body in the active language.

    For an e-mail's body, names and titles show their direction controls as markers
    (`plain_name`); a notification stores them as they are (`name=str`) and its page
    shows them, and so does a subject: `common.mail.subject_line` reveals the controls
    itself, and would print the isolates `plain_name` adds as markers too.
    """
    agreement = reminder.agreement
    values = {
        "title": name(agreement.title),
        "reference": agreement.reference,
        "partner": name(agreement.partner.name),
        "days": reminder.offset_days,
        "ends_on": _both_calendars(agreement.ends_on),
    }
    if reminder.kind == ReminderKind.RENEWAL:
        return {
            "headline": ngettext(
                "“%(title)s” ends in %(days)s day", "“%(title)s” ends in %(days)s days", reminder.offset_days
            )
            % values,
            "body": _(
                "The partnership agreement %(reference)s with %(partner)s ends on %(ends_on)s. "
                "If it should continue, start its renewal now so there is time to agree and sign."
            )
            % values,
        }
    if reminder.kind == ReminderKind.RENEWAL_UNSIGNED:
        renewal = agreement.renewed_by
        values |= {"renewal": renewal.reference}
        return {
            "headline": _("Finish the renewal of “%(title)s” before %(ends_on)s") % values,
            "body": _(
                "The agreement %(reference)s with %(partner)s ends on %(ends_on)s. Its renewal %(renewal)s is not "
                "signed yet: sign it, or ask the others to, so the partnership continues without a gap."
            )
            % values,
        }
    if reminder.kind == ReminderKind.AGREEMENT_EXPIRED:
        return {
            "headline": _("“%(title)s” has ended") % values,
            "body": _(
                "The agreement %(reference)s with %(partner)s reached its end date (%(ends_on)s) and is now expired."
            )
            % values,
        }
    if reminder.kind == ReminderKind.SIGNING_EXPIRED:
        return {
            "headline": _("A signing link expired: %(reference)s") % values,
            "body": _(
                "%(name)s did not sign agreement %(reference)s before the link expired. Send a new link if needed."
            )
            % {**values, "name": name(reminder.signing_request.name)},
        }
    if reminder.kind == ReminderKind.SIGNING:
        return {
            "headline": _("Waiting for your signature: %(title)s") % values,
            "body": _(
                "Agreement %(reference)s with %(partner)s is waiting for your signature. A new link was emailed to you."
            )
            % values,
        }
    if reminder.period_report_id:
        return _period_texts(reminder, values)
    commitment = reminder.commitment
    values |= {
        "commitment": name(commitment.description),
        "due_on": _both_calendars(commitment.due_on),
        "target": counted(commitment.target_quantity, commitment.unit),
    }
    if reminder.kind == ReminderKind.COMMITMENT_DUE:
        return {
            "headline": _("Commitment due on %(due_on)s: %(commitment)s") % values,
            "body": _(
                "Under agreement %(reference)s, the commitment “%(commitment)s” (%(target)s) is due on "
                "%(due_on)s. Report the progress made in the portal."
            )
            % values,
        }
    return {
        "headline": _("Commitment overdue: %(commitment)s") % values,
        "body": _(
            "Under agreement %(reference)s, the commitment “%(commitment)s” was due on %(due_on)s and no progress "
            "has been reported. Report what was done, or contact the charity."
        )
        % values,
    }


def _period_texts(reminder: Reminder, values: dict) -> dict[str, str]:
    report = reminder.period_report
    values |= {"period": report.label, "due_on": _both_calendars(report.due_on)}
    if reminder.kind == ReminderKind.PERIOD_REPORT_DUE:
        return {
            "headline": _("Period report due on %(due_on)s: %(reference)s") % values,
            "body": _(
                "The report of agreement %(reference)s with %(partner)s for %(period)s is due on %(due_on)s. "
                "Write what was done in the period, the quantity for each commitment, and attach the evidence."
            )
            % values,
        }
    return {
        "headline": _("Period report overdue: %(reference)s") % values,
        "body": _(
            "The report of agreement %(reference)s with %(partner)s for %(period)s was due on %(due_on)s and has "
            "not been sent. Send it now, or contact the charity."
        )
        % values,
    }


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
    """The in-app notification's fields, in Arabic (the portal's first language)."""
    with translation.override("ar"):
        texts = _texts(reminder, name=str)
    return {
        "kind": reminder.kind,
        "agreement": reminder.agreement,
        # The headline carries the agreement's title (up to 300 characters itself).
        "title": texts["headline"][: Notification._meta.get_field("title").max_length],
        "body": texts["body"],
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
