"""Development chains for the tests and the benchmarks, described once: the dev chain's
well-known keys, a fresh node of the chosen engine (``REGISTRY_ENGINE``: anvil, or Hardhat's
EDR) with the registry deployed on it, applications with their holders' signed consents, and a
private PostgreSQL server. The keys are public (anvil's and Hardhat's): never use them for value.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_account import Account
from web3 import Web3

from registry.chain import Deployment, Registry
from registry.chain.deploy import deploy
from registry.chain.node import (
    DEV_MNEMONIC,
    EmbeddedNode,
    anvil_binary,
    embedded_node,
    free_port,
)
from registry.chain.signing import application_message, fresh_nonce, message_of, sign
from registry.chain.types import (
    ALL_RIGHTS,
    Application,
    AssetKind,
    Classification,
    Consent,
    JointConsent,
    ParentRef,
    RightHolder,
    TransferShare,
)
from registry.config import PROJECT_ROOT, Settings
from registry.regions import Center, center_of_region

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from registry.chain.client import AssetRegistryClient
    from registry.chain.compiler import Artifact

logger = logging.getLogger(__name__)

DEV_REGION = 370200
"""The region of the dev chain's applications (Qingdao)."""
DEV_CENTER = center_of_region(DEV_REGION)
"""The center the dev chain's certificates are numbered as (Shandong, digit 0: ``SJ370``)."""
FAR_DEADLINE = 2**40
"""A consent deadline no test or benchmark reaches."""

Account.enable_unaudited_hdwallet_features()


def anvil() -> Path:
    """The project's anvil executable."""
    return anvil_binary(PROJECT_ROOT / "node_modules")


def engine() -> str:
    """The engine the tests' and the benches' chains run on: ``Settings.engine``, so
    ``REGISTRY_ENGINE`` (the pytest option ``--engine`` sets it, for the processes the tests
    start as well)."""
    return Settings().engine


def dev_node(*, state_file: Path | None = None, **options: Any) -> EmbeddedNode:
    """A node (not started) of :func:`engine`; ``options`` as :class:`EmbeddedNode` takes
    them. ``state_file`` (anvil only) keeps the chain across a kill, dumped every second."""
    return embedded_node(engine(), PROJECT_ROOT / "node_modules", state_file=state_file, **options)


def dev_account(index: int) -> LocalAccount:
    """The dev mnemonic's account ``index`` (BIP-44 path m/44'/60'/0'/0/index)."""
    account: LocalAccount = Account.from_mnemonic(
        DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}"
    )
    return account


def digest(text: str) -> bytes:
    """A 32-byte stand-in hash of ``text`` (its SHA-256)."""
    return hashlib.sha256(text.encode()).digest()


def application(
    holder: str,
    manifest: str = "manifest",
    *,
    kind: AssetKind = AssetKind.RESOURCE,
    classification: Classification = Classification.GENERAL,
    region: int = DEV_REGION,
    parents: tuple[ParentRef, ...] = (),
    co_holders: tuple[RightHolder, ...] = (),
) -> Application:
    """An application of ``holder`` (all three rights, an identity commitment standing in for
    its name and code) for the manifest named ``manifest`` (its hash and CID digest stand-ins
    derived from the name, so each name is its own asset), jointly with ``co_holders``."""
    return Application(
        holders=(RightHolder(holder, identity_hash=digest("identity:" + holder)), *co_holders),
        region=region,
        classification=classification,
        kind=kind,
        manifest_hash=digest(manifest),
        manifest_cid=digest("cid:" + manifest),
        parents=parents,
    )


def signed_application(
    assets: AssetRegistryClient,
    signer: LocalAccount,
    app: Application,
    nonce: int | None = None,
    deadline: int = FAR_DEADLINE,
) -> Consent:
    """The holder's EIP-712 consent to ``app`` on ``assets``, for a registrar to relay, signed
    by ``signer`` (the holder's key, or its contract wallet's owner): under ``nonce``, or a fresh
    random-keyed one that waits for no other consent."""
    message = application_message(app, fresh_nonce() if nonce is None else nonce)
    return sign(signer, assets.domain(), "Application", message, deadline)


def joint_consent(
    assets: AssetRegistryClient,
    signers: Sequence[LocalAccount | None],
    app: Application,
    nonce: int | None = None,
    deadline: int = FAR_DEADLINE,
) -> JointConsent:
    """Every right-holder's consent to the joint application ``app``, each signed by its key in
    ``signers`` (in the holders' order; None: that right-holder sends it itself) under one
    nonce of the holder's (a fresh random-keyed one by default) and ``deadline``."""
    nonce = fresh_nonce() if nonce is None else nonce
    message = application_message(app, nonce)
    return JointConsent(
        deadline,
        nonce,
        tuple(
            b""
            if s is None
            else sign(s, assets.domain(), "Application", message, deadline).signature
            for s in signers
        ),
    )


def joint_act_consent(
    assets: AssetRegistryClient,
    primary: str,
    args: tuple[object, ...],
    signers: Sequence[LocalAccount | None],
    co_holders: Sequence[str] = (),
    nonce: int | None = None,
    deadline: int = FAR_DEADLINE,
) -> JointConsent:
    """Every party's consent to the act ``primary`` with the call's ``args`` (its EIP-712
    fields, in order), each signed by its key in ``signers`` (None: that party sends it itself)
    under one nonce of the first signer's: for an act on an asset the holder and then its
    ``co_holders`` (ascending), for a transfer each share's transferor then transferee."""
    nonce = fresh_nonce() if nonce is None else nonce
    message = {**message_of(primary, args), "nonce": nonce}
    return JointConsent(
        deadline,
        nonce,
        tuple(
            b"" if s is None else sign(s, assets.domain(), primary, message, deadline).signature
            for s in signers
        ),
        tuple(co_holders),
    )


def transfer_consent(
    assets: AssetRegistryClient,
    asset_id: int,
    shares: Sequence[TransferShare],
    agreement_hash: bytes,
    signers: Sequence[LocalAccount | None],
    nonce: int | None = None,
) -> JointConsent:
    """Every transferor's and transferee's consent to a transfer (each share's transferor
    then its transferee, in ``signers``)."""
    args = (asset_id, [s.to_abi() for s in shares], agreement_hash)
    return joint_act_consent(assets, "Transfer", args, signers, nonce=nonce)


def transfer_whole(
    assets: AssetRegistryClient,
    registrar: LocalAccount,
    asset_id: int,
    holder: LocalAccount,
    transferee: LocalAccount,
) -> int:
    """The sole holder's transfer of all its rights to ``transferee``, both consenting, applied
    for and registered; returns the transferee's transfer certificate."""
    identity = digest("id:" + transferee.address)
    shares = [TransferShare(holder.address, transferee.address, ALL_RIGHTS, identity)]
    consent = transfer_consent(assets, asset_id, shares, digest("deal"), (holder, transferee))
    transfer_id = assets.apply_transfer(registrar, asset_id, shares, digest("deal"), consent)
    receipt = assets.register_transfer(registrar, transfer_id)
    return int(assets.events(receipt, "RightsTransferred")[0]["args"]["certificateId"])


@dataclass(frozen=True)
class DevChain:
    """A running node with the registry deployed on it."""

    node: EmbeddedNode
    w3: Web3
    deployment: Deployment
    registry: Registry


@contextmanager
def fresh_chain(
    artifacts: dict[str, Artifact],
    *,
    admin: LocalAccount | None = None,
    registrars: tuple[str, ...] = (),
    reviewers: tuple[str, ...] = (),
    anchorers: tuple[str, ...] = (),
    base_uri: str | None = None,
    center: Center = DEV_CENTER,
    genesis_timestamp: int | None = None,
    log_file: Path | None = None,
    state_file: Path | None = None,
) -> Iterator[DevChain]:
    """A new node of :func:`engine` (stopped on exit) with the registry deployed by ``admin``
    (dev account 0), the staff roles granted to the given addresses. With ``state_file`` (anvil)
    the node dumps its state there every second, so a test can kill it and start it again on
    the same chain."""
    deployer = admin or dev_account(0)
    node = dev_node(genesis_timestamp=genesis_timestamp, log_file=log_file, state_file=state_file)
    with node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        deployment = deploy(
            w3,
            deployer,
            artifacts,
            center=center,
            registrars=registrars,
            reviewers=reviewers,
            anchorers=anchorers,
            base_uri=base_uri,
        )
        logger.info("registry deployed on a fresh chain at %s", node.url)
        yield DevChain(node, w3, deployment, Registry.connect(w3, deployment, artifacts))


class Postgres:
    """A private PostgreSQL server on 127.0.0.1 in ``root``, from Debian's postgresql package
    (the tests' and the benchmarks' second database)."""

    def __init__(self, root: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("PostgreSQL server binaries are missing: run ./scripts/test")
        self.bin = Path(found[-1]).parent
        self.root = root
        self.data = root / "db"
        self.port = free_port()
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://registry@127.0.0.1:{self.port}/postgres"

    def start(self) -> Postgres:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        # C.UTF-8: pg_trgm makes trigrams of letters only, and the C locale's are ASCII's, so it
        # would find no Chinese name (registry.index.schema's name search).
        self._run(
            "initdb",
            *("-D", str(self.data), "-A", "trust", "-U", "registry"),
            *("-E", "UTF8", "--locale", "C.UTF-8"),
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -h 127.0.0.1 -k {self.root}",
            "start",
        )
        return self

    def stop(self) -> None:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 15)  # SIGTERM: smart shutdown of the postmaster we started
        for _ in range(100):
            if not pid_file.exists():
                return
            time.sleep(0.1)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.user, str(self.bin / tool), *args], check=True, capture_output=True, timeout=60
        )


@contextmanager
def private_postgres() -> Iterator[str]:
    """A private PostgreSQL server's URL, the server stopped and its files removed on exit."""
    import tempfile

    # Not under a test's tmp directory: the postgres user must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="registry-pg-"))
    server = Postgres(root).start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
