"""Rendering a page: the Jinja2 environment (autoescaped), the language, and the security
headers every page carries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from registry.web.i18n import translator

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["utc"] = lambda ts: dt.datetime.fromtimestamp(int(ts), dt.UTC).strftime(
    "%Y-%m-%d %H:%M UTC"
)
# Everything a page loads is the project's own; no inline script or style anywhere.
# 'wasm-unsafe-eval' lets the page compile hash-wasm's SHA-256 (WebAssembly), nothing else.
CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
Lang = Annotated[str, Query(pattern="^(zh|en)$")]


def render(
    request: Request, template: str, lang: str, status: int = 200, **values: Any
) -> Response:
    other = "zh" if lang == "en" else "en"
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch_url = request.url.path + "?" + urlencode({**query, "lang": other})
    html = _env.get_template(template).render(
        t=translator(lang), lang=lang, switch_url=switch_url, **values
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )
