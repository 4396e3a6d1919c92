"""Rules RATE-001..015 (比率), PL-001..007 (合理性) and WT-001..010 (分值权重).

Each rule: a failing case (id, severity, cells, the numbers in expected/found) and a passing case. The
seed 000 (桃江县科协 2023) numbers are used where the brief names them; arithmetic is in the comments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from perfeval import catalogue as cat
from perfeval.core.findings import Finding, Severity
from perfeval.core.pipeline import CheckResult
from perfeval.core.profile import default_profile
from perfeval.core.rules import REGISTRY
from perfeval.core.snapshot import CellRef
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of, ids, indicator

MY_RULES = (
    *(f"RATE-{i:03d}" for i in range(1, 16)),
    *(f"PL-{i:03d}" for i in range(1, 8)),
    *(f"WT-{i:03d}" for i in range(1, 11)),
)
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PROJ, PIND, IND, ITEMS = "tbl_projects", "tbl_project_indicators", "tbl_indicators", "tbl_project_items"


# --- helpers ---------------------------------------------------------------------------------------------
def run(changes: dict[str, object] | None = None, **tables) -> CheckResult:
    """CLEAN data with `changes`; tables default to the clean indicators and items."""
    tables.setdefault("indicators", CLEAN_INDICATORS)
    tables.setdefault("items", CLEAN_ITEMS)
    return check({**CLEAN_VALUES, **(changes or {})}, **tables)


def ref(name: str) -> CellRef:
    f = cat.field(name)
    return CellRef(f.sheet, f.cell)


def tref(result: CheckResult, table: str, index: int, key: str) -> CellRef:
    return result.model.tref(table, index, key)


def only(result: CheckResult, rule_id: str) -> Finding:
    found = findings_of(result, rule_id)
    assert len(found) == 1, [
        f.text() for f in result.findings if f.rule_id.split("-")[0] in ("RATE", "PL", "WT")
    ]
    return found[0]


def mine(result: CheckResult) -> set[str]:
    return ids(result) & set(MY_RULES)


def with_indicator(index: int, **changes: object) -> list[dict[str, object]]:
    rows = [dict(r) for r in CLEAN_INDICATORS]
    rows[index].update(changes)
    return rows


PROJECT = {
    "name": "科普活动",
    "initial_budget": 98.68,
    "adjusted_budget": 98.68,
    "spent": 98.68,
    "execution_weight": 10,
    "execution_rate": "100%",
    "execution_score": 10,
    "total_score": 100,
}
PROJECT_INDICATORS = [
    {"project": "科普活动", **indicator("产出指标", "数量指标", "开展科普活动次数", "≥8次", "8次", 50, 50)},
    {
        "project": "科普活动",
        **indicator("效益指标", "社会效益指标", "科普受众人次", "≥500人次", "520人次", 30, 30),
    },
    {
        "project": "科普活动",
        **indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "98%", 10, 10),
    },
]


def project(**changes: object) -> list[dict[str, object]]:
    return [{**PROJECT, **changes}]


# --- seed 000: 桃江县科学技术协会 2023, as typed in its attachment tables ---------------------------
TAOJIANG_VALUES: dict[str, object] = {
    "info_unit_name": "桃江县科学技术协会",
    "info_year": 2023,
    "info_overview": "桃江县科学技术协会属行政单位，共有编制人数6人，实有人数7人。",
    "bd_authorized_staff": 7,
    "bd_actual_staff": 7,
    "bd_staff_control_rate": "100%",
    "bd_tpc_prior_actual": 1.04,
    "bd_tpc_current_budget": 1.58,
    "bd_tpc_current_actual": 1.30,
    "bd_reception_prior_actual": 1.04,
    "bd_reception_current_budget": 1.58,
    "bd_reception_current_actual": 1.30,
    "bd_project_prior_actual": 99.18,
    "bd_project_current_budget": 48,
    "bd_project_current_actual": 158.68,
    "bd_public_prior_actual": 33.08,
    "bd_public_current_budget": 16.25,
    "bd_public_current_actual": 18.47,
    "bd_office_prior_actual": 0,
    "bd_office_current_budget": 0,
    "bd_utilities_travel_prior_actual": 5.77,
    "bd_utilities_travel_current_budget": 0,
    "bd_utilities_travel_current_actual": 0.87,
    "bd_meeting_training_prior_actual": 0,
    "bd_meeting_training_current_budget": 0,
    "bd_meeting_training_current_actual": 0,
    "bd_procurement_prior_actual": 0,
    "bd_procurement_current_actual": 1.32,
    "bd_basic_prior_actual": 159.64,
    "bd_basic_current_budget": 110.43,
    "bd_basic_current_actual": 107.64,
    "bd_building_approved_area": "无",
    "ua_initial_budget": 158.43,
    "ua_adjusted_budget": 266.32,
    "ua_spent": 266.32,
    "ua_execution_weight": 10,
    "ua_execution_rate": "100%",
    "ua_execution_score": 10,
    "ua_general_budget": 266.32,
    "ua_basic_expenditure": 107.64,
    "ua_project_expenditure": 158.68,
    "ua_total_score": 100,
}
TAOJIANG_ITEMS = [
    {"name": "业务工作经费", "prior_actual": 66.55, "current_budget": 48, "current_actual": 48},
    {"name": "科学技术普及", "prior_actual": 30},
    {"name": "一般行政管理事务", "prior_actual": 1.04},
    {"name": "其他巩固脱贫乡村振兴支出", "prior_actual": 1.59},
    {"name": "上级专款：人才发展专项资金及专家工作站建设补助", "current_actual": 60},
    {"name": "2023国家基层科普行动计划专项资金", "current_actual": 50.68},
]
# The level names as the seed's merged cells read ("产出\n指标\n(50分)"); the model normalises them.
_OUT, _BEN, _SAT = "产出\n指标\n(50分)", "效益\n指标\n(40分)", "满意度\n指标\n(10分)"
TAOJIANG_INDICATORS = [
    indicator(
        _OUT,
        "数量\n指标",
        "建立了科普小镇1个和三个专家工作站的建设",
        "科普小镇、专家工作站",
        "科普小镇1个，专家工作站三个",
        10,
        10,
    ),
    indicator(_OUT, "数量\n指标", "培育和科技示范企业、示范基地和示范户10个", "10个", "10个", 8, 8),
    indicator(_OUT, "数量\n指标", "开展科技志愿服务活动", "8次", "10次", 8, 8),
    indicator(
        _OUT,
        "质量\n指标",
        "科普小镇、专家工作站",
        "持续创建",
        "按各级创建质量要求完成科普小镇1个，专家工作站3个",
        8,
        8,
    ),
    indicator(
        _OUT,
        "质量\n指标",
        "规范了科普小镇和人才专家工作站",
        "持续规范",
        "严格规范了人才发展专项资金及专家工作差站的审批与审核。",
        8,
        8,
    ),
    indicator(
        _OUT,
        "时效\n指标",
        "全面完成了科普小镇的建设和专家工作站的建设。",
        "按时间节点完成各阶段任务",
        "按时间节点完成了各阶段任务目标，完成省市检查验收。",
        8,
        8,
    ),
    indicator(_BEN, "经济效\n益指标", "对全县科技创新", "提高", "有所提高", 10, 10),
    indicator(
        _BEN,
        "社会效\n益指标",
        "帮助科普小镇，专家工作站改善生产经营、技术服务、基础建设中的困难",
        "增强发展能力",
        "持续加强指导服务，落实相关政策支持，开展示范创建，增强发展能力。",
        10,
        10,
    ),
    indicator(_BEN, "生态效\n益指标", "机关效能建设", "好", "在工作中厉行节俭，促进节能环保。", 10, 10),
    indicator(
        _BEN,
        "可持续影响指标",
        "不断加强科普示范小镇多功能于一体的田园综合体和三产融合的产业特色小镇",
        "长期坚持",
        "广泛开展了入普活动，长期坚持人才发展专项资金及专家工作补助的建设。",
        10,
        10,
    ),
    indicator(_SAT, "服务对象满意度指标", "社会公众满意度", "≥95%", "100%", 10, 10),
]


@pytest.fixture(scope="module")
def taojiang() -> CheckResult:
    return check(TAOJIANG_VALUES, indicators=TAOJIANG_INDICATORS, items=TAOJIANG_ITEMS)


# --- the whole set ----------------------------------------------------------------------------------------
def test_all_rules_are_registered_with_chinese_descriptions() -> None:
    for rule_id in MY_RULES:
        r = REGISTRY[rule_id]
        assert r.title and r.description and "\n" not in r.description, rule_id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.description), rule_id


def test_clean_data_fires_none_of_these_rules() -> None:
    assert mine(run()) == set()


def test_clean_data_with_a_clean_project_fires_none_of_these_rules() -> None:
    assert mine(run(projects=project(), project_indicators=PROJECT_INDICATORS)) == set()


def test_taojiang_fires_exactly_the_expected_rate_plausibility_and_weight_rules(taojiang) -> None:
    # WT-008: 机关效能建设 filed under 生态效益 (a reviewer item of domain.md)
    assert mine(taojiang) == {"RATE-010", "RATE-011", "RATE-012", "RATE-013", "WT-003", "WT-005", "WT-008"}


# --- RATE-001 在职人员控制率 ------------------------------------------------------------------------------
def test_rate001_typed_control_rate_differs_from_actual_over_authorized() -> None:
    # 6 ÷ 7 = 0.857142… -> 85.71 %, typed 100 %
    f = only(run({"bd_actual_staff": 6, "bd_staff_control_rate": "100%"}), "RATE-001")
    assert f.severity is ERROR
    assert f.cells == (ref("bd_staff_control_rate"), ref("bd_actual_staff"), ref("bd_authorized_staff"))
    assert f.expected.startswith("85.71%") and f.found == "100.00%"


@pytest.mark.parametrize("typed", ["85.71%", 0.857142857142857, "85.71"])
def test_rate001_accepts_the_rate_rounded_to_two_decimals_of_a_percent(typed: object) -> None:
    assert "RATE-001" not in ids(run({"bd_actual_staff": 6, "bd_staff_control_rate": typed}))


def test_rate001_rounded_rate_is_accepted_even_without_tolerance() -> None:
    strict = replace(default_profile(), rate_tolerance=Decimal(0))
    # 6 ÷ 7 = 0.8571428… quantized to 0.8571 = 85.71 %
    r = run({"bd_actual_staff": 6, "bd_staff_control_rate": "85.71%"}, profile=strict)
    assert "RATE-001" not in ids(r)
    r = run({"bd_actual_staff": 6, "bd_staff_control_rate": "85.72%"}, profile=strict)
    assert "RATE-001" in ids(r)


def test_rate001_is_not_applicable_when_the_typed_rate_is_blank() -> None:
    r = run({"bd_staff_control_rate": None})
    assert "RATE-001" not in ids(r) and "RATE-001" in r.not_applicable


# --- RATE-002 预算执行率 -------------------------------------------------------------------------------
def test_rate002_typed_rate_differs_from_spent_over_adjusted_budget() -> None:
    # 250 ÷ 266.32 = 0.938720… -> 93.87 %, typed 100 %
    f = only(run({"ua_spent": 250}), "RATE-002")
    assert f.severity is ERROR
    assert f.cells == (ref("ua_execution_rate"), ref("ua_spent"), ref("ua_adjusted_budget"))
    assert f.expected.startswith("93.87%") and f.found == "100.00%"


def test_rate002_says_when_the_rate_was_computed_on_the_initial_budget() -> None:
    # typed 100 % = 200 ÷ 200 (年初); correct is 200 ÷ 250 (全年) = 80.00 %
    r = run(
        {"ua_initial_budget": 200, "ua_adjusted_budget": 250, "ua_spent": 200, "ua_execution_rate": "100%"}
    )
    f = only(r, "RATE-002")
    assert "年初预算数" in f.message and "全年预算数" in f.message
    assert f.expected.startswith("80.00%") and "按年初预算数计算" in f.found
    assert ref("ua_initial_budget") in f.cells and f.cells[0] == ref("ua_execution_rate")


def test_rate002_passes_when_typed_rate_is_right() -> None:
    # 200 ÷ 250 = 80 %
    r = run(
        {"ua_initial_budget": 200, "ua_adjusted_budget": 250, "ua_spent": 200, "ua_execution_rate": "80%"}
    )
    assert "RATE-002" not in ids(r)
    assert "RATE-002" not in ids(run())


# --- RATE-003 执行率得分 ---------------------------------------------------------------------------------
BUDGET_80 = {"ua_initial_budget": 250, "ua_adjusted_budget": 250, "ua_spent": 200, "ua_execution_rate": "80%"}


def test_rate003_full_marks_with_unspent_money_is_called_inflation() -> None:
    # 200 ÷ 250 = 80 %; min(80 %, 1) × 10 = 8.00, typed 10 (满分)
    f = only(run({**BUDGET_80, "ua_execution_score": 10}), "RATE-003")
    assert f.severity is ERROR
    assert "资金未全部支出却给满分" in f.message
    assert f.cells[0] == ref("ua_execution_score")
    assert f.expected.startswith("8.00 分") and f.found.startswith("10.00 分")


def test_rate003_plain_wrong_score() -> None:
    f = only(run({**BUDGET_80, "ua_execution_score": 7}), "RATE-003")
    assert "满分" not in f.message
    assert f.expected.startswith("8.00 分") and f.found == "7.00 分"


def test_rate003_passes_on_the_right_score_and_caps_at_full_marks() -> None:
    assert "RATE-003" not in ids(run({**BUDGET_80, "ua_execution_score": 8}))
    # 280 ÷ 266.32 = 105.14 % -> capped: 1 × 10 = 10.00
    assert "RATE-003" not in ids(run({"ua_spent": 280, "ua_execution_rate": "105.14%"}))


# --- RATE-004/005 楼堂馆所 typed rates --------------------------------------------------------------------
BUILDING = {
    "bd_building_approved_area": 1000,
    "bd_building_actual_area": 950,
    "bd_building_area_rate": "95%",
    "bd_building_budgeted_investment": 500,
    "bd_building_actual_investment": 480,
    "bd_building_investment_rate": "96%",
}


def test_rate004_area_rate() -> None:
    # 950 ÷ 1000 = 95.00 %, typed 100 %
    f = only(run({**BUILDING, "bd_building_area_rate": "100%"}), "RATE-004")
    assert f.severity is ERROR
    cells = ("bd_building_area_rate", "bd_building_actual_area", "bd_building_approved_area")
    assert f.cells == tuple(ref(n) for n in cells)
    assert f.expected.startswith("95.00%") and f.found == "100.00%"
    assert "RATE-004" not in ids(run(BUILDING))


def test_rate005_investment_rate() -> None:
    # 480 ÷ 500 = 96.00 %, typed 100 %
    f = only(run({**BUILDING, "bd_building_investment_rate": 1}), "RATE-005")
    assert f.severity is ERROR
    assert f.cells[0] == ref("bd_building_investment_rate")
    assert f.expected.startswith("96.00%") and f.found == "100.00%"
    assert "RATE-005" not in ids(run(BUILDING))


def test_rate004_005_not_applicable_without_a_building() -> None:
    r = run()  # 批复规模 "无"
    assert {"RATE-004", "RATE-005", "RATE-015"} <= set(r.not_applicable)


# --- RATE-006/007 projects ------------------------------------------------------------------------------
def test_rate006_project_rate_and_rate007_project_score_inflation() -> None:
    # 88.81 ÷ 98.68 = 0.899979… -> 90.00 %, typed 100 %; score 0.899979… × 10 = 8.99979… -> 9.00, typed 10
    r = run(projects=project(spent=88.81), project_indicators=PROJECT_INDICATORS)
    rate = only(r, "RATE-006")
    assert rate.severity is ERROR
    assert rate.cells == tuple(tref(r, PROJ, 0, k) for k in ("execution_rate", "spent", "adjusted_budget"))
    assert "科普活动" in rate.message
    assert rate.expected.startswith("90.00%") and rate.found == "100.00%"
    score = only(r, "RATE-007")
    assert score.severity is ERROR
    assert score.cells[0] == tref(r, PROJ, 0, "execution_score")
    assert "资金未全部支出却给满分" in score.message
    assert score.expected.startswith("9.00 分") and score.found.startswith("10.00 分")


def test_rate006_project_rate_on_the_initial_budget() -> None:
    # typed 100 % = 48 ÷ 48 (年初); correct 48 ÷ 98.68 = 0.486420… -> 48.64 %
    r = run(projects=project(initial_budget=48, spent=48), project_indicators=PROJECT_INDICATORS)
    f = only(r, "RATE-006")
    assert "年初预算数" in f.message and f.expected.startswith("48.64%")
    assert tref(r, PROJ, 0, "initial_budget") in f.cells


def test_rate006_007_pass_on_right_values_and_are_not_applicable_without_projects() -> None:
    r = run(
        projects=project(spent=88.81, execution_rate="90%", execution_score=9),
        project_indicators=PROJECT_INDICATORS,
    )
    assert not {"RATE-006", "RATE-007"} & ids(r)
    assert {"RATE-006", "RATE-007"} <= set(run().not_applicable)


# --- RATE-008 超编 ---------------------------------------------------------------------------------------
def test_rate008_over_staffed() -> None:
    # 8 ÷ 7 = 1.142857… -> 114.29 %
    f = only(run({"bd_actual_staff": 8, "bd_staff_control_rate": "114.29%"}), "RATE-008")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_actual_staff"), ref("bd_authorized_staff"))
    assert "7 人" in f.expected and f.found == "8 人" and "114.29%" in f.message
    assert "RATE-001" not in ids(run({"bd_actual_staff": 8, "bd_staff_control_rate": "114.29%"}))


def test_rate008_passes_at_the_authorized_number() -> None:
    assert "RATE-008" not in ids(run())


# --- RATE-009 三公经费超预算 --------------------------------------------------------------------------------
def test_rate009_three_public_costs_over_budget() -> None:
    # 1.70 ÷ 1.58 = 1.075949… -> 107.59 %
    f = only(run({"bd_tpc_current_actual": 1.70}), "RATE-009")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_tpc_current_actual"), ref("bd_tpc_current_budget"))
    assert f.found.startswith("107.59%") and "1.58" in f.expected


def test_rate009_zero_budget_with_spending_is_not_zero_percent() -> None:
    f = only(run({"bd_tpc_current_budget": 0}), "RATE-009")
    assert "无法计算" in f.found and "0%" not in f.found


def test_rate009_passes_within_budget(taojiang) -> None:
    assert "RATE-009" not in ids(run())  # 1.30 ≤ 1.58
    assert "RATE-009" not in ids(taojiang)


# --- RATE-010 三公 growth ---------------------------------------------------------------------------------
def test_rate010_taojiang_three_public_costs_up_25_percent(taojiang) -> None:
    # (1.30 − 1.04) ÷ 1.04 = 0.26 ÷ 1.04 = 0.25 -> +25.00 %
    f = only(taojiang, "RATE-010")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_tpc_current_actual"), ref("bd_tpc_prior_actual"))
    assert "25.00%" in f.message and f.found.startswith("+25.00%")
    assert "1.04" in f.expected
    assert "说明" in f.advice


def test_rate010_passes_when_costs_fall() -> None:
    assert "RATE-010" not in ids(run())  # 1.40 -> 1.30
    assert "RATE-010" not in ids(run({"bd_tpc_prior_actual": 1.30}))  # unchanged


# --- RATE-011 公用经费超预算 -------------------------------------------------------------------------------
def test_rate011_taojiang_public_funds_over_budget(taojiang) -> None:
    # 18.47 ÷ 16.25 = 1.136615… -> 113.66 %
    f = only(taojiang, "RATE-011")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_public_current_actual"), ref("bd_public_current_budget"))
    assert f.found.startswith("113.66%") and "113.66%" in f.message and "16.25" in f.expected


def test_rate011_passes_within_budget() -> None:
    assert "RATE-011" not in ids(run())  # 18.47 ≤ 18.50


# --- RATE-012 预算调整 -----------------------------------------------------------------------------------
def test_rate012_taojiang_budget_adjusted_by_68_percent(taojiang) -> None:
    # (266.32 − 158.43) ÷ 158.43 = 107.89 ÷ 158.43 = 0.680994… -> 68.10 % > 20 %
    f = only(taojiang, "RATE-012")
    assert f.severity is INFO
    assert f.cells == (ref("ua_adjusted_budget"), ref("ua_initial_budget"))
    assert f.found.startswith("+68.10%") and "20.00%" in f.expected
    assert "107.89" in f.message and "报告" in f.advice


def test_rate012_passes_at_the_threshold_and_with_a_looser_profile() -> None:
    # (240 − 200) ÷ 200 = 20 %, not above 20 %
    assert "RATE-012" not in ids(run({"ua_initial_budget": 200, "ua_adjusted_budget": 240}))
    loose = replace(default_profile(), budget_adjustment_info=Decimal("0.70"))
    r = check(TAOJIANG_VALUES, indicators=TAOJIANG_INDICATORS, items=TAOJIANG_ITEMS, profile=loose)
    assert "RATE-012" not in ids(r)  # 68.10 % ≤ 70 %


# --- RATE-013/014 政府采购 --------------------------------------------------------------------------------
def test_rate013_taojiang_procurement_without_budget(taojiang) -> None:
    f = only(taojiang, "RATE-013")
    assert f.severity is INFO
    assert f.cells == (ref("bd_procurement_current_budget"), ref("bd_procurement_current_actual"))
    assert "无法计算" in f.message and "未填" in f.message and "1.32" in f.message
    assert "0.00%" not in f.message + f.found


def test_rate013_zero_budget_and_no_double_report_by_rate014() -> None:
    r = run({"bd_procurement_current_budget": 0})
    f = only(r, "RATE-013")
    assert "为 0" in f.message
    assert "RATE-014" not in ids(r)


def test_rate013_passes_with_a_budget() -> None:
    assert "RATE-013" not in ids(run())


def test_rate014_procurement_over_budget() -> None:
    # 1.80 ÷ 1.50 = 1.2 -> 120.00 %
    f = only(run({"bd_procurement_current_actual": 1.80}), "RATE-014")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_procurement_current_actual"), ref("bd_procurement_current_budget"))
    assert f.found.startswith("120.00%")
    assert "RATE-014" not in ids(run())  # 1.32 ≤ 1.50


# --- RATE-015 楼堂馆所 over ------------------------------------------------------------------------------
def test_rate015_over_scale_and_over_estimate() -> None:
    # area 1100 ÷ 1000 = 110.00 %; investment 520 ÷ 500 = 104.00 %
    changes = {
        **BUILDING,
        "bd_building_actual_area": 1100,
        "bd_building_area_rate": "110%",
        "bd_building_actual_investment": 520,
        "bd_building_investment_rate": "104%",
    }
    found = findings_of(run(changes), "RATE-015")
    assert [f.severity for f in found] == [WARNING, WARNING]
    by_cell = {f.cells[0]: f for f in found}
    assert by_cell[ref("bd_building_actual_area")].found.startswith("110.00%")
    assert by_cell[ref("bd_building_actual_investment")].found.startswith("104.00%")


def test_rate015_passes_within_scale() -> None:
    assert "RATE-015" not in ids(run(BUILDING))


# --- PL-001 negative amounts ------------------------------------------------------------------------------
def test_pl001_negative_field_and_table_amounts() -> None:
    items = [dict(r) for r in CLEAN_ITEMS]
    items[1]["current_actual"] = -5
    r = run({"bd_office_current_actual": -1}, items=items)
    found = findings_of(r, "PL-001")
    assert {f.severity for f in found} == {ERROR}
    by_cell = {f.cells: f for f in found}
    assert by_cell[(ref("bd_office_current_actual"),)].found == "-1.00 万元"
    assert by_cell[(tref(r, ITEMS, 1, "current_actual"),)].found == "-5.00 万元"


def test_pl001_negative_project_amount() -> None:
    r = run(projects=project(initial_budget=-3), project_indicators=PROJECT_INDICATORS)
    f = only(r, "PL-001")
    assert f.cells == (tref(r, PROJ, 0, "initial_budget"),) and "科普活动" in f.message


def test_pl001_passes_on_zero_and_positive_amounts() -> None:
    assert "PL-001" not in ids(run())  # CLEAN_ITEMS has a 0


# --- PL-002 spent over budget ----------------------------------------------------------------------------
def test_pl002_unit_spent_over_adjusted_budget() -> None:
    # 280 ÷ 266.32 = 1.051366… -> 105.14 %
    f = only(run({"ua_spent": 280, "ua_execution_rate": "105.14%"}), "PL-002")
    assert f.severity is WARNING
    assert f.cells == (ref("ua_spent"), ref("ua_adjusted_budget"))
    assert "105.14%" in f.found and "266.32" in f.expected


def test_pl002_project_spent_over_budget() -> None:
    # 100 ÷ 98.68 = 1.013376… -> 101.34 %
    r = run(projects=project(spent=100, execution_rate="101.34%"), project_indicators=PROJECT_INDICATORS)
    f = only(r, "PL-002")
    assert f.cells == (tref(r, PROJ, 0, "spent"), tref(r, PROJ, 0, "adjusted_budget"))
    assert "101.34%" in f.found


def test_pl002_passes_when_fully_spent() -> None:
    assert "PL-002" not in ids(run(projects=project(), project_indicators=PROJECT_INDICATORS))


# --- PL-003 amounts in 元 ---------------------------------------------------------------------------------
def test_pl003_amount_above_the_profile_limit() -> None:
    # 184,700 > 100,000 万元: 184700 元 = 18.47 万元
    f = only(run({"bd_public_current_actual": 184700}), "PL-003")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_public_current_actual"),)
    assert f.found == "184,700.00 万元" and "18.47 万元" in f.expected


def test_pl003_is_the_only_finding_on_an_amount_typed_in_yuan() -> None:
    # 公用经费 184,700 ÷ 18.50 would be 998,378 %: RATE-011 stays silent, PL-003 says why
    r = run({"bd_public_current_actual": 184700})
    assert "PL-003" in ids(r) and "RATE-011" not in ids(r)
    # 全年执行数 2,663,200 (元) against 266.32 万元: no 执行率 or 超预算 finding built on it
    r = run({"ua_spent": 2663200})
    assert "PL-003" in ids(r) and not {"RATE-002", "PL-002"} & ids(r)


def test_pl003_amount_a_thousand_times_the_budget() -> None:
    # 1000 × 10 = 10,000 < 18,470 (< 100,000, so only the relative test catches it)
    changes = {
        "ua_initial_budget": 10,
        "ua_adjusted_budget": 10,
        "ua_spent": 10,
        "bd_public_current_actual": 18470,
    }
    f = only(run(changes), "PL-003")
    assert f.cells == (ref("bd_public_current_actual"), ref("ua_adjusted_budget"))
    assert "1000 倍" in f.message


def test_pl003_skips_amounts_converted_from_yuan() -> None:
    r = run({"bd_public_current_actual": "184700元"})  # parse.py converts: 18.47 万元, with a note
    assert r.model.num("bd_public_current_actual") == Decimal("18.47")
    assert "PL-003" not in ids(r)
    assert "PL-003" not in ids(run())


# --- PL-004 year columns ----------------------------------------------------------------------------------
def test_pl004_prior_and_current_columns_swapped() -> None:
    # 附件1 项目支出: 上年 158.68 (= 附件2 项目支出执行数 158.68), 本年 99.18
    r = run({"bd_project_prior_actual": 158.68, "bd_project_current_actual": 99.18})
    f = only(r, "PL-004")
    assert f.severity is WARNING
    assert f.cells == (
        ref("bd_project_prior_actual"),
        ref("bd_project_current_actual"),
        ref("ua_project_expenditure"),
    )
    assert "158.68" in f.expected and "99.18" in f.found


def test_pl004_budget_and_actual_columns_swapped() -> None:
    # 附件1 基本支出: 本年预算 107.64 (= 附件2 基本支出), 本年决算 110.43 (the budget, in the wrong column)
    changes = {"bd_basic_current_budget": 107.64, "bd_basic_current_actual": 110.43}
    f = only(run(changes), "PL-004")
    assert f.cells[0] == ref("bd_basic_current_budget") and "填反" in f.message


def test_pl004_not_when_the_split_lines_hold_the_budget() -> None:
    # 全年执行数 250 ≠ 全年预算数 266.32, and the 按支出性质分 lines add up to the budget: no spending to compare
    changes = {"ua_spent": 250, "bd_project_prior_actual": 158.68, "bd_project_current_actual": 99.18}
    r = run(changes)
    assert "PL-004" not in ids(r) and "预算数" in r.not_applicable["PL-004"]


def test_pl004_passes_when_the_current_column_matches(taojiang) -> None:
    assert "PL-004" not in ids(run())
    assert "PL-004" not in ids(taojiang)  # 158.68 and 107.64 are in the 本年决算 column


# --- PL-005 year ------------------------------------------------------------------------------------------
def test_pl005_future_and_ancient_years() -> None:
    this_year = dt.date.today().year
    f = only(run({"info_year": this_year + 1}), "PL-005")
    assert f.severity is WARNING and f.cells == (ref("info_year"),)
    assert f.found == f"{this_year + 1} 年"
    assert "PL-005" in ids(run({"info_year": 2014}))


def test_pl005_passes_for_past_and_current_years() -> None:
    assert "PL-005" not in ids(run({"info_year": dt.date.today().year}))
    assert "PL-005" not in ids(run({"info_year": 2015}))
    assert "PL-005" not in ids(run())


# --- PL-006 staff -----------------------------------------------------------------------------------------
def test_pl006_zero_authorized_staff() -> None:
    r = run({"bd_authorized_staff": 0})
    f = only(r, "PL-006")
    assert f.severity is WARNING
    assert f.cells == (ref("bd_authorized_staff"), ref("bd_actual_staff"))
    assert "无法计算" in f.message
    assert not {"RATE-001", "RATE-008"} & ids(r)  # one fact, one finding


def test_pl006_more_than_three_times_authorized() -> None:
    # 22 > 3 × 7 = 21
    r = run({"bd_actual_staff": 22, "bd_staff_control_rate": "314.29%"})
    f = only(r, "PL-006")
    assert f.found == "22 人" and "3 倍" in f.message
    assert "RATE-008" not in ids(r)


def test_pl006_passes_up_to_three_times() -> None:
    r = run({"bd_actual_staff": 21, "bd_staff_control_rate": "300%"})  # 21 = 3 × 7: 超编 (RATE-008) only
    assert "PL-006" not in ids(r) and "RATE-008" in ids(r)
    assert "PL-006" not in ids(run())


# --- PL-007 spending without budget ----------------------------------------------------------------------
def test_pl007_zero_budget_with_spending() -> None:
    r = run({"ua_adjusted_budget": 0})
    f = only(r, "PL-007")
    assert f.severity is ERROR
    assert f.cells == (ref("ua_adjusted_budget"), ref("ua_spent"))
    assert "无法计算" in f.message and "266.32" in f.found
    assert not {"RATE-002", "RATE-003", "PL-002"} & ids(r)


def test_pl007_project_with_zero_budget() -> None:
    r = run(projects=project(adjusted_budget=0), project_indicators=PROJECT_INDICATORS)
    f = only(r, "PL-007")
    assert f.cells == (tref(r, PROJ, 0, "adjusted_budget"), tref(r, PROJ, 0, "spent"))


def test_pl007_passes_with_a_budget() -> None:
    assert "PL-007" not in ids(run())


# --- WT-001 执行率分值 -----------------------------------------------------------------------------------
def test_wt001_execution_weight_differs_from_profile() -> None:
    f = only(run({"ua_execution_weight": 20}), "WT-001")
    assert f.severity is ERROR and f.cells == (ref("ua_execution_weight"),)
    assert f.expected == "10 分" and f.found == "20 分"


def test_wt001_follows_the_profile() -> None:
    assert "WT-001" not in ids(run())
    huanggang = replace(
        default_profile(),
        weights={
            "execution": Decimal(20),
            "output": Decimal(40),
            "benefit": Decimal(30),
            "satisfaction": Decimal(10),
        },
    )
    assert "WT-001" not in ids(run({"ua_execution_weight": 20}, profile=huanggang))


# --- WT-002/003/004 level sums ---------------------------------------------------------------------------
def test_wt002_output_weights() -> None:
    # 15 + 10 + 10 + 10 + 10 = 55 vs 50
    r = run(indicators=with_indicator(0, weight=15, score=15))
    f = only(r, "WT-002")
    assert f.severity is ERROR
    assert f.cells == tuple(tref(r, IND, i, "weight") for i in range(5))
    assert f.expected == "50 分" and f.found.startswith("55 分")


def test_wt003_taojiang_benefit_weights_40_against_30(taojiang) -> None:
    # 10 + 10 + 10 + 10 = 40 vs 30
    f = only(taojiang, "WT-003")
    assert f.severity is ERROR
    assert f.cells == tuple(tref(taojiang, IND, i, "weight") for i in range(6, 10))
    assert f.expected == "30 分" and f.found.startswith("40 分")


def test_wt004_satisfaction_weights() -> None:
    # 5 vs 10
    r = run(indicators=with_indicator(8, weight=5, score=5))
    f = only(r, "WT-004")
    assert f.cells == (tref(r, IND, 8, "weight"),)
    assert f.expected == "10 分" and f.found.startswith("5 分")


def test_wt002_003_004_pass_on_clean_and_taojiang_levels(taojiang) -> None:
    assert not {"WT-002", "WT-003", "WT-004"} & ids(run())
    assert not {"WT-002", "WT-004"} & ids(taojiang)  # 10 + 8 × 5 = 50; 10


# --- WT-005 total 100 -----------------------------------------------------------------------------------
def test_wt005_taojiang_weights_add_to_110(taojiang) -> None:
    # 10 + 50 + 40 + 10 = 110
    f = only(taojiang, "WT-005")
    assert f.severity is ERROR
    assert f.expected == "100 分" and f.found == "110 分"
    for part in ("预算执行率 10 分", "产出指标 50 分", "效益指标 40 分", "满意度指标 10 分"):
        assert part in f.message
    assert f.cells[0] == tref(taojiang, IND, 6, "weight")  # the 效益 rows, where the excess is
    assert ref("ua_execution_weight") in f.cells and len(f.cells) == 12


def test_wt005_passes_at_100() -> None:
    assert "WT-005" not in ids(run())


# --- WT-006/007 names ------------------------------------------------------------------------------------
def test_wt006_unknown_level1() -> None:
    r = run(indicators=with_indicator(0, level1="产出类"))
    f = only(r, "WT-006")
    assert f.severity is ERROR and f.cells == (tref(r, IND, 0, "level1"),)
    assert f.found == "产出类" and "产出指标" in f.expected


def test_wt006_accepts_the_seed_spelling(taojiang) -> None:
    assert "WT-006" not in ids(taojiang)  # "产出\n指标\n(50分)" -> 产出指标
    assert "WT-006" not in ids(run())


def test_wt007_level2_of_another_level1() -> None:
    # 成本指标 belongs to 产出指标, not 效益指标
    r = run(indicators=with_indicator(5, level2="成本指标"))
    f = only(r, "WT-007")
    assert f.severity is ERROR
    assert f.cells == (tref(r, IND, 5, "level2"), tref(r, IND, 5, "level1"))
    assert "产出指标" in f.message and f.found == "成本指标" and "社会效益指标" in f.expected


def test_wt007_unknown_level2() -> None:
    f = only(run(indicators=with_indicator(0, level2="效率指标")), "WT-007")
    assert "不是规范" in f.message


def test_wt007_passes(taojiang) -> None:
    assert "WT-007" not in ids(run())
    assert "WT-007" not in ids(taojiang)  # "经济效\n益指标" -> 经济效益指标


# --- WT-008 classification -------------------------------------------------------------------------------
def test_wt008_cost_item_under_ecological_benefit() -> None:
    r = run(
        indicators=with_indicator(
            5, level2="生态效益指标", level3="办公经费支出", target="≤5万元", actual="4万元"
        )
    )
    f = only(r, "WT-008")
    assert f.severity is WARNING
    assert f.cells[0] == tref(r, IND, 5, "level2")
    assert "成本" in f.message and "成本指标" in f.expected and f.found == "效益指标—生态效益指标"


def test_wt008_satisfaction_item_outside_satisfaction() -> None:
    r = run(indicators=with_indicator(5, level3="群众满意度"))
    f = only(r, "WT-008")
    assert "满意度" in f.message and f.expected == "满意度指标—服务对象满意度指标"


def test_wt008_passes_for_rates_about_money_and_well_filed_items(taojiang) -> None:
    rows = with_indicator(3, level3="资金拨付及时率")  # 时效指标: about money, but a timeliness rate
    assert "WT-008" not in ids(run(indicators=rows))
    assert "WT-008" not in ids(run())  # 三公经费控制数 is under 成本指标
    # 桃江's only WT-008 is 机关效能建设 under 生态效益 (a reviewer item): none of its money rows is flagged
    assert [f.message for f in findings_of(taojiang, "WT-008")] == [
        "指标“机关效能建设”列在效益指标—生态效益指标下，但名称中没有与生态有关的内容（如生态、环境、环保、绿色）"
    ]


# --- WT-009 project totals ------------------------------------------------------------------------------
def test_wt009_project_weights_not_100() -> None:
    # 10 + 40 + 30 + 10 = 90
    rows = [dict(r) for r in PROJECT_INDICATORS]
    rows[0].update(weight=40, score=40)
    r = run(projects=project(), project_indicators=rows)
    f = only(r, "WT-009")
    assert f.severity is WARNING
    assert f.cells[0] == tref(r, PROJ, 0, "execution_weight")
    assert tref(r, PIND, 0, "weight") in f.cells
    assert f.expected == "100 分" and f.found == "90 分"


def test_wt009_passes_at_100() -> None:
    # 10 + 50 + 30 + 10 = 100
    assert "WT-009" not in ids(run(projects=project(), project_indicators=PROJECT_INDICATORS))
    assert "WT-009" in run().not_applicable


# --- WT-010 single weights -------------------------------------------------------------------------------
def test_wt010_zero_weight_and_weight_above_the_level() -> None:
    r = run(indicators=with_indicator(0, weight=0, score=0))
    f = only(r, "WT-010")
    assert f.severity is WARNING and f.cells == (tref(r, IND, 0, "weight"),)
    assert f.found == "0 分"
    # 满意度 row weighted 12 > profile 满意度 10
    f = only(run(indicators=with_indicator(8, weight=12, score=12)), "WT-010")
    assert f.expected == "不超过 10 分" and f.found == "12 分"


def test_wt010_passes_on_ordinary_weights() -> None:
    assert "WT-010" not in ids(run())
    assert "WT-010" not in ids(run(projects=project(), project_indicators=PROJECT_INDICATORS))  # 50 ≤ 50
