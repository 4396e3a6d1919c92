"""Rules: weights (分值权重) and the indicator framework (一级/二级指标 names, classification).

The profile fixes the 分值 of each level (默认：执行率 10、产出 50、效益 30、满意度 10，合计 100). Sums are
taken over rows whose 分值 could be read; a level with an unreadable 分值 is left to the parsing and
completeness rules rather than reported with a sum that is known to be incomplete.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.compute import weight_total
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model, NotApplicable, Project
from perfeval.core.profile import LEVEL_KEYS
from perfeval.core.rules.common import PROJECTS, ZERO, q_value, score_matches
from perfeval.core.rules.registry import PROJECT, UNIT, Hit, fmt_num, hit, rule
from perfeval.core.snapshot import CellRef

IND = cat.INDICATORS.name
PIND = cat.PROJECT_INDICATORS.name
_COST_LEVEL2 = ("成本指标", "经济效益指标")
_MONEY_UNITS = ("元", "万元", "千元", "亿元")
_SATISFACTION = "满意度指标"
_NO_LEVEL1 = "未填一级指标"


def _points(v: Decimal) -> str:
    return f"{fmt_num(v)} 分"


def _weight_cell(m: Model, ind: Indicator) -> CellRef:
    return m.tref(ind.table, ind.index, "weight")


def _who(ind: Indicator) -> str:
    name = f"指标“{ind.level3}”" if ind.level3 else "该指标"
    return f"项目“{ind.project}”的{name}" if ind.project else name


def _weight(ind: Indicator) -> Decimal:
    assert ind.weight.value is not None
    return ind.weight.value


def _need_indicators(m: Model) -> list[Indicator]:
    if not m.indicators:
        raise NotApplicable("附件2 未填绩效指标")
    return m.indicators


# --- the weight totals (compute decides whether they are off; WT-009 and the 自评预警 read the same) ------
def unit_weight_total(m: Model) -> Decimal | None:
    """执行率分值 + 全部绩效指标分值 of the 部门整体 form; None when any of them cannot be read."""
    exec_weight = m.q.get("ua_execution_weight")
    return None if exec_weight is None else weight_total(exec_weight, m.indicators)


def project_weight_total(p: Project) -> Decimal | None:
    """执行率分值 + 该项目全部绩效指标分值; None when any of them cannot be read."""
    return weight_total(p.execution_weight, p.indicators)


# --- WT-001 执行率分值 ---------------------------------------------------------------------------------
@rule("WT-001", "预算执行率分值与评分口径不符", Severity.ERROR, reads=("ua_execution_weight",), forms=UNIT)
def execution_weight(m: Model) -> Iterator[Hit]:
    """附件2 预算执行率的分值应等于评分口径规定的分值（默认 10 分）。"""
    (weight,) = m.need("ua_execution_weight")
    expected = m.profile.weights["execution"]
    if score_matches(weight, expected, m):
        return
    yield hit(
        m.ref("ua_execution_weight"),
        f"预算执行率分值填报为 {_points(weight)}，评分口径（{m.profile.name}）规定为 {_points(expected)}",
        expected=_points(expected),
        found=_points(weight),
        advice="请按评分口径填写预算执行率分值；本地口径不同的，请选用相应的评分口径文件。",
    )


# --- WT-002/003/004 level sums ---------------------------------------------------------------------------
def _level_sum(m: Model, level: str) -> Iterator[Hit]:
    rows = [i for i in _need_indicators(m) if i.level1 == level]
    if not rows or not all(i.weight.ok for i in rows):
        return  # 整级缺失见 WT-005；分值未填或无法识别由完整性、数据格式规则报告
    total = sum((_weight(i) for i in rows), ZERO)
    expected = m.profile.weights[LEVEL_KEYS[level]]
    if score_matches(total, expected, m):
        return
    terms = " + ".join(fmt_num(_weight(i)) for i in rows)
    yield hit(
        [_weight_cell(m, i) for i in rows],
        f"{level}各三级指标分值合计 {_points(total)}（{terms}），评分口径规定{level}为 {_points(expected)}",
        expected=_points(expected),
        found=f"{_points(total)}（{terms}）",
        advice=f"请调整{level}下各三级指标的分值，使合计为 {_points(expected)}。",
    )


@rule("WT-002", "产出指标分值合计不符", Severity.ERROR, reads=(IND,), forms=UNIT)
def output_weights(m: Model) -> Iterator[Hit]:
    """产出指标各三级指标分值之和应等于评分口径规定的产出指标分值（默认 50 分）。"""
    yield from _level_sum(m, "产出指标")


@rule("WT-003", "效益指标分值合计不符", Severity.ERROR, reads=(IND,), forms=UNIT)
def benefit_weights(m: Model) -> Iterator[Hit]:
    """效益指标各三级指标分值之和应等于评分口径规定的效益指标分值（默认 30 分）。"""
    yield from _level_sum(m, "效益指标")


@rule("WT-004", "满意度指标分值合计不符", Severity.ERROR, reads=(IND,), forms=UNIT)
def satisfaction_weights(m: Model) -> Iterator[Hit]:
    """满意度指标各三级指标分值之和应等于评分口径规定的满意度指标分值（默认 10 分）。"""
    yield from _level_sum(m, _SATISFACTION)


# --- WT-005 total 100 -------------------------------------------------------------------------------------
@rule("WT-005", "分值合计不等于100", Severity.ERROR, reads=("ua_execution_weight", IND), forms=UNIT)
def total_weight(m: Model) -> Iterator[Hit]:
    """预算执行率分值 + 全部绩效指标分值之和应为 100 分。"""
    (exec_weight,) = m.need("ua_execution_weight")
    indicators = _need_indicators(m)
    if not all(i.weight.ok for i in indicators):
        return  # 部分分值无法识别，合计不可靠
    expected = sum(m.profile.weights.values(), ZERO)
    sums: dict[str, Decimal] = {level: ZERO for level in cat.LEVEL1}
    for i in indicators:
        level = i.level1 or _NO_LEVEL1
        sums[level] = sums.get(level, ZERO) + _weight(i)
    total = exec_weight + sum(sums.values(), ZERO)
    if score_matches(total, expected, m):
        return
    terms = " + ".join(
        [f"预算执行率 {_points(exec_weight)}"] + [f"{level} {_points(v)}" for level, v in sums.items()]
    )
    # The levels that differ from the profile come first: that is where the user should look.
    off_levels = {
        level
        for level, v in sums.items()
        if level not in LEVEL_KEYS or not score_matches(v, m.profile.weights[LEVEL_KEYS[level]], m)
    }
    off = [i for i in indicators if (i.level1 or _NO_LEVEL1) in off_levels]
    exec_cell = [m.ref("ua_execution_weight")]
    exec_off = not score_matches(exec_weight, m.profile.weights["execution"], m)
    cells = (exec_cell if exec_off else []) + [_weight_cell(m, i) for i in off] + exec_cell
    cells += [_weight_cell(m, i) for i in indicators]
    yield hit(
        cells,
        f"分值合计为 {_points(total)}（{terms}），应为 {_points(expected)}",
        expected=_points(expected),
        found=_points(total),
        advice="请按评分口径调整各级指标分值，使预算执行率与全部绩效指标的分值合计为 100 分。",
    )


# --- WT-006/007 names of levels ---------------------------------------------------------------------------
@rule("WT-006", "一级指标名称不规范", Severity.ERROR, reads=(IND, PIND))
def level1_names(m: Model) -> Iterator[Hit]:
    """一级指标只能是 产出指标、效益指标、满意度指标。"""
    for ind in m.all_indicators():
        if not ind.level1 or ind.level1 in cat.LEVEL1:
            continue
        yield hit(
            m.tref(ind.table, ind.index, "level1"),
            f"{_who(ind)}的一级指标“{ind.raw_level1}”不是规范名称",
            expected="、".join(cat.LEVEL1),
            found=ind.raw_level1,
            advice="请从下拉列表中选择一级指标。",
        )


@rule("WT-007", "二级指标与一级指标不匹配", Severity.ERROR, reads=(IND, PIND))
def level2_names(m: Model) -> Iterator[Hit]:
    """二级指标须属于所填一级指标：产出（数量、质量、时效、成本）、效益（经济、社会、生态、可持续影响）、满意度（服务对象满意度）。"""
    for ind in m.all_indicators():
        if ind.level1 not in cat.LEVEL2 or not ind.level2 or ind.level2 in cat.LEVEL2[ind.level1]:
            continue
        allowed = "、".join(cat.LEVEL2[ind.level1])
        owner = next((l1 for l1, l2s in cat.LEVEL2.items() if ind.level2 in l2s), None)
        why = f"“{ind.level2}”属于{owner}" if owner else f"“{ind.raw_level2}”不是规范的二级指标名称"
        yield hit(
            (m.tref(ind.table, ind.index, "level2"), m.tref(ind.table, ind.index, "level1")),
            f"{_who(ind)}列在{ind.level1}下，但二级指标{why}",
            expected=f"{ind.level1}下的二级指标：{allowed}",
            found=ind.raw_level2,
            advice=f"请改正二级指标，或把该指标移到{owner}下。" if owner else "请从下拉列表中选择二级指标。",
        )


# --- WT-008 classification ----------------------------------------------------------------------------
# The word lists are the profile's [classification]: "资金拨付及时率", "资金使用合规性", "项目审批" are about
# money but measure time, compliance or procedure (时效/质量 indicators), not cost.
def _is_cost(m: Model, ind: Indicator) -> bool:
    words = m.profile.classification
    if ind.target.ok and ind.target.unit in _MONEY_UNITS:
        return True
    if not any(w in ind.level3 for w in words.cost_words):
        return False
    return not (any(w in ind.level3 for w in words.not_cost_words) or ind.target.unit == "%")


def _misfiled_level2(m: Model, ind: Indicator) -> str:
    """Why the 三级指标 does not belong under its 二级指标 by the profile's words, else ""."""
    words = m.profile.classification
    belongs = words.belongs.get(ind.level2, ())
    if any(w in ind.level3 for w in belongs):
        return ""
    foreign = next((w for w in words.excludes.get(ind.level2, ()) if w in ind.level3), "")
    if foreign:
        return f"名称含“{foreign}”，不属于{ind.level2.removesuffix('指标')}"
    if ind.level2 in words.strict and belongs:
        return f"名称中没有与{ind.level2.removesuffix('效益指标')}有关的内容（如{'、'.join(belongs[:4])}）"
    return ""


@rule(
    "WT-008",
    "指标归类可疑",
    Severity.WARNING,
    reads=(IND, PIND),
    description=(
        "三级指标内容与所属二级指标不符：成本、费用、经费、资金、支出、单价、造价类指标应列在成本指标"
        "（或经济效益指标）下（名称含率、及时、合规、规范、审批等的不算成本指标）；满意度、满意率类指标应列在"
        "满意度指标下；生态效益指标应与生态环境有关（如“机关效能建设”不是生态效益）；安全、事故类指标不是经济"
        "效益。用词见评分口径 [classification]。"
    ),
)
def misfiled_indicators(m: Model) -> Iterator[Hit]:
    words = m.profile.classification
    for ind in m.all_indicators():
        if ind.level1 not in cat.LEVEL2 or ind.level2 not in cat.LEVEL2[ind.level1]:
            continue  # 一级、二级指标本身不规范，由 WT-006/WT-007 报告
        cells = (
            m.tref(ind.table, ind.index, "level2"),
            m.tref(ind.table, ind.index, "level3"),
            m.tref(ind.table, ind.index, "level1"),
        )
        if any(w in ind.level3 for w in words.satisfaction_words) and ind.level1 != _SATISFACTION:
            yield hit(
                cells,
                f"{_who(ind)}是满意度类指标，却列在{ind.level1}—{ind.level2}下",
                expected="满意度指标—服务对象满意度指标",
                found=f"{ind.level1}—{ind.level2}",
                advice="请将满意度类指标移到“满意度指标—服务对象满意度指标”下，并相应调整各级分值。",
            )
        elif _is_cost(m, ind) and ind.level2 not in _COST_LEVEL2:
            yield hit(
                cells,
                f"{_who(ind)}是成本（资金）类指标，却列在{ind.level1}—{ind.level2}下",
                expected="产出指标—成本指标（或效益指标—经济效益指标）",
                found=f"{ind.level1}—{ind.level2}",
                advice="请将成本类指标移到“产出指标—成本指标”下；确属其他类别的，请在审核说明中解释。",
            )
        elif why := _misfiled_level2(m, ind):
            others = "、".join(l2 for l2 in cat.LEVEL2[ind.level1] if l2 != ind.level2)
            yield hit(
                cells,
                f"{_who(ind)}列在{ind.level1}—{ind.level2}下，但{why}",
                expected=f"与{ind.level2}相符的指标，或改列{others}",
                found=f"{ind.level1}—{ind.level2}",
                advice="请按指标内容改列到相应的二级指标下；确属该类的，请在审核说明中说明。",
            )


# --- WT-009 project totals -------------------------------------------------------------------------------
@rule("WT-009", "项目指标分值合计不符", Severity.WARNING, reads=(PROJECTS, PIND), forms=PROJECT)
def project_weights(m: Model) -> Iterator[Hit]:
    """每个项目：执行率分值 + 该项目全部绩效指标分值之和应为 100 分。"""
    if not m.projects:
        raise NotApplicable("未填报项目支出自评表")
    expected = sum(m.profile.weights_of(Form.PROJECT).values(), ZERO)
    for p in m.projects:
        total = project_weight_total(p)
        if total is None or score_matches(total, expected, m):
            continue
        exec_weight = q_value(p.execution_weight)
        assert exec_weight is not None
        terms = " + ".join(fmt_num(_weight(i)) for i in p.indicators)
        yield hit(
            [m.tref(PROJECTS, p.index, "execution_weight")] + [_weight_cell(m, i) for i in p.indicators],
            f"项目“{p.name}”执行率分值 {_points(exec_weight)} 与绩效指标分值（{terms}）"
            f"合计 {_points(total)}，应为 {_points(expected)}",
            expected=_points(expected),
            found=_points(total),
            advice="请调整该项目执行率和各绩效指标的分值，使合计为 100 分。",
        )


# --- WT-010 single weights -------------------------------------------------------------------------------
@rule("WT-010", "单项分值异常", Severity.WARNING, reads=(IND, PIND))
def single_weights(m: Model) -> Iterator[Hit]:
    """单个三级指标的分值应大于 0，且不超过其一级指标在评分口径中的分值。"""
    for ind in m.all_indicators():
        weight = q_value(ind.weight)
        if weight is None:
            continue
        cell = _weight_cell(m, ind)
        if weight <= 0:
            yield hit(
                cell,
                f"{_who(ind)}的分值为 {_points(weight)}，分值应大于 0",
                expected="大于 0 的分值",
                found=_points(weight),
                advice="请填写该指标的分值；不参与评分的指标请删除。",
            )
            continue
        key = LEVEL_KEYS.get(ind.level1)
        if key is None:
            continue
        # A project's indicators are capped by the project weights, the 部门整体 ones by the unit's.
        form = Form.UNIT if ind.table == cat.INDICATORS.name else Form.PROJECT
        cap = m.profile.weights_of(form)[key]
        if weight - cap > m.profile.score_tolerance:
            yield hit(
                cell,
                f"{_who(ind)}的分值 {_points(weight)} 超过{ind.level1}的总分值 {_points(cap)}",
                expected=f"不超过 {_points(cap)}",
                found=_points(weight),
                advice=f"请核对分值；{ind.level1}下全部三级指标的分值合计为 {_points(cap)}。",
            )
