"""Objections (异议) during the public notice and after registration (art. 29): the act table's
"object" and "object_after_registration" (anyone may object), routed here rather than generated
because an objection from the public, one without an API key, is taken only with an objector
the registration center can contact (kept confidential in the registry's database, never on
chain or on a page) and only so many times per client address: each open objection holds up
the certificate, or takes the center's work, until a registrar decides it."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from registry.acts import act
from registry.api.deps import (
    AppContext,
    AssetId,
    Ctx,
    IdempotencyKey,
    accepted,
    accepted_response,
    in_region,
    may,
    require,
)
from registry.api.keys import Principal, Role
from registry.api.limits import client_of
from registry.api.models import ZERO, ObjectionIn, OperationOut, PostObjectionIn
from registry.api.problems import ProblemError
from registry.api.responses import ObjectorOut
from registry.api.routers.acts import perform
from registry.chain.writer import Operation
from registry.content.canonical import canonical_json

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["assets"])
OBJECT = act("object")
OBJECT_AFTER = act("object_after_registration")


def file_objection(
    ctx: AppContext,
    client: str,
    who: Principal | None,
    asset_id: int,
    body: ObjectionIn,
    key: str | None,
    statement: dict[str, Any] | None = None,
) -> Operation:
    """Files the objection once the chain's check passed (ProblemError otherwise), and keeps
    its objector. Without an API key the objector is required and ``client`` must be under
    ``ctx.limits.objections``; nothing is kept for an objection the chain refused. A
    ``PostObjectionIn`` is an objection after registration; from the public its form is the
    statement kept, whose SHA-256 is the form hash on chain."""
    if who is None:
        missing = body.missing_for_public()
        if missing:
            raise ProblemError(
                422,
                "invalid-request",
                "An objection from the public names its objector, its grounds and its reasons",
                "give objector (name, kind, contact), grounds and reason: kept by the"
                " registration center, never on chain or on a page",
                invalid_params=[
                    {"name": name, "reason": "required without an API key"} for name in missing
                ],
            )
        wait = ctx.limits.objections.take(client)
        if wait > 0:
            raise ctx.limits.objections.refuse(client, wait)
    kept = statement
    if body.objector is not None and kept is None:
        kept = objection_statement(asset_id, body)
    row = OBJECT
    if isinstance(body, PostObjectionIn):
        row = OBJECT_AFTER
        if body.form_hash == ZERO and kept is not None:
            form = "0x" + hashlib.sha256(canonical_json(kept)).hexdigest()
            body = body.model_copy(update={"form_hash": form})
    op = accepted(perform(ctx, row, who, asset_id, body, key))
    if body.objector is not None and kept is not None:
        ctx.objectors.keep(
            op.key, asset_id, body.evidence_hash, body.objector.name, body.objector.contact, kept
        )
    return op


def objection_statement(asset_id: int, body: ObjectionIn) -> dict[str, Any]:
    """The objection form as the center keeps it: who, the grounds, the reasons and the hash
    of the materials. The public page's form hashes this and puts the hash on chain; a random
    salt keeps the hash from being matched against guessed names."""
    assert body.objector is not None
    return {
        "asset_id": asset_id,
        "grounds": body.grounds,
        "reason": body.reason,
        "objector": body.objector.model_dump(),
        "materials_sha256": body.evidence_hash.lower(),
        "at": int(time.time()),
        "salt": secrets.token_hex(16),
    }


@router.post(
    "/assets/{asset_id}/objections",
    status_code=202,
    response_model=OperationOut,
    name=OBJECT.name,
    summary=OBJECT.summary,
)
def object_to(
    asset_id: AssetId,
    body: ObjectionIn,
    ctx: Ctx,
    request: Request,
    response: Response,
    who: Annotated[Principal | None, Depends(may(OBJECT))],
    key: IdempotencyKey = None,
) -> OperationOut:
    """An objection with the hash of its evidence; anyone, and without an API key with the
    objector's name and contact (kept confidential), a few per address per hour."""
    op = file_objection(ctx, client_of(request), who, asset_id, body, key)
    return accepted_response(response, op)


@router.post(
    "/assets/{asset_id}/objections/after-registration",
    status_code=202,
    response_model=OperationOut,
    name=OBJECT_AFTER.name,
    summary=OBJECT_AFTER.summary,
)
def object_after_registration(
    asset_id: AssetId,
    body: PostObjectionIn,
    ctx: Ctx,
    request: Request,
    response: Response,
    who: Annotated[Principal | None, Depends(may(OBJECT_AFTER))],
    key: IdempotencyKey = None,
) -> OperationOut:
    """An objection after registration with the hashes of its form and evidence; anyone, and
    without an API key with the objector's name and contact (kept confidential), a few per
    address per hour."""
    op = file_objection(ctx, client_of(request), who, asset_id, body, key)
    return accepted_response(response, op)


@router.get("/assets/{asset_id}/objectors", response_model=list[ObjectorOut])
def objectors(
    asset_id: AssetId,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(Role.REGISTRAR))],
) -> list[dict[str, Any]]:
    """Who filed the asset's objections, to be contacted: for the registrars of its region."""
    in_region(ctx, who, "asset", asset_id)
    return ctx.objectors.of_asset(asset_id)
