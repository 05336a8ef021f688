"""The web pages: server-rendered (Jinja2), Chinese by default with English, every asset served
by the project under a Content-Security-Policy without inline script or style."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from registry.config import PROJECT_ROOT
from registry.web import consents, console, pages, register, transfers

# Browser libraries from npm (pinned by package-lock.json), served by the project itself.
VENDOR = {
    "hash-wasm-sha256.js": "hash-wasm/dist/sha256.umd.min.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}


def mount(app: FastAPI) -> None:
    app.include_router(register.router)
    app.include_router(pages.router)
    app.include_router(console.router)
    app.include_router(consents.router)
    app.include_router(transfers.router)

    @app.get("/static/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        if name not in VENDOR:
            raise HTTPException(404)
        media_type = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(PROJECT_ROOT / "node_modules" / VENDOR[name], media_type=media_type)

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")


__all__ = ["mount"]
