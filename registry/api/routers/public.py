"""Certificates, evidence, operations, health and metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from registry.api.deps import AppContext, Ctx, require
from registry.api.keys import Principal, Role
from registry.api.models import EvidenceIn, OperationOut, b32
from registry.api.problems import ProblemError
from registry.api.responses import (
    AnchoredFile,
    CertificateOut,
    CertificateStatusOut,
    ControllerDocument,
    CredentialOut,
    CredentialsPublished,
    Health,
    JsonLdContext,
    ReceiptOut,
    RegistryIdentity,
    StatusListOut,
    file_answer,
)
from registry.api.uploads import hashed_upload, multipart_body
from registry.certificates.integrity import CONTEXT_PATH, shipped_context
from registry.certificates.view import certificate_view
from registry.chain.types import CertificateStatus
from registry.documents import certificate_pdf
from registry.evidence import Receipt
from registry.fields import CertificateNo

router = APIRouter(prefix="/v1")


class JSONLDResponse(JSONResponse):
    media_type = "application/ld+json"


Number = Annotated[CertificateNo, Path(description="e.g. SJ3702026120001")]
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]


def certificate_record(ctx: AppContext, number: str) -> dict[str, Any]:
    try:
        cert = ctx.queries.certificate(number)
    except ValueError as exc:
        raise ProblemError(
            422,
            "invalid-request",
            "Not a certificate number",
            str(exc),
            invalid_params=[{"name": "number", "reason": str(exc)}],
        ) from None
    if cert is None:
        raise ProblemError(404, "not-found", "No such certificate", f"{number} was never issued")
    return dict(cert)


def handed_over(ctx: AppContext, number: str, missing: ProblemError) -> dict[str, Any]:
    """A certificate a predecessor center handed over (``registry import``), as proven at its
    stated block; re-raises ``missing`` when there is none."""
    found = ctx.succeeded.certificate(number, ctx.now()) if missing.status == 404 else None
    if found is None:
        raise missing
    return found


@router.get("/certificates/{number}", response_model=CertificateOut, tags=["certificates"])
def certificate(number: Number, ctx: Ctx) -> dict[str, Any]:
    """The certificate and its status now, read from the chain; one a predecessor center
    handed over with its ``predecessor`` (chain, stated block, storage proofs)."""
    try:
        cert = certificate_record(ctx, number)
    except ProblemError as missing:
        return handed_over(ctx, number, missing)
    status = ctx.service.registry.certificates.status_of(int(cert["token_id"]))
    cert["token_id"] = str(cert["token_id"])
    cert["successor"] = None if cert["successor"] is None else str(cert["successor"])
    cert["status"] = CertificateStatus(status).name.lower()
    licensee = ctx.queries.licensee(str(cert["grant_id"])) if cert["grant_id"] else None
    cert["licensee"] = None if licensee is None else licensee.to_json()
    return cert


@router.get(
    "/certificates/{number}/credential", response_model=CredentialOut, tags=["certificates"]
)
def credential(number: Number, ctx: Ctx, request: Request) -> JSONResponse:
    """The certificate as a W3C Verifiable Credential 2.0: a Data Integrity proof
    (``eddsa-rdfc-2022``) by the center's credential key over all of it, signed now with the
    registration's annotations, a BitstringStatusListEntry in the center's revocation list, and
    the registrar's EIP-712 attestation of its claims."""
    cert = certificate_record(ctx, number)
    # Returned as built: a model's re-serialisation would be a change the proof fails on.
    return JSONResponse(ctx.credentials.credential(cert, ctx.base(request)))


@router.get("/credentials/issuer", response_model=ControllerDocument, tags=["certificates"])
def credential_issuer(ctx: Ctx, request: Request) -> dict[str, Any]:
    """The center's controller document: the issuer of its credentials, with its Ed25519
    credential key (Multikey) for assertions."""
    return ctx.credentials.issuer_document(ctx.base(request))


@router.get("/credentials/status/revocation", response_model=StatusListOut, tags=["certificates"])
def revocation_list(ctx: Ctx, request: Request) -> JSONResponse:
    """The certificates' revocation list (BitstringStatusListCredential): a certificate's bit
    is set once the chain has it revoked, cancelled or superseded; it follows the chain within
    the index's lag."""
    return JSONResponse(ctx.credentials.revocation_list(ctx.base(request)))


@router.get(
    CONTEXT_PATH.removeprefix("/v1"),
    tags=["certificates"],
    response_class=JSONLDResponse,
    response_model=JsonLdContext,
)
def registry_context() -> Response:
    """The JSON-LD context of the registry's own terms, which its credentials name."""
    return JSONLDResponse(shipped_context("data-registry-v1"))


@router.get(
    "/certificates/{number}/pdf",
    tags=["certificates"],
    response_class=Response,
    responses=file_answer("application/pdf", "The certificate, printable"),
)
def certificate_document(number: Number, ctx: Ctx, request: Request) -> Response:
    """The certificate as a printable PDF (Chinese, with English), its status as the chain
    reports it now, and a QR code to the public record at ``/c/{number}``; signed (PAdES) by
    the center's certificate."""
    now = ctx.now()
    view = certificate_view(ctx.queries, ctx.service.registry, certificate_record(ctx, number), now)
    pdf = ctx.signer.sign(
        certificate_pdf(view, ctx.link(request, f"/c/{view.number}"), now, ctx.deployed()),
        f"{view.kind_zh} {view.number}",
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{view.number}.pdf"'},
    )


@router.get(
    "/certificates/{number}/status", response_model=CertificateStatusOut, tags=["certificates"]
)
def certificate_status(number: Number, ctx: Ctx) -> CertificateStatusOut:
    """The certificate's status now, read from the chain (a handed-over one's as proven)."""
    try:
        cert = certificate_record(ctx, number)
    except ProblemError as missing:
        handed = handed_over(ctx, number, missing)
        return CertificateStatusOut(number=handed["number"], status=handed["status"])
    status = ctx.service.registry.certificates.status_of(int(cert["token_id"]))
    return CertificateStatusOut(
        number=cert["number"], status=CertificateStatus(status).name.lower()
    )


EvidenceHash = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 bytes, hex")]


def _receipt(ctx: AppContext, receipt: Receipt) -> dict[str, Any]:
    """The receipt with what a verifier needs of the chain: contract, chain, block."""
    body = receipt.to_json()
    evidence = ctx.service.registry.evidence
    body["contract"] = evidence.address
    body["roles"] = ctx.service.registry.roles.address
    body["chain_id"] = ctx.service.registry.chain.chain_id
    if receipt.status == "anchored" and receipt.block_number is not None:
        body["block_hash"], body["block_time"] = ctx.service.block(receipt.block_number)
    return body


# A receipt's block_hash and block_time are absent until it is anchored, not null.
_RECEIPTS: dict[str, Any] = {"response_model_exclude_unset": True, "tags": ["evidence"]}


@router.post("/evidence", status_code=202, response_model=ReceiptOut, **_RECEIPTS)
def anchor(body: EvidenceIn, ctx: Ctx, who: Registrar, response: Response) -> dict[str, Any]:
    """Accepts an evidence hash (存证) for the next Merkle batch (1,000 hashes or 2 s); the
    receipt is at ``Location``. The same hash again keeps its first submission."""
    receipt = ctx.evidence.add(b32(body.hash), f"key {who.key_id} (region {who.region})")
    response.headers["Location"] = f"/v1/evidence/{body.hash.lower()}"
    return _receipt(ctx, receipt)


@router.post(
    "/evidence/file",
    status_code=202,
    response_model=AnchoredFile,
    openapi_extra=multipart_body(),
    **_RECEIPTS,
)
async def anchor_file(
    request: Request, ctx: Ctx, who: Registrar, response: Response
) -> dict[str, Any]:
    """Anchors the SHA-256 of an uploaded file, hashed as it streams in (nothing of it is
    kept). The evidence store's write runs in a thread, never on the event loop."""
    upload = await hashed_upload(request, ctx.limits.uploads)

    def anchor() -> dict[str, Any]:
        receipt = ctx.evidence.add(upload.sha256, f"key {who.key_id} (region {who.region})")
        return {
            "sha256": upload.sha256.hex(),
            "size": upload.size,
            "receipt": _receipt(ctx, receipt),
        }

    response.headers["Location"] = f"/v1/evidence/0x{upload.sha256.hex()}"
    return await run_in_threadpool(anchor)


def receipt_of(ctx: AppContext, data_hash: str) -> dict[str, Any]:
    """The receipt of ``data_hash`` (0x-hex) as the API gives it; 404 when never submitted."""
    receipt = ctx.evidence.receipt(b32(data_hash))
    if receipt is None:
        raise ProblemError(404, "not-found", "No such evidence", f"{data_hash} was never submitted")
    return _receipt(ctx, receipt)


@router.get("/evidence/{data_hash}", response_model=ReceiptOut, **_RECEIPTS)
def evidence_receipt(data_hash: EvidenceHash, ctx: Ctx) -> dict[str, Any]:
    """The receipt of an evidence hash: queued, sent, or anchored with its Merkle proof, root,
    transaction and block."""
    return receipt_of(ctx, data_hash)


@router.get("/operations/{operation_id}", response_model=OperationOut, tags=["operations"])
def operation(
    operation_id: Annotated[str, Path(min_length=1, max_length=220)], ctx: Ctx
) -> OperationOut:
    """A write's progress: pending, sent (with its transaction), confirmed, or failed (why)."""
    op = ctx.service.operation(operation_id)
    if op is None:
        raise ProblemError(404, "not-found", "No such operation", operation_id)
    return OperationOut.of(op, ctx.service.result(op))


system = APIRouter(tags=["system"])


@system.get("/healthz", response_model=Health)
def healthz(ctx: Ctx) -> Health:
    """Up, with the chain head, its time (what consent deadlines are measured against), and how
    far the index has read."""
    number, _hash, time = ctx.service.head()
    return Health(
        status="ok", chain_head=number, chain_time=time, indexed_block=ctx.queries.indexed_block()
    )


@system.get("/.well-known/data-property-registry", response_model=RegistryIdentity)
def registry_identity(ctx: Ctx, request: Request) -> RegistryIdentity:
    """The registry's chain and contracts, at a stable address: what a court's expert, a bank or
    a partner center checks a receipt or a certificate against (docs/verify-by-hand.md); and
    where its credentials are checked."""
    contracts = ctx.service.contracts()
    return RegistryIdentity(
        chain_id=ctx.service.registry.chain.chain_id,
        region=ctx.region,
        roles=contracts["RegistryRoles"],
        contracts=contracts,
        credentials=CredentialsPublished(**ctx.credentials.published(ctx.base(request))),
    )


@system.get(
    "/metrics",
    response_class=Response,
    responses=file_answer(CONTENT_TYPE_LATEST, "Prometheus text exposition"),
    dependencies=[Depends(require(Role.AUDITOR, Role.REGISTRAR))],
)
def metrics() -> Response:
    """Prometheus metrics, for an auditor's or a registrar's key (a scraper sends it as a
    bearer token): request counts and latencies by route tell what the service is used for."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
