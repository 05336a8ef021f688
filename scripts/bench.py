"""Benchmarks, one JSON object per line (see scripts/bench).

- compile: `registry compile` (py-solc-x) against `hardhat build`, same sources and compiler.
- chain: applications per second through the typed client (one transaction each, waiting for
  its receipt; and many per transaction through multicall) against raw pre-signed transfers
  sent to the same anvil in the same run.
- gas: the checked-in gas snapshot, per operation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.chain import AnvilNode, Registry, deploy  # noqa: E402
from registry.chain.compiler import compile_contracts  # noqa: E402
from registry.chain.node import DEV_MNEMONIC, anvil_binary  # noqa: E402
from registry.chain.signing import application_message, sign  # noqa: E402
from registry.chain.types import Application, AssetKind, Classification  # noqa: E402

N = int(os.environ.get("BENCH_N", "300"))


def emit(bench: str, metric: str, value: float, unit: str, baseline: float | None = None) -> None:
    row: dict[str, Any] = {"bench": bench, "metric": metric, "value": round(value, 3), "unit": unit}
    if baseline is not None:
        row["baseline"] = round(baseline, 3)
        row["ratio"] = round(value / baseline, 3) if baseline else None
    print(json.dumps(row), flush=True)


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_compile() -> None:
    ours = timed(lambda: compile_contracts(ROOT))
    env = {**os.environ, "PATH": f"{ROOT / 'node_modules' / 'node' / 'bin'}:{os.environ['PATH']}"}
    cache = ROOT / "build" / "hardhat"
    shutil.rmtree(cache, ignore_errors=True)
    hardhat = timed(
        lambda: subprocess.run(
            [str(ROOT / "node_modules" / ".bin" / "hardhat"), "build"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )
    )
    emit("compile", "registry_compile_seconds", ours, "s", hardhat)


def _dev(i: int) -> Any:
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")


def _app(holder: str, i: int) -> Application:
    digest = Web3.keccak(text=f"bench-{i}")
    return Application(holder, 370200, Classification.GENERAL, AssetKind.RESOURCE, digest, digest)


def bench_chain() -> None:
    admin, registrar, holder, sink = _dev(0), _dev(1), _dev(4), _dev(9)
    artifacts = compile_contracts(ROOT)
    with tempfile.TemporaryDirectory() as tmp, AnvilNode(
        anvil_binary(ROOT / "node_modules"), log_file=Path(tmp) / "anvil.log"
    ) as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        deployment = deploy(w3, admin, artifacts, registrars=(registrar.address,))
        reg = Registry.connect(w3, deployment, artifacts)

        nonce = w3.eth.get_transaction_count(sink.address)
        raw = [
            sink.sign_transaction(
                {"to": admin.address, "value": 1, "gas": 21_000, "nonce": nonce + i,
                 "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 1, "chainId": w3.eth.chain_id}
            ).raw_transaction
            for i in range(N)
        ]
        start = time.perf_counter()
        hashes = [w3.eth.send_raw_transaction(tx) for tx in raw]
        w3.eth.wait_for_transaction_receipt(hashes[-1])
        raw_rate = N / (time.perf_counter() - start)
        emit("chain", "raw_presigned_tx_per_s", raw_rate, "tx/s")

        single = N / timed(lambda: [reg.assets.submit_application_tx(holder, _app(holder.address, i))
                                    for i in range(N)])
        emit("chain", "applications_per_s_single", single, "applications/s", raw_rate)

        per_tx = 100
        nonce0 = reg.assets.nonces(holder.address)
        calls = []
        for i in range(N):
            app = _app(holder.address, N + i)
            consent = sign(holder, reg.assets.domain(), "Application",
                           application_message(app, nonce0 + i), 2**40)
            calls.append(reg.assets.encode_submit_application(app, consent))
        start = time.perf_counter()
        for k in range(0, N, per_tx):
            reg.assets.multicall(registrar, calls[k:k + per_tx])
        batched = N / (time.perf_counter() - start)
        emit("chain", "applications_per_s_batched", batched, "applications/s", raw_rate)
        assert reg.assets.asset_count() == 2 * N


def bench_gas() -> None:
    for op, gas in json.loads((ROOT / "tests" / "gas-snapshot.json").read_text()).items():
        emit("gas", op, gas, "gas")


if __name__ == "__main__":
    selected = sys.argv[1:] or ["compile", "chain", "gas"]
    for name in selected:
        globals()[f"bench_{name}"]()
