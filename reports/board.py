"""The board report: a PDF, made by the worker, of what the partnerships achieved in a period.

- The period is a year, a half or a quarter of a year, in the Gregorian or the Hijri
  (Umm al-Qura) calendar (`BoardPeriod`); its first and last days are computed, never typed.
- Figures follow the portal's one rule of progress (`accepted_progress`): only ACCEPTED
  updates count; submitted (pending) and returned ones are shown apart and never added in.
  An update belongs to the period when its `reported_on` falls inside it; "to date" is
  everything accepted up to the period's last day.
- Beneficiaries are the sums, per breakdown category, of the accepted updates' breakdown
  JSON in the period (`agreements.breakdowns`), labelled in the report's language.
- Each partnership has one short chart per clause kind: one bar per commitment, as the
  share of its own target (so units are never added together), drawn as inline SVG
  because WeasyPrint runs no JavaScript.
- The PDF goes through the signed PDF's renderer (`html_to_pdf`: Amiri with the same
  font features, so Arabic extracts whole; the same URL policy).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from hijridate import Hijri

from agreements.breakdowns import BreakdownKind, categories
from agreements.measures import SIGNED_STATUSES
from agreements.models import Agreement, ClauseKind, Commitment, ProgressStatus, ProgressUpdate
from agreements.pdf.render import LRI, PDI, display_name, html_to_pdf, logo_data_uri, page_footer_css
from common import dates
from outbox.services import outbox_enqueue
from partners.models import CharityProfile

from .models import BoardPart, BoardReport, BoardReportStatus

logger = logging.getLogger(__name__)

# The months each part of the year covers, in the period's own calendar.
PART_MONTHS = {
    BoardPart.YEAR: (1, 12),
    BoardPart.H1: (1, 6),
    BoardPart.H2: (7, 12),
    BoardPart.Q1: (1, 3),
    BoardPart.Q2: (4, 6),
    BoardPart.Q3: (7, 9),
    BoardPart.Q4: (10, 12),
}
# Years a board report may cover: inside the Umm al-Qura table, so both calendars print.
YEARS = {dates.Calendar.GREGORIAN: (2000, 2076), dates.Calendar.HIJRI: (1421, 1499)}


def _month_start(calendar: str, year: int, month: int) -> datetime.date:
    if calendar == dates.Calendar.HIJRI:
        return datetime.date(*Hijri(year, month, 1).to_gregorian().datetuple())
    return datetime.date(year, month, 1)


@dataclass(frozen=True)
class BoardPeriod:
    """A year, half or quarter of a Gregorian or Hijri year, with its first and last day."""

    calendar: str
    year: int
    part: str

    @property
    def starts_on(self) -> datetime.date:
        first, _last = PART_MONTHS[self.part]
        return _month_start(self.calendar, self.year, first)

    @property
    def ends_on(self) -> datetime.date:
        _first, last = PART_MONTHS[self.part]
        year, month = (self.year + 1, 1) if last == 12 else (self.year, last + 1)
        return _month_start(self.calendar, year, month) - datetime.timedelta(days=1)

    @property
    def name(self) -> str:
        """`الربع الثاني 1448 هـ`, `Q2 2027`: the part and the year in the active language."""
        part = str(BoardPart(self.part).label)
        if self.calendar == dates.Calendar.HIJRI:
            return _("%(part)s %(year)s AH") % {"part": part, "year": self.year}
        return _("%(part)s %(year)s") % {"part": part, "year": self.year}


# --- Figures ---------------------------------------------------------------------------


@dataclass
class CommitmentFigures:
    commitment: Commitment
    in_period: int = 0
    to_date: int = 0
    pending: int = 0
    returned: int = 0
    beneficiaries: dict[str, int] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The commitment's description in the active language, safe to lay out (`display_name`)."""
        return display_name(self.commitment.description)

    @property
    def percent(self) -> int:
        """Accepted to date as a whole percentage of the target, capped at 100 (for the bar)."""
        return min(100, self.to_date * 100 // self.commitment.target_quantity)

    @property
    def percent_text(self) -> str:
        """`77%`, kept in that order inside Arabic text."""
        return f"{LRI}{self.percent}%{PDI}"

    @property
    def breakdown_label(self) -> str:
        return str(BreakdownKind(self.commitment.breakdown).label)

    @property
    def bars(self) -> dict[str, int]:
        """The chart's two bars in a 0-100 box: accepted before the period, then in it.

        They grow from the start side of the line: from the right in Arabic.
        """
        before = min(100, (self.to_date - self.in_period) * 100 // self.commitment.target_quantity)
        period = self.percent - before
        if translation.get_language_bidi():
            return {
                "before_x": 100 - before,
                "before_width": before,
                "period_x": 100 - before - period,
                "period_width": period,
            }
        return {"before_x": 0, "before_width": before, "period_x": before, "period_width": period}

    @property
    def breakdown_rows(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.beneficiaries[key])
            for key, label in categories(self.commitment.breakdown)
            if self.beneficiaries.get(key)
        ]


@dataclass
class KindBlock:
    kind: str
    label: str
    rows: list[CommitmentFigures]


@dataclass
class Partnership:
    agreement: Agreement
    partner_name: str
    title: str
    kinds: list[KindBlock]


def board_figures(period: BoardPeriod) -> list[Partnership]:
    """Each signed agreement whose term meets the period, with its commitments' figures (3 queries)."""
    starts_on, ends_on = period.starts_on, period.ends_on
    agreements = list(
        Agreement.objects.filter(status__in=SIGNED_STATUSES, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .select_related("partner")
        .order_by("partner__name_ar", "reference")
    )
    commitments = list(
        Commitment.objects.current()
        .filter(clause__agreement__in=agreements)
        .select_related("clause")
        .order_by("clause__agreement_id", "clause__order", "party", "id")
    )
    figures = {commitment.pk: CommitmentFigures(commitment) for commitment in commitments}
    updates = ProgressUpdate.objects.filter(commitment__in=commitments, reported_on__lte=ends_on).values_list(
        "commitment_id", "status", "amount", "reported_on", "breakdown"
    )
    for commitment_id, status, amount, reported_on, breakdown in updates:
        row = figures[commitment_id]
        in_period = reported_on >= starts_on
        if status == ProgressStatus.ACCEPTED:
            row.to_date += amount
            if in_period:
                row.in_period += amount
                for key, count in (breakdown or {}).items():
                    row.beneficiaries[key] = row.beneficiaries.get(key, 0) + int(count)
        elif in_period and status == ProgressStatus.SUBMITTED:
            row.pending += amount
        elif in_period and status == ProgressStatus.RETURNED:
            row.returned += amount
    by_agreement: dict[int, dict[str, list[CommitmentFigures]]] = defaultdict(lambda: defaultdict(list))
    for commitment in commitments:
        by_agreement[commitment.clause.agreement_id][commitment.clause.kind].append(figures[commitment.pk])
    kind_order = {value: index for index, value in enumerate(ClauseKind.values)}
    result = []
    for agreement in agreements:
        kinds = sorted(by_agreement[agreement.pk].items(), key=lambda item: kind_order.get(item[0], 99))
        result.append(
            Partnership(
                agreement=agreement,
                partner_name=display_name(agreement.partner.name),
                title=display_name(agreement.title),
                kinds=[KindBlock(kind, str(ClauseKind(kind).label), rows) for kind, rows in kinds],
            )
        )
    return result


# --- The PDF ---------------------------------------------------------------------------


def board_report_html(*, period: BoardPeriod, language: str, requested_by: str = "") -> str:
    """The board report's HTML in `language` (Arabic or English)."""
    with translation.override(language):
        partnerships = board_figures(period)
        charity = CharityProfile.load()
        commitments = sum(len(block.rows) for p in partnerships for block in p.kinds)
        context = {
            "lang": language,
            "dir": "rtl" if language == "ar" else "ltr",
            "charity_name": display_name(charity.name),
            "logo": logo_data_uri(charity),
            "period": period,
            "period_name": period.name,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "generated_on": timezone.localdate(),
            "requested_by": display_name(requested_by) if requested_by else "",
            "partnerships": partnerships,
            "partnership_count": ngettext("%(count)s partnership", "%(count)s partnerships", len(partnerships))
            % {"count": len(partnerships)},
            "commitment_count": ngettext("%(count)s commitment", "%(count)s commitments", commitments)
            % {"count": commitments},
            "footer_css": page_footer_css(_("Page %(number)s of %(total)s")),
        }
        return render_to_string("pdf/board.html", context)


def board_report_pdf(*, period: BoardPeriod, language: str, requested_by: str = "") -> bytes:
    return html_to_pdf(board_report_html(period=period, language=language, requested_by=requested_by))


# --- Services --------------------------------------------------------------------------


def board_report_request(*, by, calendar: str, year: int, part: str, language: str) -> BoardReport:
    """Record a board report asked for by `by` and queue its rendering once the request commits."""
    from .tasks import render_board_report

    period = BoardPeriod(calendar, year, part)
    with transaction.atomic():
        report = BoardReport(
            requested_by=by,
            calendar=calendar,
            year=year,
            part=part,
            language=language,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
        )
        report.full_clean()
        report.save()
        outbox_enqueue(task=render_board_report, args=[report.pk])
    return report


def board_report_make(*, report_id: int) -> bool:
    """Render and store a queued board report; False when it is gone or another worker has it.

    Claimed with a conditional UPDATE: a redelivered task does nothing, unless the worker
    that took the report died and the task's time limit has passed since. The PDF is written
    to a temporary file, then moved into storage with its SHA-256. A failure is recorded on
    the row (status and error) and raised again.
    """
    now = timezone.now()
    # Queued, or taken by a worker that died: longer than the task's hard time limit ago.
    lease = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = Q(status=BoardReportStatus.PENDING) | Q(status=BoardReportStatus.RUNNING, started_at__lt=lease)
    claimed = BoardReport.objects.filter(claimable, pk=report_id).update(
        status=BoardReportStatus.RUNNING, started_at=now
    )
    if claimed != 1:
        return False
    report = BoardReport.objects.select_related("requested_by").get(pk=report_id)
    try:
        period = BoardPeriod(report.calendar, report.year, report.part)
        pdf = board_report_pdf(period=period, language=report.language, requested_by=report.requested_by.display_name)
        digest = hashlib.sha256(pdf).hexdigest()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / report.filename
            path.write_bytes(pdf)
            with path.open("rb") as handle:
                report.file.save(f"{report.filename[:-4]}-{digest[:16]}.pdf", File(handle), save=False)
        report.sha256, report.size = digest, len(pdf)
        report.status, report.finished_at = BoardReportStatus.DONE, timezone.now()
        report.save(update_fields=["file", "sha256", "size", "status", "finished_at"])
    except Exception as error:
        BoardReport.objects.filter(pk=report_id).update(
            status=BoardReportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        logger.exception("board report %s failed", report_id)
        raise
    return True
