"""Reading indicators the way real forms write them (issue 11, "Less noise"): no 方向 column, band wording
in 实际完成值, rates printed as whole percents, scores cut instead of rounded."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.model import DIRECTION_DEFAULT, DIRECTION_GIVEN, DIRECTION_NAME, DIRECTION_SIGN
from perfeval.core.profile import (
    CEILING_WORDS,
    FLOOR_WORDS,
    FULL_RATE_CEILING_WORDS,
    ProfileError,
    default_profile,
    parse_profile,
    shipped_profiles,
)
from perfeval.core.snapshot import CellRef
from tests.builders import (
    CLEAN_INDICATORS,
    CLEAN_ITEMS,
    CLEAN_VALUES,
    check,
    findings_of,
    ids,
    indicator,
    model,
)

D = Decimal


def tref(index: int, key: str, table: str = cat.INDICATORS.name) -> CellRef:
    spec = cat.TABLES[table]
    place = cat.table_placement(spec)
    return CellRef(spec.sheet, f"{place.letters[key]}{place.header_row + 1 + index}")


def run(values: dict[str, object] | None = None, indicators: list[dict[str, object]] | None = None, **kw):
    return check(
        {**CLEAN_VALUES, **(values or {})},
        indicators=CLEAN_INDICATORS if indicators is None else indicators,
        items=CLEAN_ITEMS,
        **kw,
    )


def with_row(index: int, row: dict[str, object]) -> list[dict[str, object]]:
    out = [dict(r) for r in CLEAN_INDICATORS]
    out[index] = row
    return out


def only(result, rule_id: str):
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.text() for f in found]
    return found[0]


# --- direction -------------------------------------------------------------------------------------------
def one(row: dict[str, object]):
    (ind,) = model(indicators=[row]).indicators
    return ind


@pytest.mark.parametrize(
    ("level3", "target", "direction", "source", "basis"),
    [
        ("三公经费控制数", "≤1.58万元", "反向", DIRECTION_SIGN, "≤"),
        ("预算调整率", "不超过5%", "反向", DIRECTION_SIGN, "≤"),
        ("预算调整率", "控制在5%以内", "反向", DIRECTION_SIGN, "≤"),
        ("预算调整率", "控制在5%", "反向", DIRECTION_SIGN, "≤"),
        ("成本节约率", "≥5%", "正向", DIRECTION_SIGN, "≥"),
        ("预算调整率", "3%", "反向", DIRECTION_NAME, "调整率"),
        ("结转结余率", "2%", "反向", DIRECTION_NAME, "结余率"),
        ("投诉率", "1%", "反向", DIRECTION_NAME, "投诉"),
        ("培训人均成本", "500元", "反向", DIRECTION_NAME, "成本"),
        ("财政供养人员控制率", "100%", "反向", DIRECTION_NAME, "控制率"),
        ("财政供养人员控制率", "95%", "正向", DIRECTION_DEFAULT, ""),  # 控制率 is a ceiling only at 100 %
        ("投诉处理率", "100%", "正向", DIRECTION_DEFAULT, ""),  # 处理 keeps it 正向
        ("成本节约率", "5%", "正向", DIRECTION_DEFAULT, ""),
        ("开展科普活动次数", "8次", "正向", DIRECTION_DEFAULT, ""),
    ],
)
def test_direction_inferred_from_sign_then_name(level3, target, direction, source, basis):
    ind = one(indicator("产出指标", "成本指标", level3, target, target, 10, 10))
    assert (ind.direction, ind.direction_source, ind.direction_basis) == (direction, source, basis)


def test_direction_cell_wins():
    ind = one(indicator("产出指标", "成本指标", "培训人均成本", "500元", "500元", 10, 10, direction="正向"))
    assert (ind.direction, ind.direction_source) == ("正向", DIRECTION_GIVEN)


def test_ceiling_words_come_from_the_profile():
    profile = dataclasses.replace(default_profile(), ceiling_words=("空置率",))
    (ind,) = model(
        indicators=[indicator(level3="房屋空置率", target="5%", actual="3%")], profile=profile
    ).indicators
    assert (ind.direction, ind.direction_basis) == ("反向", "空置率")
    (ind,) = model(
        indicators=[indicator(level3="培训人均成本", target="5元", actual="3元")], profile=profile
    ).indicators
    assert ind.direction == "正向"


def test_shipped_profiles_list_the_direction_words():
    for p in shipped_profiles():
        assert p.ceiling_words == CEILING_WORDS and p.full_rate_ceiling_words == FULL_RATE_CEILING_WORDS
        assert p.floor_words == FLOOR_WORDS and p.rounding_method == "half_up"


def test_profile_word_lists_are_checked():
    base = {
        "weights": {"execution": 10, "output": 50, "benefit": 30, "satisfaction": 10},
        "thresholds": {
            "over_achievement": 1.3,
            "amount_tolerance": 0.01,
            "score_tolerance": 0.01,
            "rate_tolerance": 0.0001,
            "budget_adjustment_info": 0.2,
            "amount_in_yuan": 100000,
        },
        "grades": {"优": 90, "差": 0},
        "qualitative_bands": {"达成年度指标": [0.8, 1.0]},
    }
    assert parse_profile(base).ceiling_words == CEILING_WORDS  # an older file without [directions]
    with pytest.raises(ProfileError):
        parse_profile({**base, "directions": {"ceiling_words": "成本"}})
    with pytest.raises(ProfileError):
        parse_profile({**base, "rounding": {"method": "bankers"}})


# A real form's cost row: no 方向 column, no sign, the actual below the target, full marks.
COST_ROW = indicator("产出指标", "成本指标", "三公经费支出成本", "1.58万元", "1.30万元", 10, 10)


def test_cost_below_target_is_full_marks_not_an_error():
    # Before: read as 正向, 1.30 ÷ 1.58 × 10 = 8.23 -> SCORE-002 错误 and DEV-002 警告.
    r = run(indicators=with_row(4, COST_ROW))
    assert not {"SCORE-001", "SCORE-002", "DEV-001", "DEV-002"} & ids(r)
    f = only(r, "SCORE-014")
    assert f.severity is Severity.INFO
    assert (
        "以下指标按名称推断为反向（越低越好）" in f.message
        and "第5行“三公经费支出成本”（“成本”）" in f.message
    )
    assert f.cells == (tref(4, "direction"),)


def test_one_direction_note_per_table_and_none_for_a_sign():
    rows = with_row(4, COST_ROW)
    rows[3] = indicator("产出指标", "时效指标", "预算调整率", "5%", "3%", 10, 10)
    rows[2] = indicator("产出指标", "质量指标", "差错率", "≤1%", "0.5%", 10, 10)  # the sign says so
    f = only(run(indicators=rows), "SCORE-014")
    assert "第4行“预算调整率”" in f.message and "第5行“三公经费支出成本”" in f.message
    assert "差错率" not in f.message
    assert "SCORE-014" not in ids(run())


def test_a_name_guess_never_makes_an_error_when_the_plain_reading_fits():
    # 成本 above target with full marks: 反向 would give (1 − 0.22 ÷ 1.58) × 10 = 8.61, 正向 gives 10.
    row = indicator("产出指标", "成本指标", "三公经费支出成本", "1.58万元", "1.80万元", 10, 10)
    r = run(indicators=with_row(4, row))
    assert not {"SCORE-001", "SCORE-002"} & ids(r)
    # The same row with the 方向 cell typed: the error stands.
    r = run(indicators=with_row(4, {**row, "direction": "反向", "deviation_note": "超支。"}))
    assert "SCORE-002" in ids(r)


def test_a_score_wrong_either_way_is_still_an_error_and_says_why():
    row = indicator(
        "产出指标", "成本指标", "三公经费支出成本", "1.58万元", "1.80万元", 10, 5, deviation_note="超支。"
    )
    f = only(run(indicators=with_row(4, row)), "SCORE-001")
    assert f.severity is Severity.ERROR
    assert "按名称中的“成本”推断为反向" in f.message and "两种方向下" in f.message


def test_zero_ceiling_without_sign_is_met_below_it():
    row = indicator("满意度指标", "服务对象满意度指标", "有效投诉次数", "0次", "0次", 10, 10)
    assert one(row).score_calc == D("10.00")


# --- qualitative rows ----------------------------------------------------------------------------------
def test_band_in_actual_wording_needs_no_band_column():
    row = indicator("效益指标", "社会效益指标", "科普工作成效", "持续提升", "达成预期指标", 10, 9)
    r = run(indicators=with_row(6, row))
    assert "SCORE-004" not in ids(r)
    row = indicator(
        "效益指标", "社会效益指标", "科普工作成效", "持续提升", "部分达成年度指标并具有一定效果", 10, 9
    )
    assert "SCORE-003" in ids(run(indicators=with_row(6, row)))


def test_missing_bands_are_one_note_per_table():
    rows = [dict(r) for r in CLEAN_INDICATORS]
    rows[5] = indicator("效益指标", "社会效益指标", "科普工作成效", "持续提升", "成效明显", 10, 10)
    rows[6] = {**rows[6], "band": None}
    f = only(run(indicators=rows), "SCORE-004")
    assert (
        "2 个定性指标" in f.message
        and "第6行“科普工作成效”" in f.message
        and "第7行“科普队伍建设”" in f.message
    )


# --- precision -------------------------------------------------------------------------------------------
EXEC = {"ua_adjusted_budget": 200, "ua_spent": 172.40, "ua_initial_budget": 200}  # 86.20 %


@pytest.mark.parametrize("typed", ["86%", 0.86, 0.862, "86.2%", "86.20%"])
def test_whole_percent_rate_is_compared_at_its_precision(typed):
    r = run({**EXEC, "ua_execution_rate": typed, "ua_execution_score": 8.62})
    assert "RATE-002" not in ids(r)


@pytest.mark.parametrize("typed", ["87%", 0.85, "86.3%"])
def test_a_rate_wrong_at_its_own_precision_is_still_an_error(typed):
    assert "RATE-002" in ids(run({**EXEC, "ua_execution_rate": typed, "ua_execution_score": 8.62}))


def test_staff_rate_as_whole_percent():
    # 6 ÷ 7 = 85.71 %, typed 86 %
    assert "RATE-001" not in ids(run({"bd_actual_staff": 6, "bd_staff_control_rate": "86%"}))


TRUNC = {"ua_adjusted_budget": 200, "ua_spent": 193.70, "ua_execution_rate": "96.85%"}  # 9.685 points


def test_truncated_score_is_a_note_naming_the_rule():
    strict = dataclasses.replace(default_profile(), score_tolerance=D(0))
    r = run({**TRUNC, "ua_execution_score": 9.68}, profile=strict)
    assert "RATE-003" not in ids(r)  # before: 错误 (9.68 vs 9.69 with no tolerance)
    f = only(r, "SCORE-015")
    assert f.severity is Severity.INFO and "按四舍五入应为 9.69" in f.message
    r = run({**TRUNC, "ua_execution_score": 9.68})  # the default tolerance: a note all the same
    assert "按四舍五入应为 9.69" in only(r, "SCORE-015").message
    assert "SCORE-015" not in ids(run({**TRUNC, "ua_execution_score": 9.69}))
    assert "RATE-003" in ids(run({**TRUNC, "ua_execution_score": 9.5}))


def test_profile_can_switch_to_truncation():
    trunc = dataclasses.replace(default_profile(), rounding_method="truncate")
    assert trunc.quantize(D("9.685")) == D("9.68") and default_profile().quantize(D("9.685")) == D("9.69")
    r = run({**TRUNC, "ua_execution_score": 9.68}, profile=trunc)
    assert not {"SCORE-015", "RATE-003"} & ids(r)
    f = only(run({**TRUNC, "ua_execution_score": 9.69}, profile=trunc), "SCORE-015")
    assert "按截尾应为 9.68" in f.message


def test_indicator_score_cut_instead_of_rounded():
    # 2 ÷ 3 × 10 = 6.666…: 四舍五入 6.67, typed 6.66
    row = indicator("产出指标", "数量指标", "开展活动", "3个", "2个", 10, 6.66, deviation_note="未完成。")
    strict = dataclasses.replace(default_profile(), score_tolerance=D(0))
    r = run(indicators=with_row(1, row), profile=strict)
    assert "SCORE-001" not in ids(r)
    assert "按四舍五入应为 6.67" in only(r, "SCORE-015").message
