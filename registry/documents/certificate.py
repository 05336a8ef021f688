"""The registration certificate as a printable PDF (登记证书): number, holder, asset, manifest
hash, the three rights, validity, issuing center, status when printed, and a QR code to the
public record, where anyone reads the status now."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from registry.certificates.view import CertificateView
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
from registry.times import day, moment


def certificate_pdf(view: CertificateView, record_url: str, printed_at: int) -> bytes:
    """The PDF of ``view``; ``record_url`` is the public page its QR code opens."""
    valid = view.status == "valid"
    holder = " ".join(p for p in (view.holder_name_zh, view.holder_name_en) if p)
    asset = " / ".join(p for p in (view.asset_name_zh, view.asset_name_en) if p)
    label = 34 * mm
    facts = [
        (bilingual("证书编号", "Certificate number"), text(view.number, 11)),
        (
            bilingual("证书状态", "Status"),
            text(f"{view.status_zh} {view.status}", 11, PASS if valid else FAIL),
        ),
        (bilingual("权利人", "Holder"), text(f"{holder}\n{view.holder}".strip())),
        (bilingual("数据资产", "Data asset"), text(f"{asset} (#{view.asset_id})")),
        (
            bilingual("资产类型 / 分级", "Kind / classification"),
            text(f"{view.asset_kind} / {view.classification}"),
        ),
        (bilingual("登记清单哈希", "Manifest SHA-256"), text(view.manifest_hash, 8)),
        (
            bilingual("有效期", "Validity"),
            text(f"{day(view.valid_from, 'both')} — {day(view.valid_until, 'both')}"),
        ),
        (
            bilingual("登记机构", "Issuing center"),
            text(f"{view.center_zh} {view.center_en} ({view.region})"),
        ),
    ]
    if view.successor:
        facts.append((bilingual("替代证书", "Superseded by"), text(view.successor)))
    rights = [
        (
            bilingual("权利", "Right"),
            bilingual("权利人", "Held by"),
            bilingual("场景 / 期限 / 独占", "Scenario / term / exclusive"),
        )
    ] + [
        (
            bilingual(r.right_zh, r.right),
            text(r.holder, 8),
            text(
                "—"
                if r.scenario is None
                else f"{r.scenario[:18]}… {day(r.start, 'both')} — {day(r.expiry, 'both')} "
                + ("独占 exclusive" if r.exclusive else "非独占 non-exclusive"),
                8,
            ),
        )
        for r in view.rights
    ]
    notes = [
        (
            bilingual("备注", "Annotation"),
            bilingual("记载 / 解除", "Recorded / lifted"),
            bilingual("决定机关 / 文书编号", "Authority / document number"),
        )
    ] + [
        (
            bilingual(f"{n.kind_zh} #{n.annotation_id}", n.kind),
            text(
                moment(n.recorded_at, "both")
                + (
                    "\n解除 lifted " + moment(n.lifted_at, "both")
                    if n.lifted_at is not None
                    else "\n有效 in force"
                ),
                8,
            ),
            text(" ".join(p for p in (n.authority, n.document_number) if p) or "—", 8),
        )
        for n in view.annotations
    ]
    # To the minute: the same certificate printed twice within it is the same bytes.
    printed = moment(printed_at, "both", seconds=False)
    story: list[Flowable] = [
        *heading(view.kind_zh, f"Data Registration Certificate ({view.kind})"),
        Spacer(1, 4 * mm),
        rows(facts, [label, CONTENT_WIDTH - label]),
        Spacer(1, 5 * mm),
        section(
            "三权分置",
            "The three separated rights",
            rows(rights, [label, 62 * mm, CONTENT_WIDTH - label - 62 * mm], header=True),
        ),
        Spacer(1, 5 * mm),
        section(
            "备注",
            "Annotations",
            rows(notes, [label, 62 * mm, CONTENT_WIDTH - label - 62 * mm], header=True)
            if view.annotations
            else text("无 None"),
        ),
        Spacer(1, 6 * mm),
        rows(
            [
                (
                    qr(record_url),
                    bilingual(
                        f"扫码查看公示记录与实时状态。本证书状态为打印时（{printed}）链上状态。",
                        f"Scan for the public record and the status now. The status above is "
                        f"the chain's at printing ({printed}).",
                    ),
                )
            ],
            [36 * mm, CONTENT_WIDTH - 36 * mm],
        ),
        text(record_url, 8, MUTED),
    ]
    return render(story, f"{view.kind_zh} {view.number}", "data registration certificate")
