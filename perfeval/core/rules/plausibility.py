"""Rules: plausibility (合理性). Values that add up but cannot be right: negatives, 元 typed as 万元,
spending over budget, year columns swapped, years and head counts out of range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType
from perfeval.core.compute import split_is_spending
from perfeval.core.findings import Severity
from perfeval.core.model import Model, NotApplicable
from perfeval.core.parse import Quantity
from perfeval.core.rules.common import PROJECTS, ZERO, exceeds, q_value
from perfeval.core.rules.registry import UNIT, Hit, fmt_amount, fmt_num, fmt_rate, hit, per_run, rule
from perfeval.core.snapshot import CellRef
from perfeval.core.units import FACTOR, held_amounts

ITEMS = cat.PROJECT_ITEMS.name
_PROJECT_AMOUNTS = ("initial_budget", "adjusted_budget", "spent")
_FIRST_PLAUSIBLE_YEAR = 2015  # 部门整体支出绩效自评 began around then; earlier years are typos
_STAFF_FACTOR = 3
# Every amount the user types, for `reads`: the AMOUNT fields and the two tables holding amounts.
_AMOUNT_READS = (*(f.name for f in cat.input_fields() if f.type is FieldType.AMOUNT), ITEMS, PROJECTS)


@dataclass(frozen=True)
class _Amount:
    name: str  # field name, or "" for a table cell
    cell: CellRef
    label: str
    qty: Quantity


@per_run  # PL-001 and PL-003 walk the same amounts
def _amounts(m: Model) -> tuple[_Amount, ...]:
    return tuple(_each_amount(m))


def _each_amount(m: Model) -> Iterator[_Amount]:
    """Every amount the user types: AMOUNT fields of 附件1/附件2, 项目支出明细 and 项目支出自评 amounts
    (年度资金总额 and its 其中 lines)."""
    for f in cat.input_fields():
        if f.type is FieldType.AMOUNT:
            yield _Amount(f.name, m.ref(f.name), f"{f.sheet} {f.label}", m.q[f.name])
    for it in m.project_items:
        for col, qty in it.amounts.items():
            header = cat.PROJECT_ITEMS.column(col).header
            yield _Amount("", m.tref(ITEMS, it.index, col), f"项目支出明细“{it.name}” {header}", qty)
    for p in m.projects:
        for col in _PROJECT_AMOUNTS:
            header = cat.PROJECTS.column(col).header
            yield _Amount("", m.tref(PROJECTS, p.index, col), f"项目“{p.name}” {header}", getattr(p, col))
        for source, lines in p.funds.items():
            for col, qty in lines.items():
                if f"{source}_{col}" not in m.table(PROJECTS).columns:
                    continue  # a table of template version 1 has no 其中 lines
                header = cat.PROJECTS.column(f"{source}_{col}").header
                yield _Amount(
                    "", m.tref(PROJECTS, p.index, f"{source}_{col}"), f"项目“{p.name}” {header}", qty
                )


# --- PL-001 negative amounts ------------------------------------------------------------------------------
@rule("PL-001", "金额为负数", Severity.ERROR, reads=_AMOUNT_READS)
def negative_amounts(m: Model) -> Iterator[Hit]:
    """预算数、决算数、执行数等金额不应小于 0；任一金额单元格为负数即报错。"""
    for a in _amounts(m):
        value = q_value(a.qty)
        if value is not None and value < 0:
            yield hit(
                a.cell,
                f"{a.label} 为负数 {fmt_amount(value)}，预算数、决算数和执行数不应为负",
                expected="≥ 0 的金额",
                found=fmt_amount(value),
                advice="请核对该金额；冲减、退回等应在相应支出中扣减后填报净额。",
            )


# --- PL-002 spending over budget --------------------------------------------------------------------------
@rule("PL-002", "执行数超过预算数", Severity.WARNING, reads=("ua_spent", "ua_adjusted_budget", PROJECTS))
def spent_over_budget(m: Model) -> Iterator[Hit]:
    """全年执行数 > 全年预算数（执行率超过 100%）时提示，部门整体和每个项目分别核对。"""
    advice = "请核对全年执行数与全年预算数；确有超预算支出的，请说明原因及资金来源。"
    spent, budget = m.num("ua_spent"), m.num("ua_adjusted_budget")
    checked = False
    # 预算为 0 时执行率无法计算，由 PL-007 报告。
    if spent is not None and budget is not None:
        checked = True
        if budget > 0 and exceeds(spent, budget, m):
            yield hit(
                (m.ref("ua_spent"), m.ref("ua_adjusted_budget")),
                f"全年执行数 {fmt_amount(spent)} 超过全年预算数 {fmt_amount(budget)}，"
                f"执行率 {fmt_rate(spent / budget)}，超过 100%",
                expected=f"全年执行数不超过全年预算数 {fmt_amount(budget)}（执行率 ≤ 100%）",
                found=f"{fmt_amount(spent)}（执行率 {fmt_rate(spent / budget)}）",
                advice=advice,
            )
    for p in m.projects:
        p_spent, p_budget = q_value(p.spent), q_value(p.adjusted_budget)
        if p_spent is None or p_budget is None:
            continue
        checked = True
        if p_budget > 0 and exceeds(p_spent, p_budget, m):
            yield hit(
                (m.tref(PROJECTS, p.index, "spent"), m.tref(PROJECTS, p.index, "adjusted_budget")),
                f"项目“{p.name}”全年执行数 {fmt_amount(p_spent)} 超过全年预算数 {fmt_amount(p_budget)}，"
                f"执行率 {fmt_rate(p_spent / p_budget)}，超过 100%",
                expected=f"全年执行数不超过全年预算数 {fmt_amount(p_budget)}（执行率 ≤ 100%）",
                found=f"{fmt_amount(p_spent)}（执行率 {fmt_rate(p_spent / p_budget)}）",
                advice=advice,
            )
    if not checked:
        raise NotApplicable("全年预算数或全年执行数未填")


# --- PL-003 amounts typed in the other unit -------------------------------------------------------------
@rule(
    "PL-003",
    "金额单位疑误",
    Severity.WARNING,
    reads=_AMOUNT_READS,
    description=(
        "金额约为同行其余金额、所属合计或对应金额的 10000 倍（表中金额单位为万元时，疑按元填报）或万分之一"
        "（单位为元时，疑按万元填报），或单个金额超过评分口径上限（默认 100000 万元）、全年预算数的 1000 倍。"
        "该金额暂不参与计算，由它算出的执行率、合计、得分等均不校验，改正后重新校验。"
    ),
)
def amounts_in_other_unit(m: Model) -> Iterator[Hit]:
    form = m.amount_unit
    for a in _amounts(m):
        amounts = held_amounts(a.qty)
        if amounts is None:
            continue
        read, meant = amounts
        typed = read * FACTOR if form == "元" else read
        what = a.label.removeprefix(f"{a.cell.sheet} ")
        other = a.qty.unit
        advice = (
            "请将金额换算为万元（元 ÷ 10000）后填报，或在数字后写明单位“元”。"
            if form == "万元"
            else "请将金额换算为元（万元 × 10000）后填报，或在数字后写明单位“万元”。"
        )
        # Against the unit's whole budget: that cell is part of the evidence.
        lone = a.qty.note.startswith("超过全年预算数")
        yield hit(
            (a.cell, m.ref("ua_adjusted_budget")) if lone else a.cell,
            f"{a.cell} {what} 为 {typed:,.2f}，{a.qty.note}",
            expected=f"以{form}填报；若原数为{other}，应为 {fmt_amount(meant)}",
            found=fmt_amount(read),
            advice=advice + "改正前，由它算出的执行率、合计和得分暂不校验。",
        )


# --- PL-004 year columns swapped --------------------------------------------------------------------------
_KINDS = (("project", "项目支出"), ("basic", "基本支出"))


def _same(a: Decimal | None, b: Decimal | None, m: Model) -> bool:
    return a is not None and b is not None and abs(a - b) <= m.profile.amount_tolerance


def swapped_columns(m: Model) -> dict[str, tuple[str, str]]:
    """附件1 rows (project / basic) whose year columns PL-004 reads as swapped -> the two columns involved
    (prior_actual or current_budget, and current_actual). The rules that would only repeat a consequence of
    the swap (XT-001/XT-002 for the row, SUM-003 for those columns) stay silent for it: one root, one finding."""
    if not split_is_spending(m, "expense_sum"):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for key, _ in _KINDS:
        spent = m.num(f"ua_{key}_expenditure")
        prior, budget, current = (m.num(f"bd_{key}_{col}") for col in cat.YEAR_COLS)
        if not spent or current is None or _same(current, spent, m):
            continue
        if _same(prior, spent, m):
            out[key] = ("prior_actual", "current_actual")
        elif _same(budget, spent, m) and current > spent:
            # Read back, the 决算 column would hold the budget: more than was spent. A 决算 below the spending
            # is a wrong figure, not a swap (XT-001/XT-002 say so).
            out[key] = ("current_budget", "current_actual")
    return out


_CONSEQUENCES = {
    "project": "由此引起的附件1 与附件2 项目支出不一致（XT-001）及这两列合计与项目支出明细不符（SUM-003）不另报",
    "basic": "由此引起的附件1 与附件2 基本支出不一致（XT-002）不另报",
}


@rule(
    "PL-004",
    "年度列疑似错位",
    Severity.WARNING,
    reads=(
        "bd_project_prior_actual",
        "bd_project_current_budget",
        "bd_project_current_actual",
        "bd_basic_prior_actual",
        "bd_basic_current_budget",
        "bd_basic_current_actual",
        "ua_project_expenditure",
        "ua_basic_expenditure",
    ),
    description=(
        "附件1 项目支出（基本支出）行的本年决算数应等于附件2 按支出性质分的同类金额（全年执行数）；若上年决算数"
        "等于附件2 该金额而本年决算数不等，年度列疑似填反或错位；若本年预算数等于该金额而本年决算数更大，"
        "预算、决算两列疑似填反。"
        "附件2 按支出性质分按预算数填列时不比较。此时由错位引起的 XT-001/XT-002（附件1 与附件2 不符）和 "
        "SUM-003（该两列的合计与明细不符）不另报。"
    ),
    forms=UNIT,
)
def year_columns_swapped(m: Model) -> Iterator[Hit]:
    if not split_is_spending(m, "expense_sum"):
        raise NotApplicable("附件2 按支出性质分按预算数填列，不能与附件1 决算数比较")
    if not any(
        m.num(f"ua_{k}_expenditure") and m.num(f"bd_{k}_current_actual") is not None for k, _ in _KINDS
    ):
        raise NotApplicable("附件1 本年决算数或附件2 基本支出、项目支出未填")
    swapped = swapped_columns(m)
    for key, name in _KINDS:
        if key not in swapped:
            continue
        spent = m.num(f"ua_{key}_expenditure")
        prior, budget, current = (m.num(f"bd_{key}_{col}") for col in cat.YEAR_COLS)
        spent_cell = m.ref(f"ua_{key}_expenditure")
        current_cell = m.ref(f"bd_{key}_current_actual")
        also = f"；{_CONSEQUENCES[key]}"
        if swapped[key][0] == "prior_actual":
            yield hit(
                (m.ref(f"bd_{key}_prior_actual"), current_cell, spent_cell),
                f"附件1“{name}”的上年决算数 {fmt_amount(prior)} 与附件2 {name} {fmt_amount(spent)} "
                f"相同，而本年决算数为 {fmt_amount(current)}：上年、本年两列疑似填反或错位{also}",
                expected=f"本年决算数 {fmt_amount(spent)}（与附件2 {name}一致），上年决算数填上年决算",
                found=f"上年决算数 {fmt_amount(prior)}，本年决算数 {fmt_amount(current)}",
                advice="请核对附件1 各列年度（上年决算数／本年预算数／本年决算数）是否对应正确，改正后重新校验。",
            )
        else:
            # The split line holds one figure, so the 附件2 budget of this line is not known: 本年预算数
            # holding this year's spending while 本年决算数 holds something else is the sign.
            yield hit(
                (m.ref(f"bd_{key}_current_budget"), current_cell, spent_cell),
                f"附件1“{name}”的本年预算数 {fmt_amount(budget)} 等于附件2 {name}（全年执行数），"
                f"本年决算数却为 {fmt_amount(current)}：预算、决算两列疑似填反{also}",
                expected=f"本年决算数 {fmt_amount(spent)}（与附件2 {name}一致）",
                found=f"本年预算数 {fmt_amount(budget)}，本年决算数 {fmt_amount(current)}",
                advice="请核对附件1 本年预算数与本年决算数两列是否填反，改正后重新校验。",
            )


# --- PL-005 year ------------------------------------------------------------------------------------------
@rule("PL-005", "年度不合理", Severity.WARNING, reads=("info_year",))
def implausible_year(m: Model) -> Iterator[Hit]:
    """评价年度早于 2015 年或晚于当前年份时提示（自评在年度结束后进行）。"""
    (year,) = m.need("info_year")
    this_year = dt.date.today().year
    if _FIRST_PLAUSIBLE_YEAR <= year <= this_year:
        return
    why = (
        f"晚于当前年份 {this_year} 年，该年度尚未结束"
        if year > this_year
        else f"早于 {_FIRST_PLAUSIBLE_YEAR} 年"
    )
    yield hit(
        m.ref("info_year"),
        f"评价年度 {fmt_num(year)} 年{why}，疑似填错",
        expected=f"{_FIRST_PLAUSIBLE_YEAR}–{this_year} 之间的年度（通常为上一年度 {this_year - 1} 年）",
        found=f"{fmt_num(year)} 年",
        advice="请填写本次自评所属的预算年度。",
    )


# --- PL-006 staff ----------------------------------------------------------------------------------------
@rule(
    "PL-006",
    "编制数为零或人数异常",
    Severity.WARNING,
    reads=("bd_authorized_staff", "bd_actual_staff"),
    forms=UNIT,
)
def implausible_staff(m: Model) -> Iterator[Hit]:
    """编制数为 0 而有实际在职人员（控制率无法计算），或实际在职人数超过编制数的 3 倍时提示。"""
    authorized, actual = m.need("bd_authorized_staff", "bd_actual_staff")
    cells = (m.ref("bd_authorized_staff"), m.ref("bd_actual_staff"))
    if authorized == 0 and actual > 0:
        yield hit(
            cells,
            f"编制数为 0，实际在职人数却有 {fmt_num(actual)} 人，在职人员控制率无法计算",
            expected="批复的编制数（大于 0）",
            found=f"编制数 0 人，实际在职 {fmt_num(actual)} 人",
            advice="请填写批复的编制数；确无编制的，请在审核说明中写明人员情况。",
        )
    elif authorized > 0 and actual > _STAFF_FACTOR * authorized:
        yield hit(
            cells,
            f"实际在职人数 {fmt_num(actual)} 人超过编制数 {fmt_num(authorized)} 人的 {_STAFF_FACTOR} 倍"
            f"（控制率 {fmt_rate(actual / authorized)}，超编 {fmt_num(actual - authorized)} 人），疑似填错",
            expected=f"实际在职人数一般不超过编制数 {fmt_num(authorized)} 人",
            found=f"{fmt_num(actual)} 人",
            advice="请核对编制数和实际在职人数（是否把编外人员、离退休人员计入，或填错列）。",
        )


# --- PL-007 spending without budget ----------------------------------------------------------------------
@rule("PL-007", "预算为零却有支出", Severity.ERROR, reads=("ua_adjusted_budget", "ua_spent", PROJECTS))
def spent_without_budget(m: Model) -> Iterator[Hit]:
    """全年预算数为 0 而全年执行数大于 0：执行率无法计算；部门整体和每个项目分别核对。"""
    rows: list[tuple[str, Decimal | None, Decimal | None, CellRef, CellRef]] = [
        ("", m.num("ua_adjusted_budget"), m.num("ua_spent"), m.ref("ua_adjusted_budget"), m.ref("ua_spent"))
    ]
    rows += [
        (
            f"项目“{p.name}”",
            q_value(p.adjusted_budget),
            q_value(p.spent),
            m.tref(PROJECTS, p.index, "adjusted_budget"),
            m.tref(PROJECTS, p.index, "spent"),
        )
        for p in m.projects
    ]
    if all(budget is None or spent is None for _, budget, spent, _, _ in rows):
        raise NotApplicable("全年预算数或全年执行数未填")
    for who, budget, spent, budget_cell, spent_cell in rows:
        if budget is None or spent is None or budget != 0 or not exceeds(spent, ZERO, m):
            continue
        yield hit(
            (budget_cell, spent_cell),
            f"{who}全年预算数为 0，全年执行数却有 {fmt_amount(spent)}，执行率无法计算",
            expected="全年预算数应为调整后的全年预算（大于 0）",
            found=f"全年预算数 {fmt_amount(budget)}，全年执行数 {fmt_amount(spent)}",
            advice="请填写全年预算数（含年中追加调整）；无预算不得列支。",
        )
