"""Block headers as the chain hashes them: the RLP of the header fields, in consensus order."""

from __future__ import annotations

from typing import Any

import rlp
from eth_utils.crypto import keccak

# Consensus order; the trailing fields exist from London, Shanghai, Cancun and Prague on.
_FIELDS = (
    ("parentHash", "bytes"),
    ("sha3Uncles", "bytes"),
    ("miner", "bytes"),
    ("stateRoot", "bytes"),
    ("transactionsRoot", "bytes"),
    ("receiptsRoot", "bytes"),
    ("logsBloom", "bytes"),
    ("difficulty", "int"),
    ("number", "int"),
    ("gasLimit", "int"),
    ("gasUsed", "int"),
    ("timestamp", "int"),
    ("extraData", "bytes"),
    ("mixHash", "bytes"),
    ("nonce", "bytes"),
    ("baseFeePerGas", "int"),
    ("withdrawalsRoot", "bytes"),
    ("blobGasUsed", "int"),
    ("excessBlobGas", "int"),
    ("parentBeaconBlockRoot", "bytes"),
    ("requestsHash", "bytes"),
)


def _value(raw: Any, kind: str) -> Any:
    if isinstance(raw, str):
        raw = bytes.fromhex(raw.removeprefix("0x")) if kind == "bytes" else int(raw, 16)
    if kind == "bytes":
        return bytes(raw)
    return int(raw)


def encode_header(block: dict[str, Any]) -> bytes:
    """The RLP header of a JSON-RPC block; its keccak-256 is the block hash."""
    fields = []
    for name, kind in _FIELDS:
        if name not in block or block[name] is None:
            break
        fields.append(_value(block[name], kind))
    return bytes(rlp.encode(fields))


def verified_header(block: dict[str, Any]) -> bytes:
    """The RLP header, after checking it hashes to the block's own hash."""
    header = encode_header(block)
    claimed = _value(block["hash"], "bytes")
    if keccak(header) != claimed:
        raise ValueError(f"block {block['number']}: its fields do not hash to its hash")
    return header
