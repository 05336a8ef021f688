"""Cross-region recognition (跨区域互认): what this registry publishes to partners (its
descriptor), and whether a partner's certificate is recognised here, with the header and
storage proofs so the asker can check it without trusting this service. The answers are
decided in ``registry.recognition.answers``; reading one changes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import Field

from registry.api.deps import AppContext, Ctx
from registry.api.models import Strict
from registry.api.problems import ProblemError
from registry.api.responses import (
    BlockRef,
    FederationContracts,
    FederationDescriptor,
    RecheckQueued,
    RecognitionRefused,
)
from registry.certificates.numbers import parse_number
from registry.recognition import Mediator, answers
from registry.recognition.answers import PartnerAgreement, RecognitionAnswer, UnknownPartnerError
from registry.regions import region_name

router = APIRouter(prefix="/v1", tags=["recognition"])
RegionCode = Annotated[int, Path(ge=100000, le=999999, description="GB/T 2260, e.g. 370200")]
CertNumber = Annotated[str, Path(min_length=19, max_length=19)]


class RecognitionQuery(Strict):
    region: Annotated[int, Field(ge=100000, le=999999)]
    number: Annotated[str, Field(min_length=19, max_length=19)]


class BatchIn(Strict):
    items: Annotated[list[RecognitionQuery], Field(min_length=1, max_length=200)]


def _mediator(ctx: AppContext) -> Mediator:
    if ctx.service.registry.recognition is None or ctx.mediator is None:
        raise ProblemError(
            404, "no-recognition", "This registry does not take part in mutual recognition"
        )
    return ctx.mediator


def _token(number: str) -> int:
    try:
        token = parse_number(number)
    except ValueError as exc:
        raise _not_a_number(str(exc)) from None
    if token == 0:
        raise _not_a_number("18 digits and a check character")
    return token


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
    token = _token(number)
    try:
        return answers.answer(mediator, region, token)
    except UnknownPartnerError as exc:
        raise ProblemError(
            404, "unknown-partner", "No agreement with this region", str(exc)
        ) from None


@router.get("/federation", response_model=FederationDescriptor)
def descriptor(ctx: Ctx, request: Request) -> FederationDescriptor:
    """What a partner needs to make an agreement with this registry: region, chain, contracts,
    the registrar keys that attest its certificates, and a block to anchor headers at."""
    registry = ctx.service.registry
    number, block_hash, _time = ctx.service.head()
    return FederationDescriptor(
        region=ctx.region,
        name=region_name(ctx.region),
        chain_id=registry.chain.chain_id,
        contracts=FederationContracts.model_validate(
            {
                "Certificates": registry.certificates.address,
                "AssetRegistry": registry.assets.address,
                "RecognitionRegistry": None
                if registry.recognition is None
                else registry.recognition.address,
            }
        ),
        registrar_keys=[ctx.service.staff.registrar.account.address],
        anchor=BlockRef(number=number, hash=block_hash),
        api_url=ctx.link(request, ""),
    )


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
    under which agreement), ``not_recognised`` (why: revoked, expired, superseded, frozen,
    agreement not in force), ``refused`` (forged attestation, key outside the agreement, out
    of scope) or ``pending`` (not yet checked, or the origin is unreachable: ask for a check
    with ``POST .../recheck``). With the relayed header and the EIP-1186 storage proofs, to be
    checked by the asker itself."""
    return recognition_of(ctx, region, number)


@router.post(
    "/recognitions/{region}/{number}/recheck", status_code=202, response_model=RecheckQueued
)
def recheck(region: RegionCode, number: CertNumber, ctx: Ctx) -> RecheckQueued:
    """Re-checks the certificate against the origin in the mediator's next round (within a
    second when the origin answers), whatever was recorded before."""
    found = recognition_of(ctx, region, number)
    _mediator(ctx).request(region, _token(number))
    return RecheckQueued(region=region, number=found.number, queued=True)


@router.post(
    "/recognitions/batch",
    response_model=list[RecognitionAnswer | RecognitionRefused],
    response_model_exclude_unset=True,
)
def recognitions(body: BatchIn, ctx: Ctx) -> list[RecognitionAnswer | RecognitionRefused]:
    """The same for up to 200 certificates; unknown partners answer ``refused``."""
    found: list[RecognitionAnswer | RecognitionRefused] = []
    for item in body.items:
        try:
            found.append(recognition_of(ctx, item.region, item.number))
        except ProblemError as problem:
            found.append(
                RecognitionRefused(
                    region=item.region,
                    number=item.number,
                    status="refused",
                    reason=problem.slug,
                    detail=problem.detail,
                )
            )
    return found
