"""Certificates (numbers, ERC-721/ERC-5192, status), evidence anchoring and the roles."""

from __future__ import annotations

import os

import pytest
from web3 import Web3

from registry.certificates.numbers import check_character, format_number, parse_number
from registry.chain.deploy import ANCHORER, DEFAULT_ADMIN, MODULE, REGISTRAR
from registry.chain.types import ZERO32, CertificateKind, CertificateStatus
from registry.evidence import MerkleTree, leaf_hash, verify
from tests.conftest import DAY, Flow, advance, h, now, reverts

CST = 8 * 3600


def mine_at(flow: Flow, timestamp: int) -> None:
    """Mines an empty block at ``timestamp``, so the next calls run at that time."""
    flow.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
    flow.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "token_id", [202611370200000001, 202612321000000042, 203001330700999999, 199912110000000010]
)
def test_numbers_agree_between_contract_and_python(flow: Flow, token_id: int) -> None:
    certs = flow.registry.certificates
    number = certs.number_of(token_id)
    assert number == format_number(token_id)
    assert number[-1] == check_character(number[:18])
    assert certs.token_id_of(number) == parse_number(number) == token_id


@pytest.mark.parametrize(
    "number",
    ["2026113702000000018", "202611370200000001", "20261137020000000172", "2026113702000000A17"],
)
def test_malformed_numbers_are_refused(flow: Flow, number: str) -> None:
    with reverts("InvalidCertificateNumber"):
        flow.registry.certificates.token_id_of(number)
    with pytest.raises(ValueError, match=r"check character|18 digits"):
        parse_number(number)


def test_number_month_is_china_standard_time_and_serial_restarts(flow: Flow) -> None:
    a, certs = flow.registry.assets, flow.registry.certificates
    first = flow.in_notice("a")
    second = flow.in_notice("b")
    third = flow.in_notice("c")
    # 2030-01-31T16:30:00Z is 2030-02-01 00:30 in Beijing.
    boundary = 1_896_107_400
    assert boundary > now(flow.w3) + a.notice_period()
    mine_at(flow, boundary - 3600)
    a.issue(flow.accounts.registrar, first)
    mine_at(flow, boundary)
    a.issue(flow.accounts.registrar, second)
    a.issue(flow.accounts.registrar, third)
    numbers = [certs.number_of(a.get_asset(i).certificate_id) for i in (first, second, third)]
    assert [n[:6] for n in numbers] == ["203001", "203002", "203002"]
    assert [n[6:12] for n in numbers] == ["370200"] * 3
    assert [n[12:18] for n in numbers] == ["000001", "000001", "000002"]


# ---------------------------------------------------------------- tokens


def test_certificates_are_locked_erc721_tokens(flow: Flow) -> None:
    certs, acc = flow.registry.certificates, flow.accounts
    asset_id = flow.issued()
    token = flow.registry.assets.get_asset(asset_id).certificate_id
    assert certs.locked(token)
    assert certs.supports_interface(bytes.fromhex("b45a3c0e"))
    assert certs.supports_interface(bytes.fromhex("80ac58cd"))
    assert certs.balance_of(acc.holder.address) == 1
    assert certs.token_uri(token) == "http://127.0.0.1:8000/v1/certificates/" + format_number(token)
    with reverts("Soulbound"):
        certs.transfer_from(acc.holder, acc.holder.address, acc.holder2.address, token)
    with reverts("Soulbound"):
        certs.approve(acc.holder, acc.holder2.address, token)
    with reverts("Soulbound"):
        certs.set_approval_for_all(acc.holder, acc.holder2.address, True)
    safe = certs.contract.get_function_by_signature("safeTransferFrom(address,address,uint256)")
    with reverts("Soulbound"):
        certs.chain.send(safe(acc.holder.address, acc.holder2.address, token), acc.holder)
    with reverts("ERC721NonexistentToken"):
        certs.locked(token + 1)
    with reverts("UnknownCertificate"):
        certs.get_certificate(token + 1)
    assert certs.status_of(token + 1) == CertificateStatus.NONE


def test_locked_event_at_mint(flow: Flow) -> None:
    a, certs = flow.registry.assets, flow.registry.certificates
    asset_id = flow.in_notice()
    advance(flow.w3, a.notice_period())
    receipt = a.issue_tx(flow.accounts.registrar, asset_id)
    token = a.get_asset(asset_id).certificate_id
    assert certs.events(receipt, "Locked")[0]["args"]["tokenId"] == token
    issued = certs.events(receipt, "CertificateIssued")[0]["args"]
    assert issued["kind"] == CertificateKind.REGISTRATION


def test_module_functions_need_the_module_role(flow: Flow) -> None:
    certs, acc = flow.registry.certificates, flow.accounts
    asset_id = flow.issued()
    token = flow.registry.assets.get_asset(asset_id).certificate_id
    with reverts("AccessControlUnauthorizedAccount"):
        certs.mint(
            acc.registrar,
            acc.holder.address,
            asset_id,
            370200,
            CertificateKind.REGISTRATION,
            now(flow.w3) + DAY,
            ZERO32,
            0,
        )
    for fn, args in (("supersede", (token, 1)), ("revoke", (token,)), ("extend", (token, 1))):
        with reverts("AccessControlUnauthorizedAccount"):
            getattr(certs, fn)(acc.registrar, *args)
    with reverts("AccessControlUnauthorizedAccount"):
        certs.set_base_uri(acc.registrar, "https://elsewhere/")
    flow.registry.roles.grant_role(acc.admin, MODULE, acc.outsider.address)
    certs.revoke(acc.outsider, token)
    for fn, args in (("supersede", (token, 1)), ("revoke", (token,)), ("extend", (token, 1))):
        with reverts("CertificateNotValid"):
            getattr(certs, fn)(acc.outsider, *args)
    certs.set_base_uri(acc.admin, "https://registry.example/c/")
    assert certs.token_uri(token).startswith("https://registry.example/c/")


# ---------------------------------------------------------------- evidence


def test_anchor_root_and_verify_proofs(flow: Flow) -> None:
    e, acc = flow.registry.evidence, flow.accounts
    hashes = [os.urandom(32) for _ in range(7)]
    tree = MerkleTree.from_hashes(hashes)
    receipt = e.anchor_root(acc.anchorer, tree.root, len(hashes))
    assert e.events(receipt, "Anchored")[0]["args"]["leafCount"] == 7
    anchor = e.get_anchor(tree.root)
    assert (anchor.submitter, anchor.anchored_at, anchor.leaf_count) == (
        acc.anchorer.address,
        now(flow.w3),
        7,
    )
    for i, data_hash in enumerate(hashes):
        proof = tree.proof(i)
        assert e.leaf_of(data_hash) == leaf_hash(data_hash) == tree.leaf(i)
        assert e.verify(tree.leaf(i), proof, tree.root)
        assert verify(tree.leaf(i), proof, tree.root)
        ok, _ = e.verify_evidence(data_hash, proof, tree.root)
        assert ok
    tampered = [bytes(32), *tree.proof(0)[1:]]
    assert not e.verify(tree.leaf(0), tampered, tree.root)
    assert not e.verify_evidence(hashes[0], tree.proof(0), h("unknown root"))[0]
    assert not e.verify_evidence(h("not in the tree"), tree.proof(0), tree.root)[0]


def test_anchor_refusals_keep_the_first_time(flow: Flow) -> None:
    e, acc = flow.registry.evidence, flow.accounts
    root = e.anchor_hash(acc.anchorer, h("contract.pdf"))
    first = e.get_anchor(root).anchored_at
    advance(flow.w3, DAY)
    with reverts("AlreadyAnchored"):
        e.anchor_root(acc.anchorer, root, 1)
    assert e.get_anchor(root).anchored_at == first
    with reverts("EmptyRoot"):
        e.anchor_root(acc.anchorer, ZERO32, 1)
    with reverts("EmptyBatch"):
        e.anchor_root(acc.anchorer, h("r"), 0)
    with reverts("AccessControlUnauthorizedAccount"):
        e.anchor_root(acc.registrar, h("r"), 1)
    assert e.verify_evidence(h("contract.pdf"), [], root)[0]


# ---------------------------------------------------------------- roles


def test_only_the_admin_grants_roles_and_admin_changes_in_two_delayed_steps(flow: Flow) -> None:
    roles, acc = flow.registry.roles, flow.accounts
    with reverts("AccessControlUnauthorizedAccount"):
        roles.grant_role(acc.registrar, REGISTRAR, acc.outsider.address)
    with reverts("AccessControlEnforcedDefaultAdminRules"):
        roles.grant_role(acc.admin, DEFAULT_ADMIN, acc.outsider.address)
    roles.grant_role(acc.admin, ANCHORER, acc.outsider.address)
    assert roles.has_role(ANCHORER, acc.outsider.address)
    roles.revoke_role(acc.admin, ANCHORER, acc.outsider.address)
    assert roles.default_admin_delay() == 3 * DAY
    roles.begin_default_admin_transfer(acc.admin, acc.outsider.address)
    with reverts("AccessControlEnforcedDefaultAdminDelay"):
        roles.accept_default_admin_transfer(acc.outsider)
    roles.cancel_default_admin_transfer(acc.admin)
    roles.begin_default_admin_transfer(acc.admin, acc.outsider.address)
    advance(flow.w3, 3 * DAY + 1)
    with reverts("AccessControlInvalidDefaultAdmin"):
        roles.accept_default_admin_transfer(acc.registrar)
    roles.accept_default_admin_transfer(acc.outsider)
    assert roles.default_admin() == acc.outsider.address
    assert not roles.has_role(DEFAULT_ADMIN, acc.admin.address)
    for client in (
        flow.registry.assets,
        flow.registry.rights,
        flow.registry.certificates,
        flow.registry.evidence,
    ):
        assert Web3.to_checksum_address(client._call("roles")) == roles.address
