"""What the node behind an endpoint can do, found out once by asking it, and what the registry
does instead where it cannot.

The registry runs on any EVM node: anvil and Hardhat's EDR here, a consortium network (Besu,
FISCO BCOS's web3 RPC, ChainMaker EVM) in production. Each of them lacks something the others
have: EDR answers ``eth_createAccessList``, ``txpool_status`` and the ``anvil_`` namespace
with "not supported"; Besu has no ``evm_`` namespace. (``eth_simulateV1``, which neither
embedded engine has, is not used.) So nothing here
assumes a method exists: :func:`capabilities` asks the node once per endpoint, in one JSON-RPC
batch of harmless probes, and the writer, the block journal and the tests read the answer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, fields
from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint

logger = logging.getLogger(__name__)

_ZERO = "0x" + "00" * 20

PROBES: dict[str, tuple[str, list[Any], str]] = {
    "access_lists": (
        "eth_createAccessList",
        [{"from": _ZERO, "to": _ZERO, "data": "0x"}, "latest"],
        "a call is checked and measured by eth_estimateGas (which runs it several times)",
    ),
    "proofs": (
        "eth_getProof",
        [_ZERO, [], "latest"],
        "partner centers cannot check this chain's storage proofs, so cannot recognise it",
    ),
    "raw_transactions": (
        "eth_getRawTransactionByHash",
        ["0x" + "00" * 32],
        "the block journal rebuilds a transaction's bytes from its fields, checked by its hash",
    ),
    "txpool": (
        "txpool_status",
        [],
        "the block journal counts the pending block's transactions instead",
    ),
    "anvil_methods": (
        "anvil_nodeInfo",
        [],
        "no state snapshot (anvil_dumpState): the block journal replays from genesis at start",
    ),
    "hardhat_methods": (
        "hardhat_metadata",
        [],
        "the block journal cannot drop one pending transaction (hardhat_dropTransaction)",
    ),
    "snapshots": (
        "evm_revert",
        ["0xffffffffffff"],
        "the test fixtures, which revert the chain to a snapshot after each test, cannot run",
    ),
}
"""Each capability: the method asked (with arguments that change nothing), and what the
registry does without it, or what cannot be done. A namespace is asked by a method that only
reads (``anvil_nodeInfo`` for anvil's ``anvil_dumpState`` and ``anvil_dropAllTransactions``):
dumping the state to find out would cost seconds at a large register."""

_UNSUPPORTED_CODES = {-32601, -32004}
"""Method not found (JSON-RPC 2.0), and the "not supported" EDR and Besu answer with."""
_UNSUPPORTED_WORDS = ("not supported", "does not exist", "not found", "not available")


@dataclass(frozen=True)
class Capabilities:
    """The node's answers to :data:`PROBES` (True: the method exists) and its client name."""

    client: str
    access_lists: bool
    proofs: bool
    raw_transactions: bool
    txpool: bool
    anvil_methods: bool
    hardhat_methods: bool
    snapshots: bool

    def lacking(self) -> list[str]:
        """The methods the node lacks, each with what the registry does instead (or cannot
        do)."""
        return [
            f"{PROBES[f.name][0]}: {PROBES[f.name][2]}"
            for f in fields(self)
            if f.name != "client" and not getattr(self, f.name)
        ]


def _supported(answer: dict[str, Any]) -> bool:
    """Whether a probe's answer shows the method exists: any answer but "no such method" (a
    refusal of the probe's arguments still shows the method is there)."""
    error = answer.get("error")
    if not error:
        return True
    message = str(error.get("message", "")).lower() if isinstance(error, dict) else str(error)
    code = error.get("code") if isinstance(error, dict) else None
    return code not in _UNSUPPORTED_CODES and not any(w in message for w in _UNSUPPORTED_WORDS)


_known: dict[str, Capabilities] = {}
_lock = threading.Lock()


def capabilities(w3: Web3) -> Capabilities:
    """The capabilities of the node behind ``w3``'s endpoint, asked once per endpoint (a node
    behind an endpoint does not change engines while the service runs)."""
    key = str(getattr(w3.provider, "endpoint_uri", id(w3.provider)))
    with _lock:
        known = _known.get(key)
    if known is not None:
        return known
    names = list(PROBES)
    requests = [(RPCEndpoint("web3_clientVersion"), [])] + [
        (RPCEndpoint(PROBES[n][0]), PROBES[n][1]) for n in names
    ]
    answers = w3.provider.make_batch_request(requests)  # type: ignore[attr-defined]
    if not isinstance(answers, list):
        raise ConnectionError(f"JSON-RPC batch refused: {answers.get('error')}")
    client, *probes = answers
    found = Capabilities(
        client=str(client.get("result") or "unknown"),
        **{n: _supported(a) for n, a in zip(names, probes, strict=True)},
    )
    for lack in found.lacking():
        logger.info("node %s lacks %s", found.client, lack)
    with _lock:
        _known[key] = found
    return found
