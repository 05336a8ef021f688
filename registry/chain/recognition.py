"""RecognitionRegistry's client: agreements with partner regions, relayed partner headers, and
the recognitions of partner certificates (see contracts/interfaces/IRecognitionRegistry.sol)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from enum import IntEnum
from typing import Any, Self

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from web3.types import TxReceipt

from registry.chain.client import BoundContract


class AgreementStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    TERMINATED = 3


@dataclass(frozen=True)
class Agreement:
    chain_id: int
    certificates: str
    assets: str
    classifications: int
    kinds: int
    valid_from: int
    valid_until: int
    status: AgreementStatus
    anchor_number: int
    anchor_hash: bytes
    max_age: int
    """Seconds an answer may rest on the partner's chain as last read before it is stale."""

    def to_abi(self) -> tuple[Any, ...]:
        return (
            *astuple(self)[:7],
            int(self.status),
            self.max_age,
            self.anchor_number,
            self.anchor_hash,
        )

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(
            t[0],
            to_checksum_address(t[1]),
            to_checksum_address(t[2]),
            t[3],
            t[4],
            t[5],
            t[6],
            AgreementStatus(t[7]),
            anchor_number=t[9],
            anchor_hash=bytes(t[10]),
            max_age=t[8],
        )


@dataclass(frozen=True)
class Checkpoint:
    block_hash: bytes
    state_root: bytes
    timestamp: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(bytes(t[0]), bytes(t[1]), int(t[2]))


@dataclass(frozen=True)
class RecognitionRequest:
    region: int
    certificate_id: int
    holder: str
    asset_id: int
    manifest_hash: bytes
    kind: int
    classification: int
    issued_at: int
    expires_at: int
    origin_status: int
    frozen: bool
    successor: int
    proof_block: int
    annotations: int
    """Bit k set: an annotation of kind k (``AnnotationKind``) in force at the origin."""
    pledgee: str
    grant_id: bytes

    def to_abi(self) -> tuple[Any, ...]:
        return astuple(self)


@dataclass(frozen=True)
class Recognition:
    holder: str
    asset_id: int
    manifest_hash: bytes
    kind: int
    origin_status: int
    frozen: bool
    recognised: bool
    issued_at: int
    expires_at: int
    recognised_since: int
    checked_at: int
    successor: int
    proof_block: int
    annotations: int
    pledgee: str
    grant_id: bytes

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(
            holder=to_checksum_address(t[0]),
            asset_id=int(t[1]),
            manifest_hash=bytes(t[2]),
            kind=int(t[3]),
            origin_status=int(t[4]),
            frozen=bool(t[5]),
            recognised=bool(t[6]),
            issued_at=int(t[7]),
            expires_at=int(t[8]),
            recognised_since=int(t[9]),
            checked_at=int(t[10]),
            successor=int(t[11]),
            proof_block=int(t[12]),
            annotations=int(t[13]),
            pledgee=to_checksum_address(t[14]),
            grant_id=bytes(t[15]),
        )


@dataclass(frozen=True)
class RecordedStanding:
    """One ``RecognitionRecorded`` event: a standing recorded here, in this chain's block."""

    block: int
    recognised: bool
    origin_status: int
    frozen: bool
    annotations: int
    proof_block: int


class RecognitionClient(BoundContract):
    def set_agreement(
        self, sender: LocalAccount, region: int, agreement: Agreement, keys: Sequence[str]
    ) -> TxReceipt:
        return self._send(sender, "setAgreement", region, agreement.to_abi(), list(keys))

    def set_agreement_status(
        self, sender: LocalAccount, region: int, status: AgreementStatus
    ) -> TxReceipt:
        return self._send(sender, "setAgreementStatus", region, int(status))

    def relay_headers(
        self, sender: LocalAccount, region: int, headers: Sequence[bytes]
    ) -> TxReceipt:
        return self._send(sender, "relayHeaders", region, list(headers))

    def record(
        self, sender: LocalAccount, request: RecognitionRequest, standing_signature: bytes
    ) -> TxReceipt:
        """Records ``request`` with the origin registrar's signature of it (``Standing``)."""
        return self._send(sender, "record", request.to_abi(), standing_signature)

    def get_agreement(self, region: int) -> Agreement:
        return Agreement.from_abi(self._call("getAgreement", region))

    def partner_keys(self, region: int) -> list[str]:
        return [to_checksum_address(k) for k in self._call("partnerKeys", region)]

    def in_force(self, region: int) -> bool:
        return bool(self._call("inForce", region))

    def head(self, region: int) -> tuple[int, Checkpoint]:
        number, checkpoint = self._call("head", region)
        return int(number), Checkpoint.from_abi(checkpoint)

    def checkpoint(self, region: int, number: int) -> Checkpoint:
        return Checkpoint.from_abi(self._call("getCheckpoint", region, number))

    def recognition(self, region: int, certificate_id: int) -> Recognition:
        return Recognition.from_abi(self._call("getRecognition", region, certificate_id))

    def history(self, region: int, certificate_id: int) -> list[RecordedStanding]:
        """Every standing of the certificate recorded here, oldest first (from the events)."""
        logs = self.contract.events.RecognitionRecorded.get_logs(
            from_block=0, argument_filters={"region": region, "certificateId": certificate_id}
        )
        return [
            RecordedStanding(
                block=int(log["blockNumber"]),
                recognised=bool(log["args"]["recognised"]),
                origin_status=int(log["args"]["originStatus"]),
                frozen=bool(log["args"]["frozen"]),
                annotations=int(log["args"]["annotations"]),
                proof_block=int(log["args"]["proofBlock"]),
            )
            for log in sorted(logs, key=lambda e: (e["blockNumber"], e["logIndex"]))
        ]
