"""What a rendered report is made of, independent of the medium (sheet, Word, PDF).

The narrative generator produces a `Report`; the official layout builder produces `OfficialTable`s; the
sheet writer, the Word writer and the submission export only lay these out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# heading3: a project part's "1．…" title, set as body text (GB/T 9704's third level) but kept with its text
ParagraphKind = Literal["title", "subtitle", "heading1", "heading2", "heading3", "body", "attachment"]


@dataclass(frozen=True)
class Paragraph:
    kind: ParagraphKind
    text: str
    generated: bool = True  # False: the user's own words from 基本信息, copied as typed


@dataclass
class Report:
    """The 自评报告: title ("2023年部门整体支出绩效自评报告"), then unit and date lines (kind "subtitle"),
    then headings ("一、部门概况", "（一）单位基本情况") and body paragraphs, then the 附件 list."""

    title: str
    paragraphs: list[Paragraph]

    def texts(self) -> list[str]:
        return [self.title, *(p.text for p in self.paragraphs)]


@dataclass(frozen=True)
class Merge:
    """A merged range in an official table, 0-based inclusive cell coordinates."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class OfficialTable:
    """An attachment table in the official printed layout (附件1, 附件2, a 项目支出绩效自评表).

    `label` is the attachment caption ("附件1"), `title` the table title
    ("桃江县科学技术协会2023年度部门整体支出绩效评价基础数据表"). `rows` is the full grid of cell texts
    (already formatted: "266.32", "100.00%", "" for empty), `merges` the merged ranges over that grid,
    `header_rows` how many leading rows repeat on every printed page, `widths` relative column widths.
    """

    label: str
    title: str
    rows: list[list[str]]
    merges: list[Merge] = field(default_factory=list)
    header_rows: int = 1
    widths: list[float] = field(default_factory=list)
    landscape: bool = False
    bold_cells: set[tuple[int, int]] = field(default_factory=set)
    note: str = ""  # a line printed under the table (填表人、日期 etc.)

    def covered(self) -> set[tuple[int, int]]:
        """Cells hidden under a merge (every merged cell but its top-left one): writers leave them empty."""
        return {
            (r, c)
            for m in self.merges
            for r in range(m.first_row, m.last_row + 1)
            for c in range(m.first_col, m.last_col + 1)
            if (r, c) != (m.first_row, m.first_col)
        }

    def merge_starts(self) -> dict[tuple[int, int], Merge]:
        """Each merge by its top-left cell."""
        return {(m.first_row, m.first_col): m for m in self.merges}
