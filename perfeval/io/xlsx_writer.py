"""File adapter, write side: apply a WritePlan to an openpyxl workbook, undoing what the last run wrote first.

What the tool changed (fills and notes on the user's cells) is recorded on a hidden sheet, so the next
run can restore exactly the fills it replaced and remove only its own notes: the check is idempotent.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import catalogue as cat
from perfeval.core.plan import NOTE_MARK, SEVERITY_FILLS, SheetPlan, WritePlan
from perfeval.io.safety import write_atomically

STATE_HEADER = ("sheet", "address", "original_fill")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
FONT = "宋体"


def set_text_safe(cell, value: object) -> None:
    """Write a value; a string is always stored as text, never as a formula (no injection via '=')."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _fill_code(cell) -> str:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return "none"
    color = fill.fgColor.rgb if fill.fgColor is not None and fill.fgColor.type == "rgb" else None
    return str(color) if color else "none"


def _restore_fill(cell, code: str) -> None:
    cell.fill = PatternFill(fill_type=None) if code == "none" else PatternFill("solid", fgColor=code)


def _strip_own_note(cell) -> None:
    comment = cell.comment
    if comment is None or NOTE_MARK not in comment.text:
        return
    kept = comment.text.split(NOTE_MARK)[0].rstrip()
    cell.comment = Comment(kept, comment.author or "") if kept else None


def clear_previous(wb: Workbook) -> None:
    """Undo the previous run's marks and output sheets (values in computed cells are simply overwritten)."""
    if cat.SHEET_STATE in wb.sheetnames:
        state = wb[cat.SHEET_STATE]
        for sheet, address, code in state.iter_rows(min_row=2, max_col=3, values_only=True):
            if sheet in wb.sheetnames and address:
                cell = wb[sheet][address]
                _restore_fill(cell, str(code or "none"))
                _strip_own_note(cell)
        del wb[cat.SHEET_STATE]
    for name in (*cat.OUTPUT_SHEETS,):
        if name in wb.sheetnames:
            del wb[name]


def _apply_marks(wb: Workbook, plan: WritePlan) -> Worksheet:
    state = wb.create_sheet(cat.SHEET_STATE)
    state.append(STATE_HEADER)
    state.sheet_state = "hidden"
    for mark in plan.marks:
        if mark.ref.sheet not in wb.sheetnames:
            continue
        cell = wb[mark.ref.sheet][mark.ref.address]
        state.append((mark.ref.sheet, mark.ref.address, _fill_code(cell)))
        cell.fill = PatternFill("solid", fgColor=SEVERITY_FILLS[mark.severity])
        existing = cell.comment.text.rstrip() + "\n\n" if cell.comment else ""
        comment = Comment(existing + NOTE_MARK + "\n" + mark.note, "perfeval")
        comment.width, comment.height = 360, 160
        cell.comment = comment
    return state


def _apply_values(wb: Workbook, plan: WritePlan) -> None:
    for w in plan.values:
        if w.ref.sheet not in wb.sheetnames:
            continue
        cell = wb[w.ref.sheet][w.ref.address]
        set_text_safe(cell, w.value)
        if w.number_format and not isinstance(w.value, str):
            cell.number_format = w.number_format


# Paragraph kinds on the 自评报告 sheet: font size, bold, centred.
PARAGRAPH_STYLES = {
    "title": (16, True, True),
    "subtitle": (12, False, True),
    "heading1": (12, True, False),
    "heading2": (11, True, False),
    "attachment": (11, False, False),
}


def _write_sheet(wb: Workbook, sp: SheetPlan) -> None:
    ws = wb.create_sheet(sp.name)
    for r, row in enumerate(sp.rows, start=1):
        size, bold, centred = PARAGRAPH_STYLES.get(sp.styles.get(r, ""), (10, r <= sp.header_row, False))
        if sp.styles:
            size = max(size, 11)
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            set_text_safe(cell, value)
            cell.font = Font(name=FONT, size=size, bold=bold)
            if sp.wrap and (r > 1 or not sp.header_row):  # a table's title row overflows to the right
                cell.alignment = Alignment(
                    wrap_text=True, vertical="top", horizontal="center" if centred else None
                )
    if sp.header_row:
        for c in range(1, len(sp.rows[sp.header_row - 1]) + 1):
            ws.cell(sp.header_row, c).fill = HEADER_FILL
        ws.cell(1, 1).font = Font(name=FONT, size=12, bold=True)
        ws.freeze_panes = ws.cell(sp.header_row + 1, 1)
    for (r, c), ref in sp.links.items():
        cell = ws.cell(r, c)
        cell.hyperlink = Hyperlink(
            ref=cell.coordinate, location=f"'{ref.sheet}'!{ref.address}", display=str(ref)
        )
        cell.font = Font(name=FONT, size=10, color="0563C1", underline="single")
    for (r, c), color in sp.fills.items():
        ws.cell(r, c).fill = PatternFill("solid", fgColor=color)
    for i, width in enumerate(sp.widths, start=1):
        ws.column_dimensions[cat.get_column_letter(i)].width = width
    for c in sp.hidden_cols:
        ws.column_dimensions[cat.get_column_letter(c)].hidden = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait" if sp.portrait else "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    if sp.portrait:
        ws.print_area = f"A1:A{len(sp.rows)}"


def apply_plan(wb: Workbook, plan: WritePlan) -> None:
    for old, new in plan.renames.items():  # a hand-edited report is kept, not deleted with the outputs
        if old in wb.sheetnames:
            wb[old].title = new
    clear_previous(wb)
    _apply_values(wb, plan)
    for sp in plan.sheets:
        _write_sheet(wb, sp)
    _apply_marks(wb, plan)


def save_workbook(wb: Workbook, path: Path) -> None:
    write_atomically(path, wb.save)
