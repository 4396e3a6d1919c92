"""Rules: deviation (DEV-). Where 偏差原因分析及改进措施 must be written."""

from __future__ import annotations

from collections.abc import Iterator

from perfeval import catalogue as cat
from perfeval.core.compute import indicator_met
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model
from perfeval.core.parse import Status, parse_target
from perfeval.core.rules.common import cell, num, qty_text, row_name
from perfeval.core.rules.registry import Hit, fmt_num, fmt_rate, fmt_score, hit, rule

TABLES = (cat.INDICATORS.name, cat.PROJECT_INDICATORS.name)
_ADVICE = "请在“偏差原因分析及改进措施”中说明原因和改进措施，或在校验结果中填写审核说明。"


def _note_blank(ind: Indicator) -> bool:
    # "无", "—" and "/" say nothing about the deviation, so they count as blank.
    return parse_target(ind.deviation_note).status in (Status.BLANK, Status.NONE)


def _below_full(ind: Indicator) -> bool:
    score, weight = num(ind.score), num(ind.weight)
    return score is not None and weight is not None and score < weight


@rule(
    "DEV-001",
    "得分未满须说明偏差原因",
    Severity.WARNING,
    reads=TABLES,
    description="自评得分低于分值（自评得分 < 分值）的指标，须填写偏差原因分析及改进措施。",
)
def below_full_needs_note(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        if not _below_full(ind) or not _note_blank(ind) or ind.core:  # a 核心指标 is DEV-004's
            continue
        score, weight = num(ind.score), num(ind.weight)
        yield hit(
            (cell(m, ind, "deviation_note"), cell(m, ind, "score")),
            f"{row_name(ind)}自评得分 {fmt_score(score)}低于分值 {fmt_score(weight)}，未说明偏差原因",
            expected="填写偏差原因分析及改进措施",
            found="（空）",
            advice=_ADVICE,
        )


@rule(
    "DEV-002",
    "未完成目标须说明偏差原因",
    Severity.WARNING,
    reads=TABLES,
    description=(
        "定量指标的实际完成值未达到年度指标值（正向：完成值 < 指标值；反向：完成值 > 指标值），"
        "须说明偏差原因。"
    ),
)
def unmet_needs_note(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        # A row already asked for by DEV-001 is not asked twice.
        if ind.kind != "定量" or indicator_met(ind) is not False or not _note_blank(ind) or _below_full(ind):
            continue
        if ind.core:
            continue  # DEV-004
        yield hit(
            (cell(m, ind, "deviation_note"), cell(m, ind, "actual"), cell(m, ind, "target")),
            f"{row_name(ind)}实际完成值 {qty_text(ind.actual)}未达到年度指标值 {qty_text(ind.target)}，"
            "未说明偏差原因",
            expected="填写偏差原因分析及改进措施",
            found="（空）",
            advice=_ADVICE,
        )


@rule(
    "DEV-003",
    "超额完成须说明原因",
    Severity.WARNING,
    reads=TABLES,
    description=(
        "正向定量指标的完成值 ≥ 指标值 × 超额阈值（默认 130%）时，须说明超额原因"
        "（常见原因是指标值定得偏低）。"
    ),
)
def over_achievement_needs_note(m: Model) -> Iterator[Hit]:
    threshold = m.profile.over_achievement
    for ind in m.all_indicators():
        t, a = ind.target, ind.actual
        if ind.kind != "定量" or ind.direction != "正向" or not (t.ok and a.ok) or not _note_blank(ind):
            continue
        if t.unit and a.unit and t.unit != a.unit:
            continue
        target, actual = num(t), num(a)
        assert target is not None and actual is not None
        if target <= 0 or actual < threshold * target:
            continue
        yield hit(
            (cell(m, ind, "deviation_note"), cell(m, ind, "actual"), cell(m, ind, "target")),
            f"{row_name(ind)}指标值 {qty_text(t)}，完成值 {qty_text(a)}，完成率 {fmt_num(actual)} ÷ "
            f"{fmt_num(target)} = {fmt_rate(actual / target)}，达到超额阈值 {fmt_rate(threshold)}，"
            "未说明超额原因",
            expected=f"完成值 ≥ 指标值 × {fmt_rate(threshold)} 时填写偏差原因",
            found="（空）",
            advice="请说明超额完成的原因（如指标值是否定得偏低）及下一年度的调整措施。",
        )


@rule(
    "DEV-004",
    "核心指标未完成须说明",
    Severity.WARNING,
    reads=TABLES,
    description=(
        "核心指标（重庆表式的“核心指标”栏）自评得分低于分值，或定量指标的完成值未达到指标值，须填写偏差原因"
        "分析及改进措施（这些行不再由 DEV-001、DEV-002 重复提示）。"
    ),
)
def core_unmet_needs_note(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        if not ind.core or not _note_blank(ind):
            continue
        if _below_full(ind):
            why = f"自评得分 {fmt_score(num(ind.score))}低于分值 {fmt_score(num(ind.weight))}"
            cells = (cell(m, ind, "deviation_note"), cell(m, ind, "score"))
        elif ind.kind == "定量" and indicator_met(ind) is False:
            why = f"实际完成值 {qty_text(ind.actual)}未达到年度指标值 {qty_text(ind.target)}"
            cells = (cell(m, ind, "deviation_note"), cell(m, ind, "actual"), cell(m, ind, "target"))
        else:
            continue
        yield hit(
            (*cells, cell(m, ind, "core")),
            f"{row_name(ind)}是核心指标，{why}，未说明偏差原因",
            expected="填写偏差原因分析及改进措施",
            found="（空）",
            advice="核心指标未完成须重点说明：请在“偏差原因分析及改进措施”中写明原因和改进措施。",
        )
