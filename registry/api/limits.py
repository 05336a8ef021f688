"""Per-client limits: how often one client address may do a thing within a sliding window
(public objections, wrong API keys); and limits of all clients together: recognition answers
in flight, and the upload slots with their turns and pace floor. The figures are settings
(``registry.config``) and are listed, with why, in docs/security.md.

The limiter is these few lines rather than a library: pyrate-limiter, the one in the lock (a
dependency of schemathesis, not of the service), routes each client to a bucket through a
factory of our own and leaks buckets from a thread of its own, for what a dictionary of
timestamps under a lock does here."""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

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


class Pace:
    """The floor under one upload's speed: at least ``min_rate`` bytes a second over each
    ``window`` seconds of holding a slot, or the upload is cut off (408)."""

    def __init__(self, min_rate: int, window: float, clock: Callable[[], float]) -> None:
        self._min_rate = min_rate
        self._window = window
        self._clock = clock
        self.restart()

    def restart(self) -> None:
        """Starts a new window (after waiting for a turn: that time is the service's)."""
        self._since = self._clock()
        self._bytes = 0

    def arrived(self, size: int) -> None:
        """Counts ``size`` bytes just read; raises the 408 problem if the window that ends now
        brought fewer than the floor."""
        self._bytes += size
        now = self._clock()
        elapsed = now - self._since
        if elapsed < self._window:
            return
        if self._bytes < self._min_rate * elapsed:
            rate = self._bytes / elapsed
            logger.warning(
                "an upload came at %.0f B/s, under the floor of %d", rate, self._min_rate
            )
            raise ProblemError(
                408,
                "upload-too-slow",
                "The upload came too slowly",
                f"file: {rate:,.0f} bytes a second over {elapsed:.0f} s; an upload holding one "
                f"of the service's upload slots must send at least {self._min_rate:,} a second",
                invalid_params=[{"name": "file", "reason": "sent too slowly"}],
            )
        self.restart()


@dataclass
class _Queue:
    slots: asyncio.Semaphore
    waiting: int = 0

    async def take(self) -> None:
        self.waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self.waiting -= 1


class Turn:
    """One upload's hold on a slot: it reads while it holds it, and gives it to the next
    waiting upload after each ``turn`` seconds of holding it (then waits behind the others),
    so that uploads share the slots in turns and a large one delays no small one for long."""

    def __init__(self, queue: _Queue, turn: float, pace: Pace, clock: Callable[[], float]) -> None:
        self._queue = queue
        self._turn = turn
        self._clock = clock
        self._since = clock()
        self.pace = pace

    async def arrived(self, size: int) -> None:
        """Counts ``size`` bytes just read (:class:`Pace`), and yields the slot if the turn is
        over and another upload waits."""
        self.pace.arrived(size)
        if self._queue.waiting and self._clock() - self._since >= self._turn:
            self._queue.slots.release()
            await self._queue.take()
            self._since = self._clock()
            self.pace.restart()


@dataclass
class UploadSlots:
    """At most ``slots`` uploads read and hashed at once, all clients together, each for
    ``turn`` seconds at a time; the others wait their turn (first come, first served), at most
    ``waiting`` of them, each at most ``wait_timeout`` seconds for its first turn, then refused
    (503). A waiting upload costs no memory: uvicorn reads no more than 64 KiB of a body ahead
    of the route, so TCP holds the client back.

    Why: parsing and hashing an upload is the event loop's own work (about 44 us per 64 KiB),
    and the loop is one thread, so more uploads at once add no speed, only a longer turn of
    the loop for every other request. With 20 clients uploading 100 MB at once, `GET /healthz`
    waited 239 ms at p99; with one slot 46 ms, the uploads 6% faster (docs/security.md). A
    holder of a slot must keep up ``min_rate`` (:class:`Pace`), so a trickle keeps no slot."""

    slots: int
    waiting: int
    wait_timeout: float
    min_rate: int
    rate_window: float
    turn: float = 0.5
    clock: Callable[[], float] = time.monotonic
    # An asyncio semaphore belongs to one event loop; tests serve one app from several.
    _queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )

    def _busy(self, why: str, retry_after: int) -> ProblemError:
        logger.warning("upload refused: %s", why)
        return ProblemError(
            503,
            "busy",
            "Too many uploads at once",
            f"uploads: {why}; try again",
            retry_after=retry_after,
        )

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Turn]:
        """Waits for a slot and holds it, in turns, for the ``async with`` block, which tells
        the :class:`Turn` it is given of what it reads. Raises the 503 problem when ``waiting``
        uploads already wait or no slot came within ``wait_timeout``."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue(asyncio.Semaphore(self.slots))
        if queue.slots.locked() and queue.waiting >= self.waiting:
            raise self._busy(f"{self.slots} hashed at once and {self.waiting} waiting", 1)
        try:
            async with asyncio.timeout(self.wait_timeout):
                await queue.take()
        except TimeoutError:
            raise self._busy(
                f"no slot came within {self.wait_timeout:g} s", math.ceil(self.wait_timeout)
            ) from None
        try:
            yield Turn(
                queue, self.turn, Pace(self.min_rate, self.rate_window, self.clock), self.clock
            )
        finally:
            queue.slots.release()


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
    uploads: UploadSlots
    """Uploads hashed at once (verification, evidence, report checks)."""

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
            UploadSlots(
                settings.upload_slots,
                settings.upload_waiting_limit,
                settings.upload_wait_timeout,
                settings.upload_min_rate,
                settings.upload_rate_window,
                settings.upload_turn,
            ),
        )


def client_of(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, uvicorn's
    ``--forwarded-allow-ips`` makes it the forwarded one)."""
    return request.client.host if request.client is not None else "unknown"
