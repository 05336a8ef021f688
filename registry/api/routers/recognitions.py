"""Cross-region recognition (跨区域互认): what this registry publishes to partners (its
descriptor), and whether a partner's certificate is recognised here, with the header and
storage proofs so the asker can check it without trusting this service. The answers are
decided in ``registry.recognition.answers``; reading one changes nothing.

The batch and the recheck are public: each client may make ``recognition_client_limit`` of
them per window, the batch answers at most ``recognition_inflight_limit`` numbers at once over
all clients, and a number that cannot be a partner's certificate (malformed, refused at the
edge; issued by another center than the one serving the region asked; of a region with no
agreement) is refused before anything is read or queued."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from registry.api.deps import AppContext, Ctx
from registry.api.limits import client_of
from registry.api.models import Strict
from registry.api.problems import ProblemError
from registry.api.responses import (
    BlockRef,
    FederationContracts,
    FederationDescriptor,
    RecheckQueued,
    RecognitionRefused,
    SignedStanding,
)
from registry.certificates.numbers import center_of, parse_number
from registry.fields import CertificateNo
from registry.recognition import Mediator, answers
from registry.recognition.answers import PartnerAgreement, RecognitionAnswer, UnknownPartnerError
from registry.regions import Center, center_of_region, region_name

router = APIRouter(prefix="/v1", tags=["recognition"])
RegionCode = Annotated[int, Path(ge=100000, le=999999, description="GB/T 2260, e.g. 370200")]
CertNumber = Annotated[CertificateNo, Path(description="e.g. SJ3702026120001")]


class RecognitionQuery(Strict):
    region: Annotated[int, Field(ge=100000, le=999999)]
    number: CertificateNo


class BatchIn(Strict):
    items: Annotated[list[RecognitionQuery], Field(min_length=1, max_length=200)]


def _mediator(ctx: AppContext) -> Mediator:
    if ctx.service.registry.recognition is None or ctx.mediator is None:
        raise ProblemError(
            404, "no-recognition", "This registry does not take part in mutual recognition"
        )
    return ctx.mediator


def _token(number: str, region: int, serving: Center) -> int:
    """The token id of a number (well formed at the edge) that can be a certificate of
    ``region``: issued by ``serving``, the center serving it. Else the 422."""
    token = parse_number(number)
    issuer = center_of(token)
    if issuer != serving:
        raise _not_a_number(f"numbered by center {issuer}, not {serving} (region {region})")
    return token


def _limited(ctx: AppContext, request: Request) -> None:
    """Counts one public batch or recheck of the client, or raises the 429."""
    client = client_of(request)
    wait = ctx.limits.recognitions.take(client)
    if wait:
        raise ctx.limits.recognitions.refuse(client, wait)


def _not_a_number(reason: str) -> ProblemError:
    return ProblemError(
        422,
        "invalid-request",
        "Not a certificate number",
        invalid_params=[{"name": "number", "reason": reason}],
    )


def recognition_of(ctx: AppContext, region: int, number: str) -> RecognitionAnswer:
    """The answer for a partner certificate, as the API and the page give it."""
    mediator = _mediator(ctx)
    token = _token(number, region, mediator.serving(region))
    try:
        return answers.answer(mediator, region, token)
    except UnknownPartnerError as exc:
        raise ProblemError(
            404, "unknown-partner", "No agreement with this region", str(exc)
        ) from None


@router.get("/federation", response_model=FederationDescriptor)
def descriptor(ctx: Ctx, request: Request) -> FederationDescriptor:
    """What a partner needs to make an agreement with this registry: region, the center its
    certificate numbers carry, chain, contracts, the registrar keys that attest its
    certificates, and a block to anchor headers at."""
    registry = ctx.service.registry
    number, block_hash, _time = ctx.service.head()
    return FederationDescriptor(
        region=ctx.region,
        name=region_name(ctx.region),
        center=registry.certificates.center.code,
        chain_id=registry.chain.chain_id,
        contracts=FederationContracts.model_validate(
            {
                "Certificates": registry.certificates.address,
                "AssetRegistry": registry.assets.address,
                "RecognitionRegistry": None
                if registry.recognition is None
                else registry.recognition.address,
                "Annotations": registry.annotations.address,
            }
        ),
        registrar_keys=[ctx.service.staff.registrar.account.address],
        anchor=BlockRef(number=number, hash=block_hash),
        api_url=ctx.link(request, ""),
    )


@router.get("/certificates/{number}/standing", response_model=SignedStanding)
def standing(
    number: CertNumber,
    ctx: Ctx,
    block: Annotated[int, Query(ge=1, description="a block of this registry's chain")],
) -> SignedStanding:
    """The certificate's standing at ``block`` as this chain's storage shows it (claims,
    status, freeze, annotations in force, pledgee, licence grant), signed by the registrar
    (EIP-712 ``Standing``, bound to the block's hash): what a partner's RecognitionRegistry
    requires to record it, and what its mediator cannot make."""
    serving = ctx.service.registry.certificates.center
    token = _token(number, ctx.region, serving)
    signed = ctx.service.signed_standing(token, block)
    if signed is None:
        raise ProblemError(
            404, "block-not-reached", "No such block yet", f"this chain has not reached {block}"
        )
    return SignedStanding.model_validate(signed)


@router.get("/agreements", response_model=list[PartnerAgreement])
def agreements(ctx: Ctx) -> list[PartnerAgreement]:
    """The partner regions this registry has agreements with, as recorded on chain."""
    return answers.agreements(_mediator(ctx))


@router.get(
    "/recognitions/{region}/{number}",
    response_model=RecognitionAnswer,
    response_model_exclude_unset=True,
)
def recognition(region: RegionCode, number: CertNumber, ctx: Ctx) -> RecognitionAnswer:
    """Whether a partner region's certificate is recognised here: ``recognised`` (since when,
    under which agreement, while the origin was read within the agreement's ``max_age``),
    ``stale`` (recognised when the origin was last read, longer ago than that, or the origin is
    unreachable; ``as_of`` says what the answer rests on), ``not_recognised`` (why: revoked,
    expired, superseded, frozen, agreement not in force), ``refused`` (forged attestation, key
    outside the agreement, out of scope, another region's number, outside the term by the
    origin's clock) or ``pending`` (not yet checked, or the origin is unreachable: ask for a
    check with ``POST .../recheck``). With the relayed header and the EIP-1186 storage proofs, to be
    checked by the asker itself."""
    return recognition_of(ctx, region, number)


@router.post(
    "/recognitions/{region}/{number}/recheck", status_code=202, response_model=RecheckQueued
)
def recheck(region: RegionCode, number: CertNumber, ctx: Ctx, request: Request) -> RecheckQueued:
    """Re-checks the certificate against the origin in a coming round of the mediator (after
    every change at the origin, a few per round), whatever was recorded before. 503 while the
    region's queue is full, 429 past the client's limit."""
    mediator = _mediator(ctx)
    _limited(ctx, request)
    found = recognition_of(ctx, region, number)  # refuses a number the region cannot have
    if not mediator.request(region, parse_number(number)):
        raise ProblemError(
            503,
            "recheck-queue-full",
            "Too many rechecks queued for this region",
            f"region {region}: at most {mediator.queue_limit} queued; try again later",
            retry_after=5,
        )
    return RecheckQueued(region=region, number=found.number, queued=True)


@router.post(
    "/recognitions/batch",
    response_model=list[RecognitionAnswer | RecognitionRefused],
    response_model_exclude_unset=True,
)
def recognitions(
    body: BatchIn, ctx: Ctx, request: Request
) -> list[RecognitionAnswer | RecognitionRefused]:
    """The same for up to 200 certificates. A number that cannot be one of the region's
    certificates, or of a region with no agreement, answers ``refused`` with nothing read;
    429 past the client's limit, 503 while too many numbers are being answered at once."""
    mediator = _mediator(ctx)
    _limited(ctx, request)
    serving = {p.region: p.serving for p in mediator.partners()}
    found: list[RecognitionAnswer | RecognitionRefused | None] = []
    asked: list[tuple[int, int]] = []
    for item in body.items:
        try:
            token = _token(
                item.number, item.region, serving.get(item.region) or center_of_region(item.region)
            )
        except ProblemError as problem:
            reason = (problem.extra.get("invalid_params") or [{}])[0].get("reason", "")
            found.append(_refused(item, "invalid-number", str(reason)))
            continue
        if item.region not in serving:
            found.append(_refused(item, "unknown-partner", f"region {item.region}"))
            continue
        found.append(None)
        asked.append((item.region, token))
    ctx.limits.recognition_inflight.acquire(len(asked))
    try:
        answered = iter(answers.answer_many(mediator, asked))
    finally:
        ctx.limits.recognition_inflight.release(len(asked))
    out: list[RecognitionAnswer | RecognitionRefused] = []
    for item, given in zip(body.items, found, strict=True):
        if given is not None:
            out.append(given)
            continue
        answer = next(answered)
        out.append(
            _refused(item, "unknown-partner", str(answer))
            if isinstance(answer, UnknownPartnerError)
            else answer
        )
    return out


def _refused(item: RecognitionQuery, reason: str, detail: str) -> RecognitionRefused:
    return RecognitionRefused(
        region=item.region, number=item.number, status="refused", reason=reason, detail=detail
    )
