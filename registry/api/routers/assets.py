"""Applications for registration, and what the index knows of assets (the other acts on assets
are routed from the act table, in ``acts``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from registry.acts import act
from registry.api.deps import (
    Ctx,
    IdempotencyKey,
    accepted_response,
    authorize,
    may,
    operation_key,
)
from registry.api.index_models import AnnotationOut, AssetOut, AssetPage, AssetRights, EventOut
from registry.api.keys import Principal
from registry.api.models import ApplicationIn, OperationOut
from registry.api.problems import ProblemError
from registry.api.routers.acts import perform
from registry.chain.types import Status, checksum

router = APIRouter(prefix="/v1", tags=["assets"])

AssetId = Annotated[int, Path(ge=1, lt=2**63, description="The asset's id")]
APPLY = act("apply")
StatusName = Literal[
    "applied", "under_review", "rejected", "in_notice", "issued", "cancelled", "revoked", "expired"
]


@router.post("/assets", status_code=202, response_model=OperationOut)
def apply(
    body: ApplicationIn,
    ctx: Ctx,
    who: Annotated[Principal, Depends(may(APPLY))],
    response: Response,
    key: IdempotencyKey = None,
) -> OperationOut:
    """Files an initial application (首次登记), signed by the holder. Nothing of it is kept
    here but its operation: the asset's names are those of its manifest as published."""
    return accepted_response(response, perform(ctx, APPLY, who, None, body, key))


@router.post("/assets/batch", status_code=202, response_model=list[OperationOut])
def apply_batch(
    body: Annotated[list[ApplicationIn], Body(min_length=1, max_length=1000)],
    ctx: Ctx,
    who: Annotated[Principal, Depends(may(APPLY))],
    key: IdempotencyKey = None,
) -> list[OperationOut]:
    """Files up to 1,000 applications in as few transactions as possible; the n-th operation's
    idempotency key is ``<Idempotency-Key>.<n>``. Refused ones fail alone, with their reason."""
    for i, item in enumerate(body):
        try:
            authorize(ctx, APPLY, who, None, item)
        except ProblemError as problem:
            for param in problem.extra.get("invalid_params", []):
                param["name"] = f"{i}.{param['name']}"
            raise
    base = operation_key(who, key)
    ops = ctx.service.perform_many(
        [(f"{base}.{i}", APPLY.call(a, None), a.consent.to_consent()) for i, a in enumerate(body)]
    )
    return [OperationOut.of(op) for op in ops]


@router.get("/assets", response_model=AssetPage)
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
        holder=checksum(holder) if holder else None,
        region=region,
        status=Status[status.upper()] if status else None,
        text=q,
        after=after,
        limit=limit,
    )
    return {"items": page.items, "next_after": page.next_after}


@router.get("/assets/{asset_id}", response_model=AssetOut)
def get_asset(asset_id: AssetId, ctx: Ctx) -> dict[str, Any]:
    asset = ctx.queries.asset(asset_id, ctx.now())
    if asset is None:
        raise ProblemError(404, "not-found", "No such asset", f"asset {asset_id} is not indexed")
    return asset


@router.get("/assets/{asset_id}/annotations", response_model=list[AnnotationOut])
def asset_annotations(asset_id: AssetId, ctx: Ctx) -> list[dict[str, Any]]:
    """The asset's annotations (备注), oldest first, lifted ones included."""
    if ctx.queries.asset(asset_id, ctx.now()) is None:
        raise ProblemError(404, "not-found", "No such asset", f"asset {asset_id} is not indexed")
    return ctx.queries.annotations(asset_id)


@router.get("/assets/{asset_id}/history", response_model=list[EventOut])
def history(asset_id: AssetId, ctx: Ctx) -> list[dict[str, Any]]:
    """Every recorded act on the asset, with its transaction and block time."""
    return ctx.queries.history(asset_id)


@router.get("/assets/{asset_id}/rights", response_model=AssetRights)
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
