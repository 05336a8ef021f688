"""Administration on this machine: API keys, and time on the embedded development chain."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import typer

from registry.api.roles import Role
from registry.cli.app import app
from registry.config import get_settings

keys = typer.Typer(
    help="API keys (stored hashed; each bound to a role and a region), and the center's "
    "document signing certificate."
)
dev = typer.Typer(help="Development chain only.")
app.add_typer(keys, name="keys")
app.add_typer(dev, name="dev")


@keys.command("create")
def create_key(
    role: Annotated[
        Role,
        typer.Option(
            help="registrar, reviewer, holder, auditor or state_organ (a court, procuratorate "
            "or police querying materials, guide art. 30)."
        ),
    ],
    region: Annotated[int, typer.Option(help="GB/T 2260 region code.")] = 0,
    label: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from registry.api.keys import ApiKeys
    from registry.index import open_engine

    settings = get_settings()
    store = ApiKeys(open_engine(settings.database_url))
    key_id, secret = store.create(role, region or settings.region, label)
    typer.echo(secret)
    typer.echo(f"key {key_id}: role {role.value}, region {region or settings.region}", err=True)


@keys.command("revoke")
def revoke_key(key_id: str) -> None:
    """Revoke an API key by its id."""
    from registry.api.keys import ApiKeys
    from registry.index import open_engine

    store = ApiKeys(open_engine(get_settings().database_url))
    if not store.revoke(key_id):
        typer.echo(f"no key {key_id}", err=True)
        raise typer.Exit(1)


@keys.command("signing-certificate")
def signing_certificate(
    replace: Annotated[
        bool, typer.Option("--replace", help="Make a new one even if the files exist.")
    ] = False,
) -> None:
    """Make the center's self-signed document signing certificate (the embedded default; its
    subject says it is not from a trusted CA) in the data directory, and print what identifies
    it. A center with a CA-issued certificate names its files in the settings instead."""
    from cryptography import x509

    from registry.documents import SigningFiles, make_signing_certificate
    from registry.documents.pades import describe
    from registry.regions import center_name

    settings = get_settings()
    files = SigningFiles.of(settings)
    if files.certificate.is_file() and not replace:
        found = x509.load_pem_x509_certificate(files.certificate.read_bytes())
        for name, value in describe(found).items():
            typer.echo(f"{name}: {value}")
        typer.echo(
            f"{files.certificate} exists: kept (documents signed with it stay verifiable); "
            "--replace makes a new one",
            err=True,
        )
        raise typer.Exit(1)
    center = settings.registration_center
    made = make_signing_certificate(
        files, center_name(center), center_name(center, "en"), dt.datetime.now(dt.UTC)
    )
    for name, value in describe(made).items():
        typer.echo(f"{name}: {value}")
    typer.echo(f"key {files.key}, certificate {files.certificate}", err=True)


_DURATION = re.compile(r"^(\d+)([smhd])$")


@dev.command("advance")
def advance(
    duration: Annotated[str, typer.Argument(help="e.g. 10d, 2h, 30m, 45s")],
    rpc_url: Annotated[str | None, typer.Option(help="JSON-RPC of the dev chain.")] = None,
) -> None:
    """Move the development chain's clock forward (to end a notice period, say)."""
    match = _DURATION.match(duration)
    if match is None:
        raise typer.BadParameter("a number and s, m, h or d, e.g. 10d", param_hint="duration")
    from registry.chain.rpc import connect

    seconds = int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    w3 = connect(rpc_url or get_settings().rpc_url)
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    block = w3.eth.get_block("latest")
    typer.echo(f"chain time is now {block['timestamp']} (block {block['number']})")
