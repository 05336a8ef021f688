"""Reporting to the national registration service system (guide art. 24, 26): what it has not
yet acknowledged (``GET /v1/reports/pending``), for the center's staff and its auditor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from registry import times
from registry.api.deps import Ctx, require
from registry.api.keys import Principal, Role
from registry.api.responses import PendingReportOut, PendingReportsOut
from registry.reporting import Pending

router = APIRouter(prefix="/v1", tags=["national reporting"])
Staff = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.REVIEWER, Role.AUDITOR))]


def pending_out(pending: Pending) -> PendingReportsOut:
    return PendingReportsOut(
        count=pending.count,
        sender=pending.sender,
        items=[
            PendingReportOut(
                key=p.key,
                kind=p.kind,
                asset_id=p.asset_id,
                certificate_number=p.certificate_number,
                block_number=p.block_number,
                created_at=times.iso(int(p.created_at)),
                attempts=p.attempts,
                next_attempt_at=times.iso(int(p.next_attempt_at)),
                last_error=p.last_error,
            )
            for p in pending.items
        ],
    )


@router.get("/reports/pending", response_model=PendingReportsOut)
def pending_reports(
    ctx: Ctx, who: Staff, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> PendingReportsOut:
    """The records the national system has not yet acknowledged, oldest first."""
    return pending_out(ctx.reporting.pending(limit))
