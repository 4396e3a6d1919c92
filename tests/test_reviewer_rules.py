"""Issue 11, the parts reviewers sign: classification by real wording, scores without a grade when the weights
do not add up, one finding for a swapped year column, the new indicator and 自评预警 rules, and the
"另有 N 条规则因缺少数据未执行" line. Each with a failing case and a true negative, built in memory."""

from __future__ import annotations

from perfeval import catalogue as cat
from perfeval import service
from perfeval.core.findings import Severity
from perfeval.core.pipeline import GRADE_PENDING
from perfeval.core.plan import build_plan
from perfeval.core.profile import default_profile, parse_profile
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of, ids, indicator
from tests.projects import project_tables, project_values

IND = cat.INDICATORS.name
PROJ = cat.PROJECTS.name
PIND = cat.PROJECT_INDICATORS.name


def run(changes: dict | None = None, *, indicators=None, items=None, profile=None, **tables):
    return check(
        {**CLEAN_VALUES, **(changes or {})},
        indicators=CLEAN_INDICATORS if indicators is None else indicators,
        items=CLEAN_ITEMS if items is None else items,
        profile=profile,
        **tables,
    )


def with_row(index: int, **changes) -> list[dict]:
    rows = [dict(r) for r in CLEAN_INDICATORS]
    rows[index].update(changes)
    return rows


def projects(**tables):
    base = project_tables()
    base.update(tables)
    return check(project_values(), projects=base[PROJ], project_indicators=base[PIND])


# --- 1. classification ----------------------------------------------------------------------------------
def test_wt008_compliance_and_approval_are_not_cost() -> None:
    # 资金使用合规性 / 项目审批规范 under 质量指标: about money, not cost (before: WT-008 called them cost)
    for name in ("资金使用合规性", "专项资金审批规范", "经费管理制度执行"):
        assert "WT-008" not in ids(run(indicators=with_row(2, level3=name, target="合规", actual="合规")))


def test_wt008_a_cost_item_under_quality_is_still_flagged() -> None:
    r = run(indicators=with_row(2, level3="培训经费", target="≤5万元", actual="4.8万元"))
    (f,) = findings_of(r, "WT-008")
    assert "成本" in f.message


def test_wt008_safety_rate_is_not_economic_benefit() -> None:
    rows = with_row(7, level3="安全生产事故发生率", target="0", actual="0")
    (f,) = findings_of(run(indicators=rows), "WT-008")
    assert "经济效益" in f.message and "安全" in f.message
    # true negative: an economic indicator that names 安全 beside an economic word
    rows = with_row(7, level3="安全生产减少经济损失", target="≥10万元", actual="12万元")
    assert "WT-008" not in ids(run(indicators=rows))


def test_wt008_office_efficiency_is_not_ecological_benefit() -> None:
    rows = with_row(6, level2="生态效益指标", level3="机关效能建设")
    (f,) = findings_of(run(indicators=rows), "WT-008")
    assert f.severity is Severity.WARNING and "生态" in f.message
    # true negative: an ecological indicator
    rows = with_row(6, level2="生态效益指标", level3="节能环保宣传覆盖面")
    assert "WT-008" not in ids(run(indicators=rows))


def test_classification_words_come_from_the_profile() -> None:
    import tomllib

    from perfeval.core.profile import _shipped_text

    data = tomllib.loads(_shipped_text("default"))
    data["classification"]["strict"] = []
    profile = parse_profile(data)
    rows = with_row(6, level2="生态效益指标", level3="机关效能建设")
    assert "WT-008" not in ids(run(indicators=rows, profile=profile))
    # a profile file without [classification] keeps the built-in words
    del data["classification"]
    assert parse_profile(data).classification == default_profile().classification


# --- 2. scores people can trust ---------------------------------------------------------------------------
def test_summary_has_no_grade_when_the_weights_add_to_110() -> None:
    # 效益 one more row of 10: 110 weights, every score full except 科普队伍建设 9: 10 + 100 − 1 = 109
    rows = [*CLEAN_INDICATORS, indicator("效益指标", "社会效益指标", "科普阵地建设", "2个", "2个", 10, 10)]
    r = run({"ua_total_score": 109}, indicators=rows)
    assert "WT-005" in ids(r)
    assert "总分 109.00（分值合计不是 100 分，等级待定）" in r.summary()
    assert "优" not in r.scope() and r.grade == GRADE_PENDING
    scores = next(s for s in build_plan(r).sheets if s.name == cat.SHEET_SCORES)
    cells = [str(c) for row in scores.rows for c in row]
    assert any("等级（复核）：等级待定" in c for c in cells) and not any(
        "等级（复核）：优" in c for c in cells
    )


def test_summary_keeps_the_grade_at_100() -> None:
    r = run()
    assert r.scope().endswith("总分 99.00，优") and r.grade == "优"


def test_project_summary_has_no_grade_when_its_weights_are_off() -> None:
    tables = project_tables()
    rows = [dict(r) for r in tables[PIND]]
    rows[0].update(weight=40, score=40)  # 科普惠农项目: 10 + 40 + 20 + 30 + 10 = 110
    r = projects(**{PIND: rows})
    assert "科普惠农项目 110.00 分（分值合计不是 100 分，等级待定）" in r.scope()
    assert r.project_scores()[0][2] == GRADE_PENDING and r.project_scores()[1][2] == "优"


# --- 3. one root, one finding -------------------------------------------------------------------------
def test_a_swapped_year_column_is_one_finding() -> None:
    # 附件1 项目支出 上年 158.68 (= 附件2 项目支出) and 本年 99.18; the 明细 keep the true columns
    r = run({"bd_project_prior_actual": 158.68, "bd_project_current_actual": 99.18})
    (f,) = findings_of(r, "PL-004")
    assert "XT-001" in f.message and "SUM-003" in f.message
    assert "XT-001" not in ids(r) and "SUM-003" not in ids(r)


def test_a_wrong_actual_below_the_budget_is_not_a_swap() -> None:
    # 附件1 基本支出 本年决算 100 < 本年预算 107.64 (= 附件2): a wrong figure, XT-002 says so, PL-004 does not
    r = run({"bd_basic_current_actual": 100})
    assert "XT-002" in ids(r) and "PL-004" not in ids(r)


def test_sum003_still_reports_a_wrong_item_total() -> None:
    items = [dict(i) for i in CLEAN_ITEMS]
    items[0]["current_actual"] = 40  # 40 + 50.68 + 60 = 150.68 ≠ 158.68, no swap
    assert "SUM-003" in ids(run(items=items))


# --- 4. new rules ------------------------------------------------------------------------------------
def test_wt013_the_same_indicator_twice() -> None:
    rows = with_row(1, level3="开展科普活动次数", target="≥8次", actual="8次")
    (f,) = findings_of(run(indicators=rows), "WT-013")
    assert f.severity is Severity.WARNING and "2 次" in f.message
    assert "WT-013" not in ids(run())


def test_wt013_counts_each_project_on_its_own() -> None:
    tables = project_tables()
    rows = [dict(r) for r in tables[PIND]]
    rows[4]["level3"] = "开展科普惠农培训次数"  # the same name in the other project: not a duplicate
    assert "WT-013" not in ids(projects(**{PIND: rows}))


def test_wt014_execution_rate_again_as_an_indicator() -> None:
    rows = with_row(3, level3="预算执行率", target="≥90%", actual="100%")
    (f,) = findings_of(run(indicators=rows), "WT-014")
    assert "低于 100%" in f.message
    # a part of the budget is not the rate scored above it
    assert "WT-014" not in ids(
        run(indicators=with_row(3, level3="项目支出执行率", target="≥90%", actual="100%"))
    )
    assert "WT-014" not in ids(run())


def test_pl020_budget_completion_contradicts_the_execution_rate() -> None:
    # 全年执行数 229.04 of 266.32 = 86.00 %; the indicator says 100 %
    changes = {"ua_spent": 229.04, "ua_execution_rate": 0.86, "ua_execution_score": 8.6, "ua_general_budget": 229.04,
               "ua_project_expenditure": 121.40, "bd_project_current_actual": 121.40}  # fmt: skip
    rows = with_row(3, level3="预算完成率", target="100%", actual="100%")
    (f,) = findings_of(run(changes, indicators=rows), "PL-020")
    assert "86.00%" in f.message
    # true negatives: 86 % typed, or the rate on 年初预算 (229.04 ÷ 229.04)
    assert "PL-020" not in ids(
        run(changes, indicators=with_row(3, level3="预算完成率", target="100%", actual="86%"))
    )
    assert "PL-020" not in ids(run({**changes, "ua_initial_budget": 229.04}, indicators=rows))


def test_pl020_funds_arrival_below_spending() -> None:
    rows = with_row(3, level3="资金到位率", target="100%", actual="80%")
    assert "PL-020" in ids(run(indicators=rows))
    assert "PL-020" not in ids(run(indicators=with_row(3, level3="资金到位率", target="100%", actual="100%")))


def test_pl021_red_warning_when_scores_run_ahead_of_spending() -> None:
    # 执行 80 %: 8 of 10; indicators 89 of 90: (98.89 % − 80 %) ÷ 98.89 % = 19.10 % > 5 %
    changes = {"ua_spent": 213.056, "ua_execution_rate": 0.8, "ua_execution_score": 8, "ua_total_score": 97,
               "ua_general_budget": 213.056, "ua_project_expenditure": 105.416,
               "bd_project_current_actual": 105.416}  # fmt: skip
    r = run(changes)
    (f,) = findings_of(r, "PL-021")
    assert f.severity is Severity.WARNING and "19.10%" in f.message and "红色预警" in f.message
    assert "PL-021" not in ids(run())  # 100 % spent, 89 of 90


def test_pl022_yellow_warning_when_more_than_a_fifth_is_unspent() -> None:
    changes = {"ua_spent": 200, "ua_execution_rate": 0.751, "ua_execution_score": 7.51}
    (f,) = findings_of(run(changes), "PL-022")
    assert f.severity is Severity.INFO and "黄色预警" in f.message
    assert "PL-022" not in ids(run())


def test_pl023_red_warning_per_project() -> None:
    # 基层科协组织建设 spending 18 of 20: 90 %, 9 of 10; indicators 86 of 90 (95.56 %):
    # (95.56 % − 90 %) ÷ 95.56 % = 5.81 % > 5 %. The fixture's 19 of 20 (95 %) is a 0.58 % gap: quiet.
    rows = [dict(p) for p in project_tables()[PROJ]]
    rows[1].update(spent=18, fiscal_spent=13, execution_rate=0.9, execution_score=9, total_score=95)
    r = projects(**{PROJ: rows})
    (f,) = findings_of(r, "PL-023")
    assert f.severity is Severity.WARNING
    assert "基层科协组织建设" in f.message and "5.81%" in f.message and "红色预警" in f.message
    assert str(f.cells[0]) == "项目支出自评!I6"  # its execution score, then the indicator scores
    assert "PL-023" not in ids(projects())
    # Weights other than the profile's (执行率 20): WT-011 says so, and the red warning stays silent.
    rows[1].update(execution_weight=20)
    assert "PL-023" not in ids(projects(**{PROJ: rows}))


def test_pl024_yellow_warning_per_project() -> None:
    tables = project_tables()
    rows = [dict(p) for p in tables[PROJ]]
    rows[1].update(spent=15, fiscal_spent=10, execution_rate=0.75, execution_score=7.5)
    r = projects(**{PROJ: rows})
    (f,) = findings_of(r, "PL-024")
    assert "基层科协组织建设" in f.message
    assert "PL-024" not in ids(projects())


# --- 5. the "缺少数据" line ------------------------------------------------------------------------------
def test_unused_parts_of_the_form_are_not_missing_data() -> None:
    # The clean workbook has no 楼堂馆所 ("无"), no 公务用车 rows and no 编制 classes: nothing a user could give
    r = run({"info_staff_admin": None})
    skipped = service.skipped_rules(r)
    assert {"RATE-004", "SUM-002", "XT-004"} <= set(skipped.missing_data)
    assert skipped.could_give(r.model) == {}


def test_a_blank_cell_beside_a_filled_one_is_missing_data() -> None:
    r = run({"bd_procurement_current_budget": None})
    assert "RATE-014" in service.skipped_rules(r).could_give(r.model)
