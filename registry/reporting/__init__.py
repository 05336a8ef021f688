"""Reporting to the national data property registration service system (guide art. 6, 10,
24, 26): the outbox of records and the senders that deliver them."""

from __future__ import annotations

from pathlib import Path

from registry.reporting.outbox import Pending, PendingReport, ReportingOutbox
from registry.reporting.senders import (
    KEY_HEADER,
    HttpSender,
    JsonLinesSender,
    Outcome,
    Report,
    ReportSender,
)


def open_sender(
    endpoint: str | None, feed: Path, *, timeout: float = 5.0, concurrency: int = 4
) -> ReportSender:
    """HTTP POST to ``endpoint`` when one is configured, else the JSON Lines feed ``feed``."""
    if endpoint:
        return HttpSender(endpoint, timeout=timeout, concurrency=concurrency)
    return JsonLinesSender(feed)


__all__ = [
    "KEY_HEADER",
    "HttpSender",
    "JsonLinesSender",
    "Outcome",
    "Pending",
    "PendingReport",
    "Report",
    "ReportSender",
    "ReportingOutbox",
    "open_sender",
]
