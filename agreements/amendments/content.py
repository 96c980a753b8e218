"""An agreement's content as a value, and amendments' change sets between two such values.

`Content` is the term and the clauses with their commitments, keyed by the rows' ids.
`changes_between(base, edited)` writes the change set an amendment stores;
`apply_changes(content, changes, number=)` plays one back; `content_as_amended` plays a
run of amendments over the agreement's signed content. Nothing here writes to the
database: an amendment is written into the agreement's clauses and commitments when it
comes into force (services.amendment_in_force), which keeps the content before it on the
amendment (`content_to_json`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from ..models import Agreement, Amendment, Commitment

Key = int | str

CLAUSE_FIELDS = ("order", "kind", "responsible_party", "text_ar", "text_en")
COMMITMENT_FIELDS = ("party", "description_ar", "description_en", "target_quantity", "unit", "due_on")
DATE_FIELDS = {"due_on", "ends_on"}

TERM = "term"
CLAUSE_CHANGE, CLAUSE_ADD, CLAUSE_REMOVE = "clause_change", "clause_add", "clause_remove"
COMMITMENT_CHANGE, COMMITMENT_ADD, COMMITMENT_REMOVE = "commitment_change", "commitment_add", "commitment_remove"


class ChangeConflict(ValueError):
    """A change set that does not fit the content it is applied to (unknown key, stale old value)."""


@dataclass(frozen=True)
class CommitmentState:
    key: Key | None  # None: added in the editor, not yet given a key
    party: str
    description_ar: str
    description_en: str
    target_quantity: int
    unit: str
    due_on: datetime.date

    def values(self) -> dict[str, Any]:
        return {name: to_json(name, getattr(self, name)) for name in COMMITMENT_FIELDS}


@dataclass(frozen=True)
class ClauseState:
    key: Key | None
    order: int
    kind: str
    responsible_party: str
    text_ar: str
    text_en: str
    commitments: tuple[CommitmentState, ...] = ()

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CLAUSE_FIELDS}


@dataclass(frozen=True)
class Content:
    starts_on: datetime.date
    ends_on: datetime.date
    clauses: tuple[ClauseState, ...]
    # The numbers of the amendments applied, in order.
    amended_by: tuple[int, ...] = ()

    def clause(self, key: Key) -> ClauseState | None:
        return next((c for c in self.clauses if c.key == key), None)

    def commitments(self) -> list[CommitmentState]:
        return [m for c in self.clauses for m in c.commitments]


def to_json(name: str, value: Any) -> Any:
    return value.isoformat() if name in DATE_FIELDS and isinstance(value, datetime.date) else value


def from_json(name: str, value: Any) -> Any:
    return datetime.date.fromisoformat(value) if name in DATE_FIELDS and isinstance(value, str) else value


def parse_key(text: str) -> Key | None:
    """A key as the editor's hidden field sends it: digits are a row id, anything else as is."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def content_of(agreement: Agreement) -> Content:
    """The agreement's content in force: its clauses and commitments not removed (2 queries)."""
    clauses = []
    commitments: dict[int, list[CommitmentState]] = {}
    for m in Commitment.objects.filter(clause__agreement=agreement, removed_by=None).order_by("id"):
        commitments.setdefault(m.clause_id, []).append(
            CommitmentState(m.pk, m.party, m.description_ar, m.description_en, m.target_quantity, m.unit, m.due_on)
        )
    for clause in agreement.clauses.filter(removed_by=None).order_by("order"):
        clauses.append(
            ClauseState(
                clause.pk,
                clause.order,
                clause.kind,
                clause.responsible_party,
                clause.text_ar,
                clause.text_en,
                tuple(commitments.get(clause.pk, ())),
            )
        )
    return Content(agreement.starts_on, agreement.ends_on, tuple(clauses))


def content_as_amended(agreement: Agreement, amendments: Iterable[Amendment]) -> Content:
    """The agreement's clauses, commitments and term after the given amendments, in number order.

    Pure apart from reading the agreement's content: nothing is written. Raises
    ChangeConflict when an amendment does not fit the content before it.
    """
    content = content_of(agreement)
    for amendment in sorted(amendments, key=lambda a: a.number):
        content = apply_changes(content, amendment.changes, number=amendment.number)
    return content


def base_content(agreement: Agreement, amendment: Amendment | None = None) -> Content:
    """The content an amendment changes: the agreement's content in force.

    Amendments in force are written into the agreement's clauses (services.amendment_in_force),
    and only one amendment is ever not yet in force, so that is the content as it stands.
    """
    return content_of(agreement)


def _qualify(key: Key, number: int) -> Key:
    """An amendment's own new keys ("n2") become "<number>.n2" once applied."""
    return f"{number}.{key}" if isinstance(key, str) and key.startswith("n") else key


def _commitment_from(key: Key, values: dict[str, Any]) -> CommitmentState:
    return CommitmentState(key, **{name: from_json(name, values[name]) for name in COMMITMENT_FIELDS})


def _check_old(current: dict[str, Any], old: dict[str, Any], what: str) -> None:
    stale = [name for name, value in old.items() if name in current and current[name] != value]
    if stale:
        raise ChangeConflict(f"{what}: {', '.join(stale)} changed since the amendment was written")


def apply_changes(content: Content, changes: list[dict[str, Any]], *, number: int) -> Content:
    """`content` with one amendment's change set applied; a new value, `content` is untouched."""
    ends_on = content.ends_on
    clauses: dict[Key, ClauseState] = {c.key: c for c in content.clauses}
    commitments: dict[Key, dict[Key, CommitmentState]] = {
        c.key: {m.key: m for m in c.commitments} for c in content.clauses
    }

    def clause_of(op) -> Key:
        key = _qualify(op["clause"], number)
        if key not in clauses:
            raise ChangeConflict(f"no clause {key!r}")
        return key

    for op in changes:
        kind = op.get("op")
        if kind == TERM:
            if from_json("ends_on", op["old"]["ends_on"]) != ends_on:
                raise ChangeConflict("the end date changed since the amendment was written")
            ends_on = from_json("ends_on", op["new"]["ends_on"])
        elif kind == CLAUSE_ADD:
            key = _qualify(op["clause"], number)
            if key in clauses:
                raise ChangeConflict(f"clause {key!r} exists already")
            clauses[key] = ClauseState(key, **{name: op["new"][name] for name in CLAUSE_FIELDS})
            commitments[key] = {}
        elif kind == CLAUSE_CHANGE:
            key = clause_of(op)
            _check_old(clauses[key].values(), op["old"], f"clause {key!r}")
            clauses[key] = replace(clauses[key], **{n: v for n, v in op["new"].items() if n in CLAUSE_FIELDS})
        elif kind == CLAUSE_REMOVE:
            key = clause_of(op)
            _check_old(clauses[key].values(), {n: v for n, v in op["old"].items() if n in CLAUSE_FIELDS}, str(key))
            del clauses[key], commitments[key]
        elif kind in (COMMITMENT_ADD, COMMITMENT_CHANGE, COMMITMENT_REMOVE):
            owner = commitments[clause_of(op)]
            key = _qualify(op["commitment"], number)
            if kind == COMMITMENT_ADD:
                if any(key in group for group in commitments.values()):
                    raise ChangeConflict(f"commitment {key!r} exists already")
                owner[key] = _commitment_from(key, op["new"])
                continue
            if key not in owner:
                raise ChangeConflict(f"no commitment {key!r} in clause {op['clause']!r}")
            _check_old(owner[key].values(), op["old"], f"commitment {key!r}")
            if kind == COMMITMENT_REMOVE:
                del owner[key]
            else:
                new = {n: from_json(n, v) for n, v in op["new"].items() if n in COMMITMENT_FIELDS}
                owner[key] = replace(owner[key], **new)
        else:
            raise ChangeConflict(f"unknown operation {kind!r}")
    result = sorted(
        (replace(c, commitments=tuple(commitments[key].values())) for key, c in clauses.items()),
        key=lambda c: c.order,
    )
    orders = [c.order for c in result]
    if len(set(orders)) != len(orders):
        raise ChangeConflict("two clauses have the same number")
    return Content(content.starts_on, ends_on, tuple(result), (*content.amended_by, number))


def changes_between(base: Content, edited: Content) -> list[dict[str, Any]]:
    """The change set that turns `base` into `edited` (items of `edited` without a key are new).

    Removed clauses take their commitments with them. New items get keys "n1", "n2", …
    in the order they appear. Changed items record every old value and the new values of
    the fields that changed.
    """
    changes: list[dict[str, Any]] = []
    if edited.ends_on != base.ends_on:
        changes.append(
            {"op": TERM, "old": {"ends_on": base.ends_on.isoformat()}, "new": {"ends_on": edited.ends_on.isoformat()}}
        )
    kept = {c.key for c in edited.clauses if c.key is not None}
    for clause in base.clauses:
        if clause.key not in kept:
            old = {**clause.values(), "commitments": [m.values() for m in clause.commitments]}
            changes.append({"op": CLAUSE_REMOVE, "clause": clause.key, "old": old})
    fresh = iter(f"n{i}" for i in range(1, 10_000))
    for clause in sorted(edited.clauses, key=lambda c: c.order):
        original = base.clause(clause.key) if clause.key is not None else None
        if original is None:
            clause_key = next(fresh)
            changes.append({"op": CLAUSE_ADD, "clause": clause_key, "new": clause.values()})
            before: dict[Key, CommitmentState] = {}
        else:
            clause_key = clause.key
            changed = {n: v for n, v in clause.values().items() if v != getattr(original, n)}
            if changed:
                changes.append({"op": CLAUSE_CHANGE, "clause": clause_key, "old": original.values(), "new": changed})
            before = {m.key: m for m in original.commitments}
        where = {"clause": clause_key, "in_clause": {"order": clause.order, "kind": clause.kind}}
        edited_keys = {m.key for m in clause.commitments if m.key is not None}
        for key, commitment in before.items():
            if key not in edited_keys:
                changes.append({"op": COMMITMENT_REMOVE, "commitment": key, **where, "old": commitment.values()})
        for commitment in clause.commitments:
            if commitment.key is None or commitment.key not in before:
                changes.append({"op": COMMITMENT_ADD, "commitment": next(fresh), **where, "new": commitment.values()})
                continue
            old = before[commitment.key].values()
            changed = {n: v for n, v in commitment.values().items() if v != old[n]}
            if changed:
                changes.append(
                    {"op": COMMITMENT_CHANGE, "commitment": commitment.key, **where, "old": old, "new": changed}
                )
    return changes


def same_content(a: Content, b: Content) -> bool:
    """Equal terms and clauses, ignoring the keys new items were given."""

    def strip(content: Content):
        return (
            content.ends_on,
            [
                (
                    tuple(getattr(c, f.name) for f in fields(c) if f.name not in ("key", "commitments")),
                    [m.values() for m in c.commitments],
                )
                for c in content.clauses
            ],
        )

    return strip(a) == strip(b)


def content_to_json(content: Content) -> dict[str, Any]:
    """`content` as JSON (stored on an amendment as the text before it)."""
    return {
        "starts_on": content.starts_on.isoformat(),
        "ends_on": content.ends_on.isoformat(),
        "amended_by": list(content.amended_by),
        "clauses": [
            {"key": c.key, **c.values(), "commitments": [{"key": m.key, **m.values()} for m in c.commitments]}
            for c in content.clauses
        ],
    }


def content_from_json(data: dict[str, Any]) -> Content:
    return Content(
        datetime.date.fromisoformat(data["starts_on"]),
        datetime.date.fromisoformat(data["ends_on"]),
        tuple(
            ClauseState(
                c["key"],
                **{name: c[name] for name in CLAUSE_FIELDS},
                commitments=tuple(_commitment_from(m["key"], m) for m in c["commitments"]),
            )
            for c in data["clauses"]
        ),
        tuple(data.get("amended_by", ())),
    )
