"""Manifests: validated, stored in the content store as canonical JSON, fetched by CID."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel

from registry.api.deps import Ctx, require
from registry.api.keys import Principal, Role
from registry.api.problems import ProblemError
from registry.content import Cid, ContentError, MissingContentError
from registry.content.manifest import Manifest
from registry.content.store import read_all

router = APIRouter(prefix="/v1", tags=["manifests"])
Publisher = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.HOLDER))]
CidText = Annotated[str, Path(min_length=46, max_length=120, description="Qm... or bafk...")]


class ManifestOut(BaseModel):
    """What an application takes from a stored manifest."""

    cid: str
    manifest_hash: str
    manifest_cid: str
    cid_codec: int
    size: int


def _unavailable(exc: ContentError) -> ProblemError:
    return ProblemError(503, "content-unavailable", "The content store failed", str(exc))


@router.post("/manifests", status_code=201, response_model=ManifestOut)
def publish(body: Manifest, ctx: Ctx, who: Publisher, response: Response) -> ManifestOut:
    """Stores a registration manifest as canonical JSON (RFC 8785), CIDv1; the answer holds the
    hash and CID fields an application needs, and anchors the manifest's and its files' hashes
    as evidence (receipts at ``/v1/evidence/{hash}``). Publishing again is harmless."""
    data = body.canonical_bytes()
    manifest_hash, digest, codec = body.chain_fields()
    try:
        stored = ctx.content.add(data, cid_version=1, pin=True)
    except ContentError as exc:
        raise _unavailable(exc) from None
    # The only place an asset's names come from: this document, under its own hash.
    ctx.queries.record_manifest(body)
    # The manifest and every file it lists become evidence too (存证): each gets a receipt.
    submitter = f"key {who.key_id} (region {who.region}), manifest {body.identifier}"
    ctx.evidence.add(manifest_hash, submitter)
    for entry in body.files:
        ctx.evidence.add(bytes.fromhex(entry.sha256), submitter)
    response.headers["Location"] = f"/v1/manifests/{stored.cid}"
    return ManifestOut(
        cid=str(stored.cid),
        manifest_hash="0x" + manifest_hash.hex(),
        manifest_cid="0x" + digest.hex(),
        cid_codec=codec,
        size=len(data),
    )


@router.get(
    "/manifests/{cid}",
    response_class=Response,
    responses={200: {"model": Manifest, "description": "The manifest's canonical JSON"}},
)
def fetch(cid: CidText, ctx: Ctx) -> Response:
    """The manifest's canonical JSON, exactly the bytes whose SHA-256 is on chain."""
    try:
        parsed = Cid.parse(cid)
    except ValueError as exc:
        raise ProblemError(
            422,
            "invalid-request",
            "Not a CID",
            str(exc),
            invalid_params=[{"name": "cid", "reason": str(exc)}],
        ) from None
    try:
        data = read_all(ctx.content, parsed)
    except MissingContentError:
        raise ProblemError(404, "not-found", "No such manifest", f"{cid} is not stored") from None
    except ContentError as exc:
        raise _unavailable(exc) from None
    return Response(data, media_type="application/json")
