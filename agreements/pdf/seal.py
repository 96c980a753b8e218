"""The charity's electronic seal on a signed agreement PDF (PAdES, with pyHanko).

Rules:

- The seal is made with the certificate and private key in the PKCS#12 file named by
  `settings.SEAL_PKCS12_PATH` (password `settings.SEAL_PKCS12_PASSWORD`). The file is
  read once per process and kept; replacing it needs a worker restart.
- A missing, unreadable, wrongly protected, incomplete or expired certificate raises
  `SealError` with a message naming the problem. An unsealed PDF is never returned.
- The seal is a certification signature that allows no later change: anything added to
  the file afterwards makes `verify_pdf` report it as not authentic, except the PAdES
  long-term additions (validation data, document timestamp) the portal itself appends.
- Levels (PAdES baseline): with `settings.SEAL_TSA_URL` set, every seal carries an RFC 3161
  timestamp from that authority and the validation data of its certificate chain (and
  revocation information where the chain offers it) in the document's DSS: B-LT; with
  `settings.SEAL_LTA` as well, a document timestamp over everything: B-LTA. Without a
  time-stamping authority (the demo) the seal is B-B: the signing time is the server's
  own claim. `seal_level()` says which level the configuration produces.
- Trust: `settings.SEAL_TRUST_ROOTS` names the root certificates (PEM or DER files) the
  portal trusts, for the seal's chain and the time-stamping authority's. Empty: the seal
  certificate itself is the only root (the demo's self-signed one), and the chain is
  reported as not trusted by any certification authority.
- pyHanko's synchronous API runs its own event loop with `asyncio.run()`. Async code
  calls `seal_pdf_async`; `seal_pdf` is for synchronous callers with no running loop
  (Celery tasks, management commands, sync views) and refuses to run inside one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

LEVEL_B_B, LEVEL_B_T, LEVEL_B_LT, LEVEL_B_LTA = "B-B", "B-T", "B-LT", "B-LTA"

SEAL_FIELD_NAME = "CharitySeal"


class SealError(Exception):
    """The PDF could not be sealed; the message says why (certificate, password, input)."""


@dataclass(frozen=True)
class SealCredentials:
    """The charity's seal as loaded from its PKCS#12 file."""

    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate
    other_certificates: tuple[asn1_x509.Certificate, ...]
    common_name: str


_lock = threading.Lock()
_cache: dict[tuple[str, str], SealCredentials] = {}


def _load(path: Path, password: str) -> SealCredentials:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SealError(
            f"Seal certificate file not found: {path}. Set SEAL_PKCS12_PATH to the charity's PKCS#12 "
            "file, or run `python manage.py create_seal_certificate` for a development certificate."
        ) from None
    except OSError as exc:
        raise SealError(f"Seal certificate file {path} cannot be read: {exc.strerror or exc}.") from None
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError:
        raise SealError(
            f"Seal certificate file {path} cannot be opened: the password (SEAL_PKCS12_PASSWORD) is wrong "
            "or the file is not a PKCS#12 (.p12/.pfx) file."
        ) from None
    if key is None or certificate is None:
        raise SealError(f"Seal certificate file {path} must hold both a certificate and its private key.")
    now = datetime.datetime.now(datetime.UTC)
    if now < certificate.not_valid_before_utc:
        raise SealError(f"The seal certificate in {path} is not valid before {certificate.not_valid_before_utc}.")
    if now > certificate.not_valid_after_utc:
        raise SealError(f"The seal certificate in {path} expired on {certificate.not_valid_after_utc}.")
    try:
        # The PKCS#12's other certificates (the CA's chain) travel in the signature.
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=None, passphrase=password.encode() or None)
    except ValueError as exc:
        raise SealError(f"Seal certificate file {path} cannot be used for signing: {exc}.") from None
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return SealCredentials(
        signer=signer,
        certificate=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        other_certificates=tuple(
            asn1_x509.Certificate.load(other.public_bytes(serialization.Encoding.DER)) for other in others
        ),
        common_name=str(names[0].value) if names else "",
    )


def load_seal_credentials() -> SealCredentials:
    """The configured seal certificate and key, read once per process (per path and password).

    Raises `SealError` when the file is missing, unreadable, protected by another
    password, lacks the key or the certificate, or the certificate is not valid today.
    A failure is not cached: fixing the file or the settings takes effect on the next call.
    """
    path = Path(settings.SEAL_PKCS12_PATH)
    password = settings.SEAL_PKCS12_PASSWORD or ""
    key = (str(path.resolve()), password)
    with _lock:
        if key not in _cache:
            _cache[key] = _load(path, password)
        return _cache[key]


def _read_certificates(path: Path) -> list[asn1_x509.Certificate]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SealError(f"Trust root {path} (SEAL_TRUST_ROOTS) cannot be read: {exc.strerror or exc}.") from None
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            loaded = x509.load_pem_x509_certificates(data)
        else:
            loaded = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise SealError(f"Trust root {path} (SEAL_TRUST_ROOTS) is not a PEM or DER certificate.") from None
    return [asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in loaded]


def configured_trust_roots() -> list[asn1_x509.Certificate]:
    """The roots named by `settings.SEAL_TRUST_ROOTS` (empty when none are configured)."""
    roots: list[asn1_x509.Certificate] = []
    for path in settings.SEAL_TRUST_ROOTS:
        roots += _read_certificates(Path(path))
    return roots


def trust_roots(credentials: SealCredentials) -> list[asn1_x509.Certificate]:
    """What the portal trusts: the configured roots, else the seal certificate itself (demo)."""
    return configured_trust_roots() or [credentials.certificate]


def validation_context(credentials: SealCredentials, *, allow_fetching: bool) -> ValidationContext:
    """A validation context with the portal's trust roots and the seal's own chain.

    When sealing, fetching is allowed so that OCSP responses and CRLs the chain's
    certificates point to are collected and embedded; when verifying, nothing is fetched.
    """
    return ValidationContext(
        trust_roots=trust_roots(credentials),
        other_certs=list(credentials.other_certificates),
        allow_fetching=allow_fetching,
        revocation_mode="soft-fail",
    )


def seal_level() -> str:
    """The PAdES level the configuration produces: B-B, B-LT or B-LTA."""
    if not settings.SEAL_TSA_URL:
        return LEVEL_B_B
    return LEVEL_B_LTA if settings.SEAL_LTA else LEVEL_B_LT


def _timestamper() -> timestamps.TimeStamper | None:
    if not settings.SEAL_TSA_URL:
        return None
    return timestamps.HTTPTimeStamper(settings.SEAL_TSA_URL, timeout=settings.SEAL_TSA_TIMEOUT)


def _signature_metadata(
    credentials: SealCredentials, *, context: ValidationContext | None
) -> signers.PdfSignatureMetadata:
    long_term = context is not None
    return signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        name=credentials.common_name or None,
        reason="Electronic seal of the signed agreement",
        embed_validation_info=long_term,
        validation_context=context,
        use_pades_lta=long_term and settings.SEAL_LTA,
    )


def in_running_loop() -> bool:
    """Whether this thread is inside a running asyncio event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_coroutine(make_coroutine):
    """Run a pyHanko coroutine from synchronous code and return its result.

    pyHanko's sync API calls asyncio.run(), which fails where this thread already runs
    an event loop (a sync view under an async server, or tests driving a browser). Then
    the coroutine runs on a short-lived thread with its own loop; the caller, being
    synchronous, waits either way.
    """
    if not in_running_loop():
        return asyncio.run(make_coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


_UNTRUSTED_CHAIN = (
    "The seal certificate's chain does not lead to a trusted root (SEAL_TRUST_ROOTS), so its validation "
    "data cannot be embedded: {}"
)


async def seal_pdf_async(pdf: bytes) -> bytes:
    """Seal `pdf` with the charity's certificate at the configured level (`seal_level()`).

    Raises `SealError` when the certificate cannot be used, `pdf` is not a PDF, the
    time-stamping authority does not answer with a valid timestamp, or the seal's chain
    does not lead to a trusted root (validation data cannot be embedded then).
    """
    credentials = load_seal_credentials()
    timestamper = _timestamper()
    context = validation_context(credentials, allow_fetching=True) if timestamper else None
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = io.BytesIO()
        await signers.async_sign_pdf(
            writer,
            _signature_metadata(credentials, context=context),
            signer=credentials.signer,
            timestamper=timestamper,
            output=output,
        )
    except TimestampRequestError as exc:
        raise SealError(f"The time-stamping authority {settings.SEAL_TSA_URL} did not give a timestamp: {exc}") from exc
    except (PathBuildingError, PathValidationError) as exc:
        raise SealError(_UNTRUSTED_CHAIN.format(exc)) from exc
    except SigningError as exc:
        if isinstance(exc.__cause__, PathBuildingError | PathValidationError):
            raise SealError(_UNTRUSTED_CHAIN.format(exc.__cause__)) from exc
        raise SealError(f"The PDF could not be sealed: {exc}") from exc
    except (PdfError, ValueError, OSError) as exc:
        raise SealError(f"The PDF could not be sealed: {exc}") from exc
    finally:
        if context is not None:
            await context.aclose()
    return output.getvalue()


def seal_pdf(pdf: bytes) -> bytes:
    """Synchronous `seal_pdf_async` (Celery tasks, views); async code awaits the async one."""
    return run_coroutine(lambda: seal_pdf_async(pdf))


# --- Development certificate ----------------------------------------------------------


def create_self_signed_pkcs12(*, common_name: str, password: str, days: int = 3 * 365) -> bytes:
    """A PKCS#12 with a new ECDSA P-256 key and a self-signed certificate for `common_name`.

    For development and demos only: no reader trusts it beyond the portal, which uses
    the configured certificate itself as the trust root when verifying. Encrypted with
    `password`, or unencrypted when it is empty.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SA"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"seal", key, certificate, None, encryption)


def write_seal_certificate(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write a PKCS#12 file readable by its owner only; refuses to overwrite unless `force`.

    Written to a temporary file in the same folder and moved into place, so a reader
    never sees half a file.
    """
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".seal-", suffix=".p12")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
