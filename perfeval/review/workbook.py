"""The summary workbook (openpyxl): 汇总, 问题分布, 明细, 图表, 未校验, 说明 — for people who live in Excel."""

from __future__ import annotations

import math
import os
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.review.record import FileRecord
from perfeval.review.table import DETAIL_HEADERS, FLAGS, RULE_HEADERS, SUMMARY_HEADERS
from perfeval.terminal import columns as columns_of  # Excel's width units count a CJK character as two too

if TYPE_CHECKING:
    import pandas as pd


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
RED_FILL = PatternFill("solid", fgColor="F8CBAD")
YELLOW_FILL = PatternFill("solid", fgColor="FFF2CC")
FLAG_FILL = PatternFill("solid", fgColor="FCE4D6")
THIN = Side(style="thin", color="BFBFBF")
AMOUNT, RATE, SCORE = "#,##0.00", "0.00%", "0.00"
FORMATS = {
    "initial_budget": AMOUNT,
    "adjusted_budget": AMOUNT,
    "spent": AMOUNT,
    "execution_rate": RATE,
    "typed_score": SCORE,
    "score": SCORE,
    "tpc_last": AMOUNT,
    "tpc_now": AMOUNT,
    "tpc_change": AMOUNT,
    "tpc_change_rate": RATE,
}
WIDTHS = {
    "unit": 22, "department": 12, "kind": 9, "project": 20, "year": 6, "initial_budget": 12,
    "adjusted_budget": 12, "spent": 12, "execution_rate": 9, "typed_score": 8, "score": 8, "grade": 9,
    "errors": 5, "warnings": 5, "infos": 5, "top_rules": 34, "warning": 9, "full_marks": 8,
    "full_but_unspent": 10, "score_ahead": 10, "similar_text": 44, "file": 28,
    "sheet": 12, "cells": 14, "rule": 9, "severity": 6, "message": 80, "title": 44, "units": 7,
    "findings": 7, "reason": 80, "previous_year": 8, "tpc_last": 14, "tpc_now": 12, "tpc_change": 10,
    "tpc_change_rate": 10, "prior_mismatch": 36, "authorized_change": 14, "actual_change": 14,
    "targets_copied": 40, "note": 14,
}  # fmt: skip
# Short codes and counts read better centred (a count would otherwise touch the text beside it).
CENTRED = {
    "kind",
    "year",
    "grade",
    "errors",
    "warnings",
    "infos",
    "warning",
    "severity",
    "rule",
    "units",
    "findings",
}
CENTRED |= set(FLAGS)
SUMMARY_WRAP = ("top_rules", "similar_text")
YOY_WRAP = ("prior_mismatch", "targets_copied")
SCORE_BINS = (
    (0, 60, "60分以下"),
    (60, 70, "60至70分"),
    (70, 80, "70至80分"),
    (80, 90, "80至90分"),
    (90, 1e9, "90分及以上"),
)
RATE_BINS = ((-1e9, 0.5, "50%以下"), (0.5, 0.8, "50%至80%"), (0.8, 0.9, "80%至90%"), (0.9, 1.0, "90%至100%"), (1.0, 1e9, "100%及以上"))  # fmt: skip


@dataclass
class About:
    source: str
    profile: str
    ruleset: str
    made: str  # time, local with offset
    jobs: int
    manifest: list[tuple[str, str, str]]  # file, sha256, 已校验 / 未校验：reason


def _value(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


class _Table:
    """A write-only sheet laid out as a filterable table: header row 1, data below, frozen, sized, printed
    landscape with the header; rows are written as they are appended (write-only: memory stays small and
    the XML is made while the review's workers still check)."""

    def __init__(
        self, wb: Workbook, title: str, keys: list[str], headers: dict[str, str], wrap: tuple[str, ...] = ()
    ) -> None:
        self.ws = ws = wb.create_sheet(title)
        self.keys, self.rows = keys, 0
        self._wrapped = [(i, max(WIDTHS.get(k, 12) - 1, 1)) for i, k in enumerate(keys) if k in wrap]
        for col, key in enumerate(keys, 1):  # a write-only sheet takes its columns before its first row
            ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(key, 12)
        ws.freeze_panes = "B2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        # A header too wide for its column breaks before its unit: "年初预算数\n（万元）", never a lone "元）".
        head = []
        for key in keys:
            text = headers.get(key, key)
            cell = WriteOnlyCell(
                ws, text.replace("（", "\n（", 1) if columns_of(text) > WIDTHS.get(key, 12) else text
            )
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            head.append(cell)
        ws.row_dimensions[1].height = 30
        ws.append(head)
        # One style per column, made once: assigning style objects cell by cell costs openpyxl a hash of
        # each (seconds for the 明细 of a thousand units).
        self._styles = []
        for key in keys:
            proto = WriteOnlyCell(ws)
            proto.border = Border(bottom=THIN)
            if key in FORMATS:
                proto.number_format = FORMATS[key]
            if key in wrap:
                proto.alignment = Alignment(wrap_text=True, vertical="top")
            elif key in CENTRED:
                proto.alignment = Alignment(horizontal="center", vertical="top")
            else:  # a row grown for a wrapped cell reads from its top line
                proto.alignment = Alignment(vertical="top")
            self._styles.append(proto._style)

    def append(self, values: list[object]) -> None:
        values = [_value(v) for v in values]
        self.rows += 1
        # Excel and LibreOffice do not grow a row for wrapped text written by openpyxl: size it here.
        lines = max((math.ceil(columns_of(str(values[i] or "")) / w) for i, w in self._wrapped), default=1)
        if lines > 1:
            self.ws.row_dimensions[self.rows + 1].height = 15 * min(lines, 10)
        cells = []
        for value, style in zip(values, self._styles, strict=True):
            cell = WriteOnlyCell(self.ws, value)
            cell._style = copy(style)
            cells.append(cell)
        self.ws.append(cells)

    def extend(self, df: pd.DataFrame) -> _Table:
        for record in df[self.keys].itertuples(index=False):
            self.append(list(record))
        return self

    def end(self) -> Worksheet:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.keys))}{self.rows + 1 if self.rows else 2}"
        return self.ws


def _colour_summary(ws: Worksheet, df: pd.DataFrame) -> None:
    n = max(len(df) + 1, 2)
    col = {key: get_column_letter(i) for i, key in enumerate(df.columns, 1)}
    for key in FLAGS:
        ref = f"{col[key]}2:{col[key]}{n}"
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=['"是"'], fill=FLAG_FILL))
    w = col["warning"]
    ws.conditional_formatting.add(
        f"{w}2:{w}{n}", FormulaRule(formula=[f'ISNUMBER(SEARCH("红色",{w}2))'], fill=RED_FILL)
    )
    ws.conditional_formatting.add(
        f"{w}2:{w}{n}", FormulaRule(formula=[f'ISNUMBER(SEARCH("黄色",{w}2))'], fill=YELLOW_FILL)
    )
    s = col["similar_text"]
    ws.conditional_formatting.add(f"{s}2:{s}{n}", FormulaRule(formula=[f"LEN({s}2)>0"], fill=FLAG_FILL))
    e = col["errors"]
    ws.conditional_formatting.add(
        f"{e}2:{e}{n}",
        CellIsRule(operator="greaterThan", formula=["0"], font=Font(bold=True, color="C00000")),
    )


def _bins(values: list[float], bins: tuple[tuple[float, float, str], ...]) -> list[tuple[str, int]]:
    return [(label, sum(1 for v in values if lo <= v < hi)) for lo, hi, label in bins]


def _show_axes(chart: BarChart) -> None:
    # openpyxl 3.1 writes axes as deleted unless told: Excel would draw the bars with no scale.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.numFmt = "0"  # counts of units
    chart.y_axis.majorGridlines = None


def _header_cells(ws: Worksheet, texts: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for text in texts:
        cell = WriteOnlyCell(ws, text)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cells.append(cell)
    return cells


def _distribution(ws: Worksheet, top: int, what: str, counts: list[tuple[str, int]], anchor: str) -> None:
    """A bin table (what, 单位数) appended from row `top` and its bar chart at `anchor`."""
    ws.append(_header_cells(ws, [what, "单位数"]))
    for label, count in counts:
        ws.append([label, count])
    bar = BarChart()
    bar.title, bar.y_axis.title, bar.x_axis.title = f"{what}分布", "单位数", what
    last = top + len(counts)
    bar.add_data(Reference(ws, min_col=2, min_row=top, max_row=last), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    bar.legend = None
    _show_axes(bar)
    bar.width, bar.height = 14, 7
    ws.add_chart(bar, anchor)


def _charts(ws: Worksheet, summary: Worksheet, df: pd.DataFrame) -> None:
    """Bin tables at the left (the charts' data), native charts beside them; the scatter reads 汇总."""
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 14, 8
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    scores = [float(v) for v in df["score"].dropna()]
    rates = [float(v) for v in df["execution_rate"].dropna()]
    _distribution(ws, 1, "复核得分", _bins(scores, SCORE_BINS), "D1")
    ws.append([]), ws.append([])
    _distribution(ws, 9, "执行率", _bins(rates, RATE_BINS), "D16")

    cols = {key: i for i, key in enumerate(df.columns, 1)}
    last = max(len(df) + 1, 2)
    scatter = ScatterChart()
    scatter.title, scatter.style, scatter.scatterStyle = "自评得分与复核得分", 13, "lineMarker"
    scatter.x_axis.title, scatter.y_axis.title = "复核得分", "自评得分"
    xs = Reference(summary, min_col=cols["score"], min_row=2, max_row=last)
    ys = Reference(summary, min_col=cols["typed_score"], min_row=2, max_row=last)
    series = Series(ys, xs, title="单位")
    series.marker.symbol, series.marker.size = "circle", 7
    series.marker.graphicalProperties = GraphicalProperties(solidFill="4472C4")
    series.marker.graphicalProperties.line.solidFill = "4472C4"
    series.graphicalProperties.line.noFill = True  # points only: units are not a sequence
    scatter.series.append(series)
    scatter.legend = None
    # 0 to full marks, wider when a recomputed total runs over (weights adding to 110): no point is cut off.
    top = max(
        [100.0, *(float(v) for v in df["score"].dropna()), *(float(v) for v in df["typed_score"].dropna())]
    )
    for axis in (scatter.x_axis, scatter.y_axis):
        axis.scaling.min, axis.scaling.max = 0, math.ceil(top / 10) * 10
        axis.delete = False
        axis.numFmt = "0"
    scatter.x_axis.majorGridlines = None
    scatter.width, scatter.height = 14, 10
    ws.add_chart(scatter, "M1")


def _about(ws: Worksheet, about: About, counts: tuple[int, int]) -> None:
    checked, skipped = counts
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = (
        36,
        68,
        40,
    )
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    lines = [
        ("复核对象", about.source),
        ("工作簿", f"共 {checked + skipped} 个：已校验 {checked} 个，未校验 {skipped} 个（见“未校验”）"),
        ("评分口径", about.profile),
        ("校验规则", about.ruleset),
        ("生成时间", about.made),
        ("并行进程", str(about.jobs)),
        ("说明", "本汇总由 perfeval review 生成，只读取各单位的工作簿，未改动任何文件。金额单位为万元。"),
    ]
    for key, value in lines:
        label, text = WriteOnlyCell(ws, key), WriteOnlyCell(ws, value)
        label.font, text.alignment = Font(bold=True), Alignment(wrap_text=False)
        ws.append([label, text])
    ws.append([])
    ws.append(_header_cells(ws, ["文件", "SHA-256", "状态"]))
    for row in about.manifest:
        ws.append(list(row))


class SummaryWriter:
    """The summary workbook, made as the review goes: each unit's lines of 明细 (and of the hidden data
    sheet) are written as its record arrives, in file order, while the workers check the next files;
    汇总, 问题分布, 图表 and the rest, which need every unit, at the end. Write-only openpyxl: the sheets are
    streamed to temporary files, so memory stays small for a city's thousands of units."""

    def __init__(self, yoy: bool = False) -> None:
        from perfeval.review.yoy import DATA_SHEET

        self.wb = wb = Workbook(write_only=True)
        # Every sheet now, in the order they show: a write-only workbook keeps the order of creation.
        self._summary = _Table(wb, "汇总", list(SUMMARY_HEADERS), SUMMARY_HEADERS, wrap=SUMMARY_WRAP)
        self._summary.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3  # 22 columns: A4 is too small
        self._rules = _Table(wb, "问题分布", list(RULE_HEADERS), RULE_HEADERS)
        self._detail = _Table(wb, "明细", list(DETAIL_HEADERS), DETAIL_HEADERS, wrap=("message",))
        self._charts = wb.create_sheet("图表")
        self._yoy: _Table | None = None
        if yoy:
            from perfeval.review.yoy import YOY_HEADERS

            self._yoy = _Table(wb, "同比", list(YOY_HEADERS), YOY_HEADERS, wrap=YOY_WRAP)
        self._skipped = _Table(
            wb, "未校验", ["file", "reason"], {"file": "文件", "reason": "原因"}, wrap=("reason",)
        )
        self._about = wb.create_sheet("说明")
        self._data = wb.create_sheet(DATA_SHEET)
        self._data.sheet_state = "hidden"
        self._data.append(["单位", "年度", "文件", "数据"])
        self._waiting: dict[int, FileRecord | None] = {}
        self._next = 0

    def add(self, index: int, record: FileRecord | None) -> None:
        """The record of the index-th file (None: it was skipped); written once those before it are."""
        from perfeval.review.table import detail_rows
        from perfeval.review.yoy import data_rows

        self._waiting[index] = record
        while self._next in self._waiting:
            rec = self._waiting.pop(self._next)
            self._next += 1
            if rec is None:
                continue
            for line in detail_rows(rec):
                self._detail.append(line)
            for row in data_rows([rec]):
                self._data.append(list(row))

    def finish(
        self,
        out: Path,
        summary: pd.DataFrame,
        rules: pd.DataFrame,
        skipped: pd.DataFrame,
        about: About,
        yoy: pd.DataFrame | None = None,
    ) -> None:
        ws = self._summary.extend(summary).end()
        _colour_summary(ws, summary)
        self._rules.extend(rules).end()
        self._detail.end()
        _charts(self._charts, ws, summary)
        if self._yoy is not None and yoy is not None:
            self._yoy.extend(yoy).end()
        self._skipped.extend(skipped).end()
        _about(self._about, about, (len(about.manifest) - len(skipped), len(skipped)))
        self.wb.save(out)

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def discard(self) -> None:
        """Remove the sheets' temporary files left by a summary that was not saved (the review failed);
        after a save there are none."""
        for ws in self.wb.worksheets:
            writer = getattr(ws, "_writer", None)
            if writer is None or not os.path.exists(writer.out):
                continue
            if not ws.closed:
                ws.close()  # ends the rows being streamed, so nothing is written to the file after this
            writer.cleanup()
