"""Check a copy of a signed agreement PDF: the exact file, and the charity's seal.

Rules:

- `exact_match`: the SHA-256 of the given bytes equals the expected one (the hash the
  portal recorded when it issued the file); `None` when no hash is given.
- `seal_valid` is pyHanko's `bottom_line` (signature intact and cryptographically valid,
  signer trusted) for the charity's seal in the file, with the portal's trust roots
  (`seal.trust_roots`: SEAL_TRUST_ROOTS, else the charity's certificate itself), AND that
  seal covering the whole file, or everything but the PAdES long-term additions (DSS,
  document timestamp). A changed byte, any other appended revision or another signer's
  certificate all read as not valid.
- `level` is the PAdES baseline level the file carries: B-B (no timestamp), B-T (a
  timestamp on the seal), B-LT (and validation data in the DSS), B-LTA (and a document
  timestamp after it). `timestamp_at` / `timestamp_authority` describe the seal's
  timestamp, `timestamp_trusted` whether its authority chains to a trusted root, and
  `chain_trusted` whether the seal's certificate chains to a configured root
  (SEAL_TRUST_ROOTS): the demo's self-signed seal is valid for the portal but trusted by
  no certification authority.
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
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from .seal import (
    LEVEL_B_B,
    LEVEL_B_LT,
    LEVEL_B_LTA,
    LEVEL_B_T,
    SEAL_FIELD_NAME,
    configured_trust_roots,
    load_seal_credentials,
    run_coroutine,
    validation_context,
)

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
    level: str = ""
    timestamp_at: datetime.datetime | None = None
    timestamp_authority: str = ""
    timestamp_trusted: bool = False
    chain_trusted: bool = False


def _level(reader: PdfFileReader, signatures: list, seal, *, timestamped: bool) -> str:
    """The PAdES baseline level of `seal` in the file (see the module's rules)."""
    if not timestamped:
        return LEVEL_B_B
    if "/DSS" not in reader.root:
        return LEVEL_B_T
    later = signatures[signatures.index(seal) + 1 :]
    if any(sig.sig_object_type == "/DocTimeStamp" for sig in later):
        return LEVEL_B_LTA
    return LEVEL_B_LT


def _the_seal(signatures: list):
    """The charity's seal: the field the portal names, else the last signature that is not a
    document timestamp (a file sealed elsewhere)."""
    for sig in signatures:
        if sig.field_name == SEAL_FIELD_NAME:
            return sig
    candidates = [sig for sig in signatures if sig.sig_object_type != "/DocTimeStamp"]
    return candidates[-1] if candidates else signatures[-1]


def _common_name(certificate) -> str:
    try:
        return str(certificate.subject.native.get("common_name", ""))
    except Exception:  # a malformed subject must not turn into an exception for the caller
        return ""


def _same_subject(certificate, expected) -> bool:
    try:
        return certificate.subject == expected.subject
    except Exception:  # a malformed subject is not the charity's
        return False


def _only_long_term_additions(status) -> bool:
    """The seal covers every revision but the last ones, and those only add PAdES long-term
    data (DSS, document timestamps), which a no-changes certification permits."""
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
        and bool(status.docmdp_ok)
    )


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

    embedded = _the_seal(signatures)
    configured_roots = configured_trust_roots()
    context = validation_context(credentials, allow_fetching=False)
    try:
        status = await async_validate_pdf_signature(embedded, context)
    except Exception as exc:
        logger.info("verify_pdf: seal could not be validated (%s: %s)", type(exc).__name__, exc)
        return result(error=_("The electronic seal in this PDF is damaged."))
    finally:
        await context.aclose()

    timestamp = status.timestamp_validity
    found = {
        "signer": _common_name(status.signing_cert),
        "signed_at": timestamp.timestamp if timestamp else status.signer_reported_dt,
        "level": _level(reader, signatures, embedded, timestamped=timestamp is not None),
        "timestamp_at": timestamp.timestamp if timestamp else None,
        "timestamp_authority": _common_name(timestamp.signing_cert) if timestamp else "",
        "timestamp_trusted": bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted),
        "chain_trusted": bool(configured_roots and status.trusted),
    }
    if configured_roots and status.trusted and not _same_subject(status.signing_cert, credentials.certificate):
        # A certificate from the same authority, issued to someone else.
        return result(error=_("The PDF was not sealed with the charity's certificate."), **found)
    if not status.intact or not status.valid:
        return result(error=_("The PDF was changed after it was sealed."), **found)
    if not status.trusted:
        return result(error=_("The PDF was not sealed with the charity's certificate."), **found)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not _only_long_term_additions(status):
        return result(error=_("Content was added to the PDF after it was sealed."), **found)
    if timestamp is not None and not found["timestamp_trusted"]:
        return result(error=_("The timestamp on the seal is not valid or not from a trusted authority."), **found)
    if not status.bottom_line:
        return result(error=_("The electronic seal in this PDF is not valid."), **found)
    return result(seal_valid=True, **found)


def verify_pdf(pdf: bytes, *, expected_sha256: str | None) -> VerificationResult:
    """Check `pdf` against the hash the portal recorded and the charity's seal.

    Synchronous wrapper (views, tasks); async code awaits `verify_pdf_async`. Raises
    only `SealError` (broken seal configuration).
    """
    return run_coroutine(lambda: verify_pdf_async(pdf, expected_sha256=expected_sha256))
