"""The annual report to the provincial data authority (年度报告, 指引 art. 11) as a PDF: the
center's published texts, the year's figures, a chart of applications, acceptances and
completions by month, the figures month by month, and the SHA-256 of the report's JSON (the same
figures, each with the events it was counted from), so every printed figure traces to events on
chain. Chinese, with English beneath."""

from __future__ import annotations

import hashlib
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from registry.content.canonical import canonical_json
from registry.documents.pdf import (
    CONTENT_WIDTH,
    MUTED,
    Deployed,
    bilingual,
    deployment,
    font,
    heading,
    render,
    rows,
    section,
    text,
)
from registry.times import moment

CHARTED = (
    ("applications.initial", "初始登记申请 Applications", colors.HexColor("#3e4c59")),
    ("accepted", "受理 Accepted", colors.HexColor("#2680c2")),
    ("completed", "办结 Completed", colors.HexColor("#1b7f3b")),
)


def report_json(report: dict[str, Any]) -> bytes:
    """The report's JSON as written beside the PDF (RFC 8785 canonical): the bytes its hash in
    the PDF is of."""
    return canonical_json(report)


def _value(figure: Any) -> Any:
    return figure["value"] if isinstance(figure, dict) else figure


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return str(int(value))


def chart(report: dict[str, Any]) -> Drawing:
    """Applications, acceptances and completions by month: a grouped bar chart."""
    width, height = CONTENT_WIDTH, 70 * mm
    drawing = Drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y = int(14 * mm), int(14 * mm)
    bars.width, bars.height = int(width - 20 * mm), int(height - 26 * mm)
    bars.data = [
        [float(_value(m["figures"][key]) or 0) for m in report["months"]] for key, _l, _c in CHARTED
    ]
    for i, (_key, _label, color) in enumerate(CHARTED):
        bars.bars[i].fillColor = color
        bars.bars[i].strokeColor = None
    bars.categoryAxis.categoryNames = [m["month"][5:] for m in report["months"]]
    bars.categoryAxis.labels.fontName = font()
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = font()
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.groupSpacing = 4
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = int(16 * mm), int(height - 4 * mm)
    legend.fontName, legend.fontSize = font(), 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = int(42 * mm)
    legend.colorNamePairs = [(color, label) for _key, label, color in CHARTED]
    drawing.add(legend)
    drawing.add(String(0, 2, "月 Month", fontName=font(), fontSize=7, fillColor=MUTED))
    return drawing


def _month_table(report: dict[str, Any], months: list[dict[str, Any]]) -> Flowable:
    label = 52 * mm
    cell = (CONTENT_WIDTH - label) / len(months)
    header: list[Any] = [bilingual("项目", "Figure", 7)]
    header += [text(m["month"][5:] + "月", 7) for m in months]
    body = [header]
    for key, names in report["figures"].items():
        body.append(
            [bilingual(names["zh"], names["en"], 6.5)]
            + [text(_shown(_value(m["figures"][key])), 7) for m in months]
        )
    return rows(body, [label] + [cell] * len(months), header=True)


def annual_pdf(report: dict[str, Any], created_at: int, deployed: Deployed) -> bytes:
    """The PDF of ``report`` (``Disclosure.report(year, traced=True)``)."""
    year = report["year"]
    center = report["center"]
    digest = "0x" + hashlib.sha256(report_json(report)).hexdigest()
    label = 40 * mm
    story: list[Flowable] = [
        *heading(
            f"{year}年度数据产权登记业务报告", f"Data property registration: annual report {year}"
        ),
        Spacer(1, 4 * mm),
        rows(
            [
                (bilingual("报送单位", "To"), text(center["authority"])),
                (bilingual("登记机构", "Registration center"), text(center["name"])),
                (bilingual("报告年度", "Year"), text(f"{year}（北京时间 Beijing time）")),
                (bilingual("生成时间", "Generated"), text(moment(created_at, "both"))),
                (bilingual("数据文件 SHA-256", "The report's JSON, SHA-256"), text(digest, 8)),
            ],
            [label, CONTENT_WIDTH - label],
        ),
        Spacer(1, 5 * mm),
        section(
            "登记机构公开事项",
            "What the center publishes (art. 10)",
            rows(
                [
                    (bilingual("登记流程", "Process"), text(center["process"], 8)),
                    (bilingual("收费标准", "Fees"), text(center["fees"], 8)),
                    (bilingual("投诉渠道", "Complaints"), text(center["complaints"], 8)),
                ],
                [label, CONTENT_WIDTH - label],
            ),
            size=12,
        ),
        Spacer(1, 5 * mm),
        section(
            "全年业务数据",
            "The year's figures",
            rows(
                [(bilingual("项目", "Figure", 8), bilingual("数值", "Value", 8))]
                + [
                    (
                        bilingual(names["zh"], names["en"], 8),
                        text(_shown(_value(report["year_totals"][key])), 9),
                    )
                    for key, names in report["figures"].items()
                ],
                [CONTENT_WIDTH - 40 * mm, 40 * mm],
                header=True,
            ),
            size=12,
        ),
        Spacer(1, 5 * mm),
        section("按月业务量", "By month", chart(report), size=12),
        Spacer(1, 5 * mm),
        section(
            "逐月数据（一至六月）",
            "Month by month, January to June",
            _month_table(report, report["months"][:6]),
            size=12,
        ),
        Spacer(1, 4 * mm),
        section(
            "逐月数据（七至十二月）",
            "Month by month, July to December",
            _month_table(report, report["months"][6:]),
            size=12,
        ),
        Spacer(1, 5 * mm),
        section(
            "数据来源与核对",
            "Where each figure comes from",
            text(
                "每项数据均由本登记机构区块链上的事件计得，按事件所在区块时间的北京时间月份归属。"
                "同名 JSON 文件（SHA-256 见上）逐项列出所计事件的交易哈希与日志序号，"
                "任何人可在链上复核。"
                "工作日按链上工作日历（WorkCalendar）计算，自受理至存证，扣除补正、公示与异议期间。",
                8,
            ),
            text(
                "Each figure is counted from events on this center's chain, in the Beijing month "
                "of its block. The JSON file of the same name (SHA-256 above) lists, per figure, "
                "the transaction hash and log index of every event counted. Working days are "
                "counted on the chain's WorkCalendar from acceptance to deposit, less the paused "
                "days (proof requests, the notice and objections).",
                7,
                MUTED,
            ),
            size=12,
        ),
        Spacer(1, 5 * mm),
        deployment(deployed),
    ]
    return render(
        story,
        f"{year}年度数据产权登记业务报告",
        f"Annual report {year}, {center['name']}",
        created_at=created_at,
        footer=f"{center['name']} · {year}年度报告 · JSON {digest[:18]}…",
    )
