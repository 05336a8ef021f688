"""What every command that talks to a running registry shares: where it is, the caller's API key,
the holder's signing key, hashes given as hex or as a file, and how results are printed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registry import times
from registry.client.http import ApiError, RegistryClient, UnreachableError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from registry.client.consents import HolderSigner

ApiUrl = Annotated[
    str, typer.Option("--api", envvar="REGISTRY_API_URL", help="The registry's base URL.")
]
ApiKey = Annotated[
    str | None,
    typer.Option("--key", envvar="REGISTRY_API_KEY", help="Your API key.", show_default=False),
]
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until confirmed or failed.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DEFAULT_API = "http://127.0.0.1:8000"
_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")


def hash32(value: str) -> str:
    """0x and 64 hex digits as given, or the SHA-256 of the file at ``value``."""
    if _HEX32.match(value):
        return value.lower()
    path = Path(value)
    if path.is_file():
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        return "0x" + digest.hexdigest()
    raise typer.BadParameter("0x and 64 hex digits, or a file to hash with SHA-256")


Hash = Annotated[str, typer.Option(parser=hash32, help="0x + 64 hex digits, or a file.")]


def when(timestamp: int | None) -> str:
    """A chain time as a person reads it: Beijing time, the registry's legal clock; "—" for
    none (0 is the chain's "not set")."""
    return times.moment(int(timestamp) if timestamp else None, "en")


def _instant(value: str, day: Callable[[dt.date], int]) -> int:
    """Unix seconds, an ISO date-time (Beijing time unless it names its zone), or an ISO date,
    which ``day`` turns into an instant."""
    if value.isdigit():
        return int(value)
    try:
        if "T" not in value and " " not in value.strip():
            return day(times.parse_date(value))
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            "Unix seconds, an ISO date (e.g. 2027-01-01) or date-time (Beijing time unless it says)"
        ) from None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=times.BEIJING)).timestamp())


def start_moment(value: str) -> int:
    """A start: a date means the start of that Beijing day."""
    return _instant(value, times.start_of)


def end_moment(value: str) -> int:
    """An end or expiry: a date means the end of that Beijing day (the next midnight,
    exclusive), so 2030-12-31 lasts through 31 December in Beijing."""
    return _instant(value, times.end_of)


def holder_account() -> LocalAccount:
    """The holder's key, from REGISTRY_HOLDER_KEY (hex); it signs here and is never sent."""
    from eth_account import Account

    key = os.environ.get("REGISTRY_HOLDER_KEY")
    if not key:
        raise typer.BadParameter("set REGISTRY_HOLDER_KEY to the holder's private key (hex)")
    account: LocalAccount = Account.from_key(key)
    return account


def signer(client: RegistryClient) -> HolderSigner:
    from registry.client.consents import HolderSigner

    return HolderSigner(holder_account(), client.eip712(), int(client.health()["chain_time"]))


@contextmanager
def connected(api: str, key: str | None) -> Iterator[RegistryClient]:
    """A client; a problem from the API ends the command with its title, detail and fields
    (exit 2 for bad input, 1 otherwise)."""
    try:
        with RegistryClient(api, key) as client:
            yield client
    except ApiError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2 if exc.status in (400, 404, 409, 422) else 1) from None
    except UnreachableError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def show(data: Any, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    if as_json or text is None:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(text(data))


def write(client: RegistryClient, op: dict[str, Any], wait: bool, as_json: bool) -> dict[str, Any]:
    """Waits for the operation the API took, unless told not to, and prints it; a failed act
    exits 1."""
    if wait:
        op = client.wait(op)
    show(op, as_json, operation_text)
    if op["status"] == "failed":
        raise typer.Exit(1)
    return dict(op)


def operation_text(op: dict[str, Any]) -> str:
    lines = [f"operation {op['id']}: {op['status']}"]
    if op.get("tx_hash"):
        lines.append(f"transaction {op['tx_hash']} (block {op.get('block_number') or '-'})")
    for name, value in (op.get("result") or {}).items():
        lines.append(f"{name.replace('_', ' ')} {value}")
    if op.get("error"):
        lines.append(f"refused: {op['error'].get('name')} {op['error'].get('args', [])}")
    return "\n".join(lines)
