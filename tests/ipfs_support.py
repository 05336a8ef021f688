"""A real Kubo-RPC-compatible daemon for the integration tests: js-ipfs from npm (there is no
Kubo binary on the package registries), offline, on 127.0.0.1, stopped by its own PID."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules" / "node" / "bin" / "node"
JSIPFS = ROOT / "tests" / "ipfs-daemon" / "node_modules" / "ipfs" / "src" / "cli.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def ipfs_daemon(repo: Path) -> Iterator[str]:
    """Starts an offline daemon with its repository in ``repo``; yields its RPC URL."""
    env = {**os.environ, "IPFS_PATH": str(repo)}
    subprocess.run(
        [str(NODE), str(JSIPFS), "init", "--empty-repo"], env=env, check=True, capture_output=True
    )
    config_file = repo / "config"
    config = json.loads(config_file.read_text())
    api, rpc, gateway = _free_port(), _free_port(), _free_port()
    config["Addresses"].update(
        API=f"/ip4/127.0.0.1/tcp/{api}",
        RPC=f"/ip4/127.0.0.1/tcp/{rpc}",
        Gateway=f"/ip4/127.0.0.1/tcp/{gateway}",
        Swarm=[],
        Delegates=[],
    )
    config["Bootstrap"] = []
    config.setdefault("Discovery", {}).setdefault("MDNS", {})["Enabled"] = False
    config_file.write_text(json.dumps(config))
    log = (repo / "daemon.log").open("wb")
    process = subprocess.Popen(
        [str(NODE), str(JSIPFS), "daemon", "--offline"], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{api}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.post(f"{url}/api/v0/version", timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = (repo / "daemon.log").read_text()
                raise RuntimeError(f"IPFS daemon did not start: {log_text}")
            time.sleep(0.2)
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
