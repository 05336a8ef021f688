"""Public, confidential, personal (issue 19 item 2): a form split into its public part, which
the notice and the public pages show (guide art. 24), and salted commitments of every other
field, one PER FIELD, so that one field can later be disclosed with its salt and checked alone.

The public manifest (``PublicManifest``) is what goes on chain (its SHA-256) and into the
content store (its canonical JSON): the public part, the commitments and the data's files.
The confidential values and their salts (``Confidential``) are a material of the registration,
encrypted at rest (``registry.privacy``), never published.

A field's commitment is the SHA-256 of the canonical JSON (RFC 8785) of
``{"field": path, "salt": salt hex, "value": value}``; a path is dotted, list items numbered
from 0 (``applicants.0.id_number``). Anyone holding a disclosure (field, value, salt) checks it
against the published commitment with ``check`` (or ``POST /v1/disclosures/check``)."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import secrets
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.chain.types import identity_commitment
from registry.content.canonical import canonical_json
from registry.content.manifest import Document, FileEntry, Manifest
from registry.forms.application import ApplicationForm, Form, FormName
from registry.privacy import MaterialStore

logger = logging.getLogger(__name__)

FORMAT: Literal["national-form/1"] = "national-form/1"
"""The version of the public manifest. A manifest without ``format`` is the earlier Zhejiang
manifest (``registry.content.manifest.Manifest``), read as it was."""
CONFIDENTIAL_MATERIAL = "confidential-form.json"
"""The name of the material holding a form's confidential values and salts."""
SALT_BYTES = 16
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class PublicManifest(Document):
    """A national form as published: the public part (nested as in the form), the per-field
    commitments of the rest, and the data's files (their hashes, for evidence and duplicates)."""

    format: Literal["national-form/1"]
    form: FormName
    public: dict[str, Any]
    commitments: dict[str, Sha256Hex]
    files: list[FileEntry] = Field(default_factory=list)

    @property
    def name_zh(self) -> str:
        """The data's name (an application's), or the form and its certificate number."""
        data = self.public.get("data") or {}
        return str(data.get("name") or f"{self.form} {self.public.get('certificate_no', '')}")

    @property
    def name_en(self) -> str:
        return ""


class Secret(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    salt: str


class Confidential(BaseModel):
    """A form's confidential values with their salts, by field path: kept encrypted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    manifest_hash: str
    fields: dict[str, Secret]


class Disclosure(BaseModel):
    """One field disclosed: its path, value and salt; checked against a commitment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: Annotated[str, Field(min_length=1, max_length=200)]
    value: Any
    salt: Annotated[str, Field(pattern=r"^[0-9a-f]{32,128}$")]


def commitment(field: str, value: Any, salt: str) -> str:
    """The commitment (hex SHA-256) of ``value`` at ``field`` under ``salt`` (hex)."""
    return hashlib.sha256(
        canonical_json({"field": field, "salt": salt, "value": value})
    ).hexdigest()


def check(manifest: PublicManifest, disclosure: Disclosure) -> bool:
    """Whether ``disclosure`` is the value committed to in ``manifest`` for its field."""
    published = manifest.commitments.get(disclosure.field)
    if published is None:
        return False
    return secrets.compare_digest(
        published, commitment(disclosure.field, disclosure.value, disclosure.salt)
    )


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every field of a form's JSON by its path: objects and lists of objects walked into, a
    list of plain values one field; absent (null) fields left out."""
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found.update(_leaves(inner, f"{path}.{key}" if path else key))
        return found
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        found = {}
        for i, inner in enumerate(value):
            found.update(_leaves(inner, f"{path}.{i}"))
        return found
    return {} if value is None else {path: value}


def _public(path: str, patterns: tuple[str, ...]) -> bool:
    parts = path.split(".")
    for pattern in patterns:
        wanted = pattern.split(".")
        if len(wanted) == len(parts) and all(
            w in ("*", p) for w, p in zip(wanted, parts, strict=True)
        ):
            return True
    return False


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """The public fields nested again as in the form (list items as lists, in order)."""
    root: dict[str, Any] = {}
    for path, value in flat.items():
        node: Any = root
        parts = path.split(".")
        for part, following in itertools.pairwise(parts):
            key: Any = int(part) if isinstance(node, list) else part
            if isinstance(node, list):
                while len(node) <= key:
                    node.append({})
                node = node[key]
            else:
                node = node.setdefault(key, [] if following.isdigit() else {})
        last = parts[-1]
        if isinstance(node, list):
            while len(node) <= int(last):
                node.append(None)
            node[int(last)] = value
        else:
            node[last] = value
    return root


def split(form: Form) -> tuple[PublicManifest, Confidential]:
    """``form``'s public manifest and its confidential part (each field with a fresh salt),
    bound to the manifest by its hash. An
    application's right-holders also get the identity commitment the chain records
    (``identity_commitment`` of name, code and a salt kept here), ``rights.N.identity_hash``."""
    dumped = form.model_dump(mode="json")
    files = dumped.pop("files", [])
    shown: dict[str, Any] = {}
    hidden: dict[str, Secret] = {}
    for path, value in _leaves(dumped).items():
        if _public(path, form.PUBLIC):
            shown[path] = value
        else:
            hidden[path] = Secret(value=value, salt=secrets.token_hex(SALT_BYTES))
    if isinstance(form, ApplicationForm):
        for i, entry in enumerate(form.rights):
            salt = secrets.token_bytes(SALT_BYTES)
            hidden[f"rights.{i}.identity_salt"] = Secret(
                value=salt.hex(), salt=secrets.token_hex(SALT_BYTES)
            )
            shown[f"rights.{i}.identity_hash"] = (
                "0x" + identity_commitment(entry.holder, entry.code, salt).hex()
            )
    manifest = PublicManifest(
        format=FORMAT,
        form=form.FORM,
        public=_nest(shown),
        commitments={p: commitment(p, s.value, s.salt) for p, s in sorted(hidden.items())},
        files=[FileEntry.model_validate(f) for f in files],
    )
    return manifest, Confidential(
        manifest_hash="0x" + manifest.manifest_hash().hex(), fields=hidden
    )


def read_manifest(data: bytes) -> Manifest | PublicManifest:
    """A stored manifest of any version: a national form's public manifest (``format``
    ``national-form/1``), or the earlier Zhejiang manifest (no ``format``), with or without
    the national source members."""
    document = json.loads(data)
    if isinstance(document, dict) and "format" in document:
        return PublicManifest.model_validate(document)
    return Manifest.model_validate(document)


def public_view(document: dict[str, Any]) -> dict[str, Any]:
    """What the pages read from a manifest kept in the index, whichever its version: the
    earlier manifest as it is; a national one's public part under the names the pages use
    (name, summary as description, restrictions, the first applicant as holder, files)."""
    if document.get("format") != FORMAT:
        return document
    public = document.get("public") or {}
    data = public.get("data") or {}
    applicants = public.get("applicants") or [{}]
    return {
        "name_zh": data.get("name", ""),
        "name_en": "",
        "description": data.get("summary", ""),
        "restrictions": data.get("restrictions", ""),
        "applicants": applicants,
        "holder": {
            "name_zh": applicants[0].get("name", ""),
            "name_en": "",
            "account": applicants[0].get("account", ""),
        },
        "files": document.get("files") or [],
    }


def confidential_part(materials: MaterialStore, manifest_hash: str) -> Confidential:
    """The confidential part of a form published here, decrypted (the center's staff only)."""
    return Confidential.model_validate_json(materials.open(manifest_hash, CONFIDENTIAL_MATERIAL))
