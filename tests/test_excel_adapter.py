"""The Excel adapter through the real xlwings API, on its remote engine (Excel's stand-in on Linux).

Each test builds the payload Excel's desktop client would send from a real workbook (tests/remote_client),
clicks a ribbon button (perfeval.excel.ribbon.run_action) and asserts the actions that come back: what
Excel would then do to the workbook. Every click also checks that each action is one the desktop VBA
client implements. What the add-in's VBA then does inside Excel is outside what runs here: see
docs/windows-checklist.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.plan import NOTE_MARK, SEVERITY_FILLS, STATE_HEADER
from perfeval.core.profile import default_profile, find_shipped
from perfeval.excel import ribbon
from perfeval.excel.reader import parse_refers_to, split_scoped_name
from perfeval.excel.specs import US, marks_spec, parse_spec, solid_fill
from perfeval.excel.writer import MARKS_MACRO, UNDO_MACRO, excel_text, format_ranges, value_blocks
from perfeval.io.fill import fill_template
from perfeval.service import check_file
from tests.projects import PROJECT_A, PROJECT_B, project_tables, project_workbook
from tests.remote_client import actions, desktop_actions, excel_sheet_prefix, remote_book
from tests.workbooks import taojiang_data, taojiang_with_indicators

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"
MARKS = cat.OWN_SHEET_MARKS
ALL_MARKS = US.join(MARKS.values())
MARK_FILLS = US.join(solid_fill(color) for color in SEVERITY_FILLS.values())
DESKTOP_ACTIONS = desktop_actions()
VBA = (ROOT / "macros" / "PerfevalMarks.bas").read_text(encoding="utf-8")


def _click(path: Path, control: str = "perfeval_check"):
    """Press a button on the workbook; every action that comes back must be one Excel's VBA client runs.

    Each action that acts on a sheet gets "sheet": that sheet's name before the click (an added sheet:
    _new(the name it was added under)), followed through the additions, renames and deletions before it."""
    book = remote_book(path)
    outcome = ribbon.run_action(book, control)
    acts = actions(book)
    assert {a["func"] for a in acts} <= DESKTOP_ACTIONS
    return book, outcome, _follow_sheets(load_workbook(path, read_only=True).sheetnames, acts)


def _follow_sheets(names: list[str], acts: list[dict]) -> list[dict]:
    sheets = list(names)
    out = []
    for action in acts:
        a = dict(action, sheet=None)
        if a["func"] == "addSheet":
            sheets.insert(a["args"][0], _new(a["args"][1]))
            a["sheet"] = _new(a["args"][1])
        elif a["sheet_position"] is not None:
            a["sheet"] = sheets[a["sheet_position"]]
            if a["func"] == "sheetDelete":
                sheets.pop(a["sheet_position"])
        out.append(a)
    return out


def _new(name: str) -> str:
    return "new:" + name


def _macros(acts: list[dict]) -> dict[str, list]:
    """Macro name -> the arguments Python passed (the remote client adds the workbook itself)."""
    calls = [a["args"] for a in acts if a["func"] == "runMacro"]
    assert len(calls) == len({c[0] for c in calls})  # each macro at most once a click
    return {c[0]: c[1:] for c in calls}


def _touched(acts: list[dict], sheet: str) -> list[str]:
    return [a["func"] for a in acts if a["sheet"] == sheet]


def _deleted(acts: list[dict]) -> list[str]:
    return [a["sheet"] for a in acts if a["func"] == "sheetDelete"]


def _written(acts: list[dict], sheet: str) -> dict[tuple[int, int], object]:
    """(row, col) 1-based -> value, from every setValues action on the sheet."""
    cells = {}
    for a in acts:
        if a["func"] == "setValues" and a["sheet"] == sheet:
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    cells[(a["start_row"] + 1 + i, a["start_column"] + 1 + j)] = v
    return cells


def _added_sheets(acts: list[dict]) -> list[str]:
    return [a["args"][1] for a in acts if a["func"] == "addSheet"]


def _checked(tmp_path: Path, *, marked: bool = True) -> Path:
    """桃江 checked by the command-line tool, with the tool's sheet marks (marked) or as a workbook checked
    before the marks existed (the same sheets and hidden state sheet, no marks)."""
    path = check_file(TAOJIANG, default_profile(), tmp_path / "checked.xlsx").output
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for name in [n for n in ws.defined_names if n in MARKS.values()]:
            del ws.defined_names[name]
        if marked and ws.title in MARKS:
            mark = MARKS[ws.title]
            ref = f"{excel_sheet_prefix(ws.title)}!$A$1"
            ws.defined_names[mark] = DefinedName(mark, attr_text=ref, hidden=True)
    wb.save(path)
    return path


def _rename_sheet(wb, old: str, new: str) -> None:
    """Rename as Excel does: the names that refer to the sheet follow it."""
    wb[old].title = new
    names = [*wb.defined_names.values(), *(dn for ws in wb.worksheets for dn in ws.defined_names.values())]
    for dn in names:
        for spelled in (f"'{old}'!", f"{old}!"):
            if dn.attr_text.startswith(spelled):
                dn.attr_text = excel_sheet_prefix(new) + "!" + dn.attr_text[len(spelled) :]


def _row_of(cells: dict, fingerprint: object) -> int:
    return next(r for r in range(3, 100) if cells.get((r, 11)) in (fingerprint, "'" + str(fingerprint)))


@pytest.fixture(scope="module")
def taojiang_click():
    return _click(TAOJIANG)


@pytest.fixture(scope="module")
def taojiang_file_plan():
    return check_file(TAOJIANG, default_profile(), write=False).plan


def test_only_actions_the_desktop_client_can_run(taojiang_click) -> None:
    """_click checks this on every click; here, that the list read from Remote.bas is a real one."""
    _, _, acts = taojiang_click
    expected = {"setValues", "setRangeColor", "runMacro", "alert", "addSheet", "sheetDelete", "setSheetName"}
    assert expected <= DESKTOP_ACTIONS
    assert {a["func"] for a in acts} <= DESKTOP_ACTIONS


def test_computed_values_land_in_their_cells(taojiang_click, taojiang_file_plan) -> None:
    _, outcome, acts = taojiang_click
    assert (
        outcome.plan is not None and outcome.plan.values == taojiang_file_plan.values
    )  # same plan as the CLI
    written = {sheet: _written(acts, sheet) for sheet in load_workbook(TAOJIANG, read_only=True).sheetnames}
    for w in taojiang_file_plan.values:
        row, col = cat.split_address(w.ref.address)
        got = written[w.ref.sheet][(row, col)]
        expected = excel_text(w.value)
        assert got == ("" if expected is None else expected), w.ref
    # Hand-checked figures of seed 000: 支出 266.32 of a 266.32 全年预算 -> 100 %, 8 points of 8 for a
    # 1.25 ratio capped at the weight; the total over the typed weights is 110.
    unit = written[cat.SHEET_UNIT]
    rate = cat.field("ua_execution_rate_calc")
    assert unit[cat.split_address(rate.cell)] == 1.0
    assert unit[cat.split_address(cat.field("ua_total_score_calc").cell)] == 110.0


def test_findings_cells_are_marked_in_one_macro_call(taojiang_click) -> None:
    _, outcome, acts = taojiang_click
    assert [a["args"][0] for a in acts if a["func"] == "runMacro"] == [UNDO_MACRO, MARKS_MACRO]
    macros = _macros(acts)
    assert macros[UNDO_MACRO] == ["", "", ALL_MARKS, MARK_FILLS]  # a first check: nothing to undo
    marks, layout, state_sheet, state_mark = macros[MARKS_MACRO]
    assert (state_sheet, state_mark) == (cat.SHEET_STATE, MARKS[cat.SHEET_STATE])
    marked = {(sheet, address): (fill, note) for sheet, address, fill, note in parse_spec(marks)}
    result = outcome.result
    finding_cells = {(c.sheet, c.address) for f in result.findings for c in f.cells}
    assert set(marked) == finding_cells
    # 附件1!D14 (公用经费 over budget): a 警告, yellow, and its note names the rule.
    fill, note = marked[(cat.SHEET_BASIC, "D14")]
    assert fill == solid_fill(SEVERITY_FILLS[Severity.WARNING]) and "RATE-011" in note
    # Each cell takes the colour of the worst severity among its findings.
    for (sheet, address), (fill, _) in marked.items():
        on_cell = [
            f.severity
            for f in result.findings
            if any(c.sheet == sheet and c.address == address for c in f.cells)
        ]
        assert fill == solid_fill(SEVERITY_FILLS[min(on_cell, key=lambda s: s.rank)])
    records = parse_spec(layout)
    assert [r[0] for r in records] == list(cat.OUTPUT_SHEETS)
    assert [r[10] for r in records] == [MARKS[name] for name in cat.OUTPUT_SHEETS]  # each gets its mark


def test_the_macro_receives_each_fill_as_an_ooxml_fill(taojiang_click) -> None:
    """The mark's fill travels in the state sheet's format, so the VBA has one parser for both."""
    _, _, acts = taojiang_click
    fills = {record[2] for record in parse_spec(_macros(acts)[MARKS_MACRO][0])}
    assert fills == {solid_fill(SEVERITY_FILLS[s]) for s in Severity}  # the example has all three
    for fill in fills:
        pattern = ET.fromstring(fill).find("patternFill")
        assert pattern is not None and pattern.get("patternType") == "solid"
        fg = pattern.find("fgColor")
        assert (
            fg is not None
            and fg.get("rgb", "")[:2] == "FF"
            and fg.get("rgb", "")[2:] in SEVERITY_FILLS.values()
        )


def test_findings_sheet_is_written_with_links(taojiang_click) -> None:
    _, outcome, acts = taojiang_click
    assert _added_sheets(acts) == list(cat.OUTPUT_SHEETS)
    cells = _written(acts, _new(cat.SHEET_FINDINGS))
    result = outcome.result
    assert str(cells[(1, 1)]).startswith(f"校验结果：{result.summary()}")
    assert cells[(2, 1)] == "序号"
    rule_ids = [cells[(r, 3)] for r in range(3, 3 + len(result.findings))]
    assert rule_ids == [f.rule_id for f in result.findings]
    link = cells[(3, 5)]
    first = result.findings[0].cells[0]
    assert link == f'=HYPERLINK("#\'{first.sheet}\'!{first.address}","{first}")'
    # Severity column coloured in runs (findings are sorted by severity): one action per severity present.
    fills = [a for a in acts if a["func"] == "setRangeColor" and a["sheet"] == _new(cat.SHEET_FINDINGS)]
    present = {f.severity for f in result.findings}
    assert len(fills) == 1 + len(present)  # the header row, then one run per severity


def test_scores_print_rounded_in_a_few_calls(taojiang_click, taojiang_file_plan) -> None:
    """评分汇总 keeps exact values and shows them through number formats, as the file adapter does: every
    formatted cell of the plan ends with its format, in at most one call per format."""
    _, _, acts = taojiang_click
    (sp,) = [s for s in taojiang_file_plan.sheets if s.name == cat.SHEET_SCORES]
    assert sp.number_formats  # the test means something only if the plan formats cells
    calls = [a for a in acts if a["func"] == "setNumberFormat" and a["sheet"] == _new(cat.SHEET_SCORES)]
    assert len(calls) <= len(set(sp.number_formats.values()))
    final: dict[tuple[int, int], str] = {}
    for a in calls:
        for r in range(a["start_row"] + 1, a["start_row"] + 1 + a["row_count"]):
            for c in range(a["start_column"] + 1, a["start_column"] + 1 + a["column_count"]):
                final[(r, c)] = a["args"][0] if isinstance(a["args"], list) else a["args"]
    assert {cell: final.get(cell) for cell in sp.number_formats} == sp.number_formats
    numbers = {
        (r, c)
        for r, row in enumerate(sp.rows, start=1)
        for c, v in enumerate(row, start=1)
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    assert not (numbers - set(sp.number_formats)) & set(final)  # no number the plan left alone


def test_format_ranges_fall_back_to_runs_when_boxes_would_clash() -> None:
    # A rate box inside the score box is fine (one call each); rates at rows 2 and 4 with a score between
    # them are not: the rate box would cover (3, 1), so one call per run of one format is used.
    nested = {(1, 1): "0.00", (2, 1): "0.00%", (3, 1): "0.00", (1, 2): "0.00"}
    assert format_ranges(nested, []) == [(1, 1, 3, 2, "0.00"), (2, 1, 2, 1, "0.00%")]
    formats = {(1, 1): "0.00", (2, 1): "0.00%", (3, 1): "0.00", (4, 1): "0.00%", (5, 1): "0.00"}
    ranges = format_ranges(formats, [])
    assert len(ranges) == 5
    final = {}
    for r1, c1, r2, c2, fmt in ranges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                final[(r, c)] = fmt
    assert {k: final[k] for k in formats} == formats
    # A box may not reach a number the plan left unformatted either.
    assert format_ranges({(1, 1): "0.00", (3, 1): "0.00"}, [[1.0], [2.5], [3.0]]) == [
        (1, 1, 1, 1, "0.00"),
        (3, 1, 3, 1, "0.00"),
    ]
    assert format_ranges({(1, 1): "0.00", (3, 1): "0.00"}, [[1.0], ["x"], [3.0]]) == [(1, 1, 3, 1, "0.00")]


def test_summary_message_box(taojiang_click) -> None:
    _, _, acts = taojiang_click
    (alert,) = [a for a in acts if a["func"] == "alert"]
    prompt, title, buttons, mode, _ = alert["args"]
    assert title == "绩效自评" and buttons == "ok" and mode == "critical"  # the example has 错误
    # The weights add up to 110: the total is shown without a grade (issue 11); the warning count moves
    # with the rules that reviewers' findings added.
    assert "4 个错误、" in prompt and "总分 110.00（分值合计不是 100 分，等级待定）" in prompt
    assert acts[-1] is alert  # the message comes after every change


def test_action_count_does_not_grow_with_rows_or_findings(tmp_path: Path) -> None:
    small = _click(taojiang_with_indicators(10, tmp_path / "small.xlsx"))
    large = _click(taojiang_with_indicators(300, tmp_path / "large.xlsx"))
    assert len(large[1].result.findings) > len(small[1].result.findings)  # more findings, not just rows
    assert [a["func"] for a in small[2]] == [a["func"] for a in large[2]]
    assert len(json.dumps(large[2], ensure_ascii=False)) > len(json.dumps(small[2], ensure_ascii=False))


def test_not_our_workbook_changes_nothing(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "别的表.xlsx"
    wb = Workbook()
    wb.active["A1"] = "预算"
    wb.save(path)
    _, outcome, acts = _click(path)
    assert [a["func"] for a in acts] == ["alert"]
    assert "不是由绩效自评模板创建" in outcome.message and "未做任何改动" in outcome.message
    assert outcome.critical


def test_a_typed_over_version_mark_is_checked_and_reported(tmp_path: Path) -> None:
    """The template is recognised by its names: a changed version cell is a WB-003 warning on that cell."""
    path = tmp_path / "改过标记.xlsx"
    shutil.copyfile(TAOJIANG, path)
    wb = load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[cat.VERSION_NAME].destinations))
    wb[sheet][ref.replace("$", "")] = "0"
    wb.save(path)
    _, outcome, acts = _click(path)
    (hit,) = [f for f in outcome.result.findings if f.rule_id == "WB-003"]
    assert [(c.sheet, c.address) for c in hit.cells] == [(sheet, ref.replace("$", ""))]
    marks = parse_spec(_macros(acts)[MARKS_MACRO][0])
    assert (sheet, ref.replace("$", "")) in {(r[0], r[1]) for r in marks}


def test_older_template_without_the_names_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "旧模板.xlsx"
    shutil.copyfile(TAOJIANG, path)
    wb = load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[cat.VERSION_NAME].destinations))
    wb[sheet][ref.replace("$", "")] = "0"
    for name in list(cat.fields())[5:]:
        del wb.defined_names[name]
    wb.save(path)
    _, outcome, acts = _click(path)
    assert [a["func"] for a in acts] == ["alert"]
    assert "模板版本为 0" in outcome.message and "未做任何改动" in outcome.message


@pytest.mark.parametrize("marked", [True, False], ids=["marked", "checked-before-marks"])
def test_rerun_reuses_output_sheets_and_keeps_explanations(tmp_path: Path, marked: bool) -> None:
    checked = _checked(tmp_path, marked=marked)
    wb = load_workbook(checked)
    ws = wb[cat.SHEET_FINDINGS]
    ws.cell(3, 10, "已与财政局核实，按批复口径填报")
    fingerprint = ws.cell(3, 11).value
    wb.save(checked)
    _, _, acts = _click(checked)
    assert not _added_sheets(acts)  # cleared and rewritten in place
    for name in cat.OUTPUT_SHEETS:
        assert "sheetClear" in _touched(acts, name)
    # The last run's marks are undone from its state sheet, which then goes (the macro writes a new one).
    macros = _macros(acts)
    assert macros[UNDO_MACRO] == [cat.SHEET_STATE, "", ALL_MARKS, MARK_FILLS]
    assert _deleted(acts) == [cat.SHEET_STATE]
    funcs = [a["func"] for a in acts]
    assert funcs.index("runMacro") < funcs.index("sheetDelete") < funcs.index("setValues")  # undo, then write
    layout = parse_spec(macros[MARKS_MACRO][1])
    assert [r[10] for r in layout] == [MARKS[n] for n in cat.OUTPUT_SHEETS]  # an older workbook gains marks
    cells = _written(acts, cat.SHEET_FINDINGS)
    assert cells[(_row_of(cells, fingerprint), 10)] == "已与财政局核实，按批复口径填报"


def test_user_sheets_with_the_tools_names_are_kept(tmp_path: Path) -> None:
    """A sheet of the user's called 自评报告 or 校验结果 is theirs, untouched; ours go to "…(2)"."""
    path = tmp_path / "有同名表.xlsx"
    shutil.copyfile(TAOJIANG, path)
    wb = load_workbook(path)
    wb.create_sheet(cat.SHEET_REPORT)["A1"] = "我自己起草的自评报告"
    wb.create_sheet(cat.SHEET_FINDINGS)["A1"] = "我的核对记录"
    wb.save(path)
    _, outcome, acts = _click(path)
    assert not _touched(acts, cat.SHEET_REPORT) and not _touched(acts, cat.SHEET_FINDINGS)
    expected = ["校验结果(2)", cat.SHEET_SCORES, "自评报告(2)", cat.SHEET_RULES]
    assert _added_sheets(acts) == expected
    macros = _macros(acts)
    layout = parse_spec(macros[MARKS_MACRO][1])
    assert [(r[0], r[10]) for r in layout] == [
        (name, MARKS[default]) for name, default in zip(expected, cat.OUTPUT_SHEETS, strict=True)
    ]
    assert macros[UNDO_MACRO] == ["", "", ALL_MARKS, MARK_FILLS] and not _deleted(acts)
    assert {f.location for f in outcome.result.findings if f.rule_id == "WB-001"} >= {"校验结果(2)!A1"}
    assert "请按“校验结果(2)”工作表" in outcome.message


def test_own_sheet_renamed_by_the_user_is_found_by_its_mark(tmp_path: Path) -> None:
    """The user renamed our 校验结果 to 问题清单 and made a sheet of their own called 校验结果: ours is
    rewritten in place under their name, with the 审核说明 kept; theirs is left alone."""
    checked = _checked(tmp_path)
    wb = load_workbook(checked)
    _rename_sheet(wb, cat.SHEET_FINDINGS, "问题清单")
    ws = wb["问题清单"]
    ws.cell(3, 10, "已核实")
    fingerprint = ws.cell(3, 11).value
    wb.create_sheet(cat.SHEET_FINDINGS)["A1"] = "我的核对记录"
    wb.save(checked)
    _, outcome, acts = _click(checked)
    assert not _added_sheets(acts)
    assert not _touched(acts, cat.SHEET_FINDINGS)
    assert "sheetClear" in _touched(acts, "问题清单")
    cells = _written(acts, "问题清单")
    assert cells[(_row_of(cells, fingerprint), 10)] == "已核实"
    layout = parse_spec(_macros(acts)[MARKS_MACRO][1])
    assert (layout[0][0], layout[0][10]) == ("问题清单", MARKS[cat.SHEET_FINDINGS])
    assert _deleted(acts) == [cat.SHEET_STATE]
    assert "请按“问题清单”工作表" in outcome.message


def test_edited_report_is_handed_to_the_user(tmp_path: Path) -> None:
    """A report the user edited becomes theirs: its mark comes off, it is renamed; a new one is written."""
    checked = _checked(tmp_path)
    wb = load_workbook(checked)
    wb[cat.SHEET_REPORT]["A3"] = "（我改写的一段）"
    wb.save(checked)
    _, outcome, acts = _click(checked)
    plan = outcome.plan
    ((old, new),) = plan.renames.items()
    assert old == cat.SHEET_REPORT
    assert _macros(acts)[UNDO_MACRO] == [cat.SHEET_STATE, cat.SHEET_REPORT, ALL_MARKS, MARK_FILLS]
    renamed = [(a["sheet"], a["args"]) for a in acts if a["func"] == "setSheetName"]
    assert renamed == [(old, [new])]
    assert [f for f in _touched(acts, old) if f != "setSheetName"] == []  # the user's text stays
    report = next(sp for sp in plan.sheets if sp.kind == cat.SHEET_REPORT)
    assert _added_sheets(acts) == [report.name]
    funcs = [a["func"] for a in acts]
    assert funcs.index("runMacro") < funcs.index("setSheetName")  # the mark comes off before the rename


def test_moved_computed_cell_is_not_written(tmp_path: Path) -> None:
    """The name of 执行率（复核） was cut and pasted onto a cell of the user's: nothing is written there or
    in its old cell, and 清除标记 clears neither; WB-002 says so."""
    path = tmp_path / "移动过.xlsx"
    shutil.copyfile(TAOJIANG, path)
    f = cat.field("ua_execution_rate_calc")
    wb = load_workbook(path)
    wb[f.sheet]["L4"] = "我的备注"
    wb.defined_names[f.name].attr_text = f"{excel_sheet_prefix(f.sheet)}!$L$4"
    wb.save(path)
    _, outcome, acts = _click(path)
    written = _written(acts, f.sheet)
    assert (4, 12) not in written and cat.split_address(f.cell) not in written
    assert (f.sheet, "L4") not in {(w.ref.sheet, w.ref.address) for w in outcome.plan.values}
    (hit,) = [x for x in outcome.result.findings if x.rule_id == "WB-002"]
    assert [(c.sheet, c.address) for c in hit.cells] == [(f.sheet, "L4")]
    _, _, cleared = _click(path, "perfeval_clear")
    spans = [
        (a["start_row"] + 1, a["start_column"] + 1, a["row_count"], a["column_count"])
        for a in cleared
        if a["func"] == "rangeClearContents" and a["sheet"] == f.sheet
    ]
    assert spans  # other computed cells there are cleared
    for row, col in ((4, 12), cat.split_address(f.cell)):
        assert not any(r <= row < r + n and c <= col < c + m for r, c, n, m in spans)


def test_clear_removes_what_the_tool_wrote(tmp_path: Path) -> None:
    checked = _checked(tmp_path)
    _, outcome, acts = _click(checked, "perfeval_clear")
    funcs = [a["func"] for a in acts]
    assert "setValues" not in funcs  # nothing typed is touched, nothing new is written
    assert _macros(acts) == {UNDO_MACRO: [cat.SHEET_STATE, "", ALL_MARKS, MARK_FILLS]}  # undo the marks only
    assert sorted(_deleted(acts)) == sorted((*cat.OUTPUT_SHEETS, cat.SHEET_STATE))
    cleared = {
        (a["sheet"], a["start_row"] + 1, a["start_column"] + 1)
        for a in acts
        if a["func"] == "rangeClearContents"
    }
    rate = cat.field("ua_execution_rate_calc")
    assert (rate.sheet, *cat.split_address(rate.cell)) in cleared
    assert "您填写的内容未改动" in outcome.message


def test_clear_leaves_the_users_sheet_of_the_same_name(tmp_path: Path) -> None:
    checked = _checked(tmp_path)
    wb = load_workbook(checked)
    _rename_sheet(wb, cat.SHEET_REPORT, "报告（工具生成）")
    wb.create_sheet(cat.SHEET_REPORT)["A1"] = "我自己的报告"
    wb.save(checked)
    _, _, acts = _click(checked, "perfeval_clear")
    assert "报告（工具生成）" in _deleted(acts) and not _touched(acts, cat.SHEET_REPORT)


def test_help_says_what_to_do() -> None:
    _, help_outcome, acts = _click(TAOJIANG, "perfeval_help")
    assert [a["func"] for a in acts] == ["alert"] and "校验并评分" in help_outcome.message
    assert "导出报送" in help_outcome.message


def test_export_refuses_while_errors_remain(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    _, outcome, acts = _click(TAOJIANG, "perfeval_export")
    assert [a["func"] for a in acts] == ["alert"] and outcome.critical  # the workbook is not touched
    assert "仍有 4 个错误，未导出报送文件" in outcome.message and "TXT-001" in outcome.message
    assert list(tmp_path.iterdir()) == []  # no package, not even a partial one


def test_unknown_button_asks_to_reinstall() -> None:
    _, outcome, acts = _click(TAOJIANG, "perfeval_nonexistent")
    assert [a["func"] for a in acts] == ["alert"] and "perfeval addin install" in outcome.message


def test_unexpected_error_is_logged_not_shown(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)

    def boom(book, profile):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(ribbon.ACTIONS, "perfeval_check", boom)
    _, outcome, acts = _click(TAOJIANG)
    log = tmp_path / "perfeval-error.log"
    assert "RuntimeError: disk on fire" in log.read_text(encoding="utf-8")
    assert str(log) in outcome.message and "Traceback" not in outcome.message
    assert [a["func"] for a in acts] == ["alert"] and outcome.critical


@pytest.mark.parametrize(
    ("refers_to", "expected"),
    [
        ("='附件1'!$B$4", ("附件1", "B4")),
        ("=Sheet1!$A$1:$C$9", ("Sheet1", "A1:C9")),
        ("='It''s'!$D$2", ("It's", "D2")),
        ('="1"', None),
        ("=SUM(A1:A2)", None),
        ("='附件1'!$B$4,'附件1'!$B$5", None),
        (None, None),
    ],
)
def test_parse_refers_to(refers_to, expected) -> None:
    assert parse_refers_to(refers_to) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("-3", "'-3"),
        ("@SUM", "'@SUM"),
        ("2024/1/1", "'2024/1/1"),
        ("1e5", "'1e5"),
        ("附件1!D5", "附件1!D5"),
        ("无法计算：缺少执行数", "无法计算：缺少执行数"),
        (1.5, 1.5),
        (None, None),
    ],
)
def test_text_never_becomes_formula_or_number(value, expected) -> None:
    assert excel_text(value) == expected


def test_value_blocks_merge_contiguous_cells() -> None:
    from perfeval.core.plan import CellWrite
    from perfeval.core.snapshot import CellRef

    writes = [CellWrite(CellRef("S", f"{col}{row}"), row, "0.00") for col in "AB" for row in range(3, 8)]
    writes.append(CellWrite(CellRef("S", "D3"), Decimal(1), None))
    writes.append(CellWrite(CellRef("S", "A10"), 10, None))
    blocks = value_blocks(writes)
    shapes = sorted((b.row, b.col, len(b.values), len(b.values[0]), b.number_format) for b in blocks)
    assert shapes == [(3, 1, 5, 2, "0.00"), (3, 4, 1, 1, None), (10, 1, 1, 1, None)]
    (big,) = [b for b in blocks if len(b.values) == 5]
    assert big.values[0] == [3, 3] and big.values[-1] == [7, 7] and big.last == (7, 2)


@pytest.mark.parametrize(
    ("macro", "params"),
    [
        (UNDO_MACRO, ["target", "stateSheet", "unmarkSheets", "markNames", "markFills"]),
        (MARKS_MACRO, ["target", "marks", "layout", "stateSheet", "stateMark"]),
    ],
)
def test_macros_exist_with_the_arguments_python_passes(taojiang_click, macro: str, params: list[str]) -> None:
    module, sub = macro.split("!")[1].split(".")
    assert f'Attribute VB_Name = "{module}"' in VBA
    m = re.search(rf"^Public Sub {sub}\(([^)]*)\)", VBA, re.M)
    assert m is not None
    assert [p.split(" As ")[0].strip() for p in m.group(1).split(",")] == params
    # the target (the workbook or its name) comes from the client; Python passes the rest, all text
    args = _macros(taojiang_click[2])[macro]
    assert len(args) == len(params) - 1 and all(isinstance(a, str) for a in args)


def test_vba_writes_the_state_sheet_header_of_the_file_tool() -> None:
    header = re.search(r'state\(0, 0\) = "(\w+)": state\(0, 1\) = "(\w+)": state\(0, 2\) = "(\w+)"', VBA)
    assert header is not None and header.groups() == STATE_HEADER


def test_vba_knows_every_ooxml_pattern_once() -> None:
    """ST_PatternType (ECMA-376 Part 1, 18.18.55) but none, each with one XlPattern constant."""
    pairs = re.findall(r'Array\((xlPattern\w+), "(\w+)"\)', VBA)
    assert sorted(n for _, n in pairs) == sorted(
        [
            "solid",
            "darkGray",
            "mediumGray",
            "lightGray",
            "gray125",
            "gray0625",
            "darkHorizontal",
            "darkVertical",
            "darkDown",
            "darkUp",
            "darkGrid",
            "darkTrellis",
            "lightHorizontal",
            "lightVertical",
            "lightDown",
            "lightUp",
            "lightGrid",
            "lightTrellis",
        ]
    )
    assert len({c for c, _ in pairs}) == len(pairs)
    # Format Cells names on both sides: 12.5% gray, diagonal / thin diagonal / thin horizontal crosshatch.
    for pair in (
        ("xlPatternGray16", "gray125"),
        ("xlPatternChecker", "darkGrid"),
        ("xlPatternCrissCross", "lightTrellis"),
        ("xlPatternGrid", "lightGrid"),
    ):
        assert pair in pairs


def test_vba_inserts_after_a_users_note_and_sets_no_author() -> None:
    """Our part goes in after the user's text (Start:=, Overwrite:=False: the user's characters, their
    format and the note's author stay); the whole text is replaced only in StripNote's fallback."""
    assert not re.search(r"\.Author\s*=", VBA)
    sets = [line.strip() for line in VBA.splitlines() if "c.text text:=" in line]
    assert [line for line in sets if "Overwrite:=False" in line] == [
        "c.text text:=piece, Start:=pos, Overwrite:=False"
    ]
    assert len(sets) == 2 and "Start omitted" in sets[1]  # ReplaceNoteText, StripNote's fallback


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("校验结果!perfeval_sheet_findings", ("校验结果", "perfeval_sheet_findings")),
        ("'校验结果(2)'!perfeval_sheet_findings", ("校验结果(2)", "perfeval_sheet_findings")),
        ("'It''s'!x", ("It's", "x")),
        ("perfeval_template_version", None),
    ],
)
def test_split_scoped_name(key, expected) -> None:
    assert split_scoped_name(key) == expected


# --- workbooks of other kinds: project-only (no 附件1/附件2), and 重庆 (amounts in 元) ---------------------
def _findings(result) -> list[tuple]:
    return [(f.rule_id, f.severity, f.cells, f.message, f.expected, f.found) for f in result.findings]


def _same_as_the_file_adapter(path: Path, click) -> None:
    """The click read, checked and wrote what `perfeval check` does on the same file; nothing went to a
    sheet or name the workbook lacks."""
    _, outcome, acts = click
    run = check_file(path, None, write=False)
    assert outcome.result.model.profile == run.result.model.profile
    assert outcome.result.model.forms == run.result.model.forms
    assert _findings(outcome.result) == _findings(run.result)
    assert outcome.result.model.computed == run.result.model.computed
    assert outcome.result.model.table_computed == run.result.model.table_computed
    assert outcome.plan is not None and outcome.plan.values == run.plan.values
    sheets = load_workbook(path, read_only=True).sheetnames
    assert {w.ref.sheet for w in run.plan.values} <= set(sheets)
    written = {sheet: _written(acts, sheet) for sheet in sheets}
    for w in run.plan.values:
        expected = excel_text(w.value)
        assert written[w.ref.sheet][cat.split_address(w.ref.address)] == (
            "" if expected is None else expected
        )
    added = {_new(name) for name in _added_sheets(acts)}
    assert {a["sheet"] for a in acts if a["sheet"] is not None} <= set(sheets) | added
    marks = parse_spec(_macros(acts)[MARKS_MACRO][0])
    assert {(r[0], r[1]) for r in marks} == {
        (c.sheet, c.address) for f in run.result.findings for c in f.cells
    }


@pytest.fixture(scope="module")
def project_only(tmp_path_factory):
    path = project_workbook(tmp_path_factory.mktemp("kinds") / "两个项目.xlsx")
    return path, _click(path)


def test_project_only_workbook_is_checked_as_the_file_adapter_checks_it(project_only) -> None:
    path, click = project_only
    assert load_workbook(path, read_only=True).sheetnames == [
        cat.SHEET_GUIDE,
        cat.SHEET_INFO,
        cat.SHEET_PROJECTS,
        cat.SHEET_PROJECT_INDICATORS,
    ]
    _same_as_the_file_adapter(path, click)


def test_project_only_workbook_gets_its_project_table_computed(project_only) -> None:
    """科普惠农项目 100 %, 10.00, 100.00, 优; 基层科协组织建设 19 of 20: 95 %, 9.50, 95.50, 优."""
    _, (_, _, acts) = project_only
    place = cat.table_placement(cat.PROJECTS)
    written = _written(acts, cat.SHEET_PROJECTS)
    col = {key: cat.split_address(f"{place.letters[key]}1")[1] for key in place.letters}
    first = place.header_row + 1
    rows = [
        [
            written[(first + i, col[key])]
            for key in ("execution_rate_calc", "execution_score_calc", "total_score_calc")
        ]
        for i in range(2)
    ]
    assert rows == [[1.0, 10.0, 100.0], [0.95, 9.5, 95.5]]
    assert [written[(first + i, col["grade_calc"])] for i in range(2)] == ["优", "优"]


def test_project_only_summary_names_the_projects(project_only) -> None:
    _, (_, _, acts) = project_only
    (alert,) = [a for a in acts if a["func"] == "alert"]
    prompt = alert["args"][0]
    assert f"项目支出绩效自评 2 个项目：{PROJECT_A} 100.00 分、{PROJECT_B} 95.50 分" in prompt
    assert "部门整体" not in prompt and "评分口径" not in prompt  # the workbook's own profile: nothing to say


def _chongqing(out: Path) -> Path:
    """桃江's 部门整体 forms in 重庆's form: every amount in 元 (×10000), 得分系数 and 核心指标 filled."""
    values, tables = taojiang_data()
    fields = cat.fields()

    def yuan(v: object) -> object:
        return v * 10000 if isinstance(v, int | float) and not isinstance(v, bool) else v

    values = {k: yuan(v) if fields[k].type is cat.FieldType.AMOUNT else v for k, v in values.items()}
    unit_tables = {}
    for name, rows in tables.items():
        spec = cat.TABLES[name]
        if spec.form is cat.Form.UNIT:
            amounts = {c.key for c in spec.columns if c.type is cat.FieldType.AMOUNT}
            unit_tables[name] = [{k: yuan(v) if k in amounts else v for k, v in r.items()} for r in rows]
    for row in unit_tables[cat.INDICATORS.name]:
        row.update(coefficient=1, core="是")
    return fill_template(
        values, unit_tables, out, profile=find_shipped("重庆"), forms=cat.KINDS_OF_WORKBOOK["整体"]
    )


def test_chongqing_workbook_in_yuan_is_checked_as_the_file_adapter_checks_it(tmp_path: Path) -> None:
    path = _chongqing(tmp_path / "重庆.xlsx")
    click = _click(path)
    _same_as_the_file_adapter(path, click)
    _, outcome, _ = click
    assert outcome.result.model.profile.id == "重庆"  # the profile the workbook names, not the default
    # The same figures as 桃江 in 万元: amounts are held in 万元 whatever the form prints.
    taojiang = check_file(TAOJIANG, None, write=False).result.model.computed
    for name in ("ua_execution_rate_calc", "ua_total_score_calc"):
        assert outcome.result.model.computed[name] == taojiang[name]
    (overspent,) = [f for f in outcome.result.findings if f.rule_id == "RATE-011"]
    assert "184,700.00 元" in overspent.message


def test_unknown_profile_is_said_in_the_message_box(tmp_path: Path) -> None:
    path = tmp_path / "四川.xlsx"
    project_workbook(path, values={"info_profile": "四川省项目支出口径"})
    _, outcome, _ = _click(path)
    assert outcome.result.model.profile.id == "default"
    assert "“四川省项目支出口径”不是本工具自带的口径，已按默认口径" in outcome.message
    assert "--profile" not in outcome.message  # nothing an Excel user can type


def test_action_count_does_not_grow_with_projects(tmp_path: Path) -> None:
    def projects(n: int, out: Path) -> Path:
        base = project_tables()
        rows, indicators = [], []
        for i in range(n):
            for row in base[cat.PROJECTS.name]:
                rows.append({**row, "name": f"{row['name']}{i}"})
            for row in base[cat.PROJECT_INDICATORS.name]:
                indicators.append({**row, "project": f"{row['project']}{i}"})
        return project_workbook(
            out, tables={cat.PROJECTS.name: rows, cat.PROJECT_INDICATORS.name: indicators}
        )

    small = _click(projects(1, tmp_path / "small.xlsx"))
    large = _click(projects(40, tmp_path / "large.xlsx"))
    assert len(large[1].result.model.projects) == 80
    assert [a["func"] for a in small[2]] == [a["func"] for a in large[2]]


# --- the add-in's VBA, run: LibreOffice's Basic in VBA mode executes PerfevalMarks.bas -------------------
# Its Excel object model is an imitation (no themes, patterns, gradients or hidden names without a window;
# it drops note authors), so these tests prove the module compiles and what it does with text and plain
# colours: the fill codec, the state sheet, the notes. The rest is on docs/windows-checklist.md.

_UNO_RUNNER = r"""
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


job = json.load(sys.stdin)
pipe = "perfeval%d" % os.getpid()
office = subprocess.Popen(
    [job["soffice"], "--headless", "--invisible", "--norestore", "-env:UserInstallation=" + job["profile"],
     "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    smgr = ctx.ServiceManager
    config = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    security = config.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (prop("nodepath", "/org.openoffice.Office.Common/Security/Scripting"),))
    security.setPropertyValue("MacroSecurityLevel", 0)  # this throwaway profile runs the test's macros
    security.commitChanges()
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(job["workbook"], "_blank", 0, (prop("Hidden", True),))
    libs = doc.BasicLibraries
    libs.VBACompatibilityMode = True
    libs.createLibrary("PerfevalTest")
    libs.getByName("PerfevalTest").insertByName("PerfevalMarks", job["module"])
    provider = doc.getScriptProvider()

    def run(name, *args):
        url = "vnd.sun.star.script:PerfevalTest.PerfevalMarks.%s?language=Basic&location=document" % name
        return provider.getScript(url).invoke(args, (), ())[0]

    out = {"fills": [run("T_Fill", spec) for spec in job["specs"]], "steps": []}
    for name, args, saved in job["steps"]:
        out["steps"].append(run(name, *args))
        doc.storeToURL(saved, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    print(json.dumps(out))
finally:
    office.terminate()
    office.wait(30)
"""

# Test entry points appended to the module.
_DRIVER = """
Public Function T_Fill(ByVal spec As String) As String
    Dim d As Variant
    d = ReadFill(spec)
    T_Fill = d(0) & "|" & T_Color(d(1)) & "|" & T_Color(d(2)) & "|" & FillSpec(d)
End Function

Private Function T_Color(ByVal c As Variant) As String
    T_Color = c(0) & ":" & c(1) & ":" & Num(c(2))
End Function

Public Function T_Apply(ByVal marks As String, ByVal stateSheet As String, ByVal stateMark As String) As String
    On Error GoTo failed
    ApplyMarks ActiveWorkbook.Name, marks, "", stateSheet, stateMark
    T_Apply = "ok"
    Exit Function
failed:
    T_Apply = "error " & Err.Number & ": " & Err.Description
End Function

Public Function T_Undo(ByVal stateSheet As String, ByVal unmarkSheets As String, ByVal markNames As String, _
        ByVal markFills As String) As String
    On Error GoTo failed
    UndoMarks ActiveWorkbook.Name, stateSheet, unmarkSheets, markNames, markFills
    T_Undo = "ok"
    Exit Function
failed:
    T_Undo = "error " & Err.Number & ": " & Err.Description
End Function

' The user refills a marked cell.
Public Function T_Paint(ByVal sheetName As String, ByVal address As String, ByVal code As String) As String
    ActiveWorkbook.Worksheets(sheetName).Range(address).Interior.Color = RgbOf(code)
    T_Paint = "ok"
End Function
"""

THEME_SOLID = (
    '<fill><patternFill patternType="solid"><fgColor theme="4" tint="0.39997558519241921"/>'
    '<bgColor indexed="64"/></patternFill></fill>'
)
GRADIENT = (
    '<fill><gradientFill degree="90"><stop position="0"><color theme="0"/></stop>'
    '<stop position="1"><color rgb="FF4472C4"/></stop></gradientFill></fill>'
)
PATTERN = (
    '<fill><patternFill patternType="darkGray"><fgColor rgb="FFFF0000"/>'
    '<bgColor theme="5" tint="-0.249977111117893"/></patternFill></fill>'
)
PATH_GRADIENT = (
    '<fill><gradientFill type="path" left="0.5" right="0.5" top="0.5" bottom="0.5">'
    '<stop position="0"><color indexed="13"/></stop><stop position="1"><color theme="1" tint="0.5"/></stop>'
    "</gradientFill></fill>"
)
XL_SOLID, XL_NONE, XL_GRAY75, XL_LINEAR, XL_RECT = 1, -4142, -4126, 4000, 4001
FILL_CASES = {
    # spec: (XlPattern, cell colour, pattern colour); a colour is source:value:tint (VBA's values)
    THEME_SOLID: (XL_SOLID, "theme:5:0.39997558519242", "auto::0"),  # theme 4 is xlThemeColorAccent1 (5)
    "<fill><patternFill/></fill>": (XL_NONE, "::0", "::0"),
    PATTERN: (XL_GRAY75, "theme:6:-0.249977111117893", "rgb:FF0000:0"),  # bgColor is the cell's colour
    '<fill><patternFill patternType="solid"><fgColor indexed="13"/><bgColor indexed="64"/></patternFill></fill>': (
        XL_SOLID,
        "index:6:0",  # OOXML indexed 13 = ColorIndex 6 (yellow)
        "auto::0",
    ),
    # what the file tool records for the template's input cells (openpyxl keeps alpha 00)
    '<fill><patternFill patternType="solid"><fgColor rgb="00FFF9E5"/></patternFill></fill>': (
        XL_SOLID,
        "rgb:FFF9E5:0",
        "::0",
    ),
    GRADIENT: (XL_LINEAR, "::0", "::0"),
    PATH_GRADIENT: (XL_RECT, "::0", "::0"),
    solid_fill("FFC7CE"): (XL_SOLID, "rgb:FFC7CE:0", "auto::0"),  # the mark itself
    "none": (XL_NONE, "::0", "::0"),  # state sheets of older runs
    "FFEB9C": (XL_SOLID, "rgb:FFEB9C:0", "auto::0"),
    "FFDDEBF7": (XL_SOLID, "rgb:DDEBF7:0", "auto::0"),
}


def _uno_python() -> str | None:
    for candidate in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python"):
        if Path(candidate).exists():
            ok = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=60)
            if ok.returncode == 0:
                return candidate
    return None


def _normal(xml: str) -> tuple:
    """A <fill> for comparison: attributes as numbers where they are numbers (tint to 12 digits), rgb
    without its alpha (Excel ignores it)."""

    def value(k: str, v: str) -> object:
        if k == "rgb":
            return v[-6:].upper()
        try:
            return round(float(v), 12)
        except ValueError:
            return v

    def walk(el: ET.Element) -> tuple:
        return (
            el.tag,
            tuple(sorted((k, value(k, v)) for k, v in el.attrib.items())),
            tuple(walk(c) for c in el),
        )

    return walk(ET.fromstring(xml))


USER_NOTE = "张三:\n我的备注"
REFILLED = (cat.SHEET_BASIC, "D18")  # a marked cell the user gives another fill before the next run


@pytest.fixture(scope="module")
def vba_run(tmp_path_factory) -> dict:
    """LibreOffice runs the add-in's module: T_Fill on each FILL_CASES spec, then on 桃江 (with a note of
    the user's on 附件1!D14) ApplyMarks with the marks of a real check, then UndoMarks; the workbook is
    saved after each."""
    soffice, python = shutil.which("soffice"), _uno_python()
    assert soffice, "LibreOffice (soffice) is needed for this test"
    assert python, "LibreOffice's Python bridge (python3-uno) is needed for this test"
    folder = tmp_path_factory.mktemp("vba")
    book = folder / "桃江.xlsx"
    wb = load_workbook(TAOJIANG)
    wb[cat.SHEET_BASIC]["D14"].comment = Comment(USER_NOTE, "张三")
    wb.save(book)
    plan = check_file(book, default_profile(), write=False).plan
    # LibreOffice knows Excel's constants but for the gradient patterns Excel 2007 added.
    head = "Option VBASupport 1\nConst xlPatternLinearGradient = 4000\nConst xlPatternRectangularGradient = 4001\n"
    state_mark = MARKS[cat.SHEET_STATE]
    job = {
        "soffice": soffice,
        "profile": (folder / "profile").as_uri(),
        "workbook": book.as_uri(),
        "module": head + re.sub(r"^Attribute .*\n", "", VBA, flags=re.M) + _DRIVER,
        "specs": list(FILL_CASES),
        "steps": [
            ("T_Apply", [marks_spec(plan), cat.SHEET_STATE, state_mark], (folder / "applied.xlsx").as_uri()),
            ("T_Paint", [*REFILLED, "00B050"], (folder / "refilled.xlsx").as_uri()),
            ("T_Undo", [cat.SHEET_STATE, "", ALL_MARKS, MARK_FILLS], (folder / "undone.xlsx").as_uri()),
        ],
    }
    done = subprocess.run(
        [python, "-c", _UNO_RUNNER], input=json.dumps(job), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    fills = {}
    for spec, text in zip(FILL_CASES, out["fills"], strict=True):
        pattern, cell, pattern_color, xml = text.split("|", 3)
        fills[spec] = (int(pattern), cell, pattern_color, xml)
    return {
        "fills": fills,
        "steps": out["steps"],
        "plan": plan,
        "before": load_workbook(book),
        "applied": load_workbook(folder / "applied.xlsx"),
        "undone": load_workbook(folder / "undone.xlsx"),
    }


@pytest.fixture(scope="module")
def vba_fills(vba_run) -> dict[str, tuple[int, str, str, str]]:
    return vba_run["fills"]


def _fill_of(cell) -> str | None:
    """A cell's fill as the tests compare it: the solid colour (RRGGBB) or None."""
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    return str(fill.fgColor.rgb)[-6:].upper()


def test_vba_marks_cells_and_records_their_fills(vba_run) -> None:
    assert vba_run["steps"][0] == "ok"
    plan, before, applied = vba_run["plan"], vba_run["before"], vba_run["applied"]
    state = applied[cat.SHEET_STATE]
    assert state.sheet_state == "hidden"
    rows = list(state.iter_rows(values_only=True))
    assert rows[0] == STATE_HEADER
    recorded = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert set(recorded) == {
        (m.ref.sheet, m.ref.address) for m in plan.marks if m.ref.sheet in before.sheetnames
    }
    for mark in plan.marks:
        if mark.ref.sheet not in before.sheetnames:
            continue
        was, now = before[mark.ref.sheet][mark.ref.address], applied[mark.ref.sheet][mark.ref.address]
        original = ET.fromstring(recorded[(mark.ref.sheet, mark.ref.address)])
        fg = original.find("patternFill/fgColor")
        assert (fg.get("rgb")[-6:] if fg is not None else None) == _fill_of(was), mark.ref
        assert _fill_of(now) == SEVERITY_FILLS[mark.severity]
        assert now.comment is not None and now.comment.text.endswith(NOTE_MARK + "\n" + mark.note)
        expected_start = (was.comment.text + "\n\n") if was.comment else ""
        assert now.comment.text == expected_start + NOTE_MARK + "\n" + mark.note  # the user's text first
    assert any(len(m.note) > 250 for m in plan.marks)  # notes longer than one Comment.Text call


def test_vba_undo_puts_back_fills_and_the_users_notes(vba_run) -> None:
    assert vba_run["steps"][1:] == ["ok", "ok"]
    plan, before, undone = vba_run["plan"], vba_run["before"], vba_run["undone"]
    for mark in plan.marks:
        if mark.ref.sheet not in before.sheetnames:
            continue
        was, now = before[mark.ref.sheet][mark.ref.address], undone[mark.ref.sheet][mark.ref.address]
        if (mark.ref.sheet, mark.ref.address) == REFILLED:
            assert (
                _fill_of(now) == "00B050"
            )  # the user's own fill since the mark is kept, as the file tool does
        else:
            assert _fill_of(now) == _fill_of(was), mark.ref
        assert (now.comment.text if now.comment else None) == (was.comment.text if was.comment else None)
    assert undone[cat.SHEET_BASIC]["D14"].comment.text == USER_NOTE
    assert undone[cat.SHEET_STATE].sheet_state == "visible"  # for Python to delete next


@pytest.mark.parametrize("spec", list(FILL_CASES))
def test_vba_reads_each_fill_as_excel_needs_it(vba_fills, spec: str) -> None:
    def colour(text: str) -> tuple[str, str, float]:
        source, value, tint = text.split(":")
        return source, value, round(float(tint), 12)  # LibreOffice's Str$ gives 14 digits, Excel's 15

    pattern, cell, pattern_color, _ = vba_fills[spec]
    expected = FILL_CASES[spec]
    assert (pattern, colour(cell), colour(pattern_color)) == (
        expected[0],
        colour(expected[1]),
        colour(expected[2]),
    )


@pytest.mark.parametrize("spec", [s for s in FILL_CASES if s.startswith("<")])
def test_vba_writes_back_the_fill_it_read(vba_fills, spec: str) -> None:
    """ReadFill then FillSpec loses nothing: what the file tool recorded, the add-in records the same way."""
    assert _normal(vba_fills[spec][3]) == _normal(spec)


def test_vba_writes_legacy_codes_as_fills(vba_fills) -> None:
    assert vba_fills["none"][3] == "<fill><patternFill/></fill>"
    assert vba_fills["FFEB9C"][3] == solid_fill("FFEB9C")


@pytest.mark.parametrize("spec", [s for s in FILL_CASES if s.startswith("<")])
def test_the_file_tool_reads_what_the_vba_writes(vba_fills, spec: str) -> None:
    """The file adapter puts back exactly the <fill> the add-in recorded (and records the mark alike)."""
    from perfeval.io.styles import fill_xml, parse_fill
    from perfeval.io.styles import solid_fill as file_solid_fill

    assert _normal(fill_xml(parse_fill(vba_fills[spec][3]))) == _normal(spec)
    assert fill_xml(file_solid_fill("FFC7CE")) == solid_fill("FFC7CE")
