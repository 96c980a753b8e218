"""The signed agreement's render cost per page, beside a plain WeasyPrint document of the same text.

How to run, from the repository root after `make setup`:

    .venv/bin/python bench/render_pages.py [--runs 9]

Data and environment as in bench/pdf_bench.py (a throwaway SQLite file, agreements of 10 and 50
clauses with two commitments each). Measured in one process, interleaved, median of --runs; each
timed render starts after a `gc.collect()` outside the timing, so the garbage one render leaves is
not billed to the next one (the portal's render leaves ten times more than the plain one).
Documents, each rendered with the same shared font configuration, timed wall-clock:

  portal: `render_agreement_pdf` (the portal's template, letterhead, QR codes, the signatures
          and the certificate page; PDF/A-3b, tagged; no seal): a cold render of an
          agreement, what a user's PDF costs;
  plain:  the bench's first yardstick: title, parties, each clause's label and text, each
          commitment and the signatories' names (about a third of the portal's words) as headings
          and paragraphs in Amiri 12 pt, no tables or images, WeasyPrint's default options (no
          PDF/A, no tags);
  same words, plain type: every word the portal's HTML prints (each block of the portal's HTML,
          tables and certificate included, as one paragraph) in the plain document's type
          (12 pt, 2 cm margins), written with the portal's options (PDF/A-3b, tagged);
  same words, portal type: the same paragraphs in the portal's type (Amiri 10.5 pt, line height
          1.5, the portal's page margins): the same text on pages of the same size and density
          as far as paragraphs allow. The fair yardstick.

For each: pages, ms for the document (median of --runs), ms per page, and the portal's cost
divided by this document's, per page and per document. Per page favours the documents that set
fewer words on a page (the plain ones: each table cell becomes a paragraph of its own), so the
per-document ratio against "same words, portal type" is the cost of the same text.

The goal of issue #19: the portal's cost within 1.5x of a plain document of the same text.
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


PLAIN_TYPE = (
    "@page { size: A4; margin: 2cm } body { font-family: Amiri; font-size: 12pt; line-height: 1.6 }"
    " h1 { font-size: 18pt } h2 { font-size: 14pt }"
)
# agreements.css: the page margins, html's font size and line height, p's margins.
PORTAL_TYPE = (
    "@page { size: A4; margin: 16mm 16mm 20mm 16mm } body { font-family: Amiri; font-size: 10.5pt;"
    " line-height: 1.5; margin: 0 } p { margin: 0 0 .4em }"
)


_BLOCKS = ("h1", "h2", "h3", "p", "div", "td", "th")


def _same_words_html(portal_html: str, style: str = PLAIN_TYPE) -> str:
    """Every block of text the portal's HTML prints, in order, as plain paragraphs."""
    import lxml.html

    body = lxml.html.fromstring(portal_html).find("body")
    paragraphs = []
    for element in body.iter(*_BLOCKS):
        if any(child.tag in _BLOCKS for child in element.iterdescendants()):
            continue  # its text is printed by the blocks inside it
        if text := " ".join(element.text_content().split()):
            paragraphs.append(f"<p>{html.escape(text)}</p>")
    return _plain_document("".join(paragraphs), style)


def _plain_document(body: str, style: str = PLAIN_TYPE) -> str:
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
    header = ("clauses", "document", "pages", "ms", "ms/page", "portal÷ per page", "portal÷ per document")
    widths = (7, 24, 5, 6, 7, 16, 20)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for clauses, pk in sorted(agreements.items()):
        agreement = Agreement.objects.select_related("partner").get(pk=pk)
        portal_html = agreement_html(base._pdf_input(pk))
        plain_source = _plain_html(agreement)
        same_plain = _same_words_html(portal_html)
        same_portal = _same_words_html(portal_html, PORTAL_TYPE)

        def archival(source):
            return lambda: HTML(string=source).write_pdf(font_config=fonts, pdf_variant=PDF_VARIANT, pdf_tags=True)

        renders = {
            "portal": lambda pk=pk: render_agreement_pdf(base._pdf_input(pk)),
            "plain": lambda plain_source=plain_source: HTML(string=plain_source).write_pdf(font_config=fonts),
            "same words, plain type": archival(same_plain),
            "same words, portal type": archival(same_portal),
        }
        for render in renders.values():
            render()  # warm: fonts, templates
        times = {name: [] for name in renders}
        pdfs = {}
        for _ in range(args.runs):
            for name, render in renders.items():
                elapsed, pdfs[name] = _timed(render)
                times[name].append(elapsed)
        total = {name: statistics.median(times[name]) * 1000 for name in renders}
        pages = {name: _pages(pdfs[name]) for name in renders}
        for name in renders:
            per_page = total[name] / pages[name]
            portal_per_page = total["portal"] / pages["portal"]
            row = (
                clauses,
                name,
                pages[name],
                f"{total[name]:.0f}",
                f"{per_page:.0f}",
                "" if name == "portal" else f"{portal_per_page / per_page:.2f}",
                "" if name == "portal" or name == "plain" else f"{total['portal'] / total[name]:.2f}",
            )
            print(" ".join(f"{cell:>{w}}" for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
