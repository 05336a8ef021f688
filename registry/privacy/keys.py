"""The center's key-encryption key (KEK) and the wrapping of data keys.

Each registration's confidential materials are encrypted with a fresh AES-256 data key; the
data key is kept only wrapped. The KEK is an X25519 key pair in a keystore file under the data
directory (made at first start, mode 0600, never in the repository). A data key is wrapped for
a PUBLIC key, by ECIES: an ephemeral X25519 key agreement, HKDF-SHA256 and AES-256-GCM. The
center wraps for its own public key; ``rewrap_for`` wraps the same data key for another
center's public key (a successor's, guide art. 13) without the data being decrypted, and
without the successor ever handing over its private key.

A wrapped key is ``version (1) | ephemeral public key (32) | nonce (12) | AES-GCM(data key)
(32 + 16 tag)``, 93 bytes; the associated data binds it to the recipient's public key."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

logger = logging.getLogger(__name__)

WRAP_VERSION = 1
DATA_KEY_BYTES = 32
WRAPPED_BYTES = 1 + 32 + 12 + DATA_KEY_BYTES + 16
_INFO = b"registry/data-key-wrap/1"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class KeystoreError(Exception):
    """A keystore file that is unreadable, malformed or readable by others."""


class UnwrapError(Exception):
    """A wrapped key that is not for this key pair, or was altered."""


def public_bytes(key: X25519PublicKey) -> bytes:
    """The raw 32 bytes of an X25519 public key."""
    return key.public_bytes(*_RAW)


def parse_public_key(key: X25519PublicKey | bytes | str) -> X25519PublicKey:
    """An X25519 public key from itself, its raw 32 bytes, or their base64 or hex."""
    if isinstance(key, X25519PublicKey):
        return key
    if isinstance(key, str):
        text = key.strip()
        raw = bytes.fromhex(text.removeprefix("0x")) if len(text) in (64, 66) else None
        key = raw if raw is not None else base64.b64decode(text, validate=True)
    if len(key) != 32:
        raise ValueError("an X25519 public key is 32 bytes")
    return X25519PublicKey.from_public_bytes(key)


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, ephemeral + recipient, _INFO).derive(shared)


def wrap_for(public_key: X25519PublicKey | bytes | str, data_key: bytes) -> bytes:
    """``data_key`` wrapped for the holder of ``public_key``'s private key."""
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError(f"a data key is {DATA_KEY_BYTES} bytes")
    recipient = public_bytes(parse_public_key(public_key))
    ephemeral = X25519PrivateKey.generate()
    eph = public_bytes(ephemeral.public_key())
    key = _kek(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), eph, recipient)
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, data_key, bytes([WRAP_VERSION]) + recipient)
    return bytes([WRAP_VERSION]) + eph + nonce + sealed


def read_private_file(path: Path, what: str) -> bytes:
    """A key file's bytes; refused (KeystoreError) when others than its owner may read it."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeystoreError(f"{what} {path.name} has mode {mode:o}: it must be 0600")
    return path.read_bytes()


def write_private_file(path: Path, data: bytes) -> None:
    """A new key file, mode 0600 from its creation (never readable by others, not even for a
    moment), in a directory only its owner enters; refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


class CenterKeys:
    """The center's KEK, from its keystore file."""

    def __init__(self, private_key: X25519PrivateKey) -> None:
        self._private = private_key
        self.public_key = private_key.public_key()

    @classmethod
    def generate(cls) -> CenterKeys:
        """A new key pair, kept nowhere (a successor's in tests, or one about to be saved)."""
        return cls(X25519PrivateKey.generate())

    @classmethod
    def open(cls, path: Path) -> CenterKeys:
        """The keystore at ``path``, made (mode 0600) if there is none yet. A keystore that
        others than its owner may read is refused: the KEK opens every registration."""
        if not path.exists():
            keys = cls.generate()
            keys.save(path)
            logger.info("keystore made at first start: %s", path.name)
            return keys
        data = read_private_file(path, "keystore")
        try:
            document = json.loads(data.decode("utf-8"))
            raw = base64.b64decode(document["private_key"], validate=True)
            return cls(X25519PrivateKey.from_private_bytes(raw))
        except (ValueError, KeyError, TypeError) as exc:
            raise KeystoreError(f"keystore {path.name} is malformed: {exc}") from None

    def save(self, path: Path) -> None:
        """Writes the keystore, mode 0600 from its creation (never readable by others, not
        even for a moment); refuses to overwrite one."""
        raw = self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        document = {
            "kind": "x25519",
            "private_key": base64.b64encode(raw).decode(),
            "public_key": base64.b64encode(self.public_raw).decode(),
        }
        write_private_file(path, json.dumps(document).encode("utf-8"))

    @property
    def public_raw(self) -> bytes:
        return public_bytes(self.public_key)

    def new_data_key(self) -> tuple[bytes, bytes]:
        """A fresh AES-256 data key and its wrapping for this center."""
        data_key = AESGCM.generate_key(bit_length=256)
        return data_key, wrap_for(self.public_key, data_key)

    def unwrap(self, wrapped: bytes) -> bytes:
        """The data key in ``wrapped``; UnwrapError if it is not wrapped for this center."""
        if len(wrapped) != WRAPPED_BYTES or wrapped[0] != WRAP_VERSION:
            raise UnwrapError(f"a wrapped key is {WRAPPED_BYTES} bytes of version {WRAP_VERSION}")
        eph, nonce, sealed = wrapped[1:33], wrapped[33:45], wrapped[45:]
        recipient = self.public_raw
        key = _kek(self._private.exchange(X25519PublicKey.from_public_bytes(eph)), eph, recipient)
        try:
            return AESGCM(key).decrypt(nonce, sealed, bytes([WRAP_VERSION]) + recipient)
        except InvalidTag as exc:
            logger.warning("a wrapped key does not open with this center's key")
            raise UnwrapError("the key is not wrapped for this center, or was altered") from exc

    def rewrap_for(self, wrapped: bytes, public_key: X25519PublicKey | bytes | str) -> bytes:
        """The data key in ``wrapped`` (this center's), wrapped for ``public_key`` instead:
        what a successor center receives (it unwraps with its own private key)."""
        return wrap_for(public_key, self.unwrap(wrapped))
