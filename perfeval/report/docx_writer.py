"""Write the 自评报告 and its attachment tables as a Word file in the habits of GB/T 9704 公文.

A4; margins top 37, bottom 35, left 28, right 26 mm; 方正小标宋简体 二号 title; 仿宋_GB2312 三号 body with a
fixed 28 pt line (22 lines a page) and a 2-character first-line indent; 黑体 / 楷体_GB2312 headings;
"— 1 —" page numbers in 宋体 四号, odd pages right and even pages left, one character in from the edge.
Each attachment table starts a new section (landscape where the table asks for it): "附件N" label, title,
a bordered table with its merges and repeating header rows, then its note line. Chinese line breaking
(no line starts with 。，、；：”）) is Word's own East Asian typography, written into the file's settings.

Everything is python-docx plus a little raw WordprocessingML where python-docx has no API (East Asian
fonts, char-based indents, table grid and header rows, page fields).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph

from perfeval.report.document import OfficialTable, Report
from perfeval.report.errors import ReportError
from perfeval.textwidth import text_width

__all__ = ["STYLES", "STYLE_NAMES", "set_east_asian_font", "write_docx"]

# Font family names as a Chinese Word installation spells them. Word on a government PC has them; where
# they are missing, pdf.to_pdf gives LibreOffice a replacement table (see pdf.FONT_FALLBACKS).
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
LATIN = "Times New Roman"

# Chinese type sizes (号) in points.
ER_HAO, XIAO_ER, SAN_HAO, SI_HAO, WU_HAO = 22, 18, 16, 14, 10.5

A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
FOOTER_DISTANCE = Mm(23)  # the page number sits about 7 mm below the text block
LINE = Pt(28)
TABLE_LINE = Pt(15)
CELL_MARGIN = Mm(0.8)
ROW_HEIGHT = Mm(6)  # at least: single-line rows get some air, as on the printed forms


@dataclass(frozen=True)
class _StyleSpec:
    style_id: str
    name: str  # shown in Word's style gallery
    east_asia: str
    size: float
    align: WD_ALIGN_PARAGRAPH
    indent_chars: int = 0  # first-line indent in characters
    line: Pt | None = LINE  # exact line height; None: single
    outline: int | None = None  # navigation-pane level for headings
    latin: str = LATIN


STYLES = {
    "title": _StyleSpec("GwTitle", "公文标题", XIAOBIAOSONG, ER_HAO, WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35)),
    "subtitle": _StyleSpec("GwSubtitle", "公文副标题", KAITI, SAN_HAO, WD_ALIGN_PARAGRAPH.CENTER),
    "heading1": _StyleSpec(
        "GwHeading1", "公文一级标题", HEITI, SAN_HAO, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, outline=0
    ),
    "heading2": _StyleSpec(
        "GwHeading2", "公文二级标题", KAITI, SAN_HAO, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, outline=1
    ),
    # "1．…": 仿宋 like the text, but a heading all the same (never the last line of a page)
    "heading3": _StyleSpec(
        "GwHeading3", "公文三级标题", FANGSONG, SAN_HAO, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, outline=2
    ),
    "body": _StyleSpec("GwBody", "公文正文", FANGSONG, SAN_HAO, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "attachment": _StyleSpec("GwAttachment", "附件说明", FANGSONG, SAN_HAO, WD_ALIGN_PARAGRAPH.LEFT),
    "label": _StyleSpec("GwAttachLabel", "附件标注", HEITI, SAN_HAO, WD_ALIGN_PARAGRAPH.LEFT),
    "table_title": _StyleSpec(
        "GwTableTitle", "附表标题", XIAOBIAOSONG, XIAO_ER, WD_ALIGN_PARAGRAPH.CENTER, line=Pt(30)
    ),
    "cell": _StyleSpec("GwCell", "表格文字", FANGSONG, WU_HAO, WD_ALIGN_PARAGRAPH.CENTER, line=TABLE_LINE),
    # GB2312 fonts have no bold face: Chinese forms set their headers in 黑体 instead.
    "cell_head": _StyleSpec(
        "GwCellHead", "表格表头", HEITI, WU_HAO, WD_ALIGN_PARAGRAPH.CENTER, line=TABLE_LINE
    ),
    "note": _StyleSpec("GwTableNote", "表注", FANGSONG, WU_HAO, WD_ALIGN_PARAGRAPH.LEFT, line=Pt(18)),
    "footer": _StyleSpec(
        "GwPageNumber", "公文页码", SONGTI, SI_HAO, WD_ALIGN_PARAGRAPH.RIGHT, line=None, latin=SONGTI
    ),
}
STYLE_NAMES = {kind: spec.name for kind, spec in STYLES.items()}


# --- fonts and styles --------------------------------------------------------------------------------------


def set_east_asian_font(element, east_asia: str, latin: str | None = None) -> None:
    """Set the fonts on a run's or style's rPr, including w:eastAsia.

    python-docx's `font.name` writes only w:ascii/w:hAnsi, which Word uses for Latin text: Chinese text
    would stay in the theme's East Asian font (等线/宋体) without w:eastAsia. Theme attributes are removed
    because Word lets them win over the explicit names."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin or east_asia)
    fonts.set(qn("w:hAnsi"), latin or east_asia)
    fonts.set(qn("w:cs"), latin or east_asia)


def _set_indent_chars(
    ppr, *, first_line: int = 0, left: int = 0, hanging: int = 0, size: float = SAN_HAO
) -> None:
    """Indents in characters (w:firstLineChars, in 1/100 char) with the twips equivalent beside them,
    so Word keeps "2 characters" when the font size changes and other readers get the same width."""
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    twips_per_char = int(size * 20)
    if first_line:
        ind.set(qn("w:firstLineChars"), str(first_line * 100))
        ind.set(qn("w:firstLine"), str(first_line * twips_per_char))
    if left:
        ind.set(qn("w:leftChars"), str(left * 100))
        ind.set(qn("w:left"), str(left * twips_per_char))
    if hanging:
        ind.set(qn("w:hangingChars"), str(hanging * 100))
        ind.set(qn("w:hanging"), str(hanging * twips_per_char))


def _reorder_ppr(ppr) -> None:
    """Keep pPr children in schema order after raw appends (Word rejects files that do not)."""
    order = [
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
        "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
        "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
        "sectPr", "pPrChange",
    ]  # fmt: skip
    children = list(ppr)
    rank = {qn(f"w:{n}"): i for i, n in enumerate(order)}
    children.sort(key=lambda e: rank.get(e.tag, len(order)))
    for child in children:
        ppr.append(child)


def _add_style(doc: DocxDocument, spec: _StyleSpec) -> ParagraphStyle:
    style = doc.styles.add_style(spec.style_id, WD_STYLE_TYPE.PARAGRAPH)
    style.name = spec.name
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_east_asian_font(style.element, spec.east_asia, spec.latin)
    style.font.size = Pt(spec.size)
    pf = style.paragraph_format
    pf.alignment = spec.align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if spec.line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = spec.line
    ppr = style.element.get_or_add_pPr()
    if spec.indent_chars:
        _set_indent_chars(ppr, first_line=spec.indent_chars, size=spec.size)
    if spec.outline is not None:
        pf.keep_with_next = True
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(spec.outline))
        ppr.append(level)
    _reorder_ppr(ppr)
    return style


def _setup_styles(doc: DocxDocument) -> None:
    # Defaults first: the template's theme fonts and 10 pt "after" spacing would leak into every paragraph.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:eastAsia", FANGSONG), ("w:cs", LATIN)):
        fonts.set(qn(attr), value)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")  # Chinese line breaking and punctuation rules
    ppr_default = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
    _east_asian_typography(ppr_default)
    _east_asian_settings(doc)

    normal = doc.styles["Normal"]
    set_east_asian_font(normal.element, FANGSONG, LATIN)
    normal.font.size = Pt(SAN_HAO)
    for spec in STYLES.values():
        _add_style(doc, spec)


# Chinese line breaking (GB/T 15834 punctuation, as Word's 中文版式 "首尾字符" for zh-CN): no line starts
# with a closing mark, none ends with an opening one. Written into the settings so every reader applies the
# same list, not whatever its own language defaults are.
NO_LINE_START = "!%),.:;?]}¢°·'\"†‡›℃∶、。〃〆〕〗〞﹚﹜！＂％＇），．：；？］｝～’”》〉」』】…—"
NO_LINE_END = "$(£¥·'\"〈《「『【〔〖〝﹙﹛＄（．［｛￡￥‘“"


def _east_asian_typography(ppr) -> None:
    """Every paragraph: East Asian line-breaking rules (w:kinsoku), punctuation may hang into the margin
    rather than drag a character to the next line (w:overflowPunct), Word's automatic spacing between
    Chinese and Latin text or digits (w:autoSpaceDE/DN). These are Word's Chinese defaults, written out
    because LibreOffice and a non-Chinese Word take their own defaults otherwise."""
    for name in ("kinsoku", "overflowPunct", "autoSpaceDE", "autoSpaceDN"):
        el = ppr.find(qn(f"w:{name}"))
        if el is None:
            el = OxmlElement(f"w:{name}")
            ppr.append(el)
        el.set(qn("w:val"), "1")
    _reorder_ppr(ppr)


def _east_asian_settings(doc: DocxDocument) -> None:
    """The document's kinsoku lists for zh-CN (w:noLineBreaksBefore/After) and Chinese theme fonts."""
    settings = doc.settings.element
    anchor = settings.find(qn("w:characterSpacingControl"))
    for tag, chars in (("w:noLineBreaksBefore", NO_LINE_START), ("w:noLineBreaksAfter", NO_LINE_END)):
        for old in settings.findall(qn(tag)):
            settings.remove(old)
        el = OxmlElement(tag)
        el.set(qn("w:lang"), "zh-CN")
        el.set(qn("w:val"), chars)
        # Schema order: characterSpacingControl, …, noLineBreaksAfter, noLineBreaksBefore, savePreviewPicture.
        if anchor is not None:
            anchor.addnext(el)
        else:
            settings.append(el)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


# --- page setup, sections, page numbers --------------------------------------------------------------------


def _page(section: Section, landscape: bool) -> None:
    width, height = A4
    if landscape:
        # Rotated page: the binding edge (left on portrait) is at the top.
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        section.top_margin, section.bottom_margin = MARGINS["left"], MARGINS["right"]
        section.left_margin, section.right_margin = MARGINS["top"], MARGINS["bottom"]
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.footer_distance = FOOTER_DISTANCE
    section.header_distance = Mm(15)


def _text_width(section: Section) -> Emu:
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _add_page_field(paragraph: DocxParagraph) -> None:
    """ "— N —" with N a PAGE field, so Word and LibreOffice number the pages themselves."""

    def run(text: str | None = None, field: str | None = None, instr: str | None = None):
        r = paragraph.add_run(text or "")
        if field:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), field)
            r._r.append(fld)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)
        return r

    run("— ")
    run(field="begin")
    run(instr=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def _page_numbers(doc: DocxDocument, section: Section) -> None:
    """Odd pages right, even pages left, each one character (四号) in from the text edge (GB/T 9704)."""
    doc.settings.odd_and_even_pages_header_footer = True
    one_char = Twips(int(SI_HAO * 20))
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles[STYLES["footer"].name]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = one_char
        else:
            p.paragraph_format.left_indent = one_char
        _add_page_field(p)


def _new_section(doc: DocxDocument, last: DocxParagraph, landscape: bool) -> Section:
    """Start a new page section after `last`.

    The break is put into the last paragraph itself (python-docx's add_section adds an empty paragraph
    for it, which spills onto an empty page whenever the text or table above fills its page)."""
    body = doc.element.body
    final = body.get_or_add_sectPr()
    last._p.set_sectPr(final.clone())
    # The new section inherits the page-number footers: drop its own references (linked to previous).
    for ref in final.xpath("w:headerReference|w:footerReference"):
        final.remove(ref)
    section = Section(final, doc.part)
    section.start_type = WD_SECTION.NEW_PAGE
    _page(section, landscape)
    return section


# --- the report text ---------------------------------------------------------------------------------------


def _paragraph(doc: DocxDocument, kind: str, text: str) -> DocxParagraph:
    lines = text.split("\n")
    p = doc.add_paragraph(style=doc.styles[STYLES[kind].name])
    for i, line in enumerate(lines):
        if i:
            p.add_run().add_break()
        p.add_run(line)
    return p


def _write_report(doc: DocxDocument, report: Report) -> DocxParagraph | None:
    last: DocxParagraph | None = None
    if report.title:
        # A title with the unit's name ("…科学技术协会2023年度项目支出绩效自评报告") runs over a line: it
        # breaks after "…年度", words whole, as GB/T 9704 asks, not where the line happens to end.
        usable = _text_width(doc.sections[0]).pt / ER_HAO
        last = _paragraph(doc, "title", _break_title(report.title, usable))
    previous = "title"
    first_attachment = True
    for para in report.paragraphs:
        kind = para.kind if para.kind in STYLES else "body"
        if kind == "attachment" and last is not None:
            # The 附件 list never stands alone on a page: the paragraph above goes over with it, and
            # its names stay together.
            last.paragraph_format.keep_with_next = True
        last = _paragraph(doc, kind, para.text)
        pf = last.paragraph_format
        if previous in ("title", "subtitle") and kind not in ("title", "subtitle"):
            pf.space_before = LINE  # one empty line between the title block and the text
        elif previous == "title" and kind == "subtitle":
            pf.space_before = Pt(14)
        if kind == "attachment":
            ppr = last._p.get_or_add_pPr()
            # GB/T 9704: one empty line above, "附件：" two characters in, every name (and its wrapped
            # lines) aligned under the first name.
            if first_attachment:
                pf.space_before = LINE
            _set_indent_chars(ppr, left=5, hanging=3 if para.text.startswith("附件") else 0)
            _reorder_ppr(ppr)
            first_attachment = False
        previous = kind
    return last


# --- attachment tables -------------------------------------------------------------------------------------


def _col_widths(table: OfficialTable, total: int) -> list[int]:
    cols = max((len(r) for r in table.rows), default=1)
    rel = list(table.widths) if len(table.widths) == cols else [1.0] * cols
    scale = total / sum(rel)
    widths = [int(w * scale) for w in rel]
    widths[-1] += total - sum(widths)
    return widths


def _set_table_properties(tbl, width: int) -> None:
    tblpr = tbl.tblPr
    for tag in ("w:tblW", "w:tblBorders", "w:tblLayout", "w:tblCellMar", "w:tblStyle", "w:tblLook"):
        old = tblpr.find(qn(tag))
        if old is not None:
            tblpr.remove(old)
    tblw = OxmlElement("w:tblW")
    tblw.set(qn("w:w"), str(width))
    tblw.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")  # 1/2 pt
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")  # the widths we give, not Word's autofit guesses
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(CELL_MARGIN.twips))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    # Schema order inside tblPr: tblStyle, …, tblW, jc, …, tblBorders, shd, tblLayout, tblCellMar, tblLook.
    jc = tblpr.find(qn("w:jc"))
    if jc is None:
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "center")
        tblpr.append(jc)
    jc.addprevious(tblw)
    jc.addnext(borders)
    borders.addnext(layout)
    layout.addnext(margins)


def _mark_row(tr, *, header: bool) -> None:
    trpr = tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))  # a row is never torn across two pages
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(ROW_HEIGHT.twips))
    height.set(qn("w:hRule"), "atLeast")
    trpr.append(height)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page the table runs onto


def _alignment(text: str, width_twips: int) -> WD_ALIGN_PARAGRAPH:
    """Centred like the printed forms, except text running to three lines or more in a column wide
    enough to read (4+ characters), or wrapping at all in a wide one (12+: a centred second line of a
    sentence looks like a separate line), which reads better flush left. Never justified: in a narrow
    CJK cell justification spreads two characters across the whole width ("产    出")."""
    usable = (width_twips - 2 * CELL_MARGIN.twips) / (WU_HAO * 20)
    if usable < 4:
        return WD_ALIGN_PARAGRAPH.CENTER
    lines = sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))
    wrapped = any(text_width(line) > usable for line in text.split("\n"))
    flush = lines >= 3 or (wrapped and usable >= 12)
    return WD_ALIGN_PARAGRAPH.LEFT if flush else WD_ALIGN_PARAGRAPH.CENTER


def _fill_cell(cell, text: str, width_twips: int, bold: bool) -> None:
    style_id = STYLES["cell_head" if bold else "cell"].style_id
    align = _alignment(text, width_twips)
    first = cell.paragraphs[0]
    for i, line in enumerate(text.split("\n") if text else [""]):
        p = first if i == 0 else cell.add_paragraph()
        p._p.style = style_id  # by id: the style setter resolves names through the styles part each time
        if align != WD_ALIGN_PARAGRAPH.CENTER:
            p.alignment = align
        if line:
            p.add_run(line)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _write_table(doc: DocxDocument, section: Section, table: OfficialTable) -> Table:
    n_rows = len(table.rows)
    n_cols = max((len(r) for r in table.rows), default=1)
    total = _text_width(section).twips
    widths = _col_widths(table, total)

    t = doc.add_table(rows=n_rows, cols=n_cols)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _set_table_properties(t._tbl, total)
    for gc, w in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        gc.w = Twips(w)
    # One grid lookup (python-docx's table.cell() walks the whole table on every call). Merges are
    # disjoint, so the corner cells of one stay valid while another is merged.
    grid = t._cells
    for merge in table.merges:
        corner = grid[merge.last_row * n_cols + merge.last_col]
        grid[merge.first_row * n_cols + merge.first_col].merge(corner)

    # Cell widths follow the grid (a merged cell is as wide as the columns it spans).
    for tr in t._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = Twips(sum(widths[col : col + span]))
            col += span
    for r, tr in enumerate(t._tbl.tr_lst):
        _mark_row(tr, header=r < table.header_rows)

    covered = table.covered()
    spans = table.merge_starts()
    grid = t._cells
    for r, row in enumerate(table.rows):
        for c in range(n_cols):
            if (r, c) in covered:
                continue
            merge = spans.get((r, c))
            last_col = merge.last_col if merge else c
            text = row[c] if c < len(row) else ""
            cell = grid[r * n_cols + c]
            _fill_cell(cell, text, sum(widths[c : last_col + 1]), (r, c) in table.bold_cells)
    return t


def _break_title(title: str, chars_per_line: float) -> str:
    """A table title too long for one line breaks after "…年度" (unit and year above, the form's name
    below) instead of wherever the line happens to end."""
    if "\n" in title or text_width(title) <= chars_per_line:
        return title
    head, sep, tail = title.partition("年度")
    if sep and tail and max(text_width(head + sep), text_width(tail)) <= chars_per_line:
        return f"{head}{sep}\n{tail}"
    return title


def _write_attachment(doc: DocxDocument, section: Section, table: OfficialTable) -> DocxParagraph:
    if table.label:
        _paragraph(doc, "label", table.label)
    usable = _text_width(section).pt / XIAO_ER
    title = _paragraph(doc, "table_title", _break_title(table.title, usable))
    title.paragraph_format.space_after = Pt(8)
    written = _write_table(doc, section, table)
    if table.note:
        # The note (填表人、日期 …) never stands alone on a page: the last row goes over with it.
        for cell in written.rows[-1].cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
    # Always a paragraph after the table: it carries the note and the next section break.
    note = _paragraph(doc, "note", table.note)
    note.paragraph_format.space_before = Pt(4)
    if not table.note:
        note.paragraph_format.line_spacing = Pt(1)  # an invisible carrier, it must not push a page
        note.paragraph_format.space_before = Pt(0)
    return note


# --- entry point -------------------------------------------------------------------------------------------


def write_docx(report: Report, tables: list[OfficialTable], out: Path) -> Path:
    """Write the report text, then each table on its own page, to `out` (.docx); returns `out`.

    Raises ReportError (Chinese message) when the file cannot be written."""
    doc = Document()
    _setup_styles(doc)
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_numbers(doc, section)

    # python-docx's template starts with no paragraphs; the body may hold only the final sectPr.
    last = _write_report(doc, report)
    for table in tables:
        if last is not None:
            section = _new_section(doc, last, table.landscape)
        else:
            _page(section, table.landscape)
        last = _write_attachment(doc, section, table)

    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(out))
    except PermissionError:
        raise ReportError(f"无法写入 {out}：文件可能正在 Word 或 WPS 中打开，请关闭后重试。") from None
    except OSError as exc:
        raise ReportError(f"无法写入 {out}：{exc.strerror or exc}") from None
    return out
