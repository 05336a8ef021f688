"""The registration manifest (登记材料 / 数据资源目录): what a registration describes, after the
Zhejiang DB33/T 2426 attributes and the registration rules. Its canonical JSON (RFC 8785) is
hashed with SHA-256 for the chain, and stored as a CIDv1."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from registry.content.canonical import canonical_json
from registry.content.cid import CHUNK, DAG_PB, RAW, Cid, file_digest
from registry.fields import Address, PlainText
from registry.forms.codes import credit_code


def _cid(value: str) -> str:
    Cid.parse(value)
    return value


# Each text field is bounded (a manifest is shown on pages and printed on certificates) and
# plain (no NUL, control or bidirectional formatting characters).
Text = Annotated[str, Field(min_length=1, max_length=2000), PlainText]
Long = Annotated[str, Field(max_length=2000), PlainText]
Short = Annotated[str, Field(max_length=200), PlainText]
# RFC 8785 writes numbers as IEEE 754 doubles: an integer past 2^53 has no exact canonical form.
# Strict: a JSON number, not a string the stored manifest would not hold as sent.
JsonUint = Annotated[int, Field(ge=0, le=2**53 - 1, strict=True)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holder(Strict):
    name_zh: Text
    name_en: Short = ""
    credit_code: Annotated[str, Field(max_length=40), AfterValidator(credit_code)]
    account: Address


SourceKind = Literal["collected", "public_collected", "agreement", "derived", "public_data_product"]
"""The application form's source (annex 1): collected by the holder, public data collected by
automated means, obtained by agreement, derived; or a public data product made under authorised
operation (guide art. 15), which carries its public data resource registration code."""

ProviderType = Literal["enterprise_or_person", "public_utility", "party_or_government"]
"""Who holds the data at its source: an enterprise or person, a public utility (water, gas,
heat, power, transport: may register its service data), or a Party or government body (whose
data is never registered here, guide art. 15)."""

_SOURCE_EXTRAS = ("kind", "provider_type", "public_data_code")


class Source(Strict):
    """Where the data comes from and how it was lawfully obtained (数据来源)."""

    description: Text
    collection_route: Text
    contract_sha256: Sha256Hex | None = None
    kind: SourceKind | None = None
    provider_type: ProviderType | None = None
    public_data_code: (
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z\-]+$")] | None
    ) = Field(
        None,
        validate_default=True,
        description="the public data resource registration code (公共数据资源登记编码) of a"
        " public data product",
    )

    @field_validator("provider_type")
    @classmethod
    def _not_party_or_government(cls, value: ProviderType | None) -> ProviderType | None:
        if value == "party_or_government":
            raise PydanticCustomError(
                "party_or_government_data",
                "PartyOrGovernmentData: data held by Party and government bodies is never"
                " registered here (guide art. 15)",
            )
        return value

    @field_validator("public_data_code")
    @classmethod
    def _public_data_code(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind") == "public_data_product" and not value:
            raise PydanticCustomError(
                "public_data_code_missing",
                "PublicDataCodeMissing: a public data product is registered only with its"
                " public data resource registration code (guide art. 15)",
            )
        return value

    @model_serializer(mode="wrap")
    def _without_unstated(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The source as hashed: the members added for the national form (kind, provider type,
        public data code) only when stated, so a manifest without them keeps its hash."""
        dumped: dict[str, Any] = handler(self)
        return {k: v for k, v in dumped.items() if k not in _SOURCE_EXTRAS or v is not None}


class Document(Strict):
    """A document whose canonical JSON (RFC 8785) is hashed for the chain and stored as a
    CIDv1: the manifest, and the public part of a national form (``registry.forms.public``)."""

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.model_dump(mode="json"))

    def manifest_hash(self) -> bytes:
        """SHA-256 of the canonical JSON: the hash recorded on chain."""
        return hashlib.sha256(self.canonical_bytes()).digest()

    def manifest_cid(self) -> Cid:
        """The canonical JSON's CIDv1 (a raw leaf up to 256 KiB, else a dag-pb root)."""
        return file_digest(self.canonical_bytes(), 1).cid

    def chain_fields(self) -> tuple[bytes, bytes, int]:
        """Manifest hash, CID digest and CID codec as the contracts take them."""
        cid = self.manifest_cid()
        codec = RAW if len(self.canonical_bytes()) <= CHUNK else DAG_PB
        assert cid.codec == codec
        return self.manifest_hash(), cid.digest, codec


class FieldSpec(Strict):
    """One column of the field table (字段表)."""

    name: Text
    definition: Text
    type: Text
    format: Short = ""
    value_domain: Long = ""
    sensitivity: Literal["public", "internal", "sensitive"] = "internal"
    unit: Short = ""


class FileEntry(Strict):
    path: Text
    size: JsonUint
    sha256: Sha256Hex
    cid: Annotated[str, Field(max_length=120), AfterValidator(_cid)]


class Manifest(Document):
    identifier: Text
    name_zh: Text
    name_en: Text
    description: Text
    data_type: Text
    data_format: Text
    scenarios: Annotated[list[Text], Field(min_length=1, max_length=100)]
    delivery: Text
    storage_format: Text
    update_cycle: Text
    source: Source
    holder: Holder
    classification: Literal["general", "important"]
    sensitivity: Literal["L1", "L2", "L3", "L4"]
    fields: Annotated[list[FieldSpec], Field(min_length=1, max_length=1000)]
    samples: list[Annotated[dict[Short, Long], Field(max_length=1000)]] = Field(
        default_factory=list, max_length=20
    )
    version: Text
    release_date: dt.date
    files: Annotated[list[FileEntry], Field(min_length=1, max_length=100_000)]

    @field_validator("classification", mode="before")
    @classmethod
    def _no_core_data(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lower() == "core":
            raise ValueError("core data (核心数据, GB/T 43697-2024) is never registered")
        return value

    @property
    def storage_size(self) -> int:
        return sum(f.size for f in self.files)


def dataset_files(
    folder: Path, skip: set[Path] | None = None, on_progress: Callable[[int], None] | None = None
) -> list[FileEntry]:
    """Size, SHA-256 and CIDv1 of every file below ``folder`` (sorted, hidden files skipped),
    each read once."""
    entries = []
    skipped = {p.resolve() for p in (skip or set())}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if path.resolve() in skipped or any(part.startswith(".") for part in relative.parts):
            continue
        digest = file_digest(path, 1, on_progress=on_progress)
        entries.append(
            FileEntry(
                path=relative.as_posix(),
                size=digest.size,
                sha256=digest.sha256.hex(),
                cid=str(digest.cid),
            )
        )
    return entries


def build_manifest(
    folder: Path,
    metadata: dict[str, Any],
    *,
    skip: set[Path] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Manifest:
    """The manifest of a dataset folder: ``metadata`` plus its files."""
    files = dataset_files(folder, skip, on_progress)
    return Manifest.model_validate({**metadata, "files": [f.model_dump() for f in files]})
