"""Confidential materials encrypted at rest: the keystore made once (mode 0600), a data key per
registration wrapped by the center's key, re-wrapped for a successor's public key; the content
store (a real embedded block store) holds only ciphertext."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from registry.content import LocalStore
from registry.privacy import CenterKeys, KeystoreError, MaterialError, MaterialStore, UnwrapError

REGISTRATION = "0x" + "ab" * 32
PROOF = "营业执照扫描件 110101199003074514".encode()


def _every_block(store: LocalStore) -> bytes:
    return b"".join(p.read_bytes() for p in store.blocks_dir.rglob("*.data"))


def test_keystore_is_made_at_first_start_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keystore" / "center-kek.json"
    made = CenterKeys.open(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert CenterKeys.open(path).public_raw == made.public_raw


def test_keystore_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kek.json"
    CenterKeys.open(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeystoreError, match="mode 644"):
        CenterKeys.open(path)


def test_sealed_material_opens_and_the_store_holds_only_ciphertext(tmp_path: Path) -> None:
    content = LocalStore(tmp_path / "content")
    store = MaterialStore(tmp_path / "materials", CenterKeys.open(tmp_path / "kek.json"), content)
    store.seal(REGISTRATION, {"identity-proof.pdf": PROOF, "sample.csv": b"a,b\n1,2\n"})
    assert store.open(REGISTRATION, "identity-proof.pdf") == PROOF
    assert store.names(REGISTRATION) == ["identity-proof.pdf", "sample.csv"]
    blocks = _every_block(content)
    assert blocks
    assert b"110101199003074514" not in blocks
    assert PROOF not in blocks
    assert b"a,b\n1,2" not in blocks


def test_a_name_sealed_twice_is_refused(tmp_path: Path) -> None:
    store = MaterialStore(tmp_path / "m", CenterKeys.generate(), LocalStore(tmp_path / "c"))
    store.seal(REGISTRATION, {"contract.pdf": b"one"})
    with pytest.raises(MaterialError, match=r"already has a material named 'contract\.pdf'"):
        store.seal(REGISTRATION, {"contract.pdf": b"two"})
    assert store.open(REGISTRATION, "contract.pdf") == b"one"


def test_rewrapped_envelope_opens_at_the_successor_only(tmp_path: Path) -> None:
    content = LocalStore(tmp_path / "content")
    center = MaterialStore(tmp_path / "a", CenterKeys.generate(), content)
    center.seal(REGISTRATION, {"contract.pdf": b"the contract"})
    successor_keys = CenterKeys.generate()
    [envelope] = list(center.rewrap_for(successor_keys.public_raw))
    with pytest.raises(UnwrapError):
        center.keys.unwrap(base64.b64decode(envelope.wrapped_key))
    successor = MaterialStore(tmp_path / "b", successor_keys, content)
    successor.adopt(envelope)
    assert successor.open(REGISTRATION, "contract.pdf") == b"the contract"


def test_altered_ciphertext_is_refused(tmp_path: Path) -> None:
    content = LocalStore(tmp_path / "content")
    store = MaterialStore(tmp_path / "m", CenterKeys.generate(), content)
    store.seal(REGISTRATION, {"a": b"secret"})
    envelope = store.envelope(REGISTRATION)
    other = content.add(b"x" * 40)
    forged = envelope.model_copy(
        update={
            "materials": {"a": envelope.materials["a"].model_copy(update={"cid": str(other.cid)})}
        }
    )
    store._write(forged)
    with pytest.raises(MaterialError, match="'a' was altered"):
        store.open(REGISTRATION, "a")
