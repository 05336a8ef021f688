"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.chain.errors import ContractError
from registry.chain.writer import Operation

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


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = [
            {
                "name": ".".join(str(p) for p in err["loc"] if p != "body") or "body",
                "reason": err["msg"],
            }
            for err in exc.errors()
        ]
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
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(
            ProblemError(exc.status_code, slug, str(exc.detail)), request.url.path
        )
