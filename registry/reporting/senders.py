"""How records reach the national registration service system, whose interface is not public:
behind one interface, ``ReportSender``, a JSON Lines feed under the data directory (the default;
whatever carries it onward reads the file) and HTTP POST to a configured endpoint."""

from __future__ import annotations

import json
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

logger = logging.getLogger(__name__)

KEY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Report:
    """One record to send: its idempotency key and its body."""

    key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What a send made of each record: acknowledged, or the reason it was not."""

    acknowledged: list[str]
    failed: dict[str, str]


class ReportSender(ABC):
    """Delivers records; a record counts as acknowledged only once the receiver has it for
    good. A record may reach the receiver more than once (an acknowledgement lost on the way):
    the receiver deduplicates by its idempotency key, which every delivery carries."""

    name: str

    @abstractmethod
    def send(self, reports: Sequence[Report]) -> Outcome:
        """Sends ``reports``; raises nothing for a record the receiver refused or never
        answered: it is in ``failed`` with the reason, and sent again later."""

    @abstractmethod
    def close(self) -> None:
        """Releases what the sender holds (connections, files)."""


_TAIL = 1 << 20  # bytes of the feed read back at start for the keys already in it


class JsonLinesSender(ReportSender):
    """Appends each record as one line of JSON (its ``key`` first) to a file, and syncs it to
    disk (``fsync``) before calling it acknowledged.

    A process killed after the sync and before its acknowledgement was committed sends the
    record again on its next start; the feed's last lines are read at start, and a key found
    there is acknowledged without writing it twice. A line torn by a kill in the middle of a
    write (no newline at the end) was never acknowledged: it is cut off at start."""

    name = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a+b")  # noqa: SIM115 (kept open for the sender's life)
        self._written = self._recent_keys()

    def _recent_keys(self) -> set[str]:
        size = self._file.seek(0, os.SEEK_END)
        start = max(0, size - _TAIL)
        self._file.seek(start)
        tail = self._file.read()
        end = tail.rfind(b"\n") + 1
        if end < len(tail):
            logger.warning(
                "the national report feed %s ends in a torn line of %d bytes (a write cut off "
                "by a crash, never acknowledged): cut off",
                self.path,
                len(tail) - end,
            )
            self._file.truncate(start + end)
            os.fsync(self._file.fileno())
        lines = tail[:end].split(b"\n")
        if start > 0:
            lines = lines[1:]  # the first may be the end of a line begun before the tail
        keys = set()
        for line in lines:
            if line:
                try:
                    keys.add(str(json.loads(line)["key"]))
                except (ValueError, KeyError) as exc:
                    logger.warning("a line of %s is not a report (%s): skipped", self.path, exc)
        return keys

    def send(self, reports: Sequence[Report]) -> Outcome:
        new = [r for r in reports if r.key not in self._written]
        if new:
            self._file.seek(0, os.SEEK_END)
            self._file.write(
                b"".join(
                    json.dumps({"key": r.key, **r.payload}, ensure_ascii=False).encode() + b"\n"
                    for r in new
                )
            )
            self._file.flush()
            os.fsync(self._file.fileno())
            self._written.update(r.key for r in new)
        return Outcome([r.key for r in reports], {})

    def close(self) -> None:
        self._file.close()


class HttpSender(ReportSender):
    """POSTs each record as JSON to ``endpoint``, its key in the ``Idempotency-Key`` header; a
    2xx answer acknowledges it. A receiver that echoes the header must echo the record's own
    key: an answer naming another (a stray acknowledgement left on a kept-alive connection) is
    not taken, and the connection is dropped. ``concurrency`` records travel at once."""

    name = "http"

    def __init__(self, endpoint: str, *, timeout: float = 5.0, concurrency: int = 4) -> None:
        self.endpoint = endpoint
        self._timeout = timeout
        self._concurrency = concurrency
        self._client = self._new_client()
        self._stray = False  # an answer for another record came: connections to be dropped
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="national-report")

    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self._timeout, limits=httpx.Limits(max_connections=self._concurrency)
        )

    def _post(self, report: Report) -> str | None:
        """None when acknowledged, else why not."""
        try:
            response = self._client.post(
                self.endpoint, json=report.payload, headers={KEY_HEADER: report.key}
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        echoed = response.headers.get(KEY_HEADER)
        if echoed is not None and echoed != report.key:
            self._stray = True
            return f"an answer for another record ({echoed})"
        if not response.is_success:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        return None

    def send(self, reports: Sequence[Report]) -> Outcome:
        results = list(self._pool.map(self._post, reports))
        if self._stray:
            logger.warning(
                "the national endpoint answered for another record than the one sent: its "
                "connections are dropped and opened again"
            )
            self._client.close()
            self._client, self._stray = self._new_client(), False
        acknowledged = [r.key for r, error in zip(reports, results, strict=True) if error is None]
        failed = {
            r.key: error for r, error in zip(reports, results, strict=True) if error is not None
        }
        return Outcome(acknowledged, failed)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()
