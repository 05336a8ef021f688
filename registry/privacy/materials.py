"""Confidential materials (proof documents, contracts, samples, the confidential part of a
form), encrypted at rest: AES-256-GCM under a fresh data key per registration, the data key
kept wrapped by the center's KEK (``registry.privacy.keys``). The ciphertexts go to the
content store (the embedded one or a Kubo daemon: only ciphertext ever reaches it); the
envelope of a registration (its wrapped key and, per material, the ciphertext's CID and nonce)
is a JSON file under the data directory, never in a store others can reach.

A registration is named by its public manifest's hash (``0x`` and 64 hex digits): the hash on
chain. Each material is bound to its registration and name as AES-GCM associated data, so a
ciphertext cannot be passed off as another's."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, Field

from registry.content import Cid, ContentError, ContentStore
from registry.content.store import read_all
from registry.privacy.keys import CenterKeys

logger = logging.getLogger(__name__)

_REGISTRATION = re.compile(r"0x[0-9a-f]{64}")


class MaterialError(Exception):
    """A registration or material the store does not have, or whose ciphertext was altered."""


class Sealed(BaseModel):
    """One material as kept: its ciphertext's CID in the content store, the nonce, and the
    plaintext's size and SHA-256 (checked when opened)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cid: str
    nonce: str
    size: int
    sha256: str


class Envelope(BaseModel):
    """A registration's materials: the data key wrapped (base64) and each material sealed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    registration: str
    wrapped_key: str
    materials: dict[str, Sealed] = Field(default_factory=dict)


def registration_key(registration: str) -> str:
    """``registration`` as the store names it: ``0x`` and 64 lower-case hex digits."""
    text = registration.strip().lower()
    if not text.startswith("0x"):
        text = "0x" + text
    if not _REGISTRATION.fullmatch(text):
        raise ValueError("a registration is named by its manifest hash, 0x and 64 hex digits")
    return text


def _aad(registration: str, name: str) -> bytes:
    return f"{registration}\n{name}".encode()


class MaterialStore:
    """The encrypted materials of every registration."""

    def __init__(self, root: Path, keys: CenterKeys, content: ContentStore) -> None:
        self.root = root
        self.keys = keys
        self.content = content
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _file(self, registration: str) -> Path:
        return self.root / f"{registration_key(registration)}.json"

    def envelope(self, registration: str) -> Envelope:
        """The registration's envelope; MaterialError if it has no materials here."""
        try:
            return Envelope.model_validate_json(self._file(registration).read_bytes())
        except FileNotFoundError:
            raise MaterialError(f"no materials of {registration}") from None

    def registrations(self) -> list[str]:
        """Every registration with materials here, sorted."""
        return sorted(p.stem for p in self.root.glob("0x*.json"))

    def names(self, registration: str) -> list[str]:
        """The names of a registration's materials, sorted."""
        return sorted(self.envelope(registration).materials)

    def seal(self, registration: str, materials: Mapping[str, bytes]) -> Envelope:
        """Encrypts and stores ``materials`` (name to bytes) for ``registration``: under its
        data key, made on its first materials. A name sealed before is refused (materials are
        kept, never replaced: guide art. 10)."""
        registration = registration_key(registration)
        try:
            envelope = self.envelope(registration)
            data_key = self.keys.unwrap(base64.b64decode(envelope.wrapped_key))
        except MaterialError:
            data_key, wrapped = self.keys.new_data_key()
            envelope = Envelope(
                registration=registration, wrapped_key=base64.b64encode(wrapped).decode()
            )
        sealed = dict(envelope.materials)
        for name, plain in materials.items():
            if name in sealed:
                raise MaterialError(f"{registration} already has a material named {name!r}")
            nonce = secrets.token_bytes(12)
            cipher = AESGCM(data_key).encrypt(nonce, plain, _aad(registration, name))
            stored = self.content.add(cipher, cid_version=1, pin=True)
            sealed[name] = Sealed(
                cid=str(stored.cid),
                nonce=nonce.hex(),
                size=len(plain),
                sha256=hashlib.sha256(plain).hexdigest(),
            )
        envelope = envelope.model_copy(update={"materials": sealed})
        self._write(envelope)
        logger.info("%d materials sealed for %s", len(materials), registration)
        return envelope

    def _write(self, envelope: Envelope) -> None:
        path = self._file(envelope.registration)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".envelope-")
        with os.fdopen(fd, "wb") as out:
            out.write(envelope.model_dump_json().encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def open(self, registration: str, name: str) -> bytes:
        """The plaintext of one material: fetched from the content store, decrypted and checked
        against its SHA-256. What query and copy (guide art. 30) hands out, after its log."""
        envelope = self.envelope(registration)
        sealed = envelope.materials.get(name)
        if sealed is None:
            raise MaterialError(f"{envelope.registration} has no material named {name!r}")
        data_key = self.keys.unwrap(base64.b64decode(envelope.wrapped_key))
        try:
            cipher = read_all(self.content, Cid.parse(sealed.cid))
            plain = AESGCM(data_key).decrypt(
                bytes.fromhex(sealed.nonce), cipher, _aad(envelope.registration, name)
            )
        except ContentError as exc:
            logger.warning("material %s of %s unreadable: %s", name, envelope.registration, exc)
            raise MaterialError(f"material {name!r} is not in the content store: {exc}") from None
        except InvalidTag:
            logger.warning("material %s of %s fails its tag", name, envelope.registration)
            raise MaterialError(f"material {name!r} was altered") from None
        if hashlib.sha256(plain).hexdigest() != sealed.sha256:
            raise MaterialError(f"material {name!r} does not match its SHA-256")
        return plain

    def rewrap_for(self, public_key: X25519PublicKey | bytes | str) -> Iterator[Envelope]:
        """Every registration's envelope with its data key wrapped for ``public_key`` (a
        successor center's): the ciphertexts stay as they are, the successor opens them with
        its own private key."""
        for registration in self.registrations():
            envelope = self.envelope(registration)
            wrapped = self.keys.rewrap_for(base64.b64decode(envelope.wrapped_key), public_key)
            yield envelope.model_copy(update={"wrapped_key": base64.b64encode(wrapped).decode()})

    def adopt(self, envelope: Envelope) -> None:
        """Keeps an envelope wrapped for this center (a predecessor's, re-wrapped for it): its
        key is checked to open here; the ciphertexts must be in the content store."""
        self.keys.unwrap(base64.b64decode(envelope.wrapped_key))
        if self._file(envelope.registration).exists():
            raise MaterialError(f"{envelope.registration} already has materials here")
        self._write(envelope)
