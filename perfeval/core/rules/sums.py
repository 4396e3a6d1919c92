"""Rules: sums. Totals the user typed against the parts the user typed on the same form.

A total is compared only when it is typed and at least one part is typed: a form that leaves the detail
rows blank (桃江 leaves 公务用车 empty) has nothing to add up. Blank parts count as 0 in the sum, which is
what the 复核 column next to the total shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.model import Model, NotApplicable
from perfeval.core.rules.common import missing, table_label
from perfeval.core.rules.plausibility import swapped_columns
from perfeval.core.rules.registry import (
    UNIT,
    Hit,
    amount_number,
    amount_unit,
    fmt_amount,
    fmt_num,
    fmt_score,
    hit,
    rule,
)
from perfeval.core.snapshot import CellRef

ZERO = Decimal(0)


def _formula(terms: list[tuple[str, Decimal]], total: Decimal) -> str:
    """The arithmetic behind a sum, in the form's unit: "公务接待 1.3 + 出国经费 0 = 1.3 万元"."""
    shown = " + ".join(f"{label} {amount_number(v)}" for label, v in terms)
    return f"{shown} = {amount_number(total)} {amount_unit()}"


def _cost_sum(m: Model, key: str, advice: str) -> Iterator[Hit]:
    """附件1 row `key` against its parts, per year column (SUM-001, SUM-002)."""
    parts = cat.SUM_ROWS[key]
    compared = False
    for col, header in zip(cat.YEAR_COLS, cat.YEAR_HEADERS, strict=True):
        total_name = f"bd_{key}_{col}"
        part_names = [f"bd_{p}_{col}" for p in parts]
        total = m.num(total_name)
        terms = [(cat.COST_LABELS[p], m.num(n)) for p, n in zip(parts, part_names, strict=True)]
        typed = [(label, v) for label, v in terms if v is not None]
        if total is None or not typed:
            continue
        compared = True
        parts_sum = m.calc(f"bd_{key}_{col}_sum")
        if parts_sum is None or abs(total - parts_sum) <= m.profile.amount_tolerance:
            continue
        name = cat.COST_LABELS[key]
        yield hit(
            [m.ref(total_name), *(m.ref(n) for n in part_names if not missing(m, n))],
            f"附件1 {name}{header}：合计填 {fmt_amount(total)}，"
            f"明细之和为 {_formula(typed, parts_sum)}，相差 {fmt_amount(abs(total - parts_sum))}",
            expected=fmt_amount(parts_sum),
            found=fmt_amount(total),
            advice=advice,
        )
    if not compared:
        raise NotApplicable(f"{cat.COST_LABELS[key]}的合计或明细未填")


@rule(
    "SUM-001",
    "三公经费合计与明细不符",
    Severity.ERROR,
    reads=tuple(f"bd_{k}_{c}" for k in ("tpc", *cat.SUM_ROWS["tpc"]) for c in cat.YEAR_COLS),
    forms=UNIT,
)
def three_public_costs_sum(m: Model) -> Iterator[Hit]:
    """附件1 各年度列：三公经费 = 公务用车购置和维护经费 + 出国经费 + 公务接待（合计与明细已填时核对）。"""
    yield from _cost_sum(m, "tpc", "请核对三公经费各项明细，或修改合计数。")


@rule(
    "SUM-002",
    "公务用车经费合计与明细不符",
    Severity.ERROR,
    reads=tuple(f"bd_{k}_{c}" for k in ("car", *cat.SUM_ROWS["car"]) for c in cat.YEAR_COLS),
    forms=UNIT,
)
def car_costs_sum(m: Model) -> Iterator[Hit]:
    """附件1 各年度列：公务用车购置和维护经费 = 公车购置 + 公车运行维护（合计与明细已填时核对）。"""
    yield from _cost_sum(m, "car", "请核对公车购置和公车运行维护，或修改公务用车购置和维护经费合计。")


@rule(
    "SUM-003",
    "项目支出合计与明细表不符",
    Severity.ERROR,
    reads=tuple(f"bd_project_{c}" for c in cat.YEAR_COLS),
    forms=UNIT,
)
def project_items_sum(m: Model) -> Iterator[Hit]:
    """附件1 各年度列：项目支出 = “项目支出明细”表该列之和（合计与明细已填时核对；PL-004 认为该行年度列错位时，所涉两列不另报）。"""
    compared = False
    table = cat.PROJECT_ITEMS.name
    swapped = swapped_columns(m).get("project", ())
    for col, header in zip(cat.YEAR_COLS, cat.YEAR_HEADERS, strict=True):
        total_name = f"bd_project_{col}"
        total = m.num(total_name)
        typed = [it for it in m.project_items if it.amounts[col].ok]
        if total is None or not typed:
            continue
        compared = True
        items_sum = m.calc(f"bd_project_{col}_sum")
        if items_sum is None or abs(total - items_sum) <= m.profile.amount_tolerance:
            continue
        if col in swapped:
            continue  # the 项目支出 row's year columns look swapped: PL-004 says so, once
        yield hit(
            [m.ref(total_name), *(m.tref(table, it.index, col) for it in m.project_items)],
            f"附件1 项目支出{header}：合计填 {fmt_amount(total)}，项目支出明细表 {len(typed)} 项之和为 "
            f"{fmt_amount(items_sum)}，相差 {fmt_amount(abs(total - items_sum))}",
            expected=fmt_amount(items_sum),
            found=fmt_amount(total),
            advice="请核对项目支出明细表是否列全、金额是否正确，或修改项目支出合计数。",
        )
    if not compared:
        raise NotApplicable("项目支出合计或项目支出明细未填")


@rule(
    "SUM-004",
    "公用经费其中项超过合计",
    Severity.ERROR,
    reads=tuple(f"bd_{k}_{c}" for k in ("public", *cat.PUBLIC_PARTS) for c in cat.YEAR_COLS),
    forms=UNIT,
)
def public_funds_parts(m: Model) -> Iterator[Hit]:
    """附件1 各年度列：办公经费 + 水费电费差旅费 + 会议费培训费 ≤ 公用经费（其中项只是公用经费的一部分）。"""
    compared = False
    for col, header in zip(cat.YEAR_COLS, cat.YEAR_HEADERS, strict=True):
        total_name = f"bd_public_{col}"
        part_names = [f"bd_{p}_{col}" for p in cat.PUBLIC_PARTS]
        total = m.num(total_name)
        typed = [(cat.COST_LABELS[p], m.num(n)) for p, n in zip(cat.PUBLIC_PARTS, part_names, strict=True)]
        typed = [(label, v) for label, v in typed if v is not None]
        if total is None or not typed:
            continue
        compared = True
        parts_sum = sum((v for _, v in typed), ZERO)
        if parts_sum - total <= m.profile.amount_tolerance:
            continue
        yield hit(
            [m.ref(total_name), *(m.ref(n) for n in part_names if not missing(m, n))],
            f"附件1 公用经费{header}：其中项之和 {_formula(typed, parts_sum)}，超过公用经费合计 "
            f"{fmt_amount(total)}，多出 {fmt_amount(parts_sum - total)}",
            expected=f"不超过 {fmt_amount(total)}",
            found=fmt_amount(parts_sum),
            advice="其中项是公用经费的一部分，不能超过合计；请核对各其中项，或修改公用经费合计数。",
        )
    if not compared:
        raise NotApplicable("公用经费或其中项未填")


_BUDGET_HEADER = dict(zip(cat.BUDGET_COLS, cat.BUDGET_HEADERS, strict=True))


def _budget_split(m: Model, sum_key: str) -> Iterator[Hit]:
    """附件2 按收入性质分 / 按支出性质分, one figure a line, against 年度资金总额 (SUM-005, SUM-006).

    The lines add up to the year's 全年执行数, or to its 全年预算数 when that is what the unit put: a match
    with either is accepted. Only where neither is typed are they compared with 年初预算数.
    """
    what, splits = next((h, s) for k, h, s in cat.SPLIT_GROUPS if k == sum_key)
    names = [f"ua_{k}" for k, _ in splits]
    terms = [(label.removeprefix("其中："), m.num(n)) for (_, label), n in zip(splits, names, strict=True)]
    typed = [(label, v) for label, v in terms if v is not None]
    totals = [(col, v) for col in ("spent", "adjusted_budget") if (v := m.num(f"ua_{col}")) is not None]
    if any(m.present(f"ua_{c}") and m.num(f"ua_{c}") is None for c in ("spent", "adjusted_budget")):
        raise NotApplicable("年度资金总额的全年执行数或全年预算数无法识别（或金额单位疑误，见 PL-003）")
    if not totals and (initial := m.num("ua_initial_budget")) is not None:
        totals = [("initial_budget", initial)]
    split_sum = m.calc(f"ua_{sum_key}")
    if not typed or not totals or split_sum is None:
        raise NotApplicable(f"年度资金总额或{what}未填")
    tol = m.profile.amount_tolerance
    if any(abs(v - split_sum) <= tol for _, v in totals):
        return
    values = {v for _, v in totals}
    if len(values) == 1:
        value = totals[0][1]
        against = f"年度资金总额{'、'.join(_BUDGET_HEADER[c] for c, _ in totals)} {fmt_amount(value)}"
        gap = f"相差 {fmt_amount(abs(value - split_sum))}"
        expected = fmt_amount(value)
    else:
        against = "年度资金总额" + "、".join(f"{_BUDGET_HEADER[c]} {fmt_amount(v)}" for c, v in totals)
        gap = "分别相差 " + "、".join(fmt_amount(abs(v - split_sum)) for _, v in totals)
        expected = "或".join(f"{fmt_amount(v)}（{_BUDGET_HEADER[c]}）" for c, v in totals)
    if totals[0][0] == "initial_budget":
        against += "（全年预算数、全年执行数未填）"
    yield hit(
        [*(m.ref(f"ua_{c}") for c, _ in totals), *(m.ref(n) for n in names if not missing(m, n))],
        f"附件2 {what}各行之和 {_formula(typed, split_sum)}，与{against}{'均' if len(totals) > 1 else ''}"
        f"不符，{gap}",
        expected=expected,
        found=fmt_amount(split_sum),
        advice=(
            f"{what}各行各填一个金额（没有的填 0），合计应等于全年执行数（按全年预算数填列时等于全年预算数）；"
            f"请核对{what}各行，或修改年度资金总额。"
        ),
    )


@rule(
    "SUM-005",
    "收入性质分项与资金总额不符",
    Severity.ERROR,
    reads=(*(f"ua_{c}" for c in cat.BUDGET_COLS), *(f"ua_{k}" for k, _ in cat.INCOME_SPLITS)),
    forms=UNIT,
)
def income_split_sum(m: Model) -> Iterator[Hit]:
    """附件2 一般公共预算 + 政府性基金拨款 + 纳入专户管理的非税收入拨款 + 其他资金 = 全年执行数或全年预算数（两者均未填时为年初预算数）。"""
    yield from _budget_split(m, "income_sum")


@rule(
    "SUM-006",
    "基本支出与项目支出之和不符",
    Severity.ERROR,
    reads=(*(f"ua_{c}" for c in cat.BUDGET_COLS), *(f"ua_{k}" for k, _ in cat.EXPENSE_SPLITS)),
    forms=UNIT,
)
def expense_split_sum(m: Model) -> Iterator[Hit]:
    """附件2 基本支出 + 项目支出 = 全年执行数或全年预算数（两者之一相符即可；两者均未填时为年初预算数）。"""
    yield from _budget_split(m, "expense_sum")


@rule(
    "SUM-007",
    "填报总分与各项填报得分之和不符",
    Severity.ERROR,
    reads=("ua_total_score", "ua_execution_score"),
    forms=UNIT,
)
def typed_total_score(m: Model) -> Iterator[Hit]:
    """附件2 填报的总分应等于填报的预算执行率得分加各绩效指标自评得分（表内自身的加总，不涉及复核得分）。"""
    (total,) = m.need("ua_total_score")
    if not m.indicators:
        raise NotApplicable("附件2 没有绩效指标")
    table = cat.INDICATORS.name
    unreadable = [] if m.q["ua_execution_score"].ok else [m.label("ua_execution_score")]
    unreadable += [table_label(m, table, i.index, "score") for i in m.indicators if not i.score.ok]
    if unreadable:
        raise NotApplicable("缺少或无法识别：" + "、".join(unreadable))
    execution = m.num("ua_execution_score") or ZERO
    scores = [i.score.value or ZERO for i in m.indicators]
    parts_sum = execution + sum(scores, ZERO)
    if abs(total - parts_sum) <= m.profile.score_tolerance:
        return
    cells: list[CellRef] = [m.ref("ua_total_score"), m.ref("ua_execution_score")]
    cells += [m.tref(table, i.index, "score") for i in m.indicators]
    yield hit(
        cells,
        f"附件2 总分填 {fmt_score(total)}，而预算执行率得分 {fmt_num(execution)} + "
        f"{len(scores)} 个指标自评得分之和 {fmt_num(sum(scores, ZERO))} = {fmt_num(parts_sum)} 分，"
        f"相差 {fmt_num(abs(total - parts_sum))} 分",
        expected=fmt_score(parts_sum),
        found=fmt_score(total),
        advice="总分应为预算执行率得分与各指标自评得分之和，请核对各项自评得分或修改总分。",
    )
