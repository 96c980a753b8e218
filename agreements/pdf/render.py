"""Render an agreement and its signatures as a PDF with WeasyPrint.

Rules this module keeps:

- One `FontConfiguration` and one parsed stylesheet per process, made on first use or by
  `warm_up()`. A new font configuration per render grows a worker's memory with every
  document; WeasyPrint is not thread-safe with a shared one, so renders take a lock.
- Fonts are the system's Amiri files (Debian `fonts-hosny-amiri`, folder in
  `settings.PDF_FONT_DIR`), loaded whole through `@font-face`. Font features are set
  only inside `@font-face` (see the stylesheet: as properties they leak memory).
- Clause texts, names and every other stored string are untrusted: the template
  autoescapes them, explicit bidi controls (embeddings, overrides, isolates) are
  removed from texts, so the words show in the order they were typed, and each stored
  line is a block with the direction of its own first letter (see `display_text`).
  In names and titles (parties, representatives, signers, the agreement's title) each
  control is printed as a visible `[U+202E]` marker instead (see `display_name`).
- Nothing outside the document is fetched: `RestrictedURLFetcher` loads only `data:`
  URIs, files under the project's static folders and the Amiri font files; no file is
  ever embedded in the PDF as an attachment.
- Numbers, dates, references, emails, addresses and hashes are bidi-isolated (`<bdi>`
  for the markup, LRI…PDI characters because WeasyPrint leaves bidi to Pango, which
  ignores `unicode-bidi`), so they never come out reversed in Arabic.
"""

from __future__ import annotations

import base64
import datetime
import io
import logging
import mimetypes
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from agreements.models import Agreement, Commitment, Party
from common.counting import counted
from common.text import BIDI_CONTROLS, control_label, header_text, reveal_bidi, split_controls
from partners.models import CharityProfile, Partner

from .context import AuditLine, PdfInput, SignatureBlock
from .ordinals import MAX_ORDINAL, arabic_ordinal
from .seal import LEVEL_B_B, seal_level

logger = logging.getLogger(__name__)

# (file name, CSS font-style, CSS font-weight) of the Amiri faces the PDF uses.
AMIRI_FACES = (
    ("Amiri-Regular.ttf", "normal", 400),
    ("Amiri-Bold.ttf", "normal", 700),
    ("Amiri-Slanted.ttf", "italic", 400),
    ("Amiri-BoldSlanted.ttf", "italic", 700),
)
# The same Amiri files under two names: the second sets the text that runs against the
# document's direction (an English line in the Arabic agreement, an Arabic one in the
# English). In a right-to-left run a bracket is drawn with the other bracket's glyph, and a
# PDF font maps each glyph to one text only (the first it drew), so with one font the
# brackets of one direction read reversed when the text is copied or searched:
# «Training )ten courses(». Two fonts, two maps.
FONT_FAMILIES = ("Portal Amiri", "Portal Amiri Other")
PDF_VARIANT = "pdf/a-3b"
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
# Explicit embeddings, overrides and isolates; the plain marks (LRM, RLM, ALM) are harmless.
_EXPLICIT_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# Every direction control, marks included: removed only to find a text's own direction.
_ALL_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))
_MARKER = re.compile(r"\u2066\[U\+[0-9A-F]{4}\]\u2069")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")
_LOGO_MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class RestrictedURLFetcher(URLFetcher):
    """Loads `data:` URIs and a fixed set of local files; refuses everything else.

    WeasyPrint's default fetcher follows http(s), ftp and any `file://` path, and embeds
    files named by `<a rel="attachment">` or `<link rel="attachment">`. A PDF of stored
    (untrusted) text must reach neither the network nor the server's files, whatever a
    stylesheet, image or SVG asks for. WeasyPrint 70 needs a `URLFetcher` subclass here
    (it reads private attributes of the fetcher), not a plain function.
    """

    def __init__(self, *, allowed_dirs: list[Path], allowed_files: list[Path]) -> None:
        super().__init__(timeout=5, allowed_protocols=("data", "file"), allow_redirects=False)
        self._allowed_dirs = tuple(Path(folder).resolve() for folder in allowed_dirs)
        self._allowed_files = frozenset(Path(path).resolve() for path in allowed_files)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and (path := self._allowed_path(url)) is not None:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})
        logger.warning("PDF render: refused to load %.200s", url)
        raise PermissionError(f"not allowed in a PDF: {url[:200]}")

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None  # urllib would turn file://host/... into an FTP request
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_file():
            return None
        if path in self._allowed_files or any(path.is_relative_to(folder) for folder in self._allowed_dirs):
            return path
        return None


def amiri_font_files() -> dict[str, Path]:
    """The Amiri font files by name; `ImproperlyConfigured` names any that is missing."""
    folder = Path(settings.PDF_FONT_DIR)
    files = {name: folder / name for name, _style, _weight in AMIRI_FACES}
    missing = [name for name, path in files.items() if not path.is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"Amiri font files missing in {folder}: {', '.join(missing)}. "
            "Install the Debian package fonts-hosny-amiri or set PDF_FONT_DIR."
        )
    return files


def stylesheet_source() -> str:
    """The PDF's stylesheet (`templates/pdf/agreement.css`) with the Amiri files filled in."""
    fonts = amiri_font_files()
    faces = [
        {"family": family, "uri": fonts[name].resolve().as_uri(), "style": style, "weight": weight}
        for family in FONT_FAMILIES
        for name, style, weight in AMIRI_FACES
    ]
    return render_to_string("pdf/agreement.css", {"faces": faces})


def _static_dirs() -> list[Path]:
    folders = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for entry in settings.STATICFILES_DIRS:
        folders.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return folders


@dataclass(frozen=True)
class _Engine:
    font_config: FontConfiguration
    stylesheet: CSS
    url_fetcher: RestrictedURLFetcher


# Renders and the engine's creation share one lock: WeasyPrint's font configuration
# and Pango state are not safe to use from two threads at once.
_lock = threading.RLock()
_engine: _Engine | None = None


def _cache_tinyhtml5_regexes() -> None:
    """Make WeasyPrint's HTML parser (tinyhtml5 2.1) reuse its compiled character classes.

    `HTMLUnicodeInputStream.chars_until` keeps a cache of one regex per set of stop
    characters, but stores it under the compiled regex instead of the set
    (`characters = cache[key] = regex` rebinds `characters` first), so every call misses
    and rebuilds the pattern from the characters: half of the parse of an agreement
    (issue #19). Filling the cache under the right key first leaves the parse unchanged.
    """
    from tinyhtml5 import inputstream

    stream = inputstream.HTMLUnicodeInputStream
    chars_until = stream.chars_until
    if getattr(chars_until, "_portal_cached", False):
        return
    cache = inputstream.characters_until_regex

    def cached_chars_until(self, characters, opposite=False):
        key = (characters, opposite)
        if key not in cache:
            pattern = "".join(f"\\x{ord(character):02x}" for character in characters)
            cache[key] = re.compile(f"[{pattern}]+" if opposite else f"[^{pattern}]+")
        return chars_until(self, characters, opposite)

    cached_chars_until._portal_cached = True
    stream.chars_until = cached_chars_until


def _get_engine() -> _Engine:
    global _engine
    with _lock:
        if _engine is None:
            _cache_tinyhtml5_regexes()
            fonts = amiri_font_files()
            url_fetcher = RestrictedURLFetcher(allowed_dirs=_static_dirs(), allowed_files=list(fonts.values()))
            font_config = FontConfiguration()
            stylesheet = CSS(string=stylesheet_source(), font_config=font_config, url_fetcher=url_fetcher)
            _engine = _Engine(font_config=font_config, stylesheet=stylesheet, url_fetcher=url_fetcher)
        return _engine


def html_to_pdf(html: str) -> bytes:
    """Render trusted template output with the portal's fonts, stylesheet and URL policy,
    as a tagged PDF/A-3b.

    Attachments are dropped whatever the markup says: `<link rel="attachment">` entries
    and `<a rel="attachment">` links would otherwise be embedded as files in the PDF.
    """
    engine = _get_engine()
    with _lock:
        document = HTML(string=html, url_fetcher=engine.url_fetcher).render(
            font_config=engine.font_config, stylesheets=[engine.stylesheet], pdf_forms=False
        )
        document.metadata.attachments = []
        for page in document.pages:
            page.links = [link for link in page.links if link[0] != "attachment"]
        # PDF/A-3b (archival; the norm under a PAdES seal) and tagged (structure for screen
        # readers): pdfinfo reads "Tagged: yes", the seal is applied to this file unchanged.
        return document.write_pdf(attachments=None, pdf_forms=False, pdf_variant=PDF_VARIANT, pdf_tags=True)


# --- What the template shows ----------------------------------------------------------


class DisplayText(str):
    """Text prepared by `display_text`, carrying its own direction in `dir`.

    `dir` is "rtl" or "ltr" from the first strong letter (HTML's `dir="auto"`), or ""
    when there is none. The template sets it on the block holding the text: WeasyPrint
    lays out each wrapped line on its own, so an isolate opened on one line does not
    reach the next, but a block's direction applies to all of its lines.
    """

    dir: str = ""


def text_direction(text: str) -> str:
    """'ltr' or 'rtl' after the first strong character of `text`, '' when it has none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def _display(text: str) -> DisplayText:
    result = DisplayText(text)
    result.dir = text_direction(text)
    return result


def display_text(value: str) -> DisplayText:
    """Stored (untrusted) text made safe to lay out; multi-line values keep their lines.

    - Each direction control (explicit, isolate or mark) is printed as a visible `[U+202E]`
      marker, as every page and e-mail shows it (`reveal`): nothing displays reversed, and
      what is signed reads the same everywhere.
    - Each line is wrapped in FSI…PDI: its direction comes from its own first letter, so
      an English line inside the Arabic document (or `<img src="…">` typed as a clause)
      keeps its punctuation at the right ends, and numbers like `+966 13 855 0000` stay
      in order inside a sentence. WeasyPrint ignores CSS `unicode-bidi`, hence characters.
    - Runs of blank lines collapse to one: they carry no wording, and a hostile text
      could otherwise fill hundreds of empty pages.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _BLANK_LINES.sub("\n\n", text).strip()
    lines = [f"{FSI}{reveal_bidi(line)}{PDI}" if line.strip() else "" for line in text.split("\n")]
    result = _display("\n".join(lines))
    result.dir = text_direction(text.translate(_ALL_BIDI))
    return result


def display_name(value: str) -> DisplayText:
    """A name or title for the PDF: one line, each direction control shown as `[U+202E]`.

    A signed document must not mislead about who the parties are, so a control in a
    name is neither obeyed nor silently dropped: it is printed as a visible marker
    (isolated left-to-right, so it reads the same in both languages), and the name as a
    whole is isolated (FSI…PDI) from the text around it.
    """
    text = " ".join((value or "").split())
    pieces = [f"{LRI}[{control_label(piece)}]{PDI}" if control else piece for piece, control in split_controls(text)]
    result = _display(f"{FSI}{''.join(pieces)}{PDI}" if text else "")
    result.dir = text_direction("".join(piece for piece, control in split_controls(text) if not control))
    return result


def display_lines(value: str) -> list[DisplayText]:
    """`display_text` split into lines, each with its own direction (one block per line)."""
    text = display_text(value)
    lines = []
    for line in text.split("\n") if text else []:
        shown = DisplayText(line)
        shown.dir = text_direction(_without_markers(line))
        lines.append(shown)
    return lines


def _without_markers(line: str) -> str:
    """A revealed line without its `[U+202E]` markers: what decides its direction."""
    return _MARKER.sub("", line).translate(_ALL_BIDI)


def clause_label(number: int) -> str:
    """`البند الأول`, `البند الثاني`, ... in Arabic; `Clause 1`, `Clause 2`, ... in English."""
    if translation.get_language() == "ar" and number <= MAX_ORDINAL:
        return _("Clause %(number)s") % {"number": arabic_ordinal(number)}
    return _("Clause %(number)s") % {"number": f"{LRI}{number}{PDI}"}


def page_footer_css(template: str) -> str:
    """The CSS `content` value of a footer like `Page %(number)s of %(total)s`.

    The translated words become CSS strings around `counter(page)` / `counter(pages)`,
    escaped so the translation can never end the string or the style element.
    """
    counters = {"number": "counter(page)", "total": "counter(pages)"}
    pieces = re.split(r"%\((number|total)\)s", template)
    css = []
    for index, piece in enumerate(pieces):
        if index % 2:
            css.append(counters[piece])
        elif piece:
            escaped = "".join(ch if ch.isalnum() or ch in " .:-،" else f"\\{ord(ch):x} " for ch in piece)
            css.append(f'"{escaped}"')
    return " ".join(css)


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as a PNG data URI, one square of 8 × 8 pixels per module.

    A raster, not SVG: WeasyPrint draws an SVG path point by point on every render, which
    cost as much as a page of text for the two codes a document prints (issue #19). At the
    printed 24–28 mm the PNG is over 300 dpi and the modules keep sharp edges.

    The PNG is 8-bit greyscale, written by Pillow: WeasyPrint turns a 1-bit PNG (segno's)
    into RGB and compresses three times the data again for the PDF, and segno's own PNG
    writer is pure Python; the pixels are the same black and white.
    """
    rows = [
        bytes(0 if dark else 255 for dark in row)
        for row in segno.make(url, error="m", micro=False).matrix_iter(border=2)
    ]
    side = len(rows)
    image = Image.frombytes("L", (side, side), b"".join(rows)).resize((side * 8, side * 8), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return _png_data_uri(buffer.getvalue())


def _png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def logo_data_uri(charity: CharityProfile) -> str:
    """The charity's logo as a data URI, or "" when there is none or it cannot be read.

    Only raster formats Pillow recognises are embedded; a missing or unreadable file is
    logged and the letterhead is printed without it rather than failing the document.
    """
    if not charity.logo:
        return ""
    try:
        with charity.logo.open("rb") as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            mime_type = _LOGO_MIME_TYPES.get(image.format or "")
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("PDF render: the charity logo %s cannot be read", charity.logo.name, exc_info=True)
        return ""
    if mime_type is None:
        logger.warning("PDF render: the charity logo %s is not PNG, JPEG, GIF or WebP", charity.logo.name)
        return ""
    return f"data:{mime_type};base64," + base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class _Representative:
    name: str
    title: str


@dataclass(frozen=True)
class _CommitmentRow:
    party: str
    description: str
    quantity: str  # «20 متدربًا»: the target counted in the document's language
    due_on: datetime.date


@dataclass(frozen=True)
class _ClauseSection:
    label: str
    kind: str
    responsible: str
    lines: list[DisplayText]
    commitments: list[_CommitmentRow]


@dataclass(frozen=True)
class _SignatureView:
    party: str
    party_label: str
    organisation: str
    name: str
    title: str
    email: str
    signed_at: datetime.datetime | None
    ip: str
    user_agent: str
    method: str
    via: str
    image_uri: str
    typed_text: str
    typed_size: str = "l"


def typed_size(text: str) -> str:
    """The size step of a typed signature, so the longest allowed (100 characters) fits its
    box on at most two lines: l (22pt, up to 22 characters), m, s, xs. The signing page's
    preview uses the same steps (static/js/sign.js)."""
    length = len(text.strip())
    return "l" if length <= 22 else "m" if length <= 32 else "s" if length <= 56 else "xs"


def _via(block: SignatureBlock) -> str:
    if block.via != "link":
        return _("Through the portal account")
    if block.identity_checked_at:
        return _("Through the signing link, the e-mail address confirmed by a one-time code")
    return _("Through the signing link")


def _signature_view(block: SignatureBlock, *, organisation: str) -> _SignatureView:
    return _SignatureView(
        party=block.party,
        party_label=_("First party") if block.party == Party.CHARITY else _("Second party"),
        organisation=organisation,
        name=display_name(block.name),
        title=display_name(block.title),
        email=display_text(block.email),
        signed_at=timezone.localtime(block.signed_at),
        ip=block.ip,
        user_agent=display_text(block.user_agent),
        method=_("Drawn signature") if block.method == "drawn" else _("Typed signature"),
        via=_via(block),
        image_uri=_png_data_uri(block.image_png) if block.method == "drawn" and block.image_png else "",
        typed_text=display_name(block.typed_text) if block.method == "typed" else "",
        typed_size=typed_size(block.typed_text) if block.method == "typed" else "l",
    )


def _unsigned_view(party: str, *, organisation: str, representative: _Representative | None) -> _SignatureView:
    return _SignatureView(
        party=party,
        party_label=_("First party") if party == Party.CHARITY else _("Second party"),
        organisation=organisation,
        name=representative.name if representative else "",
        title=representative.title if representative else "",
        email="",
        signed_at=None,
        ip="",
        user_agent="",
        method="",
        via="",
        image_uri="",
        typed_text="",
    )


def _partner_representatives(data: PdfInput) -> list[_Representative]:
    """The partner's signatories: who signed, else the contacts allowed to sign."""
    signed = [
        _Representative(display_name(block.name), display_name(block.title))
        for block in data.signatures
        if block.party == Party.PARTNER
    ]
    if signed:
        return signed
    contacts = data.agreement.partner.contacts.filter(can_sign=True, is_active=True)
    return [_Representative(display_name(contact.name), display_name(contact.title)) for contact in contacts]


def _quantity(target: int, unit: str) -> str:
    """The target with its counted noun («20 متدربًا», «متدربان»), the numeral isolated LRI…PDI."""
    return counted(target, unit).replace(str(target), f"{LRI}{target}{PDI}", 1)


def _clause_sections(data: PdfInput, *, charity_name: str, partner_name: str) -> list[_ClauseSection]:
    # Two queries whatever the number of clauses: the clauses, then their commitments.
    commitments = Commitment.objects.order_by("party", "id")
    clauses = data.agreement.clauses.order_by("order").prefetch_related(Prefetch("commitments", queryset=commitments))
    parties = {Party.CHARITY: charity_name, Party.PARTNER: partner_name}
    sections = []
    # Numbered by position, so the document always reads first, second, third... even
    # when stored orders have gaps after a clause was removed.
    for number, clause in enumerate(clauses, start=1):
        rows = [
            _CommitmentRow(
                party=parties.get(commitment.party, commitment.get_party_display()),
                description=display_text(commitment.description),
                quantity=_quantity(commitment.target_quantity, commitment.unit),
                due_on=commitment.due_on,
            )
            for commitment in clause.commitments.all()
        ]
        sections.append(
            _ClauseSection(
                label=clause_label(number),
                kind=clause.get_kind_display(),
                responsible=clause.get_responsible_party_display(),
                lines=display_lines(clause.text),
                commitments=rows,
            )
        )
    return sections


def _bilingual(obj, field: str) -> str:
    """The English value in English when it is filled in, else the Arabic one."""
    if translation.get_language() == "en" and getattr(obj, f"{field}_en", ""):
        return getattr(obj, f"{field}_en")
    return getattr(obj, f"{field}_ar")


def seal_description() -> str:
    """What the certificate page says of the seal the PDF is about to receive, in the active
    language: its PAdES level (from the configuration, `seal.seal_level`), the time-stamping
    authority and whether the certificate comes from a trusted certification authority. The
    timestamp's exact time is inside the seal; the verification page reads it back."""
    level = seal_level()
    if level == LEVEL_B_B:
        text = _("PAdES B-B: no timestamp from a time-stamping authority; the signing time is the portal's own claim.")
    else:
        host = urlsplit(settings.SEAL_TSA_URL).hostname or settings.SEAL_TSA_URL
        text = _(
            "PAdES %(level)s: timestamped by the time-stamping authority %(authority)s, with the validation data "
            "embedded for long-term checking."
        ) % {"level": level, "authority": f"{LRI}{host}{PDI}"}
    if settings.SEAL_TRUST_ROOTS:
        trust = _("The seal certificate is issued by a certification authority.")
    else:
        trust = _(
            "The seal certificate is self-signed (demonstration): PDF readers show it as not trusted; "
            "the verification page confirms it."
        )
    return f"{text} {trust}"


def _context(data: PdfInput, *, clauses: list[_ClauseSection] | None = None) -> dict:
    """The template's context: plain values only, so the template runs no queries.

    `clauses` is for `warm_up()`, which renders without a database.
    """
    agreement, charity = data.agreement, data.charity
    partner = agreement.partner
    charity_name, partner_name = display_name(charity.name), display_name(partner.name)
    representatives = _partner_representatives(data)
    chairman = _Representative(display_name(charity.chairman_name), display_name(charity.chairman_title))

    signatures = []
    for party, organisation, fallback in (
        (Party.CHARITY, charity_name, chairman),
        (Party.PARTNER, partner_name, representatives[0] if representatives else None),
    ):
        blocks = [block for block in data.signatures if block.party == party]
        signatures += [_signature_view(block, organisation=organisation) for block in blocks] or [
            _unsigned_view(party, organisation=organisation, representative=fallback)
        ]

    return {
        # Document metadata (title, author) is plain text: no isolation characters.
        "meta_title": f"{agreement.reference} — {header_text(agreement.title).translate(_EXPLICIT_BIDI)}",
        "meta_author": header_text(charity.name).translate(_EXPLICIT_BIDI),
        "lang": data.language,
        "dir": "rtl" if data.language == "ar" else "ltr",
        "comma": "، " if data.language == "ar" else ", ",
        "footer_css": page_footer_css(_("Page %(number)s of %(total)s")),
        "charity": {
            "name": charity_name,
            "committee": display_name(charity.committee),
            "address": display_text(_bilingual(charity, "address")),
            "phone": charity.phone,
            "email": charity.email,
            "website": charity.website,
            "logo_uri": logo_data_uri(charity),
            "chairman": chairman,
        },
        "agreement": {
            "title": display_name(agreement.title),
            "reference": agreement.reference,
            "summary": display_lines(agreement.summary),
            "signed_on": agreement.signed_on,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
        },
        "partner": {"name": partner_name, "representatives": representatives},
        "clauses": clauses
        if clauses is not None
        else _clause_sections(data, charity_name=charity_name, partner_name=partner_name),
        "signatures": signatures,
        "signed": [view for view in signatures if view.signed_at],
        "audit": [
            AuditLine(at=timezone.localtime(line.at), event=display_text(line.event), actor=display_name(line.actor))
            for line in data.audit
        ],
        "content_hash": data.content_hash,
        "seal": seal_description(),
        "verification_url": data.verification_url,
        "qr_uri": qr_data_uri(data.verification_url),
    }


def agreement_html(data: PdfInput) -> str:
    """The HTML that `render_agreement_pdf` lays out, in `data.language`.

    Runs three or four queries whatever the number of clauses (partner, clauses,
    commitments, and the partner's signing contacts when no partner signature is given).
    """
    with translation.override(data.language):
        return render_to_string("pdf/agreement.html", _context(data))


def render_agreement_pdf(data: PdfInput) -> bytes:
    """The agreement PDF in `data.language`: letterhead, parties, numbered clauses with
    their commitments, both signatures, and a signing certificate as the last page.

    Queries as `agreement_html`; the PDF is not sealed (see `seal.seal_pdf`).
    """
    return html_to_pdf(agreement_html(data))


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 4), (23, 63, 107, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def warm_up() -> None:
    """Render a tiny document in both languages, without the database.

    The first render in a process loads the fonts into the font configuration, parses
    the stylesheet, compiles the templates, reads both translation catalogues and warms
    Pango's shaping caches; doing it at worker start keeps that cost out of the first
    real document. Safe to call more than once.
    """
    now = timezone.now()
    charity = CharityProfile(name_ar="خيرية", name_en="Charity", chairman_name_ar="اسم", chairman_name_en="Name")
    agreement = Agreement(
        reference="QC-0000-0000",
        title_ar="اتفاقية شراكة 2026",
        title_en="Partnership agreement 2026",
        partner=Partner(name_ar="جمعية", name_en="Association"),
        signed_on=now.date(),
        starts_on=now.date(),
        ends_on=now.date(),
    )
    signatures = [
        SignatureBlock(
            party="charity",
            name="اسم Name",
            title="رئيس",
            email="a@example.org",
            signed_at=now,
            ip="127.0.0.1",
            user_agent="Mozilla/5.0",
            method="drawn",
            via="account",
            image_png=_tiny_png(),
        ),
        SignatureBlock(
            party="partner",
            name="اسم Name",
            title="عميد",
            email="b@example.org",
            signed_at=now,
            ip="::1",
            user_agent="Mozilla/5.0",
            method="typed",
            via="link",
            typed_text="اسم Name",
        ),
    ]
    for language in ("ar", "en"):
        data = PdfInput(
            agreement=agreement,
            charity=charity,
            signatures=signatures,
            audit=[AuditLine(at=now, event="signed 0123456789", actor="اسم")],
            content_hash="0" * 64,
            verification_url="https://example.org/verify/0",
            language=language,
        )
        with translation.override(language):
            clauses = [
                _ClauseSection(
                    label=clause_label(1),
                    kind="تبادل الخبرات",
                    responsible="الطرفان",
                    lines=display_lines("نص البند 0123456789\nClause text"),
                    commitments=[_CommitmentRow("خيرية", "وصف", _quantity(20, "trainees"), now.date())],
                )
            ]
            html = render_to_string("pdf/agreement.html", _context(data, clauses=clauses))
        html_to_pdf(html)
