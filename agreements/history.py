"""A readable timeline of every change to an agreement, its clauses, commitments and amendments.

The rows come from django-simple-history. Each historical row is compared with the
previous row of the same object, so the timeline shows who changed which field from
what to what. Everything is read in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from common import dates
from partners.models import Partner

from .models import Agreement, Amendment, Clause, Commitment

_SKIP = {
    "id",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "search_text",
    "updated_at",
    "created_at",
    "reference",
    "verification_code",
}
# An amendment's own bookkeeping: its agreement and number are in the subject; the text before
# it and the rows it made are shown on its pages, its PDF state on the agreement's.
_AMENDMENT_SKIP = {"agreement", "number", "created_by", "content_hash", "content_before", "new_rows", "pdf_status"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime.datetime
    user: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _display(model: type[models.Model], name: str, value: Any, labels: dict[str, dict[int, str]]) -> str:
    if isinstance(value, list):
        # A change set: its size here, its content on the amendment's page.
        return ngettext("%(n)s change", "%(n)s changes", len(value)) % {"n": len(value)}
    if value is None or value == "":
        return "—"
    model_field = (
        model._meta.get_field(name.removesuffix("_id")) if name.endswith("_id") else model._meta.get_field(name)
    )
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return labels.get(model_field.related_model.__name__, {}).get(value, f"#{value}")
    if isinstance(value, datetime.date):
        return _when(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return Truncator(str(value)).chars(160)


def _when(value: datetime.date) -> str:
    """A date in both calendars, a moment also with its time of day, both in TIME_ZONE.

    `sent_at` 21:42 UTC on 1 December reads `2 ديسمبر 2026 00:42 (22 جمادى الآخرة 1448 هـ)`.
    """
    shown = dates.gregorian_time(value) if isinstance(value, datetime.datetime) else dates.gregorian(value)
    other = dates.hijri(value)
    return f"{shown} ({other})" if other else shown


def _field_names(model: type[models.Model]) -> list[tuple[str, str]]:
    """The tracked fields: those the historical model keeps, minus bookkeeping."""
    tracked = {f.attname for f in model.history.model._meta.concrete_fields}
    skip = _SKIP | _AMENDMENT_SKIP if model is Amendment else _SKIP
    return [
        (f.attname, str(f.verbose_name))
        for f in model._meta.concrete_fields
        if f.name not in skip and f.attname in tracked
    ]


def _entries(model, records, subject, labels) -> list[Entry]:
    entries = []
    fields = _field_names(model)
    for _pk, rows in groupby(records, key=lambda r: r.id):
        previous = None
        for row in rows:
            user = row.history_user.display_name if row.history_user else _("system")
            if row.history_type == "+":
                entries.append(Entry(row.history_date, user, subject(row), _("created")))
            elif row.history_type == "-":
                entries.append(Entry(row.history_date, user, subject(row), _("deleted")))
            elif previous is not None:
                changes = [
                    Change(
                        label,
                        _display(model, attname, getattr(previous, attname), labels),
                        _display(model, attname, getattr(row, attname), labels),
                    )
                    for attname, label in fields
                    if getattr(previous, attname) != getattr(row, attname)
                ]
                if changes:
                    entries.append(Entry(row.history_date, user, subject(row), _("changed"), changes))
            previous = row
    return entries


def agreement_timeline(agreement: Agreement) -> list[Entry]:
    """Every recorded change of the agreement and its content, newest first."""
    agreement_rows = list(
        Agreement.history.filter(id=agreement.pk).select_related("history_user").order_by("id", "history_date")
    )
    clause_rows = list(
        Clause.history.filter(agreement_id=agreement.pk).select_related("history_user").order_by("id", "history_date")
    )
    clause_ids = {row.id for row in clause_rows}
    clause_numbers = {row.id: row.order for row in clause_rows}
    commitment_rows = list(
        Commitment.history.filter(clause_id__in=clause_ids)
        .select_related("history_user")
        .order_by("id", "history_date")
    )
    partner_ids = {row.partner_id for row in agreement_rows}
    user_ids = {row.owner_id for row in agreement_rows}
    labels = {
        "Partner": dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name_ar")),
        "User": {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)},
        "Clause": {pk: _("clause %(number)s") % {"number": n} for pk, n in clause_numbers.items()},
        "Agreement": {},
    }
    entries = _entries(Agreement, agreement_rows, lambda row: _("the agreement"), labels)
    entries += _entries(Clause, clause_rows, lambda row: _("clause %(number)s") % {"number": row.order}, labels)
    entries += _entries(
        Commitment,
        commitment_rows,
        lambda row: _("commitment “%(text)s”") % {"text": Truncator(row.description_ar).chars(60)},
        labels,
    )
    amendment_rows = list(
        Amendment.history.filter(agreement_id=agreement.pk)
        .select_related("history_user")
        .order_by("id", "history_date")
    )
    entries += _entries(
        Amendment, amendment_rows, lambda row: _("amendment %(number)s") % {"number": row.number}, labels
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
