"""Excel adapter, read side: a snapshot of the caller's workbook in a few bulk reads through xlwings.

One read per sheet (its values from A1 to the last used cell), one pass over the workbook's names and
one over each sheet's tables. Nothing here grows with the number of indicator rows: every cell value
comes out of the per-sheet blocks. The same code runs on Excel (COM) and on xlwings' remote engine.
"""

from __future__ import annotations

import re
from typing import Any

from perfeval import catalogue as cat
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL
from perfeval.core.snapshot import Snapshot, assemble, read_explanations
from perfeval.io.safety import check_version

WANTED_SHEETS = (*cat.INPUT_SHEETS, *cat.OUTPUT_SHEETS)
_REFERS_TO = re.compile(r"^=(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def parse_refers_to(refers_to: str | None) -> tuple[str, str] | None:
    """ "='附件1'!$B$4" -> ("附件1", "B4"); None for constants, formulas and multi-area names."""
    if not refers_to:
        return None
    m = _REFERS_TO.match(refers_to.strip())
    if m is None:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet, m.group(3).replace("$", "")


def _sheet_values(sheet: Any) -> list[list[object]]:
    """Values from A1 to the last used cell, errors as text (#DIV/0!), in one read."""
    last = sheet.used_range.last_cell
    block = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return block or []


def _constant(refers_to: str | None) -> str | None:
    if refers_to and refers_to.startswith('="') and refers_to.endswith('"'):
        return refers_to[2:-1]
    return None


def read_book(book: Any) -> Snapshot:
    """Snapshot of an xlwings Book; raises NotOurWorkbookError before reading any sheet if it is not ours."""
    destinations: dict[str, tuple[str, str]] = {}
    version_refers_to = None
    for name in book.names:
        key = name.name
        if "!" in key:  # sheet-scoped names are the user's own
            continue
        refers_to = name.refers_to
        if key == cat.VERSION_NAME:
            version_refers_to = refers_to
        dest = parse_refers_to(refers_to)
        if dest is not None:
            destinations[key] = dest
    sheets = {s.name: s for s in book.sheets}
    grids: dict[str, list[list[object]]] = {}

    def value_at(sheet: str, row: int, col: int) -> object:
        grid = grids.get(sheet)
        if grid is None or row > len(grid) or col > len(grid[row - 1]):
            return None
        value = grid[row - 1][col - 1]
        return None if value == "" else value

    version = _constant(version_refers_to)
    version_cell = destinations.get(cat.VERSION_NAME)
    if version is None and version_cell is not None and version_cell[0] in sheets:
        row, col = cat.split_address(version_cell[1])
        version = cat.version_text(sheets[version_cell[0]].range((row, col)).value)
    check_version(version, book.name)

    for sheet_name in WANTED_SHEETS:
        if sheet_name in sheets:
            grids[sheet_name] = _sheet_values(sheets[sheet_name])
    table_refs = {}
    for sheet_name in cat.INPUT_SHEETS:
        if sheet_name in sheets:
            for table in sheets[sheet_name].tables:
                if table.name in cat.TABLES:
                    table_refs[table.name] = (sheet_name, table.range.address.replace("$", ""))
    findings_rows = len(grids.get(cat.SHEET_FINDINGS, []))
    return assemble(
        source=book.name,
        version=version,
        destinations=destinations,
        sheets=grids,
        table_refs=table_refs,
        value_at=value_at,
        explanations=read_explanations(value_at, findings_rows, FINGERPRINT_COL + 1, EXPLANATION_COL + 1),
        sheet_names=list(sheets),
        sheet_rows={name: len(grid) for name, grid in grids.items()},
    )
