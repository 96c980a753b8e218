"""Amendments (ملحق تعديلي): change sets against a signed agreement, their diff and their rules.

- `content`: an agreement's content as a value; change sets between two contents, applied in order.
- `diff`: `change_rows(amendment)`, the readable diff the page, signing and addendum PDF show.
- `forms`, `services`: the editor, and the writes with their rules and audit events.
"""

from .content import ChangeConflict, Content, apply_changes, base_content, changes_between, content_as_amended
from .diff import change_rows

__all__ = [
    "ChangeConflict",
    "Content",
    "apply_changes",
    "base_content",
    "change_rows",
    "changes_between",
    "content_as_amended",
]
