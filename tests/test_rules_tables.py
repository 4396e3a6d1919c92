"""Rules on the tables: parsing (PARSE), completeness (CMP), sums (SUM) and cross-sheet consistency (XT).

Each rule: a failing case (id, severity, cells, the numbers in expected/found) and a passing case.
Numbers are changed one at a time on the CLEAN workbook of tests/builders.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from perfeval import catalogue as cat
from perfeval.core.findings import Finding, Severity
from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.profile import default_profile
from perfeval.core.rules import REGISTRY
from perfeval.core.rules.consistency import name_key
from perfeval.core.snapshot import CellRef
from tests.builders import (
    CLEAN_INDICATORS,
    CLEAN_ITEMS,
    CLEAN_VALUES,
    check,
    findings_of,
    ids,
    indicator,
    snapshot,
)

MY_RULES = {
    **{f"PARSE-00{i}": None for i in range(1, 5)},
    **{f"CMP-{i:03}": None for i in range(1, 16)},
    **{f"SUM-00{i}": None for i in range(1, 8)},
    **{f"XT-00{i}": None for i in range(1, 7)},
}
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

IND, PROJ, PIND, ITEMS = (
    cat.INDICATORS.name,
    cat.PROJECTS.name,
    cat.PROJECT_INDICATORS.name,
    cat.PROJECT_ITEMS.name,
)


# --- helpers --------------------------------------------------------------------------------------------


def ref(name: str) -> CellRef:
    f = cat.field(name)
    return CellRef(f.sheet, f.cell)


def tref(table: str, index: int, key: str) -> CellRef:
    spec = cat.TABLES[table]
    place = cat.table_placement(spec)
    return CellRef(spec.sheet, f"{place.letters[key]}{place.header_row + 1 + index}")


def clean(
    indicators: list[dict[str, object]] | None = None,
    items: list[dict[str, object]] | None = None,
    **changes: object,
) -> CheckResult:
    """The CLEAN workbook with some cells changed (None blanks a cell)."""
    return check(
        {**CLEAN_VALUES, **changes},
        indicators=CLEAN_INDICATORS if indicators is None else indicators,
        items=CLEAN_ITEMS if items is None else items,
    )


def with_projects(projects, project_indicators=(), items=None, **changes) -> CheckResult:
    return check(
        {**CLEAN_VALUES, **changes},
        indicators=CLEAN_INDICATORS,
        items=CLEAN_ITEMS if items is None else items,
        projects=list(projects),
        project_indicators=list(project_indicators),
    )


def project(name: str, spent: object = 50.68, budget: object = 50.68) -> dict[str, object]:
    return dict(
        name=name,
        initial_budget=budget,
        adjusted_budget=budget,
        spent=spent,
        execution_weight=10,
        execution_rate=1,
        execution_score=10,
        total_score=100,
    )


def project_indicator(name: str, **kw: object) -> dict[str, object]:
    return {"project": name, **indicator("产出指标", "数量指标", "开展活动次数", "8次", "8次", 90, 90, **kw)}


def one(result: CheckResult, rule_id: str, severity: Severity) -> Finding:
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.text() for f in found]
    assert found[0].severity is severity
    return found[0]


# --- the registry and the CLEAN workbook -----------------------------------------------------------------


def test_all_my_rules_are_registered_with_chinese_descriptions() -> None:
    for rule_id in MY_RULES:
        r = REGISTRY[rule_id]
        assert r.title and r.description, rule_id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.description), rule_id
        assert "\n" not in r.description, rule_id  # printed in one cell of 审核公式


def test_clean_workbook_fires_none_of_my_rules() -> None:
    r = clean()
    assert ids(r) & set(MY_RULES) == set(), [f.text() for f in r.findings if f.rule_id in MY_RULES]


def test_clean_workbook_with_matching_projects_fires_none_of_my_rules() -> None:
    # 科学技术普及 50.68 + 专家工作站建设补助 60 + 业务工作经费 48 = 158.68 = 附件2 项目支出全年执行数
    r = with_projects(
        [project("科学技术普及"), project("专家工作站建设补助", 60, 60), project("业务工作经费", 48, 48)],
        [
            project_indicator("科学技术普及"),
            project_indicator("专家工作站建设补助"),
            project_indicator("业务工作经费"),
        ],
    )
    assert ids(r) & set(MY_RULES) == set(), [f.text() for f in r.findings if f.rule_id in MY_RULES]


# --- PARSE ------------------------------------------------------------------------------------------------


def test_parse_001_text_in_an_amount_cell() -> None:
    f = one(clean(bd_tpc_current_actual="见附表"), "PARSE-001", ERROR)
    assert f.cells == (ref("bd_tpc_current_actual"),)
    assert "不是数字" in f.message and "万元" in f.message
    assert f.found == "见附表"


def test_parse_001_one_finding_per_table_cell() -> None:
    rows = [dict(CLEAN_INDICATORS[0], weight="十分"), *CLEAN_INDICATORS[1:]]
    items = [dict(CLEAN_ITEMS[0], current_actual="待定"), *CLEAN_ITEMS[1:]]
    r = check(
        CLEAN_VALUES,
        indicators=rows,
        items=items,
        projects=[dict(project("科学技术普及"), execution_rate="全部完成")],
        project_indicators=[project_indicator("科学技术普及")],
    )
    cells = {f.cells for f in findings_of(r, "PARSE-001")}
    assert cells == {
        (tref(IND, 0, "weight"),),
        (tref(ITEMS, 0, "current_actual"),),
        (tref(PROJ, 0, "execution_rate"),),
    }
    weight = next(f for f in findings_of(r, "PARSE-001") if f.cells == (tref(IND, 0, "weight"),))
    assert "阿拉伯数字" in weight.message and "开展科普活动次数" in weight.message


def test_parse_001_an_approximate_amount_is_reported_not_taken_as_exact() -> None:
    rows = [dict(CLEAN_INDICATORS[0], target="约10个"), *CLEAN_INDICATORS[1:]]  # a target may be approximate
    r = clean(rows, bd_tpc_current_actual="约1.5")
    f = one(r, "PARSE-001", ERROR)
    assert f.cells == (ref("bd_tpc_current_actual"),)
    assert "约数" in f.message and "准确" in f.message and f.found == "约1.5"
    assert r.model.num("bd_tpc_current_actual") is None  # left out of every sum, not read as 1.5


def test_parse_001_passes_text_targets_and_explicit_none() -> None:
    # 持续规范 in 年度指标值 is a qualitative indicator; 无 in 批复规模 says there is no building.
    r = clean(bd_building_approved_area="无", info_year="2023年")
    assert not findings_of(r, "PARSE-001")


def test_parse_002_excel_errors_in_numbers_text_and_tables() -> None:
    rows = [dict(CLEAN_INDICATORS[0], level3="#N/A"), *CLEAN_INDICATORS[1:]]
    r = clean(indicators=rows, ua_spent="#DIV/0!", info_overview="#REF!")
    found = {f.cells[0]: f for f in findings_of(r, "PARSE-002")}
    assert set(found) == {ref("ua_spent"), ref("info_overview"), tref(IND, 0, "level3")}
    assert all(f.severity is ERROR for f in found.values())
    assert found[ref("ua_spent")].found == "#DIV/0!"
    assert not findings_of(r, "PARSE-001")  # an error value is not also "unreadable"


def test_parse_002_passes_clean() -> None:
    assert not findings_of(clean(), "PARSE-002")


def test_parse_003_amount_typed_in_yuan() -> None:
    # 13000 元 = 13000 / 10000 = 1.30 万元, which equals 公务接待 1.30: the sum still holds.
    r = clean(bd_tpc_current_actual="13000元")
    f = one(r, "PARSE-003", INFO)
    assert f.cells == (ref("bd_tpc_current_actual"),)
    assert f.expected == "1.30 万元" and f.found == "13000元"
    assert "万元" in f.advice
    assert not findings_of(r, "SUM-001")


def test_parse_003_passes_amount_in_wan() -> None:
    assert not findings_of(clean(bd_tpc_current_actual="1.30万元"), "PARSE-003")


def test_parse_004_bare_rate_read_as_percent() -> None:
    # 100 > 3, so it is 100% (a fraction of 100 = 10000% nobody means).
    f = one(clean(ua_execution_rate=100), "PARSE-004", INFO)
    assert f.cells == (ref("ua_execution_rate"),)
    assert f.expected == "100.00%" and f.found == "100"


@pytest.mark.parametrize("rate", ["100%", 1, 0.95])
def test_parse_004_passes_percent_and_fraction(rate: object) -> None:
    assert not findings_of(clean(ua_execution_rate=rate), "PARSE-004")


# --- CMP ----------------------------------------------------------------------------------------------------


def _run_missing(names: tuple[str, ...], tables: tuple[str, ...] = ()) -> CheckResult:
    values = {k: v for k, v in CLEAN_VALUES.items() if k not in names}  # the reader gives None for them
    snap = snapshot(values, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    snap = replace(
        snap,
        cells={k: v for k, v in snap.cells.items() if k not in names},
        tables={k: v for k, v in snap.tables.items() if k not in tables},
        missing_names=names,
        missing_tables=tables,
    )
    return run_check(snap, default_profile())


def test_cmp_001_whole_sheet_missing() -> None:
    names = tuple(f.name for f in cat.fields().values() if f.sheet == cat.SHEET_BASIC)
    r = _run_missing(names, (ITEMS,))
    f = one(r, "CMP-001", ERROR)
    assert f.cells == (CellRef(cat.SHEET_BASIC, "A1"),)
    assert "工作表“附件1”" in f.message and "perfeval new" in f.advice
    # the blanks of a missing sheet are not reported again as blanks
    assert not findings_of(r, "CMP-009") and not findings_of(r, "CMP-014")


def test_cmp_001_some_names_missing() -> None:
    r = _run_missing(("ua_grade", "ua_total_score_calc"))
    f = one(r, "CMP-001", ERROR)
    assert f.cells == (CellRef(cat.SHEET_UNIT, "A1"),)
    assert "ua_grade" in f.message and "ua_total_score_calc" in f.message
    assert f.found == "缺少 2 个"
    assert not findings_of(r, "CMP-006")  # reported as missing, not as blank


def test_cmp_001_passes_clean() -> None:
    assert not findings_of(clean(), "CMP-001")


def test_cmp_002_unit_name_and_year() -> None:
    f = one(clean(info_unit_name=None, info_year=None), "CMP-002", ERROR)
    assert f.cells == (ref("info_unit_name"), ref("info_year"))
    assert "单位名称" in f.message and "年度" in f.message


def test_cmp_003_budget_totals_listed_in_one_finding() -> None:
    f = one(clean(ua_adjusted_budget=None, ua_spent="无"), "CMP-003", ERROR)
    assert f.cells == (ref("ua_adjusted_budget"), ref("ua_spent"))
    assert "全年预算数" in f.message and "全年执行数" in f.message


def test_cmp_004_execution_rate_blank() -> None:
    f = one(clean(ua_execution_rate=None), "CMP-004", ERROR)
    assert f.cells == (ref("ua_execution_rate"),)


def test_cmp_005_total_score_blank() -> None:
    f = one(clean(ua_total_score=None), "CMP-005", ERROR)
    assert f.cells == (ref("ua_total_score"),)


def test_cmp_006_grade_blank_suggests_the_grade() -> None:
    # 复核总分: 执行率得分 10 + 8 × 10 + 9 = 99 -> 优 (≥ 90)
    f = one(clean(ua_grade=None), "CMP-006", WARNING)
    assert f.cells == (ref("ua_grade"),)
    assert "“优”" in f.advice


def test_cmp_007_no_indicators() -> None:
    f = one(clean(indicators=[]), "CMP-007", ERROR)
    assert f.cells == (tref(IND, 0, "level1"),)
    assert f.found == "0 行"


def test_cmp_008_indicator_row_missing_columns() -> None:
    rows = [*CLEAN_INDICATORS[:2], dict(CLEAN_INDICATORS[2], level2=None, score=None), *CLEAN_INDICATORS[3:]]
    f = one(clean(indicators=rows), "CMP-008", ERROR)
    assert f.cells == (tref(IND, 2, "level2"), tref(IND, 2, "score"))
    assert "二级指标、自评得分" in f.message and "活动验收合格率" in f.message


def test_cmp_008_project_indicator_without_project_name() -> None:
    r = with_projects([project("科学技术普及")], [project_indicator("科学技术普及"), project_indicator("")])
    f = one(r, "CMP-008", ERROR)
    assert f.cells == (tref(PIND, 1, "project"),)
    assert not findings_of(r, "CMP-013")  # a blank name is not an unknown name


def test_cmp_008_passes_clean() -> None:
    assert not findings_of(clean(), "CMP-008")


def test_cmp_009_staff_blank() -> None:
    f = one(clean(bd_actual_staff=None), "CMP-009", ERROR)
    assert f.cells == (ref("bd_actual_staff"),)


def test_cmp_010_expense_split_blank() -> None:
    r = clean(ua_basic_expenditure=None, ua_project_expenditure="无")
    f = one(r, "CMP-010", WARNING)
    assert f.cells == (ref("ua_basic_expenditure"), ref("ua_project_expenditure"), ref("ua_spent"))
    assert "266.32" in f.message and "全年执行数" in f.message
    assert not findings_of(r, "SUM-006")  # nothing typed to add up


def test_cmp_010_one_split_typed_is_a_sum_problem_not_a_blank() -> None:
    r = clean(ua_basic_expenditure=None)
    assert not findings_of(r, "CMP-010")
    assert findings_of(r, "SUM-006")


def test_cmp_011_no_goals_at_all() -> None:
    f = one(clean(ua_goal_expected_1=None, ua_goal_actual_1=None), "CMP-011", WARNING)
    assert f.cells == (ref("ua_goal_expected_1"), ref("ua_goal_actual_1"))


def test_cmp_011_goal_without_its_actual() -> None:
    f = one(clean(ua_goal_expected_2="培训 2 次"), "CMP-011", WARNING)
    assert f.cells == (ref("ua_goal_actual_2"), ref("ua_goal_expected_2"))


def test_cmp_012_project_without_indicators() -> None:
    f = one(with_projects([project("科学技术普及")]), "CMP-012", WARNING)
    assert f.cells == (tref(PROJ, 0, "name"),)
    assert "科学技术普及" in f.message


def test_cmp_012_passes_with_indicators() -> None:
    r = with_projects([project("科学技术普及")], [project_indicator("科学技术普及")])
    assert not findings_of(r, "CMP-012")


def test_cmp_013_project_indicator_names_no_project() -> None:
    r = with_projects(
        [project("科学技术普及")],
        [
            project_indicator("科学技术普及"),
            project_indicator("科学技朮普及"),
            project_indicator("科学技朮普及"),
        ],
    )
    f = one(r, "CMP-013", ERROR)
    assert f.cells == (tref(PIND, 1, "project"), tref(PIND, 2, "project"))  # one finding for the name
    assert "2 行" in f.message and "是否应为“科学技术普及”" in f.message
    assert f.found == "“科学技朮普及”" and "科学技术普及" in f.expected


def test_cmp_013_passes_with_matching_names() -> None:
    r = with_projects([project("科学技术普及")], [project_indicator("科学技术普及")])
    assert not findings_of(r, "CMP-013")


def test_cmp_014_frugality_measures_blank() -> None:
    f = one(clean(bd_frugality_measures=None), "CMP-014", INFO)
    assert f.cells == (ref("bd_frugality_measures"),)


def test_cmp_015_required_report_texts_in_one_finding() -> None:
    f = one(clean(info_duties=None, info_improvements="  "), "CMP-015", WARNING)
    assert f.cells == (ref("info_duties"), ref("info_improvements"))
    assert "主要职责" in f.message and "改进措施" in f.message


def test_cmp_015_optional_texts_may_stay_blank() -> None:
    assert not findings_of(clean(info_problems=None, info_departments=None), "CMP-015")


@pytest.mark.parametrize("rule_id", ["CMP-002", "CMP-003", "CMP-004", "CMP-005", "CMP-006", "CMP-007"])
def test_cmp_single_cells_pass_clean(rule_id: str) -> None:
    assert not findings_of(clean(), rule_id)


@pytest.mark.parametrize("rule_id", ["CMP-009", "CMP-010", "CMP-011", "CMP-014", "CMP-015"])
def test_cmp_blocks_pass_clean(rule_id: str) -> None:
    assert not findings_of(clean(), rule_id)


# --- SUM ----------------------------------------------------------------------------------------------------


def test_sum_001_three_public_costs_total() -> None:
    # 公务用车 (空) + 出国 (空) + 公务接待 1.30 = 1.30; typed 9.00; 9.00 − 1.30 = 7.70
    f = one(clean(bd_tpc_current_actual=9), "SUM-001", ERROR)
    assert f.cells == (
        ref("bd_tpc_current_actual"),
        ref("bd_car_current_actual"),
        ref("bd_abroad_current_actual"),
        ref("bd_reception_current_actual"),
    )
    assert f.expected == "1.30 万元" and f.found == "9.00 万元"
    assert "7.70 万元" in f.message and "本年决算数" in f.message


def test_sum_001_passes_within_tolerance_and_without_items() -> None:
    # 1.305 − 1.30 = 0.005 ≤ 0.01
    assert not findings_of(clean(bd_tpc_current_actual=1.305), "SUM-001")
    # no item typed in any column: nothing to add up
    r = clean(
        bd_reception_prior_actual=None, bd_reception_current_budget=None, bd_reception_current_actual=None
    )
    assert not findings_of(r, "SUM-001")
    assert "SUM-001" in r.not_applicable


def test_sum_002_car_costs_total() -> None:
    # 公车购置 0.50 + 公车运行维护 1.00 = 1.50; typed 2.00. 三公 3.30 = 2.00 + 1.30 keeps SUM-001 quiet.
    r = clean(
        bd_car_current_actual=2,
        bd_car_purchase_current_actual=0.5,
        bd_car_operation_current_actual=1,
        bd_tpc_current_actual=3.30,
    )
    f = one(r, "SUM-002", ERROR)
    assert f.cells == (
        ref("bd_car_current_actual"),
        ref("bd_car_purchase_current_actual"),
        ref("bd_car_operation_current_actual"),
    )
    assert f.expected == "1.50 万元" and f.found == "2.00 万元"
    assert not findings_of(r, "SUM-001")


def test_sum_002_passes_when_parts_add_up() -> None:
    # 0.50 + 1.00 = 1.50; 三公 1.50 + 1.30 = 2.80
    r = clean(
        bd_car_current_actual=1.5,
        bd_car_purchase_current_actual=0.5,
        bd_car_operation_current_actual=1,
        bd_tpc_current_actual=2.80,
    )
    assert not findings_of(r, "SUM-002") and not findings_of(r, "SUM-001")


def test_sum_003_project_total_against_items() -> None:
    # 上年决算: 66.55 + 32.63 + 0 = 99.18; typed 100.00; 100 − 99.18 = 0.82
    f = one(clean(bd_project_prior_actual=100), "SUM-003", ERROR)
    assert f.cells == (
        ref("bd_project_prior_actual"),
        tref(ITEMS, 0, "prior_actual"),
        tref(ITEMS, 1, "prior_actual"),
        tref(ITEMS, 2, "prior_actual"),
    )
    assert f.expected == "99.18 万元" and f.found == "100.00 万元"
    assert "0.82 万元" in f.message


def test_sum_003_passes_clean() -> None:
    assert not findings_of(clean(), "SUM-003")


def test_sum_004_public_parts_exceed_total() -> None:
    # 办公 15 + 水电差旅 5 + 会议培训 3 = 23 > 公用经费 18.47; 23 − 18.47 = 4.53
    f = one(clean(bd_office_current_actual=15), "SUM-004", ERROR)
    assert f.cells == (
        ref("bd_public_current_actual"),
        ref("bd_office_current_actual"),
        ref("bd_utilities_travel_current_actual"),
        ref("bd_meeting_training_current_actual"),
    )
    assert f.expected == "不超过 18.47 万元" and f.found == "23.00 万元"
    assert "4.53 万元" in f.message


def test_sum_004_parts_may_be_less_or_equal() -> None:
    # 10.47 + 5 + 3 = 18.47 = 公用经费: a subset may reach the total, not exceed it
    assert not findings_of(clean(bd_office_current_actual=10.47), "SUM-004")
    assert not findings_of(clean(), "SUM-004")  # 10 + 5 + 3 = 18 < 18.47


def test_sum_005_income_split() -> None:
    # 一般公共预算 200 + 其他 (空) = 200 against 全年执行数 = 全年预算数 = 266.32; 266.32 − 200 = 66.32
    f = one(clean(ua_general_budget=200), "SUM-005", ERROR)
    assert f.cells[:2] == (ref("ua_spent"), ref("ua_adjusted_budget"))
    assert set(f.cells[2:]) == {ref(f"ua_{k}") for k, _ in cat.INCOME_SPLITS}
    assert f.expected == "266.32 万元" and f.found == "200.00 万元"
    assert "66.32 万元" in f.message and "全年执行数、全年预算数" in f.message


def test_sum_005_passes_with_several_sources() -> None:
    # 200 + 66.32 = 266.32; 无 counts as nothing
    r = clean(ua_general_budget=200, ua_gov_fund=66.32, ua_other_funds="无")
    assert not findings_of(r, "SUM-005")


def test_sum_006_expense_split() -> None:
    # 基本 107.64 + 项目 150 = 257.64 against 266.32; 266.32 − 257.64 = 8.68
    f = one(clean(ua_project_expenditure=150), "SUM-006", ERROR)
    assert f.cells == (
        ref("ua_spent"),
        ref("ua_adjusted_budget"),
        ref("ua_basic_expenditure"),
        ref("ua_project_expenditure"),
    )
    assert f.expected == "266.32 万元" and f.found == "257.64 万元"
    assert "8.68 万元" in f.message


def test_sum_006_passes_clean() -> None:
    assert not findings_of(clean(), "SUM-006")  # 107.64 + 158.68 = 266.32


def test_sum_007_typed_total_against_typed_scores() -> None:
    # 执行率得分 10 + 8 × 10 + 9 = 99; typed 100
    f = one(clean(ua_total_score=100), "SUM-007", ERROR)
    assert f.cells[:2] == (ref("ua_total_score"), ref("ua_execution_score"))
    assert f.cells[2:] == tuple(tref(IND, i, "score") for i in range(len(CLEAN_INDICATORS)))
    assert f.expected == "99.00 分" and f.found == "100.00 分"


def test_sum_007_taojiang_types_100_while_rows_add_to_110() -> None:
    # seed 000: 执行率 10 + 产出 10+8+8+8+8+8 = 50 + 效益 4 × 10 = 40 + 满意度 10 = 110; typed 100
    scores = [10, 8, 8, 8, 8, 8, 10, 10, 10, 10, 10]
    rows = [indicator(level3=f"指标{i}", weight=s, score=s) for i, s in enumerate(scores)]
    f = one(clean(indicators=rows, ua_total_score=100), "SUM-007", ERROR)
    assert f.expected == "110.00 分" and f.found == "100.00 分"
    assert "10 分" in f.message


def test_sum_007_passes_and_is_not_applicable_with_a_blank_score() -> None:
    assert not findings_of(clean(), "SUM-007")  # 10 + 89 = 99
    rows = [dict(CLEAN_INDICATORS[0], score=None), *CLEAN_INDICATORS[1:]]
    r = clean(indicators=rows, ua_total_score=100)
    assert not findings_of(r, "SUM-007")
    assert "自评得分" in r.not_applicable["SUM-007"]  # CMP-008 reports the blank


# --- XT -----------------------------------------------------------------------------------------------------


def test_xt_001_project_spending_between_forms() -> None:
    # 附件2 项目支出 150.00 against 附件1 158.68; 158.68 − 150 = 8.68
    f = one(clean(ua_project_expenditure=150, ua_basic_expenditure=116.32), "XT-001", ERROR)
    assert f.cells == (ref("bd_project_current_actual"), ref("ua_project_expenditure"))
    assert f.found == "158.68 万元" and "150.00 万元" in f.expected
    assert "8.68 万元" in f.message


def test_xt_001_passes_clean() -> None:
    assert not findings_of(clean(), "XT-001")


def test_xt_002_basic_spending_between_forms() -> None:
    # 附件1 100.00 against 附件2 107.64; 107.64 − 100 = 7.64
    f = one(clean(bd_basic_current_actual=100), "XT-002", ERROR)
    assert f.cells == (ref("bd_basic_current_actual"), ref("ua_basic_expenditure"))
    assert f.found == "100.00 万元" and "107.64 万元" in f.expected
    assert "7.64 万元" in f.message


def test_xt_002_passes_clean() -> None:
    assert not findings_of(clean(), "XT-002")


def test_xt_003_project_table_total() -> None:
    # 100 + 50 = 150 against 附件2 项目支出 158.68; 158.68 − 150 = 8.68
    r = with_projects([project("业务工作经费", 100, 100), project("科学技术普及", 50, 50)])
    f = one(r, "XT-003", WARNING)
    assert f.cells == (ref("ua_project_expenditure"), tref(PROJ, 0, "spent"), tref(PROJ, 1, "spent"))
    assert f.expected == "158.68 万元" and f.found == "150.00 万元"
    assert "主要项目" in f.advice


def test_xt_003_passes_when_projects_add_up() -> None:
    # 100 + 58.68 = 158.68
    r = with_projects([project("业务工作经费", 100, 100), project("科学技术普及", 58.68, 58.68)])
    assert not findings_of(r, "XT-003")
    assert "XT-003" in clean().not_applicable  # no project listed


def test_xt_004_staff_classes_against_authorized() -> None:
    # 行政 7 + 事业 1 = 8 against 编制数 7
    f = one(clean(info_staff_institution=1), "XT-004", ERROR)
    assert f.cells == (ref("info_staff_admin"), ref("info_staff_institution"), ref("bd_authorized_staff"))
    assert f.expected == "7 人" and f.found == "8 人"


def test_xt_004_passes_clean() -> None:
    assert not findings_of(clean(), "XT-004")  # 行政 7 = 编制 7


def test_xt_005_project_not_in_items() -> None:
    r = with_projects([project("信息化建设")], [project_indicator("信息化建设")])
    f = one(r, "XT-005", INFO)
    assert f.cells == (tref(PROJ, 0, "name"),)
    assert "信息化建设" in f.message and "科学技术普及" in f.expected


def test_xt_005_matches_ignoring_numbering_punctuation_and_containment() -> None:
    names = ["2、科学技术普及", "专家工作站建设补助项目", "业务 工作经费"]
    assert name_key("2、科学技术普及") == name_key("科学技术普及")
    r = with_projects([project(n) for n in names], [project_indicator(n) for n in names])
    assert not findings_of(r, "XT-005")


def test_xt_006_project_spent_against_item() -> None:
    # 项目 45.00 against 明细 科学技术普及 本年决算 50.68; 50.68 − 45 = 5.68
    r = with_projects([project("科学技术普及", 45)], [project_indicator("科学技术普及")])
    f = one(r, "XT-006", WARNING)
    assert f.cells == (tref(PROJ, 0, "spent"), tref(ITEMS, 1, "current_actual"))
    assert f.found == "45.00 万元" and "50.68 万元" in f.expected
    assert "5.68 万元" in f.message


def test_xt_006_passes_when_amounts_agree() -> None:
    r = with_projects([project("科学技术普及", 50.68)], [project_indicator("科学技术普及")])
    assert not findings_of(r, "XT-006")
