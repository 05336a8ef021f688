"""The index: following the chain in its own process, and rebuilding it from the chain."""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from registry.cli.app import app
from registry.config import Settings, get_settings

if TYPE_CHECKING:
    from registry.index import Follower

index = typer.Typer(help="The index of contract events (SQLite, or PostgreSQL by URL).")
app.add_typer(index, name="index")


def _follower(settings: Settings, chunk: int = 2_000) -> Follower:
    from registry.chain import Deployment, load_artifacts
    from registry.chain.rpc import connect
    from registry.index import Follower, open_engine

    return Follower(
        connect(settings.rpc_url),
        open_engine(settings.database_url),
        Deployment.load(settings.deployment_file),
        load_artifacts(settings.build_dir),
        chunk=chunk,
    )


@index.command("rebuild")
def rebuild(
    chunk: Annotated[int, typer.Option(help="Blocks read per request.")] = 2_000,
) -> None:
    """Drop the index and read every event again from the deployment block, with progress."""
    import sqlalchemy as sa

    from registry.index.schema import PROJECTIONS, blocks, events, sync

    follower = _follower(get_settings(), chunk)
    with follower.engine.begin() as conn:
        for table in (*reversed(PROJECTIONS), events, blocks, sync):
            conn.execute(sa.delete(table))
    head = int(follower.w3.eth.block_number)
    first = follower.deployment.block
    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        TextColumn("block {task.completed:,.0f}"),
        TimeRemainingColumn(),
    ) as progress:
        task = progress.add_task("index", total=max(1, head - first + 1))
        while follower.sync_once():
            progress.update(task, completed=follower.cursor()[0] - first + 1)
    typer.echo(f"indexed to block {follower.cursor()[0]}")


@index.command("follow")
def follow(
    parent: Annotated[
        int | None, typer.Option(help="Exit when this process (the API's) is gone.")
    ] = None,
) -> None:
    """Follow the chain into the index until interrupted. `registry serve` runs this as its own
    process, so that indexing never competes with the API for one interpreter's lock."""
    from registry.logs import configure

    settings = get_settings()
    # Under `registry serve` (--parent) the API process rotates data/registry.log; this one
    # follows its rotations.
    configure(settings.data_dir, settings.log_level, rotate=parent is None)
    follower = _follower(settings)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    follower.start()
    try:
        # Polling the parent covers its SIGKILL, which no signal handler would see.
        while not done.wait(0.5):
            if parent is not None and os.getppid() != parent:
                break
    finally:
        follower.stop()
