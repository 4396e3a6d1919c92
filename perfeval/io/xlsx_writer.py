"""File adapter, write side: the user's package with the tool's changes applied, everything else as it was.

The tool's changes are: the computed cells it owns (plan.values), the fill and note of each flagged cell
(plan.marks, the original fill recorded on a hidden state sheet), and its own sheets, which carry its mark
(a hidden sheet-scoped name). Before writing, the last run is undone: its marks restored from its state
sheet, its sheets removed. Every other part of the package is copied byte for byte (see package.py).
"""

from __future__ import annotations

from pathlib import Path

from perfeval import catalogue as cat
from perfeval.core.plan import NOTE_MARK, SEVERITY_FILLS, STATE_HEADER, WritePlan
from perfeval.io.notes import SheetNotes
from perfeval.io.own_sheets import build_sheet, state_sheet
from perfeval.io.package import Package
from perfeval.io.safety import write_atomically
from perfeval.io.sheet_xml import cell_text
from perfeval.io.styles import entry_key, fill_xml, parse_fill, solid_fill
from perfeval.io.workbook_xml import Book, quote_sheet

_MARK_FILLS = {entry_key(solid_fill(color)) for color in SEVERITY_FILLS.values()}


class _Notes:
    """The notes of every sheet touched in one run, saved together at the end."""

    def __init__(self, book: Book) -> None:
        self.book = book
        # By the sheet's XML root: a sheet removed and written anew under the same name is another sheet.
        self._by_root: dict[object, SheetNotes] = {}

    def of(self, sheet: str) -> SheetNotes | None:
        ws = self.book.worksheet(sheet)
        if ws is None:
            return None
        if ws.root not in self._by_root:
            self._by_root[ws.root] = SheetNotes(self.book.package, ws.part, ws.root)
        return self._by_root[ws.root]

    def save(self) -> None:
        for notes in self._by_root.values():
            part = notes.sheet_part
            if part in self.book.package and self.book.package.xml(part) is notes.sheet:  # not removed since
                notes.save()


def _state_rows(book: Book, sheet: str | None) -> list[tuple[str, str, str]]:
    ws = book.worksheet(sheet) if sheet else None
    if ws is None:
        return []
    grid: dict[int, dict[int, str]] = {}
    for (r, c), cell in ws.cells():
        if c <= 3:
            grid.setdefault(r, {})[c] = cell_text(cell, book.shared)
    return [(row.get(1, ""), row.get(2, ""), row.get(3, "")) for r, row in sorted(grid.items()) if r > 1]


def _undo_last_run(book: Book, notes: _Notes, plan: WritePlan) -> None:
    """Put back the fills and notes the last run changed, then drop its sheets (renamed ones are kept)."""
    for sheet, address, original in _state_rows(book, plan.state_sheet_found):
        ws = book.worksheet(sheet)
        cell = ws.cell(address, create=False) if ws is not None else None
        if cell is None:
            continue
        current = book.styles.fill_of(ws.style(cell))
        if current is not None and entry_key(current) in _MARK_FILLS:  # a fill the user chose since is kept
            ws.set_style(
                cell, book.styles.derive(ws.style(cell), fillId=book.styles.fill(parse_fill(original)))
            )
        sheet_notes = notes.of(sheet)
        if sheet_notes is not None:
            sheet_notes.strip(address, NOTE_MARK)
    for old, new in plan.renames.items():
        if old in book.sheet_names():
            for name in book.local_names(old):
                if name in cat.OWN_SHEET_MARKS.values():
                    book.remove_local_name(old, name)
            book.rename_sheet(old, new)
    for name in (*plan.remove, plan.state_sheet_found):
        if name:
            book.remove_sheet(name)


def _write_values(book: Book, plan: WritePlan) -> None:
    for w in plan.values:
        ws = book.worksheet(w.ref.sheet)
        if ws is None:
            continue
        cell = ws.cell(w.ref.address)
        formula = ws.formula(cell)
        if formula is not None and formula.get("t") == "array" and ":" in formula.get("ref", ""):
            continue  # the corner of a multi-cell array formula the user entered: not ours to break
        book.formulas_removed |= ws.set_value(cell, w.value)
        if w.number_format and not isinstance(w.value, str):
            numfmt = book.styles.number_format(w.number_format)
            if book.styles.xf(ws.style(cell)).get("numFmtId", "0") != str(numfmt):
                ws.set_style(cell, book.styles.derive(ws.style(cell), numFmtId=numfmt))


def _write_sheets(book: Book, plan: WritePlan) -> None:
    for sp in plan.sheets:
        book.add_sheet(sp.name, build_sheet(sp, book.styles))
        book.set_local_name(sp.name, sp.mark, f"{quote_sheet(sp.name)}!$A$1")
        if sp.portrait:
            book.set_local_name(
                sp.name, "_xlnm.Print_Area", f"{quote_sheet(sp.name)}!$A$1:$A${len(sp.rows)}", hidden=False
            )
        if sp.header_row:  # a table's title and column titles repeat on every printed page
            book.set_local_name(
                sp.name, "_xlnm.Print_Titles", f"{quote_sheet(sp.name)}!$1:${sp.header_row}", hidden=False
            )


def _write_marks(book: Book, notes: _Notes, plan: WritePlan) -> None:
    rows: list[tuple[str, str, str]] = [STATE_HEADER]
    for mark in plan.marks:
        ws = book.worksheet(mark.ref.sheet)
        if ws is None:
            continue
        cell = ws.cell(mark.ref.address)
        style = ws.style(cell)
        rows.append((mark.ref.sheet, mark.ref.address, fill_xml(book.styles.fill_of(style))))
        ws.set_style(
            cell,
            book.styles.derive(style, fillId=book.styles.fill(solid_fill(SEVERITY_FILLS[mark.severity]))),
        )
        sheet_notes = notes.of(mark.ref.sheet)
        if sheet_notes is not None:
            sheet_notes.add(mark.ref.address, NOTE_MARK + "\n" + mark.note)
    book.add_sheet(plan.state_sheet, state_sheet(rows), hidden=True)
    mark = cat.OWN_SHEET_MARKS[cat.SHEET_STATE]
    book.set_local_name(plan.state_sheet, mark, f"{quote_sheet(plan.state_sheet)}!$A$1")


def write_result(source: Path, plan: WritePlan, out: Path) -> None:
    """The result workbook: `source` with the plan applied, written to `out` (source is only read)."""
    package = Package(source)
    book = Book(package)
    notes = _Notes(book)
    _undo_last_run(book, notes, plan)
    _write_values(book, plan)
    _write_sheets(book, plan)
    _write_marks(book, notes, plan)
    notes.save()
    book.finish()
    write_atomically(out, package.save)


def clear_result(source: Path, plan: WritePlan, out: Path) -> None:
    """清除标记: `source` without what the tool wrote (marks, computed values, its sheets)."""
    package = Package(source)
    book = Book(package)
    notes = _Notes(book)
    _undo_last_run(book, notes, plan)
    for w in plan.values:
        ws = book.worksheet(w.ref.sheet)
        cell = ws.cell(w.ref.address, create=False) if ws is not None else None
        if cell is not None:
            book.formulas_removed |= ws.set_value(cell, None)
    notes.save()
    book.finish()
    write_atomically(out, package.save)
