"""The embedded local chain: an anvil or a Hardhat (EDR) node from the npm packages, on
127.0.0.1 only."""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import signal
import socket
import subprocess
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, Self

import httpx

DEV_MNEMONIC = "test test test test test test test test test test test junk"
"""The public development mnemonic anvil and Hardhat fund by default; never for real value."""


def anvil_binary(node_modules: Path) -> Path:
    """The anvil executable that ``@foundry-rs/anvil`` installed for this platform.

    Not ``node_modules/.bin/anvil``: that is a Node launcher which starts the binary as a child,
    so signals sent to it (SIGKILL above all) would leave the real node running.
    """
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}[platform.system()]
    arch = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[
        platform.machine()
    ]
    path = node_modules / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / "anvil"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run ./scripts/run or ./scripts/test once")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _terminate_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` asking the kernel for SIGTERM when the parent dies. libc is loaded here,
    before the fork: the child runs only the one call (no import, no allocation by Python's
    loader) between fork and exec, which is what a preexec_fn may safely do in a process with
    threads."""
    if platform.system() != "Linux":
        raise OSError("die_with_parent needs Linux (PR_SET_PDEATHSIG)")
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return arm


class EmbeddedNode(ABC):
    """A development chain node in its own process, on 127.0.0.1 only: started, waited for until
    it answers JSON-RPC, and stopped by its own PID. Subclasses give the command line.

    ``mining``: ``auto``, a block per transaction as it comes; ``manual``, a block when
    ``evm_mine`` asks. ``gas_limit``: the block gas limit (None: the engine's default, 30,000,000
    on both). ``genesis_timestamp``: the first block's time. ``die_with_parent`` (Linux): the
    kernel sends the node SIGTERM, so it stops cleanly and frees its port, when the thread that
    started it dies, even by SIGKILL (``PR_SET_PDEATHSIG``); only for a node started from the
    main thread of a process it should not outlive (``registry up``).
    """

    engine: ClassVar[str]
    """The engine's name, as ``Settings.engine`` spells it."""
    keeps_state: ClassVar[bool]
    """Whether the node can load and dump its state (``state_file``)."""

    def __init__(
        self,
        *,
        port: int | None = None,
        chain_id: int = 31337,
        mining: Literal["auto", "manual"] = "auto",
        gas_limit: int | None = None,
        genesis_timestamp: int | None = None,
        log_file: Path | None = None,
        die_with_parent: bool = False,
    ) -> None:
        self.port = port or free_port()
        self.chain_id = chain_id
        self.mining = mining
        self.gas_limit = gas_limit
        self.genesis_timestamp = genesis_timestamp
        self.log_file = log_file
        self.die_with_parent = die_with_parent
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @abstractmethod
    def command(self) -> list[str]:
        """The node's command line; its first word is the process signals reach."""

    def environment(self) -> dict[str, str] | None:
        """The node's environment (None: this process's)."""
        return None

    def working_directory(self) -> Path | None:
        return None

    def start(self, timeout: float = 30.0) -> Self:
        if self.ready():
            # Another node on the port would answer for this one, which could not bind it.
            raise RuntimeError(f"a node already answers on {self.url}")
        self._stopping = False
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.environment(),
            cwd=self.working_directory(),
            start_new_session=True,
            preexec_fn=_terminate_with_parent() if self.die_with_parent else None,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.engine} exited with code {self.process.returncode}")
            if self.ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"{self.engine} did not answer on {self.url} within {timeout} s")

    def watch(self, on_exit: Callable[[int], None]) -> None:
        """Calls ``on_exit`` with the exit code (negative: the signal) if the started node ends
        other than by ``stop``: a supervisor then knows that its chain is gone, where every
        request would otherwise fail with a refused connection for as long as it serves.

        Requirements: the node is started.
        """
        process = self.process
        if process is None:
            raise RuntimeError(f"{self.engine} is not started")

        def waiting() -> None:
            code = process.wait()
            # Stopped, or stopped and started again (a new process) before this thread woke.
            if not self._stopping and self.process is process:
                on_exit(code)

        threading.Thread(target=waiting, name=f"{self.engine}-watch", daemon=True).start()

    def ready(self) -> bool:
        try:
            r = httpx.post(
                self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1.0
            )
            return r.status_code == 200 and "result" in r.json()
        except httpx.HTTPError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Stops the node by its PID; SIGTERM lets anvil dump its state first."""
        if self.process is None or self.process.poll() is not None:
            return
        self._stopping = True
        os.kill(self.process.pid, sig)  # the node itself, not a launcher: see command
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """Stops the node with SIGKILL: what it did not write to disk is lost."""
        self.stop(signal.SIGKILL)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class AnvilNode(EmbeddedNode):
    """anvil (Foundry) from the npm package ``@foundry-rs/anvil``.

    With ``state_file`` the chain is loaded from it at start and dumped to it at a clean exit,
    and every ``state_interval`` seconds unless that is None (the dump rewrites the whole state:
    the block journal takes its place in ``registry up``).
    """

    engine = "anvil"
    keeps_state = True

    def __init__(
        self,
        anvil: Path,
        *,
        state_file: Path | None = None,
        state_interval: int | None = 1,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.anvil = anvil
        self.state_file = state_file
        self.state_interval = state_interval

    def command(self) -> list[str]:
        cmd = [
            str(self.anvil),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--mnemonic",
            DEV_MNEMONIC,
            "--accounts",
            "10",
            "--no-request-size-limit",
        ]
        if self.genesis_timestamp is not None:
            cmd += ["--timestamp", str(self.genesis_timestamp)]
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--state", str(self.state_file)]
            if self.state_interval is not None:
                cmd += ["--state-interval", str(self.state_interval)]
        if self.mining == "manual":
            cmd.append("--no-mining")
        if self.gas_limit is not None:
            cmd += ["--gas-limit", str(self.gas_limit)]
        return cmd


class EdrNode(EmbeddedNode):
    """Hardhat's node (the EDR engine, npm ``hardhat``), run by the project's own Node.js.

    It keeps nothing on disk: a restart begins at genesis (the block journal replays what was
    confirmed). Its settings reach the ``node`` network of ``hardhat.config.js`` through the
    environment, so that file stays the one description of the network. The process started is
    Node.js running Hardhat's CLI, which runs EDR in-process: signals reach the engine itself.
    """

    engine = "edr"
    keeps_state = False

    def __init__(self, node_modules: Path, **common: Any) -> None:
        super().__init__(**common)
        self.node_modules = node_modules
        for path in (self._node(), self._cli()):
            if not path.exists():
                raise FileNotFoundError(
                    f"{path} is missing: run ./scripts/run or ./scripts/test once"
                )

    def _node(self) -> Path:
        return self.node_modules / "node" / "bin" / "node"

    def _cli(self) -> Path:
        return self.node_modules / "hardhat" / "dist" / "src" / "cli.js"

    def command(self) -> list[str]:
        config = self.node_modules.parent / "hardhat.config.js"
        return [
            str(self._node()),
            str(self._cli()),
            "--config",
            str(config),
            "node",
            "--hostname",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]

    def environment(self) -> dict[str, str]:
        settings = {
            "REGISTRY_EDR_CHAIN_ID": str(self.chain_id),
            "REGISTRY_EDR_MINING": self.mining,
            "REGISTRY_EDR_MNEMONIC": DEV_MNEMONIC,
        }
        if self.gas_limit is not None:
            settings["REGISTRY_EDR_GAS_LIMIT"] = str(self.gas_limit)
        if self.genesis_timestamp is not None:
            settings["REGISTRY_EDR_GENESIS"] = str(self.genesis_timestamp)
        return {**os.environ, **settings}

    def working_directory(self) -> Path:
        return self.node_modules.parent


def embedded_node(
    engine: str,
    node_modules: Path,
    *,
    state_file: Path | None = None,
    state_interval: int | None = 1,
    **common: Any,
) -> EmbeddedNode:
    """A node of ``engine`` (not started). ``state_file`` needs an engine that keeps its state:
    on EDR it is refused, since a test or a service relying on it would silently start afresh."""
    if engine == "anvil":
        return AnvilNode(
            anvil_binary(node_modules),
            state_file=state_file,
            state_interval=state_interval,
            **common,
        )
    if engine == "edr":
        if state_file is not None:
            raise ValueError("the EDR engine keeps no state file (it keeps nothing on disk)")
        return EdrNode(node_modules, **common)
    raise ValueError(f"unknown engine {engine!r}: anvil or edr")
