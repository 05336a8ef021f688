"""Compile the contracts with py-solc-x through the npm solc package.

No native solc can be installed on these machines, so ``scripts/solc`` stands in for it. The
standard-JSON input uses Hardhat 3's source names (``project/...`` and
``npm/<package>@<version>/...``) and the settings of ``hardhat.config.js``, so both tools produce
identical bytecode, metadata hash included.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import solcx

SOLC_VERSION = "0.8.28"
EVM_VERSION = "cancun"
OPTIMIZER_RUNS = 200
OPENZEPPELIN = "@openzeppelin/contracts"


class CompileError(RuntimeError):
    """The compiler reported errors; the message holds them, formatted."""


@dataclass(frozen=True)
class Artifact:
    """What deploying and calling a contract needs."""

    name: str
    source: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    compiler: str

    def to_json(self) -> dict[str, Any]:
        return {
            "contractName": self.name,
            "sourceName": self.source,
            "abi": self.abi,
            "bytecode": self.bytecode,
            "deployedBytecode": self.deployed_bytecode,
            "compiler": self.compiler,
        }


def _package_version(node_modules: Path, package: str) -> str:
    manifest = json.loads((node_modules / package / "package.json").read_text())
    return str(manifest["version"])


def standard_input(project_root: Path, source_dirs: Iterable[Path] = ()) -> dict[str, Any]:
    """Standard-JSON input for every `.sol` file under `contracts/` and `source_dirs`."""
    oz = f"npm/{OPENZEPPELIN}@{_package_version(project_root / 'node_modules', OPENZEPPELIN)}/"
    sources: dict[str, dict[str, str]] = {}
    for directory in (project_root / "contracts", *source_dirs):
        for path in sorted(directory.rglob("*.sol")):
            name = "project/" + path.relative_to(project_root).as_posix()
            sources[name] = {"content": path.read_text(encoding="utf-8")}
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "evmVersion": EVM_VERSION,
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "remappings": [f"project/:{OPENZEPPELIN}/={oz}"],
            "outputSelection": {
                "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}
            },
        },
    }


def compile_contracts(project_root: Path, source_dirs: Iterable[Path] = ()) -> dict[str, Artifact]:
    """Compile and return the project's own contracts (not dependencies) by name."""
    wrapper = project_root / "scripts" / "solc"
    try:
        output = solcx.compile_standard(
            standard_input(project_root, source_dirs),
            solc_binary=wrapper,
            allow_empty=True,
            base_path=str(project_root),
        )
    except solcx.exceptions.SolcError as exc:
        raise CompileError(
            _error_messages(json.loads(exc.stdout_data or "{}")) or str(exc)
        ) from None
    version = solcx.wrapper.get_solc_version(wrapper, with_commit_hash=True)
    artifacts: dict[str, Artifact] = {}
    for source, contracts in output["contracts"].items():
        if not source.startswith("project/"):
            continue
        for name, data in contracts.items():
            bytecode = data["evm"]["bytecode"]["object"]
            if not bytecode or not data["abi"]:
                continue  # interfaces, and libraries of internal functions only
            artifacts[name] = Artifact(
                name=name,
                source=source,
                abi=data["abi"],
                bytecode="0x" + bytecode,
                deployed_bytecode="0x" + data["evm"]["deployedBytecode"]["object"],
                compiler=str(version),
            )
    for name, delegate in DELEGATES.items():
        if name in artifacts and delegate in artifacts:
            own = artifacts[name]
            artifacts[name] = replace(own, abi=served_abi(own.abi, artifacts[delegate].abi))
    return artifacts


DELEGATES = {"RegistrationProcedure": "RegistrationTypes", "AssetRegistry": "RegistrationProcedure"}
"""Contracts that delegate what they do not implement to a module (for EIP-170's size limit):
the ABI written for the contract is the one its address serves, its own and the module's. The
procedure module delegates in turn to the module of the later registration types, so it comes
first: AssetRegistry's ABI then has both modules'."""


def served_abi(own: list[dict[str, Any]], delegated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``own`` and what ``delegated`` adds to it (not its constructor, nor what both inherit)."""

    def key(item: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
        inputs = tuple(str(i["type"]) for i in item.get("inputs", ()))
        return str(item["type"]), str(item.get("name", "")), inputs

    seen = {key(item) for item in own}
    extra = [i for i in delegated if i["type"] != "constructor" and key(i) not in seen]
    return [*own, *extra]


def _error_messages(output: dict[str, Any]) -> str:
    return "\n".join(
        e.get("formattedMessage", e["message"])
        for e in output.get("errors", [])
        if e.get("severity") == "error"
    )


def write_artifacts(artifacts: dict[str, Artifact], build_dir: Path) -> list[Path]:
    build_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, artifact in sorted(artifacts.items()):
        path = build_dir / f"{name}.json"
        # Whole or not at all: a registry starting while the artifacts are written (another
        # test worker, a second terminal) reads the old file or the new, never half of one.
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(artifact.to_json(), indent=2) + "\n")
        os.replace(partial, path)
        written.append(path)
    return written


def load_artifact(build_dir: Path, name: str) -> Artifact:
    data = json.loads((build_dir / f"{name}.json").read_text())
    return Artifact(
        name=data["contractName"],
        source=data["sourceName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        compiler=data["compiler"],
    )
