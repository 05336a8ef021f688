"""Verifying evidence receipts against the chain: every check named, any tampering caught, and
the standalone verifier working with nothing but a JSON-RPC endpoint."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from registry.chain import Registry
from registry.chain.client import EvidenceAnchorClient, RolesClient
from registry.chain.compiler import Artifact
from registry.chain.deploy import ANCHORER
from registry.chain.writer import ChainWriter
from registry.evidence import EvidenceBatcher, verifier
from registry.evidence.verifier import verify
from tests.conftest import ROOT, Accounts

EVIDENCE = b"%PDF-1.7 a contract signed on 2026-11-24"


def anchored_receipt(
    registry: Registry,
    anchorer: LocalAccount,
    evidence: EvidenceAnchorClient,
    folder: Path,
    others: int = 0,
) -> dict[str, Any]:
    """EVIDENCE's SHA-256 anchored by ``anchorer`` in ``evidence``, in a batch with ``others``
    other hashes; its receipt as the registry gives it (contract, roles, chain, block)."""
    w3 = registry.chain.w3
    folder.mkdir(exist_ok=True)
    writer = ChainWriter(w3, anchorer, folder / "outbox.db", registry.chain.decoder)
    batcher = EvidenceBatcher(writer, evidence, folder / "evidence.db")
    try:
        data_hash = hashlib.sha256(EVIDENCE).digest()
        for i in range(others):
            batcher.add(hashlib.sha256(b"other %d" % i).digest(), "test")
        batcher.add(data_hash, "test")
        assert batcher.cut(force=True)
        found = batcher.receipt(data_hash)
        assert found is not None
        assert found.root is not None
        writer.wait(f"evidence-root-{found.root.hex()}")
        anchored = batcher.receipt(data_hash)
        assert anchored is not None
        body = anchored.to_json()
    finally:
        batcher.close()
        writer.close()
    block = w3.eth.get_block(body["block_number"])
    return body | {
        "contract": evidence.address,
        "roles": registry.roles.address,
        "chain_id": registry.chain.chain_id,
        "block_hash": "0x" + bytes(block["hash"]).hex(),
        "block_time": int(block["timestamp"]),
    }


@pytest.fixture
def receipt(registry: Registry, accounts: Accounts, tmp_path: Path) -> dict[str, Any]:
    """An anchored receipt of EVIDENCE's SHA-256, in a batch with other hashes."""
    folder = tmp_path / "anchored"
    return anchored_receipt(registry, accounts.anchorer, registry.evidence, folder, others=5)


def failed(registry: Registry, receipt: dict[str, Any], evidence: bytes = EVIDENCE) -> list[str]:
    report = verify(registry.chain.w3, receipt, data_hash=hashlib.sha256(evidence).digest())
    return report.failed


def test_anchored_receipt_verifies(registry: Registry, receipt: dict[str, Any]) -> None:
    report = verify(registry.chain.w3, receipt, data_hash=hashlib.sha256(EVIDENCE).digest())
    assert report.passed, report.to_json()
    body = report.to_json()
    assert body["proven"].startswith("Data with this SHA-256 existed")
    assert "authentic" in body["not_proven"]
    assert [c["name"] for c in body["checks"]] == [
        "evidence_matches_receipt",
        "leaf",
        "merkle_proof",
        "chain",
        "registry_contract",
        "root_anchored",
        "contract_verifies",
        "transaction",
        "block",
        "confirmations",
        "anchorer_role",
    ]


def test_one_byte_of_the_file_changed_fails_naming_the_check(
    registry: Registry, receipt: dict[str, Any]
) -> None:
    altered = bytearray(EVIDENCE)
    altered[5] ^= 1
    assert failed(registry, receipt, bytes(altered)) == ["evidence_matches_receipt"]


def test_one_proof_element_changed_fails(registry: Registry, receipt: dict[str, Any]) -> None:
    proof = list(receipt["proof"])
    proof[0] = proof[0][:-2] + ("00" if proof[0][-2:] != "00" else "01")
    assert failed(registry, {**receipt, "proof": proof}) == ["merkle_proof", "contract_verifies"]


def test_a_root_never_anchored_fails(registry: Registry, receipt: dict[str, Any]) -> None:
    forged = {**receipt, "root": "0x" + "42" * 32}
    assert failed(registry, forged)[:3] == ["merkle_proof", "root_anchored", "contract_verifies"]


def test_a_block_time_other_than_the_blocks_fails_the_block_check(
    registry: Registry, receipt: dict[str, Any]
) -> None:
    assert failed(registry, {**receipt, "block_time": 1577836800}) == ["block"]
    assert failed(registry, {**receipt, "block_time": str(receipt["block_time"])}) == ["block"]
    report = verify(registry.chain.w3, {k: v for k, v in receipt.items() if k != "block_time"})
    assert report.passed, report.to_json()
    assert report.anchored is not None
    assert report.anchored["block_time"] == receipt["block_time"]


def test_the_anchoring_is_read_from_the_chain_not_the_receipt(
    registry: Registry, receipt: dict[str, Any], accounts: Accounts
) -> None:
    forged = {**receipt, "submitter": "certified owner: Mallory Ltd", "received_at": 0}
    report = verify(registry.chain.w3, forged, data_hash=hashlib.sha256(EVIDENCE).digest())
    assert report.passed
    assert report.to_json()["anchored"] == {
        "hash": receipt["hash"],
        "root": receipt["root"],
        "contract": registry.evidence.address,
        "chain_id": registry.chain.chain_id,
        "tx_hash": receipt["tx_hash"],
        "block_number": receipt["block_number"],
        "block_hash": receipt["block_hash"],
        "block_time": receipt["block_time"],
        "anchored_by": accounts.anchorer.address,
        "registry_roles": registry.roles.address,
        "leaf_count": receipt["leaf_count"],
    }
    altered = {**receipt, "root": "0x" + "42" * 32}
    assert verify(registry.chain.w3, altered).to_json()["anchored"] is None


def test_a_contract_other_than_the_evidence_contract_fails_the_chain_check(
    registry: Registry, receipt: dict[str, Any]
) -> None:
    """Given the registry's evidence contract, a receipt naming another (one that reverts, here)
    fails; the checks reading it fail too, and nothing raises."""
    own = verify(registry.chain.w3, receipt, evidence_contract=registry.evidence.address)
    assert own.passed
    elsewhere = {**receipt, "contract": registry.assets.address}
    report = verify(registry.chain.w3, elsewhere, evidence_contract=registry.evidence.address)
    assert report.failed[:4] == ["chain", "registry_contract", "root_anchored", "contract_verifies"]


@pytest.fixture
def look_alike(
    registry: Registry,
    accounts: Accounts,
    artifacts: dict[str, Artifact],
    deploy_contract: Callable[..., str],
    tmp_path: Path,
) -> tuple[dict[str, Any], str]:
    """A receipt of EVIDENCE anchored in a look-alike: the registry's own EvidenceAnchor code,
    deployed by an outsider with roles of its own (a RegistryRoles naming it EvidenceAnchor, the
    outsider its anchorer), as anyone could; and the look-alike's roles contract."""
    outsider = accounts.outsider
    roles = deploy_contract("RegistryRoles", 0, outsider.address)
    fake = deploy_contract("EvidenceAnchor", roles)
    fake_roles = RolesClient(registry.chain, roles, artifacts["RegistryRoles"].abi)
    fake_roles.name_contract(outsider, "EvidenceAnchor", fake)
    fake_roles.grant_role(outsider, ANCHORER, outsider.address)
    evidence = EvidenceAnchorClient(registry.chain, fake, artifacts["EvidenceAnchor"].abi)
    # It claims the registry's identity: the receipt names the registry's roles contract.
    return anchored_receipt(registry, outsider, evidence, tmp_path / "look-alike"), roles


def test_a_receipt_of_a_look_alike_evidence_contract_fails_the_registry_check(
    registry: Registry, look_alike: tuple[dict[str, Any], str]
) -> None:
    """Every other check passes (the look-alike is the registry's own code); only the roles
    contract the center publishes tells them apart."""
    receipt, fake_roles = look_alike
    w3 = registry.chain.w3
    claiming = verify(w3, receipt, data_hash=hashlib.sha256(EVIDENCE).digest())
    assert claiming.failed == ["registry_contract", "anchorer_role"]
    check = next(c for c in claiming.checks if c.name == "registry_contract")
    assert check.values["name"] is None  # the registry never named it
    # Naming its own roles contract, it passes only for whoever trusts those roles ...
    own = {**receipt, "roles": fake_roles}
    assert verify(w3, own).passed
    # ... and fails for whoever holds the registry's, as the center publishes them.
    trusting = verify(w3, own, registry_roles=registry.roles.address)
    assert trusting.failed == ["registry_contract", "anchorer_role"]


def test_an_anchorer_whose_role_ended_later_still_anchored_with_it(
    registry: Registry, receipt: dict[str, Any], accounts: Accounts
) -> None:
    """The role is judged at the anchoring block, from the role events, not at the head."""
    registry.roles.revoke_role(accounts.admin, ANCHORER, accounts.anchorer.address)
    report = verify(registry.chain.w3, receipt, registry_roles=registry.roles.address)
    assert report.passed, report.failed
    role = next(c for c in report.checks if c.name == "anchorer_role")
    assert role.values["held"] is True
    assert role.values["since_block"] <= receipt["block_number"]
    assert report.anchored is not None
    assert report.anchored["registry_roles"] == registry.roles.address


def test_the_role_logs_are_read_from_the_deployment_a_capped_range_at_a_time(
    registry: Registry, receipt: dict[str, Any], deployment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node that caps eth_getLogs at a few blocks still answers: the verifier asks from the
    roles contract's deployment block, newest range first, and stops at the first log."""
    w3 = registry.chain.w3
    asked: list[tuple[int, int]] = []

    def capped(requests: list[tuple[str, Any]]) -> None:
        for method, params in requests:
            if method == "eth_getLogs":
                start, end = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
                assert end - start < 2, params
                asked.append((start, end))

    batch, single = w3.provider.make_batch_request, w3.provider.make_request  # type: ignore[attr-defined]
    monkeypatch.setattr(verifier, "LOG_RANGE", 2)
    monkeypatch.setattr(
        w3.provider, "make_batch_request", lambda requests: capped(requests) or batch(requests)
    )
    monkeypatch.setattr(
        w3.provider,
        "make_request",
        lambda method, params: capped([(method, params)]) or single(method, params),
    )
    report = verify(w3, receipt, registry_roles=registry.roles.address)
    assert report.passed, report.failed
    role = next(c for c in report.checks if c.name == "anchorer_role")
    deployed = registry.roles.contract.functions.deploymentBlock().call()
    assert deployed == deployment.block
    assert deployed <= role.values["since_block"] <= receipt["block_number"]
    assert asked[0][1] == receipt["block_number"]  # newest first
    assert len(asked) > 1  # the grant lies further back than one range
    assert min(start for start, _ in asked) >= deployed


def test_standalone_verifier_needs_only_the_chain(
    registry: Registry, receipt: dict[str, Any], tmp_path: Path
) -> None:
    """No registry service runs here: the file is run on its own, as a court's expert would."""
    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    (tmp_path / "evidence.pdf").write_bytes(EVIDENCE)
    rpc = registry.chain.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    verifier = ROOT / "registry" / "evidence" / "verifier.py"
    run = subprocess.run(
        [sys.executable, str(verifier), "receipt.json", "--rpc", rpc, "--file", "evidence.pdf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FAIL" not in run.stdout
    assert "proven: Data with this SHA-256 existed" in run.stdout
    (tmp_path / "evidence.pdf").write_bytes(EVIDENCE + b" ")
    tampered = subprocess.run(
        [sys.executable, str(verifier), "receipt.json", "--rpc", rpc, "--file", "evidence.pdf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert tampered.returncode == 1
    assert "FAIL  evidence_matches_receipt" in tampered.stdout


class Recorder:
    """The JSON-RPC round trips a provider makes: each a list of the methods sent together."""

    def __init__(self, w3: Any, monkeypatch: pytest.MonkeyPatch, *, batches: bool = True) -> None:
        self.trips: list[list[str]] = []
        batch, single = w3.provider.make_batch_request, w3.provider.make_request

        def batched(requests: list[tuple[str, Any]]) -> Any:
            self.trips.append([method for method, _ in requests])
            if not batches:  # as a node without batch support answers: one error object
                return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no"}}
            return batch(requests)

        def one(method: str, params: Any) -> Any:
            self.trips.append([method])
            return single(method, params)

        monkeypatch.setattr(w3.provider, "make_batch_request", batched)
        monkeypatch.setattr(w3.provider, "make_request", one)


def test_a_verification_reads_the_chain_in_one_round_trip(
    registry: Registry, receipt: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    w3 = registry.chain.w3
    trips = Recorder(w3, monkeypatch).trips
    report = verify(w3, receipt, registry_roles=registry.roles.address)
    assert report.passed, report.failed
    assert len(trips) == 1, trips
    assert {"eth_getTransactionReceipt", "eth_getLogs", "eth_call"} <= set(trips[0])
    assert report.head is not None
    assert report.head[0] == w3.eth.block_number


def test_a_second_verification_of_a_final_receipt_asks_the_node_only_its_head(
    registry: Registry, receipt: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    w3 = registry.chain.w3
    answers = verifier.FinalAnswers(100)
    first = verify(w3, receipt, registry_roles=registry.roles.address, answers=answers)
    trips = Recorder(w3, monkeypatch).trips
    again = verify(w3, receipt, registry_roles=registry.roles.address, answers=answers)
    assert again.to_json() == first.to_json()
    assert trips == [["eth_getBlockByNumber"]]  # the head, which moves
    assert answers.hits == 8


def test_a_receipt_not_yet_final_is_asked_again(
    registry: Registry, receipt: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Final here is three blocks deep; the receipt's block is one deep, so only the chain id,
    the deployment block and the evidence contract's name are kept."""
    w3 = registry.chain.w3
    answers = verifier.FinalAnswers(100, final_depth=3)
    assert verify(w3, receipt, registry_roles=registry.roles.address, answers=answers).passed
    assert len(answers) == 3
    trips = Recorder(w3, monkeypatch).trips
    assert verify(w3, receipt, registry_roles=registry.roles.address, answers=answers).passed
    assert len(trips) == 1
    assert "eth_getTransactionReceipt" in trips[0]


def test_a_failed_verification_keeps_nothing_of_the_receipts_claims(
    registry: Registry, receipt: dict[str, Any]
) -> None:
    forged = receipt | {"tx_hash": "0x" + "11" * 32}
    answers = verifier.FinalAnswers(100)
    report = verify(registry.chain.w3, forged, answers=answers)
    assert report.failed == ["transaction", "anchorer_role"]
    assert len(answers) == 3  # chain id, deployment block, the contract's name


def test_the_kept_answers_are_bounded_oldest_read_first_out() -> None:
    answers = verifier.FinalAnswers(2)
    answers.put("a", 1)
    answers.put("b", 2)
    assert answers.get("a") == 1
    answers.put("c", 3)
    assert len(answers) == 2
    assert answers.get("b") is verifier._MISSING
    assert (answers.get("a"), answers.get("c")) == (1, 3)


def test_a_node_without_batches_is_asked_one_request_at_a_time(
    registry: Registry, receipt: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    w3 = registry.chain.w3
    monkeypatch.setattr(verifier, "_unbatched", set())
    trips = Recorder(w3, monkeypatch, batches=False).trips
    assert verify(w3, receipt, registry_roles=registry.roles.address).passed
    assert len(trips[0]) > 1  # the batch tried once, refused
    assert all(len(trip) == 1 for trip in trips[1:])
    trips.clear()
    assert verify(w3, receipt, registry_roles=registry.roles.address).passed
    assert all(len(trip) == 1 for trip in trips)  # not tried again
