"""docs/verify-by-hand.md run as written, step by step: an HTTP client (JSON-RPC to the node, the
registration center's published identity) and Keccak-256 from the node itself (``web3_sha3``),
nothing of the registry's code. A receipt the registry gave passes every step; a receipt of a
look-alike evidence contract (the registry's own code, deployed by an outsider) passes every step
but the two that ask the registry's roles contract (``registry_contract``, ``anchorer_role``), and
verifier.py, the API and the page fail it naming them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.api.keys import Role
from registry.chain import Registry
from tests.api_support import Api
from tests.conftest import ROOT
from tests.test_verification import EVIDENCE, look_alike

__all__ = ["look_alike"]  # a fixture, used by name

EVIDENCE_NAME = "0x45766964656e6365416e63686f72" + "00" * 18
NAME_OF = "0xf5c57382"
DEPLOYMENT_BLOCK = "0x82100e3f"
GET_ANCHOR = "0x7feb51d9"
VERIFY_EVIDENCE = "0x208dbbab"
ROLE_GRANTED = "0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d"
ROLE_REVOKED = "0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b"
ANCHORER_ROLE = "0x4b3e6527f1b0d33beb6c20e3c362af276f03c4526b5f8b6d118672f0d75a60eb"
VERIFIER = ROOT / "registry" / "evidence" / "verifier.py"
ANCHORED = "0xc0ca0bedcf6e5baea95b2d12c614aaff21f4ad8342efb132a0d3f4988a6dff5a"


class Rpc:
    """The guide's ``rpc`` shell function: one JSON-RPC call over HTTP, its result."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, method: str, params: list[Any]) -> Any:
        answer = httpx.post(
            self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        ).json()
        assert "error" not in answer, answer
        return answer["result"]

    def sha3(self, hex_data: str) -> str:
        return str(self("web3_sha3", [hex_data]))

    def call(self, to: str, data: str) -> str:
        return str(self("eth_call", [{"to": to, "data": data}, "latest"]))


def word(hex_text: str) -> str:
    """32 bytes of hex, no 0x, left-padded (an address or a number as the ABI encodes it)."""
    return hex_text.removeprefix("0x").lower().rjust(64, "0")


def by_hand(
    rpc: Rpc, receipt: dict[str, Any], evidence: bytes, published: dict[str, Any]
) -> dict[str, bool]:
    """Each step of the guide, by its check's name: passed or not."""
    steps: dict[str, bool] = {}
    steps["evidence_matches_receipt"] = (
        "0x" + hashlib.sha256(evidence).hexdigest() == receipt["hash"]
    )
    leaf = rpc.sha3(rpc.sha3(receipt["hash"]))
    steps["leaf"] = leaf == receipt["leaf"]
    node = leaf
    for sibling in receipt["proof"]:
        low, high = sorted([node.removeprefix("0x"), sibling.removeprefix("0x")])
        node = rpc.sha3("0x" + low + high)
    steps["merkle_proof"] = node == receipt["root"]
    steps["chain"] = int(rpc("eth_chainId", []), 16) == receipt["chain_id"]
    roles = published["roles"]
    name = rpc.call(roles, NAME_OF + word(receipt["contract"]))
    steps["registry_contract"] = receipt["roles"].lower() == roles.lower() and name == EVIDENCE_NAME
    anchor = rpc.call(receipt["contract"], GET_ANCHOR + word(receipt["root"]))[2:]
    submitter, anchored_at = "0x" + anchor[24:64], int(anchor[64:128], 16)
    steps["root_anchored"] = anchored_at > 0
    proof = "".join(word(p) for p in receipt["proof"])
    data = (
        VERIFY_EVIDENCE
        + word(receipt["hash"])
        + word("60")
        + word(receipt["root"])
        + word(hex(len(receipt["proof"])))
        + proof
    )
    first_word = rpc.call(receipt["contract"], data)[2:66]
    steps["contract_verifies"] = int(first_word, 16) == 1
    tx = rpc("eth_getTransactionReceipt", [receipt["tx_hash"]])
    steps["transaction"] = tx["status"] == "0x1" and any(
        log["address"].lower() == receipt["contract"].lower()
        and log["topics"][:2] == [ANCHORED, receipt["root"]]
        for log in tx["logs"]
    )
    block = rpc("eth_getBlockByNumber", [tx["blockNumber"], False])
    steps["block"] = (
        int(block["number"], 16) == receipt["block_number"]
        and block["hash"] == receipt["block_hash"]
        and int(block["timestamp"], 16) == anchored_at == receipt["block_time"]
    )
    steps["confirmations"] = int(rpc("eth_blockNumber", []), 16) - int(tx["blockNumber"], 16) >= 0
    deployed = hex(int(rpc.call(roles, DEPLOYMENT_BLOCK), 16))
    logs = rpc(
        "eth_getLogs",
        [
            {
                "address": roles,
                "fromBlock": deployed,
                "toBlock": tx["blockNumber"],
                "topics": [[ROLE_GRANTED, ROLE_REVOKED], ANCHORER_ROLE, "0x" + word(submitter)],
            }
        ],
    )
    order = [(int(log["blockNumber"], 16), int(log["logIndex"], 16), log) for log in logs]
    last = max(order, key=lambda found: found[:2], default=None)
    steps["anchorer_role"] = last is not None and last[2]["topics"][0] == ROLE_GRANTED
    return steps


def the_guides_constants_are_what_the_node_computes(rpc: Rpc) -> None:
    for constant, text in [
        (NAME_OF, "nameOf(address)"),
        (DEPLOYMENT_BLOCK, "deploymentBlock()"),
        (GET_ANCHOR, "getAnchor(bytes32)"),
        (VERIFY_EVIDENCE, "verifyEvidence(bytes32,bytes32[],bytes32)"),
        (ROLE_GRANTED, "RoleGranted(bytes32,address,address)"),
        (ROLE_REVOKED, "RoleRevoked(bytes32,address,address)"),
        (ANCHORER_ROLE, "ANCHORER_ROLE"),
        (ANCHORED, "Anchored(bytes32,address,uint32)"),
    ]:
        assert rpc.sha3("0x" + text.encode().hex()).startswith(constant), text


@pytest.fixture
def rpc(registry: Registry) -> Rpc:
    return Rpc(registry.chain.w3.provider.endpoint_uri)  # type: ignore[attr-defined]


def test_a_receipt_the_registry_gave_passes_every_step_of_the_guide(api: Api, rpc: Rpc) -> None:
    the_guides_constants_are_what_the_node_computes(rpc)
    data_hash = "0x" + hashlib.sha256(EVIDENCE).hexdigest()
    assert api.post("/v1/evidence", {"hash": data_hash}, Role.REGISTRAR).status_code == 202
    deadline = time.monotonic() + 30
    while (receipt := api.get(f"/v1/evidence/{data_hash}").json())["status"] != "anchored":
        assert time.monotonic() < deadline, "not anchored in 30 s"
        time.sleep(0.1)
    published = api.get("/.well-known/data-property-registry").json()
    assert published["contracts"]["EvidenceAnchor"] == receipt["contract"]
    steps = by_hand(rpc, receipt, EVIDENCE, published)
    assert all(steps.values()), steps
    assert not by_hand(rpc, receipt, EVIDENCE + b" ", published)["evidence_matches_receipt"]


def test_a_look_alike_contracts_receipt_fails_the_steps_that_ask_the_registry(
    api: Api, rpc: Rpc, look_alike: tuple[dict[str, Any], str], tmp_path: Path
) -> None:
    receipt, _fake_roles = look_alike
    published = api.get("/.well-known/data-property-registry").json()
    steps = by_hand(rpc, receipt, EVIDENCE, published)
    failed = [name for name, passed in steps.items() if not passed]
    assert failed == ["registry_contract", "anchorer_role"]
    verified = api.post("/v1/verify", {"hash": receipt["hash"], "receipt": receipt})
    assert verified.status_code == 200, verified.text
    # The API holds the receipt to its own contracts too: the chain check fails as well.
    assert set(failed) <= set(verified.json()["failed"])
    # The page names the same checks, in words and by name.
    page = api.client.post(
        "/verify",
        data={"receipt": json.dumps(receipt), "hash": receipt["hash"]},
        headers={"origin": str(api.client.base_url)},
    )
    assert page.status_code == 200, page.text
    verdict = page.text.split('id="verdict">')[1].split("</h2>")[0]
    assert "未通过" in verdict
    assert "存证合约为本登记机构角色合约所登记的存证合约" in verdict
    assert "<code>registry_contract</code>" in page.text
    # And so does verifier.py run on its own, as a court's expert would.
    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    (tmp_path / "evidence.pdf").write_bytes(EVIDENCE)
    run = subprocess.run(
        [sys.executable, str(VERIFIER), "receipt.json", "--rpc", rpc.url, "--file", "evidence.pdf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAIL  registry_contract" in run.stdout
