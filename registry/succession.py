"""Retention and succession (指引 art. 10, 13): the whole register in one archive for the
successor center the provincial authority names, and its import there.

The archive is a tar file. ``MANIFEST.json`` comes first: the format, the predecessor (chain id,
region, contracts), the **stated block** (number, hash, state root, time), the successor's
public key, and every other entry in order with its SHA-256 and size. The entries:

- ``chain/block.json``: the stated block as the node gave it; its fields RLP-encode to a header
  whose keccak-256 is the block hash (``registry.recognition.headers``);
- ``chain/proofs/<token id>.json``: each certificate's EIP-1186 storage proofs at that block
  (the certificate, its owner and grant; its asset's status word, manifest hash, pledgee and
  rights contract; its annotations; a licence's grant), the same material a partner region
  checks for recognition (``registry.recognition.origin``);
- ``index/<table>.jsonl``: every table of the index (events, projections, manifests, texts),
  one JSON row a line, so it loads into SQLite or PostgreSQL alike;
- ``materials/<registration>.json``: each registration's envelope with its data key re-wrapped
  for the successor (``MaterialStore.rewrap_for``), and ``content/<cid>`` each ciphertext;
- ``data/<path>``: every other database (``*.db``, copied with SQLite's backup API, so a running
  service's open files are read consistently) and JSON Lines file of the data directory (the
  writer's outbox, evidence, recognition; the access log and reporting outbox where they
  exist), and the issued reports. Never the keystore, the signing key or the staff keys.

Why storage proofs rather than receipts with headers: what the successor answers for is each
certificate's standing (holder, status, expiry, annotations, pledge) at the hand-over, and one
``eth_getProof`` per contract proves exactly those words against one state root, a few kB a
certificate, checked by code the recognition already has. Receipts would prove the history
instead, but every receipt of every block with an event (the receipt trie is per block) and
every header; the history is in ``index/events.jsonl``, hashed in the manifest.

``import_archive`` checks every entry's hash in the manifest's order (refusing at the first bad
or missing one, naming it, and at an entry the manifest does not list), the header against the
stated hash, and every proof against the header's state root and against the archived index's
certificate row; only then does it keep anything: each certificate under its unchanged number
with the predecessor's chain id, block and proof (``succession_certificates``), the materials
(ciphertexts into the content store, envelopes adopted), and the archive itself under
``data_dir/succession``. The block hash is what the successor confirms out of band (with the
provincial authority, or the predecessor's chain while it still runs): the archive proves its
certificates against it, not that the block is the predecessor's.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eth_utils.crypto import keccak
from web3 import Web3

from registry import times
from registry.certificates.numbers import format_number, parse_number
from registry.content import ContentStore
from registry.content.cid import Cid
from registry.content.store import read_all
from registry.index.schema import metadata as index_metadata
from registry.privacy import CenterKeys, MaterialStore, UnwrapError
from registry.privacy.materials import Envelope, MaterialError
from registry.recognition.headers import verified_header
from registry.recognition.origin import OriginState, fetch_proofs, verify_proofs

logger = logging.getLogger(__name__)

FORMAT = "data-property-register-succession/1"
MANIFEST = "MANIFEST.json"
_SKIPPED_DIRS = {"keystore", "signing", "content", "materials", "succession"}
"""Data directory parts never copied as files: keys, and what the archive carries otherwise."""
_SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal", ".log", ".lock", ".pid")

succession_metadata = sa.MetaData()
succession_certificates = sa.Table(
    "succession_certificates",
    succession_metadata,
    sa.Column("number", sa.String(19), primary_key=True),
    sa.Column("token_id", sa.BigInteger, nullable=False),
    sa.Column("chain_id", sa.BigInteger, nullable=False),
    sa.Column("predecessor_region", sa.Integer, nullable=False),
    sa.Column("block_number", sa.BigInteger, nullable=False),
    sa.Column("block_hash", sa.String(66), nullable=False),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("proof", sa.JSON, nullable=False),
    sa.Column("imported_at", sa.BigInteger, nullable=False),
)
"""Certificates a predecessor center handed over: what its chain's storage proved at the stated
block, under the number it printed. Kept, never deleted (art. 10)."""


class ArchiveError(ValueError):
    """An archive refused: ``entry`` names the first entry that failed its check."""

    def __init__(self, entry: str, reason: str) -> None:
        super().__init__(f"{entry}: {reason}")
        self.entry = entry
        self.reason = reason


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jsonl(rows: Iterator[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, sort_keys=True, default=str).encode() + b"\n" for r in rows)


@dataclass(frozen=True)
class Predecessor:
    """The center that hands over: its chain and contracts, as the archive states them."""

    chain_id: int
    region: int
    contracts: dict[str, str]


class _Staging:
    """The archive's entries, written to a directory first, then tarred after the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: list[dict[str, Any]] = []

    def add(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.entries.append({"path": path, "sha256": _sha256(data), "size": len(data)})

    def add_file(self, path: str, source: Path) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with source.open("rb") as inp, target.open("wb") as out:
            for chunk in iter(lambda: inp.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        size = target.stat().st_size
        self.entries.append({"path": path, "sha256": digest.hexdigest(), "size": size})


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a database that may be open and written (SQLite's backup API)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _data_files(data_dir: Path) -> Iterator[Path]:
    for path in sorted(data_dir.rglob("*")):
        parts = path.relative_to(data_dir).parts
        if not path.is_file() or parts[0] in _SKIPPED_DIRS or path.name.endswith(_SKIPPED_SUFFIXES):
            continue
        if path.suffix in (".db", ".jsonl", ".json", ".pdf", ".sig"):
            yield path


def export_archive(
    out: Path,
    *,
    w3: Web3,
    predecessor: Predecessor,
    engine: sa.Engine,
    data_dir: Path,
    successor_key: bytes | str,
    materials: MaterialStore | None,
    content: ContentStore | None,
    block: int | None = None,
) -> dict[str, Any]:
    """Writes the archive of the whole register to ``out`` (see the module); returns its
    manifest. ``block``: the stated block (the head if unset)."""
    raw = w3.provider.make_request(
        "eth_getBlockByNumber",  # type: ignore[arg-type]
        [hex(block) if block is not None else "latest", False],
    )["result"]
    verified_header(raw)
    number = int(raw["number"], 16)
    with tempfile.TemporaryDirectory(prefix="succession-") as tmp:
        staging = _Staging(Path(tmp) / "entries")
        staging.add("chain/block.json", json.dumps(raw, sort_keys=True).encode())
        tables: dict[str, list[dict[str, Any]]] = {}
        with engine.connect() as conn:
            for table in index_metadata.sorted_tables:
                rows = [dict(r._mapping) for r in conn.execute(sa.select(table))]
                tables[table.name] = rows
                staging.add(f"index/{table.name}.jsonl", _jsonl(iter(rows)))
        contracts = predecessor.contracts
        for cert in sorted(tables.get("certificates", []), key=lambda c: int(c["token_id"])):
            token = int(cert["token_id"])
            material = fetch_proofs(
                w3,
                contracts["Certificates"],
                contracts["AssetRegistry"],
                token,
                number,
                contracts.get("Annotations"),
            )
            staging.add(f"chain/proofs/{token}.json", json.dumps(material, sort_keys=True).encode())
        if materials is not None and content is not None:
            for envelope in materials.rewrap_for(successor_key):
                for sealed in envelope.materials.values():
                    staging.add(f"content/{sealed.cid}", read_all(content, Cid.parse(sealed.cid)))
                staging.add(
                    f"materials/{envelope.registration}.json", envelope.model_dump_json().encode()
                )
        copies = Path(tmp) / "copies"
        copies.mkdir()
        for path in _data_files(data_dir):
            relative = path.relative_to(data_dir).as_posix()
            if path.suffix == ".db":
                copy = copies / relative.replace("/", "_")
                _sqlite_copy(path, copy)
                staging.add_file(f"data/{relative}", copy)
            else:
                staging.add_file(f"data/{relative}", path)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "predecessor": asdict(predecessor),
            "block": {
                "number": number,
                "hash": raw["hash"],
                "state_root": raw["stateRoot"],
                "timestamp": int(raw["timestamp"], 16),
                "time": times.iso(int(raw["timestamp"], 16)),
            },
            "successor_public_key": successor_key
            if isinstance(successor_key, str)
            else base64.b64encode(successor_key).decode(),
            "certificates": len(tables.get("certificates", [])),
            "entries": staging.entries,
        }
        data = json.dumps(manifest, indent=1, sort_keys=True).encode()
        out.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(out, "w") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for entry in staging.entries:
                tar.add(staging.root / entry["path"], arcname=entry["path"], recursive=False)
    logger.info(
        "register exported to %s: %d entries, %d certificates, block %d",
        out.name,
        len(manifest["entries"]),
        manifest["certificates"],
        number,
    )
    return manifest


@dataclass(frozen=True)
class Imported:
    """What an import kept."""

    chain_id: int
    block_number: int
    block_hash: str
    numbers: list[str]
    materials: int


def _entries(tar: tarfile.TarFile) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and every entry, each checked against its hash in the manifest's order."""
    try:
        head = tar.extractfile(MANIFEST)
        manifest = json.loads(head.read()) if head is not None else None
    except (KeyError, ValueError) as exc:
        raise ArchiveError(MANIFEST, f"missing or not JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(MANIFEST, f"not an archive of format {FORMAT}")
    members = {m.name: m for m in tar.getmembers() if m.isfile()}
    found: dict[str, bytes] = {}
    for entry in manifest["entries"]:
        path = str(entry["path"])
        member = members.get(path)
        if member is None:
            raise ArchiveError(path, "listed in the manifest, missing from the archive")
        handle = tar.extractfile(member)
        data = handle.read() if handle is not None else b""
        if _sha256(data) != entry["sha256"]:
            raise ArchiveError(
                path, f"SHA-256 {_sha256(data)}, the manifest says {entry['sha256']}"
            )
        found[path] = data
    for name in members:
        if name != MANIFEST and name not in found:
            raise ArchiveError(name, "not listed in the manifest")
    return manifest, found


def _jsonl_rows(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def _proven(manifest: dict[str, Any], found: dict[str, bytes]) -> dict[int, OriginState]:
    """Every certificate's proof checked against the stated block's state root, and against the
    archived index's row of the certificate."""
    stated = manifest["block"]
    raw = json.loads(found["chain/block.json"])
    try:
        header = verified_header(raw)
    except ValueError as exc:
        raise ArchiveError("chain/block.json", str(exc)) from None
    if "0x" + keccak(header).hex() != str(stated["hash"]).lower():
        raise ArchiveError("chain/block.json", f"the header is not block {stated['hash']}")
    state_root = bytes.fromhex(str(raw["stateRoot"])[2:])
    contracts = manifest["predecessor"]["contracts"]
    rows = {int(r["token_id"]): r for r in _jsonl_rows(found.get("index/certificates.jsonl", b""))}
    proven: dict[int, OriginState] = {}
    for path in found:
        if not path.startswith("chain/proofs/"):
            continue
        material = json.loads(found[path])
        try:
            state = verify_proofs(
                material,
                state_root,
                int(stated["timestamp"]),
                contracts["Certificates"],
                contracts["AssetRegistry"],
                contracts.get("Annotations"),
            )
        except Exception as exc:  # any failure of a proof refuses the archive
            logger.warning("succession proof %s refused: %s", path, exc)
            raise ArchiveError(path, f"the proof does not check: {exc}") from None
        row = rows.get(state.token_id)
        if row is None or (str(row["holder"]).lower(), int(row["asset_id"])) != (
            state.holder.lower(),
            state.asset_id,
        ):
            raise ArchiveError(path, "the proven certificate differs from the archived index's")
        proven[state.token_id] = state
    missing = set(rows) - set(proven)
    if missing:
        token = min(missing)
        raise ArchiveError(f"chain/proofs/{token}.json", "a certificate of the index has no proof")
    return proven


def import_archive(
    archive: Path,
    *,
    engine: sa.Engine,
    data_dir: Path,
    now: int,
    materials: MaterialStore | None = None,
    content: ContentStore | None = None,
) -> Imported:
    """Checks the archive in full (raising ArchiveError naming the first bad entry), then keeps
    its certificates, materials and the archive itself (see the module)."""
    with tarfile.open(archive, "r") as tar:
        manifest, found = _entries(tar)
    proven = _proven(manifest, found)
    predecessor = manifest["predecessor"]
    stated = manifest["block"]
    kept = _adopt_materials(found, materials, content)
    succession_metadata.create_all(engine)
    numbers = []
    with engine.begin() as conn:
        for token, state in sorted(proven.items()):
            number = format_number(token)
            numbers.append(number)
            conn.execute(
                sa.delete(succession_certificates).where(succession_certificates.c.number == number)
            )
            conn.execute(
                sa.insert(succession_certificates).values(
                    number=number,
                    token_id=token,
                    chain_id=int(predecessor["chain_id"]),
                    predecessor_region=int(predecessor["region"]),
                    block_number=int(stated["number"]),
                    block_hash=str(stated["hash"]),
                    state=_state_json(state),
                    proof=json.loads(found[f"chain/proofs/{token}.json"]),
                    imported_at=now,
                )
            )
    kept_dir = data_dir / "succession"
    kept_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archive, kept_dir / f"{predecessor['chain_id']}-{stated['number']}.tar")
    logger.info(
        "archive of chain %s at block %s imported: %d certificates, %d registrations' materials",
        predecessor["chain_id"],
        stated["number"],
        len(numbers),
        kept,
    )
    return Imported(
        int(predecessor["chain_id"]), int(stated["number"]), str(stated["hash"]), numbers, kept
    )


def _adopt_materials(
    found: dict[str, bytes], materials: MaterialStore | None, content: ContentStore | None
) -> int:
    """The archive's materials kept here: each ciphertext into the content store, each envelope
    (its data key wrapped for this center) adopted; how many registrations'."""
    envelopes = [
        Envelope.model_validate_json(data)
        for path, data in found.items()
        if path.startswith("materials/")
    ]
    if envelopes and (materials is None or content is None):
        raise ArchiveError("materials/", "the archive has materials; this center has no store")
    for envelope in envelopes:
        assert materials is not None  # refused just above otherwise
        assert content is not None
        for name, sealed in envelope.materials.items():
            data = found.get(f"content/{sealed.cid}")
            if data is None:
                raise ArchiveError(f"content/{sealed.cid}", f"the ciphertext of {name} is missing")
            stored = content.add(data, cid_version=1, pin=True)
            if str(stored.cid) != sealed.cid:
                raise ArchiveError(f"content/{sealed.cid}", f"stored as {stored.cid}")
        try:
            materials.adopt(envelope)
        except (MaterialError, UnwrapError) as exc:
            raise ArchiveError(
                f"materials/{envelope.registration}.json",
                f"its data key does not open with this center's keystore: {exc}",
            ) from None
    return len(envelopes)


@dataclass(frozen=True)
class Restored:
    """What a restore put back into a fresh data directory."""

    files: int
    materials: int


def restore_archive(
    archive: Path, *, data_dir: Path, materials: MaterialStore, content: ContentStore
) -> Restored:
    """A backup (an archive made for this center's own key) back into a fresh data directory:
    every entry checked against the manifest first (ArchiveError naming the first bad one),
    then the databases and files of ``data/`` written under ``data_dir`` and the materials
    adopted with their ciphertexts, which the keystore, put back beforehand, must open. The
    chain is not in it: start the service against the same chain, and the index follows it
    from its cursor."""
    if any(data_dir.glob("*.db")):
        raise ArchiveError("data/", f"{data_dir} already holds databases: restore into a fresh one")
    with tarfile.open(archive, "r") as tar:
        _manifest, found = _entries(tar)
    for path, data in found.items():
        # Before anything is written: a keystore that does not open the materials (not put
        # back, or another center's) would leave a half-restored directory.
        if path.startswith("materials/"):
            try:
                materials.keys.unwrap(
                    base64.b64decode(Envelope.model_validate_json(data).wrapped_key)
                )
            except UnwrapError as exc:
                raise ArchiveError(
                    path, f"this center's keystore does not open it: {exc}"
                ) from None
    root = data_dir.resolve()
    files = 0
    for path, data in found.items():
        if not path.startswith("data/"):
            continue
        target = (data_dir / path.removeprefix("data/")).resolve()
        if not target.is_relative_to(root):
            raise ArchiveError(path, "outside the data directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files += 1
    kept = _adopt_materials(found, materials, content)
    logger.info(
        "archive restored into %s: %d files, %d registrations' materials", data_dir, files, kept
    )
    return Restored(files, kept)


def _state_json(state: OriginState) -> dict[str, Any]:
    body = asdict(state)
    body["annotations"] = [asdict(a) for a in state.annotations]
    body["grant"] = None if state.grant is None else asdict(state.grant)
    return body


def _state(body: dict[str, Any], now: int) -> OriginState:
    from registry.recognition.origin import ProvenAnnotation, ProvenGrant

    fields = dict(body)
    fields["annotations"] = tuple(ProvenAnnotation(**a) for a in body["annotations"])
    fields["grant"] = None if body["grant"] is None else ProvenGrant(**body["grant"])
    fields["timestamp"] = now
    return OriginState(**fields)


class Succeeded:
    """The certificates this center answers for as a predecessor's successor."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        succession_metadata.create_all(engine)

    def certificate(self, number: str, now: int) -> dict[str, Any] | None:
        """The handed-over certificate of ``number`` as ``GET /v1/certificates/{number}``
        answers (its status now: the proven standing, expiry judged at ``now``), with its
        predecessor, block and proof; None if none was handed over. Raises ValueError for a
        malformed number."""
        parse_number(number)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(succession_certificates).where(succession_certificates.c.number == number)
            ).first()
        if row is None:
            return None
        state = _state(dict(row.state), now)
        return {
            "token_id": str(state.token_id),
            "number": row.number,
            "asset_id": state.asset_id,
            "holder": state.holder,
            "kind": state.kind,
            "state": state.state,
            "issued_at": state.issued_at,
            "expires_at": state.expires_at,
            "successor": str(state.successor) if state.successor else None,
            "grant_id": None if state.grant is None else state.grant.grant_id,
            "status": state.status.name.lower(),
            "predecessor": {
                "chain_id": int(row.chain_id),
                "region": int(row.predecessor_region),
                "block_number": int(row.block_number),
                "block_hash": row.block_hash,
                "proof": row.proof,
            },
        }

    def numbers(self) -> list[str]:
        with self.engine.connect() as conn:
            return [
                r.number
                for r in conn.execute(
                    sa.select(succession_certificates.c.number).order_by(
                        succession_certificates.c.number
                    )
                )
            ]


def successor_public_key(path: Path) -> str:
    """The successor's X25519 public key from its file: a keystore's public part
    (``{"public_key": base64}``), or the key itself as base64 or hex."""
    text = path.read_text(encoding="utf-8").strip()
    try:
        document = json.loads(text)
    except ValueError:
        document = text
    key = document["public_key"] if isinstance(document, dict) else str(document)
    from registry.privacy.keys import parse_public_key

    parse_public_key(key)
    return str(key)


def center_public_key(keystore: Path) -> str:
    """This center's public key (base64), for its predecessor's export."""
    return base64.b64encode(CenterKeys.open(keystore).public_raw).decode()
