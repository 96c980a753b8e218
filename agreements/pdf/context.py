"""What goes into a signed agreement PDF, as plain data.

The signing models (requests, signatures, audit trail) live elsewhere; the caller turns
them into these dataclasses, so the PDF library does not depend on how signatures are
stored. Each class checks its own rules when it is created and raises `ValueError`
for data that would make a misleading document.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from django.utils import timezone

from agreements.models import Agreement
from partners.models import CharityProfile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

PartyName = Literal["charity", "partner"]
SigningMethod = Literal["drawn", "typed"]
SigningChannel = Literal["link", "account"]
Language = Literal["ar", "en"]


def _require_aware(value: datetime.datetime, what: str) -> None:
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        raise ValueError(f"{what} must be an aware datetime, got {value!r}")


@dataclass(frozen=True)
class SignatureBlock:
    """One signatory's signature as it appears in the PDF and on its certificate page.

    Rules: a drawn signature carries a PNG image, a typed one a non-empty typed name;
    `signed_at` is timezone-aware; `ip` is empty or a valid IPv4/IPv6 address.
    """

    party: PartyName
    name: str
    title: str
    email: str
    signed_at: datetime.datetime
    ip: str
    user_agent: str
    method: SigningMethod
    via: SigningChannel
    image_png: bytes | None = None
    typed_text: str = ""
    # When a link signer proved their mailbox with the e-mailed code (None: not asked).
    identity_checked_at: datetime.datetime | None = None

    def __post_init__(self) -> None:
        if self.party not in ("charity", "partner"):
            raise ValueError(f"party must be 'charity' or 'partner', not {self.party!r}")
        if self.method not in ("drawn", "typed"):
            raise ValueError(f"method must be 'drawn' or 'typed', not {self.method!r}")
        if self.via not in ("link", "account"):
            raise ValueError(f"via must be 'link' or 'account', not {self.via!r}")
        if not self.name.strip():
            raise ValueError("a signature needs the signatory's name")
        _require_aware(self.signed_at, "signed_at")
        if self.ip:
            ipaddress.ip_address(self.ip)  # raises ValueError for anything else
        if self.method == "drawn" and not (self.image_png or b"").startswith(PNG_SIGNATURE):
            raise ValueError("a drawn signature needs its image as PNG bytes")
        if self.method == "typed" and not self.typed_text.strip():
            raise ValueError("a typed signature needs the typed name")


@dataclass(frozen=True)
class AuditLine:
    """One event of the signing audit trail, summarised on the certificate page."""

    at: datetime.datetime
    event: str
    actor: str

    def __post_init__(self) -> None:
        _require_aware(self.at, "AuditLine.at")


@dataclass(frozen=True)
class PdfInput:
    """Everything one render of an agreement PDF needs.

    Rules: `content_hash` is a lowercase hex SHA-256 (64 characters), the one shown on
    the certificate page; `verification_url` is an absolute http(s) address, encoded in
    the QR codes; `language` is "ar" (the default, right to left) or "en".
    The agreement's partner, clauses and commitments are read from the database when the
    PDF is rendered, so the document always shows what is stored.
    """

    agreement: Agreement
    charity: CharityProfile
    signatures: list[SignatureBlock]
    audit: list[AuditLine]
    content_hash: str
    verification_url: str
    language: Language = "ar"

    def __post_init__(self) -> None:
        if self.language not in ("ar", "en"):
            raise ValueError(f"language must be 'ar' or 'en', not {self.language!r}")
        if not _SHA256_HEX.fullmatch(self.content_hash):
            raise ValueError("content_hash must be a lowercase hex SHA-256 digest")
        parts = urlsplit(self.verification_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"verification_url must be an absolute http(s) URL, not {self.verification_url!r}")

    @classmethod
    def build(
        cls,
        *,
        agreement: Agreement,
        signatures: list[SignatureBlock],
        audit: list[AuditLine],
        content_hash: str,
        verification_url: str,
        language: Language = "ar",
    ) -> PdfInput:
        """The input for `agreement` with the charity's profile loaded from the database."""
        return cls(
            agreement=agreement,
            charity=CharityProfile.load(),
            signatures=signatures,
            audit=audit,
            content_hash=content_hash,
            verification_url=verification_url,
            language=language,
        )
