"""The public pages: a certificate's record (the QR code of every certificate opens it) and
evidence verification (the QR code of every report opens it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from registry.api.deps import Ctx
from registry.api.problems import ProblemError
from registry.api.routers.public import certificate_record
from registry.api.routers.reports import issue
from registry.api.routers.verification import VerifyIn, verification_of
from registry.certificates.numbers import parse_number
from registry.certificates.view import certificate_view
from registry.web.i18n import translator

router = APIRouter(include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Everything a page loads is the project's own; no inline script or style anywhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
Lang = Annotated[str, Query(pattern="^(zh|en)$")]
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


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


@router.get("/c/{number}")
def certificate_page(number: str, ctx: Ctx, request: Request, lang: Lang = "zh") -> Response:
    """A certificate's public record, its status read from the chain now."""
    try:
        record = certificate_record(ctx, number)
    except ProblemError as exc:
        return render(request, "verify.html", lang, exc.status, number=number, error="cert.unknown")
    view = certificate_view(ctx.queries, ctx.service.registry, record, ctx.now())
    return render(request, "certificate.html", lang, cert=view)


@router.get("/verify")
def verify_page(
    ctx: Ctx,
    request: Request,
    lang: Lang = "zh",
    hash: str | None = None,
    number: str | None = None,
) -> Response:
    """Verification by hash (what report QR codes open) or by certificate number."""
    hash = (hash or "").strip() or None
    number = (number or "").strip() or None
    if number and not hash:
        try:
            parse_number(number)
        except ValueError:
            return render(
                request, "verify.html", lang, 422, number=number, error="verify.bad_input"
            )
        return RedirectResponse(f"/c/{number}?lang={lang}", status_code=303)
    if hash is None:
        return render(request, "verify.html", lang)
    if not _HASH.match(hash):
        return render(request, "verify.html", lang, 422, hash=hash, error="verify.bad_input")
    try:
        report = verification_of(ctx, VerifyIn(hash=hash, receipt=None))
    except ProblemError as exc:
        if exc.status == 409:
            return render(request, "verify.html", lang, hash=hash, pending=True)
        return render(request, "verify.html", lang, exc.status, hash=hash, error="verify.unknown")
    return render(request, "verify.html", lang, hash=hash.lower(), report=report)


@router.post("/verify/report")
def report_form(
    hash: Annotated[str, Form(pattern=r"^0x[0-9a-fA-F]{64}$")], ctx: Ctx, request: Request
) -> Response:
    """The page's button: issues the signed PDF report and opens it."""
    issued = issue(ctx, request, VerifyIn(hash=hash, receipt=None))
    return RedirectResponse(issued["pdf"], status_code=303)
