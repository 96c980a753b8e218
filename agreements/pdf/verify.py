"""Check a copy of a signed agreement PDF: the exact file, and the charity's seal.

Rules:

- `exact_match`: the SHA-256 of the given bytes equals the expected one (the hash the
  portal recorded when it issued the file); `None` when no hash is given.
- `seal_valid` is pyHanko's `bottom_line` (signature intact and cryptographically valid,
  signer trusted) for the last signature in the file, with the charity's certificate as
  the only trust root, AND that signature covering the whole file. A changed byte, an
  appended revision or another signer's certificate all read as not valid.
- Any input bytes give a result, never an exception: garbage, truncated or unsigned
  files come back with `seal_valid=False` and `error` saying why. Only a broken seal
  configuration raises (`SealError`), since that is the server's fault, not the file's.
- Nothing is fetched from the network (no OCSP/CRL look-ups) while validating.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .seal import load_seal_credentials, run_coroutine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerificationResult:
    """What `verify_pdf` found. `error` is a sentence for the person checking the copy."""

    sha256: str
    exact_match: bool | None
    seal_valid: bool
    signer: str = ""
    signed_at: datetime.datetime | None = None
    error: str = ""


def _common_name(certificate) -> str:
    try:
        return str(certificate.subject.native.get("common_name", ""))
    except Exception:  # a malformed subject must not turn into an exception for the caller
        return ""


async def verify_pdf_async(pdf: bytes, *, expected_sha256: str | None) -> VerificationResult:
    """Async form of `verify_pdf`."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    exact_match = None if expected_sha256 is None else hmac.compare_digest(sha256, expected_sha256.strip().lower())
    credentials = load_seal_credentials()  # SealError: the server's configuration, not the file

    def result(seal_valid: bool = False, error: str = "", **found) -> VerificationResult:
        return VerificationResult(sha256=sha256, exact_match=exact_match, seal_valid=seal_valid, error=error, **found)

    if b"%PDF-" not in pdf[:1024]:
        return result(error=_("This file is not a valid PDF document."))
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception as exc:
        logger.info("verify_pdf: unreadable PDF (%s: %s)", type(exc).__name__, exc)
        return result(error=_("This file is not a valid PDF document."))
    if not signatures:
        return result(error=_("This PDF carries no electronic seal."))

    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=[credentials.certificate],
        other_certs=list(credentials.other_certificates),
        allow_fetching=False,
    )
    try:
        status = await async_validate_pdf_signature(embedded, context)
    except Exception as exc:
        logger.info("verify_pdf: seal could not be validated (%s: %s)", type(exc).__name__, exc)
        return result(error=_("The electronic seal in this PDF is damaged."))
    finally:
        await context.aclose()

    found = {"signer": _common_name(status.signing_cert), "signed_at": status.signer_reported_dt}
    if not status.intact or not status.valid:
        return result(error=_("The PDF was changed after it was sealed."), **found)
    if not status.trusted:
        return result(error=_("The PDF was not sealed with the charity's certificate."), **found)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return result(error=_("Content was added to the PDF after it was sealed."), **found)
    if not status.bottom_line:
        return result(error=_("The electronic seal in this PDF is not valid."), **found)
    return result(seal_valid=True, **found)


def verify_pdf(pdf: bytes, *, expected_sha256: str | None) -> VerificationResult:
    """Check `pdf` against the hash the portal recorded and the charity's seal.

    Synchronous wrapper (views, tasks); async code awaits `verify_pdf_async`. Raises
    only `SealError` (broken seal configuration).
    """
    return run_coroutine(lambda: verify_pdf_async(pdf, expected_sha256=expected_sha256))
