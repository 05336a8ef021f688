"""The verification report as a PDF (核验报告), in Chinese with English beneath: every check with
pass or fail and its raw values, the receipt, the linked assets and certificates, what is and is
not proven, a QR code to the public verification record, and the report's own hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from registry.content.canonical import canonical_json
from registry.documents.pdf import (
    CONTENT_WIDTH,
    FAIL,
    MUTED,
    PASS,
    bilingual,
    heading,
    qr,
    render,
    rows,
    section,
    text,
)

CHECKS_ZH = {
    "evidence_matches_receipt": "出示的证据与回执哈希一致",
    "leaf": "叶子节点哈希",
    "merkle_proof": "默克尔证明通向回执中的根",
    "chain": "链标识一致",
    "root_anchored": "根已记录于存证合约",
    "contract_verifies": "合约复核证明",
    "transaction": "上链交易成功且含存证事件",
    "block": "区块号、区块哈希与时间一致",
    "confirmations": "确认数足够",
}
PROVEN_ZH = "具有该 SHA-256 的数据最迟于该区块时间已存在，且此后未被改动。"
NOT_PROVEN_ZH = "数据由谁制作、内容是否真实，以及上链之前的任何情况。"


def report_document(report: dict[str, Any], record_url: str, generated_at: int) -> dict[str, Any]:
    """What the PDF states, as data: its canonical JSON's SHA-256 is the report hash."""
    return {"report": report, "record_url": record_url, "generated_at": generated_at}


def report_hash(document: dict[str, Any]) -> str:
    return "0x" + hashlib.sha256(canonical_json(document)).hexdigest()


def _time(timestamp: int | None) -> str:
    if timestamp is None:
        return "—"
    return dt.datetime.fromtimestamp(int(timestamp), dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _values(values: dict[str, Any]) -> str:
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items())


def report_pdf(document: dict[str, Any]) -> bytes:
    """The PDF of a ``report_document``."""
    report = document["report"]
    receipt = report.get("receipt") or {}
    verified = bool(report["verified"])
    verdict = (
        bilingual("通过：全部检查通过", "VERIFIED: every check passed", 11)
        if verified
        else bilingual(
            "未通过：" + "、".join(CHECKS_ZH.get(n, n) for n in report["failed"]),
            "NOT VERIFIED — failed: " + ", ".join(report["failed"]),
            11,
        )
    )
    label = 34 * mm
    facts = [
        (bilingual("结论", "Result"), verdict),
        (bilingual("证据 SHA-256", "Evidence SHA-256"), text(receipt.get("hash", "—"), 8)),
        (bilingual("默克尔根", "Merkle root"), text(receipt.get("root", "—"), 8)),
        (
            bilingual("存证合约 / 链", "Contract / chain id"),
            text(f"{receipt.get('contract', '—')} / {receipt.get('chain_id', '—')}", 8),
        ),
        (bilingual("交易", "Transaction"), text(receipt.get("tx_hash", "—"), 8)),
        (
            bilingual("区块", "Block"),
            text(f"#{receipt.get('block_number', '—')} {receipt.get('block_hash', '')}", 8),
        ),
        (bilingual("上链时间", "Anchored at"), text(_time(receipt.get("block_time")))),
        (bilingual("提交人", "Submitted by"), text(receipt.get("submitter", "—"), 8)),
        (bilingual("报告生成时间", "Report generated"), text(_time(document["generated_at"]))),
    ]
    checks = [
        (
            bilingual("检查项", "Check"),
            bilingual("结果", "Result"),
            bilingual("原始值", "Raw values"),
        )
    ] + [
        (
            bilingual(CHECKS_ZH.get(c["name"], c["name"]), c["name"], 8),
            text("通过 pass" if c["passed"] else "失败 FAIL", 8, PASS if c["passed"] else FAIL),
            text(_values(c["values"]), 7),
        )
        for c in report["checks"]
    ]
    linked = [
        (
            bilingual("资产 / 权利人", "Asset / holder"),
            bilingual("关联方式", "Linked as"),
            bilingual("状态（上链时 / 现在）", "Status (at anchoring / now)"),
            bilingual("证书（现在）", "Certificate (now)"),
        )
    ] + [
        (
            text(
                f"#{item['asset_id']} {item.get('name_zh') or ''}\n"
                f"{item.get('holder_name_zh') or item.get('holder') or ''}",
                8,
            ),
            text(item["as"], 8),
            text(f"{item['status_then'] or '—'} / {item['status_now']}", 8),
            text(
                "—"
                if not item.get("certificate")
                else f"{item['certificate']['number']} {item['certificate']['status_now']}",
                8,
            ),
        )
        for item in report.get("linked") or []
    ]
    story: list[Flowable] = [
        *heading("电子数据存证核验报告", "Evidence verification report"),
        Spacer(1, 3 * mm),
        rows(facts, [label, CONTENT_WIDTH - label]),
        Spacer(1, 4 * mm),
        *heading("逐项检查", "Checks"),
        rows(checks, [50 * mm, 20 * mm, CONTENT_WIDTH - 70 * mm], header=True),
        Spacer(1, 4 * mm),
    ]
    if len(linked) > 1:
        story += [
            section(
                "关联资产与证书",
                "Linked assets and certificates",
                rows(linked, [52 * mm, 36 * mm, 40 * mm, CONTENT_WIDTH - 128 * mm], header=True),
            ),
            Spacer(1, 4 * mm),
        ]
    story += [
        rows(
            [
                (
                    bilingual("证明了", "Proven"),
                    bilingual(PROVEN_ZH, report["proven"]) if verified else text("—"),
                ),
                (bilingual("未证明", "Not proven"), bilingual(NOT_PROVEN_ZH, report["not_proven"])),
            ],
            [label, CONTENT_WIDTH - label],
        ),
        Spacer(1, 5 * mm),
        rows(
            [
                (
                    qr(document["record_url"]),
                    bilingual(
                        "扫码打开公开核验记录，可随时重新核验。本报告附分离签名（服务密钥，"
                        "EIP-191），任何改动都会使签名失效。",
                        "Scan to open the public verification record and verify again at any "
                        "time. A detached signature by the service key (EIP-191) comes with this "
                        "report; any change to the file breaks it.",
                    ),
                )
            ],
            [36 * mm, CONTENT_WIDTH - 36 * mm],
        ),
        text(document["record_url"], 8, MUTED),
        Spacer(1, 2 * mm),
        bilingual(
            "报告哈希（报告内容规范 JSON 的 SHA-256）",
            "Report hash (SHA-256 of its canonical JSON)",
            8,
        ),
        text(report_hash(document), 8),
    ]
    return render(story, "电子数据存证核验报告", "evidence verification report")
