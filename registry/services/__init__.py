"""The registry's operations, shared by the API, the CLI and the pages.

The names load their module on first use (PEP 562): the act table imports ``calls`` from here,
and the command line loads the table on every start without needing web3."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.services.registry import RegistryService, Staff

_HOMES = {"RegistryService": "registry", "Staff": "registry"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"registry.services.{_HOMES[name]}"), name)


__all__ = ["RegistryService", "Staff"]
