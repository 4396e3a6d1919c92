"""Excel adapter, read side: a snapshot of the caller's workbook in a few bulk reads through xlwings.

One pass over the workbook's names (the template's fields, the version mark and the hidden sheet-scoped
names that mark the tool's own sheets), one over each sheet's tables, then one read per sheet that a name,
a table or the tool's mark points at (its values from A1 to the last used cell). Sheets are found through
what they hold, never through the catalogue's sheet names: the user may rename them, and a sheet of the
user's may carry one of the tool's names. Nothing here grows with the number of indicator rows. The same
code runs on Excel (COM) and on xlwings' remote engine. The file adapter's twin is io/xlsx_reader.read_snapshot.
"""

from __future__ import annotations

import re
from typing import Any

from perfeval import catalogue as cat
from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL
from perfeval.core.snapshot import Snapshot, assemble, own_sheets, read_explanations
from perfeval.io.safety import check_template
from perfeval.narrative.sheet import STAMP_PREFIX

_REFERS_TO = re.compile(r"^=(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")
_MARK_DEFAULTS = {mark: default for default, mark in cat.OWN_SHEET_MARKS.items()}


def parse_refers_to(refers_to: str | None) -> tuple[str, str] | None:
    """ "='附件1'!$B$4" -> ("附件1", "B4"); None for constants, formulas and multi-area names."""
    if not refers_to:
        return None
    m = _REFERS_TO.match(refers_to.strip())
    if m is None:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet, m.group(3).replace("$", "")


def split_scoped_name(key: str) -> tuple[str, str] | None:
    """A sheet-scoped name as Excel spells it -> (sheet, local name): "'校验结果(2)'!perfeval_sheet_findings"
    -> ("校验结果(2)", "perfeval_sheet_findings"); None for a workbook-scoped name."""
    sheet, bang, local = key.rpartition("!")
    if not bang or not sheet:
        return None
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, local


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
    wanted_names = {*cat.readable_names(), cat.VERSION_NAME}
    destinations: dict[str, tuple[str, str]] = {}
    marks: dict[str, list[str]] = {}  # default sheet name -> sheets carrying its mark
    version_refers_to = None
    for name in book.names:
        key = name.name
        scoped = split_scoped_name(key)
        if scoped is not None:  # the user's own sheet-scoped names, and the marks of the tool's sheets
            default = _MARK_DEFAULTS.get(scoped[1])
            if default is not None:
                marks.setdefault(default, []).append(scoped[0])
            continue
        if key not in wanted_names:
            continue
        refers_to = name.refers_to
        if key == cat.VERSION_NAME:
            version_refers_to = refers_to
        dest = parse_refers_to(refers_to)
        if dest is not None:
            destinations[key] = dest
    sheet_list = list(book.sheets)
    order = [s.name for s in sheet_list]
    sheets = dict(zip(order, sheet_list, strict=True))
    # A user's copy of one of the tool's sheets carries the mark too: the first in sheet order is the tool's.
    marked = {
        default: min((s for s in found if s in sheets), key=order.index)
        for default, found in marks.items()
        if any(s in sheets for s in found)
    }

    version = _constant(version_refers_to)
    version_cell = destinations.get(cat.VERSION_NAME)
    if (
        version is None
        and version_cell is not None
        and version_cell[0] in sheets
        and ":" not in version_cell[1]
    ):
        row, col = cat.split_address(version_cell[1])
        version = cat.version_text(sheets[version_cell[0]].range((row, col)).value)
    check_template(version, len(destinations), book.name)

    table_refs: dict[str, tuple[str, str]] = {}
    for sheet_name, sheet in sheets.items():
        for table in sheet.tables:
            if table.name in cat.TABLES and table.name not in table_refs:
                table_refs[table.name] = (sheet_name, table.range.address.replace("$", ""))
    wanted = (
        {s for s, _ in destinations.values()} | {s for s, _ in table_refs.values()} | set(marked.values())
    )
    wanted |= {
        n for n in (*cat.OUTPUT_SHEETS, cat.SHEET_STATE) if n in sheets
    }  # a workbook from before marks
    grids = {name: _sheet_values(sheets[name]) for name in order if name in wanted}

    def value_at(sheet: str | None, row: int, col: int) -> object:
        grid = grids.get(sheet or "")
        if grid is None or row > len(grid) or col > len(grid[row - 1]):
            return None
        value = grid[row - 1][col - 1]
        return None if value == "" else value

    own = own_sheets(marked, order, value_at, STAMP_PREFIX)
    findings_sheet = own.get(cat.SHEET_FINDINGS)
    return assemble(
        source=book.name,
        version=version,
        destinations=destinations,
        sheets=grids,
        table_refs=table_refs,
        value_at=value_at,
        explanations=read_explanations(
            value_at,
            findings_sheet,
            len(grids.get(findings_sheet or "", [])),
            FINGERPRINT_COL + 1,
            EXPLANATION_COL + 1,
        ),
        sheet_names=order,
        sheet_rows={name: len(grid) for name, grid in grids.items()},
        own=own,
    )
