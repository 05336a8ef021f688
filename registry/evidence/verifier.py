"""Verify an evidence receipt against the chain, trusting nothing but a JSON-RPC endpoint.

This file stands alone: it needs only Python 3.11 and web3, so a court's expert can read it
in ten minutes and run it while the registry is down:

    python verifier.py receipt.json --rpc http://127.0.0.1:8545 [--file evidence.pdf]
        [--roles 0x...the registry's roles contract, as the registration center publishes it]

Each check prints pass or fail with its raw values. What passing proves: the hash's leaf is in a
Merkle tree whose root the evidence contract recorded in a block of that time, so data with this
SHA-256 existed, unaltered, no later than that block. What it does not prove: who made the data,
that it is true or authentic, or anything about it before it was hashed.

A receipt's block number, hash and time are checked against the block its transaction is in;
its ``submitter`` and ``received_at`` are the registry's own notes, which no chain records: the
facts of the anchoring (block, time, the account that anchored it) are read from the chain,
never from the receipt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound

logger = logging.getLogger(__name__)

# EvidenceAnchor.getAnchor(bytes32) and verifyEvidence(bytes32,bytes32[],bytes32), by selector.
_GET_ANCHOR = Web3.keccak(text="getAnchor(bytes32)")[:4]
_VERIFY = Web3.keccak(text="verifyEvidence(bytes32,bytes32[],bytes32)")[:4]
_ANCHORED_TOPIC = Web3.keccak(text="Anchored(bytes32,address,uint32)")
# RegistryRoles.nameOf(address), and OpenZeppelin AccessControl's role events.
_NAME_OF = Web3.keccak(text="nameOf(address)")[:4]
_DEPLOYMENT_BLOCK = Web3.keccak(text="deploymentBlock()")[:4]
LOG_RANGE = 10_000
"""Blocks one ``eth_getLogs`` asks about: the range many nodes and providers cap it at."""
_ROLE_GRANTED = Web3.keccak(text="RoleGranted(bytes32,address,address)")
_ROLE_REVOKED = Web3.keccak(text="RoleRevoked(bytes32,address,address)")
ANCHORER_ROLE = Web3.keccak(text="ANCHORER_ROLE")
EVIDENCE_NAME = b"EvidenceAnchor".ljust(32, b"\0")
"""The evidence contract's name in RegistryRoles: ASCII, right-padded with zeros."""

PROVEN = (
    "Data with this SHA-256 existed, unaltered since, no later than the block's time: its leaf is "
    "in a Merkle tree whose root the evidence contract recorded in that block."
)
NOT_PROVEN = (
    "Who made the data, whether it is true or authentic, and anything about it before it was "
    "hashed and submitted."
)


VERDICTS = {
    "verified": (
        "通过：出示的证据与回执一致，回执已上链",
        "Verified: the evidence matches the receipt, and the receipt is on chain",
    ),
    "receipt_on_chain": (
        "此回执已上链；未核对文件（出示的证据与回执哈希一致：未检查）",
        "This receipt is on chain; no file was checked (evidence_matches_receipt: not done)",
    ),
    "not_verified": ("未通过", "Not verified"),
}
"""What a verification concludes, in Chinese and English: the same words in the API, the CLI,
the page and the report. A receipt checked without the evidence proves only that the receipt
is on chain, never that a file is the one anchored."""


@dataclass
class Check:
    name: str
    passed: bool
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    checks: list[Check]
    anchored: dict[str, Any] | None = None
    """What the chain says of the anchoring (hash, root, contract, chain, transaction, block,
    its time, the anchoring account), once every check passed; None otherwise."""

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed]

    @property
    def evidence_checked(self) -> bool:
        """Whether the evidence itself (a file, its hash) was compared with the receipt."""
        return any(c.name == "evidence_matches_receipt" for c in self.checks)

    @property
    def verdict(self) -> str:
        """A key of ``VERDICTS``: every check passed with the evidence compared, every check
        passed on the receipt alone, or a check failed."""
        if not self.passed:
            return "not_verified"
        return "verified" if self.evidence_checked else "receipt_on_chain"

    def to_json(self) -> dict[str, Any]:
        zh, en = VERDICTS[self.verdict]
        return {
            "verified": self.passed,
            "verdict": self.verdict,
            "statement": {"zh": zh, "en": en},
            "evidence_checked": self.evidence_checked,
            "failed": self.failed,
            "checks": [
                {"name": c.name, "passed": c.passed, "values": c.values} for c in self.checks
            ],
            "proven": PROVEN if self.passed else None,
            "not_proven": NOT_PROVEN,
            "anchored": self.anchored,
        }


def _b32(text: str) -> bytes:
    value = bytes.fromhex(text.removeprefix("0x"))
    if len(value) != 32:
        raise ValueError(f"not 32 bytes: {text}")
    return value


def leaf_of(data_hash: bytes) -> bytes:
    """keccak256(keccak256(abi.encode(hash))): OpenZeppelin's StandardMerkleTree leaf."""
    return bytes(Web3.keccak(Web3.keccak(data_hash)))


def climb(leaf: bytes, proof: list[bytes]) -> bytes:
    """The root a proof leads to: each step hashes the pair sorted ascending."""
    node = leaf
    for sibling in proof:
        node = bytes(Web3.keccak(min(node, sibling) + max(node, sibling)))
    return node


def sha256_of(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def verify(
    w3: Web3,
    receipt: dict[str, Any],
    *,
    data_hash: bytes | None = None,
    confirmations: int = 1,
    evidence_contract: str | None = None,
    registry_roles: str | None = None,
) -> Report:
    """Every check of ``receipt`` against the chain behind ``w3``; ``data_hash`` is the hash of
    the evidence as presented (a file's SHA-256), compared with the receipt's;
    ``evidence_contract``, when given, is the only contract whose records count (anyone can
    deploy a contract that answers like an evidence contract). ``registry_roles`` is the
    registry's roles contract as its registration center publishes it: the receipt's must be
    that one, and it must name the receipt's evidence contract as the registry's."""
    checks: list[Check] = []
    claimed = _b32(receipt["hash"])
    proof = [_b32(p) for p in receipt["proof"]]
    root = _b32(receipt["root"])
    contract = Web3.to_checksum_address(receipt["contract"])

    if data_hash is not None:
        checks.append(
            Check(
                "evidence_matches_receipt",
                data_hash == claimed,
                {"presented": "0x" + data_hash.hex(), "receipt": receipt["hash"]},
            )
        )
    leaf = leaf_of(claimed)
    given_leaf = receipt.get("leaf")
    checks.append(
        Check(
            "leaf",
            given_leaf in (None, "0x" + leaf.hex()),
            {"computed": "0x" + leaf.hex(), "receipt": given_leaf},
        )
    )
    reached = climb(leaf, proof)
    checks.append(
        Check(
            "merkle_proof",
            reached == root,
            {"computed_root": "0x" + reached.hex(), "receipt_root": receipt["root"]},
        )
    )
    chain_id = int(w3.eth.chain_id)
    chain = {"node_chain_id": chain_id, "receipt_chain_id": receipt["chain_id"]}
    same_contract = True
    if evidence_contract is not None:
        expected = Web3.to_checksum_address(evidence_contract)
        same_contract = contract == expected
        chain |= {"receipt_contract": contract, "evidence_contract": expected}
    checks.append(Check("chain", chain_id == int(receipt["chain_id"]) and same_contract, chain))
    roles = _registry_roles(receipt.get("roles"), registry_roles)
    checks.append(_registry_check(w3, roles, receipt.get("roles"), registry_roles, contract))
    anchor = _call(w3, contract, _GET_ANCHOR + root)
    if len(anchor) < 96:  # no evidence contract at that address
        anchor = bytes(96)
    anchored_at = int.from_bytes(anchor[32:64], "big")
    checks.append(
        Check(
            "root_anchored",
            anchored_at > 0,
            {
                "anchored_at": anchored_at,
                "submitter": Web3.to_checksum_address(anchor[12:32]),
                "leaf_count": int.from_bytes(anchor[64:96], "big"),
            },
        )
    )
    answer = _call(w3, contract, _VERIFY + _abi(claimed, proof, root))
    checks.append(
        Check("contract_verifies", answer[:32] == (1).to_bytes(32, "big"), {"contract": contract})
    )
    transaction = _transaction_checks(w3, receipt, root, contract, anchored_at, confirmations)
    checks.extend(transaction)
    submitter = Web3.to_checksum_address(anchor[12:32])
    block_number = transaction[1].values["block_number"] if len(transaction) > 1 else None
    checks.append(_role_check(w3, roles, submitter, block_number))
    report = Report(checks)
    if report.passed:
        found = {c.name: c.values for c in checks}
        report.anchored = {
            "hash": "0x" + claimed.hex(),
            "root": "0x" + root.hex(),
            "contract": contract,
            "chain_id": chain_id,
            "tx_hash": found["transaction"]["tx_hash"],
            "block_number": found["block"]["block_number"],
            "block_hash": found["block"]["block_hash"],
            "block_time": found["block"]["block_time"],
            "anchored_by": found["root_anchored"]["submitter"],
            "registry_roles": found["registry_contract"]["roles"],
            "leaf_count": found["root_anchored"]["leaf_count"],
        }
    return report


def _registry_roles(stated: Any, trusted: str | None) -> str | None:
    """The roles contract to ask: the one the verifier trusts, else the receipt's."""
    for given in (trusted, stated):
        if isinstance(given, str) and Web3.is_address(given):
            return Web3.to_checksum_address(given)
    return None


def _registry_check(
    w3: Web3, roles: str | None, stated: Any, trusted: str | None, contract: str
) -> Check:
    """The receipt's evidence contract is one the registry's roles contract names as its
    evidence contract (now or before), and the receipt's roles contract is the trusted one."""
    values: dict[str, Any] = {"roles": roles, "receipt_roles": stated, "contract": contract}
    if trusted is not None:
        values["trusted_roles"] = Web3.to_checksum_address(trusted)
    if roles is None:
        return Check("registry_contract", False, values | {"name": None})
    answer = _call(w3, roles, _NAME_OF + bytes(12) + bytes.fromhex(contract[2:]))
    name = answer[:32] if len(answer) >= 32 else b""
    values["name"] = name.rstrip(b"\0").decode("ascii", "replace") or None
    same = (
        trusted is None
        or stated is None
        or (isinstance(stated, str) and stated.lower() == str(trusted).lower())
    )
    return Check("registry_contract", name == EVIDENCE_NAME and same, values)


def _role_check(w3: Web3, roles: str | None, submitter: str, block_number: int | None) -> Check:
    """The account that anchored the root held the anchorer role at the anchoring block: the
    last RoleGranted or RoleRevoked of that role and account up to that block says which (read
    from logs, so a node that keeps no historical state can answer it; from the roles contract's
    ``deploymentBlock``, in ranges of ``LOG_RANGE`` blocks)."""
    values: dict[str, Any] = {"account": submitter, "block_number": block_number}
    if roles is None or block_number is None:
        return Check("anchorer_role", False, values | {"held": None})
    # Newest first, a capped range at a time, back to the roles contract's deployment: the
    # first range with a grant or revocation of the role holds the last one.
    answer = _call(w3, roles, _DEPLOYMENT_BLOCK)
    first = int.from_bytes(answer[:32], "big") if len(answer) >= 32 else 0
    logs: list[Any] = []
    end = block_number
    while not logs and end >= first:
        start = max(first, end - LOG_RANGE + 1)
        logs = w3.eth.get_logs(
            {
                "address": Web3.to_checksum_address(roles),
                "fromBlock": start,
                "toBlock": end,
                "topics": [
                    ["0x" + bytes(_ROLE_GRANTED).hex(), "0x" + bytes(_ROLE_REVOKED).hex()],
                    "0x" + bytes(ANCHORER_ROLE).hex(),
                    "0x" + bytes(12).hex() + submitter[2:].lower(),
                ],
            }
        )
        end = start - 1
    last = max(logs, key=lambda log: (log["blockNumber"], log["logIndex"]), default=None)
    held = last is not None and bytes(last["topics"][0]) == bytes(_ROLE_GRANTED)
    if last is not None:
        values["since_block"] = int(last["blockNumber"])
    return Check("anchorer_role", held, values | {"held": held})


def _call(w3: Web3, contract: str, data: bytes) -> bytes:
    """What ``contract`` answers to ``data``; nothing when it reverts (a contract that is not an
    evidence contract: the check reading the answer then fails)."""
    try:
        return bytes(w3.eth.call({"to": contract, "data": data}))
    except ContractLogicError as exc:
        logger.info("%s reverted selector 0x%s: %s", contract, data[:4].hex(), exc)
        return b""


def _abi(data_hash: bytes, proof: list[bytes], root: bytes) -> bytes:
    """abi.encode(bytes32, bytes32[], bytes32): head (hash, offset, root), then the array."""
    head = data_hash + (96).to_bytes(32, "big") + root
    return head + len(proof).to_bytes(32, "big") + b"".join(proof)


def _transaction_checks(
    w3: Web3,
    receipt: dict[str, Any],
    root: bytes,
    contract: str,
    anchored_at: int,
    confirmations: int,
) -> list[Check]:
    try:
        tx = w3.eth.get_transaction_receipt(receipt["tx_hash"])
    except TransactionNotFound:
        return [Check("transaction", False, {"tx_hash": receipt["tx_hash"], "found": False})]
    block = w3.eth.get_block(tx["blockNumber"])
    logged = [
        log
        for log in tx["logs"]
        if log["address"] == contract
        and bytes(log["topics"][0]) == bytes(_ANCHORED_TOPIC)
        and bytes(log["topics"][1]) == root
    ]
    head = int(w3.eth.block_number)
    depth = head - int(tx["blockNumber"]) + 1
    block_time = int(block["timestamp"])
    # A receipt need not state the block's time; one that does must state the chain's, compared
    # as given (a string or a float is not the block's integer time).
    stated_time = receipt.get("block_time")
    return [
        Check(
            "transaction",
            tx["status"] == 1 and bool(logged),
            {
                "tx_hash": "0x" + bytes(tx["transactionHash"]).hex(),
                "status": tx["status"],
                "anchored_event": bool(logged),
            },
        ),
        Check(
            "block",
            int(tx["blockNumber"]) == int(receipt["block_number"])
            and "0x" + bytes(block["hash"]).hex() == receipt.get("block_hash")
            and block_time == anchored_at
            and (stated_time is None or (type(stated_time) is int and stated_time == block_time)),
            {
                "block_number": int(tx["blockNumber"]),
                "block_hash": "0x" + bytes(block["hash"]).hex(),
                "block_time": block_time,
                "receipt_block_time": stated_time,
            },
        ),
        Check("confirmations", depth >= confirmations, {"depth": depth, "required": confirmations}),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an evidence receipt against the chain.")
    parser.add_argument("receipt", type=Path, help="the receipt JSON")
    parser.add_argument("--rpc", required=True, help="JSON-RPC URL of the chain")
    parser.add_argument("--file", type=Path, help="the evidence as presented")
    parser.add_argument("--confirmations", type=int, default=1)
    parser.add_argument(
        "--contract", help="the registry's evidence contract: the receipt must name this one"
    )
    parser.add_argument(
        "--roles",
        help="the registry's roles contract, as its center publishes it: it must name the"
        " receipt's evidence contract",
    )
    args = parser.parse_args(argv)
    receipt = json.loads(args.receipt.read_text(encoding="utf-8"))
    w3 = Web3(Web3.HTTPProvider(args.rpc))
    presented = sha256_of(args.file) if args.file else None
    report = verify(
        w3,
        receipt,
        data_hash=presented,
        confirmations=args.confirmations,
        evidence_contract=args.contract,
        registry_roles=args.roles,
    )
    for check in report.checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.name}  {json.dumps(check.values)}")
    if report.anchored is not None:
        print(f"\nanchored (read from the chain): {json.dumps(report.anchored)}")
    print(
        f"\n{VERDICTS[report.verdict][1]}"
        + (f": {', '.join(report.failed)}" if report.failed else "")
    )
    if report.passed:
        print(f"proven: {PROVEN}")
    print(f"not proven: {NOT_PROVEN}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
