"""The registration types from the command line, against a served registry and checked on chain
(issue 16 item 5): a joint application (`asset apply --co-holder`), a transfer applied for by
every party's key (`asset transfer`), refused (`asset refuse-transfer`) and registered
(`asset register-transfer`), a change of identity (`asset change-identity`), the center's
cancellation (`asset cancel-by-center`) and the change a judgment orders (`asset
ordered-change`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from registry.api.keys import Role
from registry.chain.types import (
    ALL_RIGHTS,
    JudgmentKind,
    ObjectionOutcome,
    RightKind,
    Status,
    TransferState,
    identity_commitment,
    rights_mask,
)
from registry.cli import app as cli_app
from registry.content.manifest import Manifest
from tests.api_support import Api
from tests.conftest import Accounts, Flow, h, now
from tests.test_acts import served  # noqa: F401 (the fixture)
from tests.test_api_manifests import sample_manifest
from tests.test_post_objections import filed, send, told

TRANSFEREE = ("青岛港航运数据科技有限公司", "91370200MA3C9X2Y4P")


def manifest_file(tmp_path: Path, version: str, holder: str) -> Path:
    """The sample manifest as ``holder``'s, a version of its own with its own file hashes (a
    second application of the same data by the same applicant is refused)."""
    manifest: dict[str, Any] = sample_manifest()
    manifest["version"] = version
    manifest["holder"]["account"] = holder
    for entry in manifest["files"]:
        entry["sha256"] = h(version + entry["sha256"]).hex()
    path = tmp_path / f"{version}.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def cli(
    api: Api,
    served: str,  # noqa: F811 (the fixture imported above)
    accounts: Accounts,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """Runs ``registry`` with the holder's key and the second holder's as the other party's,
    against the served API with ``role``'s key; the command's output, after checking it ran."""
    monkeypatch.setenv("REGISTRY_HOLDER_KEY", accounts.holder.key.hex())
    monkeypatch.setenv("REGISTRY_CO_HOLDER_KEYS", accounts.holder2.key.hex())
    runner = CliRunner()

    def run(*args: str, role: Role = Role.REGISTRAR, code: int = 0) -> str:
        result = runner.invoke(cli_app, [*args, "--api", served, "--key", api.keys[role]])
        assert result.exit_code == code, (args, result.output)
        return result.output

    return run


def test_joint_application_from_the_cli_records_every_co_holder_and_its_rights(
    cli: Any, api: Api, flow: Flow, tmp_path: Path
) -> None:
    acc = flow.accounts
    manifest = manifest_file(tmp_path, "cli-joint", acc.holder.address)
    co_holder = f"{acc.holder2.address}:processing+operating:{TRANSFEREE[0]}:{TRANSFEREE[1]}"
    out = cli("asset", "apply", str(manifest), "--co-holder", co_holder, role=Role.HOLDER)
    asset_id = int(re.search(r"asset id (\d+)", out).group(1))  # type: ignore[union-attr]
    a = flow.registry.assets
    held = a.rights_of(asset_id, acc.holder2.address)
    assert held.rights == rights_mask((RightKind.PROCESSING, RightKind.OPERATING))
    assert a.get_asset(asset_id).co_holder_count == 1
    api.indexed()
    rights = api.get(f"/v1/assets/{asset_id}/rights").json()["right_holders"]
    co = next(r for r in rights if r["account"] == acc.holder2.address)
    assert co["identity_hash"] == "0x" + identity_commitment(*TRANSFEREE).hex()

    # A co-holder whose key is not given is refused before anything is sent.
    unknown = f"{acc.grantee.address}:processing:某公司:91370200MA3C0000XX"
    again = manifest_file(tmp_path, "cli-joint-2", acc.holder.address)
    out = cli("asset", "apply", str(again), "--co-holder", unknown, role=Role.HOLDER, code=2)
    assert "no key in REGISTRY_CO_HOLDER_KEYS" in out
    assert a.asset_count() == asset_id


def test_transfer_change_of_identity_and_cancellation_by_the_center_from_the_cli(
    cli: Any, api: Api, flow: Flow, tmp_path: Path
) -> None:
    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued("cli transfer")
    api.indexed()

    # The holder's new identity details (a renaming): its consent, the same right-holder.
    renamed = (
        "0x" + identity_commitment("青岛港智慧物流数据集团有限公司", "91370200MA3C5R8K13").hex()
    )
    cli("asset", "change-identity", str(asset_id), "--account", acc.holder.address,
        "--identity", renamed)  # fmt: skip
    api.indexed()
    changed = [e for e in api.get(f"/v1/assets/{asset_id}/history").json()
               if e["name"] == "IdentityChanged"]  # fmt: skip
    assert [e["args"]["identityHash"] for e in changed] == [renamed]

    agreement = tmp_path / "转让合同.pdf"
    agreement.write_bytes(b"%PDF-1.7 transfer agreement")
    share = (
        f"{acc.holder.address}:{acc.holder2.address}:holding+processing+operating:"
        f"{TRANSFEREE[0]}:{TRANSFEREE[1]}"
    )
    transfer = ["asset", "transfer", str(asset_id), "--share", share, "--agreement", str(agreement)]
    first = int(re.search(r"transfer id (\d+)", cli(*transfer)).group(1))  # type: ignore[union-attr]
    assert a.get_transfer(first).state == TransferState.APPLIED
    applied = a.get_transfer(first).shares[0]
    assert (applied.rights, applied.identity_hash) == (ALL_RIGHTS, identity_commitment(*TRANSFEREE))
    reasons = tmp_path / "不予登记理由.txt"
    reasons.write_text("转让合同未经全部共有人同意", encoding="utf-8")
    cli("asset", "refuse-transfer", str(first), "--ground", "ownership_disputed",
        "--reason", str(reasons), role=Role.REVIEWER)  # fmt: skip
    assert a.get_transfer(first).state == TransferState.REFUSED
    assert a.holder_of(asset_id) == acc.holder.address

    # The first transferor signs with REGISTRY_HOLDER_KEY: another is refused, nothing sent.
    reversed_share = f"{acc.holder2.address}:{acc.holder.address}:holding:某公司:91370200MA3C0000XX"
    backwards = ["asset", "transfer", str(asset_id), "--share", reversed_share,
                 "--agreement", str(agreement)]  # fmt: skip
    assert "the first transferor is" in cli(*backwards, code=2)
    assert a.transfer_count() == first

    second = int(re.search(r"transfer id (\d+)", cli(*transfer)).group(1))  # type: ignore[union-attr]
    cli("asset", "register-transfer", str(second))
    assert a.get_transfer(second).state == TransferState.REGISTERED
    assert a.holder_of(asset_id) == acc.holder2.address
    assert a.rights_of(asset_id, acc.holder.address).rights == 0

    notice = "贵单位登记的数据已销毁，依职权注销。"
    cli("asset", "cancel-by-center", str(asset_id), "--ground", "data_destroyed",
        "--reason", "数据已按判决销毁", "--notice", notice)  # fmt: skip
    assert a.status_of(asset_id) == Status.CANCELLED
    api.indexed()
    assert notice in api.get(f"/a/{asset_id}").text


def test_ordered_change_from_the_cli_registers_the_judgments_new_description(
    cli: Any, flow: Flow, tmp_path: Path
) -> None:
    a = flow.registry.assets
    asset_id = flow.issued("cli ordered change")
    objection = filed(flow, asset_id)
    told(flow, objection)
    send(flow, "recordAnswer", objection, False, ObjectionOutcome.STANDS, h("reply"))
    send(
        flow,
        "recordJudgment",
        objection,
        JudgmentKind.COURT_JUDGMENT,
        ObjectionOutcome.CHANGE,
        h("judgment"),
    )
    version = a.get_asset(asset_id).version
    manifest = manifest_file(tmp_path, "cli-ordered", flow.accounts.holder.address)
    cli("asset", "ordered-change", str(objection), str(manifest))
    changed = a.get_asset(asset_id)
    assert changed.version == version + 1
    expected, digest, _codec = Manifest.model_validate_json(manifest.read_bytes()).chain_fields()
    assert (changed.manifest_hash, changed.manifest_cid) == (expected, digest)


def test_a_grant_from_the_cli_names_its_licensee_and_a_mistyped_code_is_refused(
    cli: Any,
    api: Api,
    flow: Flow,
    served: str,  # noqa: F811 (the fixture imported above)
) -> None:
    from tests.test_certificates_licensees import CODE, LICENSEE, MISTYPED

    acc = flow.accounts
    asset_id = flow.issued("cli licensee")
    api.indexed()
    grant = ["right", "grant", str(asset_id), "--grantor", acc.holder.address,
             "--kind", "processing", "--grantee", acc.grantee.address,
             "--scenario", "港口运力规划", "--start", str(now(flow.w3)),
             "--expiry", "2030-12-31", "--licensee-name", LICENSEE]  # fmt: skip
    # Checked before anything is sent, naming the field, as the API would.
    out = cli(*grant, "--licensee-code", MISTYPED, code=2)
    assert "licensee_credit_code" in out
    assert "the check character does not match" in out
    assert "licensee_credit_code" in cli(*grant, code=2)  # a company is named with its code
    done = cli(*grant, "--licensee-code", CODE)
    grant_id = re.search(r"grant id (0x[0-9a-f]{64})", done).group(1)  # type: ignore[union-attr]
    terms = flow.registry.rights.terms_of(bytes.fromhex(grant_id[2:]))
    api.indexed()
    (listed,) = api.get(f"/v1/assets/{asset_id}/rights").json()["grants"]
    assert listed["terms_hash"] == "0x" + terms.hex()
    assert listed["licensee"]["credit_code"] == CODE
    # The licence names the same licensee (another would be refused); the rights name it.
    licence = ["right", "licence", str(asset_id), "--kind", "processing",
               "--grantee", acc.grantee.address, "--scenario", "港口运力规划"]  # fmt: skip
    other = cli(*licence, "--licensee-name", "另一公司", "--licensee-code", CODE, code=2)
    assert "licensee_name: differs from the grant's terms" in other
    assert "certificate SJ" in cli(*licence, "--licensee-name", LICENSEE, "--licensee-code", CODE)
    rights = CliRunner().invoke(cli_app, ["asset", "rights", str(asset_id), "--api", served])
    assert rights.exit_code == 0, rights.output
    assert f"{acc.grantee.address}  {LICENSEE} ({CODE}; grant's terms on chain)" in rights.output

    # Drafted for the holder's consent: the holder reads whom the terms hash names, signs, and
    # the licence terms are kept when the signature is relayed.
    drafted = cli("consent", "request", "grant", str(asset_id), "--grantor", acc.holder.address,
                  "--kind", "processing",
                  "--grantee", acc.grantee.address, "--scenario", "港口拥堵预测",
                  "--start", str(now(flow.w3)), "--expiry", "2030-12-31",
                  "--licensee-name", LICENSEE, "--licensee-code", CODE, "--quiet")  # fmt: skip
    signed = CliRunner().invoke(
        cli_app, ["consent", "sign", drafted.strip(), "--yes", "--api", served]
    )
    assert signed.exit_code == 0, signed.output
    assert f"licensee (in termsHash): {LICENSEE} ({CODE})" in signed.output
    api.indexed()
    grants = api.get(f"/v1/assets/{asset_id}/rights").json()["grants"]
    assert [g["licensee"]["source"] for g in grants] == ["grant", "grant"]
