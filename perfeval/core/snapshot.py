"""What an adapter reads from a workbook in one pass: raw values keyed by field name, plus where they live."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from perfeval import catalogue as cat
from perfeval.catalogue import TableSpec, get_column_letter, range_bounds, split_address


class WorkbookStructureError(ValueError):
    """The workbook's structure cannot be read as the template's; str(e) is a Chinese message for the user."""


@dataclass(frozen=True)
class UncomputedFormula:
    """A formula cell saved without its result (a file written by a generator, never opened in Excel).

    Its value is unknown, not blank: the parsers turn it into a finding on the cell that says so.
    """

    formula: str

    def __str__(self) -> str:
        return ""


@dataclass(frozen=True, order=True)
class CellRef:
    sheet: str
    address: str  # "D5"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.address}"


@dataclass
class TableData:
    """A variable list as read: one dict per data row (column key -> raw value) and its position."""

    name: str
    sheet: str
    first_row: int  # sheet row of the first data row
    columns: dict[str, int]  # column key -> sheet column index (1-based)
    rows: list[dict[str, object]] = field(default_factory=list)

    def ref(self, index: int, key: str) -> CellRef:
        return CellRef(self.sheet, f"{get_column_letter(self.columns[key])}{self.first_row + index}")


@dataclass
class Snapshot:
    """Everything the core needs; built by an adapter, never touched by the core's own I/O."""

    values: dict[str, object]  # field name -> raw value (None when blank)
    cells: dict[str, CellRef]  # field name -> where the defined name points
    tables: dict[str, TableData]
    explanations: dict[str, str] = field(default_factory=dict)  # finding fingerprint -> 审核说明
    template_version: str | None = None
    source: str = ""
    missing_names: tuple[str, ...] = ()  # catalogue names the workbook lacks
    missing_tables: tuple[str, ...] = ()
    sheet_names: tuple[str, ...] = ()  # every sheet in the workbook, in order
    report_rows: tuple[str, ...] = ()  # column A of the generated 自评报告 sheet as found (non-blank)
    report_stamp: str = ""  # what the tool recorded there when it wrote it (B1)
    own_sheets: dict[str, str] = field(default_factory=dict)  # default name -> the tool's sheet as found
    version_cell: CellRef | None = None  # where the template's version mark is, when it is a cell
    migrated: dict[str, str] = field(default_factory=dict)  # field -> the older name it was read from

    def table(self, name: str) -> TableData:
        return self.tables[name]


ValueAt = Callable[[str, int, int], object]  # (sheet, row, col) 1-based -> raw value or None
# (sheet, row, cols) -> [value_at(sheet, row, c) for c in cols]: an adapter's faster way to read a table row
RowAt = Callable[[str, int, list[int]], list[object]]


def read_table(
    spec: TableSpec, sheet: str, ref: str, value_at: ValueAt, row_at: RowAt | None = None
) -> TableData:
    """A table's rows, its columns matched by header text (falling back to the template position)."""
    min_col, min_row, max_col, max_row = range_bounds(ref)
    headers = {str(value_at(sheet, min_row, c) or "").strip(): c for c in range(min_col, max_col + 1)}
    known = {h for col in spec.columns for h in (col.header, *col.aliases)}
    columns: dict[str, int] = {}
    for i, col in enumerate(spec.laid_out()):
        found = next((headers[h] for h in (col.header, *col.aliases) if h in headers), None)
        if found is None and not col.optional:
            # A header the user retyped: the template's position, unless another column's header is there
            # (a workbook of an earlier version lacks the columns added since).
            position = min_col + i
            shown = str(value_at(sheet, min_row, position) or "").strip()
            if position <= max_col and shown not in known:
                found = position
        if found is not None:
            columns[col.key] = found
    for col in spec.columns:
        if col.optional and col.key not in columns:
            found = next((headers[h] for h in (col.header, *col.aliases) if h in headers), None)
            if found is not None:
                columns[col.key] = found
    if row_at is None:
        rows = [
            {key: value_at(sheet, r, c) for key, c in columns.items()}
            for r in range(min_row + 1, max_row + 1)
        ]
    else:
        keys, cols = list(columns), list(columns.values())
        rows = [dict(zip(keys, row_at(sheet, r, cols), strict=True)) for r in range(min_row + 1, max_row + 1)]
    return TableData(spec.name, sheet, min_row + 1, columns, rows)


def read_explanations(
    value_at: ValueAt, sheet: str | None, last_row: int, fingerprint_col: int, explanation_col: int
) -> dict[str, str]:
    """审核说明 the user typed on the tool's findings sheet, keyed by finding fingerprint (columns 1-based)."""
    out: dict[str, str] = {}
    if sheet is None:
        return out
    for r in range(3, last_row + 1):
        fingerprint = value_at(sheet, r, fingerprint_col)
        note = value_at(sheet, r, explanation_col)
        if fingerprint and note and str(note).strip():
            out[str(fingerprint).lstrip("'")] = str(note).strip()
    return out


def own_sheets(
    marked: dict[str, str], sheet_names: Iterable[str], value_at: ValueAt, report_stamp_prefix: str
) -> dict[str, str]:
    """The tool's sheets: those carrying its mark (default name -> sheet), as the adapters found them.

    A workbook checked before the marks existed has the hidden state sheet "_perfeval" and no mark: there
    the sheets with the tool's names are its own, except a 自评报告 without the tool's stamp (the user's).
    """
    if marked:
        return dict(marked)
    names = list(sheet_names)
    if cat.SHEET_STATE not in names or str(value_at(cat.SHEET_STATE, 1, 1) or "") != "sheet":
        return {}
    legacy = {n: n for n in (*cat.OUTPUT_SHEETS, cat.SHEET_STATE) if n in names}
    if cat.SHEET_REPORT in legacy and not str(value_at(cat.SHEET_REPORT, 1, 2) or "").startswith(
        report_stamp_prefix
    ):
        del legacy[cat.SHEET_REPORT]
    return legacy


def _single_cell(dest: tuple[str, str] | None) -> CellRef | None:
    return CellRef(*dest) if dest is not None and cat.is_cell(dest[1]) else None


def _usable(dest: tuple[str, str] | None, present: set[str]) -> bool:
    # A name to a sheet that is gone, or to "#REF!" (its cell was deleted), is as good as missing.
    return dest is not None and dest[0] in present and (":" in dest[1] or cat.is_cell(dest[1]))


def _legacy_sources(
    destinations: dict[str, tuple[str, str]], present: set[str], value_at: ValueAt
) -> dict[str, str]:
    """Field -> the older name it is read from, for the fields a workbook lacks while it has their older
    names (cat.LEGACY_NAMES): the first of them filled in; a computed field takes the position most of the
    migrated inputs were read from, so its 复核 value is written beside them."""

    def filled(name: str) -> bool:
        sheet, address = destinations[name]
        value = value_at(sheet, *split_address(address))
        return value is not None and str(value).strip() != ""

    fields = cat.fields()
    sources: dict[str, str] = {}
    used: Counter[int] = Counter()
    pending: list[tuple[str, list[str]]] = []
    for name, olds in cat.LEGACY_NAMES.items():
        if _usable(destinations.get(name), present):
            continue
        there = [o for o in olds if _usable(destinations.get(o), present) and cat.is_cell(destinations[o][1])]
        if not there:
            continue
        if fields[name].computed:
            pending.append((name, there))
            continue
        chosen = next((o for o in there if filled(o)), None)
        if chosen is not None:
            used[olds.index(chosen)] += 1
        sources[name] = chosen or there[0]
    for name, there in pending:
        olds = cat.LEGACY_NAMES[name]
        by_use = sorted(there, key=lambda o: -used[olds.index(o)])  # stable: the first position on a tie
        sources[name] = by_use[0]
    return sources


def assemble(
    *,
    source: str,
    version: str | None,
    destinations: dict[str, tuple[str, str]],
    sheets: Iterable[str],
    table_refs: dict[str, tuple[str, str]],
    value_at: ValueAt,
    explanations: dict[str, str],
    sheet_names: Iterable[str] = (),
    sheet_rows: dict[str, int] | None = None,
    own: dict[str, str] | None = None,
    row_at: RowAt | None = None,
) -> Snapshot:
    """Build the snapshot from what an adapter located: name -> (sheet, address), table -> (sheet, ref).
    `row_at`: the adapter's faster reading of a table row, value_at's values."""
    # The tool's own sheets hold nothing of the user's: a name that points into one is broken.
    read = set(sheets)
    present = read - set((own or {}).values())
    version_dest = destinations.get(cat.VERSION_NAME)
    if version_dest is not None and version_dest[0] not in present:
        version, version_dest = None, None
    report = (own or {}).get(cat.SHEET_REPORT)
    values: dict[str, object] = {}
    cells: dict[str, CellRef] = {}
    missing: list[str] = []
    migrated = _legacy_sources(destinations, present, value_at)
    for f in cat.fields().values():
        dest = destinations.get(migrated.get(f.name, f.name))
        if not _usable(dest, present):
            missing.append(f.name)
            values[f.name] = None
            continue
        assert dest is not None
        sheet, address = dest
        if ":" in address:
            raise WorkbookStructureError(
                f"名称“{f.name}”（{f.label}）指向区域 {sheet}!{address}，应指向单个单元格（模板中为 "
                f"{f.sheet}!{f.cell}）。请在“公式→名称管理器”中把它改回单个单元格后再校验。"
            )
        cells[f.name] = CellRef(sheet, address)
        row, col = split_address(address)
        values[f.name] = value_at(sheet, row, col)
    tables = {
        name: read_table(spec, *table_refs[name], value_at, row_at)
        for name, spec in cat.TABLES.items()
        if name in table_refs and table_refs[name][0] in present
    }
    return Snapshot(
        values=values,
        cells=cells,
        tables=tables,
        explanations=explanations,
        template_version=version,
        source=source,
        missing_names=tuple(missing),
        missing_tables=tuple(name for name in cat.TABLES if name not in tables),
        sheet_names=tuple(sheet_names),
        report_rows=tuple(
            str(v).strip()
            for r in range(1, (sheet_rows or {}).get(report or "", 0) + 1)
            if (v := value_at(report, r, 1)) is not None and str(v).strip()
        )
        if report
        else (),
        report_stamp=str(value_at(report, 1, 2) or "") if report in read else "",
        own_sheets=dict(own or {}),
        version_cell=_single_cell(version_dest),
        migrated=migrated,
    )
