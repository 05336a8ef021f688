"""Applications for registration, and what the index knows of assets (the other acts on assets
are routed from the act table, in ``acts``)."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response

from registry.acts import act
from registry.api.deps import (
    AppContext,
    AssetId,
    Ctx,
    IdempotencyKey,
    accepted_response,
    authorize,
    in_region,
    may,
    operation_key,
    require,
)
from registry.api.index_models import AnnotationOut, AssetOut, AssetPage, AssetRights, EventOut
from registry.api.keys import Principal, Role
from registry.api.models import ApplicationIn, OperationOut
from registry.api.problems import ProblemError
from registry.api.responses import DuplicateOut, ReviewOut
from registry.api.routers.acts import perform
from registry.chain.types import Status, checksum
from registry.forms.application import hints_json
from registry.forms.public import FORMAT, confidential_part, public_view
from registry.privacy import MaterialError
from registry.services.duplicates import DuplicateApplicationError, shown

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["assets"])

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
    here but its operation (and its claim on its data: the same applicant applying twice for
    the same data is refused, 409 ``DuplicateApplication``): the asset's names are those of its
    manifest as published. A different applicant for the same data is a co-holder, shown to
    the reviewer (``GET /v1/assets/{id}/review``)."""
    authorize(ctx, APPLY, who, None, body)
    op_key = operation_key(who, key)
    claim(ctx, body, op_key)
    try:
        op = perform(ctx, APPLY, who, None, body, key)
    except Exception:
        ctx.duplicates.release(op_key)
        raise
    if op.status == "failed" and op.tx_hash is None:
        ctx.duplicates.release(op_key)
    return accepted_response(response, op)


def claim(ctx: AppContext, body: ApplicationIn, op_key: str, index: int | None = None) -> None:
    """Claims the application's data for its applicant, or refuses a second application for
    it by the same applicant (409, naming the earlier registration)."""
    try:
        ctx.duplicates.claim(body.holder, body.manifest_hash, op_key, ctx.now())
    except DuplicateApplicationError as dup:
        e = dup.earlier
        earlier = "an application being sent"
        if e is not None:
            earlier = f"asset {e.asset_id}" + (
                f" ({e.certificate_number})" * bool(e.certificate_number)
            )
        field = "manifest_hash" if index is None else f"{index}.manifest_hash"
        raise ProblemError(
            409,
            "duplicate-application",
            "The applicant applied for this data already",
            f"the same applicant may not apply twice for the same data ({dup.shared}): {earlier}",
            rule="DuplicateApplication",
            args=[e.asset_id] if e else [],
            invalid_params=[{"name": field, "reason": f"already applied for: {earlier}"}],
        ) from None


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
    keys = [f"{base}.{i}" for i in range(len(body))]
    try:
        for i, item in enumerate(body):
            claim(ctx, item, keys[i], i)
        ops = ctx.service.perform_many(
            [(keys[i], APPLY.call(a, None), a.to_consent()) for i, a in enumerate(body)]
        )
    except Exception:
        # Nothing of the batch was sent: its claims go with it.
        for op_key in keys:
            ctx.duplicates.release(op_key)
        raise
    for op in ops:
        if op.status == "failed" and op.tx_hash is None:
            ctx.duplicates.release(op.key)
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


@router.get("/assets/{asset_id}/review", response_model=ReviewOut)
def review(
    asset_id: AssetId,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(Role.REVIEWER, Role.REGISTRAR))],
) -> ReviewOut:
    """For the reviewer: the possible duplicates of the application's data (its earlier
    registrations by other applicants, with their certificate numbers) and its source as the
    manifest states it, a public data product's registration code among it."""
    in_region(ctx, who, "asset", asset_id)
    found = review_of(ctx, asset_id)
    if found is None:
        raise ProblemError(404, "not-found", "No such asset", f"asset {asset_id} is not indexed")
    return found


_NATIONAL_SOURCE = (("kind", "source"), ("public_data_code", "public_data_code"))
"""The review's source facts and the national form's fields they are."""


def review_of(ctx: AppContext, asset_id: int) -> ReviewOut | None:
    """The review facts of an indexed asset (None if it is not indexed)."""
    now = ctx.now()
    asset = ctx.queries.asset(asset_id, now)
    if asset is None:
        return None
    manifest_hash = str(asset["manifest_hash"])
    earlier = ctx.duplicates.earlier(manifest_hash, now, besides=asset_id)
    document = ctx.queries.manifest(manifest_hash) or {}
    source = document.get("source") or {}
    hints: list[dict[str, str]] = []
    if document.get("format") == FORMAT:
        # A national form's source is confidential: the reviewer reads it from its sealed part.
        try:
            fields = confidential_part(ctx.materials, manifest_hash).fields
        except MaterialError as exc:
            logger.warning(
                "asset %d: the form's confidential part is unreadable: %s", asset_id, exc
            )
            fields = {}
        source = {
            k: fields[f"data.{n}"].value for k, n in _NATIONAL_SOURCE if f"data.{n}" in fields
        }
        hints = hints_json(str(public_view(document)["name_zh"]))
    return ReviewOut(
        asset_id=asset_id,
        possible_duplicates=[DuplicateOut(**d) for d in shown(earlier)],
        source_kind=source.get("kind"),
        provider_type=source.get("provider_type"),
        public_data_code=source.get("public_data_code"),
        name_hints=hints,
    )


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
    """The three rights at time ``at`` (default now): the rights configuration (every
    right-holder, its rights and term) and the live licences granted under the operating right."""
    now = ctx.now()
    asset = ctx.queries.asset(asset_id, now)
    if asset is None:
        raise ProblemError(404, "not-found", "No such asset", f"asset {asset_id} is not indexed")
    return {
        "holding": asset["holder"],
        "right_holders": asset["right_holders"],
        "grants": ctx.queries.rights_of_asset(asset_id, now if at is None else at),
    }
