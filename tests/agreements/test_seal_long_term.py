"""Long-term seals (PAdES B-T, B-LT, B-LTA) against a real RFC 3161 authority on loopback.

The authority is OpenSSL's `openssl ts -reply` behind an HTTP server (tests/tsa.py), with its
own test certification authority, which also issues the charity's seal certificate (a
PKCS#12 with its chain, as a CA delivers it). pyHanko signs and validates; pdfsig (poppler)
reads the timestamp as a PDF reader would.
"""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

from agreements.pdf.render import html_to_pdf
from agreements.pdf.seal import SealError, run_coroutine, seal_level, seal_pdf
from agreements.pdf.verify import verify_pdf
from tests.conftest import service_missing
from tests.tsa import LoopbackTSA, TestCA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return html_to_pdf('<html lang="ar" dir="rtl"><body><h1>اتفاقية شراكة</h1><p>نص البند الأول.</p></body></html>')


@pytest.fixture
def ca() -> TestCA:
    return TestCA()


@pytest.fixture
def tsa(ca, tmp_path):
    """A real RFC 3161 authority on 127.0.0.1; fails (not skips) in CI without openssl."""
    if not shutil.which("openssl"):
        service_missing("openssl is not installed: the loopback time-stamping authority needs `openssl ts`")
    folder = tmp_path / "tsa"
    folder.mkdir()
    with LoopbackTSA(ca, folder) as authority:
        yield authority


@pytest.fixture
def ca_seal(ca, tmp_path, settings):
    """The charity's seal issued by the test CA, with the CA as the portal's trust root."""
    settings.SEAL_PKCS12_PATH = tmp_path / "seal.p12"
    settings.SEAL_PKCS12_PASSWORD = "ca-seal-password"
    settings.SEAL_PKCS12_PATH.write_bytes(ca.seal_pkcs12("Qatif Charity", settings.SEAL_PKCS12_PASSWORD))
    settings.SEAL_TRUST_ROOTS = [ca.write_root(tmp_path / "root.pem")]
    return ca


def _validate_with_embedded_data_only(pdf: bytes, root) -> object:
    """pyHanko's validation of the seal with nothing but the file's DSS and the root."""
    from pyhanko.keys import load_cert_from_pemder

    reader = PdfFileReader(io.BytesIO(pdf))
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context({"trust_roots": [load_cert_from_pemder(str(root))], "allow_fetching": False})
    seal = next(sig for sig in reader.embedded_signatures if sig.field_name == "CharitySeal")
    return run_coroutine(lambda: async_validate_pdf_signature(seal, context))


def test_seal_with_tsa_is_b_lt_timestamp_validated_by_pyhanko_from_embedded_data(ca_seal, tsa, settings, plain_pdf):
    settings.SEAL_TSA_URL = tsa.url
    before = datetime.datetime.now(datetime.UTC)

    sealed = seal_pdf(plain_pdf)

    assert tsa.requests >= 1  # pyHanko also asks once to size the signature
    reader = PdfFileReader(io.BytesIO(sealed))
    dss = DocumentSecurityStore.read_dss(reader)
    embedded = {cert.subject.native["common_name"] for cert in dss.load_certs()}
    assert {"Qatif Charity", "Test Root CA", "Test Time-Stamping Authority"} <= embedded
    status = _validate_with_embedded_data_only(sealed, settings.SEAL_TRUST_ROOTS[0])
    assert status.bottom_line and status.trusted
    timestamp = status.timestamp_validity
    assert timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted
    assert timestamp.signing_cert.subject.native["common_name"] == "Test Time-Stamping Authority"
    assert before - datetime.timedelta(seconds=2) <= timestamp.timestamp <= datetime.datetime.now(datetime.UTC)

    result = verify_pdf(sealed, expected_sha256=None)
    assert result.seal_valid, result.error
    assert result.level == "B-LT" == seal_level()
    assert result.timestamp_authority == "Test Time-Stamping Authority"
    assert result.timestamp_trusted and result.chain_trusted
    assert result.timestamp_at == timestamp.timestamp


def test_pdfsig_shows_the_seal_valid_and_the_document_timestamp_of_the_authority(
    ca_seal, tsa, settings, plain_pdf, tmp_path
):
    # pdfsig (poppler 22) does not print a signature's own timestamp token; the B-LTA
    # document timestamp is a signature of its own, which it lists with its authority.
    if not shutil.which("pdfsig"):
        service_missing("pdfsig (poppler-utils) is not installed")
    settings.SEAL_TSA_URL, settings.SEAL_LTA = tsa.url, True
    path = tmp_path / "sealed.pdf"
    path.write_bytes(seal_pdf(plain_pdf))

    out = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=True).stdout

    seal, timestamp = out.split("Signature #2:")
    assert "Signer Certificate Common Name: Qatif Charity" in seal
    assert "Signature Type: ETSI.CAdES.detached" in seal
    assert "Signature Validation: Signature is Valid." in seal
    assert "Signature Field Name: Timestamp-" in timestamp
    assert "Signer Certificate Common Name: Test Time-Stamping Authority" in timestamp
    assert "Signing Time:" in timestamp


def test_lta_adds_a_document_timestamp_and_still_verifies(ca_seal, tsa, settings, plain_pdf):
    settings.SEAL_TSA_URL, settings.SEAL_LTA = tsa.url, True

    sealed = seal_pdf(plain_pdf)

    signatures = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert [sig.sig_object_type for sig in signatures] == ["/Sig", "/DocTimeStamp"]
    assert tsa.requests >= 2
    result = verify_pdf(sealed, expected_sha256=None)
    assert result.seal_valid, result.error
    assert result.level == "B-LTA" == seal_level()


def test_without_tsa_the_seal_is_b_b_and_the_demo_chain_is_not_trusted(seal_certificate, settings, plain_pdf):
    settings.SEAL_TSA_URL = ""

    result = verify_pdf(seal_pdf(plain_pdf), expected_sha256=None)

    assert result.seal_valid
    assert result.level == "B-B" == seal_level()
    assert result.timestamp_at is None and result.timestamp_authority == ""
    assert result.chain_trusted is False


def test_a_seal_from_another_holder_of_the_same_ca_is_not_the_charitys(ca_seal, tsa, settings, plain_pdf, tmp_path):
    settings.SEAL_TSA_URL = tsa.url
    charity = (settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSWORD)
    settings.SEAL_PKCS12_PATH = tmp_path / "other.p12"
    settings.SEAL_PKCS12_PATH.write_bytes(ca_seal.seal_pkcs12("Someone Else", "x"))
    settings.SEAL_PKCS12_PASSWORD = "x"
    forged = seal_pdf(plain_pdf)
    settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSWORD = charity

    result = verify_pdf(forged, expected_sha256=None)

    assert result.seal_valid is False
    assert "charity" in result.error


def test_an_unreachable_tsa_refuses_to_seal_rather_than_downgrade(seal_certificate, settings, plain_pdf):
    settings.SEAL_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing answers
    settings.SEAL_TSA_TIMEOUT = 2

    with pytest.raises(SealError, match="time-stamping authority"):
        seal_pdf(plain_pdf)


def test_a_seal_chain_that_leads_to_no_trusted_root_is_refused(ca_seal, tsa, settings, plain_pdf, tmp_path):
    settings.SEAL_TSA_URL = tsa.url
    settings.SEAL_TRUST_ROOTS = [TestCA("Unrelated Root").write_root(tmp_path / "unrelated.pem")]

    with pytest.raises(SealError, match="trusted root"):
        seal_pdf(plain_pdf)


def test_verify_signed_pdfs_states_level_timestamp_and_trust(ca_seal, tsa, settings, plain_pdf):
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from agreements.models import SignedPdf
    from tests.factories import AgreementFactory

    settings.SEAL_TSA_URL = tsa.url
    sealed = seal_pdf(plain_pdf)
    agreement = AgreementFactory()
    name = default_storage.save(f"signed/{agreement.reference}-ar-test.pdf", ContentFile(sealed))
    SignedPdf.objects.create(
        agreement=agreement, language="ar", file=name, sha256=hashlib.sha256(sealed).hexdigest(), size=len(sealed)
    )
    out = io.StringIO()

    call_command("verify_signed_pdfs", agreement.reference, stdout=out)

    line = out.getvalue()
    assert "ok" in line and "PAdES B-LT" in line
    assert "Test Time-Stamping Authority" in line
    assert "chain trusted" in line


def _issued(agreement, pdf: bytes, language: str = "ar"):
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from agreements.models import SignedPdf

    name = default_storage.save(f"signed/{agreement.reference}-{language}-t.pdf", ContentFile(pdf))
    return SignedPdf.objects.create(
        agreement=agreement, language=language, file=name, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
    )


@pytest.mark.parametrize(
    ("language", "owner", "wording"),
    [
        ("ar", "خيرية القطيف", "مختوم من خيرية القطيف"),
        ("en", "Qatif Charity", "sealed by Qatif Charity"),
    ],
)
def test_verification_page_names_the_charity_in_its_language_with_level_timestamp_and_trust(
    ca_seal, tsa, settings, plain_pdf, client, language, owner, wording
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from partners.models import CharityProfile
    from tests.factories import AgreementFactory

    profile = CharityProfile.load()
    profile.name_ar, profile.name_en = "خيرية القطيف", "Qatif Charity"
    profile.save()
    settings.SEAL_TSA_URL = tsa.url
    sealed = seal_pdf(plain_pdf)
    agreement = AgreementFactory(verification_code=f"seal-test-{language}")
    _issued(agreement, sealed)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("verify", args=[agreement.verification_code]),
        {"pdf": SimpleUploadedFile("copy.pdf", sealed, content_type="application/pdf")},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-authentic="yes"' in page
    assert wording in page
    assert "PAdES B-LT" in page
    assert "Test Time-Stamping Authority" in page
    assert 'data-testid="verify-chain"' in page
    if language == "ar":
        assert "sealed by" not in page and "جهة تصديق موثوقة" in page


def test_certificate_page_states_the_seal_level_in_both_languages(seal_certificate, settings, pdf_pages, tsa):
    from agreements.pdf.context import PdfInput
    from agreements.pdf.render import render_agreement_pdf
    from tests.agreements.conftest import make_audit, make_signatures, squash
    from tests.factories import agreement_with_clauses

    agreement = agreement_with_clauses(clauses=1)

    def certificate_page(language: str) -> str:
        data = PdfInput.build(
            agreement=agreement,
            signatures=make_signatures(),
            audit=make_audit(),
            content_hash="0" * 64,
            verification_url="https://portal.example/verify/x/",
            language=language,
        )
        return pdf_pages(render_agreement_pdf(data))[-1]

    settings.SEAL_TSA_URL = ""
    assert "PAdES B-B" in certificate_page("en")
    assert "no timestamp" in certificate_page("en")
    assert "B-B" in certificate_page("ar") and squash("دون ختم زمني") in squash(certificate_page("ar"))
    settings.SEAL_TSA_URL = tsa.url
    assert "PAdES B-LT" in certificate_page("en")
    assert "127.0.0.1" in certificate_page("en")
