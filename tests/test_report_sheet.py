"""The 自评报告 sheet both adapters write: replaced on every run, never silently when edited by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.profile import default_profile
from perfeval.excel import ribbon
from perfeval.narrative.render import render_report
from perfeval.narrative.sheet import STAMP_PREFIX, report_texts
from perfeval.service import check_file
from tests.remote_client import actions, remote_book

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"


def _check(path: Path, out: Path):
    return check_file(path, default_profile(), out)


def _column_a(ws) -> list[str]:
    return [str(v).strip() for (v,) in ws.iter_rows(min_col=1, max_col=1, values_only=True) if v]


def test_check_writes_the_report_sheet(tmp_path: Path) -> None:
    run = _check(TAOJIANG, tmp_path / "out.xlsx")
    wb = load_workbook(run.output)
    ws = wb[cat.SHEET_REPORT]
    expected = report_texts(render_report(run.result))
    assert _column_a(ws) == expected
    assert ws["A1"].value == "2023年度部门整体支出绩效自评报告" and ws["A1"].font.sz == 16 and ws["A1"].font.b
    assert ws["A4"].value == "一、部门概况" and ws["A4"].font.b
    body = next(
        r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("桃江县科学技术协会属")
    )
    assert ws.cell(body, 1).alignment.wrap_text and not ws.cell(body, 1).font.b
    assert str(ws["B1"].value).startswith(STAMP_PREFIX) and ws.column_dimensions["B"].hidden
    assert ws.page_setup.orientation == "portrait" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert wb.sheetnames.index(cat.SHEET_REPORT) == wb.sheetnames.index(cat.SHEET_SCORES) + 1


def test_a_date_cell_reads_in_chinese_on_the_report_sheet(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    wb = load_workbook(TAOJIANG)
    field = cat.field("info_report_date")
    wb[field.sheet][field.cell].value = dt.date(2025, 4, 10)  # a real date cell, as Excel stores it
    wb.save(source)
    _check(source, tmp_path / "out.xlsx")
    lines = _column_a(load_workbook(tmp_path / "out.xlsx")[cat.SHEET_REPORT])
    assert "2025年4月10日" in lines and not any("2025-04-10" in line for line in lines)


def test_rerun_replaces_the_report_and_keeps_the_users_sheets(tmp_path: Path) -> None:
    first = _check(TAOJIANG, tmp_path / "first.xlsx").output
    wb = load_workbook(first)
    wb.create_sheet("我的备注")["A1"] = "自己的话"
    wb.save(first)
    second = _check(first, tmp_path / "second.xlsx")
    wb2 = load_workbook(second.output)
    assert wb2["我的备注"]["A1"].value == "自己的话"
    assert [n for n in wb2.sheetnames if n.startswith("自评报告")] == [cat.SHEET_REPORT]
    assert "RPT-001" not in {f.rule_id for f in second.result.findings}
    assert _column_a(wb2[cat.SHEET_REPORT]) == _column_a(load_workbook(first)[cat.SHEET_REPORT])


def _edit_report(path: Path, row: int, text: str) -> None:
    wb = load_workbook(path)
    wb[cat.SHEET_REPORT].cell(row, 1, text)
    wb.save(path)


def test_a_hand_edited_report_is_kept_under_another_name(tmp_path: Path) -> None:
    first = _check(TAOJIANG, tmp_path / "first.xlsx").output
    _edit_report(first, 5, "（一）我改过的标题")
    second = _check(first, tmp_path / "second.xlsx")
    wb = load_workbook(second.output)
    kept = wb["自评报告（修改稿）"]
    assert kept["A5"].value == "（一）我改过的标题"  # the user's edit is there, untouched
    assert wb[cat.SHEET_REPORT]["A5"].value == "（一）单位基本情况"  # and a fresh report beside it
    (finding,) = [f for f in second.result.findings if f.rule_id == "RPT-001"]
    assert "自评报告（修改稿）" in finding.message and str(finding.cells[0]) == "自评报告（修改稿）!A1"
    # Edited again: the first kept copy stays, the new one gets the next free name.
    _edit_report(second.output, 5, "再改一次")
    third = _check(second.output, tmp_path / "third.xlsx")
    wb3 = load_workbook(third.output)
    assert wb3["自评报告（修改稿）"]["A5"].value == "（一）我改过的标题"
    assert wb3["自评报告（修改稿2）"]["A5"].value == "再改一次"


def test_excel_click_writes_the_report_and_renames_an_edited_one(tmp_path: Path) -> None:
    first = _check(TAOJIANG, tmp_path / "first.xlsx").output
    _edit_report(first, 5, "（一）我改过的标题")
    book = remote_book(first)
    outcome = ribbon.run_action(book, "perfeval_check")
    acts = actions(book)
    index = load_workbook(first, read_only=True).sheetnames.index(cat.SHEET_REPORT)
    (rename,) = [a for a in acts if a["func"] == "setSheetName"]
    assert rename["sheet_position"] == index and rename["args"] == ["自评报告（修改稿）"]
    added = {a["args"][1]: a["args"][0] for a in acts if a["func"] == "addSheet"}
    assert list(added) == [cat.SHEET_REPORT]  # the other output sheets are reused, the report is new
    written = [a for a in acts if a["func"] == "setValues" and a["sheet_position"] == added[cat.SHEET_REPORT]]
    (block,) = written
    assert [row[0].lstrip("'") for row in block["values"]] == report_texts(render_report(outcome.result))
    assert "RPT-001" in {f.rule_id for f in outcome.result.findings}


def test_clear_keeps_a_hand_edited_report(tmp_path: Path) -> None:
    first = _check(TAOJIANG, tmp_path / "first.xlsx").output
    _edit_report(first, 5, "（一）我改过的标题")
    book = remote_book(first)
    ribbon.run_action(book, "perfeval_clear")
    acts = actions(book)
    sheets = load_workbook(first, read_only=True).sheetnames
    index = sheets.index(cat.SHEET_REPORT)
    (rename,) = [a for a in acts if a["func"] == "setSheetName"]
    assert rename["sheet_position"] == index and rename["args"] == ["自评报告（修改稿）"]
    sheets[index] = "自评报告（修改稿）"
    deleted = [sheets.pop(a["sheet_position"]) for a in acts if a["func"] == "sheetDelete"]  # positions shift
    others = [n for n in (*cat.OUTPUT_SHEETS, cat.SHEET_STATE) if n != cat.SHEET_REPORT]
    assert sorted(deleted) == sorted(others)  # the kept copy stays
