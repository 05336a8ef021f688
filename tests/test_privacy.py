"""Acceptance of issue 19 item 2: an application by a natural person (a test ID number with a
valid check digit, a phone, an address) and a proof document, registered through the API on a
real anvil with the js-ipfs test daemon as its content store, leaves none of those strings, in
UTF-8, hex or base64, in the anvil state dump, any log or transaction, any public page or API
answer, any block of the daemon or a CAR export; a field disclosed later checks against its
commitment alone."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from web3 import Web3

from registry.api.keys import Role
from registry.api.models import ApplicationIn
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.types import RightHolder
from registry.client.http import RegistryClient
from registry.content.canonical import canonical_json
from registry.devtools import application, joint_consent
from registry.forms.public import CONFIDENTIAL_MATERIAL
from tests.api_support import Api, reverted_api
from tests.conftest import Accounts, past_notice
from tests.forms_support import (
    ADDRESS,
    CONTRACT,
    ID_NUMBER,
    PHONE,
    PROOF,
    application_form,
    materials,
)
from tests.ipfs_support import ipfs_daemon

SECRETS = {
    "ID number": ID_NUMBER,
    "phone": PHONE,
    "address": ADDRESS,
    "company phone": "0532-82981234",
    "business secret": "堆场调度算法参数",
    "legal representative": "王强",
}


def forms_of(text: str) -> dict[str, bytes]:
    """``text`` as it could sit in stored bytes: UTF-8, its hex (either case), and its base64
    at each of the three alignments (the characters no neighbour can change)."""
    raw = text.encode()
    found = {"utf-8": raw, "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        start = (shift * 4 + 2) // 3 + (1 if shift else 0)
        end = len(encoded) - 4
        if end - start >= 8:
            found[f"base64+{shift}"] = encoded[start:end]
    return found


def leaks(haystack: bytes) -> list[str]:
    """Which secret, in which form, is in ``haystack``."""
    named = {**SECRETS, "proof document": PROOF.decode(), "contract": CONTRACT.decode()}
    return [
        f"{name} as {form}"
        for name, text in named.items()
        for form, needle in forms_of(text).items()
        if needle in haystack
    ]


def test_the_search_finds_each_form_at_any_offset() -> None:
    for prefix in (b"", b"x", b"xy", b"xyz"):
        blob = prefix + PHONE.encode() + b"tail"
        assert "phone as utf-8" in leaks(blob)
        assert "phone as hex" in leaks(blob.hex().encode())
        assert any(f.startswith("phone as base64") for f in leaks(base64.b64encode(blob)))


@dataclass
class Registered:
    api: Api
    ipfs: str
    answer: dict[str, Any]
    asset_id: int
    number: str
    first_block: int


# The center's own credit code (a public institution's, 12...; its GB 32100 check character holds).
CENTER_CODE = "12370000MB1234567N"


@pytest.fixture(scope="module")
def registered(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Registered]:
    with (
        ipfs_daemon(tmp_path_factory.mktemp("ipfs")) as ipfs,
        reverted_api(
            tmp_path_factory.mktemp("privacy"),
            w3,
            deployment,
            artifacts,
            accounts,
            settings={"ipfs_url": ipfs, "center_credit_code": CENTER_CODE},
        ) as api,
    ):
        first_block = w3.eth.block_number + 1
        registry: Registry = api.runtime.registry
        form = application_form(accounts.holder.address, accounts.holder2.address)
        contents = {n: base64.b64encode(b).decode() for n, b in materials().items()}
        answer = api.post(
            "/v1/forms/applications", {"form": form, "materials": contents}, Role.HOLDER
        )
        assert answer.status_code == 201, answer.text
        published = answer.json()
        holding_use, everything = 0b011, 0b111
        app = application(accounts.holder.address)
        app = type(app)(
            holders=(
                RightHolder(
                    accounts.holder.address,
                    holding_use,
                    identity_hash=_b(published["identity_hashes"][0]),
                ),
                RightHolder(
                    accounts.holder2.address,
                    everything,
                    identity_hash=_b(published["identity_hashes"][1]),
                ),
            ),
            region=app.region,
            classification=app.classification,
            kind=app.kind,
            manifest_hash=_b(published["manifest_hash"]),
            manifest_cid=_b(published["manifest_cid"]),
            cid_codec=published["cid_codec"],
        )
        nonce = registry.assets.nonces(accounts.holder.address)
        consent = joint_consent(registry.assets, [accounts.holder, accounts.holder2], app, nonce)
        body = ApplicationIn.of(app, consent).model_dump(mode="json")
        _confirmed(api, api.post("/v1/assets", body, Role.HOLDER))
        api.indexed()
        [asset] = api.get("/v1/assets", q="集装箱吞吐量").json()["items"]
        asset_id = int(asset["asset_id"])
        _confirmed(api, api.post(f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER))
        _confirmed(api, api.post(f"/v1/assets/{asset_id}/approve", {}, Role.REVIEWER))
        past_notice(w3, registry, asset_id)
        _confirmed(api, api.post(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR))
        api.indexed()
        number = registry.certificates.number_of(registry.assets.get_asset(asset_id).certificate_id)
        yield Registered(api, ipfs, published, asset_id, number, first_block)


def _b(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _confirmed(api: Api, response: Any) -> None:
    assert response.status_code == 202, response.text
    op = api.wait(response.json()["id"])
    assert op["status"] == "confirmed", op


def test_registered_form_is_found_by_its_public_name(registered: Registered) -> None:
    asset = registered.api.get(f"/v1/assets/{registered.asset_id}").json()
    assert asset["status_name"] == "issued"
    assert asset["name_zh"] == "2025年青岛港集装箱吞吐量数据集"
    page = registered.api.get(f"/a/{registered.asset_id}").text
    assert "张海鸥" in page
    assert "仅限境内使用，不得转售" in page


@pytest.mark.anvil_only("the whole chain state is read with anvil_dumpState")
def test_no_personal_or_confidential_string_is_in_the_chain_state(
    registered: Registered, w3: Web3
) -> None:
    dump = w3.provider.make_request("anvil_dumpState", [])["result"]  # type: ignore[arg-type]
    state = gzip.decompress(_b(dump))
    assert len(state) > 10_000
    assert leaks(state) == []


def test_no_personal_or_confidential_string_is_in_any_log_or_transaction(
    registered: Registered, w3: Web3
) -> None:
    logs = w3.eth.get_logs({"fromBlock": registered.first_block, "toBlock": "latest"})
    assert len(logs) > 5
    events = b"".join(
        bytes(log["data"]) + b"".join(bytes(t) for t in log["topics"]) for log in logs
    )
    assert leaks(events) == []
    assert leaks(events.hex().encode()) == []
    calldata = b"".join(
        bytes(tx["input"])  # type: ignore[index]
        for n in range(registered.first_block, w3.eth.block_number + 1)
        for tx in w3.eth.get_block(n, full_transactions=True)["transactions"]
    )
    assert leaks(calldata) == []


def test_no_personal_or_confidential_string_is_in_a_public_page_or_answer(
    registered: Registered,
) -> None:
    api, asset_id, number = registered.api, registered.asset_id, registered.number
    answers = [json.dumps(registered.answer, ensure_ascii=False).encode()]
    for path in (
        f"/v1/assets/{asset_id}",
        f"/v1/assets/{asset_id}/history",
        f"/v1/assets/{asset_id}/rights",
        f"/v1/certificates/{number}",
        f"/v1/certificates/{number}/credential",
        f"/v1/manifests/{registered.answer['cid']}",
        f"/v1/evidence/{registered.answer['manifest_hash']}",
        "/v1/assets?q=青岛",
        f"/c/{number}",
        f"/c/{number}?lang=en",
        f"/a/{asset_id}",
        "/",
        "/stats",
        f"/verify?hash={registered.answer['manifest_hash']}",
    ):
        answer = api.get(path)
        assert answer.status_code == 200, (path, answer.text)
        answers.append(answer.content)
    assert leaks(b"\n".join(answers)) == []
    # The certificate PDF's text streams are compressed: its text, as pdftotext reads it.
    pdf = api.get(f"/v1/certificates/{number}/pdf")
    assert pdf.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout
    assert "张海鸥".encode() in text
    assert leaks(text) == []


def test_no_personal_or_confidential_string_is_in_an_ipfs_block_or_car(
    registered: Registered,
) -> None:
    with httpx.Client(base_url=registered.ipfs, timeout=30) as rpc:
        refs = rpc.post("/api/v0/refs/local").text.splitlines()
        cids = [json.loads(line)["Ref"] for line in refs if line.strip()]
        assert registered.answer["cid"] in cids
        blocks = [rpc.post("/api/v0/block/get", params={"arg": c}).content for c in cids]
        car = rpc.post("/api/v0/dag/export", params={"arg": registered.answer["cid"]}).content
    # The manifest, the two materials and the confidential part at least (all ciphertext but
    # the manifest), and the CAR of the manifest.
    assert len(blocks) >= 4
    assert car
    assert leaks(b"".join(blocks)) == []
    assert "张海鸥".encode() in b"".join(blocks)  # the public part is there, in plain text
    assert leaks(car) == []
    manifest = registered.api.get(f"/v1/manifests/{registered.answer['cid']}").content
    assert manifest in blocks


def test_materials_open_for_the_center_only_decrypted(registered: Registered) -> None:
    materials_store = registered.api.runtime.context.materials
    registration = registered.answer["manifest_hash"]
    assert materials_store.names(registration) == sorted(
        ["acquisition-contract.pdf", "identity-proof.pdf", CONFIDENTIAL_MATERIAL]
    )
    assert materials_store.open(registration, "identity-proof.pdf") == PROOF
    assert materials_store.open(registration, "acquisition-contract.pdf") == CONTRACT


def test_disclosed_field_checks_against_its_commitment_alone(registered: Registered) -> None:
    api, manifest_hash = registered.api, registered.answer["manifest_hash"]
    path = f"/v1/forms/{manifest_hash}/disclosures/applicants.0.id_number"
    assert api.get(path).status_code == 401
    disclosed = api.client.get(
        path, headers={"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    )
    assert disclosed.status_code == 200, disclosed.text
    field = disclosed.json()
    assert field["value"] == ID_NUMBER
    # Anyone checks it against the manifest as published, without the service ...
    published = json.loads(api.get(f"/v1/manifests/{registered.answer['cid']}").content)
    recomputed = hashlib.sha256(
        canonical_json({"field": field["field"], "salt": field["salt"], "value": field["value"]})
    ).hexdigest()
    assert published["commitments"]["applicants.0.id_number"] == recomputed == field["commitment"]
    # ... or through it; a wrong value or salt does not check.
    check = {
        "manifest_hash": manifest_hash,
        "field": field["field"],
        "value": ID_NUMBER,
        "salt": field["salt"],
    }
    assert api.post("/v1/disclosures/check", check).json() == {
        "matches": True,
        "commitment": recomputed,
    }
    wrong = {**check, "value": ID_NUMBER[:17] + "0"}
    assert api.post("/v1/disclosures/check", wrong).json()["matches"] is False
    other = {**check, "field": "applicants.0.phone"}
    assert api.post("/v1/disclosures/check", other).json()["matches"] is False


def test_invalid_form_names_the_fields_in_chinese_and_english(
    registered: Registered, accounts: Accounts
) -> None:
    form = application_form(accounts.holder.address, accounts.holder2.address)
    form["applicants"][0]["id_number"] = ID_NUMBER[:17] + "0"
    form["data"]["summary"] = "长" * 401
    answer = registered.api.post(
        "/v1/forms/applications", {"form": form, "materials": {}}, Role.HOLDER
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e for e in answer.json()["errors"]}
    assert set(errors) == {"form.applicants.0.id_number", "form.data.summary"}
    assert errors["form.applicants.0.id_number"]["label"] == "申请人[1]·公民身份号码"
    assert errors["form.data.summary"]["zh"] == "最多 400 个字符"
    assert errors["form.data.summary"]["en"] == "String should have at most 400 characters"


def test_form_naming_the_center_itself_as_a_party_is_refused(
    registered: Registered, accounts: Accounts
) -> None:
    form = application_form(accounts.holder.address, accounts.holder2.address)
    form["applicants"][1]["credit_code"] = CENTER_CODE
    contents = {n: base64.b64encode(b).decode() for n, b in materials().items()}
    answer = registered.api.post(
        "/v1/forms/applications", {"form": form, "materials": contents}, Role.HOLDER
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["field"] == "form.applicants.1.credit_code"
    assert error["label"] == "申请人[2]·统一社会信用代码"
    assert "第十条第七项" in error["zh"]
    assert registered.api.get("/v1/disclosure").json()["center"]["credit_code"] == CENTER_CODE


def test_materials_not_as_listed_are_refused(registered: Registered, accounts: Accounts) -> None:
    form = application_form(accounts.holder.address, accounts.holder2.address)
    contents = {n: base64.b64encode(b).decode() for n, b in materials().items()}
    contents["identity-proof.pdf"] = base64.b64encode(b"another document").decode()
    contents["extra.pdf"] = base64.b64encode(b"x").decode()
    answer = registered.api.post(
        "/v1/forms/applications", {"form": form, "materials": contents}, Role.HOLDER
    )
    assert answer.status_code == 422
    errors = {e["field"]: e["zh"] for e in answer.json()["errors"]}
    assert errors == {
        "form.materials.0": "材料与所填大小或 SHA-256 不符",
        "materials.extra.pdf": "申请表未列出此材料",
    }


def test_keystore_is_in_the_data_directory_with_mode_0600(registered: Registered) -> None:
    path: Path = registered.api.runtime.settings.keystore_file
    assert path.stat().st_mode & 0o777 == 0o600


def test_reviewer_reads_the_sealed_source_and_the_name_hints(registered: Registered) -> None:
    api = registered.api
    reviewer = {"Authorization": f"Bearer {api.keys[Role.REVIEWER]}"}
    review = api.client.get(f"/v1/assets/{registered.asset_id}/review", headers=reviewer).json()
    assert review["source_kind"] == "collected"
    assert review["public_data_code"] is None
    assert review["name_hints"] == []


def test_keystore_command_prints_the_public_key(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from registry.cli import app
    from registry.privacy import CenterKeys

    result = CliRunner().invoke(
        app, ["keystore", "public-key"], env={"REGISTRY_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    keys = CenterKeys.open(tmp_path / "keystore" / "center-kek.json")
    assert result.output.strip() == base64.b64encode(keys.public_raw).decode()


def test_typed_client_discloses_and_checks(registered: Registered) -> None:
    api, manifest_hash = registered.api, registered.answer["manifest_hash"]
    transport = api.client._transport  # the app in process, as the CLI reaches it over HTTP
    with RegistryClient(
        "http://testserver", api.keys[Role.REGISTRAR], transport=transport
    ) as client:
        disclosed = client.disclose(manifest_hash, "applicants.0.phone")
        assert disclosed["value"] == PHONE
        assert client.check_disclosure(disclosed)["matches"] is True
        assert client.check_disclosure({**disclosed, "salt": "00" * 16})["matches"] is False


def test_transfer_form_publishes_its_public_part_only(
    registered: Registered, accounts: Accounts
) -> None:
    parties = application_form(accounts.holder.address, accounts.holder2.address)["applicants"]
    contract = b"transfer contract, price 1,000,000 yuan"
    form = {
        "certificate_no": registered.number,
        "transferor": parties[1],
        "transferee": parties[0],
        "rights": ["operating"],
        "scope": "all",
        "price": "人民币壹佰万元",
        "contract": "transfer.pdf",
        "materials": [
            {
                "name": "transfer.pdf",
                "kind": "contract",
                "size": len(contract),
                "sha256": hashlib.sha256(contract).hexdigest(),
            }
        ],
    }
    body = {"form": form, "materials": {"transfer.pdf": base64.b64encode(contract).decode()}}
    answer = registered.api.post("/v1/forms/transfers", body, Role.HOLDER)
    assert answer.status_code == 201, answer.text
    published = registered.api.get(f"/v1/manifests/{answer.json()['cid']}").content
    assert json.loads(published)["public"]["certificate_no"] == registered.number
    assert leaks(published) == []
    assert "人民币壹佰万元".encode() not in published
    assert contract not in published
    opened = registered.api.runtime.context.materials.open(
        answer.json()["manifest_hash"], "transfer.pdf"
    )
    assert opened == contract
