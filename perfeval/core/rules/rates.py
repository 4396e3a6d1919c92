"""Rules: rates (比率). Typed rates and scores against the recomputed ones, and rates that exceed a limit.

Every rate is a fraction (0.95 = 95 %), as parse_rate and compute produce it. A rate that compute could
not produce (blank operand, division by zero) is never treated as 0 %: the rule says nothing, or, where
the user needs to know, says why it cannot be computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.model import Model, NotApplicable, Project
from perfeval.core.parse import Quantity, Status, normalize_text
from perfeval.core.rules.common import (
    PROJECTS,
    ZERO,
    exceeds,
    q_value,
    score_matches,
)
from perfeval.core.rules.registry import (
    PROJECT,
    UNIT,
    Hit,
    fmt_amount,
    fmt_num,
    fmt_rate,
    fmt_score,
    hit,
    rule,
)
from perfeval.core.snapshot import CellRef

ONE = Decimal(1)


# --- helpers ------------------------------------------------------------------------------------------
_NUMBER_TEXT = re.compile(r"\d+(?:\.(\d+))?")


def typed_places(q: Quantity) -> int | None:
    """How many decimals a typed number carries, as typed: "9.68" -> 2; for a rate (a fraction with unit
    "%") "86%" -> 2, "86.20%" -> 4, 0.862 -> 3. None when not a number."""
    if not q.ok or q.value is None:
        return None
    raw = normalize_text(q.raw) if isinstance(q.raw, str) else None
    if raw is not None:
        numbers = _NUMBER_TEXT.findall(raw)
        if len(numbers) == 1:
            return len(numbers[0]) + (2 if q.unit == "%" and ("%" in raw or "％" in raw) else 0)
    exponent = q.value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rate_places(q: Quantity) -> int:
    """The precision a typed rate is compared at: as typed, never coarser than a whole percent."""
    places = typed_places(q)
    return RATE_PLACES if places is None else max(2, places)


RATE_PLACES = 4  # a rate shown with 2 decimals of a percent: 85.71 % is 0.8571


def rounding_variant(typed: Decimal, exact: Decimal, places: int, m: Model) -> bool:
    """`typed` is `exact` cut the other way at `places` decimals (9.68 for 9.685 where the profile's
    rounding gives 9.69): a difference of rounding method, not of substance."""
    return typed != m.profile.quantize(exact, places) and abs(typed - exact) < Decimal(1).scaleb(-places)


def rate_matches(typed: Decimal, computed: Decimal, m: Model, places: int = RATE_PLACES) -> bool:
    """Within the rate tolerance, or the computed rate at the precision the rate was typed, cut by the
    profile's rounding method: 86 % against 86.20 % is right, 0.862 against 86.20 % too."""
    if abs(typed - computed) <= m.profile.rate_tolerance:
        return True
    if places > RATE_PLACES:
        return False  # typed more precisely than 0.01 %: the tolerance decides
    return typed == m.profile.quantize(computed, places)


def exact_execution_score(rate: Decimal, weight: Decimal) -> Decimal:
    """执行率得分 before rounding: min(执行率, 100%) × 分值."""
    return min(max(rate, ZERO), ONE) * weight


def decimal_or_none(value: object) -> Decimal | None:
    """A computed value when it is a number; compute.Unavailable and strings become None."""
    return value if isinstance(value, Decimal) else None


def num2(v: Decimal) -> str:
    """An amount inside a formula, as the user sees it in the cell: 1.30, not 1.3."""
    return f"{v:,.2f}"


def fmt_signed_rate(v: Decimal) -> str:
    return ("+" if v > 0 else "") + fmt_rate(v)


def _need_projects(m: Model) -> list[Project]:
    if not m.projects:
        raise NotApplicable("未填报项目支出自评表")
    return m.projects


# --- RATE-001 在职人员控制率 ------------------------------------------------------------------------------
@rule(
    "RATE-001",
    "在职人员控制率填报有误",
    Severity.ERROR,
    reads=("bd_staff_control_rate", "bd_actual_staff", "bd_authorized_staff"),
    forms=UNIT,
)
def staff_control_rate(m: Model) -> Iterator[Hit]:
    """在职人员控制率 = 实际在职人数 ÷ 编制数；按填写的精度与复核结果比较（86% 与 86.20% 相符），不符即报错。"""
    typed, actual, authorized = m.need("bd_staff_control_rate", "bd_actual_staff", "bd_authorized_staff")
    computed = m.calc("bd_staff_control_rate_calc")
    if computed is None or rate_matches(typed, computed, m, rate_places(m.q["bd_staff_control_rate"])):
        return  # 编制数为 0 时无法计算，由 PL-006 报告
    yield hit(
        (m.ref("bd_staff_control_rate"), m.ref("bd_actual_staff"), m.ref("bd_authorized_staff")),
        f"在职人员控制率填报为 {fmt_rate(typed)}，按实际在职人数 {fmt_num(actual)} 人 ÷ 编制数 "
        f"{fmt_num(authorized)} 人复核应为 {fmt_rate(computed)}",
        expected=f"{fmt_rate(computed)}（{fmt_num(actual)} ÷ {fmt_num(authorized)}）",
        found=fmt_rate(typed),
        advice="请按“实际在职人数 ÷ 编制数”重新计算控制率，或核对编制数、实际在职人数。",
    )


# --- RATE-002/003 and RATE-006/007: 执行率 and its score, for the unit and for each project ---------------
def _execution_rate_hit(
    cells: tuple[CellRef, ...],
    who: str,
    typed: Decimal,
    computed: Decimal,
    spent: Decimal | None,
    adjusted: Decimal | None,
    initial: Decimal | None,
    initial_cell: CellRef,
    m: Model,
    places: int = RATE_PLACES,
) -> Hit | None:
    if rate_matches(typed, computed, m, places):
        return None
    basis = f"（全年执行数 {fmt_amount(spent)} ÷ 全年预算数 {fmt_amount(adjusted)}）"
    # The common mistake: dividing by 年初预算数. Say so explicitly when the typed rate is exactly that.
    if (
        spent is not None
        and initial
        and initial != adjusted
        and rate_matches(typed, spent / initial, m, places)
    ):
        return hit(
            (*cells, initial_cell),
            f"{who}执行率 {fmt_rate(typed)} 是按年初预算数计算的（全年执行数 {fmt_amount(spent)} ÷ "
            f"年初预算数 {fmt_amount(initial)}）；执行率必须以全年预算数（调整后预算）为分母，"
            f"应为 {fmt_rate(computed)}",
            expected=f"{fmt_rate(computed)}{basis}",
            found=f"{fmt_rate(typed)}（按年初预算数计算）",
            advice="请改用“全年执行数 ÷ 全年预算数”计算执行率，并相应重算执行率得分。",
        )
    return hit(
        cells,
        f"{who}执行率填报为 {fmt_rate(typed)}，按全年执行数 ÷ 全年预算数复核应为 {fmt_rate(computed)}",
        expected=f"{fmt_rate(computed)}{basis}",
        found=fmt_rate(typed),
        advice="请按“全年执行数 ÷ 全年预算数”重新计算执行率，或核对预算数、执行数。",
    )


def _execution_score_hit(
    cells: tuple[CellRef, ...],
    who: str,
    typed: Decimal,
    computed: Decimal,
    rate: Decimal,
    weight: Decimal,
    m: Model,
) -> Hit | None:
    if score_matches(typed, computed, m):
        return None
    if rounding_variant(typed, exact_execution_score(rate, weight), m.profile.score_places, m):
        return None  # 9.68 typed for 9.685 where the rule gives 9.69: SCORE-015, a 提示
    formula = f"min({fmt_rate(rate)}, 100%) × {fmt_num(weight)} 分"
    if rate < ONE and score_matches(typed, weight, m):
        return hit(
            cells,
            f"{who}资金未全部支出却给满分：执行率 {fmt_rate(rate)}，执行率得分应为 {fmt_score(computed)}"
            f"（{formula}），填报为满分 {fmt_score(typed)}",
            expected=f"{fmt_score(computed)}（{formula}）",
            found=f"{fmt_score(typed)}（满分）",
            advice="执行率得分 = 执行率 × 分值，未全部支出不得给满分，请按公式重算。",
        )
    return hit(
        cells,
        f"{who}执行率得分填报为 {fmt_score(typed)}，按 执行率 × 分值（执行率以 100% 为限）复核应为 "
        f"{fmt_score(computed)}",
        expected=f"{fmt_score(computed)}（{formula}）",
        found=fmt_score(typed),
        advice="请按“执行率 × 分值”重算执行率得分，保留两位小数。",
    )


@rule(
    "RATE-002",
    "预算执行率填报有误",
    Severity.ERROR,
    reads=("ua_execution_rate", "ua_spent", "ua_adjusted_budget", "ua_initial_budget"),
    forms=UNIT,
)
def unit_execution_rate(m: Model) -> Iterator[Hit]:
    """预算执行率 = 全年执行数 ÷ 全年预算数（不是年初预算数）；按填写的精度比较（86% 与 86.20% 相符）。"""
    (typed,) = m.need("ua_execution_rate")
    computed = m.calc("ua_execution_rate_calc")
    if computed is None:
        return
    cells = (m.ref("ua_execution_rate"), m.ref("ua_spent"), m.ref("ua_adjusted_budget"))
    found = _execution_rate_hit(
        cells,
        "",
        typed,
        computed,
        m.num("ua_spent"),
        m.num("ua_adjusted_budget"),
        m.num("ua_initial_budget"),
        m.ref("ua_initial_budget"),
        m,
        rate_places(m.q["ua_execution_rate"]),
    )
    if found is not None:
        yield found


@rule(
    "RATE-003",
    "执行率得分填报有误",
    Severity.ERROR,
    reads=("ua_execution_score", "ua_execution_weight", "ua_spent", "ua_adjusted_budget"),
    forms=UNIT,
)
def unit_execution_score(m: Model) -> Iterator[Hit]:
    """执行率得分 = min(执行率, 100%) × 分值，保留 2 位小数；执行率不足 100% 却填满分的，指明虚高。"""
    (typed,) = m.need("ua_execution_score")
    computed, rate = m.calc("ua_execution_score_calc"), m.calc("ua_execution_rate_calc")
    weight = m.num("ua_execution_weight")
    if computed is None or rate is None or weight is None:
        return
    cells = (m.ref("ua_execution_score"), m.ref("ua_execution_rate"), m.ref("ua_execution_weight"))
    found = _execution_score_hit(cells, "", typed, computed, rate, weight, m)
    if found is not None:
        yield found


@rule(
    "RATE-006",
    "项目执行率填报有误",
    Severity.ERROR,
    reads=(PROJECTS,),
    forms=PROJECT,
)
def project_execution_rate(m: Model) -> Iterator[Hit]:
    """项目执行率 = 项目全年执行数 ÷ 项目全年预算数；逐个项目按填写的精度核对（86% 与 86.20% 相符）。"""
    for p in _need_projects(m):
        typed = q_value(p.execution_rate)
        computed = decimal_or_none(m.table_computed.get((PROJECTS, p.index, "execution_rate_calc")))
        if typed is None or computed is None:
            continue
        cells = tuple(m.tref(PROJECTS, p.index, k) for k in ("execution_rate", "spent", "adjusted_budget"))
        found = _execution_rate_hit(
            cells,
            f"项目“{p.name}”",
            typed,
            computed,
            q_value(p.spent),
            q_value(p.adjusted_budget),
            q_value(p.initial_budget),
            m.tref(PROJECTS, p.index, "initial_budget"),
            m,
            rate_places(p.execution_rate),
        )
        if found is not None:
            yield found


@rule(
    "RATE-007",
    "项目执行率得分填报有误",
    Severity.ERROR,
    reads=(PROJECTS,),
    forms=PROJECT,
)
def project_execution_score(m: Model) -> Iterator[Hit]:
    """项目执行率得分 = min(项目执行率, 100%) × 分值，保留 2 位小数；逐个项目核对。"""
    for p in _need_projects(m):
        typed, weight = q_value(p.execution_score), q_value(p.execution_weight)
        computed = decimal_or_none(m.table_computed.get((PROJECTS, p.index, "execution_score_calc")))
        rate = decimal_or_none(m.table_computed.get((PROJECTS, p.index, "execution_rate_calc")))
        if typed is None or weight is None or computed is None or rate is None:
            continue
        cells = tuple(
            m.tref(PROJECTS, p.index, k) for k in ("execution_score", "execution_rate", "execution_weight")
        )
        found = _execution_score_hit(cells, f"项目“{p.name}”", typed, computed, rate, weight, m)
        if found is not None:
            yield found


# --- RATE-004/005 楼堂馆所 typed rates ------------------------------------------------------------------
def _building_rate(m: Model, typed_name: str, actual_name: str, base_name: str, what: str) -> Iterator[Hit]:
    typed, actual, base = m.need(typed_name, actual_name, base_name)
    computed = m.calc(f"{typed_name}_calc")
    if computed is None or rate_matches(typed, computed, m, rate_places(m.q[typed_name])):
        return
    a_label, b_label = (cat.field(n).label.removeprefix("楼堂馆所 ") for n in (actual_name, base_name))
    yield hit(
        (m.ref(typed_name), m.ref(actual_name), m.ref(base_name)),
        f"楼堂馆所{what}填报为 {fmt_rate(typed)}，按 {a_label} ÷ {b_label} 复核应为 {fmt_rate(computed)}",
        expected=f"{fmt_rate(computed)}（{fmt_num(actual)} ÷ {fmt_num(base)}）",
        found=fmt_rate(typed),
        advice=f"请按“{a_label} ÷ {b_label}”重新计算{what}，或核对{a_label}、{b_label}。",
    )


@rule(
    "RATE-004",
    "规模控制率填报有误",
    Severity.ERROR,
    reads=("bd_building_area_rate", "bd_building_actual_area", "bd_building_approved_area"),
    forms=UNIT,
)
def building_area_rate(m: Model) -> Iterator[Hit]:
    """楼堂馆所规模控制率 = 实际规模 ÷ 批复规模；填报值与复核结果不符即报错。"""
    yield from _building_rate(
        m, "bd_building_area_rate", "bd_building_actual_area", "bd_building_approved_area", "规模控制率"
    )


@rule(
    "RATE-005",
    "投资概算控制率填报有误",
    Severity.ERROR,
    reads=("bd_building_investment_rate", "bd_building_actual_investment", "bd_building_budgeted_investment"),
    forms=UNIT,
)
def building_investment_rate(m: Model) -> Iterator[Hit]:
    """楼堂馆所投资概算控制率 = 实际投资 ÷ 预算投资；填报值与复核结果不符即报错。"""
    yield from _building_rate(
        m,
        "bd_building_investment_rate",
        "bd_building_actual_investment",
        "bd_building_budgeted_investment",
        "投资概算控制率",
    )


# --- RATE-008 超编 -----------------------------------------------------------------------------------
@rule(
    "RATE-008",
    "实际在职人数超编",
    Severity.WARNING,
    reads=("bd_actual_staff", "bd_authorized_staff"),
    forms=UNIT,
)
def over_staffed(m: Model) -> Iterator[Hit]:
    """实际在职人数 > 编制数（控制率超过 100%）时提示超编。"""
    actual, authorized = m.need("bd_actual_staff", "bd_authorized_staff")
    # 编制数为 0 或超过 3 倍编制，更可能是填错，由 PL-006 报告，避免同一事实两条结论。
    if authorized <= 0 or actual <= authorized or actual > 3 * authorized:
        return
    yield hit(
        (m.ref("bd_actual_staff"), m.ref("bd_authorized_staff")),
        f"实际在职人数 {fmt_num(actual)} 人超过编制数 {fmt_num(authorized)} 人，超编 "
        f"{fmt_num(actual - authorized)} 人（控制率 {fmt_rate(actual / authorized)}）",
        expected=f"实际在职人数不超过编制数 {fmt_num(authorized)} 人（控制率 ≤ 100%）",
        found=f"{fmt_num(actual)} 人",
        advice="请核实编制数和实际在职人数；确属超编的，请在报告中说明原因及消化措施。",
    )


# --- RATE-009/011/014 本年决算 over 本年预算 ----------------------------------------------------------------
_ADVICE_OVER = {
    "tpc": "三公经费不得超预算：请核对本年预算数和决算数，确有超支的，请在审核说明中写明原因及审批依据。",
    "public": "请核对公用经费本年预算数和决算数，确有超支的，请在报告中说明原因。",
    "procurement": "请核对政府采购预算和实际采购金额，超预算采购的，请说明原因及审批依据。",
}


def _over_budget(m: Model, key: str, *, zero_budget_fires: bool) -> Iterator[Hit]:
    actual_name, budget_name = f"bd_{key}_current_actual", f"bd_{key}_current_budget"
    actual, budget = m.need(actual_name, budget_name)
    name = cat.COST_LABELS[key]
    cells = (m.ref(actual_name), m.ref(budget_name))
    if budget == 0:
        if zero_budget_fires and exceeds(actual, ZERO, m):
            yield hit(
                cells,
                f"{name}本年预算数为 0，本年决算数却有 {fmt_amount(actual)}：无预算支出，控制率无法计算",
                expected=f"本年决算数不超过本年预算数 {fmt_amount(Decimal(0))}",
                found=f"{fmt_amount(actual)}（本年预算数为 0，控制率无法计算）",
                advice=_ADVICE_OVER[key],
            )
        return
    if not exceeds(actual, budget, m):
        return
    rate = actual / budget
    yield hit(
        cells,
        f"{name}本年决算数 {fmt_amount(actual)} 超过本年预算数 {fmt_amount(budget)}，超支 "
        f"{fmt_amount(actual - budget)}，控制率 {fmt_rate(rate)}",
        expected=f"控制率 ≤ 100.00%（本年决算数不超过 {fmt_amount(budget)}）",
        found=f"{fmt_rate(rate)}（{num2(actual)} ÷ {num2(budget)}）",
        advice=_ADVICE_OVER[key],
    )


@rule(
    "RATE-009",
    "三公经费超预算",
    Severity.WARNING,
    reads=("bd_tpc_current_actual", "bd_tpc_current_budget"),
    forms=UNIT,
)
def tpc_over_budget(m: Model) -> Iterator[Hit]:
    """三公经费控制率 = 本年决算数 ÷ 本年预算数，超过 100% 即提示超预算。"""
    yield from _over_budget(m, "tpc", zero_budget_fires=True)


@rule(
    "RATE-011",
    "公用经费超预算",
    Severity.WARNING,
    reads=("bd_public_current_actual", "bd_public_current_budget"),
    forms=UNIT,
)
def public_over_budget(m: Model) -> Iterator[Hit]:
    """公用经费控制率 = 本年决算数 ÷ 本年预算数，超过 100% 即提示超预算。"""
    yield from _over_budget(m, "public", zero_budget_fires=True)


@rule(
    "RATE-014",
    "政府采购超预算",
    Severity.WARNING,
    reads=("bd_procurement_current_actual", "bd_procurement_current_budget"),
    forms=UNIT,
)
def procurement_over_budget(m: Model) -> Iterator[Hit]:
    """政府采购执行率 = 本年决算数（实际采购）÷ 本年预算数（采购预算），超过 100% 即提示超预算。"""
    # 采购预算为 0 时执行率无法计算，由 RATE-013 说明。
    yield from _over_budget(m, "procurement", zero_budget_fires=False)


# --- RATE-010 三公 growth ---------------------------------------------------------------------------------
@rule(
    "RATE-010",
    "三公经费较上年增长",
    Severity.WARNING,
    reads=("bd_tpc_current_actual", "bd_tpc_prior_actual"),
    forms=UNIT,
)
def tpc_growth(m: Model) -> Iterator[Hit]:
    """三公经费变动率 = (本年决算数 − 上年决算数) ÷ 上年决算数；三公经费只减不增，大于 0 即提示。"""
    current, prior = m.need("bd_tpc_current_actual", "bd_tpc_prior_actual")
    if not exceeds(current, prior, m):
        return
    cells = (m.ref("bd_tpc_current_actual"), m.ref("bd_tpc_prior_actual"))
    advice = "三公经费应只减不增：请核对上年和本年决算数，确有增长的，请在报告中说明增长原因。"
    if prior == 0:
        yield hit(
            cells,
            f"三公经费上年决算数为 0，本年决算数 {fmt_amount(current)}，较上年增加"
            "（上年为 0，增长率无法计算）",
            expected=f"本年决算数不高于上年决算数 {fmt_amount(prior)}",
            found=f"{fmt_amount(current)}（增加 {fmt_amount(current - prior)}）",
            advice=advice,
        )
        return
    rate = (current - prior) / prior
    yield hit(
        cells,
        f"三公经费本年决算数 {fmt_amount(current)} 较上年决算数 {fmt_amount(prior)} 增加 "
        f"{fmt_amount(current - prior)}，增长 {fmt_rate(rate)}；三公经费应只减不增",
        expected=f"变动率 ≤ 0（本年决算数不高于上年 {fmt_amount(prior)}）",
        found=f"{fmt_signed_rate(rate)}（({num2(current)} − {num2(prior)}) ÷ {num2(prior)}）",
        advice=advice,
    )


# --- RATE-012 budget adjustment ---------------------------------------------------------------------------
@rule(
    "RATE-012",
    "预算调整幅度较大",
    Severity.INFO,
    reads=("ua_adjusted_budget", "ua_initial_budget"),
    description=(
        "预算调整率 = |全年预算数 − 年初预算数| ÷ 年初预算数；超过评分口径的提示线（默认 20%）时，"
        "请在报告中说明调整原因。"
    ),
    forms=UNIT,
)
def budget_adjustment(m: Model) -> Iterator[Hit]:
    adjusted, initial = m.need("ua_adjusted_budget", "ua_initial_budget")
    diff = adjusted - initial
    # 全年预算数为 0：PL-007（有支出）报告；调整率无从谈起。
    if adjusted == 0 or not exceeds(abs(diff), ZERO, m):
        return
    cells = (m.ref("ua_adjusted_budget"), m.ref("ua_initial_budget"))
    direction = "调增" if diff > 0 else "调减"
    threshold = m.profile.budget_adjustment_info
    advice = "请在自评报告“部门整体支出情况”中说明预算调整的原因、金额和资金用途。"
    if initial == 0:
        yield hit(
            cells,
            f"年初预算数为 0，全年预算数 {fmt_amount(adjusted)}，预算全部在年中{direction}，调整率无法计算",
            expected=f"说明预算调整情况（调整幅度提示线 {fmt_rate(threshold)}）",
            found=f"{direction} {fmt_amount(abs(diff))}（年初预算数为 0）",
            advice=advice,
        )
        return
    rate = diff / initial
    if abs(rate) <= threshold:
        return
    yield hit(
        cells,
        f"全年预算数 {fmt_amount(adjusted)} 较年初预算数 {fmt_amount(initial)} {direction} "
        f"{fmt_amount(abs(diff))}，调整幅度 {fmt_rate(abs(rate))}，超过 {fmt_rate(threshold)}",
        expected=f"调整幅度不超过 {fmt_rate(threshold)}，或在报告中说明调整原因",
        found=f"{fmt_signed_rate(rate)}（({num2(adjusted)} − {num2(initial)}) ÷ {num2(initial)}）",
        advice=advice,
    )


# --- RATE-013 政府采购执行率无法计算 ------------------------------------------------------------------------
@rule(
    "RATE-013",
    "政府采购执行率无法计算",
    Severity.INFO,
    reads=("bd_procurement_current_actual", "bd_procurement_current_budget"),
    description=(
        "政府采购执行率 = 实际采购 ÷ 采购预算；已填实际采购金额而采购预算（本年预算数）未填或为 0 时，"
        "执行率无法计算（不按 0% 处理）。"
    ),
    forms=UNIT,
)
def procurement_rate_unavailable(m: Model) -> Iterator[Hit]:
    (actual,) = m.need("bd_procurement_current_actual")
    budget_q = m.q["bd_procurement_current_budget"]
    if actual <= 0:
        return  # 没有采购，也就无所谓执行率
    if budget_q.status in (Status.BLANK, Status.NONE):
        why, found = (
            "采购预算（本年预算数）未填",
            "（空）" if budget_q.status is Status.BLANK else str(budget_q.raw),
        )
    elif budget_q.ok and budget_q.value == 0:
        why, found = "采购预算（本年预算数）为 0", fmt_amount(ZERO)
    else:
        return  # 可计算，或预算无法识别（由数据格式规则报告）
    yield hit(
        (m.ref("bd_procurement_current_budget"), m.ref("bd_procurement_current_actual")),
        f"政府采购本年决算数已填 {fmt_amount(actual)}，但{why}，政府采购执行率无法计算"
        "（不能按 0% 或 100% 处理）",
        expected="填写政府采购预算数（本年预算数）",
        found=f"采购预算：{found}",
        advice="请补填政府采购预算；确未编制采购预算的，请在审核说明中写明原因（如年中追加的采购）。",
    )


# --- RATE-015 楼堂馆所 over scale / over estimate ----------------------------------------------------------
@rule(
    "RATE-015",
    "楼堂馆所超规模或超概算",
    Severity.WARNING,
    reads=(
        "bd_building_actual_area",
        "bd_building_approved_area",
        "bd_building_actual_investment",
        "bd_building_budgeted_investment",
    ),
    forms=UNIT,
)
def building_over(m: Model) -> Iterator[Hit]:
    """规模控制率（实际规模 ÷ 批复规模）或投资概算控制率（实际投资 ÷ 预算投资）超过 100% 时提示。"""
    area = m.calc("bd_building_area_rate_calc")
    invest = m.calc("bd_building_investment_rate_calc")
    if area is None and invest is None:
        raise NotApplicable("楼堂馆所规模或投资未填（或填“无”）")
    if area is not None and area - ONE > m.profile.rate_tolerance:
        actual, approved = m.num("bd_building_actual_area"), m.num("bd_building_approved_area")
        yield hit(
            (m.ref("bd_building_actual_area"), m.ref("bd_building_approved_area")),
            f"楼堂馆所实际规模 {fmt_num(actual, ' m²')} 超过批复规模 {fmt_num(approved, ' m²')}，"
            f"规模控制率 {fmt_rate(area)}",
            expected=f"规模控制率 ≤ 100.00%（实际规模不超过 {fmt_num(approved, ' m²')}）",
            found=f"{fmt_rate(area)}（{fmt_num(actual)} ÷ {fmt_num(approved)}）",
            advice="请核对批复规模和实际规模；确属超规模建设的，请说明原因及审批情况。",
        )
    if invest is not None:
        actual_i, budget_i = m.num("bd_building_actual_investment"), m.num("bd_building_budgeted_investment")
        assert actual_i is not None and budget_i is not None  # invest is a Decimal only when both are
        if exceeds(actual_i, budget_i, m):
            yield hit(
                (m.ref("bd_building_actual_investment"), m.ref("bd_building_budgeted_investment")),
                f"楼堂馆所实际投资 {fmt_amount(actual_i)} 超过预算投资 {fmt_amount(budget_i)}，"
                f"投资概算控制率 {fmt_rate(invest)}",
                expected=f"投资概算控制率 ≤ 100.00%（实际投资不超过 {fmt_amount(budget_i)}）",
                found=f"{fmt_rate(invest)}（{num2(actual_i)} ÷ {num2(budget_i)}）",
                advice="请核对预算投资和实际投资；确属超概算的，请说明原因及概算调整审批情况。",
            )
