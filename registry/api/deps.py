"""What every route needs: the service, the index, who is calling, and the chain's clock."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Path, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from registry import times
from registry.access import AccessLogAnchor, AccessRegister
from registry.acts import Act
from registry.api.keys import ApiKeys, Principal, Role
from registry.api.limits import Limits, client_of
from registry.api.models import OperationOut, b32
from registry.api.objectors import Objectors
from registry.api.problems import ProblemError, refused
from registry.chain.types import Status
from registry.chain.writer import Operation
from registry.consents import ConsentRequests
from registry.content import ContentStore
from registry.documents import Deployed, DocumentSigner, ReportArchive
from registry.evidence import EvidenceBatcher
from registry.index.queries import Queries
from registry.privacy import MaterialStore
from registry.recognition import Mediator
from registry.reporting import ReportingOutbox
from registry.services import RegistryService
from registry.services.credentials import Credentials
from registry.services.deadlines import DeadlineBoard
from registry.services.disclosure import CenterTexts, Disclosure, center_texts
from registry.services.duplicates import Duplicates
from registry.succession import Succeeded


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
    limits: Limits = field(kw_only=True)
    objectors: Objectors = field(kw_only=True)
    duplicates: Duplicates = field(kw_only=True)
    signer: DocumentSigner = field(kw_only=True)
    materials: MaterialStore = field(kw_only=True)
    reporting: ReportingOutbox = field(kw_only=True)
    access: AccessRegister = field(kw_only=True)
    access_anchor: AccessLogAnchor = field(kw_only=True)
    credentials: Credentials = field(kw_only=True)
    texts: CenterTexts = field(
        default_factory=lambda: center_texts("数据产权登记机构", None, None, None, None),
        kw_only=True,
    )

    def link(self, request: Request, path: str) -> str:
        """An absolute public link, for QR codes and documents that leave the service."""
        return self.base(request) + path

    def base(self, request: Request) -> str:
        """The service's public address, without the trailing slash."""
        return (self.public_url or str(request.base_url)).rstrip("/")

    def now(self) -> int:
        """Chain time: the registry's rules (notice, expiry) run on block time, not the host's."""
        return self.service.chain_time()

    def deployed(self) -> Deployed:
        """The registry's deployment, as its documents print it."""
        registry = self.service.registry
        return Deployed(
            registry.chain.chain_id,
            registry.roles.address,
            registry.evidence.address,
            registry.certificates.address,
        )

    @property
    def deadlines(self) -> DeadlineBoard:
        """The open applications' deadlines, from the chain and the index."""
        return DeadlineBoard(self.service, self.queries)

    @property
    def succeeded(self) -> Succeeded:
        """The certificates handed over by a predecessor center (``registry import``)."""
        return Succeeded(self.queries.engine)

    @property
    def disclosure(self) -> Disclosure:
        """The center's disclosure and annual report, from the index and the chain's calendar."""
        calendar = self.service.registry.calendar
        return Disclosure(
            self.queries.events_named,
            (lambda _year: None) if calendar is None else calendar.year_of,
            self.texts,
            self.region,
        )


async def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


Ctx = Annotated[AppContext, Depends(context)]
# An asset id in a path: the chain's ids are uint64, so anything outside is a 422 naming the
# parameter, not an ABI encoding failure behind a 500.
AssetId = Annotated[int, Path(ge=1, lt=2**63, description="The asset's id")]


async def principal(
    ctx: Ctx,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal | None:
    """The caller's key; an address that sent too many wrong keys waits (429) whatever key
    it sends, so keys cannot be tried from it faster than ``ctx.limits.failed_auth``."""
    secret = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    if not secret:
        return None
    client = client_of(request)
    ctx.limits.failed_auth.check(client)
    # A key not seen lately costs a database query: in a thread, off the event loop.
    found = ctx.keys.cached(secret) or await run_in_threadpool(ctx.keys.authenticate, secret)
    if found is None:
        ctx.limits.failed_auth.record(client)
        raise ProblemError(401, "unauthenticated", "The API key is unknown or revoked")
    return found


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only keys of ``roles``."""
    return _admitting(frozenset(roles))


def may(act: Act) -> Callable[..., Awaitable[Principal | None]]:
    """A dependency admitting the callers the act's row admits (anyone when it names no
    roles). It runs before the body is read, so a wrong key is refused before a bad body."""
    if act.roles is None:
        return principal
    return _admitting(act.roles, act.name)


def _admitting(
    roles: frozenset[Role], act: str | None = None
) -> Callable[..., Awaitable[Principal]]:
    async def check(who: Annotated[Principal | None, Depends(principal)]) -> Principal:
        refuse_role(who, roles, act)
        assert who is not None  # refuse_role refused a missing key
        return who

    return check


def refuse_role(who: Principal | None, roles: frozenset[Role], act: str | None = None) -> None:
    """401 without a key, 403 for a key of another role."""
    if who is None:
        raise ProblemError(401, "unauthenticated", "An API key is required")
    if who.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        doing = f"{act} " if act else ""
        raise ProblemError(
            403, "wrong-role", "This key's role may not do this", f"{doing}needs one of: {allowed}"
        )


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
    in_region(ctx, who, "asset", asset_id)


_UNKNOWN = {
    "asset": ("contract/UnknownAsset", "No such asset", "asset {} is not registered"),
    "objection": ("contract/UnknownObjection", "No such objection", "objection {} is not filed"),
    "grant": ("contract/UnknownGrant", "No such grant", "grant {} was never made"),
    "annotation": (
        "contract/UnknownAnnotation",
        "No such annotation",
        "annotation {} was never recorded",
    ),
    "transfer": (
        "contract/UnknownTransfer",
        "No such transfer application",
        "transfer {} was never applied for",
    ),
}


def in_region(
    ctx: AppContext,
    who: Principal | None,
    target: Literal["asset", "objection", "grant", "annotation", "transfer"],
    ident: Any,
) -> int:
    """The asset an act on ``target`` ``ident`` is about: 404 when there is none, 403 when
    ``who`` (if given) is bound to another region than the asset's."""
    asset_id = ctx.service.asset_of(target, b32(ident) if target == "grant" else ident)
    standing = ctx.service.standing(asset_id) if asset_id else None
    if standing is None or standing.status == Status.NONE:
        kind, title, detail = _UNKNOWN[target]
        raise ProblemError(404, kind, title, detail.format(ident))
    if who is not None and standing.region != who.region:
        raise ProblemError(
            403,
            "wrong-region",
            "This key is bound to another region",
            f"asset region {standing.region}, key region {who.region}",
        )
    return asset_id


def refuse_past_start(ctx: AppContext, act: Act, body: BaseModel | None) -> None:
    """Refuses a start (a field the act's row names in ``starts``) before the start of today
    in Beijing, chain time: the contract would record the registration time in its place, and
    a date entered must never silently become another."""
    if body is None or not act.starts:
        return
    today = times.beijing_date(ctx.now())
    for name in act.starts:
        start = int(getattr(body, name))
        if times.beijing_date(start) < today:
            raise ProblemError(
                422,
                "start-before-today",
                "A start before today is refused",
                f"{name} {times.day(start, 'en')} is before today, {times.day(today, 'en')}; "
                "the contract would record the registration time instead",
                invalid_params=[
                    {"name": name, "reason": f"before today ({today.isoformat()}, Beijing time)"}
                ],
            )


def authorize(
    ctx: AppContext, act: Act, who: Principal | None, target: Any, body: BaseModel | None
) -> None:
    """Whether ``who`` may do ``act`` on ``target``, as the act's row says: its roles (see
    ``may``), then the target's existence and, where the row asks, the key's region."""
    if act.roles is not None:
        refuse_role(who, act.roles, act.name)
    if act.target == "new":
        region = getattr(body, "region", None)
        if who is not None and act.same_region and region != who.region:
            raise ProblemError(
                403,
                "wrong-region",
                "This key is bound to another region",
                f"application region {region}, key region {who.region}",
                invalid_params=[{"name": "region", "reason": "not this key's region"}],
            )
        return
    in_region(ctx, who if act.same_region else None, act.target, target)
