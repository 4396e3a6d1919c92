"""What an adapter reads from a workbook in one pass: raw values keyed by field name, plus where they live."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfeval.catalogue import get_column_letter


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

    def table(self, name: str) -> TableData:
        return self.tables[name]
