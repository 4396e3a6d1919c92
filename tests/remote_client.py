"""Stand in for Excel on Linux: the payload xlwings' desktop VBA client sends, built from a real .xlsx.

xlwings/addin/Remote.bas (RunServerPython) sends the workbook's name, every name that refers to a range
(sheet index, address without $; hidden names too; a sheet-scoped name spelled as Excel's Name.Name spells
it, "Sheet!name", with its scope sheet), and per worksheet (hidden ones too) its values from A1 to the
last used cell and its tables' addresses. This builds the same from the file, so `xw.Book(json=...)` (the
remote engine) sees what Excel would hand over. The set of actions that client can run is read from
Remote.bas itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

# The remote engine checks for a licence when xlwings is imported; noncommercial covers our users.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw

REMOTE_BAS = Path(xw.__file__).parent / "addin" / "Remote.bas"


def desktop_actions() -> set[str]:
    """Names of the action Subs the desktop VBA client dispatches to (Application.Run action("func"))."""
    text = REMOTE_BAS.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)", text, re.M))


def _value(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def payload(path: Path, active_sheet: int = 0) -> dict[str, Any]:
    wb = load_workbook(path)
    values_wb = load_workbook(path, data_only=True)
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    names = []
    scoped = [(None, name, dn) for name, dn in wb.defined_names.items()]
    scoped += [(ws.title, name, dn) for ws in wb.worksheets for name, dn in ws.defined_names.items()]
    for scope, name, dn in scoped:
        dests = list(dn.destinations) if not dn.attr_text.startswith('"') else []
        if len(dests) != 1:
            continue  # constants and multi-area names are not sent
        sheet, ref = dests[0]
        names.append(
            {
                "name": name if scope is None else f"{excel_sheet_prefix(scope)}!{name}",
                "sheet_index": index[sheet],
                "address": ref.replace("$", ""),
                "book_scope": scope is None,
                "scope_sheet_name": scope,
                "scope_sheet_index": None if scope is None else index[scope],
            }
        )
    sheets = []
    for ws in wb.worksheets:
        vs = values_wb[ws.title]
        rows = [[_value(c.value) for c in row] for row in vs.iter_rows(min_row=1, min_col=1)]
        tables = [
            {
                "name": t.name,
                "range_address": _absolute(t.ref),
                "header_row_range_address": None,
                "data_body_range_address": None,
                "total_row_range_address": None,
                "show_headers": True,
                "show_totals": False,
                "table_style": "TableStyleMedium2",
                "show_autofilter": True,
            }
            for t in ws.tables.values()
        ]
        sheets.append({"name": ws.title, "values": rows or [[]], "pictures": [], "tables": tables})
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": active_sheet, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def excel_sheet_prefix(sheet: str) -> str:
    """How Excel writes a sheet in a reference: quoted unless it is a plain word."""
    if re.fullmatch(r"[^\W\d]\w*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def remote_book(path: Path) -> xw.Book:
    return xw.Book(json=payload(path))


def actions(book: xw.Book) -> list[dict[str, Any]]:
    return book.json()["actions"]
