"""Benchmarks, one JSON object per line (see scripts/bench).

- compile: `registry compile` (py-solc-x) against `hardhat build`, same sources and compiler.
- chain: applications per second through the typed client (one transaction each, waiting for
  its receipt; and many per transaction through multicall) against raw pre-signed transfers
  sent to the same anvil in the same run.
- api: applications per second through the HTTP API, 8 clients one application per request, and
  in batches of 500, against raw pre-signed application transactions to the same node from the
  same state (medians of 3 rounds).
- hash: size, SHA-256 and CIDv1 of a 1 GiB file in one read (`registry cid`'s code path, in its
  own process for a true peak memory) against `sha256sum` on the same file in the same run.
- evidence: 100,000 hashes accepted one by one and anchored as Merkle roots (1,000 per
  transaction): hashes per second, transactions, gas per hash; receipts checked (every 10th by
  its Merkle proof, every 10,000th against the chain by the standalone verifier's checks).
- recognition: three regions on three chains (`registry up --regions 3`); seconds from an act
  at the origin (issue, revoke) until both partners answer accordingly; then revoke -> not
  recognised at each partner with the other partner's node stopped (SIGSTOP: an origin that
  partner also follows, stalled) and 6,000 junk numbers posted to it at once (p50, p99, max;
  goal p99 under 2 s), with what became of the junk (numbers by their batch's HTTP status and
  their answers, rechecks by HTTP status); the gas of relaying headers and recording a
  recognition on a partner's chain; and the origin's register size (assets).
- pages: p95 latency of the register's searches (Chinese and English texts of 1, 2 and 3+
  characters, common and rare), a deep page and the asset page with BENCH_PAGES_ASSETS
  (default 100,000) assets seeded into the index, on each database of BENCH_PAGES_DB (sqlite,
  postgres or both; goal under 50 ms at 1,000,000), and Chromium's SHA-256 rate on the
  verification page (hash-wasm, 4 MiB slices) against `sha256sum` on the same 1 GiB file.
- rebuild: `registry index rebuild` into a new index on each database of BENCH_PAGES_DB, from a
  chain of `registry up` grown to BENCH_REBUILD_ASSETS (default 100,000; BENCH_REBUILD_DATA
  keeps the grown chain for the next run): assets a second (goal at least 5,000).
- uploads: `GET /healthz` latency (p50, p99, max; goal p99 under 50 ms) while 20 clients upload
  100 MB files to `POST /v1/verify/file` of a `registry serve` process with its default upload
  slots, against the same with a slot per client (no bound), side by side on one chain; idle
  figures too; then the service's peak resident memory (from /proc) while three 200 MB
  files are checked at once as reports (`POST /v1/reports/check`; goal under 300 MB).
- scale: one chain of `registry up` grown to 1,000, 10,000 and 100,000 assets
  (BENCH_SCALE_SIZES); at each, through the API: applications per second of 8 clients each
  waiting for its confirmation, p50/p99 from application to confirmed, receipt verification,
  start-up and index catch-up after a restart, the state on disk (snapshot and block journal)
  and the node's memory; then the ratio of each figure at the largest size to the smallest.
- durability: `registry up` grown to BENCH_DURABILITY_ASSETS (default 100,000), its chain node
  killed with SIGKILL during a burst of 1,000 API applications (8 clients, idempotency keys):
  the seconds until the API answered again (`registry up` starts the node itself), the blocks
  replayed, the burst's seconds; fails unless every one is on chain once and no manifest twice.
- verify: `POST /v1/verify` of receipts of different evidence batches (given by hash, so the
  registry looks each up) against a `registry serve` process, with the node's answers about
  final blocks kept and without (`REGISTRY_VERIFY_CACHE=0`), side by side on one chain: p50 and
  p99 at 100 verifications a second (open loop: latency from each request's scheduled time,
  goal p99 under 50 ms), and the saturation throughput with 50 clients; at each register size
  of `BENCH_VERIFY_SIZES` (default 1,000 and 100,000 assets, the chain grown by holders'
  multicalls of 100 applications), with the seconds the growth took.
- report: the annual report (art. 11) of 2,000 applications (BENCH_REPORT_SIZE) seeded
  through the API, a quarter accepted and an eighth issued: the seconds of its JSON and its
  signed PDF (the slowest of 3; goal under 10 s), each total checked against the chain's logs.
- gas: the checked-in gas snapshot, per operation.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from web3 import Web3
from web3.types import RPCEndpoint

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.api.models import ApplicationIn  # noqa: E402
from registry.chain import Registry  # noqa: E402
from registry.chain.compiler import compile_contracts  # noqa: E402
from registry.chain.types import DIRECT, Consent  # noqa: E402
from registry.devtools import (  # noqa: E402
    application,
    dev_account,
    engine,
    fresh_chain,
    signed_application,
)

N = int(os.environ.get("BENCH_N", "300"))
WARM_UP = 32
"""Applications sent before the API benchmark's clocks start, through the API and raw."""
API_ROUNDS = 3


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
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    )
    emit("compile", "registry_compile_seconds", ours, "s", hardhat)


def bench_chain() -> None:
    admin, registrar, holder, sink = dev_account(0), dev_account(1), dev_account(4), dev_account(9)
    artifacts = compile_contracts(ROOT)
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_chain(
            artifacts,
            admin=admin,
            registrars=(registrar.address,),
            log_file=Path(tmp) / "anvil.log",
        ) as chain,
    ):
        w3, reg = chain.w3, chain.registry

        nonce = w3.eth.get_transaction_count(sink.address)
        raw = [
            sink.sign_transaction(
                {
                    "to": admin.address,
                    "value": 1,
                    "gas": 21_000,
                    "nonce": nonce + i,
                    "maxFeePerGas": 10**10,
                    "maxPriorityFeePerGas": 1,
                    "chainId": w3.eth.chain_id,
                }
            ).raw_transaction
            for i in range(N)
        ]
        start = time.perf_counter()
        hashes = [w3.eth.send_raw_transaction(tx) for tx in raw]
        w3.eth.wait_for_transaction_receipt(hashes[-1])
        raw_rate = N / (time.perf_counter() - start)
        emit("chain", "raw_presigned_tx_per_s", raw_rate, "tx/s")

        single = N / timed(
            lambda: [
                reg.assets.submit_application_tx(holder, application(holder.address, f"bench-{i}"))
                for i in range(N)
            ]
        )
        emit("chain", "applications_per_s_single", single, "applications/s", raw_rate)

        per_tx = 100
        nonce0 = reg.assets.nonces(holder.address)
        calls = []
        for i in range(N):
            app = application(holder.address, f"bench-{N + i}")
            consent = signed_application(reg.assets, holder, app, nonce0 + i)
            calls.append(reg.assets.encode_submit_application(app, consent))
        start = time.perf_counter()
        for k in range(0, N, per_tx):
            reg.assets.multicall(registrar, calls[k : k + per_tx])
        batched = N / (time.perf_counter() - start)
        emit("chain", "applications_per_s_batched", batched, "applications/s", raw_rate)
        assert reg.assets.asset_count() == 2 * N


def _signed_bodies(reg: Registry, holder: Any, tag: str, count: int) -> list[dict[str, Any]]:
    bodies = []
    for i in range(count):
        app = application(holder.address, f"bench-{tag}-{i}")
        consent = signed_application(reg.assets, holder, app)
        bodies.append(ApplicationIn.of(app, consent).model_dump(mode="json"))
    return bodies


def _raw_applications(reg: Registry, sender: Any, holder: Any, tag: str, count: int) -> list[bytes]:
    """``count`` applications as signed transactions of ``sender`` (a registrar), nonces in
    order from its next one."""
    w3 = reg.chain.w3
    nonce = w3.eth.get_transaction_count(sender.address)
    raws = []
    for i, body in enumerate(_signed_bodies(reg, holder, tag, count)):
        app = application(holder.address, f"bench-{tag}-{i}")
        consent = Consent(
            2**40, int(body["consent"]["nonce"]), bytes.fromhex(body["consent"]["signature"][2:])
        )
        tx = {
            "to": reg.assets.address,
            "data": reg.assets.encode_submit_application(app, consent),
            "gas": 2_000_000,
            "nonce": nonce + i,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 10**9,
            "chainId": w3.eth.chain_id,
        }
        raws.append(bytes(sender.sign_transaction(tx).raw_transaction))
    return raws


def _send_raw(w3: Web3, raws: list[bytes]) -> None:
    hashes = [w3.eth.send_raw_transaction(tx) for tx in raws]
    w3.eth.wait_for_transaction_receipt(hashes[-1], poll_latency=0.01)


def bench_api() -> None:
    """Applications through the HTTP API (8 clients, one application per request; then batches
    of 500) against raw pre-signed application transactions sent straight to the same node.

    Each round is a new chain: anvil's cost per block grows with its state, so the baseline and
    the API's run start from the same state (the baseline runs from a snapshot that is then
    reverted). Figures are medians of ``API_ROUNDS`` rounds: runs of a second vary by a third on
    a busy two-core machine."""
    import statistics

    artifacts = compile_contracts(ROOT)
    rounds = [_api_round(artifacts, batched=r == API_ROUNDS - 1) for r in range(API_ROUNDS)]
    raw = statistics.median(r["raw"] for r in rounds)
    emit("api", "raw_presigned_application_tx_per_s", raw, "tx/s")
    single = statistics.median(r["single"] for r in rounds)
    emit("api", "applications_per_s_single", single, "applications/s", raw)
    emit(
        "api",
        "single_to_raw_paired_median",
        statistics.median(r["single"] / r["raw"] for r in rounds),
        "ratio",
    )
    per_tx = statistics.median(r["per_tx"] for r in rounds)
    emit("api", "applications_per_transaction_single", per_tx, "applications/tx")
    emit("api", "applications_per_s_batched", rounds[-1]["batched"], "applications/s", raw)


@contextmanager
def _service(data: Path, rpc_url: str, staff: tuple[Any, Any, Any], **settings: str) -> Any:
    """``registry serve`` in a process of its own session (its indexer with it), on a free
    port of 127.0.0.1, with the staff keys (registrar, reviewer, anchorer) and ``settings`` as
    ``REGISTRY_*`` variables: the Popen and the URL, once ``/healthz`` answers. Stopped by its
    own PID."""
    import httpx

    from registry.chain.node import free_port

    port = free_port()
    registrar, reviewer, anchorer = staff
    env = {
        **os.environ,
        "REGISTRY_DATA_DIR": str(data),
        "REGISTRY_RPC_URL": rpc_url,
        "REGISTRY_API_PORT": str(port),
        "REGISTRY_REGISTRAR_KEY": registrar.key.hex(),
        "REGISTRY_REVIEWER_KEY": reviewer.key.hex(),
        "REGISTRY_ANCHORER_KEY": anchorer.key.hex(),
        **{f"REGISTRY_{name.upper()}": value for name, value in settings.items()},
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield server, url
    finally:
        os.killpg(server.pid, signal.SIGCONT)
        server.terminate()
        server.wait(30)


def _api_round(artifacts: Any, *, batched: bool) -> dict[str, float]:
    import httpx

    from registry.api.keys import ApiKeys, Role
    from registry.config import Settings
    from registry.index import open_engine

    admin, registrar, reviewer, anchorer = (dev_account(i) for i in range(4))
    raw_sender, raw_holder = dev_account(4), dev_account(9)
    clients = 8
    holders = [dev_account(10 + i) for i in range(clients)]
    per_client = max(1, N // clients)
    figures: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_chain(
            artifacts,
            admin=admin,
            # The baseline's own registrar key, so the service's writer keeps its nonces.
            registrars=(registrar.address, raw_sender.address),
            reviewers=(reviewer.address,),
            anchorers=(anchorer.address,),
        ) as chain,
    ):
        data = Path(tmp)
        node, w3, deployment, reg = chain.node, chain.w3, chain.deployment, chain.registry
        deployment.save(data / "deployment.json")
        secret = ApiKeys(open_engine(Settings(data_dir=data).database_url)).create(
            Role.HOLDER, 370200
        )[1]
        # Its own session: its indexer too is stopped during the baseline.
        with _service(data, node.url, (registrar, reviewer, anchorer)) as (server, url):
            headers = {"Authorization": f"Bearer {secret}"}

            def single_round(tag: str, each: int) -> tuple[float, int]:
                """Applications per second and transactions used, 8 clients of ``each``."""
                work = [_signed_bodies(reg, h, f"{tag}-{h.address}", each) for h in holders]
                go = threading.Barrier(clients + 1)

                def client(bodies: list[dict[str, Any]]) -> None:
                    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
                        http.get("/healthz")
                        go.wait()
                        for body in bodies:
                            assert http.post("/v1/assets", json=body).status_code == 202

                threads = [threading.Thread(target=client, args=(b,)) for b in work]
                for t in threads:
                    t.start()
                before, first_block = reg.assets.asset_count(), w3.eth.block_number
                go.wait()
                start = time.perf_counter()
                for t in threads:
                    t.join()
                while reg.assets.asset_count() < before + clients * each:
                    time.sleep(0.01)
                rate = clients * each / (time.perf_counter() - start)
                return rate, w3.eth.block_number - first_block

            # Warm-up, untimed: first connections, first compilations of validators; and the
            # service's indexer, a process of its own, must have started and caught up, or its
            # start-up (about two seconds of CPU) would be timed with the API.
            _send_raw(w3, _raw_applications(reg, raw_sender, raw_holder, "warm", WARM_UP))
            single_round("warm", WARM_UP // clients)
            while True:
                health = httpx.get(f"{url}/healthz").json()
                if (health["indexed_block"] or 0) >= health["chain_head"]:
                    break
                time.sleep(0.1)

            raws = _raw_applications(reg, raw_sender, raw_holder, "raw", N)
            # The service sleeps through the baseline: it neither indexes nor sees its blocks,
            # which the revert then removes.
            os.killpg(server.pid, signal.SIGSTOP)
            snapshot = w3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]
            start = time.perf_counter()
            _send_raw(w3, raws)
            figures["raw"] = N / (time.perf_counter() - start)
            assert w3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot])["result"]
            os.killpg(server.pid, signal.SIGCONT)

            figures["single"], used = single_round("single", per_client)
            figures["per_tx"] = clients * per_client / used

            if batched:
                batched_n = max(N, 2000)
                bodies = _signed_bodies(reg, dev_account(8), "batch", batched_n)
                before = reg.assets.asset_count()
                start = time.perf_counter()
                with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
                    for k in range(0, batched_n, 500):
                        r = http.post("/v1/assets/batch", json=bodies[k : k + 500])
                        assert r.status_code == 202, r.text
                while reg.assets.asset_count() < before + batched_n:
                    time.sleep(0.01)
                figures["batched"] = batched_n / (time.perf_counter() - start)

    return figures


def _random_file(directory: Path, size: int) -> tuple[Path, float]:
    """A file of ``size`` random bytes, and the seconds `sha256sum` takes on it (cache warm)."""
    path = directory / "data.bin"
    with path.open("wb") as out:
        for _ in range(size >> 20):
            out.write(os.urandom(1 << 20))
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)  # warm the cache
    return path, timed(
        lambda: subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
    )


def bench_hash() -> None:
    size = int(os.environ.get("BENCH_HASH_MIB", "1024")) << 20
    with tempfile.TemporaryDirectory() as tmp:
        path, baseline = _random_file(Path(tmp), size)
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from this (larger) process.
        script = (
            "import re, sys, time; from pathlib import Path;"
            "from registry.content import file_digest;"
            "t = time.perf_counter(); d = file_digest(Path(sys.argv[1]), 1);"
            "print(time.perf_counter() - t, d.size, d.sha256.hex(), d.cid,"
            " re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text())[1])"
        )
        run = subprocess.run(
            [sys.executable, "-c", script, str(path)], check=True, capture_output=True, text=True
        )
        seconds, measured, _sha, _cid, peak_kib = run.stdout.split()
        assert int(measured) == size
    emit("hash", "file_size", size / 2**20, "MiB")
    emit("hash", "size_sha256_cidv1_seconds", float(seconds), "s", baseline)
    emit("hash", "throughput", size / float(seconds) / 2**20, "MiB/s", size / baseline / 2**20)
    emit("hash", "peak_rss", int(peak_kib) / 1024, "MiB")


def bench_evidence() -> None:
    import hashlib

    from registry.chain.writer import ChainWriter
    from registry.evidence import EvidenceBatcher, verify
    from registry.evidence.verifier import verify as verify_on_chain

    n = int(os.environ.get("BENCH_EVIDENCE_N", "100000"))
    admin, anchorer = dev_account(0), dev_account(3)
    artifacts = compile_contracts(ROOT)
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_chain(artifacts, admin=admin, anchorers=(anchorer.address,)) as chain,
    ):
        w3, reg = chain.w3, chain.registry
        writer = ChainWriter(w3, anchorer, Path(tmp) / "outbox.db", reg.chain.decoder)
        batcher = EvidenceBatcher(writer, reg.evidence, Path(tmp) / "evidence.db", max_wait=3600)
        hashes = [hashlib.sha256(b"evidence %d" % i).digest() for i in range(n)]
        start = time.perf_counter()
        for h in hashes:
            batcher.add(h, "bench")
        while batcher.cut(force=True):
            pass
        roots = {r.root for r in (batcher.receipt(h) for h in hashes[:: max(1, n // 2000)]) if r}
        ops = [writer.wait(f"evidence-root-{root.hex()}") for root in roots if root]
        elapsed = time.perf_counter() - start
        assert {op.status for op in ops} == {"confirmed"}
        transactions = {op.tx_hash for op in ops}
        gas = sum(int(w3.eth.get_transaction_receipt(t)["gasUsed"]) for t in transactions)
        emit("evidence", "hashes_per_s", n / elapsed, "hashes/s")
        emit("evidence", "transactions_per_1000_hashes", len(transactions) * 1000 / n, "tx")
        emit("evidence", "gas_per_hash", gas / n, "gas")
        for i, h in enumerate(hashes[::10]):
            r = batcher.receipt(h)
            assert r is not None
            assert r.leaf is not None
            assert r.root is not None
            assert verify(r.leaf, r.proof, r.root), i
            if i % 1000 == 0:
                body = r.to_json() | {"contract": reg.evidence.address, "chain_id": 31337}
                block = w3.eth.get_block(r.block_number or 0)
                body["block_hash"] = "0x" + bytes(block["hash"]).hex()
                assert verify_on_chain(w3, body, data_hash=h).passed
        batcher.close()
        writer.close()


def _anvil_on(port: int) -> int:
    """The pid of the anvil listening on ``port``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"anvil") and str(port).encode() in args:
            return int(entry.name)
    raise LookupError(f"no anvil on port {port}")


def _junk_flood(
    api: str, origin: int, numbers: list[str], fate: collections.Counter[str]
) -> threading.Thread:
    """Posts ``numbers``, of ``origin``'s center but naming no certificate, to ``api``'s batch
    endpoint (200 at a time, from 4 threads) and asks to recheck some; what the service
    refuses (429, 503) is part of what is measured, and counted in ``fate``: the numbers of
    batches by their HTTP status, those answered by their answer's status, the rechecks by
    HTTP status."""
    import httpx

    lock = threading.Lock()

    def send(part: list[str]) -> None:
        with httpx.Client(base_url=api, timeout=30) as http:
            for start in range(0, len(part), 200):
                items = [{"region": origin, "number": n} for n in part[start : start + 200]]
                batch = http.post("/v1/recognitions/batch", json={"items": items})
                answered = (
                    [str(a.get("status")) for a in batch.json()] if batch.status_code == 200 else []
                )
                rechecks = [
                    http.post(f"/v1/recognitions/{origin}/{n}/recheck").status_code
                    for n in part[start : start + 5]
                ]
                with lock:
                    fate[f"junk_numbers_batch_http_{batch.status_code}"] += len(items)
                    fate.update(f"junk_numbers_answered_{a}" for a in answered)
                    fate.update(f"junk_rechecks_http_{code}" for code in rechecks)

    threads = [threading.Thread(target=send, args=(numbers[i::4],), daemon=True) for i in range(4)]
    for t in threads:
        t.start()
    joiner = threading.Thread(target=lambda: [t.join() for t in threads], daemon=True)
    joiner.start()
    return joiner


CLIENT_WINDOW = 5.0
"""The recognition client window of the bench's federation, in seconds."""


def bench_recognition() -> None:
    import signal
    import statistics
    from dataclasses import replace

    import httpx
    from eth_typing import ABIEvent
    from eth_utils.abi import event_abi_to_log_topic

    from registry.certificates.numbers import of_token, parse_number
    from registry.chain import Deployment, load_artifacts

    n = int(os.environ.get("BENCH_RECOGNITION_N", "5"))
    artifacts = load_artifacts(ROOT / "build" / "contracts")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "REGISTRY_DATA_DIR": tmp,
            "REGISTRY_API_PORT": "28100",
            # Each flood is a fresh client's: its 20 batches per window answered, the rest 429.
            "REGISTRY_RECOGNITION_CLIENT_WINDOW": str(CLIENT_WINDOW),
        }
        command = [sys.executable, "-m", "registry.cli", "up", "--regions", "3"]
        process = subprocess.Popen(
            [*command, "--chain-port", "28645"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            members = json.loads(process.stdout.readline())
            origin, partners = members[0], members[1:]
            w3 = Web3(Web3.HTTPProvider(origin["rpc"]))
            deployment = Deployment.load(Path(origin["data_dir"]) / "deployment.json")
            reg = Registry.connect(w3, deployment, artifacts)
            holder, reviewer, registrar = dev_account(4), dev_account(2), dev_account(1)

            def reached(number: str, status: str, at: list[dict[str, Any]] = partners) -> float:
                start = time.perf_counter()
                for p in at:
                    url = f"{p['api']}/v1/recognitions/{origin['region']}/{number}"
                    while httpx.get(url, timeout=10).json().get("status") != status:
                        time.sleep(0.05)
                return time.perf_counter() - start

            def issued_number(i: int) -> tuple[int, str]:
                asset_id = reg.assets.submit_application(
                    holder, application(holder.address, f"bench-{10_000 + i}")
                )
                reg.assets.accept(reviewer, asset_id)
                # Without notice (the applicant's reasoned request): the origin's clock stays
                # inside the published working-day calendar over every sample.
                reg.assets.approve_without_notice(reviewer, asset_id, b"\x02" * 32)
                reg.assets.issue(registrar, asset_id)
                token = reg.assets.get_asset(asset_id).certificate_id
                return asset_id, reg.certificates.number_of(token)

            issued, revoked = [], []
            for i in range(n):
                asset_id, number = issued_number(i)
                issued.append(reached(number, "recognised"))
                reg.assets.revoke(registrar, asset_id, b"\x01" * 32)
                revoked.append(reached(number, "not_recognised"))
            # Each partner in turn, the other's node stopped and 6,000 junk numbers posted to it.
            stalled_revoked = []
            fate: collections.Counter[str] = collections.Counter()
            for i in range(n, 3 * n):
                target, other = partners[i % 2], partners[1 - i % 2]
                asset_id, number = issued_number(i)
                reached(number, "recognised")
                stalled = _anvil_on(int(other["rpc"].rsplit(":", 1)[1]))
                os.kill(stalled, signal.SIGSTOP)
                try:
                    # Numbers of the origin's center and month, serials no certificate has.
                    base = of_token(parse_number(number))
                    junk = [str(replace(base, serial=s)) for s in range(3_000, 9_000)]
                    flood = _junk_flood(target["api"], origin["region"], junk, fate)
                    time.sleep(0.5)
                    reg.assets.revoke(registrar, asset_id, b"\x01" * 32)
                    stalled_revoked.append(reached(number, "not_recognised", [target]))
                    flood.join(120)
                finally:
                    os.kill(stalled, signal.SIGCONT)
                time.sleep(CLIENT_WINDOW)  # the flood's client limit lapses before the next
            # The register the figures were taken at: the origin's assets, all the bench's own.
            emit("recognition", "origin_register_assets", reg.assets.asset_count(), "assets")
            ordered = sorted(stalled_revoked)
            p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            emit("recognition", "issue_to_recognised_median_s", statistics.median(issued), "s")
            emit("recognition", "issue_to_recognised_max_s", max(issued), "s")
            emit(
                "recognition", "revoke_to_not_recognised_median_s", statistics.median(revoked), "s"
            )
            emit("recognition", "revoke_to_not_recognised_max_s", max(revoked), "s")
            for name, count in sorted(fate.items()):
                emit("recognition", name, count, "requests" if "rechecks" in name else "numbers")
            stalled_name = "revoke_to_not_recognised_stalled_flooded"
            emit("recognition", f"{stalled_name}_p50_s", statistics.median(ordered), "s")
            emit("recognition", f"{stalled_name}_p99_s", p99, "s")
            emit("recognition", f"{stalled_name}_max_s", ordered[-1], "s")
            partner = partners[0]
            pw3 = Web3(Web3.HTTPProvider(partner["rpc"]))
            address = Deployment.load(Path(partner["data_dir"]) / "deployment.json").addresses[
                "RecognitionRegistry"
            ]
            # The topics from the contract's ABI: a hand-written signature went stale when the
            # event gained fields, and the bench then found no records to divide by.
            topics = {
                item["name"]: event_abi_to_log_topic(cast(ABIEvent, item))
                for item in artifacts["RecognitionRegistry"].abi
                if item["type"] == "event"
            }
            relay, record = topics["CheckpointRelayed"], topics["RecognitionRecorded"]
            gas: dict[bytes, list[int]] = {bytes(relay): [], bytes(record): []}
            headers = 0
            seen: set[bytes] = set()
            for log in pw3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": address}):
                topic = bytes(log["topics"][0])
                if topic == bytes(relay):
                    headers += 1
                if topic in gas and bytes(log["transactionHash"]) not in seen:
                    seen.add(bytes(log["transactionHash"]))
                    receipt = pw3.eth.get_transaction_receipt(log["transactionHash"])
                    gas[topic].append(int(receipt["gasUsed"]))
            emit("recognition", "gas_per_relayed_header", sum(gas[bytes(relay)]) / headers, "gas")
            records = gas[bytes(record)]
            emit("recognition", "gas_per_record", sum(records) / len(records), "gas")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


BENCH_DATABASES = os.environ.get("BENCH_PAGES_DB", "both")
"""The index databases the pages and rebuild benches measure: sqlite, postgres or both."""


def _bench_databases(stack: contextlib.ExitStack, tmp: Path) -> list[tuple[str, str]]:
    """(name, URL) of each database of ``BENCH_DATABASES``, each empty; a PostgreSQL server is
    started for the bench (and stopped by ``stack``)."""
    from registry.devtools import private_postgres

    chosen = ["sqlite", "postgres"] if BENCH_DATABASES == "both" else [BENCH_DATABASES]
    found = []
    for name in chosen:
        if name == "sqlite":
            path = tmp / f"bench-{time.monotonic_ns()}.db"
            found.append((name, f"sqlite:///{path}"))
        else:
            assert name == "postgres", f"BENCH_PAGES_DB: sqlite, postgres or both, not {name}"
            found.append((name, stack.enter_context(private_postgres())))
    return found


PAGES_THEMES = [
    ("港口", "port"),
    ("物流", "logistics"),
    ("气象", "weather"),
    ("医疗", "medical"),
    ("交通", "traffic"),
    ("能源", "energy"),
    ("金融", "finance"),
    ("农业", "farming"),
    ("电力", "power"),
    ("航运", "shipping"),
]
"""The seeded names' themes: each in a tenth of the register."""
PAGES_SEED_CHUNK = 20_000
PAGES_SAMPLES = int(os.environ.get("BENCH_PAGES_SAMPLES", "60"))
"""Requests of each shape (deep page, asset page, each kind of search)."""


def _pages_rows(first: int, last: int, rng: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """Assets ``first``..``last`` as the follower writes them, and their manifests' names."""
    holder = dev_account(4).address
    rows, names = [], []
    for i in range(first, last + 1):
        digest = "0x" + hashlib.sha256(f"page-{i}".encode()).hexdigest()
        zh, en = rng.choice(PAGES_THEMES)
        rows.append(
            {
                "asset_id": i,
                "holder": holder,
                "region": rng.choice([370200, 321000, 330700]),
                "kind": i % 2,
                "classification": 0,
                "status": 5,
                "manifest_hash": digest,
                "manifest_cid": digest,
                "cid_codec": 0x55,
                "version": 1,
                "frozen": False,
                "pledgee": None,
                "open_objections": 0,
                "applied_at": 1_700_000_000 + i * 600,
                "notice_ends_at": None,
                "issued_at": 1_700_000_000 + i * 600,
                "expires_at": 2_000_000_000,
                "certificate_id": None,
                "updated_block": 1,
            }
        )
        names.append((digest, f"{zh}数据集第{i}号", f"{en.title()} dataset {i}", "{}"))
    return rows, names


def _seed_pages(engine: Any, count: int, rng: Any) -> float:
    """``count`` assets and their manifests straight into the index (the read path is what is
    measured), in chunks: COPY on PostgreSQL, many-row inserts on SQLite (whose triggers fill
    the name index as the follower's writes do). Returns the seconds it took."""
    import sqlalchemy as sa

    from registry.index.schema import assets, manifests

    start = time.perf_counter()
    columns = [c.name for c in manifests.columns]
    for first in range(1, count + 1, PAGES_SEED_CHUNK):
        rows, names = _pages_rows(first, min(count, first + PAGES_SEED_CHUNK - 1), rng)
        if engine.dialect.name == "postgresql":
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cur:
                    fields = ", ".join(rows[0])
                    with cur.copy(f"COPY assets ({fields}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(tuple(row.values()))
                    with cur.copy(f"COPY manifests ({', '.join(columns)}) FROM STDIN") as copy:
                        for name in names:
                            copy.write_row(name)
                raw.commit()
            finally:
                raw.close()
        else:
            with engine.begin() as conn:
                conn.execute(sa.insert(assets), rows)
                conn.execute(
                    sa.insert(manifests),
                    [dict(zip(columns, (h, zh, en, {}), strict=True)) for h, zh, en, _ in names],
                )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE assets")
            conn.exec_driver_sql("VACUUM ANALYZE manifests")
    return time.perf_counter() - start


def _pages_searches(count: int, rng: Any) -> dict[str, list[str]]:
    """Texts searched for, by kind: Chinese and English of 1, 2 and 3 or more characters, half
    of them common (a theme's, in a tenth of the names or more), half in few names or none."""
    zh = [t for t, _ in PAGES_THEMES]
    en = [t for _, t in PAGES_THEMES]

    def mixed(common: Any, rare: Any) -> list[str]:
        return [common() if i % 2 else rare() for i in range(PAGES_SAMPLES)]

    return {
        "zh_1": mixed(lambda: rng.choice(rng.choice(zh)), lambda: rng.choice("鑫龘垚")),
        "zh_2": mixed(lambda: rng.choice(zh), lambda: rng.choice(["鑫龙", "数港", "号港"])),
        "zh_3plus": mixed(
            lambda: rng.choice(zh) + "数据集", lambda: f"第{rng.randint(1, count)}号"
        ),
        "en_1": mixed(lambda: rng.choice("aeiost"), lambda: rng.choice("qzj")),
        "en_2": mixed(lambda: rng.choice(["po", "ER", "in"]), lambda: rng.choice(["qx", "zz"])),
        "en_3plus": mixed(
            lambda: rng.choice(en).upper(), lambda: f"dataset {rng.randint(1, count)}"
        ),
    }


def bench_pages() -> None:
    """The register's pages over ``BENCH_PAGES_ASSETS`` indexed assets on each database of
    ``BENCH_PAGES_DB``: the seeding's seconds, then p95 of searches (by kind), a deep page
    and an asset page; then Chromium's hashing on the verification page."""
    import random
    import threading

    import httpx
    import uvicorn

    from registry.chain.node import free_port
    from registry.config import Settings
    from registry.server import Runtime, StaffKeys

    count = int(os.environ.get("BENCH_PAGES_ASSETS", "100000"))
    admin, registrar, reviewer, anchorer = (dev_account(i) for i in range(4))
    artifacts = compile_contracts(ROOT)
    with (
        contextlib.ExitStack() as stack,
        fresh_chain(artifacts, admin=admin, registrars=(registrar.address,)) as chain,
    ):
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        site = None
        for db, url in _bench_databases(stack, tmp):
            rng = random.Random(7)
            data = tmp / db
            data.mkdir()
            runtime = Runtime(
                Settings(data_dir=data, index_url=url),
                chain.w3,
                chain.deployment,
                artifacts,
                StaffKeys(registrar, reviewer, anchorer),
            )
            emit(
                "pages", f"{db}_seed_s_{count}_assets", _seed_pages(runtime.engine, count, rng), "s"
            )
            port = free_port()
            server = uvicorn.Server(
                uvicorn.Config(runtime.app(), host="127.0.0.1", port=port, log_level="warning")
            )
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.05)
            try:
                shapes = {
                    f"search_{kind}": [f"/?q={q}" for q in texts]
                    for kind, texts in _pages_searches(count, rng).items()
                }
                shapes["search_page_deep"] = [
                    f"/?after={rng.randint(1, count)}" for _ in range(PAGES_SAMPLES)
                ]
                shapes["asset"] = [f"/a/{rng.randint(1, count)}" for _ in range(PAGES_SAMPLES)]
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                    searches: list[float] = []
                    for kind, paths in shapes.items():
                        samples = []
                        for path in paths:
                            begin = time.perf_counter()
                            assert http.get(path).status_code == 200, path
                            samples.append((time.perf_counter() - begin) * 1000)
                        if kind.startswith("search_") and kind != "search_page_deep":
                            searches += samples
                        emit("pages", f"{db}_{kind}_p95_ms_{count}_assets", _p95(samples), "ms")
                    emit("pages", f"{db}_search_p95_ms_{count}_assets", _p95(searches), "ms")
                if site is None:
                    site = f"http://127.0.0.1:{port}"
                    _browser_hash_rate(site)
            finally:
                server.should_exit = True
                thread.join(10)
                runtime.stop()


def _browser_hash_rate(site: str) -> None:
    from playwright.sync_api import sync_playwright

    size = int(os.environ.get("BENCH_HASH_MIB", "1024")) << 20
    with tempfile.TemporaryDirectory() as tmp:
        path, baseline = _random_file(Path(tmp), size)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            # The page's CSP forbids eval, which Playwright's polling uses; the page's own scripts
            # run as they do for anyone.
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(f"{site}/verify")
            # Measure the hashing only: keep the page from submitting when it is done.
            page.evaluate("document.getElementById('verify-form').submit = () => {}")
            page.set_input_files("#file", str(path))
            page.wait_for_function(
                "document.getElementById('verify-page').dataset.lastHashSeconds", timeout=600_000
            )
            seconds = float(
                page.evaluate("document.getElementById('verify-page').dataset.lastHashSeconds")
            )
            browser.close()
    emit("pages", "browser_sha256_seconds_1gib", seconds, "s", baseline)
    emit(
        "pages",
        "browser_sha256_throughput",
        size / seconds / 2**20,
        "MiB/s",
        size / baseline / 2**20,
    )


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share) - 1))]


def _rss_mib(pid: int, field: str = "VmRSS") -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) / 1024


VERIFY = "/v1/verify/file"


def bench_uploads() -> None:
    import httpx

    from registry.api.keys import ApiKeys, Role
    from registry.config import Settings
    from registry.index import open_engine

    clients = int(os.environ.get("BENCH_UPLOAD_CLIENTS", "20"))
    upload_mib = int(os.environ.get("BENCH_UPLOAD_MIB", "100"))
    report_mib = int(os.environ.get("BENCH_REPORT_MIB", "200"))
    admin, registrar, reviewer, anchorer = (dev_account(i) for i in range(4))
    artifacts = compile_contracts(ROOT)
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_chain(
            artifacts,
            admin=admin,
            registrars=(registrar.address,),
            reviewers=(reviewer.address,),
            anchorers=(anchorer.address,),
        ) as chain,
    ):
        data = Path(tmp) / "service"
        data.mkdir()
        chain.deployment.save(data / "deployment.json")
        secret = ApiKeys(open_engine(Settings(data_dir=data).database_url)).create(
            Role.REGISTRAR, 370200
        )[1]
        upload, _ = _random_file(Path(tmp), upload_mib << 20)
        with upload.open("rb") as f:
            digest = "0x" + hashlib.file_digest(f, "sha256").hexdigest()
        staff = (registrar, reviewer, anchorer)

        def uploads_round(url: str) -> tuple[list[float], list[float], float]:
            """`GET /healthz` latencies idle and while ``clients`` upload the file at once, and
            the seconds the uploads took."""

            def probe(samples: list[float], going: Any) -> None:
                """Times `GET /healthz` every 10 ms while ``going()``."""
                with httpx.Client(base_url=url, timeout=60) as http:
                    while going():
                        start = time.perf_counter()
                        assert http.get("/healthz").status_code == 200
                        samples.append((time.perf_counter() - start) * 1000)
                        time.sleep(0.01)

            def uploading() -> None:
                # curl, not a thread of this process: twenty uploading threads here would
                # hold the GIL the prober needs, and time this process, not the service.
                answer = subprocess.run(
                    ["curl", "-sS", "--max-time", "600", "-F", f"file=@{upload}", url + VERIFY],
                    capture_output=True,
                    check=True,
                )
                assert json.loads(answer.stdout)["verified"], answer.stdout[:500]

            idle: list[float] = []
            probe(idle, lambda: len(idle) < 200)
            done = threading.Event()
            busy: list[float] = []
            prober = threading.Thread(target=probe, args=(busy, lambda: not done.is_set()))
            threads = [threading.Thread(target=uploading) for _ in range(clients)]
            start = time.perf_counter()
            for t in (*threads, prober):
                t.start()
            for t in threads:
                t.join(900)
            seconds = time.perf_counter() - start
            done.set()
            prober.join(60)
            return idle, busy, seconds

        # Side by side on one chain: the service with a slot per client (no bound), then with
        # its default slots.
        rounds: dict[str, tuple[list[float], list[float], float]] = {}
        for bound, settings in (("unbounded", {"upload_slots": str(clients)}), ("bounded", {})):
            with _service(data, chain.node.url, staff, **settings) as (server, url):
                if not rounds:
                    # The file's hash is anchored first, so each verification reads the chain
                    # and the index as a real one does.
                    key = {"Authorization": f"Bearer {secret}"}
                    assert httpx.post(f"{url}/v1/evidence", json={"hash": digest}, headers=key)
                    for _ in range(600):
                        answer = httpx.get(f"{url}/v1/evidence/{digest}").json()
                        if answer["status"] == "anchored":
                            break
                        time.sleep(0.1)
                rounds[bound] = uploads_round(url)
                if bound == "bounded":
                    peak, before = _report_checks(url, digest, Path(tmp), report_mib, server.pid)
                    emit("uploads", "service_peak_rss_mib_3_report_checks", peak, "MiB", before)
                    emit("uploads", "service_vm_hwm_mib", _rss_mib(server.pid, "VmHWM"), "MiB")
        (idle, busy, seconds), (_, unbounded, unbounded_seconds) = (
            rounds["bounded"],
            rounds["unbounded"],
        )
        for kind, share in (("p50", 0.5), ("p99", 0.99)):
            # The baseline is the same figure without the bound.
            emit(
                "uploads",
                f"healthz_{kind}_ms_while_uploading",
                _percentile(busy, share),
                "ms",
                _percentile(unbounded, share),
            )
            emit("uploads", f"healthz_{kind}_ms_idle", _percentile(idle, share), "ms")
        emit("uploads", "healthz_max_ms_while_uploading", max(busy), "ms", max(unbounded))
        emit("uploads", "healthz_samples_while_uploading", len(busy), "requests")
        emit(
            "uploads",
            "verified_upload_throughput",
            clients * upload_mib / seconds,
            "MiB/s",
            clients * upload_mib / unbounded_seconds,
        )


def _report_checks(url: str, digest: str, tmp: Path, mib: int, pid: int) -> tuple[float, float]:
    """The service's peak and starting RSS (MiB) while three clients check a ``mib`` MiB
    report at once against a signature of the service's."""
    import httpx

    issued = httpx.post(f"{url}/v1/verify/report", json={"hash": digest}, timeout=60)
    assert issued.status_code == 201, issued.text
    signature = httpx.get(f"{url}/v1/reports/{issued.json()['id']}/signature").text
    (tmp / "report").mkdir()
    report, _ = _random_file(tmp / "report", mib << 20)
    before = _rss_mib(pid)
    peak = [before]

    def checking() -> None:
        with httpx.Client(base_url=url, timeout=600) as client, report.open("rb") as f:
            answer = client.post(
                "/v1/reports/check",
                files={"file": ("report.pdf", f, "application/pdf")},
                data={"signature": signature},
            )
            assert answer.status_code == 200, answer.text

    checks = [threading.Thread(target=checking) for _ in range(3)]
    for t in checks:
        t.start()
    while any(t.is_alive() for t in checks):
        peak.append(_rss_mib(pid))
        time.sleep(0.02)
    return max(peak), before


SCALE_SIZES = [int(n) for n in os.environ.get("BENCH_SCALE_SIZES", "1000,10000,100000").split(",")]
SCALE_CLIENTS = 8
SCALE_EACH = int(os.environ.get("BENCH_SCALE_EACH", "25"))
"""Applications each of the 8 clients files (and waits for) at each size."""


_SCALE_UNITS = {"s": "s", "ms": "ms", "mib": "MiB", "second": "applications/s"}
"""Units of the scale bench's figures, by their name's last part."""


class _Up:
    """`registry up` (what ./scripts/run starts) in a data directory, on free ports, in a
    session of its own; its console in ``console.log``."""

    def __init__(self, data: Path) -> None:
        from registry.chain.node import free_port

        self.data, self.api_port, self.chain_port = data, free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.rpc = f"http://127.0.0.1:{self.chain_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Starts it; returns the seconds until ``/healthz`` answered."""
        import httpx

        env = {**os.environ, "REGISTRY_DATA_DIR": str(self.data)}
        env["REGISTRY_API_PORT"] = str(self.api_port)
        start = time.perf_counter()
        with open(self.data / "console.log", "ab") as console:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "registry.cli", "up", "--chain-port", str(self.chain_port)],
                env=env,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while True:
            assert self.process.poll() is None, (self.data / "console.log").read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return time.perf_counter() - start
            except httpx.HTTPError:
                time.sleep(0.2)

    def node_pid(self) -> int:
        """The chain node's PID: anvil, or Node.js running EDR."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        (node,) = [
            int(c) for c in children if Path(f"/proc/{c}/exe").resolve().name in ("anvil", "node")
        ]
        return node

    def registry(self) -> Registry:
        """The registry it deployed, on its chain (long timeouts: a block can take seconds)."""
        from registry.chain import Deployment
        from registry.chain.deploy import load_artifacts

        return Registry.connect(
            Web3(Web3.HTTPProvider(self.rpc, request_kwargs={"timeout": 600})),
            Deployment.load(self.data / "deployment.json"),
            load_artifacts(ROOT / "build" / "contracts"),
        )

    def block_ms(self) -> float:
        """The cost per block `registry up` printed at its last start."""
        line = [x for x in (self.data / "console.log").read_text().splitlines() if "mines a" in x]
        return float(line[-1].rsplit(" in ", 1)[1].split()[0])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(600)

    def caught_up(self) -> float:
        """Seconds until the index has read the chain's head."""
        import httpx

        start = time.perf_counter()
        while True:
            health = httpx.get(f"{self.url}/healthz", timeout=30).json()
            if (health["indexed_block"] or 0) >= health["chain_head"]:
                return time.perf_counter() - start
            time.sleep(0.1)


def _grow_register(
    reg: Registry, holder: Any, target: int, *, per_tx: int = 100, window: int | None = None
) -> float:
    """Grows the register to ``target`` assets by ``holder``'s own applications (it sends them,
    so no consent is signed), ``per_tx`` to a multicall, ``window`` multicalls sent at a time
    and the last of them waited for (``None``: all at once, which the block journal of
    ``registry up`` mines in as few blocks as its gas limit allows; a window keeps an automining
    node's pool small). Returns the seconds it took."""
    w3 = reg.chain.w3
    start = time.perf_counter()
    nonce = w3.eth.get_transaction_count(holder.address, "pending")
    signed: list[bytes] = []
    for first in range(reg.assets.asset_count(), target, per_tx):
        calls = [
            reg.assets.encode_submit_application(application(holder.address, f"grow-{i}"), DIRECT)
            for i in range(first, min(target, first + per_tx))
        ]
        tx = {
            "to": reg.assets.address,
            "data": reg.assets.encode("multicall", calls),
            "gas": per_tx * 160_000,
            "nonce": nonce,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
            "chainId": w3.eth.chain_id,
        }
        nonce += 1
        signed.append(bytes(holder.sign_transaction(tx).raw_transaction))
        if window is not None and len(signed) == window:
            _send_raw(w3, signed)
            signed = []
    if signed:
        _send_raw(w3, signed)
    assert reg.assets.asset_count() == target, reg.assets.asset_count()
    return time.perf_counter() - start


def _closed_loop(
    url: str, secret: str, work: list[list[dict[str, Any]]]
) -> tuple[float, list[float]]:
    """Each client files its applications one at a time, each polled until confirmed; returns
    applications per second and each one's seconds from its POST to confirmed."""
    import httpx

    latencies: list[float] = []
    go = threading.Barrier(len(work) + 1)

    def client(bodies: list[dict[str, Any]]) -> None:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=120
        ) as http:
            http.get("/healthz")
            go.wait()
            for body in bodies:
                start = time.perf_counter()
                r = http.post("/v1/assets", json=body)
                assert r.status_code == 202, r.text
                op = r.json()["id"]
                while (status := http.get(f"/v1/operations/{op}").json()["status"]) != "confirmed":
                    assert status != "failed", op
                    time.sleep(0.01)
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client, args=(b,)) for b in work]
    for t in threads:
        t.start()
    go.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return sum(len(b) for b in work) / (time.perf_counter() - start), latencies


def _verification_ms(url: str, registrar_secret: str, tag: str) -> list[float]:
    """Milliseconds of ``POST /v1/verify`` for 50 receipts of one anchored batch."""
    import httpx

    hashes = ["0x" + hashlib.sha256(f"{tag}-{i}".encode()).hexdigest() for i in range(50)]
    with httpx.Client(base_url=url, timeout=60) as http:
        for h in hashes:
            r = http.post(
                "/v1/evidence",
                json={"hash": h},
                headers={"Authorization": f"Bearer {registrar_secret}"},
            )
            assert r.status_code == 202, r.text
        while "block_hash" not in http.get(f"/v1/evidence/{hashes[-1]}").json():
            time.sleep(0.1)
        samples = []
        for h in hashes:
            start = time.perf_counter()
            assert http.post("/v1/verify", json={"hash": h}).status_code == 200
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_scale() -> None:
    """One chain of `registry up`, grown to each of ``SCALE_SIZES`` assets; at each, through
    the API: applications per second of 8 clients each waiting for confirmation, p50/p99 from
    application to confirmed, receipt verification p50/p99, start-up and index catch-up after a
    restart, the state on disk and the node's resident memory; then each figure at the largest
    size over the same at the smallest."""
    from registry.api.keys import ApiKeys, Role
    from registry.config import Settings
    from registry.index import open_engine

    figures: dict[int, dict[str, float]] = {}
    bench = f"scale_{engine()}"  # REGISTRY_ENGINE: the engine `registry up` starts
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        keys = ApiKeys(open_engine(Settings(data_dir=data).database_url))
        holder_secret = keys.create(Role.HOLDER, 370200)[1]
        registrar_secret = keys.create(Role.REGISTRAR, 370200)[1]
        up = _Up(data)
        up.start()
        try:
            reg = up.registry()
            holders = [dev_account(10 + i) for i in range(SCALE_CLIENTS)]
            for size in SCALE_SIZES:
                f: dict[str, float] = {}
                f["grow_s"] = _grow_register(reg, dev_account(6), size)
                up.caught_up()
                work = [
                    _signed_bodies(reg, h, f"scale-{size}-{h.address}", SCALE_EACH) for h in holders
                ]
                f["applications_per_second"], latencies = _closed_loop(up.url, holder_secret, work)
                f["confirmed_p50_ms"] = _percentile(latencies, 0.5) * 1000
                f["confirmed_p99_ms"] = _percentile(latencies, 0.99) * 1000
                verify = _verification_ms(up.url, registrar_secret, f"scale-{size}")
                f["verify_p50_ms"] = _percentile(verify, 0.5)
                f["verify_p99_ms"] = _percentile(verify, 0.99)
                f["node_rss_mib"] = _rss_mib(up.node_pid())
                up.stop()
                chain = data / "chain"
                state = chain / "state.json"  # anvil's; EDR keeps none
                f["state_file_mib"] = state.stat().st_size / 2**20 if state.exists() else 0.0
                f["block_journal_mib"] = (
                    sum(p.stat().st_size for p in chain.glob("blocks.db*")) / 2**20
                )
                f["restart_s"] = up.start()
                f["index_catch_up_s"] = up.caught_up()
                f["block_ms"] = up.block_ms()
                figures[size] = f
                for metric, value in f.items():
                    emit(
                        bench,
                        f"{metric}_at_{size}",
                        value,
                        _SCALE_UNITS[metric.rsplit("_", 1)[-1]],
                    )
        finally:
            up.stop()
    small, large = min(figures), max(figures)
    if small != large:
        for metric in figures[large]:
            emit(
                bench,
                f"{metric}_{large}_over_{small}",
                figures[large][metric],
                "ratio",
                figures[small][metric],
            )


DURABILITY_ASSETS = int(os.environ.get("BENCH_DURABILITY_ASSETS", "100000"))
DURABILITY_BURST = 1000


def _post_until_accepted(http: Any, body: dict[str, Any], key: str) -> str:
    """Files one application, again under the same idempotency key through a service that is
    gone or restarting (refused connections, and the 503s of one that is stopping)."""
    import httpx

    deadline = time.monotonic() + 600
    while True:
        try:
            r = http.post("/v1/assets", json=body, headers={"Idempotency-Key": key})
            if r.status_code == 202:
                return str(r.json()["id"])
            assert r.status_code >= 500, r.text
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{key}: the service did not come back"
        time.sleep(0.05)


def bench_durability() -> None:
    """Issue 20's kill -9 at scale: `registry up` (``REGISTRY_ENGINE``) grown to
    ``DURABILITY_ASSETS``, a burst of 1,000 API applications from 8 clients with idempotency
    keys, the chain node killed with SIGKILL after 300 were accepted, and `registry up` starting
    it again by itself; then every application confirmed, the register exactly 1,000 larger and
    no manifest twice. Emits the seconds until the API answered again, the blocks replayed and
    the whole burst's seconds."""
    import httpx

    from registry.api.keys import ApiKeys, Role
    from registry.config import Settings
    from registry.index import open_engine

    bench = f"durability_{engine()}"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        secret = ApiKeys(open_engine(Settings(data_dir=data).database_url)).create(
            Role.HOLDER, 370200
        )[1]
        up = _Up(data)
        up.start()
        try:
            reg = up.registry()
            emit(bench, "grow_s", _grow_register(reg, dev_account(6), DURABILITY_ASSETS), "s")
            up.caught_up()
            holders = [dev_account(10 + i) for i in range(SCALE_CLIENTS)]
            each = DURABILITY_BURST // len(holders)
            work = [_signed_bodies(reg, h, f"durable-{h.address}", each) for h in holders]
            accepted: list[str] = []
            halfway = threading.Event()

            def client(k: int, bodies: list[dict[str, Any]]) -> None:
                with httpx.Client(
                    base_url=up.url, headers={"Authorization": f"Bearer {secret}"}, timeout=60
                ) as http:
                    for i, body in enumerate(bodies):
                        accepted.append(_post_until_accepted(http, body, f"durable-{k}-{i}"))
                        if len(accepted) >= 300:
                            halfway.set()

            start = time.perf_counter()
            threads = [threading.Thread(target=client, args=kb) for kb in enumerate(work)]
            for t in threads:
                t.start()
            assert halfway.wait(600)
            os.kill(up.node_pid(), signal.SIGKILL)
            killed = time.perf_counter()
            while True:
                time.sleep(0.2)
                console = (data / "console.log").read_text()
                if "starting it again" not in console:
                    continue
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{up.url}/healthz", timeout=5).status_code == 200:
                        break
            emit(bench, "api_back_after_kill_s", time.perf_counter() - killed, "s")
            for t in threads:
                t.join()
            with httpx.Client(base_url=up.url, timeout=60) as http:
                for op in accepted:
                    while (status := http.get(f"/v1/operations/{op}").json()["status"]) != (
                        "confirmed"
                    ):
                        assert status != "failed", op
                        time.sleep(0.05)
            emit(bench, "burst_s", time.perf_counter() - start, "s")
            replayed = [x for x in console.splitlines() if x.startswith("replayed ")]
            emit(bench, "blocks_replayed", float(replayed[-1].split()[1]) if replayed else 0, "")
            count = reg.assets.asset_count()
            manifests = {
                reg.assets.get_asset(i).manifest_hash
                for i in range(DURABILITY_ASSETS + 1, count + 1)
            }
            emit(bench, "assets_added", count - DURABILITY_ASSETS, "", DURABILITY_BURST)
            emit(bench, "distinct_manifests_added", len(manifests), "", DURABILITY_BURST)
            assert count - DURABILITY_ASSETS == len(manifests) == DURABILITY_BURST
        finally:
            up.stop()


REBUILD_ASSETS = int(os.environ.get("BENCH_REBUILD_ASSETS", "100000"))
REBUILD_DATA = os.environ.get("BENCH_REBUILD_DATA")
"""A data directory to keep the grown chain in (and reuse it from): growing 100,000 assets
takes longer than rebuilding their index, which is what is measured."""


def bench_rebuild() -> None:
    """`registry index rebuild` (what an operator runs) from a chain of `registry up` grown to
    ``REBUILD_ASSETS``, into a new index on each database of ``BENCH_PAGES_DB``: assets a
    second, the follower's progress bar included."""
    from registry.chain import Deployment

    with contextlib.ExitStack() as stack:
        data = Path(REBUILD_DATA or stack.enter_context(tempfile.TemporaryDirectory()))
        data.mkdir(parents=True, exist_ok=True)
        up = _Up(data)
        up.start()
        stack.callback(up.stop)
        reg = up.registry()
        w3 = reg.chain.w3
        if reg.assets.asset_count() < REBUILD_ASSETS:
            grown = _grow_register(reg, dev_account(6), REBUILD_ASSETS, per_tx=GROWTH_PER_TX)
            emit("rebuild", f"grow_s_to_{REBUILD_ASSETS}", grown, "s")
        count = reg.assets.asset_count()
        up.caught_up()
        blocks = w3.eth.block_number - Deployment.load(data / "deployment.json").block + 1
        for db, url in _bench_databases(stack, data):
            env = {**os.environ, "REGISTRY_DATA_DIR": str(data), "REGISTRY_RPC_URL": up.rpc}
            env["REGISTRY_INDEX_URL"] = url
            seconds = timed(
                lambda env=env: subprocess.run(
                    [sys.executable, "-m", "registry.cli", "index", "rebuild"],
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            )
            emit("rebuild", f"seconds_{db}_at_{count}", seconds, "s")
            emit("rebuild", f"assets_per_second_{db}_at_{count}", count / seconds, "assets/s")
            emit("rebuild", f"blocks_{db}_at_{count}", blocks, "blocks")


VERIFY_BATCHES = 200
"""Evidence batches the verification bench anchors (5 hashes each): one receipt per batch is
verified in turn, so consecutive verifications share no transaction or block."""
VERIFY_RATE = 100
VERIFY_CLIENTS = 50
VERIFY_SECONDS = 10.0
GROWTH_PER_TX = 100
"""Applications per multicall when the bench grows the register: about 14 M gas, under the
transaction gas cap of EDR's hardfork (16,777,216, EIP-7825), which refused 150."""


def _seed_receipts(reg: Registry, data: Path, anchorer: Any) -> list[str]:
    """``VERIFY_BATCHES`` batches of evidence anchored through the service's own files (its
    outbox and evidence store, so the service finds them); one hash of each, 0x-hex."""
    from registry.chain.writer import ChainWriter
    from registry.config import Settings
    from registry.evidence import EvidenceBatcher

    settings = Settings(data_dir=data)
    writer = ChainWriter(reg.chain.w3, anchorer, settings.outbox_file, reg.chain.decoder)
    batcher = EvidenceBatcher(writer, reg.evidence, settings.evidence_file, max_wait=3600)
    try:
        chosen = []
        for b in range(VERIFY_BATCHES):
            hashes = [hashlib.sha256(b"verify bench %d %d" % (b, i)).digest() for i in range(5)]
            for h in hashes:
                batcher.add(h, "bench")
            assert batcher.cut(force=True)
            chosen.append(hashes[b % 5])
        for h in chosen:
            receipt = batcher.receipt(h)
            assert receipt is not None
            assert receipt.root is not None
            assert writer.wait(f"evidence-root-{receipt.root.hex()}").status == "confirmed"
    finally:
        batcher.close()
        writer.close()
    return ["0x" + h.hex() for h in chosen]


def _verify_load(url: str, hashes: list[str]) -> dict[str, float]:
    """p50/p99 at ``VERIFY_RATE`` a second (open loop), then throughput, p50 and p99 with
    ``VERIFY_CLIENTS`` clients each sending as fast as answered."""

    import httpx

    local = threading.local()

    def check(i: int) -> None:
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=url, timeout=60)
        answer = local.http.post("/v1/verify", json={"hash": hashes[i % len(hashes)]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["verified"], answer.text

    with ThreadPoolExecutor(VERIFY_CLIENTS) as pool:
        list(pool.map(check, range(len(hashes))))  # each receipt once, untimed
        latencies: list[float] = []

        def scheduled(i: int, at: float) -> None:
            check(i)
            latencies.append(time.perf_counter() - at)

        count = int(VERIFY_RATE * VERIFY_SECONDS)
        begin = time.perf_counter() + 0.1
        futures = []
        for i in range(count):
            at = begin + i / VERIFY_RATE
            time.sleep(max(0.0, at - time.perf_counter()))
            futures.append(pool.submit(scheduled, i, at))
        for f in futures:
            f.result()
    figures = {
        "p50_at_rate": _percentile(latencies, 0.5),
        "p99_at_rate": _percentile(latencies, 0.99),
    }

    saturated: list[float] = []
    go = threading.Barrier(VERIFY_CLIENTS + 1)
    done = [0.0]  # set once every client is ready

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            http.get("/healthz")
            go.wait()
            i = k
            while time.perf_counter() < done[0]:
                started = time.perf_counter()
                answer = http.post("/v1/verify", json={"hash": hashes[i % len(hashes)]})
                assert answer.status_code == 200, answer.text
                saturated.append(time.perf_counter() - started)
                i += VERIFY_CLIENTS

    threads = [threading.Thread(target=client, args=(k,)) for k in range(VERIFY_CLIENTS)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    done[0] = start + VERIFY_SECONDS
    go.wait()
    for t in threads:
        t.join()
    figures["saturated_per_s"] = len(saturated) / (time.perf_counter() - start)
    figures["p50_saturated"] = _percentile(saturated, 0.5)
    figures["p99_saturated"] = _percentile(saturated, 0.99)
    return figures


@contextmanager
def _staffed_chain() -> Any:
    """A fresh chain with dev keys 1-3 as registrar, reviewer and anchorer, and a data
    directory holding its deployment, for a `registry serve` (``_service``): the chain, the
    directory and the three staff accounts."""
    admin, registrar, reviewer, anchorer = (dev_account(i) for i in range(4))
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_chain(
            compile_contracts(ROOT),
            admin=admin,
            registrars=(registrar.address,),
            reviewers=(reviewer.address,),
            anchorers=(anchorer.address,),
        ) as chain,
    ):
        data = Path(tmp)
        chain.deployment.save(data / "deployment.json")
        yield chain, data, (registrar, reviewer, anchorer)


def bench_verify() -> None:
    import httpx

    sizes = [int(n) for n in os.environ.get("BENCH_VERIFY_SIZES", "1000,100000").split(",")]
    holder = dev_account(5)
    with _staffed_chain() as (chain, data, (registrar, reviewer, anchorer)):
        hashes = _seed_receipts(chain.registry, data, anchorer)
        for size in sizes:
            grown = _grow_register(chain.registry, holder, size, per_tx=GROWTH_PER_TX, window=10)
            emit("verify", f"growth_seconds_to_{size}_assets", grown, "s")
            for kept in (True, False):
                # Idle connections kept for a minute: the clients wait between the phases, and
                # a request crossing the server's close of an idle one is reset.
                settings = {"http_keep_alive": "60"} | ({} if kept else {"verify_cache": "0"})
                with _service(
                    data, chain.node.url, (registrar, reviewer, anchorer), **settings
                ) as (
                    _server,
                    url,
                ):
                    while True:  # the index caught up, or its catching up is timed with the checks
                        # Patient: a follower catching up on 100,000 assets shares the node.
                        with contextlib.suppress(httpx.TimeoutException):
                            health = httpx.get(f"{url}/healthz", timeout=60).json()
                            if (health["indexed_block"] or 0) >= health["chain_head"]:
                                break
                        time.sleep(0.5)
                    figures = _verify_load(url, hashes)
                    # The machine's load while measured: the figures are relative to it.
                    figures["load_average"] = os.getloadavg()[0]
                label = "kept" if kept else "not_kept"
                for name, value in figures.items():
                    unit = {"saturated_per_s": "verifications/s", "load_average": "runnable"}.get(
                        name, "ms"
                    )
                    emit(
                        "verify",
                        f"{name}_{label}_at_{size}_assets",
                        value if unit != "ms" else value * 1000,
                        unit,
                    )


def bench_report() -> None:
    """The annual report (指引 art. 11) of a register of BENCH_REPORT_SIZE applications (2,000)
    seeded through the API and walked through the procedure, as JSON and as the signed PDF;
    each figure compared with a direct count of the chain's logs (a mismatch stops the bench)."""
    import httpx

    from registry.api.keys import ApiKeys, Role
    from registry.config import Settings
    from registry.index import open_engine
    from registry.times import beijing_date

    size = int(os.environ.get("BENCH_REPORT_SIZE", "2000"))
    accepted, issued = size // 4, size // 8
    holder = dev_account(5)
    with _staffed_chain() as (chain, data, (registrar, reviewer, anchorer)):
        reg, w3 = chain.registry, chain.w3
        keys = ApiKeys(open_engine(Settings(data_dir=data).database_url))
        secrets = {
            r: keys.create(r, 370200)[1] for r in (Role.HOLDER, Role.REVIEWER, Role.REGISTRAR)
        }
        with _service(data, chain.node.url, (registrar, reviewer, anchorer)) as (_server, url):

            def post_all(role: Role, paths: list[str]) -> None:
                """The acts at once from 8 clients (group commit shares their transactions),
                then their receipts."""
                headers = {"Authorization": f"Bearer {secrets[role]}"}
                with httpx.Client(base_url=url, headers=headers, timeout=120) as http:

                    def one(path: str) -> str:
                        r = http.post(path, json={} if path.endswith("approve") else None)
                        assert r.status_code == 202, r.text
                        return str(r.json()["tx_hash"])

                    with ThreadPoolExecutor(8) as pool:
                        sent = set(pool.map(one, paths))
                for tx in sent:
                    assert w3.eth.wait_for_transaction_receipt(tx, timeout=300)["status"] == 1  # type: ignore[arg-type]

            start = time.perf_counter()
            headers = {"Authorization": f"Bearer {secrets[Role.HOLDER]}"}
            sent: set[str] = set()
            with httpx.Client(base_url=url, headers=headers, timeout=300) as http:
                for first in range(0, size, 500):
                    bodies = _signed_bodies(reg, holder, f"report-{first}", min(500, size - first))
                    r = http.post("/v1/assets/batch", json=bodies)
                    assert r.status_code == 202, r.text
                    sent |= {str(op["tx_hash"]) for op in r.json()}
            for tx in sent:
                assert w3.eth.wait_for_transaction_receipt(tx, timeout=300)["status"] == 1  # type: ignore[arg-type]
            ids = list(range(1, size + 1))
            post_all(Role.REVIEWER, [f"/v1/assets/{i}/accept" for i in ids[:accepted]])
            post_all(Role.REVIEWER, [f"/v1/assets/{i}/approve" for i in ids[:issued]])
            # Past the notice of 5 working days (a week holds at most 5; two are ample).
            w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [14 * 86400])
            w3.provider.make_request(RPCEndpoint("evm_mine"), [])
            post_all(Role.REGISTRAR, [f"/v1/assets/{i}/issue" for i in ids[:issued]])
            emit("report", f"seeding_seconds_{size}_applications", time.perf_counter() - start, "s")
            head = w3.eth.block_number
            registrar_headers = {"Authorization": f"Bearer {secrets[Role.REGISTRAR]}"}
            with httpx.Client(base_url=url, headers=registrar_headers, timeout=300) as http:
                while (http.get("/healthz").json()["indexed_block"] or 0) < head:
                    time.sleep(0.2)
                year = beijing_date(int(w3.eth.get_block("latest")["timestamp"])).year
                at = {"at": int(w3.eth.get_block("latest")["timestamp"])}
                for form, path in (
                    ("json", f"/v1/disclosure/annual/{year}"),
                    ("pdf", f"/v1/disclosure/annual/{year}/pdf"),
                ):
                    samples = []
                    for _ in range(3):
                        t = time.perf_counter()
                        r = http.get(path, params=at)
                        samples.append(time.perf_counter() - t)
                        assert r.status_code == 200, r.text
                    emit(
                        "report", f"annual_{form}_seconds_at_{size}_applications", max(samples), "s"
                    )
                    if form == "json":
                        totals = r.json()["year_totals"]
                    else:
                        emit(
                            "report",
                            f"annual_pdf_bytes_at_{size}_applications",
                            len(r.content),
                            "B",
                        )
            events = reg.assets.contract.events
            for key, name in (
                ("applications.initial", "Applied"),
                ("accepted", "ApplicationAccepted"),
                ("completed", "RegistrationIssued"),
            ):
                direct = len(getattr(events, name).get_logs(from_block=0))
                assert totals[key]["value"] == direct, (key, totals[key]["value"], direct)
                emit("report", f"{key}_counted_equals_logs", direct, "events")


def bench_gas() -> None:
    for op, gas in json.loads((ROOT / "tests" / "gas-snapshot.json").read_text()).items():
        emit("gas", op, gas, "gas")


if __name__ == "__main__":
    selected = sys.argv[1:] or [
        "compile",
        "hash",
        "chain",
        "api",
        "evidence",
        "recognition",
        "pages",
        "uploads",
        "scale",
        "rebuild",
        "durability",
        "verify",
        "report",
        "gas",
    ]
    for name in selected:
        globals()[f"bench_{name}"]()
