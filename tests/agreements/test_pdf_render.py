"""The agreement PDF as people read it: real WeasyPrint renders, text read back with pdftotext."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from agreements.models import Agreement, Commitment
from agreements.pdf.context import PdfInput, SignatureBlock
from agreements.pdf.ordinals import arabic_ordinal
from agreements.pdf.render import (
    RestrictedURLFetcher,
    clause_label,
    display_text,
    html_to_pdf,
    page_footer_css,
    render_agreement_pdf,
    warm_up,
)
from partners.models import CharityProfile
from tests.agreements.conftest import make_audit, make_signatures, squash
from tests.conftest import service_missing
from tests.factories import ContactFactory, PartnerFactory, agreement_with_clauses

HASH = hashlib.sha256(b"agreement content").hexdigest()
VERIFY_URL = "https://portal.qatif-charity.example/verify/QC-2026-0001/"


def _input(agreement: Agreement, *, language: str = "ar", signatures: list[SignatureBlock] | None = None) -> PdfInput:
    return PdfInput.build(
        agreement=agreement,
        signatures=make_signatures() if signatures is None else signatures,
        audit=make_audit(),
        content_hash=HASH,
        verification_url=VERIFY_URL,
        language=language,
    )


@pytest.fixture
def agreement(db) -> Agreement:
    partner = PartnerFactory(name_ar="الكلية التقنية بالقطيف", name_en="Technical College in Qatif")
    return agreement_with_clauses(
        clauses=3,
        partner=partner,
        title_ar="اتفاقية شراكة في التدريب التقني والفرص التطوعية",
        title_en="Partnership on technical training and volunteering",
    )


def test_arabic_pdf_shows_title_partner_signers_reference_and_arabic_clause_numbers(agreement, pdf_pages):
    pages = pdf_pages(render_agreement_pdf(_input(agreement)))
    text = squash("".join(pages))

    assert squash("اتفاقية شراكة في التدريب التقني والفرص التطوعية") in text
    assert squash("الكلية التقنية بالقطيف") in text
    assert squash("أسامة الزاير") in text and squash("سلمان الممثل") in text
    assert agreement.reference in text
    # Clauses are numbered with Arabic ordinal words (البند الأول، البند الثاني...), in order.
    with translation.override("ar"):
        labels = [squash(clause_label(number)) for number in (1, 2, 3)]
    assert all(word in label for word, label in zip(("الأول", "الثاني", "الثالث"), labels, strict=True))
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    # Gregorian and Hijri dates: the factory's 16 March 2026 is 27 Ramadan 1447.
    assert "16مارس2026" in text and "27رمضان1447" in text


def test_arabic_pdf_numbers_every_page_as_page_x_of_y(agreement, pdf_pages):
    pages = pdf_pages(render_agreement_pdf(_input(agreement)))

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        # pdftotext prints a page it judges mostly left-to-right in visual order, which
        # turns the footer around (3 من 1 صفحة); either order has the right numbers.
        footer = squash(page)
        assert f"صفحة{number}من{len(pages)}" in footer or f"{len(pages)}من{number}صفحة" in footer


def test_certificate_is_the_last_page_with_hash_and_how_each_party_signed(agreement, pdf_pages):
    pages = pdf_pages(render_agreement_pdf(_input(agreement)))
    certificate = squash(pages[-1])

    assert HASH in certificate
    assert HASH not in squash("".join(pages[:-1]))  # the certificate starts on a page of its own
    for value in ("أسامةالزاير", "سلمانالممثل", "10.20.30.40", "2001:db8::7", "dean@partner.example"):
        assert value in certificate
    assert "2026-03-1610:42:05+0300" in certificate  # signing time, in Riyadh time
    assert "أرسلت" in certificate and "للتوقيع" in certificate  # the audit trail
    # The link signer proved their mailbox with the e-mailed code; the account signer logged in.
    assert squash("تأكيد البريد الإلكتروني برمز لمرة") in certificate
    assert squash("عبر حسابه في البوابة") in certificate


def test_english_pdf_is_left_to_right_with_english_title_and_page_x_of_y(agreement, pdf_pages):
    pdf = render_agreement_pdf(_input(agreement, language="en"))
    pages = pdf_pages(pdf)
    text = squash("".join(pages))

    assert "PartnershipontechnicaltrainingandvolunteeringPage" not in text  # footer is apart
    assert squash("Partnership on technical training and volunteering") in text
    assert squash("Technical College in Qatif") in text
    assert "Clause1" in text and "Clause3" in text
    assert "16March2026" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert _document_language(pdf) == "en"


def test_commitment_targets_are_counted_in_the_grammar_of_each_language(agreement, pdf_pages):
    """Was «20 متدربين» («trainees» after any number); 11–99 take the singular: «20 متدربًا»."""
    arabic = squash("".join(pdf_pages(render_agreement_pdf(_input(agreement)))))
    # pdftotext may print an Arabic line in visual order: the number on either side.
    assert "20متدربًا" in arabic or "متدربًا20" in arabic
    assert "متدربين" not in arabic
    english = "".join(pdf_pages(render_agreement_pdf(_input(agreement, language="en"))))
    assert "20 trainees" in english


def test_arabic_is_the_default_language(agreement):
    data = PdfInput.build(agreement=agreement, signatures=[], audit=[], content_hash=HASH, verification_url=VERIFY_URL)
    assert data.language == "ar"
    assert _document_language(render_agreement_pdf(data)) == "ar"


def _document_language(pdf: bytes) -> str:
    return str(PdfFileReader(io.BytesIO(pdf)).root["/Lang"])


def test_qr_code_caption_is_on_the_first_and_the_last_page(agreement, pdf_pages):
    pages = pdf_pages(render_agreement_pdf(_input(agreement, language="en")))

    assert "Scan to verify" in pages[0]
    assert "Scan to verify" in pages[-1]
    assert all("Scan to verify" not in page for page in pages[1:-1])


def test_the_qr_codes_read_back_as_the_verification_address(agreement, tmp_path):
    """The code on the first and the last page, printed as the reader's software sees it (150 dpi
    raster of the page), decodes to the verification address."""
    import zxingcpp

    if not shutil.which("pdftoppm"):
        service_missing("pdftoppm (poppler-utils) is not installed")
    path = tmp_path / "agreement.pdf"
    path.write_bytes(render_agreement_pdf(_input(agreement)))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))

    read = [[code.text for code in zxingcpp.read_barcodes(Image.open(page))] for page in pages]
    assert read[0] == [VERIFY_URL] and read[-1] == [VERIFY_URL]
    assert all(codes == [] for codes in read[1:-1])


def test_no_image_asks_the_reader_to_smooth_it(agreement):
    """PDF/A forbids /Interpolate true on an image (WeasyPrint writes it for image-rendering: auto)."""
    pdf = PdfFileReader(io.BytesIO(render_agreement_pdf(_input(agreement))))
    images = []
    for page in pdf.root["/Pages"]["/Kids"]:
        for xobject in page.get_object()["/Resources"].get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                images.append(bool(xobject.get("/Interpolate", False)))
    assert len(images) >= 3  # two QR codes and the drawn signature
    assert not any(images)


def test_drawn_signature_is_embedded_as_an_image_and_typed_one_as_text(agreement, pdf_pages, pdf_images):
    pdf = render_agreement_pdf(_input(agreement))

    assert (600, 200) in pdf_images(pdf)  # drawn_signature_png's size
    assert "سلمانالممثل" in squash("".join(pdf_pages(pdf)))


def test_unsigned_partner_falls_back_to_contacts_who_may_sign(agreement, pdf_pages):
    ContactFactory(partner=agreement.partner, name_ar="نادر المفوض", can_sign=True)
    ContactFactory(partner=agreement.partner, name_ar="هالة غير المفوضة", can_sign=False)
    charity_only = [block for block in make_signatures() if block.party == "charity"]

    text = squash("".join(pdf_pages(render_agreement_pdf(_input(agreement, signatures=charity_only)))))

    assert "نادرالمفوض" in text
    assert "هالةغيرالمفوضة" not in text


def test_charity_logo_is_printed_on_the_letterhead(agreement, pdf_images, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (123, 77), (31, 122, 77)).save(buffer, format="PNG")
    profile = CharityProfile.load()
    profile.logo.save("logo.png", ContentFile(buffer.getvalue()))

    assert (123, 77) in pdf_images(render_agreement_pdf(_input(agreement)))


def test_unreadable_logo_is_left_out_and_the_pdf_still_renders(agreement, pdf_pages, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    profile = CharityProfile.load()
    profile.logo.save("logo.png", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))

    assert agreement.reference in squash("".join(pdf_pages(render_agreement_pdf(_input(agreement)))))


def test_render_runs_the_same_queries_for_3_and_12_clauses(db, django_assert_num_queries):
    for clauses in (3, 12):
        agreement = Agreement.objects.get(pk=agreement_with_clauses(clauses=clauses).pk)
        data = _input(agreement)
        # 1. the agreement's partner, 2. its clauses, 3. their commitments.
        with django_assert_num_queries(3):
            render_agreement_pdf(data)


# --- Untrusted text -----------------------------------------------------------------------


def test_hostile_clause_text_is_printed_literally_and_nothing_is_fetched_or_embedded(db, recording_server, pdf_pages):
    base = f"http://127.0.0.1:{recording_server.server_port}"
    hostile = [
        f'<img src="{base}/img.png">',
        '<img src="file:///etc/passwd"> file:///etc/passwd',
        f"<style>@import url({base}/import.css);</style> @import url({base}/bare.css);",
        '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
        '<link rel="attachment" href="/etc/passwd">',
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg.png"/></svg>',
        "\u202eevil-text-reversed",
        "\n".join(f"سطر رقم {number}" for number in range(10_000)),
    ]
    partner = PartnerFactory(name_ar=f'<img src="{base}/partner.png">')
    agreement = agreement_with_clauses(
        clauses=len(hostile), partner=partner, title_ar=f'<link rel="stylesheet" href="{base}/title.css">'
    )
    for clause, text in zip(agreement.clauses.order_by("order"), hostile, strict=True):
        clause.text_ar = text
        clause.save()
    signatures = make_signatures(partner_name=f'<img src="{base}/signer.png">')

    pdf = render_agreement_pdf(_input(agreement, signatures=signatures))

    assert recording_server.requests == []
    assert b"/EmbeddedFile" not in pdf
    assert b"/FileAttachment" not in pdf
    passwd_first_line = Path("/etc/passwd").read_bytes().splitlines()[0].strip()
    text = "".join(pdf_pages(pdf))
    assert passwd_first_line not in pdf
    assert passwd_first_line.decode() not in text
    raw = "".join(pdf_pages(pdf, raw=True))  # left-to-right lines exactly as drawn
    for literal in (
        f'<img src="{base}/img.png">',
        '<img src="file:///etc/passwd"> file:///etc/passwd',
        f"<style>@import url({base}/import.css);</style> @import url({base}/bare.css);",
        '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
        '<link rel="attachment" href="/etc/passwd">',
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg.png"/></svg>',
        f'<img src="{base}/partner.png">',
        f'<link rel="stylesheet" href="{base}/title.css">',
    ):
        assert literal in raw
    # The right-to-left override is dropped: the words read in the order they were typed.
    assert "evil-text-reversed" in raw and "desrever-txet-live" not in raw
    assert "سطررقم9999" in squash(text)  # all 10 000 lines are there


def test_fetcher_blocks_network_files_and_attachments_even_in_raw_markup(db, recording_server, pdf_images):
    base = f"http://127.0.0.1:{recording_server.server_port}"
    svg = (
        "data:image/svg+xml,"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><image href='{base}/svg.png' "
        "width='10' height='10'/><image href='file:///etc/passwd' width='10' height='10'/></svg>"
    )
    allowed_png = "data:image/png;base64," + base64.b64encode(_png(31, 17)).decode()
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/linked.css"><link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url({base}/import.css); body {{ background: url({base}/bg.png) }}</style>
      <link rel="attachment" href="file:///etc/passwd"><link rel="attachment" href="data:text/plain,secret">
      </head><body>
      <img src="{base}/img.png"><img src="file:///etc/passwd"><img src="file://example.org/etc/passwd">
      <img src="{svg}"><img src="{allowed_png}">
      <a rel="attachment" href="file:///etc/passwd">a</a><a rel="attachment" href="data:text/plain,secret2">b</a>
      </body></html>"""

    pdf = html_to_pdf(html)

    assert recording_server.requests == []
    assert b"/EmbeddedFile" not in pdf
    assert pdf_images(pdf) == [(31, 17)]  # data: URIs still load


def test_the_recording_server_would_see_a_fetch_by_weasyprints_default_fetcher(recording_server):
    # Control for the two tests above: without the restricted fetcher, WeasyPrint fetches.
    url = f"http://127.0.0.1:{recording_server.server_port}/control.png"
    pdf = weasyprint.HTML(string=f'<img src="{url}"><a rel="attachment" href="data:text/plain,x">x</a>').write_pdf()
    assert recording_server.requests == ["/control.png"]
    assert b"/EmbeddedFile" in pdf


def test_fetcher_allows_static_files_and_refuses_symlinks_out_of_them(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p { color: green }")
    (static / "escape.txt").symlink_to("/etc/passwd")
    fetcher = RestrictedURLFetcher(allowed_dirs=[static], allowed_files=[])

    response = fetcher.fetch((static / "ok.css").as_uri())
    assert response.read() == b"p { color: green }"
    assert response.content_type == "text/css"
    for url in (
        (static / "escape.txt").as_uri(),
        f"file://{static}/../../../etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)


# --- Building blocks ------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("number", "word"),
    [
        (1, "الأول"),
        (2, "الثاني"),
        (10, "العاشر"),
        (11, "الحادي عشر"),
        (12, "الثاني عشر"),
        (19, "التاسع عشر"),
        (20, "العشرون"),
        (21, "الحادي والعشرون"),
        (35, "الخامس والثلاثون"),
        (99, "التاسع والتسعون"),
        (100, "المائة"),
    ],
)
def test_arabic_ordinal_words(number, word):
    assert arabic_ordinal(number) == word


@pytest.mark.parametrize("number", [0, 101, -1])
def test_arabic_ordinal_refuses_numbers_it_has_no_word_for(number):
    with pytest.raises(ValueError):
        arabic_ordinal(number)


def test_display_text_shows_direction_controls_as_markers_and_isolates_each_line():
    # What was signed is what is shown: a control is a visible, isolated marker, never obeyed.
    assert display_text("a\u202eb\u2066c\r\nd\n\n\n\n\ne") == (
        "\u2068a\u2066[U+202E]\u2069b\u2066[U+2066]\u2069c\u2069\n\u2068d\u2069\n\n\u2068e\u2069"
    )


def test_page_footer_escapes_the_translation_inside_the_css_string():
    assert page_footer_css("Page %(number)s of %(total)s") == '"Page " counter(page) " of " counter(pages)'
    hostile = page_footer_css('x"; } </style><img src=x> %(number)s')
    assert '"' not in hostile.removeprefix('"').split('" counter')[0]
    assert "<" not in hostile and "}" not in hostile


def test_signature_block_rules():
    good = make_signatures()[0]
    with pytest.raises(ValueError, match="PNG"):
        SignatureBlock(**{**good.__dict__, "image_png": b"GIF89a"})
    with pytest.raises(ValueError, match="aware"):
        SignatureBlock(**{**good.__dict__, "signed_at": good.signed_at.replace(tzinfo=None)})
    with pytest.raises(ValueError):
        SignatureBlock(**{**good.__dict__, "ip": "not-an-ip"})
    with pytest.raises(ValueError, match="typed"):
        SignatureBlock(**{**good.__dict__, "method": "typed", "typed_text": " "})


def test_pdf_input_rules(agreement):
    with pytest.raises(ValueError, match="SHA-256"):
        _input_with(agreement, content_hash="ABC")
    with pytest.raises(ValueError, match="verification_url"):
        _input_with(agreement, verification_url="javascript:alert(1)")
    with pytest.raises(ValueError, match="language"):
        _input_with(agreement, language="fr")


def _input_with(agreement, **changes) -> PdfInput:
    fields = {
        "agreement": agreement,
        "charity": CharityProfile.load(),
        "signatures": [],
        "audit": [],
        "content_hash": HASH,
        "verification_url": VERIFY_URL,
        "language": "ar",
    }
    return PdfInput(**{**fields, **changes})


def test_warm_up_renders_without_the_database():
    # No `db` fixture: pytest-django fails any query, so this proves warm_up needs none.
    warm_up()


def test_the_html_parser_finds_its_compiled_character_classes_again():
    """tinyhtml5 2.1 files each compiled class under the regex instead of its characters, so
    every lookup missed (half of an agreement's parse); the engine files them rightly."""
    from tinyhtml5 import inputstream

    html_to_pdf("<html><body><p>نص <b>تجريبي</b> &amp; text</p></body></html>")
    keys = list(inputstream.characters_until_regex)
    assert keys
    assert not any(isinstance(characters, re.Pattern) for characters, _ in keys)
    html_to_pdf("<html><body><p>نص آخر <i>تجريبي</i> &amp; more</p></body></html>")
    assert list(inputstream.characters_until_regex) == keys


def test_worker_process_start_warms_up_the_renderer_connected_by_autodiscovery(monkeypatch, caplog):
    from celery.signals import worker_process_init

    from agreements.pdf import render
    from qatif_partnerships.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovers agreements.tasks
    monkeypatch.setattr(render, "_engine", None)

    worker_process_init.send(sender=None)

    assert render._engine is not None
    assert "warm-up failed" not in caplog.text


def test_clause_labels_follow_the_language():
    with translation.override("en"):
        assert re.fullmatch(r"Clause \u20663\u2069", clause_label(3))
    with translation.override("ar"):
        assert "الثالث" in clause_label(3)
        assert "101" in clause_label(101)


def test_rendering_never_sets_font_features_per_layout(agreement):
    # WeasyPrint 70 leaks a Pango attribute list for every text layout styled with a
    # font-feature property (~0.35 MB per document); the stylesheet sets "calt" in
    # @font-face instead. WeasyPrint fills this cache exactly when it takes that path.
    from agreements.pdf import render

    render_agreement_pdf(_input(agreement))
    render_agreement_pdf(_input(agreement, language="en"))

    assert render._get_engine().font_config.font_features == {}


# A realistic four-part name (54 characters) and the longest typed signature the form allows.
FOUR_PART_NAME = "عبدالرحمن بن عبدالله بن محمد بن علي آل سيف القطيفي الخالدي"[:54]
LONGEST_TYPED = ("محمد بن عبدالله بن عبدالرحمن بن إبراهيم آل عبدالمحسن " * 2)[:100]


@pytest.mark.parametrize("typed", [FOUR_PART_NAME, LONGEST_TYPED], ids=["four-part-name", "100-characters"])
def test_a_long_typed_signature_stays_inside_its_box_above_the_printed_name(agreement, typed, tmp_path):
    """Each typed word is drawn above the signatory's printed name, never over it (pdftotext -bbox)."""
    blocks = make_signatures()
    blocks[1] = SignatureBlock(**{**blocks[1].__dict__, "typed_text": typed})
    pdf = render_agreement_pdf(_input(agreement, signatures=blocks))
    path = tmp_path / "typed.pdf"
    path.write_bytes(pdf)
    artifact = Path(__file__).resolve().parents[1] / "artifacts" / f"typed-signature-{len(typed)}.pdf"
    artifact.parent.mkdir(parents=True, exist_ok=True)
    artifact.write_bytes(pdf)  # to look at: pdftoppm -png -r 80
    import subprocess

    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # pdftotext -bbox lists each page's words in drawing order: Arabic words come reversed.
    typed_words = {word[::-1] for word in typed.split()}
    for page in boxes.split("<page ")[1:]:
        words = [
            (float(y_min), float(y_max), word)
            for y_min, y_max, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', page)
        ]
        drawn = [w for w in words if w[2] in typed_words]
        if len({w[2] for w in drawn}) >= len(typed_words) - 1:
            break
    else:
        raise AssertionError("no page shows the typed signature")
    # Under the partner's box: the printed name «سلمان الممثل».
    name_top = min(y_min for y_min, _y_max, word in words if word == "الممثل"[::-1])
    assert max(y_max for _y_min, y_max, _word in drawn) <= name_top, "the typed signature runs over the printed name"
    lines = {round(y_min) for y_min, _y_max, _word in drawn}
    assert len(lines) <= 2, f"the typed signature takes {len(lines)} lines"


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def test_tables_and_commitments_stay_inside_the_margins_whatever_the_text(agreement):
    """No table (letterhead, dates, parties, signatures, facts) and no commitment runs past the
    page margins; the commitments, printed as blocks rather than table rows (issue #19: the
    rows' cells were most of the cost per page), wrap a long description onto more lines
    instead of widening anything."""
    from weasyprint import HTML

    from agreements.pdf.render import _get_engine, agreement_html

    commitment = agreement.clauses.order_by("order").first().commitments.first()
    commitment.description_ar = "تدريب المستفيدين على المهارات التقنية والمهنية في ورش عمل أسبوعية " * 6
    commitment.save()
    engine = _get_engine()
    document = HTML(string=agreement_html(_input(agreement)), url_fetcher=engine.url_fetcher).render(
        font_config=engine.font_config, stylesheets=[engine.stylesheet]
    )

    tables, commitments, long_lines = 0, 0, 0
    for page in document.pages:
        area = page._page_box
        left, right = area.content_box_x(), area.content_box_x() + area.width
        for box in _boxes(area):
            kind = type(box).__name__
            classes = (box.element.get("class") or "").split() if box.element is not None else []
            is_table, is_commitment = kind == "TableBox", kind == "BlockBox" and "commitment" in classes
            tables += is_table
            commitments += is_commitment
            if is_table or is_commitment:
                assert left - 0.5 <= box.position_x and box.position_x + box.border_width() <= right + 0.5, (
                    box.element.get("class"),
                    box.position_x,
                    box.border_width(),
                )
            if kind == "BlockBox" and "commitment-text" in classes:
                long_lines = max(long_lines, len(box.children))
    assert tables >= 5
    assert commitments == Commitment.objects.filter(clause__agreement=agreement).count()
    # The long description wraps onto several lines inside its block.
    assert long_lines >= 3
