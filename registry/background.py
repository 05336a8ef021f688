"""A daemon thread that repeats one step until stopped: the writer's reconcile and the index
follower both run on it."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Repeater:
    """Calls ``step`` again and again; waits ``interval`` when it reports no progress, and a
    little longer after an error (the node unreachable, say) before trying again."""

    def __init__(self, name: str, step: Callable[[], bool], interval: float) -> None:
        self._name = name
        self._step = step
        self._interval = interval
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
        while not self._stop.is_set():
            try:
                progressed = self._step()
            except Exception:  # a failed round is retried; the loop must outlive it
                self._stop.wait(max(1.0, self._interval * 10))
                continue
            if not progressed:
                self._stop.wait(self._interval)
