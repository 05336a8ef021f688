"""Consent requests: the registrar drafts an act, the holder signs its typed data elsewhere and
posts the signature, the act is relayed; refusals name the field or rule and keep the request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner
from web3 import Web3

from registry.api.keys import Role
from registry.chain import Registry
from registry.chain.types import TransferShare
from registry.cli import app as cli_app
from registry.devtools import transfer_consent
from tests.api_support import Api
from tests.conftest import Accounts, Flow, advance, h, now
from tests.test_acts import served  # noqa: F401 (the fixture: the API over real HTTP)
from tests.test_documents import pdf_facts

ZERO_ADDRESS = "0x" + "00" * 20

AGREEMENT = "0x" + "a1" * 32


def drafted(api: Api, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = api.post("/v1/consent-requests", body, Role.REGISTRAR)
    assert response.status_code == status, response.text
    return dict(response.json())


def signed(account: LocalAccount, request: dict[str, Any]) -> str:
    """What a wallet does with the request's JSON (eth_signTypedData_v4)."""
    typed = encode_typed_data(full_message=request["typed_data"])
    return "0x" + bytes(account.sign_message(typed).signature).hex()


def send_signature(api: Api, request: dict[str, Any], signature: str) -> Any:
    return api.post(f"/v1/consent-requests/{request['id']}/signature", {"signature": signature})


def test_pledge_waits_for_the_holder_then_is_relayed(
    api: Api,
    flow: Flow,
    registry: Registry,
    accounts: Accounts,
    served: str,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    asset_id = flow.issued("consent-pledge")
    pledgee = accounts.pledgee.address
    body = {"act": "pledge", "asset_id": asset_id, "pledgee": pledgee}
    request = drafted(api, {**body, "agreement_hash": AGREEMENT})
    assert request["state"] == "awaiting"
    assert request["holder"] == accounts.holder.address
    assert request["typed_data"]["primaryType"] == "Pledge"
    assert request["typed_data"]["message"]["pledgee"] == pledgee
    assert registry.assets.pledgee_of(asset_id) == ZERO_ADDRESS  # nothing sent yet

    shown = api.get(f"/v1/consent-requests/{request['id']}").json()
    assert shown["typed_data"] == request["typed_data"]
    signature = signed(accounts.holder, shown)
    response = send_signature(api, request, signature)
    assert response.status_code == 202, response.text
    op = api.wait(response.json()["id"])
    assert op["status"] == "confirmed", op
    assert registry.assets.pledgee_of(asset_id) == pledgee
    # The pledge is what a bank looks for: on the certificate's PDF among its annotations, and
    # on the command line (issue 17 items 4 and 6).
    api.indexed()
    number = registry.certificates.number_of(registry.assets.get_asset(asset_id).certificate_id)
    text, _codes = pdf_facts(api.get(f"/v1/certificates/{number}/pdf").content, tmp_path)
    notes = "".join(text.split())
    notes = notes[notes.index("备注Annotations") :]
    # The kind's English name is set beside the row, where the pledgee's address wraps.
    assert f"质押有效inforce质权人pledgee{pledgee}" in notes.replace("Pledge", "")
    for command in ("show", "rights"):
        shown = CliRunner().invoke(cli_app, ["asset", command, str(asset_id), "--api", served])
        assert shown.exit_code == 0, shown.output
        assert f"pledged to {pledgee} (质押)" in shown.output

    again = send_signature(api, request, signature)
    assert again.status_code == 202
    assert again.json()["id"] == op["id"]
    after = api.get(f"/v1/consent-requests/{request['id']}").json()
    assert after["state"] == "submitted"
    assert after["operation"]["status"] == "confirmed"


def test_grant_is_drafted_signed_and_relayed(
    api: Api, flow: Flow, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    asset_id = flow.issued("consent-grant")
    t = now(w3)
    request = drafted(
        api,
        {
            "act": "grant",
            "grantor": accounts.holder.address,
            "asset_id": asset_id,
            "kind": "processing",
            "grantee": accounts.grantee.address,
            "scenario": "0x" + "5c" * 32,
            "start": t,
            "expiry": t + 30 * 86400,
            "exclusive": True,
        },
    )
    assert request["typed_data"]["domain"]["verifyingContract"] == registry.rights.address
    response = send_signature(api, request, signed(accounts.holder, request))
    op = api.wait(response.json()["id"])
    assert op["status"] == "confirmed", op
    assert op["result"]["grant_id"].startswith("0x")


def test_signature_of_another_key_is_refused_and_the_request_waits(
    api: Api, flow: Flow, accounts: Accounts
) -> None:
    asset_id = flow.issued("consent-wrong-key")
    request = drafted(api, {"act": "cancel", "asset_id": asset_id})
    response = send_signature(api, request, signed(accounts.outsider, request))
    assert response.status_code == 422
    problem = response.json()
    assert problem["invalid_params"][0]["name"] == "signature"
    assert accounts.outsider.address in problem["detail"]
    malformed = send_signature(api, request, "0x" + "00" * 10)
    assert malformed.status_code == 422
    assert api.get(f"/v1/consent-requests/{request['id']}").json()["state"] == "awaiting"
    op = api.wait(send_signature(api, request, signed(accounts.holder, request)).json()["id"])
    assert op["status"] == "confirmed", op


def test_draft_that_breaks_a_rule_is_refused_before_the_holder_is_asked(
    api: Api, flow: Flow, accounts: Accounts
) -> None:
    issued = flow.issued("consent-rules")
    to_self = {"act": "pledge", "asset_id": issued, "pledgee": accounts.holder.address}
    problem = drafted(api, {**to_self, "agreement_hash": AGREEMENT}, 422)
    assert problem["rule"] == "InvalidHolder"
    in_notice = flow.in_notice("consent-rules-notice")
    assert drafted(api, {"act": "renew", "asset_id": in_notice}, 409)["rule"] == "InvalidTransition"
    bad = drafted(api, {"act": "pledge", "asset_id": issued, "pledgee": "0x12"}, 422)
    assert {p["name"] for p in bad["invalid_params"]} >= {"pledge.pledgee"}
    assert drafted(api, {"act": "renew", "asset_id": 999_999}, 404)["status"] == 404


def test_withdrawn_or_expired_request_refuses_its_signature(
    api: Api, flow: Flow, accounts: Accounts, w3: Web3
) -> None:
    asset_id = flow.issued("consent-withdraw")
    withdrawn = drafted(api, {"act": "cancel", "asset_id": asset_id})
    path = f"/v1/consent-requests/{withdrawn['id']}/withdraw"
    assert api.post(path, None, Role.HOLDER).status_code == 403
    assert api.post(path, None, Role.REGISTRAR).json()["state"] == "withdrawn"
    assert api.post(path, None, Role.REGISTRAR).status_code == 409
    late = send_signature(api, withdrawn, signed(accounts.holder, withdrawn))
    assert late.status_code == 409
    assert late.json()["type"].endswith("request-withdrawn")

    expiring = drafted(api, {"act": "cancel", "asset_id": asset_id})
    advance(w3, 8 * 86400)
    assert api.get(f"/v1/consent-requests/{expiring['id']}").json()["state"] == "expired"
    late = send_signature(api, expiring, signed(accounts.holder, expiring))
    assert late.status_code == 409
    assert late.json()["type"].endswith("request-expired")


def test_request_drafted_before_a_transfer_is_refused_after_it(
    api: Api, flow: Flow, accounts: Accounts
) -> None:
    asset_id = flow.issued("consent-stale")
    renewal = drafted(api, {"act": "cancel", "asset_id": asset_id})
    # A transfer of all to another holder, both parties consenting (art. 34).
    a = flow.registry.assets
    shares = [TransferShare(accounts.holder.address, accounts.grantee.address, 7, h("id"))]
    consent = transfer_consent(a, asset_id, shares, h("deal"), (accounts.holder, accounts.grantee))
    transfer_id = a.apply_transfer(accounts.holder, asset_id, shares, h("deal"), consent)
    # Registered through the API: its writer owns the registrar key's nonces.
    registered = api.post(f"/v1/transfers/{transfer_id}/registration", None, Role.REGISTRAR)
    assert api.wait(registered.json()["id"])["status"] == "confirmed"
    stale = send_signature(api, renewal, signed(accounts.holder, renewal))
    assert stale.status_code == 409
    assert stale.json()["type"].endswith("holder-changed")


def test_listing_is_for_staff_of_the_region(api: Api, flow: Flow) -> None:
    asset_id = flow.issued("consent-list")
    request = drafted(api, {"act": "cancel", "asset_id": asset_id})
    assert api.client.get("/v1/consent-requests").status_code == 401
    holder = {"Authorization": f"Bearer {api.keys[Role.HOLDER]}"}
    assert api.client.get("/v1/consent-requests", headers=holder).status_code == 403
    auditor = {"Authorization": f"Bearer {api.keys[Role.AUDITOR]}"}
    listed = api.client.get("/v1/consent-requests?status=awaiting", headers=auditor).json()
    assert request["id"] in [r["id"] for r in listed]
    assert api.get("/v1/consent-requests/" + "0" * 32).status_code == 404
