"""The registration certificate as a printable PDF (登记证书) in the national uniform layout (the
guide, art. 27; annex 6): number, right-holders with their unified social credit codes, the
data, the rights configuration with terms and restrictions, the annotations (pledges, freezes,
seizures), the deposit and issue dates and validity in Beijing time, the center with its
registration seal, the registry's deployment on chain, and a QR code to the public record,
where anyone reads the status now."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from registry.certificates.view import CertificateView, RightHeld
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
    seal,
    section,
    text,
)
from registry.times import day, moment

LABEL = 34 * mm
SECTION = 12
"""Points of a section's heading: the certificate fits a page with its usual rights."""
SEAL = 34 * mm


NATIONAL_SYSTEM_PREVAILS = (
    "本证书记载事项与国家数据产权登记系统记录不一致的，以系统记录为准。",
    "Where this certificate and the national registration system differ, the system prevails.",
)


def _holders(view: CertificateView) -> list[RightHeld]:
    """Each right-holder once, in the order of the rights they hold."""
    seen: dict[str, RightHeld] = {}
    for right in view.rights:
        seen.setdefault(right.holder.lower(), right)
    return list(seen.values())


def _name(right: RightHeld) -> str:
    """The right-holder's name; a licensee's marked, with where its name comes from when the
    chain does not bind it."""
    if right.scenario is None:
        return right.holder_name or "—"
    name = right.holder_name or "—"
    if right.name_source == "center":
        return f"{name}\n被许可人 licensee（登记机构记载，未经链上许可条款绑定 center's record）"
    return f"{name}\n被许可人 licensee"


def _code(right: RightHeld) -> str:
    """The credit code; a natural person's ID number is not printed (it stays confidential)."""
    if right.holder_kind == "natural_person":
        return "自然人 natural person（证件号码不公开 ID not shown）"
    return right.credit_code or "—"


def _bound_note(view: CertificateView) -> list[Flowable]:
    """How a licensee's name is bound to the chain, under the table that names one so."""
    if not any(r.name_source == "grant" for r in view.rights):
        return []
    return [
        bilingual(
            "被许可人名称及统一社会信用代码载于许可条款，其 SHA-256 即链上授权记录的条款哈希"
            "（termsHash），经授权人签名同意。",
            "A licensee's name and credit code are in the licence terms whose SHA-256 is the "
            "grant's terms hash on chain (termsHash), which the grantor signed.",
            7,
        )
    ]


def _term(view: CertificateView, right: RightHeld) -> str:
    """From its first Beijing day to its last (the registration's validity for holding)."""
    if right.start is None:
        return f"{day(view.valid_from)} 至\n{day(view.valid_until)}"
    return f"{day(right.start)} 至\n{day(right.expiry)}"


def _restrictions(right: RightHeld) -> str:
    if right.scenario is None:
        return "无 None"
    scenario = right.scenario_text or f"场景哈希 scenario SHA-256 {right.scenario}"
    scope = "独占 exclusive" if right.exclusive else "非独占 non-exclusive"
    return f"限于场景 for: {scenario}\n{scope}"


def _annotations(view: CertificateView) -> Flowable:
    notes: list[tuple[Flowable, Flowable, Flowable]] = []
    if view.pledgee:
        notes.append(
            (
                bilingual("质押", "Pledge"),
                text("有效 in force", 8),
                text(f"质权人 pledgee {view.pledgee}", 8),
            )
        )
    if view.frozen:
        notes.append((bilingual("冻结", "Frozen"), text("有效 in force", 8), text("—", 8)))
    for n in view.annotations:
        notes.append(
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
        )
    if not notes:
        return text("无 None")
    header = (
        bilingual("备注", "Annotation"),
        bilingual("记载 / 解除", "Recorded / lifted"),
        bilingual("权利人 / 决定机关 / 文书编号", "Party / authority / document number"),
    )
    return rows([header, *notes], [LABEL, 62 * mm, CONTENT_WIDTH - LABEL - 62 * mm], header=True)


def certificate_pdf(
    view: CertificateView, record_url: str, printed_at: int, deployed: Deployed
) -> bytes:
    """The PDF of ``view``; ``record_url`` is the public page its QR code opens; ``printed_at``
    (chain time) its creation date."""
    valid = view.status == "valid"
    asset = " / ".join(p for p in (view.asset_name_zh, view.asset_name_en) if p)
    holders = [
        (
            bilingual("序号", "No."),
            bilingual("权利人名称", "Right-holder"),
            bilingual("统一社会信用代码", "Unified social credit code"),
            bilingual("账户", "Account"),
        )
    ] + [
        (
            text(str(i), 8),
            text(_name(h), 8),
            text(_code(h), 8),
            text(h.holder, 7),
        )
        for i, h in enumerate(_holders(view), 1)
    ]
    rights = [
        (
            bilingual("权利类型", "Right"),
            bilingual("权利人", "Held by"),
            bilingual("期限", "Term"),
            bilingual("限制", "Restrictions"),
        )
    ] + [
        (
            bilingual(r.right_zh, r.right, 8),
            text(r.holder_name or r.holder, 7),
            text(_term(view, r), 8),
            text(_restrictions(r), 8),
        )
        for r in view.rights
    ]
    facts = [
        (
            bilingual("证书状态", "Status"),
            text(f"{view.status_zh} {view.status}", 11, PASS if valid else FAIL),
        ),
        (bilingual("数据名称", "Data"), text(f"{asset} (#{view.asset_id})")),
        (
            bilingual("资产类型 / 分级", "Kind / classification"),
            text(f"{view.asset_kind} / {view.classification}"),
        ),
        (bilingual("登记清单哈希", "Manifest SHA-256"), text(view.manifest_hash, 8)),
    ]
    if view.successor:
        facts.append((bilingual("替代证书", "Superseded by"), text(view.successor)))
    dates = [
        (bilingual("存证时间", "Deposited on chain"), text(moment(view.issued_at, "both"))),
        (
            bilingual("有效期", "Valid"),
            text(f"{day(view.valid_from, 'both')} 至 {day(view.valid_until, 'both')}"),
        ),
    ]
    # To the minute: the same certificate printed twice within it is the same bytes.
    printed = moment(printed_at, "both", seconds=False)
    center = (
        bilingual("登记机构（盖章）", "Registration center (seal)"),
        text(
            f"{view.center_zh}\n{view.center_en} (region {view.region})\n\n"
            f"发证日期 Issued {day(view.valid_from, 'both')}",
            10,
        ),
        seal(view.center_zh, SEAL),
    )
    story: list[Flowable] = [
        *heading(view.kind_zh, f"Data Property Registration Certificate ({view.kind})"),
        bilingual(f"证书编号 {view.number}", "Certificate number", 13),
        Spacer(1, 3 * mm),
        rows(facts, [LABEL, CONTENT_WIDTH - LABEL]),
        Spacer(1, 3 * mm),
        section(
            "权利人",
            "Right-holders",
            rows(holders, [12 * mm, 62 * mm, 44 * mm, CONTENT_WIDTH - 118 * mm], header=True),
            *_bound_note(view),
            size=SECTION,
        ),
        Spacer(1, 3 * mm),
        section(
            "权利配置",
            "Rights configuration",
            rows(rights, [LABEL, 44 * mm, 34 * mm, CONTENT_WIDTH - LABEL - 78 * mm], header=True),
            size=SECTION,
        ),
        Spacer(1, 3 * mm),
        section(
            "备注",
            "Annotations (pledges, freezes, seizures, agreed limits)",
            _annotations(view),
            size=SECTION,
        ),
        Spacer(1, 3 * mm),
        rows(dates, [LABEL, CONTENT_WIDTH - LABEL]),
        Spacer(1, 3 * mm),
        rows([center], [LABEL, CONTENT_WIDTH - LABEL - SEAL - 4 * mm, SEAL + 4 * mm]),
        Spacer(1, 3 * mm),
        deployment(deployed),
        Spacer(1, 3 * mm),
        rows(
            [
                (
                    qr(record_url),
                    bilingual(
                        f"扫码查看公示记录与实时状态。本证书状态为打印时（{printed}）链上状态。"
                        + NATIONAL_SYSTEM_PREVAILS[0],
                        f"Scan for the public record and the status now. The status above is "
                        f"the chain's at printing ({printed}). " + NATIONAL_SYSTEM_PREVAILS[1],
                    ),
                )
            ],
            [36 * mm, CONTENT_WIDTH - 36 * mm],
        ),
        text(record_url, 8, MUTED),
    ]
    return render(
        story,
        f"{view.kind_zh} {view.number}",
        "data registration certificate",
        # To the minute, as the status's time is printed: the same certificate printed twice
        # within a minute is the same document.
        created_at=printed_at - printed_at % 60,
        footer=f"{view.kind_zh} {view.number} · {view.center_zh}",
    )
