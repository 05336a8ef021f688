"""RFC 9457 problem details for every error the API returns, and the last answer to an
exception nothing handled: a problem (an HTML page for the pages) with an error id, logged."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from registry.api.asgi import HttpMiddleware
from registry.chain.errors import ContractError
from registry.chain.writer import Operation

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TYPE_BASE = "https://registry.example/problems/"

NOT_FOUND_ERRORS = {"UnknownAsset", "UnknownObjection", "UnknownGrant", "UnknownCertificate"}
INVALID_INPUT_ERRORS = {
    "CoreDataRefused",
    "InvalidRegion",
    "InvalidManifest",
    "InvalidCidCodec",
    "InvalidHolder",
    "EmptyEvidence",
    "ProductNeedsParents",
    "ResourceHasParents",
    "TooManyParents",
    "NotGrantable",
    "InvalidTerm",
    "InvalidGrantee",
    "InvalidScenario",
    "EmptyRoot",
    "InvalidConsent",
    "ConsentExpired",
    "NotHolder",
    "InvalidPeriod",
}


class ProblemError(Exception):
    """An error answered as problem+json; ``extra`` members are added to the body."""

    def __init__(self, status: int, slug: str, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(problem: ProblemError, instance: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "instance": instance,
    }
    if problem.detail:
        body["detail"] = problem.detail
    body.update(problem.extra)
    # A rate limit's answer says when to come back (RFC 9110 Retry-After), in seconds.
    wait = problem.extra.get("retry_after")
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM, headers=headers)


def refused(operation: Operation) -> ProblemError:
    """The contract refused the act before anything was sent: say which rule, by its name."""
    error = operation.error or {"name": "Reverted", "args": []}
    return _rule(
        str(error["name"]),
        list(error.get("args", [])),
        "nothing was sent to the chain",
        operation=operation.key,
    )


def breaks_rule(error: ContractError) -> ProblemError:
    """The act would break a contract rule as the chain stands now."""
    return _rule(error.name, error.json_args(), "nothing was kept")


def _rule(name: str, args: list[Any], outcome: str, **extra: Any) -> ProblemError:
    status = 404 if name in NOT_FOUND_ERRORS else 422 if name in INVALID_INPUT_ERRORS else 409
    if name == "AccessControlUnauthorizedAccount":
        status = 403
    return ProblemError(
        status,
        f"contract/{name}",
        f"Refused by the registry contract: {name}",
        f"the act breaks the rule {name}; {outcome}",
        rule=name,
        args=args,
        **extra,
    )


# Paths answered in JSON; every other path is a page, answered in HTML.
_API_PATHS = ("/v1/", "/healthz", "/metrics", "/openapi.json")
_ERROR_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>500</title></head>
<body><h1>服务内部错误 / Internal error</h1>
<p>错误编号 / error id: <code>{error_id}</code></p>
<p>请将此编号告知登记机构。Please give this id to the registration center.</p></body></html>
"""


def internal_error(scope: Scope, error_id: str) -> Response:
    """The answer to an unexpected exception: what failed is in the log under ``error_id``,
    never in the answer."""
    path = str(scope.get("path", ""))
    if not path.startswith(_API_PATHS):
        return HTMLResponse(_ERROR_PAGE.format(error_id=error_id), status_code=500)
    problem = ProblemError(
        500,
        "internal-error",
        "Internal error",
        f"the registry failed to answer; its log has the cause under error id {error_id}",
        error_id=error_id,
    )
    return problem_response(problem, path)


class CatchAll(HttpMiddleware):
    """Answers any exception nothing else handled with ``internal_error`` and logs it with its
    traceback. Without it, the exception reaches Starlette's ServerErrorMiddleware, which answers
    in plain text and raises it again, and the server drops the connection."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            error_id = uuid.uuid4().hex
            logger.exception("error %s: %s %s", error_id, scope["method"], scope["path"])
            if started:
                raise  # half an answer is out: only the dropped connection says it is cut short
            await internal_error(scope, error_id)(scope, receive, send)


def _unreadable(exc: StarletteHTTPException) -> str:
    """Why the body could not be parsed (Starlette and FastAPI answer 400 for nothing else)."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return "not UTF-8 (JSON is UTF-8, RFC 8259)"
    if isinstance(cause, RecursionError):
        return "nested too deeply"
    return str(cause or exc.detail)


def _invalid_param(error: dict[str, Any]) -> dict[str, str]:
    """A validation error as an RFC 9457 invalid parameter, named by its location."""
    if error["type"] == "json_invalid":
        # FastAPI's location of unparsable JSON is ("body", offset): name the body, say where.
        parsing = (error.get("ctx") or {}).get("error", "")
        return {"name": "body", "reason": f"not JSON ({parsing} at {error['loc'][-1]})"}
    name = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
    return {"name": name, "reason": error["msg"]}


def install(app: FastAPI) -> None:
    app.add_middleware(CatchAll)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = [_invalid_param(err) for err in exc.errors()]
        names = ", ".join(p["name"] for p in params)
        problem = ProblemError(
            422,
            "invalid-request",
            "The request is not valid",
            f"check: {names}",
            invalid_params=params,
        )
        return problem_response(problem, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            reason = _unreadable(exc)
            unreadable = ProblemError(
                400,
                "unreadable-body",
                "The request body could not be read",
                reason,
                invalid_params=[{"name": "body", "reason": reason}],
            )
            return problem_response(unreadable, request.url.path)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(
            ProblemError(exc.status_code, slug, str(exc.detail)), request.url.path
        )
