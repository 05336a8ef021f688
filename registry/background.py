"""A daemon thread that repeats one step until stopped: the writer's reconcile, the index
follower and the evidence batcher run on it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class _Outage:
    """The failed rounds since the last good one."""

    since: float
    rounds: int = 0
    error: tuple[str, str] | None = None  # type and message of the last one reported in full
    reported: float = 0.0


class Repeater:
    """Calls ``step`` again and again; waits ``interval`` when it reports no progress, and a
    little longer after an error (the node unreachable, say) before trying again.

    A failed round is logged without stopping the loop: the first one with its traceback, and
    again in full whenever the error changes; while the same error goes on, one short line every
    ``report_every`` seconds (a node down for an hour would otherwise write a traceback per
    second per loop); and one line when a round succeeds again."""

    def __init__(
        self,
        name: str,
        step: Callable[[], bool],
        interval: float,
        *,
        report_every: float = 60.0,
    ) -> None:
        self._name = name
        self._step = step
        self._interval = interval
        self._backoff = max(1.0, interval * 10)
        self._report_every = report_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        outage: _Outage | None = None
        while not self._stop.is_set():
            try:
                progressed = self._step()
            except Exception as exc:  # a failed round is retried; the loop must outlive it
                outage = self._failed(exc, outage)
                self._stop.wait(self._backoff)
                continue
            if outage is not None:
                logger.info(
                    "%s: working again after %d failed rounds in %.0f s",
                    self._name,
                    outage.rounds,
                    time.monotonic() - outage.since,
                )
                outage = None
            if not progressed:
                self._stop.wait(self._interval)

    def _failed(self, exc: Exception, outage: _Outage | None) -> _Outage:
        now = time.monotonic()
        if outage is None:
            outage = _Outage(since=now)
        outage.rounds += 1
        error = (type(exc).__qualname__, str(exc))
        if error != outage.error:
            logger.error(
                "%s: round failed; retrying every %.1f s", self._name, self._backoff, exc_info=exc
            )
            outage.error, outage.reported = error, now
        elif now - outage.reported >= self._report_every:
            logger.warning(
                "%s: still failing, %d rounds in %.0f s: %s: %s",
                self._name,
                outage.rounds,
                now - outage.since,
                *error,
            )
            outage.reported = now
        return outage
