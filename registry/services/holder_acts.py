"""Acts that take the holder's consent, described once: the contract call the registrar relays
and the EIP-712 message the holder signs for it. A consent request (registry.consents) keeps
one of these while it waits for the holder's signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from registry.chain.types import GrantRequest

Contract = Literal["assets", "rights"]


@dataclass(frozen=True)
class HolderAct:
    """``function(*args, consent)`` on ``contract``; the holder signs ``message`` as
    ``primary`` (with a nonce and a deadline added)."""

    contract: Contract
    function: str
    primary: str
    args: tuple[Any, ...]
    message: dict[str, Any]
    """The EIP-712 fields, JSON-ready (bytes as 0x-hex), without ``nonce`` and ``deadline``."""


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def change(asset_id: int, manifest_hash: bytes, manifest_cid: bytes, cid_codec: int) -> HolderAct:
    return HolderAct(
        "assets",
        "change",
        "Change",
        (asset_id, manifest_hash, manifest_cid, cid_codec),
        {
            "assetId": asset_id,
            "manifestHash": _hex(manifest_hash),
            "manifestCid": _hex(manifest_cid),
            "cidCodec": cid_codec,
        },
    )


def transfer(asset_id: int, new_holder: str, agreement_hash: bytes) -> HolderAct:
    return HolderAct(
        "assets",
        "transfer",
        "Transfer",
        (asset_id, new_holder, agreement_hash),
        {"assetId": asset_id, "newHolder": new_holder, "agreementHash": _hex(agreement_hash)},
    )


def pledge(asset_id: int, pledgee: str, agreement_hash: bytes) -> HolderAct:
    return HolderAct(
        "assets",
        "pledge",
        "Pledge",
        (asset_id, pledgee, agreement_hash),
        {"assetId": asset_id, "pledgee": pledgee, "agreementHash": _hex(agreement_hash)},
    )


def renew(asset_id: int) -> HolderAct:
    return HolderAct("assets", "renew", "Renew", (asset_id,), {"assetId": asset_id})


def cancel(asset_id: int) -> HolderAct:
    return HolderAct("assets", "cancel", "Cancel", (asset_id,), {"assetId": asset_id})


def grant(request: GrantRequest) -> HolderAct:
    return HolderAct(
        "rights",
        "grant",
        "Grant",
        (request.to_abi(),),
        {
            "assetId": request.asset_id,
            "kind": int(request.kind),
            "grantee": request.grantee,
            "scenario": _hex(request.scenario),
            "start": request.start,
            "expiry": request.expiry,
            "exclusive": request.exclusive,
            "revocable": request.revocable,
            "termsHash": _hex(request.terms_hash),
        },
    )
