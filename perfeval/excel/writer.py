"""Excel adapter, write side: apply the same WritePlan as the file adapter, in a few bulk writes.

- Computed values go out as 2-D blocks: writes are grouped into rectangles of contiguous cells, so a
  table column of any length is one write.
- Each output sheet is one 2-D write; its links are HYPERLINK formulas inside that block, and its fills
  are runs of equal colour (the findings are sorted by severity, so at most a few runs).
- Marks (fill + note per finding cell, undoing the last run first) and the output sheets' look go to the
  add-in's VBA helper in one macro call (see specs.py for why).
Only actions xlwings' desktop clients support are used, so the same code runs on Excel and in tests on
xlwings' remote engine.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from perfeval.catalogue import split_address
from perfeval.core.plan import CellWrite, SheetPlan, WritePlan
from perfeval.core.snapshot import CellRef
from perfeval.excel.specs import layout_spec, marks_spec

MARKS_MACRO = "'perfeval.xlam'!PerfevalMarks.ApplyMarks"
HEADER_FILL = "#D9D9D9"
# Excel turns a written string into a formula, number or date when it looks like one; a leading
# apostrophe keeps it text (and is not part of the value).
_COERCIBLE = re.compile(r"^[=+\-@]|^[\d\s.,:/%$¥€eE()]+$")


def excel_text(value: object) -> object:
    """A value as written into Excel: text the tool writes can never become a formula or a number."""
    if isinstance(value, str) and value and _COERCIBLE.search(value):
        return "'" + value
    return value


def hyperlink_formula(ref: CellRef) -> str:
    target = f"#'{ref.sheet}'!{ref.address}".replace('"', '""')
    display = str(ref).replace('"', '""')
    return f'=HYPERLINK("{target}","{display}")'


@dataclass(frozen=True)
class Block:
    sheet: str
    row: int
    col: int
    values: list[list[object]]
    number_format: str | None

    @property
    def last(self) -> tuple[int, int]:
        return self.row + len(self.values) - 1, self.col + len(self.values[0]) - 1


def value_blocks(writes: list[CellWrite]) -> list[Block]:
    """Group single-cell writes into rectangles: vertical runs per column, then side-by-side runs merged."""
    cells: dict[str, dict[tuple[int, int], CellWrite]] = defaultdict(dict)
    for w in writes:
        cells[w.ref.sheet][split_address(w.ref.address)] = w
    blocks: list[Block] = []
    for sheet, grid in cells.items():
        runs: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (first, last) -> columns
        by_col: dict[int, list[int]] = defaultdict(list)
        for row, col in grid:
            by_col[col].append(row)
        for col, rows in by_col.items():
            rows.sort()
            start = prev = rows[0]
            for row in [*rows[1:], None]:
                if row is not None and row == prev + 1:
                    prev = row
                    continue
                runs[(start, prev)].append(col)
                if row is not None:
                    start = prev = row
        for (first, last), cols in sorted(runs.items()):
            cols.sort()
            group = [cols[0]]
            for col in [*cols[1:], None]:
                if col is not None and col == group[-1] + 1:
                    group.append(col)
                    continue
                rows = [[excel_text(grid[(r, c)].value) for c in group] for r in range(first, last + 1)]
                formats = {grid[(r, c)].number_format for r in range(first, last + 1) for c in group}
                blocks.append(
                    Block(sheet, first, group[0], rows, formats.pop() if len(formats) == 1 else None)
                )
                if col is not None:
                    group = [col]
    return blocks


def _fill_runs(fills: dict[tuple[int, int], str]) -> list[tuple[int, int, int, str]]:
    """(column, first row, last row, colour) for vertical runs of one colour."""
    runs = []
    for (row, col), color in sorted(fills.items(), key=lambda item: (item[0][1], item[0][0])):
        if runs and runs[-1][0] == col and runs[-1][2] == row - 1 and runs[-1][3] == color:
            runs[-1] = (col, runs[-1][1], row, color)
        else:
            runs.append((col, row, row, color))
    return runs


def sheet_block(sp: SheetPlan) -> list[list[object]]:
    width = max(len(row) for row in sp.rows)
    block = [[excel_text(v) for v in row] + [None] * (width - len(row)) for row in sp.rows]
    for (r, c), ref in sp.links.items():
        block[r - 1][c - 1] = hyperlink_formula(ref)
    return block


def _sheets(book: Any) -> dict[str, Any]:
    """The book's sheets by name, read once (each name is an Excel call on COM)."""
    return {s.name: s for s in book.sheets}


def _output_sheet(book: Any, sheets: dict[str, Any], name: str) -> Any:
    """The tool's own sheet, cleared for rewriting, or added after the last sheet."""
    if name in sheets:
        sheets[name].clear()
        return sheets[name]
    sheet = book.sheets.add(name, after=book.sheets[len(sheets) - 1])
    sheets[name] = sheet
    return sheet


def write_sheet(book: Any, sheets: dict[str, Any], sp: SheetPlan) -> None:
    sheet = _output_sheet(book, sheets, sp.name)
    block = sheet_block(sp)
    sheet.range((1, 1)).value = block
    if sp.header_row:
        header_width = len(sp.rows[sp.header_row - 1])
        sheet.range((sp.header_row, 1), (sp.header_row, header_width)).color = HEADER_FILL
    for col, first, last, color in _fill_runs(sp.fills):
        sheet.range((first, col), (last, col)).color = "#" + color


def run_marks_macro(book: Any, marks: str, layout: str) -> None:
    macro = book.app.macro(MARKS_MACRO)
    if book.app.engine.name == "remote":
        macro(marks, layout)  # the remote clients pass the workbook as the first argument themselves
    else:
        macro(book.name, marks, layout)


def _keep_edited_sheets(sheets: dict[str, Any], plan: WritePlan) -> None:
    """A hand-edited report is kept under a new name before the tool replaces or removes its own."""
    for old, new in plan.renames.items():
        if old in sheets:
            sheet = sheets.pop(old)
            sheet.name = new
            sheets[new] = sheet


def apply_plan(book: Any, plan: WritePlan) -> None:
    sheets = _sheets(book)
    _keep_edited_sheets(sheets, plan)
    for block in value_blocks(plan.values):
        if block.sheet not in sheets:
            continue
        rng = sheets[block.sheet].range((block.row, block.col), block.last)
        rng.value = block.values
        if block.number_format:
            rng.number_format = block.number_format
    for sp in plan.sheets:
        write_sheet(book, sheets, sp)
    run_marks_macro(book, marks_spec(plan), layout_spec(plan))


def clear_book(book: Any, plan: WritePlan) -> None:
    """Remove what the tool wrote (computed values, marks, output sheets); what the user typed stays."""
    sheets = _sheets(book)
    for block in value_blocks(plan.values):
        if block.sheet in sheets:
            sheets[block.sheet].range((block.row, block.col), block.last).clear_contents()
    run_marks_macro(book, "", "")
    _keep_edited_sheets(sheets, plan)
    for sp in plan.sheets:
        if sp.name in sheets:
            sheets.pop(sp.name).delete()
