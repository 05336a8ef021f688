"""The FastAPI application: every router, the pages, RFC 9457 errors, request body limits,
security headers and request metrics."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry import web
from registry.api import problems
from registry.api.asgi import HttpMiddleware
from registry.api.deps import AppContext
from registry.api.routers import (
    access,
    acts,
    assets,
    consents,
    deadlines,
    disclosure,
    forms,
    manifests,
    national,
    objections,
    public,
    recognitions,
    reports,
    rights,
    verification,
)
from registry.config import Settings

logger = logging.getLogger(__name__)

REQUESTS = Counter("registry_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("registry_http_request_seconds", "HTTP request latency", ["route"])


class _Metrics(HttpMiddleware):
    """Counts and times requests by route template. Plain ASGI: Starlette's BaseHTTPMiddleware
    costs an extra task and stream per request."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - start)


def body_limits(settings: Settings) -> dict[str, int]:
    """The routes whose bodies may exceed ``settings.body_limit``, with their limits: files
    where files are expected, and the JSON documents that list many items."""
    return {
        "/v1/verify/file": settings.upload_limit,
        "/v1/evidence/file": settings.upload_limit,
        "/v1/reports/check": settings.upload_limit,
        "/v1/manifests": settings.document_limit,
        **{f"/v1/forms/{kind}s": settings.document_limit for kind in forms.FORMS},
        "/v1/assets/batch": settings.document_limit,
    }


def _too_large(limit: int, instance: str) -> Response:
    problem = problems.ProblemError(
        413,
        "too-large",
        "The request body is too large",
        f"this route takes a body of at most {limit:,} bytes",
        limit=limit,
    )
    return problems.problem_response(problem, instance)


async def _body_over_limit(request: Request, exc: Exception) -> Response:
    """A body that grew past its route's limit as it streamed in (the limit is in the scope)."""
    return _too_large(int(request.scope.get(MAX_BODY_SIZE_SCOPE_KEY, 0)), request.url.path)


class _BodyLimits(HttpMiddleware):
    """Each route's request body limit (``limits`` by path, ``default`` elsewhere), counted by
    Starlette's RequestBodyLimitMiddleware as the body streams in: past it, reading the body
    fails with 413. A declared Content-Length over the limit is answered at once, before the
    route runs or any of the body is read, and the connection is then closed."""

    def __init__(self, app: ASGIApp, default: int, limits: Mapping[str, int]) -> None:
        super().__init__(app)
        self.default = RequestBodyLimitMiddleware(app, default)
        self.routes = {path: RequestBodyLimitMiddleware(app, n) for path, n in limits.items()}

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = self.routes.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > guard.max_body_size:
            logger.info(
                "refused a body of %s bytes to %s (limit %d)",
                declared,
                scope["path"],
                guard.max_body_size,
            )
            response = _too_large(guard.max_body_size, scope["path"])
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        await guard(scope, receive, send)


class _Nosniff(HttpMiddleware):
    """``X-Content-Type-Options: nosniff`` on every answer (API, static files, PDFs, pages): a
    browser takes each as the type it is sent as, never as a script or a page it guessed."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "x-content-type-options" not in headers:
                    headers.append("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, sending)


# CPython's default. py_ecc (imported by eth_account, through eth_keyfile) raises the limit to
# 100,000 on import; with that, a JSON body nested 99,000 deep (200 kB) overflows the C stack
# in json.loads and the process dies (SIGSEGV). Under the default, json's own guard raises
# RecursionError, which is answered 400.
RECURSION_LIMIT = 1000


def create_app(context: AppContext, settings: Settings) -> FastAPI:
    sys.setrecursionlimit(RECURSION_LIMIT)
    app = FastAPI(
        title="Data property-right registry API",
        summary="数据产权登记: assets, the three rights, certificates and evidence",
        version="1",
        # The reference is served by the pages (registry.web) from the project's own copy of
        # Swagger UI; FastAPI's built-in pages load it from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    problems.install(app)
    app.add_exception_handler(413, _body_over_limit)
    app.include_router(assets.router)
    app.include_router(acts.router)
    app.include_router(objections.router)
    app.include_router(deadlines.router)
    app.include_router(access.router)
    app.include_router(disclosure.router)
    app.include_router(rights.router)
    app.include_router(consents.router)
    app.include_router(manifests.router)
    app.include_router(forms.router)
    app.include_router(verification.router)
    # Before the reports' router, whose /reports/{report_id} would take "pending" for an id.
    app.include_router(national.router)
    app.include_router(reports.router)
    app.include_router(recognitions.router)
    app.include_router(public.router)
    app.include_router(public.system)
    web.mount(app)
    # The last added is the outermost: metrics count every answer, each with its nosniff.
    app.add_middleware(_BodyLimits, default=settings.body_limit, limits=body_limits(settings))
    app.add_middleware(_Nosniff)
    app.add_middleware(_Metrics)

    return app
