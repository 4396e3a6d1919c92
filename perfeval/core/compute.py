"""Rates, totals and scores: everything the tool fills into its own (复核) cells."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.model import Indicator, Model
from perfeval.core.parse import Quantity
from perfeval.core.units import HELD_REASON, held_back

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Unavailable:
    """A value that cannot be computed, with the reason (shown in the cell and in --json)."""

    reason: str
    silent: bool = False  # every operand blank: nothing to say, the cell shows "—"

    def cell_text(self) -> str:
        return "—" if self.silent else f"无法计算：{self.reason}"


Value = Decimal | Unavailable
GRADE_PENDING = "等级待定"


def weight_total(exec_weight: Quantity, indicators: list[Indicator]) -> Decimal | None:
    """执行率分值 + every indicator's 分值 of one form; None when one of them cannot be read."""
    weights = [exec_weight, *(i.weight for i in indicators)]
    if not indicators or not all(w.ok and w.value is not None for w in weights):
        return None
    return sum((w.value for w in weights if w.value is not None), ZERO)


def weights_off(model: Model, form: Form, total: Decimal | None) -> bool:
    """The weights add up to something other than the profile's total (100). The one place this is
    decided: the grade (等级待定), the summary and the rules that divide by the weights all ask here."""
    if total is None:
        return False
    return abs(total - sum(model.profile.weights_of(form).values(), ZERO)) > model.profile.score_tolerance


def _grade(
    model: Model, total: Decimal, exec_weight: Quantity, indicators: list[Indicator], form: Form
) -> str:
    """The grade of a total, or 等级待定 when the weights behind it do not add up to the profile's total
    (a 110-point form graded 优 would be a grade nobody can trust)."""
    if weights_off(model, form, weight_total(exec_weight, indicators)):
        return GRADE_PENDING
    return model.profile.grade(total)


def ratio(num: Decimal | None, den: Decimal | None, num_label: str, den_label: str) -> Value:
    if num is None and den is None:
        return Unavailable(f"{num_label}和{den_label}均未填", silent=True)
    if num is None:
        return Unavailable(f"{num_label}未填")
    if den is None:
        return Unavailable(f"{den_label}未填")
    if den == 0:
        return Unavailable(f"{den_label}为 0")
    return num / den


def change(current: Decimal | None, prior: Decimal | None, cur_label: str, prior_label: str) -> Value:
    r = ratio(current, prior, cur_label, prior_label)
    return r - ONE if isinstance(r, Decimal) else r


def add(values: list[Decimal | None]) -> Decimal | None:
    """Sum of what is there; None when nothing is."""
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def split_basis(model: Model, sum_key: str) -> tuple[str, ...]:
    """The 年度资金总额 columns (cat.SPLIT_BASES, in that order) a split group's one-figure lines add up to.

    The form's 按收入性质分 / 按支出性质分 lines hold one figure each: the year's money, normally the
    全年执行数, sometimes the 全年预算数 (the block sits under 年度预算申请), and 年初预算数 where that
    is all a unit gives. Empty when nothing is typed or the lines match none of the totals.
    """
    total = model.computed.get(f"ua_{sum_key}")
    if not isinstance(total, Decimal):
        return ()
    tol = model.profile.amount_tolerance
    return tuple(
        col for col in cat.SPLIT_BASES if (v := model.num(f"ua_{col}")) is not None and abs(v - total) <= tol
    )


def split_is_spending(model: Model, sum_key: str) -> bool:
    """Whether a group's figures may be read as 全年执行数: they add up to it, or to no total at all
    (then they are taken for what the form asks, and the sum rules say they do not add up)."""
    basis = split_basis(model, sum_key)
    return not basis or "spent" in basis


def execution_score(rate: Value, weight: Decimal | None, model: Model) -> Value:
    """预算执行率得分 = 执行率 × 分值, linear, capped at 分值."""
    if isinstance(rate, Unavailable):
        return Unavailable(f"执行率无法计算（{rate.reason}）", silent=rate.silent)
    if weight is None:
        return Unavailable("分值未填")
    return model.profile.quantize(min(max(rate, ZERO), ONE) * weight)


def indicator_score(ind: Indicator, model: Model) -> tuple[Decimal | None, Decimal | None, str]:
    """(score, completion ratio, reason when no score). Quantitative rows only; 定性 rows are self-scored."""
    exact, completion, reason = exact_indicator_score(ind)
    return (model.profile.quantize(exact) if exact is not None else None), completion, reason


def exact_indicator_score(
    ind: Indicator, direction: str | None = None
) -> tuple[Decimal | None, Decimal | None, str]:
    """(score before rounding, completion ratio, reason when no score), by `direction` (the row's own
    by default: the rules ask what a row would score the other way when its direction is a guess)."""
    direction = direction or ind.direction
    weight = ind.weight.value if ind.weight.ok else None
    if weight is None:
        return None, None, "分值未填或无法识别"
    if ind.kind == "定性":
        return None, None, "定性指标按自评等次评分"
    t, a = ind.target, ind.actual
    if not t.ok:
        return None, None, "年度指标值不是可计算的数值"
    if not a.ok:
        return None, None, "实际完成值不是可计算的数值"
    if t.unit and a.unit and t.unit != a.unit:
        return None, None, f"指标值单位“{t.unit}”与完成值单位“{a.unit}”不一致"
    target, actual = t.value, a.value
    assert target is not None and actual is not None
    completion = actual / target if target else None
    if direction == "定值" or target == 0:
        if direction == "定值" or t.comparator == "=":
            met = actual == target
        elif t.comparator == "":
            # A target of 0 with no sign: "0" of a ceiling (投诉 0 次) is met at or below it.
            met = actual <= target if direction == "反向" else actual == target
        else:
            met = _meets(actual, t)
        return (weight if met else ZERO), completion, ""
    if direction == "反向":
        if actual <= target:
            return weight, completion, ""
        if actual >= 2 * target:
            return ZERO, completion, ""
        return (ONE - (actual - target) / target) * weight, completion, ""
    if actual >= target:
        return weight, completion, ""
    return max(actual, ZERO) / target * weight, completion, ""


def _meets(actual: Decimal, target: Quantity) -> bool:
    value = target.value or ZERO
    return {
        ">=": actual >= value,
        ">": actual > value,
        "<=": actual <= value,
        "<": actual < value,
    }.get(target.comparator, actual == value)


def indicator_met(ind: Indicator) -> bool | None:
    """Whether the actual meets the target by the indicator's direction; None when not comparable."""
    t, a = ind.target, ind.actual
    if not (t.ok and a.ok) or (t.unit and a.unit and t.unit != a.unit):
        return None
    assert t.value is not None and a.value is not None
    if ind.direction == "反向":
        return a.value <= t.value
    if ind.direction == "定值":
        return a.value == t.value
    # 正向: reaching the target is meeting it, also for a strict ">" (the score is full there too).
    return a.value >= t.value


def shown_completion(ind: Indicator) -> Decimal | None:
    """完成率 as the 完成率（复核） column prints it; `ind.completion` (actual ÷ target) stays the raw ratio.

    For a 反向 (ceiling) indicator actual ÷ target reads backwards: 4.9% against ≤5% prints 98.00%, which a
    reviewer takes for a shortfall, and 6% against ≤5% prints 120.00%, which looks like over-achievement.
    So a 反向 row prints the share of its 分值 that the scoring rule gives: 100.00% when the ceiling is met
    (a ceiling cannot be "more than met"), 1 − (actual − target) ÷ target below it, never under 0. Then
    得分 = 分值 × 完成率 reads the same way for both directions.
    """
    completion = ind.completion
    if completion is None or ind.direction != "反向":
        return completion
    return ONE if completion <= ONE else max(2 * ONE - completion, ZERO)


def row_score(ind: Indicator) -> Decimal | None:
    """The score a row contributes to the total: recomputed when quantitative, else the typed one."""
    if ind.score_calc is not None:
        return ind.score_calc
    if ind.score.ok and ind.weight.ok:
        assert ind.score.value is not None and ind.weight.value is not None
        return min(max(ind.score.value, ZERO), ind.weight.value)
    return None


def _score_indicators(model: Model, indicators: list[Indicator]) -> None:
    for ind in indicators:
        ind.score_exact, ind.completion, ind.score_reason = exact_indicator_score(ind)
        ind.score_calc = model.profile.quantize(ind.score_exact) if ind.score_exact is not None else None
        model.table_computed[(ind.table, ind.index, "score_calc")] = (
            ind.score_calc
            if ind.score_calc is not None
            else Unavailable(ind.score_reason, silent=ind.kind == "定性")
        )
        shown = shown_completion(ind)
        model.table_computed[(ind.table, ind.index, "completion_calc")] = (
            shown if shown is not None else Unavailable("无法计算", silent=True)
        )


def compute(model: Model) -> None:
    c = model.computed
    n = model.num
    p = model.profile
    c["bd_staff_control_rate_calc"] = ratio(
        n("bd_actual_staff"), n("bd_authorized_staff"), "实际在职人数", "编制数"
    )

    # 附件1 totals and rates
    item_sums = {col: add([it.amounts[col].value for it in model.project_items]) for col in cat.YEAR_COLS}
    for key, parts in cat.SUM_ROWS.items():
        for col in cat.YEAR_COLS:
            if parts == ("tbl_project_items",):
                total = item_sums[col]
            else:
                total = add([n(f"bd_{part}_{col}") for part in parts])
            c[f"bd_{key}_{col}_sum"] = total if total is not None else Unavailable("明细均未填", silent=True)
            if held_back(*(model.q[f"bd_{part}_{col}"] for part in parts if part in cat.COST_LABELS)) or (
                parts == ("tbl_project_items",)
                and held_back(*(it.amounts[col] for it in model.project_items))
            ):
                c[f"bd_{key}_{col}_sum"] = Unavailable(HELD_REASON)
    for key, *_ in cat.COST_ROWS:
        name = cat.COST_LABELS[key]
        cur, bud, prior = (
            n(f"bd_{key}_current_actual"),
            n(f"bd_{key}_current_budget"),
            n(f"bd_{key}_prior_actual"),
        )
        c[f"bd_{key}_control_rate"] = ratio(cur, bud, f"{name}本年决算数", f"{name}本年预算数")
        c[f"bd_{key}_change_rate"] = change(cur, prior, f"{name}本年决算数", f"{name}上年决算数")
        if held_back(*(model.q[f"bd_{key}_{col}"] for col in cat.YEAR_COLS)):
            c[f"bd_{key}_control_rate"] = c[f"bd_{key}_change_rate"] = Unavailable(HELD_REASON)
    c["bd_building_area_rate_calc"] = ratio(
        n("bd_building_actual_area"), n("bd_building_approved_area"), "实际规模", "批复规模"
    )
    c["bd_building_investment_rate_calc"] = ratio(
        n("bd_building_actual_investment"), n("bd_building_budgeted_investment"), "实际投资", "预算投资"
    )

    # 附件2 budget block
    rate = ratio(n("ua_spent"), n("ua_adjusted_budget"), "全年执行数", "全年预算数")
    c["ua_execution_rate_calc"] = rate
    c["ua_execution_score_calc"] = execution_score(rate, n("ua_execution_weight"), model)
    adj = change(n("ua_adjusted_budget"), n("ua_initial_budget"), "全年预算数", "年初预算数")
    c["ua_adjustment_rate_calc"] = adj
    if held_back(model.q["ua_spent"], model.q["ua_adjusted_budget"]):
        c["ua_execution_rate_calc"] = c["ua_execution_score_calc"] = Unavailable(HELD_REASON)
    if held_back(model.q["ua_adjusted_budget"], model.q["ua_initial_budget"]):
        c["ua_adjustment_rate_calc"] = Unavailable(HELD_REASON)
    for sum_key, _, splits in cat.SPLIT_GROUPS:
        total = add([n(f"ua_{k}") for k, _ in splits])
        c[f"ua_{sum_key}"] = total if total is not None else Unavailable("均未填", silent=True)
        if held_back(*(model.q[f"ua_{k}"] for k, _ in splits)):
            c[f"ua_{sum_key}"] = Unavailable(HELD_REASON)

    _score_indicators(model, model.indicators)
    exec_score = c["ua_execution_score_calc"]
    rows = [row_score(i) for i in model.indicators]
    if model.indicators or isinstance(exec_score, Decimal):
        total = (exec_score if isinstance(exec_score, Decimal) else ZERO) + sum(
            (r for r in rows if r is not None), ZERO
        )
        c["ua_total_score_calc"] = p.quantize(total)
        c["ua_grade_calc"] = _grade(model, total, model.q["ua_execution_weight"], model.indicators, Form.UNIT)
        if isinstance(exec_score, Unavailable) and exec_score.reason == HELD_REASON:
            c["ua_total_score_calc"] = c["ua_grade_calc"] = Unavailable(HELD_REASON)
    else:
        c["ua_total_score_calc"] = Unavailable("没有执行率和绩效指标", silent=True)
        c["ua_grade_calc"] = Unavailable("没有总分", silent=True)

    # projects
    for proj in model.projects:
        _score_indicators(model, proj.indicators)
        prate = ratio(proj.spent.value, proj.adjusted_budget.value, "全年执行数", "全年预算数")
        pscore = execution_score(prate, proj.execution_weight.value, model)
        if held_back(proj.spent, proj.adjusted_budget):
            prate = pscore = Unavailable(HELD_REASON)
        t = cat.PROJECTS.name
        model.table_computed[(t, proj.index, "execution_rate_calc")] = prate
        model.table_computed[(t, proj.index, "execution_score_calc")] = pscore
        prow = [row_score(i) for i in proj.indicators]
        if isinstance(pscore, Decimal) or proj.indicators:
            ptotal = p.quantize(
                (pscore if isinstance(pscore, Decimal) else ZERO) + sum((r for r in prow if r), ZERO)
            )
            model.table_computed[(t, proj.index, "total_score_calc")] = ptotal
            model.table_computed[(t, proj.index, "grade_calc")] = _grade(
                model, ptotal, proj.execution_weight, proj.indicators, Form.PROJECT
            )
            if pscore == Unavailable(HELD_REASON):
                model.table_computed[(t, proj.index, "total_score_calc")] = Unavailable(HELD_REASON)
                model.table_computed[(t, proj.index, "grade_calc")] = Unavailable(HELD_REASON)
    _score_indicators(model, model.orphan_indicators)
