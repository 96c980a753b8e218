"""The hostile text the output fuzz tests store in every user-entered field.

One composite value carries every attack at once, so each rendered field meets all of
them: markup and event handlers, quotes of three kinds, Django template syntax, line
breaks that could start a new e-mail header or ICS property, every explicit bidi
control (embeddings, overrides, isolates, marks), joiners and stacked combining marks.
A field with a `max_length` gets the value repeated up to that length (the database
would refuse more); a few free-text fields get 100 000 characters.
"""

from __future__ import annotations

RLO = "\u202e"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# Evaluated, `{% now %}` between the two words would print a year: "tpl2026tpl".
TEMPLATE = 'tpl{% now "Y" %}tpl {{ 7*7 }}'

# RLO first: even a 30-character field starts with an override and an open tag.
HOSTILE = (
    f"{RLO}{SCRIPT}{IMG}'\"` {TEMPLATE} "
    "\u2066isolate\u2069 \u2067\u2068\u2069 \u202aembed\u202c \u202bembed\u202c \u202doverride\u202c "
    "\u200e\u200f\u061c ZW\u200dJ\u200cNJ "
    "e\u0301\u0302\u0303 ب\u0651\u064e\u0652 "
    "=1+2 @SUM(A1) -3\r\nX-Injected: 1\r\n"
    "جمعية مضللة moc.elpmaxe"
)

# Fields (label.field) that hold 100 000 characters; the rest hold HOSTILE or their max length.
LONG = 100_000
LONG_FIELDS = {
    "agreements.Clause.text_ar",
    "agreements.ProgressUpdate.note",
    "agreements.SigningRequest.decline_reason",
    "agreements.Agreement.termination_reason",
    "agreements.Amendment.text_ar",
}

BENIGN_DANGERS = (
    "<script>alert(1)",
    "<img src=x onerror",
    "tpl2026tpl",
    "tpl2027tpl",
)


# English fields start with a spreadsheet formula: exports must keep it text.
FORMULA = '=HYPERLINK("http://evil.example","x")+'


def fill(length: int | None, start: str = "") -> str:
    """`start` then HOSTILE repeated, to exactly `length` characters (once when None)."""
    if length is None:
        return start + HOSTILE
    return (start + HOSTILE * (length // len(HOSTILE) + 1))[:length]


def value_for(label: str, max_length: int | None) -> str:
    start = FORMULA if label.endswith("_en") else ""
    if label in LONG_FIELDS:
        return fill(LONG, start)
    return fill(max_length, start)
