"""Amounts typed in the other unit (core/units.py, PL-003): found, reported once, and held back.

A 元 figure in a 万元 form (or a 万元 figure in the 重庆 元 form) gives one PL-003 finding on its cell and
nothing computed from it: no 执行率, sum or score finding, and the 复核 cells say why they are empty.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.compute import Unavailable
from perfeval.core.findings import Severity
from perfeval.core.parse import Status
from perfeval.core.pipeline import CheckResult
from perfeval.core.profile import find_shipped
from perfeval.core.snapshot import CellRef
from perfeval.core.units import HELD_REASON
from tests import test_chongqing as cq
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, indicator

CQ = find_shipped("重庆")
ITEMS, PROJ = cat.PROJECT_ITEMS.name, cat.PROJECTS.name

# The builders' clean 万元 workbook (its 附件2 splits one figure a line: 266.32 = 107.64 + 158.68).
WAN: dict[str, object] = {k: v for k, v in CLEAN_VALUES.items() if k in cat.fields()}
WAN.setdefault("ua_general_budget", 266.32)
WAN.setdefault("ua_basic_expenditure", 107.64)
WAN.setdefault("ua_project_expenditure", 158.68)


def run(changes: dict[str, object] | None = None, **tables) -> CheckResult:
    tables.setdefault("indicators", CLEAN_INDICATORS)
    tables.setdefault("items", CLEAN_ITEMS)
    return check({**WAN, **(changes or {})}, **tables)


def run_cq(changes: dict[str, object] | None = None, **tables) -> CheckResult:
    """The clean 重庆 workbook of test_chongqing (in 元), in memory."""
    tables.setdefault("indicators", cq.INDICATOR_ROWS)
    tables.setdefault("items", cq.ITEM_ROWS)
    return check({**cq.VALUES, **(changes or {})}, profile=CQ, **tables)


def ref(name: str) -> CellRef:
    f = cat.field(name)
    return CellRef(f.sheet, f.cell)


def texts(result: CheckResult) -> list[str]:
    return [f"{f.rule_id} {f.text()}" for f in result.findings]


def only_pl003(result: CheckResult):
    """The run's one finding, a PL-003: nothing else is computed from the held-back cell."""
    assert len(result.findings) == 1, texts(result)
    (f,) = result.findings
    assert f.rule_id == "PL-003" and f.severity is Severity.WARNING
    return f


def test_the_clean_workbooks_are_clean() -> None:
    assert texts(run()) == []
    assert texts(run_cq()) == []


# --- 元 typed into a 万元 form -------------------------------------------------------------------------------
def test_total_in_yuan_gives_one_finding_and_nothing_computed_from_it() -> None:
    # 全年执行数 2,663,200 (元) beside 年初 and 全年预算 266.32 (万元): 10,000 times its row
    r = run({"ua_spent": 2663200})
    f = only_pl003(r)
    assert f.cells == (ref("ua_spent"),)
    assert f.message == (
        "附件2!D4 年度资金总额 全年执行数 为 2,663,200.00，同行其余金额约为 266.32，"
        "疑似按“元”填报（本表金额单位为万元）"
    )
    assert f.expected == "以万元填报；若原数为元，应为 266.32 万元"
    assert f.found == "2,663,200.00 万元"
    assert "元 ÷ 10000" in f.advice
    # held back: not a number, but present (no "未填"), and every 复核 value built on it says why
    qty = r.model.q["ua_spent"]
    assert qty.status is Status.UNIT_DOUBT and not qty.ok and qty.present and qty.value is None
    for name in ("ua_execution_rate_calc", "ua_execution_score_calc", "ua_total_score_calc", "ua_grade_calc"):
        assert r.model.computed[name] == Unavailable(HELD_REASON), name


def test_fixing_the_cell_brings_the_dependent_rules_back() -> None:
    # 执行率 typed 90 %: while 全年执行数 is held back there is nothing to check it against
    assert only_pl003(run({"ua_spent": 2663200, "ua_execution_rate": "90%"})).cells == (ref("ua_spent"),)
    fixed = run({"ua_spent": 266.32, "ua_execution_rate": "90%"})
    assert "PL-003" not in {f.rule_id for f in fixed.findings}
    assert "RATE-002" in {f.rule_id for f in fixed.findings}  # 266.32 ÷ 266.32 = 100 %, not 90 %


def test_cost_row_in_yuan() -> None:
    # 三公经费 本年决算 13,000 beside 1.40 and 1.58: no SUM-001 (公务接待 1.30), RATE-009 or RATE-010
    f = only_pl003(run({"bd_tpc_current_actual": 13000}))
    assert f.cells == (ref("bd_tpc_current_actual"),)
    assert "1.30 万元" in f.expected


def test_split_line_in_yuan() -> None:
    # 按支出性质分 项目支出 1,586,800 (元): 107.64 + 158.68 = 266.32 once read as 158.68; no SUM-006,
    # XT-001 (附件1 项目支出 158.68) or PL-004
    f = only_pl003(run({"ua_project_expenditure": 1586800}))
    assert f.cells == (ref("ua_project_expenditure"),)
    assert "所属合计为 266.32，按此应约为 158.68" in f.message


def test_project_item_in_yuan() -> None:
    # 科学技术普及 本年决算 506,800 (元) beside 32.63 and 50.68: no SUM-003 against 项目支出 158.68
    items = [dict(r) for r in CLEAN_ITEMS]
    items[1]["current_actual"] = 506800
    r = run(items=items)
    f = only_pl003(r)
    assert f.cells == (r.model.tref(ITEMS, 1, "current_actual"),)
    assert r.model.computed["bd_project_current_actual_sum"] == Unavailable(HELD_REASON)


PROJECT = {
    "name": "科学技术普及",
    "initial_budget": 50.68,
    "adjusted_budget": 50.68,
    "spent": 50.68,
    "execution_weight": 10,
    "execution_rate": "100%",
    "execution_score": 10,
    "total_score": 100,
    "fiscal_initial_budget": 50.68,
    "fiscal_adjusted_budget": 40,
    "fiscal_spent": 40,
    "other_adjusted_budget": 10.68,
    "other_spent": 10.68,
}
PROJECT_INDICATORS = [
    {
        "project": "科学技术普及",
        **indicator("产出指标", "数量指标", "开展科普活动次数", "≥8次", "8次", 50, 50),
    },
    {
        "project": "科学技术普及",
        **indicator("效益指标", "社会效益指标", "科普受众", "≥500人次", "520人次", 30, 30),
    },
    {
        "project": "科学技术普及",
        **indicator("满意度指标", "服务对象满意度指标", "满意度", "≥95%", "98%", 10, 10),
    },
]


def _fingerprints(result: CheckResult) -> set[tuple[str, tuple[CellRef, ...]]]:
    return {(f.rule_id, f.cells) for f in result.findings}


def test_project_amounts_in_yuan() -> None:
    base = run(projects=[PROJECT], project_indicators=PROJECT_INDICATORS)
    # 全年执行数 506,800 beside 50.68: one PL-003; RATE-006/007, PL-002 and SCORE-010 stay silent, and
    # XT-003 (项目表执行数之和 against 附件2 项目支出, a 警告 in the base) cannot be computed either
    r = run(projects=[{**PROJECT, "spent": 506800}], project_indicators=PROJECT_INDICATORS)
    assert _fingerprints(r) - _fingerprints(base) == {("PL-003", (r.model.tref(PROJ, 0, "spent"),))}
    assert {f.rule_id for f in base.findings} - {f.rule_id for f in r.findings} <= {"XT-003"}
    assert r.model.table_computed[(PROJ, 0, "total_score_calc")] == Unavailable(HELD_REASON)
    # a 其中 line: 其他资金·全年执行 106,800 beside its 10.68 全年预算
    r = run(projects=[{**PROJECT, "other_spent": 106800}], project_indicators=PROJECT_INDICATORS)
    new = _fingerprints(r) - _fingerprints(base)
    assert new == {("PL-003", (r.model.tref(PROJ, 0, "other_spent"),))}


def test_lone_figure_above_the_profile_cap() -> None:
    # 楼堂馆所 预算投资 5,000,000 with nothing beside it: above the cap of 100,000 万元
    r = run({"bd_building_approved_area": 100, "bd_building_budgeted_investment": 5000000})
    (f,) = [f for f in r.findings if f.rule_id == "PL-003"]
    assert f.cells == (ref("bd_building_budgeted_investment"),) and "超过 100000 万元" in f.message


def test_amount_with_its_unit_is_trusted() -> None:
    # "2663200元" says its unit: parse.py converts it (PARSE-003 says so), nothing is held back
    r = run({"ua_spent": "2663200元"})
    assert r.model.num("ua_spent") == Decimal("266.32")
    assert {f.rule_id for f in r.findings} == {"PARSE-003"}


def test_amount_with_its_unit_in_a_yuan_workbook() -> None:
    # "10万元" in the 元 form: read as 100,000.00 元, said in 元
    r = run_cq({"ua_other_funds": "10万元"})
    (f,) = r.findings
    assert f.rule_id == "PARSE-003" and f.expected == "100,000.00 元"
    assert "本表金额单位为元" in f.advice and "100,000.00 元" in f.advice


# --- 万元 typed into the 重庆 元 form -----------------------------------------------------------------------
def test_wan_figure_in_a_yuan_workbook() -> None:
    # 全年执行数 259.89 (万元) beside 年初 2,584,300.00 and 全年 2,663,215.37 (元): one ten-thousandth
    r = run_cq({"ua_spent": 259.89})
    f = only_pl003(r)
    assert f.cells == (ref("ua_spent"),)
    assert f.message == (
        "附件2!D4 年度资金总额 全年执行数 为 259.89，同行其余金额约为 2,584,300.00，"
        "疑似按“万元”填报（本表金额单位为元）"
    )
    assert f.expected == "以元填报；若原数为万元，应为 2,598,900.00 元"
    assert f.found == "259.89 元"
    assert "万元 × 10000" in f.advice


def test_wan_cost_row_in_a_yuan_workbook() -> None:
    # 公用经费 本年决算 18.47 (万元) beside 200,000.00 and 185,000.00: no RATE-011, SUM-004
    f = only_pl003(run_cq({"bd_public_current_actual": 18.47}))
    assert f.cells == (ref("bd_public_current_actual"),)


# --- what is not a unit error -------------------------------------------------------------------------------
def test_small_parts_are_not_flagged() -> None:
    # 其他资金 0.05 of 266.32 万元 (the rest 一般公共预算 266.27): a small part, and it adds up
    assert texts(run({"ua_general_budget": 266.27, "ua_other_funds": 0.05})) == []
    # the same in 元: 500.00 of 2,598,874.21
    assert texts(run_cq({"ua_general_budget": 2598374.21, "ua_other_funds": 500.00})) == []


def test_a_budget_largely_unspent_is_not_flagged() -> None:
    # 全年执行数 1,000.00 元 of 2,663,215.37: 0.04 %, far from 1/10,000 of it; the rate rules speak
    r = run_cq({"ua_spent": 1000.00})
    assert "PL-003" not in {f.rule_id for f in r.findings}
    assert r.model.num("ua_spent") == Decimal("0.1")


def test_a_small_initial_budget_is_not_flagged() -> None:
    # 年初预算 0.03 万元 and 全年预算 266.32: 8,877 times, but two figures agree against one; in a 万元
    # form a figure is only suspected too large
    r = run({"ua_initial_budget": 0.03})
    assert "PL-003" not in {f.rule_id for f in r.findings}
