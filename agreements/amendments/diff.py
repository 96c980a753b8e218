"""An amendment's change set as rows a person reads: clause by clause, old struck, new marked.

`change_rows(amendment)` reads only the change set (it records its old values), so the
amendment page, the signing page and the addendum PDF show the same rows however the
agreement stands later. Labels and values are in the active language: render each
language under `translation.override`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from common import dates
from common.counting import counted

from ..models import Agreement, Amendment, Clause, ClauseKind, Commitment, Party, ResponsibleParty, Unit
from . import content as c

# Long texts are compared word by word; the rest are shown whole, old then new.
WORDWISE = {"text_ar", "text_en", "description_ar", "description_en"}
_WORDS = re.compile(r"(\s+)")


@dataclass
class Segment:
    """A run of text: `same` in both, `old` only before (struck), `new` only after (marked)."""

    kind: str
    text: str


@dataclass
class FieldChange:
    label: str
    segments: list[Segment]


@dataclass
class ChangeRow:
    """One line of the diff. `level`: term, clause or commitment. `action`: changed, added,
    removed, or `context` for a clause heading above changes to its commitments."""

    level: str
    action: str
    subject: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {
            "changed": pgettext("amendment diff", "changed"),
            "added": pgettext("amendment diff", "added"),
            "removed": pgettext("amendment diff", "removed"),
            "context": "",
        }[self.action]


def _label(model, name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _choice(choices, value: str) -> str:
    return str(dict(choices).get(value, value))


def _show(name: str, value: Any, values: dict[str, Any]) -> str:
    """A stored value as the reader sees it: labels for choices, both calendars, counted targets."""
    if value in (None, ""):
        return "—"
    if name in c.DATE_FIELDS:
        return dates.both(c.from_json(name, value))
    if name == "kind":
        return _choice(ClauseKind.choices, value)
    if name == "responsible_party":
        return _choice(ResponsibleParty.choices, value)
    if name == "party":
        return _choice(Party.choices, value)
    if name == "unit":
        return _choice(Unit.choices, value)
    if name == "target_quantity" and values.get("unit"):
        return counted(value, values["unit"])
    return str(value)


# Texts sharing less than this share of their words (difflib's ratio) are shown as rewritten.
REWRITTEN_BELOW = 0.5


def _segments(name: str, old: str | None, new: str | None) -> list[Segment]:
    if old is None:
        return [Segment("new", new)]
    if new is None:
        return [Segment("old", old)]
    if name not in WORDWISE:
        return [Segment("old", old), Segment("same", " "), Segment("new", new)]
    a, b = _WORDS.split(old), _WORDS.split(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < REWRITTEN_BELOW:
        # Rewritten rather than edited: word by word, the struck and the new words would
        # interleave into a run nobody can read. The old text whole, then the new.
        return [Segment("old", old), Segment("same", " "), Segment("new", new)]
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        # The spaces around a changed run are kept once, unmarked: only words are struck or marked.
        edge = removed or added
        lead, trail = edge[: len(edge) - len(edge.lstrip())], edge[len(edge.rstrip()) :]
        segments.append(Segment("same", lead))
        if removed.strip():
            segments.append(Segment("old", removed.strip()))
        if removed.strip() and added.strip():
            segments.append(Segment("same", " "))
        if added.strip():
            segments.append(Segment("new", added.strip()))
        segments.append(Segment("same", trail))
    return [segment for segment in segments if segment.text]


def _bilingual_names(names: tuple[str, ...]) -> list[str]:
    """The field names in reading order for the active language: its own text first."""
    if get_language() != "en":
        return list(names)
    swapped = []
    for name in names:
        if name.endswith("_ar") and f"{name[:-3]}_en" in names:
            swapped.append(f"{name[:-3]}_en")
        elif name.endswith("_en") and f"{name[:-3]}_ar" in names:
            swapped.append(f"{name[:-3]}_ar")
        else:
            swapped.append(name)
    return swapped


def _fields(model, names, old: dict | None, new: dict | None) -> list[FieldChange]:
    """Changed fields of a change (`new` holds only those); every filled-in field of an addition or removal."""
    rows = []
    for name in _bilingual_names(names):
        if name == "order" or (name == "unit" and (old is None or new is None)):
            continue  # the number is in the subject; an added or removed target is counted in its unit
        if old is not None and new is not None:
            if name not in new:
                continue
            before, after = _show(name, old.get(name), old), _show(name, new[name], {**old, **new})
        elif new is not None:
            before, after = None, _show(name, new.get(name), new)
        else:
            before, after = _show(name, old.get(name), old), None
        if before in (None, "—") and after in (None, "—"):
            continue  # an empty field added or removed
        rows.append(FieldChange(_label(model, name), _segments(name, before, after)))
    return rows


def _pick(values: dict[str, Any], name: str) -> str:
    if get_language() == "en" and values.get(f"{name}_en"):
        return values[f"{name}_en"]
    return values.get(f"{name}_ar", "")


def _clause_subject(order: int, kind: str) -> str:
    return _("Clause %(number)s: %(kind)s") % {"number": order, "kind": _choice(ClauseKind.choices, kind)}


def _commitment_subject(values: dict[str, Any]) -> str:
    return _("Commitment, %(party)s: %(description)s") % {
        "party": _choice(Party.choices, values["party"]),
        "description": _pick(values, "description"),
    }


def change_rows(amendment: Amendment) -> list[ChangeRow]:
    """The diff of `amendment`: the term first, then clause by clause in their new order,
    each clause's own change (or a heading) followed by its commitments' changes."""
    rows: list[ChangeRow] = []
    groups: dict[Any, dict[str, Any]] = {}

    def group(key, order: int, kind: str) -> dict[str, Any]:
        return groups.setdefault(key, {"order": order, "kind": kind, "clause": None, "commitments": []})

    for op in amendment.changes:
        kind = op.get("op")
        if kind == c.TERM:
            rows.append(
                ChangeRow(
                    "term",
                    "changed",
                    _("Term of the agreement"),
                    [
                        FieldChange(
                            _label(Agreement, "ends_on"),
                            _segments(
                                "ends_on",
                                _show("ends_on", op["old"]["ends_on"], {}),
                                _show("ends_on", op["new"]["ends_on"], {}),
                            ),
                        )
                    ],
                )
            )
        elif kind in (c.CLAUSE_ADD, c.CLAUSE_CHANGE, c.CLAUSE_REMOVE):
            values = {**op.get("old", {}), **op.get("new", {})}
            entry = group(op["clause"], values["order"], values["kind"])
            if kind == c.CLAUSE_ADD:
                entry["clause"] = ChangeRow(
                    "clause",
                    "added",
                    _clause_subject(values["order"], values["kind"]),
                    _fields(Clause, c.CLAUSE_FIELDS, None, op["new"]),
                )
            elif kind == c.CLAUSE_REMOVE:
                old = op["old"]
                entry["clause"] = ChangeRow(
                    "clause",
                    "removed",
                    _clause_subject(old["order"], old["kind"]),
                    _fields(Clause, c.CLAUSE_FIELDS, old, None),
                )
                entry["commitments"] += [
                    ChangeRow(
                        "commitment",
                        "removed",
                        _commitment_subject(m),
                        _fields(Commitment, c.COMMITMENT_FIELDS, m, None),
                    )
                    for m in old.get("commitments", [])
                ]
            else:
                subject = _clause_subject(values["order"], values["kind"])
                if "order" in op["new"]:
                    subject += " " + _("(was clause %(number)s)") % {"number": op["old"]["order"]}
                entry["clause"] = ChangeRow(
                    "clause", "changed", subject, _fields(Clause, c.CLAUSE_FIELDS, op["old"], op["new"])
                )
        elif kind in (c.COMMITMENT_ADD, c.COMMITMENT_CHANGE, c.COMMITMENT_REMOVE):
            where = op.get("in_clause", {})
            entry = group(op["clause"], where.get("order", 0), where.get("kind", ""))
            old, new = op.get("old"), op.get("new")
            action = {c.COMMITMENT_ADD: "added", c.COMMITMENT_REMOVE: "removed"}.get(kind, "changed")
            entry["commitments"].append(
                ChangeRow(
                    "commitment",
                    action,
                    _commitment_subject({**(old or {}), **(new or {})} if action == "added" else old),
                    _fields(Commitment, c.COMMITMENT_FIELDS, old, new),
                )
            )
    for entry in sorted(groups.values(), key=lambda g: g["order"]):
        rows.append(entry["clause"] or ChangeRow("clause", "context", _clause_subject(entry["order"], entry["kind"])))
        rows += entry["commitments"]
    return rows


@dataclass
class ChangeGroup:
    """A heading row (the term, or a clause) and the commitment rows under it."""

    head: ChangeRow
    rows: list[ChangeRow] = field(default_factory=list)


def change_groups(rows: list[ChangeRow]) -> list[ChangeGroup]:
    """`change_rows` as the page lays it out: one card per term or clause, commitments inside."""
    groups: list[ChangeGroup] = []
    for row in rows:
        if row.level == "commitment" and groups:
            groups[-1].rows.append(row)
        else:
            groups.append(ChangeGroup(row))
    return groups
