"""`registry cert`, `registry evidence` and `registry op`: certificates, evidence, operations."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from registry.certificates.numbers import format_number
from registry.cli.app import app
from registry.cli.remote import (
    DEFAULT_API,
    ApiKey,
    ApiUrl,
    AsJson,
    Wait,
    connected,
    hash32,
    operation_text,
    show,
    when,
    write,
)

cert = typer.Typer(help="Registration and licence certificates (登记证书).")
evidence = typer.Typer(help="Evidence hashes anchored on chain (存证).")
op = typer.Typer(help="Operations: the progress of a write.")
app.add_typer(cert, name="cert")
app.add_typer(evidence, name="evidence")
app.add_typer(op, name="op")


@cert.command("show")
def show_cert(
    number: Annotated[str | None, typer.Argument(help="The certificate number.")] = None,
    asset: Annotated[int | None, typer.Option(help="Or: the certificate of this asset.")] = None,
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """A certificate by its number (or its asset's), with its status read from the chain now."""
    with connected(api, None) as client:
        if number is None:
            if asset is None:
                raise typer.BadParameter("give a certificate number or --asset")
            token = client.asset(asset).get("certificate_id")
            if not token:
                raise typer.BadParameter(f"asset {asset} has no certificate yet")
            number = format_number(int(token))
        show(client.certificate(number), as_json, _cert_text)


@cert.command("status")
def status(number: str, api: ApiUrl = DEFAULT_API) -> None:
    """valid, expired, revoked, cancelled or superseded."""
    with connected(api, None) as client:
        typer.echo(client.certificate_status(number)["status"])


def _cert_text(c: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"certificate {c['number']}: {c['status']}",
            f"asset {c.get('asset_id')}  holder {c.get('holder')}",
            f"issued {when(c.get('issued_at'))}  expires {when(c.get('expires_at'))}",
        ]
    )


@evidence.command("anchor")
def anchor(
    target: Annotated[str, typer.Argument(help="0x + 64 hex digits, or a file to hash.")],
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Anchor a hash on chain; a file is hashed here (SHA-256) and only its hash is sent."""
    with connected(api, key) as client:
        write(client, "/evidence", {"hash": hash32(target)}, wait, as_json)


@op.command("show")
def show_op(operation_id: str, api: ApiUrl = DEFAULT_API, as_json: AsJson = False) -> None:
    """An operation's status now."""
    with connected(api, None) as client:
        show(client.operation(operation_id), as_json, operation_text)


@op.command("wait")
def wait_op(operation_id: str, api: ApiUrl = DEFAULT_API, as_json: AsJson = False) -> None:
    """Wait until the operation is confirmed or failed."""
    with connected(api, None) as client:
        result = client.wait(client.operation(operation_id))
        show(result, as_json, operation_text)
        if result["status"] == "failed":
            raise typer.Exit(1)
