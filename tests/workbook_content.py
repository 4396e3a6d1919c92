"""Compare workbooks by content (what a user or reader sees), not by bytes."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook


def content(path: Path | str | Workbook) -> dict:
    wb = path if isinstance(path, Workbook) else load_workbook(path)
    out: dict = {
        "sheets": wb.sheetnames,
        "names": sorted((n, dn.attr_text) for n, dn in wb.defined_names.items()),
    }
    for ws in wb.worksheets:
        cells = {}
        # The cells the file holds (iter_rows would also make every empty cell up to the last one, which
        # is a billion cells when something sits in XFD1048576).
        for _, c in sorted(ws._cells.items()):
            if c.value is not None or (c.fill is not None and c.fill.fill_type):
                color = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type else None
                note = c.comment.text if c.comment else None
                link = c.hyperlink.location if c.hyperlink else None
                cells[c.coordinate] = (c.value, c.number_format, color, note, link)
        out[ws.title] = {
            "cells": cells,
            "tables": sorted((t.name, t.ref) for t in ws.tables.values()),
            "validations": sorted((dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation),
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "state": ws.sheet_state,
        }
    return out
