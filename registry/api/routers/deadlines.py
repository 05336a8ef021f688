"""The center's deadlines (``GET /v1/deadlines``): staff see each open application of their
region with its acceptance, processing and notice dates and each open objection's
investigation date, overdue first, then by urgency."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends

from registry.api.deps import Ctx, require
from registry.api.keys import Principal, Role
from registry.api.responses import DeadlineOut

router = APIRouter(prefix="/v1", tags=["procedure"])
Staff = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.REVIEWER))]


@router.get("/deadlines", response_model=list[DeadlineOut])
def deadlines(ctx: Ctx, who: Staff) -> list[DeadlineOut]:
    """Open applications of the key's region, overdue ones first, then by the soonest date."""
    return [
        DeadlineOut.model_validate(dataclasses.asdict(row))
        for row in ctx.deadlines.rows(who.region)
    ]
