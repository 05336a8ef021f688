"""The README's walkthrough, run exactly as written against `registry up` (what ./scripts/run
starts); then Ctrl-C and start again, and every record is still there."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from registry.chain.node import free_port
from tests.conftest import ROOT, SESSION_GENESIS

pytestmark = pytest.mark.chain  # starts chain nodes of its own


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Walkthrough", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match is not None
    return match.group(1)


def start(env: dict[str, str], chain_port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "registry.cli", "up", "--chain-port", str(chain_port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    try:
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{env['REGISTRY_API_URL']}/healthz", timeout=1).is_success:
                    return process
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    except BaseException:
        # A start that never came up is stopped here, its chain and indexer with it: left
        # running, they outlived the failed test by an hour (seen on a loaded machine).
        interrupt(process)
        raise


def interrupt(process: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> None:
    """Ctrl-C, as a person at the terminal would (or a service manager's SIGTERM)."""
    os.kill(process.pid, sig)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def test_readme_walkthrough_registers_the_sample(tmp_path: Path) -> None:
    api_port, chain_port = free_port(), free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "REGISTRY_DATA_DIR": str(tmp_path / "data"),
        "REGISTRY_API_PORT": str(api_port),
        "REGISTRY_API_URL": f"http://127.0.0.1:{api_port}",
        "REGISTRY_RPC_URL": f"http://127.0.0.1:{chain_port}",
        # Months of published working days ahead whatever day the suite runs (from 25 December
        # 2026 today's would count the notice into 2027, whose calendar no library has yet).
        "REGISTRY_CHAIN_GENESIS": str(SESSION_GENESIS),
    }
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "samples", work / "samples")
    log = tmp_path / "up.log"
    service = start(env, chain_port, log)
    try:
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        out = run.stdout
        assert "asset id 1" in out
        number = re.search(r"^certificate (SJ[0-9]{13}): valid$", out, re.MULTILINE)
        assert number is not None, out
        assert number.group(1).startswith("SJ370"), "Qingdao numbers as center 0 in Shandong"
        assert "青岛港集装箱物流运营数据集" in out
        assert re.search(r"^grant id 0x[0-9a-f]{64}$", out, re.MULTILINE)
        pledge = r"^request [0-9a-f]{32}: pledge of asset 1 \(awaiting\)$"
        assert re.search(pledge, out, re.MULTILINE), out
        assert re.search(r"^evidence 0x[0-9a-f]{64}: anchored$", out, re.MULTILINE)
        assert "PASS  merkle_proof" in out
        assert "FAIL" not in out
        assert "proven: Data with this SHA-256 existed" in out
        linked = re.search(
            r"^linked: asset 1 \(file berth_schedule.csv\): (.*)$", out, re.MULTILINE
        )
        assert linked is not None, out
        assert "issued now; certificate" in linked.group(1)
        assert linked.group(1).endswith("valid")
        assert (work / "certificate.pdf").read_bytes().startswith(b"%PDF-")
        verified = "Verified: the evidence matches the receipt, and the receipt is on chain"
        assert re.search(rf"^report.pdf \({verified}; report hash 0x[0-9a-f]{{64}}\)$", out, re.M)
        assert "PASS  signed_by_service" in out

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            command = [sys.executable, "-m", "registry.cli", *args]
            return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)

        holder_key = cli("keys", "create", "--role", "holder").stdout.strip()
        refused = cli("asset", "revoke", "1", "--reason", "0x" + "11" * 32, "--key", holder_key)
        assert refused.returncode == 1
        assert "This key's role may not do this" in refused.stderr
        shown = cli("asset", "show", "1", "--json")
        assert json.loads(shown.stdout)["name_en"].startswith("Qingdao Port")
        bad = cli("asset", "show", "999")
        assert (bad.returncode, "No such asset" in bad.stderr) == (2, True)
    finally:
        interrupt(service)

    service = start(env, chain_port, log)
    try:
        answer = httpx.get(f"{env['REGISTRY_API_URL']}/v1/certificates/{number.group(1)}")
        assert answer.json()["status"] == "valid"
        assert httpx.get(f"{env['REGISTRY_API_URL']}/v1/assets/1").json()["status_name"] == "issued"
    finally:
        interrupt(service, signal.SIGTERM)
    assert service.returncode == 128 + signal.SIGTERM
    with socket.socket() as probe:  # the chain node went down with it
        assert probe.connect_ex(("127.0.0.1", chain_port)) != 0
