"""`registry export` and `registry import`: the whole register handed to a successor center
(指引 art. 13), on this machine (they read the data directory and the node, not the API)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from registry.cli.app import app
from registry.config import Settings, get_settings

if TYPE_CHECKING:
    from registry.content import ContentStore
    from registry.privacy import MaterialStore


def _stores(settings: Settings) -> tuple[ContentStore, MaterialStore]:
    from registry.content import open_store
    from registry.privacy import CenterKeys, MaterialStore

    content = open_store(settings.ipfs_url, settings.content_dir)
    materials = MaterialStore(
        settings.materials_dir, CenterKeys.open(settings.keystore_file), content
    )
    return content, materials


@app.command("export")
def export(
    successor: Annotated[
        Path,
        typer.Option(
            help="The successor center's public key file: its keystore's public part "
            "(`registry succession-key` there) or the X25519 key in base64 or hex."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The archive to write (tar).")],
    block: Annotated[
        int | None, typer.Option(help="The stated block the proofs are against (the head).")
    ] = None,
) -> None:
    """Write one archive of the whole register for the successor: the certificates' storage
    proofs against a stated block, the index, the materials with their keys re-wrapped for the
    successor, the data directory's databases; a manifest of SHA-256 hashes first."""
    from web3 import Web3

    from registry.chain.deploy import Deployment
    from registry.chain.rpc import LeanHTTPProvider
    from registry.index import open_engine
    from registry.succession import Predecessor, export_archive, successor_public_key

    settings = get_settings()
    w3 = Web3(LeanHTTPProvider(settings.rpc_url))
    deployment = Deployment.load(settings.deployment_file)
    content, materials = _stores(settings)
    manifest = export_archive(
        out,
        w3=w3,
        predecessor=Predecessor(int(w3.eth.chain_id), settings.region, dict(deployment.addresses)),
        engine=open_engine(settings.database_url),
        data_dir=settings.data_dir,
        successor_key=successor_public_key(successor),
        materials=materials,
        content=content,
        block=block,
    )
    stated = manifest["block"]
    typer.echo(
        f"{out}: {len(manifest['entries'])} entries, {manifest['certificates']} certificates, "
        f"block {stated['number']} {stated['hash']} ({stated['time']})"
    )


@app.command("import")
def import_(
    archive: Annotated[Path, typer.Argument(help="A predecessor center's archive.")],
) -> None:
    """Check a predecessor's archive in full (every hash, the header, every proof) and answer
    for its certificates from now on, under their numbers; a bad archive is refused naming its
    first bad entry, and nothing of it is kept."""
    import time

    from registry.index import open_engine
    from registry.succession import ArchiveError, import_archive

    settings = get_settings()
    content, materials = _stores(settings)
    try:
        done = import_archive(
            archive,
            engine=open_engine(settings.database_url),
            data_dir=settings.data_dir,
            now=int(time.time()),
            materials=materials,
            content=content,
        )
    except ArchiveError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"imported {len(done.numbers)} certificates of chain {done.chain_id} at block "
        f"{done.block_number} ({done.block_hash}), {done.materials} registrations' materials"
    )


@app.command("restore")
def restore(
    archive: Annotated[Path, typer.Argument(help="A backup: this center's own archive.")],
) -> None:
    """Put a backup (`registry export --successor` with this center's own key) back into a
    fresh data directory: every entry checked first, then the databases and files, and the
    materials, which the keystore (put back beforehand) must open. Then start the service
    against the same chain."""
    from registry.succession import ArchiveError, restore_archive

    settings = get_settings()
    content, materials = _stores(settings)
    try:
        done = restore_archive(
            archive, data_dir=settings.data_dir, materials=materials, content=content
        )
    except ArchiveError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"restored {done.files} files and {done.materials} registrations' materials into "
        f"{settings.data_dir}"
    )


@app.command("succession-key")
def succession_key() -> None:
    """Print this center's public key (base64), for a predecessor's `registry export`."""
    from registry.succession import center_public_key

    typer.echo(center_public_key(get_settings().keystore_file))
