"""The file adapter's writes: marks, notes, explanations, idempotence, and no formula injection."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment

from perfeval import catalogue as cat
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL, NOTE_MARK, SEVERITY_FILLS
from perfeval.core.profile import default_profile
from perfeval.io.fill import fill_template
from perfeval.service import check_file
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES
from tests.workbook_content import content

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"


def _clean_book(tmp_path: Path, **changes: object) -> Path:
    values = {**CLEAN_VALUES, **changes}
    tables = {"tbl_indicators": CLEAN_INDICATORS, "tbl_project_items": CLEAN_ITEMS}
    return fill_template(values, tables, tmp_path / "clean.xlsx")


def _cell(path: Path, name: str):
    f = cat.field(name)
    return load_workbook(path)[f.sheet][f.cell]


def test_clean_workbook_gets_no_marks_and_computed_values(tmp_path: Path) -> None:
    src = _clean_book(tmp_path)
    run = check_file(src, default_profile(), tmp_path / "out.xlsx")
    assert run.result.findings == []
    wb = load_workbook(run.output)
    assert not any(c.comment for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    f = cat.field("ua_total_score_calc")
    assert wb[f.sheet][f.cell].value == 99.0  # 10 + 5×10 + (10 + 9 + 10) + 10


def test_a_wrong_total_is_marked_with_fill_and_note_then_cleared_when_fixed(tmp_path: Path) -> None:
    src = _clean_book(tmp_path, bd_tpc_current_actual=9.99)  # items add to 1.30
    out = tmp_path / "marked.xlsx"
    run = check_file(src, default_profile(), out)
    assert any(f.rule_id == "SUM-001" for f in run.result.findings)
    cell = _cell(out, "bd_tpc_current_actual")
    assert cell.fill.fgColor.rgb.endswith(SEVERITY_FILLS[run.result.findings[0].severity])
    assert NOTE_MARK in cell.comment.text and "SUM-001" in cell.comment.text
    original_fill = _cell(src, "bd_tpc_current_actual").fill.fgColor.rgb

    # The user fixes the number in the checked workbook and checks again: the mark goes away.
    wb = load_workbook(out)
    f = cat.field("bd_tpc_current_actual")
    wb[f.sheet][f.cell] = 1.30
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    again = check_file(fixed, default_profile(), tmp_path / "again.xlsx")
    assert not any(f.rule_id == "SUM-001" for f in again.result.findings)
    cell = _cell(tmp_path / "again.xlsx", "bd_tpc_current_actual")
    assert cell.comment is None
    assert cell.fill.fgColor.rgb == original_fill


def test_user_notes_survive_marking_and_clearing(tmp_path: Path) -> None:
    src = _clean_book(tmp_path, bd_tpc_current_actual=9.99)
    wb = load_workbook(src)
    f = cat.field("bd_tpc_current_actual")
    wb[f.sheet][f.cell].comment = Comment("含上级转拨的接待费", "会计")
    wb.save(src)
    out1, out2 = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    check_file(src, default_profile(), out1)
    note = _cell(out1, "bd_tpc_current_actual").comment.text
    assert note.startswith("含上级转拨的接待费") and NOTE_MARK in note
    check_file(out1, default_profile(), out2)
    assert _cell(out2, "bd_tpc_current_actual").comment.text == note  # not stacked twice


def test_explanations_typed_in_the_findings_sheet_survive_a_rerun(tmp_path: Path) -> None:
    out1, out2 = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    run = check_file(TAOJIANG, default_profile(), out1)
    warning = next(f for f in run.result.findings if f.severity.value == "警告")
    wb = load_workbook(out1)
    ws = wb[cat.SHEET_FINDINGS]
    row = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, FINGERPRINT_COL + 1).value == warning.fingerprint
    )
    ws.cell(row, EXPLANATION_COL + 1).value = "经财政局同意调整，已在报告中说明。"
    wb.save(out1)
    run2 = check_file(out1, default_profile(), out2)
    assert run2.result.explained(warning) == "经财政局同意调整，已在报告中说明。"
    ws2 = load_workbook(out2)[cat.SHEET_FINDINGS]
    texts = [ws2.cell(r, EXPLANATION_COL + 1).value for r in range(1, ws2.max_row + 1)]
    assert "经财政局同意调整，已在报告中说明。" in texts


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://example.invalid","点我")'
    src = _clean_book(tmp_path, info_unit_name=evil, ua_goal_actual_1="=1+1")
    out = tmp_path / "out.xlsx"
    check_file(src, default_profile(), out)
    wb = load_workbook(out)
    f = cat.field("info_unit_name")
    cell = wb[f.sheet][f.cell]
    assert cell.value == evil and cell.data_type == "s"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} became a formula"


def test_check_twice_equals_check_once(tmp_path: Path) -> None:
    out1, out2 = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    check_file(TAOJIANG, default_profile(), out1)
    check_file(out1, default_profile(), out2)
    assert content(out1) == content(out2)
