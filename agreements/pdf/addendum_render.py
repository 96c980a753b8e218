"""Render a signed amendment as PDFs: its addendum, and the agreement's consolidated text.

Both reuse the agreement PDF's engine, stylesheet, letterhead and signature blocks
(`render.py`); the same rules hold: stored text is untrusted (autoescaped, explicit bidi
controls removed or shown), numbers, dates and hashes are isolated, nothing outside the
document is fetched.

- The addendum («ملحق تعديلي رقم N»): the amendment's facts (the agreement's content
  hash it amends, its own content hash, its effective date in both calendars), its
  reason, its changes clause by clause (`amendments.diff.change_rows`, old struck and new
  marked), the amendment's signatures and a certificate page of its audit events.
- The consolidated text («النص الموحّد»): the agreement's content as amended, laid out
  as the agreement PDF, marked as consolidated on every page and naming the documents
  it brings together (the agreement and each signed amendment, with their hashes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.text import reveal_bidi

from ..amendments.content import Content
from ..amendments.diff import ChangeGroup, ChangeRow, FieldChange, change_groups, change_rows
from ..models import Amendment, ClauseKind, Party, ResponsibleParty
from .context import PdfInput
from .render import (
    _BLANK_LINES,
    _EXPLICIT_BIDI,
    DisplayText,
    _bilingual,
    _ClauseSection,
    _CommitmentRow,
    _context,
    _display,
    _quantity,
    clause_label,
    display_lines,
    display_name,
    display_text,
    page_footer_css,
    text_direction,
)


@dataclass(frozen=True)
class _Segment:
    kind: str  # same, old (struck), new (marked)
    text: str


@dataclass(frozen=True)
class _Field:
    label: str
    dir: str
    segments: list[_Segment]


@dataclass(frozen=True)
class _Change:
    subject: DisplayText
    action: str
    action_label: str
    fields: list[_Field]
    rows: list[_Change]


@dataclass(frozen=True)
class AmendedDocument:
    """A signed amendment an addendum or consolidated text names: number, hash, date."""

    number: int
    content_hash: str
    effective_on: datetime.date


def addendum_heading(number: int) -> str:
    """«ملحق تعديلي رقم 1» / "Addendum No. 1", the number isolated left to right."""
    return _("Addendum No. %(number)s") % {"number": f"\u2066{number}\u2069"}


def amendment_document_label(number: int) -> str:
    """«الملحق التعديلي رقم 1» / "Amendment 1 (addendum)": how lists and the verify page name it."""
    return _("Amendment %(number)s (addendum)") % {"number": number}


def _clean(text: str) -> str:
    """A changed text for the diff: blank runs collapsed, direction controls as visible markers."""
    return reveal_bidi(_BLANK_LINES.sub("\n\n", (text or "").replace("\r\n", "\n")))


def _field(change: FieldChange) -> _Field:
    segments = [_Segment(segment.kind, _clean(segment.text)) for segment in change.segments]
    return _Field(
        label=change.label,
        dir=text_direction("".join(s.text for s in segments)) or "auto",
        segments=[s for s in segments if s.text],
    )


def _change(row: ChangeRow, rows: list[ChangeRow] = ()) -> _Change:
    return _Change(
        subject=display_text(" ".join(row.subject.split())),
        action=row.action,
        action_label=row.action_label,
        fields=[_field(change) for change in row.fields],
        rows=[_change(child) for child in rows],
    )


def addendum_changes(amendment: Amendment) -> list[_Change]:
    """The amendment's diff as the addendum lays it out, in the active language."""
    groups: list[ChangeGroup] = change_groups(change_rows(amendment))
    return [_change(group.head, group.rows) for group in groups]


def _mark_css(text: str) -> str:
    """`text` as a CSS string for a page margin box (no counters: page_footer_css escapes it)."""
    return page_footer_css(text)


def addendum_html(data: PdfInput, *, amendment: Amendment, agreement_hash: str, earlier: list[AmendedDocument]) -> str:
    """The addendum's HTML in `data.language` (`data.content_hash` is the amendment's hash)."""
    with translation.override(data.language):
        context = _context(data, clauses=[])
        heading = addendum_heading(amendment.number)
        context.update(
            meta_title=f"{data.agreement.reference} — {heading.translate(_EXPLICIT_BIDI)}",
            groups=addendum_changes(amendment),
            amendment={
                "number": amendment.number,
                "heading": heading,
                "mark_css": _mark_css(f"{heading.translate(_EXPLICIT_BIDI)} — {data.agreement.reference}"),
                "title": display_name(_bilingual(amendment, "title")),
                "reason": display_lines(_bilingual(amendment, "text")),
                "effective_on": amendment.effective_on,
                "signed_on": amendment.signed_on,
                "agreement_hash": agreement_hash,
                "earlier": [
                    {"label": amendment_document_label(doc.number), "content_hash": doc.content_hash} for doc in earlier
                ],
            },
        )
        return render_to_string("pdf/addendum.html", context)


def content_sections(content: Content, *, charity_name: str, partner_name: str) -> list[_ClauseSection]:
    """The clause sections of an agreement's content value (no queries), as `_clause_sections`."""
    parties = {Party.CHARITY: charity_name, Party.PARTNER: partner_name}
    kinds, responsible = dict(ClauseKind.choices), dict(ResponsibleParty.choices)
    sections = []
    for number, clause in enumerate(content.clauses, start=1):
        commitments = sorted(clause.commitments, key=lambda m: m.party)  # stable: then as stored
        rows = [
            _CommitmentRow(
                party=parties.get(m.party, m.party),
                description=display_text(_bilingual(m, "description")),
                quantity=_quantity(m.target_quantity, m.unit),
                due_on=m.due_on,
            )
            for m in commitments
        ]
        sections.append(
            _ClauseSection(
                label=clause_label(number),
                kind=str(kinds.get(clause.kind, clause.kind)),
                responsible=str(responsible.get(clause.responsible_party, clause.responsible_party)),
                lines=display_lines(_bilingual(clause, "text")),
                commitments=rows,
            )
        )
    return sections


def consolidated_html(
    data: PdfInput, *, content: Content, agreement_hash: str, amendments: list[AmendedDocument]
) -> str:
    """The consolidated text's HTML: `templates/pdf/agreement.html` in its consolidated mode."""
    with translation.override(data.language):
        charity_name, partner_name = display_name(data.charity.name), display_name(data.agreement.partner.name)
        sections = content_sections(content, charity_name=charity_name, partner_name=partner_name)
        context = _context(data, clauses=sections)
        context["agreement"]["ends_on"] = content.ends_on
        numbers = context["comma"].join(f"\u2066{doc.number}\u2069" for doc in amendments)
        heading = ngettext(
            "Consolidated text of the agreement as amended by addendum %(numbers)s",
            "Consolidated text of the agreement as amended by addenda %(numbers)s",
            len(amendments),
        ) % {"numbers": numbers}
        context.update(
            meta_title=f"{context['meta_title']} — {_('Consolidated text')}",
            consolidated={
                "heading": _display(heading),
                "mark_css": _mark_css(f"{_('Consolidated text')} — {data.agreement.reference}"),
                "agreement_hash": agreement_hash,
                "amendments": [
                    {
                        "label": amendment_document_label(doc.number),
                        "content_hash": doc.content_hash,
                        "effective_on": doc.effective_on,
                    }
                    for doc in amendments
                ],
            },
        )
        return render_to_string("pdf/agreement.html", context)
