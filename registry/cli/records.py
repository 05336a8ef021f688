"""`registry cert`, `registry evidence`, `registry report`, `registry op` and `registry verify`:
certificates, evidence, verification reports, operations."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
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
)
from registry.client.http import RegistryClient

cert = typer.Typer(help="Registration and licence certificates (登记证书).")
evidence = typer.Typer(help="Evidence hashes anchored on chain (存证).")
op = typer.Typer(help="Operations: the progress of a write.")
report = typer.Typer(
    help="Verification reports (核验报告): signed PDFs, and checking them; the annual report "
    "(年度报告)."
)
app.add_typer(cert, name="cert")
app.add_typer(evidence, name="evidence")
app.add_typer(report, name="report")
app.add_typer(op, name="op")


CertNumber = Annotated[
    str | None, typer.Argument(help="The certificate number, e.g. SJ3702026120001.")
]
OfAsset = Annotated[int | None, typer.Option(help="Or: the certificate of this asset.")]


def _number(client: RegistryClient, number: str | None, asset: int | None) -> str:
    if number is not None:
        return number
    if asset is None:
        raise typer.BadParameter("give a certificate number or --asset")
    token = client.asset(asset).get("certificate_id")
    if not token:
        raise typer.BadParameter(f"asset {asset} has no certificate yet")
    return format_number(int(token))


@cert.command("show")
def show_cert(
    number: CertNumber = None,
    asset: OfAsset = None,
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """A certificate by its number (or its asset's), with its status read from the chain now."""
    with connected(api, None) as client:
        show(client.certificate(_number(client, number, asset)), as_json, _cert_text)


@cert.command("status")
def status(number: str, api: ApiUrl = DEFAULT_API) -> None:
    """valid, expired, revoked, cancelled or superseded."""
    with connected(api, None) as client:
        typer.echo(client.certificate_status(number)["status"])


@cert.command("pdf")
def cert_pdf(
    number: CertNumber = None,
    asset: OfAsset = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write it.")] = None,
    api: ApiUrl = DEFAULT_API,
) -> None:
    """The printable PDF certificate, its status the chain's now, with a QR code to its page."""
    with connected(api, None) as client:
        number = _number(client, number, asset)
        data = client.certificate_pdf(number)
    path = out or Path(f"certificate-{number}.pdf")
    path.write_bytes(data)
    typer.echo(f"{path} (certificate {number}, page /c/{number})")


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
    """Anchor a hash on chain (存证); a file is hashed here (SHA-256) and only its hash is sent.
    Prints the receipt: the Merkle proof, root, transaction and block."""
    data_hash = hash32(target)
    with connected(api, key) as client:
        receipt = client.anchor(data_hash)
        deadline = time.monotonic() + 60
        while (
            wait
            and receipt["status"] in ("queued", "batched", "sent")
            and time.monotonic() < deadline
        ):
            time.sleep(0.5)
            receipt = client.receipt(data_hash)
        show(receipt, as_json, _receipt_text)


@evidence.command("receipt")
def receipt(
    data_hash: Annotated[str, typer.Argument(help="0x + 64 hex digits, or a file to hash.")],
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """The receipt of an evidence hash."""
    with connected(api, None) as client:
        show(client.receipt(hash32(data_hash)), as_json, _receipt_text)


def _receipt_text(r: dict[str, Any]) -> str:
    lines = [f"evidence {r['hash']}: {r['status']}"]
    if r.get("root"):
        lines.append(f"root {r['root']} (leaf {r['leaf_index']} of {r['leaf_count']})")
    if r.get("tx_hash"):
        lines.append(f"transaction {r['tx_hash']} (block {r.get('block_number') or '-'})")
    if r.get("block_time"):
        lines.append(f"on chain since {when(r['block_time'])}")
    return "\n".join(lines)


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


@app.command("verify")
def verify_cmd(
    target: Annotated[str, typer.Argument(help="The evidence: a file, or its 0x SHA-256.")],
    receipt_file: Annotated[
        Path | None, typer.Option("--receipt", help="A receipt JSON (else asked of the API).")
    ] = None,
    rpc: Annotated[
        str | None, typer.Option(help="JSON-RPC of the chain (default REGISTRY_RPC_URL).")
    ] = None,
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """Verify evidence against the chain, here: only the receipt may come from the registry,
    and every check runs against the chain's own JSON-RPC."""

    from registry.config import get_settings
    from registry.evidence.verifier import NOT_PROVEN, PROVEN, VERDICTS, verify

    data_hash = hash32(target)
    linked: list[dict[str, Any]] = []
    if receipt_file is not None:
        receipt = json.loads(receipt_file.read_text(encoding="utf-8"))
    else:
        with connected(api, None) as client:
            receipt = client.receipt(data_hash)
            linked = client.verify(data_hash)["linked"]
    from registry.chain.rpc import connect

    w3 = connect(rpc or get_settings().rpc_url)
    report = verify(w3, receipt, data_hash=bytes.fromhex(data_hash[2:]))
    if as_json:
        show({**report.to_json(), "linked": linked}, True)
    else:
        for check in report.checks:
            mark = "PASS" if check.passed else "FAIL"
            typer.echo(f"{mark}  {check.name}  {json.dumps(check.values)}")
        for item in linked:
            cert = item["certificate"] or {}
            typer.echo(
                f"linked: asset {item['asset_id']} ({item['as']}): "
                f"{item['status_then'] or 'not registered'} when anchored, {item['status_now']} now"
                + (f"; certificate {cert['number']} {cert['status_now']}" if cert else "")
            )
        verdict = VERDICTS[report.verdict][1]
        verdict += f"\nproven: {PROVEN}" if report.passed else f": {', '.join(report.failed)}"
        typer.echo(f"\n{verdict}\nnot proven: {NOT_PROVEN}")
    if not report.passed:
        raise typer.Exit(1)


@report.command("issue")
def issue_report(
    target: Annotated[str, typer.Argument(help="The evidence: a file, or its 0x SHA-256.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The PDF to write.")] = Path(
        "verification-report.pdf"
    ),
    api: ApiUrl = DEFAULT_API,
) -> None:
    """Have the registry verify the evidence and issue a signed PDF report: writes the PDF and,
    beside it, its detached signature (``.sig.json``)."""
    with connected(api, None) as client:
        issued = client.issue_report(hash32(target))
        out.write_bytes(client.document(issued["pdf"]))
        signature = client.document(issued["signature"])
    sig_path = out.with_suffix(".sig.json")
    sig_path.write_text(json.dumps(signature, ensure_ascii=False, indent=2), encoding="utf-8")
    from registry.evidence.verifier import VERDICTS

    verdict = VERDICTS["verified" if issued["verified"] else "not_verified"][1]
    typer.echo(f"{out} ({verdict}; report hash {issued['report_hash']})\n{sig_path}")


@report.command("check")
def check_report(
    pdf: Annotated[Path, typer.Argument(help="The report PDF.", exists=True, dir_okay=False)],
    signature: Annotated[
        Path, typer.Argument(help="Its detached signature (.sig.json).", exists=True)
    ],
    api: ApiUrl = DEFAULT_API,
) -> None:
    """Check a report against its detached signature: unaltered, validly signed, by a key
    holding the registry's registrar role on chain."""
    with connected(api, None) as client:
        result = client.check_report(pdf.read_bytes(), signature.read_text(encoding="utf-8"))
    for name, passed in result["checks"].items():
        typer.echo(f"{'PASS' if passed else 'FAIL'}  {name}")
    if not result["authentic"]:
        raise typer.Exit(1)


@report.command("annual")
def annual_report(
    year: Annotated[int, typer.Option(help="The calendar year (Beijing), e.g. 2026.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The directory to write the two files to.")
    ] = Path("."),
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
) -> None:
    """The annual report to the provincial data authority (art. 11): annual-report-YEAR.json
    (each figure with the events it was counted from) and annual-report-YEAR.pdf (signed, the
    JSON's SHA-256 printed in it), both as of one chain time. Needs a registrar key."""
    from datetime import datetime

    from registry.documents.annual import report_json

    with connected(api, key) as client:
        body = client.annual_report(year)
        at = int(datetime.fromisoformat(body["generated_at"]).timestamp())
        pdf = client.annual_report_pdf(year, at)
    out.mkdir(parents=True, exist_ok=True)
    data = report_json(body)
    (out / f"annual-report-{year}.json").write_bytes(data)
    (out / f"annual-report-{year}.pdf").write_bytes(pdf)
    digest = hashlib.sha256(data).hexdigest()
    typer.echo(f"{out / f'annual-report-{year}.pdf'} and .json (JSON SHA-256 0x{digest})")
