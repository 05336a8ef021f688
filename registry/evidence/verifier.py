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
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from web3 import Web3
from web3.types import RPCEndpoint

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
    head: tuple[int, int] | None = None
    """The chain's head when it was asked: its number and time."""

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


class FinalAnswers:
    """The node's answers about final blocks, kept: what is final on chain never changes, so a
    second verification of a receipt of the same batch asks the node only for its head.

    A bounded LRU of JSON-RPC answers by request (``entries`` of them; the oldest read goes
    first). Only answers that can no longer change are stored: the chain id, a contract's
    deployment block and a contract's registry name (a name once given is kept), and, once the
    anchoring transaction is at least ``final_depth`` blocks deep, its receipt, its block's
    header, the root's record, the proof's answer and the role logs up to that block. A block
    ``final_depth`` deep is final on the chains the registry runs on (BFT consortium chains
    finalise every block; the embedded dev chain never reorganises); set it higher for a chain
    that can reorganise deeper. Thread-safe."""

    def __init__(self, entries: int = 10_000, final_depth: int = 1) -> None:
        if entries < 1 or final_depth < 1:
            raise ValueError(f"entries and final_depth must be positive: {entries}, {final_depth}")
        self.entries = entries
        self.final_depth = final_depth
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: str) -> Any:
        """The answer kept under ``key``, or ``_MISSING``."""
        with self._lock:
            found = self._answers.get(key, _MISSING)
            if found is _MISSING:
                self.misses += 1
            else:
                self.hits += 1
                self._answers.move_to_end(key)
            return found

    def put(self, key: str, answer: Any) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.entries:
                self._answers.popitem(last=False)


_MISSING = object()
Request = tuple[str, list[Any]]


def _key(request: Request) -> str:
    return json.dumps(request, separators=(",", ":"))


_unbatched: set[str] = set()
"""Endpoints that refused a JSON-RPC batch: asked one request at a time from then on."""


def ask(w3: Web3, requests: list[Request], answers: FinalAnswers | None = None) -> list[Any]:
    """The node's raw answers to ``requests`` (each ``{"result": ...}`` or ``{"error": ...}``),
    in order: those kept in ``answers`` from there, the rest in ONE JSON-RPC batch (one round
    trip), or one by one from a node that refuses batches."""
    found: list[Any] = [answers.get(_key(r)) if answers else _MISSING for r in requests]
    wanted = [i for i, answer in enumerate(found) if answer is _MISSING]
    if not wanted:
        return found
    endpoint = str(w3.provider)
    replies: Any = None
    if len(wanted) > 1 and endpoint not in _unbatched:
        try:
            replies = w3.provider.make_batch_request(  # type: ignore[attr-defined]
                [(RPCEndpoint(requests[i][0]), requests[i][1]) for i in wanted]
            )
        except (AttributeError, NotImplementedError, ValueError, ConnectionError) as exc:
            logger.warning("%s refused a JSON-RPC batch, asking one at a time: %s", endpoint, exc)
            replies = None
        if not isinstance(replies, list) or len(replies) != len(wanted):
            if replies is not None:
                logger.warning(
                    "%s answered a JSON-RPC batch with %s: one at a time", endpoint, replies
                )
            _unbatched.add(endpoint)
            replies = None
    if replies is None:
        replies = [
            w3.provider.make_request(RPCEndpoint(requests[i][0]), requests[i][1]) for i in wanted
        ]
    for i, reply in zip(wanted, replies, strict=True):
        found[i] = (
            {"error": reply["error"]} if reply.get("error") else {"result": reply.get("result")}
        )
    return found


def _eth_call(contract: str, data: bytes) -> Request:
    return ("eth_call", [{"to": contract, "data": "0x" + data.hex()}, "latest"])


def _called(contract: str, data: bytes, answer: Any) -> bytes:
    """What ``contract`` answered to ``data``; nothing when it reverted (a contract that is not
    an evidence contract: the check reading the answer then fails)."""
    if answer.get("error"):
        logger.info("%s refused selector 0x%s: %s", contract, data[:4].hex(), answer["error"])
        return b""
    return bytes.fromhex(str(answer["result"] or "0x")[2:])


def _result(method: str, answer: Any) -> Any:
    """The result of a read no well-formed receipt makes a node refuse; its refusal raised."""
    if answer.get("error"):
        raise ValueError(f"{method}: {answer['error']}")
    return answer["result"]


def _block_request(number: int) -> Request:
    return ("eth_getBlockByNumber", [hex(number), False])


def _logs_request(roles: str, start: int, end: int) -> Request:
    """Grants and revocations of the anchorer role, to any account, from ``start`` to ``end``:
    few, and one request serves every anchoring account of a batch."""
    return (
        "eth_getLogs",
        [
            {
                "address": roles,
                "fromBlock": hex(start),
                "toBlock": hex(end),
                "topics": [
                    ["0x" + bytes(_ROLE_GRANTED).hex(), "0x" + bytes(_ROLE_REVOKED).hex()],
                    "0x" + bytes(ANCHORER_ROLE).hex(),
                ],
            }
        ],
    )


def block_header(
    w3: Web3, number: int, answers: FinalAnswers | None = None
) -> dict[str, Any] | None:
    """Block ``number``'s header as the node answers it (hex strings), None for a block not yet
    mined; kept in ``answers`` once final."""
    request = _block_request(number)
    kept = answers.get(_key(request)) if answers is not None else _MISSING
    if kept is not _MISSING:
        return cast(dict[str, Any], cast(dict[str, Any], kept)["result"])
    header, head = ask(w3, [request, ("eth_blockNumber", [])])
    block = _result("eth_getBlockByNumber", header)
    depth = int(_result("eth_blockNumber", head), 16) - number + 1
    if answers is not None and block is not None and depth >= answers.final_depth:
        answers.put(_key(request), header)
    return cast(dict[str, Any] | None, block)


def verify(
    w3: Web3,
    receipt: dict[str, Any],
    *,
    data_hash: bytes | None = None,
    confirmations: int = 1,
    evidence_contract: str | None = None,
    registry_roles: str | None = None,
    answers: FinalAnswers | None = None,
) -> Report:
    """Every check of ``receipt`` against the chain behind ``w3``; ``data_hash`` is the hash of
    the evidence as presented (a file's SHA-256), compared with the receipt's;
    ``evidence_contract``, when given, is the only contract whose records count (anyone can
    deploy a contract that answers like an evidence contract). ``registry_roles`` is the
    registry's roles contract as its registration center publishes it: the receipt's must be
    that one, and it must name the receipt's evidence contract as the registry's.

    Every read of the chain goes in one JSON-RPC batch (a second one only when the receipt
    names a block other than its transaction's, or the role's last grant lies further back
    than ``LOG_RANGE`` blocks); ``answers`` keeps what is final for the next verification."""
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
    roles = _registry_roles(receipt.get("roles"), registry_roles)
    reads = _Reads(w3, answers, contract, roles, root, _abi(claimed, proof, root), receipt)
    chain_id = reads.chain_id
    chain = {"node_chain_id": chain_id, "receipt_chain_id": receipt["chain_id"]}
    same_contract = True
    if evidence_contract is not None:
        expected = Web3.to_checksum_address(evidence_contract)
        same_contract = contract == expected
        chain |= {"receipt_contract": contract, "evidence_contract": expected}
    checks.append(Check("chain", chain_id == int(receipt["chain_id"]) and same_contract, chain))
    checks.append(
        _registry_check(reads.name, roles, receipt.get("roles"), registry_roles, contract)
    )
    anchor = reads.anchor
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
    answer = reads.verified
    checks.append(
        Check("contract_verifies", answer[:32] == (1).to_bytes(32, "big"), {"contract": contract})
    )
    transaction = _transaction_checks(reads, receipt, root, contract, anchored_at, confirmations)
    checks.extend(transaction)
    submitter = Web3.to_checksum_address(anchor[12:32])
    block_number = transaction[1].values["block_number"] if len(transaction) > 1 else None
    checks.append(_role_check(reads, roles, submitter, block_number))
    report = Report(checks, head=(reads.head_number, reads.head_time))
    reads.keep(final=_anchoring_passed(checks))
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


def _anchoring_passed(checks: list[Check]) -> bool:
    """Whether the chain's side of the anchoring checked out (the root recorded by the
    receipt's transaction, in its block): then what was read of it is final once deep enough,
    whatever the receipt's other claims."""
    passed = {c.name: c.passed for c in checks}
    return all(passed.get(name, False) for name in ("root_anchored", "transaction", "block"))


class _Reads:
    """Everything ``verify`` reads of the chain, asked in one batch at construction."""

    def __init__(
        self,
        w3: Web3,
        answers: FinalAnswers | None,
        contract: str,
        roles: str | None,
        root: bytes,
        proof_abi: bytes,
        receipt: dict[str, Any],
    ) -> None:
        self.w3, self.answers, self.roles = w3, answers, roles
        stated = receipt.get("block_number")
        # The receipt's block is asked with the rest; a receipt naming another block than its
        # transaction's costs a second round trip (and fails the block check).
        self.stated_block = stated if type(stated) is int and stated >= 0 else None
        requests: dict[str, Request] = {
            "chain": ("eth_chainId", []),
            "head": ("eth_getBlockByNumber", ["latest", False]),
            "anchor": _eth_call(contract, _GET_ANCHOR + root),
            "verify": _eth_call(contract, _VERIFY + proof_abi),
            "tx": ("eth_getTransactionReceipt", [receipt["tx_hash"]]),
        }
        if roles is not None:
            requests["name"] = _eth_call(roles, _NAME_OF + bytes(12) + bytes.fromhex(contract[2:]))
            requests["deployed"] = _eth_call(roles, _DEPLOYMENT_BLOCK)
        if self.stated_block is not None:
            requests["block"] = _block_request(self.stated_block)
            if roles is not None:
                requests["logs"] = _logs_request(roles, *self._range(self.stated_block, 0))
        self.requests = requests
        self.got = dict(zip(requests, ask(w3, list(requests.values()), answers), strict=True))
        self.chain_id = int(_result("eth_chainId", self.got["chain"]), 16)
        head = _result("eth_getBlockByNumber", self.got["head"])
        self.head_number, self.head_time = int(head["number"], 16), int(head["timestamp"], 16)
        self.anchor = _called(contract, _GET_ANCHOR, self.got["anchor"])
        self.verified = _called(contract, _VERIFY, self.got["verify"])
        self.name = _called(roles, _NAME_OF, self.got["name"]) if roles else b""
        self.first = 0
        if roles is not None:
            deployed = _called(roles, _DEPLOYMENT_BLOCK, self.got["deployed"])
            self.first = int.from_bytes(deployed[:32], "big") if len(deployed) >= 32 else 0
        self.tx: dict[str, Any] | None = _result("eth_getTransactionReceipt", self.got["tx"])
        self.final_block: int | None = None
        self.extra: list[tuple[Request, Any]] = []

    @staticmethod
    def _range(end: int, first: int) -> tuple[int, int]:
        return max(first, end - LOG_RANGE + 1), end

    def block(self, number: int) -> dict[str, Any] | None:
        if number == self.stated_block:
            return cast(dict[str, Any] | None, _result("eth_getBlockByNumber", self.got["block"]))
        return cast(
            dict[str, Any] | None,
            _result("eth_getBlockByNumber", self._more(_block_request(number))),
        )

    def logs(self, start: int, end: int) -> list[dict[str, Any]]:
        """The role's logs from ``start`` to ``end``; the batch asked the range ending at the
        receipt's block from block 0 on, not knowing the deployment block yet: the roles
        contract logged nothing before it existed, so that answer serves."""
        assert self.roles is not None
        batched = self.requests.get("logs")
        if (
            batched is not None
            and end == self.stated_block
            and start >= int(batched[1][0]["fromBlock"], 16)
        ):
            logs = cast(list[dict[str, Any]], _result("eth_getLogs", self.got["logs"]))
            return [log for log in logs if int(log["blockNumber"], 16) >= start]
        request = _logs_request(self.roles, start, end)
        return cast(list[dict[str, Any]], _result("eth_getLogs", self._more(request)))

    def _more(self, request: Request) -> Any:
        (answer,) = ask(self.w3, [request], self.answers)
        self.extra.append((request, answer))
        return answer

    def keep(self, *, final: bool) -> None:
        """Stores in ``answers`` what can no longer change: always the chain id, the roles
        contract's deployment block and a registry name given; the rest only when the
        anchoring checked out in a block ``final_depth`` deep (``final_block``)."""
        if self.answers is None:
            return
        lasting = ["chain"]
        if self.roles is not None:
            lasting += ["deployed"] if self.first else []
            lasting += ["name"] if self.name[:32] == EVIDENCE_NAME else []
        deep = (
            final
            and self.final_block is not None
            and self.head_number - self.final_block + 1 >= self.answers.final_depth
        )
        if deep:
            lasting += ["anchor", "tx"]
            lasting += ["verify"] if self.verified[:32] == (1).to_bytes(32, "big") else []
            lasting += ["block", "logs"] if self.stated_block == self.final_block else []
        for name in lasting:
            if name in self.got and "result" in self.got[name]:
                self.answers.put(_key(self.requests[name]), self.got[name])
        if deep:
            for request, answer in self.extra:
                if "result" in answer:
                    self.answers.put(_key(request), answer)


def _registry_roles(stated: Any, trusted: str | None) -> str | None:
    """The roles contract to ask: the one the verifier trusts, else the receipt's."""
    for given in (trusted, stated):
        if isinstance(given, str) and Web3.is_address(given):
            return Web3.to_checksum_address(given)
    return None


def _registry_check(
    answer: bytes, roles: str | None, stated: Any, trusted: str | None, contract: str
) -> Check:
    """The receipt's evidence contract is one the registry's roles contract names as its
    evidence contract (now or before), and the receipt's roles contract is the trusted one;
    ``answer`` is what the roles contract answered to ``nameOf(contract)``."""
    values: dict[str, Any] = {"roles": roles, "receipt_roles": stated, "contract": contract}
    if trusted is not None:
        values["trusted_roles"] = Web3.to_checksum_address(trusted)
    if roles is None:
        return Check("registry_contract", False, values | {"name": None})
    name = answer[:32] if len(answer) >= 32 else b""
    values["name"] = name.rstrip(b"\0").decode("ascii", "replace") or None
    same = (
        trusted is None
        or stated is None
        or (isinstance(stated, str) and stated.lower() == str(trusted).lower())
    )
    return Check("registry_contract", name == EVIDENCE_NAME and same, values)


def _role_check(
    reads: _Reads, roles: str | None, submitter: str, block_number: int | None
) -> Check:
    """The account that anchored the root held the anchorer role at the anchoring block: the
    last RoleGranted or RoleRevoked of that role and account up to that block says which (read
    from logs, so a node that keeps no historical state can answer it; from the roles contract's
    ``deploymentBlock``, in ranges of ``LOG_RANGE`` blocks)."""
    values: dict[str, Any] = {"account": submitter, "block_number": block_number}
    if roles is None or block_number is None:
        return Check("anchorer_role", False, values | {"held": None})
    account = "0x" + bytes(12).hex() + submitter[2:].lower()
    # Newest first, a capped range at a time, back to the roles contract's deployment: the
    # first range with a grant or revocation of the role to this account holds the last one.
    logs: list[dict[str, Any]] = []
    end = block_number
    while not logs and end >= reads.first:
        start, end = _Reads._range(end, reads.first)
        logs = [log for log in reads.logs(start, end) if log["topics"][2].lower() == account]
        end = start - 1
    last = max(
        logs, key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)), default=None
    )
    held = last is not None and last["topics"][0] == "0x" + bytes(_ROLE_GRANTED).hex()
    if last is not None:
        values["since_block"] = int(last["blockNumber"], 16)
    return Check("anchorer_role", held, values | {"held": held})


def _abi(data_hash: bytes, proof: list[bytes], root: bytes) -> bytes:
    """abi.encode(bytes32, bytes32[], bytes32): head (hash, offset, root), then the array."""
    head = data_hash + (96).to_bytes(32, "big") + root
    return head + len(proof).to_bytes(32, "big") + b"".join(proof)


def _transaction_checks(
    reads: _Reads,
    receipt: dict[str, Any],
    root: bytes,
    contract: str,
    anchored_at: int,
    confirmations: int,
) -> list[Check]:
    tx = reads.tx
    if tx is None:
        return [Check("transaction", False, {"tx_hash": receipt["tx_hash"], "found": False})]
    number = int(tx["blockNumber"], 16)
    block = reads.block(number)
    if block is None:  # the node no longer has the block its receipt names: not final
        return [Check("transaction", False, {"tx_hash": receipt["tx_hash"], "found": False})]
    reads.final_block = number
    topic, anchored_root = "0x" + bytes(_ANCHORED_TOPIC).hex(), "0x" + root.hex()
    logged = [
        log
        for log in tx["logs"]
        if log["address"].lower() == contract.lower()
        and log["topics"][:1] == [topic]
        and log["topics"][1:2] == [anchored_root]
    ]
    status = int(tx["status"], 16)
    depth = reads.head_number - number + 1
    block_time = int(block["timestamp"], 16)
    # A receipt need not state the block's time; one that does must state the chain's, compared
    # as given (a string or a float is not the block's integer time).
    stated_time = receipt.get("block_time")
    return [
        Check(
            "transaction",
            status == 1 and bool(logged),
            {
                "tx_hash": tx["transactionHash"],
                "status": status,
                "anchored_event": bool(logged),
            },
        ),
        Check(
            "block",
            number == int(receipt["block_number"])
            and block["hash"] == receipt.get("block_hash")
            and block_time == anchored_at
            and (stated_time is None or (type(stated_time) is int and stated_time == block_time)),
            {
                "block_number": number,
                "block_hash": block["hash"],
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
