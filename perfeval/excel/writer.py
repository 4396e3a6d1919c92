"""Excel adapter, write side: apply the same WritePlan as the file adapter, in a few bulk writes.

- Computed values go out as 2-D blocks: writes are grouped into rectangles of contiguous cells, so a
  table column of any length is one write.
- Each output sheet is one 2-D write; its links are HYPERLINK formulas inside that block, and its fills
  are runs of equal colour (the findings are sorted by severity, so at most a few runs).
- Undoing the last run's marks (fill + note per cell, from the hidden state sheet) is one macro call before
  anything else; the new marks, the output sheets' look and the hidden names that mark the tool's sheets
  are one macro call after (see specs.py for why).
- The tool's sheets are found through their marks (the plan names them as found): a sheet of the user's is
  never cleared, renamed or deleted, whatever its name.
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
from perfeval.excel.specs import apply_args, undo_args

MARKS_MACRO = "'perfeval.xlam'!PerfevalMarks.ApplyMarks"
UNDO_MACRO = "'perfeval.xlam'!PerfevalMarks.UndoMarks"
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


def format_ranges(
    formats: dict[tuple[int, int], str], rows: list[list[object]]
) -> list[tuple[int, int, int, int, str]]:
    """(first row, first col, last row, last col, format) covering `formats` in a few Excel calls.

    A number format on a text or empty cell changes nothing shown, so each format can go on the box around
    its cells, the largest box first; that is one call per format (评分汇总: scores, then the projects'
    rates inside). If a box would give a cell another format than planned (a number of `rows` left
    unformatted included), fall back to one call per vertical run of one format in a column."""
    boxes: dict[str, list[int]] = {}
    for (r, c), fmt in formats.items():
        b = boxes.setdefault(fmt, [r, c, r, c])
        b[0], b[1], b[2], b[3] = min(b[0], r), min(b[1], c), max(b[2], r), max(b[3], c)
    order = sorted(boxes.items(), key=lambda kv: -(kv[1][2] - kv[1][0] + 1) * (kv[1][3] - kv[1][1] + 1))
    ranges = [(b[0], b[1], b[2], b[3], fmt) for fmt, b in order]

    def last_format(r: int, c: int) -> str | None:
        hit = [fmt for r1, c1, r2, c2, fmt in ranges if r1 <= r <= r2 and c1 <= c <= c2]
        return hit[-1] if hit else None

    numbers = {
        (r, c): None
        for r, row in enumerate(rows, start=1)
        for c, v in enumerate(row, start=1)
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    if all(last_format(r, c) == fmt for (r, c), fmt in (numbers | formats).items()):
        return ranges
    return [(first, col, last, col, fmt) for col, first, last, fmt in _fill_runs(formats)]


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
    """The tool's own sheet of the last run, cleared for rewriting in place, or a new sheet after the last."""
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
    for r1, c1, r2, c2, fmt in format_ranges(sp.number_formats, sp.rows):
        sheet.range((r1, c1), (r2, c2)).number_format = fmt


def run_macro(book: Any, name: str, *args: str) -> None:
    macro = book.app.macro(name)
    if book.app.engine.name == "remote":
        macro(*args)  # the remote clients pass the workbook as the first argument themselves
    else:
        macro(book.name, *args)


def undo_last_run(book: Any, sheets: dict[str, Any], plan: WritePlan, reuse: set[str]) -> None:
    """Put back what the last run marked, hand over the sheets that became the user's, drop the rest.

    The macro restores the fills and notes recorded on the last run's state sheet, takes the tool's mark
    off each sheet in plan.renames and unhides the state sheet (deleted here next). Renames and deletions
    go through xlwings so that its view of the workbook (sheet positions, on the remote engine) stays
    right. The tool's sheets that this run writes again under the same name (`reuse`) are kept and
    cleared in place: same position in the workbook, same mark.
    """
    run_macro(book, UNDO_MACRO, *undo_args(plan))
    for old, new in plan.renames.items():
        if old in sheets:
            sheet = sheets.pop(old)
            sheet.name = new
            sheets[new] = sheet
    for name in (*plan.remove, plan.state_sheet_found):
        if name and name in sheets and name not in reuse:
            sheets.pop(name).delete()


def apply_plan(book: Any, plan: WritePlan) -> None:
    sheets = _sheets(book)
    undo_last_run(book, sheets, plan, reuse={sp.name for sp in plan.sheets} & set(plan.remove))
    for block in value_blocks(plan.values):
        if block.sheet not in sheets:
            continue
        rng = sheets[block.sheet].range((block.row, block.col), block.last)
        rng.value = block.values
        if block.number_format:
            rng.number_format = block.number_format
    for sp in plan.sheets:
        write_sheet(book, sheets, sp)
    run_macro(book, MARKS_MACRO, *apply_args(plan))


def clear_book(book: Any, plan: WritePlan) -> None:
    """Remove what the tool wrote (computed values, marks, its sheets); what the user typed stays."""
    sheets = _sheets(book)
    undo_last_run(book, sheets, plan, reuse=set())
    for block in value_blocks(plan.values):
        if block.sheet in sheets:
            sheets[block.sheet].range((block.row, block.col), block.last).clear_contents()
