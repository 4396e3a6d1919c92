"""A template workbook decorated the way accountants decorate theirs, built at the package (zip/XML) level.

openpyxl would drop most of this on save, so the package is edited directly: every part of the source is
copied byte for byte except the few this module rewrites (workbook, its rels, styles, the sheets, the
content types), and the new parts are written the way Excel 365 writes them. What is where is returned
as a Decorations record, so tests never guess cell references or part names.

    build_decorated(ROOT / "examples" / "桃江县科协2023.xlsx", tmp / "decorated.xlsx")
"""

from __future__ import annotations

import copy
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.catalogue import split_address

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "addin" / "perfeval.xlam"

# --- namespaces and types, as Excel writes them ------------------------------------------------------
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
XR2 = "http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"
XR3 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision3"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"

RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_WORKSHEET = RT + "worksheet"
RT_SST = RT + "sharedStrings"
RT_DRAWING = RT + "drawing"
RT_IMAGE = RT + "image"
RT_CHART = RT + "chart"
RT_HYPERLINK = RT + "hyperlink"
RT_VML = RT + "vmlDrawing"
RT_COMMENTS = RT + "comments"
RT_PRINTER = RT + "printerSettings"
RT_CUSTOM_XML = RT + "customXml"
RT_CUSTOM_XML_PROPS = RT + "customXmlProps"
RT_CUSTOM_PROPS = RT + "custom-properties"
RT_PERSON = "http://schemas.microsoft.com/office/2017/10/relationships/person"
RT_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_WORKBOOK_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_THREADED = "application/vnd.ms-excel.threadedcomments+xml"
CT_PERSON = "application/vnd.ms-excel.person+xml"
CT_PRINTER = "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CT_CUSTOM_PROPS = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

# CT_Worksheet's child order (ECMA-376 Part 1, 18.3.1.99): new elements go to their place in it.
SHEET_ORDER = (
    *("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr"),
    *("sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate"),
    *("customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations"),
    *("hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks"),
    *("customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing"),
    *("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts"),
    "extLst",
)
STYLES_ORDER = (
    *("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs"),
    *("tableStyles", "colors", "extLst"),
)

XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

# --- the parts this fixture adds (Excel's own naming) --------------------------------------------------
IMAGE = "xl/media/image1.png"
DRAWING_SHAPES = "xl/drawings/drawing1.xml"  # 附件1: the 返回目录 rectangle and the chart
DRAWING_SEAL = "xl/drawings/drawing2.xml"  # 附件2: the seal picture
CHART = "xl/charts/chart1.xml"
VML = "xl/drawings/vmlDrawing1.vml"
COMMENTS = "xl/comments1.xml"
THREADED = "xl/threadedComments/threadedComment1.xml"
PERSONS = "xl/persons/person.xml"
PRINTER = "xl/printerSettings/printerSettings1.bin"
CUSTOM_XML_ITEM = "customXml/item1.xml"
CUSTOM_XML_PROPS = "customXml/itemProps1.xml"
CUSTOM_XML_RELS = "customXml/_rels/item1.xml.rels"
CUSTOM_PROPS = "docProps/custom.xml"
THEME = "xl/theme/theme1.xml"
VBA = "xl/vbaProject.bin"
# Parts a checker has no business changing: they must come back byte for byte (VBA too, in an .xlsm).
UNTOUCHED_PARTS = (
    IMAGE,
    DRAWING_SEAL,
    "xl/drawings/_rels/drawing2.xml.rels",
    DRAWING_SHAPES,
    "xl/drawings/_rels/drawing1.xml.rels",
    CHART,
    THREADED,
    PERSONS,
    CUSTOM_XML_ITEM,
    CUSTOM_XML_PROPS,
    CUSTOM_XML_RELS,
    CUSTOM_PROPS,
    PRINTER,
    THEME,
)


class At(NamedTuple):
    sheet: str
    cell: str


@dataclass(frozen=True)
class Decorations:
    """Where each decoration is. Part names are zip member names (no leading '/')."""

    path: Path
    xlsm: bool
    # parts the checker has no business changing: must come back byte for byte
    untouched_parts: tuple[str, ...]
    seal: At  # the top-left cell the picture is anchored at
    seal_image: str
    seal_drawing: str
    shape_sheet: str
    shape_drawing: str  # holds the 返回目录 rectangle and the chart
    shape_text: str
    shape_link: str  # the internal hyperlink target (relationship Target)
    chart: str
    threaded: At
    threaded_part: str
    persons_part: str
    threaded_texts: tuple[str, ...]  # root comment, then reply
    rich_text: At
    rich_bold_text: str  # the bold red run
    formulas: dict[At, tuple[str, str]]  # cell -> (formula without '=', cached <v>)
    conditional_format: At  # sheet, sqref
    data_validation: At  # sheet, sqref of the user's rule
    custom_xml_parts: tuple[str, ...]
    custom_props_part: str
    printer_settings: str
    printer_settings_sheet: str
    user_report_sheet: str
    user_report_lines: tuple[str, ...]
    user_sheet: str
    user_sheet_cells: dict[str, str]
    user_name: str
    user_name_ref: str
    theme_fill: At
    pattern_fill: At
    note: At
    note_author: str
    note_text: str
    vba_part: str | None = None
    # sheet -> {relationship type (short) -> target part}, as built
    sheet_links: dict[str, dict[str, str]] = field(default_factory=dict)


# --- small generated binaries ------------------------------------------------------------------------


def seal_png(size: int = 96) -> bytes:
    """A red round 'seal' (two rings and a star-like dot) on transparent ground, RGBA, no Pillow needed."""
    red, clear = b"\xd0\x10\x10\xff", b"\x00\x00\x00\x00"
    c = (size - 1) / 2
    rows = []
    for y in range(size):
        line = bytearray(b"\x00")  # filter type None
        for x in range(size):
            r = math.hypot(x - c, y - c)
            angle = math.atan2(y - c, x - c)
            star = r < 12 + 6 * math.cos(5 * angle)
            line += red if (40 <= r <= 46 or 34 <= r <= 36 or star) else clear
        rows.append(bytes(line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"".join(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def printer_settings() -> bytes:
    """A DEVMODEW (220 bytes, no driver extra) for an A4 landscape page, as Excel stores it."""

    def wchars(text: str, n: int = 32) -> bytes:
        return text.encode("utf-16-le").ljust(2 * n, b"\x00")

    fields = 0x1 | 0x2 | 0x100 | 0x200 | 0x400 | 0x800 | 0x1000 | 0x2000 | 0x8000 | 0x10000
    head = wchars("Microsoft Print to PDF") + struct.pack("<HHHHI", 0x0401, 0, 220, 0, fields)
    body = struct.pack("<hhhhhhhh", 2, 9, 0, 0, 100, 1, 7, 600)  # landscape, A4, 100 %, 1 copy, 600 dpi
    body += struct.pack("<hhhhh", 1, 1, 600, 3, 1) + wchars("A4") + struct.pack("<H", 0)
    body += struct.pack("<13I", *([0] * 13))
    data = head + body
    assert len(data) == 220
    return data


# --- package plumbing --------------------------------------------------------------------------------


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def _xml(root: etree._Element) -> bytes:
    return XML_DECL + etree.tostring(root, encoding="UTF-8")


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _rels_path(part: str) -> str:
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts: list[str] = list(PurePosixPath(source_part).parent.parts)
    for seg in target.split("/"):
        if seg == "..":
            parts.pop()
        elif seg not in ("", "."):
            parts.append(seg)
    return "/".join(parts)


def _rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{escape(g, {chr(34): "&quot;"})}"/>' for i, t, g in rels
    )
    return XML_DECL + f'<Relationships xmlns="{PKG_REL}">{body}</Relationships>'.encode()


class Package:
    def __init__(self, src: Path) -> None:
        with zipfile.ZipFile(src) as z:
            self.parts: dict[str, bytes] = {n: z.read(n) for n in z.namelist()}
        self.types = _parse(self.parts["[Content_Types].xml"])

    def add(self, name: str, data: bytes, content_type: str | None = None) -> None:
        self.parts[name] = data
        if content_type:
            self.override(name, content_type)

    def override(self, name: str, content_type: str) -> None:
        for el in self.types.findall(_q(CT, "Override")):
            if el.get("PartName") == "/" + name:
                el.set("ContentType", content_type)
                return
        etree.SubElement(self.types, _q(CT, "Override"), PartName="/" + name, ContentType=content_type)

    def default(self, ext: str, content_type: str) -> None:
        for el in self.types.findall(_q(CT, "Default")):
            if el.get("Extension") == ext:
                el.set("ContentType", content_type)
                return
        el = etree.Element(_q(CT, "Default"), Extension=ext, ContentType=content_type)
        self.types.insert(len(self.types.findall(_q(CT, "Default"))), el)

    def add_rel(self, source: str, rel_type: str, target: str) -> str:
        """Append a relationship to source's rels part (created if missing); returns its Id."""
        path = _rels_path(source) if source else "_rels/.rels"
        if path in self.parts:
            root = _parse(self.parts[path])
        else:
            root = etree.Element(_q(PKG_REL, "Relationships"), nsmap={None: PKG_REL})
        ids = {el.get("Id") for el in root}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        etree.SubElement(root, _q(PKG_REL, "Relationship"), Id=f"rId{n}", Type=rel_type, Target=target)
        self.parts[path] = _xml(root)
        return f"rId{n}"

    def save(self, out: Path) -> None:
        self.parts["[Content_Types].xml"] = _xml(self.types)
        order = ["[Content_Types].xml"] + [n for n in self.parts if n != "[Content_Types].xml"]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name in order:
                info = zipfile.ZipInfo(name, (2024, 3, 5, 9, 30, 0))
                z.writestr(info, self.parts[name], zipfile.ZIP_DEFLATED)


# --- worksheet helpers ---------------------------------------------------------------------------------


def _excel_sheet_root(old: etree._Element, uid: str) -> etree._Element:
    """The same worksheet with the root Excel 365 writes: r, mc, x14ac, xr… declared, mc:Ignorable, xr:uid."""
    nsmap = {None: MAIN, "r": R, "mc": MC, "x14ac": X14AC, "xr": XR, "xr2": XR2, "xr3": XR3}
    new = etree.Element(old.tag, nsmap=nsmap)
    new.set(_q(MC, "Ignorable"), "x14ac xr xr2 xr3")
    new.set(_q(XR, "uid"), uid)
    for child in list(old):
        new.append(child)
    fmt = new.find(_q(MAIN, "sheetFormatPr"))
    if fmt is not None:
        fmt.set(_q(X14AC, "dyDescent"), "0.15")
    return new


def _insert_ordered(
    root: etree._Element, el: etree._Element | str, order: tuple[str, ...] | list[str], **attrib: str
) -> etree._Element:
    """Put el (an element, or a local name to create in root's namespace) at its schema place in root."""
    if isinstance(el, str):
        names = {k: _q(R, "id") if k == "r_id" else k for k in attrib}
        el = etree.SubElement(root, _q(MAIN, el), {names[k]: v for k, v in attrib.items()})
    rank = order.index(etree.QName(el).localname)
    pos = 0
    for i, child in enumerate(root):
        if child is not el and order.index(etree.QName(child).localname) <= rank:
            pos = i + 1
    root.insert(pos, el)
    return el


def _cell(sheet: etree._Element, ref: str) -> etree._Element:
    for c in sheet.iter(_q(MAIN, "c")):
        if c.get("r") == ref:
            return c
    raise KeyError(ref)


def _clear_value(c: etree._Element) -> None:
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)


def _text_row(r: int, cells: list[tuple[str, str]], style: str = "0") -> etree._Element:
    row = etree.Element(_q(MAIN, "row"), r=str(r))
    for col, text in cells:
        c = etree.SubElement(row, _q(MAIN, "c"), r=f"{col}{r}", s=style, t="inlineStr")
        t = etree.SubElement(etree.SubElement(c, _q(MAIN, "is")), _q(MAIN, "t"))
        t.text = text
    return row


def _new_sheet(rows: list[etree._Element], widths: dict[int, float], uid: str) -> etree._Element:
    root = etree.Element(_q(MAIN, "worksheet"), nsmap={None: MAIN})
    last = rows[-1].get("r")
    etree.SubElement(root, _q(MAIN, "dimension"), ref=f"A1:B{last}")
    views = etree.SubElement(root, _q(MAIN, "sheetViews"))
    etree.SubElement(views, _q(MAIN, "sheetView"), workbookViewId="0")
    etree.SubElement(root, _q(MAIN, "sheetFormatPr"), defaultRowHeight="13.5")
    cols = etree.SubElement(root, _q(MAIN, "cols"))
    for i, w in widths.items():
        etree.SubElement(cols, _q(MAIN, "col"), min=str(i), max=str(i), width=str(w), customWidth="1")
    data = etree.SubElement(root, _q(MAIN, "sheetData"))
    data.extend(rows)
    etree.SubElement(
        root, _q(MAIN, "pageMargins"),
        left="0.7", right="0.7", top="0.75", bottom="0.75", header="0.3", footer="0.3",
    )  # fmt: skip
    etree.SubElement(root, _q(MAIN, "pageSetup"), paperSize="9", orientation="portrait")
    return _excel_sheet_root(root, uid)


def _to_shared_strings(sheets: list[etree._Element]) -> bytes:
    """Move every inline string into a shared-string table, as Excel stores text (runs kept)."""
    items: list[bytes] = []
    index: dict[bytes, int] = {}
    count = 0
    for sheet in sheets:
        for c in sheet.iter(_q(MAIN, "c")):
            if c.get("t") != "inlineStr":
                continue
            is_ = c.find(_q(MAIN, "is"))
            si = etree.Element(_q(MAIN, "si"), nsmap={None: MAIN})
            for child in is_:
                si.append(copy.deepcopy(child))
            for t in si.iter(_q(MAIN, "t")):
                if t.text and t.text != t.text.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            key = etree.tostring(si, method="c14n")
            if key not in index:
                index[key] = len(items)
                items.append(etree.tostring(si, encoding="UTF-8").replace(f' xmlns="{MAIN}"'.encode(), b""))
            count += 1
            c.remove(is_)
            c.set("t", "s")
            etree.SubElement(c, _q(MAIN, "v")).text = str(index[key])
    head = f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{len(items)}">'.encode()
    return XML_DECL + head + b"".join(items) + b"</sst>"


# --- the decorations -----------------------------------------------------------------------------------

GUID_THREAD = "{5F1C8A32-6E0B-4C7D-9A1E-3B2D4C5E6F70}"
GUID_REPLY = "{5F1C8A32-6E0B-4C7D-9A1E-3B2D4C5E6F71}"
GUID_PERSON_LI = "{2B9E4D10-8C3A-4F5B-B6D7-1A2B3C4D5E6F}"
GUID_PERSON_WANG = "{2B9E4D10-8C3A-4F5B-B6D7-1A2B3C4D5E70}"
GUID_NOTE = "{8D7C6B5A-4E3F-4A2B-9C1D-0E1F2A3B4C5D}"
GUID_ITEM = "{0C4A8E2F-7B1D-4E6A-9F3C-5D2B8A1E6C40}"

THREAD_TEXTS = ("全年执行数已与2023年决算报表核对一致。", "收到，已复核银行对账单。")
THREAD_FALLBACK = (
    "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; however, "
    "any edits to it will get removed if the file is opened in a newer version of Excel. Learn more: "
    "https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n    {0}\nReply:\n    {1}"
)
NOTE_AUTHOR = "张会计"
NOTE_BODY = "年中追加预算107.89万元，依据县财政局追加指标文件（桃财预〔2023〕45号）。"
RICH_BOLD = "培育和发展科技示范企业、示范基地和示范户共14个"
USER_REPORT_LINES = (
    "桃江县科学技术协会2023年度部门整体支出绩效自评报告（初稿）",
    "一、部门概况",
    "我会内设办公室、科普部、学会部三个股室，核定编制7人。（此稿为手工起草，待局务会审定后再定稿。）",
    "二、部门整体支出管理及使用情况",
    "2023年全年预算266.32万元，全年执行266.32万元，执行率100%。",
)
USER_SHEET_CELLS = {
    "A1": "联系人",
    "B1": NOTE_AUTHOR,
    "A2": "联系电话",
    "B2": "0737-8821356",
    "A3": "报送期限",
    "B3": "2024年3月31日前",
}
# run properties as Excel writes them for 宋体 (East Asian font family 3, GB2312 charset 134)
SONG = '<rFont val="宋体"/><family val="3"/><charset val="134"/>'


def _styles_fill(styles: etree._Element, fill_xml: str, base_xf: int) -> int:
    """Add a <fill> and a copy of cellXfs[base_xf] using it; returns the new xf index."""
    fills = styles.find(_q(MAIN, "fills"))
    fills.append(_parse(f'<fill xmlns="{MAIN}">{fill_xml}</fill>'))
    fills.set("count", str(len(fills)))
    xfs = styles.find(_q(MAIN, "cellXfs"))
    xf = copy.deepcopy(xfs[base_xf])
    xf.set("fillId", str(len(fills) - 1))
    xf.set("applyFill", "1")
    xfs.append(xf)
    xfs.set("count", str(len(xfs)))
    return len(xfs) - 1


def _drawing_anchor(col: int, row: int, col2: int, row2: int, body: str, edit_as: str = "") -> str:
    attr = f' editAs="{edit_as}"' if edit_as else ""
    return (
        f"<xdr:twoCellAnchor{attr}><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{col2}</xdr:col>"
        f"<xdr:colOff>0</xdr:colOff><xdr:row>{row2}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f"{body}<xdr:clientData/></xdr:twoCellAnchor>"
    )


def _ws_dr(anchors: str) -> bytes:
    return XML_DECL + f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}">{anchors}</xdr:wsDr>'.encode()


def _seal_drawing() -> bytes:
    pic = (
        '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="图片 1" descr="单位公章">'
        '<a:extLst><a:ext uri="{FF2B5EF4-FFF2-40B4-BE49-F238E27FC236}">'
        '<a16:creationId xmlns:a16="http://schemas.microsoft.com/office/drawing/2014/main" '
        'id="{7A3F2C1B-9D8E-4F60-A1B2-C3D4E5F60718}"/></a:ext></a:extLst></xdr:cNvPr>'
        '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
        f'<xdr:blipFill><a:blip xmlns:r="{R}" r:embed="rId1"/>'
        "<a:stretch><a:fillRect/></a:stretch></xdr:blipFill>"
        '<xdr:spPr><a:xfrm><a:off x="5600700" y="4953000"/><a:ext cx="914400" cy="914400"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
    )
    return _ws_dr(_drawing_anchor(4, 23, 5, 28, pic, edit_as="oneCell"))


def _shape_and_chart_drawing(text: str) -> bytes:
    shape = (
        '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="矩形 1">'
        f'<a:hlinkClick xmlns:r="{R}" r:id="rId1"/></xdr:cNvPr><xdr:cNvSpPr/></xdr:nvSpPr>'
        '<xdr:spPr><a:xfrm><a:off x="13106400" y="190500"/><a:ext cx="1219200" cy="381000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
        '<xdr:style><a:lnRef idx="2"><a:schemeClr val="accent1"><a:shade val="50000"/></a:schemeClr>'
        "</a:lnRef>"
        '<a:fillRef idx="1"><a:schemeClr val="accent1"/></a:fillRef>'
        '<a:effectRef idx="0"><a:schemeClr val="accent1"/></a:effectRef>'
        '<a:fontRef idx="minor"><a:schemeClr val="lt1"/></a:fontRef></xdr:style>'
        '<xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip" rtlCol="0" anchor="ctr"/><a:lstStyle/>'
        f'<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="zh-CN" altLang="en-US" sz="1100"/><a:t>{text}</a:t></a:r>'
        "</a:p></xdr:txBody></xdr:sp>"
    )
    chart = (
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="3" name="图表 2"/>'
        "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart xmlns:c="{C}" xmlns:r="{R}" r:id="rId2"/></a:graphicData></a:graphic></xdr:graphicFrame>'
    )
    return _ws_dr(_drawing_anchor(10, 1, 12, 3, shape) + _drawing_anchor(10, 5, 18, 22, chart))


def _chart(sheet: str, rows: list[int], labels: list[str], series: list[tuple[str, str, list]]) -> bytes:
    """A clustered column chart: categories from column A, one series per (column, title, values)."""
    first, last = rows[0], rows[-1]
    cat_pts = "".join(f'<c:pt idx="{i}"><c:v>{escape(t)}</c:v></c:pt>' for i, t in enumerate(labels))
    sers = ""
    for i, (col, title, values) in enumerate(series):
        pts = "".join(f'<c:pt idx="{k}"><c:v>{v}</c:v></c:pt>' for k, v in enumerate(values) if v is not None)
        sers += (
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>\'{sheet}\'!${col}$6</c:f>'
            f'<c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>{escape(title)}</c:v></c:pt></c:strCache>'
            f"</c:strRef></c:tx>"
            f'<c:spPr><a:solidFill><a:schemeClr val="accent{i + 1}"/></a:solidFill></c:spPr>'
            '<c:invertIfNegative val="0"/>'
            f"<c:cat><c:strRef><c:f>'{sheet}'!$A${first}:$A${last}</c:f><c:strCache>"
            f'<c:ptCount val="{len(labels)}"/>{cat_pts}</c:strCache></c:strRef></c:cat>'
            f"<c:val><c:numRef><c:f>'{sheet}'!${col}${first}:${col}${last}</c:f><c:numCache>"
            f'<c:formatCode>#,##0.00</c:formatCode><c:ptCount val="{len(values)}"/>{pts}</c:numCache>'
            "</c:numRef></c:val></c:ser>"
        )
    axis_common = '<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
    body = (
        f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}">'
        '<c:date1904 val="0"/><c:lang val="zh-CN"/><c:roundedCorners val="0"/>'
        "<c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr/></a:pPr>"
        '<a:r><a:rPr lang="zh-CN" altLang="en-US"/><a:t>各项经费预算与决算（万元）</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        f'{sers}<c:gapWidth val="219"/><c:overlap val="-27"/><c:axId val="510001"/><c:axId val="510002"/>'
        f'</c:barChart><c:catAx><c:axId val="510001"/>{axis_common}<c:axPos val="b"/>'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="none"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="510002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        f'<c:noMultiLvlLbl val="0"/></c:catAx><c:valAx><c:axId val="510002"/>{axis_common}<c:axPos val="l"/>'
        '<c:majorGridlines/><c:numFmt formatCode="#,##0.00" sourceLinked="1"/><c:majorTickMark val="none"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="510001"/>'
        '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )
    return XML_DECL + body.encode()


def _vml_note(shape_id: int, row: int, col: int) -> str:
    anchor = f"{col + 1}, 15, {max(row - 1, 0)}, 10, {col + 3}, 31, {row + 4}, 4"
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style=\'position:absolute;margin-left:59.25pt;'
        'margin-top:1.5pt;width:180pt;height:72pt;z-index:1;visibility:hidden\' fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        "<v:path o:connecttype=\"none\"/><v:textbox style='mso-direction-alt:auto'>"
        "<div style='text-align:left'></div></v:textbox>"
        '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
        f"<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
    )


def _vml(notes: list[tuple[int, int]]) -> bytes:
    shapes = "".join(_vml_note(1025 + i, r, c) for i, (r, c) in enumerate(notes))
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
        '<o:idmap v:ext="edit" data="1"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f"{shapes}</xml>"
    ).encode()


def _rc(ref: str) -> tuple[int, int]:
    """'C4' -> (3, 2): zero-based row and column, as VML wants them."""
    row, col = split_address(ref)
    return row - 1, col - 1


def build_decorated(src: Path, out: Path, *, xlsm: bool = False) -> Decorations:
    pkg = Package(src)
    wb_part = "xl/workbook.xml"
    workbook = _parse(pkg.parts[wb_part])
    wb_rels = {el.get("Id"): el for el in _parse(pkg.parts[_rels_path(wb_part)])}
    sheet_parts: dict[str, str] = {}
    for s in workbook.iter(_q(MAIN, "sheet")):
        sheet_parts[s.get("name")] = _resolve(wb_part, wb_rels[s.get(_q(R, "id"))].get("Target"))
    sheets = {
        name: _excel_sheet_root(_parse(pkg.parts[part]), f"{{00000000-0001-0000-{i:04d}-000000000000}}")
        for i, (name, part) in enumerate(sheet_parts.items())
    }
    styles = _parse(pkg.parts["xl/styles.xml"])
    values = load_workbook(src)  # read only: to copy cached values into the chart and check the formulas

    # 1. rich text: part of the 主要工作成效 paragraph in bold red, as a run (stored as a shared string)
    info, rich = "基本信息", At("基本信息", cat.field("info_achievements").cell)
    text = values[info][rich.cell].value
    assert RICH_BOLD in text, "the example's 主要工作成效 text changed"
    before, after = text.split(RICH_BOLD, 1)
    c = _cell(sheets[info], rich.cell)
    _clear_value(c)
    c.set("t", "inlineStr")
    bold_red = f'<rPr><b/><sz val="10"/><color rgb="FFFF0000"/>{SONG}</rPr>'
    plain = f'<rPr><sz val="10"/><color rgb="FF000000"/>{SONG}</rPr>'
    c.append(
        _parse(
            f'<is xmlns="{MAIN}"><r><t xml:space="preserve">{escape(before)}</t></r>'
            f"<r>{bold_red}<t>{escape(RICH_BOLD)}</t></r>"
            f'<r>{plain}<t xml:space="preserve">{escape(after)}</t></r></is>'
        )
    )

    # 2. formulas with cached values in typed cells (values as the example holds them: findings unchanged)
    unit = "附件2"
    ws2 = values[unit]
    rate, total = At(unit, "F4"), At(unit, "B25")
    spent, budget = ws2["D4"].value, ws2["C4"].value
    assert spent == budget, "the example's 执行率 is 100%"
    scores = [ws2[f"I{r}"].value for r in range(30, 41)]
    assert sum(scores) == ws2[total.cell].value == 100
    formulas = {rate: ("D4/C4", "1"), total: ("I30+SUM(I31:I40)", "100")}
    for at, (f, v) in formulas.items():
        c = _cell(sheets[at.sheet], at.cell)
        _clear_value(c)
        etree.SubElement(c, _q(MAIN, "f")).text = f
        etree.SubElement(c, _q(MAIN, "v")).text = v

    # 3. fills on flagged cells of 附件1: a theme colour with tint, and a two-colour pattern
    basic = "附件1"
    theme_fill, pattern_fill = At(basic, "D7"), At(basic, "D14")
    for at, fill in (
        (
            theme_fill,
            '<patternFill patternType="solid"><fgColor theme="4" tint="0.3999755851924192"/>'
            '<bgColor indexed="64"/></patternFill>',
        ),
        (
            pattern_fill,
            '<patternFill patternType="darkGray"><fgColor rgb="FFFFC000"/>'
            '<bgColor rgb="FF92D050"/></patternFill>',
        ),
    ):
        c = _cell(sheets[at.sheet], at.cell)
        c.set("s", str(_styles_fill(styles, fill, int(c.get("s", "0")))))

    # 4. conditional formatting (with its dxf) and a data validation the user added on 附件1
    dxfs = styles.find(_q(MAIN, "dxfs"))
    if dxfs is None:
        dxfs = _insert_ordered(styles, "dxfs", STYLES_ORDER)
    dxfs.append(
        _parse(
            f'<dxf xmlns="{MAIN}"><font><b/><color rgb="FF9C0006"/></font>'
            '<fill><patternFill><bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf>'
        )
    )
    dxfs.set("count", str(len(dxfs)))
    cf = At(basic, "H14:H19")
    _insert_ordered(
        sheets[basic],
        _parse(
            f'<conditionalFormatting xmlns="{MAIN}" sqref="{cf.cell}">'
            f'<cfRule type="cellIs" dxfId="{len(dxfs) - 1}" '
            'priority="1" operator="greaterThan"><formula>1</formula></cfRule></conditionalFormatting>'
        ),
        SHEET_ORDER,
    )
    dv = At(basic, "B7:D19")
    dvs = sheets[basic].find(_q(MAIN, "dataValidations"))
    if dvs is None:
        dvs = _insert_ordered(sheets[basic], "dataValidations", SHEET_ORDER)
    dvs.append(
        _parse(
            f'<dataValidation xmlns="{MAIN}" type="decimal" operator="greaterThanOrEqual" allowBlank="1" '
            'showInputMessage="1" showErrorMessage="1" errorTitle="金额有误" error="请填写不小于0的金额（万元）。" '
            f'promptTitle="金额" prompt="单位：万元" sqref="{dv.cell}"><formula1>0</formula1></dataValidation>'
        )
    )
    dvs.set("count", str(len(dvs)))

    # 5. printer settings on 附件1's pageSetup
    printer = PRINTER
    pkg.add(printer, printer_settings(), CT_PRINTER if xlsm else None)
    basic_part = sheet_parts[basic]
    rid = pkg.add_rel(basic_part, RT_PRINTER, "../printerSettings/printerSettings1.bin")
    sheets[basic].find(_q(MAIN, "pageSetup")).set(_q(R, "id"), rid)

    # 6. drawing on 附件1: a 返回目录 rectangle with an internal hyperlink, and a chart of 附件1's amounts
    shape_text, link = "返回目录", "#'填报说明'!A1"
    drawing1, chart1 = DRAWING_SHAPES, CHART
    pkg.add(drawing1, _shape_and_chart_drawing(shape_text), CT_DRAWING)
    pkg.add(
        _rels_path(drawing1),
        _rels_xml(
            [
                ("rId1", RT_HYPERLINK, link),
                ("rId2", RT_CHART, "../charts/chart1.xml"),
            ]
        ),
    )
    ws1 = values[basic]
    rows = list(range(14, 20))
    labels = [str(ws1[f"A{r}"].value) for r in rows]
    series = [(col, str(ws1[f"{col}6"].value), [ws1[f"{col}{r}"].value for r in rows]) for col in ("C", "D")]
    pkg.add(chart1, _chart(basic, rows, labels, series), CT_CHART)
    rid = pkg.add_rel(basic_part, RT_DRAWING, "../drawings/drawing1.xml")
    _insert_ordered(sheets[basic], "drawing", SHEET_ORDER, r_id=rid)

    # 7. 附件2: the unit's seal (a picture), a threaded comment with a reply, and 张会计's note
    unit_part = sheet_parts[unit]
    seal, image, drawing2 = At(unit, "E24"), IMAGE, DRAWING_SEAL
    pkg.default("png", "image/png")
    pkg.add(image, seal_png())
    pkg.add(drawing2, _seal_drawing(), CT_DRAWING)
    pkg.add(_rels_path(drawing2), _rels_xml([("rId1", RT_IMAGE, "../media/image1.png")]))
    rid = pkg.add_rel(unit_part, RT_DRAWING, "../drawings/drawing2.xml")
    _insert_ordered(sheets[unit], "drawing", SHEET_ORDER, r_id=rid)

    threaded, note = At(unit, "D4"), At(unit, "C4")
    note_text = f"{NOTE_AUTHOR}:\n{NOTE_BODY}"
    persons, thread_part = PERSONS, THREADED
    pkg.add(
        persons,
        XML_DECL
        + (
            f'<personList xmlns="{TC}" xmlns:x="{MAIN}">'
            f'<person displayName="李科长" id="{GUID_PERSON_LI}" userId="李科长" providerId="None"/>'
            f'<person displayName="王主任" id="{GUID_PERSON_WANG}" userId="王主任" providerId="None"/></personList>'
        ).encode(),
        CT_PERSON,
    )
    pkg.add_rel(wb_part, RT_PERSON, "persons/person.xml")
    pkg.add(
        thread_part,
        XML_DECL
        + (
            f'<ThreadedComments xmlns="{TC}" xmlns:x="{MAIN}">'
            f'<threadedComment ref="{threaded.cell}" dT="2024-03-05T09:12:41.52" personId="{GUID_PERSON_LI}" '
            f'id="{GUID_THREAD}"><text>{THREAD_TEXTS[0]}</text></threadedComment>'
            f'<threadedComment ref="{threaded.cell}" dT="2024-03-05T10:03:17.88" personId="{GUID_PERSON_WANG}" '
            f'id="{GUID_REPLY}" parentId="{GUID_THREAD}"><text>{THREAD_TEXTS[1]}</text></threadedComment>'
            "</ThreadedComments>"
        ).encode(),
        CT_THREADED,
    )
    comments = COMMENTS
    fallback = THREAD_FALLBACK.format(*THREAD_TEXTS)
    pkg.add(
        comments,
        XML_DECL
        + (
            f'<comments xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="xr" xmlns:xr="{XR}">'
            f"<authors><author>tc={GUID_THREAD}</author><author>{NOTE_AUTHOR}</author></authors><commentList>"
            f'<comment ref="{note.cell}" authorId="1" shapeId="0" xr:uid="{GUID_NOTE}"><text>'
            f'<r><rPr><b/><sz val="9"/><color indexed="81"/>{SONG}</rPr><t>{NOTE_AUTHOR}:</t></r>'
            f'<r><rPr><sz val="9"/><color indexed="81"/>{SONG}</rPr>'
            f'<t xml:space="preserve">\n{NOTE_BODY}</t></r></text></comment>'
            f'<comment ref="{threaded.cell}" authorId="0" shapeId="0" xr:uid="{GUID_THREAD}"><text>'
            f'<t xml:space="preserve">{escape(fallback)}</t></text></comment>'
            "</commentList></comments>"
        ).encode(),
        CT_COMMENTS,
    )
    vml = VML
    pkg.default("vml", CT_VML)
    pkg.add(vml, _vml([_rc(note.cell), _rc(threaded.cell)]))
    rid_vml = pkg.add_rel(unit_part, RT_VML, "../drawings/vmlDrawing1.vml")
    pkg.add_rel(unit_part, RT_COMMENTS, "../comments1.xml")
    pkg.add_rel(unit_part, RT_THREADED, "../threadedComments/threadedComment1.xml")
    _insert_ordered(sheets[unit], "legacyDrawing", SHEET_ORDER, r_id=rid_vml)

    # 8. the user's own sheets: a report draft called 自评报告 (a name the tool also uses), and 备注
    report_name, user_name_sheet = "自评报告", "备注"
    rows_report = [_text_row(i, [("A", t)], style="2") for i, t in enumerate(USER_REPORT_LINES, start=1)]
    user_rows = [
        _text_row(r, [(ref[0], v) for ref, v in USER_SHEET_CELLS.items() if ref[1:] == str(r)])
        for r in sorted({int(ref[1:]) for ref in USER_SHEET_CELLS})
    ]
    new_sheets = {
        report_name: _new_sheet(rows_report, {1: 100}, "{00000000-0001-0000-0100-000000000000}"),
        user_name_sheet: _new_sheet(user_rows, {1: 14, 2: 30}, "{00000000-0001-0000-0101-000000000000}"),
    }
    sheets_el = workbook.find(_q(MAIN, "sheets"))
    next_id = max(int(s.get("sheetId")) for s in sheets_el) + 1
    n = len(sheet_parts)
    for name in new_sheets:
        n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        sheet_parts[name] = part
        sheets[name] = new_sheets[name]
        pkg.override(part, CT_SHEET)
        rid = pkg.add_rel(wb_part, RT_WORKSHEET, f"worksheets/sheet{n}.xml")
        attrib = {"name": name, "sheetId": str(next_id), _q(R, "id"): rid}
        etree.SubElement(sheets_el, _q(MAIN, "sheet"), attrib)
        next_id += 1
    user_name, user_name_ref = "联系电话", f"'{user_name_sheet}'!$B$2"
    names = workbook.find(_q(MAIN, "definedNames"))
    etree.SubElement(names, _q(MAIN, "definedName"), name=user_name).text = user_name_ref

    # 9. every text as a shared string (Excel never writes inline strings)
    pkg.add("xl/sharedStrings.xml", _to_shared_strings(list(sheets.values())), CT_SST)
    pkg.add_rel(wb_part, RT_SST, "sharedStrings.xml")

    # 10. custom XML (a document-management stamp) and custom document properties
    item, props, item_rels = CUSTOM_XML_ITEM, CUSTOM_XML_PROPS, CUSTOM_XML_RELS
    pkg.add(
        item,
        XML_DECL
        + (
            '<归档信息 xmlns="urn:taojiang-kx:archive"><归档号>TJKX-2023-JX-01</归档号>'
            "<经办人>张会计</经办人><密级>内部</密级></归档信息>"
        ).encode(),
    )
    pkg.add(
        props,
        XML_DECL
        + (
            f'<ds:datastoreItem ds:itemID="{GUID_ITEM}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
            '<ds:schemaRefs><ds:schemaRef ds:uri="urn:taojiang-kx:archive"/></ds:schemaRefs></ds:datastoreItem>'
        ).encode(),
        CT_CUSTOM_XML_PROPS,
    )
    pkg.add(item_rels, _rels_xml([("rId1", RT_CUSTOM_XML_PROPS, "itemProps1.xml")]))
    pkg.add_rel(wb_part, RT_CUSTOM_XML, "../customXml/item1.xml")
    custom = CUSTOM_PROPS
    pkg.add(
        custom,
        XML_DECL
        + (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="归档编号">'
            "<vt:lpwstr>TJKX-2023-JX-01</vt:lpwstr></property>"
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="审核状态">'
            "<vt:lpwstr>待审核</vt:lpwstr></property></Properties>"
        ).encode(),
        CT_CUSTOM_PROPS,
    )
    pkg.add_rel("", RT_CUSTOM_PROPS, custom)

    # 11. macros: the add-in's VBA project, and the macro-enabled workbook type
    vba = None
    if xlsm:
        vba = VBA
        with zipfile.ZipFile(ADDIN) as z:
            pkg.add(vba, z.read(vba))
        pkg.default("bin", CT_VBA)
        pkg.override(wb_part, CT_WORKBOOK_XLSM)
        pkg.add_rel(wb_part, RT_VBA, "vbaProject.bin")
        workbook.find(_q(MAIN, "workbookPr")).set("codeName", "ThisWorkbook")
    else:
        pkg.default("bin", CT_PRINTER)

    # the workbook as Excel leaves it: r declared on the root, cached values trusted (no full recalc)
    wb_root = etree.Element(workbook.tag, nsmap={None: MAIN, "r": R})
    for child in list(workbook):
        wb_root.append(child)
    calc = wb_root.find(_q(MAIN, "calcPr"))
    calc.attrib.clear()
    calc.set("calcId", "191029")
    pkg.parts[wb_part] = _xml(wb_root)
    etree.cleanup_namespaces(styles)
    pkg.parts["xl/styles.xml"] = _xml(styles)
    for name, root in sheets.items():
        etree.cleanup_namespaces(root, keep_ns_prefixes=["r", "mc", "x14ac", "xr", "xr2", "xr3"])
        pkg.parts[sheet_parts[name]] = _xml(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    pkg.save(out)

    untouched = UNTOUCHED_PARTS + ((vba,) if vba else ())
    assert all(p in pkg.parts for p in untouched)
    return Decorations(
        path=out,
        xlsm=xlsm,
        untouched_parts=untouched,
        seal=seal,
        seal_image=image,
        seal_drawing=drawing2,
        shape_sheet=basic,
        shape_drawing=drawing1,
        shape_text=shape_text,
        shape_link=link,
        chart=chart1,
        threaded=threaded,
        threaded_part=thread_part,
        persons_part=persons,
        threaded_texts=THREAD_TEXTS,
        rich_text=rich,
        rich_bold_text=RICH_BOLD,
        formulas=formulas,
        conditional_format=cf,
        data_validation=dv,
        custom_xml_parts=(item, props, item_rels),
        custom_props_part=custom,
        printer_settings=printer,
        printer_settings_sheet=basic,
        user_report_sheet=report_name,
        user_report_lines=USER_REPORT_LINES,
        user_sheet=user_name_sheet,
        user_sheet_cells=dict(USER_SHEET_CELLS),
        user_name=user_name,
        user_name_ref=user_name_ref,
        theme_fill=theme_fill,
        pattern_fill=pattern_fill,
        note=note,
        note_author=NOTE_AUTHOR,
        note_text=note_text,
        vba_part=vba,
        sheet_links={
            basic: {"drawing": drawing1, "printerSettings": printer},
            unit: {
                "drawing": drawing2,
                "vmlDrawing": vml,
                "comments": comments,
                "threadedComment": thread_part,
            },
        },
    )
