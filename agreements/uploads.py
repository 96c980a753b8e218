"""Checks on uploaded files: the type is read from the content, never from the name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Scanned annexes and evidence: PDF documents and photos.
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
# Decompression bombs: refuse images larger than this many pixels.
MAX_IMAGE_PIXELS = 40_000_000


def sniff_document(upload: UploadedFile) -> str:
    """Return the content type of a PDF, PNG or JPEG upload; refuse anything else.

    Raises ValidationError with a message for the user when the file is empty, too
    large, of another type (whatever its extension says) or a broken image.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = next((kind for magic, kind in _SIGNATURES.items() if head.startswith(magic)), None)
    if content_type is None:
        raise ValidationError(_("Only PDF, PNG and JPEG files can be uploaded."), code="type")
    if content_type.startswith("image/"):
        try:
            with Image.open(upload) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValidationError(_("The image's dimensions are too large."), code="too_large")
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ValidationError(_("The image file is damaged or not a real image."), code="broken") from None
        finally:
            upload.seek(0)
    return content_type
