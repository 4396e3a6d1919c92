"""The Excel adapter through the real xlwings API, on its remote engine (Excel's stand-in on Linux).

Each test builds the payload Excel's desktop client would send from a real workbook (tests/remote_client),
clicks a ribbon button (perfeval.excel.ribbon.run_action) and asserts the actions that come back: what
Excel would then do to the workbook.
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.plan import SEVERITY_FILLS
from perfeval.core.profile import default_profile
from perfeval.excel import ribbon
from perfeval.excel.reader import parse_refers_to
from perfeval.excel.specs import parse_spec
from perfeval.excel.writer import MARKS_MACRO, excel_text, value_blocks
from perfeval.service import check_file
from tests.remote_client import actions, desktop_actions, remote_book
from tests.workbooks import taojiang_with_indicators

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"


def _click(path: Path, control: str = "perfeval_check"):
    book = remote_book(path)
    outcome = ribbon.run_action(book, control)
    return book, outcome, actions(book)


def _sheet_index(path: Path) -> dict[str, int]:
    return {name: i for i, name in enumerate(load_workbook(path, read_only=True).sheetnames)}


def _written(acts: list[dict], position: int) -> dict[tuple[int, int], object]:
    """(row, col) 1-based -> value, from every setValues action on the sheet at `position`."""
    cells = {}
    for a in acts:
        if a["func"] == "setValues" and a["sheet_position"] == position:
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    cells[(a["start_row"] + 1 + i, a["start_column"] + 1 + j)] = v
    return cells


def _added_sheets(acts: list[dict]) -> dict[str, int]:
    return {a["args"][1]: a["args"][0] for a in acts if a["func"] == "addSheet"}


@pytest.fixture(scope="module")
def taojiang_click():
    return _click(TAOJIANG)


@pytest.fixture(scope="module")
def taojiang_file_plan():
    return check_file(TAOJIANG, default_profile(), write=False).plan


def test_only_actions_the_desktop_client_can_run(taojiang_click) -> None:
    _, _, acts = taojiang_click
    supported = desktop_actions()
    assert {"setValues", "setRangeColor", "runMacro", "alert", "addSheet"} <= supported  # the parse works
    assert {a["func"] for a in acts} <= supported


def test_computed_values_land_in_their_cells(taojiang_click, taojiang_file_plan) -> None:
    _, outcome, acts = taojiang_click
    index = _sheet_index(TAOJIANG)
    assert (
        outcome.plan is not None and outcome.plan.values == taojiang_file_plan.values
    )  # same plan as the CLI
    written = {sheet: _written(acts, pos) for sheet, pos in index.items()}
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
    (macro,) = [a for a in acts if a["func"] == "runMacro"]
    name, marks, layout = macro["args"]
    assert name == MARKS_MACRO
    marked = {(sheet, address): (fill, note) for sheet, address, fill, note in parse_spec(marks)}
    result = outcome.result
    finding_cells = {(c.sheet, c.address) for f in result.findings for c in f.cells}
    assert set(marked) == finding_cells
    # 附件1!D14 (公用经费 over budget): a 警告, yellow, and its note names the rule.
    fill, note = marked[(cat.SHEET_BASIC, "D14")]
    assert fill == SEVERITY_FILLS[Severity.WARNING] and "RATE-011" in note
    # Each cell takes the colour of the worst severity among its findings.
    for (sheet, address), (fill, _) in marked.items():
        on_cell = [
            f.severity
            for f in result.findings
            if any(c.sheet == sheet and c.address == address for c in f.cells)
        ]
        assert fill == SEVERITY_FILLS[min(on_cell, key=lambda s: s.rank)]
    sheets_laid_out = [record[0] for record in parse_spec(layout)]
    assert sheets_laid_out == list(cat.OUTPUT_SHEETS)


def test_findings_sheet_is_written_with_links(taojiang_click) -> None:
    _, outcome, acts = taojiang_click
    added = _added_sheets(acts)
    assert list(added) == list(cat.OUTPUT_SHEETS)
    cells = _written(acts, added[cat.SHEET_FINDINGS])
    result = outcome.result
    assert str(cells[(1, 1)]).startswith(f"校验结果：{result.summary()}")
    assert cells[(2, 1)] == "序号"
    rule_ids = [cells[(r, 3)] for r in range(3, 3 + len(result.findings))]
    assert rule_ids == [f.rule_id for f in result.findings]
    link = cells[(3, 5)]
    first = result.findings[0].cells[0]
    assert link == f'=HYPERLINK("#\'{first.sheet}\'!{first.address}","{first}")'
    # Severity column coloured in runs (findings are sorted by severity): one action per severity present.
    fills = [
        a for a in acts if a["func"] == "setRangeColor" and a["sheet_position"] == added[cat.SHEET_FINDINGS]
    ]
    present = {f.severity for f in result.findings}
    assert len(fills) == 1 + len(present)  # the header row, then one run per severity


def test_summary_message_box(taojiang_click) -> None:
    _, _, acts = taojiang_click
    (alert,) = [a for a in acts if a["func"] == "alert"]
    prompt, title, buttons, mode, _ = alert["args"]
    assert title == "绩效自评" and buttons == "ok" and mode == "critical"  # the example has 错误
    assert "4 个错误、7 个警告" in prompt and "总分 110.00" in prompt
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


def test_older_template_version_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "旧模板.xlsx"
    shutil.copyfile(TAOJIANG, path)
    wb = load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[cat.VERSION_NAME].destinations))
    wb[sheet][ref.replace("$", "")] = "0"
    wb.save(path)
    _, outcome, acts = _click(path)
    assert [a["func"] for a in acts] == ["alert"]
    assert "模板版本为 0" in outcome.message


def test_rerun_reuses_output_sheets_and_keeps_explanations(tmp_path: Path) -> None:
    checked = check_file(TAOJIANG, default_profile(), tmp_path / "checked.xlsx").output
    wb = load_workbook(checked)
    ws = wb[cat.SHEET_FINDINGS]
    ws.cell(3, 10, "已与财政局核实，按批复口径填报")
    fingerprint = ws.cell(3, 11).value
    wb.save(checked)
    _, _, acts = _click(checked)
    assert not _added_sheets(acts)  # cleared and rewritten in place
    position = _sheet_index(checked)[cat.SHEET_FINDINGS]
    assert any(a["func"] == "sheetClear" and a["sheet_position"] == position for a in acts)
    cells = _written(acts, position)
    row = next(r for r in range(3, 100) if cells.get((r, 11)) in (fingerprint, "'" + str(fingerprint)))
    assert cells[(row, 10)] == "已与财政局核实，按批复口径填报"


def test_clear_removes_what_the_tool_wrote(tmp_path: Path) -> None:
    checked = check_file(TAOJIANG, default_profile(), tmp_path / "checked.xlsx").output
    _, outcome, acts = _click(checked, "perfeval_clear")
    funcs = [a["func"] for a in acts]
    assert "setValues" not in funcs  # nothing typed is touched, nothing new is written
    (macro,) = [a for a in acts if a["func"] == "runMacro"]
    assert macro["args"] == [MARKS_MACRO, "", ""]  # undo the marks only
    index = _sheet_index(checked)
    deleted = [a["sheet_position"] for a in acts if a["func"] == "sheetDelete"]
    assert len(deleted) == len(cat.OUTPUT_SHEETS)
    cleared = {
        (a["sheet_position"], a["start_row"] + 1, a["start_column"] + 1)
        for a in acts
        if a["func"] == "rangeClearContents"
    }
    rate = cat.field("ua_execution_rate_calc")
    assert (index[rate.sheet], *cat.split_address(rate.cell)) in cleared
    assert "您填写的内容未改动" in outcome.message


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


def test_marks_macro_exists_with_the_arguments_python_passes() -> None:
    source = (ROOT / "macros" / "PerfevalMarks.bas").read_text(encoding="utf-8")
    module, sub = MARKS_MACRO.split("!")[1].split(".")
    assert f'Attribute VB_Name = "{module}"' in source
    m = re.search(rf"^Public Sub {sub}\(([^)]*)\)", source, re.M)
    assert m is not None
    # target (the workbook or its name), the marks spec and the layout spec
    assert [p.split(" As ")[0].strip() for p in m.group(1).split(",")] == ["target", "marks", "layout"]
