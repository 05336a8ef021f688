"""`registry right ...`: processing and operating rights. The acts' commands (grant, revoke,
annul, licence) are made from the act table (``registry.cli.acts``); here is the read."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli import acts
from registry.cli.app import app
from registry.cli.assets import asset
from registry.cli.remote import DEFAULT_API, ApiUrl, connected, show

right = typer.Typer(help="Processing (加工使用权) and operating (产品经营权) rights.")
app.add_typer(right, name="right")
acts.install({"asset": asset, "right": right})


@right.command("of")
def of_account(
    address: str,
    at: Annotated[int | None, typer.Option(help="Unix time (default now).")] = None,
    api: ApiUrl = DEFAULT_API,
) -> None:
    """What an account holds and is licensed to do."""
    with connected(api, None) as client:
        show(client.account_rights(address, at), True)
