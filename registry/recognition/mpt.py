"""Merkle-Patricia trie proofs (EIP-1186 ``eth_getProof``) checked here, trusting no node: an
account against a block's state root, then storage slots against the account's storage root.

Each proof node must hash (keccak-256) to the reference its parent holds, from the root down;
nodes under 32 bytes sit inline in their parent. A path that ends at an empty branch slot or a
diverging leaf or extension proves the key absent (value zero)."""

from __future__ import annotations

from typing import Any

import rlp
from eth_utils.crypto import keccak

EMPTY_ROOT = keccak(rlp.encode(b""))
"""The root of an empty trie: an account with no storage (eth_getProof proves it by ``0x80``)."""


class ProofError(ValueError):
    """The proof does not lead from the root to the key: tampered, or for another root."""


def _nibbles(data: bytes) -> list[int]:
    out = []
    for byte in data:
        out += [byte >> 4, byte & 0x0F]
    return out


def _hex_prefix(encoded: bytes) -> tuple[bool, list[int]]:
    """(is_leaf, path) of a compact-encoded (hex-prefix) path."""
    nibbles = _nibbles(encoded)
    flag = nibbles[0]
    return flag >= 2, nibbles[2:] if flag % 2 == 0 else nibbles[1:]


def prove(root: bytes, key: bytes, proof: list[bytes]) -> bytes:
    """The value stored under ``keccak(key)`` in the trie of ``root`` (``b""`` if proven absent).
    Raises ProofError if the proof does not hold."""
    path = _nibbles(keccak(key))
    if root == EMPTY_ROOT and not proof:
        return b""
    nodes = iter(proof)
    reference: Any = root
    while True:
        if isinstance(reference, list):  # an inline node
            node = reference
        else:
            raw = next(nodes, None)
            if raw is None or keccak(raw) != reference:
                raise ProofError("a proof node does not hash to its parent's reference")
            node = rlp.decode(raw)
        if not isinstance(node, list):  # only the empty trie's root decodes to a string
            if reference == EMPTY_ROOT:  # no storage at all: every slot absent
                return b""
            raise ProofError("not a trie node")
        if len(node) == 17:
            if not path:
                return bytes(node[16])
            reference, path = node[path[0]], path[1:]
            if reference == b"":
                return b""
        elif len(node) == 2:
            is_leaf, segment = _hex_prefix(bytes(node[0]))
            if path[: len(segment)] != segment:
                return b""
            path = path[len(segment) :]
            if is_leaf:
                if path:
                    return b""
                return bytes(node[1])
            reference = node[1]
        else:
            raise ProofError("not a trie node")
        if isinstance(reference, bytes) and len(reference) not in (0, 32):
            raise ProofError("a reference is neither a hash nor an inline node")


def prove_account(state_root: bytes, address: bytes, proof: list[bytes]) -> tuple[int, bytes]:
    """(nonce, storage root) of an account proven under ``state_root``."""
    value = prove(state_root, address, proof)
    if not value:
        raise ProofError("the account does not exist at this state root")
    nonce, _balance, storage_root, _code_hash = rlp.decode(value)
    return int.from_bytes(nonce, "big"), bytes(storage_root)


def prove_slot(storage_root: bytes, slot: int, proof: list[bytes]) -> int:
    """A storage word proven under ``storage_root`` (zero if proven absent)."""
    value = prove(storage_root, slot.to_bytes(32, "big"), proof)
    return int.from_bytes(rlp.decode(value), "big") if value else 0
