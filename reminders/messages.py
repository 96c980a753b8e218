"""What a notification (and a reminder's e-mail) says: a message key and its parameters.

A notification stores the key and the parameters (JSON), never the rendered text, and
is rendered when it is read, in the reader's language: a message created while Arabic
was active reads in English on an English page. The same messages make the reminder
e-mails (`reminders.emails`), in each of their two languages.

Parameters are JSON values, each rendered in the active language:

- `{"ar": "…", "en": "…"}`: a bilingual name or title (English when English is active
  and filled in, else Arabic), passed through the caller's `name` (direction controls);
- `{"name": "…"}`: a name typed by someone, passed through `name`, in every language;
- `{"date": "2026-12-10"}`: a date, shown in both calendars («10 ديسمبر 2026 (1 رجب 1448 هـ)»);
- `{"count": 20, "noun": "trainees"}`: a counted noun (`common.counting`);
- anything else (a reference, a number, a comment) as it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils.translation import get_language, gettext_lazy, ngettext_lazy

from common import dates
from common.counting import counted

# key -> (headline, body). A body of None is the parameter "text" as it is.
MESSAGES = {
    "renewal": (
        ngettext_lazy("“%(title)s” ends in %(days)s day", "“%(title)s” ends in %(days)s days", "days"),
        gettext_lazy(
            "The partnership agreement %(reference)s with %(partner)s ends on %(ends_on)s. "
            "If it should continue, start its renewal now so there is time to agree and sign."
        ),
    ),
    "renewal_unsigned": (
        gettext_lazy("Finish the renewal of “%(title)s” before %(ends_on)s"),
        gettext_lazy(
            "The agreement %(reference)s with %(partner)s ends on %(ends_on)s. Its renewal %(renewal)s is not "
            "signed yet: sign it, or ask the others to, so the partnership continues without a gap."
        ),
    ),
    "agreement_expired": (
        gettext_lazy("“%(title)s” has ended"),
        gettext_lazy(
            "The agreement %(reference)s with %(partner)s reached its end date (%(ends_on)s) and is now expired."
        ),
    ),
    "signing_expired": (
        gettext_lazy("A signing link expired: %(reference)s"),
        gettext_lazy(
            "%(name)s did not sign agreement %(reference)s before the link expired. Send a new link if needed."
        ),
    ),
    "signing": (
        gettext_lazy("Waiting for your signature: %(title)s"),
        gettext_lazy(
            "Agreement %(reference)s with %(partner)s is waiting for your signature. A new link was emailed to you."
        ),
    ),
    "commitment_due": (
        gettext_lazy("Commitment due on %(due_on)s: %(commitment)s"),
        gettext_lazy(
            "Under agreement %(reference)s, the commitment “%(commitment)s” (%(target)s) is due on "
            "%(due_on)s. Report the progress made in the portal."
        ),
    ),
    "commitment_overdue": (
        gettext_lazy("Commitment overdue: %(commitment)s"),
        gettext_lazy(
            "Under agreement %(reference)s, the commitment “%(commitment)s” was due on %(due_on)s and no progress "
            "has been reported. Report what was done, or contact the charity."
        ),
    ),
    "period_report_due": (
        gettext_lazy("Period report due on %(due_on)s: %(reference)s"),
        gettext_lazy(
            "The report of agreement %(reference)s with %(partner)s for %(period)s is due on %(due_on)s. "
            "Write what was done in the period, the quantity for each commitment, and attach the evidence."
        ),
    ),
    "period_report_overdue": (
        gettext_lazy("Period report overdue: %(reference)s"),
        gettext_lazy(
            "The report of agreement %(reference)s with %(partner)s for %(period)s was due on %(due_on)s and has "
            "not been sent. Send it now, or contact the charity."
        ),
    ),
    "progress_reported": (
        gettext_lazy("%(who)s reported progress on “%(commitment)s”"),
        "+%(amount)s",
    ),
    "progress_resubmitted": (
        gettext_lazy("%(who)s corrected and sent again a progress report on “%(commitment)s”"),
        "+%(amount)s",
    ),
    "progress_accepted": (
        gettext_lazy("Your progress report was accepted: %(commitment)s"),
        None,
    ),
    "progress_returned": (
        gettext_lazy("Your progress report was sent back: %(commitment)s"),
        None,
    ),
}


def bilingual(obj, field: str) -> dict[str, str]:
    """A bilingual field of a model (`title` → `title_ar`, `title_en`) as a parameter."""
    return {"ar": getattr(obj, f"{field}_ar", "") or "", "en": getattr(obj, f"{field}_en", "") or ""}


def day(value: datetime.date) -> dict[str, str]:
    return {"date": value.isoformat()}


def _value(param, name: Callable[[str], str]):
    if not isinstance(param, dict):
        return param
    if "ar" in param or "en" in param:
        english = get_language() == "en" and param.get("en")
        return name(english or param.get("ar") or param.get("en") or "")
    if "name" in param:
        return name(param["name"])
    if "date" in param:
        return dates.both(datetime.date.fromisoformat(param["date"]))
    if "count" in param:
        return counted(param["count"], param.get("noun", ""))
    return param


def render(key: str, params: dict, *, name: Callable[[str], str] = str) -> dict[str, str]:
    """The message's headline and body in the active language.

    An unknown key (a message since removed) renders as empty texts, never an error.
    """
    headline, body = MESSAGES.get(key, ("", ""))
    values = {k: _value(v, name) for k, v in (params or {}).items()}
    try:
        headline_text = str(headline % values) if headline else ""
        body_text = str(values.get("text", "")) if body is None else (str(body % values) if body else "")
    except (KeyError, TypeError, ValueError):
        return {"headline": "", "body": ""}
    return {"headline": headline_text, "body": body_text}
