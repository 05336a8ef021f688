"""The contract call a registration act makes, as the service sends it. ``registry.acts``
builds these from its table; a consent request (registry.consents) keeps one while it waits for
the holder's signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from registry.chain.signing import jsonable, message_of

Contract = Literal["assets", "rights", "annotations"]
Sender = Literal["registrar", "reviewer"]


@dataclass(frozen=True)
class ActCall:
    """``function(*args)`` on ``contract``, sent by the staff key ``sender``; with ``consent``
    (an EIP-712 primary type) the holder's signed consent is appended as the last argument."""

    act: str
    contract: Contract
    function: str
    sender: Sender
    args: tuple[Any, ...]
    consent: str | None

    @property
    def message(self) -> dict[str, Any]:
        """What the holder signs for it, JSON-ready (bytes as 0x-hex), without the EIP-712
        ``nonce`` and ``deadline``."""
        if self.consent is None:
            raise ValueError(f"{self.act} takes no holder consent")
        return jsonable(message_of(self.consent, self.args))
