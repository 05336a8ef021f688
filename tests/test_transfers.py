"""Transfer registration (转让登记, 指引 art. 34) and every right-holder's consent to the acts on
an asset: transferors and transferees apply together, each consenting; the center registers
the transfer after its review, or refuses it; each transferor keeps none of what it transfers,
each transferee gets a transfer certificate for what it receives, and the certificates of the
transferors are superseded by ones for what they keep (or by the transferee's). Each act with its
events, each refusal with its error's arguments."""

from __future__ import annotations

from registry.chain.types import (
    CertificateKind,
    CertificateStatus,
    JointConsent,
    RefusalReason,
    RightHolder,
    RightKind,
    RightTerm,
    TransferShare,
    TransferState,
)
from registry.devtools import joint_act_consent, joint_consent, transfer_consent
from tests.conftest import Flow, application, assert_emitted, h, reverts

HOLD, USE, OPER = RightKind.HOLDING, RightKind.PROCESSING, RightKind.OPERATING
ALL = HOLD.bit | USE.bit | OPER.bit


def joint_issued(flow: Flow, manifest: str, *co: RightHolder) -> int:
    """An issued registration of the holder with co-holders ``co`` (each consenting)."""
    a, acc = flow.registry.assets, flow.accounts
    app = application(acc.holder.address, manifest, co_holders=co)
    keys = {acc.holder2.address: acc.holder2, acc.grantee.address: acc.grantee}
    signers = (None, *(keys[c.account] for c in co))
    asset_id = a.submit_application(acc.holder, app, joint_consent(a, signers, app))
    a.accept(acc.reviewer, asset_id)
    a.approve(acc.reviewer, asset_id)
    flow.past_notice(asset_id)
    a.issue(acc.registrar, asset_id)
    return asset_id


def co(account: str, *kinds: RightKind) -> RightHolder:
    return RightHolder(account, sum(k.bit for k in kinds), identity_hash=h("id:" + account))


def test_whole_transfer_makes_the_transferee_the_holder_and_supersedes_the_certificate(
    flow: Flow,
) -> None:
    a, c, acc = flow.registry.assets, flow.registry.certificates, flow.accounts
    asset_id = flow.issued("whole transfer")
    old = a.get_asset(asset_id).certificate_id
    shares = [TransferShare(acc.holder.address, acc.holder2.address, ALL, h("id:new"))]
    consent = transfer_consent(a, asset_id, shares, h("deal"), (acc.holder, acc.holder2))
    receipt = a.apply_transfer_tx(acc.registrar, asset_id, shares, h("deal"), consent)
    transfer_id = a.transfer_count()
    assert_emitted(
        receipt,
        a,
        "TransferApplied",
        transferId=transfer_id,
        assetId=asset_id,
        agreementHash=h("deal"),
        shareCount=1,
    )
    assert_emitted(
        receipt,
        a,
        "TransferShareApplied",
        transferId=transfer_id,
        to=acc.holder2.address,
        rights=ALL,
        identityHash=h("id:new"),
        **{"from": acc.holder.address},
    )
    stored = a.get_transfer(transfer_id)
    assert (stored.asset_id, stored.state, stored.shares) == (
        asset_id,
        TransferState.APPLIED,
        tuple(shares),
    )
    # Applied, nothing moved yet: the center reviews it first.
    assert a.holder_of(asset_id) == acc.holder.address
    receipt = a.register_transfer(acc.registrar, transfer_id)
    received = a.events(receipt, "RightsTransferred")[0]["args"]["certificateId"]
    assert_emitted(
        receipt,
        a,
        "TransferRegistered",
        transferId=transfer_id,
        assetId=asset_id,
        holder=acc.holder2.address,
        certificateId=received,
    )
    assert a.holder_of(asset_id) == acc.holder2.address
    assert a.rights_of(asset_id, acc.holder.address).rights == 0
    assert a.rights_of(asset_id, acc.holder2.address) == RightTerm(ALL, 0, 0, received)
    assert c.status_of(old) == CertificateStatus.SUPERSEDED
    assert c.get_certificate(old).successor == received
    assert c.get_certificate(received).kind == CertificateKind.TRANSFER
    assert c.owner_of(received) == acc.holder2.address
    assert a.get_transfer(transfer_id).state == TransferState.REGISTERED
    with reverts("TransferDecided", transfer_id, TransferState.REGISTERED):
        a.register_transfer(acc.registrar, transfer_id)


def test_partial_transfer_of_a_co_holders_share_reissues_what_is_kept(flow: Flow) -> None:
    a, c, acc = flow.registry.assets, flow.registry.certificates, flow.accounts
    asset_id = joint_issued(flow, "partial transfer", co(acc.holder2.address, USE, OPER))
    old = a.get_asset(asset_id).certificate_id
    # The co-holder transfers its operating right and keeps its use right.
    shares = [TransferShare(acc.holder2.address, acc.grantee.address, OPER.bit, h("id:g"))]
    consent = transfer_consent(a, asset_id, shares, h("deal"), (acc.holder2, acc.grantee))
    transfer_id = a.apply_transfer(acc.outsider, asset_id, shares, h("deal"), consent)
    receipt = a.register_transfer(acc.registrar, transfer_id)
    received = a.events(receipt, "RightsTransferred")[0]["args"]["certificateId"]
    assert_emitted(
        receipt,
        a,
        "RightsTransferred",
        assetId=asset_id,
        transferId=transfer_id,
        to=acc.grantee.address,
        rights=OPER.bit,
        identityHash=h("id:g"),
        certificateId=received,
        **{"from": acc.holder2.address},
    )
    assert a.rights_of(asset_id, acc.holder2.address) == RightTerm(USE.bit, 0, 0, 0)
    assert a.rights_of(asset_id, acc.grantee.address) == RightTerm(OPER.bit, 0, 0, received)
    record = a.get_asset(asset_id)
    assert (record.holder, record.co_holder_count) == (acc.holder.address, 2)
    # The holder's certificate named the co-holder: superseded by one for what is kept.
    assert c.get_certificate(old).successor == record.certificate_id
    assert c.get_certificate(record.certificate_id).kind == CertificateKind.REGISTRATION
    assert c.owner_of(record.certificate_id) == acc.holder.address
    # The transferee, now a co-holder, consents to the acts on the asset with the others.
    with reverts("ConsentCount", 3, 2):
        a.cancel(
            acc.holder,
            asset_id,
            joint_act_consent(a, "Cancel", (asset_id,), (None, acc.holder2), [acc.holder2.address]),
        )


def test_transfer_needs_every_transferors_and_transferees_consent(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued("transfer consent")
    shares = [TransferShare(acc.holder.address, acc.holder2.address, USE.bit, h("id:2"))]

    def apply(consent: JointConsent) -> int:
        return a.apply_transfer(acc.holder, asset_id, shares, h("deal"), consent)

    with reverts("ConsentCount", 2, 1):
        apply(JointConsent(0, 0, (b"",)))
    with reverts("NotHolder", acc.holder2.address, acc.holder.address):
        apply(transfer_consent(a, asset_id, shares, h("deal"), (None, None)))
    with reverts("InvalidConsent", acc.holder2.address):
        apply(transfer_consent(a, asset_id, shares, h("deal"), (None, acc.outsider)))
    # Signed for other shares (the transferee agreed to receive the operating right).
    other = [TransferShare(acc.holder.address, acc.holder2.address, OPER.bit, h("id:2"))]
    good = transfer_consent(a, asset_id, shares, h("deal"), (acc.holder, acc.holder2))
    forged = transfer_consent(a, asset_id, other, h("deal"), (acc.holder, acc.holder2), good.nonce)
    with reverts("InvalidConsent", acc.holder.address):
        apply(forged)
    transfer_id = apply(good)
    a.refuse_transfer(acc.reviewer, transfer_id, RefusalReason.OWNERSHIP_DISPUTED, h("dispute"))
    assert a.get_transfer(transfer_id).state == TransferState.REFUSED
    with reverts("TransferDecided", transfer_id, TransferState.REFUSED):
        a.register_transfer(acc.registrar, transfer_id)
    assert a.rights_of(asset_id, acc.holder2.address).rights == 0


def test_transfer_refusals_name_their_rule(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = joint_issued(flow, "transfer refusals", co(acc.holder2.address, USE))
    holder, other, new = acc.holder.address, acc.holder2.address, acc.grantee.address

    def refused(shares: list[TransferShare], error: str, *args: object) -> None:
        consent = JointConsent(0, 0, (b"",) * (2 * len(shares)))
        with reverts(error, *args):
            a.apply_transfer(acc.holder, asset_id, shares, h("deal"), consent)

    refused([], "TransferShareCount", 0)
    refused(
        [TransferShare(other, new, OPER.bit, h("x"))], "RightsNotHeld", other, OPER.bit, USE.bit
    )
    refused([TransferShare(new, holder, USE.bit, h("x"))], "RightsNotHeld", new, USE.bit, 0)
    refused([TransferShare(holder, other, USE.bit, h("x"))], "InvalidHolder", other)
    refused([TransferShare(holder, new, 8, h("x"))], "InvalidRights", holder, 8)
    twice = [
        TransferShare(holder, new, USE.bit, h("x")),
        TransferShare(other, new, USE.bit, h("x")),
    ]
    refused(twice, "DuplicateRightHolder", new)
    with reverts("EmptyHash"):
        a.apply_transfer(
            acc.holder,
            asset_id,
            [TransferShare(holder, new, USE.bit, h("x"))],
            bytes(32),
            JointConsent(0, 0, (b"", b"")),
        )
    with reverts("UnknownTransfer", 10**6):
        a.register_transfer(acc.registrar, 10**6)
    # A seizure blocks the registration of a transfer applied for before it.
    shares = [TransferShare(holder, new, USE.bit, h("id:new"))]
    consent = transfer_consent(a, asset_id, shares, h("deal"), (acc.holder, acc.grantee))
    transfer_id = a.apply_transfer(acc.holder, asset_id, shares, h("deal"), consent)
    annotation = flow.seize(asset_id)
    with reverts("Frozen", asset_id):
        a.register_transfer(acc.registrar, transfer_id)
    flow.lift(annotation)
    a.register_transfer(acc.registrar, transfer_id)
    assert a.rights_of(asset_id, holder).rights == HOLD.bit | OPER.bit


def test_every_right_holder_consents_to_an_act_on_the_asset(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = joint_issued(flow, "joint cancel", co(acc.holder2.address, USE))

    def cancel(signers: tuple[object, ...], named: list[str]) -> object:
        consent = joint_act_consent(a, "Cancel", (asset_id,), signers, named)  # type: ignore[arg-type]
        return a.cancel(acc.holder, asset_id, consent)

    with reverts("ConsentCount", 2, 1):
        a.cancel(acc.holder, asset_id)
    with reverts("NotCoHolder", asset_id, acc.outsider.address):
        cancel((None, acc.outsider), [acc.outsider.address])
    with reverts("InvalidConsent", acc.holder2.address):
        cancel((None, acc.outsider), [acc.holder2.address])
    receipt = cancel((None, acc.holder2), [acc.holder2.address])
    assert_emitted(receipt, a, "RegistrationCancelled", assetId=asset_id, holder=acc.holder.address)
