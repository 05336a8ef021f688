"""The console's acts that need the holder's consent (the table's draftable rows: change, a
right-holder's change of identity, pledge, renewal, cancellation, grants; a transfer needs the
transferee's too, so it has its own two-step form, ``web/transfers.py``): the registrar drafts
one, the holder (for a change of identity, that right-holder) signs it where their key is
(`registry consent sign`, or any EIP-712 wallet given the request's JSON), and the signature
comes back by the API or pasted here. The same code paths as the API's consent requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from registry import times
from registry.acts import text_hash
from registry.api.deps import AppContext, Ctx
from registry.api.drafts import Draft, parse_draft
from registry.api.keys import Role
from registry.api.problems import ProblemError
from registry.api.routers.consents import draft_request, sign_request
from registry.chain.types import identity_commitment
from registry.consents import ConsentRequest
from registry.web.console import console_page, form_session, manifest_fields, problem_page
from registry.web.render import Lang
from registry.web.sessions import COOKIE, Session, sessions_of

router = APIRouter(include_in_schema=False)
ZERO = "0x" + "00" * 32


def _registrar(role: Role) -> bool:
    """Consent requests are drafted and withdrawn by the registrar (the API's rule too)."""
    return role == Role.REGISTRAR


def _day(value: str, end: bool) -> int | None:
    """A date input (YYYY-MM-DD), a whole Beijing day: its start, or (``end``) its end."""
    if not value:
        return None
    day = times.parse_date(value)
    return times.end_of(day) if end else times.start_of(day)


def _body(ctx: AppContext, act: str, asset_id: int, form: dict[str, str], now: int) -> Draft:
    body: dict[str, Any] = {"act": act, "asset_id": asset_id}
    party, agreement = form["party"].strip(), form["agreement"].strip()
    if act == "change":
        body.update(manifest_fields(ctx, form["manifest_cid"]))
    elif act == "change_identity":
        # The right-holder's new name and code go on chain only as their commitment.
        body["account"] = party
        body["identity_hash"] = (
            "0x"
            + identity_commitment(
                form["identity_name"].strip(), form["identity_code"].strip()
            ).hex()
        )
    elif act == "pledge":
        body["pledgee"] = party
        body["agreement_hash"] = text_hash(agreement) if agreement else ""
    elif act == "grant":
        body.update(
            # The console drafts for the holder, who holds the operating right unless its
            # configuration says otherwise; the contract checks it.
            grantor=ctx.service.standing(asset_id).holder,
            kind=form["kind"],
            grantee=party,
            scenario=text_hash(form["scenario"].strip()) if form["scenario"].strip() else ZERO,
            start=_day(form["start"], end=False) or now,
            expiry=_day(form["expiry"], end=True),
            exclusive=form["exclusive"] == "true",
            terms_hash=text_hash(agreement) if agreement else ZERO,
            licensee_name=form["licensee_name"].strip(),
            licensee_kind=form["licensee_kind"],
            licensee_credit_code=form["licensee_credit_code"].strip() or None,
        )
    return parse_draft(body)


def _own_request(
    ctx: AppContext,
    request: Request,
    lang: str,
    session_id: str | None,
    csrf: str,
    request_id: str,
) -> tuple[Session, ConsentRequest] | Response:
    """The registrar's session and a consent request of their region, or the refusing page."""
    session = form_session(ctx, request, lang, session_id, csrf, _registrar)
    if not isinstance(session, Session):
        return session
    found = ctx.consents.get(request_id)
    if found is None or found.region != session.principal.region:
        return console_page(ctx, request, lang, session, 404, "console.no_request")
    return session, found


def _back(lang: str) -> Response:
    return RedirectResponse(f"/console?lang={lang}#consents", status_code=303)


@router.post("/console/consent")
def draft(
    ctx: Ctx,
    request: Request,
    csrf: Annotated[str, Form(max_length=100)],
    act: Annotated[str, Form(max_length=40)],
    asset_id: Annotated[int, Form(ge=1, lt=2**63)],
    party: Annotated[str, Form(max_length=100)] = "",
    agreement: Annotated[str, Form(max_length=2000)] = "",
    manifest_cid: Annotated[str, Form(max_length=120)] = "",
    kind: Annotated[str, Form(max_length=20)] = "processing",
    scenario: Annotated[str, Form(max_length=2000)] = "",
    start: Annotated[str, Form(max_length=20)] = "",
    expiry: Annotated[str, Form(max_length=20)] = "",
    exclusive: Annotated[str, Form(max_length=5)] = "",
    identity_name: Annotated[str, Form(max_length=200)] = "",
    identity_code: Annotated[str, Form(max_length=40)] = "",
    licensee_name: Annotated[str, Form(max_length=200)] = "",
    licensee_kind: Annotated[str, Form(max_length=20)] = "legal_person",
    licensee_credit_code: Annotated[str, Form(max_length=40)] = "",
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """Drafts an act for the holder's consent."""
    session = form_session(ctx, request, lang, session_id, csrf, _registrar)
    if not isinstance(session, Session):
        return session
    form = {
        "party": party,
        "agreement": agreement,
        "manifest_cid": manifest_cid,
        "kind": kind,
        "scenario": scenario,
        "start": start,
        "expiry": expiry,
        "exclusive": exclusive,
        "identity_name": identity_name,
        "identity_code": identity_code,
        "licensee_name": licensee_name,
        "licensee_kind": licensee_kind,
        "licensee_credit_code": licensee_credit_code,
    }
    try:
        body = _body(ctx, act, asset_id, form, ctx.now())
        draft_request(ctx, session.principal, body)
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        return console_page(ctx, request, lang, session, 422, fields)
    except ValueError as exc:
        return console_page(ctx, request, lang, session, 422, str(exc))
    except ProblemError as problem:
        return problem_page(ctx, request, lang, session, problem)
    return _back(lang)


@router.post("/console/consent/{request_id}/signature")
def signature(
    request_id: str,
    ctx: Ctx,
    request: Request,
    csrf: Annotated[str, Form(max_length=100)],
    signature: Annotated[str, Form(pattern=r"^(0x)?([0-9a-fA-F]{2})+$", max_length=4096)],
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """A signature the holder handed over (from a wallet), relayed as the API would."""
    own = _own_request(ctx, request, lang, session_id, csrf, request_id)
    if isinstance(own, Response):
        return own
    session, found = own
    try:
        op = sign_request(ctx, found, bytes.fromhex(signature.removeprefix("0x")))
    except ProblemError as problem:
        return problem_page(ctx, request, lang, session, problem)
    sessions_of(ctx.keys).record(session_id, op.key, f"{found.act} #{found.asset_id}")
    return _back(lang)


@router.post("/console/consent/{request_id}/withdraw")
def withdraw(
    request_id: str,
    ctx: Ctx,
    request: Request,
    csrf: Annotated[str, Form(max_length=100)],
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """Withdraws an awaiting request."""
    own = _own_request(ctx, request, lang, session_id, csrf, request_id)
    if isinstance(own, Response):
        return own
    session, _found = own
    if not ctx.consents.withdraw(request_id):
        return console_page(ctx, request, lang, session, 409, "console.not_awaiting")
    return _back(lang)
