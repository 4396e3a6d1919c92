"""File adapter, read side: the package's XML for structure (names, tables) and one calamine pass for values.

openpyxl would load every cell and style to give the names and tables, and without data_only returns
formulas, not their cached results; python-calamine reads the cached results fast, and the structure comes
from the workbook's XML parts (io/xlsx_structure.py). openpyxl stays only for the rare sheet calamine cannot
read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine
from lxml import etree

from perfeval import catalogue as cat
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL
from perfeval.core.snapshot import (
    Snapshot,
    WorkbookStructureError,
    assemble,
    own_sheets,
    read_explanations,
)
from perfeval.io.package import PackageError
from perfeval.io.safety import InputFileError, check_input_file, check_template
from perfeval.io.xlsx_structure import Structure, read_structure
from perfeval.narrative.sheet import STAMP_PREFIX


def open_workbook(path: Path, *, test_members: bool = True) -> Structure:
    """The workbook's structure, after check_input_file (see there for `test_members`)."""
    check_input_file(path, test_members=test_members)
    try:
        return read_structure(path)
    except PackageError:
        raise
    except (
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        EOFError,
    ) as e:
        raise InputFileError(
            f"无法读取工作簿“{path.name}”：文件结构已损坏或不是标准的 .xlsx 文件（{type(e).__name__}）。"
            "请在 Excel/WPS 中打开后“另存为” .xlsx 再校验。"
        ) from e


@dataclass
class _Grid:
    rows: list[list[object]]
    start_row: int
    start_col: int

    def get(self, row: int, col: int) -> object:
        r, c = row - 1 - self.start_row, col - 1 - self.start_col
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            value = self.rows[r][c]
            return None if value == "" else value
        return None


def _calamine(path: Path):
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types; any of them means unreadable
        raise InputFileError(
            f"无法读取“{path.name}”中的数值：{e}。请在 Excel 中打开并另存为 .xlsx 后再校验。"
        ) from e


def _grids(path: Path, book, sheets: list[str]) -> dict[str, _Grid]:
    out = {}
    for name in sheets:
        if name not in book.sheet_names:
            continue
        try:
            sheet = book.get_sheet_by_name(name)
            start = sheet.start or (0, 0)
            out[name] = _Grid(sheet.to_python(skip_empty_area=False), start[0], start[1])
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # calamine panics (a BaseException) on dates out of range, e.g. 1E+15 as a date
            out[name] = _openpyxl_grid(path, name)
    return out


def _openpyxl_grid(path: Path, name: str) -> _Grid:
    """A sheet's cached values read by openpyxl instead: slower, but it reads what calamine cannot."""
    from openpyxl import load_workbook

    ws = load_workbook(path, data_only=True, read_only=True)[name]
    return _Grid([["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)], 0, 0)


def template_version(structure: Structure, values: _Values) -> str | None:
    text = structure.names.get(cat.VERSION_NAME)
    if text is None:
        return None
    if text.startswith('"'):  # a constant name, as early builds of the template wrote it
        return text.strip('"')
    dest = structure.destination(cat.VERSION_NAME)
    if dest is None or dest[0] not in structure.worksheets or not cat.is_cell(dest[1]):
        return None
    return cat.version_text(values.get(dest[0], *cat.split_address(dest[1])))


class _Values:
    """Cell values: calamine's cached results, and where calamine shows a blank that is not one (an error
    value, which it reads as ''; a formula saved without its result) what the sheet's XML holds."""

    def __init__(self, structure: Structure, path: Path, book) -> None:
        self.structure, self.path, self.book = structure, path, book
        self.grids: dict[str, _Grid] = {}

    def read(self, sheets: list[str]) -> None:
        self.grids.update(_grids(self.path, self.book, [s for s in sheets if s not in self.grids]))

    def get(self, sheet: str, row: int, col: int) -> object:
        if sheet not in self.grids:
            self.read([sheet])
            if sheet not in self.grids:  # calamine does not list it: only what the XML shows
                return self.structure.special(sheet).get((row, col))
        return self.get_read(sheet, row, col)

    def get_read(self, sheet: str, row: int, col: int) -> object:
        """get(), None in a sheet not read; inlined: the check asks for hundreds of cells."""
        grid = self.grids.get(sheet)
        if grid is None:
            return None
        r, c = row - 1 - grid.start_row, col - 1 - grid.start_col
        rows = grid.rows
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
            value = rows[r][c]
            if value is not None and value != "":
                return value
        return self.structure.special(sheet).get((row, col))

    def row_read(self, sheet: str, row: int, cols: list[int]) -> list[object]:
        """[get_read(sheet, row, c) for c in cols], for a table's rows."""
        grid = self.grids.get(sheet)
        if grid is None:
            return [None] * len(cols)
        r = row - 1 - grid.start_row
        line = grid.rows[r] if 0 <= r < len(grid.rows) else []
        special = self.structure.special(sheet)
        out: list[object] = []
        for col in cols:
            c = col - 1 - grid.start_col
            value = line[c] if 0 <= c < len(line) else None
            out.append(value if value is not None and value != "" else special.get((row, col)))
        return out


def _marked_sheets(structure: Structure) -> dict[str, str]:
    """Default name -> the sheet carrying the tool's mark (a hidden sheet-scoped name)."""
    by_mark = {mark: default for default, mark in cat.OWN_SHEET_MARKS.items()}
    found: dict[str, str] = {}
    for sheet in structure.worksheets:
        for name in structure.local_names.get(sheet, []):
            default = by_mark.get(name)
            if default is not None and default not in found:  # a user's copy of our sheet stays theirs
                found[default] = sheet
    return found


def read_snapshot(structure: Structure, path: Path) -> Snapshot:
    destinations = {}
    for name in cat.readable_names():
        dest = structure.destination(name)
        if dest is not None:
            destinations[name] = dest
    cell_values = _Values(structure, path, _calamine(path))
    version = template_version(structure, cell_values)
    version_cell = structure.destination(cat.VERSION_NAME)
    if version_cell is not None:
        destinations[cat.VERSION_NAME] = version_cell
    check_template(version, len(destinations), path.name)
    table_refs = {name: ref for name, ref in structure.tables.items() if name in cat.TABLES}
    marked = _marked_sheets(structure)
    wanted = {sheet for sheet, _ in destinations.values()} | {sheet for sheet, _ in table_refs.values()}
    sheet_names = structure.sheet_names
    wanted |= set(marked.values()) | {n for n in (*cat.OUTPUT_SHEETS, cat.SHEET_STATE) if n in sheet_names}
    cell_values.read([s for s in structure.worksheets if s in wanted])
    grids = cell_values.grids

    value_at = cell_values.get_read
    own = own_sheets(marked, sheet_names, value_at, STAMP_PREFIX)
    findings_sheet = own.get(cat.SHEET_FINDINGS)
    findings = grids.get(findings_sheet or "")
    last_row = findings.start_row + len(findings.rows) if findings else 0
    try:
        return assemble(
            source=str(path),
            version=version,
            destinations=destinations,
            sheets=grids,
            table_refs=table_refs,
            value_at=value_at,
            explanations=read_explanations(
                value_at, findings_sheet, last_row, FINGERPRINT_COL + 1, EXPLANATION_COL + 1
            ),
            sheet_names=sheet_names,
            sheet_rows={name: g.start_row + len(g.rows) for name, g in grids.items()},
            own=own,
            row_at=cell_values.row_read,
        )
    except WorkbookStructureError as e:
        raise InputFileError(f"“{path.name}”：{e}") from None
