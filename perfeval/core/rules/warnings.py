"""Rules: what reviewers of real reports catch in the indicator table, and the budget system's own 自评预警.

- WT-013 the same 三级指标 twice in one table; WT-014 the execution rate entered again as an indicator.
- PL-020 an indicator about money (预算完成率, 资金到位率, 成本控制率, 项目总成本) whose 完成值 contradicts the
  form's own 全年预算数 / 全年执行数.
- PL-021/PL-022 (部门整体) and PL-023/PL-024 (each project): the 自评预警 of the budget system, red when the
  indicator scores run ahead of spending by more than 5 %, yellow when the budget is 0 or more than 20 % of it
  is unspent. The system divides by 90 and 10; here the profile's weights are used.

Each says nothing when unsure: a name it cannot place, a figure it cannot read, a form whose weights do not
add up (WT-005/WT-009 report that first).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.compute import weights_off
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model, NotApplicable
from perfeval.core.parse import normalize_text
from perfeval.core.rules.common import PROJECTS, ZERO, join_labels, q_value, qty_text, table_label
from perfeval.core.rules.registry import (
    PROJECT,
    UNIT,
    Hit,
    fmt_amount,
    fmt_num,
    fmt_rate,
    hit,
    per_run,
    rule,
)
from perfeval.core.rules.weights import project_weight_total, unit_weight_total
from perfeval.core.snapshot import CellRef

IND = cat.INDICATORS.name
PIND = cat.PROJECT_INDICATORS.name
_RED = Decimal("0.05")  # 自评预警 red: indicator scores more than 5 % ahead of the execution score
_YELLOW = Decimal("0.20")  # 自评预警 yellow: more than 20 % of the budget unspent
_POINT = Decimal("0.01")  # one percentage point: a typed rate this close to the form's is the same rate
_MONEY_UNITS = ("元", "万元", "千元", "亿元")


@dataclass(frozen=True)
class _Form:
    """One form's figures: the 部门整体 form or one project."""

    who: str  # "" for the 部门整体 form, '项目“X”' for a project
    form: Form
    initial: Decimal | None
    budget: Decimal | None
    spent: Decimal | None
    exec_weight: Decimal | None
    exec_score: Decimal | None  # typed
    indicators: list[Indicator]
    budget_cell: CellRef
    spent_cell: CellRef
    exec_weight_cell: CellRef
    exec_score_cell: CellRef
    weights_off: bool

    @property
    def rate(self) -> Decimal | None:
        if self.budget is None or self.spent is None or self.budget <= 0:
            return None
        return self.spent / self.budget

    @property
    def title(self) -> str:
        return self.who or "部门整体"


@per_run  # WT-013, PL-020 and the 自评预警 rules read the same forms; shared, not to be changed
def _forms(m: Model) -> list[_Form]:
    out = []
    if m.checks(Form.UNIT):
        out.append(
            _Form(
                "",
                Form.UNIT,
                m.num("ua_initial_budget"),
                m.num("ua_adjusted_budget"),
                m.num("ua_spent"),
                m.num("ua_execution_weight"),
                m.num("ua_execution_score"),
                m.indicators,
                m.ref("ua_adjusted_budget"),
                m.ref("ua_spent"),
                m.ref("ua_execution_weight"),
                m.ref("ua_execution_score"),
                weights_off(m, Form.UNIT, unit_weight_total(m)),
            )
        )
    if m.checks(Form.PROJECT):
        for p in m.projects:
            out.append(
                _Form(
                    f"项目“{p.name}”" if p.name else f"第{p.index + 1}行项目",
                    Form.PROJECT,
                    q_value(p.initial_budget),
                    q_value(p.adjusted_budget),
                    q_value(p.spent),
                    q_value(p.execution_weight),
                    q_value(p.execution_score),
                    p.indicators,
                    m.tref(PROJECTS, p.index, "adjusted_budget"),
                    m.tref(PROJECTS, p.index, "spent"),
                    m.tref(PROJECTS, p.index, "execution_weight"),
                    m.tref(PROJECTS, p.index, "execution_score"),
                    weights_off(m, Form.PROJECT, project_weight_total(p)),
                )
            )
    return out


@functools.lru_cache(maxsize=4096)  # pure; several rules key the same 三级指标
def _key(text: str) -> str:
    """A 三级指标 reduced for comparison: no spaces, punctuation or numbering; full-width folded."""
    return "".join(ch for ch in normalize_text(text) if unicodedata.category(ch)[0] not in "PSZ")


def _where(f: _Form) -> str:
    return f"{f.who}的绩效指标" if f.who else "附件2 绩效指标"


# --- WT-013 the same indicator twice ---------------------------------------------------------------------
@rule("WT-013", "同一三级指标重复填列", Severity.WARNING, reads=(IND, PIND))
def duplicate_indicators(m: Model) -> Iterator[Hit]:
    """同一张绩效指标表（部门整体或同一项目）中，同一三级指标（去掉空格和标点后名称相同）填列两次以上：
    重复计分，或本应是两个不同的指标。"""
    for f in _forms(m):
        seen: dict[str, list[Indicator]] = {}
        for ind in f.indicators:
            key = _key(ind.level3)
            if len(key) >= 2:
                seen.setdefault(key, []).append(ind)
        for rows in seen.values():
            if len(rows) < 2:
                continue
            lines = "、".join(f"第{i.index + 1}行" for i in rows)
            yield hit(
                [m.tref(i.table, i.index, "level3") for i in rows],
                f"{_where(f)}中“{rows[0].level3}”填列了 {len(rows)} 次（{lines}），同一指标重复计分",
                expected="每个三级指标只填列一次",
                found=f"{len(rows)} 行“{rows[0].level3}”",
                advice="请删除重复的指标并把分值并入其他指标；确是不同内容的，请改用能区分的指标名称。",
            )


# --- WT-014 execution rate as an indicator ---------------------------------------------------------------
# The whole form's spending rate: 预算执行率, 资金执行率, 部门预算执行率, 项目资金执行率 (a project's own), 预算
# 完成率. "项目支出执行率" on the 部门整体 form is a part of the budget, not the rate scored above it.
_EXEC_RATE = re.compile(
    r"^(?:(?:本|该)?(?:部门|单位|项目))?(?:整体|年度|全年)*(?:预算|资金)(?:支出)?(?:执行|完成)率$"
)


def _is_execution_rate(ind: Indicator, form: Form) -> bool:
    key = _key(ind.level3)
    if not _EXEC_RATE.match(key):
        return False
    return form is Form.PROJECT or "项目" not in key


@rule("WT-014", "预算执行率重复设为绩效指标", Severity.WARNING, reads=(IND, PIND))
def execution_rate_as_indicator(m: Model) -> Iterator[Hit]:
    """预算执行率已单独计分（附件2 或项目表的“执行率”一行有分值）时，绩效指标中又设“预算执行率”“资金执行率”
    “预算完成率”等同一比率的指标：同一项内容重复计分，且常以较宽松的指标值（如 ≥90%）得满分。"""
    for f in _forms(m):
        if not f.exec_weight:
            continue  # 执行率一行没有分值：该指标不重复
        for ind in f.indicators:
            if not _is_execution_rate(ind, f.form):
                continue
            looser = ""
            if (
                ind.target.ok
                and ind.target.unit == "%"
                and ind.target.value is not None
                and ind.target.value < 100
            ):
                looser = f"，且指标值 {qty_text(ind.target)} 低于 100%，比执行率一行的评分更宽松"
            yield hit(
                (
                    m.tref(ind.table, ind.index, "level3"),
                    m.tref(ind.table, ind.index, "weight"),
                    f.exec_weight_cell,
                ),
                f"{_where(f)}第{ind.index + 1}行“{ind.level3}”与{f.title}的预算执行率是同一比率，"
                f"执行率一行已按 {fmt_num(f.exec_weight)} 分单独计分{looser}",
                expected="预算执行率只在执行率一行计分",
                found=f"绩效指标“{ind.level3}” 分值 {qty_text(ind.weight)}",
                advice="请删除该指标，把分值调给反映产出和效益的指标；确需保留的，请在审核说明中说明。",
            )


# --- PL-020 money indicators against the form's figures -------------------------------------------------
_COST_CONTROL = re.compile(r"成本控制率$")
_FUNDS_ARRIVED = re.compile(r"资金到位率$")
_TOTAL_COST = re.compile(r"^(?:项目)?总成本$|^项目成本$")


def _rate_of(ind: Indicator) -> Decimal | None:
    """The 完成值 as a fraction when it is a plain percentage ("86%", "100%")."""
    a = ind.actual
    if not a.ok or a.unit != "%" or a.value is None or a.comparator not in ("", "="):
        return None
    return a.value / 100


def _money_contradiction(m: Model, f: _Form, ind: Indicator) -> tuple[str, str, str] | None:
    """(message, expected, found) when the indicator's 完成值 contradicts the form's figures, else None."""
    key = _key(ind.level3)
    rate = f.rate
    if rate is None:
        return None
    actual = _rate_of(ind)
    shown = qty_text(ind.actual)
    rate_text = f"{fmt_rate(rate)}（全年执行数 {fmt_amount(f.spent)} ÷ 全年预算数 {fmt_amount(f.budget)}）"
    if _is_execution_rate(ind, f.form) and actual is not None:
        bases = [rate]
        if f.initial and f.initial > 0 and f.spent is not None:
            bases.append(f.spent / f.initial)  # some units compute it on 年初预算: not a contradiction
        if all(abs(actual - b) > _POINT for b in bases):
            return (
                f"“{ind.level3}”实际完成值 {shown}，而{f.title}的执行率为 {rate_text}",
                f"与表中执行率一致：{fmt_rate(rate)}",
                shown,
            )
    elif _FUNDS_ARRIVED.search(key) and actual is not None and rate - actual > _POINT:
        return (
            f"“{ind.level3}”实际完成值 {shown}，低于{f.title}的执行率 {rate_text}：到位的资金少于已支出的资金",
            f"不低于执行率 {fmt_rate(rate)}",
            shown,
        )
    elif _COST_CONTROL.search(key) and actual is not None and actual <= 1 and rate - 1 > _POINT:
        return (
            f"“{ind.level3}”实际完成值 {shown}（成本控制在预算以内），而{f.title}超预算支出，执行率 {rate_text}",
            f"与表中支出一致：{fmt_rate(rate)}",
            shown,
        )
    elif _TOTAL_COST.search(key) and f.form is Form.PROJECT and ind.actual.ok:
        a = ind.actual
        if a.unit not in _MONEY_UNITS or a.value is None or a.comparator not in ("", "="):
            return None
        cost = a.value / 10000 if a.unit == "元" else a.value * 10000 if a.unit == "亿元" else a.value
        if a.unit == "千元":
            cost = a.value / 10
        assert f.spent is not None
        if (
            f.spent > 0
            and abs(cost - f.spent) / f.spent > Decimal("0.05")
            and not (f.budget is not None and abs(cost - f.budget) <= m.profile.amount_tolerance)
        ):
            return (
                f"“{ind.level3}”实际完成值 {shown}，而{f.title}全年执行数为 {fmt_amount(f.spent)}",
                f"与全年执行数一致：{fmt_amount(f.spent)}",
                shown,
            )
    return None


@rule("PL-020", "资金类指标完成值与表中金额矛盾", Severity.WARNING, reads=(IND, PIND, PROJECTS))
def money_indicator_contradicts(m: Model) -> Iterator[Hit]:
    """关于资金的绩效指标，其实际完成值应与同一张表的金额相符：预算执行率（预算完成率、资金执行率）应等于
    全年执行数 ÷ 全年预算数（或 ÷ 年初预算数）；资金到位率不应低于执行率；执行率超过 100% 时成本控制率不应
    ≤100%；项目总成本应与全年执行数相差不超过 5%（或等于全年预算数）。只在比较明确时报告。"""
    checked = False
    for f in _forms(m):
        if f.rate is None:
            continue
        checked = True
        for ind in f.indicators:
            found = _money_contradiction(m, f, ind)
            if found is None:
                continue
            message, expected, shown = found
            yield hit(
                (m.tref(ind.table, ind.index, "actual"), f.spent_cell, f.budget_cell),
                f"{_where(f)}第{ind.index + 1}行{message}",
                expected=expected,
                found=shown,
                advice="请按表中的全年预算数、全年执行数核实该指标的完成值，并相应调整自评得分。",
            )
    if not checked:
        raise NotApplicable("全年预算数或全年执行数未填")


# --- PL-021 / PL-022 自评预警 ------------------------------------------------------------------------------
def _typed_sum(f: _Form, column: str) -> Decimal | None:
    """The typed indicator scores (or weights) added up; None when one cannot be read."""
    quantities = [getattr(i, column) for i in f.indicators]
    if not quantities or not all(q.ok for q in quantities):
        return None
    return sum((q.value or ZERO for q in quantities), ZERO)


def _missing(m: Model, forms: list[_Form], keys: tuple[str, ...]) -> str:
    """Why no form could be computed: the project cells left blank, by label."""
    labels = [table_label(m, PROJECTS, p.index, k) for p in m.projects for k in keys if not p.quantity(k).ok]
    return "缺少或无法识别：" + join_labels(labels) if labels else ""


def _red(m: Model, forms: list[_Form]) -> Iterator[Hit]:
    checked = False
    if forms and all(f.weights_off for f in forms):
        raise NotApplicable("分值合计不是 100 分（见 WT-005、WT-009），不按分值比例计算")
    tol = m.profile.score_tolerance
    for f in forms:
        weights = m.profile.weights_of(f.form)
        exec_weight = weights["execution"]
        ind_weight = sum(weights.values(), ZERO) - exec_weight
        score = _typed_sum(f, "score")
        if f.weights_off or score is None or f.exec_score is None or exec_weight <= 0 or ind_weight <= 0:
            continue
        typed_weight = _typed_sum(f, "weight")
        if any(
            t is None or abs(t - w) > tol
            for t, w in ((f.exec_weight, exec_weight), (typed_weight, ind_weight))
        ):
            continue  # weights other than the profile's: WT-009..012 say so, and the shares would mislead
        checked = True
        if score <= 0:
            continue
        ind_share, exec_share = score / ind_weight, f.exec_score / exec_weight
        gap = (ind_share - exec_share) / ind_share
        if gap <= _RED:
            continue
        yield hit(
            (f.exec_score_cell, *(m.tref(i.table, i.index, "score") for i in f.indicators)),
            f"{f.title}绩效指标得分 {fmt_num(score)} 分（占 {fmt_num(ind_weight)} 分的 {fmt_rate(ind_share)}），"
            f"执行率得分 {fmt_num(f.exec_score)} 分（占 {fmt_num(exec_weight)} 分的 {fmt_rate(exec_share)}）："
            f"(指标得分率 − 执行率得分率) ÷ 指标得分率 = {fmt_rate(gap)}，超过 5%，预算管理系统将给出红色预警",
            expected="指标得分率与执行率得分率相差不超过 5%",
            found=fmt_rate(gap),
            advice="资金执行不足而绩效指标得高分，请核实各指标的完成值和得分；确实如此的，请在报告中说明原因。",
        )
    if not checked:
        why = _missing(m, forms, ("execution_score",)) if forms and forms[0].form is Form.PROJECT else ""
        raise NotApplicable(why or "执行率得分或绩效指标得分未填")


def _yellow(m: Model, forms: list[_Form]) -> Iterator[Hit]:
    checked = False
    for f in forms:
        if f.budget is None or f.spent is None:
            continue
        checked = True
        cells = (f.budget_cell, f.spent_cell)
        if f.budget == 0:
            if f.spent > 0:
                continue  # PL-007
            yield hit(
                cells,
                f"{f.title}全年预算数为 0，预算管理系统将给出黄色预警",
                expected="全年预算数大于 0",
                found=fmt_amount(f.budget),
                advice="请核实全年预算数；确无预算的，请在报告中说明。",
            )
            continue
        unspent = (f.budget - f.spent) / f.budget
        if unspent <= _YELLOW:
            continue
        yield hit(
            cells,
            f"{f.title}全年预算数 {fmt_amount(f.budget)}，全年执行数 {fmt_amount(f.spent)}，"
            f"未执行 {fmt_amount(f.budget - f.spent)}（{fmt_rate(unspent)}），超过 20%，预算管理系统将给出黄色预警",
            expected="未执行的预算不超过全年预算数的 20%（执行率不低于 80%）",
            found=f"未执行 {fmt_rate(unspent)}",
            advice="请在偏差原因和报告中说明资金未执行的原因及结转安排。",
        )
    if not checked:
        why = (
            _missing(m, forms, ("adjusted_budget", "spent"))
            if forms and forms[0].form is Form.PROJECT
            else ""
        )
        raise NotApplicable(why or "全年预算数或全年执行数未填")


def _of(m: Model, form: Form) -> list[_Form]:
    return [f for f in _forms(m) if f.form is form]


_RED_DOC = (
    "预算管理系统的自评预警（红色）：(绩效指标得分 ÷ 指标分值 − 执行率得分 ÷ 执行率分值) ÷ (绩效指标得分 ÷ "
    "指标分值) > 5%，即指标得分明显高于资金执行（系统按 90 分、10 分计，此处按评分口径的分值；按填报得分计算）。"
    "分值合计不是 100 分时不计算（见 WT-005、WT-009）。"
)
_YELLOW_DOC = (
    "预算管理系统的自评预警（黄色）：全年预算数为 0，或未执行的预算超过全年预算数的 20%（执行率低于 80%）。"
    "预算为 0 却有支出时由 PL-007 报告，不另报。"
)
_UNIT_READS = ("ua_execution_score", "ua_execution_weight", IND)


@rule("PL-021", "自评预警（红色）：部门整体指标得分高于预算执行", Severity.WARNING, reads=_UNIT_READS,
      description="部门整体：" + _RED_DOC, forms=UNIT)  # fmt: skip
def red_warning_unit(m: Model) -> Iterator[Hit]:
    yield from _red(m, _of(m, Form.UNIT))


@rule("PL-022", "自评预警（黄色）：部门整体预算为 0 或结余超过 20%", Severity.INFO,
      reads=("ua_adjusted_budget", "ua_spent"), description="部门整体：" + _YELLOW_DOC, forms=UNIT)  # fmt: skip
def yellow_warning_unit(m: Model) -> Iterator[Hit]:
    yield from _yellow(m, _of(m, Form.UNIT))


@rule("PL-023", "自评预警（红色）：项目指标得分高于预算执行", Severity.WARNING, reads=(PROJECTS, PIND),
      description="每个项目：" + _RED_DOC, forms=PROJECT)  # fmt: skip
def red_warning_projects(m: Model) -> Iterator[Hit]:
    if not m.projects:
        raise NotApplicable("未填报项目支出自评表")
    yield from _red(m, _of(m, Form.PROJECT))


@rule("PL-024", "自评预警（黄色）：项目预算为 0 或结余超过 20%", Severity.INFO, reads=(PROJECTS,),
      description="每个项目：" + _YELLOW_DOC, forms=PROJECT)  # fmt: skip
def yellow_warning_projects(m: Model) -> Iterator[Hit]:
    if not m.projects:
        raise NotApplicable("未填报项目支出自评表")
    yield from _yellow(m, _of(m, Form.PROJECT))
