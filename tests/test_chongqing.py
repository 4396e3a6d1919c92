"""The 重庆 form variant: amounts in 元 (two decimals), 执行率权重 10, indicators with 得分系数 and 核心指标.

The workbook is the 重庆 template filled with a clean 部门整体 self-assessment. Its numbers follow the seed
000 (桃江县科协 2023) and the test builders' clean workbook, in 元 (× 10000) and with cents where a real 决算
has them. Each figure that a rule recomputes is explained where it is typed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.profile import find_shipped
from perfeval.io.fill import fill_template
from perfeval.service import check_file

CQ = find_shipped("重庆")
IND = cat.INDICATORS.name
ITEMS = cat.PROJECT_ITEMS.name

# 附件2 年度资金总额, in 元.
INITIAL, ADJUSTED, SPENT = 2584300.00, 2663215.37, 2598874.21
# 执行率 = 2,598,874.21 ÷ 2,663,215.37 = 97.5841 %; typed as printed, 97.58 % (within 0.01 个百分点).
# 执行率得分 = 97.5841 % × 执行率权重 10 = 9.758 → 9.76 (half-up, two decimals).
# 预算调整率 = (2,663,215.37 − 2,584,300.00) ÷ 2,584,300.00 = 3.05 %, under the 20 % line: no RATE-012.
VALUES: dict[str, object] = {
    "info_unit_name": "重庆市示例区科学技术协会",
    "info_year": 2023,
    "info_unit_type": "行政单位",
    "info_staff_admin": 7,
    "info_overview": "示例区科学技术协会属行政单位，共有编制人数7人，实有人数7人。内设科室2个。",
    "info_duties": "开展科学普及，服务科技工作者。",
    "info_performance_goals": "完成年初制定的全年工作任务。",
    "info_budget_notes": "2023年，区财政批复年初预算，年中追加科普专项资金，全年支出按预算执行。",
    "info_achievements": "开展科普活动10次，培育示范户10个。",
    "info_economic_notes": "“三公”经费实际支出低于预算，没有超过预算。",
    "info_improvements": "加强预算编制。",
    # 附件1, in 元: each total is the sum of its parts, 本年决算 never above 本年预算 where a rule checks it.
    "bd_authorized_staff": 7,
    "bd_actual_staff": 7,
    "bd_staff_control_rate": 1,  # 7 ÷ 7
    "bd_tpc_prior_actual": 14000.00,  # 三公经费 = 公务接待 only, three years
    "bd_tpc_current_budget": 15800.00,
    "bd_tpc_current_actual": 13000.00,  # below 上年 14,000: no RATE-010; below 预算: no RATE-009
    "bd_reception_prior_actual": 14000.00,
    "bd_reception_current_budget": 15800.00,
    "bd_reception_current_actual": 13000.00,
    "bd_project_prior_actual": 991800.00,  # = 665,500 + 326,300 + 0 (项目支出明细)
    "bd_project_current_budget": 1586800.00,  # = 480,000 + 506,800 + 600,000
    "bd_project_current_actual": 1522474.21,  # = 455,674.21 + 466,800 + 600,000 = 附件2 项目支出
    "bd_public_prior_actual": 200000.00,
    "bd_public_current_budget": 185000.00,
    "bd_public_current_actual": 184700.00,  # its 其中 lines 100,000 + 50,000 + 30,000 ≤ 184,700
    "bd_office_prior_actual": 100000.00,
    "bd_office_current_budget": 100000.00,
    "bd_office_current_actual": 100000.00,
    "bd_utilities_travel_prior_actual": 50000.00,
    "bd_utilities_travel_current_budget": 50000.00,
    "bd_utilities_travel_current_actual": 50000.00,
    "bd_meeting_training_prior_actual": 30000.00,
    "bd_meeting_training_current_budget": 30000.00,
    "bd_meeting_training_current_actual": 30000.00,
    "bd_procurement_prior_actual": 10000.00,
    "bd_procurement_current_budget": 15000.00,
    "bd_procurement_current_actual": 13200.00,
    "bd_basic_prior_actual": 1050000.00,
    "bd_basic_current_budget": 1076400.00,
    "bd_basic_current_actual": 1076400.00,  # = 附件2 基本支出
    "bd_building_approved_area": "无",
    "bd_frugality_measures": "严格执行机关财务管理制度，严控各项支出。",
    # 附件2
    "ua_initial_budget": INITIAL,
    "ua_adjusted_budget": ADJUSTED,
    "ua_spent": SPENT,
    "ua_execution_weight": 10,  # 执行率权重
    "ua_execution_rate": "97.58%",
    "ua_execution_score": 9.76,
    # Each split adds up to 全年执行数 2,598,874.21.
    "ua_general_budget": 2498874.21,
    "ua_other_funds": 100000.00,
    "ua_basic_expenditure": 1076400.00,
    "ua_project_expenditure": 1522474.21,
    "ua_goal_expected_1": "完成年初制定的全年工作任务。",
    "ua_goal_actual_1": "完成了年初制定的全年工作任务。",
    # 总分 = 执行率得分 9.76 + 指标得分 89.00 (below) = 98.76, 优 (≥ 90).
    "ua_total_score": 98.76,
    "ua_grade": "优",
}

ITEM_ROWS: list[dict[str, object]] = [
    {
        "name": "业务工作经费",
        "prior_actual": 665500.00,
        "current_budget": 480000.00,
        "current_actual": 455674.21,
    },
    {
        "name": "科学技术普及",
        "prior_actual": 326300.00,
        "current_budget": 506800.00,
        "current_actual": 466800.00,
    },
    {
        "name": "专家工作站建设补助",
        "prior_actual": 0,
        "current_budget": 600000.00,
        "current_actual": 600000.00,
    },
]


def _row(level1, level2, level3, target, actual, weight, coefficient, score, core="否", **extra) -> dict:
    return dict(
        level1=level1,
        level2=level2,
        level3=level3,
        core=core,
        target=target,
        actual=actual,
        weight=weight,
        coefficient=coefficient,
        score=score,
        **extra,
    )


# 90 points: 产出 15 + 10 + 10 + 5 + 10 = 50, 效益 10 + 10 + 10 = 30, 满意度 10. Each 自评得分 = 分值 × 得分系数.
# The quantitative rows meet their targets (得分系数 1, full marks, as SCORE-001 recomputes); none reaches
# 130 % of its target (10 次 of ≥ 8 次 is 125 %), so no DEV-003. The qualitative row is 达成年度指标 with
# 得分系数 0.9: 10 × 0.9 = 9.00, inside the 80–100 % band, below full, so it explains why.
INDICATOR_ROWS: list[dict[str, object]] = [
    _row("产出指标", "数量指标", "开展科普活动次数", "≥8次", "10次", 15, 1, 15, core="是"),
    _row("产出指标", "数量指标", "培育科技示范户数量", "10个", "10个", 10, 1, 10),
    _row("产出指标", "质量指标", "活动验收合格率", "≥95%", "100%", 10, 1, 10),
    _row("产出指标", "时效指标", "任务按时完成率", "100%", "100%", 5, 1, 5),
    _row("产出指标", "成本指标", "三公经费控制数", "≤15800元", "13000元", 10, 1, 10),
    _row("效益指标", "社会效益指标", "科普受众人次", "≥500人次", "520人次", 10, 1, 10, core="是"),
    _row(
        "效益指标",
        "可持续影响指标",
        "科普队伍建设",
        "持续规范",
        "建成稳定的科普工作队伍",
        10,
        0.9,
        9,
        band="达成年度指标",
        deviation_note="队伍稳定性仍需加强，下一步完善激励机制。",
    ),
    _row("效益指标", "经济效益指标", "示范户增收户数", "≥10户", "10户", 10, 1, 10),
    _row("满意度指标", "服务对象满意度指标", "社会公众满意度", "≥95%", "98%", 10, 1, 10),
]


def workbook(folder: Path, name: str = "重庆示例.xlsx", values=None, indicators=None) -> Path:
    data = {**VALUES, **(values or {})}
    tables = {IND: indicators or INDICATOR_ROWS, ITEMS: ITEM_ROWS}
    return fill_template(data, tables, folder / name, profile=CQ)


def with_indicator(index: int, **changes: object) -> list[dict[str, object]]:
    rows = [dict(r) for r in INDICATOR_ROWS]
    rows[index].update(changes)
    return rows


def findings(path: Path, output: Path | None = None):
    return check_file(path, CQ, output, write=output is not None)


def ids(run) -> set[str]:
    return {f.rule_id for f in run.result.findings}


# --- the clean workbook ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cq")
    out = folder / "结果.xlsx"
    return findings(workbook(folder), out), out


def test_profile_is_the_chongqing_form() -> None:
    assert CQ is not None
    assert CQ.amount_unit == "元" and CQ.columns == {"coefficient", "core"}
    assert CQ.weights["execution"] == 10 and sum(CQ.weights.values()) == 100
    # 0.01 元, held in 万元
    assert CQ.amount_tolerance * 10000 == Decimal("0.01")


def test_clean_workbook_has_no_findings(clean) -> None:
    run, _ = clean
    assert [f"{f.rule_id} {f.text()}" for f in run.result.findings] == []
    assert run.result.model.amount_unit == "元"


def test_clean_workbook_scores(clean) -> None:
    run, _ = clean
    c = run.result.model.computed
    assert c["ua_execution_rate_calc"].quantize(Decimal("0.000001")) == Decimal("0.975841")
    assert c["ua_execution_score_calc"] == Decimal("9.76")
    assert c["ua_total_score_calc"] == Decimal("98.76")  # 9.76 + 89.00
    assert c["ua_grade_calc"] == "优"


def _cell_value(out: Path, name: str) -> object:
    f = cat.field(name)
    wb = load_workbook(out, data_only=True)
    return wb[f.sheet][f.cell].value


def test_computed_amounts_are_written_in_yuan(clean) -> None:
    _, out = clean
    # 三公经费 明细之和: 公务接待 13,000.00 元 (公务用车、出国 blank)
    assert Decimal(str(_cell_value(out, "bd_tpc_current_actual_sum"))) == Decimal("13000")
    # 项目支出 = 项目支出明细之和: 455,674.21 + 466,800.00 + 600,000.00
    assert Decimal(str(_cell_value(out, "bd_project_current_actual_sum"))) == Decimal("1522474.21")
    # 按收入性质分合计 = 2,498,874.21 + 100,000.00; 按支出性质分合计 = 1,076,400.00 + 1,522,474.21
    assert Decimal(str(_cell_value(out, "ua_income_sum"))) == Decimal("2598874.21")
    assert Decimal(str(_cell_value(out, "ua_expense_sum"))) == Decimal("2598874.21")
    # Scores are not amounts: 9.76 stays 9.76
    assert Decimal(str(_cell_value(out, "ua_execution_score_calc"))) == Decimal("9.76")


# --- broken ones ---------------------------------------------------------------------------------------
def test_score_not_weight_times_coefficient(tmp_path: Path) -> None:
    # 科普队伍建设: 分值 10 × 得分系数 0.8 = 8.00, typed 9 (and 总分 stays 98.76 = 9.76 + 89)
    run = findings(workbook(tmp_path, indicators=with_indicator(6, coefficient=0.8)))
    (f,) = [f for f in run.result.findings if f.rule_id == "SCORE-013"]
    assert f.severity is Severity.ERROR
    assert f.expected == "8.00 分" and f.found == "9.00 分"
    assert "10 × 0.8 = 8.00" in f.message
    assert ids(run) == {"SCORE-013"}


def test_coefficient_outside_zero_to_one(tmp_path: Path) -> None:
    run = findings(workbook(tmp_path, indicators=with_indicator(1, coefficient=1.2)))
    (f,) = [f for f in run.result.findings if f.rule_id == "SCORE-013"]
    assert f.severity is Severity.ERROR and "不在 0 至 1 之间" in f.message and f.found == "1.2"
    assert f.cells == (run.result.model.tref(IND, 1, "coefficient"),)


def test_execution_rate_wrong(tmp_path: Path) -> None:
    # 执行率 typed 100 % and 执行率得分 10 while 2,598,874.21 ÷ 2,663,215.37 = 97.58 % → 9.76
    run = findings(workbook(tmp_path, values={"ua_execution_rate": "100%", "ua_execution_score": 10}))
    rate = [f for f in run.result.findings if f.rule_id == "RATE-002"]
    score = [f for f in run.result.findings if f.rule_id == "RATE-003"]
    assert rate and "97.58%" in rate[0].expected
    assert score and "9.76" in score[0].expected
    # the amounts in the messages are in 元
    assert "2,598,874.21 元" in rate[0].message + rate[0].expected + rate[0].found


def test_weights_of_another_province(tmp_path: Path) -> None:
    # 执行率权重 20, 产出 45 (15 → 10 on the first row), 效益 25 (10 → 5 on 示范户增收户数): 20 + 45 + 25 + 10
    # = 100, so only the levels are reported, against 重庆's 10 / 50 / 30.
    rows = with_indicator(0, weight=10, score=10)
    rows[7].update(weight=5, score=5)
    values = {"ua_execution_weight": 20, "ua_execution_score": 19.52, "ua_total_score": 98.52}
    run = findings(workbook(tmp_path, values=values, indicators=rows))
    wt = {f.rule_id: f for f in run.result.findings if f.rule_id.startswith("WT-")}
    assert set(wt) == {"WT-001", "WT-002", "WT-003"}
    assert "10" in wt["WT-001"].expected and "20" in wt["WT-001"].found
    assert "50" in wt["WT-002"].expected and "45" in wt["WT-002"].found
    assert "30" in wt["WT-003"].expected and "25" in wt["WT-003"].found


def test_core_indicator_unmet_without_note(tmp_path: Path) -> None:
    # 开展科普活动次数 (核心指标): 7 次 of ≥ 8 次 → 7 ÷ 8 × 15 = 13.13; typed 13.13 with 得分系数 0.875
    # (15 × 0.875 = 13.125 → 13.13), no 偏差原因: DEV-004, not DEV-001/DEV-002 again.
    rows = with_indicator(0, actual="7次", coefficient=0.875, score=13.13)
    values = {"ua_total_score": 96.89}  # 9.76 + 89 − 15 + 13.13
    run = findings(workbook(tmp_path, values=values, indicators=rows))
    dev = [f for f in run.result.findings if f.rule_id.startswith("DEV-")]
    assert [f.rule_id for f in dev] == ["DEV-004"]
    assert dev[0].severity is Severity.WARNING and "核心指标" in dev[0].message
    assert ids(run) == {"DEV-004"}
    # the same row with a note is fine
    rows[0]["deviation_note"] = "受疫情影响少开展1次，下年度提前安排。"
    assert ids(findings(workbook(tmp_path, "b.xlsx", values=values, indicators=rows))) == set()
