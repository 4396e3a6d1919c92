"""SCORE- (scoring), DEV- (deviation notes) and TXT- (report text against the tables) rules."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.profile import default_profile
from perfeval.core.snapshot import CellRef
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of, ids, indicator

MY_PREFIXES = ("SCORE-", "DEV-", "TXT-")


def fref(name: str) -> CellRef:
    f = cat.field(name)
    return CellRef(f.sheet, f.cell)


def tref(index: int, key: str, table: str = cat.INDICATORS.name) -> CellRef:
    spec = cat.TABLES[table]
    place = cat.table_placement(spec)
    return CellRef(spec.sheet, f"{place.letters[key]}{place.header_row + 1 + index}")


def rows(**changes: dict[str, object]) -> list[dict[str, object]]:
    """CLEAN_INDICATORS with some rows changed: rows(r0={"actual": "7次"})."""
    out = [dict(r) for r in CLEAN_INDICATORS]
    for key, change in changes.items():
        out[int(key[1:])].update(change)
    return out


def run(values: dict[str, object] | None = None, indicators: list[dict[str, object]] | None = None, **kw):
    return check(
        {**CLEAN_VALUES, **(values or {})},
        indicators=CLEAN_INDICATORS if indicators is None else indicators,
        items=CLEAN_ITEMS,
        **kw,
    )


def only(result, rule_id: str):
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.text() for f in found]
    return found[0]


def mine(result) -> set[str]:
    return {i for i in ids(result) if i.startswith(MY_PREFIXES)}


def test_clean_fires_none_of_these_rules():
    r = run()
    assert mine(r) == set(), [f.text() for f in r.findings if f.rule_id.startswith(MY_PREFIXES)]


def test_cell_helpers_match_the_template():
    # 附件2 indicator table: header on row 29, first data row 30; 自评得分 is column I.
    assert tref(0, "score") == CellRef("附件2", "I30")
    assert fref("bd_authorized_staff") == CellRef("附件1", "B4")


# --- SCORE-001 / SCORE-002: typed score against the recomputed one ---
@pytest.mark.parametrize(
    ("target", "actual", "weight", "direction", "expected"),
    [
        ("10个", "7个", 10, "", "7.00"),  # 正向 shortfall: 7 ÷ 10 × 10 = 7.00
        ("≤10", "13", 8, "反向", "5.60"),  # 反向 between 10 and 20: (1 − (13 − 10) ÷ 10) × 8 = 0.7 × 8 = 5.60
        ("≤10", "20", 8, "反向", "0.00"),  # 反向 at 2 × target: 0
        ("3个", "2个", 10, "", "6.67"),  # 2 ÷ 3 × 10 = 6.666… -> 6.67 (half-up)
        ("=5", "4", 10, "定值", "0.00"),  # 定值 not met: 0
    ],
)
def test_score001_typed_score_differs_from_recomputed(target, actual, weight, direction, expected):
    row = indicator("产出指标", "数量指标", "开展活动", target, actual, weight, 1, direction=direction)
    row["deviation_note"] = "原因已说明。"
    r = run(indicators=rows(r0=row))
    f = only(r, "SCORE-001")
    assert f.severity is Severity.ERROR
    assert f.cells[:2] == (tref(0, "score"), tref(0, "score_calc"))
    assert f.expected == f"{expected} 分"
    assert f.found == "1.00 分"
    assert "SCORE-002" not in ids(r)


def test_score001_formula_in_message_for_lower_is_better():
    row = indicator(
        "产出指标", "成本指标", "成本", "≤10", "13", 8, 6, direction="反向", deviation_note="超支。"
    )
    f = only(run(indicators=rows(r4=row)), "SCORE-001")
    assert "(1 − (13 − 10) ÷ 10) × 8 = 5.6 分" in f.message
    assert (f.expected, f.found) == ("5.60 分", "6.00 分")


@pytest.mark.parametrize("typed", [5.6, 5.61, 5.59])  # recomputed 5.60; tolerance 0.01
def test_score001_within_tolerance_passes(typed):
    row = indicator(
        "产出指标", "成本指标", "成本", "≤10", "13", 8, typed, direction="反向", deviation_note="超支。"
    )
    assert "SCORE-001" not in ids(run(indicators=rows(r4=row)))


def test_score001_just_outside_tolerance_fires():
    # 5.62 − 5.60 = 0.02 > 0.01
    row = indicator(
        "产出指标", "成本指标", "成本", "≤10", "13", 8, 5.62, direction="反向", deviation_note="超支。"
    )
    assert only(run(indicators=rows(r4=row)), "SCORE-001").expected == "5.60 分"


def test_score002_full_marks_for_unmet_target():
    # 正向: target ≥8次, actual 7次 -> 7 ÷ 8 × 10 = 8.75, typed 10 (full)
    r = run(indicators=rows(r0={"actual": "7次", "deviation_note": "天气原因。"}))
    f = only(r, "SCORE-002")
    assert f.severity is Severity.ERROR
    assert f.cells[0] == tref(0, "score")
    assert (f.expected, f.found) == ("8.75 分", "10.00 分")
    assert "≥8次" in f.message and "7次" in f.message and "8.75" in f.message
    assert "SCORE-001" not in ids(r)  # one problem, one finding


def test_score002_lower_is_better_full_marks():
    # 反向 ≤10, actual 13, weight 8: (1 − 3 ÷ 10) × 8 = 5.60; typed 8 = full
    row = indicator(
        "产出指标", "成本指标", "成本", "≤10", "13", 8, 8, direction="反向", deviation_note="超支。"
    )
    f = only(run(indicators=rows(r4=row)), "SCORE-002")
    assert (f.expected, f.found) == ("5.60 分", "8.00 分")


def test_score002_not_for_met_target():
    # 10个 of 10个: full marks are right
    assert "SCORE-002" not in ids(run(indicators=rows(r1={"actual": "12个"})))


# --- SCORE-003 / SCORE-004: qualitative bands --------------
def test_score003_score_outside_chosen_band():
    # 部分达成: 60%–80% of 10 = 6–8; typed 9
    r = run(indicators=rows(r6={"band": "部分达成并具有一定效果"}))
    f = only(r, "SCORE-003")
    assert f.severity is Severity.ERROR
    assert f.cells == (tref(6, "score"), tref(6, "band"))
    assert (f.expected, f.found) == ("6–8 分", "9.00 分")


def test_score003_below_band():
    # 达成年度指标: 80%–100% of 10 = 8–10; typed 7.99
    f = only(run(indicators=rows(r6={"score": 7.99})), "SCORE-003")
    assert (f.expected, f.found) == ("8–10 分", "7.99 分")


@pytest.mark.parametrize(
    ("band", "score"),
    [
        ("部分达成并具有一定效果", 8),
        ("部分达成并具有一定效果", 6),
        ("达成年度指标", 8),
        ("未达成且效果较差", 0),
    ],
)
def test_score003_bounds_are_inclusive(band, score):
    assert "SCORE-003" not in ids(run(indicators=rows(r6={"band": band, "score": score})))


def test_score004_qualitative_without_band():
    r = run(indicators=rows(r6={"band": None}))
    f = only(r, "SCORE-004")
    assert f.severity is Severity.INFO
    assert f.cells == (tref(6, "band"), tref(6, "score"))
    assert "达成" in f.advice and "部分达成" in f.advice and "未达成" in f.advice


def test_score004_not_for_quantitative_rows():
    r = run()
    assert "SCORE-004" not in ids(r)


# --- SCORE-005: vague actuals with full marks --------------
def vague_row(actual: object, target: object = "提高", score: object = 10) -> dict[str, object]:
    return indicator(
        "效益指标", "经济效益指标", "对全县科技创新", target, actual, 10, score, band="达成年度指标"
    )


def test_score005_vague_actual_full_marks():
    # seed 000: 对全县科技创新, 提高 / 有所提高, 10 of 10
    f = only(run(indicators=rows(r7=vague_row("有所提高"))), "SCORE-005")
    assert f.severity is Severity.WARNING
    assert f.cells == (tref(7, "actual"), tref(7, "score"))
    assert f.found == "有所提高"
    assert "有所提高" in f.message


@pytest.mark.parametrize(
    "actual",
    [
        # seed 000 机关效能建设: target 好, the actual itself is a concrete statement
        "在工作中厉行节俭，促进节能环保。",
        # long description that merely contains 持续 / 增强
        "持续加强指导服务，落实相关政策支持，开展示范创建，增强发展能力。",
        "满意度提高到98%",  # a number
        "建成稳定的科普工作队伍",
    ],
)
def test_score005_concrete_actuals_pass(actual):
    assert "SCORE-005" not in ids(run(indicators=rows(r7=vague_row(actual, target="好"))))


def test_score005_not_when_points_were_deducted():
    r = run(indicators=rows(r7=vague_row("有所提高", score=8) | {"deviation_note": "缺少量化数据。"}))
    assert "SCORE-005" not in ids(r)


# --- SCORE-006 / SCORE-007: score range --------------------
def test_score006_above_weight():
    r = run(indicators=rows(r0={"score": 12}))
    f = only(r, "SCORE-006")
    assert f.severity is Severity.ERROR
    assert f.cells == (tref(0, "score"), tref(0, "weight"))
    assert (f.expected, f.found) == ("10.00 分", "12.00 分")  # recomputed full marks
    assert "SCORE-001" not in ids(r)


def test_score006_passes_at_weight():
    assert "SCORE-006" not in ids(run())


def test_score007_negative():
    r = run(indicators=rows(r0={"score": -1, "deviation_note": "说明"}))
    f = only(r, "SCORE-007")
    assert f.severity is Severity.ERROR
    assert f.cells == (tref(0, "score"),)
    assert f.found == "-1.00 分"
    assert "SCORE-001" not in ids(r)


def test_score007_zero_passes():
    # 0 of 10 on a met target is SCORE-001's business, not a negative score
    assert "SCORE-007" not in ids(run(indicators=rows(r0={"score": 0, "deviation_note": "说明"})))


# --- SCORE-008 / SCORE-009: total and grade ----------------
def test_score008_total_differs_from_recomputed_and_typed_sum():
    # row 0: 7次 of ≥8次 typed 10 -> recomputed 7 ÷ 8 × 10 = 8.75
    # 复核 10 + 8.75 + 7 × 10 + 9 = 97.75; typed rows 10 + 8 × 10 + 9 = 99; typed total 98
    r = run({"ua_total_score": 98}, indicators=rows(r0={"actual": "7次", "deviation_note": "天气原因。"}))
    f = only(r, "SCORE-008")
    assert f.severity is Severity.ERROR
    assert f.cells == (fref("ua_total_score"), fref("ua_total_score_calc"))
    assert (f.expected, f.found) == ("97.75 分", "98.00 分")
    assert "也不等于执行率得分与各行自评得分之和 99.00 分" in f.message


def test_score008_leaves_a_pure_addition_slip_to_sum007():
    # CLEAN: 执行率得分 10 + 8 rows × 10 + 科普队伍建设 9 = 99 both typed and recomputed; typed total 98
    r = run({"ua_total_score": 98})
    assert "SCORE-008" not in ids(r)
    assert "SUM-007" in ids(r)


def test_score008_difference_from_recomputed_rows():
    # row 0 actual 7次 of ≥8次, typed 10: recomputed 7 ÷ 8 × 10 = 8.75; total 99 − 10 + 8.75 = 97.75
    r = run(indicators=rows(r0={"actual": "7次", "deviation_note": "天气原因。"}))
    f = only(r, "SCORE-008")
    assert (f.expected, f.found) == ("97.75 分", "99.00 分")
    assert "差额来自复核调整" in f.message


def test_score008_passes_and_is_not_applicable_without_total():
    assert "SCORE-008" not in ids(run())
    r = run({"ua_total_score": None})
    assert "SCORE-008" not in ids(r)
    assert "SCORE-008" in r.not_applicable


def test_score009_grade_differs_from_computed_total():
    # total 99 -> 优; typed 良
    f = only(run({"ua_grade": "良"}), "SCORE-009")
    assert f.severity is Severity.ERROR
    assert f.cells[0] == fref("ua_grade")
    assert (f.expected, f.found) == ("优", "良")
    assert "按填报总分 99.00 分 也应为“优”" in f.message


def test_score009_grade_follows_typed_but_wrong_total():
    # typed total 85 (良) and grade 良, but the recomputed total 99 is 优: grade wrong, typed pair consistent
    f = only(run({"ua_total_score": 85, "ua_grade": "良"}), "SCORE-009")
    assert f.expected == "优"
    assert "也应为" not in f.message


@pytest.mark.parametrize("grade", ["优", "优秀"])
def test_score009_passes(grade):
    assert "SCORE-009" not in ids(run({"ua_grade": grade}))


# --- SCORE-010: project totals -----------------------------
PROJECT = {
    "name": "科普活动",
    "initial_budget": 50,
    "adjusted_budget": 50,
    "spent": 45,
    "execution_weight": 10,
    "execution_rate": 0.9,
    "execution_score": 9,
    "total_score": 99,
}
PROJECT_INDICATORS = [
    {"project": "科普活动", **indicator("产出指标", "数量指标", "科普活动次数", "10次", "10次", 90, 90)}
]


def test_score010_project_total_differs():
    # 执行率 45 ÷ 50 = 90% -> 0.9 × 10 = 9.00; indicator 10次 of 10次 -> 90; total 99.00; typed 100, which
    # adds up from a typed execution score of 10 (full marks for 90 %): the parts are wrong, not the sum
    r = run(
        projects=[PROJECT | {"execution_score": 10, "total_score": 100}],
        project_indicators=PROJECT_INDICATORS,
    )
    f = only(r, "SCORE-010")
    assert f.severity is Severity.ERROR
    assert f.cells == (
        tref(0, "total_score", cat.PROJECTS.name),
        tref(0, "total_score_calc", cat.PROJECTS.name),
    )
    assert (f.expected, f.found) == ("99.00 分", "100.00 分")


def test_score010_leaves_a_wrong_addition_to_sum009():
    # typed 9 + 90 = 99 is right; the typed total 100 only adds them up wrong: one finding, SUM-009
    r = run(projects=[PROJECT | {"total_score": 100}], project_indicators=PROJECT_INDICATORS)
    assert "SCORE-010" not in ids(r) and "SUM-009" in ids(r)


def test_score010_passes():
    r = run(projects=[PROJECT], project_indicators=PROJECT_INDICATORS)
    assert "SCORE-010" not in ids(r)


def test_project_indicator_rows_are_scored_too():
    # 8次 of 10次, typed 90: 8 ÷ 10 × 90 = 72.00
    pind = [PROJECT_INDICATORS[0] | {"actual": "8次", "deviation_note": "经费不足。"}]
    f = only(run(projects=[PROJECT], project_indicators=pind), "SCORE-002")
    assert f.cells[0] == tref(0, "score", cat.PROJECT_INDICATORS.name)
    assert f.expected == "72.00 分"
    assert "项目“科普活动”" in f.message


# --- SCORE-011 / SCORE-012: rows that cannot be scored -----
def test_score011_units_differ():
    r = run(indicators=rows(r1={"actual": "10次"}))
    f = only(r, "SCORE-011")
    assert f.severity is Severity.WARNING
    assert f.cells == (tref(1, "actual"), tref(1, "target"))
    assert (f.expected, f.found) == ("单位“个”", "单位“次”")
    assert "SCORE-001" not in ids(r) and "DEV-002" not in ids(r)


def test_score011_same_or_missing_unit_passes():
    assert "SCORE-011" not in ids(run(indicators=rows(r1={"actual": 10})))


def test_score012_quantitative_with_text_target():
    r = run(indicators=rows(r6={"kind": "定量", "band": None}))
    f = only(r, "SCORE-012")
    assert f.severity is Severity.WARNING
    assert f.cells == (tref(6, "target"), tref(6, "actual"), tref(6, "kind"))
    assert "持续规范" in f.found


@pytest.mark.parametrize("kind", ["定性", None])
def test_score012_passes_when_not_typed_quantitative(kind):
    assert "SCORE-012" not in ids(run(indicators=rows(r6={"kind": kind})))


# --- DEV-001..003: deviation notes -------------------------
def test_dev001_score_below_weight_without_note():
    r = run(indicators=rows(r6={"deviation_note": None}))  # 科普队伍建设 9 of 10
    f = only(r, "DEV-001")
    assert f.severity is Severity.WARNING
    assert f.cells == (tref(6, "deviation_note"), tref(6, "score"))
    assert "9.00" in f.message and "10.00" in f.message


def test_dev001_note_none_word_counts_as_blank():
    assert "DEV-001" in ids(run(indicators=rows(r6={"deviation_note": "无"})))


def test_dev001_passes_with_note():
    assert "DEV-001" not in ids(run())


def test_dev002_unmet_target_with_full_score():
    # 7次 of ≥8次 typed 10: DEV-001 does not apply (score = weight), DEV-002 does
    r = run(indicators=rows(r0={"actual": "7次"}))
    f = only(r, "DEV-002")
    assert f.cells == (tref(0, "deviation_note"), tref(0, "actual"), tref(0, "target"))
    assert "7次" in f.message and "≥8次" in f.message
    assert "DEV-001" not in ids(r)


def test_dev002_not_repeated_after_dev001():
    # 7 ÷ 8 × 10 = 8.75 typed: DEV-001 asks for the note, DEV-002 stays silent on the same row
    r = run(indicators=rows(r0={"actual": "7次", "score": 8.75}))
    assert "DEV-001" in ids(r)
    assert "DEV-002" not in ids(r)


def test_dev002_lower_is_better():
    row = indicator("产出指标", "成本指标", "成本", "≤1.58万元", "1.60万元", 10, 10)
    assert "DEV-002" in ids(run(indicators=rows(r4=row)))


def test_dev002_passes_with_note():
    assert "DEV-002" not in ids(run(indicators=rows(r0={"actual": "7次", "deviation_note": "天气原因。"})))


VOLUNTEER = indicator("产出指标", "数量指标", "开展科技志愿服务活动", "8次", "10次", 10, 10)


def test_dev003_seed_volunteer_row_under_default_threshold():
    # seed 000: 10 ÷ 8 = 125% < 130%: no note needed
    assert "DEV-003" not in ids(run(indicators=rows(r0=VOLUNTEER)))


def test_dev003_fires_with_120_percent_profile():
    profile = dataclasses.replace(default_profile(), over_achievement=Decimal("1.20"))
    f = only(run(indicators=rows(r0=VOLUNTEER), profile=profile), "DEV-003")
    assert f.severity is Severity.WARNING
    assert f.cells == (tref(0, "deviation_note"), tref(0, "actual"), tref(0, "target"))
    assert "10 ÷ 8 = 125.00%" in f.message  # 10 ÷ 8 = 1.25
    assert "120.00%" in f.expected


def test_dev003_threshold_is_inclusive():
    # 13 ÷ 10 = 130% ≥ 130%
    row = indicator("产出指标", "数量指标", "活动", "10次", "13次", 10, 10)
    assert "DEV-003" in ids(run(indicators=rows(r0=row)))


def test_dev003_not_for_lower_is_better_or_with_note():
    low = indicator("产出指标", "成本指标", "成本", "≤1.58万元", "0.50万元", 10, 10)
    noted = indicator(
        "产出指标", "数量指标", "活动", "10次", "20次", 10, 10, deviation_note="目标偏低，明年调整。"
    )
    assert "DEV-003" not in ids(run(indicators=rows(r4=low, r0=noted)))


# --- TXT-001..006: numbers in the text ---------------------
OVERVIEW = "示例县科学技术协会属行政单位，共有编制人数{auth}人，其中行政编制{admin}人，实有人数{actual}人。"


def test_txt001_authorized_staff():
    # seed 000: text 6, 附件1 7
    r = run({"info_overview": OVERVIEW.format(auth=6, admin=7, actual=7)})
    f = only(r, "TXT-001")
    assert f.severity is Severity.ERROR
    assert f.cells == (fref("info_overview"), fref("bd_authorized_staff"))
    assert (f.expected, f.found) == ("7 人", "6 人")
    assert "“…共有编制人数6人…”" in f.message


def test_txt001_admin_staff_against_info_cell():
    f = only(run({"info_overview": OVERVIEW.format(auth=7, admin=5, actual=7)}), "TXT-001")
    assert f.cells == (fref("info_overview"), fref("info_staff_admin"))
    assert (f.expected, f.found) == ("7 人", "5 人")


def test_txt001_passes_when_equal_or_info_blank():
    assert "TXT-001" not in ids(run({"info_overview": OVERVIEW.format(auth=7, admin=7, actual=7)}))
    r = run({"info_overview": OVERVIEW.format(auth=7, admin=5, actual=7), "info_staff_admin": None})
    assert "TXT-001" not in ids(r)


def test_txt002_actual_staff():
    f = only(run({"info_overview": OVERVIEW.format(auth=7, admin=7, actual=8)}), "TXT-002")
    assert f.cells == (fref("info_overview"), fref("bd_actual_staff"))
    assert (f.expected, f.found) == ("7 人", "8 人")


def test_txt002_passes():
    assert "TXT-002" not in ids(run())


BUDGET = (
    "2023年，县财政批复年初预算{ini}万元，全年预算{adj}万元，全年预算整体支出{spent}万元，"
    "其中基本支出{basic}万元，项目支出{proj}万元。"
)


def budget_text(ini="266.32", adj="266.32", spent="266.32", basic="107.64", proj="158.68") -> str:
    return BUDGET.format(ini=ini, adj=adj, spent=spent, basic=basic, proj=proj)


def test_txt003_initial_budget():
    f = only(run({"info_budget_notes": budget_text(ini="260.00")}), "TXT-003")
    assert f.severity is Severity.ERROR
    assert f.cells == (fref("info_budget_notes"), fref("ua_initial_budget"))
    assert (f.expected, f.found) == ("266.32 万元", "260.00 万元")
    assert "年初预算260.00万元" in f.message


def test_txt003_within_amount_tolerance():
    # 266.33 − 266.32 = 0.01 ≤ 0.01
    assert "TXT-003" not in ids(run({"info_budget_notes": budget_text(ini="266.33")}))


def test_txt004_adjusted_budget_and_spent():
    r = run({"info_budget_notes": budget_text(adj="270", spent="260")})
    found = {f.cells[1]: f for f in findings_of(r, "TXT-004")}
    assert set(found) == {fref("ua_adjusted_budget"), fref("ua_spent")}
    assert (found[fref("ua_adjusted_budget")].expected, found[fref("ua_adjusted_budget")].found) == (
        "266.32 万元",
        "270.00 万元",
    )
    assert found[fref("ua_spent")].found == "260.00 万元"


def test_txt004_passes():
    assert "TXT-004" not in ids(run())


def test_txt005_basic_expenditure():
    f = only(run({"info_budget_notes": budget_text(basic="100")}), "TXT-005")
    assert f.cells == (fref("info_budget_notes"), fref("ua_basic_expenditure"))
    assert (f.expected, f.found) == ("107.64 万元", "100.00 万元")


def test_txt005_not_compared_when_the_split_lines_hold_the_budget():
    # 全年执行数 250 while the 按支出性质分 lines add up to the 全年预算数 266.32: they are not spending
    r = run({"ua_spent": 250, "info_budget_notes": budget_text(basic="100")})
    assert "TXT-005" not in ids(r)


def test_txt005_project_expenditure():
    f = only(run({"info_budget_notes": budget_text(proj="150")}), "TXT-005")
    assert f.cells[1] == fref("ua_project_expenditure")
    assert f.expected == "158.68 万元"


ECONOMIC = "“三公”经费预算{budget}万元，实际支出{actual}万元，没有超过预算。"


def test_txt006_three_public_costs():
    f = only(run({"info_economic_notes": ECONOMIC.format(budget="1.58", actual="1.20")}), "TXT-006")
    assert f.cells == (fref("info_economic_notes"), fref("bd_tpc_current_actual"))
    assert (f.expected, f.found) == ("1.30 万元", "1.20 万元")


def test_txt006_budget_column():
    f = only(run({"info_economic_notes": ECONOMIC.format(budget="1.68", actual="1.30")}), "TXT-006")
    assert f.cells[1] == fref("bd_tpc_current_budget")


def test_txt006_passes():
    assert "TXT-006" not in ids(run())


# --- TXT-007, 008, 010: statements -------------------------
NO_ADJ = "本年本部门预算未进行相关事项的调整。"


def test_txt007_no_adjustment_claimed():
    # seed 000: 年初 158.43 -> 全年 266.32; (266.32 − 158.43) ÷ 158.43 = 0.68099… -> 68.10%
    r = run(
        {
            "ua_initial_budget": 158.43,
            "info_budget_notes": budget_text(ini="158.43"),
            "info_economic_notes": ECONOMIC.format(budget="1.58", actual="1.30") + NO_ADJ,
        }
    )
    f = only(r, "TXT-007")
    assert f.severity is Severity.WARNING
    assert f.cells == (fref("info_economic_notes"), fref("ua_initial_budget"), fref("ua_adjusted_budget"))
    assert "“…本年本部门预算未进行相关事项的调整…”" in f.message
    assert "158.43" in f.expected and "266.32" in f.expected and "68.10%" in f.expected
    assert f.found == "“…本年本部门预算未进行相关事项的调整…”"


def test_txt007_passes_when_budget_unchanged():
    r = run({"info_economic_notes": ECONOMIC.format(budget="1.58", actual="1.30") + NO_ADJ})
    assert "TXT-007" not in ids(r)


def test_txt008_three_public_costs_over_budget():
    # 三公 1.60 > 1.58 while the text says 没有超过预算
    over = {
        "bd_tpc_current_actual": 1.60,
        "bd_reception_current_actual": 1.60,
        "info_economic_notes": ECONOMIC.format(budget="1.58", actual="1.60"),
    }
    f = only(run(over), "TXT-008")
    assert f.severity is Severity.WARNING
    assert f.cells == (
        fref("info_economic_notes"),
        fref("bd_tpc_current_actual"),
        fref("bd_tpc_current_budget"),
    )
    assert "0.02 万元" in f.expected  # 1.60 − 1.58
    assert "没有超过预算" in f.found


def test_txt008_public_funds_and_total():
    r = run(
        {
            "bd_public_current_actual": 18.60,  # > 18.50
            "ua_spent": 270,  # > 266.32
            "info_effectiveness": "公用经费控制在预算以内。2023年预算收支总额控制在预算总额以内。",
        }
    )
    cells = {f.cells[1] for f in findings_of(r, "TXT-008")}
    assert cells == {fref("bd_public_current_actual"), fref("ua_spent")}


def test_txt008_passes_within_budget():
    r = run({"info_effectiveness": "公用经费控制在预算以内。“三公”经费整体控制较好。预算执行控制较好。"})
    assert "TXT-008" not in ids(r)


ALL_DONE = "全面完成了年度工作任务。"


def test_txt010_all_completed_but_indicator_unmet():
    r = run(
        {"info_achievements": ALL_DONE},
        indicators=rows(r0={"actual": "7次", "score": 8.75, "deviation_note": "天气原因。"}),
    )
    f = only(r, "TXT-010")
    assert f.severity is Severity.WARNING
    assert f.cells == (fref("info_achievements"), tref(0, "actual"))
    assert "开展科普活动次数" in f.message and "7次" in f.message


def test_txt010_passes_when_all_met():
    assert "TXT-010" not in ids(run({"info_achievements": ALL_DONE}))


# --- TXT-009: the same count stated twice ------------------
def test_txt009_seed_demonstration_units():
    # seed 000: 10 in 项目支出 text and the indicator, 14 in 成效 text
    row = indicator(
        "产出指标", "数量指标", "培育和科技示范企业、示范基地和示范户10个", "10个", "10个", 10, 10
    )
    r = run(
        {
            "info_project_notes": "开展科技帮扶等活动培育各发展科技示范企业、示范基地和示范户共10个。",
            "info_achievements": "培育和发展科技示范企业、示范基地和示范户共14个。",
        },
        indicators=rows(r1=row),
    )
    f = only(r, "TXT-009")
    assert f.severity is Severity.WARNING
    # the rarer value (14) first
    # issue 11: the indicator's 实际完成值 "10个" counts the same subject as its name, so it joins (G31)
    assert f.cells == (
        fref("info_achievements"),
        fref("info_project_notes"),
        tref(1, "level3"),
        tref(1, "actual"),
    )
    assert f.found == "10个（3 处）、14个（1 处）"
    assert "示范户" in f.message and "14个" in f.message


def test_txt009_passes_when_counts_agree():
    r = run(
        {
            "info_project_notes": "培育各发展科技示范企业、示范基地和示范户共10个。",
            "info_achievements": "培育和发展科技示范企业、示范基地和示范户共10个。",
        }
    )
    assert "TXT-009" not in ids(r)
