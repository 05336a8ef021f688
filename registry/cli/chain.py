"""Chain commands: compile, deploy, node, up."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args

import typer
from pydantic import SecretStr

from registry.chain.node import DEV_MNEMONIC, embedded_node
from registry.chain.types import checksum
from registry.cli.app import app
from registry.config import Engine, Settings, get_settings
from registry.logs import Level

if TYPE_CHECKING:  # web3, the compiler and the server load only for the commands that use them
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    from registry.chain.blocks import BlockJournal
    from registry.chain.compiler import Artifact
    from registry.chain.deploy import Deployment
    from registry.server import StaffKeys

logger = logging.getLogger(__name__)


def _admin_key(dev_account: int | None) -> LocalAccount:
    """The admin's key: REGISTRY_ADMIN_KEY, or a public dev-chain key for local chains."""
    from eth_account import Account

    key = os.environ.get("REGISTRY_ADMIN_KEY")
    if key:
        account: LocalAccount = Account.from_key(key)
        return account
    if dev_account is None:
        raise typer.BadParameter("set REGISTRY_ADMIN_KEY, or pass --dev-account for a local chain")
    Account.enable_unaudited_hdwallet_features()
    dev: LocalAccount = Account.from_mnemonic(
        DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{dev_account}"
    )
    return dev


@app.command("compile")
def compile_(
    out: Annotated[Path | None, typer.Option(help="Artifact directory.")] = None,
) -> None:
    """Compile the contracts (py-solc-x, npm solc 0.8.28) and write ABI + bytecode artifacts."""
    from registry.chain.compiler import CompileError, compile_contracts, write_artifacts

    settings = get_settings()
    try:
        artifacts = compile_contracts(settings.project_root)
    except CompileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for path in write_artifacts(artifacts, out or settings.build_dir):
        typer.echo(path)


@app.command("deploy")
def deploy_(
    rpc_url: Annotated[str | None, typer.Option(help="JSON-RPC endpoint.")] = None,
    out: Annotated[Path | None, typer.Option(help="Deployment file to write.")] = None,
    dev_account: Annotated[
        int | None, typer.Option(help="Use dev-chain key N (local chains only).")
    ] = None,
    registrar: Annotated[list[str] | None, typer.Option(help="Address given REGISTRAR.")] = None,
    reviewer: Annotated[list[str] | None, typer.Option(help="Address given REVIEWER.")] = None,
    anchorer: Annotated[list[str] | None, typer.Option(help="Address given ANCHORER.")] = None,
    base_uri: Annotated[str | None, typer.Option(help="Base of certificate tokenURI.")] = None,
) -> None:
    """Deploy every contract to RPC_URL and write the deployment file."""
    from registry.chain.deploy import deploy, load_artifacts
    from registry.chain.rpc import connect

    settings = get_settings()
    w3 = connect(rpc_url or settings.rpc_url)
    deployment = deploy(
        w3,
        _admin_key(dev_account),
        load_artifacts(settings.build_dir),
        center=settings.registration_center,
        registrars=tuple(registrar or ()),
        reviewers=tuple(reviewer or ()),
        anchorers=tuple(anchorer or ()),
        base_uri=base_uri,
    )
    path = out or settings.deployment_file
    deployment.save(path)
    typer.echo(f"deployed on chain {deployment.chain_id} at block {deployment.block}: {path}")
    for name, address in deployment.addresses.items():
        typer.echo(f"  {name:15} {address}")


@app.command("node")
def node(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8545,
    chain_id: Annotated[int, typer.Option(help="Chain id.")] = 31337,
    state: Annotated[
        Path | None, typer.Option(help="State file (load and save; anvil only).")
    ] = None,
    engine: Annotated[
        Engine | None, typer.Option(help="The engine (default: REGISTRY_ENGINE, or edr).")
    ] = None,
) -> None:
    """Run the embedded local chain until interrupted."""
    settings = get_settings()
    engine = engine or settings.engine
    if state is not None and engine != "anvil":
        raise typer.BadParameter(f"{engine} keeps no state file", param_hint="--state")
    chain = embedded_node(
        engine,
        settings.node_modules,
        port=port,
        chain_id=chain_id,
        state_file=(state or settings.data_dir / "chain" / "state.json")
        if engine == "anvil"
        else None,
        die_with_parent=True,
    )
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    chain.start()
    kept = "saves its state" if engine == "anvil" else "ends the chain (EDR keeps nothing)"
    typer.echo(f"{engine} on {chain.url} (chain {chain_id}); Ctrl-C stops it and {kept}")
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        chain.stop()


DEV_ROLES = {"admin": 0, "registrar": 1, "reviewer": 2, "anchorer": 3}
"""Which public dev-chain key plays which role on the embedded local chain. The mediator has
none: a public key would let anyone send its relays and records (``_mediator_key``)."""
MEDIATOR_FUNDS = 10**20
"""Wei the admin gives the embedded chain's mediator key when it has none (100 ETH: relays and
records for a long development session)."""


NODE_GONE = 75
"""`registry up`'s exit code (EX_TEMPFAIL) when its chain node ended before the API served: a
broken set-up, which a new start would meet again. A node ending while the API serves is started
again by `registry up` itself, with the service: the chain comes back from what the node kept and
the block journal, and the outbox sends again what no journaled block holds."""

EMBEDDED_GAS_LIMIT = 1_000_000_000
"""The embedded chain's block gas limit: a block carries every transaction that came while the
one before was mined, and at 100,000 assets that takes seconds, so a block must hold thousands of
applications (140,000 gas each), not anvil's default 30,000,000 / 140,000 = 214."""


def _mediator_key(path: Path) -> LocalAccount:
    """This region's mediator key, kept in ``path`` (created at first start, readable by its
    owner only), so no two regions and no one else share it."""
    from eth_account import Account

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not each write a key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write("0x" + os.urandom(32).hex() + "\n")
        logger.info("mediator key created in %s", path)
    account: LocalAccount = Account.from_key(path.read_text().strip())
    return account


def _fund(w3: Web3, account: str) -> None:
    """Gives ``account`` ether from the admin's dev key when it has none (embedded chain)."""
    if w3.eth.get_balance(checksum(account)) > 0:
        return
    admin = _admin_key(DEV_ROLES["admin"])
    tx: dict[str, Any] = {
        "to": checksum(account),
        "value": MEDIATOR_FUNDS,
        "gas": 21_000,
        "nonce": w3.eth.get_transaction_count(admin.address),
        "chainId": w3.eth.chain_id,
        "gasPrice": w3.eth.gas_price,
    }
    signed = admin.sign_transaction(tx)
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))


def _dev_address(index: int) -> str:
    return _admin_key(index).address


def _deployed(w3: Web3, path: Path) -> Deployment | None:
    """The deployment in ``path`` if its contracts exist on this chain."""
    from registry.chain.deploy import Deployment

    if not path.exists():
        return None
    deployment = Deployment.load(path)
    if deployment.chain_id != w3.eth.chain_id:
        return None
    code = w3.eth.get_code(checksum(deployment.addresses["AssetRegistry"]))
    return deployment if len(code) > 0 else None


def _staff_keys(settings: Settings) -> StaffKeys:
    """The staff keys from the settings; on the embedded chain, public dev-chain keys."""
    from eth_account import Account

    from registry.server import StaffKeys

    def key(secret: SecretStr | None, role: str) -> LocalAccount:
        if secret is not None:
            account: LocalAccount = Account.from_key(secret.get_secret_value())
            return account
        return _admin_key(DEV_ROLES[role])

    mediator: LocalAccount = (
        _mediator_key(settings.data_dir / "mediator.key")
        if settings.mediator_key is None
        else Account.from_key(settings.mediator_key.get_secret_value())
    )
    return StaffKeys(
        key(settings.registrar_key, "registrar"),
        key(settings.reviewer_key, "reviewer"),
        key(settings.anchorer_key, "anchorer"),
        mediator,
    )


LogLevel = Annotated[
    Level | None,
    typer.Option(
        help="Least severe records kept in data/registry.log (default: REGISTRY_LOG_LEVEL, or "
        "info); the console shows warnings and errors.",
        show_default=False,
    ),
]


def _logging(level: Level | None) -> Settings:
    """The settings, with ``level`` if given, after logging is configured by them for this
    process and the indexer's (which reads the level from its environment)."""
    from registry.logs import configure

    settings = get_settings()
    if level is not None:
        settings = settings.model_copy(update={"log_level": level})
    configure(settings.data_dir, settings.log_level)
    return settings


@app.command()
def up(
    chain_port: Annotated[int, typer.Option(help="Port of the local chain on 127.0.0.1.")] = 8545,
    chain_id: Annotated[int, typer.Option(help="Chain id of the local chain.")] = 31337,
    regions: Annotated[
        int,
        typer.Option(
            help="Run a federation of this many regions (370200 Qingdao, 321000 Yangzhou, "
            "330700 Jinhua), each on its own chain, API ports from 8000 and chain ports from "
            "--chain-port up, with mutual-recognition agreements between them."
        ),
    ] = 1,
    log_level: LogLevel = None,
    engine: Annotated[
        Engine | None,
        typer.Option(help="The embedded chain's engine (default: REGISTRY_ENGINE, or edr)."),
    ] = None,
    region_engines: Annotated[
        str | None,
        typer.Option(
            help="With --regions: the engines of the regions in turn, comma-separated and "
            "cycled (anvil,edr: Qingdao on anvil, Yangzhou on EDR, Jinhua on anvil).",
        ),
    ] = None,
) -> None:
    """Start the embedded chain (state kept under the data directory), deploy on first start,
    follow the chain into the index, and serve the API on 127.0.0.1:8000 until Ctrl-C.
    Warnings and errors are shown here and kept, with the --log-level records, in
    data/registry.log."""
    _stop_cleanly_on_sigterm()
    settings = _logging(log_level)
    if regions > 1:
        from registry.cli.federation import run_federation

        engines = (region_engines or engine or settings.engine).split(",")
        if any(e not in get_args(Engine) for e in engines):
            raise typer.BadParameter(f"--region-engines: each of {', '.join(get_args(Engine))}")
        run_federation(settings, regions, settings.api_port, chain_port, engines)
        return
    while _up_once(settings, chain_port, chain_id, engine or settings.engine):
        typer.echo("the chain node ended: starting it again", err=True)


def _up_once(settings: Settings, chain_port: int, chain_id: int, engine: Engine) -> bool:
    """One start of `registry up`'s chain, index and API; returns True if the chain node ended
    while the API served (everything else is then stopped, so that it can be started again),
    False at a stop, and exits with ``NODE_GONE`` if the node ended before."""
    from registry.chain.blocks import BlockJournal
    from registry.chain.capabilities import capabilities
    from registry.chain.deploy import deploy, load_artifacts
    from registry.chain.rpc import connect

    chain_dir = settings.data_dir / "chain"
    chain_dir.mkdir(parents=True, exist_ok=True)
    # anvil loads its state file at start and dumps it at a clean stop (no periodic dump: it
    # rewrites the whole state); EDR keeps nothing, so the journal replays from genesis.
    state_file = chain_dir / "state.json" if engine == "anvil" else None
    # No mining of its own: the block journal mines, and a block is durable once journaled
    # (registry.chain.blocks).
    chain = embedded_node(
        engine,
        settings.node_modules,
        port=chain_port,
        chain_id=chain_id,
        state_file=state_file,
        state_interval=None,
        mining="manual",
        gas_limit=EMBEDDED_GAS_LIMIT,
        log_file=chain_dir / f"{engine}.log",
        # A kill -9 of `registry up` would otherwise leave the node holding its port.
        die_with_parent=True,
    )
    w3 = connect(chain.url)
    journal = BlockJournal(w3, chain_dir / "blocks.db", state_file=state_file)
    if state_file is None or not state_file.exists():
        chain.genesis_timestamp = journal.genesis_timestamp(settings.chain_genesis)
    gone, serving = threading.Event(), threading.Event()

    def node_gone(code: int) -> None:
        gone.set()
        if not serving.is_set():
            # The start fails on the refused connection by itself, and is not tried again.
            logger.error("the %s node ended (exit code %d) as the service started", engine, code)
            return
        # Serving on would answer every write with a refused connection until someone noticed.
        logger.error(
            "the %s node ended (exit code %d): stopping the service and starting again, from "
            "what the node kept and %s",
            engine,
            code,
            journal.path,
        )

    chain.start()
    chain.watch(node_gone)
    try:
        node = capabilities(w3)
        typer.echo(f"engine: {engine} ({node.client})")
        for lack in node.lacking():
            typer.echo(f"  lacks {lack}")
        replayed = journal.replay()
        if replayed:
            typer.echo(f"replayed {replayed} blocks from {journal.path}")
        block_ms = journal.probe_ms()
        journal.start()
        artifacts = load_artifacts(settings.build_dir)
        deployment = _deployed(w3, settings.deployment_file)
        if deployment is None:
            staff = _staff_keys(settings)
            deployment = deploy(
                w3,
                _admin_key(DEV_ROLES["admin"]),
                artifacts,
                center=settings.registration_center,
                registrars=(staff.registrar.address,),
                reviewers=(staff.reviewer.address,),
                anchorers=(staff.anchorer.address,),
                mediators=(staff.mediator.address,) if staff.mediator else (),
                base_uri=f"http://{settings.api_host}:{settings.api_port}/v1/certificates/",
            )
            deployment.save(settings.deployment_file)
            typer.echo(f"deployed: {settings.deployment_file}")
        mediator = _staff_keys(settings).mediator
        if mediator is not None:
            _fund(w3, mediator.address)
        typer.echo(f"chain {deployment.chain_id} on {chain.url}, block {w3.eth.block_number}")
        for name, address in deployment.addresses.items():
            typer.echo(f"  {name:15} {address}")
        typer.echo(_register_size(w3, deployment, artifacts, block_ms))
        _serve(settings, w3, deployment, artifacts, journal, serving, gone)
    except (Exception, SystemExit):
        if not gone.is_set():
            raise
        if not serving.is_set():
            logger.exception("the service did not start: its %s node ended", engine)
            raise SystemExit(NODE_GONE) from None
        return True  # whatever failed as it unwound, the node's end is what happened
    finally:
        journal.close()
        chain.stop()
    return gone.is_set()


def _register_size(
    w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact], block_ms: float
) -> str:
    """The register's size and what a block costs the node at that size (anvil's grows with
    its state: see docs/architecture.md, "The register at scale")."""
    from registry.chain import Registry

    assets = Registry.connect(w3, deployment, artifacts).assets.asset_count()
    return f"register: {assets:,} assets; the node mines a block in {block_ms:.0f} ms"


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM (a service manager's stop) unwinds like Ctrl-C, so the chain node and the indexer
    are stopped too. uvicorn re-raises the signal after its own shutdown, and the default action
    would end the process before any clean-up ran."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _serve(
    settings: Settings,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    journal: BlockJournal | None = None,
    serving: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serves the API until a signal or ``stop``; sets ``serving`` as it starts to."""
    import uvicorn

    from registry.server import Runtime, http_options

    # Threads waiting on the node or the disk get the GIL back within 0.5 ms instead of 5 ms:
    # a write makes several such waits in a row.
    sys.setswitchinterval(0.0005)
    runtime = Runtime(settings, w3, deployment, artifacts, _staff_keys(settings))
    if journal is not None:
        # Confirmed only in a journaled block: the node may lose the others at a kill -9.
        journal.on_durable(lambda block: setattr(runtime.outbox, "durable_head", block))
    rpc_url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    followers, ending, turn = (
        [_follower_process(settings, rpc_url)],
        threading.Event(),
        threading.Lock(),
    )

    def follow_on() -> None:
        # The index is what confirms an act: without a follower every confirmation waits.
        while True:
            code = followers[-1].wait()
            if ending.is_set():
                return
            logger.error("the index follower ended (exit code %d): starting it again", code)
            if ending.wait(1.0):  # one that ends at once is not started again in a tight loop
                return
            with turn:
                if ending.is_set():
                    return
                followers.append(_follower_process(settings, rpc_url))

    threading.Thread(target=follow_on, name="follower-watch", daemon=True).start()
    runtime.start(follow=False)
    try:
        typer.echo(f"API on http://{settings.api_host}:{settings.api_port}/ (docs at /docs)")
        # log_config=None: uvicorn's records (an exception in a request above all) go to the
        # handlers configured above instead of its own; below warning it only logs requests.
        config = uvicorn.Config(
            runtime.app(), **http_options(settings), log_level="warning", log_config=None
        )
        server = uvicorn.Server(config)
        if stop is not None:

            def stopping() -> None:
                stop.wait()
                server.should_exit = True  # as at a SIGTERM: open requests end first

            threading.Thread(target=stopping, name="api-stop", daemon=True).start()
        if serving is not None:
            serving.set()
        server.run()
    finally:
        with turn:
            ending.set()
        followers[-1].terminate()
        followers[-1].wait(10)
        runtime.stop()


def _follower_process(settings: Settings, rpc_url: str) -> subprocess.Popen[bytes]:
    """`registry index follow` in its own process: indexing then uses the other core instead of
    taking turns with the API for this interpreter's lock."""
    env = {
        **os.environ,
        "REGISTRY_RPC_URL": rpc_url,
        "REGISTRY_DATA_DIR": str(settings.data_dir),
        "REGISTRY_LOG_LEVEL": settings.log_level,
    }
    command = [
        sys.executable,
        "-m",
        "registry.cli",
        "index",
        "follow",
        "--parent",
        str(os.getpid()),
    ]
    return subprocess.Popen(command, env=env)


@app.command()
def serve(log_level: LogLevel = None) -> None:
    """Serve the API for an existing deployment (REGISTRY_RPC_URL, REGISTRY_DATA_DIR), logging
    as `registry up` does."""
    from registry.chain.deploy import load_artifacts
    from registry.chain.rpc import connect

    _stop_cleanly_on_sigterm()
    settings = _logging(log_level)
    w3 = connect(settings.rpc_url)
    deployment = _deployed(w3, settings.deployment_file)
    if deployment is None:
        typer.echo(f"no deployment on {settings.rpc_url} in {settings.deployment_file}", err=True)
        raise typer.Exit(1)
    _serve(settings, w3, deployment, load_artifacts(settings.build_dir))
