"""The REST API end to end: a registration from application to certificate, and every kind of
bad input answered with RFC 9457 problem+json."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from registry.api.keys import Role
from registry.api.models import ApplicationIn, ConsentIn
from registry.certificates import status_list
from registry.certificates.credential import is_authentic, signer_of
from registry.chain import Registry
from registry.chain.signing import fresh_nonce, message_of, sign
from registry.chain.types import ALL_RIGHTS, Application, Status, TransferShare
from registry.devtools import FAR_DEADLINE, signed_application
from tests.api_support import Api
from tests.conftest import DAY, Accounts, Flow, advance, application, h, now, past_notice
from tests.test_api_manifests import sample_manifest


def application_body(registry: Registry, accounts: Accounts, app: Application) -> dict[str, Any]:
    consent = signed_application(
        registry.assets, accounts.holder, app, nonce=registry.assets.nonces(app.holder)
    )
    return ApplicationIn.of(app, consent).model_dump(mode="json")


def confirmed(api: Api, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    op = api.wait(response.json()["id"])
    assert op["status"] == "confirmed", op
    return op


def test_registration_goes_from_application_to_valid_certificate(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    # The asset is found by the names of its manifest as published.
    manifest = sample_manifest()
    manifest["version"] = "api-1"
    published = api.post("/v1/manifests", manifest, Role.HOLDER).json()
    app = replace(
        application(accounts.holder.address),
        manifest_hash=bytes.fromhex(published["manifest_hash"][2:]),
        manifest_cid=bytes.fromhex(published["manifest_cid"][2:]),
        cid_codec=published["cid_codec"],
    )
    confirmed(api, api.post("/v1/assets", application_body(registry, accounts, app), Role.HOLDER))
    api.indexed()
    found = api.get("/v1/assets", q="集装箱").json()["items"]
    assert [a["asset_id"] for a in found] == [1]
    confirmed(api, api.post("/v1/assets/1/accept", None, Role.REVIEWER))
    confirmed(api, api.post("/v1/assets/1/approve", {}, Role.REVIEWER))
    past_notice(w3, registry, 1)
    confirmed(api, api.post("/v1/assets/1/issue", None, Role.REGISTRAR))
    api.indexed()
    asset = api.get("/v1/assets/1").json()
    assert asset["status_name"] == "issued"
    number = registry.certificates.number_of(registry.assets.get_asset(1).certificate_id)
    cert = api.get(f"/v1/certificates/{number}").json()
    assert cert["status"] == "valid"
    assert cert["holder"] == accounts.holder.address
    names = [e["name"] for e in api.get("/v1/assets/1/history").json()]
    assert names[0] == "Applied"
    assert "RegistrationIssued" in names

    credential = api.get(f"/v1/certificates/{number}/credential").json()
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert signer_of(credential) == accounts.registrar.address
    assert is_authentic(credential)
    assert credential["credentialSubject"]["manifestHash"] == published["manifest_hash"]
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    listed = api.get(entry["statusListCredential"]).json()["credentialSubject"]["encodedList"]
    assert not status_list.is_set(listed, int(entry["statusListIndex"]))
    forged = {**credential, "credentialSubject": {**credential["credentialSubject"]}}
    forged["credentialSubject"]["holder"] = accounts.outsider.address
    assert not is_authentic(forged)
    revoke = {"reason_hash": "0x" + "11" * 32}
    confirmed(api, api.post("/v1/assets/1/revoke", revoke, Role.REGISTRAR))
    listed = api.get(entry["statusListCredential"]).json()["credentialSubject"]["encodedList"]
    assert status_list.is_set(listed, int(entry["statusListIndex"]))


def test_apply_with_same_idempotency_key_makes_one_transaction(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address, "idem"))
    first = api.post("/v1/assets", body, Role.HOLDER, **{"Idempotency-Key": "k1"})
    second = api.post("/v1/assets", body, Role.HOLDER, **{"Idempotency-Key": "k1"})
    assert first.json()["id"] == second.json()["id"]
    confirmed(api, first)
    assert registry.assets.asset_count() == 1


def test_operation_is_confirmed_once_the_index_has_read_its_block(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    """A client that saw ``confirmed`` finds what the act made in every read of the API."""
    body = application_body(registry, accounts, application(accounts.holder.address, "seen"))
    api.runtime.follower.stop()
    try:
        key = {"Idempotency-Key": "seen-1"}
        op_id = api.post("/v1/assets", body, Role.HOLDER, **key).json()["id"]
        assert api.runtime.staff.registrar.wait(op_id).status == "confirmed"  # on chain
        assert api.get(f"/v1/operations/{op_id}").json()["status"] == "sent"  # not indexed
        assert api.post("/v1/assets", body, Role.HOLDER, **key).json()["status"] == "sent"
    finally:
        api.runtime.follower.start()
    op = api.wait(op_id)
    assert op["status"] == "confirmed"
    assert api.get(f"/v1/assets/{op['result']['asset_id']}").status_code == 200


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"]
    assert body["title"]
    return body


def test_bad_json_is_a_problem(api: Api) -> None:
    response = api.client.post(
        "/v1/assets",
        content=b"{not json",
        headers={
            "Authorization": f"Bearer {api.keys[Role.HOLDER]}",
            "Content-Type": "application/json",
        },
    )
    problem(response, 422)


def test_missing_field_is_named(api: Api, registry: Registry, accounts: Accounts) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address))
    del body["manifest_hash"]
    names = [
        p["name"] for p in problem(api.post("/v1/assets", body, Role.HOLDER), 422)["invalid_params"]
    ]
    assert names == ["manifest_hash"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("manifest_hash", "0x1234"),
        ("manifest_cid", "not hex"),
        ("co_signatures", ["0x00"]),  # one more than the further right-holders (none)
        ("region", 99),
        ("classification", "core"),
    ],
)
def test_bad_field_is_named(
    api: Api, registry: Registry, accounts: Accounts, field: str, value: Any
) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address))
    body[field] = value
    params = problem(api.post("/v1/assets", body, Role.HOLDER), 422)["invalid_params"]
    assert [p["name"] for p in params] == [field]


def test_bad_right_holder_field_is_named_by_its_path(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address))
    body["holders"][0]["rights"] = ["holding", "holding"]
    params = problem(api.post("/v1/assets", body, Role.HOLDER), 422)["invalid_params"]
    assert [p["name"] for p in params] == ["holders.0.rights"]
    body["holders"][0]["rights"] = ["ownership"]
    params = problem(api.post("/v1/assets", body, Role.HOLDER), 422)["invalid_params"]
    assert [p["name"] for p in params] == ["holders.0.rights.0"]


def test_unknown_asset_is_not_found(api: Api) -> None:
    body = problem(api.post("/v1/assets/999/issue", None, Role.REGISTRAR), 404)
    assert "UnknownAsset" in body["type"]


def test_wrong_state_names_the_rule(api: Api, registry: Registry, accounts: Accounts) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address))
    confirmed(api, api.post("/v1/assets", body, Role.HOLDER))
    refused = problem(api.post("/v1/assets/1/issue", None, Role.REGISTRAR), 409)
    assert refused["rule"] == "InvalidTransition"


def test_wrong_role_is_forbidden(api: Api, registry: Registry, accounts: Accounts) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address))
    confirmed(api, api.post("/v1/assets", body, Role.HOLDER))
    problem(api.post("/v1/assets/1/accept", None, Role.HOLDER), 403)
    problem(api.post("/v1/assets/1/accept", None), 401)


def test_wrong_region_is_forbidden(api: Api, registry: Registry, accounts: Accounts) -> None:
    app = application(accounts.holder.address, region=321000)
    body = problem(
        api.post("/v1/assets", application_body(registry, accounts, app), Role.HOLDER), 403
    )
    assert body["invalid_params"][0]["name"] == "region"


def test_core_classification_is_refused_by_name(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    body = application_body(registry, accounts, application(accounts.holder.address))
    body["classification"] = "core"
    assert (
        problem(api.post("/v1/assets", body, Role.HOLDER), 422)["invalid_params"][0]["name"]
        == "classification"
    )


def test_health_and_metrics(api: Api) -> None:
    health = api.get("/healthz").json()
    assert health["status"] == "ok"
    api.get("/v1/assets")
    auditor = {"Authorization": f"Bearer {api.keys[Role.AUDITOR]}"}
    metrics = api.client.get("/metrics", headers=auditor).text
    assert "registry_http_requests_total" in metrics


def test_evidence_file_is_anchored_with_a_receipt(api: Api, registry: Registry) -> None:
    response = api.client.post(
        "/v1/evidence/file",
        files={"file": ("contract.pdf", b"%PDF-1.7 evidence", "application/pdf")},
        headers={"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"},
    )
    assert response.status_code == 202, response.text
    assert response.json()["receipt"]["status"] == "queued"
    deadline = time.monotonic() + 20
    while (receipt := api.get(response.headers["location"]).json())["status"] != "anchored":
        assert time.monotonic() < deadline, receipt
        time.sleep(0.1)
    assert receipt["hash"] == "0x" + response.json()["sha256"]
    assert receipt["contract"] == registry.evidence.address
    assert receipt["block_time"] > 0
    proof = [bytes.fromhex(p[2:]) for p in receipt["proof"]]
    anchored, anchor = registry.evidence.verify_evidence(
        bytes.fromhex(receipt["hash"][2:]), proof, bytes.fromhex(receipt["root"][2:])
    )
    assert anchored
    assert anchor.leaf_count == receipt["leaf_count"]
    assert api.get("/v1/evidence/0x" + "ab" * 32).status_code == 404

    checked = api.client.post(
        "/v1/verify/file", files={"file": ("c.pdf", b"%PDF-1.7 evidence", "application/pdf")}
    ).json()
    assert checked["verified"], checked
    altered = api.client.post(
        "/v1/verify/file", files={"file": ("c.pdf", b"%PDF-1.7 evidencE", "application/pdf")}
    )
    assert altered.status_code == 404  # no receipt for the altered file's hash
    forged = {**receipt, "proof": ["0x" + "00" * 32]}
    report = api.post("/v1/verify", {"hash": receipt["hash"], "receipt": forged}).json()
    assert report["verified"] is False
    assert "merkle_proof" in report["failed"]
    assert problem(api.post("/v1/verify", {}), 422)
    assert problem(api.post("/v1/verify", {"receipt": {"hash": "0x12"}}), 422)


def test_evidence_hash_rejects_bad_hash(api: Api) -> None:
    params = problem(api.post("/v1/evidence", {"hash": "0xzz"}, Role.REGISTRAR), 422)[
        "invalid_params"
    ]
    assert params[0]["name"] == "hash"


def test_nonces_and_eip712_types_for_signing_clients(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    nonces = api.get(f"/v1/accounts/{accounts.holder.address}/nonces").json()
    assert nonces == {"assets": 0, "rights": 0}
    info = api.get("/v1/eip712").json()
    assert info["domains"]["assets"]["verifyingContract"] == registry.assets.address
    assert "Application" in info["types"]


def test_batch_applications_share_transactions(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    nonce = registry.assets.nonces(accounts.holder.address)
    bodies = []
    for i in range(30):
        app = application(accounts.holder.address, f"batch-{i}")
        consent = signed_application(registry.assets, accounts.holder, app, nonce=nonce + i)
        bodies.append(ApplicationIn.of(app, consent).model_dump(mode="json"))
    response = api.post("/v1/assets/batch", bodies, Role.HOLDER, **{"Idempotency-Key": "b"})
    assert response.status_code == 202, response.text
    ops = response.json()
    assert len({op["tx_hash"] for op in ops}) == 1
    assert api.wait(ops[-1]["id"])["status"] == "confirmed"
    assert registry.assets.asset_count() == 30


def test_holder_acts_are_relayed_with_the_holders_consent(
    api: Api, flow: Flow, registry: Registry, accounts: Accounts
) -> None:
    """Renewal, change, pledge (and release), transfer and cancellation through the API, each
    with the consent the holder signed on their own machine."""
    asset_id = flow.issued("api-holder-acts")
    assets = registry.assets

    def consent(signer: LocalAccount, primary: str, **fields: Any) -> dict[str, Any]:
        message = {"assetId": asset_id, **fields, "nonce": fresh_nonce()}
        signed = sign(signer, assets.domain(), primary, message, FAR_DEADLINE)
        return ConsentIn.of(signed).model_dump(mode="json")

    def relayed(act: str, body: dict[str, Any] | None) -> None:
        confirmed(api, api.post(f"/v1/assets/{asset_id}/{act}", body, Role.REGISTRAR))

    expiry = assets.get_asset(asset_id).expires_at
    advance(flow.w3, expiry - 100 * DAY - now(flow.w3))  # into the renewal window (art. 36)
    relayed("renew", {"consent": consent(accounts.holder, "Renew")})
    assert assets.get_asset(asset_id).expires_at > expiry

    manifest, cid = h("api-holder-acts-v2"), h("cid:api-holder-acts-v2")
    change = {"manifestHash": manifest, "manifestCid": cid, "cidCodec": 85}
    relayed(
        "change",
        {
            "manifest_hash": "0x" + manifest.hex(),
            "manifest_cid": "0x" + cid.hex(),
            "cid_codec": 85,
            "consent": consent(accounts.holder, "Change", **change),
        },
    )
    assert assets.get_asset(asset_id).manifest_hash == manifest

    agreement = h("api-holder-acts-agreement")
    pledgee, new_holder = accounts.grantee2.address, accounts.grantee.address
    relayed(
        "pledge",
        {
            "pledgee": pledgee,
            "agreement_hash": "0x" + agreement.hex(),
            "consent": consent(accounts.holder, "Pledge", pledgee=pledgee, agreementHash=agreement),
        },
    )
    relayed("pledge/release", None)
    # A transfer: the transferor and the transferee apply together, each signing (art. 34);
    # the registrar registers it after review.
    share = TransferShare(accounts.holder.address, new_holder, ALL_RIGHTS, h("id:grantee"))
    message = {
        **message_of("Transfer", (asset_id, [share.to_abi()], agreement)),
        "nonce": fresh_nonce(),
    }
    mine, theirs = (
        sign(signer, assets.domain(), "Transfer", message, FAR_DEADLINE)
        for signer in (accounts.holder, accounts.grantee)
    )
    body = {
        "shares": [
            {
                "transferor": accounts.holder.address,
                "transferee": new_holder,
                "rights": ["holding", "processing", "operating"],
                "identity_hash": "0x" + h("id:grantee").hex(),
            }
        ],
        "agreement_hash": "0x" + agreement.hex(),
        "consent": ConsentIn.of(mine).model_dump(mode="json"),
        "co_signatures": ["0x" + theirs.signature.hex()],
    }
    relayed("transfers", body)
    transfer_id = assets.transfer_count()
    assert assets.holder_of(asset_id) == accounts.holder.address  # reviewed first
    confirmed(api, api.post(f"/v1/transfers/{transfer_id}/registration", None, Role.REGISTRAR))
    assert assets.holder_of(asset_id) == new_holder
    api.indexed()
    indexed = api.get(f"/v1/assets/{asset_id}").json()
    assert [r["account"] for r in indexed["right_holders"]] == [new_holder]
    relayed("cancel", {"consent": consent(accounts.grantee, "Cancel")})
    assert assets.standing_of(asset_id).status == Status.CANCELLED
