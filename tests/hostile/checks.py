"""What a rendered response may not contain when every stored text is hostile."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from .strings import BIDI_CONTROLS


class _Elements(HTMLParser):
    """Collects the facts an injection would change: scripts, handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            # The templates' own handlers (import-export has one) carry no data.
            if name.startswith("on") and "alert(" in (value or ""):
                self.problems.append(f"<{tag} {name}=…> event handler from the data")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value[:40]!r}> javascript: URL")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("injected <img src=x>")
        # A data block (`json_script`: type="application/json", its <, > and & escaped) is not run;
        # a name breaking out of it would show as a raw "<script>alert(1)" below.
        self._in_script = tag == "script" and dict(attrs).get("type") != "application/json"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(1)" in data:
            self.problems.append("injected <script> content")


def html_problems(body: str) -> list[str]:
    parser = _Elements()
    parser.feed(body)
    parser.close()
    problems = parser.problems
    for raw in ("<script>alert(1)", "<img src=x onerror", "tpl2026tpl", "tpl2027tpl"):
        if raw in body:
            problems.append(f"unescaped {raw!r}")
    return problems


def unrevealed_controls(text: str) -> set[str]:
    """Explicit overrides and embeddings in `text` (revealed markers carry only balanced isolates)."""
    return {f"U+{ord(ch):04X}" for ch in text if ch in "\u202a\u202b\u202c\u202d\u202e"}


def csv_formula_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [
        cell[:30]
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
    ]


def xlsx_formula_cells(data: bytes) -> list[str]:
    """Cells Excel would evaluate: stored as formulas (openpyxl reads them back as "=...")."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


__all__ = ["BIDI_CONTROLS", "csv_formula_cells", "html_problems", "unrevealed_controls", "xlsx_formula_cells"]
