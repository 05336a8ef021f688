"""`registry right ...`: processing and operating rights, granted with the holder's consent."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

import typer

from registry.chain.types import GrantRequest, RightKind
from registry.cli.app import app
from registry.cli.remote import (
    DEFAULT_API,
    ApiKey,
    ApiUrl,
    AsJson,
    Hash,
    Wait,
    connected,
    moment,
    show,
    signer,
    write,
)

right = typer.Typer(help="Processing (加工使用权) and operating (产品经营权) rights.")
app.add_typer(right, name="right")
Kind = Annotated[Literal["processing", "operating"], typer.Option(help="Which right.")]
Scenario = Annotated[
    str, typer.Option(help="The use scenario (一场景一授权), as text; its SHA-256 goes on chain.")
]
ZERO = "0x" + "00" * 32


def scenario_hash(text: str) -> str:
    """What goes on chain for a scenario: the SHA-256 of its text."""
    return "0x" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@right.command("grant")
def grant(
    asset_id: Annotated[int, typer.Argument(min=1)],
    kind: Kind,
    grantee: Annotated[str, typer.Option(help="Who receives the right.")],
    scenario: Scenario,
    start: Annotated[int, typer.Option(parser=moment, help="When it starts (date or Unix time).")],
    expiry: Annotated[int, typer.Option(parser=moment, help="When it ends (date or Unix time).")],
    exclusive: Annotated[bool, typer.Option("--exclusive/--shared")] = False,
    revocable: Annotated[bool, typer.Option("--revocable/--irrevocable")] = True,
    terms: Hash = ZERO,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Grant a right for one scenario, signed with the holder's key (REGISTRY_HOLDER_KEY)."""
    request = GrantRequest(
        asset_id=asset_id,
        kind=RightKind[kind.upper()],
        grantee=grantee,
        scenario=bytes.fromhex(scenario_hash(scenario)[2:]),
        start=start,
        expiry=expiry,
        exclusive=exclusive,
        revocable=revocable,
        terms_hash=bytes.fromhex(terms[2:]),
    )
    with connected(api, key) as client:
        body = {
            "asset_id": asset_id,
            "kind": kind,
            "grantee": grantee,
            "scenario": scenario_hash(scenario),
            "start": start,
            "expiry": expiry,
            "exclusive": exclusive,
            "revocable": revocable,
            "terms_hash": terms,
            "consent": signer(client).grant(request).model_dump(mode="json"),
        }
        write(client, "/rights", body, wait, as_json)


@right.command("revoke")
def revoke(
    grant_id: Annotated[str, typer.Argument(help="0x + 64 hex digits.")],
    reason: Hash = ZERO,
    annul: Annotated[
        bool, typer.Option(help="The registrar annuls it (no holder consent).")
    ] = False,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Revoke a grant: the holder (signing), or the registrar with --annul."""
    with connected(api, key) as client:
        body: dict[str, object] = {"reason_hash": reason}
        if not annul:
            consent = signer(client).revoke_grant(
                bytes.fromhex(grant_id[2:]), bytes.fromhex(reason[2:])
            )
            body["consent"] = consent.model_dump(mode="json")
        write(client, f"/rights/{grant_id}/revoke", body, wait, as_json)


@right.command("licence")
def licence(
    asset_id: Annotated[int, typer.Argument(min=1)],
    kind: Kind,
    grantee: Annotated[str, typer.Option()],
    scenario: Scenario,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Register a granted right (许可登记): the grantee receives a licence certificate."""
    body = {
        "asset_id": asset_id,
        "kind": kind,
        "grantee": grantee,
        "scenario": scenario_hash(scenario),
    }
    with connected(api, key) as client:
        write(client, "/licences", body, wait, as_json)


@right.command("of")
def of_account(
    address: str,
    at: Annotated[int | None, typer.Option(help="Unix time (default now).")] = None,
    api: ApiUrl = DEFAULT_API,
) -> None:
    """What an account holds and is licensed to do."""
    with connected(api, None) as client:
        show(client.account_rights(address, at), True)
