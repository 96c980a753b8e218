"""Search normalisation for Arabic and English text.

Arabic users type the same word in several ways: with or without hamza on the alef
(أحمد / احمد), with or without diacritics (المُستفيد / المستفيد), with ى or ي at the end,
ة or ه. Text is stored once in this normalised form next to the original, and queries are
normalised the same way, so a plain substring match finds the word whichever way it was
typed. It behaves the same on SQLite (the demo) and PostgreSQL (where a trigram index
makes the substring match fast).
"""

from __future__ import annotations

import re
import unicodedata

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks and tatweel.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        # Arabic-Indic and Eastern Arabic-Indic digits to ASCII.
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Fold `text` for searching: case, Arabic letter variants, diacritics, digits, spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).translate(_LETTERS).casefold()
    return _SPACES.sub(" ", text).strip()


def document(*parts: str | None) -> str:
    """The normalised search text of several fields, one per line."""
    return "\n".join(normalize(part) for part in parts if part)
