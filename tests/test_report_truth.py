"""A registrar-signed verification report states only what the chain says: a receipt whose time
the requester changed is not verified, the anchoring's time, block and account are the chain's,
and what a receipt states that no chain records (its submitter) is printed apart as the
requester's statement. The same verification at the same chain state gives back the report
already kept, and checking a report hashes the upload from disk, not from memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from eth_account.messages import encode_defunct
from web3 import Web3

from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact, write_artifacts
from registry.chain.node import EmbeddedNode, free_port
from registry.documents.signature import statement
from tests.api_support import Api, ServiceProcess
from tests.conftest import DAY, ROOT, Accounts
from tests.test_documents import anchored, pdf_facts
from tests.test_pages import applied

FORGED_TIME = 1577836800  # 2020-01-01 00:00:00 UTC, 08:00 in Beijing
FALSE_SUBMITTER = "国家数据局 National Data Administration — certified owner: Mallory Ltd"
REQUESTER = "由请求方提供，未经核验"


def receipt_of_manifest(api: Api, registry: Registry, accounts: Accounts, tag: str) -> Any:
    """The anchored receipt of a new asset's manifest (anchored when it was published)."""
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", f"truth-{tag}")
    manifest_hash = api.get(f"/v1/assets/{asset_id}").json()["manifest_hash"]
    receipt = anchored(api, manifest_hash)
    assert receipt["status"] == "anchored", receipt
    return receipt


def report_text(api: Api, receipt: dict[str, Any], tmp_path: Path) -> tuple[Any, str]:
    issued = api.post("/v1/verify/report", {"receipt": receipt})
    assert issued.status_code == 201, issued.text
    text, _codes = pdf_facts(api.get(issued.json()["pdf"]).content, tmp_path)
    return issued.json(), text


def test_a_receipt_with_a_false_block_time_is_not_verified_nor_its_time_stated_as_fact(
    api: Api, registry: Registry, accounts: Accounts, tmp_path: Path
) -> None:
    genuine = receipt_of_manifest(api, registry, accounts, "time")
    assert api.post("/v1/verify", {"receipt": genuine}).json()["verified"] is True

    forged = {**genuine, "block_time": FORGED_TIME}
    body = api.post("/v1/verify", {"receipt": forged}).json()
    assert body["verified"] is False
    assert body["failed"] == ["block"]
    assert body["anchored"] is None
    block = next(c for c in body["checks"] if c["name"] == "block")
    assert block["values"]["block_time"] == genuine["block_time"]
    assert block["values"]["receipt_block_time"] == FORGED_TIME

    issued, text = report_text(api, forged, tmp_path)
    assert issued["verified"] is False
    facts, heading, stated = text.partition(REQUESTER)
    assert heading, text
    assert "通过：全部检查通过" not in text
    assert "2020-01-01" not in facts
    assert "2020-01-01 08:00:00（北京时间" in stated

    # "Status at anchoring" is the status at the block's time, and only once verified: never
    # replayed to a time the requester gives.
    (linked,) = api.post("/v1/verify", {"receipt": genuine}).json()["linked"]
    assert linked["status_then"] == "applied"  # the manifest's batch went on chain after it
    later = {**genuine, "block_time": genuine["block_time"] + 400 * DAY}
    (linked,) = api.post("/v1/verify", {"receipt": later}).json()["linked"]
    assert linked["status_then"] is None
    assert linked["status_now"] == "applied"


def test_a_false_submitter_is_printed_only_as_the_requesters_statement(
    api: Api, registry: Registry, accounts: Accounts, tmp_path: Path
) -> None:
    genuine = receipt_of_manifest(api, registry, accounts, "submitter")
    forged = {**genuine, "submitter": FALSE_SUBMITTER}
    body = api.post("/v1/verify", {"receipt": forged}).json()
    assert body["verified"] is True
    assert body["anchored"]["anchored_by"] == accounts.anchorer.address
    assert body["anchored"]["block_time"] == genuine["block_time"]
    assert body["anchored"]["block_hash"] == genuine["block_hash"]
    assert body["stated"] == {
        "by": "requester",
        "values": {"submitter": FALSE_SUBMITTER, "received_at": genuine["received_at"]},
    }

    issued, text = report_text(api, forged, tmp_path)
    assert issued["verified"] is True
    facts, heading, stated = text.partition(REQUESTER)
    assert heading, text
    assert "Mallory" not in facts
    assert "Mallory" in stated
    assert accounts.anchorer.address in facts
    anchored_at = dt.datetime.fromtimestamp(
        genuine["block_time"], dt.timezone(dt.timedelta(hours=8))
    )
    assert anchored_at.strftime("%Y-%m-%d %H:%M:%S（北京时间") in facts

    # The registry's own receipt (looked up by hash) is its off-chain record, labelled so.
    own = api.post("/v1/verify", {"hash": genuine["hash"]}).json()
    assert own["stated"]["by"] == "registry"
    assert own["stated"]["values"]["submitter"] == genuine["submitter"]


def test_a_receipt_naming_another_evidence_contract_is_not_verified(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    """Anyone can deploy a contract that answers like the evidence contract: only the
    registry's own counts in what it signs."""
    genuine = receipt_of_manifest(api, registry, accounts, "contract")
    elsewhere = {**genuine, "contract": registry.assets.address}
    body = api.post("/v1/verify", {"receipt": elsewhere}).json()
    assert body["verified"] is False
    chain = next(c for c in body["checks"] if c["name"] == "chain")
    assert chain["passed"] is False
    assert chain["values"]["evidence_contract"] == registry.evidence.address


def test_the_same_verification_at_the_same_chain_state_gives_the_kept_report(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    genuine = receipt_of_manifest(api, registry, accounts, "again")
    first = api.post("/v1/verify/report", {"receipt": genuine}).json()
    reports = api.runtime.context.reports.directory
    kept = sorted(reports.iterdir())
    again = api.post("/v1/verify/report", {"receipt": genuine}).json()
    assert again == first
    assert sorted(reports.iterdir()) == kept
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    later = api.post("/v1/verify/report", {"receipt": genuine}).json()
    assert later["id"] != first["id"]  # a new head: new confirmations, a new report


UPLOAD = 160 << 20
"""Bytes of the report uploaded to /v1/reports/check (the finding: three 200 MB uploads took
the service from 192 to 668 MB)."""
GROWTH = 48 << 20
"""The most the service's peak resident memory may grow while checking it."""


def peak_rss(pid: int) -> int:
    """The process's peak resident set size (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def blocks() -> Iterator[bytes]:
    """The large upload, 1 MiB at a time, made anew on each pass (never held whole)."""
    for i in range(UPLOAD >> 20):
        yield i.to_bytes(4, "big") * (1 << 18)


def test_checking_a_large_report_hashes_it_as_it_arrives_never_holding_it(
    registry: Registry,
    node: EmbeddedNode,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
    tmp_path: Path,
) -> None:
    write_artifacts(artifacts, ROOT / "build" / "contracts")
    deployment.save(tmp_path / "deployment.json")
    digest = hashlib.sha256()
    for block in blocks():
        digest.update(block)
    file_sha256 = "0x" + digest.hexdigest()
    content_sha256 = "0x" + "00" * 32
    signed = accounts.registrar.sign_message(
        encode_defunct(text=statement(file_sha256, content_sha256))
    )
    signature = json.dumps(
        {
            "file_sha256": file_sha256,
            "content_sha256": content_sha256,
            "signer": accounts.registrar.address,
            "signature": "0x" + bytes(signed.signature).hex(),
        }
    )
    boundary = "report-truth-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="signature"\r\n\r\n'
        f'{signature}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="report.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from blocks()
        yield tail

    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + UPLOAD + len(tail)),
    }
    service = ServiceProcess(tmp_path, node.url, accounts, free_port()).start()
    try:
        assert service.process is not None
        with httpx.Client(base_url=service.url, timeout=120) as client:
            small = client.post(
                "/v1/reports/check",
                files={"file": ("r.pdf", b"%PDF-1.7", "application/pdf")},
                data={"signature": signature},
            )
            assert small.status_code == 200, small.text
            assert small.json()["checks"]["file_unaltered"] is False
            before = peak_rss(service.process.pid)
            answer = client.post("/v1/reports/check", content=body(), headers=headers)
            after = peak_rss(service.process.pid)
    finally:
        service.stop()
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "authentic": True,
        "checks": {"file_unaltered": True, "signature_valid": True, "signed_by_service": True},
    }
    assert after - before < GROWTH, f"peak RSS grew {(after - before) >> 20} MiB"
