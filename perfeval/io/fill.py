"""Fill a template workbook from plain data (examples, tests, benchmarks, and later imports)."""

from __future__ import annotations

from copy import copy
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import range_boundaries

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.profile import Profile
from perfeval.template import build_template, bundled_template


def set_text_safe(cell, value: object) -> None:
    """Write a value with openpyxl; a string is always stored as text, never as a formula ('=' injection)."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _resize_table(ws, name: str, n_rows: int) -> tuple[int, int]:
    """Grow (never shrink) a table to hold n_rows data rows, copying the last row's styles downwards."""
    table = ws.tables[name]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    needed_last = min_row + max(n_rows, 1)
    if needed_last > max_row:
        for r in range(max_row + 1, needed_last + 1):
            for c in range(min_col, max_col + 1):
                src, dst = ws.cell(max_row, c), ws.cell(r, c)
                dst._style = copy(src._style)
        table.ref = f"{cat.get_column_letter(min_col)}{min_row}:{cat.get_column_letter(max_col)}{needed_last}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    return min_row + 1, min_col


def fill(wb: Workbook, values: dict[str, object], tables: dict[str, list[dict[str, object]]]) -> Workbook:
    fields = cat.fields()
    for name, value in values.items():
        f = fields[name]  # KeyError on a typo: data files must use catalogue names
        if value is not None and name not in wb.defined_names:
            raise KeyError(f"{name}: not in this template (its form is {f.form})")
        set_text_safe(wb[f.sheet][f.cell], value)
    for table_name, rows in tables.items():
        if not rows:
            continue
        spec = cat.TABLES[table_name]
        ws = wb[spec.sheet]
        first_row, first_col = _resize_table(ws, table_name, len(rows))
        # Columns by their header in this template: a profile may show optional columns.
        header = {ws.cell(first_row - 1, c).value: c for c in range(first_col, ws.max_column + 1)}
        where = {c.key: header[c.header] for c in spec.columns if c.header in header}
        for i, row in enumerate(rows):
            unknown = set(row) - set(where)
            if unknown:
                raise KeyError(f"{table_name}: unknown columns {sorted(unknown)}")
            for key, value in row.items():
                set_text_safe(ws.cell(first_row + i, where[key]), value)
    return wb


def fill_template(
    values: dict[str, object],
    tables: dict[str, list[dict[str, object]]],
    out: Path,
    profile: Profile | None = None,
    forms: frozenset[Form] | None = None,
) -> Path:
    """A filled workbook: the bundled template, or one made for a profile and kind."""
    if profile is None and forms is None:
        wb = load_workbook(bundled_template())
    else:
        wb = build_template(profile, forms)
    fill(wb, values, tables)
    wb.save(out)
    return out
