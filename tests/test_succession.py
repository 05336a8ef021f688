"""Succession (指引 art. 13): center A exports its whole register for a successor, center B (on
another chain) imports it and from then on answers for A's certificates under their numbers;
a tampered archive is refused naming its first bad entry; and the archive restores into a
fresh data directory with every record (retention, art. 10)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from web3 import Web3

from registry.certificates.numbers import format_number
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.deploy import deploy
from registry.cli import app as cli_app
from registry.config import Settings, get_settings
from registry.content import open_store
from registry.devtools import DEV_CENTER, dev_node
from registry.index import Queries, open_engine
from registry.privacy import CenterKeys, MaterialStore
from registry.succession import ArchiveError, Predecessor, export_archive, import_archive
from tests.api_support import Api, reverted_api, running_api
from tests.conftest import SESSION_GENESIS, Accounts, advance, application, h

PROOF = b"%PDF-1.7 a proof of lawful acquisition"


@pytest.fixture(scope="module")
def center_a(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[tuple[Api, Path, list[str]]]:
    data = tmp_path_factory.mktemp("center-a")
    # The data directory as `registry up` leaves it, for the CLI's `registry export`.
    deployment.save(data / "deployment.json")
    with reverted_api(data, w3, deployment, artifacts, accounts) as api:
        registry = Registry.connect(w3, deployment, artifacts)
        a = registry.assets
        issued = []
        for name in ("one", "two", "three"):
            asset_id = a.submit_application(
                accounts.holder, application(accounts.holder.address, f"succession-{name}")
            )
            a.accept(accounts.reviewer, asset_id)
            a.approve(accounts.reviewer, asset_id)
            issued.append(asset_id)
        advance(w3, 12 * 24 * 3600)
        numbers = []
        for asset_id in issued:
            a.issue(accounts.registrar, asset_id)
            numbers.append(format_number(a.get_asset(asset_id).certificate_id))
        api.runtime.context.materials.seal("0x" + h("succession-one").hex(), {"proof.pdf": PROOF})
        api.indexed()
        yield api, data, numbers


@pytest.fixture(scope="module")
def center_b(
    tmp_path_factory: pytest.TempPathFactory, artifacts: dict[str, Artifact], accounts: Accounts
) -> Iterator[tuple[Api, Path]]:
    with dev_node(genesis_timestamp=SESSION_GENESIS, chain_id=31338) as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        other = deploy(w3, accounts.admin, artifacts, center=DEV_CENTER, **accounts.staff())
        data = tmp_path_factory.mktemp("center-b")
        with running_api(data, w3, other, artifacts, accounts) as api:
            yield api, data


def exported(center_a: tuple[Api, Path, list[str]], center_b: tuple[Api, Path], out: Path) -> Any:
    api, data, _numbers = center_a
    ctx = api.runtime.context
    registry = ctx.service.registry
    return export_archive(
        out,
        w3=registry.chain.w3,
        predecessor=Predecessor(registry.chain.chain_id, 370200, dict(registry.contracts)),
        engine=ctx.queries.engine,
        data_dir=data,
        successor_key=center_b[0].runtime.context.materials.keys.public_raw,
        materials=ctx.materials,
        content=ctx.materials.content,
    )


def imported(center_b: tuple[Api, Path], archive: Path) -> Any:
    api, data = center_b
    ctx = api.runtime.context
    return import_archive(
        archive,
        engine=ctx.queries.engine,
        data_dir=data,
        now=ctx.now(),
        materials=ctx.materials,
        content=ctx.materials.content,
    )


def tampered(archive: Path, target: str, out: Path) -> None:
    """A copy of ``archive`` with one byte of ``target`` changed."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == target:
                data = data.replace(b"0x", b"0X", 1)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_a_tampered_archive_is_refused_naming_its_first_bad_entry(
    center_a: tuple[Api, Path, list[str]], center_b: tuple[Api, Path], tmp_path: Path
) -> None:
    archive = tmp_path / "register.tar"
    manifest = exported(center_a, center_b, archive)
    proofs = [e["path"] for e in manifest["entries"] if e["path"].startswith("chain/proofs/")]
    assert len(proofs) == 3
    bad = tmp_path / "bad.tar"
    tampered(archive, proofs[1], bad)
    with pytest.raises(ArchiveError) as refused:
        imported(center_b, bad)
    assert refused.value.entry == proofs[1]
    assert "SHA-256" in refused.value.reason
    for number in center_a[2]:
        assert center_b[0].get(f"/v1/certificates/{number}").status_code == 404


def test_an_archive_rehashed_around_a_false_proof_is_refused_naming_the_proof(
    center_a: tuple[Api, Path, list[str]], center_b: tuple[Api, Path], tmp_path: Path
) -> None:
    """The manifest of hashes is not signed: whoever alters an entry can hash it again. The
    proofs against the stated block's state root are what hold then."""
    archive = tmp_path / "register.tar"
    manifest = exported(center_a, center_b, archive)
    proofs = [e["path"] for e in manifest["entries"] if e["path"].startswith("chain/proofs/")]
    target = proofs[1]
    with tarfile.open(archive) as src:
        contents = {
            m.name: src.extractfile(m).read()  # type: ignore[union-attr]
            for m in src.getmembers()
        }
    material = json.loads(contents[target])
    storage = material["accounts"][0]["storage"][0]
    storage["proof"] = storage["proof"][:-1]  # the leaf dropped: the slot's word unproven
    contents[target] = json.dumps(material, sort_keys=True).encode()
    for entry in manifest["entries"]:
        if entry["path"] == target:
            entry["sha256"] = hashlib.sha256(contents[target]).hexdigest()
            entry["size"] = len(contents[target])
    contents["MANIFEST.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as dst:
        for name in ["MANIFEST.json", *(e["path"] for e in manifest["entries"])]:
            info = tarfile.TarInfo(name)
            info.size = len(contents[name])
            dst.addfile(info, io.BytesIO(contents[name]))
    with pytest.raises(ArchiveError) as refused:
        imported(center_b, forged)
    assert refused.value.entry == target
    assert "the proof does not check" in refused.value.reason
    for number in center_a[2]:
        assert center_b[0].get(f"/v1/certificates/{number}").status_code == 404


def cli(monkeypatch: pytest.MonkeyPatch, data: Path, *args: str, rpc: str = "") -> str:
    """``registry ARGS`` on the data directory ``data`` (and the node ``rpc``), as a center's
    operator runs it; its output."""
    monkeypatch.setenv("REGISTRY_DATA_DIR", str(data))
    if rpc:
        monkeypatch.setenv("REGISTRY_RPC_URL", rpc)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, list(args))
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


def test_successor_answers_for_every_certificate_of_its_predecessor(
    center_a: tuple[Api, Path, list[str]],
    center_b: tuple[Api, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api_a, data_a, numbers = center_a
    api_b, data_b = center_b
    key = tmp_path / "successor.key"
    key.write_text(cli(monkeypatch, data_b, "succession-key"))
    archive = tmp_path / "register.tar"
    rpc = str(api_a.runtime.registry.chain.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    said = cli(
        monkeypatch, data_a, "export", "--successor", str(key), "--out", str(archive), rpc=rpc
    )
    assert "3 certificates" in said
    said = cli(monkeypatch, data_b, "import", str(archive))
    assert said.startswith("imported 3 certificates of chain ")
    assert "1 registrations' materials" in said
    chain_a = api_a.runtime.context.service.registry.chain.chain_id
    for number in numbers:
        at_a = api_a.get(f"/v1/certificates/{number}").json()
        at_b = api_b.get(f"/v1/certificates/{number}")
        assert at_b.status_code == 200, at_b.text
        body = at_b.json()
        assert body["status"] == at_a["status"] == "valid"
        for field in ("number", "token_id", "asset_id", "holder", "issued_at", "expires_at"):
            assert body[field] == at_a[field], field
        assert body["predecessor"]["chain_id"] == chain_a
        assert api_b.get(f"/v1/certificates/{number}/status").json()["status"] == "valid"
        page = api_b.get(f"/c/{number}")
        assert page.status_code == 200
        assert number in page.text
        assert '<td class="status">有效</td>' in page.text  # its standing, in Chinese first
        english = api_b.get(f"/c/{number}", lang="en").text
        assert '<td class="status">valid</td>' in english
    materials = api_b.runtime.context.materials
    assert materials.open("0x" + h("succession-one").hex(), "proof.pdf") == PROOF


def test_a_backup_restores_into_a_fresh_data_directory_with_every_record(
    center_a: tuple[Api, Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_a, data_a, numbers = center_a
    own = tmp_path / "own.key"
    own.write_text(cli(monkeypatch, data_a, "succession-key"))
    archive = tmp_path / "backup.tar"
    rpc = str(api_a.runtime.registry.chain.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    cli(monkeypatch, data_a, "export", "--successor", str(own), "--out", str(archive), rpc=rpc)
    # Without its keystore put back, the materials cannot be opened: refused, nothing written.
    bare = tmp_path / "no-keystore"
    monkeypatch.setenv("REGISTRY_DATA_DIR", str(bare))
    get_settings.cache_clear()
    refused = CliRunner().invoke(cli_app, ["restore", str(archive)])
    get_settings.cache_clear()
    assert refused.exit_code == 2
    assert "materials/0x" in refused.output
    assert not list(bare.glob("*.db"))
    fresh = tmp_path / "restored"
    keystore = Settings(data_dir=fresh).keystore_file
    keystore.parent.mkdir(parents=True)
    shutil.copyfile(Settings(data_dir=data_a).keystore_file, keystore)
    keystore.chmod(0o600)
    said = cli(monkeypatch, fresh, "restore", str(archive))
    assert said.startswith("restored ")
    assert "1 registrations' materials" in said
    queries = Queries(open_engine(f"sqlite:///{fresh / 'index.db'}"))
    for number in numbers:
        found = queries.certificate(number)
        assert found is not None
        assert found["number"] == number
    original = api_a.runtime.context.queries
    for asset_id in range(1, 4):
        assert queries.history(asset_id) == original.history(asset_id)
    assert (fresh / "outbox.db").is_file()
    settings = Settings(data_dir=fresh)
    materials = MaterialStore(
        settings.materials_dir,
        CenterKeys.open(settings.keystore_file),
        open_store(None, settings.content_dir),
    )
    assert materials.open("0x" + h("succession-one").hex(), "proof.pdf") == PROOF
