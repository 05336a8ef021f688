"""Cross-region recognition, piece by piece on the session chain (which plays the partner too):
relayed headers and their linkage, EIP-1186 storage proofs checked in Python, the partner
registrar's attestation checked on chain, and every refusal named."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
import solcx
from eth_account.signers.local import LocalAccount
from web3 import Web3

from registry.certificates.credential import issue_credential
from registry.certificates.numbers import format_number
from registry.chain import Registry
from registry.chain.compiler import standard_input
from registry.chain.deploy import MEDIATOR
from registry.chain.recognition import Agreement, AgreementStatus, RecognitionRequest
from registry.recognition import Partner, ProofError, RefusedError, verify_proofs
from registry.recognition.headers import verified_header
from registry.recognition.mediator import check_attestation, recognition_request
from registry.recognition.origin import (
    ASSETS_SLOT,
    CERTIFICATES_OWNERS_SLOT,
    CERTIFICATES_SLOT,
    OriginState,
    fetch_proofs,
)
from registry.regions import Center
from tests.conftest import ROOT, Accounts, Flow, h, now, reverts

PARTNER = 321000


def test_storage_slots_match_the_compiler() -> None:
    source = standard_input(ROOT)
    source["settings"]["outputSelection"] = {"*": {"*": ["storageLayout"]}}
    output = solcx.compile_standard(
        source, solc_binary=ROOT / "scripts" / "solc", allow_empty=True, base_path=str(ROOT)
    )
    slots = {
        (name, item["label"]): int(item["slot"])
        for contracts in output["contracts"].values()
        for name, data in contracts.items()
        for item in data.get("storageLayout", {}).get("storage", [])
    }
    assert slots[("Certificates", "_owners")] == CERTIFICATES_OWNERS_SLOT
    assert slots[("Certificates", "_certificates")] == CERTIFICATES_SLOT
    assert slots[("AssetRegistry", "_assets")] == ASSETS_SLOT


class Partnership:
    """The session registry recognising its own certificates as if from region 321000."""

    def __init__(self, registry: Registry, accounts: Accounts, w3: Web3) -> None:
        assert registry.recognition is not None
        self.registry, self.accounts, self.w3 = registry, accounts, w3
        self.recognition = registry.recognition
        self.mediator: LocalAccount = accounts.grantee2
        registry.roles.grant_role(accounts.admin, MEDIATOR, self.mediator.address)
        anchor = w3.eth.get_block("latest")
        self.agreement = Agreement(
            chain_id=registry.chain.chain_id,
            certificates=registry.certificates.address,
            assets=registry.assets.address,
            classifications=0b11,
            kinds=0b111,
            valid_from=now(w3) - 10,
            valid_until=now(w3) + 365 * 86_400,
            status=AgreementStatus.ACTIVE,
            anchor_number=int(anchor["number"]),
            anchor_hash=bytes(anchor["hash"]),
            max_age=3,
        )
        self.recognition.set_agreement(
            accounts.admin, PARTNER, self.agreement, [accounts.registrar.address]
        )

    def relay(self) -> int:
        """Relays every header up to the current head; returns that block."""
        relayed, _ = self.recognition.head(PARTNER)
        head = int(self.w3.eth.block_number)
        first = self.agreement.anchor_number if relayed == 0 else relayed + 1
        headers = [verified_header(dict(self.w3.eth.get_block(n))) for n in range(first, head + 1)]
        self.recognition.relay_headers(self.mediator, PARTNER, headers)
        return head

    def proven(self, token: int, block: int) -> tuple[OriginState, dict[str, Any]]:
        checkpoint = self.recognition.checkpoint(PARTNER, block)
        material = fetch_proofs(
            self.w3, self.agreement.certificates, self.agreement.assets, token, block
        )
        state = verify_proofs(
            material,
            checkpoint.state_root,
            checkpoint.timestamp,
            self.agreement.certificates,
            self.agreement.assets,
        )
        return state, material

    def credential(self, token: int, signer: LocalAccount) -> dict[str, Any]:
        cert = self.registry.certificates.get_certificate(token)
        record = {
            "number": format_number(token),
            "holder": self.registry.certificates.owner_of(token),
            "asset_id": cert.asset_id,
            "kind": int(cert.kind),
            "issued_at": cert.issued_at,
            "expires_at": cert.expires_at,
            "token_id": token,
        }
        manifest = "0x" + self.registry.assets.get_asset(cert.asset_id).manifest_hash.hex()
        return issue_credential(
            record,
            manifest,
            signer,
            self.registry.chain.chain_id,
            self.registry.certificates.address,
            "valid",
            "http://127.0.0.1/status",
        )

    def request(self, state: OriginState, credential: dict[str, Any]) -> RecognitionRequest:
        return recognition_request(PARTNER, state, credential, h("rights"))

    def attested(self, token: int, block: int) -> tuple[OriginState, dict[str, Any], bytes]:
        """The proven state of ``token`` at ``block``, its registrar credential, and that
        credential's signature once checked against the agreement."""
        state, _ = self.proven(token, block)
        credential = self.credential(token, self.accounts.registrar)
        signature = check_attestation(
            credential, state, self.agreement, [self.accounts.registrar.address]
        )
        return state, credential, signature


@pytest.fixture
def partnership(registry: Registry, accounts: Accounts, w3: Web3) -> Partnership:
    return Partnership(registry, accounts, w3)


def issued_token(flow: Flow, name: str) -> int:
    asset_id = flow.issued(name)
    return int(flow.registry.assets.get_asset(asset_id).certificate_id)


def test_recognition_is_recorded_from_a_proof_and_attestation(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    token = issued_token(flow, "recognised")
    block = partnership.relay()
    state, credential, signature = partnership.attested(token, block)
    assert state.holder == accounts.holder.address
    assert state.status.name == "VALID"
    partnership.recognition.record(
        partnership.mediator, partnership.request(state, credential), signature
    )
    record = partnership.recognition.recognition(PARTNER, token)
    assert record.recognised
    assert record.holder == accounts.holder.address
    assert record.proof_block == block
    assert record.recognised_since > 0


def test_revocation_proven_at_a_later_block_lapses_the_recognition(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    token = issued_token(flow, "lapses")
    block = partnership.relay()
    state, credential, signature = partnership.attested(token, block)
    partnership.recognition.record(
        partnership.mediator, partnership.request(state, credential), signature
    )
    flow.registry.assets.revoke(accounts.registrar, state.asset_id, h("court order"))
    later = partnership.relay()
    revoked, _ = partnership.proven(token, later)
    assert revoked.status.name == "REVOKED"
    partnership.recognition.record(
        partnership.mediator, partnership.request(revoked, credential), signature
    )
    record = partnership.recognition.recognition(PARTNER, token)
    assert not record.recognised
    assert record.origin_status == int(revoked.status)
    with reverts("StaleProof"):
        partnership.recognition.record(
            partnership.mediator, partnership.request(state, credential), signature
        )


def test_forged_attestation_is_refused_here_and_on_chain(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    token = issued_token(flow, "forged")
    block = partnership.relay()
    state, _ = partnership.proven(token, block)
    forged = partnership.credential(token, accounts.outsider)
    with pytest.raises(RefusedError) as refused:
        check_attestation(forged, state, partnership.agreement, [accounts.registrar.address])
    assert refused.value.reason == "attestor-not-in-agreement"
    signature = bytes.fromhex(forged["proof"]["proofValue"][2:])
    with reverts("UnauthorisedAttestor"):
        partnership.recognition.record(
            partnership.mediator, partnership.request(state, forged), signature
        )
    # A genuine signature over other claims (another holder) does not pass either.
    genuine = partnership.credential(token, accounts.registrar)
    altered = copy.deepcopy(genuine)
    altered["credentialSubject"]["holder"] = accounts.outsider.address
    with pytest.raises(RefusedError) as mismatch:
        check_attestation(altered, state, partnership.agreement, [accounts.registrar.address])
    assert mismatch.value.reason in ("attestor-not-in-agreement", "attestation-mismatch")
    lie = replace(partnership.request(state, genuine), holder=accounts.outsider.address)
    with reverts("UnauthorisedAttestor"):
        partnership.recognition.record(
            partnership.mediator, lie, bytes.fromhex(genuine["proof"]["proofValue"][2:])
        )


def test_tampered_proof_or_unknown_root_is_refused(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    token = issued_token(flow, "tampered")
    block = partnership.relay()
    checkpoint = partnership.recognition.checkpoint(PARTNER, block)
    _, material = partnership.proven(token, block)
    args = (partnership.agreement.certificates, partnership.agreement.assets)
    tampered = copy.deepcopy(material)
    node = tampered["accounts"][0]["storage"][0]["proof"][-1]
    tampered["accounts"][0]["storage"][0]["proof"][-1] = node[:-2] + (
        "00" if node[-2:] != "00" else "01"
    )
    with pytest.raises(ProofError):
        verify_proofs(tampered, checkpoint.state_root, checkpoint.timestamp, *args)
    with pytest.raises(ProofError):
        verify_proofs(material, h("another root"), checkpoint.timestamp, *args)
    state, credential, signature = partnership.attested(token, block)
    unknown = replace(partnership.request(state, credential), proof_block=block + 1000)
    with reverts("UnknownCheckpoint"):
        partnership.recognition.record(partnership.mediator, unknown, signature)


def test_expired_agreement_and_unknown_partner_are_refused(
    partnership: Partnership, flow: Flow, accounts: Accounts, w3: Web3
) -> None:
    token = issued_token(flow, "expired-agreement")
    block = partnership.relay()
    state, credential, signature = partnership.attested(token, block)
    request = partnership.request(state, credential)
    expired = replace(partnership.agreement, valid_from=now(w3) - 20, valid_until=now(w3) - 10)
    partnership.recognition.set_agreement(
        accounts.admin, PARTNER, expired, [accounts.registrar.address]
    )
    assert not partnership.recognition.in_force(PARTNER)
    with reverts("AgreementNotInForce"):
        partnership.recognition.record(partnership.mediator, request, signature)
    with reverts("UnknownPartner"):
        partnership.recognition.record(
            partnership.mediator, replace(request, region=110000), signature
        )


def test_headers_must_link_to_the_last_one(partnership: Partnership, flow: Flow) -> None:
    flow.issued("linkage")
    block = partnership.relay()
    flow.applied("after")
    flow.applied("after-2")
    skipped = verified_header(dict(partnership.w3.eth.get_block(block + 2)))
    with reverts("BrokenLinkage"):
        partnership.recognition.relay_headers(partnership.mediator, PARTNER, [skipped])
    assert partnership.recognition.head(PARTNER)[0] == block


def test_only_the_admin_makes_agreements_and_only_the_mediator_relays(
    partnership: Partnership, accounts: Accounts
) -> None:
    with reverts("AccessControlUnauthorizedAccount"):
        partnership.recognition.set_agreement(
            accounts.registrar, PARTNER, partnership.agreement, [accounts.registrar.address]
        )
    with reverts("AccessControlUnauthorizedAccount"):
        partnership.recognition.relay_headers(accounts.registrar, PARTNER, [])


def test_an_agreement_without_an_answer_age_is_refused(
    partnership: Partnership, accounts: Accounts
) -> None:
    with reverts("InvalidAgreement"):
        partnership.recognition.set_agreement(
            accounts.admin,
            PARTNER,
            replace(partnership.agreement, max_age=0),
            [accounts.registrar.address],
        )
    assert partnership.recognition.get_agreement(PARTNER).max_age == 3


def test_a_partner_serves_the_center_read_at_its_agreement_else_its_regions() -> None:
    assert Partner(330700, "http://rpc", "http://api", "339").serving == Center(33, 9)
    assert Partner(330700, "http://rpc", "http://api").serving == Center(33, 1)  # the sample's
    assert Partner(440300, "http://rpc", "http://api").serving == Center(44, 0)
    with pytest.raises(ValueError, match="three digits"):
        Center.of("37")
