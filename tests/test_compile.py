"""`registry compile` (py-solc-x) and `hardhat build` produce identical bytecode."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from registry.chain.compiler import DELEGATES, served_abi
from tests.conftest import ROOT


def test_compile_matches_hardhat_bytecode(tmp_path: Path) -> None:
    out = tmp_path / "artifacts"
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "registry"), "compile", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PATH": f"{ROOT / 'node_modules' / 'node' / 'bin'}:{os.environ['PATH']}"}
    subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "hardhat"), "build"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    ours = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert set(ours) == {
        "Annotations",
        "AssetRegistry",
        "Certificates",
        "EvidenceAnchor",
        "RecognitionRegistry",
        "RegistrationProcedure",
        "RegistrationTypes",
        "RegistryRoles",
        "RightsRegistry",
        "WorkCalendar",
    }
    for name, artifact in ours.items():
        source = Path(artifact["sourceName"].removeprefix("project/"))
        theirs = json.loads(
            (ROOT / "build" / "hardhat" / "artifacts" / source / f"{name}.json").read_text()
        )
        assert artifact["deployedBytecode"] == theirs["deployedBytecode"], name
        assert artifact["bytecode"] == theirs["bytecode"], name
        # AssetRegistry's ABI is what its address serves: its own and its modules'.
        abi = theirs["abi"]
        if name in DELEGATES:
            abi = served_abi(abi, ours[DELEGATES[name]]["abi"])
        assert artifact["abi"] == abi, name
