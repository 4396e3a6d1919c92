"""Sheets as printed: the template's forms and 填报说明, and the result workbook's own sheets, read back
with openpyxl from the real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.plan import _score_formats
from perfeval.core.profile import Profile, default_profile, shipped_profiles
from perfeval.service import check_file
from perfeval.template import (
    GUIDE_RULES_ROW,
    RESULT_SHEET_TEXTS,
    break_header,
    build_template,
    header_capacity,
)
from perfeval.textwidth import text_width

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook_template.xlsx"
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
PROJECTS_ONLY = ROOT / "examples" / "澧县科协2021项目.xlsx"


@pytest.fixture(scope="module")
def template():
    return load_workbook(TEMPLATE)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("tj") / "out.xlsx"
    check_file(TAOJIANG, default_profile(), out)
    return load_workbook(out)


def _guide_text(ws) -> str:
    return "\n".join(str(v) for (v,) in ws.iter_rows(min_col=1, max_col=1, values_only=True) if v)


# --- the template -----------------------------------------------------------------------------------------
def test_block_headers_never_leave_a_lone_closing_bracket(template) -> None:
    for name in (cat.SHEET_BASIC, cat.SHEET_UNIT):
        ws = template[name]
        table_rows = {cat.table_placement(t).header_row for t in cat.TABLES.values() if t.sheet == name}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.fill.fgColor.rgb in ("00D9D9D9", "FFD9D9D9"):
                    lines = c.value.split("\n")
                    assert not any(line.strip() in ("）", ")") for line in lines), (name, c.coordinate)
                    width = ws.column_dimensions[c.column_letter].width or 13
                    if "\n" not in c.value and "（" in c.value and c.row not in table_rows:
                        # A block header not broken by us must fit its column on one line.
                        assert text_width(c.value) <= header_capacity(width), (name, c.coordinate)


def test_break_header_breaks_before_the_bracket() -> None:
    # Hand check: 13 units * 7 px - 6 = 85 px, / 13.33 px per em = 6.4 ems; "控制率（填报）" is 7 ems.
    assert break_header("控制率（填报）", 13) == "控制率\n（填报）"
    assert break_header("合计复核：上年决算", 13) == "合计复核：\n上年决算"
    assert break_header("分值", 9) == "分值"  # fits: untouched


@pytest.mark.parametrize(
    ("sheet", "ranges"), [(cat.SHEET_BASIC, ("E9:G12", "E14:G19")), (cat.SHEET_BASIC, ("B4:E4", "B22:I22"))]
)
def test_every_cell_under_a_titled_column_is_boxed(template, sheet: str, ranges: tuple[str, ...]) -> None:
    ws = template[sheet]
    for ref in ranges:
        for row in ws[ref]:
            for c in row:
                b = c.border
                assert b.left.style and b.right.style and b.top.style and b.bottom.style, c.coordinate


def test_indicator_table_starts_a_page_and_repeats_its_header(template) -> None:
    ws = template[cat.SHEET_UNIT]
    hr = cat.table_placement(cat.INDICATORS).header_row
    assert ws.print_title_rows == f"${hr - 1}:${hr}"
    assert [b.id for b in ws.row_breaks.brk] == [hr - 2]
    projects = template[cat.SHEET_PROJECTS]
    phr = cat.table_placement(cat.PROJECTS).header_row
    assert projects.print_title_rows == f"${phr - 1}:${phr}"  # group titles and column titles
    assert projects.freeze_panes == f"B{phr + 1}"


def test_amount_columns_of_the_unit_form_are_not_text_wide(template) -> None:
    ws = template[cat.SHEET_UNIT]
    for letter in "BCDG":  # 年初预算数, 全年预算数, 全年执行数, 自评得分（填报）
        assert 9 <= ws.column_dimensions[letter].width <= 20, letter


# --- 填报说明 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", shipped_profiles(), ids=lambda p: p.id)
def test_guide_states_the_profiles_rules(profile: Profile) -> None:
    wb = build_template(profile)
    text = _guide_text(wb[cat.SHEET_GUIDE])
    for key, name in (("execution", "预算执行率"), ("output", "产出指标"), ("benefit", "效益指标")):
        if cat.Form.UNIT in profile.forms:
            assert f"{name} {profile.weights[key]:g} 分" in text
        if cat.Form.PROJECT in profile.forms:
            assert f"{name} {profile.project_weights[key]:g} 分" in text
    for band, (lo, hi) in profile.bands.items():
        assert f"“{band}”{float(lo) * 100:g}%～{float(hi) * 100:g}%" in text
    for name, lower in profile.grades[:-1]:
        assert f"{name} {lower:g} 分及以上" in text
    for word in (*profile.ceiling_words, *profile.floor_words):
        assert word in text
    assert "≤" in text and "不高于" in text  # the comparison signs that make a target 反向


def test_guide_names_every_computed_cell_and_the_result_sheets(template, result) -> None:
    text = _guide_text(template[cat.SHEET_GUIDE])
    assert template[cat.SHEET_GUIDE].cell(GUIDE_RULES_ROW, 1).value.startswith("评分规则")
    for f in cat.computed_fields():
        ws = template[f.sheet]
        assert ws[f.cell].fill.fgColor.rgb.endswith("E8F1FB")  # the cell the guide calls 浅蓝色
    assert "E4" in text and "H7:H19" in text and "D25" in text
    # The result sheets the guide names are those a check writes, no more, no fewer.
    assert set(RESULT_SHEET_TEXTS) == set(cat.OUTPUT_SHEETS)
    written = [n for n in result.sheetnames if n in cat.OUTPUT_SHEETS]
    assert sorted(written) == sorted(cat.OUTPUT_SHEETS)
    for name in written:
        assert f"“{name}”：" in text


# --- the result workbook's own sheets ---------------------------------------------------------------------
def test_score_summary_prints_rounded_numbers_and_keeps_exact_values(result) -> None:
    ws = result[cat.SHEET_SCORES]
    numbers = [c for row in ws.iter_rows(min_row=3) for c in row[1:4] if isinstance(c.value, (int, float))]
    assert len(numbers) > 20
    assert all(c.number_format == "0.00" for c in numbers), [(c.coordinate, c.number_format) for c in numbers]
    assert all(ws.cell(r, 5).alignment.wrap_text for r in range(3, ws.max_row + 1) if ws.cell(r, 5).value)


def test_project_rows_of_the_score_summary_print_the_rate_as_a_percentage() -> None:
    rows = [
        ["评分汇总"],
        ["项目支出", "执行率（复核）", "总分（填报）", "总分（复核）", "等级（复核）"],
        ["甲项目", 0.8918918918918919, 95, 96.5, "优"],
        [],
        ["项目：甲项目", "分值", "自评得分（填报）", "得分（复核）", "说明"],
        ["预算执行率", 10, 8.918918918918919, 8.92, "执行率（复核）89.19%"],
    ]
    assert _score_formats(rows) == {
        (3, 2): "0.00%",
        (3, 3): "0.00",
        (3, 4): "0.00",
        (6, 2): "0.00",
        (6, 3): "0.00",
        (6, 4): "0.00",
    }


def test_findings_rows_are_tall_enough_for_their_wrapped_text(result) -> None:
    ws = result[cat.SHEET_FINDINGS]
    width = ws.column_dimensions["F"].width
    for r in range(3, ws.max_row + 1):
        message = ws.cell(r, 6).value
        if not message:
            continue
        assert ws.cell(r, 6).alignment.wrap_text
        # Hand rule: a line of 10 pt text is about 14.5 pt; a message wider than its column needs two.
        one_line = text_width(str(message)) * 10 * 96 / 72 <= width * 7 - 6
        assert ws.row_dimensions[r].height >= (15 if one_line else 29), r
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_report_sheet_title_does_not_run_into_the_next_row(result) -> None:
    ws = result[cat.SHEET_REPORT]
    assert ws["A1"].font.sz == 16 and ws.row_dimensions[1].height >= 16 * 1.3
    long_rows = [r for r in range(2, ws.max_row + 1) if len(str(ws.cell(r, 1).value or "")) > 60]
    assert long_rows and all(ws.row_dimensions[r].height > 30 for r in long_rows)


def test_bracketed_table_headers_fit_their_column(template) -> None:
    """A table's header is read back by its text (no manual break): its column holds it on one line."""
    for spec in cat.TABLES.values():
        ws = template[spec.sheet]
        place = cat.table_placement(
            spec, default_profile().columns if spec.form is cat.Form.UNIT else frozenset()
        )
        for col in spec.laid_out(default_profile().columns if spec.form is cat.Form.UNIT else frozenset()):
            if "（" in col.header:
                width = ws.column_dimensions[place.letters[col.key]].width
                assert text_width(col.header) <= header_capacity(width), (spec.name, col.header, width)


def test_report_sheet_column_fits_a_portrait_page_unscaled(result) -> None:
    # Hand check: A4 is 210 mm, less 0.5 in margins each side = 184.6 mm = 698 px at 96 dpi; at 8 px a
    # width unit (the widest common default digit) that is 87 units.
    ws = result[cat.SHEET_REPORT]
    assert ws.column_dimensions["A"].width <= 87
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.fitToWidth == 1
