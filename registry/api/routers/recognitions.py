"""Cross-region recognition (跨区域互认): what this registry publishes to partners (its
descriptor), and whether a partner's certificate is recognised here, with the header and
storage proofs so the asker can check it without trusting this service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import Field

from registry.api.deps import AppContext, Ctx
from registry.api.models import Strict
from registry.api.problems import ProblemError
from registry.certificates.numbers import format_number, parse_number
from registry.chain.recognition import AgreementStatus, RecognitionClient
from registry.chain.types import CertificateStatus
from registry.regions import region_name

router = APIRouter(prefix="/v1", tags=["recognition"])
RegionCode = Annotated[int, Path(ge=100000, le=999999, description="GB/T 2260, e.g. 370200")]
CertNumber = Annotated[str, Path(min_length=19, max_length=19)]


class RecognitionQuery(Strict):
    region: Annotated[int, Field(ge=100000, le=999999)]
    number: Annotated[str, Field(min_length=19, max_length=19)]


class BatchIn(Strict):
    items: Annotated[list[RecognitionQuery], Field(min_length=1, max_length=200)]


def _recognition(ctx: AppContext) -> RecognitionClient:
    client = ctx.service.registry.recognition
    if client is None or ctx.mediator is None:
        raise ProblemError(
            404, "no-recognition", "This registry does not take part in mutual recognition"
        )
    return client


@router.get("/federation")
def descriptor(ctx: Ctx, request: Request) -> dict[str, Any]:
    """What a partner needs to make an agreement with this registry: region, chain, contracts,
    the registrar keys that attest its certificates, and a block to anchor headers at."""
    registry = ctx.service.registry
    head = registry.chain.w3.eth.get_block("latest")
    return {
        "region": ctx.region,
        "name": region_name(ctx.region),
        "chain_id": registry.chain.chain_id,
        "contracts": {
            "Certificates": registry.certificates.address,
            "AssetRegistry": registry.assets.address,
            "RecognitionRegistry": None
            if registry.recognition is None
            else registry.recognition.address,
        },
        "registrar_keys": [ctx.service.staff.registrar.account.address],
        "anchor": {"number": int(head["number"]), "hash": "0x" + bytes(head["hash"]).hex()},
        "api_url": ctx.link(request, ""),
    }


@router.get("/agreements")
def agreements(ctx: Ctx) -> list[dict[str, Any]]:
    """The partner regions this registry has agreements with, as recorded on chain."""
    client = _recognition(ctx)
    assert ctx.mediator is not None
    found = []
    for partner in ctx.mediator.partners():
        agreement = client.get_agreement(partner.region)
        reachable, since, detail = ctx.mediator.reachability(partner.region)
        relayed, checkpoint = client.head(partner.region)
        found.append(
            {
                "region": partner.region,
                "name": region_name(partner.region),
                "status": agreement.status.name.lower(),
                "in_force": client.in_force(partner.region),
                "chain_id": agreement.chain_id,
                "certificates": agreement.certificates,
                "valid_from": agreement.valid_from,
                "valid_until": agreement.valid_until,
                "keys": client.partner_keys(partner.region),
                "relayed_block": relayed,
                "relayed_hash": "0x" + checkpoint.block_hash.hex(),
                "origin_reachable": reachable,
                "unreachable_since": None if reachable else since,
                "detail": detail,
            }
        )
    return found


def recognition_of(ctx: AppContext, region: int, number: str) -> dict[str, Any]:
    client = _recognition(ctx)
    mediator = ctx.mediator
    assert mediator is not None
    token = parse_number(number)
    if token == 0:
        raise ProblemError(
            422,
            "invalid-request",
            "Not a certificate number",
            invalid_params=[{"name": "number", "reason": "18 digits and a check character"}],
        )
    agreement = client.get_agreement(region)
    if agreement.status == AgreementStatus.NONE:
        raise ProblemError(
            404, "unknown-partner", "No agreement with this region", f"region {region}"
        )
    record = client.recognition(region, token)
    kept = mediator.kept(region, token)
    reachable, _since, detail = mediator.reachability(region)
    answer: dict[str, Any] = {
        "region": region,
        "number": format_number(token),
        "agreement": {
            "status": agreement.status.name.lower(),
            "in_force": client.in_force(region),
            "valid_from": agreement.valid_from,
            "valid_until": agreement.valid_until,
            "chain_id": agreement.chain_id,
            "certificates": agreement.certificates,
            "assets": agreement.assets,
        },
        "origin_reachable": reachable,
        "record": None,
        # The proof of the block the record stands on (a newer check may be on its way).
        "evidence": (
            mediator.proof(region, token, record.proof_block)
            if record.proof_block
            else None
            if kept is None
            else kept["evidence"]
        ),
    }
    if record.proof_block:
        answer["record"] = {
            "holder": record.holder,
            "asset_id": record.asset_id,
            "manifest_hash": "0x" + record.manifest_hash.hex(),
            "kind": record.kind,
            "origin_status": CertificateStatus(record.origin_status).name.lower(),
            "frozen": record.frozen,
            "issued_at": record.issued_at,
            "expires_at": record.expires_at,
            "recognised_since": record.recognised_since or None,
            "checked_at": record.checked_at,
            "successor": format_number(record.successor) if record.successor else None,
            "proof_block": record.proof_block,
            "rights_summary": "0x" + record.rights_summary.hex(),
        }
    if not reachable:
        answer |= {"status": "pending", "reason": f"origin unreachable: {detail}"}
        mediator.request(region, token)
    elif kept is not None and kept["refused"] is not None and not record.recognised:
        answer |= {
            "status": "refused",
            "reason": kept["refused"]["reason"],
            "detail": kept["refused"]["detail"],
        }
    elif not record.proof_block:
        mediator.request(region, token)
        answer |= {"status": "pending", "reason": "not checked against the origin yet"}
    elif not answer["agreement"]["in_force"]:
        answer |= {"status": "not_recognised", "reason": "agreement-not-in-force"}
    elif record.recognised:
        answer |= {"status": "recognised", "since": record.recognised_since}
    else:
        reason = "frozen" if record.frozen else answer["record"]["origin_status"]
        answer |= {"status": "not_recognised", "reason": reason}
    return answer


@router.get("/recognitions/{region}/{number}")
def recognition(region: RegionCode, number: CertNumber, ctx: Ctx) -> dict[str, Any]:
    """Whether a partner region's certificate is recognised here: ``recognised`` (since when,
    under which agreement), ``not_recognised`` (why: revoked, expired, superseded, frozen,
    agreement not in force), ``refused`` (forged attestation, key outside the agreement, out
    of scope) or ``pending`` (not yet checked, or the origin is unreachable). With the relayed
    header and the EIP-1186 storage proofs, to be checked by the asker itself."""
    return recognition_of(ctx, region, number)


@router.post("/recognitions/{region}/{number}/recheck", status_code=202)
def recheck(region: RegionCode, number: CertNumber, ctx: Ctx) -> dict[str, Any]:
    """Re-checks the certificate against the origin in the mediator's next round (within a
    second when the origin answers), whatever was recorded before."""
    answer = recognition_of(ctx, region, number)
    assert ctx.mediator is not None
    ctx.mediator.request(region, parse_number(number))
    return {"region": region, "number": answer["number"], "queued": True}


@router.post("/recognitions/batch")
def recognitions(body: BatchIn, ctx: Ctx) -> list[dict[str, Any]]:
    """The same for up to 200 certificates; unknown partners answer ``refused``."""
    found = []
    for item in body.items:
        try:
            found.append(recognition_of(ctx, item.region, item.number))
        except ProblemError as problem:
            found.append(
                {
                    "region": item.region,
                    "number": item.number,
                    "status": "refused",
                    "reason": problem.slug,
                    "detail": problem.detail,
                }
            )
    return found
