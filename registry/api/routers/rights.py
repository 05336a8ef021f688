"""Processing and operating licences, and the rights of an account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from web3 import Web3

from registry.api.deps import (
    Ctx,
    IdempotencyKey,
    accepted_response,
    asset_in_region,
    operation_key,
    require,
)
from registry.api.keys import Principal, Role
from registry.api.models import GrantIn, LicenceIn, OperationOut, RevokeGrantIn, b32
from registry.api.problems import ProblemError
from registry.chain.signing import TYPES
from registry.chain.types import RightKind

router = APIRouter(prefix="/v1", tags=["rights"])

GrantId = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$")]


@router.post("/rights", status_code=202, response_model=OperationOut)
def grant(
    body: GrantIn,
    ctx: Ctx,
    response: Response,
    who: Annotated[Principal, Depends(require(Role.REGISTRAR, Role.HOLDER))],
    key: IdempotencyKey = None,
) -> OperationOut:
    """Grants a processing or operating right for one scenario, with the holder's consent."""
    asset_in_region(ctx, who, body.asset_id)
    op = ctx.service.grant(operation_key(who, key), body.to_request(), body.consent.to_consent())
    return accepted_response(response, op)


@router.post("/rights/{grant_id}/revoke", status_code=202, response_model=OperationOut)
def revoke_grant(
    grant_id: GrantId,
    body: RevokeGrantIn,
    ctx: Ctx,
    response: Response,
    who: Annotated[Principal, Depends(require(Role.REGISTRAR, Role.HOLDER))],
    key: IdempotencyKey = None,
) -> OperationOut:
    """The holder revokes a revocable grant (with consent); the registrar annuls any grant."""
    k = operation_key(who, key)
    if body.consent is not None:
        op = ctx.service.revoke_grant(
            k, b32(grant_id), b32(body.reason_hash), body.consent.to_consent()
        )
    elif who.role == Role.REGISTRAR:
        op = ctx.service.annul_grant(k, b32(grant_id), b32(body.reason_hash))
    else:
        raise ProblemError(
            422,
            "invalid-request",
            "The holder's consent is required",
            invalid_params=[{"name": "consent", "reason": "required unless the registrar annuls"}],
        )
    return accepted_response(response, op)


@router.post("/licences", status_code=202, response_model=OperationOut)
def register_licence(
    body: LicenceIn,
    ctx: Ctx,
    response: Response,
    who: Annotated[Principal, Depends(require(Role.REGISTRAR))],
    key: IdempotencyKey = None,
) -> OperationOut:
    """Licence registration (许可登记): issues the licence certificate (许可凭证) to the grantee."""
    asset_in_region(ctx, who, body.asset_id)
    op = ctx.service.register_licence(
        operation_key(who, key),
        body.asset_id,
        RightKind[body.kind.upper()],
        body.grantee,
        b32(body.scenario),
    )
    return accepted_response(response, op)


@router.get("/accounts/{address}/nonces", tags=["consents"])
def nonces(
    address: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")], ctx: Ctx
) -> dict[str, Any]:
    """The account's next EIP-712 nonce on each contract that takes holder consents."""
    reg = ctx.service.registry
    account = Web3.to_checksum_address(address)
    return {"assets": reg.assets.nonces(account), "rights": reg.rights.nonces(account)}


@router.get("/eip712", tags=["consents"])
def eip712(ctx: Ctx) -> dict[str, Any]:
    """The domains and types a holder signs consents with (see registry.chain.signing)."""
    reg = ctx.service.registry
    return {
        "domains": {
            "assets": reg.assets.domain().to_json(),
            "rights": reg.rights.domain().to_json(),
        },
        "types": TYPES,
    }


@router.get("/accounts/{address}/rights")
def account_rights(
    address: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")],
    ctx: Ctx,
    at: Annotated[int | None, Query(ge=0, lt=2**40)] = None,
) -> dict[str, Any]:
    """Assets the account holds and licences it has at time ``at`` (default now)."""
    account = Web3.to_checksum_address(address)
    now = ctx.now()
    held = ctx.queries.search(now, holder=account, limit=200)
    return {
        "account": account,
        "holding": [a["asset_id"] for a in held.items],
        "grants": ctx.queries.rights_of_account(account, now if at is None else at),
    }
