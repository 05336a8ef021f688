"""Consent requests: the registrar drafts an act that needs the holder's consent; the holder
signs its EIP-712 typed data wherever their key is and posts the signature; the registrar's
writer then relays the act. The request's id is the holder's link to it."""

from __future__ import annotations

from typing import Annotated, Literal

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.exceptions import ValidationError
from fastapi import APIRouter, Depends, Path, Query, Response

from registry.acts import act
from registry.api.deps import (
    AppContext,
    Ctx,
    accepted,
    accepted_response,
    asset_in_region,
    refuse_past_start,
    require,
)
from registry.api.drafts import ConsentRequestOut, Draft, SignatureIn, draft_call, parse_draft
from registry.api.keys import Principal, Role
from registry.api.models import ChangeTerms, OperationOut
from registry.api.problems import ProblemError, breaks_rule
from registry.api.routers.acts import keep_texts, refuse_change_of_party, refuse_the_center
from registry.chain.signing import CONSENT_TERM, fresh_nonce
from registry.chain.types import Consent, checksum
from registry.chain.writer import Operation
from registry.consents import ConsentRequest, typed_data_for

router = APIRouter(prefix="/v1", tags=["consents"])
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Staff = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.REVIEWER, Role.AUDITOR))]


def request_out(
    ctx: AppContext, request: ConsentRequest, now: int, op: Operation | None = None
) -> ConsentRequestOut:
    """``op``: the request's operation when the caller has read it already (listings)."""
    if op is None and request.operation:
        op = ctx.service.operation(request.operation)
    base = f"/v1/consent-requests/{request.id}"
    return ConsentRequestOut(
        id=request.id,
        act=request.act,
        asset_id=request.asset_id,
        region=request.region,
        holder=request.holder,
        state=request.state(now),
        deadline=request.deadline,
        created_at=request.created_at,
        draft=request.draft,
        typed_data=request.typed_data,
        operation=OperationOut.of(op, ctx.service.result(op)) if op else None,
        links={"self": base, "signature": f"{base}/signature"},
    )


def draft_request(ctx: AppContext, who: Principal, draft: Draft) -> ConsentRequest:
    """Keeps ``draft`` for the holder to sign, if nothing but their consent stands in its way."""
    asset_in_region(ctx, who, draft.asset_id)
    refuse_past_start(ctx, act(draft.act), draft)
    if isinstance(draft, ChangeTerms):
        refuse_change_of_party(ctx, draft.asset_id, draft)
    refuse_the_center(ctx, draft)
    call = draft_call(draft)
    broken = ctx.service.broken_rule(call)
    if broken is not None:
        raise breaks_rule(broken)
    deadline = ctx.now() + CONSENT_TERM
    return ctx.consents.create(
        region=who.region,
        asset_id=draft.asset_id,
        act=draft.act,
        holder=_consenting(ctx, draft),
        draft=draft.model_dump(mode="json"),
        typed_data=typed_data_for(call, ctx.service.domain(call.contract), fresh_nonce(), deadline),
        deadline=deadline,
        created_by=who.key_id,
    )


def _found(ctx: AppContext, request_id: str) -> ConsentRequest:
    request = ctx.consents.get(request_id)
    if request is None:
        raise ProblemError(404, "not-found", "No such consent request", request_id)
    return request


def sign_request(ctx: AppContext, request: ConsentRequest, signature: bytes) -> Operation:
    """Relays the request's act with the holder's ``signature``. Sending the signature again
    returns the same operation."""
    if request.status == "submitted" and request.operation:
        done = ctx.service.operation(request.operation)
        if done is not None:
            return done
    state = request.state(ctx.now())
    if state != "awaiting":
        raise ProblemError(
            409, f"request-{state}", f"The consent request is {state}", f"request {request.id}"
        )
    holder = _consenting(ctx, parse_draft(request.draft))
    if holder != request.holder:
        raise ProblemError(
            409,
            "holder-changed",
            "The asset has another holder since the request was made",
            f"drafted for {request.holder}; the holder is now {holder}",
        )
    if not ctx.service.is_contract(holder):
        # A contract holder (EIP-1271) is asked by the contract itself when the act is checked.
        signer = _signer(request, signature)
        if signer != holder:
            raise ProblemError(
                422,
                "invalid-request",
                "Not signed by the holder",
                f"signed by {signer}; the holder is {holder}",
                invalid_params=[{"name": "signature", "reason": "not the holder's signature"}],
            )
    draft = parse_draft(request.draft)
    consent = Consent(request.deadline, request.nonce, signature)
    op = accepted(ctx.service.perform(f"consent-request:{request.id}", draft_call(draft), consent))
    keep_texts(ctx, act(draft.act), draft)
    ctx.consents.mark_submitted(request.id, op.key)
    return op


def _consenting(ctx: AppContext, draft: Draft) -> str:
    """Who consents to the draft now: a licence's grantor (a holder of the operating right, whose
    right the contract checks), the right-holder whose identity details change, else the
    asset's holder."""
    party: str | None = getattr(draft, "grantor", None) or getattr(draft, "account", None)
    return checksum(party) if party else ctx.service.standing(draft.asset_id).holder


def _signer(request: ConsentRequest, signature: bytes) -> str:
    try:
        signer: str = Account.recover_message(
            encode_typed_data(full_message=request.typed_data), signature=signature
        )
    except (ValueError, TypeError, ValidationError) as exc:
        raise ProblemError(
            422,
            "invalid-request",
            "Not a signature",
            str(exc),
            invalid_params=[{"name": "signature", "reason": "not a 65-byte ECDSA signature"}],
        ) from None
    return signer


@router.post("/consent-requests", status_code=201, response_model=ConsentRequestOut)
def create(draft: Draft, ctx: Ctx, who: Registrar, response: Response) -> ConsentRequestOut:
    """Drafts an act that needs the holder's consent (change, change of identity, pledge,
    renew, cancel, grant). It is checked against the chain now, so what waits for the holder
    is an act the contract would take but for the signature; the answer holds the typed data
    to sign."""
    request = draft_request(ctx, who, draft)
    response.headers["Location"] = f"/v1/consent-requests/{request.id}"
    return request_out(ctx, request, ctx.now())


@router.get("/consent-requests", response_model=list[ConsentRequestOut])
def listing(
    ctx: Ctx,
    who: Staff,
    status: Annotated[Literal["awaiting", "submitted", "withdrawn"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ConsentRequestOut]:
    """The requests of the key's region, newest first (``awaiting`` includes expired ones)."""
    now = ctx.now()
    found = ctx.consents.list(who.region, status=status, limit=limit)
    ops = ctx.service.operations([r.operation for r in found if r.operation])
    return [request_out(ctx, r, now, ops.get(r.operation or "")) for r in found]


@router.get("/consent-requests/{request_id}", response_model=ConsentRequestOut)
def show(request_id: RequestId, ctx: Ctx) -> ConsentRequestOut:
    """One request, with the typed data the holder signs; no key needed (the id is the link)."""
    return request_out(ctx, _found(ctx, request_id), ctx.now())


@router.post(
    "/consent-requests/{request_id}/signature", status_code=202, response_model=OperationOut
)
def signature(
    request_id: RequestId, body: SignatureIn, ctx: Ctx, response: Response
) -> OperationOut:
    """The holder's signature over the request's typed data: the act is relayed at once (the
    contract checks the signature again). No key needed: only the holder can make it."""
    signed = bytes.fromhex(body.signature.removeprefix("0x"))
    return accepted_response(response, sign_request(ctx, _found(ctx, request_id), signed))


@router.post("/consent-requests/{request_id}/withdraw", response_model=ConsentRequestOut)
def withdraw(request_id: RequestId, ctx: Ctx, who: Registrar) -> ConsentRequestOut:
    """Withdraws an awaiting request; its signature, if it comes, is refused."""
    request = _found(ctx, request_id)
    if request.region != who.region:
        raise ProblemError(403, "wrong-region", "This key is bound to another region")
    if not ctx.consents.withdraw(request_id):
        raise ProblemError(
            409, f"request-{request.status}", f"The consent request is {request.status}"
        )
    return request_out(ctx, _found(ctx, request_id), ctx.now())
