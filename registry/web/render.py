"""Rendering a page: the Jinja2 environment (autoescaped), the language, and the security
headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from registry import times
from registry.web.i18n import translator

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _lang(context: Context) -> times.Lang:
    return "en" if context.get("lang") == "en" else "zh"


# Every time a page shows is Beijing time, named in the page's language (registry.times):
# ``moment`` an instant, ``day`` the day of an instant (or a Beijing date), ``last_day`` the
# last day of a period ending at a timestamp (deadlines, expiries, the end of a notice).
@pass_context
def _moment(context: Context, ts: int | None) -> str:
    return times.moment(ts, _lang(context))


@pass_context
def _day(context: Context, value: int | str | None) -> str:
    return times.day(value, _lang(context))


@pass_context
def _last_day(context: Context, end: int | None) -> str:
    return times.last_day(end, _lang(context))


_env.filters.update(moment=_moment, day=_day, last_day=_last_day)
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
