"""The registration types after the initial one through the API, against the chain (指引 art.
29, 34-37): a change limited to identity details or the description (a change of
right-holder or source refused by its named rule), the change a judgment orders, carried out
without consent, the renewal's window (from 6 months before the expiry to the day before, the
registration lapsing by itself after it), and the center's cancellation of its own motion with
its notice to the applicant, shown on the asset's page. Transfers through the API are in
tests/test_api.py."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount

from registry.api.keys import Role
from registry.api.models import ConsentIn
from registry.chain import Registry
from registry.chain.deploy import REGISTRAR
from registry.chain.signing import fresh_nonce, sign
from registry.chain.types import (
    CancellationGround,
    JudgmentKind,
    ObjectionOutcome,
    RightHolder,
    RightKind,
    Status,
)
from registry.devtools import FAR_DEADLINE, joint_consent
from registry.workdays import beijing_date, beijing_midnight
from tests.api_support import Api
from tests.conftest import (
    Accounts,
    Flow,
    advance,
    application,
    assert_emitted,
    h,
    now,
    past_notice,
    reverts,
)
from tests.test_api import confirmed, problem
from tests.test_api_manifests import sample_manifest
from tests.test_lifecycle import renewal_opens
from tests.test_pages import applied


def issued_through_api(api: Api, registry: Registry, accounts: Accounts, name: str) -> int:
    asset_id = applied(api, registry, accounts, name, f"1.0-{name}", other_data=True)
    registry.assets.accept(accounts.reviewer, asset_id)  # the reviewer's key, not the API's
    registry.assets.approve(accounts.reviewer, asset_id)
    past_notice(registry.chain.w3, registry, asset_id)
    confirmed(api, api.post(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR))
    return asset_id


def test_change_of_right_holder_or_source_is_refused_by_its_rule(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    asset_id = issued_through_api(api, registry, accounts, "变更限制")

    def change_to(edit: dict[str, Any]) -> Any:
        manifest = sample_manifest()
        manifest["name_zh"], manifest["version"] = "变更限制", "2.0"
        for member, value in edit.items():
            manifest[member] = {**manifest[member], **value}
        published = api.post("/v1/manifests", manifest, Role.HOLDER).json()
        body = {
            "manifest_hash": published["manifest_hash"],
            "manifest_cid": published["manifest_cid"],
            "cid_codec": published["cid_codec"],
            "consent": {},
        }
        return api.post(f"/v1/assets/{asset_id}/change", body, Role.REGISTRAR)

    for edit, rule in (
        ({"holder": {"account": accounts.holder2.address}}, "ChangeOfRightHolder"),
        ({"holder": {"credit_code": "91370200MA3C00000K"}}, "ChangeOfRightHolder"),
        ({"source": {"kind": "derived"}}, "ChangeOfSource"),
    ):
        refused = change_to(edit)
        assert refused.status_code == 422, refused.text
        assert (refused.json()["rule"], refused.json()["args"]) == (rule, [asset_id])
    assert registry.assets.get_asset(asset_id).version == 1  # no change was registered


def renamed(api: Api, registry: Registry, holder: LocalAccount, asset_id: int) -> None:
    """``holder``'s change of identity (its new commitment ``h("renamed")``), signed by it and
    sent by the registrar through ``POST /v1/assets/{id}/identity``, confirmed."""
    message = {
        "assetId": asset_id,
        "account": holder.address,
        "identityHash": h("renamed"),
        "nonce": fresh_nonce(),
    }
    signed = sign(holder, registry.assets.domain(), "IdentityChange", message, FAR_DEADLINE)
    body = {
        "account": holder.address,
        "identity_hash": "0x" + h("renamed").hex(),
        "consent": ConsentIn.of(signed).model_dump(mode="json"),
    }
    confirmed(api, api.post(f"/v1/assets/{asset_id}/identity", body, Role.REGISTRAR))


def test_identity_change_and_cancellation_by_the_center_through_the_api(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    a = registry.assets
    asset_id = issued_through_api(api, registry, accounts, "身份变更")
    old = a.get_asset(asset_id).certificate_id
    renamed(api, registry, accounts.holder, asset_id)
    new = a.get_asset(asset_id).certificate_id
    assert registry.certificates.get_certificate(old).successor == new
    api.indexed()
    (holder,) = api.get(f"/v1/assets/{asset_id}").json()["right_holders"]
    assert holder["identity_hash"] == "0x" + h("renamed").hex()

    cancellation = {
        "ground": "data_destroyed",
        "reason": "数据已按合同约定销毁",
        "notice": "贵单位登记的数据已销毁，本中心依职权注销该登记。",
    }
    refused = api.post(f"/v1/assets/{asset_id}/cancellation", cancellation, Role.REVIEWER)
    assert refused.status_code == 403
    op = confirmed(
        api, api.post(f"/v1/assets/{asset_id}/cancellation", cancellation, Role.REGISTRAR)
    )
    receipt = registry.chain.w3.eth.get_transaction_receipt(op["tx_hash"])
    assert_emitted(
        receipt,
        a,
        "CancelledByCenter",
        assetId=asset_id,
        holder=accounts.holder.address,
        ground=CancellationGround.DATA_DESTROYED,
        reasonHash=h(cancellation["reason"]),
        noticeHash=h(cancellation["notice"]),
    )
    assert a.status_of(asset_id) == Status.CANCELLED
    api.indexed()
    page = api.get(f"/a/{asset_id}").text
    assert cancellation["notice"] in page
    assert "登记机构依职权注销" in page


def test_renewal_outside_its_window_is_refused_and_the_registration_lapses_by_itself(
    api: Api, flow: Flow, registry: Registry, accounts: Accounts
) -> None:
    """Art. 36 through the API: before the window and on the expiry's own Beijing day the
    renewal is refused by its rule with the day it opened or closed; past the expiry the
    certificate reads expired with no transaction."""
    a = registry.assets
    asset_id = flow.issued("续展期限")
    asset = a.get_asset(asset_id)
    number = registry.certificates.number_of(asset.certificate_id)
    opens = renewal_opens(asset.expires_at)
    closes = beijing_midnight(beijing_date(asset.expires_at))  # the expiry's own day

    def renew() -> Any:
        message = {"assetId": asset_id, "nonce": fresh_nonce()}
        signed = sign(accounts.holder, a.domain(), "Renew", message, FAR_DEADLINE)
        body = {"consent": ConsentIn.of(signed).model_dump(mode="json")}
        return api.post(f"/v1/assets/{asset_id}/renew", body, Role.REGISTRAR)

    advance(flow.w3, opens - now(flow.w3) - 3600)
    refused = problem(renew(), 409)
    assert (refused["rule"], refused["args"]) == ("RenewalNotOpen", [asset_id, opens])
    advance(flow.w3, closes - now(flow.w3))
    refused = problem(renew(), 409)
    assert (refused["rule"], refused["args"]) == ("RenewalLapsed", [asset_id, closes])
    block = flow.w3.eth.block_number
    advance(flow.w3, asset.expires_at - now(flow.w3))
    assert flow.w3.eth.block_number == block + 1  # the advance's empty block, no transaction
    assert a.status_of(asset_id) == Status.EXPIRED
    api.indexed()  # the certificate was issued on chain directly, behind the API's back
    assert api.get(f"/v1/certificates/{number}").json()["status"] == "expired"
    assert a.get_asset(asset_id).expires_at == asset.expires_at


def test_judgment_orders_a_change_carried_out_without_consent(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    co = RightHolder(acc.holder2.address, RightKind.PROCESSING.bit, identity_hash=h("id:2"))
    app = application(acc.holder.address, "judged change", co_holders=(co,))
    asset_id = a.submit_application(acc.holder, app, joint_consent(a, (None, acc.holder2), app))
    a.accept(acc.reviewer, asset_id)
    a.approve(acc.reviewer, asset_id)
    flow.past_notice(asset_id)
    a.issue(acc.registrar, asset_id)
    send = a._send
    court = int(JudgmentKind.COURT_JUDGMENT)

    def judged(outcome: ObjectionOutcome) -> int:
        """An objection after registration disputed by the applicant, then judged."""
        objection = a.file_objection_after_registration(acc.outsider, asset_id, h("f"), h("e"))
        with reverts("ObjectionStepNotOpen", objection, 1):
            send(acc.registrar, "changeByJudgment", objection, h("m2"), h("c2"), 0x55)
        send(acc.registrar, "confirmObjectionMaterials", objection)
        send(acc.registrar, "notifyApplicant", objection, h("notice"))
        send(acc.registrar, "recordAnswer", objection, False, 0, h("reply"))
        send(acc.registrar, "recordJudgment", objection, court, int(outcome), h("judgment"))
        return objection

    standing = judged(ObjectionOutcome.STANDS)
    with reverts("NoChangeOrdered", standing):
        send(acc.registrar, "changeByJudgment", standing, h("m2"), h("c2"), 0x55)
    objection = judged(ObjectionOutcome.CHANGE)
    # No right-holder consents: the court's document is the authority.
    receipt = send(acc.registrar, "changeByJudgment", objection, h("m2"), h("c2"), 0x55)
    assert_emitted(receipt, a, "ChangeOrdered", objectionId=objection, assetId=asset_id, version=2)
    assert a.get_asset(asset_id).manifest_hash == h("m2")
    send(acc.registrar, "settleObjection", objection, h("act"))
    with reverts("CancellationGroundMissing", asset_id):
        send(acc.registrar, "cancelByCenter", asset_id, 0, h("r"), h("n"))
    with reverts("EmptyHash"):
        send(acc.registrar, "cancelByCenter", asset_id, 2, h("r"), bytes(32))
    annotation = flow.seize(asset_id)
    with reverts("Frozen", asset_id):
        send(acc.registrar, "cancelByCenter", asset_id, 2, h("r"), h("n"))
    flow.lift(annotation)
    with reverts("AccessControlUnauthorizedAccount", acc.holder.address, REGISTRAR):
        send(acc.holder, "cancelByCenter", asset_id, 2, h("r"), h("n"))
    send(acc.registrar, "cancelByCenter", asset_id, 2, h("r"), h("n"))
    assert a.status_of(asset_id) == Status.CANCELLED
