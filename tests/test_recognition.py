"""Cross-region recognition, piece by piece on the session chain (which plays the partner too):
relayed headers and their linkage, EIP-1186 storage proofs checked in Python, the partner
registrar's attestation checked on chain, and every refusal named."""

from __future__ import annotations

import ast
import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import solcx
from eth_account.signers.local import LocalAccount
from web3 import Web3

from registry.chain import Registry
from registry.chain.compiler import Artifact, standard_input
from registry.chain.deploy import MEDIATOR
from registry.chain.node import EmbeddedNode
from registry.chain.recognition import Agreement, AgreementStatus, RecognitionRequest
from registry.chain.types import AnnotationKind, CertificateStatus, RightKind
from registry.content.cid import RAW, Cid
from registry.devtools import DEV_CENTER, DEV_REGION
from registry.recognition import Mediator, Partner, ProofError, RefusedError, verify_proofs
from registry.recognition.answers import RecognitionAnswer, answer, history
from registry.recognition.headers import verified_header
from registry.recognition.mediator import check_standing, recognition_request, save_partner
from registry.recognition.origin import (
    ANNOTATIONS_SLOT,
    ASSETS_SLOT,
    CERTIFICATE_GRANTS_SLOT,
    CERTIFICATES_OWNERS_SLOT,
    CERTIFICATES_SLOT,
    GRANTS_SLOT,
    PLEDGEES_SLOT,
    RIGHTS_SLOT,
    OriginState,
    fetch_proofs,
)
from registry.recognition.standing import (
    domain_of,
    origin_standing,
    sign_standing,
    standing_message,
)
from registry.regions import Center
from registry.web.i18n import translator
from tests.conftest import ROOT, Accounts, Flow, advance, assert_emitted, h, now, reverts
from tests.test_lifecycle import act

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
    assert slots[("Certificates", "_grants")] == CERTIFICATE_GRANTS_SLOT
    assert slots[("AssetRegistry", "_assets")] == ASSETS_SLOT
    assert slots[("AssetRegistry", "_pledgees")] == PLEDGEES_SLOT
    assert slots[("AssetRegistry", "_rights")] == RIGHTS_SLOT
    assert slots[("Annotations", "_entries")] == ANNOTATIONS_SLOT
    assert slots[("RightsRegistry", "_grants")] == GRANTS_SLOT


def year_long_agreement(registry: Registry) -> Agreement:
    """An active agreement with the session chain as the origin: both classifications, every
    kind, a year from now, anchored at the head, answers at most 3 s old."""
    w3 = registry.chain.w3
    anchor = w3.eth.get_block("latest")
    return Agreement(
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


class Partnership:
    """The session registry recognising its own certificates as if from region 321000."""

    def __init__(self, registry: Registry, accounts: Accounts, w3: Web3) -> None:
        assert registry.recognition is not None
        self.registry, self.accounts, self.w3 = registry, accounts, w3
        self.recognition = registry.recognition
        self.mediator: LocalAccount = accounts.grantee2
        registry.roles.grant_role(accounts.admin, MEDIATOR, self.mediator.address)
        self.agreement = year_long_agreement(registry)
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

    @property
    def contracts(self) -> dict[str, str]:
        return {
            "Certificates": self.registry.certificates.address,
            "AssetRegistry": self.registry.assets.address,
            "Annotations": self.registry.annotations.address,
        }

    def proven(self, token: int, block: int) -> tuple[OriginState, dict[str, Any]]:
        checkpoint = self.recognition.checkpoint(PARTNER, block)
        contracts = self.contracts
        material = fetch_proofs(
            self.w3,
            contracts["Certificates"],
            contracts["AssetRegistry"],
            token,
            block,
            contracts["Annotations"],
        )
        state = verify_proofs(
            material,
            checkpoint.state_root,
            checkpoint.timestamp,
            contracts["Certificates"],
            contracts["AssetRegistry"],
            contracts["Annotations"],
        )
        return state, material

    def signed(self, token: int, block: int, signer: LocalAccount) -> dict[str, Any]:
        """The standing at ``block`` as the origin signs it, with ``signer``'s key."""
        return origin_standing(self.w3, self.contracts, token, block, signer)

    def request(self, state: OriginState) -> RecognitionRequest:
        return recognition_request(PARTNER, state)

    def attested(self, token: int, block: int) -> tuple[OriginState, bytes]:
        """The proven state of ``token`` at ``block`` and the origin registrar's signature of
        it, once checked against the proof and the agreement."""
        state, _ = self.proven(token, block)
        signature = check_standing(
            self.signed(token, block, self.accounts.registrar),
            state,
            self.recognition.checkpoint(PARTNER, block),
            self.agreement,
            [self.accounts.registrar.address],
        )
        return state, signature


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
    state, signature = partnership.attested(token, block)
    assert state.holder == accounts.holder.address
    assert state.status.name == "VALID"
    receipt = partnership.recognition.record(
        partnership.mediator, partnership.request(state), signature
    )
    assert_emitted(
        receipt,
        partnership.recognition,
        "RecognitionRecorded",
        region=PARTNER,
        certificateId=token,
        holder=accounts.holder.address,
        recognised=True,
        originStatus=int(CertificateStatus.VALID),
        frozen=False,
        annotations=0,
        proofBlock=block,
    )
    record = partnership.recognition.recognition(PARTNER, token)
    assert record.recognised
    assert record.holder == accounts.holder.address
    assert record.proof_block == block
    # "Recognised since" is when this chain recorded it, within the agreement: never a time
    # before the agreement's start (issue 18 finding 8).
    recorded_at = partnership.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert record.recognised_since == recorded_at >= partnership.agreement.valid_from


def test_revocation_proven_at_a_later_block_lapses_the_recognition(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    token = issued_token(flow, "lapses")
    block = partnership.relay()
    state, signature = partnership.attested(token, block)
    partnership.recognition.record(partnership.mediator, partnership.request(state), signature)
    flow.registry.assets.revoke(accounts.registrar, state.asset_id, h("court order"))
    later = partnership.relay()
    revoked, revocation = partnership.attested(token, later)
    assert revoked.status.name == "REVOKED"
    partnership.recognition.record(partnership.mediator, partnership.request(revoked), revocation)
    record = partnership.recognition.recognition(PARTNER, token)
    assert not record.recognised
    assert record.origin_status == int(revoked.status)
    assert record.recognised_since == 0  # withdrawn: no "recognised since" left standing
    with reverts("StaleProof", block, later):
        partnership.recognition.record(partnership.mediator, partnership.request(state), signature)


def test_forged_attestation_is_refused_here_and_on_chain(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    token = issued_token(flow, "forged")
    block = partnership.relay()
    state, _ = partnership.proven(token, block)
    checkpoint = partnership.recognition.checkpoint(PARTNER, block)
    keys = [accounts.registrar.address]
    forged = partnership.signed(token, block, accounts.outsider)
    with pytest.raises(RefusedError) as refused:
        check_standing(forged, state, checkpoint, partnership.agreement, keys)
    assert refused.value.reason == "attestor-not-in-agreement"
    with reverts("UnattestedStanding", PARTNER, token, accounts.outsider.address):
        partnership.recognition.record(
            partnership.mediator,
            partnership.request(state),
            bytes.fromhex(forged["signature"][2:]),
        )
    # A genuine signature over another standing (another holder) does not pass either.
    genuine = partnership.signed(token, block, accounts.registrar)
    altered = copy.deepcopy(genuine)
    altered["message"]["holder"] = accounts.outsider.address
    with pytest.raises(RefusedError) as mismatch:
        check_standing(altered, state, checkpoint, partnership.agreement, keys)
    assert mismatch.value.reason == "attestation-mismatch"
    lie = replace(partnership.request(state), holder=accounts.outsider.address)
    with reverts("UnattestedStanding") as info:
        partnership.recognition.record(
            partnership.mediator, lie, bytes.fromhex(genuine["signature"][2:])
        )
    assert info.value.args_[:2] == (PARTNER, token)
    assert info.value.args_[2] != accounts.registrar.address


def test_the_mediator_alone_cannot_record_a_revoked_certificate_as_valid(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    """Item 6 of the issue: the mediator relays the headers and sends the record, and it once
    decided alone. Now the origin's registrar signs each standing at its block: a revoked
    certificate called valid, signed by the mediator's own key or carrying the origin's
    signature of the revocation, is refused on chain, naming the rule and the signer."""
    token = issued_token(flow, "revoked-called-valid")
    asset_id = flow.registry.certificates.get_certificate(token).asset_id
    flow.registry.assets.revoke(accounts.registrar, asset_id, h("court order"))
    block = partnership.relay()
    revoked, revocation = partnership.attested(token, block)
    assert revoked.status == CertificateStatus.REVOKED
    lie = replace(partnership.request(revoked), origin_status=int(CertificateStatus.VALID))
    checkpoint = partnership.recognition.checkpoint(PARTNER, block)
    message = {**standing_message(revoked, checkpoint.block_hash), "status": 1}
    domain = domain_of(partnership.agreement.chain_id, partnership.agreement.certificates)
    own = sign_standing(message, partnership.mediator, domain)
    with reverts("UnattestedStanding", PARTNER, token, partnership.mediator.address):
        partnership.recognition.record(partnership.mediator, lie, own)
    with reverts("UnattestedStanding") as info:
        partnership.recognition.record(partnership.mediator, lie, revocation)
    assert info.value.args_[2] not in (accounts.registrar.address, partnership.mediator.address)
    assert not partnership.recognition.recognition(PARTNER, token).recognised
    # The origin's signature of the revocation is recorded as what it says.
    partnership.recognition.record(partnership.mediator, partnership.request(revoked), revocation)
    recorded = partnership.recognition.recognition(PARTNER, token)
    assert recorded.origin_status == int(CertificateStatus.REVOKED)
    assert not recorded.recognised


def test_seizure_pledge_and_licence_grant_are_proven_and_signed(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    """Item 7: what banks and exchanges ask is in the proven words and the signed standing:
    the annotations in force (a seizure), the pledgee, and a licence certificate's grant."""
    registry = flow.registry
    asset_id = flow.issued("pledged-then-seized")
    token = int(registry.assets.get_asset(asset_id).certificate_id)
    grant_id = flow.grant(asset_id)
    licence = registry.rights.register_licence(
        accounts.registrar, asset_id, RightKind.PROCESSING, accounts.grantee.address, h("scenario")
    )
    act(flow, "pledge", asset_id)
    flow.seize(asset_id)
    block = partnership.relay()
    state, signature = partnership.attested(token, block)
    assert state.frozen
    assert state.pledgee == accounts.pledgee.address
    assert state.annotations_in_force == 1 << AnnotationKind.SEIZURE
    assert [a.kind for a in state.annotations] == [AnnotationKind.SEIZURE]
    receipt = partnership.recognition.record(
        partnership.mediator, partnership.request(state), signature
    )
    (event,) = partnership.recognition.events(receipt, "RecognitionRecorded")
    assert event["args"]["frozen"]
    assert not event["args"]["recognised"]
    assert event["args"]["annotations"] == 1 << AnnotationKind.SEIZURE
    recorded = partnership.recognition.recognition(PARTNER, token)
    assert recorded.pledgee == accounts.pledgee.address
    assert recorded.annotations == 1 << AnnotationKind.SEIZURE
    granted, _ = partnership.proven(licence, block)
    assert granted.grant is not None
    assert (
        granted.grant_id
        == "0x" + grant_id.hex()
        == "0x" + registry.certificates.grant_of(licence).hex()
    )
    assert granted.grant.kind == RightKind.PROCESSING
    assert not granted.grant.revoked
    assert state.grant is None  # a registration certificate has none


def test_an_administrative_control_is_proven_with_a_seizure_and_lifted_alone(
    partnership: Partnership, flow: Flow, accounts: Accounts
) -> None:
    """Item 4: a temporary administrative control (行政管控, art. 23 (3)) is in the proven
    annotation words beside a seizure, each its own bit, and its lifting leaves the other."""
    registry = flow.registry
    asset_id = flow.issued("controlled")
    token = int(registry.assets.get_asset(asset_id).certificate_id)
    control = registry.annotations.annotate(
        accounts.registrar,
        asset_id,
        AnnotationKind.ADMINISTRATIVE_CONTROL,
        h("authority"),
        h("control order"),
        h("controlled"),
    )
    flow.seize(asset_id)
    both = (1 << AnnotationKind.SEIZURE) | (1 << AnnotationKind.ADMINISTRATIVE_CONTROL)
    state, _signature = partnership.attested(token, partnership.relay())
    assert state.annotations_in_force == both
    kinds = sorted(a.kind for a in state.annotations)
    assert kinds == [AnnotationKind.SEIZURE, AnnotationKind.ADMINISTRATIVE_CONTROL]
    flow.lift(control)
    state, signature = partnership.attested(token, partnership.relay())
    assert state.annotations_in_force == 1 << AnnotationKind.SEIZURE
    receipt = partnership.recognition.record(
        partnership.mediator, partnership.request(state), signature
    )
    (event,) = partnership.recognition.events(receipt, "RecognitionRecorded")
    assert event["args"]["annotations"] == 1 << AnnotationKind.SEIZURE


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
    state, signature = partnership.attested(token, block)
    unknown = replace(partnership.request(state), proof_block=block + 1000)
    with reverts("UnknownCheckpoint", PARTNER, block + 1000):
        partnership.recognition.record(partnership.mediator, unknown, signature)


def test_expired_agreement_and_unknown_partner_are_refused(
    partnership: Partnership, flow: Flow, accounts: Accounts, w3: Web3
) -> None:
    token = issued_token(flow, "expired-agreement")
    block = partnership.relay()
    state, signature = partnership.attested(token, block)
    request = partnership.request(state)
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


def test_a_freeze_and_its_lift_show_in_the_history_and_since_restarts(
    partnership: Partnership,
    flow: Flow,
    accounts: Accounts,
    artifacts: dict[str, Artifact],
    tmp_path: Path,
) -> None:
    """Item 7: after a freeze and its lift ``since`` stayed at the first date and the gap was
    invisible. Now each recorded standing is an event, the history has a period per change,
    and a recognition granted again starts a new ``recognisedSince``."""
    token = issued_token(flow, "frozen-and-lifted")
    asset_id = flow.registry.certificates.get_certificate(token).asset_id

    def record() -> int:
        block = partnership.relay()
        state, signature = partnership.attested(token, block)
        partnership.recognition.record(partnership.mediator, partnership.request(state), signature)
        return partnership.recognition.recognition(PARTNER, token).recognised_since

    first = record()
    seizure = flow.seize(asset_id)
    assert record() == 0
    flow.lift(seizure)
    advance(flow.w3, 5)
    again = record()
    assert again > first
    mediator = Mediator(
        flow.registry,
        artifacts,
        partnership.mediator,
        tmp_path / "partners.json",
        tmp_path / "journal.db",
    )
    try:
        periods = history(mediator, PARTNER, token)
    finally:
        mediator.close()
    assert [(p.recognised, p.frozen, p.annotations) for p in periods] == [
        (True, False, []),
        (False, True, ["seizure"]),
        (True, False, []),
    ]
    assert periods[2].since == again
    assert periods[0].since == first <= periods[1].since < periods[2].since


class OwnRegion:
    """A mediator following the session chain as its own region (370200), as a partner region
    would be followed: its certificates pass the region rule, and the registrar's standing is
    signed in-process instead of asked of a registry over HTTP."""

    def __init__(
        self,
        registry: Registry,
        accounts: Accounts,
        artifacts: dict[str, Artifact],
        url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        assert registry.recognition is not None
        w3 = registry.chain.w3
        registry.roles.grant_role(accounts.admin, MEDIATOR, accounts.grantee2.address)
        registry.recognition.set_agreement(
            accounts.admin,
            DEV_REGION,
            year_long_agreement(registry),
            [accounts.registrar.address],
        )
        self.partner = Partner(
            DEV_REGION,
            url,
            "http://origin.invalid",
            DEV_CENTER.code,
            registry.annotations.address,
        )
        save_partner(tmp_path / "partners.json", self.partner)
        self.mediator = Mediator(
            registry,
            artifacts,
            accounts.grantee2,
            tmp_path / "partners.json",
            tmp_path / "journal.db",
            rpc_timeout=10,
        )
        contracts = {
            "Certificates": registry.certificates.address,
            "AssetRegistry": registry.assets.address,
            "Annotations": registry.annotations.address,
        }
        self.signed: list[int] = []

        def standing(_partner: Partner, token: int, block: int) -> dict[str, Any]:
            self.signed.append(block)
            return origin_standing(w3, contracts, token, block, accounts.registrar)

        monkeypatch.setattr(self.mediator, "_standing", standing)

    def round(self) -> None:
        self.mediator.round(self.partner)

    def answer(self, token: int) -> RecognitionAnswer:
        return answer(self.mediator, DEV_REGION, token)


@pytest.fixture
def own_region(
    registry: Registry,
    accounts: Accounts,
    artifacts: dict[str, Artifact],
    node: EmbeddedNode,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[OwnRegion]:
    region = OwnRegion(registry, accounts, artifacts, node.url, tmp_path, monkeypatch)
    try:
        yield region
    finally:
        region.mediator.close()


def test_an_answer_taken_as_its_record_lands_rests_on_the_records_block(
    own_region: OwnRegion, flow: Flow, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of issue 18: an answer's ``as_of.origin_block`` once lagged its record's
    ``proof_block`` in the federation test. A round records each change before it keeps the
    round's freshness, so an answer read in between found the new record and the last round's
    block. Here every answer is taken at exactly that moment, not by luck: right after the
    record lands, and (for a withdrawal, answered from the journal first) right before."""
    own_region.round()  # a round with nothing to check: the freshness of an earlier block
    before = own_region.mediator.freshness(DEV_REGION)
    assert before is not None
    token = issued_token(flow, "answered-mid-round")
    recognition = own_region.mediator.recognition
    landed: list[RecognitionAnswer] = []
    record = recognition.record

    def record_then_answer(*args: Any, **kwargs: Any) -> Any:
        receipt = record(*args, **kwargs)
        landed.append(own_region.answer(token))
        return receipt

    monkeypatch.setattr(recognition, "record", record_then_answer)
    own_region.round()
    (issued,) = landed
    assert issued.record is not None
    assert issued.as_of is not None
    assert issued.status == "recognised"
    assert issued.record.proof_block > before.block
    assert issued.as_of.origin_block >= issued.record.proof_block
    assert issued.evidence is not None
    assert issued.evidence.block == issued.record.proof_block

    asset_id = flow.registry.certificates.get_certificate(token).asset_id
    flow.registry.assets.revoke(accounts.registrar, asset_id, h("court order"))
    standing = own_region.mediator._standing
    withdrawn: list[RecognitionAnswer] = []

    def answer_then_standing(partner: Partner, asked: int, block: int) -> dict[str, Any]:
        withdrawn.append(own_region.answer(asked))  # the journal's withdrawal, not yet on chain
        return standing(partner, asked, block)

    monkeypatch.setattr(own_region.mediator, "_standing", answer_then_standing)
    own_region.round()
    (journal,) = withdrawn
    revoked = landed[-1]
    assert journal.status == revoked.status == "not_recognised"
    assert journal.reason == revoked.reason == "revoked"
    proven_at = own_region.signed[-1]
    assert journal.record is not None
    assert journal.record.proof_block < proven_at
    assert journal.as_of is not None
    assert journal.as_of.origin_block >= proven_at
    assert revoked.record is not None
    assert revoked.record.proof_block == proven_at
    assert revoked.as_of is not None
    assert revoked.as_of.origin_block >= proven_at


def test_names_come_from_the_origins_manifest_only_when_it_hashes_to_the_proven_word(
    own_region: OwnRegion,
    flow: Flow,
    accounts: Accounts,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The page's names are the origin's public manifest's, fetched from its registry at a
    round's end; bytes that do not hash to the manifest word the origin proved name nothing."""

    def manifest(name: str) -> str:
        holder = {"name_zh": f"{name}公司", "name_en": "", "account": accounts.holder.address}
        return json.dumps({"name_zh": name, "name_en": "", "holder": holder}, ensure_ascii=False)

    # A stand-in name's hash is the SHA-256 of the name: here, of the manifest's own bytes.
    true, other = manifest("港口数据"), manifest("另一数据")
    named = issued_token(flow, true)
    unnamed = issued_token(flow, other)
    served = {
        flow.registry.certificates.get_certificate(named).asset_id: true.encode(),
        flow.registry.certificates.get_certificate(unnamed).asset_id: b" " + other.encode(),
    }
    by_cid: dict[str, bytes] = {}
    for data in served.values():
        by_cid[str(Cid(1, RAW, hashlib.sha256(data).digest()))] = data

    def origin(request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/")
        if path[2] == "assets":
            data = served[int(path[3])]
            return httpx.Response(
                200,
                json={"cid_codec": RAW, "manifest_cid": "0x" + hashlib.sha256(data).hexdigest()},
            )
        return httpx.Response(200, content=by_cid[path[3]])

    client = httpx.Client
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: client(transport=httpx.MockTransport(origin), **kw)
    )
    own_region.round()
    names = own_region.answer(named).names
    assert names is not None
    assert (names.asset_name_zh, names.holder_name_zh) == ("港口数据", "港口数据公司")
    assert own_region.answer(unnamed).names is None
    assert "manifest from its registry is not" in caplog.text


def test_every_reason_an_answer_can_give_is_worded_on_the_page() -> None:
    """The page says why in words, Chinese and English, for each slug the mediator refuses with
    or an answer gives (they are read from the code, so a new one cannot go unworded); the
    slug and its detail (Unix times, a check's own message) stay in the API."""
    slugs = {"frozen"} | {s.name.lower() for s in CertificateStatus if s > CertificateStatus.VALID}
    for module in ("mediator", "answers"):
        tree = ast.parse((ROOT / "registry" / "recognition" / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RefusedError":
                slugs.add(node.args[0].value)  # type: ignore[attr-defined]
            if isinstance(node, ast.Dict):
                slugs |= {
                    v.value
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "reason"
                    if isinstance(v, ast.Constant)
                }
    assert {"unknown-certificate", "foreign-region", "older-than-max-age"} <= slugs
    for lang in ("zh", "en"):
        t = translator(lang)
        assert [s for s in sorted(slugs) if t(f"rec.reason.{s}", "") == ""] == [], lang
    page = (ROOT / "registry" / "web" / "templates" / "recognition.html").read_text()
    assert "detail" not in page


def test_a_regions_recheck_queue_is_bounded_and_leaves_other_regions_room(
    registry: Registry, accounts: Accounts, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    """Issue 18 item 5: rechecks asked of one region queue up to ``queue_limit`` (the API
    answers 503 past it), so a flood cannot grow a queue without end, and another region's
    queue keeps its room."""
    mediator = Mediator(
        registry,
        artifacts,
        accounts.grantee2,
        tmp_path / "partners.json",
        tmp_path / "journal.db",
        queue_limit=3,
    )
    try:
        assert [mediator.request(PARTNER, token) for token in range(1, 5)] == [
            True,
            True,
            True,
            False,
        ]
        assert mediator.request(PARTNER + 1, 1)
    finally:
        mediator.close()
