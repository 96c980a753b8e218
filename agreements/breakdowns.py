"""Beneficiary breakdowns: how a commitment's reported quantity is split, and the one list of towns.

A commitment may ask for its quantity by sex, by age group or by town of Qatif
governorate (محافظة القطيف). The report stores the breakdown as `{category key: count}`
(JSON on the progress update), so a board report can sum it across reports later;
the keys are the ones below, never labels.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class BreakdownKind(models.TextChoices):
    NONE = "", gettext_lazy("No breakdown")
    SEX = "sex", gettext_lazy("By sex")
    AGE = "age", gettext_lazy("By age group")
    TOWN = "town", gettext_lazy("By town (Qatif governorate)")


SEXES = [("male", gettext_lazy("Male")), ("female", gettext_lazy("Female"))]

AGE_GROUPS = [
    ("under_18", gettext_lazy("Under 18")),
    ("18_29", gettext_lazy("18 to 29")),
    ("30_59", gettext_lazy("30 to 59")),
    ("60_plus", gettext_lazy("60 and over")),
]

# The towns and villages of Qatif governorate, kept here and nowhere else. The Arabic
# names are the labels in both languages' source strings' translations.
QATIF_TOWNS = [
    ("qatif", gettext_lazy("Qatif")),
    ("saihat", gettext_lazy("Saihat")),
    ("safwa", gettext_lazy("Safwa")),
    ("tarout", gettext_lazy("Tarout")),
    ("darin", gettext_lazy("Darin")),
    ("sanabis", gettext_lazy("Sanabis")),
    ("anak", gettext_lazy("Anak")),
    ("al_jish", gettext_lazy("Al-Jish")),
    ("umm_al_sahek", gettext_lazy("Umm Al-Sahek")),
    ("al_awamiyah", gettext_lazy("Al-Awamiyah")),
    ("al_qudaih", gettext_lazy("Al-Qudaih")),
    ("al_rubaiyah", gettext_lazy("Al-Rubaiyah")),
    ("al_tubi", gettext_lazy("Al-Tubi")),
    ("al_khuwaildiyah", gettext_lazy("Al-Khuwaildiyah")),
    ("umm_al_hamam", gettext_lazy("Umm Al-Hamam")),
    ("al_jaroudiyah", gettext_lazy("Al-Jaroudiyah")),
    ("hillat_mahish", gettext_lazy("Hillat Mahish")),
    ("al_bahari", gettext_lazy("Al-Bahari")),
    ("al_mullaha", gettext_lazy("Al-Mullaha")),
]

CATEGORIES: dict[str, list[tuple[str, object]]] = {
    BreakdownKind.SEX: SEXES,
    BreakdownKind.AGE: AGE_GROUPS,
    BreakdownKind.TOWN: QATIF_TOWNS,
}


def categories(kind: str) -> list[tuple[str, object]]:
    """The (key, label) rows a breakdown of `kind` asks for; [] for none."""
    return CATEGORIES.get(kind, [])


def breakdown_clean(kind: str, rows: dict[str, int | None], quantity: int) -> dict[str, int]:
    """The breakdown as stored (`{key: count}`, zero rows left out), or ValidationError.

    The rule: every count is a whole number of zero or more, only the kind's categories
    appear, and the counts add up to the quantity reported.
    """
    if not kind:
        return {}
    keys = {key for key, _label in categories(kind)}
    unknown = set(rows) - keys
    if unknown:
        raise ValidationError(_("Unknown breakdown category: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    cleaned = {}
    for key, count in rows.items():
        if count is None:
            continue
        if count < 0:
            raise ValidationError(_("A breakdown count cannot be negative."))
        if count:
            cleaned[key] = count
    total = sum(cleaned.values())
    if total != quantity:
        raise ValidationError(
            _("The breakdown adds up to %(total)s, not to the quantity %(quantity)s.")
            % {"total": total, "quantity": quantity},
            code="breakdown_total",
        )
    return cleaned


def labelled(kind: str, breakdown: dict[str, int]) -> list[tuple[str, int]]:
    """A stored breakdown as (label, count) rows in the kind's order, for pages and reports."""
    return [(str(label), breakdown[key]) for key, label in categories(kind) if breakdown.get(key)]
