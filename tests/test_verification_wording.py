"""What a verification concludes, in the same words in the API, the page, the report and the
CLI (issue 17 item 3): a receipt alone is reported as on chain with the file check not done,
never as "every check passed"; a file and its receipt are checked together; a changed file
fails naming ``evidence_matches_receipt``; the block's time is shown in Beijing time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner
from web3 import Web3

from registry.chain import Registry
from registry.cli import app as cli_app
from tests.api_support import Api
from tests.conftest import Accounts
from tests.test_report_truth import receipt_of_manifest, report_text

OTHER = "0x" + "ab" * 32
UTC8 = dt.timezone(dt.timedelta(hours=8))


def page(api: Api, receipt: dict[str, Any], data_hash: str = "", lang: str = "zh") -> str:
    """The verification page after its receipt form is sent (the file hashed in the browser)."""
    answer = api.client.post(
        f"/verify?lang={lang}",
        data={"receipt": json.dumps(receipt), "hash": data_hash},
        headers={"origin": str(api.client.base_url)},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.text)


def test_a_receipt_alone_is_on_chain_and_a_file_with_it_is_checked_in_the_same_words(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    genuine = receipt_of_manifest(api, registry, accounts, "wording")

    alone = api.post("/v1/verify", {"receipt": genuine}).json()
    assert (alone["verified"], alone["verdict"], alone["evidence_checked"]) == (
        True,
        "receipt_on_chain",
        False,
    )
    assert alone["statement"]["en"].startswith("This receipt is on chain; no file was checked")
    both = api.post("/v1/verify", {"receipt": genuine, "hash": genuine["hash"]}).json()
    assert (both["verdict"], both["evidence_checked"]) == ("verified", True)
    changed = api.post("/v1/verify", {"receipt": genuine, "hash": OTHER}).json()
    assert (changed["verdict"], changed["failed"]) == ("not_verified", ["evidence_matches_receipt"])

    shown = page(api, genuine)
    assert alone["statement"]["zh"] in shown
    assert "通过：" not in shown
    assert 'id="evidence-not-checked"' in shown
    assert "未检查" in shown
    block_time = dt.datetime.fromtimestamp(genuine["block_time"], UTC8)
    assert f"{block_time:%Y-%m-%d %H:%M:%S}（北京时间）" in shown
    assert both["statement"]["zh"] in page(api, genuine, genuine["hash"])
    failed = page(api, genuine, OTHER)
    assert "未通过" in failed
    assert "出示的证据与回执哈希一致" in failed
    assert "evidence_matches_receipt" in failed
    english = page(api, genuine, lang="en")
    assert alone["statement"]["en"] in english

    _issued, text = report_text(api, genuine, tmp_path)
    flat = "".join(text.split())
    assert "".join(alone["statement"]["zh"].split()) in flat

    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(genuine), encoding="utf-8")
    rpc = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    runner = CliRunner()
    ok = runner.invoke(
        cli_app, ["verify", genuine["hash"], "--receipt", str(receipt_file), "--rpc", rpc]
    )
    assert ok.exit_code == 0, ok.output
    assert both["statement"]["en"] in ok.output
    bad = runner.invoke(cli_app, ["verify", OTHER, "--receipt", str(receipt_file), "--rpc", rpc])
    assert bad.exit_code == 1, bad.output
    assert f"{changed['statement']['en']}: evidence_matches_receipt" in bad.output
