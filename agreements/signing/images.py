"""Validation of drawn signatures sent by the signing page as PNG data URLs."""

from __future__ import annotations

import base64
import binascii
import io
import struct

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 1_000_000
MAX_WIDTH, MAX_HEIGHT = 3000, 1500
# A signature must have at least this many drawn (non-transparent) pixels.
MIN_INK_PIXELS = 50


def decode_signature_png(data_url: str) -> bytes:
    """Return the PNG bytes of a drawn signature, or raise ValidationError with a message.

    Refused: anything that is not a base64 PNG data URL, more than 1 MB, wider than
    3000 or taller than 1500 pixels (read from the header, before decoding, so a
    decompression bomb is never expanded), a damaged image, or an empty canvas.
    """
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationError(_("Draw your signature in the box, or type it instead."), code="missing")
    encoded = data_url[len(prefix) :]
    if len(encoded) > MAX_BYTES * 4 // 3 + 4:
        raise ValidationError(_("The signature image is too large."), code="too_large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature image could not be read."), code="invalid") from None
    if not raw.startswith(PNG_MAGIC) or raw[12:16] != b"IHDR":
        raise ValidationError(_("The signature must be a PNG image."), code="not_png")
    if len(raw) < 24:  # cut off inside the header, before its width and height
        raise ValidationError(_("The signature image could not be read."), code="invalid")
    # The header's dimensions are checked before anything is decoded.
    width, height = struct.unpack(">II", raw[16:24])
    if width > MAX_WIDTH or height > MAX_HEIGHT or width < 10 or height < 10:
        raise ValidationError(_("The signature image has impossible dimensions."), code="dimensions")
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or image.size != (width, height):
                raise ValidationError(_("The signature must be a PNG image."), code="not_png")
            image.load()
            alpha = image.convert("RGBA").getchannel("A")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("The signature image could not be read."), code="invalid") from None
    ink = sum(alpha.histogram()[16:])
    if ink < MIN_INK_PIXELS:
        raise ValidationError(_("The signature box is empty: draw your signature first."), code="empty")
    return raw
