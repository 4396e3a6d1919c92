"""The bundled examples: rebuilt from their data, and checked with the findings the seeds demand."""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval import catalogue as cat
from perfeval.core.profile import default_profile
from perfeval.service import check_file
from tests.workbook_content import content

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
LIXIAN = ROOT / "examples" / "澧县科协2021.xlsx"


def test_examples_are_rebuilt_from_their_data(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import build
    finally:
        sys.path.pop(0)
    for path in build.build(tmp_path):
        assert content(path) == content(ROOT / "examples" / path.name), (
            f"run python examples/build.py ({path.name})"
        )


@pytest.fixture(scope="module")
def taojiang():
    return check_file(TAOJIANG, default_profile(), write=False).result


def _by_rule(result, rule_id: str):
    return [f for f in result.findings if f.rule_id == rule_id]


def _cells(findings) -> set[str]:
    return {str(c) for f in findings for c in f.cells}


def test_taojiang_staff_in_text_against_table(taojiang) -> None:
    (f,) = _by_rule(taojiang, "TXT-001")
    assert "6" in f.found and "7" in f.expected
    assert {f"基本信息!{cat.field('info_overview').cell}", "附件1!B4"} <= _cells([f])


def test_taojiang_claims_no_adjustment_but_budget_was_adjusted(taojiang) -> None:
    (f,) = _by_rule(taojiang, "TXT-007")
    text = f.message + f.expected + f.found
    assert "158.43" in text and "266.32" in text


def test_taojiang_weights_add_to_110(taojiang) -> None:
    (total,) = _by_rule(taojiang, "WT-005")
    assert "100" in total.expected and "110" in total.found  # 10 + 50 + 40 + 10
    (benefit,) = _by_rule(taojiang, "WT-003")
    assert "30" in benefit.expected and "40" in benefit.found  # 4 × 10


def test_taojiang_public_funds_over_budget(taojiang) -> None:
    (f,) = _by_rule(taojiang, "RATE-011")
    assert "113.66%" in f.message + f.found  # 18.47 / 16.25 = 1.13661…
    assert "附件1!D14" in _cells([f])


def test_taojiang_three_public_costs_up_25_percent(taojiang) -> None:
    (f,) = _by_rule(taojiang, "RATE-010")
    assert "25.00%" in f.message + f.found  # (1.30 − 1.04) / 1.04


def test_taojiang_demonstration_units_10_and_14(taojiang) -> None:
    conflicts = _by_rule(taojiang, "TXT-009")
    assert any(
        "10" in f.message + f.found + f.expected and "14" in f.message + f.found + f.expected
        for f in conflicts
    )


def test_taojiang_volunteer_activities_need_no_note_at_130_but_do_at_120(taojiang) -> None:
    # 开展科技志愿服务活动 is the third indicator row (sheet row 32): 10次 against 8次 = 125 %
    def on_row_32(findings) -> bool:
        return any(c.sheet == "附件2" and c.address[1:] == "32" for f in findings for c in f.cells)

    assert not on_row_32(_by_rule(taojiang, "DEV-003"))
    strict = replace(default_profile(), over_achievement=Decimal("1.20"))
    result = check_file(TAOJIANG, strict, write=False).result
    assert on_row_32(_by_rule(result, "DEV-003"))


def test_lixian_reports_the_missing_core_data() -> None:
    result = check_file(LIXIAN, default_profile(), write=False).result
    missing = _cells(_by_rule(result, "CMP-003"))
    assert {"附件2!C4", "附件2!D4"} <= missing  # 全年预算数, 全年执行数
    assert {"附件2!F4", "附件2!G4"} <= _cells(_by_rule(result, "CMP-004"))  # 执行率, 自评得分
    assert _by_rule(result, "CMP-005")  # 总分
    assert _by_rule(result, "CMP-007")  # no indicators
