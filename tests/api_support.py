"""A registry runtime (writers, index follower, API) on the test session's chain."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from web3 import Web3

from registry.api.keys import Role
from registry.chain import Deployment
from registry.chain.compiler import Artifact
from registry.config import Settings
from registry.server import Runtime, StaffKeys
from tests.conftest import Accounts


class Api:
    """An HTTP client of the API with one key per role."""

    def __init__(self, runtime: Runtime, client: TestClient, region: int) -> None:
        self.runtime = runtime
        self.client = client
        self.keys = {
            role: runtime.keys.create(role, region, f"test {role.value}")[1] for role in Role
        }

    def post(self, path: str, body: Any = None, role: Role | None = None, **headers: str) -> Any:
        if role is not None:
            headers["Authorization"] = f"Bearer {self.keys[role]}"
        return self.client.post(path, json=body, headers=headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params)

    def wait(self, operation_id: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            op = self.client.get(f"/v1/operations/{operation_id}").json()
            if op["status"] in ("confirmed", "failed") or time.monotonic() > deadline:
                return dict(op)
            time.sleep(0.02)

    def indexed(self) -> None:
        """Waits until the index has read the chain head."""
        w3 = self.runtime.registry.chain.w3
        head = w3.eth.block_number
        deadline = time.monotonic() + 20
        while (self.runtime.context.queries.indexed_block() or 0) < head:
            if time.monotonic() > deadline:
                raise TimeoutError("index did not catch up")
            time.sleep(0.02)


@contextmanager
def running_api(
    tmp_path: Path,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
    *,
    region: int = 370200,
    mediator: LocalAccount | None = None,
    settings: dict[str, Any] | None = None,
) -> Iterator[Api]:
    """``mediator``: the key of a recognition mediator (none runs without one); ``settings``:
    more settings than the data directory's (e.g. signing files, a time-stamping authority)."""
    configured = Settings(data_dir=tmp_path, confirmations=1, **(settings or {}))
    staff = StaffKeys(accounts.registrar, accounts.reviewer, accounts.anchorer, mediator)
    runtime = Runtime(configured, w3, deployment, artifacts, staff).start()
    try:
        with TestClient(runtime.app()) as client:
            yield Api(runtime, client, region)
    finally:
        runtime.stop()


@contextmanager
def reverted_api(
    tmp_path: Path,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
    **options: Any,
) -> Iterator[Api]:
    """``running_api`` for a whole test module, the chain put back as it was afterwards (the
    module's writes are undone for the modules after it)."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        with running_api(tmp_path, w3, deployment, artifacts, accounts, **options) as api:
            yield api
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


def signed_in(api: Api, role: Role = Role.REGISTRAR) -> str:
    """Signs the client in to the console with ``role``'s key; the session's CSRF token."""
    client = api.client
    form = client.get("/console").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    client.post(
        "/console/login",
        data={**hidden, "api_key": api.keys[role]},
        headers={"origin": str(client.base_url)},
        follow_redirects=False,
    )
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/console").text)
    assert found is not None, "not signed in"
    return found.group(1)


def until(done: Callable[[], bool], timeout: float = 20.0) -> None:
    """Waits for what a console form sent to be mined (the form answers once it is sent)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not mined in time"
        time.sleep(0.05)


class ServiceProcess:
    """``registry serve`` as its own process, on 127.0.0.1, stopped by its own PID."""

    def __init__(self, data_dir: Path, rpc_url: str, accounts: Accounts, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "REGISTRY_DATA_DIR": str(data_dir),
            "REGISTRY_RPC_URL": rpc_url,
            "REGISTRY_API_PORT": str(port),
            # The well-known public dev-chain keys, never used for value.
            "REGISTRY_REGISTRAR_KEY": accounts.registrar.key.hex(),
            "REGISTRY_REVIEWER_KEY": accounts.reviewer.key.hex(),
            "REGISTRY_ANCHORER_KEY": accounts.anchorer.key.hex(),
        }
        self.log = data_dir / "service.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "registry.cli", "serve"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(self.log.read_text())

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
