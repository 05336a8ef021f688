"""The registrar's console (登记机构工作台): sign in with an API key, then, by role, the review
queue, the public notice and its objections, issue, annotations (a seizure among them) and their
lifting, the release of a pledge, the steps of each objection after registration (art. 29) and
the change a judgment orders, a transfer application for its parties to sign
(``web/transfers.py``) and the pending ones (registered by the registrar, refused by the
reviewer), revoke and the center's cancellation; the status of each write; the
partner regions. Each button is an act of the table (``registry.acts``), posted at the target
the row names; what a role may not do is neither shown nor accepted."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from registry.acts import ACTS as ACT_TABLE
from registry.acts import Act, act, text_hash
from registry.api.deps import AppContext, Ctx, accepted
from registry.api.keys import Role
from registry.api.limits import client_of
from registry.api.models import (
    AnnotationIn,
    ApproveIn,
    CenterCancellationIn,
    ChangeTerms,
    ExtensionIn,
    Ground,
    JudgmentIn,
    LiftIn,
    ObjectionAnswerIn,
    ObjectionConclusionIn,
    ObjectionDecisionIn,
    ObjectionNoticeIn,
    Outcome,
    ProofRequestIn,
    ReasonIn,
    RefuseIn,
    SettlementIn,
    SupplementsRequestIn,
    TransferDecisionIn,
)
from registry.api.problems import ProblemError
from registry.api.routers.acts import perform
from registry.api.routers.assets import review_of
from registry.chain.types import Status
from registry.content import Cid, ContentError
from registry.content.store import read_all
from registry.forms.public import read_manifest
from registry.web.render import Lang, render
from registry.web.sessions import COOKIE, LIFETIME, Session, sessions_of

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ActForm:
    text: str
    objection_id: int | None
    upheld: bool
    ground: Ground = "other_legal_grounds"
    days: int = 1
    deadline: dt.date | None = None
    kind: str = ""
    authority: str = ""
    document_number: str = ""
    outcome: Outcome = "stands"
    manifest: dict[str, Any] | None = None
    """The chain fields of the manifest the form names by its CID (an ordered change)."""


Input = Literal["ground", "days", "deadline"]
"""A field of a button's form besides its text: an art. 22 ground, working days, a date."""


@dataclass(frozen=True)
class ConsoleAct:
    """A button of the console: the act of the table it asks for, and its request body from
    the form (a typed reason or order goes on chain as its hash; the text stays here). The
    form's id field that the row's target names (``asset_id``, ``objection_id``...) is the id
    acted on."""

    act: Act
    body: Callable[[ActForm], BaseModel | None]
    needs_text: bool = False
    when: Callable[[Mapping[str, Any]], bool] | None = None
    """For a button on an asset's row: whether the asset's state as indexed allows the act
    (the contract checks it again when it is sent). None: offered on what the act is on (an
    objection, an annotation, a transfer application) or by a form of its own."""
    inputs: tuple[Input, ...] = ()
    prompt: str = "console.reason"
    """The label of its text field."""

    def allowed(self, role: Role) -> bool:
        return self.act.roles is None or role in self.act.roles


def manifest_fields(ctx: AppContext, cid_text: str) -> dict[str, Any]:
    """The chain fields of a manifest already published to the content store (of any
    version: ``read_manifest``); ValueError names the CID it cannot read."""
    try:
        manifest = read_manifest(read_all(ctx.content, Cid.parse(cid_text.strip())))
    except (ValueError, ContentError) as exc:
        raise ValueError(f"manifest {cid_text!r}: {exc}") from None
    manifest_hash, digest, codec = manifest.chain_fields()
    return {
        "manifest_hash": "0x" + manifest_hash.hex(),
        "manifest_cid": "0x" + digest.hex(),
        "cid_codec": codec,
    }


def _ordered_change(f: ActForm) -> BaseModel:
    if f.manifest is None:
        raise ProblemError(
            422, "invalid-request", "A manifest is required", "give the new manifest's CID"
        )
    return ChangeTerms.model_validate(f.manifest)


def _supplements(f: ActForm) -> BaseModel:
    if f.deadline is None:
        raise ProblemError(422, "invalid-request", "A deadline is required", "give the date")
    return SupplementsRequestIn(list_hash=text_hash(f.text), deadline=f.deadline)


def _status(*names: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda asset: asset.get("status_name") in names


def _issuable(asset: Mapping[str, Any]) -> bool:
    """In notice, the notice over with no objection open (art. 26)."""
    return (
        asset.get("status_name") == "in_notice"
        and bool(asset.get("notice_over"))
        and not asset.get("open_objections")
    )


def _pledged(asset: Mapping[str, Any]) -> bool:
    return asset.get("status_name") == "issued" and bool(asset.get("pledgee"))


_REVIEWING = _status("under_review", "awaiting_proof")

ACTS: dict[str, ConsoleAct] = {
    "accept": ConsoleAct(act("accept"), lambda f: None, when=_status("applied")),
    "return_for_supplements": ConsoleAct(
        act("return_for_supplements"),
        _supplements,
        True,
        _status("applied"),
        ("deadline",),
        "console.missing",
    ),
    "approve": ConsoleAct(act("approve"), lambda f: ApproveIn(), when=_status("under_review")),
    "request_proof": ConsoleAct(
        act("request_proof"),
        lambda f: ProofRequestIn(request_hash=text_hash(f.text)),
        True,
        _status("under_review"),
    ),
    "extend": ConsoleAct(
        act("extend"),
        lambda f: ExtensionIn(days=f.days, reason_hash=text_hash(f.text)),
        True,
        _REVIEWING,
        ("days",),
    ),
    "terminate": ConsoleAct(
        act("terminate"), lambda f: ReasonIn(reason_hash=text_hash(f.text)), True, _REVIEWING
    ),
    "refuse": ConsoleAct(
        act("refuse"),
        lambda f: RefuseIn(reason=f.ground, reason_hash=text_hash(f.text)),
        True,
        _REVIEWING,
        ("ground",),
    ),
    "decide_objection": ConsoleAct(
        act("decide_objection"),
        lambda f: ObjectionDecisionIn(
            upheld=f.upheld,
            reason_hash=text_hash(f.text),
            reason=f.ground if f.upheld else None,
        ),
        True,
    ),
    "issue": ConsoleAct(act("issue"), lambda f: None, when=_issuable),
    # The steps of an objection after registration (art. 29), each with its document.
    "confirm_objection_materials": ConsoleAct(act("confirm_objection_materials"), lambda f: None),
    "notify_applicant": ConsoleAct(
        act("notify_applicant"), lambda f: ObjectionNoticeIn(notice_hash=text_hash(f.text)), True
    ),
    "answer_objection": ConsoleAct(
        act("answer_objection"),
        lambda f: ObjectionAnswerIn(
            agrees=f.upheld, outcome=f.outcome, reply_hash=text_hash(f.text)
        ),
        True,
    ),
    "conclude_objection": ConsoleAct(
        act("conclude_objection"),
        lambda f: ObjectionConclusionIn(
            upheld=f.upheld, outcome=f.outcome, conclusion_hash=text_hash(f.text)
        ),
        True,
    ),
    "record_judgment": ConsoleAct(
        act("record_judgment"),
        lambda f: JudgmentIn.model_validate(
            {"kind": f.kind, "outcome": f.outcome, "document_hash": text_hash(f.text)}
        ),
        True,
    ),
    "settle_objection": ConsoleAct(
        act("settle_objection"), lambda f: SettlementIn(act_hash=text_hash(f.text)), True
    ),
    # The change of description a judgment or award ordered (art. 29): the new manifest,
    # published beforehand, named by its CID.
    "change_by_judgment": ConsoleAct(act("change_by_judgment"), _ordered_change),
    "annotate": ConsoleAct(
        act("annotate"),
        lambda f: AnnotationIn.model_validate(
            {
                "kind": f.kind,
                "authority": f.authority,
                "document_number": f.document_number,
                "text": f.text,
            }
        ),
        True,
    ),
    "lift": ConsoleAct(act("lift"), lambda f: LiftIn(document_number=f.text), True),
    "release_pledge": ConsoleAct(act("release_pledge"), lambda f: None, when=_pledged),
    "revoke": ConsoleAct(
        act("revoke"),
        lambda f: ReasonIn(reason_hash=text_hash(f.text)),
        True,
        _status("issued"),
    ),
    # The center's cancellation of its own motion (art. 37): the typed text is both the
    # reasons and the written notice to the applicant, which the asset's page shows.
    "cancel_by_center": ConsoleAct(
        act("cancel_by_center"),
        lambda f: CenterCancellationIn.model_validate(
            {"ground": f.kind, "reason": f.text, "notice": f.text}
        ),
        True,
    ),
    # A transfer application (art. 34): the reviewer refuses it on a ground of art. 22, or the
    # registrar registers it.
    "register_transfer": ConsoleAct(act("register_transfer"), lambda f: None),
    "refuse_transfer": ConsoleAct(
        act("refuse_transfer"),
        lambda f: TransferDecisionIn(reason=f.ground, reason_hash=text_hash(f.text)),
        True,
    ),
}


def offers(role: Role, asset: Mapping[str, Any]) -> list[str]:
    """The buttons of an asset's row for ``role``: the acts its row allows that the asset's
    state allows, in the order above."""
    return [
        name
        for name, button in ACTS.items()
        if button.when is not None and button.allowed(role) and button.when(asset)
    ]


def session_of(ctx: AppContext, session_id: str | None) -> Session | None:
    return sessions_of(ctx.keys).get(session_id)


def _queues(ctx: AppContext, session: Session) -> dict[str, list[Any]]:
    """The assets this role works on, in its region."""
    now, region = ctx.now(), session.principal.region
    queries = ctx.queries

    def listed(*statuses: Status) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for status in statuses:
            found += queries.search(now, region=region, status=status, limit=100).items
        return found

    if session.principal.role == Role.REVIEWER:
        review = listed(
            Status.APPLIED, Status.SUPPLEMENTING, Status.UNDER_REVIEW, Status.AWAITING_PROOF
        )
        for asset in review:
            # Possible duplicates (co-holding) and a public data product's code, to review.
            asset["review"] = review_of(ctx, int(asset["asset_id"]))
        return {
            "review": review,
            "transfers": queries.pending_transfers(region),
            "deadlines": ctx.deadlines.rows(region),
        }
    if session.principal.role == Role.REGISTRAR:
        notice = queries.assets([a["asset_id"] for a in listed(Status.IN_NOTICE)], now)
        for asset in notice:
            asset["notice_over"] = (asset.get("notice_ends_at") or 0) <= now
            # Who objected, to be contacted (confidential: this region's registrars only).
            asset["objectors"] = {
                str(o["evidence_hash"]).lower(): o
                for o in ctx.objectors.of_asset(asset["asset_id"])
            }
        issued = queries.assets([a["asset_id"] for a in listed(Status.ISSUED)], now)
        return {
            "notice": notice,
            "issued": issued,
            "transfers": queries.pending_transfers(region),
            "deadlines": ctx.deadlines.rows(region),
        }
    return {}


def console_page(
    ctx: AppContext,
    request: Request,
    lang: str,
    session: Session,
    status: int = 200,
    error: str | None = None,
    transfer: dict[str, Any] | None = None,
) -> Response:
    """The console of ``session``'s role; ``transfer``: a transfer application drafted for its
    parties to sign (``web/transfers.py``), shown with its typed data."""
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
    role = session.principal.role
    allowed = [name for name, button in ACTS.items() if button.allowed(role)]
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
        grounds=get_args(Ground),
        buttons=ACTS,
        offers=lambda asset: offers(role, asset),
        drafts=[a.name for a in ACT_TABLE if a.draftable],
        national=ctx.reporting.pending(20),
        error=error,
        transfer=transfer,
    )


def form_session(
    ctx: AppContext,
    request: Request,
    lang: str,
    session_id: str | None,
    csrf: str,
    allowed: Callable[[Role], bool],
) -> Session | Response:
    """The signed-in session posting a form, if its CSRF token matches and its key's role is
    ``allowed``; otherwise the page refusing the form."""
    session = session_of(ctx, session_id)
    if session is None:
        return render(request, "console.html", lang, 401, session=None, error="console.signed_out")
    if not session.csrf_ok(csrf):
        return console_page(ctx, request, lang, session, 403, "console.bad_csrf")
    if not allowed(session.principal.role):
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


def _cross_site(ctx: AppContext, request: Request) -> bool:
    """Whether a browser sent this form from another site: by Fetch Metadata
    (``Sec-Fetch-Site``) where the browser sends it, else by ``Origin``, which browsers send
    with every cross-origin POST. A client sending neither is no browser, and login CSRF
    needs the victim's browser."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site != "same-origin"
    origin = request.headers.get("origin")
    if origin is None:
        return False
    own = {f"{request.url.scheme}://{request.headers.get('host', '')}"}
    if ctx.public_url:
        public = urlsplit(ctx.public_url)
        own.add(f"{public.scheme}://{public.netloc}")
    return origin not in own


@router.post("/console/login")
def login(
    api_key: Annotated[str, Form(min_length=1, max_length=200)],
    ctx: Ctx,
    request: Request,
    lang: Lang = "zh",
) -> Response:
    """Exchanges an API key for a session. A form from another site is refused (login CSRF:
    it would sign this browser in with someone else's key, whose console the victim would then
    work in), and an address that sent too many wrong keys waits (``ctx.limits.failed_auth``,
    shared with the API)."""
    if _cross_site(ctx, request):
        logger.warning("console sign-in from another site refused (%s)", client_of(request))
        return render(request, "console.html", lang, 403, session=None, error="console.cross_site")
    client = client_of(request)
    try:
        ctx.limits.failed_auth.check(client)
    except ProblemError as problem:
        page = render(request, "console.html", lang, 429, session=None, error="console.throttled")
        page.headers["Retry-After"] = str(problem.extra["retry_after"])
        return page
    principal = ctx.keys.authenticate(api_key.strip())
    if principal is None:
        ctx.limits.failed_auth.record(client)
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
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """Ends the session, whatever else the form holds: a sign-out that left the session valid
    while the cookie went would leave it to whoever holds a copy of the cookie. (A form from
    another site carries no cookie: it is SameSite=Strict.)"""
    sessions_of(ctx.keys).close(session_id)
    response = RedirectResponse(f"/console?lang={lang}", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.post("/console/act")
def console_act(
    ctx: Ctx,
    request: Request,
    action: Annotated[str, Form(max_length=40)],
    asset_id: Annotated[int, Form(ge=1, lt=2**63)],
    csrf: Annotated[str, Form(max_length=100)],
    text: Annotated[str, Form(max_length=2000)] = "",
    objection_id: Annotated[int | None, Form(ge=1, lt=2**63)] = None,
    upheld: Annotated[bool, Form()] = False,
    ground: Annotated[Ground, Form()] = "other_legal_grounds",
    days: Annotated[int, Form(ge=1, le=10)] = 1,
    deadline: Annotated[dt.date | None, Form()] = None,
    annotation_id: Annotated[int | None, Form(ge=1, lt=2**63)] = None,
    transfer_id: Annotated[int | None, Form(ge=1, lt=2**63)] = None,
    kind: Annotated[str, Form(max_length=40)] = "",
    authority: Annotated[str, Form(max_length=200)] = "",
    document_number: Annotated[str, Form(max_length=200)] = "",
    outcome: Annotated[Outcome, Form()] = "stands",
    manifest_cid: Annotated[str, Form(max_length=120)] = "",
    lang: Lang = "zh",
    session_id: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Response:
    """One act on one asset (or on its objection, annotation or transfer application, as the
    act's row says), by the signed-in key, if its role may."""
    chosen = ACTS.get(action)
    session = form_session(
        ctx, request, lang, session_id, csrf, chosen.allowed if chosen else lambda _: False
    )
    if not isinstance(session, Session):
        return session
    assert chosen is not None  # form_session refused an unknown act
    if chosen.needs_text and not text.strip():
        return console_page(ctx, request, lang, session, 422, "console.needs_text")
    target = {
        "asset": asset_id,
        "objection": objection_id,
        "annotation": annotation_id,
        "transfer": transfer_id,
    }.get(chosen.act.target) or 0
    try:
        manifest = manifest_fields(ctx, manifest_cid) if manifest_cid.strip() else None
    except ValueError as unreadable:
        logger.info("console %s refused: %s", action, unreadable)
        return console_page(ctx, request, lang, session, 422, "console.bad_manifest")
    try:
        body = chosen.body(
            ActForm(
                text,
                objection_id,
                upheld,
                ground,
                days,
                deadline,
                kind,
                authority,
                document_number,
                outcome,
                manifest,
            )
        )
    except ValidationError as invalid:
        logger.info("console %s refused: %s", action, invalid.errors()[0]["msg"])
        return console_page(ctx, request, lang, session, 422, "console.bad_form")
    try:
        op = accepted(
            perform(
                ctx,
                chosen.act,
                session.principal,
                target,
                body,
                f"console-{uuid.uuid4().hex}",
            )
        )
    except ProblemError as problem:
        return problem_page(ctx, request, lang, session, problem)
    sessions_of(ctx.keys).record(session_id, op.key, f"{action} #{asset_id}")
    return RedirectResponse(f"/console?lang={lang}", status_code=303)
