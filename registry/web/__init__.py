"""The web pages: server-rendered (Jinja2), Chinese by default with English, every asset served
by the project under a Content-Security-Policy without inline script or style."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from registry.web.pages import router


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")


__all__ = ["mount"]
