"""The tool's own sheets (校验结果, 评分汇总, 自评报告, 审核公式, the hidden state sheet) as worksheet XML."""

from __future__ import annotations

from lxml import etree

from perfeval.catalogue import get_column_letter
from perfeval.core.plan import SheetPlan
from perfeval.export.workbook import estimate_row_height
from perfeval.io.package import NS_MAIN, NS_R, q
from perfeval.io.sheet_xml import Worksheet
from perfeval.io.styles import StyleSheet, solid_fill

FONT = "宋体"
HEADER_FILL = "D9D9D9"
LINK_COLOR = "0563C1"
# Paragraph kinds on the 自评报告 sheet: font size, bold, centred.
PARAGRAPH_STYLES = {
    "title": (16, True, True),
    "subtitle": (12, False, True),
    "heading1": (12, True, False),
    "heading2": (11, True, False),
    "heading3": (11, True, False),
    "attachment": (11, False, False),
}


def _empty_sheet() -> etree._Element:
    root = etree.Element(q("worksheet"), nsmap={None: NS_MAIN, "r": NS_R})
    etree.SubElement(root, q("sheetData"))
    return root


class _Styles:
    """Cell formats of the tool's sheets, made once per run."""

    def __init__(self, styles: StyleSheet) -> None:
        self.styles = styles
        self._cache: dict[tuple, int] = {}

    def get(self, size: float, bold: bool, *, fill: str | None = None, wrap: bool = False,
            centred: bool = False, link: bool = False, num_fmt: str | None = None) -> int:  # fmt: skip
        key = (size, bold, fill, wrap, centred, link, num_fmt)
        if key not in self._cache:
            font = self.styles.font(FONT, size, bold=bold, color=LINK_COLOR if link else None, underline=link)
            fill_id = self.styles.fill(solid_fill(fill)) if fill else 0
            alignment = {"wrapText": "1", "vertical": "top"} if wrap else None
            if alignment is not None and centred:
                alignment["horizontal"] = "center"
            fmt = self.styles.number_format(num_fmt) if num_fmt else 0
            self._cache[key] = self.styles.new_xf(font=font, fill=fill_id, num_fmt=fmt, alignment=alignment)
        return self._cache[key]


# Neither Excel nor LibreOffice fits a wrapped row's height when a file is opened: heights are estimated
# and written.
DEFAULT_ROW_PT = 15.0


def _row_height(row: list[object], sizes: list[float], widths: list[float], skip: set[int]) -> float:
    """Points a row of wrapped cells needs: the tallest cell's estimate, a single line at the least.
    Columns in `skip` (hidden, or a link, which LibreOffice prints on one line) do not count."""
    height = DEFAULT_ROW_PT
    for c, value in enumerate(row, start=1):
        if value is None or value == "" or c in skip or c > len(widths):
            continue
        text = value if isinstance(value, str) else str(value)
        height = max(height, estimate_row_height(text, widths[c - 1], sizes[c - 1]))
    return height


def build_sheet(sp: SheetPlan, styles: StyleSheet) -> etree._Element:
    """A worksheet holding a SheetPlan: values, fonts, fills, links, widths, frozen header, page setup."""
    root = _empty_sheet()
    formats = _Styles(styles)
    if sp.portrait or sp.widths:
        pr = etree.Element(q("sheetPr"))
        etree.SubElement(pr, q("pageSetUpPr")).set("fitToPage", "1")
        root.insert(0, pr)
    width = max((len(r) for r in sp.rows), default=1)
    dim = etree.Element(q("dimension"))
    dim.set("ref", f"A1:{get_column_letter(max(width, 1))}{max(len(sp.rows), 1)}")
    root.find(q("sheetData")).addprevious(dim)
    views = etree.Element(q("sheetViews"))
    view = etree.SubElement(views, q("sheetView"))
    view.set("workbookViewId", "0")
    if sp.header_row:
        pane = etree.SubElement(view, q("pane"))
        pane.set("ySplit", str(sp.header_row))
        pane.set("topLeftCell", f"A{sp.header_row + 1}")
        pane.set("activePane", "bottomLeft")
        pane.set("state", "frozen")
    root.find(q("sheetData")).addprevious(views)
    if sp.widths:
        cols = etree.Element(q("cols"))
        for i, w in enumerate(sp.widths, start=1):
            col = etree.SubElement(cols, q("col"))
            col.set("min", str(i))
            col.set("max", str(i))
            col.set("width", f"{w:g}")
            col.set("customWidth", "1")
            if i in sp.hidden_cols:
                col.set("hidden", "1")
        root.find(q("sheetData")).addprevious(cols)

    ws = _Writer(root)
    header_width = len(sp.rows[sp.header_row - 1]) if sp.header_row else 0
    for r, row in enumerate(sp.rows, start=1):
        size, bold, centred = PARAGRAPH_STYLES.get(sp.styles.get(r, ""), (10, r <= sp.header_row, False))
        if sp.styles:
            size = max(size, 11)
        wrap = sp.wrap and (r > 1 or not sp.header_row)  # a table's title row overflows to the right
        if r == 1 and sp.header_row:
            size, bold = 12, True
        sizes = [10.0 if (r, c) in sp.links else float(size) for c in range(1, len(sp.widths) + 1)]
        if wrap and sp.widths:
            skip = {*sp.hidden_cols, *(c for (lr, c) in sp.links if lr == r)}
            ws.height(r, _row_height(row, sizes, sp.widths, skip))
        elif size > 11:
            ws.height(r, size * 1.6)  # a title a line high: it must not run into the row below
        for c, value in enumerate(row, start=1):
            link = (r, c) in sp.links
            fill = sp.fills.get((r, c)) or (HEADER_FILL if r == sp.header_row and c <= header_width else None)
            style = formats.get(10 if link else size, bold and not link, fill=fill, wrap=wrap,
                                centred=centred, link=link, num_fmt=sp.number_formats.get((r, c)))  # fmt: skip
            ws.put(r, c, value, style)
    if sp.links:
        links = etree.SubElement(root, q("hyperlinks"))
        for (r, c), ref in sorted(sp.links.items()):
            el = etree.SubElement(links, q("hyperlink"))
            el.set("ref", f"{get_column_letter(c)}{r}")
            el.set("location", f"'{ref.sheet.replace(chr(39), chr(39) * 2)}'!{ref.address}")
            el.set("display", str(ref))
    margins = etree.SubElement(root, q("pageMargins"))
    for k, v in (("left", "0.5"), ("right", "0.5"), ("top", "0.75"), ("bottom", "0.75"), ("header", "0.3"),
                 ("footer", "0.3")):  # fmt: skip
        margins.set(k, v)
    setup = etree.SubElement(root, q("pageSetup"))
    setup.set("paperSize", "9")
    setup.set("orientation", "portrait" if sp.portrait else "landscape")
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    return root


def state_sheet(rows: list[tuple[str, str, str]]) -> etree._Element:
    root = _empty_sheet()
    ws = _Writer(root)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            ws.put(r, c, value, 0)
    return root


class _Writer:
    """Appends cells in order to a new sheet's sheetData (no lookups needed: rows come in order)."""

    def __init__(self, root: etree._Element) -> None:
        self.data = root.find(q("sheetData"))
        self.row: etree._Element | None = None
        self.row_no = 0

    def _start(self, r: int) -> etree._Element:
        if r != self.row_no or self.row is None:
            self.row = etree.SubElement(self.data, q("row"))
            self.row.set("r", str(r))
            self.row_no = r
        return self.row

    def height(self, r: int, points: float) -> None:
        """A fixed height for row r (called before its cells)."""
        row = self._start(r)
        row.set("ht", f"{points:g}")
        row.set("customHeight", "1")

    def put(self, r: int, c: int, value: object, style: int) -> None:
        if value is None or value == "":
            if style == 0:
                return
            value = None
        self._start(r)
        cell = etree.SubElement(self.row, q("c"))
        cell.set("r", f"{get_column_letter(c)}{r}")
        if style:
            cell.set("s", str(style))
        Worksheet.write_value(cell, value)
