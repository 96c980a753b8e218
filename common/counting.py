"""A number with the noun it counts, in the grammar of the active language.

Arabic has six plural forms (`nplurals=6` in locale/ar): none (0), one (1, «يوم واحد»),
two (the dual, «يومان», no numeral), 3–10 («7 أيام»), 11–99 («20 يومًا») and 100 and up
(«100 يوم»; 103 and 111 follow their last two digits again). So a count is never
`"%s %s" % (n, unit_label)`: each noun is a plural message here, chosen by `ngettext`.

The dual also has a case: «متدربان» standing alone (a table cell, a parenthesis), but
«متدربَين» after a preposition or in a construct («5 من متدربَين»), so each noun has a
second message with the context "after a preposition". English reads the same in both.

The keys are the commitment units (`agreements.models.Unit` values) and `day`; a test
checks that every unit has its noun here.
"""

from __future__ import annotations

from django.utils.translation import ngettext_lazy, npgettext_lazy

NOUNS = {
    "day": ngettext_lazy("%(count)s day", "%(count)s days", "count"),
    "trainees": ngettext_lazy("%(count)s trainee", "%(count)s trainees", "count"),
    "programmes": ngettext_lazy("%(count)s programme", "%(count)s programmes", "count"),
    "workshops": ngettext_lazy("%(count)s workshop", "%(count)s workshops", "count"),
    "job_opportunities": ngettext_lazy("%(count)s job opportunity", "%(count)s job opportunities", "count"),
    "volunteers": ngettext_lazy("%(count)s volunteer", "%(count)s volunteers", "count"),
    "events": ngettext_lazy("%(count)s event", "%(count)s events", "count"),
    "beneficiaries": ngettext_lazy("%(count)s beneficiary", "%(count)s beneficiaries", "count"),
    "media_items": ngettext_lazy("%(count)s media item", "%(count)s media items", "count"),
    "meetings": ngettext_lazy("%(count)s meeting", "%(count)s meetings", "count"),
    "hours": ngettext_lazy("%(count)s hour", "%(count)s hours", "count"),
}

NOUNS_AFTER_PREPOSITION = {
    "day": npgettext_lazy("after a preposition", "%(count)s day", "%(count)s days", "count"),
    "trainees": npgettext_lazy("after a preposition", "%(count)s trainee", "%(count)s trainees", "count"),
    "programmes": npgettext_lazy("after a preposition", "%(count)s programme", "%(count)s programmes", "count"),
    "workshops": npgettext_lazy("after a preposition", "%(count)s workshop", "%(count)s workshops", "count"),
    "job_opportunities": npgettext_lazy(
        "after a preposition", "%(count)s job opportunity", "%(count)s job opportunities", "count"
    ),
    "volunteers": npgettext_lazy("after a preposition", "%(count)s volunteer", "%(count)s volunteers", "count"),
    "events": npgettext_lazy("after a preposition", "%(count)s event", "%(count)s events", "count"),
    "beneficiaries": npgettext_lazy("after a preposition", "%(count)s beneficiary", "%(count)s beneficiaries", "count"),
    "media_items": npgettext_lazy("after a preposition", "%(count)s media item", "%(count)s media items", "count"),
    "meetings": npgettext_lazy("after a preposition", "%(count)s meeting", "%(count)s meetings", "count"),
    "hours": npgettext_lazy("after a preposition", "%(count)s hour", "%(count)s hours", "count"),
}


def counted(n: int, noun: str, *, after_preposition: bool = False) -> str:
    """`n` with `noun` (a key of `NOUNS`) in the active language: «20 متدربًا», «يومان», «2 days».

    `after_preposition` picks the dual's oblique case, for a count that follows «من»,
    «خلال» and the like. A noun without a message here (a unit added later) falls back
    to the number and the key, so a page still shows something rather than failing.
    """
    messages = NOUNS_AFTER_PREPOSITION if after_preposition else NOUNS
    message = messages.get(noun)
    if message is None:
        return f"{n} {noun}"
    return message % {"count": n}
