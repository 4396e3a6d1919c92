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
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from perfeval import catalogue as cat
from perfeval.catalogue import split_address
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL
from perfeval.core.snapshot import CellRef, Snapshot, TableData
from perfeval.io.safety import InputFileError, check_input_file


class NotOurWorkbookError(InputFileError):
    """The workbook was not made from our template (or from an incompatible version)."""


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
        sheet = book.get_sheet_by_name(name)
        start = sheet.start or (0, 0)
        out[name] = _Grid(sheet.to_python(skip_empty_area=False), start[0], start[1])
    return out


def _destination(wb: Workbook, name: str) -> tuple[str, str] | None:
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    for sheet, ref in dn.destinations:
        return sheet, ref.replace("$", "")
    return None


def template_version(wb: Workbook) -> str | None:
    dn = wb.defined_names.get(cat.VERSION_NAME)
    return dn.attr_text.strip('"') if dn is not None else None


def _read_table(
    wb: Workbook, grids: dict[str, _Grid], values: _Values, spec: cat.TableSpec
) -> TableData | None:
    for ws in wb.worksheets:
        if spec.name in ws.tables:
            table = ws.tables[spec.name]
            break
    else:
        return None
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    grid = grids.get(ws.title)
    headers = (
        {str(grid.get(min_row, c) or "").strip(): c for c in range(min_col, max_col + 1)} if grid else {}
    )
    columns = {}
    for i, col in enumerate(spec.columns):
        # Match by header text; fall back to the template position when a header was retyped.
        columns[col.key] = headers.get(col.header, min_col + i)
    rows = []
    if grid:
        for r in range(min_row + 1, max_row + 1):
            rows.append({key: values.get(ws.title, r, c) for key, c in columns.items()})
    return TableData(spec.name, ws.title, min_row + 1, columns, rows)


def _explanations(grids: dict[str, _Grid]) -> dict[str, str]:
    grid = grids.get(cat.SHEET_FINDINGS)
    if grid is None:
        return {}
    out = {}
    for r in range(3, grid.start_row + len(grid.rows) + 1):
        fingerprint = grid.get(r, FINGERPRINT_COL + 1)
        note = grid.get(r, EXPLANATION_COL + 1)
        if fingerprint and note and str(note).strip():
            out[str(fingerprint)] = str(note).strip()
    return out


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
        return self._cached[sheet].cell(row, col).value


def read_snapshot(wb: Workbook, path: Path) -> Snapshot:
    version = template_version(wb)
    if version is None:
        raise NotOurWorkbookError(
            f"“{path.name}”不是由绩效自评模板创建的工作簿（缺少模板标记）。"
            "请用 perfeval new 生成模板，把数据粘贴到模板中再校验。"
        )
    if version != cat.TEMPLATE_VERSION:
        raise NotOurWorkbookError(
            f"“{path.name}”使用的模板版本为 {version}，本工具需要版本 {cat.TEMPLATE_VERSION}。"
            "请用 perfeval new 生成新模板并转录数据。"
        )
    grids = _grids(path, [*cat.INPUT_SHEETS, *cat.OUTPUT_SHEETS])
    cells_values = _Values(wb, path, grids)
    values: dict[str, object] = {}
    cells: dict[str, CellRef] = {}
    missing: list[str] = []
    for f in cat.fields().values():
        dest = _destination(wb, f.name)
        if dest is None or dest[0] not in grids:
            missing.append(f.name)
            values[f.name] = None
            continue
        sheet, address = dest
        cells[f.name] = CellRef(sheet, address)
        row, col = split_address(address)
        values[f.name] = cells_values.get(sheet, row, col)
    tables: dict[str, TableData] = {}
    missing_tables = []
    for spec in cat.TABLES.values():
        data = _read_table(wb, grids, cells_values, spec)
        if data is None:
            missing_tables.append(spec.name)
        else:
            tables[spec.name] = data
    return Snapshot(
        values=values,
        cells=cells,
        tables=tables,
        explanations=_explanations(grids),
        template_version=version,
        source=str(path),
        missing_names=tuple(missing),
        missing_tables=tuple(missing_tables),
    )
