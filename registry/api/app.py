"""The FastAPI application: every router, the pages, RFC 9457 errors and request metrics."""

from __future__ import annotations

import time

from fastapi import FastAPI
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry import web
from registry.api import problems
from registry.api.deps import AppContext
from registry.api.routers import (
    acts,
    assets,
    consents,
    manifests,
    objections,
    public,
    recognitions,
    reports,
    rights,
    verification,
)

REQUESTS = Counter("registry_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("registry_http_request_seconds", "HTTP request latency", ["route"])


class _Metrics:
    """Counts and times requests by route template. Plain ASGI: Starlette's BaseHTTPMiddleware
    costs an extra task and stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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


def create_app(context: AppContext) -> FastAPI:
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
    app.include_router(assets.router)
    app.include_router(acts.router)
    app.include_router(objections.router)
    app.include_router(rights.router)
    app.include_router(consents.router)
    app.include_router(manifests.router)
    app.include_router(verification.router)
    app.include_router(reports.router)
    app.include_router(recognitions.router)
    app.include_router(public.router)
    app.include_router(public.system)
    web.mount(app)
    app.add_middleware(_Metrics)

    return app
