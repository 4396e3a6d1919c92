"""The Word report (GB/T 9704 habits) and its PDF through LibreOffice.

The PDF tests need soffice and poppler-utils (pdfinfo, pdftoppm, pdffonts, pdftotext); they fail, never
skip, when those are missing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from perfeval.core.profile import default_profile
from perfeval.report import pdf as pdf_module
from perfeval.report.document import Merge, OfficialTable, Paragraph, Report
from perfeval.report.docx_writer import STYLE_NAMES, write_docx
from perfeval.report.errors import ReportError
from perfeval.report.official import official_tables
from perfeval.report.pdf import font_substitutions, to_pdf
from perfeval.service import check_file
from tests.pdf_pages import ink, page_count, poppler, read_pgm

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"

# Short enough for one page: 3 title lines + a blank line + 14 text lines + attachments < 22 lines.
REPORT = Report(
    "2023年部门整体绩效自评报告",
    [
        Paragraph("subtitle", "桃江县科学技术协会"),
        Paragraph("subtitle", "2024年4月15日"),
        Paragraph("heading1", "一、部门概况"),
        Paragraph("heading2", "（一）单位基本情况"),
        Paragraph("body", "桃江县科学技术协会属行政单位，共有编制人数7人，实有人数7人。内设股室2个。"),
        Paragraph("heading2", "（二）部门整体支出情况"),
        Paragraph(
            "body", "2023年，县财政批复年初预算158.43万元，全年预算调整为266.32万元，全年执行266.32万元。"
        ),
        Paragraph("heading1", "二、部门整体支出绩效评价"),
        Paragraph("body", "较好地完成了年初制定的工作目标。"),
        Paragraph("attachment", "附件：1．桃江县科学技术协会2023年度部门整体支出绩效评价基础数据表"),
        Paragraph("attachment", "2．桃江县2023年度部门整体支出绩效自评表"),
    ],
)
TEXT_PAGES = 1


@pytest.fixture(scope="module")
def tables() -> list[OfficialTable]:
    return official_tables(check_file(TAOJIANG, default_profile(), write=False).result)


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory, tables) -> Path:
    return write_docx(REPORT, tables, tmp_path_factory.mktemp("docx") / "桃江县科协2023自评报告.docx")


@pytest.fixture(scope="module")
def pdf_path(docx_path: Path, tmp_path_factory) -> Path:
    return to_pdf(docx_path, tmp_path_factory.mktemp("pdf"))


# --- Word ---------------------------------------------------------------------------------------------


def _rfonts(style) -> dict[str, str]:
    fonts = style.element.rPr.rFonts
    return {k.split("}")[1]: v for k, v in fonts.attrib.items()}


def _style_of(doc, text: str):
    for p in doc.paragraphs:
        if p.text == text:
            return p.style
    raise AssertionError(f"no paragraph {text!r}")


def test_page_setup_and_sections(docx_path: Path, tables: list[OfficialTable]) -> None:
    doc = Document(str(docx_path))
    assert len(doc.sections) == 1 + len(tables)  # the text, then one section per table
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
        assert abs(section.top_margin - Mm(37)) < Mm(0.1)
        assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
        assert abs(section.left_margin - Mm(28)) < Mm(0.1)
        assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    for section in doc.sections[1:]:
        assert section.start_type == 2  # WD_SECTION.NEW_PAGE


@pytest.mark.parametrize(
    ("kind", "east_asia", "size", "align"),
    [
        ("title", "方正小标宋简体", 22, 1),
        ("subtitle", "楷体_GB2312", 16, 1),
        ("heading1", "黑体", 16, 3),
        ("heading2", "楷体_GB2312", 16, 3),
        ("body", "仿宋_GB2312", 16, 3),
    ],
)
def test_text_styles(docx_path: Path, kind: str, east_asia: str, size: int, align: int) -> None:
    doc = Document(str(docx_path))
    texts = {"title": REPORT.title} | {p.kind: p.text for p in REPORT.paragraphs[::-1]}
    style = _style_of(doc, texts[kind])
    assert style.name == STYLE_NAMES[kind]
    fonts = _rfonts(style)
    assert fonts["eastAsia"] == east_asia  # python-docx's font.name would not set this one
    assert not any(k.endswith("Theme") or k == "cstheme" for k in fonts)
    assert style.font.size == Pt(size)
    assert int(style.paragraph_format.alignment) == align  # 1 centre, 3 justify
    if kind != "title":
        assert style.paragraph_format.line_spacing == Pt(28)
        assert style.paragraph_format.line_spacing_rule == 4  # EXACTLY
    if kind in ("heading1", "heading2", "body"):
        ind = style.element.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == "200"  # two characters
        assert ind.get(qn("w:firstLine")) == "640"


def test_runs_carry_no_font_overrides(docx_path: Path) -> None:
    """Text takes its fonts from the styles, so a user restyling in Word changes everything at once."""
    doc = Document(str(docx_path))
    for p in doc.paragraphs:
        for run in p.runs:
            assert run._r.rPr is None or run._r.rPr.rFonts is None


def test_attachment_tables_with_merges_and_header_rows(docx_path: Path, tables: list[OfficialTable]) -> None:
    doc = Document(str(docx_path))
    assert len(doc.tables) == len(tables)
    labels = [p.text for p in doc.paragraphs if p.style.name == STYLE_NAMES["label"]]
    assert labels == ["附件1", "附件2"]
    heads = [p.text for p in doc.paragraphs if p.style.name == STYLE_NAMES["table_title"]]
    assert heads[1] == "桃江县2023年度部门整体支出绩效自评表"
    assert heads[0].replace("\n", "") == tables[0].title

    for table, spec in zip(doc.tables, tables, strict=True):
        tbl = table._tbl
        assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        borders = tbl.tblPr.find(qn("w:tblBorders"))
        assert {b.tag.split("}")[1] for b in borders} == {
            "top",
            "left",
            "bottom",
            "right",
            "insideH",
            "insideV",
        }
        assert all(b.get(qn("w:val")) == "single" for b in borders)
        assert len(tbl.tblGrid.gridCol_lst) == len(spec.rows[0])
        rows = tbl.tr_lst
        assert len(rows) == len(spec.rows)
        repeat = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in rows]
        assert repeat == [i < spec.header_rows for i in range(len(rows))]
        _assert_merges(rows, spec.merges, len(spec.rows[0]))


def _assert_merges(rows, merges: list[Merge], width: int) -> None:
    """Every merge is a gridSpan (horizontal) and a vMerge restart/continue run (vertical) in the XML."""
    grid: dict[tuple[int, int], object] = {}
    for r, tr in enumerate(rows):
        col = 0
        for tc in tr.tc_lst:
            grid[(r, col)] = tc
            col += tc.grid_span
        assert col == width
    for m in merges:
        for r in range(m.first_row, m.last_row + 1):
            tc = grid[(r, m.first_col)]
            assert tc.grid_span == m.last_col - m.first_col + 1, m
            vmerge = tc.tcPr.find(qn("w:vMerge"))
            if m.first_row == m.last_row:
                assert vmerge is None, m
            elif r == m.first_row:
                assert vmerge.get(qn("w:val")) == "restart", m
            else:
                assert vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue"), m


def test_indicator_cell_spans_all_indicator_rows_in_word(docx_path: Path, tables) -> None:
    spec = tables[1]
    head = next(i for i, r in enumerate(spec.rows) if r[0] == "绩\n效\n指\n标")
    rows = Document(str(docx_path)).tables[1]._tbl.tr_lst
    first_tcs = [tr.tc_lst[0] for tr in rows[head : len(rows) - 1]]
    assert first_tcs[0].tcPr.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    assert all(tc.tcPr.find(qn("w:vMerge")) is not None for tc in first_tcs[1:])
    assert len(first_tcs) == 12  # header + the 11 indicators of seed 000
    assert rows[-1].tc_lst[0].tcPr.find(qn("w:vMerge")) is None  # 总分 starts a new cell


def test_page_numbers_odd_right_even_left(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    assert doc.settings.odd_and_even_pages_header_footer
    first = doc.sections[0]
    for footer, align in ((first.footer, 2), (first.even_page_footer, 0)):  # right, left
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text or "" for t in p._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert int(p.alignment) == align
        assert _rfonts(p.style)["eastAsia"] == "宋体"
        assert p.style.font.size == Pt(14)  # 四号
    for section in doc.sections[1:]:
        assert section.footer.is_linked_to_previous  # numbering runs on through the attachments


def test_section_breaks_sit_in_real_paragraphs(docx_path: Path) -> None:
    """No empty paragraph carries a break: such a paragraph spills onto an empty page after a full one."""
    body = Document(str(docx_path)).element.body
    breaks = [p for p in body.iter(qn("w:p")) if p.find(qn("w:pPr")) is not None and p.pPr.sectPr is not None]
    assert len(breaks) == 2
    assert all("".join(t.text for t in p.iter(qn("w:t"))) for p in breaks)


def test_landscape_table_gets_a_landscape_section(tmp_path: Path) -> None:
    wide = OfficialTable("附件3", "宽表", [["甲", "乙"], ["1", "2"]], widths=[1, 1], landscape=True, note="")
    doc = Document(str(write_docx(Report("标题", [Paragraph("body", "正文")]), [wide], tmp_path / "w.docx")))
    last = doc.sections[-1]
    assert last.page_width > last.page_height
    assert int(last.orientation) == 1
    assert doc.sections[0].page_width < doc.sections[0].page_height


def test_unwritable_output_is_a_report_error(tmp_path: Path, tables) -> None:
    with pytest.raises(ReportError, match="无法写入"):
        write_docx(REPORT, tables, tmp_path)  # a folder, not a file


# --- PDF through LibreOffice ------------------------------------------------------------------------------


def _render(pdf: Path, out: Path) -> list[Path]:
    out.mkdir()
    poppler("pdftoppm", "-r", "50", "-gray", str(pdf), str(out / "p"))
    return sorted(out.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))


def test_pdf_page_count_is_text_plus_tables(pdf_path: Path, tables, tmp_path: Path) -> None:
    """Text pages + each table's own pages: converting every table alone gives the parts, so an empty
    page between sections (or after the last table) would show as a surplus."""
    parts = []
    for i, table in enumerate(tables):
        alone = write_docx(Report("", []), [table], tmp_path / f"t{i}.docx")
        parts.append(page_count(to_pdf(alone, tmp_path)))
    assert parts[0] == 1  # 附件1 is a one-page form
    assert 2 <= parts[1] <= 3  # 附件2: 11 indicators with long texts at 五号
    assert page_count(pdf_path) == TEXT_PAGES + sum(parts)


def test_pdf_pages_are_not_blank_and_numbered(pdf_path: Path, tmp_path: Path) -> None:
    pages = _render(pdf_path, tmp_path / "png")
    assert len(pages) == page_count(pdf_path)
    for n, page in enumerate(pages, start=1):
        width, height, pixels = read_pgm(page)
        inked = ink(width, pixels, range(height), range(width))
        assert inked > 0.01 * width * height, f"page {n} is (nearly) blank"
        # "— n —" below the text block (35 mm bottom margin): odd pages right, even pages left.
        band = range(int(height * 0.895), int(height * 0.95))
        left = ink(width, pixels, band, range(width // 2))
        right = ink(width, pixels, band, range(width // 2, width))
        assert (right > 0 and left == 0) if n % 2 else (left > 0 and right == 0), f"page number on page {n}"


def test_pdf_has_real_cjk_text(pdf_path: Path) -> None:
    fonts = poppler("pdffonts", str(pdf_path))
    assert "CJK" in fonts  # a CJK font was embedded (not boxes from a Latin font)
    text = poppler("pdftotext", "-layout", str(pdf_path), "-")
    for needle in ("部门整体绩效自评报告", "部门整体支出绩效自评表", "158.43", "100.00%", "填表人：刘自平"):
        assert needle in text, needle


def test_font_substitutions_only_for_missing_fonts() -> None:
    installed = {"Noto Serif CJK SC", "Noto Sans CJK SC", "楷体"}
    subs = font_substitutions(installed)
    assert subs["仿宋_GB2312"] == "Noto Serif CJK SC"
    assert subs["黑体"] == "Noto Sans CJK SC"
    assert subs["楷体_GB2312"] == "楷体"
    assert "仿宋_GB2312" not in font_substitutions(installed | {"仿宋_GB2312"})
    assert font_substitutions(None) == {}


def _fake_soffice(folder: Path, script: str) -> None:
    folder.mkdir()
    exe = folder / "soffice"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)


def test_missing_libreoffice_is_a_report_error(tmp_path: Path, docx_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf_module, "_INSTALL_PATHS", ())
    with pytest.raises(ReportError, match="未找到 LibreOffice"):
        to_pdf(docx_path, tmp_path)


def test_failed_conversion_is_a_report_error(tmp_path: Path, docx_path: Path, monkeypatch) -> None:
    _fake_soffice(tmp_path / "bin", "echo 'Error: source file could not be loaded' >&2; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    with pytest.raises(ReportError, match=r"未能把 .* 转换为 PDF.*source file could not be loaded"):
        to_pdf(docx_path, tmp_path / "out")
    assert not (tmp_path / "out" / f"{docx_path.stem}.pdf").exists()


def test_conversion_timeout_is_a_report_error(tmp_path: Path, docx_path: Path, monkeypatch) -> None:
    _fake_soffice(tmp_path / "bin", "sleep 30")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    with pytest.raises(ReportError, match="超过 1 秒"):
        to_pdf(docx_path, tmp_path / "out", timeout=1)


def test_missing_input_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="不存在"):
        to_pdf(tmp_path / "nope.docx", tmp_path)


def test_chinese_line_breaking_is_in_the_file(docx_path: Path) -> None:
    """Word's East Asian typography written out (issue 13), so LibreOffice and a non-Chinese Word break
    lines as a Chinese Word does: no line starts with 。，、；：”）, none ends with “（."""
    doc = Document(str(docx_path))
    ppr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for name in ("kinsoku", "overflowPunct", "autoSpaceDE", "autoSpaceDN"):
        assert ppr.find(qn(f"w:{name}")).get(qn("w:val")) == "1", name
    settings = doc.settings.element
    tags = [child.tag.split("}")[1] for child in settings]
    # Word refuses a settings part out of schema order.
    at = tags.index("characterSpacingControl")
    assert tags[at + 1 : at + 3] == ["noLineBreaksAfter", "noLineBreaksBefore"]
    before = settings.find(qn("w:noLineBreaksBefore"))
    after = settings.find(qn("w:noLineBreaksAfter"))
    assert before.get(qn("w:lang")) == after.get(qn("w:lang")) == "zh-CN"
    assert set("。，、；：”）") <= set(before.get(qn("w:val")))
    assert set("“（《") <= set(after.get(qn("w:val")))
    assert settings.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
