"""The reporting outbox's delivery: records the follower wrote (``registry.index.reports``) are
sent through a ``ReportSender`` until acknowledged, each retried with its own exponential
back-off, and what is not yet acknowledged is listed for the console and the API.

A record is marked acknowledged in the index database only after its sender said so, so a
process killed between the two sends it again on its next start, under the same key (the
receiver deduplicates by it; the JSON Lines feed finds it already written). A record is sent
once its block is ``confirmations`` deep under what the index has read, as an operation is
confirmed."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

import sqlalchemy as sa

from registry.background import Repeater
from registry.index.schema import national_reports, sync
from registry.reporting.senders import Report, ReportSender

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingReport:
    """A record not yet acknowledged."""

    key: str
    kind: str
    asset_id: int | None
    certificate_number: str | None
    block_number: int
    created_at: float
    attempts: int
    next_attempt_at: float
    last_error: str | None


@dataclass(frozen=True)
class Pending:
    """The records not yet acknowledged: how many, and the oldest first, at most a page."""

    count: int
    sender: str
    items: list[PendingReport]


class ReportingOutbox:
    """Sends the stored records through ``sender`` in the background (``start``), a batch of at
    most ``batch`` at a time in chain order; a record not acknowledged waits ``retry_base``
    seconds, doubled with each failed attempt up to ``retry_cap`` (each wait drawn between its
    half and itself, so records refused together do not come back together)."""

    def __init__(
        self,
        engine: sa.Engine,
        sender: ReportSender,
        *,
        confirmations: int = 1,
        batch: int = 100,
        retry_base: float = 1.0,
        retry_cap: float = 300.0,
        interval: float = 0.2,
    ) -> None:
        self.engine = engine
        self.sender = sender
        self.confirmations = confirmations
        self.batch = batch
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        national_reports.create(engine, checkfirst=True)
        self._loop = Repeater("national-reporting", self.deliver_once, interval)

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1`` of a record that failed ``attempts`` times."""
        ceiling = min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
        return random.uniform(ceiling / 2, ceiling)

    def due(self, now: float) -> list[tuple[Report, int]]:
        """The records to send now (with their attempts so far), in chain order."""
        with self.engine.connect() as conn:
            indexed = conn.execute(sa.select(sync.c.block_number)).scalar()
            if indexed is None:
                return []
            rows = conn.execute(
                sa.select(
                    national_reports.c.key, national_reports.c.payload, national_reports.c.attempts
                )
                .where(
                    national_reports.c.acknowledged_at.is_(None),
                    national_reports.c.next_attempt_at <= now,
                    national_reports.c.block_number <= int(indexed) - self.confirmations + 1,
                )
                .order_by(national_reports.c.block_number, national_reports.c.log_index)
                .limit(self.batch)
            ).all()
        return [(Report(r.key, dict(r.payload)), int(r.attempts)) for r in rows]

    def deliver_once(self) -> bool:
        """Sends one batch of due records; whether there was any (then the next goes at once)."""
        due = self.due(time.time())
        if not due:
            return False
        outcome = self.sender.send([report for report, _ in due])
        now = time.time()
        attempts = {report.key: n for report, n in due}
        with self.engine.begin() as conn:
            if outcome.acknowledged:
                conn.execute(
                    sa.update(national_reports)
                    .where(national_reports.c.key.in_(outcome.acknowledged))
                    .values(
                        acknowledged_at=now,
                        acknowledged_by=self.sender.name,
                        attempts=national_reports.c.attempts + 1,
                        last_error=None,
                    )
                )
            for key, error in outcome.failed.items():
                tried = attempts[key] + 1
                conn.execute(
                    sa.update(national_reports)
                    .where(national_reports.c.key == key)
                    .values(
                        attempts=tried, last_error=error, next_attempt_at=now + self.backoff(tried)
                    )
                )
        if outcome.failed:
            first = next(iter(outcome.failed.items()))
            logger.info(
                "%d of %d national reports not acknowledged, retried later (first: %s: %s)",
                len(outcome.failed),
                len(due),
                *first,
            )
        return True

    def pending(self, limit: int = 100) -> Pending:
        """The records not yet acknowledged, oldest first."""
        unacknowledged = national_reports.c.acknowledged_at.is_(None)
        with self.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).where(unacknowledged)).scalar_one()
            rows = conn.execute(
                sa.select(national_reports)
                .where(unacknowledged)
                .order_by(national_reports.c.block_number, national_reports.c.log_index)
                .limit(limit)
            ).all()
        return Pending(
            int(count),
            self.sender.name,
            [
                PendingReport(
                    r.key,
                    r.kind,
                    r.asset_id,
                    r.payload.get("certificate_number"),
                    int(r.block_number),
                    float(r.created_at),
                    int(r.attempts),
                    float(r.next_attempt_at),
                    r.last_error,
                )
                for r in rows
            ],
        )

    def start(self) -> ReportingOutbox:
        self._loop.start()
        return self

    def close(self) -> None:
        self._loop.stop()
        self.sender.close()
