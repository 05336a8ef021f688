"""A holder's EIP-712 consents, signed where the key is (never sent to the registry).

Each consent takes a fresh keyed nonce, so consents signed on different machines or out of
order never wait for or block each other."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount

from registry.api.models import ConsentIn
from registry.chain.signing import (
    CONSENT_TERM,
    Domain,
    application_message,
    fresh_nonce,
    grant_message,
    sign,
)
from registry.chain.types import Application, GrantRequest


def _domain(raw: dict[str, Any]) -> Domain:
    return Domain(raw["name"], raw["version"], int(raw["chainId"]), raw["verifyingContract"])


class HolderSigner:
    """Signs each consent-taking act for the contracts described by ``GET /v1/eip712``."""

    def __init__(self, account: LocalAccount, eip712: dict[str, Any], now: int) -> None:
        self.account = account
        self.assets = _domain(eip712["domains"]["assets"])
        self.rights = _domain(eip712["domains"]["rights"])
        self.deadline = now + CONSENT_TERM

    def _sign(self, domain: Domain, primary: str, message: dict[str, Any]) -> ConsentIn:
        consent = sign(
            self.account, domain, primary, {**message, "nonce": fresh_nonce()}, self.deadline
        )
        return ConsentIn.of(consent)

    def application(self, application: Application) -> ConsentIn:
        message = application_message(application, 0)
        return self._sign(self.assets, "Application", message)

    def asset_act(self, primary: str, asset_id: int, **fields: Any) -> ConsentIn:
        """Change, Transfer, Renew, Pledge or Cancel of ``asset_id``; ``fields`` in the
        contract's names (``newHolder``, ``agreementHash``, ...)."""
        return self._sign(self.assets, primary, {"assetId": asset_id, **fields})

    def grant(self, request: GrantRequest) -> ConsentIn:
        return self._sign(self.rights, "Grant", grant_message(request, 0))

    def revoke_grant(self, grant_id: bytes, reason_hash: bytes) -> ConsentIn:
        return self._sign(
            self.rights, "RevokeGrant", {"grantId": grant_id, "reasonHash": reason_hash}
        )
