"""The chain side: compile, deploy, the local node, typed contract clients and signing.

The names below load their modules on first use (PEP 562): importing a light module of this
package (``types``, ``signing``) must not load web3, which the command line would pay for on
every start. The function ``deploy`` is imported from ``registry.chain.deploy``: here its name
would be taken by that module once loaded."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.chain.client import Chain
    from registry.chain.deploy import Deployment, Registry, load_artifacts
    from registry.chain.errors import ContractError
    from registry.chain.node import AnvilNode

_HOMES = {
    "AnvilNode": "node",
    "Chain": "client",
    "ContractError": "errors",
    "Deployment": "deploy",
    "Registry": "deploy",
    "load_artifacts": "deploy",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"registry.chain.{_HOMES[name]}"), name)


__all__ = [
    "AnvilNode",
    "Chain",
    "ContractError",
    "Deployment",
    "Registry",
    "load_artifacts",
]
