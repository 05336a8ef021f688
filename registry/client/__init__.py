"""Clients of the registry: HTTP, and a holder's consents signed on the holder's machine.

Names load their modules on first use (PEP 562): the HTTP client alone does not need the
signing stack, which costs the command line about a second to import."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.client.consents import HolderSigner
    from registry.client.http import ApiError, RegistryClient, RegistryError, UnreachableError

_HOMES = {
    "ApiError": "http",
    "HolderSigner": "consents",
    "RegistryClient": "http",
    "RegistryError": "http",
    "UnreachableError": "http",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"registry.client.{_HOMES[name]}"), name)


__all__ = ["ApiError", "HolderSigner", "RegistryClient", "RegistryError", "UnreachableError"]
