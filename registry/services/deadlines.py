"""The center's deadlines (指引 art. 17, 24, 25, 27, 29): for each application still in the
procedure, when its acceptance, processing and notice are due and when each open objection's
investigation is, and for each registration with an objection after registration in hand when
the applicant is to be told, as the contract counts them in working days, dated in Beijing;
overdue ones flagged, most urgent first. Overdue is shown, never enforced: the center may
finish late."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from registry.chain.errors import ContractError
from registry.chain.types import Deadlines, PostObjectionStatus, Status
from registry.index.queries import Queries
from registry.services.registry import RegistryService
from registry.times import beijing_date, last_day_within

logger = logging.getLogger(__name__)

OPEN = (
    Status.APPLIED,
    Status.SUPPLEMENTING,
    Status.UNDER_REVIEW,
    Status.AWAITING_PROOF,
    Status.IN_NOTICE,
)
"""The statuses (as indexed) of applications whose procedure is still running."""

_LISTED = 500
"""The most applications listed per status: a center's open files, with room to spare."""


def last_day(due: int) -> str:
    """The last Beijing date within a deadline ending at ``due`` (ISO 8601)."""
    return last_day_within(due).isoformat()


def day_of(moment: int) -> str:
    """The Beijing date of ``moment`` (ISO 8601)."""
    return beijing_date(moment).isoformat()


@dataclass(frozen=True)
class ObjectionDue:
    objection_id: int
    filed_on: str | None
    investigation_due: str | None
    overdue: bool


@dataclass(frozen=True)
class PostObjectionDue:
    """An objection after registration not yet settled: when the applicant is to be told."""

    objection_id: int
    status: str
    filed_on: str
    notification_due: str | None
    notified_on: str | None
    overdue: bool


@dataclass(frozen=True)
class DeadlineRow:
    """One application's deadlines now. Dates are Beijing dates, each the last day in time."""

    asset_id: int
    status: str
    acceptance_due: str | None
    deemed_accepted_on: str | None
    accepted_on: str | None
    processing_due: str | None
    paused: bool
    paused_days: int
    extension_days: int
    extension_reasons: list[str]
    supplements_due: str | None
    notice_ends: str | None
    objections: list[ObjectionDue]
    post_objections: list[PostObjectionDue]
    overdue: bool
    next_due: int | None
    """The soonest deadline still running (Unix seconds): the sort key, soonest first."""
    unavailable: str | None = field(default=None)
    """Why the chain could not count (a calendar year nobody has published yet)."""


class DeadlineBoard:
    """The deadlines of a region's open applications, from the chain (the counts) and the
    index (which applications are open, their objections and extension reasons)."""

    def __init__(self, service: RegistryService, queries: Queries) -> None:
        self.service = service
        self.queries = queries

    def rows(self, region: int | None, now: int | None = None) -> list[DeadlineRow]:
        """Every open application of ``region`` (all regions: None), overdue ones first, then
        by the soonest deadline."""
        now = self.service.chain_time() if now is None else now
        ids: list[int] = []
        for status in OPEN:
            found = self.queries.search(now, region=region, status=status, limit=_LISTED)
            ids += [int(a["asset_id"]) for a in found.items]
        # Registrations with an objection after registration (art. 29) in hand: its
        # notification due date is the center's to meet.
        ids += self.queries.assets_with_open_post_objections(region)[:_LISTED]
        listed = self.queries.assets(ids, now)
        reasons = self._extension_reasons(ids)
        rows = [self._row(a, reasons.get(int(a["asset_id"]), []), now) for a in listed]
        return sorted(rows, key=lambda r: (not r.overdue, r.next_due or 2**63, r.asset_id))

    def _extension_reasons(self, ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for asset_id in ids:
            for event in self.queries.history(asset_id):
                if event["name"] == "ProcessingExtended":
                    found.setdefault(asset_id, []).append(str(event["args"]["reasonHash"]))
        return found

    def _row(self, asset: dict[str, Any], reasons: list[str], now: int) -> DeadlineRow:
        asset_id = int(asset["asset_id"])
        objections = [
            ObjectionDue(
                int(o["objection_id"]),
                day_of(int(o["filed_at"])) if o.get("filed_at") else None,
                last_day(int(o["investigation_due"])) if o.get("investigation_due") else None,
                bool(o.get("investigation_due")) and now >= int(o["investigation_due"]),
            )
            for o in asset["objections"]
            if int(o["status"]) == 1
        ]
        later = [
            PostObjectionDue(
                int(o["objection_id"]),
                o["status_name"],
                day_of(int(o["filed_at"])),
                last_day(int(o["notification_due"])) if o["notification_due"] else None,
                day_of(int(o["notified_at"])) if o["notified_at"] else None,
                o["status"] == PostObjectionStatus.MATERIALS_COMPLETE
                and now >= int(o["notification_due"]),
            )
            for o in asset["post_objections"]
            if o["status"] != PostObjectionStatus.SETTLED
        ]
        to_tell = [
            int(o["notification_due"])
            for o in asset["post_objections"]
            if o["status"] == PostObjectionStatus.MATERIALS_COMPLETE
        ]
        status = self.service.registry.assets.status_of(asset_id)
        try:
            d = self.service.registry.assets.deadlines_of(asset_id)
        except ContractError as exc:
            logger.warning("deadlines of asset %d not counted: %s", asset_id, exc)
            return DeadlineRow(
                asset_id=asset_id,
                status=status.name.lower(),
                acceptance_due=None,
                deemed_accepted_on=None,
                accepted_on=None,
                processing_due=None,
                paused=False,
                paused_days=0,
                extension_days=0,
                extension_reasons=reasons,
                supplements_due=None,
                notice_ends=None,
                objections=objections,
                post_objections=later,
                overdue=any(o.overdue for o in objections) or any(o.overdue for o in later),
                next_due=None,
                unavailable=exc.name,
            )
        running = _running(d, status) + to_tell
        overdue = any(due <= now for due in running) or any(o.overdue for o in objections)
        upcoming = [due for due in running if due > now]
        return DeadlineRow(
            asset_id=asset_id,
            status=status.name.lower(),
            acceptance_due=last_day(d.acceptance_due) if d.acceptance_due else None,
            deemed_accepted_on=day_of(d.deemed_accepted_at) if d.deemed_accepted_at else None,
            accepted_on=day_of(d.accepted_at) if d.accepted_at else None,
            processing_due=last_day(d.processing_due) if d.processing_due else None,
            paused=d.paused,
            paused_days=d.paused_days,
            extension_days=d.extension_days,
            extension_reasons=reasons,
            supplements_due=last_day(d.supplements_due) if d.supplements_due else None,
            notice_ends=last_day(d.notice_ends_at) if d.notice_ends_at else None,
            objections=objections,
            post_objections=later,
            overdue=overdue,
            next_due=min(upcoming) if upcoming else None,
        )


def _running(d: Deadlines, status: Status) -> list[int]:
    """The deadlines the center must still meet in ``status``: acceptance before it accepted,
    the time limit while it reviews (not while the clock is paused)."""
    if status == Status.APPLIED:
        return [d.acceptance_due]
    if status in (Status.UNDER_REVIEW, Status.DEEMED_ACCEPTED) and d.processing_due:
        return [d.processing_due]
    return []
