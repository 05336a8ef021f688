"""The public pages: a certificate's record (the QR code of every certificate opens it) and
evidence verification (the QR code of every report opens it)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from registry.api.deps import Ctx
from registry.api.problems import ProblemError
from registry.api.routers.public import certificate_record
from registry.api.routers.recognitions import CertNumber, RegionCode, recheck, recognition_of
from registry.api.routers.reports import issue
from registry.api.routers.verification import VerifyIn, verification_of
from registry.certificates.numbers import parse_number
from registry.certificates.view import certificate_view
from registry.evidence.verifier import VERDICTS
from registry.regions import region_name
from registry.web.render import Lang, render

router = APIRouter(include_in_schema=False)
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The API's reference (OpenAPI at /openapi.json), in Swagger UI served by the project."""
    return render(request, "docs.html", "en")


@router.get("/c/{number}")
def certificate_page(number: str, ctx: Ctx, request: Request, lang: Lang = "zh") -> Response:
    """A certificate's public record, its status read from the chain now."""
    try:
        record = certificate_record(ctx, number)
    except ProblemError as exc:
        handed = ctx.succeeded.certificate(number, ctx.now()) if exc.status == 404 else None
        if handed is not None:
            return render(request, "succeeded.html", lang, cert=handed)
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
    name: str | None = None,
) -> Response:
    """Verification by hash (what report QR codes open) or by certificate number; ``name`` is
    the file name of a file hashed in the browser, to compare with a registered file's."""
    hash = (hash or "").strip() or None
    # A person may type the letters in lower case; the API takes the number only as printed.
    number = (number or "").strip().upper() or None
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
        mismatch = _registered_as(ctx, name, hash) if name else None
        if mismatch is None:
            return render(
                request, "verify.html", lang, exc.status, hash=hash, error="verify.unknown"
            )
        return render(request, "verify.html", lang, hash=hash.lower(), report=mismatch)
    return render(request, "verify.html", lang, hash=hash.lower(), report=report)


def _registered_as(ctx: Ctx, name: str, data_hash: str) -> dict[str, Any] | None:
    """When a file's hash is unknown but a registered file has its name: the report of that
    comparison, failing ``evidence_matches_receipt`` with both hashes."""
    found = ctx.queries.files_named(name)
    if not found:
        return None
    zh, en = VERDICTS["not_verified"]
    return {
        "verified": False,
        "verdict": "not_verified",
        "statement": {"zh": zh, "en": en},
        "evidence_checked": True,
        "failed": ["evidence_matches_receipt"],
        "checks": [
            {
                "name": "evidence_matches_receipt",
                "passed": False,
                "values": {
                    "presented": data_hash.lower(),
                    "registered": f["sha256"],
                    "path": f["path"],
                    "asset_id": f["asset_id"],
                },
            }
            for f in found
        ],
        "linked": [],
        "receipt": None,
    }


@router.post("/verify")
def verify_receipt_page(
    receipt: Annotated[str, Form(max_length=100_000)],
    ctx: Ctx,
    request: Request,
    lang: Lang = "zh",
    hash: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Verification of a receipt read in the browser (nothing of the registry is trusted but
    the chain), with the SHA-256 of the file it is for when one was chosen too (hashed in the
    browser): without it, the page says only that the receipt is on chain."""
    try:
        parsed = json.loads(receipt)
        if not isinstance(parsed, dict):
            raise ValueError("not an object")
        given: dict[str, Any] = {"receipt": parsed}
        if hash.strip():
            given["hash"] = hash.strip()
        report = verification_of(ctx, VerifyIn.model_validate(given))
    except (ValueError, RecursionError, ProblemError):
        # RecursionError: JSON nested deeper than the parser's recursion limit.
        return render(request, "verify.html", lang, 422, error="verify.bad_receipt")
    return render(request, "verify.html", lang, hash=str(parsed.get("hash", "")), report=report)


@router.post("/verify/report")
def report_form(
    hash: Annotated[str, Form(pattern=r"^0x[0-9a-fA-F]{64}$")], ctx: Ctx, request: Request
) -> Response:
    """The page's button: issues the signed PDF report and opens it."""
    issued = issue(ctx, request, VerifyIn(hash=hash, receipt=None))
    return RedirectResponse(issued["pdf"], status_code=303)


@router.get("/recognitions/{region}/{number}")
def recognition_page(
    region: RegionCode, number: CertNumber, ctx: Ctx, request: Request, lang: Lang = "zh"
) -> Response:
    """Whether a partner region's certificate is recognised here, for people."""
    try:
        rec = recognition_of(ctx, region, number)
    except ProblemError as exc:
        return _recognition_error(request, lang, number, exc)
    return render(
        request,
        "recognition.html",
        lang,
        rec=rec,
        origin_name=region_name(region, lang),
        origin_page=rec.origin_page,
    )


@router.post("/recognitions/{region}/{number}/recheck")
def recheck_form(
    region: RegionCode, number: CertNumber, ctx: Ctx, request: Request, lang: Lang = "zh"
) -> Response:
    """The page's button: queues a check against the origin and shows the page again (reading
    the page queues nothing)."""
    try:
        recheck(region, number, ctx, request)
    except ProblemError as exc:
        return _recognition_error(request, lang, number, exc)
    return RedirectResponse(f"/recognitions/{region}/{number}?lang={lang}", status_code=303)


def _recognition_error(request: Request, lang: str, number: str, exc: ProblemError) -> Response:
    error = "rec.unknown_partner" if exc.slug == "unknown-partner" else "verify.bad_input"
    return render(request, "verify.html", lang, exc.status, number=number, error=error)
