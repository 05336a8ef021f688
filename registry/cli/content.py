"""Content commands: the CID of a file, as Kubo's `ipfs add` would give it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from registry.cli.app import app
from registry.content import file_digest


@app.command()
def cid(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    cid_version: Annotated[int, typer.Option(min=0, max=1, help="0 (Qm...) or 1 (bafy...).")] = 0,
    verbose: Annotated[bool, typer.Option(help="Also print size and SHA-256.")] = False,
) -> None:
    """Print the CID of FILE (256 KiB chunks, balanced DAG, 174 links per node)."""
    size = file.stat().st_size
    with Progress(
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        transient=True,
        disable=size < 64 * 1024 * 1024,
    ) as progress:
        task = progress.add_task("hashing", total=size)
        digest = file_digest(file, cid_version, on_progress=lambda n: progress.advance(task, n))
    typer.echo(str(digest.cid))
    if verbose:
        typer.echo(f"size {digest.size}\nsha256 {digest.sha256.hex()}")
