"""Search text for Arabic and English: normalisation, morphology, queries and snippets.

Arabic users type the same word in several ways: with or without hamza on the alef
(أحمد / احمد), with or without diacritics (المُستفيد / المستفيد), with ى or ي at the end,
ة or ه. And an Arabic word rarely stands bare: «التدريب», «والتدريب», «بالتدريب»,
«تدريبية» and «متدربين» are one word to a reader. So every word is

1. normalised (`normalize`: letter variants, diacritics, tatweel, digits, case);
2. split from its clitics: a leading و or ف, and a leading ل، ب or ك, is tried both ways
   (it may be a conjunction or preposition, or the word's own first letter), then the
   Snowball Arabic stemmer (the algorithm PostgreSQL's `arabic` configuration uses)
   removes ال، بال، كال، لل… and suffixes;
3. also reduced to a rough skeleton (derivational م/ت/مست prefixes and inner long
   vowels dropped: تدريب and متدرب both give درب), so derived forms meet.

English words are stemmed as English. The terms of a text (`terms`) are stored in the
`search_text` columns (`document`), and a query goes through the same function, so what
was indexed and what is asked agree by construction. On PostgreSQL a generated tsvector
column over `search_text` (the 'simple' configuration: the terms are already stemmed)
gives full-text matching and ranking; on SQLite (the demo) the same terms are matched as
whole words in the same column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
# A word: letters and digits (diacritics and tatweel inside a word belong to it).
_WORD = re.compile(r"[^\W_]+(?:[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]*[^\W_]*)*")
_ASCII_WORD = re.compile(r"[a-z]+")
_SKELETON_PREFIX = re.compile(r"^(?:مست|مت|ست|م|ت)")
_INNER_VOWELS = re.compile(r"(?<=.)[اوي]")

# A query longer than this is cut: nobody types more, and each word costs the database.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
# Words too common to narrow a search; left out of queries (never out of the index).
STOPWORDS = frozenset(
    "في من على الى عن مع او ثم ان هذا هذه ذلك التي الذي و the of and in for to a an on with by or".split()
)

_arabic = snowballstemmer.stemmer("arabic")
_english = snowballstemmer.stemmer("english")


def normalize(text: str) -> str:
    """Fold `text` for searching: case, Arabic letter variants, diacritics, digits, spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    # «مسئولية», «شئون»: the older spelling of «مسؤولية», «شؤون» (the hamza's seat before و).
    text = _DIACRITICS.sub("", text).replace("ئو", "ؤو").translate(_LETTERS).casefold()
    return _SPACES.sub(" ", text).strip()


def _skeleton(stem: str) -> str:
    """درب for تدريب and متدرب: derivational prefixes and inner long vowels dropped."""
    if len(stem) <= 3:
        return stem
    bare = _SKELETON_PREFIX.sub("", stem)
    if len(bare) < 3:
        bare = stem
    thin = _INNER_VOWELS.sub("", bare)
    return thin if len(thin) >= 3 else bare


@lru_cache(maxsize=20000)
def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one normalised word, most specific first."""
    if _ASCII_WORD.fullmatch(word):
        return (_english.stemWord(word),)
    if not any("\u0600" <= ch <= "\u06ff" for ch in word):
        return (word,)  # digits, references, other scripts: as typed (normalised)
    variants = [word]
    if word[0] in "وف" and len(word) >= 4:
        variants.append(word[1:])  # «والتدريب», «وتمكين»: the conjunction, or the word's own letter
    for variant in list(variants):
        if variant[0] in "لبك" and len(variant) >= 4:
            variants.append(variant[1:])  # «لإكرام», «لتنمية», «لسوق»: a preposition the stemmer keeps
    if word.startswith("ي") and len(word) >= 5:
        variants.append(word[1:])  # the imperfect's prefix: «يتبادل» meets «تبادل»
    if word.endswith("ات") and len(word) >= 5:
        variants.append(word[:-2])  # the stemmer keeps «ات» on a bare plural: «ندوات», «دورات»
    for variant in list(variants):
        # The article the stemmer keeps on short words («الكلية»): tried without it as well.
        for article in ("بال", "كال", "فال", "ال", "لل"):
            if variant.startswith(article) and len(variant) - len(article) >= 3:
                variants.append(variant[len(article) :])
                break
    found: list[str] = []
    for index, variant in enumerate(variants):
        # Normalisation folded ة into ه; the stemmer knows ة as a suffix (تدريبية → تدريب).
        if variant.endswith("ه") and len(variant) >= 3:
            variant = variant[:-1] + "ة"
        stem = _arabic.stemWord(variant).translate(_LETTERS)
        kept = [stem]
        if index == 0 and word[0] in "وف" and not stem.startswith(word[0]) and len(stem) >= 3:
            # The stemmer took a leading و/ف as a conjunction; it may be the word's own
            # («وظيفية» → ظيف): the stem with it is kept too (→ وظيف, as «الوظيفية» gives).
            kept.append(word[0] + stem)
        for term in (*kept, *map(_skeleton, kept)):
            if term and term not in found:
                found.append(term)
    return tuple(found)


def words(text: str) -> list[str]:
    """The normalised words of `text`."""
    return _WORD.findall(normalize(text))


def terms(text: str) -> list[str]:
    """Every index term of `text`, in reading order (a word's variants side by side)."""
    return [term for word in words(text) for term in word_terms(word)]


def document(*parts: str | None) -> str:
    """The `search_text` of several fields: their terms, space-separated, padded with spaces.

    The padding lets a plain `LIKE '% term %'` match whole terms where there is no
    full-text search (SQLite).
    """
    found = [term for part in parts if part for term in terms(part)]
    return f" {' '.join(found)} " if found else ""


@dataclass(frozen=True)
class Query:
    """A parsed search: for each word typed, the terms that match it (any one will do)."""

    text: str
    groups: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.groups)

    @cached_property
    def all_terms(self) -> frozenset[str]:
        return frozenset(term for group in self.groups for term in group)

    @cached_property
    def _in_raw_text(self) -> re.Pattern:
        """Some term's letters in order, in written text as it is stored (any spelling of
        each letter, anything between them): a piece of text without it cannot match."""
        return re.compile("|".join(_raw_letters_in_order(term) for term in sorted(self.all_terms)) or "(?!)")

    def may_match(self, piece: str) -> bool:
        """Whether a piece of text (no spaces) is worth matching word by word.

        False only where it surely cannot match: Arabic letters, digits and punctuation that
        hold no term's letters in order. A piece with anything else (Latin, whose English
        stem may change its letters; compatibility forms) is always worth it.
        """
        return bool(_OUTSIDE_PLAIN_ARABIC.search(piece) or self._in_raw_text.search(piece))

    def tsquery(self) -> str:
        """For `to_tsquery('simple', …)`: every word, any of its terms. Terms are letters and digits only."""
        return " & ".join("(" + " | ".join(f"'{term}'" for term in group) + ")" for group in self.groups)


# What NFKC and `normalize` leave as it is, letter for letter, apart from the variants below
# and the diacritics and tatweel (dropped): the Arabic block without the high-hamza
# compatibility letters, ASCII digits and punctuation.
_OUTSIDE_PLAIN_ARABIC = re.compile(r"[^\u0600-\u0674\u0679-\u06ff0-9!-/:-@\[-`{-~]")


def _letter_variants() -> dict[str, str]:
    variants: dict[str, set[str]] = {}
    for source, target in _LETTERS.items():
        variants.setdefault(target, {target}).add(chr(source))
    variants["و"].add("ئ")  # «مسئولية»: ئ before و is read as ؤ
    return {letter: "[" + "".join(sorted(spellings)) + "]" for letter, spellings in variants.items()}


_VARIANTS = _letter_variants()


def _raw_letters_in_order(term: str) -> str:
    return r"\S*?".join(_VARIANTS.get(letter, re.escape(letter)) for letter in term)


def _narrowest(group: tuple[str, ...]) -> tuple[str, ...]:
    """A word's terms without those that end with another two letters shorter or more:
    «والتدريب» beside «تدريب» (a conjunction and an article), not «فردوص» beside «ردوص»
    (one letter that may be the word's own).

    The text side keeps every term, and a word that yields the longer term yields the
    shorter one too; asking for fewer terms lets PostgreSQL plan the search on the index.
    """
    return tuple(t for t in group if not any(len(o) >= 3 and len(t) - len(o) >= 2 and t.endswith(o) for o in group))


def parse_query(text: str | None) -> Query:
    """The query typed, made safe and parsed: NUL, controls, punctuation and operators fall away."""
    text = (text or "")[:MAX_QUERY_CHARS]
    typed = words(text)
    meaningful = [word for word in typed if word not in STOPWORDS] or typed
    groups: list[tuple[str, ...]] = []
    for word in meaningful[:MAX_QUERY_WORDS]:
        group = _narrowest(word_terms(word))
        if group not in groups:
            groups.append(group)
    return Query(text=normalize(text), groups=tuple(groups))


def highlight(text: str | None, query: Query, *, words_around: int = 12) -> SafeString:
    """A snippet of `text` around the first word that matches `query`, matches in <mark>.

    Matching is by terms, so «التدريب» is marked when «تدريبية» was asked: the reader sees
    their word as it is written. Without a match, the start of the text. Always escaped.
    """
    return snippet(query, text, words_around=words_around)


def snippet(query: Query, *texts: str | None, words_around: int = 12) -> SafeString:
    """`highlight` of the first of `texts` that holds a match; else the start of the first
    non-empty one.

    Each text is read once, and only as far as the snippet reaches: up to its first match,
    then to the snippet's end (a long clause is not matched word by word to its last).
    """
    present = [text for text in texts if text]
    for text in present:
        pieces = re.findall(r"\S+", text)
        first = next((i for i, piece in enumerate(pieces) if _piece_matches(piece, query)), None)
        if first is not None:
            start = max(0, first - words_around // 2)
            end = min(len(pieces), start + words_around * 2)
            marked = {first} | {i for i in range(first + 1, end) if _piece_matches(pieces[i], query)}
            return _snippet_html(pieces, start, end, marked)
    pieces = re.findall(r"\S+", present[0]) if present else []
    return _snippet_html(pieces, 0, min(len(pieces), words_around * 2), set())


def _piece_matches(piece: str, query: Query) -> bool:
    return query.may_match(piece) and any(_word_matches(word, query) for word in words(piece))


def _snippet_html(pieces: list[str], start: int, end: int, marked: set[int]) -> SafeString:
    out = [f"<mark>{escape(pieces[i])}</mark>" if i in marked else escape(pieces[i]) for i in range(start, end)]
    html = " ".join(out)
    if start > 0:
        html = "… " + html
    if end < len(pieces):
        html += " …"
    return mark_safe(html)  # noqa: S308 - every piece escaped above


def _contains_in_order(word: str, term: str) -> bool:
    letters = iter(word)
    return all(letter in letters for letter in term)


def _word_matches(word: str, query: Query) -> bool:
    """Whether one normalised word yields a term of `query`.

    A word's terms are its letters with some left out (prefixes, suffixes, inner vowels),
    so a word holding no term's letters in order cannot match, and is not stemmed: the
    stemmer is the slow part of a snippet.
    """
    wanted = query.all_terms
    if not word.isascii() and not any(_contains_in_order(word, term) for term in wanted):
        return False
    return not wanted.isdisjoint(word_terms(word))
