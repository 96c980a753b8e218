"""Hypothesis strategies for form fields: mostly plausible values, and hostile ones.

Every value is a str (what a browser sends); `absent()` leaves the field out.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib

from hypothesis import strategies as st
from PIL import Image, ImageDraw

ABSENT = object()

# Text a person might type, and text nobody should: Arabic, Latin, digits, NUL, bidi
# controls, combining marks, emoji; every code point but the surrogates (which cannot be
# sent in a request body).
ARABIC_WORDS = ["اتفاقية", "الشراكة", "تدريب", "المستفيدين", "خيرية القطيف", "أحمد", "إلى", "٣٠", "ـ", "ً"]
HOSTILE = [
    "\x00",
    "\u202e",
    "\u2066",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "%(x)s",
    "\r\n",
    "\ufeff",
    "𝕏",
    "🙂",
    "\u0301",
    "../../etc/passwd",
]

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
arabic_text = st.lists(st.sampled_from(ARABIC_WORDS), min_size=1, max_size=6).map(" ".join)
hostile_text = st.lists(st.sampled_from(HOSTILE) | arabic_text, min_size=1, max_size=4).map("".join)
huge_text = st.tuples(st.sampled_from(["ا", "a", "\x00", "٣", " "]), st.integers(201, 30_000)).map(
    lambda pair: pair[0] * pair[1]
)


def text(*, max_size: int = 60):
    """Free text: often sensible Arabic, sometimes hostile, sometimes huge or empty."""
    return st.one_of(
        arabic_text,
        arabic_text,
        any_text,
        hostile_text,
        huge_text,
        st.just(""),
        st.text(max_size=max_size),
    )


def choice(values: list[str]):
    return st.one_of(st.sampled_from(values), st.sampled_from(values), text())


def integer(low: int = 1, high: int = 1000):
    return st.one_of(
        st.integers(low, high).map(str),
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["", "0", "-1", "1e9", "1.5", "٣", "NaN", "inf", "9" * 40, " 5 ", "0x10"]),
        text(),
    )


def date():
    valid = st.dates().map(lambda d: d.isoformat())
    return st.one_of(
        st.dates(
            min_value=__import__("datetime").date(2020, 1, 1), max_value=__import__("datetime").date(2035, 12, 31)
        ).map(lambda d: d.isoformat()),
        valid,
        st.sampled_from(
            [
                "",
                "2026-02-30",
                "2026-13-01",
                "0000-01-01",
                "9999-12-31",
                "10000-01-01",
                "31/12/2026",
                "٢٠٢٦-٠١-٠١",
                "2026-1-1",
                "1447-09-01",
                "2026-01-01T00:00",
                "-2026-01-01",
                "2026-00-00",
            ]
        ),
        text(),
    )


def email():
    return st.one_of(
        st.emails().map(str),
        st.sampled_from(["", "not-an-email", "a@b", "ا@ب.ج", "x@example.org\x00", "a" * 300 + "@example.org"]),
        text(),
    )


def pk(existing: list[int]):
    return st.one_of(st.sampled_from(existing).map(str), integer(-5, 10**6)) if existing else integer()


def checkbox():
    return st.sampled_from(["on", "", "off", "true", "1", "0", "\x00"])


@st.composite
def fields(draw, spec: dict, *, valid: dict | None = None, drop: bool = True, extra: bool = True):
    """A POST dict from `spec` (name -> strategy); fields may go missing, extras may come.

    With `valid` (name -> a value the form accepts), each field keeps its valid value three
    times in four, so most examples differ from a good submission in a field or two and
    reach the code behind the form, not only its validation.
    """
    valid = valid or {}
    data = {}
    for name, strategy in spec.items():
        if drop and draw(st.integers(0, 9)) == 0:
            continue
        if name in valid and draw(st.integers(0, 3)):
            value = valid[name]
        else:
            value = draw(strategy)
        if value is not ABSENT:
            data[name] = value
    if extra and draw(st.integers(0, 9)) == 0:
        data.update(draw(st.dictionaries(st.text(min_size=1, max_size=20), any_text, max_size=3)))
    return data


def management_form(prefix: str, total: int, initial: int = 0):
    """A formset's management form: mostly right, sometimes tampered with."""
    honest = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    tampered = st.fixed_dictionaries(
        {
            f"{prefix}-TOTAL_FORMS": integer(0, 3000),
            f"{prefix}-INITIAL_FORMS": integer(0, 50),
        },
        optional={f"{prefix}-MIN_NUM_FORMS": integer(), f"{prefix}-MAX_NUM_FORMS": integer()},
    )
    missing = st.just({k: v for k, v in honest.items() if "TOTAL" not in k})
    return st.one_of(st.just(honest), st.just(honest), st.just(honest), tampered, missing)


# --- Signatures ------------------------------------------------------------------------


def _png(width: int, height: int, *, ink: bool) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(5, height - 5), (width // 2, 5), (width - 5, height - 5)], fill="navy", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims any size (a decompression bomb's opening)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


GOOD_PNG = _png(400, 150, ink=True)
EMPTY_PNG = _png(400, 150, ink=False)
JPEG = (lambda b: (Image.new("RGB", (50, 50), "white").save(b, "JPEG"), b.getvalue())[1])(io.BytesIO())
PREFIX = "data:image/png;base64,"


GOOD_SIGNATURE = "data:image/png;base64," + base64.b64encode(GOOD_PNG).decode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def signature_payload():
    """What the drawing pad sends, and what an attacker might send instead."""
    png_bytes = st.one_of(
        st.just(GOOD_PNG),
        st.just(EMPTY_PNG),
        st.binary(max_size=200).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
        st.binary(max_size=12).map(lambda b: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b),
        st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)).map(lambda wh: _png_header(*wh)),
        st.integers(1, len(GOOD_PNG) - 1).map(lambda n: GOOD_PNG[:n]),
        st.just(JPEG),
        st.binary(max_size=300),
    )
    return st.one_of(
        png_bytes.map(lambda b: PREFIX + _b64(b)),
        png_bytes.map(lambda b: "data:image/jpeg;base64," + _b64(b)),
        st.just(PREFIX + _b64(GOOD_PNG)),
        text().map(lambda t: PREFIX + t),  # garbage base64
        st.sampled_from([PREFIX, PREFIX + "====", PREFIX + "A", PREFIX + " " + _b64(GOOD_PNG), ""]),
        st.integers(1_000_000, 1_400_001).map(lambda n: PREFIX + "A" * n),  # huge
        text(),
    )


def content_hash(real: str):
    return st.one_of(
        st.just(real),
        st.just(real),
        st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
        st.sampled_from(["", real.upper(), real[:-1], real + "0", "g" * 64]),
        text(),
    )


# --- Uploads ---------------------------------------------------------------------------

PDF_PREFIXES = [b"%PDF-", b"%PDF-1.7\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", b"%PDF-2.0\n%%EOF\n"]


def upload_bytes():
    return st.one_of(
        st.binary(max_size=2000),
        st.tuples(st.sampled_from(PDF_PREFIXES), st.binary(max_size=2000)).map(lambda p: p[0] + p[1]),
        st.just(GOOD_PNG),
        st.just(JPEG),
        st.just(b""),
        st.just(b"%PDF-1.7\n" + b"0" * 100_000),
    )


def file_name():
    return st.one_of(
        st.sampled_from(["report.pdf", "صورة.png", "evidence.jpg", "x.exe", "a.pdf.exe", ".pdf", "noext"]),
        st.text(
            alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00/\\"), min_size=1, max_size=80
        ),
        st.just("a" * 300 + ".pdf"),
    )
