"""AssetRegistry: every lifecycle transition and every forbidden one, each allowed one with the
event it emits (the index is built from events) and each refusal with its custom error and
arguments."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest

from registry.chain.deploy import DEFAULT_ADMIN, REGISTRAR, REVIEWER
from registry.chain.types import (
    ALL_RIGHTS,
    ZERO32,
    AnnotationKind,
    Asset,
    AssetKind,
    CertificateKind,
    CertificateStatus,
    Classification,
    Consent,
    JointConsent,
    ObjectionStatus,
    ParentRef,
    RefusalReason,
    RightHolder,
    RightKind,
    Status,
    TransferShare,
)
from registry.devtools import transfer_consent
from registry.workdays import add_working_days, beijing_date, beijing_midnight
from tests.conftest import (
    DAY,
    REGION,
    Flow,
    advance,
    application,
    assert_emitted,
    h,
    holder_consent,
    last_receipt,
    now,
    reverts,
)

DEADLINE = 2**40


# ---------------------------------------------------------------- states


def in_state(flow: Flow, state: str) -> int:
    a, acc = flow.registry.assets, flow.accounts
    if state == "applied":
        return flow.applied()
    if state == "supplementing":
        asset_id = flow.applied()
        a.return_for_supplements(acc.reviewer, asset_id, h("missing"), now(flow.w3) + 10 * DAY)
        return asset_id
    if state == "under_review":
        return flow.accepted()
    if state == "awaiting_proof":
        asset_id = flow.accepted()
        a.request_proof(acc.reviewer, asset_id, h("more"))
        return asset_id
    if state == "rejected":
        asset_id = flow.accepted()
        a.refuse(acc.reviewer, asset_id, RefusalReason.UNLAWFUL_SOURCE, h("reason"))
        return asset_id
    if state == "terminated":
        asset_id = flow.accepted()
        a.terminate(acc.reviewer, asset_id, h("unverifiable"))
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
    if name == "accept":
        a.accept(acc.reviewer, asset_id)
    elif name == "return":
        a.return_for_supplements(acc.reviewer, asset_id, h("list"), now(flow.w3) + 10 * DAY)
    elif name == "supply_supplements":
        c = holder_consent(flow, "Supplements", assetId=asset_id, materialsHash=h("materials"))
        a.supply_supplements(acc.registrar, asset_id, h("materials"), c)
    elif name == "request_proof":
        a.request_proof(acc.reviewer, asset_id, h("request"))
    elif name == "supply_proof":
        c = holder_consent(flow, "Proof", assetId=asset_id, proofHash=h("proof"))
        a.supply_proof(acc.registrar, asset_id, h("proof"), c)
    elif name == "extend":
        a.extend(acc.reviewer, asset_id, 2, h("complex"))
    elif name == "terminate":
        a.terminate(acc.reviewer, asset_id, h("unverifiable"))
    elif name == "refuse":
        a.refuse(acc.reviewer, asset_id, RefusalReason.UNLAWFUL_SOURCE, h("reason"))
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
        # The holder transfers all to holder2, both consenting (art. 34); then its registration.
        shares = [TransferShare(acc.holder.address, acc.holder2.address, ALL_RIGHTS, h("id:2"))]
        c = transfer_consent(a, asset_id, shares, h("deal"), (acc.holder, acc.holder2))
        transfer_id = a.apply_transfer(acc.registrar, asset_id, shares, h("deal"), c)
        a.register_transfer(acc.registrar, transfer_id)
    elif name == "renew":
        a.renew(acc.registrar, asset_id, holder_consent(flow, "Renew", assetId=asset_id))
    elif name == "pledge":
        c = holder_consent(
            flow, "Pledge", assetId=asset_id, pledgee=acc.pledgee.address, agreementHash=h("loan")
        )
        a.pledge(acc.registrar, asset_id, acc.pledgee.address, h("loan"), c)
    elif name == "seize":
        flow.seize(asset_id)
    elif name == "cancel":
        a.cancel(acc.holder, asset_id)
    elif name == "revoke":
        a.revoke(acc.registrar, asset_id, h("fraud"))
    else:
        raise AssertionError(name)


IT, NE, EX = "InvalidTransition", "NoticeNotEnded", "RegistrationExpired"
RN, RL = "RenewalNotOpen", "RenewalLapsed"
ACTS = [
    "accept",
    "return",
    "supply_supplements",
    "request_proof",
    "supply_proof",
    "extend",
    "terminate",
    "refuse",
    "approve",
    "file_objection",
    "issue",
    "change",
    "transfer",
    "renew",
    "pledge",
    "seize",
    "cancel",
    "revoke",
]
_ = None  # allowed
_ALL_IT = [IT] * len(ACTS)
# The expected refusal of each act (in ACTS' order) from each state; None: allowed.
TABLE: dict[str, list[str | None]] = {
    "applied": [_, _, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, _, _, IT],
    "supplementing": [IT, IT, _, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, _, _, IT],
    "under_review": [IT, IT, IT, _, IT, _, _, _, _, IT, IT, IT, IT, IT, IT, _, _, IT],
    "awaiting_proof": [IT, IT, IT, IT, _, _, _, _, IT, IT, IT, IT, IT, IT, IT, _, _, IT],
    "rejected": _ALL_IT,
    "terminated": _ALL_IT,
    "in_notice": [IT, IT, IT, IT, IT, IT, IT, IT, IT, _, NE, IT, IT, IT, IT, _, _, IT],
    "issued": [IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, _, _, RN, _, _, _, _],
    "cancelled": _ALL_IT,
    "revoked": _ALL_IT,
    "expired": [IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, IT, EX, EX, RL, EX, _, _, _],
}
AFTER = {  # the stored status an allowed act leads to, from the state it starts in
    "accept": Status.UNDER_REVIEW,
    "return": Status.SUPPLEMENTING,
    "supply_supplements": Status.APPLIED,
    "request_proof": Status.AWAITING_PROOF,
    "supply_proof": Status.UNDER_REVIEW,
    "terminate": Status.TERMINATED,
    "refuse": Status.REJECTED,
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
    if expected == RN:
        return (asset_id, renewal_opens(before.expires_at))
    if expected == RL:
        return (asset_id, beijing_midnight(beijing_date(before.expires_at)))
    return (asset_id, before.expires_at)


def renewal_opens(expires_at: int) -> int:
    """Beijing midnight of the date 6 calendar months before the expiry's Beijing date (the
    day clamped to the month's end), as art. 36 counts the renewal window."""
    day = beijing_date(expires_at)
    index = day.year * 12 + day.month - 1 - 6
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return beijing_midnight(dt.date(year, month, min(day.day, last)))


def emitted_by(flow: Flow, name: str, asset_id: int) -> tuple[str, dict[str, Any]]:
    """The event an allowed act emits and its arguments, given the asset after the act."""
    a, acc = flow.registry.assets, flow.accounts
    after = a.get_asset(asset_id)
    t = now(flow.w3)
    events: dict[str, tuple[str, dict[str, Any]]] = {
        "accept": ("ApplicationAccepted", {"by": acc.reviewer.address, "acceptedAt": t}),
        "return": (
            "ReturnedForSupplements",
            {
                "by": acc.reviewer.address,
                "listHash": h("list"),
                "deadline": a.procedure_of(asset_id).supplements_due,
            },
        ),
        "supply_supplements": ("SupplementsSupplied", {"materialsHash": h("materials")}),
        "request_proof": (
            "ProofRequested",
            {"by": acc.reviewer.address, "requestHash": h("request")},
        ),
        "supply_proof": (
            "ProofSupplied",
            {"proofHash": h("proof"), "pausedDays": 0, "totalPausedDays": 0},
        ),
        "extend": (
            "ProcessingExtended",
            {"by": acc.reviewer.address, "dayCount": 2, "totalDays": 2, "reasonHash": h("complex")},
        ),
        "terminate": (
            "ReviewTerminated",
            {"by": acc.reviewer.address, "reasonHash": h("unverifiable")},
        ),
        "refuse": (
            "ApplicationRefused",
            {
                "by": acc.reviewer.address,
                "reason": RefusalReason.UNLAWFUL_SOURCE,
                "reasonHash": h("reason"),
            },
        ),
        "approve": ("NoticeStarted", {"noticeEndsAt": after.notice_ends_at}),
        "file_objection": (
            "ObjectionFiled",
            {
                "objectionId": 1,
                "objector": acc.outsider.address,
                "evidenceHash": h("evidence"),
                "investigationDue": a.get_objection(1).investigation_due,
            },
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
            "TransferRegistered",
            {
                "transferId": a.transfer_count(),
                "holder": acc.holder2.address,
                "certificateId": after.certificate_id,
            },
        ),
        "renew": ("RegistrationRenewed", {"expiresAt": after.expires_at}),
        "pledge": ("AssetPledged", {"pledgee": acc.pledgee.address, "agreementHash": h("loan")}),
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
    if name == "seize":
        assert after.frozen
        receipt = last_receipt(flow.w3)
        assert_emitted(
            receipt, flow.registry.assets, "FrozenChanged", assetId=asset_id, frozen=True
        )
        assert_emitted(
            receipt,
            flow.registry.annotations,
            "AnnotationRecorded",
            annotationId=asset_id * 1000 + 1,
            assetId=asset_id,
            kind=AnnotationKind.SEIZURE,
            recordedBy=flow.accounts.registrar.address,
            authorityHash=h("court"),
            documentHash=h("order"),
            textHash=h("seized"),
        )
        return
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
        ({"holders": (RightHolder("0x" + "00" * 20),)}, "InvalidHolder", ("0x" + "00" * 20,)),
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


@pytest.mark.parametrize(
    ("fn", "args"),
    [
        ("accept", ()),
        ("return_for_supplements", (h("list"), 2**39)),
        ("request_proof", (h("r"),)),
        ("extend", (1, h("r"))),
        ("terminate", (h("r"),)),
        ("refuse", (RefusalReason.UNLAWFUL_SOURCE, h("r"))),
        ("approve", ()),
        ("approve_without_notice", (h("r"),)),
    ],
)
def test_procedure_acts_need_the_reviewer_role(flow: Flow, fn: str, args: tuple[Any, ...]) -> None:
    asset_id = flow.applied()
    for outsider in (flow.accounts.registrar, flow.accounts.holder):
        with reverts("AccessControlUnauthorizedAccount", outsider.address, REVIEWER):
            getattr(flow.registry.assets, fn)(outsider, asset_id, *args)


def test_acceptance_of_unknown_asset_is_refused(flow: Flow) -> None:
    with reverts("UnknownAsset", 42):
        flow.registry.assets.accept(flow.accounts.reviewer, 42)


def test_approve_starts_a_notice_of_five_working_days(flow: Flow) -> None:
    asset_id = flow.in_notice()
    asset = flow.registry.assets.get_asset(asset_id)
    started = beijing_date(now(flow.w3))
    assert asset.notice_ends_at == beijing_midnight(add_working_days(started, 5)) + DAY
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
    flow.past_notice(asset_id)
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
        investigationDue=beijing_midnight(add_working_days(beijing_date(now(flow.w3)), 10)) + DAY,
    )
    assert a.get_asset(asset_id).open_objections == 2
    flow.past_notice(asset_id)
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
    assert not a.events(receipt, "ApplicationRefused")
    assert a.get_objection(first).decided_at == now(flow.w3)
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
    with reverts("RefusalReasonMissing"):
        a.decide_objection(acc.registrar, first, True, h("upheld"))
    receipt = a.decide_objection(
        acc.registrar, first, True, h("upheld"), RefusalReason.OWNERSHIP_DISPUTED
    )
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
        "ApplicationRefused",
        assetId=asset_id,
        by=acc.registrar.address,
        reason=RefusalReason.OWNERSHIP_DISPUTED,
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


def test_issue_refused_while_seized_and_for_non_registrar(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.in_notice()
    flow.past_notice(asset_id)
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        a.issue(acc.reviewer, asset_id)
    seizure = flow.seize(asset_id)
    with reverts("Frozen", asset_id):
        a.issue(acc.registrar, asset_id)
    receipt = flow.lift(seizure)
    assert_emitted(
        receipt,
        flow.registry.annotations,
        "AnnotationLifted",
        annotationId=seizure,
        assetId=asset_id,
        liftedBy=acc.registrar.address,
        documentHash=h("order lifted"),
    )
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
        shares = [TransferShare(acc.holder.address, new_holder, ALL_RIGHTS, h("id"))]
        with reverts("InvalidHolder", new_holder):
            a.apply_transfer(acc.holder, asset_id, shares, h("d"), JointConsent(0, 0, (b"", b"")))
    act(flow, "pledge", asset_id)
    with reverts("Pledged", asset_id, acc.pledgee.address):
        act(flow, "transfer", asset_id)
    a.release_pledge(acc.pledgee, asset_id)
    flow.seize(asset_id)
    with reverts("Frozen", asset_id):
        act(flow, "transfer", asset_id)


def test_registrar_act_without_holder_signature_is_refused(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    with reverts("NotHolder", acc.holder.address, acc.registrar.address):
        a.pledge(acc.registrar, asset_id, acc.pledgee.address, h("loan"), Consent())


def test_renew_in_its_window_extends_from_expiry_and_works_while_seized(flow: Flow) -> None:
    a, certs = flow.registry.assets, flow.registry.certificates
    asset_id = flow.issued()
    expires = a.get_asset(asset_id).expires_at
    advance(flow.w3, renewal_opens(expires) - now(flow.w3))
    flow.seize(asset_id)
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


def test_renewal_window_opens_six_months_before_and_closes_the_day_before(flow: Flow) -> None:
    a = flow.registry.assets
    asset_id = flow.issued()
    expires = a.get_asset(asset_id).expires_at
    opens, closes = renewal_opens(expires), beijing_midnight(beijing_date(expires))
    advance(flow.w3, opens - now(flow.w3) - 3600)
    with reverts("RenewalNotOpen", asset_id, opens):
        act(flow, "renew", asset_id)
    advance(flow.w3, closes - now(flow.w3))  # the expiry's own day: too late
    with reverts("RenewalLapsed", asset_id, closes):
        act(flow, "renew", asset_id)
    advance(flow.w3, expires - now(flow.w3))
    assert a.status_of(asset_id) == Status.EXPIRED  # lapsed by itself, no transaction


def test_renewal_on_the_last_day_before_expiry_is_taken(flow: Flow) -> None:
    a = flow.registry.assets
    asset_id = flow.issued()
    expires = a.get_asset(asset_id).expires_at
    advance(flow.w3, beijing_midnight(beijing_date(expires)) - now(flow.w3) - 60)
    act(flow, "renew", asset_id)
    assert a.get_asset(asset_id).expires_at == expires + a.validity_period()


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


def test_validity_is_set_by_the_admin_up_to_five_years(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    good = 2 * 365 * DAY
    with reverts("AccessControlUnauthorizedAccount", acc.registrar.address, DEFAULT_ADMIN):
        a.set_validity_period(acc.registrar, good)
    for value in (29 * DAY, 5 * 365 * DAY + 1):
        with reverts("InvalidPeriod", value):
            a.set_validity_period(acc.admin, value)
    receipt = a.set_validity_period(acc.admin, good)
    assert a.validity_period() == good
    assert_emitted(receipt, a, "ValidityPeriodSet", period=good)


def test_default_validity_is_five_years_from_the_deposit(flow: Flow) -> None:
    a = flow.registry.assets
    assert a.validity_period() == 5 * 365 * DAY
    asset_id = flow.issued()
    asset = a.get_asset(asset_id)
    assert asset.expires_at == asset.issued_at + 5 * 365 * DAY


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
