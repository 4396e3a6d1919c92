"""What the tool may write over: its own sheets (by their mark, not their name), the computed cells still
where the template put them, and a workbook whose template mark was edited away."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL
from perfeval.core.profile import default_profile
from perfeval.service import check_file
from tests.workbook_content import content

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"


def _edited(tmp_path: Path, edit, name: str = "edited.xlsx") -> Path:
    """The example after an edit a user makes (openpyxl is fine here: this builds an input)."""
    wb = load_workbook(TAOJIANG)
    edit(wb)
    out = tmp_path / name
    wb.save(out)
    return out


def _rules(run) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in run.result.findings:
        found.setdefault(f.rule_id, []).append(f.location)
    return found


def test_a_user_sheet_with_our_name_is_kept_and_ours_takes_a_free_name(tmp_path: Path) -> None:
    def add_own_sheets(wb):
        wb.create_sheet(cat.SHEET_FINDINGS)["A1"] = "我自己的审核记录"
        wb.create_sheet(cat.SHEET_REPORT)["A1"] = "我的报告草稿"

    src = _edited(tmp_path, add_own_sheets)
    first = check_file(src, default_profile(), tmp_path / "1.xlsx")
    wb = load_workbook(first.output)
    assert wb[cat.SHEET_FINDINGS]["A1"].value == "我自己的审核记录"
    assert wb[cat.SHEET_REPORT]["A1"].value == "我的报告草稿"
    assert wb["校验结果(2)"]["A2"].value == "序号" and wb["自评报告(2)"]["A1"].value
    assert sorted(_rules(first)["WB-001"]) == ["校验结果(2)!A1", "自评报告(2)!A1"]

    second = check_file(first.output, default_profile(), tmp_path / "2.xlsx")
    assert (
        load_workbook(second.output).sheetnames == wb.sheetnames
    )  # no 校验结果(3): ours is known by its mark
    assert [f.fingerprint for f in second.result.findings] == [f.fingerprint for f in first.result.findings]
    assert content(second.output) == content(first.output)


def test_our_sheet_renamed_by_the_user_is_still_ours_and_keeps_the_explanations(tmp_path: Path) -> None:
    first = check_file(TAOJIANG, default_profile(), tmp_path / "1.xlsx")
    warning = next(f for f in first.result.findings if f.severity.value == "警告")
    wb = load_workbook(first.output)
    ws = wb[cat.SHEET_FINDINGS]
    ws.title = "审核意见"
    row = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, FINGERPRINT_COL + 1).value == warning.fingerprint
    )
    ws.cell(row, EXPLANATION_COL + 1).value = "已报财政局备案。"
    renamed = tmp_path / "renamed.xlsx"
    wb.save(renamed)

    second = check_file(renamed, default_profile(), tmp_path / "2.xlsx")
    assert second.result.explained(warning) == "已报财政局备案。"
    names = load_workbook(second.output).sheetnames
    assert "审核意见" in names and cat.SHEET_FINDINGS not in names
    assert "WB-001" not in _rules(second)


def test_a_moved_computed_cell_is_not_written_and_is_reported(tmp_path: Path) -> None:
    rate = cat.field("ua_execution_rate_calc")
    unit = cat.field("info_unit_name")

    def move(wb):  # what a cut-and-paste of the computed cell onto B4 of 基本信息 does to its name
        wb.defined_names[rate.name].attr_text = f"'{unit.sheet}'!${unit.cell[0]}${unit.cell[1:]}"

    src = _edited(tmp_path, move)
    run = check_file(src, default_profile(), tmp_path / "out.xlsx")
    assert _rules(run)["WB-002"] == [f"{unit.sheet}!{unit.cell}"]
    wb = load_workbook(run.output)
    assert wb[unit.sheet][unit.cell].value == load_workbook(TAOJIANG)[unit.sheet][unit.cell].value
    assert wb[rate.sheet][rate.cell].value is None  # nor at the old place, which no name points at


def test_the_template_is_recognised_without_its_version_mark(tmp_path: Path) -> None:
    def drop_guide(wb):
        del wb[cat.SHEET_GUIDE]
        del wb.defined_names[cat.VERSION_NAME]

    run = check_file(_edited(tmp_path, drop_guide), default_profile(), tmp_path / "out.xlsx")
    assert "WB-003" in _rules(run)
    assert run.result.total_score is not None

    def type_over(wb):
        sheet, ref = next(iter(wb.defined_names[cat.VERSION_NAME].destinations))
        wb[sheet][ref.replace("$", "")] = "见附件"

    run = check_file(_edited(tmp_path, type_over, "typed.xlsx"), default_profile(), tmp_path / "out2.xlsx")
    (where,) = _rules(run)["WB-003"]
    assert where.startswith(cat.SHEET_GUIDE + "!")
    assert "见附件" in next(f for f in run.result.findings if f.rule_id == "WB-003").message


def test_a_formula_without_its_result_is_named_not_called_blank(tmp_path: Path) -> None:
    score = cat.field("ua_total_score")

    def formula(wb):  # openpyxl, like other generators, saves a formula without its cached result
        wb[score.sheet][score.cell] = "=I30+SUM(I31:I40)"

    run = check_file(_edited(tmp_path, formula), default_profile(), tmp_path / "out.xlsx")
    hit = next(f for f in run.result.findings if f.rule_id == "PARSE-002")
    assert hit.location == f"{score.sheet}!{score.cell}" and "没有它的计算结果" in hit.message
    assert not any(
        f"{score.sheet}!{score.cell}" in f.location
        for f in run.result.findings
        if f.rule_id.startswith("CMP")
    )


def test_a_result_written_before_the_marks_existed_is_recognised(tmp_path: Path) -> None:
    first = check_file(TAOJIANG, default_profile(), tmp_path / "1.xlsx")

    def unmark(wb):  # what the previous version wrote: the same sheets and state sheet, no marks
        for ws in wb.worksheets:
            for name in list(ws.defined_names):
                if name in cat.OWN_SHEET_MARKS.values():
                    del ws.defined_names[name]

    wb = load_workbook(first.output)
    unmark(wb)
    legacy = tmp_path / "legacy.xlsx"
    wb.save(legacy)
    second = check_file(legacy, default_profile(), tmp_path / "2.xlsx")
    assert load_workbook(second.output).sheetnames == load_workbook(first.output).sheetnames
    assert "WB-001" not in _rules(second)
