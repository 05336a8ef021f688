"""The chain side: compile, deploy, the local node, typed contract clients and signing."""

from registry.chain.client import Chain
from registry.chain.deploy import Deployment, Registry, deploy, load_artifacts
from registry.chain.errors import ContractError
from registry.chain.node import AnvilNode

__all__ = [
    "AnvilNode",
    "Chain",
    "ContractError",
    "Deployment",
    "Registry",
    "deploy",
    "load_artifacts",
]
