"""The signed agreement's render cost per page, beside a plain WeasyPrint document of the same text.

How to run, from the repository root after `make setup`:

    .venv/bin/python bench/render_pages.py [--runs 9]

Data and environment as in bench/pdf_bench.py (a throwaway SQLite file, agreements of 10 and 50
clauses with two commitments each). Measured in one process, interleaved, median of --runs; each
timed render starts after a `gc.collect()` outside the timing, so the garbage one render leaves is
not billed to the next one (the portal's render leaves ten times more than the plain one).
Columns, all wall-clock ms per page, pages counted in each PDF:

  portal: `render_agreement_pdf` (the portal's template, its tables, letterhead, QR code, the
          signatures and the certificate page; PDF/A-3b, tagged; no seal): a cold render of an
          agreement, what a user's PDF costs;
  plain:  the bench's first yardstick: title, parties, each clause's label and text, each
          commitment and the signatories' names (about a third of the portal's words) as headings
          and paragraphs in Amiri, no tables or images, `HTML(string=...).write_pdf()` with one
          shared font configuration and WeasyPrint's default options (no PDF/A, no tags);
  same words: every word the portal's HTML prints (each block of the portal's HTML, tables and
          certificate included, as one paragraph), same plain style and font configuration,
          written with the portal's options (PDF/A-3b, tagged): the fair comparison.

The goal of issue #19: portal ms/page within 1.5x of plain ms/page.
"""

from __future__ import annotations

import argparse
import gc
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
    return _plain_document("".join(paragraphs))


_BLOCKS = ("h1", "h2", "h3", "p", "div", "td", "th")


def _same_words_html(portal_html: str) -> str:
    """Every block of text the portal's HTML prints, in order, as plain paragraphs."""
    import lxml.html

    body = lxml.html.fromstring(portal_html).find("body")
    paragraphs = []
    for element in body.iter(*_BLOCKS):
        if any(child.tag in _BLOCKS for child in element.iterdescendants()):
            continue  # its text is printed by the blocks inside it
        if text := " ".join(element.text_content().split()):
            paragraphs.append(f"<p>{html.escape(text)}</p>")
    return _plain_document("".join(paragraphs))


def _plain_document(body: str) -> str:
    style = (
        "@page { size: A4; margin: 2cm } body { font-family: Amiri; font-size: 12pt; line-height: 1.6 }"
        " h1 { font-size: 18pt } h2 { font-size: 14pt }"
    )
    return f'<html lang="ar" dir="rtl"><head><style>{style}</style></head><body>{body}</body></html>'


def _timed(render) -> tuple[float, bytes]:
    gc.collect()
    started = time.perf_counter()
    pdf = render()
    return time.perf_counter() - started, pdf


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
    from agreements.pdf.render import PDF_VARIANT, agreement_html, render_agreement_pdf

    agreements = base._setup_data()
    fonts = FontConfiguration()
    header = (
        "clauses",
        "portal pages",
        "portal ms/page",
        "plain ms/page",
        "ratio",
        "same-words pages",
        "same-words ms/page",
        "ratio",
    )
    print(" ".join(f"{h:>18}" for h in header))
    for clauses, pk in sorted(agreements.items()):
        agreement = Agreement.objects.select_related("partner").get(pk=pk)
        plain_source = _plain_html(agreement)
        same_source = _same_words_html(agreement_html(base._pdf_input(pk)))
        renders = {
            "portal": lambda pk=pk: render_agreement_pdf(base._pdf_input(pk)),
            "plain": lambda plain_source=plain_source: HTML(string=plain_source).write_pdf(font_config=fonts),
            "same": lambda same_source=same_source: HTML(string=same_source).write_pdf(
                font_config=fonts, pdf_variant=PDF_VARIANT, pdf_tags=True
            ),
        }
        for render in renders.values():
            render()  # warm: fonts, templates
        times = {name: [] for name in renders}
        pdfs = {}
        for _ in range(args.runs):
            for name, render in renders.items():
                elapsed, pdfs[name] = _timed(render)
                times[name].append(elapsed)
        ms = {name: statistics.median(times[name]) * 1000 / _pages(pdfs[name]) for name in renders}
        row = (
            clauses,
            _pages(pdfs["portal"]),
            f"{ms['portal']:.0f}",
            f"{ms['plain']:.0f}",
            f"{ms['portal'] / ms['plain']:.2f}",
            _pages(pdfs["same"]),
            f"{ms['same']:.0f}",
            f"{ms['portal'] / ms['same']:.2f}",
        )
        print(" ".join(f"{cell:>18}" for cell in row))


if __name__ == "__main__":
    main()
