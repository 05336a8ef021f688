"""Detached signatures of issued documents: the service key signs (EIP-191) a short text naming
the file's SHA-256 and the report hash, so anyone with the file, the signature and the key's
address detects any alteration, with any Ethereum library and no access to the registry."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

SCHEME = "EIP-191 personal_sign of the statement"


def statement(file_sha256: str, content_hash: str) -> str:
    return (
        f"data-rights-registry document\nfile-sha256: {file_sha256}\ncontent-sha256: {content_hash}"
    )


def sign_document(data: bytes, content_hash: str, key: LocalAccount) -> dict[str, Any]:
    file_sha256 = "0x" + hashlib.sha256(data).hexdigest()
    text = statement(file_sha256, content_hash)
    signed = key.sign_message(encode_defunct(text=text))
    return {
        "scheme": SCHEME,
        "statement": text,
        "file_sha256": file_sha256,
        "content_sha256": content_hash,
        "signer": key.address,
        "signature": "0x" + bytes(signed.signature).hex(),
    }


def check_document(
    file_sha256: str, detached: dict[str, Any], is_service_key: Callable[[str], bool]
) -> dict[str, bool]:
    """Each check of a file, by its SHA-256 (0x-hex; the signature covers the file only through
    it, so a file is hashed as it streams and never held), against its detached signature;
    ``is_service_key`` says whether the recovered signer is one of the service's keys (e.g.
    holds the registrar role on chain)."""
    text = statement(str(detached.get("file_sha256")), str(detached.get("content_sha256")))
    try:
        recovered = Account.recover_message(
            encode_defunct(text=text), signature=detached["signature"]
        )
    except (KeyError, TypeError, ValueError):
        recovered = None
    return {
        "file_unaltered": detached.get("file_sha256") == file_sha256,
        "signature_valid": recovered is not None and recovered == detached.get("signer"),
        "signed_by_service": recovered is not None and is_service_key(recovered),
    }
