"""Verification (核验): a file, a hash or a receipt checked against the chain, check by check."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field, model_validator
from starlette.concurrency import run_in_threadpool

from registry.api.deps import AppContext, Ctx
from registry.api.models import Hash32, ReceiptIn, Strict, b32
from registry.api.problems import ProblemError
from registry.api.responses import VerificationOut
from registry.api.routers.public import receipt_of
from registry.api.uploads import hashed_upload, multipart_body
from registry.certificates.numbers import format_number
from registry.chain.types import CertificateStatus

router = APIRouter(prefix="/v1", tags=["verification"])
Stated = Literal["requester", "registry"]
"""Who gave the receipt: the requester, or the registry's own records (looked up by hash)."""


class VerifyIn(Strict):
    hash: Hash32 | None = Field(None, description="SHA-256 of the evidence as presented")
    receipt: ReceiptIn | None = Field(None, description="a receipt, as the registry gave it")

    @model_validator(mode="after")
    def _one_given(self) -> VerifyIn:
        if self.hash is None and self.receipt is None:
            raise ValueError("give the evidence's hash, a receipt, or both")
        return self


# A receipt's members no chain records (the registry's notes of who submitted the hash and when),
# and those the checks compare with the chain: once every check passed, the chain's values are
# stated instead; until then, what the receipt says of them is only what it says.
_OFF_CHAIN = ("submitter", "received_at")
_CHECKED = (
    "root",
    "contract",
    "roles",
    "chain_id",
    "tx_hash",
    "block_number",
    "block_hash",
    "block_time",
)


def _stated(receipt: dict[str, Any], verified: bool, by: Stated) -> dict[str, Any]:
    """What the receipt states that the chain did not confirm, and who stated it."""
    names = _OFF_CHAIN if verified else _CHECKED + _OFF_CHAIN
    return {"by": by, "values": {n: receipt[n] for n in names if receipt.get(n) is not None}}


def _report(
    ctx: AppContext, receipt: dict[str, Any], data_hash: bytes | None, by: Stated
) -> dict[str, Any]:
    """The verification of ``receipt``, which the requester gave or the registry looked up
    (``by``): the facts of the anchoring are the chain's (``anchored``), what the receipt
    states beyond them is apart (``stated``)."""
    if receipt.get("status") in ("queued", "batched", "sent"):
        raise ProblemError(
            409, "not-anchored", "Not anchored yet", f"the receipt is {receipt['status']}"
        )
    try:
        report = ctx.service.verify_receipt(receipt, data_hash)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ProblemError(
            422,
            "invalid-request",
            "Not a receipt",
            f"{type(exc).__name__}: {exc}",
            invalid_params=[{"name": "receipt", "reason": str(exc)}],
        ) from None
    return {
        **report.to_json(),
        "receipt": receipt,
        "stated": _stated(receipt, report.passed, by),
        "linked": _linked(ctx, receipt, report.anchored, report.head),
    }


def _linked(
    ctx: AppContext,
    receipt: dict[str, Any],
    anchored: dict[str, Any] | None,
    head: tuple[int, int] | None,
) -> list[dict[str, Any]]:
    """The registered assets this evidence is the manifest or a file of, with their status when
    it was anchored (at the block's time, once verified) and now (the time of the head the
    verification read), their certificate's status now (read from the chain) and their
    annotations (a seizure in force among them)."""
    now = ctx.now() if head is None else head[1]
    then = None if anchored is None else int(anchored["block_time"])
    found = ctx.queries.linked(str(receipt["hash"]).lower(), then, now)
    if not found:  # most evidence is no asset's: no further query
        return found
    certificates = ctx.service.registry.certificates
    known = {a["asset_id"]: a for a in ctx.queries.assets([int(i["asset_id"]) for i in found], now)}
    for item in found:
        asset = known.get(int(item["asset_id"]), {})
        holder = (ctx.queries.manifest(str(asset.get("manifest_hash", ""))) or {}).get("holder")
        item["name_zh"], item["name_en"] = asset.get("name_zh"), asset.get("name_en")
        item["holder"] = asset.get("holder")
        item["holder_name_zh"] = (holder or {}).get("name_zh")
        item["annotations"] = asset.get("annotations", [])
        token = item.pop("certificate_id")
        item["certificate"] = None
        if token:
            status = CertificateStatus(certificates.status_of(int(token))).name.lower()
            item["certificate"] = {"number": format_number(int(token)), "status_now": status}
    return found


def verification_of(ctx: AppContext, body: VerifyIn) -> dict[str, Any]:
    if body.receipt is not None:
        # The receipt as given: its members checked at the edge, none added.
        given = body.receipt.model_dump(exclude_unset=True)
        return _report(ctx, given, b32(body.hash) if body.hash else None, "requester")
    assert body.hash is not None
    return _report(ctx, receipt_of(ctx, body.hash), b32(body.hash), "registry")


@router.post("/verify", response_model=VerificationOut)
def verify_evidence(body: VerifyIn, ctx: Ctx) -> dict[str, Any]:
    """Every check, with its raw values, and what passing proves and does not prove. Given only
    a hash, its receipt is looked up here; given a receipt, nothing of the registry is trusted
    but the chain."""
    return verification_of(ctx, body)


@router.post("/verify/file", response_model=VerificationOut, openapi_extra=multipart_body())
async def verify_file(request: Request, ctx: Ctx) -> dict[str, Any]:
    """The same, for a file hashed as it streams in (nothing of it is kept). The chain's and
    the index's reads run in threads, never on the event loop that serves every other
    request."""
    digest = (await hashed_upload(request, ctx.limits.uploads)).sha256

    def verify() -> dict[str, Any]:
        return _report(ctx, receipt_of(ctx, "0x" + digest.hex()), digest, "registry")

    return await run_in_threadpool(verify)
