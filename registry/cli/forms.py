"""National form commands (guide annex 1): submit an application form with its materials,
disclose one confidential field (a registrar), and check a disclosure against the published
commitment (anyone)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.app import app
from registry.cli.remote import DEFAULT_API, ApiKey, ApiUrl, connected

logger = logging.getLogger(__name__)

form = typer.Typer(help="National forms (申请表): submit, disclose a field, check a disclosure.")
app.add_typer(form, name="form")


@form.command("submit")
def submit(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The form, JSON.")],
    materials: Annotated[
        Path | None,
        typer.Option(exists=True, file_okay=False, help="Folder of the listed materials."),
    ] = None,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
) -> None:
    """Submit the application form in FILE with the materials it lists (files of those names
    in --materials, by default FILE's folder). Prints the manifest's hash and CID fields, the
    right-holders' identity commitments for the application, and the reviewer's hints."""
    document = json.loads(file.read_text(encoding="utf-8"))
    folder = materials or file.parent
    names = [m.get("name", "") for m in document.get("materials", [])]
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise typer.BadParameter(f"not in {folder}: {', '.join(missing)}")
    with connected(api, key) as client:
        answer = client.submit_form(document, {n: (folder / n).read_bytes() for n in names})
    typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))


@form.command("disclose")
def disclose(
    manifest_hash: Annotated[str, typer.Argument(help="The form's manifest hash (0x...).")],
    field: Annotated[str, typer.Argument(help="The field's path, e.g. applicants.0.id_number.")],
    out: Annotated[Path | None, typer.Option(help="Write the disclosure here (JSON).")] = None,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
) -> None:
    """Disclose one confidential FIELD of a form (value and salt; a registrar's key)."""
    with connected(api, key) as client:
        found = client.disclose(manifest_hash, field)
    text = json.dumps(found, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"disclosure of {field} written to {out}")


@form.command("check")
def check(
    disclosure: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON.")],
    api: ApiUrl = DEFAULT_API,
) -> None:
    """Check a disclosure (as `registry form disclose` writes it) against the commitment its
    form published; exit 1 if it does not match."""
    given = json.loads(disclosure.read_text(encoding="utf-8"))
    with connected(api, None) as client:
        answer = client.check_disclosure(given)
    if not answer["matches"]:
        logger.warning("disclosure of %s does not match", given.get("field"))
        typer.echo(f"does not match the published commitment of {given.get('field')}", err=True)
        raise typer.Exit(1)
    typer.echo(f"matches: {given.get('field')} is what the form committed to")
