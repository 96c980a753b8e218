"""Fixtures for the signed agreement PDF: signatures, a throwaway seal, text extraction."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from PIL import Image, ImageDraw

from agreements.pdf.context import AuditLine, SignatureBlock
from tests.conftest import service_missing

RIYADH = datetime.timezone(datetime.timedelta(hours=3))
# What pdftotext puts around right-to-left runs, and the isolates the PDF uses.
_FORMATTING = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def squash(text: str) -> str:
    """Text without whitespace and bidi formatting characters.

    pdftotext wraps long values over lines and places Arabic marks (tanween, shadda) a
    letter early; comparing squashed text still checks every letter.
    """
    return "".join(text.translate(_FORMATTING).split())


@pytest.fixture
def pdf_pages():
    """`pdf_pages(pdf, raw=False) -> list[str]`: the text of each page, from pdftotext.

    `-layout` (the default) reorders right-to-left text into reading order, but moves
    neutral characters at the ends of a left-to-right line inside an Arabic page
    (`<img src="x">` reads `>"<img src="x`). `raw=True` keeps the order the glyphs are
    drawn in: left-to-right lines come out exactly as typed, Arabic comes out reversed.
    """
    if not shutil.which("pdftotext"):
        service_missing("pdftotext (poppler-utils) is not installed")

    def extract(pdf: bytes, *, raw: bool = False) -> list[str]:
        mode = "-raw" if raw else "-layout"
        out = subprocess.run(["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True)
        return out.stdout.decode().split("\f")[:-1]

    return extract


@pytest.fixture
def pdf_images(tmp_path):
    """`pdf_images(pdf) -> list[tuple[int, int]]`: width and height of each embedded raster image."""
    if not shutil.which("pdfimages"):
        service_missing("pdfimages (poppler-utils) is not installed")

    def listing(pdf: bytes) -> list[tuple[int, int]]:
        path = tmp_path / "images.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True)
        rows = out.stdout.decode().splitlines()[2:]  # two header lines
        images = [row.split() for row in rows if row.strip()]
        return [(int(cols[3]), int(cols[4])) for cols in images if cols[2] == "image"]  # not soft masks

    return listing


def drawn_signature_png(width: int = 600, height: int = 200) -> bytes:
    """A hand-drawn-looking signature: a zigzag stroke and an underline."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(40, 140), (90, 60), (130, 150), (180, 50), (230, 140), (280, 80), (330, 150), (400, 70), (560, 90)]
    draw.line(points, fill=(20, 40, 120, 255), width=7)
    draw.line([(60, 170), (540, 165)], fill=(20, 40, 120, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_signatures(*, charity_name: str = "أسامة الزاير", partner_name: str = "سلمان الممثل") -> list[SignatureBlock]:
    """The charity's chairman signing by drawing, the partner's representative by typing."""
    return [
        SignatureBlock(
            party="charity",
            name=charity_name,
            title="رئيس مجلس الإدارة",
            email="chairman@qatif-charity.example",
            signed_at=datetime.datetime(2026, 3, 16, 10, 42, 5, tzinfo=RIYADH),
            ip="10.20.30.40",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
            method="drawn",
            via="account",
            image_png=drawn_signature_png(),
        ),
        SignatureBlock(
            party="partner",
            name=partner_name,
            title="عميد الكلية",
            email="dean@partner.example",
            signed_at=datetime.datetime(2026, 3, 16, 11, 5, 31, tzinfo=RIYADH),
            ip="2001:db8::7",
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
            method="typed",
            via="link",
            typed_text=partner_name,
            identity_checked_at=datetime.datetime(2026, 3, 16, 11, 4, 2, tzinfo=RIYADH),
        ),
    ]


def make_audit() -> list[AuditLine]:
    return [
        AuditLine(at=datetime.datetime(2026, 3, 16, 8, 42, tzinfo=RIYADH), event="أرسلت للتوقيع", actor="موظف"),
        AuditLine(at=datetime.datetime(2026, 3, 16, 11, 5, 31, tzinfo=RIYADH), event="وقّع الشريك", actor="سلمان"),
    ]


@pytest.fixture
def seal_certificate(db, tmp_path, settings):
    """A throwaway self-signed seal, made by the `create_seal_certificate` command."""
    settings.SEAL_PKCS12_PATH = tmp_path / "seal" / "test-seal.p12"
    settings.SEAL_PKCS12_PASSWORD = "test-seal-password"
    call_command("create_seal_certificate", stdout=io.StringIO())
    return settings.SEAL_PKCS12_PATH


@pytest.fixture
def recording_server():
    """A local HTTP server on a random port that records every request it receives."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b"body { color: red }" if self.path.endswith(".css") else b"GIF89a"
            self.send_response(200)
            self.send_header("Content-Type", "text/css" if self.path.endswith(".css") else "image/gif")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    yield server
    server.shutdown()
    server.server_close()
