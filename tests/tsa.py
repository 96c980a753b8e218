"""A real RFC 3161 time-stamping authority on loopback, and a test certification authority.

`TestCA` makes a root certificate and issues from it: a seal certificate (as a PKCS#12 with
its chain, what a certification authority delivers) and a time-stamping certificate.
`LoopbackTSA` answers RFC 3161 requests over HTTP with OpenSSL's own `openssl ts -reply`,
so the portal's pyHanko client talks to a real authority, not a stub. Without openssl the
fixture skips, or fails when `CI` is set (`tests.conftest.service_missing`).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_OPENSSL_TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = yes
ess_cert_id_alg = sha256
"""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Trust Services"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SA"),
        ]
    )


def _key_usage(*, signing: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing and not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class Issued:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


class TestCA:
    """A root certification authority that issues seal and time-stamping certificates."""

    __test__ = False  # not a test class, whatever pytest's name pattern says

    def __init__(self, common_name: str = "Test Root CA") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(_name(common_name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(signing=True, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, common_name: str, *, time_stamping: bool = False, days: int = 365) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signing=True, ca=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        if time_stamping:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        return Issued(key=key, certificate=builder.sign(self.key, hashes.SHA256()))

    def seal_pkcs12(self, common_name: str, password: str) -> bytes:
        """A seal certificate issued by this CA, with its chain, as the CA would deliver it."""
        seal = self.issue(common_name)
        encryption = serialization.BestAvailableEncryption(password.encode()) if password else None
        return pkcs12.serialize_key_and_certificates(
            b"seal", seal.key, seal.certificate, [self.certificate], encryption or serialization.NoEncryption()
        )

    def write_root(self, path: Path) -> Path:
        path.write_bytes(pem(self.certificate))
        return path


class LoopbackTSA:
    """`openssl ts -reply` behind an HTTP server on 127.0.0.1 (RFC 3161 over HTTP)."""

    def __init__(self, ca: TestCA, folder: Path, *, name: str = "Test Time-Stamping Authority") -> None:
        self.openssl = shutil.which("openssl")
        if self.openssl is None:
            raise FileNotFoundError("openssl")
        self.ca = ca
        self.folder = folder
        issued = ca.issue(name, time_stamping=True)
        self.certificate = issued.certificate
        (folder / "tsa.pem").write_bytes(pem(issued.certificate))
        (folder / "tsa.key").write_bytes(
            issued.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (folder / "ca.pem").write_bytes(pem(ca.certificate))
        (folder / "serial").write_text("01\n")
        (folder / "tsa.cnf").write_text(_OPENSSL_TSA_CONFIG.format(dir=folder))
        self._lock = threading.Lock()
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reply(self, query: bytes) -> bytes:
        """The DER time-stamp response to a DER time-stamp query, made by OpenSSL."""
        with self._lock, tempfile.TemporaryDirectory(dir=self.folder) as work:
            query_path, reply_path = Path(work) / "query.tsq", Path(work) / "reply.tsr"
            query_path.write_bytes(query)
            subprocess.run(
                [
                    self.openssl,
                    "ts",
                    "-reply",
                    "-config",
                    str(self.folder / "tsa.cnf"),
                    "-queryfile",
                    str(query_path),
                    "-out",
                    str(reply_path),
                ],
                check=True,
                capture_output=True,
            )
            self.requests += 1
            return reply_path.read_bytes()

    def _handler(self):
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                query = self.rfile.read(length)
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                try:
                    body = tsa.reply(query)
                except subprocess.CalledProcessError:
                    self.send_error(400)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> LoopbackTSA:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
