"""Canonical JSON (RFC 8785) and the registration manifest."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from registry.content.canonical import canonical_json
from registry.content.cid import Cid
from registry.content.manifest import Manifest, build_manifest
from registry.forms.codes import uscc_check_character
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "qingdao-port-logistics"
META = json.loads((ROOT / "samples" / "qingdao-port-logistics.meta.json").read_text())


def test_canonical_numbers_follow_rfc_8785() -> None:
    values = [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001]
    assert canonical_json(values) == b"[333333333.3333333,1e+30,4.5,0.002,1e-27]"
    assert canonical_json([0.0, -0.0, 1.0, 100, 1e21, 1e-7, 123456789012.5]) == (
        b"[0,0,1,100,1e+21,1e-7,123456789012.5]"
    )


def test_canonical_keys_sort_by_utf16_code_units() -> None:
    data = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    keys = list(json.loads(canonical_json(data)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_canonical_strings_escape_only_what_they_must() -> None:
    assert canonical_json('€"\\/\n\x0f') == '"€\\"\\\\/\\n\\u000f"'.encode()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 2**60, {1: "x"}, object()])
def test_canonical_refuses_what_json_cannot_hold(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"."):
        canonical_json(bad)


def test_sample_manifest_has_every_file_once_and_a_stable_hash() -> None:
    manifest = build_manifest(SAMPLE, META)
    assert [f.path for f in manifest.files] == sorted(p.name for p in SAMPLE.iterdir())
    again = Manifest.model_validate_json(manifest.canonical_bytes())
    assert again.manifest_hash() == manifest.manifest_hash()
    manifest_hash, digest, codec = manifest.chain_fields()
    assert (digest, codec) == (manifest_hash, 0x55)  # a small manifest is one raw block
    assert Cid.parse(str(manifest.manifest_cid())).digest == digest


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("classification",), "core", "classification"),
        (("holder", "credit_code"), "91370200MA3C5R8K14", "holder.credit_code"),
        (("holder", "account"), "0x1234", "holder.account"),
        (("scenarios",), [], "scenarios"),
        (("release_date",), "2026-13-01", "release_date"),
        (("sensitivity",), "L9", "sensitivity"),
    ],
)
def test_invalid_manifest_names_the_field(path: tuple[str, ...], value: Any, field: str) -> None:
    meta = json.loads(json.dumps(META))
    target = meta
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as info:
        build_manifest(SAMPLE, meta)
    assert [".".join(map(str, e["loc"])) for e in info.value.errors()] == [field]


def test_uscc_check_character_matches_published_codes() -> None:
    for code in ("9144030071526726XG", "91110108551385082Q", "91350100M000100Y43"):
        assert uscc_check_character(code[:17]) == code[17]


def test_manifest_build_command_writes_canonical_json(tmp_path: Path) -> None:
    out = tmp_path / "manifest.json"
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "registry"),
            "manifest",
            "build",
            str(SAMPLE),
            "--metadata",
            str(ROOT / "samples" / "qingdao-port-logistics.meta.json"),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    manifest = Manifest.model_validate_json(out.read_bytes())
    assert out.read_bytes() == manifest.canonical_bytes()
    assert f"0x{manifest.manifest_hash().hex()}" in result.stdout
