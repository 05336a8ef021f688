"""`registry consent ...`: acts drafted by the registration center that wait for the holder's
signature. The registrar drafts; the holder reads what they consent to and signs here, with a
key that never leaves this machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from registry.acts import text_hash
from registry.cli.app import app
from registry.cli.remote import (
    DEFAULT_API,
    ApiKey,
    ApiUrl,
    AsJson,
    Wait,
    connected,
    end_moment,
    hash32,
    holder_account,
    show,
    start_moment,
    when,
    write,
)
from registry.licensees import PartyKind

consent = typer.Typer(
    help="Acts awaiting the holder's consent (待持有人同意).", no_args_is_help=True
)
app.add_typer(consent, name="consent")
RequestId = Annotated[str, typer.Argument(help="The request's id (32 hex digits).")]
Act = Literal["change", "pledge", "renew", "cancel", "grant"]


@consent.command("request")
def request(
    act: Annotated[Act, typer.Argument(help="The act the holder is asked to consent to.")],
    asset_id: Annotated[int, typer.Argument(min=1)],
    pledgee: Annotated[str | None, typer.Option(help="pledge: the pledgee.")] = None,
    agreement: Annotated[
        str | None,
        typer.Option(parser=hash32, help="pledge: 0x-hash or file of the agreement."),
    ] = None,
    manifest: Annotated[
        Path | None, typer.Option(exists=True, help="change: the new manifest (JSON).")
    ] = None,
    kind: Annotated[
        Literal["processing", "operating"] | None, typer.Option(help="grant: which right.")
    ] = None,
    grantor: Annotated[
        str | None, typer.Option(help="grant: the holder of the operating right who grants it.")
    ] = None,
    grantee: Annotated[str | None, typer.Option(help="grant: who receives it.")] = None,
    scenario: Annotated[str | None, typer.Option(help="grant: the scenario, as text.")] = None,
    start: Annotated[
        int | None,
        typer.Option(parser=start_moment, help="grant: from (a date: its start, Beijing time)."),
    ] = None,
    expiry: Annotated[
        int | None,
        typer.Option(parser=end_moment, help="grant: until (a date: its end, Beijing time)."),
    ] = None,
    exclusive: Annotated[bool, typer.Option("--exclusive/--shared")] = False,
    licensee_name: Annotated[
        str | None, typer.Option(help="grant: the licensee's name, in Chinese.")
    ] = None,
    licensee_kind: Annotated[
        PartyKind | None, typer.Option(help="grant: the licensee's kind (default legal_person).")
    ] = None,
    licensee_code: Annotated[
        str | None, typer.Option(help="grant: the licensee's unified social credit code.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the id.")] = False,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Draft an act for the holder to sign (registrar key). The registry checks it against the
    chain now; the answer's id is what the holder signs with `registry consent sign`."""
    body: dict[str, Any] = {"act": act, "asset_id": asset_id}
    fields = {
        "pledgee": pledgee,
        "agreement_hash": agreement,
        "kind": kind,
        "grantor": grantor,
        "grantee": grantee,
        "scenario": text_hash(scenario) if scenario is not None else None,
        "start": start,
        "expiry": expiry,
        "licensee_name": licensee_name,
        "licensee_kind": licensee_kind,
        "licensee_credit_code": licensee_code,
    }
    body.update({k: v for k, v in fields.items() if v is not None})
    if act == "grant":
        body["exclusive"] = exclusive
    with connected(api, key) as client:
        if manifest is not None:
            stored = client.publish_manifest(json.loads(manifest.read_text(encoding="utf-8")))
            body.update({k: stored[k] for k in ("manifest_hash", "manifest_cid", "cid_codec")})
        drafted = client.draft_consent_request(body)
        if quiet:
            typer.echo(drafted["id"])
        else:
            show(drafted, as_json, _request_text)


@consent.command("show")
def show_request(request_id: RequestId, api: ApiUrl = DEFAULT_API, as_json: AsJson = False) -> None:
    """The request, and the typed data the holder signs."""
    with connected(api, None) as client:
        show(client.consent_request(request_id), as_json, _request_text)


@consent.command("list")
def listing(
    status: Annotated[Literal["awaiting", "submitted", "withdrawn"] | None, typer.Option()] = None,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """The requests of your key's region, newest first (staff keys)."""
    with connected(api, key) as client:
        found = client.consent_requests(status)
        show(found, as_json, lambda rs: "\n\n".join(_request_text(r) for r in rs) or "none")


@consent.command("sign")
def sign(
    request_id: RequestId,
    yes: Annotated[bool, typer.Option("--yes", help="Sign without asking.")] = False,
    api: ApiUrl = DEFAULT_API,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Sign a request with the holder's key (REGISTRY_HOLDER_KEY) and send the signature."""
    account = holder_account()
    with connected(api, None) as client:
        found = client.consent_request(request_id)
        if found["holder"].lower() != account.address.lower():
            typer.echo(f"error: the holder is {found['holder']}, not {account.address}", err=True)
            raise typer.Exit(2)
        if found["state"] != "awaiting":
            typer.echo(f"error: the request is {found['state']}", err=True)
            raise typer.Exit(2)
        typer.echo(_request_text(found))
        if not yes and not typer.confirm("Sign this consent?"):
            raise typer.Exit(1)
        from eth_account.messages import encode_typed_data

        signed = account.sign_message(encode_typed_data(full_message=found["typed_data"]))
        op = client.sign_consent_request(request_id, "0x" + bytes(signed.signature).hex())
        write(client, op, wait, as_json)


@consent.command("withdraw")
def withdraw(
    request_id: RequestId, api: ApiUrl = DEFAULT_API, key: ApiKey = None, as_json: AsJson = False
) -> None:
    """Withdraw an awaiting request (registrar key)."""
    with connected(api, key) as client:
        show(client.withdraw_consent_request(request_id), as_json, _request_text)


def _request_text(r: dict[str, Any]) -> str:
    lines = [
        f"request {r['id']}: {r['act']} of asset {r['asset_id']} ({r['state']})",
        f"holder {r['holder']}, sign before {when(r['deadline'])}",
    ]
    lines += [f"  {name}: {value}" for name, value in r["typed_data"]["message"].items()]
    draft = r.get("draft") or {}
    if draft.get("licensee_name"):
        # What the grant's termsHash commits to, which the holder cannot read from the hash.
        code = draft.get("licensee_credit_code") or "natural person"
        lines.append(f"  licensee (in termsHash): {draft['licensee_name']} ({code})")
    if r.get("operation"):
        lines.append(f"operation {r['operation']['id']}: {r['operation']['status']}")
    return "\n".join(lines)
