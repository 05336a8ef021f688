"""Everything a running registry needs, wired once: writers per staff key, the index follower
and the API context. ``registry up`` and the tests start it the same way."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from web3 import Web3

from registry.access import AccessLogAnchor, AccessRegister
from registry.api.app import create_app
from registry.api.deps import AppContext
from registry.api.keys import ApiKeys
from registry.api.limits import Limits
from registry.api.objectors import Objectors
from registry.certificates.integrity import CredentialKey
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.outbox import Outbox
from registry.chain.writer import ChainWriter
from registry.config import Settings
from registry.consents import ConsentRequests
from registry.content import open_store
from registry.documents import DocumentSigner, ReportArchive
from registry.evidence import EvidenceBatcher
from registry.evidence.verifier import FinalAnswers
from registry.index import Follower, Queries, open_engine
from registry.privacy import CenterKeys, MaterialStore
from registry.recognition import Mediator
from registry.regions import center_name
from registry.reporting import ReportingOutbox, open_sender
from registry.services import RegistryService, Staff
from registry.services.credentials import Credentials
from registry.services.disclosure import center_texts
from registry.services.duplicates import Duplicates

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffKeys:
    registrar: LocalAccount
    reviewer: LocalAccount
    anchorer: LocalAccount
    mediator: LocalAccount | None = None


class Runtime:
    def __init__(
        self,
        settings: Settings,
        w3: Web3,
        deployment: Deployment,
        artifacts: dict[str, Artifact],
        keys: StaffKeys,
    ) -> None:
        self.settings = settings
        self.registry = Registry.connect(w3, deployment, artifacts)
        decoder = self.registry.chain.decoder
        # One outbox for every staff key: operations are read from it, whichever key sent them.
        self.outbox = Outbox(settings.outbox_file, confirmations=settings.confirmations)

        def writer(account: LocalAccount) -> ChainWriter:
            return ChainWriter(
                w3,
                account,
                self.outbox,
                decoder,
                multicall_targets=(self.registry.assets.address, self.registry.rights.address),
            )

        self.staff = Staff(writer(keys.registrar), writer(keys.reviewer), writer(keys.anchorer))
        self.engine = open_engine(settings.database_url)
        self.follower = Follower(w3, self.engine, deployment, artifacts)
        self.keys = ApiKeys(self.engine)
        self.content = open_store(settings.ipfs_url, settings.content_dir)
        self.evidence = EvidenceBatcher(
            self.staff.anchorer, self.registry.evidence, settings.evidence_file
        )
        self.mediator = (
            Mediator(
                self.registry,
                artifacts,
                keys.mediator,
                settings.partners_file,
                settings.recognition_file,
                rpc_timeout=settings.recognition_rpc_timeout,
                queue_limit=settings.recognition_queue_limit,
            )
            if self.registry.recognition is not None and keys.mediator is not None
            else None
        )
        # Records for the national system, sent from the API's process: the follower only writes
        # them, so a follower of its own process never holds a connection to the national system.
        self.reporting = ReportingOutbox(
            self.engine,
            open_sender(
                settings.national_endpoint,
                settings.national_feed_file,
                timeout=settings.national_timeout,
                concurrency=settings.national_concurrency,
            ),
            confirmations=settings.confirmations,
            retry_base=settings.national_retry_base,
            retry_cap=settings.national_retry_cap,
        )
        self.access = AccessRegister(self.engine)
        self.access_anchor = AccessLogAnchor(self.access, self.evidence)
        queries = Queries(self.engine)
        answers = (
            FinalAnswers(settings.verify_cache, final_depth=max(1, settings.confirmations))
            if settings.verify_cache
            else None
        )
        service = RegistryService(
            self.registry, self.staff, self.outbox, queries.indexed_block, answers
        )
        self.context = AppContext(
            service,
            queries,
            self.keys,
            self.content,
            self.evidence,
            ReportArchive(settings.reports_dir),
            ConsentRequests(self.engine),
            settings.public_url,
            self.mediator,
            settings.region,
            limits=Limits.of(settings),
            objectors=Objectors(self.engine),
            duplicates=Duplicates(self.engine, queries, service),
            signer=DocumentSigner.of(settings),
            materials=MaterialStore(
                settings.materials_dir, CenterKeys.open(settings.keystore_file), self.content
            ),
            reporting=self.reporting,
            access=self.access,
            access_anchor=self.access_anchor,
            credentials=Credentials(
                CredentialKey.open(settings.credential_key_file),
                queries,
                self.registry,
                self.staff.registrar.account,
                service.chain_time,
            ),
            texts=center_texts(
                settings.center_name or center_name(settings.registration_center),
                settings.disclosure_process,
                settings.disclosure_fees,
                settings.disclosure_complaints,
                settings.report_authority,
                settings.center_credit_code,
            ),
        )

    def app(self) -> FastAPI:
        return create_app(self.context, self.settings)

    def start(self, *, follow: bool = True) -> Runtime:
        """Reconciles the outbox with the chain, then keeps it reconciled in the background; and
        follows the chain into the index here, unless another process does (``follow``)."""
        for w in self.staff.all():
            w.start()
        self.evidence.start()
        self.reporting.start()
        self.access_anchor.start()
        if self.mediator is not None:
            self.mediator.start()
        if follow:
            self.follower.start()
        return self

    def stop(self) -> None:
        if self.mediator is not None:
            self.mediator.close()
        self.evidence.close()
        self.reporting.close()
        self.access_anchor.stop()
        self.follower.stop()
        for w in self.staff.all():
            w.close()
        self.outbox.close()
        self.engine.dispose()
        self.content.close()


@dataclass(frozen=True)
class HttpLimits:
    head_seconds: float
    head_bytes: int
    body_idle_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> HttpLimits:
        return cls(
            settings.http_head_timeout, settings.http_head_limit, settings.http_body_idle_timeout
        )


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools connection with the limits uvicorn (0.54) leaves out (its issue
    #157), so that a client sending slowly or without end cannot hold connections: a request's
    line and headers must arrive within ``head_seconds`` of the connection or of the request's
    first byte, in at most ``head_bytes`` (httptools buffers a header of any length); and its body
    may pause at most ``body_idle_seconds`` while the service is reading it (not while the
    service itself holds the reading back). Past either the connection is closed. Between
    requests, uvicorn's keep-alive timeout applies.

    ASGI middleware could not do this: the app is called only once the head is complete."""

    limits: ClassVar[HttpLimits]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._reading: str | None = None  # "head", "body" or None (between requests)
        self._head_bytes = 0
        self._last_data = self.loop.time()
        self._timer: asyncio.TimerHandle | None = None
        self._read("head", self.limits.head_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._read(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._last_data = self.loop.time()
        # Bytes count towards a head once it is being read when they come (the block that
        # begins a request on a kept connection may end another: at most one block goes uncounted).
        in_head = self._reading == "head"
        super().data_received(data)
        if in_head and self._reading == "head":
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.head_bytes:
                self._close(f"a request head over {self.limits.head_bytes} bytes")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        # The first request's head is timed from the connection, later ones from their first byte.
        if self._reading != "head":
            self._read("head", self.limits.head_seconds)

    def on_headers_complete(self) -> None:
        self._read("body", self.limits.body_idle_seconds)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._read(None)
        super().on_message_complete()

    def _read(self, part: str | None, seconds: float = 0.0) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._reading, self._timer = part, None
        if part is not None:
            self._timer = self.loop.call_later(seconds, self._expired, seconds)

    def _expired(self, seconds: float) -> None:
        # A body's timer is set once, not at every read: it checks when data last came.
        idle = self.loop.time() - self._last_data
        if self._reading == "body" and (self.flow.read_paused or idle < seconds):
            wait = seconds if self.flow.read_paused else seconds - idle
            self._timer = self.loop.call_later(wait, self._expired, seconds)
            return
        self._timer = None
        self._close(f"no complete request {self._reading} within {seconds:g} s")

    def _close(self, why: str) -> None:
        logger.info("closed the connection of %s: %s", self.client, why)
        self._read(None)
        self.transport.close()


def http_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings for the service (``uvicorn.run(app, **http_options(settings))``): the
    guarded connection, and the keep-alive timeout."""
    guarded = type("GuardedHttp", (GuardedHttp,), {"limits": HttpLimits.of(settings)})
    return {
        "host": settings.api_host,
        "port": settings.api_port,
        "http": guarded,
        # No route is a WebSocket: an upgrade request is answered as plain HTTP.
        "ws": "none",
        "timeout_keep_alive": settings.http_keep_alive,
    }
