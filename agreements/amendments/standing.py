"""How an agreement stands after its amendments, as the staff and partner pages show it.

The agreement's clauses and commitments hold the text in force (amendments in force are
written into them); this module gathers what the pages show around that text: which
amendments it is "as amended by", what they removed, which of their PDFs are ready, and
the text as it stood before an amendment (kept on the amendment as JSON). It only reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from common.text import and_list

from ..models import (
    Agreement,
    Amendment,
    AmendmentStatus,
    Clause,
    ClauseKind,
    Commitment,
    PdfKind,
    ResponsibleParty,
    SignedPdf,
)
from .content import Content, content_from_json

# What the partner sees of an agreement's amendments: everything once sent for signature.
SHOWN_TO_PARTNER = (AmendmentStatus.AWAITING_SIGNATURES, AmendmentStatus.SIGNED, AmendmentStatus.ACTIVE)


def in_force(amendments: Iterable[Amendment]) -> list[Amendment]:
    """The amendments written into the agreement's text, by number (from loaded rows: no query)."""
    return sorted((a for a in amendments if a.status == AmendmentStatus.ACTIVE), key=lambda a: a.number)


def as_amended_line(amendments: list[Amendment], link: Callable[[Amendment], str]) -> SafeString:
    """«كما عُدّلت بالملحق رقم 1», "As amended by amendments 1 and 2": each number a link."""
    numbers = and_list(
        [
            format_html('<a href="{}" data-testid="amended-by-{}">{}</a>', link(a), a.number, a.number)
            for a in amendments
        ]
    )
    line = ngettext("As amended by amendment %(numbers)s", "As amended by amendments %(numbers)s", len(amendments))
    before, _marker, after = line.partition("%(numbers)s")
    return format_html("{}{}{}", before, numbers, after)


def attach_pdfs(agreement: Agreement, amendments: list[Amendment]) -> None:
    """Set `addendum_languages` and `consolidated_languages` on each amendment: the sealed
    PDFs ready to download (one query, only when an amendment is signed)."""
    for amendment in amendments:
        amendment.addendum_languages, amendment.consolidated_languages = [], []
    signed = {a.pk: a for a in amendments if a.status in (AmendmentStatus.SIGNED, AmendmentStatus.ACTIVE)}
    if not signed:
        return
    rows = (
        SignedPdf.objects.filter(agreement=agreement, amendment_id__in=signed.keys())
        .order_by("language")
        .values_list("amendment_id", "kind", "language")
    )
    for amendment_id, kind, language in rows:
        target = signed[amendment_id]
        if kind == PdfKind.ADDENDUM:
            target.addendum_languages.append(language)
        elif kind == PdfKind.CONSOLIDATED:
            target.consolidated_languages.append(language)


@dataclass
class Removed:
    """A clause or commitment an amendment in force took out of the text (kept for its history)."""

    number: int
    label: str


def removed_items(agreement: Agreement) -> list[Removed]:
    """What amendments in force removed, by amendment; a removed clause stands for its commitments."""
    items = [
        Removed(
            clause.removed_by.number,
            _("Clause %(number)s: %(kind)s") % {"number": clause.order, "kind": clause.get_kind_display()},
        )
        for clause in Clause.objects.filter(agreement=agreement, removed_by__isnull=False).select_related("removed_by")
    ]
    for commitment in Commitment.objects.filter(clause__agreement=agreement, removed_by__isnull=False).select_related(
        "removed_by", "clause"
    ):
        if commitment.clause.removed_by_id == commitment.removed_by_id:
            continue
        items.append(Removed(commitment.removed_by.number, commitment.description))
    return sorted(items, key=lambda item: item.number)


@dataclass
class ShownCommitment:
    party: str  # Party value: the page names the charity or the partner
    description: str
    target_quantity: int
    unit: str
    due_on: datetime.date


@dataclass
class ShownClause:
    order: int
    kind: str
    responsible: str
    text: str
    commitments: list[ShownCommitment] = field(default_factory=list)


def _pick(values, name: str) -> str:
    english = getattr(values, f"{name}_en")
    return english if get_language() == "en" and english else getattr(values, f"{name}_ar")


def shown_clauses(content: Content) -> list[ShownClause]:
    """A stored content's clauses as a page shows them: labels and text in the active language."""
    kinds, responsible = dict(ClauseKind.choices), dict(ResponsibleParty.choices)
    return [
        ShownClause(
            clause.order,
            str(kinds.get(clause.kind, clause.kind)),
            str(responsible.get(clause.responsible_party, clause.responsible_party)),
            _pick(clause, "text"),
            [
                ShownCommitment(
                    m.party,
                    _pick(m, "description"),
                    m.target_quantity,
                    m.unit,
                    m.due_on,
                )
                for m in clause.commitments
            ],
        )
        for clause in content.clauses
    ]


def text_before(amendment: Amendment) -> Content | None:
    """The agreement's content just before `amendment` came into force; None before it has."""
    if amendment.status != AmendmentStatus.ACTIVE or not amendment.content_before:
        return None
    return content_from_json(amendment.content_before)
