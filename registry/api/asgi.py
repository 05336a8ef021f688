"""The base of the API's plain ASGI middlewares (Starlette's BaseHTTPMiddleware costs an extra
task and stream per request): each acts on HTTP requests only and passes the rest through."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """Calls :meth:`http` for an HTTP request; lifespan and websocket scopes pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """What the middleware does with an HTTP request (the base passes it on)."""
        await self.app(scope, receive, send)
