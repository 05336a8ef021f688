"""The act routes, one per row of ``registry.acts.ACTS`` (except the application, whose route is
in ``assets`` beside the batch of applications, and the objections, in ``objections``: the
public's objections are limited and need an objector), and ``GET /v1/acts``, the table itself,
so a partner knows what this registry can do and who may ask for it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel

from registry.acts import ACTS, Act
from registry.api.deps import (
    AppContext,
    AssetId,
    IdempotencyKey,
    accepted_response,
    authorize,
    context,
    may,
    operation_key,
    refuse_past_start,
)
from registry.api.keys import Principal
from registry.api.models import (
    ChangeTerms,
    LicenceIn,
    LicenseeIn,
    OperationOut,
    b32,
    consent_of,
)
from registry.api.problems import ProblemError
from registry.chain.types import RightKind
from registry.chain.writer import Operation
from registry.licensees import Licensee, named_by
from registry.services.changes import refused_change

router = APIRouter(prefix="/v1")

_PATH_PARAMS: dict[str, Any] = {
    "asset_id": AssetId,
    "objection_id": Annotated[int, Path(ge=1, lt=2**63, description="The objection's id")],
    "annotation_id": Annotated[
        int, Path(ge=1, lt=2**63, description="The annotation's id: the asset's, then 3 digits")
    ],
    "grant_id": Annotated[
        str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="The grant's id (32 bytes)")
    ],
    "transfer_id": Annotated[
        int, Path(ge=1, lt=2**63, description="The transfer application's id")
    ],
}


class ActOut(BaseModel):
    """One row of the act table, as a partner reads it."""

    name: str
    summary: str
    method: str
    path: str
    request: str | None
    contract: str
    functions: list[str]
    sender: str
    consent: str | None
    roles: list[str] | None
    same_region: bool
    target: str
    cli: str | None

    @classmethod
    def of(cls, act: Act) -> ActOut:
        return cls(
            name=act.name,
            summary=act.summary,
            method=act.method,
            path="/v1" + act.path,
            request=act.body.__name__ if act.body else None,
            contract=act.contract,
            functions=list(act.functions),
            sender=act.sender,
            consent=act.consent,
            roles=sorted(r.value for r in act.roles) if act.roles is not None else None,
            same_region=act.same_region,
            target=act.target,
            cli=f"registry {act.cli[0]} {act.cli[1]}" if act.cli else None,
        )


@router.get("/acts", response_model=list[ActOut], tags=["acts"])
def acts() -> list[ActOut]:
    """Every registration act this registry performs: its route, the contract function it
    calls, the staff key that sends it, the holder consent it takes and who may ask for it."""
    return [ActOut.of(act) for act in ACTS]


def perform(
    ctx: AppContext,
    act: Act,
    who: Principal | None,
    target: Any,
    body: BaseModel | None,
    key: str | None,
) -> Operation:
    """Authorises ``act`` as its row says, then hands its call to the service."""
    target = act.target_of(target, body)
    authorize(ctx, act, who, target, body)
    refuse_past_start(ctx, act, body)
    if isinstance(body, ChangeTerms) and act.target == "asset":
        # A change on the holders' request (a judgment's is the court's to order).
        refuse_change_of_party(ctx, target, body)
    refuse_the_center(ctx, body)
    recorded = licensee_to_record(ctx, body) if isinstance(body, LicenceIn) else None
    op = ctx.service.perform(
        operation_key(who, key), act.call(body, target), consent_of(body) if act.consent else None
    )
    if not (op.status == "failed" and op.tx_hash is None):
        keep_texts(ctx, act, body)
        if recorded is not None:
            ctx.queries.record_licensee(*recorded)
    return op


def keep_texts(ctx: AppContext, act: Act, body: BaseModel | None) -> None:
    """Keeps the texts whose hashes the act put on chain (the row's ``texts``), once sent."""
    if act.texts is not None:
        ctx.queries.keep_texts(act.texts(body))


def refuse_the_center(ctx: AppContext, body: BaseModel | None) -> None:
    """Art. 10(7), as the forms apply it to every party: the center is not a party to a
    registration at itself, so a licensee with the center's own credit code is refused."""
    own = ctx.texts.credit_code
    if own and isinstance(body, LicenseeIn) and body.licensee_credit_code == own:
        reason = "the center's own credit code (art. 10(7))"
        raise ProblemError(
            422,
            "center-as-party",
            "登记机构不得作为当事人在本机构登记（指引第十条第七项）",
            "the center is not a party to a registration at itself (art. 10(7))",
            invalid_params=[{"name": "licensee_credit_code", "reason": reason}],
        )


def licensee_to_record(ctx: AppContext, body: LicenceIn) -> tuple[str, Licensee] | None:
    """The licensee a licence names, when the center records it: on a grant whose terms on
    chain name none, and only before its licence is registered. One the grant's terms name is
    bound already, and a licence naming another is refused (422 naming the first field that
    differs)."""
    named = body.licensee()
    grant_id, terms_hash, registered = ctx.service.grant_terms(
        body.asset_id, RightKind[body.kind.upper()], body.grantee, b32(body.scenario)
    )
    text = ctx.queries.kept_text(terms_hash)
    bound = named_by(text, terms_hash) if text is not None else None
    if bound is None:
        return (grant_id, named) if named is not None and not registered else None
    if named is None:
        return None
    for field, given, held in (
        ("licensee_name", named.name, bound.name),
        ("licensee_kind", named.kind, bound.kind),
        ("licensee_credit_code", named.credit_code, bound.credit_code),
    ):
        if given != held:
            raise ProblemError(
                422,
                "licensee-differs",
                "The licensee differs from the one the grant names",
                f"the grant's terms on chain, which its grantor signed, name {held or 'none'}",
                invalid_params=[{"name": field, "reason": "differs from the grant's terms"}],
            )
    return None


_CHANGE_RULES = {
    "ChangeOfRightHolder": (
        "holder",
        "A change of right-holder is a transfer registration (art. 34), not a change",
    ),
    "ChangeOfSource": (
        "source",
        "A change of the data's source is a new registration (art. 33), not a change",
    ),
}


def refuse_change_of_party(ctx: AppContext, asset_id: int, body: ChangeTerms) -> None:
    """422 naming the rule when the new manifest changes who holds the rights or where the
    data comes from (art. 35), which a change registration may not."""
    asset = ctx.queries.asset(asset_id, ctx.now())
    current = ctx.queries.manifest(asset["manifest_hash"]) if asset else None
    rule = refused_change(current, ctx.queries.manifest(body.manifest_hash))
    if rule is None:
        return
    member, title = _CHANGE_RULES[rule]
    raise ProblemError(
        422,
        "change-of-right-holder" if rule == "ChangeOfRightHolder" else "change-of-source",
        title,
        f"the new manifest's {member} differs from the registration's",
        invalid_params=[{"name": "manifest_hash", "reason": f"its {member} differs"}],
        rule=rule,
        args=[asset_id],
    )


def _endpoint(act: Act) -> Callable[..., OperationOut]:
    """The route function of ``act``: its signature (path parameter, request model, the
    caller admitted by the row's roles) is built from the row, for FastAPI to read."""
    param = act.target_param

    def endpoint(**values: Any) -> OperationOut:
        op = perform(
            values["ctx"],
            act,
            values["who"],
            values.get(param) if param else None,
            values.get("body"),
            values["key"],
        )
        return accepted_response(values["response"], op)

    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("ctx", keyword, annotation=Annotated[AppContext, Depends(context)]),
        inspect.Parameter("response", keyword, annotation=Response),
        inspect.Parameter(
            "who", keyword, annotation=Annotated[Principal | None, Depends(may(act))]
        ),
        inspect.Parameter("key", keyword, annotation=IdempotencyKey, default=None),
    ]
    if param is not None:
        params.insert(0, inspect.Parameter(param, keyword, annotation=_PATH_PARAMS[param]))
    if act.body is not None:
        params.insert(1, inspect.Parameter("body", keyword, annotation=act.body))
    # FastAPI reads the route's parameters from its signature.
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        params, return_annotation=OperationOut
    )
    endpoint.__name__ = act.name
    endpoint.__doc__ = act.summary
    return endpoint


for _act in ACTS:
    if _act.name in ("apply", "object", "object_after_registration"):
        continue  # their routes are in ``assets`` and ``objections``
    router.add_api_route(
        _act.path,
        _endpoint(_act),
        methods=[_act.method],
        status_code=202,
        response_model=OperationOut,
        name=_act.name,
        summary=_act.summary,
        tags=[{"rights": "rights", "annotations": "annotations"}.get(_act.contract, "assets")],
    )
