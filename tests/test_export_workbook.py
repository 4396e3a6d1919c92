"""The clean workbook for the finance bureau: sheets, the official merged layout, print setup, safety,
the row-height estimate, and its PDF through LibreOffice.

The PDF tests need soffice and poppler-utils (pdfinfo, pdftoppm); they fail, never skip, when those are
missing.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.core.profile import default_profile
from perfeval.export.workbook import (
    COVER_SHEET,
    REPORT_SHEET,
    _fit_groups,
    add_report_sheet,
    add_table_sheet,
    column_widths,
    estimate_row_height,
    new_workbook,
    plan_page_breaks,
    printable_width_mm,
    save_workbook,
    split_paragraph,
    wrapped_line_count,
    write_clean_workbook,
)
from perfeval.narrative.render import render_report
from perfeval.report.document import Merge, OfficialTable, Paragraph, Report
from perfeval.report.errors import ReportError
from perfeval.report.official import official_tables
from perfeval.report.pdf import to_pdf
from perfeval.service import check_file
from tests.pdf_pages import page_count, poppler, read_pgm
from tests.workbooks import taojiang_with_two_projects

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
LIXIAN = ROOT / "examples" / "澧县科协2021.xlsx"
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"

COVER = OfficialTable(
    label="报送说明",
    title="桃江县科学技术协会2023年度部门整体支出绩效自评报送说明",
    rows=[
        ["单位名称", "桃江县科学技术协会", ""],
        ["校验结论", "0 个错误、2 个警告", ""],
        ["", "", ""],
        ["未写审核说明的警告（1 条）", "", ""],
        ["1", "RATE-010 三公经费较上年增长", "请核对上年和本年决算数，确有增长的，请在报告中说明增长原因。"],
    ],
    merges=[Merge(0, 1, 0, 2), Merge(1, 1, 1, 2), Merge(3, 0, 3, 2)],
    header_rows=0,
    widths=[14, 40, 60],
    bold_cells={(0, 0), (1, 0), (3, 0)},
)


@dataclass
class Book:
    report: Report
    tables: list[OfficialTable]
    path: Path


def _book(source: Path, out: Path, cover: OfficialTable | None = COVER) -> Book:
    result = check_file(source, default_profile(), write=False).result
    report, tables = render_report(result), official_tables(result)
    return Book(report, tables, write_clean_workbook(report, tables, out, cover=cover))


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Book]:
    folder = tmp_path_factory.mktemp("clean")
    return {
        "taojiang": _book(TAOJIANG, folder / "桃江.xlsx"),
        "lixian": _book(LIXIAN, folder / "澧县.xlsx"),
        "projects": _book(taojiang_with_two_projects(folder), folder / "projects-clean.xlsx"),
    }


@pytest.fixture(scope="module", params=["taojiang", "lixian", "projects"])
def book(request, books) -> Book:
    return books[request.param]


def _flat(text: object) -> str:
    return str(text or "").replace("\n", "")


def _range(first_row: int, first_col: int, last_row: int, last_col: int) -> tuple[int, int, int, int]:
    return (first_row, first_col, last_row, last_col)


def _merged(ws: Worksheet) -> set[tuple[int, int, int, int]]:
    return {_range(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges}


def _grid_top(ws: Worksheet, table: OfficialTable) -> int:
    """The sheet row of the table's first row: label in A1, the title in the row below."""
    assert ws["A1"].value == table.label
    assert _flat(ws["A2"].value) == table.title
    return 3


# --- sheets and layout ------------------------------------------------------------------------------------


def test_sheet_names_and_order(book: Book) -> None:
    wb = load_workbook(book.path)
    labels = [t.label for t in book.tables]
    assert wb.sheetnames == [COVER_SHEET, REPORT_SHEET, *labels]
    assert labels[:2] == ["附件1", "附件2"]
    assert labels[2:] == [f"附件{n}" for n in range(3, len(labels) + 1)]


def test_projects_book_has_one_sheet_per_project(books: dict[str, Book]) -> None:
    assert load_workbook(books["projects"].path).sheetnames[-2:] == ["附件3", "附件4"]
    assert load_workbook(books["lixian"].path).sheetnames[-1] == "附件3"


def test_no_cover_sheet_without_cover(tmp_path: Path, books: dict[str, Book]) -> None:
    b = books["taojiang"]
    out = write_clean_workbook(b.report, b.tables, tmp_path / "plain.xlsx")
    assert load_workbook(out).sheetnames == [REPORT_SHEET, "附件1", "附件2"]


def test_every_merge_at_its_offset_and_nothing_else(book: Book) -> None:
    wb = load_workbook(book.path)
    for table in book.tables:
        ws = wb[table.label]
        top = _grid_top(ws, table)
        width = len(table.rows[0])
        expected = {
            _range(top + m.first_row, m.first_col + 1, top + m.last_row, m.last_col + 1) for m in table.merges
        }
        expected.add(_range(2, 1, 2, width))  # the title over the table's width
        if table.note:
            note_row = top + len(table.rows)
            assert _flat(ws.cell(note_row, 1).value) == table.note.replace("\n", "")
            expected.add(_range(note_row, 1, note_row, width))  # the note line, wrapped over the width
        assert _merged(ws) == expected, table.label


def test_cells_hold_the_grid_text(book: Book) -> None:
    wb = load_workbook(book.path)
    for table in book.tables:
        ws = wb[table.label]
        top = _grid_top(ws, table)
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row):
                assert (ws.cell(top + r, c + 1).value or "") == text, (table.label, r, c)


def test_borders_bold_and_wrap(book: Book) -> None:
    wb = load_workbook(book.path)
    for table in book.tables:
        ws = wb[table.label]
        top = _grid_top(ws, table)
        assert ws["A1"].font.b
        assert ws["A2"].alignment.horizontal == "center"
        owner = {
            (r, c): m
            for m in table.merges
            for r in range(m.first_row, m.last_row + 1)
            for c in range(m.first_col, m.last_col + 1)
        }
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row):
                cell = ws.cell(top + r, c + 1)
                m = owner.get((r, c), Merge(r, c, r, c))
                # Every cell's sides on the outline of its (merged) cell: Excel draws a merge from them.
                outline = {
                    "left": c == m.first_col,
                    "right": c == m.last_col,
                    "top": r == m.first_row,
                    "bottom": r == m.last_row,
                }
                for side, edge in outline.items():
                    if edge:
                        assert getattr(cell.border, side).style == "thin", (
                            table.label,
                            cell.coordinate,
                            side,
                        )
                if text:
                    assert bool(cell.font.b) == ((r, c) in table.bold_cells), (table.label, cell.coordinate)
                    assert cell.alignment.wrap_text or cell.alignment.shrink_to_fit


def test_column_widths_follow_the_relative_widths(book: Book) -> None:
    wb = load_workbook(book.path)
    for table in book.tables:
        ws = wb[table.label]
        widths = [ws.column_dimensions[chr(65 + c)].width for c in range(len(table.widths))]
        # In proportion, but for a narrow label column widened for its "(万元)" (taken from all the others).
        planned = column_widths(table.widths, len(table.widths), printable_width_mm(table.landscape))
        assert widths == pytest.approx(_fit_groups(planned, table), rel=0.01)
        ratios = [w / p for w, p in zip(widths, planned, strict=True)]
        assert sum(1 for r in ratios if r > 1.01) <= 1 and all(r > 0.9 for r in ratios)
        # Pixels at 96 dpi: a digit of Arial 11 is 8 px in Excel, 8.14 px in LibreOffice.
        excel_mm, libreoffice_mm = (sum(widths) * digit * 25.4 / 96 for digit in (8, 8.14))
        assert 150 <= excel_mm < libreoffice_mm <= 156  # the A4 portrait text block: 210 - 28 - 26 mm


def test_titles_and_headers_as_in_seed(books: dict[str, Book]) -> None:
    wb = load_workbook(books["taojiang"].path)
    basic, unit = wb["附件1"], wb["附件2"]
    assert _flat(basic["A2"].value) == "桃江县科学技术协会2023年度部门整体支出绩效评价基础数据表"
    assert _flat(unit["A2"].value) == "桃江县2023年度部门整体支出绩效自评表"

    def texts(ws: Worksheet) -> set[str]:
        return {_flat(c.value) for row in ws.iter_rows() for c in row if c.value}

    for header in ("编制数", "2023年实际在职人数", "控制率", "2022年决算数", "2023年预算数", "2023年决算数"):
        assert header in texts(basic)
    for header in (
        "县级预算部门、单位名称",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "自评得分",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "总分",
    ):
        assert header in texts(unit), header


def test_key_values_of_unit_table(books: dict[str, Book]) -> None:
    ws = load_workbook(books["taojiang"].path)["附件2"]
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "年度资金总额"]
    assert [ws.cell(row, c).value for c in range(4, 10)] == [
        "158.43",
        "266.32",
        "266.32",
        "10",
        "100.00%",
        "10",
    ]
    assert all(ws.cell(row, c).data_type == "s" for c in range(4, 10))  # formatted text, as printed


def test_report_sheet(books: dict[str, Book]) -> None:
    b = books["taojiang"]
    ws = load_workbook(b.path)[REPORT_SHEET]
    assert ws.max_column == 1
    title = ws["A1"]
    assert title.value == b.report.title
    assert title.alignment.horizontal == "center" and title.font.sz >= 18
    text = "".join(str(c.value or "") for (c,) in ws.iter_rows())
    for para in b.report.paragraphs:  # every paragraph, in order, indented or split over rows
        assert para.text.replace("\n", "") in text.replace("\u3000", "")
    heading = next(c for (c,) in ws.iter_rows() if c.value and c.value.strip("\u3000") == "一、部门概况")
    assert heading.font.b
    body = next(c for (c,) in ws.iter_rows() if c.value and "主要职责" in c.value)
    assert body.alignment.wrap_text and 12 <= body.font.sz <= 14
    assert ws.column_dimensions["A"].width > 60  # one column as wide as the text block
    for (cell,) in ws.iter_rows():
        if cell.value:  # every row tall enough for its text
            assert ws.row_dimensions[cell.row].height >= estimate_row_height(
                cell.value, ws.column_dimensions["A"].width, cell.font.sz
            )
            assert ws.row_dimensions[cell.row].height <= 409


def test_table_rows_tall_enough(book: Book) -> None:
    wb = load_workbook(book.path)
    for table in book.tables:
        ws = wb[table.label]
        top = _grid_top(ws, table)
        widths = [ws.column_dimensions[chr(65 + c)].width for c in range(len(table.rows[0]))]
        heights = [ws.row_dimensions[top + r].height for r in range(len(table.rows))]
        spans = {(m.first_row, m.first_col): m for m in table.merges}
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row):
                m = spans.get((r, c))
                if not text or ws.cell(top + r, c + 1).alignment.shrink_to_fit:
                    continue
                last_row, last_col = (m.last_row, m.last_col) if m else (r, c)
                width = sum(widths[c : last_col + 1])
                assert sum(heights[r : last_row + 1]) >= estimate_row_height(text, width), (table.label, r, c)


# --- print setup and safety -------------------------------------------------------------------------------


def test_print_setup(book: Book) -> None:
    wb = load_workbook(book.path)
    landscape = {t.label: t.landscape for t in book.tables}
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize) == 9  # A4
        assert setup.orientation == ("landscape" if landscape.get(ws.title) else "portrait")
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth == 1 and setup.fitToHeight in (0, 1)
        if setup.fitToHeight == 1:  # a form a little over a page is scaled onto one, with no breaks
            assert not ws.row_breaks.brk, ws.title
        assert ws.print_options.horizontalCentered
        assert ws.print_area, ws.title
        assert ws.page_margins.left == pytest.approx(28 / 25.4)
        assert ws.page_margins.top == pytest.approx(37 / 25.4)
    for table in book.tables:
        ws = wb[table.label]
        assert ws.print_area == f"'{table.label}'!$A$1:${chr(64 + len(table.rows[0]))}${ws.max_row}"
        # The label, the title and the table's header rows on every page.
        assert ws.print_title_rows == f"$1:${2 + table.header_rows}"


def test_no_fills_no_comments_no_formulas_protected(book: Book) -> None:
    wb = load_workbook(book.path)
    assert wb.properties.creator == "perfeval"
    assert wb.properties.title == book.report.title
    for ws in wb.worksheets:
        assert ws.protection.sheet
        assert not ws.protection.password
        assert not ws.protection.formatColumns and not ws.protection.formatRows  # widening allowed
        for row in ws.iter_rows():
            for cell in row:
                fill = cell.fill
                assert fill.fill_type is None or (
                    fill.fill_type == "solid" and fill.fgColor.rgb in ("FFFFFFFF", "00FFFFFF")
                ), (ws.title, cell.coordinate)
                assert cell.comment is None
                assert cell.data_type != "f"
    with zipfile.ZipFile(book.path) as z:
        names = z.namelist()
    assert not [n for n in names if "vba" in n.lower() or "comments" in n.lower() or "drawing" in n.lower()]


def test_text_starting_with_equals_stays_text(tmp_path: Path) -> None:
    table = OfficialTable(
        label="附件1",
        title="测试表",
        rows=[["项目", "金额"], ["=1+1", "=SUM(A1:A2)"]],
        widths=[1, 1],
        bold_cells={(0, 0), (0, 1)},
    )
    report = Report('=HYPERLINK("x")', [Paragraph("body", "=1+1")])
    out = write_clean_workbook(report, [table], tmp_path / "eq.xlsx")
    wb = load_workbook(out)
    cell = wb["附件1"]["A4"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    assert wb["附件1"]["B4"].value == "=SUM(A1:A2)"
    assert wb[REPORT_SHEET]["A1"].value == '=HYPERLINK("x")'
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_cover_sheet_layout(books: dict[str, Book]) -> None:
    ws = load_workbook(books["taojiang"].path)[COVER_SHEET]
    assert _flat(ws["A1"].value) == COVER.title  # no caption over a title that says it already
    assert _merged(ws) == {(1, 1, 1, 3), (2, 2, 2, 3), (3, 2, 3, 3), (5, 1, 5, 3)}
    assert ws["B2"].alignment.horizontal == "left"
    assert ws.page_setup.orientation == "portrait"
    # "单位名称" on one line: the narrow label column is widened for it.
    assert wrapped_line_count("单位名称", ws.column_dimensions["A"].width) == 1
    assert ws.cell(4, 1).border.left.style is None  # the spacer row has no grid


def test_save_replaces_atomically_and_reports_failure(tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    out.write_bytes(b"old")
    table = OfficialTable("附件1", "表", [["a"]], widths=[1])
    write_clean_workbook(Report("报告", []), [table], out)
    assert load_workbook(out).sheetnames == [REPORT_SHEET, "附件1"]
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no temporary file left
    blocked = tmp_path / "dir.xlsx"
    blocked.mkdir()
    with pytest.raises(ReportError, match="无法写入"):
        write_clean_workbook(Report("报告", []), [table], blocked)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "dir.xlsx"]


# --- the row-height estimate and the planned page breaks ----------------------------------------------------


def test_cjk_counts_double() -> None:
    # The measure itself is tested in tests/test_textwidth.py.
    # 40 CJK characters need twice the lines of 20 in the same column, and more than 40 digits.
    assert wrapped_line_count("中" * 40, 20) == 2 * wrapped_line_count("中" * 20, 20)
    assert wrapped_line_count("中" * 40, 20) > wrapped_line_count("1 " * 20, 20)


def test_long_paragraph_in_narrow_column_gets_more_height() -> None:
    long_text = "积极履行职责职能，强化内部管理，较好的完成了年初制定的工作目标。" * 4
    assert estimate_row_height(long_text, 10) > estimate_row_height(long_text, 40)
    assert estimate_row_height(long_text, 20) > estimate_row_height("年度资金总额", 20)
    assert estimate_row_height("短", 20, 14) > estimate_row_height("短", 20, 10.5)  # larger font
    assert estimate_row_height("第一行\n第二行", 40) > estimate_row_height("第一行第二行", 40)  # line breaks
    assert estimate_row_height("字" * 2000, 5) == 409  # Excel's maximum


def test_split_paragraph_keeps_the_text_and_fits() -> None:
    text = "完善桃江籍人才专家库，补充完善了160多名院士专家名录。" * 12
    chunks = split_paragraph(text, 60, 14, 4)
    assert "".join(chunks) == text and len(chunks) > 1
    assert all(wrapped_line_count(c, 60, 14) <= 4 for c in chunks)
    assert all(c.endswith("。") for c in chunks)  # at sentence ends
    assert split_paragraph("短句。", 60, 14, 4) == ["短句。"]


def test_plan_page_breaks_keeps_blocks_together() -> None:
    heights = [100.0] * 10
    assert plan_page_breaks(heights, 350) == [3, 6, 9]
    assert plan_page_breaks(heights, 350, together=[(2, 4)]) == [2, 5, 8]  # rows 2-4 on one page
    assert plan_page_breaks(heights, 350, glued=[3]) == [2, 5, 8]  # row 3 kept under row 2
    assert plan_page_breaks(heights, 350, together=[(0, 9)]) == [3, 6, 9]  # too big: broken anyway


# --- PDF through LibreOffice ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def taojiang_pdf(books: dict[str, Book], tmp_path_factory) -> Path:
    b = books["taojiang"]
    folder = tmp_path_factory.mktemp("pdf")
    book = write_clean_workbook(b.report, b.tables, folder / "桃江县科协2023.xlsx")  # as printed: no cover
    return to_pdf(book, folder)


def test_pdf_pages_are_not_blank(taojiang_pdf: Path, tmp_path: Path) -> None:
    count = page_count(taojiang_pdf)
    assert count > 0
    poppler("pdftoppm", "-r", "40", "-gray", str(taojiang_pdf), str(tmp_path / "p"))
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert len(pages) == count
    for page in pages:
        width, height, pixels = read_pgm(page)
        inked = sum(1 for value in pixels if value < 160)
        assert inked > width * height // 500, f"{page.name} is blank"


def test_pdf_page_count_is_the_sum_of_its_sheets(
    taojiang_pdf: Path, books: dict[str, Book], tmp_path: Path
) -> None:
    """Each sheet converted alone gives its pages; the whole book must have exactly their sum (no stray
    page from a print area or a row too tall for the page)."""
    b = books["taojiang"]
    parts = []
    singles = [("report", lambda wb: add_report_sheet(wb, b.report))]
    singles += [(t.label, lambda wb, t=t: add_table_sheet(wb, t)) for t in b.tables]
    for name, add in singles:
        wb = new_workbook(b.report.title)
        add(wb)
        parts.append(page_count(to_pdf(save_workbook(wb, tmp_path / f"{name}.xlsx"), tmp_path)))
    assert all(p >= 1 for p in parts)
    assert page_count(taojiang_pdf) == sum(parts)


def test_basic_data_table_prints_on_one_page_like_the_paper_form(book: Book) -> None:
    wb = load_workbook(book.path)
    assert wb["附件1"].page_setup.fitToHeight == 1
    if book.path.stem == "桃江":
        assert wb["附件2"].page_setup.fitToHeight == 0  # three pages of indicators flow at full size


def test_a_bracketed_unit_in_a_narrow_label_column_stays_on_one_line(book: Book) -> None:
    """附件2's "年度预算申请(万元)" printed "(万元" over a lone ")": its column is widened for the group."""
    wb = load_workbook(book.path)
    seen = 0
    for table in book.tables:
        ws = wb[table.label]
        for row in ws.iter_rows(min_row=3):
            for c in row:
                if not (isinstance(c.value, str) and c.font.b) or c.coordinate in ws.merged_cells:
                    continue
                width = ws.column_dimensions[c.column_letter].width
                for group in re.findall(r"[（(][^（()）\n]{1,6}[）)]", c.value):
                    seen += 1
                    assert wrapped_line_count(group, width) == 1, (ws.title, c.coordinate, c.value)
                    assert c.alignment.horizontal == "center", (ws.title, c.coordinate)
    if book.path.name != "projects-clean.xlsx":
        assert seen  # the 部门整体 forms have "(万元)" labels


def test_widening_for_a_group_keeps_the_table_width() -> None:
    table = OfficialTable(
        label="",
        title="表",
        rows=[["年度预算申请\n(万元)", "甲", "乙"]],
        widths=[1, 10, 10],
        bold_cells={(0, 0)},
    )
    before = column_widths(table.widths, 3, printable_width_mm(False))
    after = _fit_groups(before, table)
    assert after[0] > before[0] and wrapped_line_count("(万元)", after[0]) == 1
    assert sum(after) == pytest.approx(sum(before))
