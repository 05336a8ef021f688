"""The ``registry`` command: one module per concern registers its commands on ``app``."""

from registry.cli import chain  # noqa: F401  (registers its commands)
from registry.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
