"""The ``registry`` command: one module per concern registers its commands on ``app``.

Every start loads every command module, so they import web3, eth-account, SQLAlchemy and the
server inside the commands that use them (at module level those took 1.5 of 2.4 seconds)."""

from registry.cli import (  # noqa: F401  (they register commands)
    admin,
    assets,
    calendar,
    chain,
    consents,
    content,
    federation,
    forms,
    keystore,
    records,
    rights,
    service,
    succession,
)
from registry.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
