"""EIP-712 holder consents on every act that takes one: relayed, replayed, signed by the wrong
key, expired, altered, cross-domain, and from an EIP-1271 contract wallet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from registry.chain.client import AssetRegistryClient, RightsRegistryClient
from registry.chain.signing import (
    Domain,
    application_message,
    grant_message,
    message_of,
    sign,
    typed_data,
)
from registry.chain.types import (
    ALL_RIGHTS,
    Consent,
    GrantRequest,
    JointConsent,
    RightKind,
    TransferShare,
)
from registry.devtools import signed_application
from tests.conftest import DAY, Flow, advance, application, h, now, reverts

DEADLINE = 2**40


@dataclass
class Act:
    """One consent-taking act, prepared for a holder (an EOA or a contract wallet)."""

    client: AssetRegistryClient | RightsRegistryClient
    primary: str
    fields: dict[str, Any]
    send: Callable[[LocalAccount, Consent, bool], Any]  # (relayer, consent, altered)
    relayer: LocalAccount


def issued_for(flow: Flow, holder: str, manifest: str, signer: LocalAccount) -> int:
    """An issued asset held by ``holder`` (an EOA or wallet), whose key ``signer`` signs."""
    a, acc = flow.registry.assets, flow.accounts
    app = application(holder, manifest)
    consent = signed_application(a, signer, app, a.nonces(holder), DEADLINE)
    asset_id = a.submit_application(acc.registrar, app, consent)
    a.accept(acc.reviewer, asset_id)
    a.approve(acc.reviewer, asset_id)
    flow.past_notice(asset_id)
    a.issue(acc.registrar, asset_id)
    return asset_id


def prepare(flow: Flow, name: str, holder: str, signer: LocalAccount) -> Act:
    a, r, acc = flow.registry.assets, flow.registry.rights, flow.accounts
    reg = acc.registrar
    if name == "apply":
        app = application(holder, "applied by signature")
        other = replace(app, manifest_hash=h("something else"))
        return Act(
            a,
            "Application",
            application_message(app, 0),
            lambda who, c, alt: a.submit_application(who, other if alt else app, c),
            reg,
        )
    asset_id = issued_for(flow, holder, name, signer)
    if name == "change":
        fields = {
            "assetId": asset_id,
            "manifestHash": h("v2"),
            "manifestCid": h("c2"),
            "cidCodec": 0x55,
        }
        return Act(
            a,
            "Change",
            fields,
            lambda who, c, alt: a.change(
                who, asset_id, h("v3") if alt else h("v2"), h("c2"), 0x55, c
            ),
            reg,
        )
    if name == "transfer":
        # The holder's consent under test; the transferee's, which a transfer needs too
        # (art. 34), is signed alongside it under the same nonce and deadline.
        shares = [TransferShare(holder, acc.holder2.address, ALL_RIGHTS, h("id:2"))]
        fields = message_of("Transfer", (asset_id, [s.to_abi() for s in shares], h("deal")))

        def send_transfer(who: LocalAccount, c: Consent, alt: bool) -> Any:
            message = {**fields, "nonce": c.nonce}
            theirs = sign(acc.holder2, a.domain(), "Transfer", message, c.deadline)
            joint = JointConsent(c.deadline, c.nonce, (c.signature, theirs.signature))
            return a.apply_transfer(who, asset_id, shares, h("other") if alt else h("deal"), joint)

        return Act(a, "Transfer", fields, send_transfer, reg)
    if name == "renew":
        # Renewal is taken from 6 months before expiry (art. 36): 100 days before it.
        advance(flow.w3, a.get_asset(asset_id).expires_at - 100 * DAY - now(flow.w3))
        return Act(
            a,
            "Renew",
            {"assetId": asset_id},
            lambda who, c, alt: a.renew(who, asset_id, _later(c) if alt else c),
            reg,
        )
    if name == "pledge":
        fields = {"assetId": asset_id, "pledgee": acc.pledgee.address, "agreementHash": h("loan")}
        return Act(
            a,
            "Pledge",
            fields,
            lambda who, c, alt: a.pledge(
                who, asset_id, acc.outsider.address if alt else acc.pledgee.address, h("loan"), c
            ),
            reg,
        )
    if name == "cancel":
        return Act(
            a,
            "Cancel",
            {"assetId": asset_id},
            lambda who, c, alt: a.cancel(who, asset_id, _later(c) if alt else c),
            acc.outsider,
        )
    t = now(flow.w3) + DAY
    grant = GrantRequest(
        a.holder_of(asset_id),
        asset_id,
        RightKind.PROCESSING,
        acc.grantee.address,
        h("s"),
        t,
        t + 30 * DAY,
        False,
        True,
        h("terms"),
    )
    if name == "grant":
        return Act(
            r,
            "Grant",
            grant_message(grant, 0),
            lambda who, c, alt: r.grant(who, replace(grant, exclusive=True) if alt else grant, c),
            reg,
        )
    assert name == "revoke_grant"
    nonce = r.nonces(holder)
    consent = sign(signer, r.domain(), "Grant", grant_message(grant, nonce), DEADLINE)
    grant_id = r.grant(reg, grant, consent)
    fields = {"grantId": grant_id, "revoker": holder, "reasonHash": h("ended")}
    return Act(
        r,
        "RevokeGrant",
        fields,
        lambda who, c, alt: r.revoke_grant(
            who, grant_id, h("other reason") if alt else h("ended"), c, revoker=holder
        ),
        acc.outsider,
    )


def _later(consent: Consent) -> Consent:
    return Consent(consent.deadline + 1, consent.nonce, consent.signature)


def consent_for(
    act: Act,
    signer: LocalAccount,
    holder: str,
    deadline: int = DEADLINE,
    domain: Domain | None = None,
) -> Consent:
    fields = {**act.fields, "nonce": act.client.nonces(holder)}
    return sign(signer, domain or act.client.domain(), act.primary, fields, deadline)


ACTS = ["apply", "change", "transfer", "renew", "pledge", "cancel", "grant", "revoke_grant"]
# A replay of these is stopped by the state the first use left, before the signature is read.
REPLAY = {
    "pledge": "Pledged",
    "cancel": "InvalidTransition",
    "renew": "RenewalNotOpen",  # the new term's window opens 6 months before its end
    "revoke_grant": "GrantNotActive",
}


@pytest.mark.parametrize("name", ACTS)
def test_relayed_consent_works_once(flow: Flow, name: str) -> None:
    holder = flow.accounts.holder
    act = prepare(flow, name, holder.address, holder)
    consent = consent_for(act, holder, holder.address)
    before = act.client.nonces(holder.address)
    act.send(act.relayer, consent, False)
    assert act.client.nonces(holder.address) == before + 1
    with reverts(REPLAY.get(name, "InvalidAccountNonce")):
        act.send(act.relayer, consent, False)


@pytest.mark.parametrize("name", ACTS)
def test_consent_by_the_wrong_key_is_refused(flow: Flow, name: str) -> None:
    holder = flow.accounts.holder
    act = prepare(flow, name, holder.address, holder)
    with reverts("InvalidConsent", holder.address):
        act.send(act.relayer, consent_for(act, flow.accounts.outsider, holder.address), False)


@pytest.mark.parametrize("name", ACTS)
def test_expired_consent_is_refused(flow: Flow, name: str) -> None:
    holder = flow.accounts.holder
    act = prepare(flow, name, holder.address, holder)
    deadline = now(flow.w3) + 60
    consent = consent_for(act, holder, holder.address, deadline)
    advance(flow.w3, 120)
    with reverts("ConsentExpired", deadline):
        act.send(act.relayer, consent, False)


@pytest.mark.parametrize("name", ACTS)
def test_consent_to_other_fields_is_refused(flow: Flow, name: str) -> None:
    holder = flow.accounts.holder
    act = prepare(flow, name, holder.address, holder)
    with reverts("InvalidConsent", holder.address):
        act.send(act.relayer, consent_for(act, holder, holder.address), True)


@pytest.mark.parametrize("name", ACTS)
def test_consent_for_another_chain_or_contract_is_refused(flow: Flow, name: str) -> None:
    holder = flow.accounts.holder
    act = prepare(flow, name, holder.address, holder)
    own = act.client.domain()
    other_contract = (
        flow.registry.rights if act.client is flow.registry.assets else flow.registry.assets
    )
    for domain in (
        replace(own, chain_id=own.chain_id + 1),
        replace(own, verifying_contract=other_contract.address),
        replace(
            own,
            name="DataRightsRegistry" if own.name != "DataRightsRegistry" else "DataAssetRegistry",
        ),
    ):
        with reverts("InvalidConsent", holder.address):
            act.send(act.relayer, consent_for(act, holder, holder.address, domain=domain), False)


@pytest.mark.parametrize("name", ACTS)
def test_contract_wallet_consents_through_eip1271(
    flow: Flow, name: str, deploy_contract: Callable[..., str]
) -> None:
    owner = flow.accounts.holder2
    wallet = deploy_contract("MockWallet", owner.address)
    act = prepare(flow, name, wallet, owner)
    act.send(act.relayer, consent_for(act, owner, wallet), False)


@pytest.mark.parametrize("name", ["apply", "renew", "grant"])
def test_contract_wallet_that_refuses_is_refused(
    flow: Flow, name: str, deploy_contract: Callable[..., str]
) -> None:
    owner = flow.accounts.holder2
    wallet = deploy_contract("MockWallet", owner.address)
    act = prepare(flow, name, wallet, owner)
    contract = flow.w3.eth.contract(
        address=wallet,
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
    flow.registry.chain.send(contract.functions.setAccepting(False), owner)
    with reverts("InvalidConsent", wallet):
        act.send(act.relayer, consent_for(act, owner, wallet), False)


@pytest.mark.parametrize("which", ["assets", "rights"])
def test_domain_separator_matches_python(flow: Flow, which: str) -> None:
    client = getattr(flow.registry, which)
    data = typed_data(client.domain(), "Renew", {"assetId": 1, "nonce": 0, "deadline": 0})
    message = encode_typed_data(full_message=data)
    assert client.domain_separator() == message.header
    assert keccak(b"\x19\x01" + message.header + message.body) == keccak(
        b"\x19\x01" + client.domain_separator() + message.body
    )
