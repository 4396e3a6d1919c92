"""Rates, totals and scores against values computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from perfeval.core.compute import Unavailable
from perfeval.core.profile import default_profile
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, indicator, model


def score_of(row: dict, **profile_changes) -> D | None:
    profile = replace(default_profile(), **profile_changes) if profile_changes else None
    m = model({}, indicators=[row], profile=profile)
    return m.indicators[0].score_calc


@pytest.mark.parametrize(
    ("target", "actual", "weight", "expected"),
    [
        ("10个", "10个", 8, D("8.00")),  # met: full
        ("10个", "7个", 10, D("7.00")),  # 7 / 10 × 10
        ("≥95%", "90%", 10, D("9.47")),  # 90 / 95 × 10 = 9.4736… -> 9.47
        ("8次", "10次", 8, D("8.00")),  # over-achieved: capped at full
        ("≥95%", 0.98, 10, D("10.00")),  # 0.98 in a %-formatted cell is 98 %
        ("3个", "1个", 5, D("1.67")),  # 1 / 3 × 5 = 1.666… -> 1.67 (half-up, once)
    ],
)
def test_higher_is_better(target: object, actual: object, weight: int, expected: D) -> None:
    assert score_of(indicator(target=target, actual=actual, weight=weight, score=weight)) == expected


@pytest.mark.parametrize(
    ("target", "actual", "weight", "expected"),
    [
        ("≤10万元", "8万元", 8, D("8.00")),  # under the ceiling: full
        ("≤10万元", "13万元", 8, D("5.60")),  # (1 − (13 − 10) / 10) × 8 = 0.7 × 8
        ("≤10万元", "20万元", 8, D("0.00")),  # at 2 × target: zero
        ("≤5%", "6%", 10, D("8.00")),  # (1 − 1/5) × 10
    ],
)
def test_lower_is_better(target: str, actual: str, weight: int, expected: D) -> None:
    assert (
        score_of(indicator("产出指标", "成本指标", target=target, actual=actual, weight=weight)) == expected
    )


@pytest.mark.parametrize(
    ("target", "actual", "shown", "score"),
    [
        ("≤5%", "4.9%", D(1), D("10.00")),  # met: 100 %, not 4.9 ÷ 5 = 98 % (a shortfall at first sight)
        ("≤5%", "5%", D(1), D("10.00")),
        ("≤10万元", "0万元", D(1), D("10.00")),
        ("≤5%", "6%", D("0.8"), D("8.00")),  # missed: 1 − 1/5, not 6 ÷ 5 = 120 %; 分值 × 完成率 = 得分
        ("≤10万元", "25万元", D(0), D("0.00")),  # never below 0
    ],
)
def test_lower_is_better_completion_reads_as_the_share_scored(
    target: str, actual: str, shown: D, score: D
) -> None:
    m = model({}, indicators=[indicator("产出指标", "成本指标", target=target, actual=actual, weight=10)])
    ind = m.indicators[0]
    assert ind.direction == "反向" and ind.score_calc == score
    assert m.table_computed[(ind.table, ind.index, "completion_calc")] == shown
    assert ind.completion == D(actual.rstrip("%万元")) / D(
        target.lstrip("≤").rstrip("%万元")
    )  # raw ratio kept


def test_higher_is_better_completion_is_the_plain_ratio() -> None:
    m = model({}, indicators=[indicator(target="10个", actual="12个", weight=10)])
    ind = m.indicators[0]
    assert m.table_computed[(ind.table, ind.index, "completion_calc")] == D("1.2")


def test_fixed_value_and_zero_target() -> None:
    assert score_of(indicator(target="3个", actual="3个", weight=6, direction="定值")) == D("6.00")
    assert score_of(indicator(target="3个", actual="4个", weight=6, direction="定值")) == D("0.00")
    assert score_of(indicator(target="≤0次", actual="0次", weight=5)) == D("5.00")  # zero target met
    assert score_of(indicator(target="≤0次", actual="1次", weight=5)) == D("0.00")  # zero target missed


def test_qualitative_and_mismatched_units_are_not_recomputed() -> None:
    m = model(
        {},
        indicators=[
            indicator(target="持续创建", actual="已完成", weight=8, score=8),
            indicator(target="10个", actual="10次", weight=8, score=8),
        ],
    )
    assert m.indicators[0].kind == "定性" and m.indicators[0].score_calc is None
    assert m.indicators[1].score_calc is None and "单位" in m.indicators[1].score_reason


def test_half_up_rounding_once_per_row() -> None:
    # 2 / 3 × 10 = 6.666… -> 6.67; half-up on an exact half: 1 / 8 × 10 = 1.25 -> 1.25; 1 / 16 × 10 = 0.625 -> 0.63
    assert score_of(indicator(target="3个", actual="2个", weight=10)) == D("6.67")
    assert score_of(indicator(target="16个", actual="1个", weight=10)) == D("0.63")


def test_execution_rate_uses_the_adjusted_budget_and_caps_the_score() -> None:
    m = model(
        {
            "ua_initial_budget": 158.43,
            "ua_adjusted_budget": 266.32,
            "ua_spent": 250,
            "ua_execution_weight": 10,
        }
    )
    # 250 / 266.32 = 0.93872…, × 10 = 9.387… -> 9.39
    assert m.computed["ua_execution_rate_calc"] == D(250) / D("266.32")
    assert m.computed["ua_execution_score_calc"] == D("9.39")
    # (266.32 − 158.43) / 158.43 = 0.68100…
    assert round(m.computed["ua_adjustment_rate_calc"], 4) == D("0.6810")
    over = model({"ua_adjusted_budget": 100, "ua_spent": 120, "ua_execution_weight": 10})
    assert over.computed["ua_execution_score_calc"] == D("10.00")  # 120 % is capped at 分值


def test_rates_that_cannot_be_computed_say_why() -> None:
    m = model({"ua_adjusted_budget": 0, "ua_spent": 5, "bd_procurement_current_actual": 1.32})
    rate = m.computed["ua_execution_rate_calc"]
    assert isinstance(rate, Unavailable) and "为 0" in rate.reason
    procurement = m.computed["bd_procurement_control_rate"]
    assert isinstance(procurement, Unavailable) and "本年预算数未填" in procurement.reason
    blank = m.computed["bd_car_control_rate"]
    assert isinstance(blank, Unavailable) and blank.silent and blank.cell_text() == "—"


def test_basic_data_rates_of_the_taojiang_figures() -> None:
    m = model(
        {
            "bd_public_current_budget": 16.25,
            "bd_public_current_actual": 18.47,
            "bd_tpc_prior_actual": 1.04,
            "bd_tpc_current_actual": 1.30,
            "bd_authorized_staff": 7,
            "bd_actual_staff": 6,
        }
    )
    assert round(m.computed["bd_public_control_rate"], 4) == D("1.1366")  # 18.47 / 16.25 = 1.136615…
    assert m.computed["bd_tpc_change_rate"] == D("0.25")  # (1.30 − 1.04) / 1.04
    assert round(m.computed["bd_staff_control_rate_calc"], 4) == D("0.8571")  # 6 / 7


def test_totals_and_grade_of_the_clean_workbook() -> None:
    m = model(CLEAN_VALUES, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    # 执行率 10 + 产出 5 × 10 + 效益 10 + 9 (定性, typed) + 10 + 满意度 10 = 99
    assert m.computed["ua_total_score_calc"] == D("99.00")
    assert m.computed["ua_grade_calc"] == "优"
    # 项目支出明细 本年决算 48 + 50.68 + 60 = 158.68
    assert m.computed["bd_project_current_actual_sum"] == D("158.68")


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D("90"), "优"),
        (D("89.99"), "良"),
        (D("80"), "良"),
        (D("79.99"), "中"),
        (D("60"), "中"),
        (D("59.99"), "差"),
    ],
)
def test_grade_bands(total: D, grade: str) -> None:
    assert default_profile().grade(total) == grade
