"""No act is lost or doubled: the service killed mid-burst, the node losing blocks, and many
clients at once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount

from registry.api.keys import ApiKeys, Role
from registry.api.models import ApplicationIn
from registry.chain import Registry
from registry.chain.compiler import Artifact, write_artifacts
from registry.chain.writer import Call, ChainWriter
from registry.config import Settings
from registry.devtools import DevChain, dev_account, engine, fresh_chain, signed_application
from registry.index import open_engine
from tests.api_support import ServiceProcess
from tests.conftest import ROOT, SESSION_GENESIS, Accounts, application

pytestmark = pytest.mark.chain  # starts chain nodes of its own


@pytest.fixture
def chain(tmp_path: Path, accounts: Accounts, artifacts: dict[str, Artifact]) -> Iterator[DevChain]:
    """A chain of its own (on anvil saving its state every second), the registry deployed."""
    write_artifacts(artifacts, ROOT / "build" / "contracts")
    with fresh_chain(
        artifacts,
        admin=accounts.admin,
        **accounts.staff(),
        state_file=tmp_path / "chain" / "state.json" if engine() == "anvil" else None,
        genesis_timestamp=SESSION_GENESIS,  # published working days, whatever day it runs
    ) as dev_chain:
        dev_chain.deployment.save(tmp_path / "deployment.json")
        yield dev_chain


def signed_bodies(
    registry: Registry, holder: LocalAccount, tag: str, count: int
) -> list[dict[str, Any]]:
    """Applications pre-signed by ``holder``, each under a fresh nonce key, so that they can be
    filed in any order and at once."""
    bodies = []
    for i in range(count):
        app = application(holder.address, f"{tag}-{i}")
        consent = signed_application(registry.assets, holder, app)
        bodies.append(ApplicationIn.of(app, consent).model_dump(mode="json"))
    return bodies


def submit_applications(
    writer: ChainWriter, registry: Registry, holder: LocalAccount, tag: str, count: int
) -> list[str]:
    """Signs ``count`` applications of ``holder`` and hands them to ``writer``; returns keys."""
    keys = []
    for i in range(count):
        app = application(holder.address, f"{tag}-{i}")
        consent = signed_application(registry.assets, holder, app)
        data = registry.assets.encode_submit_application(app, consent)
        writer.submit(Call(f"{tag}-{i}", "submitApplication", registry.assets.address, data))
        keys.append(f"{tag}-{i}")
    return keys


def applied_manifests(registry: Registry) -> list[str]:
    """The manifest of every asset, read from contract state (a node restarted from its state
    file keeps all state but not necessarily every old block's logs)."""
    count = registry.assets.asset_count()
    return [registry.assets.get_asset(i).manifest_hash.hex() for i in range(1, count + 1)]


def post_until_accepted(client: httpx.Client, body: dict[str, Any], key: str, secret: str) -> str:
    """Retries through a dead or restarting service, always with the same idempotency key."""
    deadline = time.monotonic() + 120
    while True:
        try:
            r = client.post(
                "/v1/assets",
                json=body,
                headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": key},
            )
            assert r.status_code == 202, r.text
            return str(r.json()["id"])
        except httpx.TransportError:
            assert time.monotonic() < deadline, "service did not come back"
            time.sleep(0.05)


def wait_all_confirmed(client: httpx.Client, ids: list[str]) -> None:
    for op_id in ids:
        deadline = time.monotonic() + 60
        while (status := client.get(f"/v1/operations/{op_id}").json()["status"]) != "confirmed":
            assert status != "failed", op_id
            assert time.monotonic() < deadline, f"{op_id} stuck at {status}"
            time.sleep(0.05)


def api_key(data_dir: Path, role: Role = Role.HOLDER) -> str:
    settings = Settings(data_dir=data_dir)
    return ApiKeys(open_engine(settings.database_url)).create(role, 370200)[1]


def test_service_killed_mid_burst_of_1000_loses_and_doubles_nothing(
    chain: DevChain, tmp_path: Path, accounts: Accounts
) -> None:
    from registry.chain.node import free_port

    service = ServiceProcess(tmp_path, chain.node.url, accounts, free_port()).start()
    secret = api_key(tmp_path)
    bodies = signed_bodies(chain.registry, accounts.holder, "burst", 1000)
    ids: list[str] = []
    progress = threading.Event()

    def client_loop() -> None:
        with httpx.Client(base_url=service.url, timeout=10) as client:
            for i, body in enumerate(bodies):
                ids.append(post_until_accepted(client, body, f"burst-{i}", secret))
                if i == 300:
                    progress.set()

    client = threading.Thread(target=client_loop)
    client.start()
    try:
        assert progress.wait(120)
        service.kill()
        service.start()
        client.join(300)
        assert not client.is_alive()
        with httpx.Client(base_url=service.url, timeout=10) as http:
            wait_all_confirmed(http, ids)
    finally:
        service.stop()
    manifests = applied_manifests(chain.registry)
    assert len(manifests) == 1000
    assert len(set(manifests)) == 1000
    assert chain.registry.assets.asset_count() == 1000


@pytest.mark.anvil_only("the node restarts from its state file: EDR keeps none")
def test_node_killed_and_restarted_from_saved_state_loses_nothing(
    chain: DevChain, tmp_path: Path, accounts: Accounts
) -> None:
    registry = chain.registry
    w3 = registry.chain.w3
    time.sleep(1.5)  # the deployment is in a state dump
    writer = ChainWriter(
        w3,
        accounts.registrar,
        tmp_path / "outbox.db",
        registry.chain.decoder,
        confirmations=1,
        poll_interval=0.05,
    ).start()
    try:
        keys = submit_applications(writer, registry, accounts.holder, "node", 150)
        # Sent is not mined: wait for the last one (the node mines in order, one at a time).
        assert writer.wait(keys[-1]).status == "confirmed"
        assert registry.assets.asset_count() == 150
        chain.node.kill()
        chain.node.start()
        survived = registry.assets.asset_count()
        deadline = time.monotonic() + 60
        while registry.assets.asset_count() < 150:
            assert time.monotonic() < deadline, f"stuck at {registry.assets.asset_count()}"
            time.sleep(0.1)
        assert all(writer.wait(k).status == "confirmed" for k in keys)
    finally:
        writer.close()
    manifests = applied_manifests(registry)
    assert len(manifests) == len(set(manifests)) == 150
    print(f"{150 - survived} applications were lost by the node and sent again")


def test_rolled_back_blocks_are_sent_again(
    chain: DevChain, tmp_path: Path, accounts: Accounts
) -> None:
    """A deterministic loss: the node reverts to a snapshot taken before the writes."""
    registry = chain.registry
    w3 = registry.chain.w3
    writer = ChainWriter(w3, accounts.registrar, tmp_path / "outbox.db", registry.chain.decoder)
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    submit_applications(writer, registry, accounts.holder, "rb", 20)
    writer.reconcile()
    assert writer.wait("rb-19").status == "confirmed"
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    assert registry.assets.asset_count() == 0
    writer.reconcile()
    # The round sends every lost transaction again; the node mines each as it gets to it (a
    # count read at once saw 13 of 20 on a loaded machine), and none twice.
    deadline = time.monotonic() + 30
    while registry.assets.asset_count() < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
        writer.reconcile()
    assert registry.assets.asset_count() == 20
    assert writer.wait("rb-19").status == "confirmed"
    writer.close()


def test_8_concurrent_clients_of_250_make_2000_with_gapless_nonces(
    chain: DevChain, tmp_path: Path, accounts: Accounts
) -> None:
    from registry.chain.node import free_port

    service = ServiceProcess(tmp_path, chain.node.url, accounts, free_port()).start()
    secret = api_key(tmp_path)
    holders = [dev_account(10 + i) for i in range(8)]
    bodies = {h.address: signed_bodies(chain.registry, h, h.address, 250) for h in holders}
    ids: list[str] = []
    lock = threading.Lock()

    def client_loop(holder: str) -> None:
        with httpx.Client(base_url=service.url, timeout=30) as client:
            for i, body in enumerate(bodies[holder]):
                op = post_until_accepted(client, body, f"{holder}-{i}", secret)
                with lock:
                    ids.append(op)

    try:
        threads = [threading.Thread(target=client_loop, args=(h.address,)) for h in holders]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        with httpx.Client(base_url=service.url, timeout=10) as http:
            wait_all_confirmed(http, ids)
    finally:
        service.stop()
    assert chain.registry.assets.asset_count() == 2000
    with sqlite3.connect(tmp_path / "outbox.db") as db:
        nonces = [
            n
            for (n,) in db.execute(
                "SELECT nonce FROM transactions WHERE sender = ? ORDER BY nonce",
                (accounts.registrar.address,),
            )
        ]
        (operations,) = db.execute("SELECT COUNT(DISTINCT key) FROM operations").fetchone()
    # Concurrent applications share transactions (group commit): fewer than 2,000 nonces, and
    # not one skipped.
    assert operations == 2000
    assert nonces == list(range(nonces[0], nonces[0] + len(nonces)))
    assert len(nonces) <= 2000
    w3 = chain.registry.chain.w3
    assert w3.eth.get_transaction_count(accounts.registrar.address) == nonces[-1] + 1
