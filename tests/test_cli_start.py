"""The `registry` command starts without the heavy libraries: every start loads every command
module, and web3, eth-account and SQLAlchemy at module level took 1.5 of its 2.4 seconds."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("web3", "eth_account", "sqlalchemy", "fastapi", "solcx")


def test_command_line_loads_no_heavy_library_until_a_command_needs_it() -> None:
    probe = f"import sys, registry.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
