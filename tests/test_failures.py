"""Failures you can see: a background loop logs what went wrong and goes on; a node that stops
answering during a rewind leaves the index as it was; `registry up` keeps its failures, with
their tracebacks, in data/registry.log."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from web3 import Web3
from web3.types import RPCEndpoint

from registry.background import Repeater
from registry.chain.compiler import Artifact
from registry.chain.node import EmbeddedNode, free_port
from registry.chain.rpc import LeanHTTPProvider
from registry.chain.types import Status
from registry.devtools import DevChain, engine, fresh_chain
from registry.index import open_engine
from registry.index.follower import Follower
from registry.index.schema import PROJECTIONS, assets, blocks, certificates, events, sync
from tests.conftest import SESSION_GENESIS, Accounts, Flow, h

pytestmark = pytest.mark.chain  # starts chain nodes of its own

# ---------------------------------------------------------------------- the loop


def failing(errors: list[Exception]) -> tuple[Callable[[], bool], threading.Event]:
    """A step that raises ``errors`` one per round, then succeeds (setting the event)."""
    recovered = threading.Event()

    def step() -> bool:
        if errors:
            raise errors.pop(0)
        recovered.set()
        return False

    return step, recovered


def loop_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """This test's loop's records (another test's loop may still be running)."""
    return [
        r for r in caplog.records if r.name == "registry.background" and r.threadName == "test-loop"
    ]


def test_a_repeated_failure_is_logged_with_its_traceback_once_and_its_end_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "registry.background")
    step, recovered = failing([ConnectionError("node down") for _ in range(3)])
    loop = Repeater("test-loop", step, 0.01)
    loop.start()
    try:
        assert recovered.wait(10)
    finally:
        loop.stop()
    first, back = loop_records(caplog)
    assert first.levelno == logging.ERROR
    assert first.getMessage() == "test-loop: round failed; retrying every 1.0 s"
    assert first.exc_info is not None
    assert str(first.exc_info[1]) == "node down"
    assert back.levelno == logging.INFO
    assert back.getMessage().startswith("test-loop: working again after 3 failed rounds in ")


def test_a_changed_failure_is_logged_in_full_again_and_a_lasting_one_briefly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "registry.background")
    errors: list[Exception] = [ConnectionError("node down"), ConnectionError("node down")]
    step, recovered = failing([*errors, ValueError("bad answer")])
    loop = Repeater("test-loop", step, 0.01, report_every=0.5)  # rounds are 1 s apart
    loop.start()
    try:
        assert recovered.wait(10)
    finally:
        loop.stop()
    records = loop_records(caplog)
    assert [(r.levelno, r.exc_info is not None) for r in records] == [
        (logging.ERROR, True),
        (logging.WARNING, False),
        (logging.ERROR, True),
        (logging.INFO, False),
    ]
    assert records[1].getMessage().startswith("test-loop: still failing, 2 rounds in ")
    assert records[1].getMessage().endswith(": ConnectionError: node down")
    assert records[2].exc_info is not None
    assert str(records[2].exc_info[1]) == "bad answer"


# ---------------------------------------------------------------------- the rewind


class Stoppable(LeanHTTPProvider):
    """The service's own provider, which sends the node ``stop`` just before its n-th batch
    request: SIGSTOP, and from then on every request times out, as with a node that hangs;
    SIGKILL, and every request is refused."""

    def __init__(self, node: EmbeddedNode, stop: signal.Signals = signal.SIGSTOP) -> None:
        super().__init__(node.url, timeout=1)
        self.node = node
        self.stop = stop
        self.batches = 0
        self.stop_at: int | None = None

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> Any:
        self.batches += 1
        if self.batches == self.stop_at:
            assert self.node.process is not None
            os.kill(self.node.process.pid, self.stop)
            if self.stop == signal.SIGKILL:
                self.node.process.wait()
        return super().make_batch_request(requests)


@pytest.fixture
def own_chain(accounts: Accounts, artifacts: dict[str, Artifact]) -> Iterator[DevChain]:
    """A chain of its own: this test freezes its node."""
    with fresh_chain(
        artifacts, admin=accounts.admin, **accounts.staff(), genesis_timestamp=SESSION_GENESIS
    ) as chain:
        try:
            yield chain
        finally:
            # A frozen node ignores the SIGTERM that stops it: let it run again first.
            process = chain.node.process
            if process is not None and process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)


def index_rows(engine: sa.Engine) -> dict[str, list[Any]]:
    """Every row of the index: events, blocks, cursor and projections."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            for table in (events, blocks, sync, *PROJECTIONS)
        }


@dataclass
class Rewind:
    """A follower that indexed a chain, the chain rolled back under it, and the node stopped
    in the middle of the follower's rewind."""

    follower: Follower
    engine: sa.Engine
    before: dict[str, list[Any]]
    kept: int
    lost: int
    other: int
    ancestor: int
    """The last block the rolled-back chain shares with the indexed one."""

    def assert_nothing_kept_was_lost(self) -> None:
        """The index holds everything up to the common ancestor as it was, and its cursor has
        not walked back past it: the rewind stopped on the RPC error, or had finished before the
        node stopped, but never took "no answer" for "block missing"."""
        now = index_rows(self.engine)
        for table, column in (("events", 1), ("blocks", 0)):
            kept = [r for r in self.before[table] if r[column] <= self.ancestor]
            assert [r for r in now[table] if r[column] <= self.ancestor] == kept, table
        (cursor,) = now["sync"]
        assert cursor.block_number >= self.ancestor
        assert [a for a in now["assets"] if a.asset_id == self.kept] == [
            a for a in self.before["assets"] if a.asset_id == self.kept
        ]


def rewind_until_the_node_stops(
    chain: DevChain,
    tmp_path: Path,
    accounts: Accounts,
    artifacts: dict[str, Artifact],
    stop: signal.Signals,
) -> Rewind:
    w3 = chain.w3
    flow = Flow(chain.registry, accounts, w3)
    kept = flow.applied("kept")
    snapshot_block = w3.eth.block_number
    snapshot = w3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]
    lost = flow.issued("lost")
    provider = Stoppable(chain.node, stop)
    engine = open_engine(f"sqlite:///{tmp_path / 'index.db'}")
    follower = Follower(Web3(provider), engine, chain.deployment, artifacts, chunk=2)
    follower.sync()
    before = index_rows(engine)
    # The rewind will need more than one round trip to settle.
    assert len([b for b in before["blocks"] if b.number > snapshot_block]) >= 3

    w3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot])
    other = flow.applied("after the rollback")
    for _ in range(3):
        w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    # Round trip 1 finds the cursor's block gone, 2 finds the newest stored block gone too; the
    # node stops before 3 answers whether the next two are still there.
    provider.stop_at = provider.batches + 3
    return Rewind(follower, engine, before, kept, lost, other, snapshot_block)


def test_node_hanging_during_a_rewind_leaves_the_index_intact_and_it_resumes(
    own_chain: DevChain, tmp_path: Path, accounts: Accounts, artifacts: dict[str, Artifact]
) -> None:
    w3, node = own_chain.w3, own_chain.node
    rewind = rewind_until_the_node_stops(own_chain, tmp_path, accounts, artifacts, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(ConnectionError, match="timed out"):
        rewind.follower.sync_once()
    assert time.monotonic() - started < 10
    rewind.assert_nothing_kept_was_lost()

    assert node.process is not None
    os.kill(node.process.pid, signal.SIGCONT)
    rewind.follower.sync()
    with rewind.engine.connect() as conn:
        rows = {r.asset_id: r for r in conn.execute(sa.select(assets)).all()}
        assert conn.execute(sa.select(sa.func.count()).select_from(certificates)).scalar() == 0
        cursor = conn.execute(sa.select(sync)).one()
    assert rewind.lost == rewind.other  # the id was reused by the chain after the rollback
    assert set(rows) == {rewind.kept, rewind.other}
    assert rows[rewind.kept].status == rows[rewind.other].status == Status.APPLIED
    assert rows[rewind.other].manifest_hash == "0x" + h("after the rollback").hex()
    assert cursor.block_number == w3.eth.block_number
    assert cursor.block_hash == "0x" + w3.eth.get_block(cursor.block_number)["hash"].hex()
    rewind.engine.dispose()


def test_node_killed_during_a_rewind_leaves_the_index_intact(
    own_chain: DevChain, tmp_path: Path, accounts: Accounts, artifacts: dict[str, Artifact]
) -> None:
    """kill -9 of the node: every request is refused, and no round of the follower, however
    many, walks the index back or rebuilds it."""
    rewind = rewind_until_the_node_stops(own_chain, tmp_path, accounts, artifacts, signal.SIGKILL)
    for _ in range(3):
        with pytest.raises(ConnectionError):
            rewind.follower.sync_once()
        rewind.assert_nothing_kept_was_lost()
    rewind.engine.dispose()


# ---------------------------------------------------------------------- registry up


def children(pid: int) -> list[int]:
    """``pid``'s children, whichever of its threads started them (each task lists its own)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that ended as it was listed
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines()


def wait_for(log: Path, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        content = log.read_text(encoding="utf-8") if log.exists() else ""
        if text in content:
            return content
        assert time.monotonic() < deadline, f"{text!r} not in {log}:\n{content}"
        time.sleep(0.2)


def test_kill_9_of_registry_up_stops_its_node_and_follower_and_frees_the_port(
    tmp_path: Path,
) -> None:
    api_port, chain_port = free_port(), free_port()
    env = {**os.environ, "REGISTRY_DATA_DIR": str(tmp_path), "REGISTRY_API_PORT": str(api_port)}
    up = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "up", "--chain-port", str(chain_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert up.poll() is None
            try:
                if httpx.get(f"http://127.0.0.1:{api_port}/healthz", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.2)
        kids = children(up.pid)
        names = {Path(f"/proc/{pid}/exe").resolve().name for pid in kids}
        assert names & {"anvil", "node"}, names  # anvil, or Node.js running EDR
        os.kill(up.pid, signal.SIGKILL)
        up.wait(10)
        deadline = time.monotonic() + 15
        while alive := [pid for pid in kids if Path(f"/proc/{pid}").exists() and not _zombie(pid)]:
            assert time.monotonic() < deadline, f"still running: {alive}"
            time.sleep(0.1)
        with socket.socket() as s:
            # Free for a new node: no listener holds it. SO_REUSEADDR, as anvil binds, because
            # the old node's closed connections may still be in TIME_WAIT on it.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", chain_port))
        # anvil dumped its state as it stopped (SIGTERM from the kernel); EDR keeps none.
        if engine() == "anvil":
            assert (tmp_path / "chain" / "state.json").stat().st_size > 0
    finally:
        if up.poll() is None:
            os.kill(up.pid, signal.SIGKILL)
            up.wait()


def _zombie(pid: int) -> bool:
    """An exited child not yet reaped (its parent is gone: init reaps it soon)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _block_number(chain_port: int) -> int:
    answer = httpx.post(
        f"http://127.0.0.1:{chain_port}",
        json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
        timeout=5,
    )
    return int(answer.json()["result"], 16)


def _wait_healthy(up: subprocess.Popen[bytes], api_port: int, stderr: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert up.poll() is None, stderr.read_text(encoding="utf-8")
        try:
            if httpx.get(f"http://127.0.0.1:{api_port}/healthz", timeout=1).is_success:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, stderr.read_text(encoding="utf-8")
        time.sleep(0.2)


def _node_of(up: subprocess.Popen[bytes]) -> int:
    (node,) = [
        pid
        for pid in children(up.pid)
        if Path(f"/proc/{pid}/exe").resolve().name in {"anvil", "node"} and not _zombie(pid)
    ]
    return node


def _follower_of(up: subprocess.Popen[bytes], *, wait: bool = True) -> int | None:
    """The PID of `registry up`'s `registry index follow` child (None if it has none now)."""
    for pid in children(up.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"follow" in command and not _zombie(pid):
            return pid
    assert not wait, "registry up has no follower"
    return None


def test_registry_up_starts_a_node_or_follower_killed_under_it_again(
    tmp_path: Path,
) -> None:
    """Serving on without its node, `registry up` answered every write with a refused
    connection until someone started the node by hand; now it logs the loss, stops its service
    and starts node and service again, the chain coming back from the journal (anvil dumps its
    state only at a clean stop, EDR keeps none)."""
    api_port, chain_port = free_port(), free_port()
    data = tmp_path / "data"
    env = {**os.environ, "REGISTRY_DATA_DIR": str(data), "REGISTRY_API_PORT": str(api_port)}
    console, stderr = tmp_path / "console.log", tmp_path / "stderr.log"
    with console.open("ab") as out, stderr.open("ab") as err:
        up = subprocess.Popen(
            [sys.executable, "-m", "registry.cli", "up", "--chain-port", str(chain_port)],
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        _wait_healthy(up, api_port, stderr)
        before, deployment = _block_number(chain_port), (data / "deployment.json").read_text()
        node = _node_of(up)
        os.kill(node, signal.SIGKILL)

        wait_for(stderr, "the chain node ended: starting it again", timeout=60)
        _wait_healthy(up, api_port, stderr)
        assert _node_of(up) != node
        assert _block_number(chain_port) >= before
        assert (data / "deployment.json").read_text() == deployment
        shown = console.read_text(encoding="utf-8")
        assert shown.count("deployed: ") == 1, shown  # the contracts came back, not again
        logged = (data / "registry.log").read_text(encoding="utf-8")
        assert "node ended (exit code -9): stopping the service and starting again" in logged

        # The index follower too: it is what confirms an act.
        follower = _follower_of(up)
        os.kill(follower, signal.SIGKILL)
        wait_for(data / "registry.log", "the index follower ended (exit code -9): starting it")
        deadline = time.monotonic() + 30
        while _follower_of(up, wait=False) in (None, follower):
            assert time.monotonic() < deadline, "no new follower"
            time.sleep(0.2)
        while True:  # the new follower indexes on
            health = httpx.get(f"http://127.0.0.1:{api_port}/healthz", timeout=5).json()
            if (health["indexed_block"] or 0) >= health["chain_head"]:
                break
            assert time.monotonic() < deadline, health
            time.sleep(0.2)
    finally:
        os.kill(up.pid, signal.SIGTERM)
        try:
            up.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(up.pid, signal.SIGKILL)
            up.wait()
    # Stopped as a service manager stops it, not ended by a failed restart (NODE_GONE).
    assert up.returncode == 128 + signal.SIGTERM, stderr.read_text(encoding="utf-8")
