"""The ``registry`` command: one module per concern registers its commands on ``app``."""

from registry.cli import admin, chain, content, service  # noqa: F401  (they register commands)
from registry.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
