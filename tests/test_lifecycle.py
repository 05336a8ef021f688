"""AssetRegistry: every lifecycle transition and every forbidden one, each allowed one with the
event it emits (the index is built from events) and each refusal with its custom error and
arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from registry.chain.deploy import DEFAULT_ADMIN, REGISTRAR, REVIEWER
from registry.chain.signing import sign
from registry.chain.types import (
    ZERO32,
    Asset,
    AssetKind,
    CertificateKind,
    CertificateStatus,
    Classification,
    Consent,
    ObjectionStatus,
    ParentRef,
    RightKind,
    Status,
)
from tests.conftest import (
    DAY,
    REGION,
    Flow,
    advance,
    application,
    assert_emitted,
    h,
    last_receipt,
    now,
    reverts,
)

DEADLINE = 2**40


def holder_consent(flow: Flow, primary: str, **fields: Any) -> Consent:
    """The holder's EIP-712 consent to an act on AssetRegistry, for the registrar to relay."""
    assets = flow.registry.assets
    holder = flow.accounts.holder
    message = {**fields, "nonce": assets.nonces(holder.address)}
    return sign(holder, assets.domain(), primary, message, DEADLINE)


# ---------------------------------------------------------------- states


def in_state(flow: Flow, state: str) -> int:
    a, acc = flow.registry.assets, flow.accounts
    if state == "applied":
        return flow.applied()
    if state == "under_review":
        asset_id = flow.applied()
        a.begin_review(acc.reviewer, asset_id)
        return asset_id
    if state == "rejected":
        asset_id = in_state(flow, "under_review")
        a.reject(acc.reviewer, asset_id, h("reason"))
        return asset_id
    if state == "in_notice":
        return flow.in_notice()
    asset_id = flow.issued()
    if state == "cancelled":
        a.cancel(acc.holder, asset_id)
    elif state == "revoked":
        a.revoke(acc.registrar, asset_id, h("fraud"))
    elif state == "expired":
        advance(flow.w3, a.validity_period() + DAY)
    return asset_id


# ---------------------------------------------------------------- acts


def act(flow: Flow, name: str, asset_id: int) -> None:
    a, acc = flow.registry.assets, flow.accounts
    if name == "begin_review":
        a.begin_review(acc.reviewer, asset_id)
    elif name == "reject":
        a.reject(acc.reviewer, asset_id, h("reason"))
    elif name == "approve":
        a.approve(acc.reviewer, asset_id)
    elif name == "file_objection":
        a.file_objection(acc.outsider, asset_id, h("evidence"))
    elif name == "issue":
        a.issue(acc.registrar, asset_id)
    elif name == "change":
        c = holder_consent(
            flow,
            "Change",
            assetId=asset_id,
            manifestHash=h("v2"),
            manifestCid=h("cid:v2"),
            cidCodec=0x55,
        )
        a.change(acc.registrar, asset_id, h("v2"), h("cid:v2"), 0x55, c)
    elif name == "transfer":
        c = holder_consent(
            flow,
            "Transfer",
            assetId=asset_id,
            newHolder=acc.holder2.address,
            agreementHash=h("deal"),
        )
        a.transfer(acc.registrar, asset_id, acc.holder2.address, h("deal"), c)
    elif name == "renew":
        a.renew(acc.registrar, asset_id, holder_consent(flow, "Renew", assetId=asset_id))
    elif name == "pledge":
        c = holder_consent(
            flow, "Pledge", assetId=asset_id, pledgee=acc.pledgee.address, agreementHash=h("loan")
        )
        a.pledge(acc.registrar, asset_id, acc.pledgee.address, h("loan"), c)
    elif name == "freeze":
        a.freeze(acc.registrar, asset_id, h("order"))
    elif name == "cancel":
        a.cancel(acc.holder, asset_id)
    elif name == "revoke":
        a.revoke(acc.registrar, asset_id, h("fraud"))
    else:
        raise AssertionError(name)


IT, NE, EX = "InvalidTransition", "NoticeNotEnded", "RegistrationExpired"
ACTS = [
    "begin_review",
    "reject",
    "approve",
    "file_objection",
    "issue",
    "change",
    "transfer",
    "renew",
    "pledge",
    "freeze",
    "cancel",
    "revoke",
]
# None: allowed. The expected refusal otherwise.
TABLE: dict[str, list[str | None]] = {
    "applied": [None, IT, IT, IT, IT, IT, IT, IT, IT, None, None, IT],
    "under_review": [IT, None, None, IT, IT, IT, IT, IT, IT, None, None, IT],
    "rejected": [IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT],
    "in_notice": [IT, IT, IT, None, NE, IT, IT, IT, IT, None, None, IT],
    "issued": [IT, IT, IT, IT, IT, None, None, None, None, None, None, None],
    "cancelled": [IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT],
    "revoked": [IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT],
    "expired": [IT, IT, IT, IT, IT, EX, EX, None, EX, None, None, None],
}
AFTER = {  # the stored status an allowed act leads to, from the state it starts in
    "begin_review": Status.UNDER_REVIEW,
    "reject": Status.REJECTED,
    "approve": Status.IN_NOTICE,
    "cancel": Status.CANCELLED,
    "revoke": Status.REVOKED,
}
CASES = [
    (state, name, expected)
    for state, row in TABLE.items()
    for name, expected in zip(ACTS, row, strict=True)
]


def refusal_args(expected: str, asset_id: int, before: Asset) -> tuple[Any, ...]:
    """The arguments of a refused transition's error, from the asset as it was."""
    if expected == IT:
        return (asset_id, before.status)
    if expected == NE:
        return (asset_id, before.notice_ends_at)
    return (asset_id, before.expires_at)


def emitted_by(flow: Flow, name: str, asset_id: int) -> tuple[str, dict[str, Any]]:
    """The event an allowed act emits and its arguments, given the asset after the act."""
    a, acc = flow.registry.assets, flow.accounts
    after = a.get_asset(asset_id)
    events: dict[str, tuple[str, dict[str, Any]]] = {
        "begin_review": ("ReviewStarted", {"reviewer": acc.reviewer.address}),
        "reject": ("ApplicationRejected", {"by": acc.reviewer.address, "reasonHash": h("reason")}),
        "approve": ("NoticeStarted", {"noticeEndsAt": now(flow.w3) + a.notice_period()}),
        "file_objection": (
            "ObjectionFiled",
            {"objectionId": 1, "objector": acc.outsider.address, "evidenceHash": h("evidence")},
        ),
        "change": (
            "ManifestChanged",
            {
                "version": 2,
                "manifestHash": h("v2"),
                "manifestCid": h("cid:v2"),
                "cidCodec": 0x55,
                "certificateId": after.certificate_id,
            },
        ),
        "transfer": (
            "HolderTransferred",
            {
                "from": acc.holder.address,
                "to": acc.holder2.address,
                "agreementHash": h("deal"),
                "certificateId": after.certificate_id,
            },
        ),
        "renew": ("RegistrationRenewed", {"expiresAt": after.expires_at}),
        "pledge": ("AssetPledged", {"pledgee": acc.pledgee.address, "agreementHash": h("loan")}),
        "freeze": ("AssetFrozen", {"orderHash": h("order")}),
        "cancel": ("RegistrationCancelled", {"holder": acc.holder.address}),
        "revoke": ("RegistrationRevoked", {"reasonHash": h("fraud")}),
    }
    event, args = events[name]
    return event, {"assetId": asset_id, **args}


@pytest.mark.parametrize(
    ("state", "name", "expected"), CASES, ids=[f"{s}-{n}" for s, n, _ in CASES]
)
def test_transition_from_state_is_allowed_or_refused(
    flow: Flow, state: str, name: str, expected: str | None
) -> None:
    asset_id = in_state(flow, state)
    before = flow.registry.assets.get_asset(asset_id)
    if expected is not None:
        with reverts(expected, *refusal_args(expected, asset_id, before)):
            act(flow, name, asset_id)
        assert flow.registry.assets.get_asset(asset_id) == before
        return
    act(flow, name, asset_id)
    after = flow.registry.assets.get_asset(asset_id)
    if name in AFTER:
        assert after.status == AFTER[name]
    else:
        assert after.status == before.status
    event, args = emitted_by(flow, name, asset_id)
    assert_emitted(last_receipt(flow.w3), flow.registry.assets, event, **args)


# ---------------------------------------------------------------- application


def test_submit_application_records_asset_and_event(flow: Flow) -> None:
    a, holder = flow.registry.assets, flow.accounts.holder
    receipt = a.submit_application_tx(holder, application(holder.address, "m"))
    event = a.events(receipt, "Applied")[0]["args"]
    assert (event["assetId"], event["holder"], event["region"]) == (1, holder.address, REGION)
    assert_emitted(
        receipt,
        a,
        "Applied",
        assetId=1,
        holder=holder.address,
        region=REGION,
        kind=AssetKind.RESOURCE,
        classification=Classification.GENERAL,
        manifestHash=h("m"),
        manifestCid=h("cid:m"),
        cidCodec=0x55,
    )
    asset = a.get_asset(1)
    assert asset.status == Status.APPLIED
    assert asset.version == 1
    assert asset.manifest_hash == h("m")
    assert asset.applied_at == now(flow.w3)
    assert a.asset_count() == 1
    assert a.status_of(1) == Status.APPLIED
    assert a.holder_of(1) == holder.address


@pytest.mark.parametrize(
    ("change", "error", "args"),
    [
        ({"classification": Classification.CORE}, "CoreDataRefused", ()),
        ({"region": 99_999}, "InvalidRegion", (99_999,)),
        ({"region": 900_000}, "InvalidRegion", (900_000,)),
        ({"manifest_hash": ZERO32}, "InvalidManifest", ()),
        ({"manifest_cid": ZERO32}, "InvalidManifest", ()),
        ({"cid_codec": 0x71}, "InvalidCidCodec", (0x71,)),
        ({"holder": "0x" + "00" * 20}, "InvalidHolder", ("0x" + "00" * 20,)),
        ({"kind": AssetKind.PRODUCT}, "ProductNeedsParents", ()),
        ({"parents": (ParentRef(1),)}, "ResourceHasParents", ()),
    ],
)
def test_submit_application_refuses_invalid_input(
    flow: Flow, change: dict[str, Any], error: str, args: tuple[Any, ...]
) -> None:
    from dataclasses import replace

    holder = flow.accounts.holder
    app = replace(application(holder.address), **change)
    with reverts(error, *args):
        flow.registry.assets.submit_application(holder, app)


def test_submit_application_by_someone_else_without_signature_is_refused(flow: Flow) -> None:
    app = application(flow.accounts.holder.address)
    with reverts("NotHolder", flow.accounts.holder.address, flow.accounts.outsider.address):
        flow.registry.assets.submit_application(flow.accounts.outsider, app)


def test_product_lineage_links_held_and_licensed_parents(flow: Flow) -> None:
    acc, a = flow.accounts, flow.registry.assets
    own = flow.issued("own source")
    other = flow.issued("licensed source")
    # The product's maker (holder2) holds `own2`, and holds a processing licence on `other`.
    own2 = flow.issued("holder2 source", holder=acc.holder2)
    grant_id = flow.grant(other, grantee=acc.holder2.address, scenario="s")
    app = application(
        acc.holder2.address,
        "product",
        kind=AssetKind.PRODUCT,
        parents=(ParentRef(own2), ParentRef(other, h("s"))),
    )
    product = a.submit_application(acc.holder2, app)
    parents = a.parents_of(product)
    assert [(p.asset_id, p.grant_id) for p in parents] == [(own2, ZERO32), (other, grant_id)]
    assert own != own2
    receipt = last_receipt(flow.w3)
    for parent_id, via in ((own2, ZERO32), (other, grant_id)):
        assert_emitted(receipt, a, "ParentLinked", assetId=product, parentId=parent_id, grantId=via)


@pytest.mark.parametrize(
    "case", ["no_licence", "wrong_scenario", "expired_licence", "not_issued", "too_many"]
)
def test_product_lineage_refusals(flow: Flow, case: str) -> None:
    acc, a = flow.accounts, flow.registry.assets
    source = flow.issued("source")
    parents: tuple[ParentRef, ...] = (ParentRef(source, h("s")),)
    error = "ParentNotLicensed"
    licence = flow.registry.rights.grant_id_of(
        source, RightKind.PROCESSING, acc.holder2.address, h("s")
    )
    args: tuple[Any, ...] = (source, licence)
    if case == "wrong_scenario":
        flow.grant(source, grantee=acc.holder2.address, scenario="other")
    elif case == "expired_licence":
        flow.grant(source, grantee=acc.holder2.address, scenario="s", days=1)
        advance(flow.w3, 2 * DAY)
    elif case == "not_issued":
        pending = flow.applied("pending source")
        parents = (ParentRef(pending),)
        error, args = "ParentNotIssued", (pending,)
    elif case == "too_many":
        parents = tuple(ParentRef(source) for _ in range(17))
        error, args = "TooManyParents", (17,)
    app = application(acc.holder2.address, "product", kind=AssetKind.PRODUCT, parents=parents)
    with reverts(error, *args):
        a.submit_application(acc.holder2, app)


# ---------------------------------------------------------------- review, notice, objections


@pytest.mark.parametrize("fn", ["begin_review", "reject", "approve"])
def test_review_acts_need_the_reviewer_role(flow: Flow, fn: str) -> None:
    asset_id = flow.applied()
    args = (asset_id, h("r")) if fn == "reject" else (asset_id,)
    for outsider in (flow.accounts.registrar, flow.accounts.holder):
        with reverts("AccessControlUnauthorizedAccount", outsider.address, REVIEWER):
            getattr(flow.registry.assets, fn)(outsider, *args)


def test_review_of_unknown_asset_is_refused(flow: Flow) -> None:
    with reverts("UnknownAsset", 42):
        flow.registry.assets.begin_review(flow.accounts.reviewer, 42)


def test_approve_starts_the_notice_period(flow: Flow) -> None:
    asset_id = flow.in_notice()
    asset = flow.registry.assets.get_asset(asset_id)
    assert asset.notice_ends_at == now(flow.w3) + 10 * DAY
    assert_emitted(
        last_receipt(flow.w3),
        flow.registry.assets,
        "NoticeStarted",
        assetId=asset_id,
        noticeEndsAt=asset.notice_ends_at,
    )


def test_file_objection_refuses_after_notice_and_without_evidence(flow: Flow) -> None:
    a, outsider = flow.registry.assets, flow.accounts.outsider
    asset_id = flow.in_notice()
    with reverts("EmptyEvidence"):
        a.file_objection(outsider, asset_id, ZERO32)
    advance(flow.w3, a.notice_period())
    with reverts("NoticeClosed", asset_id, a.get_asset(asset_id).notice_ends_at):
        a.file_objection(outsider, asset_id, h("late"))


def test_issue_waits_for_every_objection(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.in_notice()
    first = a.file_objection(acc.outsider, asset_id, h("e1"))
    second = a.file_objection(acc.holder2, asset_id, h("e2"))
    assert_emitted(
        last_receipt(flow.w3),
        a,
        "ObjectionFiled",
        objectionId=second,
        assetId=asset_id,
        objector=acc.holder2.address,
        evidenceHash=h("e2"),
    )
    assert a.get_asset(asset_id).open_objections == 2
    advance(flow.w3, a.notice_period())
    with reverts("ObjectionsOpen", asset_id, 2):
        a.issue(acc.registrar, asset_id)
    receipt = a.decide_objection(acc.registrar, first, False, h("no merit"))
    assert_emitted(
        receipt,
        a,
        "ObjectionDecided",
        objectionId=first,
        assetId=asset_id,
        upheld=False,
        reasonHash=h("no merit"),
    )
    assert not a.events(receipt, "ApplicationRejected")
    with reverts("ObjectionsOpen", asset_id, 1):
        a.issue(acc.registrar, asset_id)
    a.decide_objection(acc.registrar, second, False, h("no merit"))
    certificate = a.issue(acc.registrar, asset_id)
    assert a.get_objection(first).status == ObjectionStatus.DISMISSED
    assert a.status_of(asset_id) == Status.ISSUED
    assert_emitted(
        last_receipt(flow.w3),
        a,
        "RegistrationIssued",
        assetId=asset_id,
        certificateId=certificate,
        expiresAt=a.get_asset(asset_id).expires_at,
    )


def test_upheld_objection_rejects_and_ends_the_application(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.in_notice()
    first = a.file_objection(acc.outsider, asset_id, h("e1"))
    second = a.file_objection(acc.holder2, asset_id, h("e2"))
    receipt = a.decide_objection(acc.registrar, first, True, h("upheld"))
    assert a.status_of(asset_id) == Status.REJECTED
    assert a.get_objection(first).status == ObjectionStatus.UPHELD
    assert_emitted(
        receipt,
        a,
        "ObjectionDecided",
        objectionId=first,
        assetId=asset_id,
        upheld=True,
        reasonHash=h("upheld"),
    )
    assert_emitted(
        receipt,
        a,
        "ApplicationRejected",
        assetId=asset_id,
        by=acc.registrar.address,
        reasonHash=h("upheld"),
    )
    with reverts("InvalidTransition", asset_id, Status.REJECTED):
        a.decide_objection(acc.registrar, second, False, h("moot"))


def test_decide_objection_refusals(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.in_notice()
    objection = a.file_objection(acc.outsider, asset_id, h("e"))
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        a.decide_objection(acc.reviewer, objection, False, h("r"))
    with reverts("UnknownObjection", 99):
        a.decide_objection(acc.registrar, 99, False, h("r"))
    a.decide_objection(acc.registrar, objection, False, h("r"))
    with reverts("ObjectionNotOpen", objection):
        a.decide_objection(acc.registrar, objection, True, h("r"))


def test_issue_refused_while_frozen_and_for_non_registrar(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.in_notice()
    advance(flow.w3, a.notice_period())
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        a.issue(acc.reviewer, asset_id)
    a.freeze(acc.registrar, asset_id, h("order"))
    with reverts("Frozen", asset_id):
        a.issue(acc.registrar, asset_id)
    receipt = a.unfreeze(acc.registrar, asset_id, h("order lifted"))
    assert_emitted(receipt, a, "AssetUnfrozen", assetId=asset_id, orderHash=h("order lifted"))
    certificate = a.issue(acc.registrar, asset_id)
    asset = a.get_asset(asset_id)
    assert asset.certificate_id == certificate
    assert asset.expires_at == asset.issued_at + a.validity_period()
    assert flow.registry.certificates.owner_of(certificate) == acc.holder.address
    receipt = last_receipt(flow.w3)
    assert_emitted(
        receipt,
        a,
        "RegistrationIssued",
        assetId=asset_id,
        certificateId=certificate,
        expiresAt=asset.expires_at,
    )
    assert_emitted(
        receipt,
        flow.registry.certificates,
        "CertificateIssued",
        certificateId=certificate,
        assetId=asset_id,
        holder=acc.holder.address,
        kind=CertificateKind.REGISTRATION,
        expiresAt=asset.expires_at,
        grantId=ZERO32,
    )


# ---------------------------------------------------------------- acts on an issued asset


def test_change_keeps_history_and_supersedes_the_certificate(flow: Flow) -> None:
    a, certs = flow.registry.assets, flow.registry.certificates
    asset_id = flow.issued("v1")
    old = a.get_asset(asset_id).certificate_id
    act(flow, "change", asset_id)
    asset = a.get_asset(asset_id)
    assert_emitted(
        last_receipt(flow.w3),
        certs,
        "CertificateSuperseded",
        certificateId=old,
        successor=asset.certificate_id,
    )
    assert asset.version == 2
    assert a.manifest_at(asset_id, 1) == (h("v1"), h("cid:v1"), 0x55)
    assert a.manifest_at(asset_id, 2) == (h("v2"), h("cid:v2"), 0x55)
    assert certs.status_of(old) == CertificateStatus.SUPERSEDED
    assert certs.get_certificate(old).successor == asset.certificate_id
    assert certs.status_of(asset.certificate_id) == CertificateStatus.VALID


def test_change_refuses_invalid_manifest(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    with reverts("InvalidManifest"):
        a.change(acc.registrar, asset_id, ZERO32, h("c"), 0x55, Consent(DEADLINE, 0, b"\x00" * 65))
    with reverts("InvalidCidCodec"):
        a.change(acc.registrar, asset_id, h("m"), h("c"), 0x12, Consent(DEADLINE, 0, b"\x00" * 65))


def test_transfer_moves_the_holding_and_issues_a_transfer_certificate(flow: Flow) -> None:
    a, certs, acc = flow.registry.assets, flow.registry.certificates, flow.accounts
    asset_id = flow.issued()
    old = a.get_asset(asset_id).certificate_id
    act(flow, "transfer", asset_id)
    new = a.get_asset(asset_id).certificate_id
    receipt = last_receipt(flow.w3)
    assert_emitted(receipt, certs, "CertificateSuperseded", certificateId=old, successor=new)
    assert_emitted(
        receipt,
        certs,
        "CertificateIssued",
        certificateId=new,
        assetId=asset_id,
        holder=acc.holder2.address,
        kind=CertificateKind.TRANSFER,
        expiresAt=a.get_asset(asset_id).expires_at,
        grantId=ZERO32,
    )
    assert a.holder_of(asset_id) == acc.holder2.address
    assert certs.get_certificate(new).kind == CertificateKind.TRANSFER
    assert certs.owner_of(new) == acc.holder2.address
    assert certs.status_of(old) == CertificateStatus.SUPERSEDED


def test_transfer_refusals(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    for new_holder in ("0x" + "00" * 20, acc.holder.address):
        with reverts("InvalidHolder", new_holder):
            a.transfer(acc.registrar, asset_id, new_holder, h("d"), Consent())
    act(flow, "pledge", asset_id)
    with reverts("Pledged", asset_id, acc.pledgee.address):
        act(flow, "transfer", asset_id)
    a.release_pledge(acc.pledgee, asset_id)
    a.freeze(acc.registrar, asset_id, h("order"))
    with reverts("Frozen", asset_id):
        act(flow, "transfer", asset_id)


def test_registrar_act_without_holder_signature_is_refused(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    with reverts("NotHolder", acc.holder.address, acc.registrar.address):
        a.renew(acc.registrar, asset_id, Consent())


def test_renew_extends_from_expiry_and_works_while_frozen(flow: Flow) -> None:
    a, certs, acc = flow.registry.assets, flow.registry.certificates, flow.accounts
    asset_id = flow.issued()
    expires = a.get_asset(asset_id).expires_at
    a.freeze(acc.registrar, asset_id, h("order"))
    act(flow, "renew", asset_id)
    asset = a.get_asset(asset_id)
    assert asset.expires_at == expires + a.validity_period()
    assert certs.get_certificate(asset.certificate_id).expires_at == asset.expires_at
    assert_emitted(
        last_receipt(flow.w3),
        certs,
        "CertificateExtended",
        certificateId=asset.certificate_id,
        expiresAt=asset.expires_at,
    )


def test_renew_after_expiry_runs_from_now_until_the_grace_ends(flow: Flow) -> None:
    a = flow.registry.assets
    asset_id = flow.issued()
    advance(flow.w3, a.validity_period() + 10 * DAY)
    assert a.status_of(asset_id) == Status.EXPIRED
    act(flow, "renew", asset_id)
    assert a.get_asset(asset_id).expires_at == now(flow.w3) + a.validity_period()
    assert a.status_of(asset_id) == Status.ISSUED
    advance(flow.w3, a.validity_period() + 181 * DAY)
    with reverts("RegistrationExpired", asset_id, a.get_asset(asset_id).expires_at):
        act(flow, "renew", asset_id)


def test_pledge_and_release(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    for pledgee in ("0x" + "00" * 20, acc.holder.address):
        with reverts("InvalidHolder", pledgee):
            a.pledge(acc.registrar, asset_id, pledgee, h("l"), Consent())
    with reverts("NotPledged", asset_id):
        a.release_pledge(acc.pledgee, asset_id)
    act(flow, "pledge", asset_id)
    assert a.pledgee_of(asset_id) == acc.pledgee.address
    with reverts("Pledged", asset_id, acc.pledgee.address):
        act(flow, "pledge", asset_id)
    with reverts("Pledged", asset_id, acc.pledgee.address):
        a.cancel(acc.holder, asset_id)
    with reverts("NotPledgeeOrRegistrar", asset_id, acc.holder.address):
        a.release_pledge(acc.holder, asset_id)
    receipt = a.release_pledge(acc.pledgee, asset_id)
    assert a.events(receipt, "PledgeReleased")[0]["args"]["pledgee"] == acc.pledgee.address
    assert_emitted(receipt, a, "PledgeReleased", assetId=asset_id, pledgee=acc.pledgee.address)
    act(flow, "pledge", asset_id)
    receipt = a.release_pledge(acc.registrar, asset_id)
    assert int(a.pledgee_of(asset_id), 16) == 0
    assert_emitted(receipt, a, "PledgeReleased", assetId=asset_id, pledgee=acc.pledgee.address)


def test_freeze_and_unfreeze(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    with reverts("NotFrozen", asset_id):
        a.unfreeze(acc.registrar, asset_id, h("o"))
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        a.freeze(acc.reviewer, asset_id, h("o"))
    receipt = a.freeze(acc.registrar, asset_id, h("o"))
    assert a.get_asset(asset_id).frozen
    assert_emitted(receipt, a, "AssetFrozen", assetId=asset_id, orderHash=h("o"))
    with reverts("Frozen", asset_id):
        a.freeze(acc.registrar, asset_id, h("o"))
    for name in ("change", "pledge", "cancel"):
        with reverts("Frozen", asset_id):
            act(flow, name, asset_id)
    receipt = a.unfreeze(acc.registrar, asset_id, h("o"))
    assert not a.get_asset(asset_id).frozen
    assert_emitted(receipt, a, "AssetUnfrozen", assetId=asset_id, orderHash=h("o"))


def test_cancel_by_someone_else_is_refused(flow: Flow) -> None:
    asset_id = flow.issued()
    with reverts("NotHolder", flow.accounts.holder.address, flow.accounts.outsider.address):
        flow.registry.assets.cancel(flow.accounts.outsider, asset_id)


def test_cancel_and_revoke_follow_into_certificate_status(flow: Flow) -> None:
    a, certs, acc = flow.registry.assets, flow.registry.certificates, flow.accounts
    cancelled = flow.issued("c")
    revoked = flow.issued("r")
    receipt = a.cancel(acc.holder, cancelled)
    assert_emitted(
        receipt, a, "RegistrationCancelled", assetId=cancelled, holder=acc.holder.address
    )
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        a.revoke(acc.reviewer, revoked, h("x"))
    receipt = a.revoke(acc.registrar, revoked, h("x"))
    assert_emitted(receipt, a, "RegistrationRevoked", assetId=revoked, reasonHash=h("x"))
    assert certs.status_of(a.get_asset(cancelled).certificate_id) == CertificateStatus.CANCELLED
    assert certs.status_of(a.get_asset(revoked).certificate_id) == CertificateStatus.REVOKED


def test_expiry_needs_no_transaction(flow: Flow) -> None:
    a, certs = flow.registry.assets, flow.registry.certificates
    asset_id = flow.issued()
    certificate = a.get_asset(asset_id).certificate_id
    advance(flow.w3, a.validity_period())
    assert a.status_of(asset_id) == Status.EXPIRED
    assert a.get_asset(asset_id).status == Status.ISSUED
    assert certs.status_of(certificate) == CertificateStatus.EXPIRED


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("setter", "getter", "event", "good", "bad"),
    [
        ("set_notice_period", "notice_period", "NoticePeriodSet", 14 * DAY, (DAY - 1, 91 * DAY)),
        (
            "set_validity_period",
            "validity_period",
            "ValidityPeriodSet",
            5 * 365 * DAY,
            (29 * DAY, 3651 * DAY),
        ),
    ],
)
def test_periods_are_set_by_the_admin_within_bounds(
    flow: Flow, setter: str, getter: str, event: str, good: int, bad: tuple[int, int]
) -> None:
    a, acc = flow.registry.assets, flow.accounts
    set_: Callable[..., Any] = getattr(a, setter)
    with reverts("AccessControlUnauthorizedAccount", acc.registrar.address, DEFAULT_ADMIN):
        set_(acc.registrar, good)
    for value in bad:
        with reverts("InvalidPeriod", value):
            set_(acc.admin, value)
    receipt = set_(acc.admin, good)
    assert getattr(a, getter)() == good
    assert_emitted(receipt, a, event, period=good)


def test_defaults_are_ten_days_notice_and_three_years_validity(flow: Flow) -> None:
    assert flow.registry.assets.notice_period() == 10 * DAY
    assert flow.registry.assets.validity_period() == 3 * 365 * DAY


def test_set_modules_only_once(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    certs, rights = a.modules()
    with reverts("ModulesAlreadySet"):
        a.set_modules(acc.admin, certs, rights)
    with reverts("AccessControlUnauthorizedAccount", acc.registrar.address, DEFAULT_ADMIN):
        a.set_modules(acc.registrar, certs, rights)


def test_standing_of_unknown_asset_is_empty(flow: Flow) -> None:
    standing = flow.registry.assets.standing_of(7)
    assert standing.status == Status.NONE
    with reverts("UnknownAsset", 7):
        flow.registry.assets.get_asset(7)
