"""Clients of the registry: HTTP, and a holder's consents signed on the holder's machine."""

from registry.client.consents import HolderSigner
from registry.client.http import ApiError, RegistryClient

__all__ = ["ApiError", "HolderSigner", "RegistryClient"]
