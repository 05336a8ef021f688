"""An asset's rights configuration (权利配置, 指引 art. 3 and 21): several right-holders, each with
its own rights, term and restrictions, applying jointly (共同申请), every one consenting; then
``hasRight`` for each of them and licences granted by a holder of the operating right. Each act
with its events, each refusal with its error's arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from registry.chain.signing import grant_message, sign
from registry.chain.types import (
    ZERO32,
    GrantRequest,
    JointConsent,
    RightHolder,
    RightKind,
    RightTerm,
    checksum,
    identity_commitment,
)
from registry.devtools import joint_consent
from tests.conftest import DAY, Flow, application, assert_emitted, h, now, reverts

HOLD, USE, OPER = RightKind.HOLDING, RightKind.PROCESSING, RightKind.OPERATING
FAR = 2**40 - 1


def co_holder(account: str, *kinds: RightKind, **kw: object) -> RightHolder:
    mask = sum(k.bit for k in kinds)
    return RightHolder(account, mask, identity_hash=h("id:" + account), **kw)  # type: ignore[arg-type]


def issue(flow: Flow, asset_id: int) -> None:
    a, acc = flow.registry.assets, flow.accounts
    a.accept(acc.reviewer, asset_id)
    a.approve(acc.reviewer, asset_id)
    flow.past_notice(asset_id)
    a.issue(acc.registrar, asset_id)


def test_joint_application_records_every_right_holder_in_order(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    end = now(flow.w3) + 400 * DAY
    second = co_holder(
        acc.holder2.address,
        USE,
        OPER,
        expiry=end,
        restrictions_hash=h("limits"),
        restrictions="仅限境内使用",
    )
    third = co_holder(acc.grantee.address, HOLD)
    app = application(acc.holder.address, "fused data", co_holders=(second, third))
    consent = joint_consent(a, (acc.holder, acc.holder2, acc.grantee), app)
    receipt = a.submit_application_tx(acc.registrar, app, consent)
    asset_id = a.asset_count()
    logs = a.events(receipt, "RightHolderRecorded")
    assert [log["args"]["account"] for log in logs] == [h.account for h in app.holders]
    assert_emitted(
        receipt,
        a,
        "RightHolderRecorded",
        assetId=asset_id,
        account=acc.holder2.address,
        rights=USE.bit | OPER.bit,
        start=0,
        expiry=end,
        identityHash=second.identity_hash,
        restrictionsHash=h("limits"),
        restrictions="仅限境内使用",
    )
    assert a.rights_of(asset_id, acc.holder.address) == RightTerm(0b111, 0, 0)
    assert a.rights_of(asset_id, acc.holder2.address) == RightTerm(0b110, 0, end)
    assert a.rights_of(asset_id, acc.grantee.address) == RightTerm(0b001, 0, 0)
    assert a.rights_of(asset_id, acc.outsider.address) == RightTerm(0, 0, 0)
    assert a.get_asset(asset_id).holder == acc.holder.address


def test_has_right_answers_for_every_co_holder_of_every_kind(flow: Flow) -> None:
    a, r, acc = flow.registry.assets, flow.registry.rights, flow.accounts
    t0 = now(flow.w3)
    start, end = t0 + 30 * DAY, t0 + 60 * DAY
    second = co_holder(acc.holder2.address, USE, OPER, start=start, expiry=end)
    third = co_holder(acc.grantee.address, HOLD, USE)
    app = application(acc.holder.address, "co-held", co_holders=(second, third))
    asset_id = a.submit_application(
        acc.holder, app, joint_consent(a, (None, acc.holder2, acc.grantee), app)
    )
    assert not a.has_right(asset_id, HOLD, acc.holder.address, now(flow.w3))  # not issued yet
    issue(flow, asset_id)
    t = now(flow.w3)
    for kind in RightKind:
        assert a.has_right(asset_id, kind, acc.holder.address, t)
    # The same right held by three at once, none excluding the others (art. 21).
    assert a.has_right(asset_id, USE, acc.grantee.address, t)
    assert not a.has_right(asset_id, OPER, acc.grantee.address, t)
    assert not a.has_right(asset_id, USE, acc.holder2.address, start - 1)
    assert a.has_right(asset_id, USE, acc.holder2.address, start)
    assert a.has_right(asset_id, OPER, acc.holder2.address, end - 1)
    assert not a.has_right(asset_id, OPER, acc.holder2.address, end)
    assert not a.has_right(asset_id, HOLD, acc.holder2.address, start)
    assert not a.has_right(asset_id, HOLD, acc.outsider.address, t)
    # RightsRegistry's answer includes the configuration, for any scenario.
    assert r.has_right(asset_id, USE, acc.grantee.address, h("any scenario"), t)
    assert r.has_right(asset_id, HOLD, acc.grantee.address, ZERO32, t)
    expires = a.get_asset(asset_id).expires_at
    assert not a.has_right(asset_id, HOLD, acc.grantee.address, expires)
    a.revoke(acc.registrar, asset_id, h("fraud"))
    assert not a.has_right(asset_id, HOLD, acc.grantee.address, now(flow.w3))


def test_every_applicant_consents(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    app = application(
        acc.holder.address, "consents", co_holders=(co_holder(acc.holder2.address, USE),)
    )
    # A co-holder's missing signature, where another sends it: its consent is missing.
    with reverts("NotHolder", acc.holder2.address, acc.holder.address):
        a.submit_application(acc.holder, app, joint_consent(a, (None, None), app))
    # Signed by someone else in its place.
    with reverts("InvalidConsent", acc.holder2.address):
        a.submit_application(acc.holder, app, joint_consent(a, (None, acc.outsider), app))
    # A signature over another configuration (the co-holder agreed to other rights).
    other = replace(app, holders=(app.holders[0], co_holder(acc.holder2.address, USE, OPER)))
    good = joint_consent(a, (None, acc.holder2), app)
    forged = joint_consent(a, (None, acc.holder2), other, nonce=good.nonce)
    with reverts("InvalidConsent", acc.holder2.address):
        a.submit_application(acc.holder, app, forged)
    with reverts("ConsentCount", 2, 1):
        a.submit_application(acc.holder, app, JointConsent(0, 0, (b"",)))
    asset_id = a.submit_application(acc.holder, app, good)
    assert a.rights_of(asset_id, acc.holder2.address).rights == USE.bit
    # The holder's nonce is spent once: the same signatures cannot file it again.
    with reverts("InvalidAccountNonce", acc.holder.address, good.nonce + 1):
        a.submit_application(acc.holder, app, good)


def test_a_contract_wallet_co_holder_consents_through_eip1271(
    flow: Flow, deploy_contract: Callable[..., str]
) -> None:
    a, acc = flow.registry.assets, flow.accounts
    wallet = deploy_contract("MockWallet", acc.holder2.address)
    app = application(acc.holder.address, "wallet co-holder", co_holders=(co_holder(wallet, USE),))
    # Its owner's signature, which no ECDSA recovery gives as the wallet: the wallet answers.
    refused = joint_consent(a, (None, acc.holder2), app)
    wallet_contract = flow.w3.eth.contract(
        address=checksum(wallet),
        abi=[
            {
                "type": "function",
                "name": "setAccepting",
                "stateMutability": "nonpayable",
                "inputs": [{"name": "accepting_", "type": "bool"}],
                "outputs": [],
            }
        ],
    )
    flow.registry.chain.send(wallet_contract.functions.setAccepting(False), acc.holder2)
    with reverts("InvalidConsent", wallet):
        a.submit_application(acc.holder, app, refused)
    flow.registry.chain.send(wallet_contract.functions.setAccepting(True), acc.holder2)
    asset_id = a.submit_application(acc.holder, app, joint_consent(a, (None, acc.holder2), app))
    assert a.rights_of(asset_id, wallet).rights == USE.bit


def test_rights_configuration_refusals_name_the_right_holder(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    holder, other = acc.holder.address, acc.holder2.address

    def refused(co: tuple[RightHolder, ...], error: str, *args: object) -> None:
        app = application(holder, "refused", co_holders=co)
        with reverts(error, *args):
            a.submit_application(acc.holder, app, JointConsent(0, 0, (b"",) * len(app.holders)))

    t = now(flow.w3)
    refused((co_holder(other),), "InvalidRights", other, 0)
    refused((RightHolder(other, 8, identity_hash=h("x")),), "InvalidRights", other, 8)
    refused(
        (co_holder(other, USE, start=t + 10, expiry=t + 5),),
        "InvalidRightTerm",
        other,
        t + 10,
        t + 5,
    )
    refused((co_holder(other, USE, expiry=t - 1),), "InvalidRightTerm", other, 0, t - 1)
    refused((co_holder(other, USE, restrictions="限" * 101),), "RestrictionsTooLong", other, 303)
    refused((co_holder(holder, USE),), "DuplicateRightHolder", holder)
    twice = application(holder, "twice", co_holders=(co_holder(other, USE), co_holder(other, OPER)))
    with reverts("DuplicateRightHolder", other):
        a.submit_application(
            acc.holder, twice, joint_consent(a, (None, acc.holder2, acc.holder2), twice)
        )
    refused((co_holder("0x" + "00" * 20, USE),), "InvalidHolder", "0x" + "00" * 20)
    many = tuple(co_holder(checksum("0x" + f"{i + 1:040x}"), USE) for i in range(16))
    refused(many, "RightHolderCount", 17)
    empty = replace(application(holder, "none"), holders=())
    with reverts("RightHolderCount", 0):
        a.submit_application(acc.holder, empty, JointConsent(0, 0, ()))


def test_licence_is_granted_by_a_holder_of_the_operating_right(flow: Flow) -> None:
    a, r, acc = flow.registry.assets, flow.registry.rights, flow.accounts
    app = application(
        acc.holder.address,
        "operated",
        co_holders=(
            co_holder(acc.holder2.address, OPER),
            co_holder(acc.grantee2.address, HOLD, USE),
        ),
    )
    asset_id = a.submit_application(
        acc.holder, app, joint_consent(a, (None, acc.holder2, acc.grantee2), app)
    )
    issue(flow, asset_id)
    t = now(flow.w3)

    def licence(grantor: str, scenario: str) -> GrantRequest:
        return GrantRequest(
            grantor, asset_id, USE, acc.grantee.address, h(scenario), t, t + 9 * DAY
        )

    # The co-holder of the operating right grants, with its own consent (relayed).
    request = licence(acc.holder2.address, "analytics")
    message = grant_message(request, r.nonces(acc.holder2.address))
    consent = sign(acc.holder2, r.domain(), "Grant", message, FAR)
    receipt = r.grant_tx(acc.registrar, request, consent)
    grant_id = r.grant_id_of(asset_id, USE, acc.grantee.address, h("analytics"))
    assert r.events(receipt, "RightGranted")[0]["args"]["grantor"] == acc.holder2.address
    assert r.has_right(asset_id, USE, acc.grantee.address, h("analytics"), now(flow.w3))
    # A holder of use and holding only may not license: licensing exercises the operating right.
    with reverts("NotOperator", asset_id, acc.grantee2.address):
        r.grant(acc.grantee2, licence(acc.grantee2.address, "resale"))
    with reverts("NotOperator", asset_id, acc.outsider.address):
        r.revoke_grant(acc.outsider, grant_id, h("why"))
    # Any holder of the operating right may revoke a revocable licence, with its consent.
    receipt = r.revoke_grant(acc.holder, grant_id, h("ended"))
    assert_emitted(
        receipt,
        r,
        "RightRevoked",
        grantId=grant_id,
        assetId=asset_id,
        by=acc.holder.address,
        reasonHash=h("ended"),
    )


def test_identity_commitment_is_salted_sha256_of_name_and_number() -> None:
    salt = bytes(range(16))
    expected = h("上海某某数据科技有限公司\n91310000MA1FL0000X\n" + salt.hex())
    assert identity_commitment("上海某某数据科技有限公司", "91310000MA1FL0000X", salt) == expected
    assert identity_commitment("某公司", "91310000MA1FL0000X") == h("某公司\n91310000MA1FL0000X\n")
