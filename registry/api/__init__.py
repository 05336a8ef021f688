"""The REST API (FastAPI): routers per resource, RFC 9457 errors, OpenAPI at /docs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram

from registry.api import problems
from registry.api.deps import AppContext
from registry.api.routers import assets, manifests, public, rights

REQUESTS = Counter("registry_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("registry_http_request_seconds", "HTTP request latency", ["route"])


def create_app(context: AppContext) -> FastAPI:
    app = FastAPI(
        title="Data property-right registry API",
        summary="数据产权登记: assets, the three rights, certificates and evidence",
        version="1",
    )
    app.state.context = context
    problems.install(app)
    app.include_router(assets.router)
    app.include_router(rights.router)
    app.include_router(manifests.router)
    app.include_router(public.router)
    app.include_router(public.system)

    @app.middleware("http")
    async def _metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        REQUESTS.labels(request.method, template, str(response.status_code)).inc()
        LATENCY.labels(template).observe(time.perf_counter() - start)
        return response

    return app


__all__ = ["AppContext", "create_app"]
