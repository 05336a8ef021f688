"""The console's transfer application (转让登记, art. 34), in two steps, since every transferor
and transferee signs it. First the registrar (or a holder's key) enters the share and the
agreement: the application is checked against the chain at once with every signature left out
(so a seizure, a pledge or rights not held are reported before anyone signs), and the page shows
the EIP-712 typed data each party signs, with a fresh keyed nonce and a deadline. Then the
parties' signatures are pasted in, in the contract's order (transferor, transferee), and the
application is sent as the API's would be. Nothing is kept between the steps: the second form
carries the application, nonce and deadline back, and the contract checks every signature
against what is sent."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from registry.acts import act, text_hash
from registry.api.deps import Ctx, accepted, asset_in_region
from registry.api.keys import Role
from registry.api.models import RightName, TransferIn
from registry.api.problems import ProblemError, breaks_rule
from registry.api.routers.acts import perform
from registry.chain.signing import CONSENT_TERM, fresh_nonce
from registry.chain.types import identity_commitment
from registry.consents import typed_data_for
from registry.web.console import console_page, form_session, problem_page
from registry.web.render import Lang
from registry.web.sessions import COOKIE, Session, sessions_of

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
APPLY = act("apply_transfer")


def _fields(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


@router.post("/console/transfer/draft")
def draft(
    ctx: Ctx,
    request: Request,
    csrf: Annotated[str, Form(max_length=100)],
    asset_id: Annotated[int, Form(ge=1, lt=2**63)],
    transferor: Annotated[str, Form(max_length=100)],
    transferee: Annotated[str, Form(max_length=100)],
    transferee_name: Annotated[str, Form(min_length=1, max_length=200)],
    transferee_code: Annotated[str, Form(min_length=1, max_length=40)],
    agreement: Annotated[str, Form(min_length=1, max_length=2000)],
    rights: Annotated[list[RightName], Form()],
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """The application of one share checked on chain, and the typed data its parties sign."""
    session = form_session(ctx, request, lang, session_id, csrf, _may_apply)
    if not isinstance(session, Session):
        return session
    share = {
        "transferor": transferor.strip(),
        "transferee": transferee.strip(),
        "rights": rights,
        "identity_hash": "0x"
        + identity_commitment(transferee_name.strip(), transferee_code.strip()).hex(),
    }
    application = {"shares": [share], "agreement_hash": text_hash(agreement.strip())}
    try:
        body = TransferIn.model_validate({**application, "consent": {}, "co_signatures": ["0x"]})
        asset_in_region(ctx, session.principal, asset_id)
        call = APPLY.call(body, asset_id)
        broken = ctx.service.broken_rule(call, parties=2)
        if broken is not None:
            raise breaks_rule(broken)
    except ValidationError as exc:
        return console_page(ctx, request, lang, session, 422, _fields(exc))
    except ProblemError as problem:
        return problem_page(ctx, request, lang, session, problem)
    nonce, deadline = fresh_nonce(), ctx.now() + CONSENT_TERM
    typed = typed_data_for(call, ctx.service.domain(call.contract), nonce, deadline)
    drafted = {
        "asset_id": asset_id,
        "application": json.dumps(application),
        "nonce": str(nonce),
        "deadline": deadline,
        "parties": [share["transferor"], share["transferee"]],
        "typed_data": json.dumps(typed, ensure_ascii=False, indent=2),
    }
    return console_page(ctx, request, lang, session, transfer=drafted)


@router.post("/console/transfer")
def apply(
    ctx: Ctx,
    request: Request,
    csrf: Annotated[str, Form(max_length=100)],
    asset_id: Annotated[int, Form(ge=1, lt=2**63)],
    application: Annotated[str, Form(max_length=4000)],
    nonce: Annotated[int, Form(ge=0, lt=2**256)],
    deadline: Annotated[int, Form(ge=0, lt=2**64)],
    signatures: Annotated[list[str], Form(max_length=2)],
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """The drafted application with every party's signature, sent as the API sends it."""
    session = form_session(ctx, request, lang, session_id, csrf, _may_apply)
    if not isinstance(session, Session):
        return session
    first, *others = [s.strip() for s in signatures]
    try:
        body = TransferIn.model_validate(
            {
                **json.loads(application),
                "consent": {"nonce": nonce, "deadline": deadline, "signature": first},
                "co_signatures": others,
            }
        )
    except (ValidationError, ValueError) as exc:
        logger.info("console transfer application refused: %s", exc)
        detail = _fields(exc) if isinstance(exc, ValidationError) else "console.bad_form"
        return console_page(ctx, request, lang, session, 422, detail)
    try:
        op = accepted(
            perform(ctx, APPLY, session.principal, asset_id, body, f"console-{uuid.uuid4().hex}")
        )
    except ProblemError as problem:
        return problem_page(ctx, request, lang, session, problem)
    sessions_of(ctx.keys).record(session_id, op.key, f"apply_transfer #{asset_id}")
    return RedirectResponse(f"/console?lang={lang}", status_code=303)


def _may_apply(role: Role) -> bool:
    """The roles the transfer application's row allows (the holder's key, or the registrar)."""
    return APPLY.roles is None or role in APPLY.roles
