"""The ``registry`` command: one module per concern registers its commands on ``app``."""

from registry.cli import (  # noqa: F401  (they register commands)
    admin,
    assets,
    chain,
    consents,
    content,
    federation,
    records,
    rights,
    service,
)
from registry.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
