"""The certificates as standard W3C Verifiable Credentials 2.0, checked by an independent
implementation: Digital Bazaar's @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite and
vc-bitstring-status-list (tests/vc-verifier/verify.mjs), offline, with the registry's context,
controller document and revocation list as the registry serves them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner
from web3 import Web3

from registry.api.keys import Role
from registry.certificates import status_list
from registry.certificates.credential import ANNOTATION_FIELDS, is_authentic, signer_of
from registry.certificates.integrity import (
    CONTEXT_PATH,
    CredentialKey,
    ProofError,
    document_loader,
    verify,
)
from registry.chain import Registry
from registry.chain.types import CertificateStatus
from registry.cli import app
from registry.config import get_settings
from registry.privacy.keys import KeystoreError
from registry.services.credentials import ISSUER_PATH, STATUS_PATH
from tests.api_support import Api
from tests.conftest import Accounts, Flow, now
from tests.test_annotations import COURT, SEIZURE, annotate
from tests.test_api import confirmed

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = ROOT / "tests" / "vc-verifier" / "verify.mjs"
NODE = ROOT / "node_modules" / "node" / "bin" / "node"


def served(api: Api, url: str) -> Any:
    """A document the registry serves at ``url`` (an absolute address of the test client)."""
    answer = api.get(urlsplit(url).path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def registry_documents(api: Api, credential: dict[str, Any]) -> dict[str, Any]:
    """What a verifier loads for the credential: the registry's context, the issuer's controller
    document and the revocation list, fetched now."""
    urls = [credential["@context"][1], credential["issuer"]]
    urls.append(credential["credentialStatus"]["statusListCredential"])
    return {url: served(api, url) for url in urls}


def independent_check(
    credential: dict[str, Any], documents: dict[str, Any], at: int
) -> dict[str, Any]:
    """@digitalbazaar/vc's answer on the credential at chain time ``at`` (the registry's
    clock, which the tests move ahead of the host's)."""
    stamp = datetime.fromtimestamp(at + 1, UTC).isoformat()
    out = subprocess.run(
        [str(NODE), str(VERIFIER)],
        input=json.dumps({"credential": credential, "documents": documents, "now": stamp}),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=VERIFIER.parent,
        check=True,
    )
    answer: dict[str, Any] = json.loads(out.stdout)
    return answer


def issued_number(api: Api, flow: Flow, registry: Registry, manifest: str) -> tuple[int, str]:
    asset_id = flow.issued(manifest)
    api.indexed()
    return asset_id, registry.certificates.number_of(
        registry.assets.get_asset(asset_id).certificate_id
    )


def test_issued_credential_verifies_with_digital_bazaar_and_revocation_shows_within_10s(
    api: Api, flow: Flow, registry: Registry, w3: Web3
) -> None:
    asset_id, number = issued_number(api, flow, registry, "vc-revoked")
    # A seizure's Chinese text is in the signed annotations: both canonicalisers agree on it.
    seizure = annotate(api, asset_id, SEIZURE)
    api.indexed()
    credential = api.get(f"/v1/certificates/{number}/credential").json()
    (note,) = credential["credentialSubject"]["annotations"]
    assert (note["annotation_id"], note["authority"]) == (seizure, COURT)
    assert set(note) == {*ANNOTATION_FIELDS} - {"lifted_at"}  # public facts, not yet lifted
    documents = registry_documents(api, credential)
    assert independent_check(credential, documents, now(w3)) == {
        "verified": True,
        "revoked": False,
        "error": None,
    }

    revoke = {"reason_hash": "0x" + "11" * 32}
    confirmed(api, api.post(f"/v1/assets/{asset_id}/revoke", revoke, Role.REGISTRAR))
    revoked_at = time.monotonic()
    while True:
        answer = independent_check(credential, registry_documents(api, credential), now(w3))
        if answer["revoked"] or time.monotonic() - revoked_at > 10:
            break
    took = time.monotonic() - revoked_at
    assert answer == {"verified": True, "revoked": True, "error": None}
    assert took < 10, f"revocation seen after {took:.1f} s"


def test_changed_byte_or_undefined_term_fails_independent_verification(
    api: Api, flow: Flow, registry: Registry, w3: Web3, accounts: Accounts
) -> None:
    _, number = issued_number(api, flow, registry, "vc-tampered")
    credential = api.get(f"/v1/certificates/{number}/credential").json()
    documents = registry_documents(api, credential)
    tampered = json.loads(
        json.dumps(credential).replace(credential["credentialSubject"]["holder"][:6], "0x1111")
    )
    answer = independent_check(tampered, documents, now(w3))
    assert answer["verified"] is False
    assert "Invalid signature" in answer["error"]
    # A member no context defines is refused by the verifier's safe mode, before any signature.
    undefined = {**credential, "credentialSubject": {**credential["credentialSubject"], "x": 1}}
    refused = independent_check(undefined, documents, now(w3))
    assert refused["verified"] is False
    assert "Safe mode validation error" in refused["error"]
    # Nor does the registrar's attestation of the claims pass for the changed holder.
    assert is_authentic(credential)
    assert signer_of(credential) == accounts.registrar.address
    assert not is_authentic(tampered)


def test_credential_is_signed_over_every_member_with_the_key_the_center_publishes(
    api: Api, flow: Flow, registry: Registry
) -> None:
    _, number = issued_number(api, flow, registry, "vc-python")
    credential = api.get(f"/v1/certificates/{number}/credential").json()
    base = credential["issuer"].removesuffix(ISSUER_PATH)
    issuer = api.get(ISSUER_PATH).json()
    (method,) = issuer["verificationMethod"]
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert credential["proof"]["verificationMethod"] == method["id"]
    assert issuer["assertionMethod"] == [method["id"]]
    loader = document_loader(base + CONTEXT_PATH)
    verify(credential, method["publicKeyMultibase"], loader)
    for member in ("validUntil", "credentialStatus", "attestation"):
        stripped = {k: v for k, v in credential.items() if k != member}
        try:
            verify(stripped, method["publicKeyMultibase"], loader)
        except ProofError:
            continue
        raise AssertionError(f"the proof passed without {member}")
    published = api.get("/.well-known/data-property-registry").json()["credentials"]
    assert published == {
        "issuer": credential["issuer"],
        "public_key_multibase": method["publicKeyMultibase"],
        "revocation_list": credential["credentialStatus"]["statusListCredential"],
        "context": credential["@context"][1],
    }
    context = api.get(CONTEXT_PATH)
    assert context.headers["content-type"] == "application/ld+json"
    assert context.json()["@context"]["@protected"] is True


def test_revocation_list_sets_the_bits_of_ended_certificates_as_the_chain_has_them(
    api: Api, flow: Flow, registry: Registry, accounts: Accounts
) -> None:
    kept, kept_number = issued_number(api, flow, registry, "vc-kept")
    ended, ended_number = issued_number(api, flow, registry, "vc-ended")
    before = api.get(STATUS_PATH).json()
    confirmed(
        api,
        api.post(f"/v1/assets/{ended}/revoke", {"reason_hash": "0x" + "22" * 32}, Role.REGISTRAR),
    )
    api.indexed()
    listed = api.get(STATUS_PATH).json()
    encoded = listed["credentialSubject"]["encodedList"]
    assert len(status_list.decode(encoded)) * 8 == status_list.MIN_BITS
    assert listed["proof"]["proofValue"] != before["proof"]["proofValue"]
    for asset_id, number in ((kept, kept_number), (ended, ended_number)):
        entry = api.get(f"/v1/certificates/{number}/credential").json()["credentialStatus"]
        token_id = registry.assets.get_asset(asset_id).certificate_id
        on_chain = CertificateStatus(registry.certificates.status_of(token_id))
        assert status_list.is_set(encoded, int(entry["statusListIndex"])) == (
            on_chain in status_list.ENDED
        )
    assert api.get(f"/v1/certificates/{ended_number}/status").json()["status"] == "revoked"
    # An unchanged chain serves the list signed at its block, unchanged.
    assert api.get(STATUS_PATH).json() == listed


def test_credential_key_is_made_at_first_start_with_mode_0600_and_printed(tmp_path: Path) -> None:
    path = tmp_path / "keystore" / "credential-ed25519.pem"
    made = CredentialKey.open(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert made.public_multikey.startswith("z6Mk")
    assert CredentialKey.open(path).public_multikey == made.public_multikey
    get_settings.cache_clear()  # the command reads this test's data directory, and no later one
    try:
        printed = CliRunner().invoke(
            app, ["keystore", "credential-key"], env={"REGISTRY_DATA_DIR": str(tmp_path)}
        )
    finally:
        get_settings.cache_clear()
    assert printed.exit_code == 0, printed.output
    assert printed.output.strip() == made.public_multikey
    os.chmod(path, 0o640)
    with pytest.raises(KeystoreError, match="mode 640"):
        CredentialKey.open(path)


def test_status_list_of_no_certificate_is_16_kib_with_bit_0_first() -> None:
    encoded = status_list.encode({0, 9}, 10)
    assert encoded.startswith("u")
    raw = status_list.decode(encoded)
    assert len(raw) == status_list.MIN_BITS // 8
    assert raw[:2] == bytes([0x80, 0x40])
    assert [status_list.is_set(encoded, i) for i in (0, 1, 9)] == [True, False, True]
