"""A STAND-IN for the national data property registration service system's receiving end. Its
real interface is not public: this is not it, only a local receiver served on 127.0.0.1 that
behaves as a bad network and a busy peer do, so the HTTP sender's retries can be tested.

It takes a record as a JSON POST with its key in ``Idempotency-Key`` and answers 200 echoing
the key. On purpose, at random (seeded): it drops a request before reading it (the connection
closed, nothing kept), keeps a record and drops its acknowledgement, delays its answer (some
past the sender's timeout, kept all the same), and sends a stray second acknowledgement after
some answers, which a client reusing the connection would read as the answer to its next
record. It deduplicates by key: ``received`` keeps each key's first body, ``deliveries``
counts every delivery, and ``conflicts`` lists keys delivered again with another body."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a connection the sender dropped (its timeout) is expected here, not news


class StandInNationalReceiver:
    def __init__(
        self,
        *,
        drop_request: float = 0.15,
        drop_ack: float = 0.15,
        delay: float = 0.1,
        max_delay: float = 0.8,
        stray_ack: float = 0.02,
        seed: int = 19,
    ) -> None:
        self.drop_request = drop_request
        self.drop_ack = drop_ack
        self.delay = delay
        self.max_delay = max_delay
        self.stray_ack = stray_ack
        self.received: dict[str, dict[str, Any]] = {}
        self.deliveries: Counter[str] = Counter()
        self.conflicts: list[str] = []
        self.requests = 0
        self.dropped = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/records"

    def start(self) -> StandInNationalReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _draw(self) -> tuple[float, float, float]:
        with self._lock:
            self.requests += 1
            return self._random.random(), self._random.random(), self._random.random()

    def _keep(self, key: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.deliveries[key] += 1
            first = self.received.setdefault(key, body)
            if first != body:
                self.conflicts.append(key)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept-alive connections, as a real endpoint has

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test counts; a line per request would drown its output

            def do_POST(self) -> None:
                fate, late, stray = receiver._draw()
                if fate < receiver.drop_request:
                    with receiver._lock:
                        receiver.dropped += 1
                    self.close_connection = True
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                receiver._keep(key, body)
                if fate < receiver.drop_request + receiver.drop_ack:
                    with receiver._lock:
                        receiver.dropped += 1
                    self.close_connection = True
                    return
                if late < receiver.delay:
                    time.sleep(late / receiver.delay * receiver.max_delay)
                answer = json.dumps({"key": key}).encode()
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Idempotency-Key: {key}\r\nContent-Length: {len(answer)}\r\n\r\n"
                ).encode()
                times = 2 if stray < receiver.stray_ack else 1
                self.wfile.write((head + answer) * times)
                self.wfile.flush()

        return Handler
