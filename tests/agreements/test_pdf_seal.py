"""The charity's seal on the PDF and the check of a copy: real pyHanko, real certificates."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os

import pytest
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from agreements.pdf.render import html_to_pdf
from agreements.pdf.seal import (
    SEAL_FIELD_NAME,
    SealError,
    create_self_signed_pkcs12,
    seal_pdf,
    seal_pdf_async,
    write_seal_certificate,
)
from agreements.pdf.verify import verify_pdf, verify_pdf_async
from partners.models import CharityProfile


@pytest.fixture(autouse=True)
def english():
    # The messages are checked in English here; the Arabic ones are in the catalogue.
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return html_to_pdf('<html lang="ar" dir="rtl"><body><h1>اتفاقية شراكة</h1><p>نص البند الأول.</p></body></html>')


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_sealed_pdf_verifies_as_the_exact_file_with_a_valid_seal(seal_certificate, plain_pdf):
    sealed = seal_pdf(plain_pdf)

    result = verify_pdf(sealed, expected_sha256=sha256(sealed))

    assert result.exact_match is True
    assert result.seal_valid is True
    assert result.signer == "Qatif Charity"
    assert result.signed_at is not None and result.signed_at.tzinfo is not None
    assert result.error == ""
    assert len(PdfFileReader(io.BytesIO(sealed)).embedded_signatures) == 1


def test_one_flipped_byte_in_the_middle_is_not_authentic(seal_certificate, plain_pdf):
    sealed = seal_pdf(plain_pdf)
    tampered = bytearray(sealed)
    tampered[len(tampered) // 2] ^= 0xFF

    result = verify_pdf(bytes(tampered), expected_sha256=sha256(sealed))

    assert result.exact_match is False
    assert result.seal_valid is False
    assert result.error


def test_content_appended_after_sealing_breaks_the_seal(seal_certificate, plain_pdf):
    sealed = seal_pdf(plain_pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)

    result = verify_pdf(appended.getvalue(), expected_sha256=None)

    assert result.exact_match is None
    assert result.seal_valid is False
    assert "added" in result.error


def test_unsigned_pdf_has_no_valid_seal(seal_certificate, plain_pdf):
    result = verify_pdf(plain_pdf, expected_sha256=sha256(plain_pdf))

    assert result.exact_match is True
    assert result.seal_valid is False
    assert "seal" in result.error


@pytest.mark.parametrize(
    "garbage",
    [b"", os.urandom(4096), b"%PDF-1.7\n" + os.urandom(4096), b"%PDF-1.7\n%%EOF\n", b"<html>not a pdf</html>"],
    ids=["empty", "random", "pdf-header-then-random", "header-and-eof-only", "html"],
)
def test_arbitrary_bytes_never_raise_and_say_not_a_valid_pdf(seal_certificate, garbage):
    result = verify_pdf(garbage, expected_sha256="0" * 64)

    assert result.seal_valid is False
    assert result.exact_match is False
    assert result.error


def test_pdf_sealed_with_another_certificate_is_not_the_charitys(seal_certificate, plain_pdf, settings, tmp_path):
    sealed_by_stranger_path = tmp_path / "stranger.p12"
    write_seal_certificate(sealed_by_stranger_path, create_self_signed_pkcs12(common_name="Qatif Charity", password=""))
    charity_seal = (settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSWORD)
    settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSWORD = sealed_by_stranger_path, ""
    forged = seal_pdf(plain_pdf)  # same name, different key
    settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSWORD = charity_seal

    result = verify_pdf(forged, expected_sha256=None)

    assert result.seal_valid is False
    assert "certificate" in result.error


def test_missing_certificate_file_raises_a_clear_seal_error(settings, tmp_path, plain_pdf):
    settings.SEAL_PKCS12_PATH = tmp_path / "nowhere" / "seal.p12"

    with pytest.raises(SealError, match="not found") as caught:
        seal_pdf(plain_pdf)
    assert str(tmp_path / "nowhere" / "seal.p12") in str(caught.value)
    assert "SEAL_PKCS12_PATH" in str(caught.value)


def test_wrong_password_raises_a_clear_seal_error(seal_certificate, settings, plain_pdf):
    settings.SEAL_PKCS12_PASSWORD = "not-the-password"

    with pytest.raises(SealError, match="password"):
        seal_pdf(plain_pdf)


def test_a_file_that_is_not_pkcs12_raises_a_seal_error(settings, tmp_path, plain_pdf):
    settings.SEAL_PKCS12_PATH = tmp_path / "seal.p12"
    settings.SEAL_PKCS12_PATH.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot really\n")

    with pytest.raises(SealError, match="PKCS#12"):
        seal_pdf(plain_pdf)


def test_sealing_something_that_is_not_a_pdf_raises_instead_of_returning_it(seal_certificate):
    with pytest.raises(SealError, match="could not be sealed"):
        seal_pdf(b"definitely not a PDF")


def test_both_apis_work_inside_a_running_loop(seal_certificate, plain_pdf):
    async def inside_a_loop() -> tuple[bool, bool, str]:
        # Sync callers under a running loop (a browser-driving test, an async server)
        # get their result from a helper thread instead of an error.
        from_sync = verify_pdf(seal_pdf(plain_pdf), expected_sha256=None).seal_valid
        sealed = await seal_pdf_async(plain_pdf)
        result = await verify_pdf_async(sealed, expected_sha256=sha256(sealed))
        return from_sync, result.seal_valid, result.error

    assert asyncio.run(inside_a_loop()) == (True, True, "")


def test_seal_field_is_a_certification_signature(seal_certificate, plain_pdf):
    reader = PdfFileReader(io.BytesIO(seal_pdf(plain_pdf)))
    signature = reader.embedded_signatures[0]

    assert signature.field_name == SEAL_FIELD_NAME
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert "/DocMDP" in reader.root["/Perms"]


# --- The management command -------------------------------------------------------------


def test_create_seal_certificate_names_the_charity_and_refuses_to_overwrite(settings, tmp_path):
    profile = CharityProfile.load()
    profile.name_en = "Qatif Charity Society"
    profile.save()
    settings.SEAL_PKCS12_PATH = tmp_path / "seal.p12"
    settings.SEAL_PKCS12_PASSWORD = "pw"

    call_command("create_seal_certificate", stdout=io.StringIO())
    first = settings.SEAL_PKCS12_PATH.read_bytes()

    with pytest.raises(CommandError, match="--force"):
        call_command("create_seal_certificate", stdout=io.StringIO())
    assert settings.SEAL_PKCS12_PATH.read_bytes() == first
    assert oct(settings.SEAL_PKCS12_PATH.stat().st_mode & 0o777) == "0o600"

    call_command("create_seal_certificate", "--force", stdout=io.StringIO())
    assert settings.SEAL_PKCS12_PATH.read_bytes() != first

    sealed = seal_pdf(html_to_pdf("<p>x</p>"))
    assert verify_pdf(sealed, expected_sha256=None).signer == "Qatif Charity Society"


def test_create_seal_certificate_falls_back_to_the_arabic_name(settings, tmp_path):
    profile = CharityProfile.load()
    profile.name_en = ""
    profile.save()
    settings.SEAL_PKCS12_PATH = tmp_path / "seal.p12"
    settings.SEAL_PKCS12_PASSWORD = ""

    call_command("create_seal_certificate", stdout=io.StringIO())

    sealed = seal_pdf(html_to_pdf("<p>x</p>"))
    assert verify_pdf(sealed, expected_sha256=None).signer == "خيرية القطيف"


def test_a_ca_issued_certificate_with_its_chain_seals_and_verifies(settings, tmp_path):
    # A real seal is issued by a CA: the PKCS#12 holds the charity's certificate, its key
    # and the CA's certificate. The portal trusts the charity's certificate itself.
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject: str, key, issuer: str, issuer_key, *, ca: bool):
        usage = dict.fromkeys(
            (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ),
            False,
        )
        usage.update({"key_cert_sign": True, "crl_sign": True} if ca else {"digital_signature": True})
        usage["content_commitment"] = not ca
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .sign(issuer_key, hashes.SHA256())
        )

    ca_key, seal_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_certificate = certificate("Test Trust Services CA", ca_key, "Test Trust Services CA", ca_key, ca=True)
    seal_certificate = certificate("Qatif Charity", seal_key, "Test Trust Services CA", ca_key, ca=False)
    settings.SEAL_PKCS12_PATH = tmp_path / "ca-issued.p12"
    settings.SEAL_PKCS12_PASSWORD = "ca-pw"
    settings.SEAL_PKCS12_PATH.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", seal_key, seal_certificate, [ca_certificate], serialization.BestAvailableEncryption(b"ca-pw")
        )
    )

    sealed = seal_pdf(html_to_pdf("<p>x</p>"))
    result = verify_pdf(sealed, expected_sha256=sha256(sealed))

    assert (result.seal_valid, result.exact_match, result.signer) == (True, True, "Qatif Charity")
