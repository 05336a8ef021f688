"""Assets and their registration lifecycle."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from web3 import Web3

from registry.api.deps import (
    Ctx,
    IdempotencyKey,
    accepted_response,
    asset_in_region,
    operation_key,
    principal,
    require,
)
from registry.api.keys import Principal, Role
from registry.api.models import (
    ApplicationIn,
    ChangeIn,
    HolderActIn,
    ObjectionDecisionIn,
    ObjectionIn,
    OperationOut,
    OrderIn,
    PledgeIn,
    ReasonIn,
    ReviewIn,
    TransferIn,
    b32,
)
from registry.api.problems import ProblemError
from registry.chain.types import Status

router = APIRouter(prefix="/v1", tags=["assets"])

AssetId = Annotated[int, Path(ge=1, lt=2**63, description="The asset's id")]
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]
Applicant = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.HOLDER))]
StatusName = Literal[
    "applied", "under_review", "rejected", "in_notice", "issued", "cancelled", "revoked", "expired"
]


@router.post("/assets", status_code=202, response_model=OperationOut)
def apply(
    body: ApplicationIn, ctx: Ctx, who: Applicant, response: Response, key: IdempotencyKey = None
) -> OperationOut:
    """Files an initial application (首次登记), signed by the holder."""
    if body.region != who.region:
        raise ProblemError(
            403,
            "wrong-region",
            "This key is bound to another region",
            f"application region {body.region}, key region {who.region}",
            invalid_params=[{"name": "region", "reason": "not this key's region"}],
        )
    if body.name_zh or body.name_en:
        ctx.queries.record_manifest(
            body.manifest_hash, body.name_zh, body.name_en, body.model_dump(exclude={"consent"})
        )
    op = ctx.service.submit_application(
        operation_key(who, key), body.to_application(), body.consent.to_consent()
    )
    return accepted_response(response, op)


@router.post("/assets/batch", status_code=202, response_model=list[OperationOut])
def apply_batch(
    body: Annotated[list[ApplicationIn], Body(min_length=1, max_length=1000)],
    ctx: Ctx,
    who: Applicant,
    key: IdempotencyKey = None,
) -> list[OperationOut]:
    """Files up to 1,000 applications in as few transactions as possible; the n-th operation's
    idempotency key is ``<Idempotency-Key>.<n>``. Refused ones fail alone, with their reason."""
    for i, item in enumerate(body):
        if item.region != who.region:
            raise ProblemError(
                403,
                "wrong-region",
                "This key is bound to another region",
                invalid_params=[{"name": f"{i}.region", "reason": "not this key's region"}],
            )
    base = operation_key(who, key)
    ops = ctx.service.submit_applications(
        [(f"{base}.{i}", a.to_application(), a.consent.to_consent()) for i, a in enumerate(body)]
    )
    return [OperationOut.of(op) for op in ops]


@router.get("/assets")
def search(
    ctx: Ctx,
    holder: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    region: Annotated[int | None, Query(ge=110000, le=829999)] = None,
    status: StatusName | None = None,
    q: Annotated[str | None, Query(max_length=100, description="name, Chinese or English")] = None,
    after: Annotated[int | None, Query(ge=0, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Registered assets, filtered, in pages (keyset: pass ``next_after`` as ``after``)."""
    page = ctx.queries.search(
        ctx.now(),
        holder=Web3.to_checksum_address(holder) if holder else None,
        region=region,
        status=Status[status.upper()] if status else None,
        text=q,
        after=after,
        limit=limit,
    )
    return {"items": page.items, "next_after": page.next_after}


@router.get("/assets/{asset_id}")
def get_asset(asset_id: AssetId, ctx: Ctx) -> dict[str, Any]:
    asset = ctx.queries.asset(asset_id, ctx.now())
    if asset is None:
        raise ProblemError(404, "not-found", "No such asset", f"asset {asset_id} is not indexed")
    return asset


@router.get("/assets/{asset_id}/history")
def history(asset_id: AssetId, ctx: Ctx) -> list[dict[str, Any]]:
    """Every recorded act on the asset, with its transaction and block time."""
    return ctx.queries.history(asset_id)


@router.get("/assets/{asset_id}/rights")
def asset_rights(
    asset_id: AssetId, ctx: Ctx, at: Annotated[int | None, Query(ge=0, lt=2**40)] = None
) -> dict[str, Any]:
    """The three rights at time ``at`` (default now): the holder and the live licences."""
    now = ctx.now()
    asset = ctx.queries.asset(asset_id, now)
    if asset is None:
        raise ProblemError(404, "not-found", "No such asset", f"asset {asset_id} is not indexed")
    return {
        "holding": asset["holder"],
        "grants": ctx.queries.rights_of_asset(asset_id, now if at is None else at),
    }


@router.post("/assets/{asset_id}/review", status_code=202, response_model=OperationOut)
def review(
    asset_id: AssetId,
    body: ReviewIn,
    ctx: Ctx,
    who: Reviewer,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    """Formal and substantive review: start, approve (public notice begins) or reject."""
    asset_in_region(ctx, who, asset_id)
    k = operation_key(who, key)
    if body.decision == "start":
        op = ctx.service.begin_review(k, asset_id)
    elif body.decision == "approve":
        op = ctx.service.approve(k, asset_id)
    else:
        op = ctx.service.reject(k, asset_id, b32(body.reason_hash))
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/objections", status_code=202, response_model=OperationOut)
def object_(
    asset_id: AssetId,
    body: ObjectionIn,
    ctx: Ctx,
    response: Response,
    who: Annotated[Principal | None, Depends(principal)],
    key: IdempotencyKey = None,
) -> OperationOut:
    """Anyone may object during the public notice (异议), with the hash of the evidence."""
    asset_in_region(ctx, None, asset_id)
    op = ctx.service.file_objection(operation_key(who, key), asset_id, b32(body.evidence_hash))
    return accepted_response(response, op)


@router.post("/objections/{objection_id}/decision", status_code=202, response_model=OperationOut)
def decide_objection(
    objection_id: Annotated[int, Path(ge=1, lt=2**63)],
    body: ObjectionDecisionIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    op = ctx.service.decide_objection(
        operation_key(who, key), objection_id, body.upheld, b32(body.reason_hash)
    )
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/issue", status_code=202, response_model=OperationOut)
def issue(
    asset_id: AssetId, ctx: Ctx, who: Registrar, response: Response, key: IdempotencyKey = None
) -> OperationOut:
    """Issues the registration certificate after a notice with no open objection."""
    asset_in_region(ctx, who, asset_id)
    return accepted_response(response, ctx.service.issue(operation_key(who, key), asset_id))


@router.post("/assets/{asset_id}/change", status_code=202, response_model=OperationOut)
def change(
    asset_id: AssetId,
    body: ChangeIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.change(
        operation_key(who, key),
        asset_id,
        b32(body.manifest_hash),
        b32(body.manifest_cid),
        body.cid_codec,
        body.consent.to_consent(),
    )
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/transfer", status_code=202, response_model=OperationOut)
def transfer(
    asset_id: AssetId,
    body: TransferIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.transfer(
        operation_key(who, key),
        asset_id,
        body.new_holder,
        b32(body.agreement_hash),
        body.consent.to_consent(),
    )
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/renew", status_code=202, response_model=OperationOut)
def renew(
    asset_id: AssetId,
    body: HolderActIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.renew(operation_key(who, key), asset_id, body.consent.to_consent())
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/pledge", status_code=202, response_model=OperationOut)
def pledge(
    asset_id: AssetId,
    body: PledgeIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.pledge(
        operation_key(who, key),
        asset_id,
        body.pledgee,
        b32(body.agreement_hash),
        body.consent.to_consent(),
    )
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/pledge/release", status_code=202, response_model=OperationOut)
def release_pledge(
    asset_id: AssetId, ctx: Ctx, who: Registrar, response: Response, key: IdempotencyKey = None
) -> OperationOut:
    asset_in_region(ctx, who, asset_id)
    return accepted_response(
        response, ctx.service.release_pledge(operation_key(who, key), asset_id)
    )


@router.post("/assets/{asset_id}/freeze", status_code=202, response_model=OperationOut)
def freeze(
    asset_id: AssetId,
    body: OrderIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    """Judicial freeze (司法冻结) on a court order, identified by its hash."""
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.freeze(operation_key(who, key), asset_id, b32(body.order_hash))
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/unfreeze", status_code=202, response_model=OperationOut)
def unfreeze(
    asset_id: AssetId,
    body: OrderIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.unfreeze(operation_key(who, key), asset_id, b32(body.order_hash))
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/cancel", status_code=202, response_model=OperationOut)
def cancel(
    asset_id: AssetId,
    body: HolderActIn,
    ctx: Ctx,
    who: Applicant,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    """Cancellation (注销) or withdrawal, signed by the holder."""
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.cancel(operation_key(who, key), asset_id, body.consent.to_consent())
    return accepted_response(response, op)


@router.post("/assets/{asset_id}/revoke", status_code=202, response_model=OperationOut)
def revoke(
    asset_id: AssetId,
    body: ReasonIn,
    ctx: Ctx,
    who: Registrar,
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    """Revocation by the center (撤销), with the hash of the reasons."""
    asset_in_region(ctx, who, asset_id)
    op = ctx.service.revoke(operation_key(who, key), asset_id, b32(body.reason_hash))
    return accepted_response(response, op)
