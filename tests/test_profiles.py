"""Shipped profiles as form variants: the template made for each, and the checker reading it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.profile import ProfileError, find_shipped, load_profile, parse_profile, shipped_profiles
from perfeval.service import check_file
from perfeval.template import write_template
from tests.projects import PROJECT_A, PROJECT_B, project_workbook

SHIPPED = [p.id for p in shipped_profiles()]
THRESHOLDS = {
    "over_achievement": 1.3,
    "amount_tolerance": 0.01,
    "score_tolerance": 0.01,
    "rate_tolerance": 0.0001,
    "budget_adjustment_info": 0.2,
    "amount_in_yuan": 100000,
}


def test_the_four_profiles_are_shipped() -> None:
    assert SHIPPED[0] == "default"
    assert set(SHIPPED) == {"default", "财政部2020项目", "重庆", "产出60"}


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_template_holds_the_profiles_forms_and_records_them(tmp_path: Path, profile_id: str) -> None:
    profile = find_shipped(profile_id)
    assert profile is not None
    wb = load_workbook(write_template(tmp_path / "t.xlsx", profile))
    expected = {cat.SHEET_GUIDE, *(s.name for s in cat.sheets_of(profile.forms))}
    assert set(wb.sheetnames) == expected
    info = wb[cat.SHEET_INFO]
    assert info[cat.field("info_kind").cell].value == cat.kind_text(profile.forms)
    assert info[cat.field("info_profile").cell].value == profile.name
    assert info[cat.field("info_amount_unit").cell].value == profile.amount_unit
    if cat.Form.UNIT in profile.forms:
        headers = [c.value for c in wb[cat.SHEET_UNIT][cat.table_placement(cat.INDICATORS).header_row]]
        for col in cat.INDICATOR_COLUMNS:
            if col.optional:  # 得分系数 and 核心指标 only where the profile's form prints them
                assert (col.header in headers) == (col.key in profile.columns)


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_an_empty_workbook_of_each_profile_says_what_it_lacks_and_no_more(
    tmp_path: Path, profile_id: str
) -> None:
    """Checked with the profile it names (no --profile): the findings are about its own forms only."""
    profile = find_shipped(profile_id)
    assert profile is not None
    book = write_template(tmp_path / "t.xlsx", profile)
    run = check_file(book, None, tmp_path / "out.xlsx")
    assert run.result.model.profile.id == profile_id
    sheets = {ref.sheet for f in run.result.findings for ref in f.cells}
    allowed = {cat.SHEET_GUIDE, cat.SHEET_INFO, *(s.name for s in cat.sheets_of(profile.forms))}
    assert sheets <= allowed
    assert run.result.count(Severity.ERROR) > 0  # an empty form is not a finished one


def test_the_national_project_profile_checks_two_projects_clean(tmp_path: Path) -> None:
    profile = find_shipped("财政部2020项目")
    book = project_workbook(tmp_path / "p.xlsx", profile=profile)
    run = check_file(book, None, tmp_path / "out.xlsx")
    result = run.result
    assert result.model.profile is not None and result.model.profile.id == "财政部2020项目"
    assert [(f.rule_id, f.severity.value) for f in result.findings] == []
    assert result.model.forms == frozenset({cat.Form.PROJECT})
    # 100.00 and 95.50 as worked out in tests/projects.py
    assert result.summary() == (
        f"0 个错误、0 个警告、0 个提示；项目支出绩效自评 2 个项目：{PROJECT_A} 100.00 分、{PROJECT_B} 95.50 分"
    )


def test_a_profile_file_of_before_version_2_still_loads() -> None:
    """A bureau's copy of the old default.toml (form = "hunan", no [form] table, no project weights)."""
    old = {
        "name": "旧口径",
        "form": "hunan",
        "weights": {"execution": 20, "output": 40, "benefit": 30, "satisfaction": 10},
        "thresholds": THRESHOLDS,
        "grades": {"优": 90, "良": 80, "中": 60, "差": 0},
        "qualitative_bands": {"达成年度指标": [0.8, 1.0]},
    }
    profile = parse_profile(old, "旧口径.toml")
    assert profile.forms == frozenset({cat.Form.UNIT, cat.Form.PROJECT})
    assert profile.amount_unit == "万元"
    # projects follow the unit's weights when the file has none of their own
    assert profile.weights_of(cat.Form.PROJECT) == profile.weights
    assert profile.weights["execution"] == 20


def test_a_profile_named_by_id_or_by_a_missing_toml_resolves_to_the_shipped_one() -> None:
    assert load_profile(Path("重庆")).id == "重庆"
    assert load_profile(Path("重庆.toml")).id == "重庆"
    with pytest.raises(ProfileError, match="内置口径有"):
        load_profile(Path("四川.toml"))


def test_weights_that_do_not_add_to_100_are_refused_per_form() -> None:
    data = {
        "weights": {"execution": 10, "output": 50, "benefit": 30, "satisfaction": 10},
        "project": {"weights": {"execution": 10, "output": 60, "benefit": 30, "satisfaction": 10}},
        "thresholds": THRESHOLDS,
        "grades": {"优": 90},
        "qualitative_bands": {},
    }
    with pytest.raises(ProfileError, match="项目各级分值合计为 110"):
        parse_profile(data, "x.toml")
