"""Embedded PAdES signatures (ETSI EN 319 142, via pyHanko) of the PDFs the registry issues:
the registration center's X.509 signing certificate certifies the certificate and the report
PDFs, with an RFC 3161 timestamp when a time-stamping authority is configured, so any PDF
reader shows who signed and that nothing changed since.

A center's certificate comes from a CA it trusts, configured by the settings' files. Without
one, the registry makes a self-signed certificate in its data directory (the embedded default,
as `registry keys signing-certificate` does), whose subject says it is not from a trusted CA:
a reader then shows the document intact but its signer unknown."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from registry.config import Settings
from registry.regions import Center, center_name

logger = logging.getLogger(__name__)

SELF_SIGNED_MARK = "自签名，非受信CA签发 / self-signed, NOT from a trusted CA"
"""In the subject (organisational unit) of every certificate the registry makes itself."""
FIELD = "CenterSignature"
"""The signature field's name in every signed PDF."""
VALIDITY_DAYS = 5 * 366
"""A self-signed certificate's validity: a certificate is valid at most 5 years (art. 26)."""
TSA_TIMEOUT = 10.0
"""Seconds a time-stamping authority has to answer; past it the document is not issued."""
SIGNATURE_RESERVE = 4 << 10
"""Bytes kept for a signature beyond its certificates (signed attributes and an RSA-4096
signature take under 1.5 KB); a timestamp token takes TIMESTAMP_RESERVE more. Reserving the
room saves pyHanko a trial signature (and a trial request to the authority) to learn its size."""
TIMESTAMP_RESERVE = 12 << 10


class SigningSetupError(RuntimeError):
    """The configured signing files are missing or unreadable: no document is signed with a
    certificate the operator did not choose."""


@dataclass(frozen=True)
class SigningFiles:
    """Where a center's signing key and certificate are kept."""

    key: Path
    certificate: Path
    chain: Path | None = None
    """Issuing CA certificates (PEM), embedded with the signature so a reader builds the path."""

    @classmethod
    def of(cls, settings: Settings) -> SigningFiles:
        return cls(
            settings.signing_key_path,
            settings.signing_certificate_path,
            settings.signing_chain_file,
        )


def make_signing_certificate(
    files: SigningFiles, center_zh: str, center_en: str, now: dt.datetime
) -> x509.Certificate:
    """Makes an RSA-2048 key and a self-signed certificate of the center, marked in its
    subject as not from a trusted CA, and writes them (the key readable by its owner only).
    RSA with PKCS #1 v1.5: every PDF reader checks it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, center_zh),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SELF_SIGNED_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{center_en} document signing (self-signed)"),
        ]
    )
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    files.key.parent.mkdir(parents=True, exist_ok=True)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_pem)
    files.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate


def describe(certificate: x509.Certificate) -> dict[str, str]:
    """What a person checks a signing certificate by: subject, issuer, validity, fingerprint."""
    return {
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "sha256": certificate.fingerprint(hashes.SHA256()).hex(),
    }


class _ParsedKeySigner(signers.SimpleSigner):
    """pyHanko's signer parses its private key again for each signature it makes, and
    cryptography checks an RSA key as it parses it (0.15 s for RSA-2048): this one parses it
    once. Mechanisms other than RSA PKCS #1 v1.5 and ECDSA go to pyHanko's."""

    _parsed: Any = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism not in ("rsassa_pkcs1v15", "ecdsa"):
            raw: bytes = super().sign_raw(data, digest_algorithm)
            return raw
        if self._parsed is None:
            self._parsed = serialization.load_der_private_key(self.signing_key.dump(), None)
        digest = getattr(hashes, digest_algorithm.upper())()
        if isinstance(self._parsed, rsa.RSAPrivateKey):
            return self._parsed.sign(data, padding.PKCS1v15(), digest)
        if isinstance(self._parsed, ec.EllipticCurvePrivateKey):
            return self._parsed.sign(data, ec.ECDSA(digest))
        raise SigningSetupError(f"key {type(self._parsed).__name__} does not make {mechanism}")


class DocumentSigner:
    """Signs PDFs as the center: loaded on the first document (the embedded default is made
    then, once)."""

    def __init__(
        self,
        files: SigningFiles,
        center: Center,
        tsa_url: str | None = None,
        passphrase: bytes | None = None,
        configured: bool = False,
    ) -> None:
        """``center``: the center that signs (and issues the documents); ``configured``: the
        files were named by the operator, so missing ones are an error, not a default to make."""
        self.files = files
        self.center = center
        self.center_zh = center_name(center)
        self.center_en = center_name(center, "en")
        self.tsa_url = tsa_url
        self._passphrase = passphrase
        self._configured = configured
        self._signer: Any = None
        self._reserve = SIGNATURE_RESERVE
        self._lock = threading.Lock()

    @classmethod
    def of(cls, settings: Settings) -> DocumentSigner:
        passphrase = settings.signing_key_passphrase
        return cls(
            SigningFiles.of(settings),
            settings.registration_center,
            settings.tsa_url,
            None if passphrase is None else passphrase.get_secret_value().encode(),
            configured=settings.signing_key_file is not None,
        )

    def _load(self) -> Any:
        files = self.files
        if not (files.key.is_file() and files.certificate.is_file()):
            if self._configured:
                raise SigningSetupError(
                    f"signing key {files.key.name} or certificate {files.certificate.name} "
                    "not found: set REGISTRY_SIGNING_KEY_FILE and "
                    "REGISTRY_SIGNING_CERTIFICATE_FILE to the center's files"
                )
            certificate = make_signing_certificate(
                files, self.center_zh, self.center_en, dt.datetime.now(dt.UTC)
            )
            logger.warning(
                "made a self-signed document signing certificate (%s), not from a trusted CA: "
                "PDF readers will not know the signer",
                describe(certificate)["sha256"],
            )
        # pyHanko's own annotations are partial: its loaders and clients count as untyped.
        signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
            str(files.key),
            str(files.certificate),
            ca_chain_files=(str(files.chain),) if files.chain else None,
            key_passphrase=self._passphrase,
        )
        if signer is None:
            # pyHanko has logged why (unreadable PEM or DER, wrong passphrase).
            raise SigningSetupError(f"cannot load the signing key {files.key.name}")
        certificates = sum(len(c.dump()) for c in (signer.signing_cert, *signer.cert_registry))
        # pyHanko writes the room as hex digits of whole bytes: an even count.
        self._reserve = SIGNATURE_RESERVE + certificates + certificates % 2
        return _ParsedKeySigner(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
        )

    def _ready(self) -> Any:
        with self._lock:
            if self._signer is None:
                self._signer = self._load()
            return self._signer

    def certificate(self) -> x509.Certificate:
        """The certificate the documents are signed with (made first if it is the default)."""
        self._ready()
        return x509.load_pem_x509_certificate(self.files.certificate.read_bytes())

    def sign(self, pdf: bytes, reason: str) -> bytes:
        """``pdf`` with a certification signature (no change permitted afterwards) by the center
        appended as an incremental update: the original bytes stay as they are, first."""
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
            reason=reason,
            location=self.center_zh,
            name=self.center_zh,
        )
        timestamper = (
            RequestsHTTPTimeStamper(self.tsa_url, timeout=TSA_TIMEOUT)  # type: ignore[no-untyped-call]
            if self.tsa_url
            else None
        )
        signer = self._ready()
        pdf_signer = signers.PdfSigner(metadata, signer, timestamper=timestamper)
        out = pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            bytes_reserved=self._reserve + (TIMESTAMP_RESERVE if timestamper else 0),
        )
        signed: bytes = out.getvalue()
        return signed
