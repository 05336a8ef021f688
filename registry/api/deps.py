"""What every route needs: the service, the index, who is calling, and the chain's clock."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from registry.api.keys import ApiKeys, Principal, Role
from registry.api.models import OperationOut
from registry.api.problems import ProblemError, refused
from registry.chain.types import Status
from registry.chain.writer import Operation
from registry.consents import ConsentRequests
from registry.content import ContentStore
from registry.documents import ReportArchive
from registry.evidence import EvidenceBatcher
from registry.index.queries import Queries
from registry.recognition import Mediator
from registry.services import RegistryService


@dataclass
class AppContext:
    service: RegistryService
    queries: Queries
    keys: ApiKeys
    content: ContentStore
    evidence: EvidenceBatcher
    reports: ReportArchive
    consents: ConsentRequests
    public_url: str | None = None
    mediator: Mediator | None = None
    region: int = 370200

    def link(self, request: Request, path: str) -> str:
        """An absolute public link, for QR codes and documents that leave the service."""
        base = self.public_url or str(request.base_url)
        return base.rstrip("/") + path

    def now(self) -> int:
        """Chain time: the registry's rules (notice, expiry) run on block time, not the host's."""
        block = self.service.registry.chain.w3.eth.get_block("latest")
        return int(block["timestamp"])


async def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


Ctx = Annotated[AppContext, Depends(context)]


async def principal(
    ctx: Ctx,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal | None:
    secret = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    if not secret:
        return None
    found = ctx.keys.authenticate(secret)
    if found is None:
        raise ProblemError(401, "unauthenticated", "The API key is unknown or revoked")
    return found


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only keys of ``roles``."""

    async def check(who: Annotated[Principal | None, Depends(principal)]) -> Principal:
        if who is None:
            raise ProblemError(401, "unauthenticated", "An API key is required")
        if who.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise ProblemError(
                403, "wrong-role", "This key's role may not do this", f"needs one of: {allowed}"
            )
        return who

    return check


def operation_key(who: Principal | None, idempotency_key: str | None) -> str:
    """Keys are scoped to the caller, so two clients can never collide on one."""
    if idempotency_key is None:
        return f"op-{uuid.uuid4().hex}"
    if not (0 < len(idempotency_key) <= 200) or not idempotency_key.isprintable():
        raise ProblemError(
            422,
            "invalid-request",
            "Idempotency-Key must be 1 to 200 printable characters",
            invalid_params=[{"name": "Idempotency-Key", "reason": "1 to 200 printable chars"}],
        )
    return f"{who.key_id if who else 'public'}:{idempotency_key}"


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def accepted(op: Operation) -> Operation:
    """Raises the contract's refusal when nothing could be sent."""
    if op.status == "failed" and op.tx_hash is None:
        raise refused(op)
    return op


def accepted_response(response: Response, op: Operation) -> OperationOut:
    """A 202 body for an accepted write, with where to poll it."""
    op = accepted(op)
    response.headers["Location"] = f"/v1/operations/{op.key}"
    return OperationOut.of(op)


def asset_in_region(ctx: AppContext, who: Principal | None, asset_id: int) -> None:
    """404 for an unknown asset; 403 when the key is bound to another region."""
    standing = ctx.service.standing(asset_id)
    if standing.status == Status.NONE:
        raise ProblemError(
            404, "contract/UnknownAsset", "No such asset", f"asset {asset_id} is not registered"
        )
    if who is not None and standing.region != who.region:
        raise ProblemError(
            403,
            "wrong-region",
            "This key is bound to another region",
            f"asset region {standing.region}, key region {who.region}",
        )
