"""The rights of an account, and what a holder needs to sign consents (the acts on rights are
routed from the act table, in ``acts``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from registry.api.deps import Ctx
from registry.api.index_models import AccountRights, Eip712Out, Nonces
from registry.chain.signing import TYPES
from registry.chain.types import checksum

router = APIRouter(prefix="/v1", tags=["rights"])


@router.get("/accounts/{address}/nonces", tags=["consents"], response_model=Nonces)
def nonces(
    address: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")], ctx: Ctx
) -> dict[str, Any]:
    """The account's next EIP-712 nonce on each contract that takes holder consents."""
    return ctx.service.nonces(checksum(address))


@router.get("/eip712", tags=["consents"], response_model=Eip712Out)
def eip712(ctx: Ctx) -> dict[str, Any]:
    """The domains and types a holder signs consents with (see registry.chain.signing)."""
    return {"domains": ctx.service.eip712_domains(), "types": TYPES}


@router.get("/accounts/{address}/rights", response_model=AccountRights)
def account_rights(
    address: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")],
    ctx: Ctx,
    at: Annotated[int | None, Query(ge=0, lt=2**40)] = None,
) -> dict[str, Any]:
    """Assets the account holds and licences it has at time ``at`` (default now)."""
    account = checksum(address)
    now = ctx.now()
    held = ctx.queries.search(now, holder=account, limit=200)
    return {
        "account": account,
        "holding": [a["asset_id"] for a in held.items],
        "right_holdings": ctx.queries.right_holdings(account),
        "grants": ctx.queries.rights_of_account(account, now if at is None else at),
    }
