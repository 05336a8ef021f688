"""Everything a running registry needs, wired once: writers per staff key, the index follower
and the API context. ``registry up`` and the tests start it the same way."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from web3 import Web3

from registry.api.app import create_app
from registry.api.deps import AppContext
from registry.api.keys import ApiKeys
from registry.api.limits import Limits
from registry.api.objectors import Objectors
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.outbox import Outbox
from registry.chain.writer import ChainWriter
from registry.config import Settings
from registry.consents import ConsentRequests
from registry.content import open_store
from registry.documents import ReportArchive
from registry.evidence import EvidenceBatcher
from registry.index import Follower, Queries, open_engine
from registry.recognition import Mediator
from registry.services import RegistryService, Staff


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
            )
            if self.registry.recognition is not None and keys.mediator is not None
            else None
        )
        queries = Queries(self.engine)
        self.context = AppContext(
            RegistryService(self.registry, self.staff, self.outbox, queries.indexed_block),
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
        )

    def app(self) -> FastAPI:
        return create_app(self.context)

    def start(self, *, follow: bool = True) -> Runtime:
        """Reconciles the outbox with the chain, then keeps it reconciled in the background; and
        follows the chain into the index here, unless another process does (``follow``)."""
        for w in self.staff.all():
            w.start()
        self.evidence.start()
        if self.mediator is not None:
            self.mediator.start()
        if follow:
            self.follower.start()
        return self

    def stop(self) -> None:
        if self.mediator is not None:
            self.mediator.close()
        self.evidence.close()
        self.follower.stop()
        for w in self.staff.all():
            w.close()
        self.outbox.close()
        self.engine.dispose()
        self.content.close()
