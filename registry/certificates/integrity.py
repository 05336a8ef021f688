"""W3C Data Integrity proofs of the ``eddsa-rdfc-2022`` cryptosuite, by the center's Ed25519
credential key, over whole credentials.

The proof (W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3): the proof's options
(without ``proofValue``, under the credential's ``@context``) and the credential (without
``proof``) are each canonicalised by RDFC-1.0 into N-Quads and hashed with SHA-256; the
Ed25519 signature of the two hashes, options first, is ``proofValue`` in multibase base58btc
(``z...``). Any processor that reads the same JSON-LD contexts gets the same N-Quads, so any
implementation of the suite verifies the proof.

No context is fetched from the network: the W3C credentials v2 context ships with the package,
as does the registry's own (its terms, ``@protected``), which it also serves at its own
address. The key is kept in the data directory (mode 0600, made at first start) and published as
a Multikey (``z6Mk...``) in the center's controller document."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pyld import jsonld

from registry.content.cid import b58decode, b58encode
from registry.privacy.keys import KeystoreError, read_private_file, write_private_file
from registry.times import iso

logger = logging.getLogger(__name__)

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_PATH = "/v1/contexts/data-registry/v1"
"""Where the registry serves its own context; the credential names it at the center's address."""
CRYPTOSUITE = "eddsa-rdfc-2022"
_ED25519_PUB = b"\xed\x01"
"""The multicodec of an Ed25519 public key (varint 0xed), the prefix of its Multikey."""
_NQUADS = {"algorithm": "URDNA2015", "format": "application/n-quads"}

Loader = Callable[[str, dict[str, Any]], dict[str, Any]]


class ProofError(Exception):
    """A Data Integrity proof that is missing, of another suite, or does not verify."""


@cache
def shipped_context(name: str) -> dict[str, Any]:
    """A JSON-LD context shipped with the package (``credentials-v2``, ``data-registry-v1``)."""
    text = files("registry.certificates").joinpath(f"contexts/{name}.jsonld").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def document_loader(registry_context: str) -> Loader:
    """A pyld document loader that knows the W3C credentials v2 context and the registry's own
    (named ``registry_context``, its address at this center) and refuses every other URL: a
    credential that names another context is not one this registry signs or checks."""
    known = {
        CREDENTIALS_V2: shipped_context("credentials-v2"),
        registry_context: shipped_context("data-registry-v1"),
    }

    def load(url: str, _options: dict[str, Any]) -> dict[str, Any]:
        if url not in known:
            raise jsonld.JsonLdError(
                f"context {url} is not one the registry knows (no network)",
                "jsonld.LoadDocumentError",
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": known[url]}

    return load


def _canonical_hash(document: dict[str, Any], loader: Loader) -> bytes:
    nquads: str = jsonld.normalize(document, {**_NQUADS, "documentLoader": loader})
    return hashlib.sha256(nquads.encode()).digest()


def _hash_data(document: dict[str, Any], options: dict[str, Any], loader: Loader) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    config = {"@context": document["@context"], **options}
    return _canonical_hash(config, loader) + _canonical_hash(unsigned, loader)


def multikey(public_key: Ed25519PublicKey) -> str:
    """The key's ``publicKeyMultibase``: base58btc of 0xed01 and its 32 bytes (``z6Mk...``)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(_ED25519_PUB + raw)


def public_key_of(multibase: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a ``z6Mk...`` Multikey; ValueError for anything else."""
    raw = b58decode(multibase[1:]) if multibase.startswith("z") else b""
    if len(raw) != 34 or raw[:2] != _ED25519_PUB:
        raise ValueError("not an Ed25519 Multikey (z6Mk...)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


class CredentialKey:
    """The center's Ed25519 key for credentials, from its file in the data directory."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_multikey = multikey(private_key.public_key())

    @classmethod
    def open(cls, path: Path) -> CredentialKey:
        """The key at ``path``, made (mode 0600) if there is none yet; one that others than its
        owner may read is refused: it signs every credential the center issues."""
        if not path.exists():
            key = cls(Ed25519PrivateKey.generate())
            key._save(path)
            logger.info("credential signing key made at first start: %s", path.name)
            return key
        pem = read_private_file(path, "credential key")
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except ValueError as exc:
            raise KeystoreError(f"credential key {path.name} is malformed: {exc}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeystoreError(f"credential key {path.name} is not an Ed25519 key")
        return cls(private)

    def _save(self, path: Path) -> None:
        pem = self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_private_file(path, pem)

    def sign(
        self, document: dict[str, Any], verification_method: str, created: int, loader: Loader
    ) -> dict[str, Any]:
        """``document`` with a ``DataIntegrityProof`` (assertionMethod) over all of it."""
        options = {
            "type": "DataIntegrityProof",
            "cryptosuite": CRYPTOSUITE,
            "created": iso(created),
            "verificationMethod": verification_method,
            "proofPurpose": "assertionMethod",
        }
        signature = self._private.sign(_hash_data(document, options, loader))
        return {**document, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


def verify(document: dict[str, Any], public_multikey: str, loader: Loader) -> None:
    """Checks ``document``'s ``eddsa-rdfc-2022`` proof with the key; raises ProofError."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"no {CRYPTOSUITE} DataIntegrityProof")
    value = proof.get("proofValue", "")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        signature = b58decode(value[1:]) if value.startswith("z") else b""
        public_key_of(public_multikey).verify(signature, _hash_data(document, options, loader))
    except (InvalidSignature, ValueError) as exc:
        raise ProofError(f"the proof does not verify: {exc or 'bad signature'}") from None
