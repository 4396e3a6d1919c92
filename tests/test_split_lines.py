"""附件2 按收入性质分 / 按支出性质分 as the Hunan form prints them: one figure a line (seed 000: 一般公共预算
266.32, 基本支出 107.64, 项目支出 158.68), version-1 workbooks (three columns a line) migrated on read; 等级
asked for only where the form has it; 定性 bands written in 实际完成值."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType
from perfeval.core.findings import Severity
from perfeval.core.profile import default_profile
from perfeval.core.snapshot import CellRef, TableData
from perfeval.io.fill import fill, set_text_safe
from perfeval.narrative.facts import build_facts
from perfeval.report.official import unit_assessment_table
from perfeval.service import check_file
from perfeval.template import bundled_template
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of, ids, snapshot

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"
SPLIT_KEYS = [k for k, _ in (*cat.INCOME_SPLITS, *cat.EXPENSE_SPLITS)]


def ref(name: str) -> CellRef:
    f = cat.field(name)
    return CellRef(f.sheet, f.cell)


def run(
    values: dict[str, object] | None = None,
    *,
    drop: tuple[str, ...] = (),
    indicators: list[dict[str, object]] | None = None,
    profile=None,
):
    merged = {k: v for k, v in {**CLEAN_VALUES, **(values or {})}.items() if k not in drop}
    rows = CLEAN_INDICATORS if indicators is None else indicators
    return check(merged, indicators=rows, items=CLEAN_ITEMS, profile=profile)


def only(result, rule_id: str):
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.text() for f in result.findings]
    return found[0]


# --- the catalogue -------------------------------------------------------------------------------------
def test_each_split_line_holds_one_amount() -> None:
    for key in SPLIT_KEYS:
        f = cat.field(f"ua_{key}")
        assert (f.sheet, f.type, f.computed, f.cell[0]) == (cat.SHEET_UNIT, FieldType.AMOUNT, False, "B")
        for col in cat.BUDGET_COLS:
            assert f"ua_{key}_{col}" not in cat.fields()
    assert cat.field("ua_general_budget").label == "按收入性质分 一般公共预算"
    assert cat.field("ua_basic_expenditure").label == "按支出性质分 基本支出"
    for sum_name, first in (
        ("ua_income_sum", "ua_general_budget"),
        ("ua_expense_sum", "ua_basic_expenditure"),
    ):
        f = cat.field(sum_name)
        assert f.computed and f.cell == "C" + cat.field(first).cell[1:]  # beside the group's first line


def test_blocks_below_stay_where_version_1_put_them() -> None:
    # Version 1 (three columns a line) had the same rows: its 复核 cells are still at home when read now.
    assert cat.field("ua_goal_expected_1").cell == "C15"
    assert (cat.field("ua_total_score").cell, cat.field("ua_grade_calc").cell) == ("B25", "D26")
    assert cat.INDICATORS.anchor == "A29"


def test_template_block_reads_like_the_form() -> None:
    ws = load_workbook(bundled_template())[cat.SHEET_UNIT]
    row = int(cat.field("ua_general_budget").cell[1:])
    assert [ws.cell(row - 1, c).value for c in (1, 2, 3)] == [
        "按收入性质分、按支出性质分",
        "金额（万元）",
        "合计（复核）",
    ]
    assert ws.cell(row, 1).value == "按收入性质分　其中：一般公共预算"
    assert ws.cell(row + 4, 1).value == "按支出性质分　其中：基本支出"


# --- sums ----------------------------------------------------------------------------------------------
def test_split_sums_are_computed_once_a_group() -> None:
    m = run().model
    assert m.computed["ua_income_sum"] == Decimal("266.32")
    assert m.computed["ua_expense_sum"] == Decimal("266.32")  # 107.64 + 158.68


def test_split_lines_may_hold_the_budget_instead_of_the_spending() -> None:
    # 全年执行数 250 ≠ 全年预算数 266.32; the lines add up to the 全年预算数: accepted
    r = run({"ua_spent": 250})
    assert "SUM-005" not in ids(r) and "SUM-006" not in ids(r)


def test_split_sum_matching_neither_total_names_both() -> None:
    # 107.64 + 150 = 257.64 against 全年执行数 250 and 全年预算数 266.32
    f = only(run({"ua_spent": 250, "ua_project_expenditure": 150}), "SUM-006")
    assert f.severity is Severity.ERROR
    assert "全年执行数 250.00 万元" in f.message and "全年预算数 266.32 万元" in f.message
    assert "均不符" in f.message and "7.64 万元" in f.message and "8.68 万元" in f.message
    assert f.found == "257.64 万元" and "250.00 万元（全年执行数）" in f.expected
    assert f.cells[:2] == (ref("ua_spent"), ref("ua_adjusted_budget"))


def test_split_sum_against_the_initial_budget_when_that_is_all_there_is() -> None:
    # 澧县 gives only 年初预算数 134.35 = 基本支出 88.35 + 项目支出 46
    values = {
        "ua_initial_budget": 134.35,
        "ua_basic_expenditure": 88.35,
        "ua_project_expenditure": 46,
        "ua_general_budget": None,
    }
    drop = ("ua_adjusted_budget", "ua_spent")
    assert "SUM-006" not in ids(run(values, drop=drop))
    f = only(run({**values, "ua_project_expenditure": 50}, drop=drop), "SUM-006")
    assert "年初预算数 134.35 万元" in f.message and "全年预算数、全年执行数未填" in f.message


def test_cmp010_does_not_ask_for_the_initial_column_of_a_split_line() -> None:
    # 桃江: 年初 158.43 became 全年 266.32; the split lines give the year's figures once
    r = run({"ua_initial_budget": 158.43})
    assert "CMP-010" not in ids(r)
    f = only(run({"ua_basic_expenditure": None, "ua_project_expenditure": None}), "CMP-010")
    assert f.cells == (ref("ua_basic_expenditure"), ref("ua_project_expenditure"), ref("ua_spent"))


# --- readers of the split lines -------------------------------------------------------------------------
def test_xt001_not_when_the_split_lines_hold_the_budget() -> None:
    r = run({"ua_spent": 250, "bd_project_current_actual": 150})
    assert "XT-001" not in ids(r)
    assert "全年预算数" in r.not_applicable["XT-001"]
    assert only(run({"bd_project_current_actual": 150}), "XT-001").cells[1] == ref("ua_project_expenditure")


TEXT_INITIAL = "2021年基本支出年初预算数为88.35万元，项目支出年初预算数为46万元。"


@pytest.mark.parametrize(("basic", "flagged"), [(88.35, False), (80, True)])
def test_txt005_initial_budget_in_text_when_the_lines_are_the_initial_budget(basic, flagged) -> None:
    values = {
        "ua_initial_budget": 134.35,
        "ua_basic_expenditure": basic,
        "ua_project_expenditure": Decimal("134.35") - Decimal(str(basic)),
        "info_basic_expenditure_notes": TEXT_INITIAL,
        "info_budget_notes": None,
    }
    r = run(values, drop=("ua_adjusted_budget", "ua_spent"))
    found = [f for f in findings_of(r, "TXT-005") if "88.35" in f.found]
    assert bool(found) is flagged
    if flagged:
        assert found[0].cells[1] == ref("ua_basic_expenditure")


def test_narrative_calls_the_lines_spending_only_when_they_are() -> None:
    assert build_facts(run()).basic_spent.value == Decimal("107.64")
    budget = build_facts(run({"ua_spent": 250}))
    assert budget.basic_spent.value is None and "全年执行数" in str(budget.basic_spent)
    assert [label for label, _ in build_facts(run()).income_splits] == ["一般公共预算"]


def test_official_form_prints_one_figure_a_line() -> None:
    t = unit_assessment_table(run())
    cells = [c for row in t.rows for c in row]
    for text in (
        "按收入性质分：266.32",
        "其中：一般公共预算：266.32",
        "其中：基本支出：107.64",
        "项目支出：158.68",
    ):
        assert text in cells


# --- version-1 workbooks ------------------------------------------------------------------------------
# Version 1's split block: one row a line and a 合计（复核） row a group, columns 年初 / 全年预算 / 全年执行.
_V1_ROWS = {
    "ua_general_budget": 5,
    "ua_gov_fund": 6,
    "ua_special_account": 7,
    "ua_other_funds": 8,
    "ua_income_sum": 9,
    "ua_basic_expenditure": 10,
    "ua_project_expenditure": 11,
    "ua_expense_sum": 12,
}
_V1_COLS = {"initial_budget": "B", "adjusted_budget": "C", "spent": "D"}


def _put(wb, name: str, value: object) -> None:
    sheet, address = next(iter(wb.defined_names[name].destinations))
    set_text_safe(wb[sheet][address.replace("$", "")], value)


def _taojiang() -> dict:
    return json.loads(TAOJIANG_DATA.read_text(encoding="utf-8"))


def _v1_values(values: dict[str, object], columns: tuple[str, ...]) -> dict[str, object]:
    """The data as a version-1 workbook held it: each split figure in the given columns."""
    out: dict[str, object] = {}
    for name, value in values.items():
        if name in cat.SPLIT_FIELDS:
            out.update({f"{name}_{col}": value for col in columns})
        elif name not in cat.META_FIELDS:
            out[name] = value
    return out


def _as_version_1(path: Path) -> None:
    """Turn a current workbook into version 1's shape: the split lines' three names each, no 表式 names."""
    wb = load_workbook(path)
    for name in (*cat.LEGACY_NAMES, *cat.META_FIELDS):
        del wb.defined_names[name]
    for name, row in _V1_ROWS.items():
        for col, letter in _V1_COLS.items():
            wb.defined_names[f"{name}_{col}"] = DefinedName(
                f"{name}_{col}", attr_text=f"'{cat.SHEET_UNIT}'!${letter}${row}"
            )
    for row in range(5, 13):  # the version-1 cells start empty
        for letter in "BCD":
            wb[cat.SHEET_UNIT][f"{letter}{row}"] = None
    _put(wb, cat.VERSION_NAME, "1")
    wb.save(path)


def _v2_and_v1(tmp_path: Path, columns: tuple[str, ...]) -> tuple[Path, Path]:
    data = _taojiang()
    v2 = tmp_path / "v2.xlsx"
    wb = load_workbook(bundled_template())
    fill(wb, data["values"], data["tables"])
    wb.save(v2)
    v1 = tmp_path / "v1.xlsx"
    wb = load_workbook(bundled_template())
    wb.save(v1)
    _as_version_1(v1)
    wb = load_workbook(v1)
    for name, value in _v1_values(data["values"], columns).items():
        _put(wb, name, value)
    fill(wb, {}, data["tables"])
    wb.save(v1)
    return v2, v1


@pytest.mark.parametrize(
    ("columns", "read_from"),
    [
        (("adjusted_budget", "spent"), "spent"),  # 桃江's 266.32 in both 全年 columns: 全年执行数 is read
        (("adjusted_budget",), "adjusted_budget"),
        (("initial_budget",), "initial_budget"),
    ],
)
def test_version_1_split_columns_are_read_as_the_one_figure(tmp_path: Path, columns, read_from) -> None:
    v2, v1 = _v2_and_v1(tmp_path, columns)
    new = check_file(v2, default_profile(), write=False).result
    old = check_file(v1, default_profile(), write=False).result
    m = old.model
    assert m.num("ua_basic_expenditure") == Decimal("107.64")
    assert m.num("ua_project_expenditure") == Decimal("158.68")
    assert m.ref("ua_general_budget") == CellRef(cat.SHEET_UNIT, f"{_V1_COLS[read_from]}5")
    assert m.snapshot.migrated["ua_expense_sum"] == f"ua_expense_sum_{read_from}"  # 复核 beside the figures
    assert not set(cat.LEGACY_NAMES) & set(m.snapshot.missing_names)
    assert "CMP-001" not in ids(old) and "WB-002" not in ids(old)
    (note,) = findings_of(old, "WB-004")
    assert note.severity is Severity.INFO and "按收入性质分、按支出性质分每行" in note.message
    assert sorted(f.rule_id for f in old.findings) == sorted([*(f.rule_id for f in new.findings), "WB-004"])


def test_version_1_gets_its_sums_written_beside_the_figures(tmp_path: Path) -> None:
    _, v1 = _v2_and_v1(tmp_path, ("adjusted_budget", "spent"))
    out = tmp_path / "checked.xlsx"
    check_file(v1, default_profile(), out)
    ws = load_workbook(out)[cat.SHEET_UNIT]
    assert (ws["D9"].value, ws["D12"].value) == (
        266.32,
        266.32,
    )  # version 1's 合计（复核）, 全年执行数 column


# The template as released at version 1 (commit f7b8a87), kept as a fixture so a shallow clone has it too.
V1_TEMPLATE = ROOT / "tests" / "data" / "workbook_template_v1.xlsx"


def test_a_real_version_1_workbook(tmp_path: Path) -> None:
    """The released version-1 template: read, migrated, and checked as its version-2 twin."""
    blob = V1_TEMPLATE.read_bytes()
    v1 = tmp_path / "v1.xlsx"
    v1.write_bytes(blob)
    data = _taojiang()
    wb = load_workbook(v1)
    for name, value in _v1_values(data["values"], ("adjusted_budget", "spent")).items():
        _put(wb, name, value)
    fill(wb, {}, data["tables"])
    wb.save(v1)
    old = check_file(v1, default_profile(), write=False).result
    new = check_file(ROOT / "examples" / "桃江县科协2023.xlsx", default_profile(), write=False).result
    assert old.model.snapshot.template_version == "1"
    assert old.model.num("ua_general_budget") == Decimal("266.32")
    assert sorted(f.rule_id for f in old.findings) == sorted([*(f.rule_id for f in new.findings), "WB-004"])


# --- 等级 only where the form has it ----------------------------------------------------------------------
def test_grade_is_not_asked_for_when_the_form_has_none() -> None:
    no_grade = dataclasses.replace(default_profile(), grade_on_form=False)
    assert "CMP-006" in ids(run({"ua_grade": None}))
    r = run({"ua_grade": None}, profile=no_grade)
    assert "CMP-006" not in ids(r) and "等级栏" in r.not_applicable["CMP-006"]
    assert "SCORE-009" in ids(run({"ua_grade": "良"}))
    assert "SCORE-009" not in ids(run({"ua_grade": "良"}, profile=no_grade))


# --- 定性 bands written in 实际完成值 -----------------------------------------------------------------------
QUALITATIVE = 6  # CLEAN_INDICATORS row 6: 定性, 分值 10, 自评 9, with a 偏差 note


def _rows(**change: object) -> list[dict[str, object]]:
    rows = [dict(r) for r in CLEAN_INDICATORS]
    rows[QUALITATIVE].update(change)
    return rows


def test_band_in_the_actual_counts_as_chosen() -> None:
    r = run(indicators=_rows(actual="达成年度指标", band=None))
    assert r.findings == []


def test_score_outside_the_band_in_the_actual_is_flagged_there() -> None:
    rows = _rows(actual="部分达成预期指标并具有一定效果", band=None, score=10)
    r = run({"ua_total_score": 100}, indicators=rows)
    f = only(r, "SCORE-003")
    place = cat.table_placement(cat.INDICATORS)
    row = place.header_row + 1 + QUALITATIVE
    assert f.cells == (
        CellRef(cat.SHEET_UNIT, f"{place.letters['score']}{row}"),
        CellRef(cat.SHEET_UNIT, f"{place.letters['actual']}{row}"),
    )
    assert "部分达成预期指标并具有一定效果" in f.message and f.expected == "6–8 分"


def _without_band_column(indicators: list[dict[str, object]]):
    snap = snapshot(CLEAN_VALUES, indicators=indicators, items=CLEAN_ITEMS)
    table = snap.tables[cat.INDICATORS.name]
    columns = {k: c for k, c in table.columns.items() if k != "band"}
    rows = [{k: v for k, v in r.items() if k != "band"} for r in table.rows]
    snap.tables[cat.INDICATORS.name] = TableData(table.name, table.sheet, table.first_row, columns, rows)
    from perfeval.core.pipeline import run_check

    return run_check(snap, default_profile())


def test_band_column_is_optional() -> None:
    # A workbook without the 定性完成等次 column, as real forms print it: the band is read from 实际完成值.
    assert _without_band_column(_rows(actual="达成年度指标", band=None)).findings == []
    r = _without_band_column(_rows(band=None))  # 实际完成值 "建成稳定的科普工作队伍" names no band
    f = only(r, "SCORE-004")
    assert f.cells[0].address.startswith(cat.table_placement(cat.INDICATORS).letters["actual"])
    assert "实际完成值中写明" in f.advice and "定性完成等次" not in f.advice
