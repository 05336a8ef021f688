"""Per-client limits: how often one client address may do a thing within a sliding window
(public objections, wrong API keys). The figures are settings (``registry.config``) and are
listed, with why, in docs/security.md.

The limiter is these few lines rather than a library: pyrate-limiter, the one in the lock (a
dependency of schemathesis, not of the service), routes each client to a bucket through a
factory of our own and leaks buckets from a thread of its own, for what a dictionary of
timestamps under a lock does here."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from registry.api.problems import ProblemError
from registry.config import Settings

logger = logging.getLogger(__name__)

CLIENTS = 100_000
"""Clients remembered per limit; past that the longest idle is forgotten (bounded memory)."""


class ClientLimit:
    """At most ``count`` events per client in any ``window`` seconds (a sliding log)."""

    def __init__(
        self,
        name: str,
        count: int,
        window: float,
        *,
        clients: int = CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.count = count
        self.window = window
        self._clients = clients
        self._clock = clock
        self._lock = threading.Lock()
        # Most recently active client last; each keeps its last ``count`` event times.
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def _wait(self, client: str, now: float) -> float:
        times = self._times.get(client)
        if times is None or len(times) < self.count:
            return 0.0
        return max(0.0, times[0] + self.window - now)

    def _record(self, client: str, now: float) -> None:
        times = self._times.pop(client, None) or deque(maxlen=self.count)
        times.append(now)
        self._times[client] = times
        while len(self._times) > self._clients:
            self._times.popitem(last=False)

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may act again (0: now)."""
        with self._lock:
            return self._wait(client, self._clock())

    def record(self, client: str) -> None:
        """Counts one event of ``client``."""
        with self._lock:
            self._record(client, self._clock())

    def take(self, client: str) -> float:
        """Counts one event of ``client`` if the limit allows it (0), else the seconds to wait
        (nothing counted)."""
        with self._lock:
            now = self._clock()
            wait = self._wait(client, now)
            if wait == 0.0:
                self._record(client, now)
            return wait

    def refuse(self, client: str, wait: float) -> ProblemError:
        """The 429 problem for ``client``, to wait ``wait`` seconds; logged, since a client at
        its limit is either misconfigured or probing."""
        seconds = max(1, math.ceil(wait))
        logger.warning("%s: client %s over %d per %gs", self.name, client, self.count, self.window)
        return ProblemError(
            429,
            "rate-limited",
            "Too many requests from this address",
            f"{self.name}: at most {self.count} per {self.window:g} s; try again in {seconds} s",
            retry_after=seconds,
        )

    def check(self, client: str) -> None:
        """Raises the 429 problem while ``client`` is at its limit."""
        wait = self.retry_after(client)
        if wait > 0:
            raise self.refuse(client, wait)


class Inflight:
    """At most ``limit`` units of work at once, all clients together: what is over it is
    refused at once, never queued (a queue is what a flood fills)."""

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit
        self._lock = threading.Lock()
        self._held = 0

    def acquire(self, units: int) -> None:
        """Takes ``units`` or raises the 503 problem (nothing taken)."""
        with self._lock:
            if self._held + units > self.limit:
                held = self._held
            else:
                self._held += units
                return
        logger.warning("%s: %d in progress, %d more refused", self.name, held, units)
        raise ProblemError(
            503,
            "busy",
            "Too much asked at once",
            f"{self.name}: at most {self.limit} at once, all clients together; try again",
            retry_after=1,
        )

    def release(self, units: int) -> None:
        with self._lock:
            self._held -= units


@dataclass(frozen=True)
class Limits:
    """The service's per-client limits."""

    objections: ClientLimit
    """Objections filed without an API key (the public notice's form, the API)."""
    failed_auth: ClientLimit
    """Wrong or revoked API keys, at the console's sign-in and on the API: over it, every key
    from that address is refused until the window has passed."""
    recognitions: ClientLimit
    """Recognition batches and rechecks (public, no key)."""
    recognition_inflight: Inflight
    """Certificate numbers the recognition batch answers at once, all clients together."""

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            ClientLimit("public objections", settings.objection_limit, settings.objection_window),
            ClientLimit(
                "failed authentications", settings.failed_auth_limit, settings.failed_auth_window
            ),
            ClientLimit(
                "recognition requests",
                settings.recognition_client_limit,
                settings.recognition_client_window,
            ),
            Inflight("recognition answers", settings.recognition_inflight_limit),
        )


def client_of(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, uvicorn's
    ``--forwarded-allow-ips`` makes it the forwarded one)."""
    return request.client.host if request.client is not None else "unknown"
