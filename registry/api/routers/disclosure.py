"""The center's disclosure (信息公开, 指引 art. 10-11): ``GET /v1/disclosure`` (public) with its
process, fees, complaint channel and business figures by Beijing month; and the annual report to
the provincial data authority, as JSON with each figure's events and as a signed PDF (registrar
keys: rendering takes a second or more, not for anyone to ask in a loop)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from registry import times
from registry.api.deps import AppContext, Ctx, require
from registry.api.keys import Principal, Role
from registry.api.problems import ProblemError
from registry.api.responses import file_answer
from registry.documents.annual import annual_pdf

router = APIRouter(prefix="/v1", tags=["disclosure"])
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Year = Annotated[int, Path(ge=2025, le=2100, description="a calendar year in Beijing")]
At = Annotated[
    int | None,
    Query(
        ge=0,
        lt=2**40,
        description="the report as of this chain time (Unix seconds; the chain's time now if "
        "unset): the same time gives the same report",
    ),
]


class CenterOut(BaseModel):
    """The center's published texts (each configured, or a default named in ``defaults``)."""

    name: str
    region: int
    process: str
    fees: str
    complaints: str
    authority: str
    credit_code: str | None
    defaults: list[str]


class FigureName(BaseModel):
    zh: str
    en: str


class MonthOut(BaseModel):
    """One Beijing month's figures by key; None for an average or longest of nothing."""

    month: str
    figures: dict[str, float | None]


class DisclosureOut(BaseModel):
    """The public disclosure of a year (指引 art. 10-11)."""

    year: int
    generated_at: str
    center: CenterOut
    figures: dict[str, FigureName]
    months: list[MonthOut]
    year_totals: dict[str, float | None]


class TracedFigure(BaseModel):
    """A figure and the events, [transaction hash, log index], it was counted from."""

    value: float | None
    events: list[tuple[str, int]]


class TracedMonthOut(BaseModel):
    month: str
    figures: dict[str, TracedFigure]


class CompletionOut(BaseModel):
    """One completed registration: its working days from acceptance to deposit."""

    asset_id: int
    month: str
    accepted_at: str
    issued_at: str
    working_days: int
    paused_days: int
    limit: int
    missed: bool
    events: list[tuple[str, int]]


class AnnualReportOut(BaseModel):
    """The annual report to the provincial data authority, each figure traced to its events."""

    year: int
    generated_at: str
    center: CenterOut
    figures: dict[str, FigureName]
    months: list[TracedMonthOut]
    year_totals: dict[str, TracedFigure]
    events_source: str
    completions: list[CompletionOut]


def _report(ctx: AppContext, year: int, at: int | None, traced: bool) -> dict[str, Any]:
    now = ctx.now()
    when = now if at is None else min(at, now)
    try:
        return ctx.disclosure.report(year, traced=traced, generated_at=when)
    except LookupError as exc:
        raise ProblemError(
            503, "calendar-not-published", "The working-day calendar is missing", str(exc)
        ) from None


@router.get("/disclosure", response_model=DisclosureOut)
def disclosure(
    ctx: Ctx,
    year: Annotated[int | None, Query(ge=2025, le=2100)] = None,
) -> dict[str, Any]:
    """The center's process, fees and complaint channel (each configured, or a default that
    says so) and its figures for each Beijing month of ``year`` (this year if unset)."""
    chosen = times.beijing_date(ctx.now()).year if year is None else year
    return _report(ctx, chosen, None, traced=False)


@router.get("/disclosure/annual/{year}", response_model=AnnualReportOut)
def annual(year: Year, ctx: Ctx, who: Registrar, at: At = None) -> dict[str, Any]:
    """The annual report of ``year`` as JSON: each figure with the events (transaction hash, log
    index) it was counted from, each completion with its working days."""
    return _report(ctx, year, at, traced=True)


@router.get(
    "/disclosure/annual/{year}/pdf",
    response_class=Response,
    responses=file_answer("application/pdf", "The annual report, signed"),
)
def annual_document(year: Year, ctx: Ctx, who: Registrar, at: At = None) -> Response:
    """The annual report of ``year`` as a PDF signed (PAdES) by the center's certificate; it
    prints the SHA-256 of the JSON of the same ``at``."""
    report = _report(ctx, year, at, traced=True)
    created = int(datetime.fromisoformat(report["generated_at"]).timestamp())
    pdf = ctx.signer.sign(annual_pdf(report, created, ctx.deployed()), f"{year}年度报告")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="annual-report-{year}.pdf"'},
    )
