"""File adapter, read side: one openpyxl load for structure (names, tables) and one calamine pass for values.

openpyxl without data_only returns formulas, not their cached results; loading a second time with
data_only doubles the cost, so the values come from python-calamine, which reads cached results fast.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from perfeval import catalogue as cat
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL
from perfeval.core.snapshot import (
    Snapshot,
    UncomputedFormula,
    WorkbookStructureError,
    assemble,
    own_sheets,
    read_explanations,
)
from perfeval.io.safety import InputFileError, check_input_file, check_template
from perfeval.narrative.sheet import STAMP_PREFIX


def open_workbook(path: Path) -> Workbook:
    check_input_file(path)
    suffix = path.suffix.lower()
    try:
        if suffix not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
            # A zip workbook under another name (e.g. .xls from some systems): openpyxl judges by the
            # extension, so hand it the bytes instead.
            with path.open("rb") as f:
                return load_workbook(f, rich_text=False)
        return load_workbook(path, keep_vba=suffix == ".xlsm", rich_text=False)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
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


def _grids(path: Path, sheets: list[str]) -> dict[str, _Grid]:
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types; any of them means unreadable
        raise InputFileError(
            f"无法读取“{path.name}”中的数值：{e}。请在 Excel 中打开并另存为 .xlsx 后再校验。"
        ) from e
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
    ws = load_workbook(path, data_only=True, read_only=True)[name]
    return _Grid([["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)], 0, 0)


def _destination(wb: Workbook, name: str) -> tuple[str, str] | None:
    dn = wb.defined_names.get(name)
    if dn is None or not dn.attr_text:  # a name with no formula at all: as good as missing
        return None
    for sheet, ref in dn.destinations:
        return sheet, ref.replace("$", "")
    return None


def template_version(wb: Workbook) -> str | None:
    dn = wb.defined_names.get(cat.VERSION_NAME)
    if dn is None:
        return None
    if (dn.attr_text or "").startswith('"'):  # a constant name, as early builds of the template wrote it
        return dn.attr_text.strip('"')
    dest = _destination(wb, cat.VERSION_NAME)
    if dest is None or dest[0] not in wb.sheetnames or not cat.is_cell(dest[1]):
        return None
    return cat.version_text(wb[dest[0]][dest[1]].value)


class _Values:
    """Cell values: calamine's cached results, patched where calamine shows a blank that is not one.

    calamine returns '' for error cells (#DIV/0!), literal or computed. Where it shows a blank, the cell
    openpyxl already holds tells the truth: a literal error string, or a formula whose cached result is
    needed; only then is the workbook read a second time (data_only), which is rare.
    """

    def __init__(self, wb: Workbook, path: Path, grids: dict[str, _Grid]) -> None:
        self.wb, self.path, self.grids = wb, path, grids
        self._cached: Workbook | None = None

    def get(self, sheet: str, row: int, col: int) -> object:
        value = self.grids[sheet].get(row, col)
        if value is not None:
            return value
        # _cells.get: ws.cell() would create empty cells in the workbook we later save.
        cell = self.wb[sheet]._cells.get((row, col))
        raw = cell.value if cell is not None else None
        if isinstance(raw, str) and raw.startswith("="):
            return self._cached_value(sheet, row, col)
        return raw if isinstance(raw, str) and raw.startswith("#") else None

    def _cached_value(self, sheet: str, row: int, col: int) -> object:
        if self._cached is None:
            self._cached = load_workbook(self.path, data_only=True, read_only=True)
        value = self._cached[sheet].cell(row, col).value
        if value is None:  # saved by a generator without its result: unknown, not blank
            cell = self.wb[sheet]._cells.get((row, col))
            return UncomputedFormula(str(cell.value) if cell is not None else "")
        return value


def _marked_sheets(wb: Workbook) -> dict[str, str]:
    """Default name -> the sheet carrying the tool's mark (a hidden sheet-scoped name)."""
    by_mark = {mark: default for default, mark in cat.OWN_SHEET_MARKS.items()}
    found: dict[str, str] = {}
    for ws in wb.worksheets:
        for name in ws.defined_names:
            default = by_mark.get(name)
            if default is not None and default not in found:  # a user's copy of our sheet stays theirs
                found[default] = ws.title
    return found


def read_snapshot(wb: Workbook, path: Path) -> Snapshot:
    destinations = {}
    for name in cat.readable_names():
        dest = _destination(wb, name)
        if dest is not None:
            destinations[name] = dest
    version = template_version(wb)
    version_cell = _destination(wb, cat.VERSION_NAME)
    if version_cell is not None:
        destinations[cat.VERSION_NAME] = version_cell
    check_template(version, len(destinations), path.name)
    table_refs = {
        name: (ws.title, ws.tables[name].ref)
        for ws in wb.worksheets
        for name in ws.tables
        if name in cat.TABLES
    }
    marked = _marked_sheets(wb)
    wanted = {sheet for sheet, _ in destinations.values()} | {sheet for sheet, _ in table_refs.values()}
    wanted |= set(marked.values()) | {n for n in (*cat.OUTPUT_SHEETS, cat.SHEET_STATE) if n in wb.sheetnames}
    grids = _grids(path, [ws.title for ws in wb.worksheets if ws.title in wanted])
    cell_values = _Values(wb, path, grids)

    def value_at(sheet: str, row: int, col: int) -> object:
        return cell_values.get(sheet, row, col) if sheet in grids else None

    own = own_sheets(marked, wb.sheetnames, value_at, STAMP_PREFIX)
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
            sheet_names=wb.sheetnames,
            sheet_rows={name: g.start_row + len(g.rows) for name, g in grids.items()},
            own=own,
        )
    except WorkbookStructureError as e:
        raise InputFileError(f"“{path.name}”：{e}") from None
