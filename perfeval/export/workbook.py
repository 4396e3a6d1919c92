"""The clean workbook the unit hands to the finance bureau: 报送说明 (optional), 自评报告, then one sheet per
attachment table in the official printed layout.

Values only (every string stays text, never a formula), no fills, no notes, no macros; every sheet is set
up to print on A4 like the Word report (same margins, one page wide, table headers repeated) and protected
against accidental edits.

openpyxl cannot measure text, and neither Excel nor LibreOffice reliably fits the height of a row of
wrapped text (least of all in merged cells) when the file is opened, so row heights are estimated here
from the text length per column width (`estimate_row_height`), generously, so nothing is cut off in print.
Because those heights are fixed in the file, pages can be planned here as well: a printed row never breaks
across pages, so the report is paginated like a word processor would (a paragraph split at a sentence end
where the page ends, headings kept with their text), and a table gets manual page breaks that keep a merged
block (an 一级指标 and its rows) on one page where it fits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.io.fill import set_text_safe
from perfeval.io.safety import write_atomically
from perfeval.report.document import OfficialTable, Report
from perfeval.report.errors import ReportError
from perfeval.textwidth import char_width, text_width

__all__ = [
    "COVER_SHEET",
    "REPORT_SHEET",
    "add_report_sheet",
    "add_table_sheet",
    "column_widths",
    "estimate_row_height",
    "new_workbook",
    "plan_page_breaks",
    "printable_height_pt",
    "printable_width_mm",
    "save_workbook",
    "split_paragraph",
    "whole_pixels",
    "wrapped_line_count",
    "write_clean_workbook",
]

REPORT_SHEET = "自评报告"
COVER_SHEET = "报送说明"

# Font names as the Word writer spells them, so pdf.FONT_FALLBACKS substitutes them where they are missing.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"  # table cells: the usual face of Chinese Excel forms, crisp at 五号 and with a bold

TITLE_SIZE = 20.0  # the report title (Word: 二号 22 pt; 20 keeps 20 characters a line)
TEXT_SIZE = 14.0  # 四号: report text, 31 characters a line over the 156 mm text block
TABLE_TITLE_SIZE = 18.0  # 小二, as the Word writer
LABEL_SIZE = 14.0
CELL_SIZE = 10.5  # 五号, as the Word writer

# A4 and the Word writer's margins (mm); a landscape page turns them with the paper (binding edge on top).
A4_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
HEADER_FOOTER_MM = 15.0

# A column's stored width is in digits of the workbook's default font (its 5 px of cell padding
# included): Excel prints w * digit pixels with the digit rounded to whole pixels, LibreOffice with it
# unrounded. Arial 11 (Liberation Sans in LibreOffice, metric-compatible) gives 8 px in Excel and 8.14 px
# in LibreOffice (measured; Arial 10 would be 7 against 7.4, and Calibri is missing where LibreOffice
# prints). Widths are planned with the wider digit, so a table fits the page in both; text is fitted with
# the narrower one, so the height estimate holds in both.
DEFAULT_FONT = Font(name="Arial", sz=11, family=2)
DIGIT_PX = 8.0
DIGIT_PX_WIDEST = 8.16
PX_PER_MM = 96 / 25.4

# Text is measured in ems of its font size (perfeval.textwidth): a CJK character 1, a digit 0.575.
REFERENCE_SIZE = 10.5  # 五号, the tables' size
CELL_INNER_PX = 6.0  # the cell's own left/right text margins and the grid line
LINE_FACTOR = 1.45  # line pitch / font size: Noto CJK in LibreOffice 1.44 (measured), SimSun in Excel ≈ 1.3
ROW_PADDING_PT = 3.0  # LibreOffice: 1.5 pt inset above the first line and below the last (measured)
MAX_ROW_PT = 409.0  # Excel's limit
MIN_TABLE_ROW_PT = 17.0  # 6 mm, as the Word writer: single-line rows get some air
MAX_REPORT_LINES = 18  # a report row of more lines is split (Excel caps a row at 409 pt)
PAGE_SLACK = 0.99  # of the printable height used by planned page breaks: rounding in the renderers
PX_PT = 0.75  # Excel keeps row heights in whole screen pixels: heights are rounded up to them

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Word-like runs stay on one line; opening punctuation sticks to what follows, closing to what precedes
# (Chinese line breaking never starts a line with "，" or ends one with "（").
_TOKEN = re.compile(
    r"[（(“‘《「『【〔]*(?:[A-Za-z0-9.,%+\-/_@#&'’]+|\S)[，。、；：！？）)”’》」』】〕…·,.;:!?%]*|\s"
)
_SENTENCE = re.compile(r"[^。！？；]*(?:[。！？；]+[”’）」』]*|$)")
_CLAUSE = re.compile(r"[^，、：]*(?:[，、：]+|$)")


# --- text measurement (pure) -------------------------------------------------------------------------------


def _line_count(line: str, usable: float) -> int:
    """Greedy line filling as a renderer does: tokens move to the next line whole, unless longer than a
    line, when they break anywhere."""
    lines, used = 1, 0.0
    for token in _TOKEN.findall(line):
        width = text_width(token)
        if used + width <= usable:
            used += width
        elif token.isspace():
            continue  # a space at the end of a line hangs in the margin
        elif width <= usable:
            lines, used = lines + 1, width
        else:
            for ch in token:
                w = char_width(ch)
                if used + w > usable and used > 0:
                    lines, used = lines + 1, 0.0
                used += w
    return lines


def _em_px(font_size: float) -> float:
    return font_size * 96 / 72


def _capacity(column_width: float, font_size: float) -> float:
    """Ems of `font_size` that fit on one line of a cell `column_width` units wide: the column's pixels
    (a digit of the default font per unit) less the cell's text margins; half an em at the least."""
    usable_px = column_width * DIGIT_PX - CELL_INNER_PX
    return max(usable_px / _em_px(font_size), 0.5)


def wrapped_line_count(text: str, column_width: float, font_size: float = REFERENCE_SIZE) -> int:
    """How many lines `text` wraps to in a cell `column_width` units wide (Excel's column width)."""
    usable = _capacity(column_width, font_size)
    return max(1, sum(_line_count(line, usable) for line in text.split("\n")))


def estimate_row_height(text: str, column_width: float, font_size: float = REFERENCE_SIZE) -> float:
    """Points a row needs to show `text` wrapped in a cell `column_width` units wide, capped at Excel's
    409 pt."""
    lines = wrapped_line_count(text, column_width, font_size)
    return whole_pixels(lines * font_size * LINE_FACTOR + ROW_PADDING_PT)


def whole_pixels(points: float) -> float:
    """A row height rounded up to whole screen pixels (0.75 pt), as Excel stores it, and capped at
    Excel's 409 pt: the heights planned are then the heights printed."""
    return min(MAX_ROW_PT, math.ceil(points / PX_PT - 1e-6) * PX_PT)


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [p for p in pattern.findall(text) if p]


def split_paragraph(text: str, column_width: float, font_size: float, max_lines: int) -> list[str]:
    """Split a paragraph into chunks of at most `max_lines` wrapped lines, at sentence ends, else at
    commas, else every so many characters; the chunks joined give the text back."""

    def fits(chunk: str) -> bool:
        return wrapped_line_count(chunk, column_width, font_size) <= max_lines

    def hard(piece: str) -> list[str]:
        out, current = [], ""
        for ch in piece:
            if current and not fits(current + ch):
                out.append(current)
                current = ""
            current += ch
        return [*out, current] if current else out

    def pack(pieces: Iterable[str], finer: re.Pattern[str] | None) -> list[str]:
        out: list[str] = []
        current = ""
        for piece in pieces:
            if fits(current + piece):
                current += piece
                continue
            if current:
                out.append(current)
                current = ""
            if fits(piece):
                current = piece
            else:
                out.extend(pack(_pieces(piece, finer), None) if finer else hard(piece))
        return [*out, current] if current else out

    if not text or fits(text):
        return [text]
    return pack(_pieces(text, _SENTENCE), _CLAUSE)


# --- page geometry -----------------------------------------------------------------------------------------


def _page_margins(landscape: bool) -> dict[str, float]:
    m = MARGINS_MM
    if landscape:
        return {"top": m["left"], "bottom": m["right"], "left": m["top"], "right": m["bottom"]}
    return dict(m)


def printable_width_mm(landscape: bool) -> float:
    margins = _page_margins(landscape)
    return (A4_MM[1] if landscape else A4_MM[0]) - margins["left"] - margins["right"]


def column_widths(relative: list[float], n_cols: int, total_mm: float) -> list[float]:
    """Excel column widths for relative widths scaled to fill `total_mm` (the printable width)."""
    rel = [float(w) for w in relative] if len(relative) == n_cols and sum(relative) > 0 else [1.0] * n_cols
    total_px = total_mm * PX_PER_MM
    out = []
    for w in rel:
        px = total_px * w / sum(rel)
        # Truncated to Excel's 1/256 steps: rounding up could push the last column over the page edge.
        out.append(math.floor(max(px / DIGIT_PX_WIDEST, 1.0) * 256) / 256)
    return out


ONE_PAGE_STRETCH = 1.15  # scaled to 87 % at most: still readable at 宋体 10.5


def _span_width(widths: list[float], first: int, last: int) -> float:
    """Width units of merged columns, as one column's width."""
    return sum(widths[first : last + 1])


def _print_setup(ws: Worksheet, *, landscape: bool, last_row: int, last_col: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    margins = _page_margins(landscape)
    ws.page_margins = PageMargins(
        left=margins["left"] / 25.4,
        right=margins["right"] / 25.4,
        top=margins["top"] / 25.4,
        bottom=margins["bottom"] / 25.4,
        header=HEADER_FOOTER_MM / 25.4,
        footer=HEADER_FOOTER_MM / 25.4,
    )
    ws.print_options.horizontalCentered = True
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.sheet_view.showGridLines = False  # the sheet looks like the printed page


def _protect(ws: Worksheet) -> None:
    """Protect against accidental edits only, without a password: the workbook is the unit's own
    declaration and a reviewer may need to unprotect it to fix a typo or copy from it, and an Excel
    sheet password keeps nobody out anyway (it is removed in seconds); the signed PDF is what counts.
    Column widths and row heights stay adjustable, so a reviewer can widen a column."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = False
    p.formatRows = False


def printable_height_pt(landscape: bool) -> float:
    margins = _page_margins(landscape)
    height = (A4_MM[0] if landscape else A4_MM[1]) - margins["top"] - margins["bottom"]
    return height / 25.4 * 72


def plan_page_breaks(
    heights: list[float],
    room: float,
    *,
    together: Iterable[tuple[int, int]] = (),
    glued: Iterable[int] = (),
) -> list[int]:
    """Rows (0-based, of the rows that flow under the repeated print titles) that start a new page.

    Pages hold `room` points. A page never starts inside a `together` range (first, last) that fits on one
    page, nor at a `glued` row (a heading kept with what it introduces, a note kept under its table);
    otherwise as late as possible. Row heights are fixed in the file, so the renderer's own breaks
    fall exactly here (the PAGE_SLACK margin absorbs rounding)."""
    bad: set[int] = set(glued)
    for first, last in together:
        if sum(heights[first : last + 1]) <= room:
            bad.update(range(first + 1, last + 1))
    breaks: list[int] = []
    start, used = 0, 0.0
    for r, h in enumerate(heights):
        if used + h <= room or r == start:
            used += h
            continue
        b = next((b for b in range(r, start, -1) if b not in bad), r)
        if sum(heights[b : r + 1]) > room:
            b = r  # the kept-together rows overlap into more than a page: break where the page ends
        breaks.append(b)
        start, used = b, sum(heights[b : r + 1])
    return breaks


def _apply_breaks(ws: Worksheet, first_flow_row: int, breaks: list[int]) -> None:
    for b in breaks:
        # A row break sits after the row it names (1-based): the page starts with flow row b.
        ws.row_breaks.append(Break(id=first_flow_row + b - 1))


# --- workbook ----------------------------------------------------------------------------------------------


def new_workbook(title: str = "") -> Workbook:
    """An empty workbook (no sheets yet) with Arial 11 as its default font and the given title."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    # openpyxl has no public setter for the default font (font 0, which the Normal style uses and
    # which defines the column width unit); Calibri is missing where LibreOffice prints.
    wb._fonts = IndexedList([DEFAULT_FONT])
    wb.properties.title = title or None
    wb.properties.creator = "perfeval"
    wb.properties.lastModifiedBy = "perfeval"
    return wb


def _sheet_name(wb: Workbook, wanted: str) -> str:
    base = _INVALID_SHEET_CHARS.sub("", wanted).strip("'")[:31] or "附表"
    name, n = base, 2
    while name in wb.sheetnames:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    return name


def save_workbook(wb: Workbook, out: Path) -> Path:
    """Save through a temporary file (never a half-written workbook); ReportError (Chinese) on failure."""
    try:
        return write_atomically(Path(out), wb.save)
    except PermissionError:
        raise ReportError(f"无法写入 {out}：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。") from None
    except OSError as exc:
        raise ReportError(f"无法写入 {out}：{exc.strerror or exc}") from None


# --- the report sheet --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    font: str
    size: float
    bold: bool
    centred: bool
    indent: str = ""  # leading full-width spaces: Excel has no first-line indent


_INDENT = "\u3000\u3000"
REPORT_LOOKS = {
    "title": _Look(XIAOBIAOSONG, TITLE_SIZE, False, True),
    "subtitle": _Look(KAITI, TEXT_SIZE, False, True),
    "heading1": _Look(HEITI, TEXT_SIZE, True, False, _INDENT),
    "heading2": _Look(KAITI, TEXT_SIZE, True, False, _INDENT),
    "heading3": _Look(FANGSONG, TEXT_SIZE, False, False, _INDENT),
    "body": _Look(FANGSONG, TEXT_SIZE, False, False, _INDENT),
    "attachment": _Look(FANGSONG, TEXT_SIZE, False, False),
}
PARAGRAPH_GAP_PT = 6.0  # after each paragraph (none between the rows of one split paragraph)
BLOCK_GAP_PT = 15.0  # the empty line under the title block


def _attachment_indent(text: str) -> str:
    """ "附件：1．…" two characters in, the following names under the first name (GB/T 9704)."""
    return _INDENT if text.startswith("附件") else "\u3000" * 5


@dataclass(frozen=True)
class _Line:
    """One paragraph (or one line of a multi-line paragraph) of the report, as it goes into rows."""

    look: _Look
    text: str
    keep_with_next: bool  # title block and headings: never the last thing on a page
    gap_after: float


def _report_lines(report: Report, width: float) -> list[_Line]:
    out: list[_Line] = []
    if report.title:
        # Broken after "…年度" when too long for a line, as the Word writer does.
        title = _break_title(report.title, width, TITLE_SIZE)
        out.append(_Line(REPORT_LOOKS["title"], title, True, 0.0))
    previous = "title" if report.title else ""
    for para in report.paragraphs:
        kind = para.kind if para.kind in REPORT_LOOKS else "body"
        look = REPORT_LOOKS[kind]
        if previous in ("title", "subtitle") and kind not in ("title", "subtitle"):
            out.append(_Line(REPORT_LOOKS["body"], "", True, -1.0))  # the empty line under the title block
        for line in para.text.split("\n"):
            indent = _attachment_indent(line) if kind == "attachment" else look.indent
            heading = kind in ("title", "subtitle", "heading1", "heading2", "heading3")
            out.append(_Line(look, indent + line, heading, 0.0 if heading else PARAGRAPH_GAP_PT))
        previous = kind
    return out


def add_report_sheet(wb: Workbook, report: Report) -> Worksheet:
    """The 自评报告 sheet: one column as wide as the A4 text block, one paragraph a row.

    A row never breaks across printed pages, so the sheet is paginated here, as a word processor would:
    a paragraph that does not fit where the page ends is split at a sentence end (else a comma) so that
    its first part fills the page; long paragraphs are also split every few lines, so no row leaves a
    large gap; headings stay with the text below them."""
    ws = wb.create_sheet(_sheet_name(wb, REPORT_SHEET))
    (width,) = column_widths([1.0], 1, printable_width_mm(False))
    ws.column_dimensions["A"].width = width
    room = printable_height_pt(False) * PAGE_SLACK
    rows = 0
    used = 0.0  # points used on the current page

    def height(text: str, look: _Look, gap: float) -> float:
        if gap < 0:
            return BLOCK_GAP_PT
        return whole_pixels(estimate_row_height(text, width, look.size) + gap)

    def put(text: str, look: _Look, row_height: float, vertical: str = "top") -> None:
        nonlocal rows, used
        rows += 1
        cell = ws.cell(rows, 1)
        set_text_safe(cell, text)
        cell.font = Font(name=look.font, size=look.size, bold=look.bold)
        cell.alignment = Alignment(
            horizontal="center" if look.centred else "left", vertical=vertical, wrap_text=True
        )
        ws.row_dimensions[rows].height = row_height
        used += row_height

    def new_page() -> None:
        nonlocal used
        if rows and used:
            ws.row_breaks.append(Break(id=rows))
            used = 0.0

    lines = _report_lines(report, width)
    for i, line in enumerate(lines):
        look = line.look
        if line.keep_with_next:
            need = height(line.text, look, line.gap_after)
            if i + 1 < len(lines):  # the next row, or two lines of it
                nxt = lines[i + 1]
                two = whole_pixels(2 * nxt.look.size * LINE_FACTOR + ROW_PADDING_PT)
                need += min(height(nxt.text, nxt.look, nxt.gap_after), two)
            if need > room - used:
                new_page()
            put(line.text, look, height(line.text, look, line.gap_after), "center" if i == 0 else "top")
            continue
        rest = line.text
        while True:
            whole = height(rest, look, line.gap_after)
            lines_left = wrapped_line_count(rest, width, look.size)
            if whole <= room - used and lines_left <= MAX_REPORT_LINES:
                put(rest, look, whole)
                break
            fit = int((room - used - ROW_PADDING_PT) // (look.size * LINE_FACTOR))
            n = min(fit, MAX_REPORT_LINES, lines_left - 1)
            first = split_paragraph(rest, width, look.size, n)[0] if n >= 2 else ""
            if first and first != rest and height(first, look, 0.0) <= room - used:
                put(first, look, height(first, look, 0.0))
                rest = rest[len(first) :]
            elif used:
                new_page()
            else:  # a fresh page and still too tall: Excel's row limit, nothing better to do
                put(rest, look, whole)
                break

    _print_setup(ws, landscape=False, last_row=max(rows, 1), last_col=1)
    _protect(ws)
    return ws


# --- table sheets ------------------------------------------------------------------------------------------


def _break_title(title: str, width: float, size: float) -> str:
    """A title too long for one line breaks after "…年度" (unit and year above, the form's name below),
    as the Word writer does, instead of wherever the line happens to end."""
    if "\n" in title or wrapped_line_count(title, width, size) <= 1:
        return title
    head, sep, tail = title.partition("年度")
    if sep and tail and all(wrapped_line_count(t, width, size) <= 1 for t in (head + sep, tail)):
        return f"{head}{sep}\n{tail}"
    return title


def _is_figure(text: str) -> bool:
    """A number, rate or code ("266.32", "100.00%"): printed on one line, shrunk if the column is tight,
    never broken as "100.00" over "%"."""
    return bool(text) and not any(ch.isspace() or char_width(ch) == 1 for ch in text)


def _horizontal(text: str, width: float, bold: bool, form: bool) -> str:
    """Form cells are centred like the printed forms, except text (not a bold label) of three lines or
    more in a column wide enough to read (4+ characters), which reads better flush left (the Word writer's rule); figures are
    centred. On the cover (not a form) text is flush left, headers and figures in narrow columns
    centred."""
    narrow = _capacity(width, CELL_SIZE) < 4  # under 4 characters a line
    if not form:
        return "center" if bold or (narrow and _is_figure(text)) else "left"
    if narrow or _is_figure(text) or bold:  # a label ("年度预算\n申请\n(万元)") stays centred in its box
        return "center"
    return "left" if wrapped_line_count(text, width, CELL_SIZE) >= 3 else "center"


def _column_labels(table: OfficialTable, c: int) -> list[str]:
    """The bold label cells that end in column c (alone, or the last column of their merge); a long text
    cell wraps its own words as it must."""
    spans = table.merge_starts()
    return [
        row[c]
        for r, row in enumerate(table.rows)
        if c < len(row)
        and (r, c) in table.bold_cells
        and (spans.get((r, c)) is None or spans[(r, c)].last_col == c)
    ]


def _fit_labels(widths: list[float], table: OfficialTable) -> list[float]:
    """Widen a column to show its short bold labels ("单位名称") on one line, taking the width from the
    widest column: for the cover, whose widths are a suggestion, not a form's layout."""
    widths = list(widths)
    for c in range(len(widths)):
        # up to 8 characters: a label, not a sentence
        labels = [t for t in _column_labels(table, c) if 0 < text_width(t) <= 8]
        if not labels:
            continue
        need = max(
            (text_width(t) * _em_px(CELL_SIZE) + CELL_INNER_PX) / DIGIT_PX + 1.0  # a digit of air
            for t in labels
        )
        widest = max(range(len(widths)), key=lambda i: widths[i])
        extra = need - widths[c]
        if extra > 0 and widest != c and widths[widest] - extra > widths[widest] / 2:
            widths[c] += extra
            widths[widest] -= extra
    return widths


# A short bracketed group ("(万元)", "（50分）") reads as one word: broken, it leaves a lone ")" on a line.
_GROUP = re.compile(r"[（(][^（()）\n]{1,6}[）)]")


def _fit_groups(widths: list[float], table: OfficialTable) -> list[float]:
    """Widen a narrow column until the bracketed groups of its bold one-column labels fit on a line
    ("年度预算申请(万元)" in a two-character column), taking the width from the other columns in
    proportion, so the table keeps its total width and no one column is squeezed."""
    widths = list(widths)
    for c in range(len(widths)):
        labels = _column_labels(table, c)
        groups = [g for text in labels for g in _GROUP.findall(text)]
        if not groups:
            continue
        # The label lines about as wide as the group fit too: "年度总体" is not left as "年度总" and "体".
        widest = max(map(text_width, groups)) + 1
        lines = [line for text in labels for line in text.split("\n") if text_width(line) <= widest]
        need = max(
            (text_width(t) * _em_px(CELL_SIZE) + CELL_INNER_PX) / DIGIT_PX + 0.3 for t in (*groups, *lines)
        )
        extra = need - widths[c]
        others = sum(w for i, w in enumerate(widths) if i != c)
        if extra <= 0 or others <= 0 or extra > others * 0.1:  # a form's layout gives up a little only
            continue
        widths = [w + extra if i == c else w - extra * w / others for i, w in enumerate(widths)]
    return widths


def _cell_height(text: str, width: float) -> float:
    if _is_figure(text):
        return estimate_row_height("0", width, CELL_SIZE)
    return estimate_row_height(text, width, CELL_SIZE)


def _row_heights(table: OfficialTable, widths: list[float]) -> list[float]:
    """Each row as tall as its tallest single-row cell; a cell merged over several rows then gets what it
    still lacks spread evenly over them."""
    n_rows = len(table.rows)
    heights = [MIN_TABLE_ROW_PT] * n_rows
    spans = table.merge_starts()
    covered = table.covered()
    tall: list[tuple[int, int, float]] = []
    for r, row in enumerate(table.rows):
        for c, text in enumerate(row):
            if (r, c) in covered or not text:
                continue
            m = spans.get((r, c))
            last_row, last_col = (m.last_row, m.last_col) if m else (r, c)
            need = _cell_height(text, _span_width(widths, c, last_col))
            if last_row == r:
                heights[r] = max(heights[r], need)
            else:
                tall.append((r, last_row, need))
    for first, last, need in sorted(tall, key=lambda t: t[1] - t[0]):
        lacking = need - sum(heights[first : last + 1])
        if lacking > 0:
            for r in range(first, last + 1):
                heights[r] += lacking / (last - first + 1)
    return [whole_pixels(h) for h in heights]


def _header_like(table: OfficialTable, r: int) -> bool:
    """A row whose texts are all bold: a block's column headers, kept with the row below."""
    texts = [c for c, text in enumerate(table.rows[r]) if text]
    return bool(texts) and all((r, c) in table.bold_cells for c in texts)


def add_table_sheet(
    wb: Workbook, table: OfficialTable, *, name: str | None = None, form: bool = True
) -> Worksheet:
    """One attachment table on its own sheet: the label (bold) in A1, the title centred and merged over
    the table's width, the grid with its merges and thin borders, the note under it.

    Page breaks are planned so that a merged block (an 一级指标 and its rows) is not torn across pages
    where it fits on one; a merged cell that still spans a break has its text at the top, where the block
    starts, instead of centred on the fold. `form=False` lays a non-form grid (the cover) flush left."""
    ws = wb.create_sheet(_sheet_name(wb, name or table.label or "附表"))
    n_rows = len(table.rows)
    n_cols = max((len(r) for r in table.rows), default=1) or 1
    widths = column_widths(table.widths, n_cols, printable_width_mm(table.landscape))
    if not form:
        widths = _fit_labels(widths, table)
    widths = _fit_groups(widths, table)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    full = _span_width(widths, 0, n_cols - 1)
    sheet_heights: list[float] = []  # from row 1

    row = 0
    if table.label:
        row += 1
        cell = ws.cell(row, 1)
        set_text_safe(cell, table.label)
        cell.font = Font(name=HEITI, size=LABEL_SIZE, bold=True)
        cell.alignment = Alignment(horizontal="left", vertical="center")
        sheet_heights.append(estimate_row_height(table.label, full, LABEL_SIZE))

    row += 1
    title = _break_title(table.title, full, TABLE_TITLE_SIZE)
    cell = ws.cell(row, 1)
    set_text_safe(cell, title)
    cell.font = Font(name=XIAOBIAOSONG, size=TABLE_TITLE_SIZE)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if n_cols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
    sheet_heights.append(whole_pixels(estimate_row_height(title, full, TABLE_TITLE_SIZE) + 6))  # air below
    title_row = row
    top = row + 1  # sheet row of the table's first row

    heights = _row_heights(table, widths)
    sheet_heights += heights
    note_height = whole_pixels(estimate_row_height(table.note, full, CELL_SIZE) + 4) if table.note else 0.0

    # Pages: the label, the title and the table's header rows repeat on every page; the rest flows.
    repeat = min(table.header_rows, n_rows)
    room = printable_height_pt(table.landscape) * PAGE_SLACK - sum(sheet_heights[: title_row + repeat])
    flow = heights[repeat:] + ([note_height] if table.note else [])
    together = [
        (m.first_row - repeat, m.last_row - repeat)
        for m in table.merges
        if m.last_row > m.first_row and m.first_row >= repeat
    ]
    glued = [r - repeat for r in range(repeat + 1, n_rows) if _header_like(table, r - 1)]
    if table.note:
        glued.append(len(flow) - 1)
    # A form only a little taller than a page (附件1: about 10 %) prints on one page, as the paper form
    # does, scaled down a little; a taller one flows onto more pages at full size.
    one_page = sum(flow) <= room * ONE_PAGE_STRETCH
    breaks = [] if one_page else plan_page_breaks(flow, room, together=together, glued=glued)
    starts = [b + repeat for b in breaks]  # table rows that start a page

    spans = table.merge_starts()
    covered = table.covered()
    for r, values in enumerate(table.rows):
        blank = not any(values)  # a spacer row of the cover; a form's empty rows keep their grid
        for c in range(n_cols):
            cell = ws.cell(top + r, c + 1)
            if form or not blank:
                cell.border = BOX  # covered cells too: Excel draws a merged cell's edges from its parts
            if (r, c) in covered:
                continue
            text = values[c] if c < len(values) else ""
            bold = (r, c) in table.bold_cells
            m = spans.get((r, c))
            width = _span_width(widths, c, m.last_col if m else c)
            folded = m is not None and any(m.first_row < s <= m.last_row for s in starts)
            if text:
                set_text_safe(cell, text)
            cell.font = Font(name=SONGTI, size=CELL_SIZE, bold=bold)
            figure = _is_figure(text)
            cell.alignment = Alignment(
                horizontal=_horizontal(text, width, bold, form),
                vertical="top" if folded else "center",
                wrap_text=not figure,
                shrink_to_fit=figure,
            )
    for m in table.merges:
        ws.merge_cells(
            start_row=top + m.first_row,
            start_column=m.first_col + 1,
            end_row=top + m.last_row,
            end_column=m.last_col + 1,
        )
    last_row = top + n_rows - 1

    if table.note:
        last_row += 1
        cell = ws.cell(last_row, 1)
        set_text_safe(cell, table.note)
        cell.font = Font(name=SONGTI, size=CELL_SIZE)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if n_cols > 1:
            ws.merge_cells(start_row=last_row, start_column=1, end_row=last_row, end_column=n_cols)
        sheet_heights.append(note_height)
    for r, height in enumerate(sheet_heights, start=1):
        ws.row_dimensions[r].height = height

    _apply_breaks(ws, top + repeat, breaks)
    _print_setup(ws, landscape=table.landscape, last_row=last_row, last_col=n_cols)
    if one_page:
        ws.page_setup.fitToHeight = 1
    ws.print_title_rows = f"1:{title_row + repeat}"
    _protect(ws)
    return ws


def write_clean_workbook(
    report: Report, tables: list[OfficialTable], out: Path, cover: OfficialTable | None = None
) -> Path:
    """Write 报送说明 (when `cover` is given), 自评报告 and one sheet per table (named by its label) to
    `out` (.xlsx); returns `out`. Raises ReportError (Chinese message) when the file cannot be written."""
    wb = new_workbook(report.title)
    if cover is not None:
        # No "报送说明" caption over a title that already says it.
        add_table_sheet(wb, replace(cover, label=""), name=COVER_SHEET, form=False)
    add_report_sheet(wb, report)
    for table in tables:
        add_table_sheet(wb, table)
    wb.active = 0
    return save_workbook(wb, out)
