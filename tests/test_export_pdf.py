"""The submission package's PDF is the 公文 (issue 13): the Word report as LibreOffice lays it out, then the
attachment tables, numbered throughout, with Chinese line breaking, no near-empty page, fonts embedded.

Real exports of the examples (forced where they still have 错误) through real LibreOffice; read back with
poppler (pdftotext -bbox-layout, pdffonts). They fail, never skip, when those are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from perfeval.core.profile import default_profile
from perfeval.export.package import ExportResult
from perfeval.report.document import Paragraph, Report
from perfeval.report.docx_writer import MARGINS, write_docx
from perfeval.report.pdf import to_pdf
from perfeval.service import export_file
from tests.pdf_pages import NO_LINE_START, SECTION_START, PageText, page_texts, poppler, unembedded_fonts

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {
    "桃江": ROOT / "examples" / "桃江县科协2023.xlsx",  # 部门整体: report, 附件1, 附件2
    "澧县": ROOT / "examples" / "澧县科协2021.xlsx",  # 部门整体 and one project: 附件1–3
    "澧县项目": ROOT / "examples" / "澧县科协2021项目.xlsx",  # projects only: 附件1 is the project table
}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The example's export, made once: forced, as the examples are filed with their errors."""
    made: dict[str, ExportResult] = {}

    def get(name: str) -> ExportResult:
        if name not in made:
            out = tmp_path_factory.mktemp("export")
            made[name] = export_file(
                EXAMPLES[name], default_profile(), out, force=True, reason="测试：原样导出示例"
            )
        return made[name]

    return get


def _file(res: ExportResult, suffix: str) -> Path:
    return next(f for f in res.files if f.suffix == suffix)


@pytest.fixture(scope="module", params=list(EXAMPLES))
def package(request, exports) -> tuple[Path, Path, list[PageText]]:
    """(pdf, docx, pages) of each example's export."""
    res = exports(request.param)
    pdf = _file(res, ".pdf")
    return pdf, _file(res, ".docx"), page_texts(pdf)


def _block(page: PageText) -> tuple[float, float]:
    """Top and bottom of the text block in points: the writer's margins, turned with a landscape page."""
    top, bottom = (
        (MARGINS["left"], MARGINS["right"])
        if page.width > page.height
        else (MARGINS["top"], MARGINS["bottom"])
    )
    return top.pt, page.height - bottom.pt


def _starts_section(page: PageText) -> bool:
    content = page.content()
    return bool(content) and bool(SECTION_START.match(content[0][0]))


def test_every_page_is_numbered_in_order(package) -> None:
    _, _, pages = package
    assert [p.page_number() for p in pages] == list(range(1, len(pages) + 1))


def test_the_report_comes_first_then_each_attachment_on_its_own_pages(package) -> None:
    _, docx, pages = package
    labels = [p.content()[0][0].replace(" ", "") for p in pages if _starts_section(p)]
    tables = len(Document(str(docx)).tables)
    assert labels == [f"附件{n}" for n in range(1, tables + 1)]
    assert not _starts_section(pages[0]) and "自评报告" in "".join(t for t, _, _ in pages[0].content()[:3])
    assert "报送说明" not in poppler("pdftotext", str(package[0]), "-")  # the cover stays in the workbook


def test_no_line_starts_with_closing_punctuation(package) -> None:
    _, _, pages = package
    bad = [
        (n, text) for n, p in enumerate(pages, 1) for text, _, _ in p.content() if text[0] in NO_LINE_START
    ]
    assert bad == []


def test_no_page_is_under_a_quarter_full_but_the_last_of_a_section(package) -> None:
    _, _, pages = package
    for n, page in enumerate(pages, start=1):
        last_of_section = n == len(pages) or _starts_section(pages[n])
        if last_of_section:
            continue
        top, bottom = _block(page)
        lowest = max((line[2] for line in page.content()), default=top)  # a blank page: 0 full
        assert (lowest - top) / (bottom - top) >= 0.25, f"page {n} is nearly empty"


def test_every_font_is_embedded(package) -> None:
    pdf, _, _ = package
    assert unembedded_fonts(pdf) == []
    assert "CJK" in poppler("pdffonts", str(pdf))  # the Chinese text is in a CJK font, not boxes


def test_taojiang_total_row_agrees_with_the_check(exports) -> None:
    """桃江's 附件2 总分: typed 100, computed 110 with weights 110 (等级待定). The printed row showed
    "100 等级：优"; now both totals and the computed grade, in the Word file (so the PDF) and the workbook."""
    res = exports("桃江")
    total = next(r for r in Document(str(_file(res, ".docx"))).tables[1].rows if r.cells[0].text == "总分")
    assert [c.text for c in total.cells[6:]] == ["110", "100\n复核\n110", "等级待定"]
    sheet = load_workbook(_file(res, ".xlsx"))["附件2"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "总分")
    assert [str(v) for v in row[6:] if v not in (None, "")] == ["110", "100\n复核\n110", "等级待定"]
    assert "等级：优" not in poppler("pdftotext", str(_file(res, ".pdf")), "-")


def test_the_line_start_check_can_fail(tmp_path: Path) -> None:
    """The helper above sees what it looks for: a forced break before "。" starts a line with it."""
    docx = write_docx(Report("标题", [Paragraph("body", "正文第一行\n。第二行")]), [], tmp_path / "x.docx")
    pages = page_texts(to_pdf(docx, tmp_path))
    assert [t for t, _, _ in pages[0].content() if t[0] in NO_LINE_START] == ["。第二行"]
    assert pages[0].page_number() == 1


def test_the_attachment_list_does_not_stand_alone_on_a_page(package) -> None:
    """桃江's list once filled a page of its own (3 lines under the last body page): the last paragraph of
    the text now goes over with it."""
    _, _, pages = package
    hits = [
        (n, i)
        for n, p in enumerate(pages)
        for i, (t, _, _) in enumerate(p.content())
        if t.startswith("附件：")
    ]
    assert len(hits) == 1
    n, i = hits[0]
    assert i > 0, f"page {n + 1} starts with the 附件 list"
