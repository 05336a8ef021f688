"""The center's keys under ``keystore``: the key-encryption key's public key, which a
predecessor center wraps the materials' data keys for when it hands its register over (guide
art. 13), and the credential key's, which its Verifiable Credentials verify with."""

from __future__ import annotations

import base64

import typer

from registry.cli.app import app
from registry.config import get_settings

keystore = typer.Typer(
    help="The center's key-encryption key (materials' data keys) and credential key."
)
app.add_typer(keystore, name="keystore")


@keystore.command("public-key")
def public_key() -> None:
    """Print the center's X25519 public key (base64), making the keystore (mode 0600) under
    the data directory if there is none yet. Give it to a center that hands its register over
    to this one; it is never secret."""
    from registry.privacy import CenterKeys

    keys = CenterKeys.open(get_settings().keystore_file)
    typer.echo(base64.b64encode(keys.public_raw).decode())


@keystore.command("credential-key")
def credential_key() -> None:
    """Print the center's Ed25519 credential key as a Multikey (z6Mk...), making it (mode 0600)
    under the data directory if there is none yet: the key its controller document
    (/v1/credentials/issuer) publishes, for a verifier to compare; it is never secret."""
    from registry.certificates.integrity import CredentialKey

    typer.echo(CredentialKey.open(get_settings().credential_key_file).public_multikey)
