"""A holder's EIP-712 consents, signed where the key is (never sent to the registry).

What is signed for an act comes from its row in the act table (``registry.acts``): the row
encodes the act's contract call, and the call's arguments are the consent's message. Each
consent takes a fresh keyed nonce, so consents signed on different machines or out of order
never wait for or block each other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from registry import acts
from registry.api.models import ConsentIn
from registry.chain.signing import CONSENT_TERM, Domain, fresh_nonce, message_of, sign

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


def _domain(raw: dict[str, Any]) -> Domain:
    return Domain(raw["name"], raw["version"], int(raw["chainId"]), raw["verifyingContract"])


class HolderSigner:
    """Signs the holder's consent to any act of the table that takes one, for the contracts
    described by ``GET /v1/eip712``."""

    def __init__(self, account: LocalAccount, eip712: dict[str, Any], now: int) -> None:
        self.account = account
        self.domains = {name: _domain(raw) for name, raw in eip712["domains"].items()}
        self.deadline = now + CONSENT_TERM

    def consent(self, act: str, target: int | str | None, body: BaseModel) -> ConsentIn:
        """The consent to ``act`` on ``target`` as ``body`` asks for it (its own ``consent``
        field, if it has one, is not read)."""
        row = acts.act(act)
        call = row.call(body, row.target_of(target, body))
        if call.consent is None:
            raise ValueError(f"{act} takes no holder consent")
        message = {**message_of(call.consent, call.args), "nonce": fresh_nonce()}
        signed = sign(
            self.account, self.domains[call.contract], call.consent, message, self.deadline
        )
        return ConsentIn.of(signed)

    def signed(self, act: str, target: int | str | None, body: BaseModel) -> BaseModel:
        """``body`` with the holder's consent to ``act`` in its ``consent`` field."""
        return body.model_copy(update={"consent": self.consent(act, target, body)})

    def co_signatures(
        self,
        act: str,
        target: int | str | None,
        body: BaseModel,
        parties: Sequence[LocalAccount],
    ) -> list[str]:
        """Every further party's signature of a joint act (the joint applicants of an
        application, a transfer's other transferors and transferees), in the order the
        contract checks them: the message ``body``'s consent signed, under its nonce and
        deadline. The parties' keys sign here and are never sent."""
        row = acts.act(act)
        call = row.call(body, row.target_of(target, body))
        if call.consent is None:
            raise ValueError(f"{act} takes no consent")
        consent: ConsentIn = getattr(body, "consent")  # noqa: B009 (the row's request model)
        message = {**message_of(call.consent, call.args), "nonce": consent.nonce}
        domain = self.domains[call.contract]
        return [
            "0x" + sign(p, domain, call.consent, message, consent.deadline).signature.hex()
            for p in parties
        ]
