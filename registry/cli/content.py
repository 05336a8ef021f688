"""Content commands: CIDs as Kubo's `ipfs add` gives them, manifests, and the content store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from registry.cli.app import app
from registry.config import get_settings
from registry.content import Cid, ContentError, ContentStore, file_digest, open_store


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


manifest = typer.Typer(help="Registration manifests (登记材料), canonical JSON (RFC 8785).")
app.add_typer(manifest, name="manifest")


@manifest.command("build")
def build(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    metadata: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Descriptive fields, JSON.")
    ],
    out: Annotated[Path | None, typer.Option(help="Where to write the manifest.")] = None,
) -> None:
    """Build the manifest of FOLDER: every file's size, SHA-256 and CIDv1, read once each."""
    import json

    from pydantic import ValidationError

    from registry.content.manifest import build_manifest

    target = out or folder.with_suffix(".manifest.json")
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    try:
        with Progress(BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True) as bar:
            task = bar.add_task("hashing", total=total)
            result = build_manifest(
                folder,
                json.loads(metadata.read_text(encoding="utf-8")),
                skip={target},
                on_progress=lambda n: bar.advance(task, n),
            )
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    target.write_bytes(result.canonical_bytes())
    manifest_hash, cid_digest, codec = result.chain_fields()
    typer.echo(f"manifest      {target}")
    typer.echo(f"files         {len(result.files)} ({result.storage_size} bytes)")
    typer.echo(f"manifest_hash 0x{manifest_hash.hex()}")
    typer.echo(
        f"manifest_cid  {result.manifest_cid()} (digest 0x{cid_digest.hex()}, codec {codec:#x})"
    )


store_app = typer.Typer(help="The content store: embedded, or a Kubo daemon with --ipfs.")
app.add_typer(store_app, name="content")
IpfsUrl = Annotated[
    str | None,
    typer.Option("--ipfs", help="Kubo RPC URL, e.g. http://127.0.0.1:5001 (default: embedded)."),
]


def _store(ipfs: str | None) -> ContentStore:
    settings = get_settings()
    return open_store(ipfs or settings.ipfs_url, settings.content_dir)


def _cid(text: str) -> Cid:
    try:
        return Cid.parse(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="CID") from None


@contextmanager
def _content_errors() -> Iterator[None]:
    try:
        yield
    except ContentError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@store_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    cid_version: Annotated[int, typer.Option(min=0, max=1)] = 1,
    ipfs: IpfsUrl = None,
) -> None:
    """Store FILE (pinned) and print its CID."""
    with _content_errors():
        typer.echo(str(_store(ipfs).add(file, cid_version=cid_version).cid))


@store_app.command("cat")
def cat(cid: str, ipfs: IpfsUrl = None) -> None:
    """Write the file stored under CID to standard output."""
    out = sys.stdout.buffer
    with _content_errors():
        for piece in _store(ipfs).cat(_cid(cid)):
            out.write(piece)
    out.flush()


@store_app.command("export")
def export(
    cid: str,
    out: Annotated[Path, typer.Option("-o", "--out", help="The CAR file to write.")],
    ipfs: IpfsUrl = None,
) -> None:
    """Write the DAG under CID as a CAR file (`ipfs dag import` takes it)."""
    with _content_errors(), out.open("wb") as target:
        for piece in _store(ipfs).export_car(_cid(cid)):
            target.write(piece)


@store_app.command("import")
def import_(
    car: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    ipfs: IpfsUrl = None,
) -> None:
    """Store every block of a CAR file, checked against its CID, and pin its roots."""
    with _content_errors(), car.open("rb") as source:
        for root in _store(ipfs).import_car(source):
            typer.echo(str(root))
