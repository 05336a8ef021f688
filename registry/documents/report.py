"""The verification report as a PDF (核验报告), in Chinese with English beneath: every check with
pass or fail and its raw values, the anchoring as the chain records it, the linked assets and
certificates, what is and is not proven, a QR code to the public verification record, and the
report's own hash. What the receipt states that the chain did not confirm is printed apart,
under a heading that says so."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from registry.certificates.view import NOTE_ZH
from registry.chain.types import AnnotationKind
from registry.content.canonical import canonical_json
from registry.documents.pdf import (
    CONTENT_WIDTH,
    FAIL,
    MUTED,
    PASS,
    Deployed,
    bilingual,
    deployment,
    heading,
    qr,
    render,
    rows,
    section,
    text,
)
from registry.regions import Center, center_name
from registry.times import beijing_date, moment

CHECKS_ZH = {
    "evidence_matches_receipt": "出示的证据与回执哈希一致",
    "leaf": "叶子节点哈希",
    "merkle_proof": "默克尔证明通向回执中的根",
    "chain": "链标识与存证合约一致",
    "registry_contract": "存证合约为本登记机构角色合约所登记的存证合约",
    "root_anchored": "根已记录于存证合约",
    "contract_verifies": "合约复核证明",
    "transaction": "上链交易成功且含存证事件",
    "block": "区块号、区块哈希与时间一致",
    "confirmations": "确认数足够",
    "anchorer_role": "上链账户在上链区块时持有存证角色",
}
PROVEN_ZH = "具有该 SHA-256 的数据最迟于该区块时间已存在，且此后未被改动。"
NOT_PROVEN_ZH = "数据由谁制作、内容是否真实，以及上链之前的任何情况。"
STATED_BY = {
    "requester": ("由请求方提供，未经核验", "Stated by the requester, not verified"),
    "registry": (
        "本中心链下记录，未经链上核验",
        "Recorded by this registry off chain, not verified on chain",
    ),
}
STATED_ZH = {
    "submitter": "提交人",
    "received_at": "接收时间",
    "root": "默克尔根",
    "contract": "存证合约",
    "roles": "登记机构角色合约",
    "chain_id": "链标识",
    "tx_hash": "交易",
    "block_number": "区块号",
    "block_hash": "区块哈希",
    "block_time": "区块时间",
}
_STATED_SHOWN = 300
"""Characters of a stated value printed: the rest is cut (a receipt is not a letter)."""
_TIMES = ("received_at", "block_time")


def report_document(
    report: dict[str, Any],
    record_url: str,
    generated_at: int,
    issuer: Center,
    deployed: Deployed,
) -> dict[str, Any]:
    """What the PDF states, as data: its canonical JSON's SHA-256 is the report hash.
    ``issuer``: the center issuing (and signing) it; ``deployed``: the registry's contracts."""
    return {
        "report": report,
        "record_url": record_url,
        "generated_at": generated_at,
        "issuer": {
            "center": issuer.code,
            "name_zh": center_name(issuer),
            "name_en": center_name(issuer, "en"),
        },
        "deployment": asdict(deployed),
    }


def report_number(document: dict[str, Any]) -> str:
    """The report's number: ``HY``, the issuing center's code, the Beijing day it was made and
    the first 8 hex digits of the report hash (e.g. ``HY370-20261202-3F9A1C2B``): the same
    content has the same number, and the number names the content."""
    made = beijing_date(int(document["generated_at"]))
    digest = report_hash(document)[2:10].upper()
    return f"HY{document['issuer']['center']}-{made:%Y%m%d}-{digest}"


def report_hash(document: dict[str, Any]) -> str:
    return "0x" + hashlib.sha256(canonical_json(document)).hexdigest()


def _values(values: dict[str, Any]) -> str:
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items())


def _stated_value(name: str, value: Any) -> str:
    """A stated value as given (JSON, cut to ``_STATED_SHOWN``), a time also as a date."""
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > _STATED_SHOWN:
        shown = shown[:_STATED_SHOWN] + "…"
    if name in _TIMES and type(value) in (int, float) and 0 <= value < 2**32:
        shown += f" ({moment(int(value), 'both')})"
    return shown


def _stated(stated: dict[str, Any]) -> list[Flowable]:
    """What the receipt states that the chain did not confirm, under a heading saying so."""
    if not stated.get("values"):
        return []
    zh, en = STATED_BY[stated["by"]]
    label = 34 * mm
    body = [
        (bilingual(STATED_ZH.get(name, name), name, 8), text(_stated_value(name, value), 8))
        for name, value in stated["values"].items()
    ]
    return [section(zh, en, rows(body, [label, CONTENT_WIDTH - label])), Spacer(1, 4 * mm)]


def _annotation(note: dict[str, Any]) -> str:
    """A linked asset's annotation as a line of the report: kind, id, whether in force, and a
    seizure's authority and document number."""
    kind = AnnotationKind[str(note["kind_name"]).upper()]
    state = "有效 in force" if note["in_force"] else "已解除 lifted"
    by = " ".join(p for p in (note.get("authority"), note.get("document_number")) if p)
    return f"\n备注 #{note['annotation_id']} {NOTE_ZH[kind]} {kind.name.lower()}, {state} {by}"


def report_pdf(document: dict[str, Any]) -> bytes:
    """The PDF of a ``report_document``."""
    report = document["report"]
    receipt = report.get("receipt") or {}
    # The anchoring's facts are the chain's, and only once every check passed.
    anchored = report.get("anchored") or {}
    verified = bool(report["verified"])
    # The verdict in the words of the API and the page (registry.evidence.verifier.VERDICTS).
    statement = report["statement"]
    verdict = (
        bilingual(statement["zh"], statement["en"], 11)
        if verified
        else bilingual(
            statement["zh"] + "：" + "、".join(CHECKS_ZH.get(n, n) for n in report["failed"]),
            statement["en"] + " — failed: " + ", ".join(report["failed"]),
            11,
        )
    )
    label = 34 * mm
    number = report_number(document)
    issuer = document["issuer"]
    facts = [
        (bilingual("报告编号", "Report number"), text(number, 11)),
        (
            bilingual("出具机构", "Issued by"),
            bilingual(issuer["name_zh"], issuer["name_en"]),
        ),
        (bilingual("结论", "Result"), verdict),
        (
            bilingual("证据 SHA-256", "Evidence SHA-256"),
            text(anchored.get("hash") or receipt.get("hash", "—"), 8),
        ),
        (bilingual("默克尔根", "Merkle root"), text(anchored.get("root", "—"), 8)),
        (
            bilingual("存证合约 / 链", "Contract / chain id"),
            text(f"{anchored.get('contract', '—')} / {anchored.get('chain_id', '—')}", 8),
        ),
        (bilingual("交易", "Transaction"), text(anchored.get("tx_hash", "—"), 8)),
        (
            bilingual("区块", "Block"),
            text(f"#{anchored.get('block_number', '—')} {anchored.get('block_hash', '')}", 8),
        ),
        (
            bilingual("上链时间（区块时间）", "Anchored at (block time)"),
            text(moment(anchored.get("block_time"), "both")),
        ),
        (
            bilingual("上链账户（链上记录）", "Anchored by (account on chain)"),
            text(anchored.get("anchored_by", "—"), 8),
        ),
        (
            bilingual("报告生成时间", "Report generated"),
            text(moment(document["generated_at"], "both")),
        ),
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
                f"{item.get('holder_name_zh') or item.get('holder') or ''}"
                + "".join(_annotation(n) for n in item.get("annotations") or []),
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
        *_stated(report.get("stated") or {}),
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
        Spacer(1, 4 * mm),
        deployment(Deployed(**document["deployment"])),
        Spacer(1, 5 * mm),
        rows(
            [
                (
                    qr(document["record_url"]),
                    bilingual(
                        f"扫码打开公开核验记录，可随时重新核验。本报告由{issuer['name_zh']}以其"
                        "证书电子签名（PAdES，PDF 阅读器可查看签名人与完整性），另附服务密钥的"
                        "分离签名（EIP-191）；任何改动都会使签名失效。",
                        "Scan to open the public verification record and verify again at any "
                        f"time. {issuer['name_en']} signed this report with its certificate "
                        "(PAdES: a PDF reader shows the signer and that nothing changed); a "
                        "detached signature by the service key (EIP-191) comes with it. Any "
                        "change to the file breaks both.",
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
    return render(
        story,
        f"电子数据存证核验报告 {number}",
        "evidence verification report",
        created_at=int(document["generated_at"]),
        footer=f"核验报告 {number} · {issuer['name_zh']}",
    )
