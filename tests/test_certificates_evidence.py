"""Certificates (numbers, ERC-721/ERC-5192, status), evidence anchoring and the roles."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.exceptions import ContractLogicError

from registry.certificates import numbers
from registry.certificates.numbers import (
    MAX_SERIAL,
    CertificateNumber,
    center_of,
    coding_month,
    format_number,
    parse_number,
)
from registry.chain import Registry
from registry.chain.client import CertificatesClient
from registry.chain.compiler import Artifact
from registry.chain.deploy import ANCHORER, DEFAULT_ADMIN, MODULE, REGISTRAR
from registry.chain.types import ZERO32, CertificateKind, CertificateStatus
from registry.devtools import DEV_CENTER
from registry.evidence import MerkleTree, leaf_hash, verify
from registry.regions import PROVINCES, Center
from tests.conftest import DAY, Flow, advance, assert_emitted, h, now, reverts


def mine_at(flow: Flow, timestamp: int) -> None:
    """Mines an empty block at ``timestamp``, so the next calls run at that time."""
    flow.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
    flow.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


# ---------------------------------------------------------------- numbers

# The slot of Certificates' month counter: _serialMonth (uint24) and _serial (uint16) share it,
# after ERC721's six slots and _certificates, _grants and _baseUri.
SERIAL_SLOT = 9


def _certificate_of(flow: Flow, asset_id: int) -> str:
    return flow.registry.certificates.number_of(
        flow.registry.assets.get_asset(asset_id).certificate_id
    )


@pytest.mark.parametrize(
    "token_id", [3702026120001, 3212026129999, 8290001010001, 1190001120042, 7102099010100]
)
def test_numbers_agree_between_contract_and_python(flow: Flow, token_id: int) -> None:
    certs = flow.registry.certificates
    number = certs.number_of(token_id)
    assert number == format_number(token_id) == f"SJ{token_id}"
    assert certs.token_id_of(number) == parse_number(number) == token_id


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    province=st.sampled_from(sorted(PROVINCES)),
    digit=st.integers(0, 9),
    year=st.integers(0, 9999),
    month=st.integers(1, 12),
    serial=st.integers(1, MAX_SERIAL),
)
def test_number_format_and_parse_round_trip(
    registry: Registry, province: int, digit: int, year: int, month: int, serial: int
) -> None:
    parts = CertificateNumber(Center(province, digit), year, month, serial)
    number = str(parts)
    assert len(number) == 15
    assert number == f"SJ{province:02d}{digit}{year:04d}{month:02d}{serial:04d}"
    assert numbers.parse(number) == parts
    assert format_number(parts.token_id) == number
    assert center_of(number) == center_of(parts.token_id) == Center(province, digit)
    assert registry.certificates.token_id_of(number) == parts.token_id
    assert registry.certificates.number_of(parts.token_id) == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("SJ370202612000", "SJ and 13 digits"),
        ("SJ37020261200011", "SJ and 13 digits"),
        ("SX3702026120001", "SJ and 13 digits"),
        ("sj3702026120001", "SJ and 13 digits"),
        ("SJ370202612000A", "SJ and 13 digits"),
        ("SJ 370202612000", "SJ and 13 digits"),
        ("2026113702000000017", "SJ and 13 digits"),  # the number before the guide
        ("SJ9902026120001", "province 99"),
        ("SJ3802026120001", "province 38"),
        ("SJ0002026120001", "province 0"),
        ("SJ3702026130001", "month 13"),
        ("SJ3702026000001", "month 00"),
        ("SJ3702026120000", "serial 0000"),
    ],
)
def test_malformed_numbers_are_refused(flow: Flow, number: str, reason: str) -> None:
    with reverts("InvalidCertificateNumber", number):
        flow.registry.certificates.token_id_of(number)
    with pytest.raises(ValueError, match=reason):
        parse_number(number)


def test_full_width_digits_are_not_a_number(flow: Flow) -> None:
    number = "SJ３702026120001"  # a full-width 3: 15 characters, 17 bytes of UTF-8
    with reverts("InvalidCertificateNumber", number):
        flow.registry.certificates.token_id_of(number)
    with pytest.raises(ValueError, match="SJ and 13 digits"):
        parse_number(number)


def test_coding_month_is_beijing_time_at_a_month_boundary(flow: Flow) -> None:
    """23:59 UTC on 31 January is 07:59 on 1 February in Beijing: the February serials."""
    a = flow.registry.assets
    first, second, third = (flow.in_notice(name) for name in ("a", "b", "c"))
    last_january_beijing = 1_896_105_540  # 2030-01-31T15:59:00Z, 23:59 in Beijing
    february_beijing = 1_896_134_340  # 2030-01-31T23:59:00Z, 2030-02-01 07:59 in Beijing
    assert last_january_beijing > max(a.get_asset(x).notice_ends_at for x in (first, second, third))
    assert (coding_month(last_january_beijing), coding_month(february_beijing)) == (203001, 203002)
    mine_at(flow, last_january_beijing)
    a.issue(flow.accounts.registrar, first)
    mine_at(flow, february_beijing)
    a.issue(flow.accounts.registrar, second)
    a.issue(flow.accounts.registrar, third)
    assert [_certificate_of(flow, i) for i in (first, second, third)] == [
        "SJ3702030010001",
        "SJ3702030020001",
        "SJ3702030020002",
    ]


def test_the_9999th_certificate_of_a_month_is_issued_and_the_10000th_refused(flow: Flow) -> None:
    a, certs, w3 = flow.registry.assets, flow.registry.certificates, flow.w3
    first, last, refused = (flow.in_notice(name) for name in ("a", "b", "c"))
    march = 1_899_763_200  # 2030-03-15T00:00:00Z
    mine_at(flow, march)
    a.issue(flow.accounts.registrar, first)
    assert _certificate_of(flow, first) == "SJ3702030030001"
    slot = w3.eth.get_storage_at(certs.address, SERIAL_SLOT)
    assert int.from_bytes(slot, "big") == 203003 | 1 << 24, "the month counter moved slot"
    w3.provider.make_request(  # type: ignore[arg-type]
        "hardhat_setStorageAt",  # anvil answers it too
        [certs.address, hex(SERIAL_SLOT), "0x" + f"{203003 | 9998 << 24:064x}"],
    )
    receipt = a.issue_tx(flow.accounts.registrar, last)
    token = a.get_asset(last).certificate_id
    assert certs.number_of(token) == "SJ3702030039999"
    assert_emitted(
        receipt,
        certs,
        "CertificateIssued",
        certificateId=token,
        assetId=last,
        holder=flow.accounts.holder.address,
        kind=CertificateKind.REGISTRATION,
        expiresAt=certs.get_certificate(token).expires_at,
        grantId=ZERO32,
    )
    with reverts("SerialExhausted", 203003):
        a.issue(flow.accounts.registrar, refused)
    mine_at(flow, 1_901_203_200)  # 2030-04-01 in Beijing (2030-03-31T16:00:00Z)
    a.issue(flow.accounts.registrar, refused)
    assert _certificate_of(flow, refused) == "SJ3702030040001"


def _constructor(flow: Flow, artifacts: dict[str, Artifact], *args: object) -> str:
    """The creation code of a Certificates contract on the session registry's roles and assets,
    numbering as ``args`` (province, center)."""
    art = artifacts["Certificates"]
    factory = flow.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    roles, assets = flow.registry.roles.address, flow.registry.assets.address
    return str(factory.constructor(roles, assets, *args).data_in_transaction)


@pytest.mark.parametrize(
    ("province", "center", "error", "value"),
    [
        (38, 0, "InvalidProvince", 38),
        (0, 0, "InvalidProvince", 0),
        (66, 0, "InvalidProvince", 66),
        (83, 0, "InvalidProvince", 83),
        (37, 10, "InvalidCenter", 10),
        (37, 255, "InvalidCenter", 255),
    ],
)
def test_invalid_province_or_center_is_refused_at_deploy(
    flow: Flow,
    artifacts: dict[str, Artifact],
    province: int,
    center: int,
    error: str,
    value: int,
) -> None:
    data = _constructor(flow, artifacts, province, center)
    with pytest.raises(ContractLogicError) as info:
        flow.w3.eth.call({"from": flow.accounts.admin.address, "data": data})
    refusal = flow.registry.chain.refusal({"data": info.value.data})
    assert (refusal.name, refusal.args_) == (error, (value,))
    with pytest.raises(
        ValueError, match=f"{'province' if error == 'InvalidProvince' else 'center'} {value}"
    ):
        Center(province, center)


def test_the_center_is_set_at_deploy_emitted_and_numbers_every_certificate(
    flow: Flow, artifacts: dict[str, Artifact]
) -> None:
    w3, acc = flow.w3, flow.accounts
    tx = {
        "from": acc.admin.address,
        "data": _constructor(flow, artifacts, 32, 7),
        "nonce": w3.eth.get_transaction_count(acc.admin.address),
        "gas": 5_000_000,
        "gasPrice": w3.eth.gas_price,
        "chainId": w3.eth.chain_id,
    }
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(acc.admin.sign_transaction(tx).raw_transaction)
    )
    certs = CertificatesClient(
        flow.registry.chain, str(receipt["contractAddress"]), artifacts["Certificates"].abi
    )
    assert_emitted(receipt, certs, "CenterSet", province=32, center=7)
    assert certs.center == Center(32, 7)
    assert flow.registry.certificates.center == DEV_CENTER == Center(37, 0)
    flow.registry.roles.grant_role(acc.admin, MODULE, acc.outsider.address)
    token = certs.mint(
        acc.outsider, acc.holder.address, 1, CertificateKind.REGISTRATION, now(w3) + DAY, ZERO32, 0
    )
    assert certs.number_of(token) == f"SJ327{coding_month(now(w3))}0001"
    assert center_of(certs.number_of(token)) == Center(32, 7)


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
    flow.past_notice(asset_id)
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
