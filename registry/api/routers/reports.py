"""Verification reports (核验报告): issued as a signed PDF, kept, and checked against their
detached signature."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from registry.api.deps import AppContext, Ctx
from registry.api.problems import ProblemError
from registry.api.responses import IssuedReport, ReportCheck, ReportSignature, file_answer
from registry.api.routers.verification import VerifyIn, verification_of
from registry.api.uploads import hashed_upload, multipart_body
from registry.chain.deploy import REGISTRAR
from registry.documents import (
    check_document,
    report_document,
    report_hash,
    report_number,
    report_pdf,
    sign_document,
)

router = APIRouter(prefix="/v1", tags=["verification"])
ReportId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="the PDF's SHA-256, hex")]


def issue(ctx: AppContext, request: Request, body: VerifyIn) -> dict[str, Any]:
    """Verifies, renders the report, signs it (embedded PAdES by the center's certificate, then
    detached by the service key over the signed file), keeps it; its id is the PDF's SHA-256.

    Everything a report states is read at one chain state (its time is the head's, not the
    host's), so the same evidence verified at the same head gives the same content: that report
    is answered again as kept, without rendering (0.4 s of CPU) or storing anything."""
    report = verification_of(ctx, body)
    data_hash = str(report["receipt"]["hash"]).lower()
    document = report_document(
        report,
        ctx.link(request, f"/verify?hash={data_hash}"),
        ctx.now(),
        ctx.signer.center,
        ctx.deployed(),
    )
    content_hash = report_hash(document)
    report_id = ctx.reports.issued(content_hash)
    if report_id is None:
        pdf = ctx.signer.sign(
            report_pdf(document), "电子数据存证核验报告 evidence verification report"
        )
        signature = sign_document(pdf, content_hash, ctx.service.staff.registrar.account)
        report_id = signature["file_sha256"].removeprefix("0x")
        ctx.reports.put(report_id, pdf, signature, document)
    return {
        "id": report_id,
        "number": report_number(document),
        "verified": report["verified"],
        "report_hash": content_hash,
        "pdf": f"/v1/reports/{report_id}",
        "signature": f"/v1/reports/{report_id}/signature",
    }


@router.post("/verify/report", status_code=201, response_model=IssuedReport)
def issue_report(body: VerifyIn, ctx: Ctx, request: Request, response: Response) -> dict[str, Any]:
    """Verifies as ``POST /v1/verify`` does and issues the result as a PDF report with a QR code
    to the public verification record, its report hash, and a detached signature by the
    service key. Kept: fetch it again by id."""
    issued = issue(ctx, request, body)
    response.headers["Location"] = issued["pdf"]
    return issued


@router.get(
    "/reports/{report_id}",
    response_class=Response,
    responses=file_answer("application/pdf", "The report, byte for byte as issued"),
)
def report(report_id: ReportId, ctx: Ctx) -> Response:
    """The report's PDF, byte for byte as issued."""
    pdf = ctx.reports.pdf(report_id)
    if pdf is None:
        raise ProblemError(404, "not-found", "No such report", f"{report_id} was never issued")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="verification-{report_id[:16]}.pdf"'},
    )


@router.get("/reports/{report_id}/signature", response_model=ReportSignature)
def report_signature(report_id: ReportId, ctx: Ctx) -> dict[str, Any]:
    """The detached signature, and the report's content whose canonical JSON hashes to the
    report hash printed in the PDF."""
    meta = ctx.reports.meta(report_id)
    if meta is None:
        raise ProblemError(404, "not-found", "No such report", f"{report_id} was never issued")
    return meta


SIGNATURE_LIMIT = 64 << 10
"""Bytes of the signature field: the whole answer of ``.../signature`` is about 3 KB."""


@router.post(
    "/reports/check",
    response_model=ReportCheck,
    openapi_extra=multipart_body(
        signature="The detached signature: the JSON of .../signature, or its signature member."
    ),
)
async def check_report(request: Request, ctx: Ctx) -> dict[str, Any]:
    """Checks a report PDF against a detached signature (the JSON of ``.../signature``, or its
    ``signature`` member): unaltered, validly signed, and by a key that holds the registrar
    role of this registry on chain. The file is hashed as it streams in, never kept; the
    chain's read runs in a thread."""
    upload = await hashed_upload(request, ctx.limits.uploads, {"signature": SIGNATURE_LIMIT})
    try:
        detached = json.loads(upload.fields["signature"])
        # The whole answer of .../signature holds the detached signature as a member; the
        # member alone holds the signature's hex under the same name.
        if isinstance(detached, dict) and isinstance(detached.get("signature"), dict):
            detached = detached["signature"]
        if not isinstance(detached, dict):
            raise TypeError("not an object")
    except (ValueError, TypeError, AttributeError) as exc:
        raise ProblemError(
            422,
            "invalid-request",
            "Not a detached signature",
            str(exc),
            invalid_params=[{"name": "signature", "reason": "a JSON object is expected"}],
        ) from None
    roles = ctx.service.registry.roles
    file_sha256 = "0x" + upload.sha256.hex()

    def check() -> dict[str, bool]:
        return check_document(
            file_sha256, detached, lambda signer: roles.has_role(REGISTRAR, signer)
        )

    checks = await run_in_threadpool(check)
    return {"authentic": all(checks.values()), "checks": checks}
