"""The registry's operations, shared by the API, the CLI and the pages."""

from registry.services.registry import RegistryService, Staff

__all__ = ["RegistryService", "Staff"]
