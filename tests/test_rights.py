"""RightsRegistry: licences of the processing and operating rights, exclusivity, hasRight; each
act with the event it emits and each refusal with its error's arguments."""

from __future__ import annotations

from eth_abi.abi import encode
from web3 import Web3

from registry.chain.deploy import REGISTRAR
from registry.chain.types import (
    ZERO32,
    CertificateKind,
    CertificateStatus,
    GrantRequest,
    RightKind,
)
from tests.conftest import DAY, Flow, advance, assert_emitted, h, last_receipt, now, reverts

PROC, OPER = RightKind.PROCESSING, RightKind.OPERATING


def request(flow: Flow, asset_id: int, **kw: object) -> GrantRequest:
    t = now(flow.w3) + 5
    values: dict[str, object] = {
        "grantor": flow.accounts.holder.address,
        "asset_id": asset_id,
        "kind": PROC,
        "grantee": flow.accounts.grantee.address,
        "scenario": h("s"),
        "start": t,
        "expiry": t + 30 * DAY,
        "exclusive": False,
        "revocable": True,
        "terms_hash": h("terms"),
    }
    values.update(kw)
    return GrantRequest(**values)  # type: ignore[arg-type]


def test_grant_records_the_licence(flow: Flow) -> None:
    r, acc = flow.registry.rights, flow.accounts
    asset_id = flow.issued()
    req = request(flow, asset_id, exclusive=True)
    receipt = r.grant_tx(acc.holder, req)
    args = r.events(receipt, "RightGranted")[0]["args"]
    grant_id = bytes(args["grantId"])
    expected = Web3.keccak(
        encode(
            ["uint64", "uint8", "address", "bytes32"],
            [asset_id, int(PROC), req.grantee, req.scenario],
        )
    )
    assert grant_id == expected == r.grant_id_of(asset_id, PROC, req.grantee, req.scenario)
    grant = r.get_grant(grant_id)
    assert (grant.asset_id, grant.kind, grant.exclusive, grant.revision) == (
        asset_id,
        PROC,
        True,
        1,
    )
    assert (grant.start, grant.expiry) == (req.start, req.expiry)
    assert r.terms_of(grant_id) == h("terms")
    assert_emitted(
        receipt,
        r,
        "RightGranted",
        grantId=grant_id,
        assetId=asset_id,
        grantee=req.grantee,
        grantor=acc.holder.address,
        kind=PROC,
        scenario=req.scenario,
        start=req.start,
        expiry=req.expiry,
        exclusive=True,
        revocable=True,
        termsHash=h("terms"),
        revision=1,
    )


def test_start_in_the_past_is_recorded_as_registration_time(flow: Flow) -> None:
    asset_id = flow.issued()
    grant_id = flow.grant(asset_id, start=now(flow.w3) - 100 * DAY, days=200)
    grant = flow.registry.rights.get_grant(grant_id)
    assert grant.start == now(flow.w3)


def test_grant_refusals(flow: Flow) -> None:
    r, acc = flow.registry.rights, flow.accounts
    asset_id = flow.issued()
    holder = acc.holder
    short = request(flow, asset_id, expiry=now(flow.w3))
    cases = [
        (request(flow, asset_id, kind=RightKind.HOLDING), "NotGrantable", (RightKind.HOLDING,)),
        (request(flow, asset_id, scenario=ZERO32), "InvalidScenario", ()),
        (short, "InvalidTerm", (short.start, short.expiry)),
        (
            request(flow, asset_id, grantee="0x" + "00" * 20),
            "InvalidGrantee",
            ("0x" + "00" * 20,),
        ),
        (request(flow, asset_id, grantee=holder.address), "InvalidGrantee", (holder.address,)),
        (request(flow, 999), "AssetNotIssued", (999,)),
        (
            request(flow, asset_id, grantor=acc.outsider.address),
            "NotOperator",
            (asset_id, acc.outsider.address),
        ),
    ]
    for req, error, args in cases:
        with reverts(error, *args):
            r.grant(holder, req)
    with reverts("NotHolder", holder.address, acc.outsider.address):
        r.grant(acc.outsider, request(flow, asset_id))
    pending = flow.applied("pending")
    with reverts("AssetNotIssued", pending):
        r.grant(holder, request(flow, pending))
    flow.seize(asset_id)
    with reverts("AssetFrozen", asset_id):
        r.grant(holder, request(flow, asset_id))


def test_grant_on_expired_registration_is_refused(flow: Flow) -> None:
    asset_id = flow.issued()
    advance(flow.w3, flow.registry.assets.validity_period())
    with reverts("AssetNotIssued", asset_id):
        flow.registry.rights.grant(flow.accounts.holder, request(flow, asset_id))


def test_one_live_licence_per_grantee_and_scenario(flow: Flow) -> None:
    r = flow.registry.rights
    asset_id = flow.issued()
    grant_id = flow.grant(asset_id, days=10)
    with reverts("GrantStillActive", grant_id):
        flow.grant(asset_id, days=10)
    flow.grant(asset_id, scenario="another scenario")
    flow.grant(asset_id, kind=OPER)
    advance(flow.w3, 11 * DAY)
    # Starting tomorrow: a start already past would be moved to the block's time, so the term
    # would be shorter by however long the transaction took to be mined on a busy machine.
    assert flow.grant(asset_id, days=10, start=now(flow.w3) + DAY) == grant_id
    assert r.get_grant(grant_id).revision == 2
    event = assert_emitted(
        last_receipt(flow.w3),
        r,
        "RightGranted",
        grantId=grant_id,
        assetId=asset_id,
        grantee=flow.accounts.grantee.address,
        grantor=flow.accounts.holder.address,
        kind=PROC,
        scenario=h("scenario"),
        start=r.get_grant(grant_id).start,
        expiry=r.get_grant(grant_id).expiry,
        exclusive=False,
        revocable=True,
        termsHash=h("terms"),
        revision=2,
    )
    assert event["args"]["expiry"] - event["args"]["start"] == 10 * DAY


def test_exclusive_conflicts_with_live_exclusive(flow: Flow) -> None:
    asset_id = flow.issued()
    first = flow.registry.rights.get_grant(flow.grant(asset_id, exclusive=True, days=10))
    conflict = (asset_id, PROC, first.start, first.expiry)
    with reverts("ExclusiveConflict", *conflict):
        flow.grant(asset_id, grantee=flow.accounts.grantee2.address, exclusive=True)
    with reverts("ExclusiveConflict", *conflict):
        flow.grant(asset_id, grantee=flow.accounts.grantee2.address)
    flow.grant(asset_id, grantee=flow.accounts.grantee2.address, kind=OPER, exclusive=True)
    advance(flow.w3, 11 * DAY)
    flow.grant(asset_id, grantee=flow.accounts.grantee2.address, exclusive=True)


def test_exclusive_conflicts_with_shared_span_until_it_ends_or_is_revoked(flow: Flow) -> None:
    r, acc = flow.registry.rights, flow.accounts
    asset_id = flow.issued()
    shared = flow.grant(asset_id, days=10)
    span = (asset_id, PROC, r.get_grant(shared).start, r.get_grant(shared).expiry)
    with reverts("ExclusiveConflict", *span):
        flow.grant(asset_id, grantee=acc.grantee2.address, exclusive=True)
    r.revoke_grant(acc.holder, shared, h("ended early"))
    flow.grant(asset_id, grantee=acc.grantee2.address, exclusive=True, days=5)
    span = r.exclusivity_of(asset_id, PROC)
    assert span.shared_live == 0
    assert (
        span.exclusive_until
        == r.get_grant(r.grant_id_of(asset_id, PROC, acc.grantee2.address, h("scenario"))).expiry
    )


def test_shared_grant_after_exclusive_ended(flow: Flow) -> None:
    asset_id = flow.issued()
    flow.grant(asset_id, exclusive=True, days=3)
    with reverts("ExclusiveConflict"):
        flow.grant(asset_id, grantee=flow.accounts.grantee2.address)
    advance(flow.w3, 4 * DAY)
    flow.grant(asset_id, grantee=flow.accounts.grantee2.address)


def test_has_right_follows_holder_term_revocation_and_asset(flow: Flow) -> None:
    r, a, acc = flow.registry.rights, flow.registry.assets, flow.accounts
    asset_id = flow.issued()
    start = now(flow.w3) + DAY
    grant_id = flow.grant(asset_id, start=start, days=10)
    g, s = acc.grantee.address, h("scenario")
    assert r.has_right(asset_id, RightKind.HOLDING, acc.holder.address, ZERO32, now(flow.w3))
    assert not r.has_right(asset_id, RightKind.HOLDING, g, ZERO32, now(flow.w3))
    assert not r.has_right(asset_id, PROC, g, s, start - 1)
    assert r.has_right(asset_id, PROC, g, s, start)
    assert not r.has_right(asset_id, PROC, g, h("other"), start)
    assert not r.has_right(asset_id, OPER, g, s, start)
    assert not r.has_right(asset_id, PROC, g, s, start + 10 * DAY)
    assert r.is_grant_active(grant_id, start)
    advance(flow.w3, 12 * DAY)  # expiry needs no transaction
    assert not r.has_right(asset_id, PROC, g, s, now(flow.w3))
    other = flow.issued("other asset")
    flow.grant(other, days=30)
    assert r.has_right(other, PROC, g, s, now(flow.w3))
    a.revoke(acc.registrar, other, h("fraud"))
    assert not r.has_right(other, PROC, g, s, now(flow.w3))
    assert not r.has_right(other, RightKind.HOLDING, acc.holder.address, ZERO32, now(flow.w3))


def test_revoke_grant_by_holder_and_annul_by_registrar(flow: Flow) -> None:
    r, acc = flow.registry.rights, flow.accounts
    asset_id = flow.issued()
    fixed = flow.grant(asset_id, revocable=False)
    loose = flow.grant(asset_id, scenario="loose")
    with reverts("GrantNotRevocable", fixed):
        r.revoke_grant(acc.holder, fixed, h("why"))
    with reverts("NotHolder", acc.holder.address, acc.outsider.address):
        r.revoke_grant(acc.outsider, loose, h("why"), revoker=acc.holder.address)
    with reverts("NotOperator", asset_id, acc.outsider.address):
        r.revoke_grant(acc.outsider, loose, h("why"))
    receipt = r.revoke_grant(acc.holder, loose, h("why"))
    assert r.events(receipt, "RightRevoked")[0]["args"]["by"] == acc.holder.address
    assert_emitted(
        receipt,
        r,
        "RightRevoked",
        grantId=loose,
        assetId=asset_id,
        by=acc.holder.address,
        reasonHash=h("why"),
    )
    with reverts("GrantNotActive", loose):
        r.revoke_grant(acc.holder, loose, h("again"))
    with reverts("UnknownGrant", h("nothing")):
        r.revoke_grant(acc.holder, h("nothing"), h("why"))
    with reverts("AccessControlUnauthorizedAccount", acc.holder.address, REGISTRAR):
        r.annul_grant(acc.holder, fixed, h("court"))
    receipt = r.annul_grant(acc.registrar, fixed, h("court"))
    assert r.get_grant(fixed).revoked
    assert_emitted(
        receipt,
        r,
        "RightRevoked",
        grantId=fixed,
        assetId=asset_id,
        by=acc.registrar.address,
        reasonHash=h("court"),
    )
    expired = flow.grant(asset_id, scenario="short", days=1)
    advance(flow.w3, 2 * DAY)
    with reverts("GrantNotActive", expired):
        r.annul_grant(acc.registrar, expired, h("late"))


def test_register_licence_issues_a_licence_certificate(flow: Flow) -> None:
    r, certs, acc = flow.registry.rights, flow.registry.certificates, flow.accounts
    asset_id = flow.issued()
    grant_id = flow.grant(asset_id, days=30)
    g, s = acc.grantee.address, h("scenario")
    with reverts("AccessControlUnauthorizedAccount", acc.holder.address, REGISTRAR):
        r.register_licence(acc.holder, asset_id, PROC, g, s)
    with reverts("UnknownGrant", r.grant_id_of(asset_id, PROC, g, h("unknown"))):
        r.register_licence(acc.registrar, asset_id, PROC, g, h("unknown"))
    certificate = r.register_licence(acc.registrar, asset_id, PROC, g, s)
    receipt = last_receipt(flow.w3)
    assert_emitted(
        receipt,
        r,
        "LicenceRegistered",
        grantId=grant_id,
        assetId=asset_id,
        certificateId=certificate,
    )
    assert_emitted(
        receipt,
        certs,
        "CertificateIssued",
        certificateId=certificate,
        assetId=asset_id,
        holder=g,
        kind=CertificateKind.LICENCE,
        expiresAt=r.get_grant(grant_id).expiry,
        grantId=grant_id,
    )
    cert = certs.get_certificate(certificate)
    assert cert.kind == CertificateKind.LICENCE
    assert cert.expires_at == r.get_grant(grant_id).expiry
    assert certs.owner_of(certificate) == g
    assert certs.grant_of(certificate) == grant_id
    assert r.get_grant(grant_id).certificate_id == certificate
    with reverts("LicenceAlreadyRegistered", grant_id, certificate):
        r.register_licence(acc.registrar, asset_id, PROC, g, s)
    receipt = r.revoke_grant(acc.holder, grant_id, h("ended"))
    assert certs.status_of(certificate) == CertificateStatus.REVOKED
    assert_emitted(receipt, certs, "CertificateRevoked", certificateId=certificate)
