"""The registrar's console (登记机构工作台): sign in with an API key, then, by role, the review
queue, the public notice and its objections, issue, freeze, revoke; the status of each write;
the partner regions. What a role may not do is neither shown nor accepted."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import RedirectResponse, Response

from registry.api.deps import AppContext, Ctx, accepted, asset_in_region
from registry.api.keys import Role
from registry.api.problems import ProblemError
from registry.chain.types import Status
from registry.chain.writer import Operation
from registry.web.render import Lang, render
from registry.web.sessions import COOKIE, LIFETIME, Session, sessions_of

router = APIRouter(include_in_schema=False)
Handler = Callable[[AppContext, str, int, "ActForm"], Operation]


@dataclass(frozen=True)
class ActForm:
    text: str
    objection_id: int | None
    upheld: bool


def text_hash(text: str) -> bytes:
    """The hash that goes on chain for a reason or an order; the text stays with the center."""
    return hashlib.sha256(text.encode()).digest()


@dataclass(frozen=True)
class Act:
    role: Role
    label: str
    handler: Handler
    needs_text: bool = False


ACTS: dict[str, Act] = {
    "start_review": Act(
        Role.REVIEWER, "act.start_review", lambda c, k, a, f: c.service.begin_review(k, a)
    ),
    "approve": Act(Role.REVIEWER, "act.approve", lambda c, k, a, f: c.service.approve(k, a)),
    "reject": Act(
        Role.REVIEWER,
        "act.reject",
        lambda c, k, a, f: c.service.reject(k, a, text_hash(f.text)),
        True,
    ),
    "decide_objection": Act(
        Role.REGISTRAR,
        "act.decide_objection",
        lambda c, k, a, f: c.service.decide_objection(
            k, f.objection_id or 0, f.upheld, text_hash(f.text)
        ),
        True,
    ),
    "issue": Act(Role.REGISTRAR, "act.issue", lambda c, k, a, f: c.service.issue(k, a)),
    "freeze": Act(
        Role.REGISTRAR,
        "act.freeze",
        lambda c, k, a, f: c.service.freeze(k, a, text_hash(f.text)),
        True,
    ),
    "unfreeze": Act(
        Role.REGISTRAR,
        "act.unfreeze",
        lambda c, k, a, f: c.service.unfreeze(k, a, text_hash(f.text)),
        True,
    ),
    "revoke": Act(
        Role.REGISTRAR,
        "act.revoke",
        lambda c, k, a, f: c.service.revoke(k, a, text_hash(f.text)),
        True,
    ),
}


def session_of(ctx: AppContext, session_id: str | None) -> Session | None:
    return sessions_of(ctx.keys).get(session_id)


def _queues(ctx: AppContext, session: Session) -> dict[str, list[dict[str, Any]]]:
    """The assets this role works on, in its region."""
    now, region = ctx.now(), session.principal.region
    queries = ctx.queries

    def listed(*statuses: Status) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for status in statuses:
            found += queries.search(now, region=region, status=status, limit=100).items
        return found

    if session.principal.role == Role.REVIEWER:
        return {"review": listed(Status.APPLIED, Status.UNDER_REVIEW)}
    if session.principal.role == Role.REGISTRAR:
        notice = queries.assets([a["asset_id"] for a in listed(Status.IN_NOTICE)], now)
        for asset in notice:
            asset["notice_over"] = (asset.get("notice_ends_at") or 0) <= now
        return {"notice": notice, "issued": listed(Status.ISSUED)}
    return {}


def console_page(
    ctx: AppContext,
    request: Request,
    lang: str,
    session: Session,
    status: int = 200,
    error: str | None = None,
) -> Response:
    partners = []
    if ctx.mediator is not None and ctx.service.registry.recognition is not None:
        recognition = ctx.service.registry.recognition
        for partner in ctx.mediator.partners():
            reachable, _since, _detail = ctx.mediator.reachability(partner.region)
            partners.append(
                {
                    "region": partner.region,
                    "in_force": recognition.in_force(partner.region),
                    "reachable": reachable,
                    "relayed": recognition.head(partner.region)[0],
                }
            )
    allowed = [name for name, act in ACTS.items() if act.role == session.principal.role]
    consents = []
    if session.principal.role == Role.REGISTRAR:
        now = ctx.now()
        consents = [
            {"request": r, "state": r.state(now)}
            for r in ctx.consents.list(session.principal.region, limit=50)
        ]
    return render(
        request,
        "console.html",
        lang,
        status,
        session=session,
        queues=_queues(ctx, session),
        allowed=allowed,
        partners=partners,
        consents=consents,
        error=error,
    )


def form_session(
    ctx: AppContext,
    request: Request,
    lang: str,
    session_id: str | None,
    csrf: str,
    role: Role | None,
) -> Session | Response:
    """The signed-in session posting a form, if its CSRF token matches and its key has ``role``
    (None: no role may); otherwise the page refusing the form."""
    session = session_of(ctx, session_id)
    if session is None:
        return render(request, "console.html", lang, 401, session=None, error="console.signed_out")
    if not session.csrf_ok(csrf):
        return console_page(ctx, request, lang, session, 403, "console.bad_csrf")
    if role is None or session.principal.role != role:
        return console_page(ctx, request, lang, session, 403, "console.wrong_role")
    return session


def problem_page(
    ctx: AppContext, request: Request, lang: str, session: Session, problem: ProblemError
) -> Response:
    """The console with a refused act's problem (title and detail) shown."""
    return console_page(
        ctx, request, lang, session, problem.status, f"{problem.title}: {problem.detail}"
    )


@router.get("/console")
def console(
    ctx: Ctx,
    request: Request,
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """The sign-in form, or the work of the signed-in key's role."""
    session = session_of(ctx, session_id)
    if session is None:
        return render(request, "console.html", lang, session=None)
    return console_page(ctx, request, lang, session)


@router.post("/console/login")
def login(
    api_key: Annotated[str, Form(min_length=1, max_length=200)],
    ctx: Ctx,
    request: Request,
    lang: Lang = "zh",
) -> Response:
    """Exchanges an API key for a session."""
    principal = ctx.keys.authenticate(api_key.strip())
    if principal is None:
        return render(request, "console.html", lang, 401, session=None, error="console.bad_key")
    session_id, _ = sessions_of(ctx.keys).open(principal)
    response = RedirectResponse(f"/console?lang={lang}", status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(LIFETIME),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/console/logout")
def logout(
    ctx: Ctx,
    csrf: Annotated[str, Form()],
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    session = session_of(ctx, session_id)
    if session is not None and session.csrf_ok(csrf):
        sessions_of(ctx.keys).close(session_id)
    response = RedirectResponse(f"/console?lang={lang}", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.post("/console/act")
def act(
    ctx: Ctx,
    request: Request,
    action: Annotated[str, Form(max_length=40)],
    asset_id: Annotated[int, Form(ge=1, lt=2**63)],
    csrf: Annotated[str, Form(max_length=100)],
    text: Annotated[str, Form(max_length=2000)] = "",
    objection_id: Annotated[int | None, Form(ge=1, lt=2**63)] = None,
    upheld: Annotated[bool, Form()] = False,
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """One act on one asset, by the signed-in key, if its role may."""
    chosen = ACTS.get(action)
    session = form_session(
        ctx, request, lang, session_id, csrf, chosen.role if chosen is not None else None
    )
    if not isinstance(session, Session):
        return session
    assert chosen is not None  # form_session refused an unknown act
    if chosen.needs_text and not text.strip():
        return console_page(ctx, request, lang, session, 422, "console.needs_text")
    key = f"{session.principal.key_id}:console-{uuid.uuid4().hex}"
    try:
        asset_in_region(ctx, session.principal, asset_id)
        op = accepted(chosen.handler(ctx, key, asset_id, ActForm(text, objection_id, upheld)))
    except ProblemError as problem:
        return problem_page(ctx, request, lang, session, problem)
    sessions_of(ctx.keys).record(session_id, op.key, f"{action} #{asset_id}")
    return RedirectResponse(f"/console?lang={lang}", status_code=303)
