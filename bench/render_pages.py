"""The signed agreement's render cost per page, beside a plain WeasyPrint document of the same text.

How to run, from the repository root after `make setup`:

    .venv/bin/python bench/render_pages.py [--runs 9]

Data and environment as in bench/pdf_bench.py (a throwaway SQLite file, agreements of 10 and 50
clauses with two commitments each). Measured in one process, interleaved, median of --runs:

  portal: `render_agreement_pdf` (the portal's template, its tables, letterhead, QR code, the
          signatures and the certificate page; no seal), wall-clock ms per page;
  plain:  the same words (title, parties, each clause's label and text, each commitment, the
          signatories' names) as headings and paragraphs in Amiri, no tables or images, rendered by
          `HTML(string=...).write_pdf()` with one shared font configuration; ms per page.

The goal of issue #19: portal ms/page within 1.5x of plain ms/page. Pages are counted in each PDF.
"""

from __future__ import annotations

import argparse
import html
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pdf_bench as base


def _pages(pdf: bytes) -> int:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def _plain_html(agreement) -> str:
    paragraphs = [f"<h1>{html.escape(agreement.title_ar)}</h1>", f"<p>{html.escape(agreement.partner.name_ar)}</p>"]
    for clause in agreement.clauses.order_by("order").prefetch_related("commitments"):
        paragraphs.append(f"<h2>البند {clause.order}</h2><p>{html.escape(clause.text_ar)}</p>")
        for commitment in clause.commitments.all():
            paragraphs.append(
                f"<p>{html.escape(commitment.description_ar)} — {commitment.target_quantity} {commitment.unit}"
                f" — {commitment.due_on:%Y-%m-%d}</p>"
            )
    paragraphs.append("<h2>التوقيعات</h2><p>أسامة الزاير</p><p>عميد الكلية التقنية بالقطيف</p>")
    style = (
        "@page { size: A4; margin: 2cm } body { font-family: Amiri; font-size: 12pt; line-height: 1.6 }"
        " h1 { font-size: 18pt } h2 { font-size: 14pt }"
    )
    return f'<html lang="ar" dir="rtl"><head><style>{style}</style></head><body>{"".join(paragraphs)}</body></html>'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="render-pages-"))
    base._prepare_environment(workdir)
    import django

    django.setup()
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from agreements.models import Agreement
    from agreements.pdf.render import render_agreement_pdf

    agreements = base._setup_data()
    fonts = FontConfiguration()
    header = ("clauses", "portal pages", "portal ms/page", "plain pages", "plain ms/page", "ratio")
    print(" ".join(f"{h:>14}" for h in header))
    for clauses, pk in sorted(agreements.items()):
        agreement = Agreement.objects.select_related("partner").get(pk=pk)
        plain_source = _plain_html(agreement)
        render_agreement_pdf(base._pdf_input(pk))  # warm: fonts, templates
        HTML(string=plain_source).write_pdf(font_config=fonts)
        portal_times, plain_times = [], []
        portal_pdf = plain_pdf = b""
        for _ in range(args.runs):
            started = time.perf_counter()
            portal_pdf = render_agreement_pdf(base._pdf_input(pk))
            portal_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            plain_pdf = HTML(string=plain_source).write_pdf(font_config=fonts)
            plain_times.append(time.perf_counter() - started)
        portal_pages, plain_pages = _pages(portal_pdf), _pages(plain_pdf)
        portal_ms = statistics.median(portal_times) * 1000 / portal_pages
        plain_ms = statistics.median(plain_times) * 1000 / plain_pages
        row = (clauses, portal_pages, f"{portal_ms:.0f}", plain_pages, f"{plain_ms:.0f}", f"{portal_ms / plain_ms:.2f}")
        print(" ".join(f"{cell:>14}" for cell in row))


if __name__ == "__main__":
    main()
