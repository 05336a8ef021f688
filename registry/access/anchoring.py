"""The access log's head anchored as evidence once a Beijing day, through the evidence batcher
(a Merkle batch root on chain; the head's receipt at ``/v1/evidence/{head}``)."""

from __future__ import annotations

import logging
import time

from registry.access.store import AccessRegister
from registry.background import Repeater
from registry.evidence import EvidenceBatcher

logger = logging.getLogger(__name__)

SUBMITTER = "access-log"


class AccessLogAnchor:
    """Checks every ``interval`` seconds whether today's head is due, and hands it over."""

    def __init__(
        self, register: AccessRegister, evidence: EvidenceBatcher, interval: float = 60.0
    ) -> None:
        self.register = register
        self.evidence = evidence
        self._loop = Repeater("access-log-anchor", self.anchor_once, interval)

    def anchor_once(self, now: float | None = None) -> bool:
        """Hands today's head to the evidence batcher if due; whether it did."""
        moment = time.time() if now is None else now
        due = self.register.due_head(moment)
        if due is None:
            return False
        day, seq, head = due
        self.evidence.add(bytes.fromhex(head[2:]), SUBMITTER)
        self.register.anchored(day, seq, head, moment)
        logger.info("access log head %s (entry %d) handed over as evidence for %s", head, seq, day)
        return True

    def start(self) -> AccessLogAnchor:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()
