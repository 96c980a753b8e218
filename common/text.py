"""Stored text shown to people: hidden direction controls made visible, one-line headers.

A name is what a signer checks before signing. Explicit direction controls (U+202E
RIGHT-TO-LEFT OVERRIDE and friends) are invisible, yet they can make "جمعية الخير"
followed by an override display as a different name, or move the words around it.
Forms refuse them in names and titles (`validators.reject_bidi_controls`), but text
can also arrive through the admin, an import or older rows, so every place that shows a
party's or a signer's name to a signer (the signing page, the agreement page, the PDF,
the e-mails) shows each control as a visible marker instead, `[U+202E]`, and isolates
the name so it cannot reorder the text around it.
"""

from __future__ import annotations

import re

from django.utils.html import format_html, format_html_join
from django.utils.translation import pgettext

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks
# (LRM, RLM, ALM): none belongs in a name, and each can change how one displays.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

_CONTROL = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_LINE_BREAKS = re.compile(r"[\s\u2028\u2029\x85]+")


def has_bidi_controls(value) -> bool:
    return bool(value) and _CONTROL.search(str(value)) is not None


def control_label(char: str) -> str:
    """`U+202E` for RIGHT-TO-LEFT OVERRIDE: the visible stand-in for an invisible control."""
    return f"U+{ord(char):04X}"


def split_controls(value: str) -> list[tuple[str, bool]]:
    """`value` cut into (piece, is_control) runs; each control is a run of its own."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _CONTROL.finditer(value):
        if match.start() > position:
            pieces.append((value[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(value):
        pieces.append((value[position:], False))
    return pieces


def reveal_bidi(value) -> str:
    """Plain text with each direction control replaced by a visible `[U+202E]` marker.

    The marker is itself isolated left-to-right (LRI…PDI), so it reads the same inside
    Arabic and English text. The result contains only balanced isolates that we added.
    """
    text = "" if value is None else str(value)
    return "".join(
        f"{LRI}[{control_label(piece)}]{PDI}" if control else piece for piece, control in split_controls(text)
    )


def plain_name(value) -> str:
    """A name for plain text (e-mail bodies): revealed controls, isolated as a whole (FSI…PDI)."""
    text = reveal_bidi(value)
    return f"{FSI}{text}{PDI}" if text else ""


def header_text(value, *, limit: int = 200) -> str:
    """Stored text made fit for an e-mail header: one line, controls revealed, shortened.

    A line break in a header value is refused by Django (`BadHeaderError`), so a title
    with one could stop every e-mail about its agreement; a bidi control could make the
    subject read as something else.
    """
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return reveal_bidi(text)


def and_list(items) -> str:
    """`1, 2 and 3`, «1 و2 و3»: items joined as a list in the active language, as safe HTML.

    Each item is escaped unless already safe (a link), so links can be listed. Arabic
    joins every item with «و» attached to the next word, English with commas and "and".
    """
    items = list(items)
    if len(items) < 2:
        return format_html_join("", "{}", ((item,) for item in items))
    comma, last = pgettext("list of items", ", "), pgettext("list of items", " and ")
    return format_html("{}{}{}", format_html_join(comma, "{}", ((item,) for item in items[:-1])), last, items[-1])
