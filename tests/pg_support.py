"""A private PostgreSQL server for the tests, on 127.0.0.1, from Debian's postgresql package."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

from registry.chain.node import free_port


class Postgres:
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
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "registry", "-E", "UTF8")
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
